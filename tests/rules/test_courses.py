"""Courses, programs, diplomados and postgraduate studies (§4.2.1 i–m, §4.2.4 c)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casadmin.rules.courses import (
    EvaluadorCursos,
    coincide_tema,
    diplomado_cumple_ley_30220,
    evaluar_cursos,
    horas_minimas_programa,
    normalizar,
)
from casadmin.rules.types import Capacitacion, RequisitoCapacitacion
from casadmin.rules.types import TipoCapacitacion as T

D = date


def cap(tema: str, tipo: T = T.CURSO, horas: int | str = 20, **extra) -> Capacitacion:
    return Capacitacion(tema=tema, tipo=tipo, horas=Decimal(horas), fecha_fin=extra.pop("fecha_fin", D(2022, 1, 1)),
                        **extra)


def req(tema: str, tipo: T = T.CURSO, horas: int = 0, **extra) -> RequisitoCapacitacion:
    return RequisitoCapacitacion(tema=tema, tipo=tipo, horas=Decimal(horas), **extra)


def test_normalizar_ignora_mayusculas_y_tildes() -> None:
    assert normalizar("  Gestión   PÚBLICA ") == "gestion publica"


def test_coincidencia_por_contencion_del_tema_requerido() -> None:
    assert coincide_tema(req("Gestión Pública"), cap("Diplomado en GESTION PUBLICA por resultados"))
    assert not coincide_tema(req("Gestión Pública"), cap("Gestión de proyectos"))


def test_afines_solo_si_el_perfil_lo_dice_4_2_1_m() -> None:
    con = req("Contrataciones del Estado", afines=True, temas_afines=("Logística",))
    sin = req("Contrataciones del Estado", afines=False, temas_afines=("Logística",))
    assert coincide_tema(con, cap("Gestión Logística"))
    assert not coincide_tema(sin, cap("Gestión Logística"))


def test_horas_acumulativas_4_2_4_c() -> None:
    requisitos = [req("SIAF", horas=50)]
    assert evaluar_cursos(requisitos, [cap("SIAF I", horas=30), cap("Taller SIAF II", T.TALLER, 20)])[0].cumple
    assert not evaluar_cursos(requisitos, [cap("SIAF I", horas=30), cap("Taller SIAF II", T.TALLER, 19)])[0].cumple


def test_requisito_de_curso_sin_horas_exige_al_menos_un_curso() -> None:
    assert evaluar_cursos([req("Ética")], [cap("Ética pública", horas=2)])[0].cumple
    assert not evaluar_cursos([req("Ética")], [cap("Gestión")])[0].cumple


def test_solo_cursos_concluidos_a_la_fecha_de_postulacion_4_2_4_c() -> None:
    en_curso = Capacitacion(tema="SIAF", tipo=T.CURSO, horas=Decimal(40))
    tarde = cap("SIAF", horas=40, fecha_fin=D(2024, 2, 1))
    motivos = evaluar_cursos([req("SIAF", horas=40)], [en_curso, tarde], fecha_postulacion=D(2024, 1, 15))
    assert not motivos[0].cumple
    assert "no está concluido" in motivos[0].mensaje
    assert evaluar_cursos([req("SIAF", horas=40)], [tarde], fecha_postulacion=D(2024, 2, 1))[0].cumple


def test_programa_90_horas_u_80_con_ente_rector_4_2_1_k() -> None:
    assert horas_minimas_programa(cap("x", T.PROGRAMA_ESPECIALIZACION, ente_rector=True)) == 80
    assert horas_minimas_programa(cap("x", T.PROGRAMA_ESPECIALIZACION)) == 90
    requisito = [req("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION)]
    assert evaluar_cursos(requisito, [cap("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, 90)])[0].cumple
    assert not evaluar_cursos(requisito, [cap("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, 89)])[0].cumple
    assert evaluar_cursos(requisito, [cap("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, 80,
                                          ente_rector=True)])[0].cumple


def test_un_perfil_que_pide_90_horas_admite_80_con_ente_rector_4_2_1_k() -> None:
    """The profile's "90 horas" is the general minimum of §4.2.1 k, not more: a governing body's
    programme still counts from 80 hours; a programme of 85 hours without one does not."""
    requisito = [req("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, horas=90)]
    assert evaluar_cursos(requisito, [cap("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, 85,
                                          ente_rector=True)])[0].cumple
    assert not evaluar_cursos(requisito, [cap("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, 85)])[0].cumple
    mas = [req("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, horas=100)]  # the profile's own hours
    assert not evaluar_cursos(mas, [cap("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, 95,
                                        ente_rector=True)])[0].cumple
    propias = [req("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, horas=85)]  # below 90, still its own
    assert not evaluar_cursos(propias, [cap("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, 80,
                                            ente_rector=True)])[0].cumple
    assert evaluar_cursos(propias, [cap("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, 85,
                                        ente_rector=True)])[0].cumple


def test_programa_con_horas_del_perfil_mayores_a_90_4_2_1_k() -> None:
    requisito = [req("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, horas=120)]
    assert not evaluar_cursos(requisito, [cap("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, 100)])[0].cumple
    assert evaluar_cursos(requisito, [cap("Control Gubernamental", T.PROGRAMA_ESPECIALIZACION, 120)])[0].cumple


def test_horas_de_programas_no_se_suman_para_un_programa_4_2_1_k() -> None:
    requisito = [req("Control", T.PROGRAMA_ESPECIALIZACION)]
    dos_mitades = [cap("Control I", T.PROGRAMA_ESPECIALIZACION, 50), cap("Control II", T.PROGRAMA_ESPECIALIZACION, 50)]
    assert not evaluar_cursos(requisito, dos_mitades)[0].cumple


def test_curso_de_especializacion_no_suple_programa_4_2_1_k() -> None:
    motivo = evaluar_cursos([req("Control", T.PROGRAMA_ESPECIALIZACION)],
                            [cap("Curso de especialización en Control", T.CURSO_ESPECIALIZACION, 200)])[0]
    assert not motivo.cumple
    assert motivo.clausula == "§4.2.1 k" and "no suple" in motivo.mensaje
    # …but its hours do count for an ordinary course requirement (§4.2.4 c).
    assert evaluar_cursos([req("Control", horas=100)],
                          [cap("Curso de especialización en Control", T.CURSO_ESPECIALIZACION, 200)])[0].cumple


def test_diplomado_ley_30220_24_creditos_o_384_horas_4_2_1_l() -> None:
    assert diplomado_cumple_ley_30220(cap("d", T.DIPLOMADO, 384, inicio=D(2016, 1, 1)))
    assert not diplomado_cumple_ley_30220(cap("d", T.DIPLOMADO, 383, inicio=D(2016, 1, 1)))
    assert diplomado_cumple_ley_30220(cap("d", T.DIPLOMADO, 100, creditos=Decimal(24), inicio=D(2016, 1, 1)))
    assert not diplomado_cumple_ley_30220(cap("d", T.DIPLOMADO, 400, creditos=Decimal(23), inicio=D(2016, 1, 1)))
    # The day the law applies, and the day before.
    assert not diplomado_cumple_ley_30220(cap("d", T.DIPLOMADO, 120, inicio=D(2014, 7, 10)))
    assert diplomado_cumple_ley_30220(cap("d", T.DIPLOMADO, 120, inicio=D(2014, 7, 9)))


def test_diplomado_sin_fecha_de_inicio_usa_la_fecha_de_fin_4_2_1_l() -> None:
    assert diplomado_cumple_ley_30220(cap("d", T.DIPLOMADO, 120, fecha_fin=D(2014, 6, 30)))
    assert not diplomado_cumple_ley_30220(cap("d", T.DIPLOMADO, 120, fecha_fin=D(2015, 6, 30)))
    # the reason says the start was not declared, and how it was read, not a start date nobody gave
    motivo, = evaluar_cursos([req("Gestión", T.DIPLOMADO)], [cap("Gestión", T.DIPLOMADO, 120, fecha_fin=D(2015, 6, 30))])
    assert not motivo.cumple and "sin fecha de inicio y concluido el 30/06/2015, se considera iniciado" in motivo.mensaje


def test_posgrado_culminado_cumple_un_solo_requisito_4_2_1_j() -> None:
    maestria = cap("Maestría en Gestión Pública", T.MAESTRIA, 600)
    motivos = evaluar_cursos([req("Gestión Pública", horas=100), req("Gestión Pública", T.PROGRAMA_ESPECIALIZACION)],
                             [maestria])
    assert [m.cumple for m in motivos] == [True, False]
    assert "solo cumple un requisito" in motivos[1].mensaje
    assert [m.clausula for m in motivos] == ["§4.2.1 j", "§4.2.1 k; §4.2.1 j"]  # unmet for j, not for k alone


def test_posgrado_solo_sirve_a_requisitos_de_su_tematica_4_2_1_i_j() -> None:
    maestria = cap("Maestría en Gestión Pública", T.MAESTRIA, 600)
    requisitos = [req("Gestión Pública", T.PROGRAMA_ESPECIALIZACION), req("Derecho Administrativo", horas=40)]
    assert [m.cumple for m in evaluar_cursos(requisitos, [maestria])] == [True, False]
    # A second, unused postgraduate study on another topic does not fill the unrelated requirement either.
    doctorado = cap("Doctorado en Gestión Pública", T.DOCTORADO, 600)
    assert [m.cumple for m in evaluar_cursos(requisitos, [maestria, doctorado])] == [True, False]


def test_posgrado_no_culminado_no_cumple_4_2_1_j() -> None:
    en_curso = Capacitacion(tema="Maestría en Gestión Pública", tipo=T.MAESTRIA, horas=Decimal(600))
    assert not evaluar_cursos([req("Gestión Pública", T.PROGRAMA_ESPECIALIZACION)], [en_curso])[0].cumple


def test_asignacion_de_posgrados_maximiza_requisitos_cumplidos_4_2_1_j() -> None:
    """A greedy first-fit would give the doctorate to R1 and leave R2 unmet."""
    doctorado = cap("Doctorado en Gestión Pública y Políticas Sociales", T.DOCTORADO, 500)
    maestria = cap("Maestría en Gestión Pública", T.MAESTRIA, 500)
    requisitos = [req("Gestión Pública", T.PROGRAMA_ESPECIALIZACION), req("Políticas Sociales", T.DIPLOMADO)]
    motivos = evaluar_cursos(requisitos, [doctorado, maestria])
    assert [m.cumple for m in motivos] == [True, True]
    assert [m.clausula for m in motivos] == ["§4.2.1 j", "§4.2.1 j"]


def test_cursos_ordinarios_pueden_servir_a_varios_requisitos() -> None:
    curso = cap("Gestión pública y contrataciones del estado", horas=40)
    motivos = evaluar_cursos([req("Gestión Pública", horas=40), req("Contrataciones del Estado", horas=40)], [curso])
    assert [m.cumple for m in motivos] == [True, True]


def test_criterio_de_coincidencia_intercambiable() -> None:
    def exacto(r: RequisitoCapacitacion, c: Capacitacion) -> bool:
        return normalizar(r.tema) == normalizar(c.tema)

    requisitos = [req("SIAF", horas=10)]
    declarados = [cap("Curso SIAF", horas=20)]
    assert evaluar_cursos(requisitos, declarados)[0].cumple
    assert not evaluar_cursos(requisitos, declarados, criterio=exacto)[0].cumple


def test_horas_en_float_se_rechazan() -> None:
    with pytest.raises(TypeError):
        Capacitacion(tema="x", tipo=T.CURSO, horas=1.5)  # type: ignore[arg-type]


def test_requisito_de_tipo_no_soportado() -> None:
    with pytest.raises(ValueError):
        RequisitoCapacitacion(tema="x", tipo=T.TALLER)


_TEMAS = ("Gestión pública", "GESTION PUBLICA por resultados", "Supervisión", "Contrataciones", "SIAF", "")
#: Declared titles that leave a topic out, in a clause or across one (:func:`courses.nombra`)
_TITULOS_QUE_EXCLUYEN = ("Gestión pública (no incluye SIAF)", "Contrataciones, excepto SIAF",
                         "Gestión pública (excepto SIAF) y supervisión", "Supervisión: no incluye contrataciones ni SIAF",
                         "Supervisión (no incluye SIAF, contrataciones)")
_capacitaciones = st.lists(st.builds(
    Capacitacion, tema=st.sampled_from(_TEMAS + _TITULOS_QUE_EXCLUYEN), tipo=st.sampled_from(list(T)),
    horas=st.sampled_from([Decimal(h) for h in (0, 12, 40, 80, 90, 384, 600)]),
    creditos=st.sampled_from([None, Decimal(12), Decimal(24)]),
    fecha_fin=st.sampled_from([None, D(2013, 5, 1), D(2022, 1, 1), D(2027, 1, 1)]),
    inicio=st.sampled_from([None, D(2012, 1, 1), D(2020, 1, 1)]), ente_rector=st.booleans()), max_size=8)
_requisitos = st.lists(st.builds(
    RequisitoCapacitacion, tema=st.sampled_from(_TEMAS[:5]),
    tipo=st.sampled_from([T.CURSO, T.PROGRAMA_ESPECIALIZACION, T.DIPLOMADO]),
    horas=st.sampled_from([Decimal(h) for h in (0, 24, 90, 120)]), afines=st.booleans(),
    temas_afines=st.sampled_from([(), ("Contrataciones",)])), min_size=1, max_size=3)


@settings(max_examples=300, deadline=None)
@given(requisitos=_requisitos, capacitaciones=_capacitaciones)
def test_evaluador_preparado_igual_al_criterio_general_4_2_1_i_m(requisitos, capacitaciones) -> None:
    """The prepared evaluator of a call (its per-topic matches, the shared reason of a requirement no
    study is on) gives the same reasons as judging every study with the criterion itself (§4.2.1 i–m)."""
    preparado = EvaluadorCursos(requisitos)
    general = EvaluadorCursos(requisitos, criterio=lambda r, c: coincide_tema(r, c))
    for _ in range(2):  # the second time from the remembered topics
        assert preparado(capacitaciones, fecha_postulacion=D(2026, 3, 2)) == \
            general(capacitaciones, fecha_postulacion=D(2026, 3, 2))


@pytest.mark.parametrize(("titulo", "tema", "nombra"), [
    ("Gestión pública (no incluye SIAF)", "SIAF", False),
    ("Sistemas administrativos: no incluye el módulo de SIAF", "SIAF", False),
    ("Gestión pública: no incluye SIAF ni SIGA", "SIGA", False),
    ("Gestión pública, a excepción del SIAF", "SIAF", False),
    ("Gestión pública (no incluye: SIAF)", "SIAF", False),
    ("Gestión pública, excepto: SIAF y SIGA", "SIGA", False),
    ("Gestión pública (excepto SIAF/SIGA)", "SIGA", False),
    ("SIAF operativo (no incluye SIAF-RP web)", "SIAF", True),  # named in a clause of its own
    ("Ofimática: Word, Excel (excepto Access), PowerPoint", "PowerPoint", True),  # the phrase is in another clause
    ("Gestión pública (excepto SIAF) y gestión por resultados", "Gestión por resultados", True),
    ("Gestión pública (no incluye SIAF, SIGA)", "SIGA", False),  # a list in brackets, to the closing one
    ("Ofimática [Word; excepto Access, Outlook]", "Outlook", False),
    ("Ofimática [Word; excepto Access, Outlook]", "Word", True),  # before the phrase
    ("Gestión pública (no incluye SIAF), SIGA", "SIGA", True),  # after the closing bracket
    ("Gestión pública (no incluye SIAF, SIGA", "SIGA", False),  # a bracket never closed: to the title's end
    # the diff review's: a phrase after other items in brackets reads as outside them; a «;», a «.» or an item
    # that includes again ends the list
    ("Ofimática (Word, Excel excepto macros, PowerPoint)", "PowerPoint", True),
    ("Sistemas administrativos (SIAF, excepto módulo de tesorería, SIGA)", "SIGA", True),
    ("Gestión pública (excepto SIAF; incluye SIGA)", "SIGA", True),
    ("Gestión pública (no incluye SIAF, incluye SIGA)", "SIGA", True),
    ("Contrataciones del Estado (no incluye arbitraje. Módulo 2: Gestión de riesgos)", "Gestión de riesgos", True),
    ("Ofimática: Word, Excel excepto Access, PowerPoint", "PowerPoint", True),  # no brackets: a comma ends it
    ("Escuelas a salvo: gestión del riesgo de desastres", "Gestión del riesgo de desastres", True),
    ("No a la violencia contra la mujer", "Violencia contra la mujer", True),
    ("Gestión pública, nivel I", "Gestión pública, nivel I", True),  # a topic that spans a comma
])
def test_un_titulo_que_deja_fuera_la_tematica_no_la_nombra_4_2_1_i(titulo, tema, nombra) -> None:
    """§4.2.1 i: a course is «en la temática requerida» when its title names the topic other than to leave it
    out; the phrase that leaves it out is read in the clause of the title that holds the topic."""
    requisito = RequisitoCapacitacion(tema=tema, tipo=T.CURSO, horas=Decimal(0))
    curso = Capacitacion(tema=titulo, tipo=T.CURSO, horas=Decimal(20), fecha_fin=D(2024, 1, 1))
    assert coincide_tema(requisito, curso) is nombra
    [motivo] = EvaluadorCursos([requisito])([curso], fecha_postulacion=D(2026, 3, 2))
    assert motivo.cumple is nombra
