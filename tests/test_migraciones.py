"""The Migraciones bases version (F1, seed 000) and its per-document flow (C3, Mig. 4–9).

Documents are checked by ``migraciones.documentos`` inside the Ficha stage (D1); scoring is
the national framework as SUNEDU's bases apply it, with Migraciones' own parameters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from casadmin import plugins as pl
from casadmin.cli import casadmin_group
from casadmin.engine import interchange, run
from casadmin.engine.model import Candidato, Documento
from casadmin.engine.run import contexto, simular
from casadmin_migraciones import BASES_ID, CONDICIONALES, DOCUMENTOS, PLUGINS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "cas-027-2026-migraciones.json"
PARAMETROS = ROOT / "plugins" / "casadmin_migraciones" / "parametros.yaml"
SUNEDU_PARAMETROS = ROOT / "plugins" / "casadmin_sunedu" / "parametros.yaml"


@pytest.fixture(scope="module")
def arch():
    return interchange.cargar(interchange.leer(EXAMPLE.read_bytes()))


@pytest.fixture(scope="module")
def pm():
    return pl.get_plugin_manager()


@pytest.fixture(scope="module")
def ctx(pm, arch):
    return contexto(arch.convocatoria, pl.get_bases(pm, arch.convocatoria.bases))


@pytest.fixture(scope="module")
def c(arch) -> dict[str, Candidato]:
    return {cand.id: cand for cand in arch.candidatos}


@pytest.fixture(scope="module")
def sim(pm, arch):
    return simular(pm, arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)


def _ficha(pm, ctx, *candidatos):
    res, plugin = pl.primero(pm, ctx.bases, "casadmin_evaluar_ficha", ctx=ctx, candidatos=list(candidatos))
    assert plugin == "sunedu.ficha"
    return res


def _documentos(pm, ctx, candidato):
    """The document reasons, through the plugin manager, with the plugin that produced them."""
    return pl.todos(pm, ctx.bases, "casadmin_verificar_documentos", ctx=ctx, candidato=candidato)


def _fallas(resultado):
    return [m for m in resultado.motivos if not m.cumple]


def _con_documentos(cand: Candidato, documentos) -> Candidato:
    return dataclasses.replace(cand, documentos=tuple(documentos))


# --- the bases version -------------------------------------------------------------------


def test_bases_version_declared_by_the_migraciones_plugin(pm):
    bases = pl.bases_versions(pm)[BASES_ID]
    assert bases.entidad == "MIGRACIONES" and bases.vigente_desde == dt.date(2020, 9, 1)
    assert bases.flujo_documentos == "por_documento" and bases.proveedor == "migraciones"
    assert "migraciones.documentos" in bases.plugins and "sunedu.anexos" not in bases.plugins
    assert bases.plugins == PLUGINS


def test_document_types_follow_the_manual_with_annexes_01_to_05():
    nombres = [d.nombre for d in DOCUMENTOS]
    assert nombres[:5] == ["DOCUMENTO DE IDENTIDAD", "FICHA CURRICULAR", "SUSTENTOS DE FORMACIÓN ACADÉMICA",
                           "SUSTENTOS DE CURSOS Y CAPACITACIONES", "SUSTENTOS DE EXPERIENCIA LABORAL"]
    assert [n for n in nombres if n.startswith("ANEXO")] == [f"ANEXO0{i}_CAS" for i in range(1, 6)]
    assert all(d.obligatorio for d in DOCUMENTOS)  # each required of whoever is asked for it
    condicionales = {d.codigo: d.requerido_si for d in DOCUMENTOS if d.requerido_si}
    assert condicionales == CONDICIONALES == {"sustento_discapacidad": "discapacidad", "sustento_ffaa": "licenciado_ffaa"}
    assert len({d.codigo for d in DOCUMENTOS}) == len(DOCUMENTOS) == 12


def test_parameters_cover_every_national_rule_dated_2020_09_01():
    propios = yaml.safe_load(PARAMETROS.read_text(encoding="utf-8"))
    sunedu = yaml.safe_load(SUNEDU_PARAMETROS.read_text(encoding="utf-8"))
    assert set(propios) == set(sunedu)  # the shared stage plugins find every parameter they read
    for nombre, spec in propios.items():
        assert list(spec["values"]) == [dt.date(2020, 9, 1)], nombre
        assert spec["description"] and spec["unit"], nombre
        assert "SUNEDU" in spec["reference"] or "Mig." in spec["reference"], nombre
        assert spec["values"][dt.date(2020, 9, 1)] == PROPIOS.get(nombre, next(iter(sunedu[nombre]["values"].values()))), nombre


#: The parameters where the manual departs from the national framework that SUNEDU's bases apply.
PROPIOS = {"ficha.firma_digitalizada": False}  # Mig. 2, 7–9 ask for no digitized signature


def test_no_digitized_signature_is_asked_by_the_manual(pm, sim):
    """SUNEDU's Ficha stage fails a Ficha without the digitized signature (§4.1 (10)); the Migraciones
    manual asks for none (Mig. 2, 7–9), so its candidates are not failed for it, nor told of it."""
    d = interchange.leer(EXAMPLE.read_bytes())
    assert any(p["ficha"].get("firma") for p in d["postulantes"])
    for p in d["postulantes"]:
        p["ficha"].pop("firma", None)
    arch = interchange.cargar(d)
    sim = simular(pm, arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)
    assert not any(m.requisito == "Firma digitalizada" for r in sim.etapas["ficha"] for m in r.motivos)
    con_firma = {r.candidato: r.resultado for r in sim.etapas["ficha"]}
    assert {r.candidato: r.resultado for r in sim.etapas["ficha"]} == con_firma


def test_the_signature_check_of_the_evaluator_applies_only_where_the_bases_ask_for_it(pm, ctx, c):
    """The evaluator's checklist asked a Migraciones evaluator whether the Ficha carried the digitized
    signature, and «No conforme» made the candidate No Apto for a signature the manual does not ask for
    (Mig. 2, 7–9). The stage ignores that check where the bases do not ask for the signature; the others
    (the annexes, §4.2.1 b) still count."""
    m01 = c["M01"]
    entradas = dataclasses.replace(m01.entradas, verificacion_manual={"ficha_firmada": False})
    res, = _ficha(pm, ctx, dataclasses.replace(m01, entradas=entradas))
    assert res.resultado == "apto" and not any("firma" in m.requisito.lower() for m in res.motivos)
    entradas = dataclasses.replace(m01.entradas, verificacion_manual={"anexos_firmados": False})
    res, = _ficha(pm, ctx, dataclasses.replace(m01, entradas=entradas))
    assert res.resultado == "no_apto"


def test_reasons_say_whose_clauses_they_cite(sim):
    """The Migraciones manual has no «§4.2.1 p»: its stages apply the national framework as SUNEDU's bases write
    it, so an applicant was shown SUNEDU's clauses as if they were Migraciones' own. Every «§» clause reads
    «Bases SUNEDU 2026 §…», and so does a bonus's «Bases §4.3.3»; the manual's own («Mig. n») are as they are."""
    clausulas = {m.clausula for resultados in sim.etapas.values() for r in resultados for m in r.motivos}
    assert any(c.startswith("Bases SUNEDU 2026 §4.2.1") for c in clausulas)
    assert not any(c.startswith("§") for c in clausulas)
    assert any(c.startswith("Mig. ") for c in clausulas)
    bases_legales = [b.base_legal for f in sim.finales for b, _ in f.bonificaciones]
    assert bases_legales and all("Bases §" not in b for b in bases_legales)
    assert any("Bases SUNEDU 2026 §4.3" in b for b in bases_legales)
    mensajes = [m.mensaje for resultados in sim.etapas.values() for r in resultados for m in r.motivos]
    assert any("Bases SUNEDU 2026 §4.2.5 h" in x for x in mensajes) and not any("Bases §" in x for x in mensajes)
    # nor a clause a message cites on its own (they were shown bare: «… (§4.2.5 h, §4.3.2)»)
    assert not any(re.search(r"(?<!Bases SUNEDU 2026 )(?<!, )§", x) for x in mensajes)
    bases = pl.get_bases(pl.get_plugin_manager(), BASES_ID)
    assert bases.citar_en_texto("no se otorgan las bonificaciones de la Ley N° 31533 (§4.2.5 h, §4.3.2).") == \
        "no se otorgan las bonificaciones de la Ley N° 31533 (Bases SUNEDU 2026 §4.2.5 h, §4.3.2)."
    assert bases.citar_en_texto("Bonificación (Ley N° 29248; Bases §4.3.4)") == \
        "Bonificación (Ley N° 29248; Bases SUNEDU 2026 §4.3.4)"


def _final_de(pm, datos: dict, quien: str):
    arch = interchange.cargar(datos)
    sim = simular(pm, arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)
    return next(f for f in sim.finales if f.candidato == quien)


def test_the_conadis_support_uploaded_when_applying_presents_the_bonus_document_mig_8_9(pm):
    """Mig. 8–9: the CONADIS support is uploaded and validated with the application, so the disability bonus
    (national framework, SUNEDU §4.3.3) needs no other record of it at the curricular stage; since 0.3.0 it
    needed the checklist's «Cumple» (M04 lost 15 %). An evaluator's «No cumple» still withholds it; a SUNEDU
    call, whose applicants upload no such support, still needs «Cumple»."""
    datos = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    m04 = next(p for p in datos["postulantes"] if p["id"] == "M04")
    assert any(d["tipo"] == "sustento_discapacidad" and d["validado"] for d in m04["documentos"])
    con_registro = _final_de(pm, datos, "M04")
    assert [b.concepto for b, _ in con_registro.bonificaciones] == ["Bonificación por Discapacidad"]

    del m04["entradas"]["curricular"]["lista"]  # never recorded: the upload presents it
    sin_registro = _final_de(pm, datos, "M04")
    assert sin_registro.puntaje_final == con_registro.puntaje_final > sin_registro.puntaje_etapas

    m04["entradas"]["curricular"]["lista"] = {"doc_discapacidad": False}  # the evaluator: not proven
    negado = _final_de(pm, datos, "M04")
    assert not negado.bonificaciones and negado.puntaje_final == negado.puntaje_etapas

    # the same applicant's support not validated: the Ficha stage already refuses them (Mig. 7–8)
    m04["entradas"]["curricular"].pop("lista")
    next(d for d in m04["documentos"] if d["tipo"] == "sustento_discapacidad")["validado"] = False
    arch = interchange.cargar(datos)
    sim = simular(pm, arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)
    assert next(r for r in sim.etapas["ficha"] if r.candidato == "M04").resultado == "no_apto"


def test_the_dni_uploaded_when_applying_presents_the_ley_31533_document_mig_7_8(pm):
    """Mig. 7–8: the DNI's copy is uploaded and validated with the application, so Ley 31533's bonuses
    (§4.2.5 h, §4.3.2: «acreditar su edad») need no other record of it; before 0.6.0 M07 lost both without
    the checklist's «Cumple». An evaluator's «No cumple» still withholds them."""
    datos = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    m07 = next(p for p in datos["postulantes"] if p["id"] == "M07")
    con_registro = _final_de(pm, datos, "M07")
    assert [b.concepto for b, _ in con_registro.bonificaciones] == [
        "Bonificación especial por 2 año(s) de experiencia en el sector público"]  # Ley 31533, §4.3.2

    del m07["entradas"]["curricular"]["lista"]  # never recorded: the upload presents it
    sin_registro = _final_de(pm, datos, "M07")
    assert (sin_registro.puntaje_final, sin_registro.bonificaciones) == (con_registro.puntaje_final,
                                                                         con_registro.bonificaciones)

    m07["entradas"]["curricular"]["lista"] = {"dni_31533": False}  # the evaluator: not proven
    negado = _final_de(pm, datos, "M07")
    assert not negado.bonificaciones and negado.puntaje_final < con_registro.puntaje_final

    # a profile asking only secundaria: the academic supports uploaded prove the secundaria (§4.2.4), not the
    # técnico or professional training §4.2.5 h asks for; without the checklist's «Cumple» for it, no bonus
    datos["convocatoria"]["perfil"]["formacion"].update(nivel="secundaria", condicion="egresado", carreras=[],
                                                         afines=False)
    datos["convocatoria"]["perfil"]["formacion"].pop("carreras_afines", None)
    m07["entradas"]["curricular"]["lista"] = {"dni_31533": True}
    assert not _final_de(pm, datos, "M07").bonificaciones
    m07["entradas"]["curricular"]["lista"] = {"dni_31533": True, "formacion_31533": True}
    assert _final_de(pm, datos, "M07").bonificaciones == con_registro.bonificaciones


def test_the_interview_bonus_of_a_migraciones_call_reaches_its_stored_final_results(db):
    """§4.2.5 h: the final step found the interview bonus by its clause «§4.2.5 h»; cited «Bases SUNEDU 2026
    §4.2.5 h» it was left out of the stored final results (and of the published cuadro de méritos, D7)."""
    import sqlalchemy as sa

    from casadmin import engine_db, final
    from casadmin import models as m
    from casadmin.models.enums import TipoBonificacion

    d = interchange.leer(EXAMPLE.read_bytes())
    c = d["convocatoria"]
    c["numero"] = 27900
    c["codigo"] = f"CAS N° {c['numero']}-{c['anio']}-MIGRACIONES"
    for i, p in enumerate(d["postulantes"]):
        p["documento"]["numero"] = f"5{c['numero'] % 100000:05d}{i:02d}"
        p.pop("email", None)
    conv = engine_db.importar(db.session, d)
    arch = interchange.cargar(d)
    pm = pl.get_plugin_manager()
    for etapa in run.etapas_de(arch.convocatoria, pl.get_bases(pm, d["bases"])):
        engine_db.evaluar(db.session, conv.codigo, etapa)
    final.evaluar_final(db.session, conv.codigo)
    tipos = set(db.session.scalars(sa.select(m.Bonificacion.tipo).join(m.Postulacion).where(
        m.Postulacion.convocatoria_id == conv.id)))
    assert TipoBonificacion.joven_entrevista in tipos


def test_parameters_apply_from_2020_not_before(pm):
    bases = pl.get_bases(pm, BASES_ID)
    assert bases.parametros.para(dt.date(2020, 9, 1))["entrevista.marcas_sin_examen"] == (Decimal(30), Decimal(50))
    assert bases.parametros.items["postulacion.hora_cierre"].en(dt.date(2026, 4, 13)) == "16:30"
    with pytest.raises(KeyError):
        bases.parametros.para(dt.date(2020, 8, 31))["curricular.puntos_sin_examen"]


# --- documents (C3, Mig. 7–8) --------------------------------------------------------------


def test_only_the_migraciones_document_check_runs_for_its_bases(pm, ctx, c):
    encontrados = _documentos(pm, ctx, c["M01"])
    assert [plugin for _, plugin in encontrados] == ["migraciones.documentos"]
    (motivos, _), = encontrados
    assert len(motivos) == 10 and all(m.cumple for m in motivos)  # 5 documents + annexes 01–05
    sunedu = pl.get_bases(pm, "sunedu-2026")
    otro = dataclasses.replace(ctx, bases=sunedu)
    assert [plugin for _, plugin in _documentos(pm, otro, c["M01"])] == ["sunedu.anexos"]


def test_missing_document_is_no_apto_naming_the_document(pm, ctx, c):
    (res,) = _ficha(pm, ctx, c["M02"])
    assert res.resultado == "no_apto"
    (falla,) = _fallas(res)
    assert falla.requisito == "SUSTENTOS DE EXPERIENCIA LABORAL" and falla.declarado == "no adjunto"
    assert "No adjuntó el documento «SUSTENTOS DE EXPERIENCIA LABORAL»" in falla.mensaje
    assert falla.clausula == "Mig. 8"  # its own type's clause (every missing document cited «Mig. 4, 7»)


def test_unticked_document_is_no_apto(pm, ctx, c):
    (res,) = _ficha(pm, ctx, c["M03"])
    assert res.resultado == "no_apto"
    (falla,) = _fallas(res)
    assert "«Validar Documento»" in falla.mensaje and "«FICHA CURRICULAR»" in falla.mensaje
    assert falla.clausula == "Mig. 7–8"
    # Ticking it makes the same candidate Apto.
    marcados = [dataclasses.replace(d, validado=True) for d in c["M03"].documentos]
    (res,) = _ficha(pm, ctx, _con_documentos(c["M03"], marcados))
    assert res.resultado == "apto"


def test_a_document_type_given_twice_is_refused_by_simulate_as_by_import(db, tmp_path):
    """An application holds one document of each type (the screen replaces it). A file giving ANEXO01_CAS
    twice, the second unticked, was judged by ``simulate`` on whichever came last (No apto here, Apto the
    other way round) while ``import`` refused it: both refuse it now, at the repeated one's path."""
    from casadmin import engine_db

    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    m01 = d["postulantes"][0]
    anexo = next(x for x in m01["documentos"] if x["tipo"] == "anexo01_cas")
    m01["documentos"].append({**anexo, "validado": False})
    ruta = f"$.postulantes[0].documentos[{len(m01['documentos']) - 1}].tipo"
    archivo = tmp_path / "repetido.json"
    archivo.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    salida = CliRunner().invoke(casadmin_group, ["simulate", str(archivo)])
    assert salida.exit_code == 2 and f"  {ruta}: documento repetido: anexo01_cas" in salida.output, salida.output
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert (ruta, "documento repetido: anexo01_cas") in err.value.errores


