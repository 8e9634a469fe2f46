"""The rules engine over the SUNEDU 2026 bases (D1–D9, F1, F3) and the `simulate` command."""

from __future__ import annotations

import copy
import importlib.metadata
import datetime as dt
import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from casadmin import plugins as pl
from casadmin.cli import casadmin_group
from casadmin.engine import interchange
from casadmin.engine.model import Resultado
from casadmin.engine.params import Parametros
from casadmin.engine.run import simular
from casadmin.hookspecs import hookimpl
from casadmin.rules.experience import experiencia_general
from casadmin.rules.ranking import Finalista

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "cas-140-2026-sunedu.json"


@pytest.fixture(scope="module")
def datos():
    return interchange.leer(EXAMPLE.read_bytes())


@pytest.fixture(scope="module")
def sim(datos):
    arch = interchange.cargar(datos)
    return simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)


def _r(sim, etapa, cid):
    return sim.resultado(etapa, cid)


def test_the_example_call_has_a_winner_and_two_accesitarios_d8(sim):
    assert [f.id for f in sim.orden.ganadores] == ["P01"]
    assert [f.id for f in sim.orden.accesitarios] == ["P08", "P07"]
    assert sim.desierto is None


@pytest.mark.parametrize("n", [0, 1, 3])
def test_the_number_of_accesitarios_is_the_bases_versions_parameter_d8(datos, sim, n):
    """§4.4 f: SUNEDU's bases call two accesitarios; a bases version with another ``resultado.accesitarios``
    calls that many, the next in the merit order after the winners."""
    arch = interchange.cargar(datos)
    pm = pl.get_plugin_manager()
    bases = pl.get_bases(pm, arch.convocatoria.bases)
    otro = Parametros.from_mapping({"resultado.accesitarios": {
        "description": "Accesitarios", "reference": "§4.4 f", "values": {"2026-01-01": n}}})
    otra = simular(pm, arch.convocatoria, arch.candidatos, bases=dataclasses.replace(
        bases, parametros=bases.parametros.con(otro)), decisiones=arch.decisiones)
    orden = [f.id for grupo in sim.orden.orden for f in grupo]
    assert len(orden) >= 4  # enough finalists for three accesitarios
    assert [f.id for f in otra.orden.ganadores] == ["P01"]
    assert [f.id for f in otra.orden.accesitarios] == orden[1:1 + n]


def test_the_age_limit_of_ley_31533_is_the_bases_versions_parameter():
    """§4.2.5 h, §4.3.2: what the application stores as «joven» (and the import) reads the version's
    ``ley31533.edad_maxima``: 29 in SUNEDU's, another in a version that sets it, 29 without it."""
    import datetime as dt

    bases = pl.get_bases(pl.get_plugin_manager(), "sunedu-2026")
    hoy = dt.date(2026, 3, 2)
    assert bases.edad_maxima_31533(hoy) == 29
    otra = Parametros.from_mapping({"ley31533.edad_maxima": {
        "description": "Edad", "reference": "§4.3.2", "values": {"2026-01-01": 32}}})
    assert bases.derivada(parametros=bases.parametros.con(otra)).edad_maxima_31533(hoy) == 32
    assert bases.derivada(parametros=Parametros()).edad_maxima_31533(hoy) == 29


@pytest.mark.parametrize(("declarado", "cumple"), [
    ("Licencia de conducir A-I", True),
    ("Licencia de Conducir A-I vigente", True),
    ("licencia de conducir (A-I)", True),
    ("Sin licencia de conducir A-I", False),
    ("No cuento con licencia de conducir A-I", False),
    ("Licencia de conducir A-I en trámite", False),
    ("Licencia de conducir A-I, no vencida", True),
    ("Licencia de conducir A-I vigente; colegiatura en trámite", True),
    ("No registro sanciones, licencia de conducir A-I", True),
    ("No tengo impedimento para contratar con el Estado y tengo licencia de conducir A-I", True),
    ("Licencia de conducir A-I: no", False),
    ("Licencia de conducir A-I vencida", False),
    ("Licencia de conducir A-IIb", False),
])
def test_another_requirement_declared_as_lacking_it_is_not_met_4_2_1(datos, declarado, cumple):
    """§4.2.1 Otros requisitos: the applicant declares the requirement in section 8. An item naming it to say
    they lack it («Sin …», «… en trámite») met it, with the reason «Declara «Licencia de conducir A-I»»; a
    requirement is named in whole words («A-IIb» is another category)."""
    data = json.loads(json.dumps(datos, default=str))
    data["convocatoria"]["perfil"]["otros"] = ["Licencia de conducir A-I"]
    p01 = next(p for p in data["postulantes"] if p["id"] == "P01")
    p01["ficha"]["otros"] = [declarado]
    arch = interchange.cargar(data)
    sim = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha")
    motivo = next(m for m in sim.resultado("ficha", "P01").motivos if m.requisito == "Licencia de conducir A-I")
    assert motivo.cumple is cumple and sim.resultado("ficha", "P01").sigue is cumple
    assert motivo.declarado == (declarado if declarado != "Licencia de conducir A-IIb" else "no declarado")
    if not cumple and "A-IIb" not in declarado:
        assert motivo.mensaje == (f"Declara «{declarado}» en la Ficha (sección 8): no acredita tener "
                                  "«Licencia de conducir A-I».")


def test_the_signature_and_the_other_requirements_each_pass_and_fail_d1(datos, sim):
    """§4.1 Ficha de Postulante (10): without the digitalized signature, No Apto/a. §4.2.1 Otros requisitos:
    each one the profile lists must be declared in section 8 (compared without accents or case); a
    fragment of it does not meet it."""
    data = json.loads(json.dumps(datos, default=str))
    data["convocatoria"]["perfil"]["otros"] = ["Disponibilidad para viajar"]
    p01, p08 = (next(p for p in data["postulantes"] if p["id"] == i) for i in ("P01", "P08"))
    p01["ficha"]["otros"] = ["DISPONIBILIDAD PARA VIAJAR al interior del país"]
    p08["ficha"]["otros"] = ["viajar", "a", "Disponibilidad para"]  # fragments of it: not the requirement
    p08["ficha"]["firma"] = False
    arch = interchange.cargar(data)
    otra = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha")

    def motivo(cid, requisito):
        return next(m for m in otra.resultado("ficha", cid).motivos if m.requisito == requisito)

    assert _r(sim, "ficha", "P01").sigue and _r(sim, "ficha", "P08").sigue  # as the example has them
    viajar = motivo("P01", "Disponibilidad para viajar")
    assert viajar.cumple and viajar.clausula == "§4.2.1 Otros requisitos"
    assert viajar.mensaje == "Declara «Disponibilidad para viajar»: «DISPONIBILIDAD PARA VIAJAR al interior del país»."
    assert motivo("P01", "Firma digitalizada").cumple and otra.resultado("ficha", "P01").sigue
    sin_viajar, sin_firma = motivo("P08", "Disponibilidad para viajar"), motivo("P08", "Firma digitalizada")
    assert not sin_viajar.cumple and "No declara «Disponibilidad para viajar»" in sin_viajar.mensaje
    assert not sin_firma.cumple and sin_firma.clausula == "§4.1 Ficha de Postulante (10)"
    assert otra.resultado("ficha", "P08").resultado == "no_apto"
    # A Ficha with no «firma» says no signature: it used to be taken as signed.
    del p01["ficha"]["firma"]
    arch = interchange.cargar(data)
    otra = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha")
    assert not motivo("P01", "Firma digitalizada").cumple and otra.resultado("ficha", "P01").resultado == "no_apto"


def test_a_profile_requiring_the_athlete_condition_makes_it_a_requirement_of_the_ficha_4_3_1(datos, sim):
    """§4.3.1: the athlete bonus applies when the profile requires «tener la condición deportista» as a
    requirement; then, as every requirement (§4.2.1 c), a candidate who does not declare it is No Apto/a.
    It used to be a switch of the bonus only: everyone stayed Apto/a."""
    data = json.loads(json.dumps(datos, default=str))
    data["convocatoria"]["perfil"]["requiere_deportista"] = True
    p01 = next(p for p in data["postulantes"] if p["id"] == "P01")
    p01["ficha"]["deportista_nivel"] = 2
    arch = interchange.cargar(data)
    otra = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha")
    requisito = "Condición de Deportista Calificado(a) de Alto Nivel"
    atleta = next(m for m in otra.resultado("ficha", "P01").motivos if m.requisito == requisito)
    assert atleta.cumple and atleta.clausula == "§4.3.1" and atleta.declarado == "nivel 2"
    assert otra.resultado("ficha", "P01").sigue
    for cid in ("P08", "P07"):  # Apto/a in the example, no athlete condition declared
        assert _r(sim, "ficha", cid).sigue
        motivo = next(m for m in otra.resultado("ficha", cid).motivos if m.requisito == requisito)
        assert not motivo.cumple and "no la declara en la Ficha: No Apto/a" in motivo.mensaje
        assert otra.resultado("ficha", cid).resultado == "no_apto"
    # a profile that does not require it asks nothing of anyone
    assert not any(m.requisito == requisito for r in sim.etapas["ficha"] for m in r.motivos)


def test_colegiatura_asked_without_habilitacion_is_met_and_shown_as_declared_4_2_1_h(datos):
    """§4.2.1 h: a profile that asks colegiatura only is met by a colegiado without habilitación, and the
    reason shows what was declared (it used to say «habilitado: sí» and «colegiatura y habilitación»)."""
    data = json.loads(json.dumps(datos, default=str))
    data["convocatoria"]["perfil"]["habilitacion"] = False
    p01 = next(p for p in data["postulantes"] if p["id"] == "P01")
    p01["ficha"]["habilitado"] = False
    arch = interchange.cargar(data)
    res = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha").resultado("ficha", "P01")
    (motivo,) = [m for m in res.motivos if m.clausula == "§4.2.1 h"]
    assert res.sigue and motivo.cumple and motivo.requisito == "Colegiatura"
    assert motivo.declarado == "colegiado: sí, habilitado: no" and motivo.mensaje == "Declara colegiatura vigente."


def test_ficha_failures_carry_their_reasons_d1(sim):
    p02 = _r(sim, "ficha", "P02")
    assert p02.resultado == "no_apto"
    fallas = [m for m in p02.motivos if not m.cumple]
    assert {m.clausula for m in fallas} == {"§4.2.1 p", "§4.2.1 w"}
    assert all(m.requisito and m.computado and m.mensaje for m in fallas)
    late = _r(sim, "ficha", "P10")
    assert late.resultado == "no_apto" and any(m.clausula == "§4.2.1 a" and not m.cumple for m in late.motivos)


@pytest.mark.parametrize(("registrada", "declarado", "cumple"), [
    ("2026-03-02T16:30:40-05:00", "02/03/2026 16:30:40", False),
    ("2026-03-02T16:30:00-05:00", "02/03/2026 16:30:00", True),
    ("2026-03-02T11:15:40-05:00", "02/03/2026 11:15", True),
    ("2026-03-02T08:29:59-05:00", "02/03/2026 08:29", False),
])
def test_a_registration_in_the_minute_of_the_close_is_shown_to_the_second_d1(datos, registrada, declarado, cumple):
    """§4.2.1 a: the period closes at 16:30. A registration at 16:30:40 is late, and its reason showed
    «16:30», which reads as on time; within a bound's minute the time is shown to the second."""
    d = _cambiado(datos, lambda d: d["postulantes"][0].update(registrada_en=registrada))
    arch = interchange.cargar(d)
    res = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha").resultado("ficha", "P01")
    (plazo,) = (m for m in res.motivos if m.clausula == "§4.2.1 a")
    assert (plazo.declarado, plazo.cumple) == (declarado, cumple)
    assert plazo.computado == "02/03/2026 08:30 – 02/03/2026 16:30"


