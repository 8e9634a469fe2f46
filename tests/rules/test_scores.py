"""Scores and bonuses (§4.2.2, §4.2.4, §4.2.5, §4.2.6, §4.3): Decimal only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casadmin.rules.scores import (
    Factor,
    aprueba_entrevista,
    aprueba_examen,
    bonificacion_deportista,
    bonificacion_entrevista_31533,
    bonificacion_especial_31533,
    bonificacion_ffaa_discapacidad,
    bonificaciones_finales,
    evaluar_curricular,
    promedio_entrevista,
    puntaje_final,
    tabla_curricular,
    total_con_bonificaciones,
    truncar,
)

X = Decimal


def test_truncar_no_redondea_4_2_5_g() -> None:
    assert truncar(X("30.666")) == X("30.66")
    assert truncar(X("30.669999")) == X("30.66")
    assert truncar(X("30.6")) == X("30.60")
    assert truncar(31) == X("31.00")
    assert truncar(X("7.777"), 0) == X("7")


@pytest.mark.parametrize("funcion", [truncar, lambda v: promedio_entrevista([v]), aprueba_examen,
                                     lambda v: puntaje_final(curricular=v, entrevista=X(20))])
def test_floats_se_rechazan(funcion) -> None:
    with pytest.raises(TypeError):
        funcion(30.5)


def test_bool_no_es_un_puntaje() -> None:
    with pytest.raises(TypeError):
        truncar(True)  # type: ignore[arg-type]


def test_examen_minimo_21_de_30_4_2_2_l() -> None:
    assert aprueba_examen(21) and aprueba_examen(X("30"))
    assert not aprueba_examen(X("20.99"))
    with pytest.raises(ValueError):
        aprueba_examen(31)


def test_promedio_de_los_integrantes_truncado_4_2_5_g() -> None:
    assert promedio_entrevista([X(40), X(39), X(39)]) == X("39.33")
    assert promedio_entrevista([X(35), X(36)]) == X("35.50")
    assert promedio_entrevista([X(29), X(29), X(30)]) == X("29.33")
    assert promedio_entrevista([X(1), X(1), X(2)]) == X("1.33")
    assert promedio_entrevista([X(2), X(2), X(1)]) == X("1.66")  # rounding would give 1.67


def test_promedio_sin_integrantes_o_fuera_de_rango() -> None:
    with pytest.raises(ValueError):
        promedio_entrevista([])
    with pytest.raises(ValueError):
        promedio_entrevista([X(41)], con_examen=True)
    assert promedio_entrevista([X(50)], con_examen=False) == 50


@settings(max_examples=300)
@given(st.lists(st.decimals(min_value=0, max_value=50, places=2), min_size=1, max_size=4))
def test_promedio_es_el_truncamiento_exacto(totales: list[Decimal]) -> None:
    promedio = promedio_entrevista(totales)
    suma, n = sum(totales), len(totales)
    assert promedio * n <= suma < (promedio + X("0.01")) * n
    assert promedio == promedio.quantize(X("0.01"))


def test_minimo_aprobatorio_entrevista_4_2_5_i_j() -> None:
    assert aprueba_entrevista(20, con_examen=True) and not aprueba_entrevista(X("19.99"), con_examen=True)
    assert aprueba_entrevista(30, con_examen=False) and not aprueba_entrevista(X("29.99"), con_examen=False)
    with pytest.raises(ValueError):
        aprueba_entrevista(45, con_examen=True)


def test_bonificacion_31533_entrevista_diez_por_ciento_truncado_4_2_5_h() -> None:
    bono = bonificacion_entrevista_31533(X("35.55"), joven=True, tecnico_o_profesional=True, con_examen=True)
    assert bono is not None
    assert bono.monto == X("3.55") and bono.porcentaje == 10 and "31533" in bono.base_legal


def test_bonificacion_31533_entrevista_requiere_edad_formacion_y_aprobar_4_2_5_h() -> None:
    puntaje = X("35.00")
    assert bonificacion_entrevista_31533(puntaje, joven=False, tecnico_o_profesional=True, con_examen=True) is None
    assert bonificacion_entrevista_31533(puntaje, joven=True, tecnico_o_profesional=False, con_examen=True) is None
    # 28.00 + 10 % = 30.80 would pass without exam, but the raw score must pass first.
    assert bonificacion_entrevista_31533(X("28.00"), joven=True, tecnico_o_profesional=True, con_examen=False) is None


def test_tablas_curriculares_4_2_4() -> None:
    con = tabla_curricular(con_examen=True)
    sin = tabla_curricular(con_examen=False)
    assert list(con.values()) == [4, 8, 8, 6, 4] and sum(con.values()) == 30
    assert list(sin.values()) == [8, 12, 12, 10, 8] and sum(sin.values()) == 50


@pytest.mark.parametrize("con_examen, especifica, total", [(True, 16, 30), (False, 24, 50)])
def test_sin_experiencia_publica_los_puntos_pasan_a_la_especifica_4_2_4_observacion(con_examen, especifica, total):
    tabla = tabla_curricular(con_examen=con_examen, pide_experiencia_publica=False)
    assert Factor.EXPERIENCIA_PUBLICA not in tabla
    assert tabla[Factor.EXPERIENCIA_ESPECIFICA] == especifica and sum(tabla.values()) == total


def test_curricular_todo_o_nada_por_factor_4_2_4() -> None:
    todos = {f: True for f in Factor}
    apto = evaluar_curricular(todos, con_examen=True)
    assert apto.apto and apto.total == 30
    falta = evaluar_curricular({**todos, Factor.FORMACION: False}, con_examen=True)
    assert not falta.apto and falta.total == 24 and falta.puntos[Factor.FORMACION] == 0
    assert [m.cumple for m in falta.motivos].count(False) == 1


def test_curricular_exige_exactamente_los_factores_del_perfil() -> None:
    with pytest.raises(ValueError):
        evaluar_curricular({f: True for f in Factor}, con_examen=True, pide_experiencia_publica=False)
    with pytest.raises(ValueError):
        evaluar_curricular({Factor.CURSOS: True}, con_examen=True)


def test_puntaje_final_suma_de_etapas_4_2_6_a() -> None:
    assert puntaje_final(examen=X(21), curricular=X(30), entrevista=X("20.00")) == X("71.00")
    assert puntaje_final(curricular=X(50), entrevista=X("30.00")) == X("80.00")


def test_ffaa_10_discapacidad_15_ambas_25_4_3_3_4_3_4() -> None:
    base = X("77.77")
    ffaa = bonificacion_ffaa_discapacidad(base, licenciado_ffaa=True, discapacidad=False)
    disc = bonificacion_ffaa_discapacidad(base, licenciado_ffaa=False, discapacidad=True)
    ambas = bonificacion_ffaa_discapacidad(base, licenciado_ffaa=True, discapacidad=True)
    assert ffaa is not None and disc is not None and ambas is not None
    assert (ffaa.porcentaje, ffaa.monto) == (10, X("7.77"))
    assert (disc.porcentaje, disc.monto) == (15, X("11.66"))
    assert (ambas.porcentaje, ambas.monto) == (25, X("19.44"))  # one 25 % bonus, not 7.77 + 11.66
    assert "29248" in ambas.base_legal and "29973" in ambas.base_legal
    assert bonificacion_ffaa_discapacidad(base, licenciado_ffaa=False, discapacidad=False) is None


@pytest.mark.parametrize("nivel, porcentaje", [(1, 20), (2, 16), (3, 12), (4, 8), (5, 4)])
def test_deportista_niveles_4_3_1(nivel: int, porcentaje: int) -> None:
    bono = bonificacion_deportista(X(100), nivel=nivel, perfil_exige_deportista=True)
    assert bono is not None and bono.porcentaje == porcentaje and bono.monto == porcentaje
    assert "27674" in bono.base_legal


def test_deportista_solo_si_el_perfil_lo_exige_4_3_1() -> None:
    assert bonificacion_deportista(X(100), nivel=1, perfil_exige_deportista=False) is None
    assert bonificacion_deportista(X(100), nivel=None, perfil_exige_deportista=True) is None
    with pytest.raises(ValueError):
        bonificacion_deportista(X(100), nivel=6, perfil_exige_deportista=True)


@pytest.mark.parametrize("anios, puntos", [(0, None), (1, 1), (2, 2), (3, 3), (7, 3)])
def test_especial_31533_por_anios_en_el_sector_publico_4_3_2(anios: int, puntos: int | None) -> None:
    bono = bonificacion_especial_31533(X(80), anios_experiencia_publica=anios, joven=True, tecnico_o_profesional=True)
    assert (None if bono is None else bono.porcentaje) == puntos


def test_especial_31533_requiere_ser_joven_tecnico_o_profesional_4_3_2() -> None:
    assert bonificacion_especial_31533(X(80), anios_experiencia_publica=3, joven=False,
                                       tecnico_o_profesional=True) is None
    assert bonificacion_especial_31533(X(80), anios_experiencia_publica=3, joven=True,
                                       tecnico_o_profesional=False) is None


def test_bonificaciones_sobre_la_misma_base_sin_capitalizar() -> None:
    base = X("80.00")
    bonos = bonificaciones_finales(base, licenciado_ffaa=True, nivel_deportista=5, perfil_exige_deportista=True,
                                   anios_experiencia_publica=2, joven_31533=True, tecnico_o_profesional=True)
    assert [b.porcentaje for b in bonos] == [10, 4, 2]
    assert all(b.base == base for b in bonos)
    assert total_con_bonificaciones(base, bonos) == X("92.80")  # 80 + 8 + 3.2 + 1.6
    assert total_con_bonificaciones(base, []) == base


def test_las_bonificaciones_31533_no_se_dan_antes_de_la_ley() -> None:
    """A bases version dates Ley 31533's values from its entry into force: before it, a rate of 0 or an empty
    table. That is no bonus, not a «Bonificación del 0 %» (nor, with the table, a failure of max())."""
    assert bonificacion_entrevista_31533(X("35.00"), joven=True, tecnico_o_profesional=True, con_examen=True,
                                         tasa=0) is None
    for tabla in ({}, {1: 0, 2: 0, 3: 0}):
        assert bonificacion_especial_31533(X(80), anios_experiencia_publica=3, joven=True, tecnico_o_profesional=True,
                                           tabla=tabla) is None


def test_a_score_is_written_with_two_decimals_exactly():
    """The interchange format writes results' scores with two decimals (docs/interchange.md): never rounded
    (§4.2.5 g truncates; a third decimal is refused where it is produced), never «-0.00»."""
    from casadmin.rules.decimales import dos_decimales

    assert dos_decimales(Decimal("26")) == "26.00" and dos_decimales(Decimal("30.3")) == "30.30"
    assert dos_decimales(Decimal("-0")) == "0.00" and dos_decimales(Decimal("0E+2")) == "0.00"
    for malo in (Decimal("30.349"), Decimal("-1")):
        with pytest.raises(ValueError, match="dos decimales como máximo y no es negativo"):
            dos_decimales(malo)
