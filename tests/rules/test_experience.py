"""Experience rules (§4.2.1 p–z): each rule with a case that counts and one that does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from casadmin.rules.experience import (
    GENERAL,
    con_egreso,
    dias_experiencia,
    evaluar_experiencia,
    experiencia_especifica,
    experiencia_general,
    experiencia_publica,
    inicio_computo,
    la_primera,
)
from casadmin.rules.periods import dura_meses
from casadmin.rules.reasons import incumplidos
from casadmin.rules.types import (
    Condicion,
    Experiencia,
    Formacion,
    NivelEstudios,
    Sector,
    TipoExperiencia,
)

D = date
POSTULACION = D(2024, 1, 15)
EGRESADO_2020 = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.TITULADO, carrera="Derecho",
                          fecha_egreso=D(2020, 1, 1), fecha_diploma=D(2021, 1, 1))


def exp(inicio: date, fin: date | None, *, tipo: TipoExperiencia = TipoExperiencia.EMPLEO,
        sector: Sector = Sector.PRIVADO, especifica: bool | None = False) -> Experiencia:
    return Experiencia(empleador="Entidad", sector=sector, puesto="Analista", inicio=inicio, fin=fin,
                       tipo=tipo, especifica=especifica)


# --- §4.2.1 p -------------------------------------------------------------------------


def test_inicio_desde_egreso_y_no_desde_el_diploma_4_2_1_p() -> None:
    desde, motivo = inicio_computo(EGRESADO_2020)
    assert desde == D(2020, 1, 1) and motivo.cumple and motivo.clausula == "§4.2.1 p"


def test_inicio_desde_bachiller_si_no_declara_egreso_4_2_1_p() -> None:
    bachiller = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.BACHILLER,
                          fecha_diploma=D(2021, 3, 1))
    assert inicio_computo(bachiller)[0] == D(2021, 3, 1)


def test_sin_fecha_de_egreso_ni_diploma_no_hay_inicio_4_2_1_p() -> None:
    en_curso = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.EN_CURSO)
    desde, motivo = inicio_computo(en_curso)
    assert desde is None and not motivo.cumple
    # An egresado row without its diploma date cannot use the diploma either.
    assert inicio_computo(None)[0] is None


def test_el_egreso_declarado_en_otra_fila_del_mismo_estudio_cuenta_4_2_1_p_q() -> None:
    """Ficha section 2 has a row per condition: the egresado row's date is the titulado row's egreso."""
    egresado = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.EGRESADO, carrera="Derecho",
                         fecha_egreso=D(2014, 7, 20))
    titulado = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.TITULADO, carrera="DERECHO ",
                         fecha_diploma=D(2014, 12, 15))
    referencia = con_egreso(titulado, [titulado, egresado])
    assert referencia == Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.TITULADO,
                                   carrera="DERECHO ", fecha_egreso=D(2014, 7, 20), fecha_diploma=D(2014, 12, 15))
    trabajo = exp(D(2014, 7, 21), D(2018, 7, 31))
    assert experiencia_general([trabajo], referencia, POSTULACION).dias == 1472  # from the egreso (2016 is a leap year)
    assert experiencia_general([trabajo], titulado, POSTULACION).dias == 1325  # from the diploma: what it was
    practica = exp(D(2014, 1, 1), D(2014, 6, 30), tipo=TipoExperiencia.PRACTICAS_PREPROFESIONALES)
    assert experiencia_general([practica], referencia, POSTULACION).dias == 181  # §4.2.1 q: egreso declared
    assert experiencia_general([practica], titulado, POSTULACION).dias == 0


def test_sin_egreso_cuenta_desde_el_bachiller_declarado_en_otra_fila_4_2_1_p() -> None:
    """«Desde la fecha de Bachiller y/o Título Profesional, según lo declarado»: with no egreso declared, a
    titulado row that meets the profile counts from the bachiller row's diploma of the same study (it
    counted from the título's, years later); a bachiller of another career or after the título does not."""
    bachiller = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.BACHILLER, carrera="Derecho",
                          fecha_diploma=D(2016, 1, 10))
    titulado = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.TITULADO, carrera="DERECHO",
                         fecha_diploma=D(2019, 6, 1))
    assert con_egreso(titulado, [bachiller, titulado]) is bachiller
    trabajo = exp(D(2016, 2, 1), D(2019, 12, 31))
    assert experiencia_general([trabajo], con_egreso(titulado, [bachiller, titulado]), POSTULACION).dias == 1430
    assert experiencia_general([trabajo], titulado, POSTULACION).dias == 214  # from the título: what it was
    desde, motivo = inicio_computo(con_egreso(titulado, [titulado, bachiller]))
    assert desde == D(2016, 1, 10) and motivo.clausula == "§4.2.1 p" and "(10/01/2016)" in motivo.mensaje
    assert motivo.declarado.startswith("universitario bachiller Derecho")
    # An egresado row without its date: the same study's bachiller gives the date (it gave none).
    egresado = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.EGRESADO, carrera="Derecho")
    assert con_egreso(egresado, [egresado, bachiller]) is bachiller
    otra = replace(bachiller, carrera="Economía")
    despues = replace(bachiller, fecha_diploma=D(2020, 3, 1))  # after this título: another study of the name
    maestria = replace(bachiller, nivel=NivelEstudios.MAESTRIA, condicion=Condicion.GRADO)
    assert con_egreso(titulado, [titulado, otra, despues, maestria]) is titulado
    assert con_egreso(egresado, [egresado, otra]) is egresado