def test_a_close_off_the_minute_is_shown_to_the_second_d1(datos):
    """§4.2.1 a: a period closing at 23:59:59 is shown so; as «23:59», a registration at 23:59:30
    would seem after it."""
    def cambio(d):
        d["convocatoria"]["cierre_postulacion"] = d["convocatoria"]["cronograma"][1]["fin"] = "2026-03-02T23:59:59-05:00"
        d["postulantes"][0]["registrada_en"] = "2026-03-02T23:59:30-05:00"
    arch = interchange.cargar(_cambiado(datos, cambio))
    res = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha").resultado("ficha", "P01")
    (plazo,) = (m for m in res.motivos if m.clausula == "§4.2.1 a")
    assert plazo.cumple and plazo.declarado == "02/03/2026 23:59:30"
    assert plazo.computado == "02/03/2026 08:30 – 02/03/2026 23:59:59"


def test_experience_counts_from_the_egreso_declared_on_the_egresado_row_d1(sim, datos):
    """§4.2.1 p: P01 declares «egresado» (egreso 20/07/2014) and «titulado» (diploma 15/12/2014) as two
    rows of the same study: the titulado row meets the profile, and experience counts from the egreso
    (what HR sees on the reason), not from the diploma."""
    p01 = interchange.candidato(next(p for p in datos["postulantes"] if p["id"] == "P01"))
    egresado, titulado = p01.formaciones
    assert egresado.fecha_egreso and titulado.fecha_egreso is None and titulado.fecha_diploma > egresado.fecha_egreso
    desde_egreso = dataclasses.replace(titulado, fecha_egreso=egresado.fecha_egreso)
    hoy = interchange.cargar(datos).convocatoria.inicio_postulacion.date()
    dias, dias_diploma = (experiencia_general(p01.experiencias, f, hoy).dias for f in (desde_egreso, titulado))
    assert dias > dias_diploma
    general = next(m for m in _r(sim, "ficha", "P01").motivos if m.requisito.startswith("Experiencia general"))
    assert general.computado.endswith(f"({dias} días)")


def test_a_maestria_declared_first_does_not_move_where_experience_counts_from_d1(sim, datos):
    """§4.2.1 p: «a partir de la condición de egresado». P01 adds a maestría in Derecho (egresado 2021,
    which meets the profile too) before, or after, its university rows: experience still counts from the
    university egreso, as without the maestría, in either order. Counting from the first row meeting the
    profile took the maestría's egreso when it came first."""
    def general(formacion):
        data = json.loads(json.dumps(datos, default=str))
        p01 = next(p for p in data["postulantes"] if p["id"] == "P01")
        p01["ficha"]["formacion"] = formacion(p01["ficha"]["formacion"])
        arch = interchange.cargar(data)
        otra = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha")
        return next(m for m in otra.resultado("ficha", "P01").motivos if m.requisito.startswith("Experiencia general"))

    maestria = {"nivel": "maestria", "condicion": "egresado", "carrera": "Derecho", "fecha_egreso": "2021-12-20",
                "centro": "Pontificia Universidad Católica del Perú"}
    sin = next(m for m in _r(sim, "ficha", "P01").motivos if m.requisito.startswith("Experiencia general"))
    primero, despues = general(lambda f: [maestria, *f]), general(lambda f: [*f, maestria])
    assert primero.computado == despues.computado == sin.computado and primero.cumple
    assert primero.declarado == sin.declarado


def test_for_a_maestria_profile_experience_counts_from_the_undergraduate_egreso_d1(datos):
    """§4.2.1 p: «a partir de la condición de egresado … desde la fecha de Bachiller y/o Título
    Profesional»: undergraduate conditions. For a profile asking for a maestría, P01's experience counts
    from its university egreso (20/07/2014), not from the maestría's diploma; and for «estudios de
    maestría» in progress (no dates of its own) it is still counted, not refused for want of a date."""
    def general(condicion, maestria):
        data = json.loads(json.dumps(datos, default=str))
        data["convocatoria"]["perfil"]["formacion"] = {"nivel": "maestria", "condicion": condicion,
                                                        "carreras": ["Gestión Pública"], "afines": False}
        p01 = next(p for p in data["postulantes"] if p["id"] == "P01")
        p01["ficha"]["formacion"] = [maestria, *p01["ficha"]["formacion"]]
        arch = interchange.cargar(data)
        otra = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha")
        motivos = otra.resultado("ficha", "P01").motivos
        return [m for m in motivos if m.requisito.startswith("Experiencia general")]

    grado = {"nivel": "maestria", "condicion": "grado", "carrera": "Gestión Pública", "fecha_diploma": "2024-06-01",
             "centro": "Pontificia Universidad Católica del Perú"}
    sin = next(m for m in _r(sim_de(datos), "ficha", "P01").motivos if m.requisito.startswith("Experiencia general"))
    con_grado = general("grado", grado)
    assert con_grado[0].computado == sin.computado and con_grado[0].cumple
    en_curso = general("en_curso", {k: v for k, v in grado.items() if k != "fecha_diploma"} | {"condicion": "en_curso"})
    assert en_curso[0].computado == sin.computado and en_curso[0].cumple


def sim_de(datos):
    arch = interchange.cargar(datos)
    return simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha")


def test_annexes_uploaded_after_the_close_are_late_not_missing_d1(datos):
    """§4.2.1 b: the annexes uploaded after the close are No Apto, and the reason says they came late
    (it said "No adjuntó", which the applicant could prove false)."""
    d = _cambiado(datos, lambda d: d["postulantes"][3]["documentos"][0].update(en_plazo=False))
    arch = interchange.cargar(d)
    sim = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha")
    anexos, = (m for m in _r(sim, "ficha", "P04").motivos if m.clausula == "§4.2.1 b")
    assert not anexos.cumple and anexos.declarado == "adjunto"
    assert "fuera del plazo" in anexos.mensaje and "No adjuntó" not in anexos.mensaje


def test_exam_absence_and_pass_mark_d2(sim):
    assert _r(sim, "examen", "P03").resultado == "no_se_presento"
    p04 = _r(sim, "examen", "P04")
    assert p04.resultado == "no_apto" and p04.puntaje == Decimal(18)
    assert _r(sim, "examen", "P01").puntaje == Decimal(26)
    assert _r(sim, "psicologica", "P04") is None  # eliminated candidates do not go on


def test_an_exam_score_with_trailing_zeros_gives_the_reason_the_database_gives_d2(datos):
    """«26.00» in a file is 26 in the database's score column: simulate said «Obtuvo 26.00 puntos» and
    evaluate «Obtuvo 26 puntos», so a file and its export simulated differently."""
    data = json.loads(json.dumps(datos, default=str))
    p01 = next(p for p in data["postulantes"] if p["id"] == "P01")
    motivos = []
    for puntaje in ("26.00", "26"):
        p01["entradas"]["examen"]["puntaje"] = puntaje
        arch = interchange.cargar(data)
        otra = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="examen")
        motivos.append(otra.resultado("examen", "P01").motivos)
    assert motivos[0] == motivos[1] and motivos[0][0].mensaje == "Obtuvo 26 puntos: Apto/a."


def test_curricular_without_expediente_is_no_apto_d4(sim):
    p05 = _r(sim, "curricular", "P05")
    assert p05.resultado == "no_apto" and p05.motivos[0].clausula == "§4.2.4 Criterios"
    assert _r(sim, "curricular", "P01").puntaje == Decimal(30)


def test_interview_average_is_truncated_and_young_bonus_applies_d6(sim):
    p08 = _r(sim, "entrevista", "P08")
    assert p08.puntaje == Decimal("30.33")  # (30 + 30.67) / 2 = 30.335 truncated, not rounded, §4.2.5 g
    p07 = _r(sim, "entrevista", "P07")
    assert p07.detalle["bonificacion_31533"] == "3.30" and p07.puntaje == Decimal("36.30")
    assert _r(sim, "entrevista", "P06").resultado == "no_apto"  # 18 < 20 (§4.2.5 i)


@pytest.mark.parametrize(("causa", "clausula"), [("sin_documento", "§4.2.5 d"), ("incumplio_indicaciones", "§4.2.5 c")])
def test_a_candidate_who_came_but_could_not_take_the_interview_is_no_apto_with_the_cause_d6(datos, causa, clausula):
    """§4.2.5 d: without a valid original identity document «no podrá rendir la evaluación»; §4.2.5 c: who does
    not follow the instructions «será considerado/a No Apto/a y sin lugar a reclamo». Both were only «No se
    presentó», which says the candidate did not come."""
    data = json.loads(json.dumps(datos, default=str))
    p08 = next(p for p in data["postulantes"] if p["id"] == "P08")
    p08["entradas"]["entrevista"] = {"asistio": False, "causa": causa}
    arch = interchange.cargar(data)
    otra = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="entrevista")
    r = otra.resultado("entrevista", "P08")
    (motivo,) = r.motivos
    assert r.resultado == "no_apto" and motivo.clausula == clausula and "No Apto/a" in motivo.mensaje
    p08["entradas"]["entrevista"] = {"asistio": False}  # no cause: did not come (§4.6)
    arch = interchange.cargar(data)
    otra = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="entrevista")
    assert otra.resultado("entrevista", "P08").resultado == "no_se_presento"
    p08["entradas"]["entrevista"] = {"asistio": True, "causa": causa, "hojas": datos_hojas(datos, "P08")}
    with pytest.raises(interchange.ArchivoInvalido) as exc:
        interchange.cargar(data)
    assert exc.value.errores == [(f"$.postulantes[{data['postulantes'].index(p08)}].entradas.entrevista.causa",
                                  "la causa es de quien no rindió la entrevista (asistio: false)")]


def datos_hojas(datos, ident):
    return next(p for p in datos["postulantes"] if p["id"] == ident)["entradas"]["entrevista"]["hojas"]


def test_final_bonuses_with_their_legal_basis_d7(sim):
    finales = {f.candidato: f for f in sim.finales}
    (ffaa, _), = finales["P01"].bonificaciones
    assert ffaa.porcentaje == Decimal(10) and "§4.3.4" in ffaa.base_legal
    assert finales["P01"].puntaje_final == Decimal("99.00")
    (disc, _), = finales["P08"].bonificaciones
    assert disc.porcentaje == Decimal(15) and disc.monto == Decimal("12.64")  # 15 % of 84.33, truncated
    assert not finales["P09"].bonificaciones