def test_annex_03_is_required(pm, ctx, c):
    (res,) = _ficha(pm, ctx, c["M08"])
    assert res.resultado == "no_apto"
    assert [m.requisito for m in _fallas(res)] == ["ANEXO03_CAS"]


def test_document_without_pages_or_out_of_time_fails_each_with_its_reason(pm, ctx, c):
    docs = [dataclasses.replace(d, paginas=0, en_plazo=False) if d.tipo == "anexo05_cas" else d
            for d in c["M01"].documentos]
    (res,) = _ficha(pm, ctx, _con_documentos(c["M01"], docs))
    assert res.resultado == "no_apto"
    fallas = _fallas(res)
    assert [m.requisito for m in fallas] == ["ANEXO05_CAS: N° de páginas", "ANEXO05_CAS: carga en plazo"]
    assert all("«ANEXO05_CAS»" in m.mensaje for m in fallas)


def test_disability_support_is_required_only_when_disability_is_declared(pm, ctx, c):
    m01 = c["M01"]
    assert not m01.discapacidad
    (res,) = _ficha(pm, ctx, m01)
    assert res.resultado == "apto"
    assert not any("CONADIS" in m.requisito for m in res.motivos)  # not asked: not declared

    declara = dataclasses.replace(m01, discapacidad=True)
    (res,) = _ficha(pm, ctx, declara)
    assert res.resultado == "no_apto"
    (falla,) = _fallas(res)
    assert falla.requisito == "SUSTENTO DE DISCAPACIDAD (CONADIS)"
    assert "obligatorio porque declara discapacidad" in falla.mensaje

    adjunta = _con_documentos(declara, [*m01.documentos, Documento("sustento_discapacidad", 2, True)])
    (res,) = _ficha(pm, ctx, adjunta)
    assert res.resultado == "apto"
    assert any(m.requisito == "SUSTENTO DE DISCAPACIDAD (CONADIS)" and m.cumple for m in res.motivos)