def test_el_egreso_de_la_misma_carrera_escrita_de_otro_modo_cuenta_4_2_1_p_q() -> None:
    """«A partir de la condición de egresado, siempre y cuando haya sido declarada» (§4.2.1 p): the applicant
    wrote «Derecho» on the egresado row and «Derecho y Ciencias Políticas» on the titulado one; the egreso
    was ignored, experience counted from the título and the prácticas after egreso not at all (the legal
    review's finding 1). A name that only qualifies another career is another study."""
    egresado = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.EGRESADO, carrera="Derecho",
                         fecha_egreso=D(2020, 7, 15))
    titulado = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.TITULADO,
                         carrera="Derecho y Ciencias Políticas", fecha_diploma=D(2022, 6, 30))
    assert con_egreso(titulado, [egresado, titulado]).fecha_egreso == D(2020, 7, 15)
    practicas = exp(D(2020, 8, 1), D(2021, 7, 31), tipo=TipoExperiencia.PRACTICAS_PROFESIONALES)
    assert experiencia_general([practicas], con_egreso(titulado, [egresado, titulado]), POSTULACION).dias == 365
    assert experiencia_general([practicas], titulado, POSTULACION).dias == 0  # what it was
    # the other way round: «Derecho y Ciencias Políticas» egresado, «Derecho» titulado
    assert con_egreso(replace(titulado, carrera="Derecho"),
                      [replace(egresado, carrera="Derecho y Ciencias Políticas")]).fecha_egreso == D(2020, 7, 15)
    # a career that only starts like another, or ends like it, is another study (the diff review's finding 1:
    # «Administración» gave «Administración de Negocios Internacionales» its 2012 egreso)
    for suya, otra in (("Administración de Negocios Internacionales", "Administración"),
                       ("Ingeniería Civil Ambiental", "Ingeniería Civil"), ("Contabilidad y Finanzas", "Finanzas"),
                       ("Ingeniería Química", "Química"), ("Educación - Matemática e Informática", "Matemática")):
        distinta = replace(titulado, carrera=suya)
        assert con_egreso(distinta, [replace(egresado, carrera=otra), distinta]) is distinta, (suya, otra)
    # the same name at another centre when both rows name one: another study
    en_otra = replace(titulado, centro="Universidad Nacional de Trujillo")
    assert con_egreso(en_otra, [replace(egresado, centro="Universidad de Lima"), en_otra]) is en_otra
    assert con_egreso(en_otra, [egresado, en_otra]).fecha_egreso == D(2020, 7, 15)  # the egresado row names none
    bachiller = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.BACHILLER, carrera="Derecho",
                          fecha_diploma=D(2021, 1, 10))
    assert con_egreso(replace(titulado, fecha_egreso=None), [bachiller, titulado]) is bachiller  # no egreso: §4.2.1 p


