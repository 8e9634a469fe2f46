"""Knowledge levels (§4.2.1 n), academic ladder (§4.2.1 e–h) and age (Ley 31533)."""

from __future__ import annotations

from datetime import date

import pytest

from casadmin.rules.age import edad, es_joven_31533, motivo_joven_31533
from casadmin.rules.levels import (
    Grado,
    clave_conocimiento,
    cumple_nivel,
    evaluar_colegiatura,
    evaluar_conocimientos,
    evaluar_formacion,
    grado,
)
from casadmin.rules.types import Condicion as C
from casadmin.rules.types import Formacion, Nivel, RequisitoFormacion
from casadmin.rules.types import NivelEstudios as N

D = date


# --- §4.2.1 n -------------------------------------------------------------------------


def test_orden_de_niveles() -> None:
    assert Nivel.BASICO < Nivel.INTERMEDIO < Nivel.AVANZADO
    assert sorted([Nivel.AVANZADO, Nivel.BASICO, Nivel.INTERMEDIO]) == [Nivel.BASICO, Nivel.INTERMEDIO, Nivel.AVANZADO]


def test_nivel_declarado_mayor_o_igual_al_requerido_4_2_1_n() -> None:
    assert cumple_nivel(Nivel.INTERMEDIO, Nivel.AVANZADO, conocimiento="Inglés").cumple
    assert cumple_nivel(Nivel.INTERMEDIO, Nivel.INTERMEDIO, conocimiento="Inglés").cumple


def test_nivel_inferior_o_no_declarado_no_cumple_4_2_1_n() -> None:
    inferior = cumple_nivel(Nivel.INTERMEDIO, Nivel.BASICO, conocimiento="Inglés")
    assert not inferior.cumple and inferior.clausula == "§4.2.1 n" and "inferior" in inferior.mensaje
    assert not cumple_nivel(Nivel.BASICO, None, conocimiento="Quechua").cumple


def test_nombres_de_conocimientos_sin_tildes_ni_mayusculas() -> None:
    motivos = evaluar_conocimientos({"Hojas de Cálculo": Nivel.BASICO}, {"hojas de calculo": Nivel.BASICO})
    assert motivos[0].cumple


def test_otro_nombre_del_mismo_programa_de_ofimatica_4_2_1_n() -> None:
    """§4.2.1 n: a profile's «Excel» or «Procesador de Texto» (the bases' words) is the program the Ficha
    declares as «Hojas de cálculo» or «Procesador de textos»; either name counts at the higher level."""
    requeridos = {"Excel": Nivel.INTERMEDIO, "Procesador de Texto": Nivel.BASICO, "Inglés": Nivel.BASICO}
    motivos = evaluar_conocimientos(requeridos, {"Hojas de cálculo": Nivel.INTERMEDIO,
                                                 "Procesador de textos": Nivel.BASICO, "Inglés": Nivel.BASICO})
    assert [m.cumple for m in motivos] == [True, True, True]
    assert motivos[0].requisito == "Excel (nivel intermedio)"
    bajo = evaluar_conocimientos({"Hojas de cálculo": Nivel.AVANZADO},
                                 {"Excel": Nivel.AVANZADO, "hojas de calculo": Nivel.BASICO})
    assert bajo[0].cumple and bajo[0].declarado == "avanzado"
    assert not evaluar_conocimientos({"Excel": Nivel.BASICO}, {"Word": Nivel.AVANZADO})[0].cumple
    assert clave_conocimiento("MICROSOFT  Excel") == clave_conocimiento("Hojas de Cálculo") != clave_conocimiento("Word")


# --- §4.2.1 e–h -----------------------------------------------------------------------


def test_escalera_academica_del_perfil() -> None:
    escalera = [grado(N.SECUNDARIA, C.EGRESADO), grado(N.TECNICO, C.EGRESADO), grado(N.TECNICO, C.TITULADO),
                grado(N.UNIVERSITARIO, C.EGRESADO), grado(N.UNIVERSITARIO, C.BACHILLER),
                grado(N.UNIVERSITARIO, C.TITULADO), grado(N.MAESTRIA, C.GRADO), grado(N.DOCTORADO, C.GRADO)]
    assert None not in escalera
    assert escalera == sorted(g for g in escalera if g is not None)
    assert len(set(escalera)) == len(escalera)
    assert grado(N.SECUNDARIA, C.EN_CURSO) is None
    assert grado(N.UNIVERSITARIO, C.EN_CURSO) == Grado.ESTUDIOS_SUPERIORES < Grado.TECNICO_EGRESADO


def formacion(nivel: N, condicion: C, carrera: str = "", *, fecha_egreso: date | None = None,
              fecha_diploma: date | None = None) -> Formacion:
    return Formacion(nivel=nivel, condicion=condicion, carrera=carrera, fecha_egreso=fecha_egreso,
                     fecha_diploma=fecha_diploma)