def test_a_bonus_whose_document_was_not_presented_is_not_given_4_3(datos, sim):
    """§4.3: a bonus needs the condition declared in the Ficha *and* its document presented at the curricular
    stage. The evaluator's «No cumple» on the document's checklist item withholds it (FF.AA. §4.3.4,
    discapacidad §4.3.3, Ley 31533's DNI for both of its bonuses §4.2.5 h, §4.3.2), with the reason on the
    curricular result, and so does no record (the bonus was given then, before 0.3.0); «Cumple» gives it."""
    def con_lista(listas):
        data = json.loads(json.dumps(datos, default=str))
        for p in data["postulantes"]:
            if p["id"] in listas:
                p["entradas"]["curricular"]["lista"] = listas[p["id"]]
        arch = interchange.cargar(data)
        return simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)

    antes = {f.candidato: f for f in sim.finales}
    assert antes["P07"].bonificaciones and _r(sim, "entrevista", "P07").detalle["bonificacion_31533"] == "3.30"
    sin = con_lista({"P01": {"doc_ffaa": False}, "P08": {"doc_discapacidad": False}, "P07": {"dni_31533": False}})
    finales = {f.candidato: f for f in sin.finales}
    assert not finales["P01"].bonificaciones and finales["P01"].puntaje_final == antes["P01"].puntaje_etapas
    assert not finales["P08"].bonificaciones
    assert not finales["P07"].bonificaciones  # the special bonus (§4.3.2) …
    p07 = sin.resultado("entrevista", "P07")  # … and the interview's 10 % (§4.2.5 h)
    assert "bonificacion_31533" not in p07.detalle and p07.puntaje == Decimal("33.00")
    motivo = next(m for m in sin.resultado("curricular", "P01").motivos if m.clausula == "§4.3.4")
    assert motivo.mensaje == ("No presentó el documento oficial que acredita la condición de licenciado de las "
                              "Fuerzas Armadas en la Evaluación Curricular: no se otorga la Bonificación por "
                              "Licenciado de las FF.AA.") and not motivo.cumple
    assert sin.resultado("curricular", "P01").resultado == _r(sim, "curricular", "P01").resultado  # same result
    assert [m.clausula for m in sin.resultado("curricular", "P07").motivos if not m.cumple] == ["§4.3.2"]

    con = con_lista({"P01": {"doc_ffaa": True}, "P08": {"doc_discapacidad": True}, "P07": {"dni_31533": True}})
    assert [(f.candidato, f.puntaje_final) for f in con.finales] == [(f.candidato, f.puntaje_final) for f in sim.finales]
    assert not [m for m in con.resultado("curricular", "P01").motivos if m.clausula == "§4.3.4"]

    # no record of the document: not presented as far as anyone can tell, and the reason says so
    nada = con_lista({"P01": {}, "P08": {}, "P07": {}})
    finales = {f.candidato: f for f in nada.finales}
    assert not finales["P01"].bonificaciones and not finales["P08"].bonificaciones and not finales["P07"].bonificaciones
    assert "bonificacion_31533" not in nada.resultado("entrevista", "P07").detalle
    motivo = next(m for m in nada.resultado("curricular", "P01").motivos if m.clausula == "§4.3.4")
    assert (motivo.cumple, motivo.computado) == (False, "sin registro del evaluador")
    assert motivo.mensaje == ("No consta que presentara el documento oficial que acredita la condición de licenciado de "
                              "las Fuerzas Armadas en la Evaluación Curricular (el evaluador no lo registró como "
                              "presentado): no se otorga la Bonificación por Licenciado de las FF.AA.")


def test_an_expediente_checklist_item_the_list_does_not_have_is_refused_at_its_path(datos):
    """A misspelt item («foliado_firmdo») was ignored: the «No cumple» it records never reached the curricular
    stage, and the candidate it should eliminate (§4.2.4) could win. The file is refused at the key, naming
    the items, which are the curricular screen's."""
    from casadmin.etapas import LISTA_CURRICULAR

    assert tuple(c.removeprefix("lista:") for c in LISTA_CURRICULAR) == interchange.CODIGOS_LISTA_CURRICULAR
    data = json.loads(json.dumps(datos, default=str))
    data["postulantes"][0]["entradas"]["curricular"]["lista"] = {"foliado_firmdo": False, "foliado_firmado": False}
    with pytest.raises(interchange.ArchivoInvalido) as exc:
        interchange.cargar(data)
    (ruta, mensaje), = exc.value.errores
    assert ruta == "$.postulantes[0].entradas.curricular.lista.foliado_firmdo" and "foliado_firmado" in mensaje


def test_results_record_the_rule_versions_f3(sim):
    assert sim.reglas["sunedu.ficha"].startswith("sunedu.ficha==")
    assert all(r.regla.startswith("sunedu.ficha==") for r in sim.etapas["ficha"])
    # every bonus plugin consulted, also one that gave no finalist a bonus (the athlete's: no profile asks it)
    assert not any(p == "sunedu.bonificacion_deportista" for f in sim.finales for _, p in f.bonificaciones)
    for plugin in ("sunedu.bonificacion_deportista", "sunedu.bonificacion_31533", "sunedu.bonificacion_ffaa_discapacidad"):
        assert sim.reglas[plugin].startswith(plugin + "==")


def test_tie_goes_to_the_committee_when_criteria_do_not_break_it_d8(datos):
    data = copy.deepcopy(datos)
    p01 = next(p for p in data["postulantes"] if p["id"] == "P01")
    p01["ficha"]["licenciado_ffaa"] = False  # P01 and P09 now tie in every criterion, at the 3rd place
    arch = interchange.cargar(data)
    sim = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos)
    assert [f.id for f in sim.orden.ganadores] == ["P08"]
    assert [sorted(f.id for f in g) for g in sim.orden.empates_comite] == [["P01", "P09"]]
    assert [f.id for f in sim.orden.accesitarios] == ["P07"]  # the second place waits for the committee
    data["decisiones_comite"] = [{"orden": ["P09", "P01"], "sustento": "Mayor experiencia en supervisión"}]
    arch = interchange.cargar(data)
    decided = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)
    assert [f.id for f in decided.orden.accesitarios] == ["P07", "P09"]
    assert not decided.orden.empates_comite


def test_desierto_when_nobody_meets_the_requirements_d9(datos):
    data = copy.deepcopy(datos)
    data["convocatoria"]["perfil"]["experiencia_general_meses"] = 600
    arch = interchange.cargar(data)
    sim = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos)
    assert sim.desierto == "sin_requisitos"


def test_without_exam_every_apto_goes_to_interview_and_curricular_is_out_of_50(datos):
    data = copy.deepcopy(datos)
    data["convocatoria"]["incluye_examen"] = False
    arch = interchange.cargar(data)
    sim = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos)
    assert "examen" not in sim.etapas
    assert _r(sim, "curricular", "P01").puntaje == Decimal(50)
    aptos = {r.candidato for r in sim.etapas["curricular"] if r.sigue}
    assert set(sim.convocados_entrevista) == aptos


# --- the command line --------------------------------------------------------------