def test_el_egreso_de_otro_estudio_no_cuenta_4_2_1_p() -> None:
    titulado = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.TITULADO, carrera="Derecho",
                         fecha_diploma=D(2014, 12, 15))
    otra_carrera = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.EGRESADO, carrera="Economía",
                             fecha_egreso=D(2010, 1, 1))
    otro_nivel = Formacion(nivel=NivelEstudios.MAESTRIA, condicion=Condicion.EGRESADO, carrera="Derecho",
                           fecha_egreso=D(2012, 1, 1))
    despues = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.EGRESADO, carrera="Derecho",
                        fecha_egreso=D(2019, 3, 1))  # after this diploma: a second study of the same name
    assert con_egreso(titulado, [titulado, otra_carrera, otro_nivel, despues]) is titulado
    assert con_egreso(EGRESADO_2020, [EGRESADO_2020, replace(EGRESADO_2020, fecha_egreso=D(2015, 1, 1))]) \
        is EGRESADO_2020  # its own egreso stands
    assert con_egreso(None, [otra_carrera]) is None


def test_de_varios_estudios_que_cumplen_cuenta_desde_el_primer_egreso_4_2_1_p() -> None:
    """«A partir de la condición de egresado»: of the rows meeting the profile, the earliest egreso (else
    diploma), whichever order the applicant declared them in; a row without dates only if none has one."""
    maestria = Formacion(nivel=NivelEstudios.MAESTRIA, condicion=Condicion.EGRESADO, carrera="Derecho",
                         fecha_egreso=D(2019, 12, 20))
    bachiller = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.BACHILLER, carrera="Derecho",
                          fecha_diploma=D(2010, 8, 1))
    egresado = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.EGRESADO, carrera="Derecho",
                         fecha_egreso=D(2009, 12, 15))
    sin_fechas = Formacion(nivel=NivelEstudios.DOCTORADO, condicion=Condicion.EGRESADO, carrera="Derecho")
    formaciones = [maestria, bachiller, egresado, sin_fechas]
    trabajo = exp(D(2011, 1, 1), D(2018, 12, 31))
    for filas in ([maestria, bachiller], [bachiller, maestria], [sin_fechas, maestria, bachiller]):
        referencia = la_primera(filas, formaciones)
        # the bachiller's study, from its egreso declared on the egresado row (con_egreso)
        assert referencia == replace(bachiller, fecha_egreso=D(2009, 12, 15)), filas
        assert experiencia_general([trabajo], referencia, POSTULACION).dias == 2922  # every day of 2011–2018
    # Counted from the maestría's egreso, the same job would have given nothing: what a maestría
    # declared first used to give.
    assert experiencia_general([trabajo], maestria, POSTULACION).dias == 0
    assert la_primera([sin_fechas], formaciones) is sin_fechas
    assert la_primera([], formaciones) is None


def test_experiencia_anterior_al_egreso_no_cuenta_4_2_1_p() -> None:
    dias, motivos = experiencia_general([exp(D(2018, 1, 1), D(2019, 12, 31))], EGRESADO_2020, POSTULACION)
    assert dias == 0
    assert [m.clausula for m in incumplidos(motivos)] == ["§4.2.1 p"]
    assert "anterior" in incumplidos(motivos)[0].mensaje


# --- §4.2.1 q -------------------------------------------------------------------------


def test_preprofesionales_de_tres_meses_cuentan_4_2_1_q() -> None:
    practica = exp(D(2019, 1, 1), D(2019, 3, 31), tipo=TipoExperiencia.PRACTICAS_PREPROFESIONALES)  # 90 días
    assert experiencia_general([practica], EGRESADO_2020, POSTULACION).dias == 90