def test_grado_superior_cumple_requisito_inferior_4_2_1_e() -> None:
    requisito = RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.BACHILLER, carreras=("Economía",))
    assert evaluar_formacion(requisito, [formacion(N.UNIVERSITARIO, C.TITULADO, "Economía")]).cumple
    # Without a career asked for, a maestría proves the bachiller it requires (Ley N° 30220, art. 45.4), not a título
    assert evaluar_formacion(RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.BACHILLER),
                             [formacion(N.MAESTRIA, C.GRADO, "Economía")]).cumple
    assert not evaluar_formacion(RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.TITULADO),
                                 [formacion(N.MAESTRIA, C.GRADO, "Economía")]).cumple


def test_un_posgrado_no_acredita_la_carrera_de_pregrado_4_2_1_g() -> None:
    """§4.2.1 g: «únicamente serán consideradas las carreras profesionales … solicitados»: a maestría in
    the career's field, even one in progress, is not the título or bachiller in it."""
    requisito = RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.TITULADO, carreras=("Derecho",))
    motivo = evaluar_formacion(requisito, [formacion(N.UNIVERSITARIO, C.TITULADO, "Economía"),
                                           formacion(N.MAESTRIA, C.EN_CURSO, "Derecho Administrativo")])
    assert not motivo.cumple and motivo.clausula == "§4.2.1 g"
    assert "es un posgrado: no acredita la carrera de pregrado solicitada" in motivo.mensaje
    assert not evaluar_formacion(RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.BACHILLER, carreras=("Economía",)),
                                 [formacion(N.MAESTRIA, C.GRADO, "Economía")]).cumple


def test_el_grado_de_pregrado_es_el_bachiller_4_2_1_e() -> None:
    """«Grado obtenido» of an undergraduate study is the bachiller (the título is not a grado), and a técnico
    study's is the bachiller técnico, below its título (Ley N° 30512)."""
    titulo = RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.TITULADO, carreras=("Derecho",))
    assert not evaluar_formacion(titulo, [formacion(N.UNIVERSITARIO, C.GRADO, "Derecho")]).cumple
    assert evaluar_formacion(RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.BACHILLER, carreras=("Derecho",)),
                             [formacion(N.UNIVERSITARIO, C.GRADO, "Derecho")]).cumple
    tecnico = RequisitoFormacion(nivel=N.TECNICO, condicion=C.TITULADO, carreras=("Computación",))
    assert not evaluar_formacion(tecnico, [formacion(N.TECNICO, C.BACHILLER, "Computación")]).cumple
    assert evaluar_formacion(tecnico, [formacion(N.TECNICO, C.TITULADO, "Computación")]).cumple
    assert Grado.TECNICO_EGRESADO < grado(N.TECNICO, C.BACHILLER) < Grado.TECNICO_TITULADO


def test_la_carrera_se_nombra_no_se_contiene_4_2_1_g() -> None:
    """§4.2.1 g: the career asked for, or «otros nombres en el mercado educativo»: named at the start of the
    declared name or after a linking word, not as the qualifier of another career."""
    def cumple(pedida: str, declarada: str) -> bool:
        return evaluar_formacion(RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.TITULADO, carreras=(pedida,)),
                                 [formacion(N.UNIVERSITARIO, C.TITULADO, declarada)]).cumple

    assert cumple("Derecho", "DERECHO Y CIENCIAS POLÍTICAS")
    assert cumple("Ciencias Políticas", "Derecho y Ciencias Politicas")
    assert cumple("Comunicación", "Ciencias de la Comunicación")
    assert cumple("Derecho", "Escuela Profesional de Derecho")
    assert cumple("Informática", "Ingeniería de Sistemas e Informática")
    assert not cumple("Física", "Educación Física")
    assert not cumple("Química", "Ingeniería Química")
    assert not cumple("Derecho", "Derechos Humanos")
    for pedida, declarada in (("Contabilidad", "Administración - Contabilidad"),
                              ("Administración", "Contabilidad y/o Administración"),
                              ("Administración", "Economía / Administración"),
                              ("Contabilidad", "Administración (Contabilidad)"), ("Derecho", "Carrera Profesional: Derecho"),
                              ("Administración", "EAP Administración"), ("Administración", "Lic. Administración")):
        assert cumple(pedida, declarada), (pedida, declarada)


def test_un_posgrado_listado_como_afin_cumple_4_2_1_g() -> None:
    """§4.2.1 g: with «afines», «estudios de maestría o doctorado, similares», as the evaluator lists them."""
    requisito = RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.BACHILLER, carreras=("Administración",),
                                   afines=True, carreras_afines=("Gestión Pública",))
    assert evaluar_formacion(requisito, [formacion(N.MAESTRIA, C.GRADO, "Gestión Pública")]).cumple
    assert not evaluar_formacion(requisito, [formacion(N.MAESTRIA, C.GRADO, "Derecho Penal")]).cumple


def test_grado_inferior_no_cumple_4_2_1_e() -> None:
    requisito = RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.BACHILLER, carreras=("Economía",))
    motivo = evaluar_formacion(requisito, [formacion(N.UNIVERSITARIO, C.EGRESADO, "Economía"),
                                           formacion(N.TECNICO, C.TITULADO, "Contabilidad")])
    assert not motivo.cumple and motivo.clausula == "§4.2.1 e"