def test_ffaa_support_is_required_only_when_declared(pm, ctx, c):
    (res,) = _ficha(pm, ctx, c["M05"])
    assert res.resultado == "no_apto"
    (falla,) = _fallas(res)
    assert falla.requisito == "SUSTENTO DE LICENCIADO(A) DE LAS FUERZAS ARMADAS"
    (res,) = _ficha(pm, ctx, dataclasses.replace(c["M05"], licenciado_ffaa=False))
    assert res.resultado == "apto"


def test_manual_labels_are_accepted_as_document_types(pm, ctx, c):
    etiquetas = {d.codigo: d.nombre for d in DOCUMENTOS}
    docs = [dataclasses.replace(d, tipo=etiquetas[d.tipo].lower()) for d in c["M01"].documentos]
    (res,) = _ficha(pm, ctx, _con_documentos(c["M01"], docs))
    assert res.resultado == "apto", [m.mensaje for m in _fallas(res)]


# --- the whole call ------------------------------------------------------------------------


def test_simulated_call_has_the_expected_winner_and_accesitarios(sim):
    assert sim.bases.id == BASES_ID
    assert list(sim.etapas) == ["ficha", "curricular", "entrevista"]  # no exam, no psychological test
    no_aptos = {r.candidato for r in sim.etapas["ficha"] if not r.sigue}
    assert no_aptos == {"M02", "M03", "M05", "M08"}
    assert {r.candidato: r.puntaje for r in sim.etapas["curricular"]} == dict.fromkeys(
        ["M01", "M04", "M06", "M07"], Decimal(50))  # 50 points without exam (§4.2.4)
    assert sim.convocados_entrevista == ["M01", "M04", "M06", "M07"]  # without exam, every Apto
    m06 = sim.resultado("entrevista", "M06")
    assert m06.resultado == "no_apto" and m06.puntaje == Decimal(27)  # below 30 of 50
    assert [f.id for f in sim.orden.ganadores] == ["M01"]
    assert [f.id for f in sim.orden.accesitarios] == ["M04", "M07"]
    finales = {f.candidato: f for f in sim.finales}
    assert finales["M01"].puntaje_final == Decimal("96.00")
    (disc, _), = finales["M04"].bonificaciones
    assert disc.porcentaje == 15 and finales["M04"].puntaje_final == Decimal("93.52")
    assert sim.desierto is None
    assert sim.reglas["sunedu.ficha"].startswith("sunedu.ficha==")
    # The document check the Ficha plugin consults produced the result too (F3), and only this bases' one.
    assert sim.reglas["migraciones.documentos"].startswith("migraciones.documentos==0.")
    assert "sunedu.anexos" not in sim.reglas