def test_preprofesionales_de_menos_de_tres_meses_no_cuentan_4_2_1_q() -> None:
    practica = exp(D(2019, 1, 1), D(2019, 3, 30), tipo=TipoExperiencia.PRACTICAS_PREPROFESIONALES)  # 89 días
    computo = experiencia_general([practica], EGRESADO_2020, POSTULACION)
    assert computo.dias == 0
    assert incumplidos(computo.motivos)[0].clausula == "§4.2.1 q"


def test_los_tres_meses_de_practicas_son_de_calendario_4_2_1_q() -> None:
    """«no menor de tres meses» on one declared period is calendar time: 1 Feb–30 Apr lasts three months
    in a common year too (89 days, which 30-day months would put at 2 months and 29 days)."""
    tres = exp(D(2019, 2, 1), D(2019, 4, 30), tipo=TipoExperiencia.PRACTICAS_PREPROFESIONALES)
    assert experiencia_general([tres], EGRESADO_2020, POSTULACION).dias == 89
    corta = exp(D(2019, 2, 1), D(2019, 4, 29), tipo=TipoExperiencia.PRACTICAS_PREPROFESIONALES)
    computo = experiencia_general([corta], EGRESADO_2020, POSTULACION)
    assert computo.dias == 0
    # the reason says it in the calendar the decision uses, not «2 meses y 29 días»
    assert ("del 01/02/2019 al 29/04/2019 no completan 3 meses (los completarían el 30/04/2019)"
            in incumplidos(computo.motivos)[0].mensaje)
    # the same in the fast count the Ficha stage uses
    assert dias_experiencia([tres], EGRESADO_2020, POSTULACION).general == 89
    assert dias_experiencia([corta], EGRESADO_2020, POSTULACION).general == 0
    # a month with no such day: from 30 Nov, three months end on the last day of February
    assert dura_meses(D(2018, 11, 30).toordinal(), D(2019, 2, 28).toordinal(), 3)
    assert not dura_meses(D(2018, 11, 30).toordinal(), D(2019, 2, 27).toordinal(), 3)


def test_preprofesionales_iniciadas_despues_del_egreso_no_cuentan_4_2_1_q() -> None:
    practica = exp(D(2020, 3, 1), D(2020, 8, 31), tipo=TipoExperiencia.PRACTICAS_PREPROFESIONALES)
    assert experiencia_general([practica], EGRESADO_2020, POSTULACION).dias == 0


def test_practicas_requieren_fecha_de_egreso_declarada_4_2_1_q() -> None:
    titulado_sin_egreso = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.TITULADO,
                                    fecha_diploma=D(2019, 1, 1))
    practicas = [exp(D(2018, 1, 1), D(2018, 12, 31), tipo=TipoExperiencia.PRACTICAS_PREPROFESIONALES),
                 exp(D(2019, 1, 1), D(2019, 12, 31), tipo=TipoExperiencia.PRACTICAS_PROFESIONALES)]
    computo = experiencia_general(practicas, titulado_sin_egreso, POSTULACION)
    assert computo.dias == 0
    assert [m.clausula for m in incumplidos(computo.motivos)] == ["§4.2.1 q", "§4.2.1 q"]


def test_practicas_profesionales_se_topan_en_24_meses_en_conjunto_4_2_1_q() -> None:
    primera = exp(D(2020, 1, 1), D(2020, 12, 31), tipo=TipoExperiencia.PRACTICAS_PROFESIONALES)  # 366
    segunda = exp(D(2021, 1, 1), D(2022, 12, 31), tipo=TipoExperiencia.PRACTICAS_PROFESIONALES)  # 730
    empleo = exp(D(2023, 1, 1), D(2023, 1, 30))  # 30
    computo = experiencia_general([primera, segunda, empleo], EGRESADO_2020, POSTULACION)
    assert computo.dias == 720 + 30
    tope = [m for m in computo.motivos if "veinticuatro" in m.mensaje]
    assert len(tope) == 1 and tope[0].clausula == "§4.2.1 q"