def test_simulate_prints_each_stage_bonuses_and_order():
    result = CliRunner().invoke(casadmin_group, ["simulate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    for text in ("Evaluación de Ficha de Postulante", "NO SE PRESENTÓ", "Bonificación por Discapacidad",
                 "Ganador(es): P01", "Accesitarios: P08, P07", "§4.2.1 p"):
        assert text in result.output


def test_simulate_json_uses_exact_decimals():
    result = CliRunner().invoke(casadmin_group, ["simulate", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    res = out["resultados"]
    assert res["ganadores"] == ["P01"] and out["convocatoria"]["codigo"] == "CAS N° 140-2026-SUNEDU"
    p08 = next(r for r in res["etapas"]["entrevista"] if r["postulante"] == "P08")
    assert p08["puntaje"] == "30.33"
    assert "float" not in json.dumps(res)


def test_simulate_json_writes_numbers_in_exponent_notation_as_the_format_takes_them(tmp_path, datos):
    """A number written ``7.5E3`` in a file is read exactly; ``--json`` wrote it «7.5E+3», which the format
    refuses, so its own output could not be simulated again."""
    texto = EXAMPLE.read_text(encoding="utf-8")
    data = json.loads(texto)
    remuneracion = data["convocatoria"]["remuneracion"]
    archivo = tmp_path / "exponente.json"
    archivo.write_text(texto.replace(f'"remuneracion": {json.dumps(remuneracion)}', '"remuneracion": 7.5E3', 1),
                       encoding="utf-8")
    assert "7.5E3" in archivo.read_text(encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(archivo), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["convocatoria"]["remuneracion"] == "7500" and "E+3" not in result.output
    salida = tmp_path / "salida.json"
    salida.write_text(result.output, encoding="utf-8")
    assert CliRunner().invoke(casadmin_group, ["simulate", str(salida)]).exit_code == 0


def test_an_e_mail_that_is_not_one_is_refused_at_its_path(datos):
    """The applicant's e-mail is their account's (activation and every notice go to it): «hola» or «a@b@c» were
    stored as given. (The institution's contact is free text on its screen, and every stored call's header is
    read through the format: it is not refused here, or a contact written «a@x.pe / b@x.pe» would stop every
    evaluation of the institution.)"""
    data = json.loads(json.dumps(datos, default=str))
    data["postulantes"][0]["email"] = "hola"
    data["postulantes"][1]["email"] = "a@b@c.pe"
    data["entidad"]["email_contacto"] = "seleccion@sunedu.gob.pe / mesadepartes@sunedu.gob.pe"
    with pytest.raises(interchange.ArchivoInvalido) as exc:
        interchange.cargar(data)
    assert sorted(exc.value.errores) == [("$.postulantes[0].email", "no es un correo electrónico válido"),
                                         ("$.postulantes[1].email", "no es un correo electrónico válido")]


def test_simulate_writes_its_report_to_a_console_that_lacks_its_characters(tmp_path):
    """``casadmin simulate FILE > report.txt`` on a Windows console (cp1252) or an ASCII one stopped with a
    UnicodeEncodeError at the first «✗»: the report is written, a «?» for what the encoding lacks. (An ASCII
    one gets UTF-8 from click.)"""
    import os
    import subprocess
    import sys

    salida = subprocess.run(
        [sys.executable, "-c", "import sys; from casadmin.cli import main; sys.argv = ['casadmin', 'simulate', "
                               f"{str(EXAMPLE)!r}]; main()"],
        capture_output=True, env={**os.environ, "PYTHONIOENCODING": "cp1252"}, timeout=120)
    assert salida.returncode == 0, salida.stderr.decode("cp1252", "replace")[-800:]
    texto = salida.stdout.decode("cp1252")
    assert "Ganador" in texto and "?" in texto


def test_a_key_written_twice_is_refused_at_its_path():
    """«"puntaje": 15, "puntaje": 26» was read as 26 without a word (json keeps the last one)."""
    texto = EXAMPLE.read_text(encoding="utf-8").replace('"puntaje": 26', '"puntaje": 15, "puntaje": 26', 1)
    assert '"puntaje": 15, "puntaje": 26' in texto
    with pytest.raises(interchange.ArchivoInvalido) as exc:
        interchange.leer(texto.encode())
    (ruta, mensaje), = exc.value.errores
    assert ruta.startswith("$.postulantes[") and ruta.endswith(".entradas.examen.puntaje") and "más de una vez" in mensaje


def test_errors_are_listed_in_the_files_order_applicants_by_their_index():
    """A refused file of 200 applicants listed «[12]», «[141]», «[17]» … «[4]»: sorted as text."""
    errores = [("$.postulantes[12].email", "a"), ("$.postulantes[4].email", "b"), ("$.postulantes[141].nombres", "c"),
               ("$.bases", "d"), ("$.postulantes[17].documentos[10].tipo", "e"), ("$.postulantes[17].documentos[9].tipo", "f")]
    # a path that is another's with digits added, beside the same message: compared part by part
    assert interchange.en_orden([("$.p[0].lista.item2", "x"), ("$.p[0].lista.item", "x")]) == [
        ("$.p[0].lista.item", "x"), ("$.p[0].lista.item2", "x")]
    assert [r for r, _ in interchange.en_orden(errores)] == [
        "$.bases", "$.postulantes[4].email", "$.postulantes[12].email", "$.postulantes[17].documentos[9].tipo",
        "$.postulantes[17].documentos[10].tipo", "$.postulantes[141].nombres"]


def test_invalid_file_reports_every_field_with_its_json_path(tmp_path, datos):
    data = json.loads(json.dumps(datos, default=str))
    del data["convocatoria"]["organo"]
    data["postulantes"][0]["fecha_nacimiento"] = "12/04/1988"
    data["postulantes"][2]["ficha"]["experiencias"][0]["sector"] = "mixto"
    data["postulantes"][3]["entradas"]["examen"]["puntaje"] = "diez"
    bad = tmp_path / "malo.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(bad)])
    assert result.exit_code == 2
    for path in ("$.convocatoria.organo", "$.postulantes[0].fecha_nacimiento",
                 "$.postulantes[2].ficha.experiencias[0].sector", "$.postulantes[3].entradas.examen.puntaje"):
        assert path in result.output
    assert "Ganador" not in result.output


def test_scores_beyond_the_bases_are_reported_with_the_schemas_mistakes_in_one_run_4_2_2_l(tmp_path, datos):
    """An exam score above the bases' 30 (§4.2.2 l) and a factor above its 8 (§4.2.5 f, i) are reported
    beside a schema error elsewhere in the file, not only once that one is corrected; a malformed
    score beside them is the schema's alone."""
    data = json.loads(json.dumps(datos, default=str))
    data["convocatoria"]["posiciones"] = 0  # the schema
    data["postulantes"][0]["entradas"]["examen"]["puntaje"] = 31
    data["postulantes"][0]["entradas"]["entrevista"]["hojas"][1]["factores"]["trabajo_equipo"] = "8.5"
    data["postulantes"][3]["entradas"]["examen"]["puntaje"] = "diez"
    bad = tmp_path / "fuera.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(bad)])
    assert result.exit_code == 2, result.output
    for ruta, mensaje in (("$.convocatoria.posiciones", ""),
                          ("$.postulantes[0].entradas.examen.puntaje", "el puntaje del examen va de 0 a 30"),
                          ("$.postulantes[0].entradas.entrevista.hojas[1].factores.trabajo_equipo",
                           "el puntaje de este factor va de 0 a 8"),
                          ("$.postulantes[3].entradas.examen.puntaje", "")):
        assert f"  {ruta}: {mensaje}" in result.output, ruta
    assert result.output.count("$.postulantes[3].entradas.examen.puntaje") == 1
    assert "Archivo inválido: 4 error(es)." in result.output
    # Without its bases version installed the file is refused for that, with the schema's mistakes only.
    data["bases"] = "no-instalada"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(bad)])
    assert result.exit_code == 2 and "va de 0 a" not in result.output
    assert "  $.bases: ninguna versión de bases instalada se llama «no-instalada»; instaladas: " in result.output
    # A file with nothing else wrong: the same, at its path (it was a message without one, exit 1).
    ok = json.loads(json.dumps(datos, default=str))
    ok["bases"] = "no-instalada"
    bad.write_text(json.dumps(ok), encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(bad)])
    assert result.exit_code == 2 and result.output.startswith("Archivo inválido: 1 error(es).\n  $.bases: ninguna")


def test_a_profile_asking_for_secundaria_in_progress_is_refused_at_its_field_4_2_1_e(tmp_path, datos):
    """No rung of §4.2.1 e is «secundaria en curso»: the Ficha plugin stopped on it (exit 3, a plugin's
    failure); it is the file's mistake, reported at its path (exit 2)."""
    data = json.loads(json.dumps(datos, default=str))
    data["convocatoria"]["perfil"]["formacion"].update(nivel="secundaria", condicion="en_curso")
    bad = tmp_path / "secundaria.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(bad)])
    assert result.exit_code == 2, result.output
    assert ("  $.convocatoria.perfil.formacion: el perfil no puede pedir secundaria en curso: el requisito mínimo "
            "de formación es la secundaria completa (condición egresado)") in result.output
    data["convocatoria"]["perfil"]["formacion"]["condicion"] = "egresado"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert CliRunner().invoke(casadmin_group, ["simulate", str(bad)]).exit_code == 0


def test_dates_that_do_not_exist_and_a_job_ending_before_it_starts_are_reported_at_their_fields(tmp_path, datos):
    """The schema checks a date's shape (§4.2.1 p counts experience from real dates): one that does not exist,
    or a job that ends before it starts, is reported with its path and a non-zero exit, not a traceback."""
    data = json.loads(json.dumps(datos, default=str))
    data["postulantes"][0]["fecha_nacimiento"] = "1990-13-45"
    data["postulantes"][1]["ficha"]["experiencias"][1]["fin"] = "2025-02-30"
    data["postulantes"][2]["ficha"]["experiencias"][0].update(inicio="2017-06-30", fin="2011-01-10")
    data["postulantes"][2]["registrada_en"] = "2026-03-02T25:10:00"
    bad = tmp_path / "fechas.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(bad)])
    assert result.exit_code == 2  # not an exception out of the command
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(data)
    assert err.value.errores == [
        ("$.postulantes[0].fecha_nacimiento", "fecha u hora que no existe: «1990-13-45»"),
        ("$.postulantes[1].ficha.experiencias[1].fin", "fecha u hora que no existe: «2025-02-30»"),
        ("$.postulantes[2].registrada_en", "fecha u hora que no existe: «2026-03-02T25:10:00»"),
        ("$.postulantes[2].ficha.experiencias[0].fin", "el fin es anterior al inicio"),
    ]
    for ruta, _ in err.value.errores:
        assert ruta in result.output
    cronograma = copy.deepcopy(datos)
    cronograma["convocatoria"]["cronograma"][-1]["fin"] = "2026-02-29T18:00:00"  # 2026 is not a leap year
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(cronograma)
    assert err.value.errores == [("$.convocatoria.cronograma[3].fin", "fecha u hora que no existe: «2026-02-29T18:00:00»")]


@pytest.mark.parametrize("inicio", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00-12:00", "9999-12-31T23:59:59",
                                    "1907-06-01T00:00:00", "0001-01-01T00:00:00"])
def test_a_call_opening_outside_the_calendar_is_reported_at_its_field(datos, inicio):
    """A date some systems write for «none» (0001-01-01 in UTC is still 31 December of year 0 in Lima)
    stopped simulate and import with a traceback (OverflowError) in the opening, not in the close. Without
    an offset, a moment of 9999 was taken (a call stored with it could not be exported: its UTC is in
    10000), and one before 1909 too (export wrote Lima's local mean time, «-05:08:12», which the format
    refuses)."""
    data = json.loads(json.dumps(datos, default=str))
    data["convocatoria"]["inicio_postulacion"] = inicio
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(data)
    assert err.value.errores == [("$.convocatoria.inicio_postulacion", f"fecha u hora fuera del rango admitido: «{inicio}»")]