def test_estudios_de_maestria_en_curso_cumplen_requisito_de_estudios_de_maestria() -> None:
    requisito = RequisitoFormacion(nivel=N.MAESTRIA, condicion=C.EN_CURSO, carreras=("Gestión Pública",))
    assert evaluar_formacion(requisito, [formacion(N.MAESTRIA, C.EN_CURSO, "Maestría en Gestión Pública")]).cumple
    assert not evaluar_formacion(requisito, [formacion(N.UNIVERSITARIO, C.TITULADO, "Gestión Pública")]).cumple


def test_grado_obtenido_despues_de_la_postulacion_no_cuenta_4_2_1_e() -> None:
    requisito = RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.TITULADO, carreras=("Derecho",))
    titulo = formacion(N.UNIVERSITARIO, C.TITULADO, "Derecho", fecha_diploma=D(2024, 3, 1))
    assert evaluar_formacion(requisito, [titulo], fecha_postulacion=D(2024, 3, 1)).cumple
    assert not evaluar_formacion(requisito, [titulo], fecha_postulacion=D(2024, 2, 29)).cumple


def test_secundaria_con_fecha_de_termino_4_2_1_f() -> None:
    requisito = RequisitoFormacion(nivel=N.SECUNDARIA, condicion=C.EGRESADO)
    assert evaluar_formacion(requisito, [formacion(N.SECUNDARIA, C.EGRESADO, fecha_egreso=D(2010, 12, 20))]).cumple
    assert not evaluar_formacion(requisito, [formacion(N.SECUNDARIA, C.EN_CURSO)]).cumple


def test_sin_formacion_declarada_4_2_1_e_h() -> None:
    """§4.2.1 e: the studies a position requires are declared in the Ficha; h adds that a maestría must be."""
    requisito = RequisitoFormacion(nivel=N.MAESTRIA, condicion=C.EGRESADO)
    motivo = evaluar_formacion(requisito, [])
    assert not motivo.cumple and motivo.clausula == "§4.2.1 e, h"
    motivo = evaluar_formacion(RequisitoFormacion(nivel=N.UNIVERSITARIO, condicion=C.TITULADO), [])
    assert not motivo.cumple and motivo.clausula == "§4.2.1 e" and motivo.mensaje == "No declaró formación académica."


def test_colegiatura_y_habilitacion_4_2_1_h() -> None:
    assert evaluar_colegiatura(requerida=True, colegiado=True, habilitado=True).cumple
    assert not evaluar_colegiatura(requerida=True, colegiado=True, habilitado=False).cumple
    assert evaluar_colegiatura(requerida=False, colegiado=False, habilitado=False).cumple
    # Only colegiatura asked (§4.2.1 h): met without habilitación, and the reason says what was declared.
    solo = evaluar_colegiatura(requerida=True, colegiado=True, habilitado=False, habilitacion=False)
    assert solo.cumple and solo.declarado == "colegiado: sí, habilitado: no" and solo.requisito == "Colegiatura"
    assert solo.mensaje == "Declara colegiatura vigente."
    assert not evaluar_colegiatura(requerida=True, colegiado=False, habilitado=True, habilitacion=False).cumple


# --- age, Ley 31533 ----------------------------------------------------------------------


def test_edad_en_anios_cumplidos() -> None:
    assert edad(D(2000, 6, 15), D(2030, 6, 14)) == 29
    assert edad(D(2000, 6, 15), D(2030, 6, 15)) == 30


def test_nacido_un_29_de_febrero_cumple_el_1_de_marzo() -> None:
    assert edad(D(2000, 2, 29), D(2030, 2, 28)) == 29
    assert edad(D(2000, 2, 29), D(2030, 3, 1)) == 30
    assert edad(D(2000, 2, 29), D(2032, 2, 29)) == 32


def test_edad_antes_de_nacer_es_un_error() -> None:
    with pytest.raises(ValueError):
        edad(D(2000, 1, 2), D(2000, 1, 1))


def test_joven_31533_hasta_29_anios_al_inicio_de_la_postulacion_4_3_2() -> None:
    assert es_joven_31533(D(1997, 1, 10), D(2027, 1, 9))
    assert not es_joven_31533(D(1997, 1, 10), D(2027, 1, 10))
    motivo = motivo_joven_31533(D(1990, 1, 1), D(2026, 1, 1))
    assert not motivo.cumple and motivo.clausula == "§4.3.2" and "36 años" in motivo.computado


def test_joven_31533_con_la_edad_maxima_de_la_version_de_bases_4_3_2() -> None:
    """A bases version's ``ley31533.edad_maxima`` replaces the 29 (``BasesVersion.edad_maxima_31533``)."""
    assert es_joven_31533(D(1995, 1, 10), D(2027, 1, 9), 31)
    assert not es_joven_31533(D(1995, 1, 10), D(2027, 1, 9))
    motivo = motivo_joven_31533(D(1990, 1, 1), D(2026, 1, 1), 35)
    assert not motivo.cumple and motivo.requisito == "Edad máxima de 35 años (Ley N° 31533)"
    assert motivo.mensaje.endswith("supera los 35 años.")