def test_practicas_profesionales_cuentan_hasta_24_meses_4_2_1_q() -> None:
    practica = exp(D(2020, 1, 1), D(2021, 12, 31), tipo=TipoExperiencia.PRACTICAS_PROFESIONALES)  # 731 días
    assert experiencia_general([practica], EGRESADO_2020, POSTULACION).dias == 720
    corta = exp(D(2020, 1, 1), D(2020, 12, 31), tipo=TipoExperiencia.PRACTICAS_PROFESIONALES)
    assert experiencia_general([corta], EGRESADO_2020, POSTULACION).dias == 366


# --- §4.2.1 r–u -----------------------------------------------------------------------


def test_secigra_completo_cuenta_como_general_y_no_como_especifica_4_2_1_r() -> None:
    secigra = exp(D(2018, 1, 1), D(2018, 12, 31), tipo=TipoExperiencia.SECIGRA, sector=Sector.PUBLICO,
                  especifica=True)
    assert experiencia_general([secigra], EGRESADO_2020, POSTULACION).dias == 365
    especifica = experiencia_especifica([secigra], EGRESADO_2020, POSTULACION)
    assert especifica.dias == 0 and incumplidos(especifica.motivos)[0].clausula == "§4.2.1 r"
    assert experiencia_publica([secigra], EGRESADO_2020, POSTULACION, especifica=False).dias == 365


def test_cada_experiencia_contada_cita_su_clausula() -> None:
    experiencias = [
        exp(D(2018, 1, 1), D(2018, 12, 31), tipo=TipoExperiencia.SECIGRA),
        exp(D(2019, 1, 1), D(2019, 6, 30), tipo=TipoExperiencia.PRACTICAS_PREPROFESIONALES),
        exp(D(2021, 1, 1), D(2021, 6, 30), especifica=True),
    ]
    general = experiencia_general(experiencias, EGRESADO_2020, POSTULACION)
    assert [m.clausula for m in general.motivos if m.computado.endswith("días") and m.cumple] == \
        ["§4.2.1 r", "§4.2.1 q", "§4.2.1 p"]
    especifica = experiencia_especifica(experiencias, EGRESADO_2020, POSTULACION)
    assert [m.clausula for m in especifica.motivos if m.cumple][-1] == "§4.2.1 w"


def test_secigra_incompleto_no_cuenta_4_2_1_r() -> None:
    secigra = exp(D(2018, 1, 1), D(2018, 12, 25), tipo=TipoExperiencia.SECIGRA)  # 359 días
    assert experiencia_general([secigra], EGRESADO_2020, POSTULACION).dias == 0
    # «solo el año completo»: 360 days are not a calendar year
    secigra = exp(D(2018, 1, 1), D(2018, 12, 26), tipo=TipoExperiencia.SECIGRA)  # 360 días
    assert experiencia_general([secigra], EGRESADO_2020, POSTULACION).dias == 0
    assert dias_experiencia([secigra], EGRESADO_2020, POSTULACION).general == 0


def test_un_dia_se_escribe_en_singular() -> None:
    motivo = evaluar_experiencia(1, requisito=GENERAL, meses=1)
    assert motivo.computado == "1 día (1 día)" and motivo.mensaje.endswith("se computan 1 día.")
    assert evaluar_experiencia(2, requisito=GENERAL, meses=1).computado == "2 días (2 días)"


def test_serums_residentado_ad_honorem_voluntariado_nunca_cuentan_4_2_1_s_t_u() -> None:
    tipos = [TipoExperiencia.SERUMS, TipoExperiencia.RESIDENTADO, TipoExperiencia.AD_HONOREM,
             TipoExperiencia.VOLUNTARIADO]
    experiencias = [exp(D(2021, 1, 1), D(2021, 12, 31), tipo=t, especifica=True, sector=Sector.PUBLICO) for t in tipos]
    for funcion in (experiencia_general, experiencia_especifica, experiencia_publica):
        computo = funcion(experiencias, EGRESADO_2020, POSTULACION)
        assert computo.dias == 0
        assert [m.clausula for m in incumplidos(computo.motivos)] == ["§4.2.1 s", "§4.2.1 t", "§4.2.1 u", "§4.2.1 u"]
    # Same period as an ordinary job does count: the exclusion is the kind, not the dates.
    assert experiencia_general([exp(D(2021, 1, 1), D(2021, 12, 31))], EGRESADO_2020, POSTULACION).dias == 365