@pytest.mark.parametrize(("texto", "donde", "mensaje"), [
    (b'{"formato": ', "línea 1, columna 13", "falta un valor (o el archivo está vacío o cortado)"),
    (b"", "línea 1, columna 1", "falta un valor (o el archivo está vacío o cortado)"),
    (b'{"a": 1,}', "línea 1, columna 9", "se espera el nombre de un campo entre comillas dobles (¿una coma de más?)"),
    (b'{"a": 1 "b": 2}', "línea 1, columna 9", "falta una coma entre dos elementos (o el archivo está cortado)"),
    (b'{"a": "abc', "línea 1, columna 7", "un texto sin comillas de cierre"),
    (b"{} x", "línea 1, columna 4", "hay texto después del final del JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "$", "listas u objetos anidados a demasiada profundidad"),
    (b'{"a": ' + b"9" * 5000 + b"}", "$", "un número entero de más de 4300 cifras"),
])
def test_a_file_that_is_not_json_is_told_so_in_spanish(texto, donde, mensaje):
    """Not the parser's English («Expecting value»), nor a traceback for a file nested too deep."""
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.leer(texto)
    assert err.value.errores == [(donde, f"JSON mal formado: {mensaje}")]


def test_a_number_too_large_for_decimals_is_the_schemas_to_report_not_a_traceback(datos):
    """1E+999999999999999999 is a JSON number: checking its decimals overflowed (decimal.Overflow)."""
    d = _cambiado(datos, lambda d: None)
    d["postulantes"][0]["entradas"]["examen"]["puntaje"] = Decimal("1E+999999999999999999")
    _hojas(d, 0)[0]["factores"]["idoneidad"] = Decimal("1E+999999999999999999")
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(d)
    assert [r for r, _ in err.value.errores] == ["$.postulantes[0].entradas.entrevista.hojas[0].factores.idoneidad",
                                                 "$.postulantes[0].entradas.examen.puntaje"]


def test_schema_mistakes_are_told_in_spanish_with_what_was_expected(datos):
    """jsonschema's messages are English («'si' is not of type 'boolean'»): each kind of mistake is told in
    Spanish, with what was expected and what came."""
    data = json.loads(json.dumps(datos, default=str))
    p = data["postulantes"]
    del p[0]["ficha"]
    p[1]["fecha_nacimiento"] = "31/03/1990"
    p[2]["extra"] = 1
    p[3]["ficha"]["capacitaciones"][0]["horas"] = "26,5"
    p[4]["ficha"]["colegiado"] = "si"
    p[4]["ficha"]["habilitado"] = Decimal("1.5")  # a number is quoted as written, not as a text
    p[5]["documento"]["tipo"] = "LE"
    data["convocatoria"]["posiciones"] = 0
    assert interchange.validar(data) == [
        ("$.convocatoria.posiciones", "valor por debajo del mínimo (mínimo 1; se recibió «0»)"),
        ("$.postulantes[0].ficha", "falta el campo obligatorio"),
        ("$.postulantes[1].fecha_nacimiento", "formato incorrecto (se espera una fecha AAAA-MM-DD; se recibió «31/03/1990»)"),
        ("$.postulantes[2]", "campo no reconocido («extra»)"),
        ("$.postulantes[3].ficha.capacitaciones[0].horas",
         "formato incorrecto (se espera un número con punto decimal, como 26.5; se recibió «26,5»)"),
        ("$.postulantes[4].ficha.colegiado", "tipo de dato incorrecto (se espera true o false; se recibió «si»)"),
        ("$.postulantes[4].ficha.habilitado", "tipo de dato incorrecto (se espera true o false; se recibió «1.5»)"),
        ("$.postulantes[5].documento.tipo", "valor no permitido («LE»; se admite «DNI», «CE», «PASAPORTE»)"),
    ]


def _hojas(d, i):
    return d["postulantes"][i]["entradas"]["entrevista"]["hojas"]


@pytest.mark.parametrize(("cambio", "errores"), [
    (lambda d: d["postulantes"][0]["entradas"]["examen"].update(puntaje="26.125"),
     [("$.postulantes[0].entradas.examen.puntaje", "el puntaje admite hasta dos decimales")]),
    (lambda d: _hojas(d, 0)[0]["factores"].update(idoneidad="6.125"),
     [("$.postulantes[0].entradas.entrevista.hojas[0].factores.idoneidad",
       "el puntaje es un número no negativo con hasta dos decimales")]),
    (lambda d: d["postulantes"][3].update(documento=dict(d["postulantes"][1]["documento"])),
     [("$.postulantes[3].documento", "el documento ya figura en $.postulantes[1]")]),
    (lambda d: [d["postulantes"][1].update(email="ana@correo.pe"), d["postulantes"][3].update(email=" ANA@correo.pe")],
     [("$.postulantes[3].email", "el correo ya figura en $.postulantes[1]")]),
    (lambda d: [p.update(email="  ") for p in d["postulantes"][:3]], []),  # blank: no e-mail, not a repeated one
    # The domain an import gives whoever has no e-mail: another applicant's would be taken (a database error).
    (lambda d: d["postulantes"][0].update(email="DNI.40002222@importado.casadmin.invalid"),
     [("$.postulantes[0].email", "el dominio importado.casadmin.invalid lo reserva CAS Admin para quien no tiene "
                                 "correo: deje el correo vacío")]),
    # One member written two ways: one account per code, whose user name and e-mail ignore case.
    (lambda d: [h.update(miembro=h["miembro"].lower()) for h in _hojas(d, 1)[:1]],
     [("$.postulantes[1].entradas.entrevista.hojas[0].miembro",
       "«m1» es el integrante «M1» escrito de otra forma: escriba su código igual en todas las hojas")]),
    (lambda d: d["postulantes"][2]["entradas"].update(verificacion_manual={"otro:x": True}),
     [("$.postulantes[2].entradas.verificacion_manual.otro:x",
       "el código de verificación no lleva «:» y tiene hasta 60 caracteres")]),
    (lambda d: _hojas(d, 0)[0].update(miembro=""),
     [("$.postulantes[0].entradas.entrevista.hojas[0].miembro", "código de miembro de 1 a 40 caracteres, sin espacios")]),
    # A course that ends before it starts: the Ficha's course form refuses it (a diplomado's start decides
    # whether Ley 30220's credits apply, §4.2.1 l).
    (lambda d: d["postulantes"][1]["ficha"]["capacitaciones"][0].update(inicio="2020-05-02", fecha_fin="2020-05-01"),
     [("$.postulantes[1].ficha.capacitaciones[0].fecha_fin", "el fin es anterior al inicio")]),
    (lambda d: d["postulantes"][1]["ficha"]["capacitaciones"][0].update(inicio="2020-05-01", fecha_fin="2020-05-01"), []),
    (lambda d: d["convocatoria"]["cronograma"][2].update(fin=d["convocatoria"]["cronograma"][2]["inicio"][:10] + "T00:00:00"),
     [("$.convocatoria.cronograma[2].fin", "el fin es anterior al inicio")]),
    (lambda d: [d["postulantes"][4]["ficha"]["conocimientos"].update({" ": "basico"}),
                d["convocatoria"]["perfil"]["conocimientos"].update({"": "basico"})],
     [("$.convocatoria.perfil.conocimientos.", "nombre de programa o idioma en blanco"),
      ("$.postulantes[4].ficha.conocimientos. ", "nombre de programa o idioma en blanco")]),
    (lambda d: d.update(decisiones_comite=[{"orden": ["P01", "P02"], "sustento": "      "}]),
     [("$.decisiones_comite[0].sustento", "texto en blanco")]),
    # §4.2.1 w: the profile forms refuse a specific experience longer than the general one, and a public-sector
    # one longer than the specific; the file took them and every applicant failed what could not be met
    (lambda d: d["convocatoria"]["perfil"].update(experiencia_general_meses=12, experiencia_especifica_meses=24,
                                                  experiencia_publica_meses=36),
     [("$.convocatoria.perfil.experiencia_especifica_meses",
       "la experiencia específica no puede ser mayor que la general (§4.2.1 w)"),
      ("$.convocatoria.perfil.experiencia_publica_meses",
       "la experiencia en el sector público forma parte de la específica y no puede superarla (§4.2.1 w)")]),
    (lambda d: d["postulantes"][3].update(id="   "),  # an id of spaces named nobody the results could list
     [("$.postulantes[3].id", "texto en blanco o con espacios al inicio o al final")]),
    (lambda d: d["postulantes"][3].update(id=d["postulantes"][3]["id"] + " "),  # «P04 » beside «P04» was another
     [("$.postulantes[3].id", "texto en blanco o con espacios al inicio o al final")]),
    (lambda d: d["postulantes"][3].update(id=d["postulantes"][3]["id"] + "\n"),  # «$» let a final line break by
     [("$.postulantes[3].id", "texto en blanco o con espacios al inicio o al final")]),
    (lambda d: d["postulantes"][0]["entradas"]["examen"].update(puntaje=Decimal("1E-999999999999999999")),
     [("$.postulantes[0].entradas.examen.puntaje", "el puntaje admite hasta dos decimales")]),
    (lambda d: d["postulantes"][0]["entradas"]["examen"].update(asistio=False),
     [("$.postulantes[0].entradas.examen.puntaje", "quien no se presentó no tiene puntaje: quítelo (§4.2.2 k)")]),
    (lambda d: [d["postulantes"][0]["entradas"]["entrevista"].update(asistio=False),
                [h["factores"].update({f: "0" for f in h["factores"] if f != "idoneidad"}) for h in _hojas(d, 0)]],
     [(f"$.postulantes[0].entradas.entrevista.hojas[{j}].factores.idoneidad",
       "no se presentó a la entrevista: su hoja no lleva puntajes (§4.6)") for j in (0, 1)]),
    # Inputs the screens require, which the stages read as an absence or a failure (§4.2.2 k, §4.2.4, §4.2.5 g):
    # an exam attended without its score was «NO SE PRESENTÓ», an expediente without factors failed them all,
    # and one member's sheet alone was taken for the committee's average.
    (lambda d: d["postulantes"][1]["entradas"]["examen"].pop("puntaje"),
     [("$.postulantes[1].entradas.examen.puntaje", "asistió al examen: falta su puntaje (§4.2.2 l)")]),
    (lambda d: [d["postulantes"][1]["entradas"]["curricular"]["factores"].pop(f) for f in ("formacion", "cursos")],
     [("$.postulantes[1].entradas.curricular.factores",
       "presentó el expediente: falta calificar (Cumple o No cumple) formacion, cursos (§4.2.4)")]),
    (lambda d: d["postulantes"][1]["entradas"]["curricular"].update(en_plazo=False, factores={}), []),  # late: No apto
    (lambda d: _hojas(d, 8).pop(0),
     [("$.postulantes[8].entradas.entrevista.hojas", "asistió a la entrevista: falta la hoja de M1; el puntaje es el "
                                                     "promedio de los integrantes del Comité que califican (§4.2.5 g)")]),
    # §4.2.1 h: a habilitación is the colegiatura's; import refused it (the Ficha keeps it on that row).
    (lambda d: d["postulantes"][2]["ficha"].update(colegiado=False, habilitado=True),
     [("$.postulantes[2].ficha.habilitado", "la habilitación se declara con la colegiatura («colegiado»: true)")]),
    (lambda d: d["postulantes"][2]["ficha"].update(colegiado=False, habilitado=False), []),
    # One date per schedule line, and the application line is the period the Ficha stage judges by (§4.2.1 a).
    (lambda d: d["convocatoria"]["cronograma"].append(dict(d["convocatoria"]["cronograma"][0])),
     [("$.convocatoria.cronograma[4].tipo", "hito repetido: publicacion")]),
    (lambda d: d["convocatoria"]["cronograma"][1].update(fin="2026-03-03T16:30:00-05:00"),
     [("$.convocatoria.cronograma[1]",
       "el hito de postulación debe coincidir con inicio_postulacion y cierre_postulacion")]),
    # the same moment written in UTC is the same moment
    (lambda d: d["convocatoria"]["cronograma"][1].update(fin="2026-03-02T21:30:00Z"), []),
])
def test_simulate_refuses_what_import_and_the_screens_refuse(datos, cambio, errores):
    """simulate judged files that import refused (its own --json output then could not be imported): a
    score with three decimals, the same person twice (by document or e-mail), a manual check's code with
    «:», an empty committee member code (it was blamed on the other members' sheets), a schedule line
    ending before it starts. Now both refuse them, at their paths; and a blank program or language
    name (stored as a language with no name) and a sustento of spaces, which both let through."""
    d = _cambiado(datos, cambio)
    if not errores:
        interchange.cargar(d)
        return
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(d)
    assert err.value.errores == errores


def test_a_refused_file_is_refused_with_every_kind_of_mistake_at_once(tmp_path, datos):
    """Not only the mistakes of the first check that fails: the schema's, a date that does not exist, a
    repeated id, a close before the opening and a committee decision (D8, §4.2.6 c) naming no applicant
    or one twice are reported together, each at its path, by simulate and by import alike."""
    data = json.loads(json.dumps(datos, default=str))
    del data["convocatoria"]["organo"]  # the schema
    data["postulantes"][0]["fecha_nacimiento"] = "1990-13-45"  # a date that does not exist
    data["postulantes"][4]["id"] = data["postulantes"][3]["id"]  # a repeated id
    data["convocatoria"]["cierre_postulacion"] = "2026-03-01T08:00:00"  # before the opening
    data["decisiones_comite"] = [{"orden": ["P09", "NOEXISTE", "P09"], "sustento": "Mayor experiencia"}]
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(data)
    esperados = {("$.convocatoria.organo", None), ("$.postulantes[0].fecha_nacimiento", "fecha u hora que no existe"),
                 ("$.postulantes[3].id", "id repetido: P04"), ("$.convocatoria.cierre_postulacion", "anterior al inicio"),
                 ("$.decisiones_comite[0].orden[1]", "no hay un postulante con id NOEXISTE"),
                 ("$.decisiones_comite[0].orden", "figura dos veces")}
    for ruta, mensaje in esperados:
        assert any(r == ruta and (mensaje is None or mensaje in msg) for r, msg in err.value.errores), ruta
    assert len(err.value.errores) == len(set(err.value.errores)) == len(esperados)
    bad = tmp_path / "varios.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(bad)])
    assert result.exit_code == 2 and all(ruta in result.output for ruta, _ in esperados)
    # Without the schema's mistake, the others still come together (a schema-valid file).
    data["convocatoria"]["organo"] = datos["convocatoria"]["organo"]
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(data)
    assert {r for r, _ in err.value.errores} == {r for r, _ in esperados} - {"$.convocatoria.organo"}
    # A decision that names no applicant is refused by simulate too, alone.
    solo = json.loads(json.dumps(datos, default=str))
    solo["decisiones_comite"] = [{"orden": ["P09", "NOEXISTE"], "sustento": "Mayor experiencia"}]
    with pytest.raises(interchange.ArchivoInvalido, match=r"orden\[1\]: no hay un postulante con id NOEXISTE"):
        interchange.cargar(solo)


def _cambiado(datos, cambio):
    data = json.loads(json.dumps(datos, default=str))
    cambio(data)
    return data


@pytest.mark.parametrize("cambio", [
    # a committee member that is not a text, in a sheet of an attended interview (the missing-sheet check read it)
    lambda d: d["postulantes"][1]["entradas"]["entrevista"]["hojas"][1].update(miembro=[]),
    lambda d: d["convocatoria"].update(cierre_postulacion=None),
    lambda d: d["convocatoria"].update(inicio_postulacion=5),
    lambda d: (d["postulantes"][0].update(id=["a"]), d["postulantes"][1].update(id={"b": 1})),
    lambda d: d.update(postulantes="nada"),
    lambda d: d["postulantes"].__setitem__(2, 7),
    lambda d: d.update(decisiones_comite=[{"orden": "P01"}, 3, {"orden": [1, {"a": 2}, "P01"], "sustento": "Empate"}]),
    lambda d: d["postulantes"][0].update(registrada_en="0001-01-01T00:00:00+05:00"),
    lambda d: d["convocatoria"].update(cronograma="ninguno"),
])
def test_a_file_of_odd_shapes_is_refused_with_its_paths_never_a_traceback(datos, cambio):
    """Whatever the shapes of a broken file, it is refused (ArchivoInvalido, every message at a path),
    and the checks that look beyond the schema skip what is not of the schema's type."""
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(_cambiado(datos, cambio))
    assert err.value.errores and all(ruta.startswith("$") and msg for ruta, msg in err.value.errores)


def test_a_date_of_the_wrong_shape_is_reported_once_with_the_schemas_message(datos):
    data = _cambiado(datos, lambda d: d["postulantes"][0].update(fecha_nacimiento="31/03/1990"))
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(data)
    assert [(r, m.split(" (")[0]) for r, m in err.value.errores] == [("$.postulantes[0].fecha_nacimiento",
                                                                      "formato incorrecto")]


@pytest.mark.parametrize(("fin", "valido"), [
    (None, True), ("2025-03-31", True), ("31/03/2025", False), (20250331, False), (True, False), ("", False),
])
def test_the_fast_validator_and_jsonschema_agree_on_a_current_or_ended_job(datos, fin, valido):
    """An experience's ``fin`` is a date or null (a current job, §4.2.1 z): both validators say the same,
    and jsonschema reports the path of a wrong one."""
    data = copy.deepcopy(datos)
    data["postulantes"][1]["ficha"]["experiencias"][0]["fin"] = fin
    assert interchange._es_valido_rapido(data) is valido
    errores = interchange.validar(data)
    assert [ruta for ruta, _ in errores] == ([] if valido else ["$.postulantes[1].ficha.experiencias[0].fin"])


def test_the_fast_validator_has_every_reference_written_out():
    """fastjsonschema calls a function per ``$ref`` and formats each array item's path for it even when the
    item is valid; written out (``_sin_referencias``) the compiled schema is one function, and it checks the
    same: each reference is replaced by its definition, and no ``$ref`` is left outside ``$defs``."""
    esquema = interchange.schema()
    escrito = interchange._sin_referencias(esquema, esquema["$defs"])
    assert escrito["$defs"].keys() == esquema["$defs"].keys() and "$ref" not in json.dumps(
        {k: v for k, v in escrito.items() if k != "$defs"})
    assert escrito["properties"]["postulantes"]["items"]["properties"]["fecha_nacimiento"] == esquema["$defs"]["fecha"]
    # What validar compiles: one function, no call per reference.
    assert [k for k in interchange._validador_rapido().__globals__ if k.startswith("validate")] == [
        "validate_https___casadmin_pe_schemas_convocatoria_1_json"]
    nodo = {"type": "object", "properties": {"hijo": {"$ref": "#/$defs/nodo"}}}
    recursivo = {"$defs": {"nodo": nodo}, "properties": {"raiz": {"$ref": "#/$defs/nodo"}}}
    hecho = interchange._sin_referencias(recursivo, recursivo["$defs"])
    assert hecho["properties"]["raiz"] == {"type": "object", "properties": {"hijo": {"$ref": "#/$defs/nodo"}}}


def test_malformed_json_is_refused_with_its_position(tmp_path):
    bad = tmp_path / "roto.json"
    bad.write_text('{"formato": ', encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(bad)])
    assert result.exit_code == 2 and "línea 1" in result.output