def test_simulate_command_on_the_migraciones_example():
    result = CliRunner().invoke(casadmin_group, ["simulate", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    res = json.loads(result.output)["resultados"]
    assert res["bases"]["id"] == BASES_ID and res["bases"]["proveedor"] == "migraciones"
    assert res["ganadores"] == ["M01"] and res["accesitarios"] == ["M04", "M07"]
    m02 = next(r for r in res["etapas"]["ficha"] if r["postulante"] == "M02")
    assert any(not m["cumple"] and "SUSTENTOS DE EXPERIENCIA LABORAL" in m["mensaje"] for m in m02["motivos"])


def test_a_document_without_its_number_of_pages_is_refused_at_its_path(tmp_path):
    """Mig. 7: each document is uploaded with its «N° DE PÁGINAS», and one of 0 pages does not count; a
    file's document without the number was taken as 1 page and counted. Refused at its path (exit 2),
    as simulate and import refuse what the bases do not allow; SUNEDU's bases (one PDF of annexes)
    do not judge pages, and take it."""
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del d["postulantes"][1]["documentos"][2]["paginas"]
    archivo = tmp_path / "sin-paginas.json"
    archivo.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    salida = CliRunner().invoke(casadmin_group, ["simulate", str(archivo)])
    assert salida.exit_code == 2, salida.output
    assert ("$.postulantes[1].documentos[2].paginas: indique el número de páginas: las bases «migraciones-2020» "
            "lo piden por documento") in salida.output
    sunedu = json.loads((ROOT / "docs" / "examples" / "cas-140-2026-sunedu.json").read_text(encoding="utf-8"))
    del sunedu["postulantes"][0]["documentos"][0]["paginas"]
    archivo.write_text(json.dumps(sunedu, ensure_ascii=False), encoding="utf-8")
    assert CliRunner().invoke(casadmin_group, ["simulate", str(archivo)]).exit_code == 0