# --- §4.2.1 v -------------------------------------------------------------------------


def test_secundaria_cuenta_experiencia_sin_fecha_de_egreso_4_2_1_v() -> None:
    empleo = exp(D(2010, 1, 1), D(2010, 12, 31))
    assert experiencia_general([empleo], None, POSTULACION, solo_secundaria=True).dias == 365
    assert experiencia_general([empleo], None, POSTULACION, solo_secundaria=False).dias == 0


def test_secundaria_admite_preprofesionales_sin_egreso_pero_no_las_exclusiones_4_2_1_v() -> None:
    practica = exp(D(2012, 1, 1), D(2012, 6, 30), tipo=TipoExperiencia.PRACTICAS_PREPROFESIONALES)
    voluntariado = exp(D(2013, 1, 1), D(2013, 12, 31), tipo=TipoExperiencia.VOLUNTARIADO)
    computo = experiencia_general([practica, voluntariado], None, POSTULACION, solo_secundaria=True)
    assert computo.dias == 182
    assert computo.motivos[0].clausula == "§4.2.1 v"


# --- §4.2.1 w, x ----------------------------------------------------------------------


def test_especifica_solo_con_funciones_en_consonancia_4_2_1_x() -> None:
    si = exp(D(2021, 1, 1), D(2021, 6, 30), especifica=True)
    no = exp(D(2021, 7, 1), D(2021, 12, 31), especifica=False)
    assert experiencia_especifica([si, no], EGRESADO_2020, POSTULACION).dias == 181
    assert experiencia_general([si, no], EGRESADO_2020, POSTULACION).dias == 365


def test_una_experiencia_sin_calificar_no_es_especifica_y_el_motivo_lo_dice_4_2_1_x() -> None:
    """The evaluator decides whether the functions match (§4.2.1 x); one not judged yet does not count as
    specific, and its reason says nobody judged it rather than that the functions do not match (the legal
    review's finding 7: the applicant read «no guardan consonancia» of functions nobody had read)."""
    sin = exp(D(2021, 7, 1), D(2021, 12, 31), especifica=None)
    no = replace(sin, especifica=False)
    computos = [experiencia_especifica([e], EGRESADO_2020, POSTULACION) for e in (sin, no)]
    assert [c.dias for c in computos] == [0, 0]
    assert [m.mensaje for c in computos for m in incumplidos(c.motivos)] == [
        "El evaluador no ha calificado si las funciones declaradas guardan consonancia con las del puesto: no se "
        "cuenta como experiencia específica.",
        "Las funciones declaradas no guardan consonancia con las del puesto: no es experiencia específica."]
    assert dias_experiencia([sin], EGRESADO_2020, POSTULACION).especifica == 0


def test_especifica_publica_incluye_locacion_y_excluye_privado_4_2_1_w() -> None:
    locacion = exp(D(2021, 1, 1), D(2021, 6, 30), tipo=TipoExperiencia.LOCACION, sector=Sector.PUBLICO,
                   especifica=True)
    privado = exp(D(2021, 7, 1), D(2021, 12, 31), sector=Sector.PRIVADO, especifica=True)
    computo = experiencia_publica([locacion, privado], EGRESADO_2020, POSTULACION)
    assert computo.dias == 181
    assert [m.clausula for m in incumplidos(computo.motivos)] == ["§4.2.1 w"]


# --- §4.2.1 y, z ----------------------------------------------------------------------


def test_traslape_se_cuenta_una_vez_y_se_informa_4_2_1_y() -> None:
    a = exp(D(2021, 1, 1), D(2021, 12, 31))
    b = exp(D(2021, 6, 1), D(2022, 5, 31))
    computo = experiencia_general([a, b], EGRESADO_2020, POSTULACION)
    assert computo.dias == 365 + 151
    assert any(m.clausula == "§4.2.1 y" and "una sola vez" in m.mensaje for m in computo.motivos)