class _Explota:
    @hookimpl
    def casadmin_evaluar_examen(self, ctx, candidatos):
        raise RuntimeError("tabla de puntajes corrupta")


def _hoja(d, i=0, j=0):
    return d["postulantes"][i]["entradas"]["entrevista"]["hojas"][j]


@pytest.mark.parametrize(("cambio", "ruta", "mensaje"), [
    (lambda d: d["postulantes"][0]["entradas"]["examen"].update(puntaje=31),
     "$.postulantes[0].entradas.examen.puntaje", "va de 0 a 30 (§4.2.2"),
    (lambda d: d["postulantes"][0]["entradas"]["examen"].update(puntaje="30.5"),
     "$.postulantes[0].entradas.examen.puntaje", "va de 0 a 30"),
    (lambda d: d["postulantes"][0]["entradas"]["examen"].update(puntaje=-5),
     "$.postulantes[0].entradas.examen.puntaje", "por debajo del mínimo"),
    (lambda d: d["postulantes"][0]["entradas"]["examen"].update(puntaje="1" + "0" * 30),
     "$.postulantes[0].entradas.examen.puntaje", "formato incorrecto"),
    (lambda d: _hoja(d)["factores"].update(idoneidad=9),
     "$.postulantes[0].entradas.entrevista.hojas[0].factores.idoneidad", "va de 0 a 8 (§4.2.5"),
    (lambda d: _hoja(d)["factores"].update(idoneidad="-1"),
     "$.postulantes[0].entradas.entrevista.hojas[0].factores.idoneidad", "formato incorrecto"),
    (lambda d: d["postulantes"][0]["entradas"]["entrevista"].pop("hojas"),
     "$.postulantes[0].entradas.entrevista.hojas", "asistió a la entrevista: faltan las hojas"),
    (lambda d: d["postulantes"][0]["entradas"]["entrevista"].update(hojas=[]),
     "$.postulantes[0].entradas.entrevista.hojas", "faltan las hojas de calificación del Comité (§4.2.5 g)"),
    (lambda d: _hoja(d, 0, 1).update(miembro=_hoja(d)["miembro"]),
     "$.postulantes[0].entradas.entrevista.hojas[1].miembro", "miembro repetido"),
    (lambda d: d["postulantes"][0]["entradas"]["entrevista"]["hojas"].append({**_hoja(d), "miembro": "M3"}),
     "$.postulantes[0].entradas.entrevista.hojas[2].miembro", "M3 sería otro integrante que califica, además de M1 y M2"),
    (lambda d: _hoja(d, 1, 1).update(miembro="VEEDOR"),  # a third member named on another applicant's sheet
     "$.postulantes[1].entradas.entrevista.hojas[1].miembro", "el/la Veedor/a no califica (§4.2.5 b)"),
    (lambda d: d["postulantes"][0]["documentos"][0].update(tipo="anexos_11_12"),  # it would be «no adjuntó»
     "$.postulantes[0].documentos[0].tipo", "no reconocido por las bases «sunedu-2026»; sus tipos son: anexos_11_12_13"),
    (lambda d: d["postulantes"][0]["documentos"][0].update(tipo="ANEXOS_11_12_13"),  # the code, as the screen stores it
     "$.postulantes[0].documentos[0].tipo", "no reconocido por las bases «sunedu-2026»"),
    (lambda d: d["postulantes"][1].update(fecha_nacimiento="2026-03-03"),
     "$.postulantes[1].fecha_nacimiento", "posterior al inicio de la postulación"),
    (lambda d: d["postulantes"][2]["documento"].update(tipo="DNI", numero="1234567"),
     "$.postulantes[2].documento.numero", "El DNI debe tener 8 dígitos"),
    (lambda d: d["postulantes"][2]["documento"].update(tipo="DNI", numero="1234567A"),
     "$.postulantes[2].documento.numero", "El DNI debe tener 8 dígitos"),
    (lambda d: d["postulantes"][2]["documento"].update(tipo="CE", numero="1234567"),
     "$.postulantes[2].documento.numero", "entre 9 y 12"),
    (lambda d: d["postulantes"][2]["documento"].update(tipo="DNI", numero="101174102"),  # with its check digit
     "$.postulantes[2].documento.numero", "escriba el número como lo guarda el portal: «10117410»"),
    (lambda d: d["postulantes"][2]["documento"].update(tipo="PASAPORTE", numero="abc123456"),
     "$.postulantes[2].documento.numero", "«ABC123456»"),
    (lambda d: d["convocatoria"].update(posiciones=10 ** 20),
     "$.convocatoria.posiciones", "por encima del máximo"),
    (lambda d: d["postulantes"][0]["ficha"]["capacitaciones"][0].update(horas=10 ** 400),
     "$.postulantes[0].ficha.capacitaciones[0].horas", "por encima del máximo"),
])
def test_a_value_the_stages_cannot_take_is_refused_at_its_path_not_blamed_on_a_plugin(tmp_path, datos, cambio, ruta,
                                                                                    mensaje):
    """Scores beyond the bases' maxima (the exam's 30, §4.2.2 l; each interview factor's 8, §4.2.5 f, i),
    negative or huge numbers, a member's second sheet, a sheet of a third scoring member (the committee
    is ORH's representative and the user area's, §4.2.5 b), a document type the bases do not have (the
    application screen refuses it; it was judged «no adjuntó»), an interview attended with no sheet (it used to
    give «No se presentó»), a birth after the application period opens: the
    file is refused with the field's path (exit 2), as the score screens refuse them, instead of a
    stage stopping with "the plugin failed" (exit 3)."""
    archivo = tmp_path / "malo.json"
    archivo.write_text(json.dumps(_cambiado(datos, cambio)), encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(archivo)])
    assert result.exit_code == 2, result.output
    linea = next(x for x in result.output.splitlines() if x.strip().startswith(ruta + ":"))
    assert mensaje in linea


@pytest.mark.parametrize(("contenido", "mensaje"), [
    ('{"formato": "caf\xe9"}'.encode("latin-1"), "byte 17: el archivo no está codificado en UTF-8 (byte 0xe9)"),
    (b'{"a": NaN}', "$: JSON mal formado: NaN no es un número válido"),
    (b'{"a": [1, -Infinity]}', "$: JSON mal formado: -Infinity no es un número válido"),
    (b'{"a": {"b": ["ok", "\\ud800"]}}', "$.a.b[1]: el texto contiene un carácter inválido"),
    (b'{"a": "\\udc00\\ud83d"}', "$.a: el texto contiene un carácter inválido"),  # the halves the wrong way round
    (b'{"a": 1' + b"0" * 5000 + b"}", "$: JSON mal formado: un número entero de más de 4300 cifras"),
])
def test_a_file_json_cannot_read_is_refused_with_a_message_never_a_traceback(tmp_path, contenido, mensaje):
    """Not UTF-8 (RFC 8259 §8.1), NaN and Infinity (not JSON numbers), a lone UTF-16 surrogate."""
    archivo = tmp_path / "malo.json"
    archivo.write_bytes(contenido)
    result = CliRunner().invoke(casadmin_group, ["simulate", str(archivo)])
    assert result.exit_code == 2 and mensaje in result.output, result.output
    assert interchange.leer(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}  # a pair is one character
    assert interchange.leer('\ufeff{"a": 1}'.encode()) == {"a": 1}  # a byte order mark (Windows editors)
    assert interchange._SUSTITUTO.search(r'{"a": "\ud83d\ude00"}') is None  # a pair walks nothing


def test_simulate_refuses_a_stage_the_call_does_not_have():
    """``--hasta examen`` on a call without an exam (Migraciones' example) would run every stage."""
    result = CliRunner().invoke(casadmin_group, ["simulate", str(EXAMPLE.with_name("cas-027-2026-migraciones.json")),
                                                 "--hasta", "examen"])
    assert result.exit_code == 1 and "no tiene la etapa «examen»" in result.output and "Ganador" not in result.output


def test_a_plugin_that_raises_stops_the_stage_and_is_named(datos):
    pm = pl.new_plugin_manager(extra=[("institucion.examen_roto", _Explota())])
    bases = pl.get_bases(pm, "sunedu-2026")
    rota = bases.derivada(id="sunedu-rota", plugins=("institucion.examen_roto", *bases.plugins))
    arch = interchange.cargar(datos)
    with pytest.raises(pl.ErrorDePlugin) as err:
        simular(pm, arch.convocatoria, arch.candidatos, bases=rota)
    assert "institucion.examen_roto" in str(err.value) and "tabla de puntajes corrupta" in str(err.value)


class _FichaSinResultados:
    @hookimpl
    def casadmin_evaluar_ficha(self, ctx, candidatos):
        return []


class _FichaConNada:
    @hookimpl
    def casadmin_evaluar_ficha(self, ctx, candidatos):
        return [None for _ in candidatos]


class _BonoRaro:
    @hookimpl
    def casadmin_bonificaciones(self, ctx, candidato, puntaje):
        return ["x"]


class _BonoConMilesimos:
    """A bonus whose amount has three decimals: simulate wrote it rounded one way, the database another."""

    @hookimpl
    def casadmin_bonificaciones(self, ctx, candidato, puntaje):
        from casadmin.rules.scores import Bonificacion

        return [Bonificacion(concepto="Bono de la entidad", porcentaje=Decimal("1.005"), base=puntaje,
                             monto=Decimal("1.005"), base_legal="Directiva interna")]


class _ExamenRaro:
    """An exam plugin whose results are of the right type but say what nothing can keep."""

    def __init__(self, **cambio):
        self.cambio = cambio

    @hookimpl
    def casadmin_evaluar_examen(self, ctx, candidatos):
        return [Resultado(candidato=c.id, etapa="examen", **{"resultado": "apto", "puntaje": Decimal("25"),
                                                              **self.cambio}) for c in candidatos]


class _OrdenRaro:
    """A merit order changed by ``cambio`` (the SUNEDU plugin's, then altered): a winner who is no finalist
    was stored, audited and published as the call's winner (the plugins review's D1)."""

    def __init__(self, cambio):
        self.cambio = cambio

    @hookimpl
    def casadmin_orden_merito(self, ctx, finalistas):
        from casadmin_sunedu import orden_merito

        return self.cambio(orden_merito.casadmin_orden_merito(ctx=ctx, finalistas=finalistas))


class _DesiertoRaro:
    def __init__(self, codigo):
        self.codigo = codigo

    @hookimpl
    def casadmin_detectar_desierto(self, ctx, resumen):
        return self.codigo


def _fantasma(r):
    return dataclasses.replace(r, ganadores=(Finalista(id="ZZZ99", puntaje_final=Decimal(99), entrevista=Decimal(40)),))


@pytest.mark.parametrize(("plugin", "reemplaza", "hook", "mensaje"), [
    (_OrdenRaro(_fantasma), "sunedu.orden_merito", "casadmin_orden_merito", "nombró a ZZZ99, que no es finalista"),
    (_OrdenRaro(lambda r: dataclasses.replace(r, accesitarios=(*r.ganadores, *r.accesitarios))), "sunedu.orden_merito",
     "casadmin_orden_merito", "nombró a un candidato dos veces entre ganadores y accesitarios"),
    (_OrdenRaro(lambda r: dataclasses.replace(r, orden=())), "sunedu.orden_merito", "casadmin_orden_merito",
     "ubicó en el orden de mérito a nadie; debe ubicar una vez a cada finalista"),
    (_OrdenRaro(lambda r: 42), "sunedu.orden_merito", "casadmin_orden_merito",
     "devolvió 42; debe devolver un ResultadoFinal"),
    (_OrdenRaro(lambda r: dataclasses.replace(r, orden=(42,))), "sunedu.orden_merito", "casadmin_orden_merito",
     "devolvió un ResultadoFinal mal formado (TypeError"),
    (_DesiertoRaro(42), "sunedu.desierto", "casadmin_detectar_desierto", "devolvió 42 con 1 ganador(es)"),
    (_DesiertoRaro("sin_requisitos"), "sunedu.desierto", "casadmin_detectar_desierto",
     "devolvió 'sin_requisitos' con 1 ganador(es); debe devolver None o una causa de §4.5"),
    # a result value, a score and reasons the format and the tables cannot keep: «pendiente» was stored as
    # evaluated, a negative score read as a concurrent evaluation, 25.129 rounded by PostgreSQL only, a
    # float or a text reason a traceback
    (_ExamenRaro(resultado="pendiente"), "sunedu.examen", "casadmin_evaluar_examen",
     "devolvió para «P01» el resultado «pendiente»; se admite apto, asistio, no_apto, no_se_presento"),
    (_ExamenRaro(resultado=["apto"]), "sunedu.examen", "casadmin_evaluar_examen",
     "devolvió para «P01» el resultado «['apto']»"),
    (_ExamenRaro(puntaje=Decimal("-3")), "sunedu.examen", "casadmin_evaluar_examen",
     "devolvió para «P01» el puntaje Decimal('-3'); debe ser un Decimal no negativo con hasta dos decimales"),
    (_ExamenRaro(puntaje=Decimal("25.129")), "sunedu.examen", "casadmin_evaluar_examen",
     "devolvió para «P01» el puntaje Decimal('25.129')"),
    (_ExamenRaro(puntaje=25.5), "sunedu.examen", "casadmin_evaluar_examen", "devolvió para «P01» el puntaje 25.5"),
    (_ExamenRaro(motivos=("Aprobó",)), "sunedu.examen", "casadmin_evaluar_examen",
     "devolvió para «P01» motivos ('Aprobó',); deben ser una tupla de Motivo"),
    (_FichaSinResultados(), "sunedu.ficha", "casadmin_evaluar_ficha",
     "devolvió 0 resultados para 10 candidatos; debe devolver uno por candidato"),
    (_FichaConNada(), "sunedu.ficha", "casadmin_evaluar_ficha",
     "devolvió None donde se esperaba el resultado de la etapa «ficha» del candidato «P01»"),
    (_BonoRaro(), None, "casadmin_bonificaciones", "devolvió ['x'] para «P01»; debe devolver una lista de Bonificacion"),
    (_BonoConMilesimos(), None, "casadmin_bonificaciones",
     "devolvió para «P01» la bonificación «Bono de la entidad» de 1.005 sobre 90.00; el monto y la base son Decimal "
     "de 0 o más, con dos decimales como máximo"),
])
def test_a_plugin_answering_what_its_hook_does_not_allow_stops_the_run_and_is_named(datos, plugin, reemplaza, hook,
                                                                                   mensaje):
    """Not raising, but answering wrong: a Ficha plugin with no results made the call «desierto: no se
    presentaron postulantes» (exit 0), one answering None stopped with a traceback naming nobody. The
    hook's answer is checked: the run stops as the plugin's failure, named (simulate: exit 3)."""
    pm = pl.new_plugin_manager(extra=[("institucion.raro", plugin)])
    bases = pl.get_bases(pm, "sunedu-2026")
    otros = tuple(p for p in bases.plugins if p != reemplaza)
    rara = bases.derivada(id="sunedu-rara", plugins=("institucion.raro", *otros))
    arch = interchange.cargar(datos)
    with pytest.raises(pl.ErrorDePlugin) as err:
        simular(pm, arch.convocatoria, arch.candidatos, bases=rara)
    assert (err.value.plugin, err.value.hook) == ("institucion.raro", hook)
    assert str(err.value).startswith(f"El plugin «institucion.raro» falló en {hook}: RespuestaInvalida: {mensaje}")


class _DocumentosRotos:
    @hookimpl(tryfirst=True)
    def casadmin_verificar_documentos(self, ctx, candidato):
        raise RuntimeError("lista de anexos ilegible")


def test_a_failing_document_check_is_named_not_the_ficha_plugin_that_consulted_it(datos):
    """D1: the Ficha plugin consults each bases' documents check; when that one fails, the message
    names it (the institution's plugin to fix), not sunedu.ficha."""
    pm = pl.get_plugin_manager()  # the one the Ficha plugin consults the documents' check through
    rotos = _DocumentosRotos()
    pm.register(rotos, name="institucion.documentos_rotos")
    try:
        bases = pl.get_bases(pm, "sunedu-2026")
        rota = bases.derivada(id="sunedu-documentos-rotos", plugins=("institucion.documentos_rotos", *bases.plugins))
        arch = interchange.cargar(datos)
        with pytest.raises(pl.ErrorDePlugin) as err:
            simular(pm, arch.convocatoria, arch.candidatos, bases=rota)
    finally:
        pm.unregister(rotos)
    assert err.value.plugin == "institucion.documentos_rotos" and "lista de anexos ilegible" in str(err.value)
    assert "sunedu.ficha" not in str(err.value)


@pytest.mark.parametrize(("args", "mensaje"), [
    (["simulate", "/no/existe.json"], "Error: Valor inválido para 'ARCHIVO': Archivo '/no/existe.json' no existe."),
    (["simulate", str(EXAMPLE), "--hasta", "final"], "Error: Valor inválido para '--hasta': 'final' no es ninguno de "
                                                      "estos: 'ficha', 'examen', 'psicologica', 'curricular', 'entrevista'."),
    (["evaluate", "CAS N° 1-2026"], "Error: Falta la opción '--stage'."),
    (["importar", "x.json"], "Error: No existe el comando 'importar'."),
])
def test_the_command_lines_own_mistakes_are_told_in_spanish(args, mensaje):
    """Click's messages are English (it ships no catalogue): «Missing option '--stage'», «File 'x' does not
    exist». casadmin.cli installs translations/es/LC_MESSAGES/click.mo; the usage line names the command as
    typed («casadmin evaluate», not «casadmin casadmin evaluate»)."""
    hecho = CliRunner().invoke(casadmin_group, args, prog_name="casadmin")
    assert hecho.exit_code == 2 and mensaje in hecho.output, hecho.output
    assert hecho.output.startswith("Uso: casadmin ") and "Escriba «casadmin " in hecho.output
    ayuda = CliRunner().invoke(casadmin_group, ["evaluate", "--help"], prog_name="casadmin").output
    assert "Opciones:" in ayuda and "Mostrar esta ayuda y salir." in ayuda and "[obligatorio]" in ayuda
    assert "Evaluar una etapa de la convocatoria CODIGO" in ayuda


def test_unknown_bases_version_is_a_clear_error():
    result = CliRunner().invoke(casadmin_group, ["simulate", str(EXAMPLE), "--bases", "no-existe"])
    assert result.exit_code != 0 and "Ninguna versión de bases instalada se llama «no-existe»" in result.output


def test_plugins_command_lists_plugins_versions_hooks_and_bases():
    result = CliRunner().invoke(casadmin_group, ["plugins"])
    assert result.exit_code == 0
    assert "sunedu.ficha" in result.output and "evaluar_ficha" in result.output
    assert "sunedu-2026" in result.output and importlib.metadata.version("casadmin") in result.output


def test_docs_schema_is_the_packaged_schema():
    assert json.loads((ROOT / "docs" / "convocatoria.schema.json").read_text()) == interchange.schema()