def test_vinculo_vigente_hasta_la_fecha_de_postulacion_4_2_1_z() -> None:
    vigente = exp(D(2024, 1, 1), None, especifica=True, sector=Sector.PUBLICO)
    computo = experiencia_general([vigente], EGRESADO_2020, POSTULACION)
    assert computo.dias == 15
    assert any(m.clausula == "§4.2.1 z" for m in computo.motivos)


def test_fecha_fin_posterior_a_la_postulacion_se_corta_y_la_que_empieza_despues_no_cuenta_4_2_1_z() -> None:
    futura = exp(D(2024, 1, 1), D(2024, 12, 31))
    posterior = exp(D(2024, 2, 1), D(2024, 3, 1))
    computo = experiencia_general([futura, posterior], EGRESADO_2020, POSTULACION)
    assert computo.dias == 15
    assert [m.clausula for m in incumplidos(computo.motivos)] == ["§4.2.1 z"]


def test_evaluar_experiencia_contra_el_minimo_del_perfil() -> None:
    computo = experiencia_general([exp(D(2021, 1, 1), D(2022, 12, 31))], EGRESADO_2020, POSTULACION)  # 730
    assert evaluar_experiencia(computo, requisito="Experiencia general", anios=2).cumple
    falla = evaluar_experiencia(computo, requisito="Experiencia general", anios=3)
    assert not falla.cumple and "No acredita 3 años" in falla.mensaje
    assert computo.meses == Decimal("24.33") and computo.anios == Decimal("2.02")  # 730 / 30, 730 / 360


# --- properties (§4.2.1 w: specific ⊆ general) -------------------------------------------

TIPOS = list(TipoExperiencia)


@st.composite
def experiencias(draw: st.DrawFn) -> Experiencia:
    inicio = D(2012, 1, 1) + timedelta(days=draw(st.integers(0, 4500)))
    fin = draw(st.one_of(st.none(), st.integers(0, 1500).map(lambda n: inicio + timedelta(days=n))))
    return Experiencia(empleador="E", puesto="P", sector=draw(st.sampled_from(list(Sector))), inicio=inicio, fin=fin,
                       tipo=draw(st.sampled_from(TIPOS)), especifica=draw(st.sampled_from([True, False, None])))


formaciones = st.builds(
    Formacion, nivel=st.just(NivelEstudios.UNIVERSITARIO), condicion=st.sampled_from(list(Condicion)),
    fecha_egreso=st.one_of(st.none(), st.dates(D(2012, 1, 1), D(2024, 1, 1))),
    fecha_diploma=st.one_of(st.none(), st.dates(D(2012, 1, 1), D(2024, 1, 1))),
)


@settings(max_examples=150)
@given(st.lists(experiencias(), max_size=6), st.one_of(st.none(), formaciones), st.booleans())
def test_publica_especifica_general_estan_contenidas_4_2_1_w(exps, formacion, secundaria) -> None:
    general = experiencia_general(exps, formacion, POSTULACION, secundaria).dias
    especifica = experiencia_especifica(exps, formacion, POSTULACION, secundaria).dias
    publica = experiencia_publica(exps, formacion, POSTULACION, secundaria).dias
    publica_total = experiencia_publica(exps, formacion, POSTULACION, secundaria, especifica=False).dias
    assert publica <= especifica <= general
    assert publica_total <= general
    # §4.2.1 z: nothing after the application date; y: never more than the calendar allows.
    inicio = min((e.inicio for e in exps), default=POSTULACION)
    assert general <= max(0, (POSTULACION - inicio).days + 1)


@settings(max_examples=100)
@given(st.lists(experiencias(), max_size=6), formaciones)
def test_el_orden_de_declaracion_no_cambia_el_computo(exps, formacion) -> None:
    assert experiencia_general(exps, formacion, POSTULACION).dias == \
        experiencia_general(list(reversed(exps)), formacion, POSTULACION).dias