def test_the_bulk_constructor_builds_what_the_class_builds_and_checks_the_same():
    """``model.constructor``: equal instances, the class's own checks (§4.2.1 an experience cannot end
    before it starts; hours become Decimal), every field required, and only for classes it can fill."""
    from dataclasses import InitVar, dataclass, make_dataclass
    from dataclasses import field as dataclasses_field
    from datetime import date

    from casadmin.engine.model import Candidato, constructor
    from casadmin.rules.types import Capacitacion, Experiencia, Periodo, Sector, TipoCapacitacion, TipoExperiencia

    campos = dict(empleador="SUNEDU", sector=Sector.PUBLICO, puesto="Analista", inicio=date(2020, 1, 1),
                  fin=date(2021, 6, 30), funciones="", tipo=TipoExperiencia.EMPLEO, especifica=True)
    hecha = constructor(Experiencia)(**campos)
    assert type(hecha) is Experiencia and hecha == Experiencia(**campos) and hash(hecha) == hash(Experiencia(**campos))
    with pytest.raises(ValueError, match="fin anterior al inicio"):
        constructor(Experiencia)(**{**campos, "fin": date(2019, 12, 31)})
    with pytest.raises(TypeError, match="especifica"):
        constructor(Experiencia)(**{k: v for k, v in campos.items() if k != "especifica"})
    with pytest.raises(TypeError):
        constructor(Experiencia)(**campos, otro=1)
    curso = constructor(Capacitacion)(tema="Gestión pública", tipo=TipoCapacitacion.CURSO, horas=24, creditos=None,
                                      fecha_fin=None, inicio=None, ente_rector=False, institucion="")
    assert curso.horas == Decimal(24) and type(curso.horas) is Decimal
    with pytest.raises(AttributeError):
        curso.horas = Decimal(1)  # still frozen

    @dataclass
    class Mutable:
        a: int

    @dataclass(frozen=True, init=False)
    class PropioInit:
        a: int

        def __init__(self, a: int) -> None:
            object.__setattr__(self, "a", a * 2)

    ConInitVar = make_dataclass("ConInitVar", [("a", int), ("b", InitVar[int])], frozen=True)
    Choca = make_dataclass("Choca", [("_casadmin_o", int)], frozen=True)
    # not frozen: its __init__ is already cheap; an __init__ of its own, an InitVar or a field named like
    # the generated code's own names: not the fields stored as given
    for clase in (Mutable, PropioInit, ConInitVar, Choca):
        with pytest.raises(TypeError):
            constructor(clase)
    assert constructor(Candidato).__name__ == "Candidato_"

    # A class with slots is filled through its slots' descriptors: equal, hashed alike, still frozen.
    from casadmin.engine.model import Resultado, crear_resultado

    campos_r = dict(candidato="P01", etapa="ficha", resultado="apto", puntaje=None, motivos=(), detalle={},
                    regla="sunedu.ficha==0.1.0")
    r = crear_resultado(**campos_r)
    assert type(r) is Resultado and r == Resultado(**campos_r) and not hasattr(r, "__dict__")
    with pytest.raises(AttributeError):
        r.resultado = "no_apto"
    # A plugin's own subclass without slots: the parent's fields in their slots, its own in __dict__.
    ResultadoPropio = make_dataclass("ResultadoPropio", [("nota", str, dataclasses_field(default=""))],
                                     bases=(Resultado,), frozen=True, kw_only=True)
    propio = constructor(ResultadoPropio)(**campos_r, nota="revisado")
    assert propio == ResultadoPropio(**campos_r, nota="revisado") and propio.candidato == "P01"
    assert propio.nota == "revisado" and propio.__dict__ == {"nota": "revisado"}
    periodo = constructor(Periodo)(inicio=date(2020, 1, 1), fin=date(2020, 12, 31))
    assert periodo == Periodo(date(2020, 1, 1), date(2020, 12, 31)) and hash(periodo) == hash(
        Periodo(date(2020, 1, 1), date(2020, 12, 31)))


def test_reasons_write_levels_kinds_and_hours_in_words_not_codes():
    """What HR and the applicant read (item 5): "básico", "técnico", "programa de especialización",
    "40 h", "colegiado: sí"; never the format's codes (``basico``, ``programa_especializacion``),
    ``40.0 h`` or ``colegiado=True``; and a career refused on two rows is said once."""
    import re
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generar

    arch = interchange.cargar(interchange.leer(json.dumps(generar.generar(300, seed=5))))
    sim = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, hasta="ficha")
    textos = [t for r in sim.etapas["ficha"] for mo in r.motivos
              for t in (mo.requisito, mo.declarado, mo.computado, mo.mensaje)]
    todo = "\n".join(textos)
    for codigo in ("basico", "tecnico", "maestria", "_especializacion", "en_curso", "colegiado=", "True", "False"):
        assert codigo not in todo, codigo
    assert not re.search(r"\d\.0 h\b", todo)
    for palabra in ("básico", "programa de especialización", "colegiado: sí"):
        assert palabra in todo, palabra
    assert not any(len(set(m.split("; "))) < len(m.split("; ")) for m in textos if m.startswith("No cumple con")), \
        "a reason repeats itself"


def test_the_results_block_is_described_by_the_schema_and_checked_by_it_issue_3_item_6(tmp_path):
    """``simulate --json`` writes a file the schema accepts, results included (docs/convocatoria.schema.json
    describes every key of ``resultados``: stage rows and their reasons, finalists with their bonuses and
    reasons, the order, winners, accesitarios, ties and the desierto cause); read again, it simulates the
    same; a results block of the wrong shape is refused at its paths."""
    result = CliRunner().invoke(casadmin_group, ["simulate", "--json", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    salida = json.loads(result.output)
    assert interchange.validar(salida) == []
    assert set(salida["resultados"]) <= set(interchange.schema()["$defs"]["resultados"]["properties"])
    otra = tmp_path / "con_resultados.json"
    otra.write_text(result.output, encoding="utf-8")
    again = CliRunner().invoke(casadmin_group, ["simulate", "--json", str(otra)])
    assert again.exit_code == 0 and json.loads(again.output)["resultados"] == salida["resultados"]
    # a zero written «-0.0» (the schema's minimum 0 takes it) is written back «0.0», which the format takes
    cero = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    cero["postulantes"][0]["ficha"]["capacitaciones"][0]["horas"] = -0.0
    cero["postulantes"][0]["entradas"]["examen"]["puntaje"] = -0.0
    otra.write_text(json.dumps(cero, ensure_ascii=False), encoding="utf-8")
    con_cero = CliRunner().invoke(casadmin_group, ["simulate", "--json", str(otra)])
    assert con_cero.exit_code == 0, con_cero.output
    leido = json.loads(con_cero.output)
    assert interchange.validar(leido) == []
    assert leido["postulantes"][0]["ficha"]["capacitaciones"][0]["horas"] == "0.0"
    res = salida["resultados"]
    res["etapas"]["ficha"][0]["resultado"] = "quizas"
    res["etapas"]["otra"] = []
    res["finales"][0]["motivos"] = [{"requisito": "Desempate", "cumple": "sí"}]
    res["desierto"] = "porque_si"
    otra.write_text(json.dumps(salida, ensure_ascii=False), encoding="utf-8")
    malo = CliRunner().invoke(casadmin_group, ["simulate", str(otra)])
    assert malo.exit_code == 2
    for ruta in ("$.resultados.etapas:", "$.resultados.etapas.ficha[0].resultado:",
                 "$.resultados.finales[0].motivos[0].cumple:", "$.resultados.finales[0].motivos[0].clausula:",
                 "$.resultados.desierto:"):
        assert ruta in malo.output, ruta


def test_an_interview_reason_does_not_depend_on_how_a_factor_was_written_4_2_5_g(datos):
    """«7.0» and «7» are one score: the reason showed «34.0» from a file and «34» from the database."""
    def motivo(valor: str):
        d = _cambiado(datos, lambda d: _hojas(d, 0)[0]["factores"].update(desenvolvimiento=valor))
        arch = interchange.cargar(d)
        sim = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)
        return next(r for r in sim.etapas["entrevista"] if r.candidato == d["postulantes"][0]["id"]).motivos[0]

    assert motivo("7.0") == motivo("7") == motivo("7.00")
    assert motivo("7.50").declarado.split(" / ")[0].endswith(".5")


def _mover_postulacion(data, inicio, cierre):
    """The call's application period and its schedule line, moved together (they must agree)."""
    c = data["convocatoria"]
    c["inicio_postulacion"], c["cierre_postulacion"] = inicio, cierre
    for h in c["cronograma"]:
        if h["tipo"] == "postulacion":
            h.update(inicio=inicio, fin=cierre)


def test_a_call_opening_before_its_bases_are_in_force_is_refused_at_its_start_date(tmp_path):
    """F3: a call is judged by the bases version in force when it opens; before ``vigente_desde`` its
    parameters have no value. A Migraciones file moved to 2019 ended in «El plugin «sunedu.curricular»
    falló … ParametroDesconocido: 'curricular.puntos_sin_examen'» once the stages had run."""
    texto = (ROOT / "docs" / "examples" / "cas-027-2026-migraciones.json").read_text(encoding="utf-8")
    data = json.loads(texto)
    _mover_postulacion(data, "2020-08-31T08:30:00-05:00", "2020-08-31T16:30:00-05:00")
    archivo = tmp_path / "antes.json"
    archivo.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(casadmin_group, ["simulate", str(archivo)])
    assert result.exit_code == 2, result.output
    assert ("  $.convocatoria.inicio_postulacion: la postulación empieza el 31/08/2020, antes de que rijan las bases "
            "«migraciones-2020» (vigentes desde el 01/09/2020): elija una versión de bases vigente en esa fecha"
            ) in result.output
    assert "falló" not in result.output
    # From the first day in force, the same file is judged.
    _mover_postulacion(data, "2020-09-01T08:30:00-05:00", "2020-09-01T16:30:00-05:00")
    archivo.write_text(json.dumps(data), encoding="utf-8")
    assert "inicio_postulacion" not in CliRunner().invoke(casadmin_group, ["simulate", str(archivo)]).output


def test_a_parameter_read_before_its_first_value_says_so():
    vigentes = Parametros.from_mapping({"examen.puntaje_minimo": {
        "description": "d", "reference": "§4.2.2 l", "values": {"2026-01-01": 21}}})
    from casadmin.engine.params import ParametroDesconocido

    assert vigentes.para(dt.date(2026, 1, 1))["examen.puntaje_minimo"] == 21
    with pytest.raises(ParametroDesconocido, match="examen.puntaje_minimo: sin valor vigente al 2025-12-31"):
        vigentes.para(dt.date(2025, 12, 31))["examen.puntaje_minimo"]
    with pytest.raises(ParametroDesconocido, match="^'otro'$"):
        vigentes.para(dt.date(2026, 1, 1))["otro"]


def test_the_engine_itself_refuses_a_call_before_its_bases_are_in_force():
    """``run.contexto``, which every stage, the shortlist, the final step and the desierto proposal go
    through: the last guard behind the file's and the database's checks (F3)."""
    from casadmin.engine import run

    pm = pl.get_plugin_manager()
    arch = interchange.cargar(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    bases = pl.get_bases(pm, arch.convocatoria.bases)
    antes = dataclasses.replace(arch.convocatoria, inicio_postulacion=arch.convocatoria.inicio_postulacion.replace(
        year=bases.vigente_desde.year - 1))
    with pytest.raises(run.FueraDeVigencia, match=f"Convocatoria «{arch.convocatoria.codigo}»: la postulación empieza"):
        run.contexto(antes, bases)
    assert run.contexto(arch.convocatoria, bases).parametros.fecha == arch.convocatoria.inicio_postulacion.date()
