"""The rules engine on the database (issue 3, items 6 and 8): import a call from the interchange
format, export it back, and evaluate its stages with the same plugins as ``casadmin simulate``.

Every call imported here gets a code and number of its own (the demo already holds the
examples' codes), and no stage of these calls has more rows than the demo's, so the other
modules still find the demo calls they look for.
"""

from __future__ import annotations

import copy
import importlib.metadata
import datetime as dt
import itertools
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_engine_paralelo import _vivo

from casadmin import comite, engine_db
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.engine import interchange, report
from casadmin.engine.model import Resultado as Resultado_motor
from casadmin.engine.run import simular
from casadmin.engine_db import _postulante
from casadmin.ficha import digest
from casadmin.hookspecs import hookimpl
from casadmin.models.enums import EstadoPostulacion, Etapa, ProgramaOfimatica, Resultado
from casadmin.peru.clock import now

ROOT = Path(__file__).resolve().parent.parent
EJEMPLOS = {
    "sunedu": ROOT / "docs" / "examples" / "cas-140-2026-sunedu.json",
    "migraciones": ROOT / "docs" / "examples" / "cas-027-2026-migraciones.json",
}
_numeros = itertools.count(7101)

#: The installed CAS Admin's version: what its plugins record with their results (F3).
VERSION = importlib.metadata.version("casadmin")

#: Rows an import writes, to prove that a refused one writes none.
CONTADOS = (m.Entidad, m.VersionBases, m.Convocatoria, m.PerfilPuesto, m.HitoCronograma, m.Usuario, m.Postulante,
            m.FormacionAcademica, m.Capacitacion, m.ExperienciaLaboral, m.Postulacion, m.DocumentoPostulacion,
            m.Archivo, m.ResultadoEtapa, m.ItemVerificacion, m.MiembroComite, m.HojaEntrevista, m.RegistroAuditoria)


def _conteos(db) -> dict[str, int]:
    return {t.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in CONTADOS}


def _rechazada(db, d: dict) -> list[tuple[str, str]]:
    """The errors of an import refused as a whole (nothing written: checked)."""
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert _conteos(db) == antes
    return err.value.errores


def datos(ejemplo: str, postulantes: int | None = None) -> dict:
    """An example file under a code and number of its own (optionally its first applicants only)."""
    d = interchange.leer(EJEMPLOS[ejemplo].read_bytes())
    n = next(_numeros)
    c = d["convocatoria"]
    c["numero"] = n
    c["codigo"] = f"CAS N° {n}-{c['anio']}-{d['entidad']['siglas']}"  # codes end with the siglas (test_scoping)
    if postulantes is not None:
        d["postulantes"] = d["postulantes"][:postulantes]
    return d


def simulacion(d: dict, hasta: str | None = None, pm=None) -> dict:
    arch = interchange.cargar(d)
    sim = simular(pm or pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, decisiones=arch.decisiones,
                  hasta=hasta)
    return report.como_dict(sim)


def _filas(db, codigo: str, etapa: str) -> dict[str, m.ResultadoEtapa]:
    """The evaluated rows of a stage, by the applicant's id in the file."""
    filas = db.session.scalars(
        sa.select(m.ResultadoEtapa).join(m.Convocatoria).where(
            m.Convocatoria.codigo == codigo, m.ResultadoEtapa.etapa == Etapa[etapa],
            m.ResultadoEtapa.evaluado_en.is_not(None)).order_by(m.ResultadoEtapa.postulacion_id)
    ).all()
    return {f.postulacion.ficha["intercambio"]["id"]: f for f in filas}


def _como_simulate(fila: m.ResultadoEtapa) -> tuple:
    return fila.resultado.name, fila.puntaje, fila.motivos


def _esperado(r: dict) -> tuple:
    return r["resultado"], None if r["puntaje"] is None else Decimal(r["puntaje"]), r["motivos"]


# --- import and export ----------------------------------------------------------------------


@pytest.mark.parametrize("ejemplo", sorted(EJEMPLOS))
def test_import_then_export_gives_the_same_results_as_the_file(db, ejemplo):
    d = datos(ejemplo)
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    codigo = conv.codigo
    cuenta = engine_db.conteos(db.session, codigo)
    assert cuenta["postulaciones"] == len(d["postulantes"])
    assert cuenta["documentos"] == sum(len(p.get("documentos", ())) for p in d["postulantes"])
    assert cuenta["hojas_entrevista"] == sum(len(p.get("entradas", {}).get("entrevista", {}).get("hojas", ()))
                                             for p in d["postulantes"])
    assert cuenta["miembros_comite"] == 2 and cuenta["resultados"] == 0
    # §4.2.5 b: the members who scored are the committee's two seats, as its screens hold them
    assert len(comite.CALIFICADORES) == interchange.CALIFICAN
    assert sorted(r.name for r in db.session.scalars(sa.select(m.MiembroComite.rol).join(m.Convocatoria).where(
        m.Convocatoria.codigo == codigo))) == ["area_usuaria", "orh"]

    # The bases version is pinned (F3) and each application keeps its frozen Ficha and hash (C3).
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.codigo == codigo))
    assert conv.version_bases.codigo == d["bases"] and conv.entidad.siglas == d["entidad"]["siglas"]
    for app in db.session.scalars(sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id)):
        assert app.ficha_sha256 == digest(app.ficha) and app.ficha["formacion_academica"]

    exportado = json.loads(json.dumps(engine_db.exportar(db.session, codigo), default=str))
    assert interchange.validar(exportado) == []
    assert "resultados" not in exportado  # nothing evaluated yet
    assert [p["id"] for p in exportado["postulantes"]] == [p["id"] for p in d["postulantes"]]
    assert simulacion(exportado) == simulacion(d)


def test_the_young_flag_follows_the_bases_versions_age_limit(db, monkeypatch):
    """§4.3.2: the «joven» flag an import stores is Ley 31533's age as the bases version sets it
    (``ley31533.edad_maxima``, read through ``BasesVersion.edad_maxima_31533``), not a fixed 29."""
    from casadmin.engine.bases import BasesVersion

    def flags(limite: int | None) -> dict[str, bool]:
        if limite is not None:
            monkeypatch.setattr(BasesVersion, "edad_maxima_31533", lambda self, inicio: limite)
        conv = engine_db.importar(db.session, datos("sunedu"))
        return {p.ficha["intercambio"]["id"]: p.joven_31533 for p in db.session.scalars(
            sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id))}

    normal = flags(None)
    assert any(normal.values()) and not all(normal.values())  # the example has both
    assert all(flags(120).values()) and not any(flags(1).values())


def test_applicants_already_stored_are_found_by_document_and_keep_their_profile(db):
    primero = datos("sunedu", postulantes=3)
    engine_db.importar(db.session, copy.deepcopy(primero))
    post = db.session.scalar(sa.select(m.Postulante).where(m.Postulante.numero_documento == "40001111"))
    experiencias = len(post.experiencias)
    segundo = datos("sunedu", postulantes=3)
    segundo["postulantes"][0]["ficha"]["experiencias"] = segundo["postulantes"][0]["ficha"]["experiencias"][:1]
    antes = _conteos(db)
    conv = engine_db.importar(db.session, copy.deepcopy(segundo))
    despues = _conteos(db)
    assert despues["Postulante"] == antes["Postulante"] and despues["Postulacion"] == antes["Postulacion"] + 3
    db.session.expire_all()
    assert len(post.experiencias) == experiencias  # the live profile stays as it was
    app = db.session.scalar(sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id,
                                                          m.Postulacion.postulante_id == post.id))
    assert len(app.ficha["experiencia_laboral"]) == 1  # the application keeps the Ficha it declared
    assert simulacion(engine_db.exportar(db.session, conv.codigo)) == simulacion(segundo)


def test_committee_decisions_and_results_in_the_file_are_stored(db):
    d = datos("sunedu")
    d["decisiones_comite"] = [{"orden": ["P09", "P01"], "sustento": "Mayor experiencia en supervisión"}]
    d["resultados"] = simulacion(d, hasta="ficha")
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    exportado = engine_db.exportar(db.session, conv.codigo)
    assert exportado["decisiones_comite"] == d["decisiones_comite"]
    guardados = exportado["resultados"]["etapas"]["ficha"]
    assert [(r["postulante"], r["resultado"], r["motivos"]) for r in guardados] == \
        [(r["postulante"], r["resultado"], r["motivos"]) for r in d["resultados"]["etapas"]["ficha"]]
    assert guardados[0]["regla"].startswith("sunedu.ficha==")
    assert engine_db.resumen_etapas(db.session, conv.codigo) == {"ficha": {"apto": 8, "no_apto": 2}}


def test_every_kind_of_stage_input_survives_the_round_trip(db):
    d = datos("sunedu")
    p = {x["id"]: x for x in d["postulantes"]}
    p["P02"]["entradas"]["ficha_override"] = {"resultado": "apto", "sustento": "Constancia presentada en plazo"}
    p["P03"]["entradas"]["verificacion_manual"] = {"anexos_firmados": True, "ficha_firmada": False}
    p["P04"]["documentos"][0]["en_plazo"] = False
    p["P05"]["entradas"]["curricular"] = {"expediente": True, "en_plazo": False, "factores": {"cursos": False}}
    p["P06"]["entradas"]["entrevista"] = {"asistio": False}
    p["P07"]["entradas"]["psicologica"] = {"asistio": False}
    p["P08"]["ficha"]["firma"] = False
    # A new applicant with a course still in progress (no end date) and an office program.
    p["P09"]["documento"]["numero"] = "77123456"
    p["P09"]["email"] = "p09.prueba@example.pe"
    del p["P09"]["ficha"]["capacitaciones"][0]["fecha_fin"]
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    exportado = json.loads(json.dumps(engine_db.exportar(db.session, conv.codigo), default=str))
    assert interchange.validar(exportado) == []
    e = {x["id"]: x for x in exportado["postulantes"]}
    for ident in p:  # the same engine model: inputs, documents and Ficha (numbers as exact decimals)
        assert interchange.candidato(e[ident]) == interchange.candidato(p[ident]), ident
    assert e["P04"]["documentos"][0]["en_plazo"] is False and e["P08"]["ficha"]["firma"] is False
    assert e["P09"]["email"] == "p09.prueba@example.pe" and "fecha_fin" not in e["P09"]["ficha"]["capacitaciones"][0]
    assert simulacion(exportado) == simulacion(d)
    nuevo = db.session.scalar(sa.select(m.Postulante).where(m.Postulante.numero_documento == "77123456"))
    assert not nuevo.usuario.active and nuevo.firma_archivo_id is not None
    assert len(nuevo.capacitaciones) == len(p["P09"]["ficha"]["capacitaciones"]) - 1


def test_an_invalid_file_writes_nothing_and_names_every_field(db):
    d = json.loads(json.dumps(datos("sunedu"), default=str))
    del d["convocatoria"]["organo"]
    d["postulantes"][3]["entradas"]["examen"]["puntaje"] = "diez"
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    rutas = [ruta for ruta, _ in err.value.errores]
    assert "$.convocatoria.organo" in rutas and "$.postulantes[3].entradas.examen.puntaje" in rutas
    assert _conteos(db) == antes


def test_import_reports_what_the_tables_cannot_keep_with_the_files_other_mistakes(db):
    """One run, every mistake: a committee decision naming no applicant (the format's) and a course's hours
    with two decimals (what the tables cannot keep: one) together, nothing written."""
    d = json.loads(json.dumps(datos("sunedu"), default=str))
    d["decisiones_comite"] = [{"orden": ["P09", "NOEXISTE"], "sustento": "Mayor experiencia"}]
    d["postulantes"][2]["ficha"]["capacitaciones"][0]["horas"] = "26.25"
    interchange.cargar({**d, "decisiones_comite": []})  # simulate takes the hours
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert [ruta for ruta, _ in err.value.errores] == ["$.decisiones_comite[0].orden[1]",
                                                       "$.postulantes[2].ficha.capacitaciones[0].horas"]
    assert _conteos(db) == antes


def test_a_date_that_does_not_exist_is_refused_at_its_field_and_nothing_is_written(db):
    d = json.loads(json.dumps(datos("sunedu"), default=str))
    d["postulantes"][4]["ficha"]["capacitaciones"][0]["fecha_fin"] = "2024-06-31"
    d["convocatoria"]["cronograma"][0]["inicio"] = "2026-04-31T08:00:00"
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert [ruta for ruta, _ in err.value.errores] == [  # both at once, the call's first
        "$.convocatoria.cronograma[0].inicio", "$.postulantes[4].ficha.capacitaciones[0].fecha_fin"]
    del d["convocatoria"]["cronograma"]
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert err.value.errores == [("$.postulantes[4].ficha.capacitaciones[0].fecha_fin",
                                  "fecha u hora que no existe: «2024-06-31»")]
    assert _conteos(db) == antes


def test_what_the_tables_cannot_keep_is_refused_with_its_path(db):
    d = datos("sunedu")
    d["convocatoria"]["perfil"]["formacion"]["condicion"] = "egresado"  # no such profile level (B2)
    d["postulantes"][0]["entradas"]["examen"]["puntaje"] = "26.125"
    d["postulantes"][1]["ficha"]["capacitaciones"][0]["creditos"] = "12.25"
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert [ruta for ruta, _ in err.value.errores] == [
        "$.convocatoria.perfil.formacion", "$.postulantes[0].entradas.examen.puntaje",
        "$.postulantes[1].ficha.capacitaciones[0].creditos"]
    assert _conteos(db) == antes


def test_an_imported_ficha_without_firma_is_not_signed_and_a_language_listed_twice_keeps_its_higher_level(db):
    """§4.1 Ficha de Postulante (10): import stores no signature for a Ficha without «firma», and the stage
    judges it unsigned, as simulate does. §4.2.1 n: a portal Ficha may list a language twice; the database
    reads it at its higher level, in either order (levels.niveles_mas_altos)."""
    d = datos("sunedu")
    del d["postulantes"][0]["ficha"]["firma"]
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    engine_db.evaluar(db.session, conv.codigo, "ficha")
    fila = _filas(db, conv.codigo, "ficha")["P01"]
    assert fila.resultado is Resultado.no_apto and fila.postulacion.ficha["firma_archivo_id"] is None
    assert any(x["requisito"] == "Firma digitalizada" and not x["cumple"] for x in fila.motivos)
    assert _como_simulate(fila) == _esperado(next(r for r in simulacion(d, "ficha")["etapas"]["ficha"]
                                                  if r["postulante"] == "P01"))
    from casadmin.rules.levels import niveles_mas_altos
    from casadmin.rules.types import Nivel

    for orden in ((Nivel.AVANZADO, Nivel.BASICO), (Nivel.BASICO, Nivel.AVANZADO)):
        assert niveles_mas_altos([("Inglés", n) for n in orden] + [("Quechua", Nivel.BASICO)]) == {
            "Inglés": Nivel.AVANZADO, "Quechua": Nivel.BASICO}
    assert niveles_mas_altos([("Inglés", "intermedio"), ("Inglés", "basico")]) == {"Inglés": "intermedio"}


def test_office_programs_by_other_names_in_a_file_are_the_fichas_d1(db):
    """§4.2.1 n: the Ficha declares three office programs by fixed names. A file's profile asking «Excel» and
    «Word» (as HR may write in the profile form, which stores the Ficha's names), and an applicant declaring
    «Microsoft Excel», mean those programs: simulate, import and evaluate agree, and the profile is stored
    as the form stores it. Before, «Excel» was stored as a language no Ficha could declare."""
    from casadmin.rules.levels import OFIMATICA

    assert set(OFIMATICA.values()) == {p.value for p in ProgramaOfimatica}
    d = datos("sunedu")
    d["convocatoria"]["perfil"]["conocimientos"] = {"Word": "intermedio", "Excel": "intermedio", "Inglés": "basico"}
    p01 = d["postulantes"][0]["ficha"]["conocimientos"]
    p01["Microsoft Excel"] = p01.pop("Hojas de cálculo")
    esperado = next(r for r in simulacion(d, "ficha")["etapas"]["ficha"] if r["postulante"] == "P01")
    n = [x for x in esperado["motivos"] if x["clausula"] == "§4.2.1 n"]
    assert [(x["requisito"], x["cumple"]) for x in n] == [
        ("Procesador de textos (nivel intermedio)", True), ("Hojas de cálculo (nivel intermedio)", True),
        ("Inglés (nivel básico)", True)]
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    assert sorted((c.tipo.name, c.nombre) for c in conv.perfil.conocimientos) == [
        ("idioma", "Inglés"), ("ofimatica", "Hojas de cálculo"), ("ofimatica", "Procesador de textos")]
    engine_db.evaluar(db.session, conv.codigo, "ficha")
    fila = _filas(db, conv.codigo, "ficha")["P01"]
    assert {o["programa"] for o in fila.postulacion.ficha["ofimatica"]} == {"procesador_texto", "hoja_calculo"}
    assert _como_simulate(fila) == _esperado(esperado)


def test_a_stored_profile_naming_one_program_or_language_twice_is_exported_once_at_the_higher_level(db):
    """A profile saved before the form refused it may name «Inglés» and «inglés», or a language «Excel» beside
    «Hojas de cálculo»: its export (what evaluate reads) names each once, at the higher level asked, so
    the call still evaluates (a file naming one twice is refused)."""
    d = datos("sunedu")
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    perfil = conv.perfil
    from casadmin.models.enums import NivelConocimiento, TipoConocimiento

    perfil.conocimientos.extend([
        m.RequisitoConocimiento(tipo=TipoConocimiento.idioma, nombre="inglés", nivel=NivelConocimiento.avanzado),
        m.RequisitoConocimiento(tipo=TipoConocimiento.idioma, nombre="Excel", nivel=NivelConocimiento.basico)])
    db.session.commit()
    exportado = engine_db.exportar(db.session, conv.codigo)
    assert exportado["convocatoria"]["perfil"]["conocimientos"] == {
        "Procesador de textos": "intermedio", "Hojas de cálculo": "intermedio", "Inglés": "avanzado"}
    interchange.cargar(exportado)
    assert engine_db.evaluar(db.session, conv.codigo, "ficha") is not None


def test_a_file_profile_asking_one_program_or_language_twice_is_refused_at_its_path(db):
    """§4.2.1 n: «Excel» and «Hojas de cálculo» are one program, «Inglés» and «inglés» one language: a profile
    listing one twice is refused at the second name, as the profile form refuses it, and nothing is written."""
    d = datos("sunedu")
    d["convocatoria"]["perfil"]["conocimientos"] = {
        "Hojas de cálculo": "basico", "Excel": "avanzado", "Inglés": "basico", "inglés": "intermedio"}
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(copy.deepcopy(d))
    assert err.value.errores == [
        ("$.convocatoria.perfil.conocimientos.Excel", "«Excel» es lo mismo que «Hojas de cálculo», que ya figura: "
                                                      "indíquelo una vez, con el nivel requerido (§4.2.1 n)"),
        ("$.convocatoria.perfil.conocimientos.inglés", "«inglés» es lo mismo que «Inglés», que ya figura: "
                                                       "indíquelo una vez, con el nivel requerido (§4.2.1 n)")]
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido):
        engine_db.importar(db.session, d)
    assert _conteos(db) == antes


def test_the_careers_and_topics_afines_accept_are_stored_evaluated_and_exported_d1(db):
    """§4.2.1 g, m (B2): with «afines», the evaluator's list of related careers and course topics. P01 studied
    Ciencia Política and took courses on «Administración del Estado»: No Apto/a against Derecho or Educación
    and «Gestión pública», Apto/a once the profile accepts those as afines. Import used to refuse both lists
    (the tables had no place for them), so a call made or imported in the app could not accept them."""
    d = datos("sunedu")
    p01 = d["postulantes"][0]["ficha"]
    for f in p01["formacion"]:
        f["carrera"] = "Ciencia Política"
    for cap in p01["capacitaciones"]:
        cap["tema"] = cap["tema"].replace("Gestión pública", "Administración del Estado")

    def p01_ficha(datos_):
        r = next(r for r in simulacion(datos_, "ficha")["etapas"]["ficha"] if r["postulante"] == "P01")
        return r, {x["clausula"]: x["cumple"] for x in r["motivos"] if x["clausula"] in ("§4.2.1 e", "§4.2.1 g", "§4.2.4 c")}

    assert p01_ficha(d)[1] == {"§4.2.1 e": False, "§4.2.4 c": False}
    perfil = d["convocatoria"]["perfil"]
    perfil["formacion"].update(afines=True, carreras_afines=["Ciencia Política"])
    perfil["capacitaciones"][0].update(afines=True, temas_afines=["Administración del Estado"])
    esperado, cumple = p01_ficha(d)
    assert cumple == {"§4.2.1 g": True, "§4.2.4 c": True} and esperado["resultado"] == "apto"

    conv = engine_db.importar(db.session, copy.deepcopy(d))
    assert conv.perfil.carreras_afines == "Ciencia Política" and conv.perfil.acepta_afines
    cap = sorted(conv.perfil.capacitaciones, key=lambda x: x.id)[0]
    assert cap.acepta_afines and cap.temas_afines == "Administración del Estado"
    engine_db.evaluar(db.session, conv.codigo, "ficha")
    assert _como_simulate(_filas(db, conv.codigo, "ficha")["P01"]) == _esperado(esperado)
    exportado = engine_db.exportar(db.session, conv.codigo)["convocatoria"]["perfil"]
    assert exportado["formacion"]["carreras_afines"] == ["Ciencia Política"]
    assert exportado["capacitaciones"][0] == {"tipo": "curso", "tema": "Gestión pública", "horas": 60, "afines": True,
                                              "temas_afines": ["Administración del Estado"]}
    assert "afines" not in exportado["capacitaciones"][1]


def test_a_list_of_afines_where_the_profile_accepts_none_or_that_cannot_be_stored_is_refused(db):
    """The lists count only with «afines» (the profile form refuses them otherwise): simulate and import
    refuse them at their paths. Import also refuses an item it could not store as one (a career holding
    the comma that separates them, a topic holding «;»), or a blank one."""
    d = datos("sunedu")
    perfil = d["convocatoria"]["perfil"]
    perfil["formacion"]["carreras_afines"] = ["Ciencia Política"]
    perfil["capacitaciones"][1]["temas_afines"] = ["Fiscalización"]
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(copy.deepcopy(d))
    assert err.value.errores == [
        ("$.convocatoria.perfil.formacion.carreras_afines",
         "solo un perfil que acepta afines («afines»: true) admite otras carreras (§4.2.1 g)"),
        ("$.convocatoria.perfil.capacitaciones[1].temas_afines",
         "solo un requisito que acepta afines («afines»: true) admite otros temas (§4.2.1 m)")]
    perfil["formacion"].update(afines=True, carreras_afines=["Ciencia Política, Sociología", " "])
    perfil["capacitaciones"][1].update(afines=True, temas_afines=["Fiscalización; control"])
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert sorted(err.value.errores) == [
        ("$.convocatoria.perfil.capacitaciones[1].temas_afines[0]", "un tema afín no puede contener «;»"),
        ("$.convocatoria.perfil.formacion.carreras_afines[0]", "una carrera no puede contener comas"),
        ("$.convocatoria.perfil.formacion.carreras_afines[1]", "texto en blanco")]
    assert _conteos(db) == antes


def test_a_stage_score_of_a_file_too_large_to_store_is_refused_at_its_path(db):
    """A stage score is stored as Numeric(7, 2), and the final score adds the stages': a result of 100000
    stopped PostgreSQL's import with «numeric field overflow» and no path (SQLite stored it)."""
    d = datos("sunedu")
    d["resultados"] = simulacion(d, hasta="examen")
    fila = next(i for i, r in enumerate(d["resultados"]["etapas"]["examen"]) if r.get("puntaje") is not None)
    d["resultados"]["etapas"]["examen"][fila]["puntaje"] = "100000"
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, copy.deepcopy(d))
    assert err.value.errores == [(f"$.resultados.etapas.examen[{fila}].puntaje",
                                  "puntaje no negativo con hasta dos decimales y no mayor que 9999.99")]
    assert _conteos(db) == antes


def test_a_required_topic_with_no_letter_or_digit_is_refused_at_its_path(db):
    """§4.2.1 i: a topic such as «—» has no word a declared course could name, so nobody would ever meet it.
    simulate and import refuse it, as the profile form does, at the topic or the similar topic; a topic
    of one letter or digit is a word."""
    d = datos("sunedu")
    caps = d["convocatoria"]["perfil"]["capacitaciones"]
    caps[0]["tema"] = "— —"
    caps[1].update(afines=True, temas_afines=["Fiscalización", "..."])
    motivo = "la temática debe tener letras o números: una sin ellos no la puede nombrar ningún curso (§4.2.1 i)"
    esperado = [("$.convocatoria.perfil.capacitaciones[0].tema", motivo),
                ("$.convocatoria.perfil.capacitaciones[1].temas_afines[1]", motivo)]
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(copy.deepcopy(d))
    assert err.value.errores == esperado
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, copy.deepcopy(d))
    assert err.value.errores == esperado and _conteos(db) == antes
    caps[0]["tema"], caps[1]["temas_afines"] = "C#", ["R"]
    interchange.cargar(d)


def test_import_reports_what_the_tables_cannot_keep_with_the_schemas_mistakes(db):
    """One run says it all: a name that is not a text (the schema's) and a course's hours with two decimals
    (what the tables cannot keep) were reported one run after the other."""
    d = json.loads(json.dumps(datos("sunedu"), default=str))
    d["postulantes"][0]["ficha"]["capacitaciones"][0]["horas"] = "26.25"
    d["postulantes"][3]["nombres"] = 5
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    rutas = [r for r, _ in err.value.errores]
    assert "$.postulantes[0].ficha.capacitaciones[0].horas" in rutas and "$.postulantes[3].nombres" in rutas
    # a value of the wrong type that the tables' check meets too (Decimal(«True»)): the schema's message, no traceback
    d = json.loads(json.dumps(datos("sunedu"), default=str))
    d["postulantes"][2]["ficha"]["capacitaciones"][0]["horas"] = True
    assert [r for r, _ in _rechazada(db, d)] == ["$.postulantes[2].ficha.capacitaciones[0].horas"]


def test_the_cause_of_an_interview_not_taken_is_imported_evaluated_and_exported_d6(db):
    """§4.2.5 c, d: a file's ``entrevista.causa`` (no sheets: the candidate did not take it) is kept on the
    stage's attendance item, evaluated as simulate evaluates it, and exported as it came."""
    from finales import importar_y_evaluar

    d = datos("sunedu")
    p08 = next(p for p in d["postulantes"] if p["id"] == "P08")
    p08["entradas"]["entrevista"] = {"asistio": False, "causa": "incumplio_indicaciones"}
    conv = importar_y_evaluar(db, d)
    r = _filas(db, conv.codigo, "entrevista")["P08"]
    assert r.resultado == Resultado.no_apto and r.motivos[0]["clausula"] == "§4.2.5 c"
    simulado = {x["postulante"]: x for x in simulacion(d, hasta="entrevista")["etapas"]["entrevista"]}
    assert (simulado["P08"]["resultado"], simulado["P08"]["motivos"]) == ("no_apto", r.motivos)
    exportado = engine_db.exportar(db.session, conv.codigo)
    e08 = next(p for p in exportado["postulantes"] if p["id"] == "P08")
    assert e08["entradas"]["entrevista"] == {"asistio": False, "causa": "incumplio_indicaciones"}


def test_a_compound_paternal_surname_survives_export_and_import(db):
    """«DE LA CRUZ» «PÉREZ» was exported as «DE LA CRUZ PÉREZ» and came back as «DE» «LA CRUZ PÉREZ». The format
    carries the two surnames apart (optional ``apellido_paterno``, ``apellido_materno``) and the export writes
    them where the paternal one has a space; a file whose parts do not make ``apellidos`` is refused."""
    d = datos("sunedu")
    p0 = d["postulantes"][0]
    p0.update(apellidos="DE LA CRUZ PÉREZ", apellido_paterno="DE LA CRUZ", apellido_materno="PÉREZ")
    p0["documento"]["numero"] = f"7{d['convocatoria']['numero'] % 10**7:07d}"
    conv = engine_db.importar(db.session, d)
    guardado = db.session.scalar(sa.select(m.Postulante).where(m.Postulante.numero_documento == p0["documento"]["numero"]))
    assert (guardado.apellido_paterno, guardado.apellido_materno) == ("DE LA CRUZ", "PÉREZ")
    exportado = engine_db.exportar(db.session, conv.codigo)
    e0 = next(p for p in exportado["postulantes"] if p["documento"]["numero"] == p0["documento"]["numero"])
    assert (e0["apellidos"], e0["apellido_paterno"], e0["apellido_materno"]) == ("DE LA CRUZ PÉREZ", "DE LA CRUZ", "PÉREZ")
    assert "apellido_paterno" not in exportado["postulantes"][1]  # a plain one is written as before
    mal = json.loads(json.dumps(d, default=str))
    mal["postulantes"][0]["apellido_materno"] = "PEREZ"
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(mal)
    assert err.value.errores == [("$.postulantes[0].apellido_paterno",
                                  "apellidos debe ser el apellido paterno, un espacio y el materno: no coinciden")]


def test_an_applicant_with_a_stored_persons_document_must_be_that_person_c1(db):
    """A file giving a stored applicant's document with another birth date attached the application, and its
    Ficha, to that person's account (a mistyped number): refused at the path. Other names are told (a Ficha of
    an earlier call carries the names as they were before a correction of the profile); the same names in
    other case, accents or spaces are the same."""
    primero = datos("sunedu")
    engine_db.importar(db.session, primero)
    p01 = primero["postulantes"][0]
    otra = datos("sunedu")
    otra["postulantes"][0] = {**otra["postulantes"][0], "fecha_nacimiento": "1990-01-02"}
    assert _rechazada(db, otra) == [("$.postulantes[0].fecha_nacimiento", "el documento 40001111 ya es de un "
                                     "postulante registrado con otra fecha de nacimiento: corrija el documento o la fecha")]
    otros = datos("sunedu")
    otros["postulantes"][0] = {**otros["postulantes"][0], "nombres": "José María"}
    avisos: list[str] = []
    engine_db.importar(db.session, otros, avisos=avisos)
    assert any(f"figuran con otros nombres ({p01['id']})" in a for a in avisos)
    misma = datos("sunedu")
    misma["postulantes"][0] = {**misma["postulantes"][0], "nombres": "  " + p01["nombres"].upper() + " ",
                               "apellidos": p01["apellidos"].lower()}
    avisos.clear()
    assert engine_db.importar(db.session, misma, avisos=avisos) is not None
    assert not any("otros nombres" in a for a in avisos)


def test_an_institution_named_as_another_is_refused_and_one_that_exists_keeps_its_data(db):
    """The file's institution is found by its siglas. Another institution's name under new siglas was refused by
    the database («UNIQUE constraint failed: entidad.nombre»), with no path; existing siglas with another name
    kept the stored name silently, so the export differed from the file."""
    sunedu = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
    d = datos("sunedu")
    d["entidad"] = {**d["entidad"], "siglas": "NUEVA", "nombre": sunedu.nombre}
    assert _rechazada(db, d) == [("$.entidad.nombre", "ese nombre es el de la entidad SUNEDU: use sus siglas o el "
                                                      "nombre de esta entidad")]
    d = datos("sunedu")
    d["entidad"] = {**d["entidad"], "nombre": "Otro nombre de la SUNEDU"}
    avisos: list[str] = []
    engine_db.importar(db.session, d, avisos=avisos)
    assert "la entidad SUNEDU ya existe: se conservan su nombre" in " ".join(avisos)
    assert db.session.get(m.Entidad, sunedu.id).nombre == sunedu.nombre


def test_a_files_results_that_no_stage_gives_are_refused_at_their_paths(db):
    """A file's stored results (simulate --json's) were stored as they came: a Ficha «asistio», or with a
    score (§4.2.1 c: «no tiene puntaje»). Refused at their paths, and nothing written. An exam result of
    someone the Ficha no longer lets through is kept: an export of a call whose exam is out of date
    («Resultados desactualizados», tests/test_etapas_desactualizadas.py) holds one."""
    d = datos("sunedu")
    d = json.loads(json.dumps({**d, "resultados": simulacion(d)}, default=str))
    ficha = d["resultados"]["etapas"]["ficha"]
    ficha[0]["resultado"] = "asistio"
    ficha[1]["puntaje"] = "5"
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, interchange.leer(json.dumps(d).encode()))
    assert err.value.errores == [
        ("$.resultados.etapas.ficha[0].resultado", "la etapa «ficha» no da el resultado «asistio»; da: apto, no_apto"),
        ("$.resultados.etapas.ficha[1].puntaje", "la etapa «ficha» no tiene puntaje")]
    assert _conteos(db) == antes
    # results of a stage the call does not include (B1) were stored, and exported as the call's
    sin_psicologica = copy.deepcopy(d)
    sin_psicologica["convocatoria"]["incluye_psicologica"] = False
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, interchange.leer(json.dumps(sin_psicologica).encode()))
    assert ("$.resultados.etapas.psicologica",
            "la convocatoria no incluye esta etapa (incluye_psicologica es false)") in err.value.errores
    assert _conteos(db) == antes
    ficha[0]["resultado"], ficha[1]["puntaje"] = "no_apto", None  # the exam's results stay, out of date
    assert engine_db.importar(db.session, interchange.leer(json.dumps(d).encode())) is not None


def test_a_reason_with_a_field_of_its_own_is_refused_at_its_path_not_stored(db):
    """A stage result's reasons carry the six fields of a reason (issue 3 item 5); one more, in a file that
    brings simulate's results, used to be stored as it came, and a number there (read as a Decimal)
    stopped the import on PostgreSQL with a traceback. Found by the property tests."""
    d = datos("sunedu")
    d = json.loads(json.dumps({**d, "resultados": simulacion(d)}, default=str))
    d["resultados"]["etapas"]["ficha"][4]["motivos"][0]["extra"] = 2.5
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, interchange.leer(json.dumps(d).encode()))
    assert [(r, msg.split(" (")[0]) for r, msg in err.value.errores] == [
        ("$.resultados.etapas.ficha[4].motivos[0]", "campo no reconocido")]
    assert _conteos(db) == antes


def test_a_nul_character_and_scores_beyond_the_bases_are_refused_with_their_paths_together(db):
    """PostgreSQL cannot keep a NUL character in text (it used to answer "the database refused the
    import" with no path); an exam score above the bases' 30 (§4.2.2 l) and a factor above its 8
    (§4.2.5 f, i) would make every later evaluation fail; a third member's sheet would make a committee its
    screens refuse (two area members, §4.2.5 b): all refused at once, nothing written."""
    d = datos("sunedu")
    d["postulantes"][2]["nombres"] = "Ana\x00María"
    d["postulantes"][4]["ficha"]["otros"] = ["Disponibilidad\x00"]
    with pytest.raises(interchange.ArchivoInvalido) as err:  # read from its file, as casadmin import reads it
        interchange.leer(json.dumps(d, default=str).encode())
    assert err.value.errores == [(ruta, "el texto contiene un carácter nulo (\\u0000), que no se puede guardar")
                                 for ruta in ("$.postulantes[2].nombres", "$.postulantes[4].ficha.otros[0]")]
    d = datos("sunedu")
    d["postulantes"][0]["entradas"]["examen"]["puntaje"] = 31
    d["postulantes"][0]["entradas"]["entrevista"]["hojas"][1]["factores"]["trabajo_equipo"] = "8.5"
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert {ruta: msg.split(" (")[0] for ruta, msg in err.value.errores} == {
        "$.postulantes[0].entradas.examen.puntaje": "el puntaje del examen va de 0 a 30",
        "$.postulantes[0].entradas.entrevista.hojas[1].factores.trabajo_equipo": "el puntaje de este factor va de 0 a 8"}
    hojas = d["postulantes"][0]["entradas"]["entrevista"]["hojas"]
    hojas.append({**hojas[0], "miembro": "M3"})  # a third scoring member: the committee has two (§4.2.5 b)
    d["postulantes"][1]["documentos"][0]["tipo"] = "anexos"  # not a document of the bases
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert {ruta: msg.split(" (")[0] for ruta, msg in err.value.errores} == {
        "$.postulantes[0].entradas.examen.puntaje": "el puntaje del examen va de 0 a 30",
        "$.postulantes[0].entradas.entrevista.hojas[1].factores.trabajo_equipo": "el puntaje de este factor va de 0 a 8",
        "$.postulantes[0].entradas.entrevista.hojas[2].miembro":
            "M3 sería otro integrante que califica, además de M1 y M2: el Comité de Entrevista lo integran un "
            "representante de la Oficina de Recursos Humanos y uno del área usuaria; el/la Veedor/a no califica",
        "$.postulantes[1].documentos[0].tipo": "tipo de documento no reconocido por las bases «sunedu-2026»; sus "
                                               "tipos son: anexos_11_12_13"}
    hojas.pop()
    d["postulantes"][1]["documentos"][0]["tipo"] = "anexos_11_12_13"
    d["convocatoria"]["posiciones"] = 0  # beside a schema mistake, in the same run
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert [ruta for ruta, _ in err.value.errores] == [
        "$.convocatoria.posiciones", "$.postulantes[0].entradas.entrevista.hojas[1].factores.trabajo_equipo",
        "$.postulantes[0].entradas.examen.puntaje"]
    assert _conteos(db) == antes


#: Every text of the format that a table keeps in a column of limited length, and that column: the schema
#: gives each its column's length (``maxLength``), so a longer one is refused at its path on every database
#: (PostgreSQL used to refuse the whole import with "value too long" and no path; SQLite kept it).
_TEXTOS_LIMITADOS = [
    (("entidad", "nombre"), m.Entidad.nombre),
    (("convocatoria", "codigo"), m.Convocatoria.codigo),
    (("convocatoria", "nombre_puesto"), m.Convocatoria.nombre_puesto),
    (("convocatoria", "cargo_estructural"), m.Convocatoria.cargo_estructural),
    (("convocatoria", "organo"), m.Convocatoria.organo),
    (("convocatoria", "unidad_organica"), m.Convocatoria.unidad_organica),
    (("convocatoria", "lugar"), m.Convocatoria.lugar),
    (("convocatoria", "duracion_contrato"), m.Convocatoria.duracion_contrato),
    (("convocatoria", "perfil", "capacitaciones", 0, "tema"), m.RequisitoCapacitacion.tema),
    (("convocatoria", "perfil", "otros", 0), m.RequisitoOtro.descripcion),
    (("postulantes", 0, "nombres"), m.Postulante.nombres),
    (("postulantes", 0, "email"), m.Postulante.email),
    (("postulantes", 0, "documentos", 0, "tipo"), m.DocumentoPostulacion.tipo),
    (("postulantes", 0, "ficha", "formacion", 0, "carrera"), m.FormacionAcademica.carrera),
    (("postulantes", 0, "ficha", "formacion", 0, "centro"), m.FormacionAcademica.institucion),
    (("postulantes", 0, "ficha", "capacitaciones", 0, "tema"), m.Capacitacion.tema),
    (("postulantes", 0, "ficha", "capacitaciones", 0, "institucion"), m.Capacitacion.institucion),
    (("postulantes", 0, "ficha", "experiencias", 0, "empleador"), m.ExperienciaLaboral.empleador),
    (("postulantes", 0, "ficha", "experiencias", 0, "puesto"), m.ExperienciaLaboral.puesto),
    (("postulantes", 0, "ficha", "otros", 0), m.OtroRequisitoDeclarado.descripcion),
]


def _con_textos(d: dict, de_mas: int) -> dict:
    """``d`` with every text of :data:`_TEXTOS_LIMITADOS` as long as its column allows, plus ``de_mas``
    characters (an e-mail address stays one); its first applicant is new, so that every value is stored."""
    for nodo in (d["convocatoria"]["perfil"], d["postulantes"][0]["ficha"]):
        nodo["otros"] = nodo.get("otros") or ["Disponibilidad para viajar"]
    d["postulantes"][0]["documento"] = {"tipo": "DNI", "numero": f"6{d['convocatoria']['numero']:07d}"}
    for ruta, columna in _TEXTOS_LIMITADOS:
        *camino, clave = ruta
        nodo = d
        for paso in camino:
            nodo = nodo[paso]
        n = columna.type.length + de_mas
        if clave == "codigo":  # still the call's own code, with the siglas at its end (test_scoping)
            nodo[clave] = nodo[clave].rjust(n, "0")
        elif clave == "email":
            nodo[clave] = "ñ" * (n - len("@ejemplo.pe")) + "@ejemplo.pe"
        else:
            nodo[clave] = ("Ñandú " * n)[:n - 1] + "ú"
    return d


def test_texts_longer_than_their_columns_are_refused_at_their_paths_on_every_database(db):
    """A text one character longer than the column that keeps it: refused at its path, every one in one run,
    nothing written. At the column's length exactly, the same texts are imported and stored whole (on
    PostgreSQL this proves that each ``maxLength`` of the schema is the column's). The two surnames
    (split at the first space) and the names of knowledge items, whose lengths the schema cannot
    state, are checked against their columns too."""
    largo = _con_textos(datos("sunedu"), 1)
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, largo)
    esperadas = {interchange._ruta(ruta) for ruta, _ in _TEXTOS_LIMITADOS}
    assert {ruta for ruta, _ in err.value.errores} == esperadas
    assert err.value.errores[0] == ("$.convocatoria.cargo_estructural",
                                    "texto demasiado largo (201 caracteres; el máximo es 200)")
    assert all(msg.startswith("texto demasiado largo (") for _, msg in err.value.errores)
    assert _conteos(db) == antes
    with pytest.raises(interchange.ArchivoInvalido) as err:  # simulate reads the same format
        interchange.cargar(_con_textos(datos("sunedu"), 1))
    assert {ruta for ruta, _ in err.value.errores} == esperadas

    justo = _con_textos(datos("sunedu"), 0)
    # A document's type is one of the bases' codes (interchange.fuera_de_bases): a longer one is refused above.
    justo["postulantes"][0]["documentos"][0]["tipo"] = "anexos_11_12_13"
    conv = engine_db.importar(db.session, copy.deepcopy(justo))
    p = justo["postulantes"][0]
    postulante = db.session.scalar(sa.select(m.Postulante).where(
        m.Postulante.numero_documento == p["documento"]["numero"]))
    assert (conv.nombre_puesto, conv.lugar, postulante.nombres, postulante.email) == (
        justo["convocatoria"]["nombre_puesto"], justo["convocatoria"]["lugar"], p["nombres"], p["email"])
    assert [x.empleador for x in postulante.experiencias][0] == p["ficha"]["experiencias"][0]["empleador"]

    otro = datos("sunedu")
    otro["postulantes"][1]["apellidos"] = "Q" * 101 + " Pérez"  # within the schema's 201, the paterno is not
    otro["postulantes"][2]["ficha"]["conocimientos"]["Q" * 61] = "basico"
    otro["convocatoria"]["perfil"]["conocimientos"]["Q" * 101] = "basico"
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, otro)
    assert [ruta for ruta, _ in err.value.errores] == [
        f"$.convocatoria.perfil.conocimientos.{'Q' * 101}", "$.postulantes[1].apellidos",
        f"$.postulantes[2].ficha.conocimientos.{'Q' * 61}"]
    assert _conteos(db) == antes


def test_numbers_the_columns_cannot_keep_exactly_are_refused_at_their_paths(db):
    """A course's hours (``NUMERIC(7, 1)``) and credits (``NUMERIC(5, 1)``) and the pay (``NUMERIC(12, 2)``)
    with more decimals than their columns keep, or credits beyond theirs: refused at their paths, nothing
    written. They used to be rounded without a word (a pay of 7500.555 stored as 7500.56, a course's
    40.25 hours kept as 40.25 in the frozen Ficha and 40.3 in the applicant's), and credits of 10,000 or
    more stopped the import on PostgreSQL with "numeric field overflow" and no path."""
    d = datos("sunedu")
    d["convocatoria"]["remuneracion"] = "7500.555"
    d["postulantes"][0]["ficha"]["capacitaciones"][0]["horas"] = "40.25"
    d["postulantes"][1]["ficha"]["capacitaciones"][0]["creditos"] = 10000
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert err.value.errores == [
        ("$.convocatoria.remuneracion", "la remuneración admite hasta 2 decimales"),
        ("$.postulantes[0].ficha.capacitaciones[0].horas", "el valor admite hasta un decimal"),
        ("$.postulantes[1].ficha.capacitaciones[0].creditos", "el valor no puede pasar de 9999.9")]
    assert _conteos(db) == antes
    d["convocatoria"]["remuneracion"] = "7500.55"
    d["postulantes"][0]["ficha"]["capacitaciones"][0]["horas"] = "40.5"
    d["postulantes"][1]["ficha"]["capacitaciones"][0]["creditos"] = "9999.9"
    assert engine_db.importar(db.session, d).remuneracion == Decimal("7500.55")


def test_an_existing_code_is_refused_and_nothing_is_written(db):
    d = datos("migraciones")
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as exc:
        engine_db.importar(db.session, copy.deepcopy(d))
    assert exc.value.errores == [("$.convocatoria.codigo", f"ya existe la convocatoria «{conv.codigo}»: no se importó nada.")]
    otra = copy.deepcopy(d)
    otra["convocatoria"]["codigo"] = "CAS N° 7100-BIS-MIGRACIONES"  # same institution, number and year
    with pytest.raises(interchange.ArchivoInvalido) as exc:
        engine_db.importar(db.session, otra)
    [(ruta, mensaje)] = exc.value.errores
    assert ruta == "$.convocatoria.numero" and mensaje.startswith("ya existe la convocatoria N°")
    assert f"(«{conv.codigo}»)" in mensaje
    # with the file's other mistakes, in one run: a field the schema refuses, one the tables cannot keep
    otra = copy.deepcopy(d)
    otra["postulantes"][0]["fecha_nacimiento"] = "12/04/1988"
    with pytest.raises(interchange.ArchivoInvalido) as exc:
        engine_db.importar(db.session, otra)
    rutas = [r for r, _ in exc.value.errores]
    assert "$.convocatoria.codigo" in rutas and "$.postulantes[0].fecha_nacimiento" in rutas
    otra = copy.deepcopy(d)
    otra["postulantes"][0]["ficha"]["capacitaciones"][0]["horas"] = "26.25"
    with pytest.raises(interchange.ArchivoInvalido) as exc:
        engine_db.importar(db.session, otra)
    rutas = [r for r, _ in exc.value.errores]
    assert "$.convocatoria.codigo" in rutas and "$.postulantes[0].ficha.capacitaciones[0].horas" in rutas
    assert _conteos(db) == antes


def test_a_failure_half_way_rolls_back_the_whole_import(db):
    d = datos("migraciones")
    d["entidad"] = {"siglas": "PRUEBA-ROLLBACK", "nombre": "Entidad de prueba del rollback"}
    d["postulantes"][5]["documento"]["numero"] = "77000001"  # a new applicant…
    d["postulantes"][5]["email"] = "admin@casadmin.local"  # …whose e-mail is the administrator's
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert err.value.errores == [("$.postulantes[5].email", "el correo ya pertenece a otra cuenta")]
    assert _conteos(db) == antes
    assert db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "PRUEBA-ROLLBACK")) is None


def test_an_uninstalled_bases_version_is_refused_at_its_path_with_the_files_other_mistakes(db):
    """Named at $.bases, beside the file's other mistakes (it was reported alone, without a path, once
    they were fixed)."""
    d = datos("sunedu")
    d["bases"] = "no-instalada-2026"
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, copy.deepcopy(d))
    assert err.value.errores == [("$.bases", "ninguna versión de bases instalada se llama «no-instalada-2026»; "
                                             "instaladas: migraciones-2020, sunedu-2026 (casadmin plugins)")]
    d["postulantes"][0]["fecha_nacimiento"] = "2026-02-30"
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, d)
    assert [ruta for ruta, _ in err.value.errores] == ["$.bases", "$.postulantes[0].fecha_nacimiento"]


def test_a_bases_version_deactivated_for_the_institution_is_refused(db):
    """The call form offers only the institution's active bases versions and publishing refuses another
    (A4): an import pinned to a deactivated one is refused too, and writes nothing."""
    d = datos("sunedu")
    version = db.session.scalar(sa.select(m.VersionBases).join(m.Entidad).where(
        m.Entidad.siglas == d["entidad"]["siglas"], m.VersionBases.codigo == d["bases"]))
    assert version is not None and version.activa
    version.activa = False
    db.session.commit()
    try:
        antes = _conteos(db)
        with pytest.raises(engine_db.ImportacionRechazada, match="«sunedu-2026» está desactivada para SUNEDU"):
            engine_db.importar(db.session, d)
        assert _conteos(db) == antes
    finally:
        version.activa = True
        db.session.commit()
    assert engine_db.importar(db.session, d).version_bases_id == version.id


def test_a_demo_call_exports_to_a_valid_file(db):
    codigo = "CAS N° 140-2026-SUNEDU"
    exportado = json.loads(json.dumps(engine_db.exportar(db.session, codigo), default=str))
    assert interchange.validar(exportado) == []
    assert len(exportado["postulantes"]) == engine_db.conteos(db.session, codigo)["postulaciones"] > 0
    assert exportado["resultados"]["etapas"]["ficha"] and exportado["resultados"]["publicadas"]
    interchange.cargar(exportado)  # the engine reads it


# --- evaluate ---------------------------------------------------------------------------


def _esperar(condicion, segundos: float = 10.0) -> None:
    """Wait until ``condicion()`` holds (another thread makes it true); fails the test if it never does."""
    limite = time.monotonic() + segundos
    while not condicion():
        assert time.monotonic() < limite, "the condition never held"
        time.sleep(0.01)


def _lotes_guardados(monkeypatch) -> list[int]:
    """Spy on the batches stored on PostgreSQL (``engine_db._Copia.lote``): their sizes, in order."""
    guardados: list[int] = []
    original = engine_db._Copia.lote

    def lote(self, trozos, reglas):
        trozos = list(trozos)
        guardados.append(sum(t.count(b"\n") for t in trozos))
        return original(self, trozos, reglas)

    monkeypatch.setattr(engine_db._Copia, "lote", lote)
    return guardados


def _tras_guardar(monkeypatch, guardados: list[int], n: int):
    """A function that waits until ``n`` batches are stored (``_lotes_guardados``), to be called by a
    test plugin in this process or in a forked one (``engine_db._EnProcesos``)."""
    listo = multiprocessing.get_context("fork").Event()
    original = engine_db._Copia.lote

    def lote(self, trozos, reglas):
        original(self, trozos, reglas)
        if len(guardados) >= n:
            listo.set()

    monkeypatch.setattr(engine_db._Copia, "lote", lote)
    return lambda: _esperar(listo.is_set)


def _en_procesos(monkeypatch, db, si: bool = True) -> int:
    """Make the Ficha stage of any call be judged by two forked processes (``engine_db._EnProcesos``:
    PostgreSQL only) when ``si``; the number of processes ``evaluar`` then reports. The suite's browser
    tests leave threads running (their web server), which would keep ``evaluar`` from forking: they
    are idle meanwhile, and here they are let be."""
    if not si:
        return 1
    monkeypatch.setattr(engine_db, "MINIMO_PROCESOS", 1)
    monkeypatch.setattr(engine_db.run, "procesos_disponibles", lambda: 2)
    monkeypatch.setattr(engine_db.threading, "active_count", lambda: 1)
    return 2 if db.engine.dialect.name == "postgresql" else 1


def test_when_nobody_passes_a_stage_the_later_ones_are_evaluated_empty_and_the_call_is_desierto(db):
    """Nobody meets the profile (a course topic nobody declares): every Ficha is No apto, the exam has no
    candidates and evaluating it gives no result. The later stages used to be refused for good («La
    etapa examen aún no tiene resultados: evalúela primero», after evaluating it); a stage with no
    candidates left now counts as evaluated, each later one is evaluated empty, and the final step
    declares the call desierto for want of candidates meeting the requirements (§4.5 b), as simulate does."""
    from casadmin import etapas, final

    d = datos("sunedu")
    d["convocatoria"]["perfil"]["capacitaciones"][0]["tema"] = "Astrofísica"
    assert simulacion(d)["desierto"] == "sin_requisitos"
    conv = engine_db.importar(db.session, d)
    assert not etapas.evaluada(db.session, conv, "examen")  # the Ficha first
    assert engine_db.evaluar(db.session, conv.codigo, "ficha").conteo == {"no_apto": len(d["postulantes"])}
    for etapa in ("examen", "psicologica", "curricular", "entrevista"):
        assert etapas.evaluada(db.session, conv, etapa)
        assert engine_db.evaluar(db.session, conv.codigo, etapa).conteo == {}
    assert final.calcular(db.session, conv.codigo).sim.desierto == "sin_requisitos"



def test_a_call_whose_window_ended_with_no_application_is_evaluated_empty_and_desierto_4_5_a(db):
    """§4.5 a: nobody applied. Evaluating the Ficha gave no result, and every later stage was then
    refused («La etapa ficha aún no tiene resultados: evalúela primero», just after evaluating it). Once
    the application window has ended, the first stage has no candidates left either: it counts as
    evaluated, each later stage is evaluated empty, and the final step declares the call desierto for
    want of applicants. While the window is open, applications may still come: the Ficha waits."""
    from casadmin import etapas, final

    d = datos("sunedu", postulantes=0)
    assert simulacion(d)["desierto"] == "sin_postulantes"
    conv = engine_db.importar(db.session, d)
    assert conv.cronograma and all(h.fin < now() for h in conv.cronograma if h.tipo.name == "postulacion")
    assert etapas.evaluada(db.session, conv, "ficha")
    for etapa in ("ficha", "examen", "psicologica", "curricular", "entrevista"):
        assert etapas.evaluada(db.session, conv, etapa)
        assert engine_db.evaluar(db.session, conv.codigo, etapa).conteo == {}
    assert final.calcular(db.session, conv.codigo).sim.desierto == "sin_postulantes"

    abierta = datos("sunedu", postulantes=0)
    manana = (now() + dt.timedelta(days=1)).isoformat(timespec="seconds")
    abierta["convocatoria"]["cierre_postulacion"] = manana
    for hito in abierta["convocatoria"]["cronograma"]:
        if hito["tipo"] == "postulacion":
            hito["fin"] = manana
    conv = engine_db.importar(db.session, abierta)
    assert engine_db.evaluar(db.session, conv.codigo, "ficha").conteo == {}
    assert not etapas.evaluada(db.session, conv, "ficha")
    with pytest.raises(engine_db.EvaluacionRechazada, match="aún no tiene resultados"):
        engine_db.evaluar(db.session, conv.codigo, "examen")


@pytest.mark.parametrize(("lote", "procesos"), [(None, False), (3, False), (3, True)])
def test_evaluating_the_ficha_stores_what_simulate_gives(db, monkeypatch, lote, procesos):
    """On PostgreSQL the Ficha stage is judged and stored in batches (``lote``: 3 candidates), each
    stored by a thread while the next is judged, and for a large call judged by forked processes
    (``procesos``; every other batch each), which this one stores in order: the same rows, reasons,
    states and audit record."""
    monkeypatch.setattr(engine_db, "LOTE_COPIA", 2)  # PostgreSQL: the results go through COPY in several chunks
    if lote:
        monkeypatch.setattr(engine_db, "LOTE_EVALUACION", lote)
    esperados = _en_procesos(monkeypatch, db, procesos)
    guardados = _lotes_guardados(monkeypatch)
    d = datos("sunedu")
    codigo = engine_db.importar(db.session, copy.deepcopy(d)).codigo
    res = engine_db.evaluar(db.session, codigo, "ficha")
    assert res.procesos == esperados and not multiprocessing.active_children()
    if db.engine.dialect.name == "postgresql":
        assert guardados == ([3, 3, 3, 1] if lote else [10])
    else:
        assert guardados == []
    esperado = simulacion(d, hasta="ficha")
    assert res.conteo == {"apto": 8, "no_apto": 2}
    assert res.reglas == esperado["reglas"] == {"sunedu.ficha": f"sunedu.ficha=={VERSION}", "sunedu": f"sunedu=={VERSION}",
                                                 "sunedu.anexos": f"sunedu.anexos=={VERSION}"}
    filas = _filas(db, codigo, "ficha")
    for r in esperado["etapas"]["ficha"]:
        fila = filas[r["postulante"]]
        assert _como_simulate(fila) == _esperado(r)
        assert fila.reglas == res.reglas and fila.motivos[0].keys() >= {"requisito", "declarado", "computado",
                                                                        "clausula"}
    assert [e.name for e in db.session.scalars(sa.select(m.Postulacion.estado).join(m.Convocatoria).where(
        m.Convocatoria.codigo == codigo).order_by(m.Postulacion.id))].count("no_apto") == 2
    registro = db.session.scalar(sa.select(m.RegistroAuditoria).join(
        m.Convocatoria, m.Convocatoria.id == m.RegistroAuditoria.convocatoria_id)
        .where(m.Convocatoria.codigo == codigo).order_by(m.RegistroAuditoria.id.desc()).limit(1))
    assert registro.accion == "evaluar_etapa" and registro.despues["etapa"] == "ficha"


@pytest.mark.parametrize("procesos", [False, True])
def test_new_ficha_rows_are_inserted_in_batches_as_in_one_call(db, monkeypatch, procesos):
    """Applications without their Ficha row yet (as after applying on the web; an import creates them):
    the batches insert the rows the one call inserts (PostgreSQL), in the applications' order, also
    when forked processes judge them."""
    guardados = _lotes_guardados(monkeypatch)
    R = m.ResultadoEtapa

    def evaluada(lote: int) -> tuple:
        monkeypatch.setattr(engine_db, "LOTE_EVALUACION", lote)
        _en_procesos(monkeypatch, db, procesos)
        monkeypatch.setattr(engine_db, "MINIMO_PROCESOS", 1 if procesos and lote < 10 else None)
        conv = engine_db.importar(db.session, datos("sunedu"))
        de_la_ficha = sa.select(R.id).where(R.convocatoria_id == conv.id, R.etapa == Etapa.ficha)
        db.session.execute(sa.delete(m.ItemVerificacion).where(m.ItemVerificacion.resultado_etapa_id.in_(de_la_ficha)))
        db.session.execute(sa.delete(R).where(R.id.in_(de_la_ficha)))
        db.session.commit()
        res = engine_db.evaluar(db.session, conv.codigo, "ficha")
        filas = db.session.execute(sa.select(R, m.Postulacion).join(m.Postulacion).where(
            R.convocatoria_id == conv.id, R.etapa == Etapa.ficha).order_by(R.id)).all()
        return (res.conteo, res.reglas,
                [(p.ficha["intercambio"]["id"], p.estado, r.resultado, r.puntaje, r.motivos, r.reglas) for r, p in filas],
                [p.id for _, p in filas], res.procesos)

    en_lotes, de_una_vez = evaluada(3), evaluada(10_000)
    postgresql = db.engine.dialect.name == "postgresql"
    assert (en_lotes[4], de_una_vez[4]) == (2 if procesos and postgresql else 1, 1)
    assert guardados == ([3, 3, 3, 1, 10] if postgresql else [])
    assert en_lotes[:3] == de_una_vez[:3]
    assert [x[0] for x in en_lotes[2]] == [f"P{i:02d}" for i in range(1, 11)]
    assert en_lotes[3] == sorted(en_lotes[3])  # the rows' ids follow the applications'
    assert en_lotes[0] == {"no_apto": 10}  # without the evaluators' checks of the documents, none is Apto


@pytest.mark.parametrize("procesos", [False, True])
def test_evaluating_again_updates_only_the_applications_whose_state_changes(db, monkeypatch, procesos):
    """Evaluated again, an application keeps its state when its verdict gives the state it has (and its
    modification time); one whose state differs is set again: Apto → En proceso, No apto → No apto. On
    PostgreSQL the batches do not send the others to be looked up at all (no ``sigue`` in ``COPY``)."""
    monkeypatch.setattr(engine_db, "LOTE_EVALUACION", 3)
    _en_procesos(monkeypatch, db, procesos)
    P = m.Postulacion
    codigo = engine_db.importar(db.session, datos("sunedu")).codigo
    engine_db.evaluar(db.session, codigo, "ficha")
    de_la_convocatoria = sa.select(P.id, P.estado, P.modificado_en).join(m.Convocatoria).where(
        m.Convocatoria.codigo == codigo).order_by(P.id)
    evaluados = db.session.execute(de_la_convocatoria).all()
    assert {e.name for _, e, _ in evaluados} == {"en_proceso", "no_apto"}
    apto = next(pid for pid, e, _ in evaluados if e is EstadoPostulacion.en_proceso)
    no_apto = next(pid for pid, e, _ in evaluados if e is EstadoPostulacion.no_apto)
    antes = now() - dt.timedelta(days=1)
    db.session.execute(sa.update(P).where(P.id == apto).values(estado=EstadoPostulacion.registrada, modificado_en=antes))
    db.session.execute(sa.update(P).where(P.id == no_apto).values(estado=EstadoPostulacion.en_proceso,
                                                                  modificado_en=antes))
    db.session.commit()
    sigue: list[bytes] = []
    original = engine_db._Copia.lote

    def lote(self, trozos, reglas):
        trozos = list(trozos)
        sigue.extend(linea.split(b"\t")[-2] for t in trozos for linea in t.splitlines())  # before the row number
        return original(self, trozos, reglas)

    monkeypatch.setattr(engine_db._Copia, "lote", lote)
    engine_db.evaluar(db.session, codigo, "ficha")
    db.session.expire_all()
    otra_vez = db.session.execute(de_la_convocatoria).all()
    assert [(pid, e) for pid, e, _ in otra_vez] == [(pid, e) for pid, e, _ in evaluados]
    cambiadas = {pid for (pid, _, t), (_, _, t0) in zip(otra_vez, evaluados) if t != t0}
    assert cambiadas == {apto, no_apto}  # the others were not written
    if db.engine.dialect.name == "postgresql":
        assert len(sigue) == len(evaluados) and sorted(sigue) == sorted([b"\\N"] * (len(evaluados) - 2) + [b"f", b"t"])
    else:
        assert sigue == []


def test_the_experience_detail_explains_the_stored_days_and_only_them(db):
    """D1 on request (HR's review, the applicant's published result): each stored experience reason with
    the count that gives its days again, experience by experience; none for a reason whose days the count
    no longer gives (the inputs changed after the evaluation)."""
    codigo = engine_db.importar(db.session, datos("sunedu")).codigo
    engine_db.evaluar(db.session, codigo, "ficha")
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.codigo == codigo))
    fila = _filas(db, codigo, "ficha")["P02"]
    experiencia = [mo for mo in fila.motivos if mo["requisito"].startswith("Experiencia")]
    assert experiencia and not all(mo["cumple"] for mo in experiencia)
    detalle = engine_db.detalle_experiencia(db.session, conv, fila.postulacion_id, fila.motivos)
    assert set(detalle) == {mo["requisito"] for mo in experiencia}
    general = detalle[experiencia[0]["requisito"]]
    assert general[0]["clausula"] in ("§4.2.1 p", "§4.2.1 v")
    assert {"requisito", "declarado", "computado", "cumple", "clausula", "mensaje"} == general[1].keys()
    # Days that the count does not give: that reason gets no detail, the others keep theirs.
    otros = [{**mo, "computado": "0 días (0 días)"} if mo is experiencia[0] else mo for mo in fila.motivos]
    assert set(engine_db.detalle_experiencia(db.session, conv, fila.postulacion_id, otros)) == \
        {mo["requisito"] for mo in experiencia[1:]}


def test_a_call_without_applications_is_evaluated_with_its_plugins_named(db, monkeypatch):
    """No candidates: nothing is stored, but the stage's plugins are named in the result and the audit
    record (F3), in batches (PostgreSQL) as in one call."""
    guardados = _lotes_guardados(monkeypatch)
    codigo = engine_db.importar(db.session, datos("sunedu", postulantes=0)).codigo
    res = engine_db.evaluar(db.session, codigo, "ficha")
    assert res.conteo == {} and guardados == []
    assert res.reglas == {"sunedu.ficha": f"sunedu.ficha=={VERSION}", "sunedu": f"sunedu=={VERSION}",
                          "sunedu.anexos": f"sunedu.anexos=={VERSION}"}
    registro = db.session.scalar(sa.select(m.RegistroAuditoria).join(
        m.Convocatoria, m.Convocatoria.id == m.RegistroAuditoria.convocatoria_id)
        .where(m.Convocatoria.codigo == codigo).order_by(m.RegistroAuditoria.id.desc()).limit(1))
    assert registro.accion == "evaluar_etapa" and registro.despues["reglas"] == res.reglas


def test_the_results_table_is_cheaper_to_write(db):
    """Migration d9e3a1f5b2c4 (issue 3, item 11): one index fewer to update per stored result, the
    (convocatoria, etapa) lookups served by the index that starts with those columns; and on
    PostgreSQL the reasons compressed with LZ4 where the server has it: an evaluation's results,
    which go through a temporary table, arrive compressed that way. Cheaper to read too (migration
    f3b8d2a6c1e4): the frozen Fichas every evaluation reads are compressed the same way."""
    indices = {i["name"]: i["column_names"] for i in sa.inspect(db.engine).get_indexes("resultado_etapa")}
    assert "ix_resultado_convocatoria_etapa" not in indices
    assert indices["ix_resultado_convocatoria_etapa_resultado"][:2] == ["convocatoria_id", "etapa"]
    codigo = engine_db.importar(db.session, datos("sunedu")).codigo
    engine_db.evaluar(db.session, codigo, "ficha")
    if db.engine.dialect.name == "postgresql":
        lz4 = db.session.scalar(sa.text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"))
        # The Ficha results' reasons, and (migration f3b8d2a6c1e4) the frozen Fichas every evaluation reads:
        # each value here above 2 KB is compressed, and with the column's method.
        for tabla, columna, filas in (("resultado_etapa", "motivos", "r.etapa = 'ficha'"),
                                      ("postulacion", "ficha", "octet_length(r.ficha::text) > 2100")):
            assert db.session.scalar(sa.text(
                "SELECT attcompression FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) AND attname = :c"),
                {"t": tabla, "c": columna}) == ("l" if lz4 else "")
            metodos = set(db.session.scalars(sa.text(
                f"SELECT pg_column_compression(r.{columna}) FROM {tabla} r JOIN convocatoria c "
                f"ON c.id = r.convocatoria_id WHERE c.codigo = :c AND {filas}"), {"c": codigo}))
            assert metodos == ({"lz4"} if lz4 else {"pglz"}), tabla


@pytest.mark.parametrize("ejemplo", sorted(EJEMPLOS))
def test_every_stage_in_order_gives_what_simulate_gives(db, ejemplo):
    d = datos(ejemplo)
    codigo = engine_db.importar(db.session, copy.deepcopy(d)).codigo
    esperado = simulacion(d)
    for etapa, resultados in esperado["etapas"].items():
        res = engine_db.evaluar(db.session, codigo, etapa)
        filas = _filas(db, codigo, etapa)
        assert list(filas) == [r["postulante"] for r in resultados]
        assert all(_como_simulate(filas[r["postulante"]]) == _esperado(r) for r in resultados), etapa
        if etapa == "entrevista":
            assert res.convocados == esperado["convocados_entrevista"]
    exportado = json.loads(json.dumps(engine_db.exportar(db.session, codigo), default=str))
    assert interchange.validar(exportado) == [] and simulacion(exportado) == esperado
    assert list(exportado["resultados"]["etapas"]) == list(esperado["etapas"])
    # written alike, each result whole: a stage's score with two decimals from both (export wrote "26.00"
    # where simulate wrote "26"), and what the plugin adds to it (the points per factor, the interview's
    # average: the export left it out)
    assert exportado["resultados"]["etapas"] == esperado["etapas"]
    puntajes = [r["puntaje"] for resultados in esperado["etapas"].values() for r in resultados]
    assert all(p is None or re.fullmatch(r"\d+\.\d\d", p) for p in puntajes) and any(puntajes)
    assert any(r.get("detalle") for resultados in esperado["etapas"].values() for r in resultados)
    # a result with no detalle holds SQL NULL on every path (the PostgreSQL COPY wrote NULL, the others
    # JSON null)
    con_detalle = sum(1 for resultados in esperado["etapas"].values() for r in resultados if r.get("detalle"))
    assert db.session.scalar(sa.text(
        "SELECT count(*) FROM resultado_etapa r JOIN convocatoria c ON c.id = r.convocatoria_id "
        "WHERE c.codigo = :c AND r.detalle IS NOT NULL"), {"c": codigo}) == con_detalle


def test_a_re_imported_export_keeps_every_plugin_that_produced_each_result_f3(db):
    """Each stored result names its stage's plugin and those it consulted (the documents' check for the
    Ficha, the shortlist's for the interview). Export writes them per stage (``reglas_etapas``, as
    ``simulate --json`` does), and importing that file into another call stores them again, not only
    the row's first plugin."""
    d = datos("sunedu")
    codigo = engine_db.importar(db.session, copy.deepcopy(d)).codigo
    esperado = simulacion(d)
    for etapa in esperado["etapas"]:
        engine_db.evaluar(db.session, codigo, etapa)
    exportado = json.loads(json.dumps(engine_db.exportar(db.session, codigo), default=str))
    assert exportado["resultados"]["reglas_etapas"] == esperado["reglas_etapas"]
    # the stage's plugin first, then those it consulted and the one whose parameters it read (the version's)
    assert list(esperado["reglas_etapas"]["ficha"]) == ["sunedu.ficha", "sunedu", "sunedu.anexos"]
    assert list(esperado["reglas_etapas"]["entrevista"]) == ["sunedu.entrevista", "sunedu",
                                                             "sunedu.convocatoria_entrevista"]
    otra = datos("sunedu")
    otra["resultados"] = exportado["resultados"]
    copia = engine_db.importar(db.session, otra).codigo
    for etapa in esperado["etapas"]:
        originales = {i: f.reglas for i, f in _filas(db, codigo, etapa).items()}
        assert {i: f.reglas for i, f in _filas(db, copia, etapa).items()} == originales
        assert all(list(r) == list(esperado["reglas_etapas"][etapa]) for r in originales.values())
    # and each result's detalle (the points per factor, the interview's average) with them
    de_la_copia = json.loads(json.dumps(engine_db.exportar(db.session, copia), default=str))["resultados"]["etapas"]
    assert de_la_copia == exportado["resultados"]["etapas"]
    assert any(r.get("detalle") for r in de_la_copia["curricular"])
    malo = datos("sunedu")
    malo["resultados"] = {**exportado["resultados"], "reglas_etapas": {"ficha": {"sunedu.ficha": 1}}}
    with pytest.raises(interchange.ArchivoInvalido,  # the schema's (docs/convocatoria.schema.json), at the value
                       match=r"\$\.resultados\.reglas_etapas\.ficha\.sunedu\.ficha: tipo de dato incorrecto"):
        engine_db.importar(db.session, malo)


#: What each stage's candidates carry of the stored inputs (``engine_db._Insumos`` with ``etapa``).
#: The inputs each stage reads besides the Ficha's (the interview: the expediente's checklist too, for the
#: DNI of Ley 31533's bonus, §4.2.5 h).
_ENTRADAS_DE_ETAPA = {"ficha": (), "examen": ("examen",), "psicologica": ("psicologica",),
                      "curricular": ("curricular",), "entrevista": ("entrevista", "curricular")}


def test_the_evaluation_builds_each_candidate_as_simulate_does_from_the_export(db, monkeypatch):
    """``evaluar`` builds candidates straight from the frozen Ficha's JSON text (msgspec, no dicts of the
    format in between): for every stage they equal what ``interchange.candidato`` builds from the export,
    with the inputs of that stage and the Ficha's; a Ficha of another shape takes the format's path."""
    d = datos("sunedu")
    d["postulantes"][2]["entradas"]["verificacion_manual"] = {"anexos_firmados": False, "dni_legible": True}
    d["postulantes"][3]["entradas"]["ficha_override"] = {"resultado": "apto", "sustento": "Reconsideración 3-2026"}
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    # Shapes the fast reader does not take (an experience type left empty, hours as a JSON number,
    # a date in ISO basic format, no id of the file): the format's path reads them as before.
    postulaciones = db.session.scalars(sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id)
                                       .order_by(m.Postulacion.id)).all()
    ficha = copy.deepcopy(postulaciones[0].ficha)
    ficha["experiencia_laboral"][0]["tipo"] = ""
    ficha["capacitaciones"][0]["horas"] = 40
    postulaciones[0].ficha = ficha
    ficha = copy.deepcopy(postulaciones[1].ficha)
    ficha["experiencia_laboral"][0]["fecha_inicio"] = ficha["experiencia_laboral"][0]["fecha_inicio"].replace("-", "")
    del ficha["intercambio"]
    postulaciones[1].ficha = ficha
    db.session.commit()
    conv = engine_db._convocatoria(db.session, conv.codigo)
    modelo = interchange.cargar({**engine_db._cabecera(conv), "postulantes": []}).convocatoria
    exportados = engine_db._leer(db.session, conv).postulantes
    assert exportados[1]["id"] == exportados[1]["documento"]["numero"]  # no id of the file: the DNI
    formato = []
    monkeypatch.setattr(engine_db, "_postulante", lambda *a: formato.append(a[1]) or _postulante(*a))
    for etapa, propias in _ENTRADAS_DE_ETAPA.items():
        formato.clear()
        leidos = engine_db._leer_candidatos(db.session, conv, modelo, etapa)
        esperados = [interchange.candidato({**p, "entradas": {
            k: v for k, v in p["entradas"].items() if k in ("ficha_override", "verificacion_manual", *propias)}})
            for p in exportados]
        assert leidos.candidatos == esperados, etapa
        assert formato == [exportados[0]["id"], exportados[1]["id"]]
        assert leidos.por_id == {c.id: pid for c, pid in zip(esperados, (x.id for x in postulaciones), strict=True)}
    assert leidos.candidatos[0].experiencias[0].tipo.value == "empleo"
    assert leidos.candidatos[2].entradas.verificacion_manual == {"anexos_firmados": False, "dni_legible": True}
    assert leidos.candidatos[3].entradas.ficha_override == ("apto", "Reconsideración 3-2026")
    assert any(x.especifica for c in leidos.candidatos for x in c.experiencias)
    assert any(c.entradas.hojas for c in leidos.candidatos)


def test_stages_run_in_order_and_only_those_of_the_call(db):
    codigo = engine_db.importar(db.session, datos("migraciones")).codigo
    with pytest.raises(engine_db.EvaluacionRechazada, match="no tiene la etapa «examen»"):
        engine_db.evaluar(db.session, codigo, "examen")
    with pytest.raises(engine_db.EvaluacionRechazada, match="«ficha» .* aún no tiene resultados"):
        engine_db.evaluar(db.session, codigo, "curricular")
    with pytest.raises(engine_db.ConvocatoriaNoEncontrada):
        engine_db.evaluar(db.session, "CAS N° 0-0000-NADIE", "ficha")


def _item(db, codigo: str, ident: str, etapa: str, item: str) -> m.ItemVerificacion:
    """An input of one applicant's stage, as the evaluator's screen would change it."""
    (fila,) = _todas(db, codigo, etapa, ident)
    return next(it for it in fila.verificaciones if it.codigo == item)


def _todas(db, codigo: str, etapa: str, ident: str) -> list[m.ResultadoEtapa]:
    filas = db.session.scalars(sa.select(m.ResultadoEtapa).join(m.Convocatoria).where(
        m.Convocatoria.codigo == codigo, m.ResultadoEtapa.etapa == Etapa[etapa])).all()
    return [f for f in filas if f.postulacion.ficha["intercambio"]["id"] == ident]


def test_evaluating_an_unpublished_stage_again_replaces_its_results(db):
    d = datos("sunedu")
    codigo = engine_db.importar(db.session, copy.deepcopy(d)).codigo
    engine_db.evaluar(db.session, codigo, "ficha")
    engine_db.evaluar(db.session, codigo, "examen")
    primeras = {k: f.id for k, f in _filas(db, codigo, "examen").items()}
    assert _filas(db, codigo, "examen")["P07"].resultado is Resultado.apto
    # The evaluator corrects P07's exam score (21 is the pass mark, §4.2.2 l); evaluate again.
    _item(db, codigo, "P07", "examen", "puntaje").puntaje = Decimal("20.50")
    db.session.commit()
    res = engine_db.evaluar(db.session, codigo, "examen")
    filas = _filas(db, codigo, "examen")
    assert {k: f.id for k, f in filas.items()} == primeras  # the same rows, no duplicates
    assert filas["P07"].resultado is Resultado.no_apto and filas["P07"].puntaje == Decimal("20.50")
    assert res.conteo == {"apto": 5, "no_apto": 2, "no_se_presento": 1}
    n = db.session.scalar(sa.select(sa.func.count()).select_from(m.ResultadoEtapa).join(m.Convocatoria).where(
        m.Convocatoria.codigo == codigo, m.ResultadoEtapa.etapa == Etapa.examen))
    # One row per applicant with exam inputs; only the 8 Apto in the Ficha have a result.
    assert n == sum(1 for p in d["postulantes"] if "examen" in p["entradas"]) and len(filas) == 8


def test_a_published_stage_is_refused_unless_recomputed_with_a_reason_and_audited(db):
    d = datos("sunedu")
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    codigo, conv_id = conv.codigo, conv.id
    engine_db.evaluar(db.session, codigo, "ficha")
    db.session.add(m.PublicacionEtapa(convocatoria_id=conv_id, etapa="ficha", publicado_en=now()))
    db.session.execute(sa.update(m.ResultadoEtapa).where(m.ResultadoEtapa.convocatoria_id == conv_id,
                                                         m.ResultadoEtapa.etapa == Etapa.ficha).values(publicado=True))
    db.session.commit()
    with pytest.raises(engine_db.EvaluacionRechazada, match="ya fueron publicados"):
        engine_db.evaluar(db.session, codigo, "ficha")
    with pytest.raises(engine_db.EvaluacionRechazada, match="motivo"):
        engine_db.evaluar(db.session, codigo, "ficha", recalcular=True, motivo="  ")

    # An appeal shows P01 did not sign the annexes as in the DNI (§4.1): the ORH records it and recomputes.
    fila = _filas(db, codigo, "ficha")["P01"]
    fila.verificaciones.append(m.ItemVerificacion(codigo="anexos_firmados", descripcion="Anexos firmados", cumple=False))
    db.session.commit()
    admin = db.session.scalar(sa.select(m.Usuario).where(m.Usuario.username == "admin"))
    res = engine_db.evaluar(db.session, codigo, "ficha", recalcular=True, motivo="Reconsideración N° 12-2026",
                            usuario=admin)
    assert res.recalculada and res.conteo == {"apto": 7, "no_apto": 3}
    filas = _filas(db, codigo, "ficha")
    assert filas["P01"].resultado is Resultado.no_apto and all(f.publicado for f in filas.values())
    registro = db.session.scalar(sa.select(m.RegistroAuditoria).where(
        m.RegistroAuditoria.convocatoria_id == conv_id, m.RegistroAuditoria.accion == "recalcular_etapa"))
    assert registro.motivo == "Reconsideración N° 12-2026" and registro.usuario == "admin"
    assert registro.usuario_id == admin.id
    assert registro.antes["resultados"] == {"P01": {"resultado": "apto", "puntaje": None}}
    assert registro.despues["resultados"] == {"P01": {"resultado": "no_apto", "puntaje": None}}


def test_the_evaluation_sees_what_its_own_transaction_changed(db, monkeypatch):
    """``evaluar`` runs in its caller's transaction (the stage screen clears rows first: ``etapas._evaluar``),
    and evaluates what that transaction changed and has not committed: whatever connections it reads
    with, it reads in that transaction. Forked processes would read on connections of their own, which
    do not see it: such a stage is judged in this process, however large."""
    monkeypatch.setattr(engine_db, "LOTE_EVALUACION", 3)
    _en_procesos(monkeypatch, db)
    codigo = engine_db.importar(db.session, datos("sunedu")).codigo
    # A frozen Ficha does not change once sent; here P01's loses its signature, and is not committed.
    postulacion = next(p for p in db.session.scalars(sa.select(m.Postulacion).join(m.Convocatoria).where(
        m.Convocatoria.codigo == codigo)) if p.ficha["intercambio"]["id"] == "P01")
    postulacion.ficha = {**postulacion.ficha, "firma_archivo_id": None}
    res = engine_db.evaluar(db.session, codigo, "ficha")
    assert res.conteo == {"apto": 7, "no_apto": 3} and res.procesos == 1
    assert _filas(db, codigo, "ficha")["P01"].resultado is Resultado.no_apto


def _sunedu_con(bases_id: str, plugin: str) -> list:
    """The SUNEDU 2026 bases as ``bases_id``, with ``plugin`` before their own (an institution's bases, F2)."""
    base = pl.get_bases(pl.get_plugin_manager(), "sunedu-2026")
    return [base.derivada(id=bases_id, plugins=(plugin, *base.plugins))]


class _FichaRota:
    """An institution's bases whose Ficha plugin raises (F2: the error names the plugin)."""

    @hookimpl
    def casadmin_bases_versions(self):
        return _sunedu_con("sunedu-rota", "prueba.ficha_rota")

    @hookimpl(tryfirst=True)
    def casadmin_evaluar_ficha(self, ctx, candidatos):
        raise RuntimeError("tabla de requisitos corrupta")


def test_a_plugin_that_raises_saves_nothing_and_is_named(db):
    pm = pl.new_plugin_manager(extra=[("prueba.ficha_rota", _FichaRota())])
    d = datos("sunedu")
    d["bases"] = "sunedu-rota"
    conv = engine_db.importar(db.session, copy.deepcopy(d), pm=pm)
    codigo, conv_id = conv.codigo, conv.id
    antes = _conteos(db)
    with pytest.raises(pl.ErrorDePlugin, match="prueba.ficha_rota.*tabla de requisitos corrupta"):
        engine_db.evaluar(db.session, codigo, "ficha", pm=pm)
    assert _conteos(db) == antes
    assert not _filas(db, codigo, "ficha")
    assert db.session.scalar(sa.select(m.RegistroAuditoria.accion).where(
        m.RegistroAuditoria.convocatoria_id == conv_id).order_by(m.RegistroAuditoria.id.desc()).limit(1)) \
        == "importar_convocatoria"


class _BonoRoto:
    """An institution's bases whose bonus plugin raises (D7; the final step, issue 3's bad input)."""

    @hookimpl
    def casadmin_bases_versions(self):
        return _sunedu_con("sunedu-bono-roto", "prueba.bono_roto")

    @hookimpl
    def casadmin_bonificaciones(self, ctx, candidato, puntaje):
        raise RuntimeError("tabla de bonificaciones corrupta")


class _BonoSano(_BonoRoto):
    @hookimpl
    def casadmin_bonificaciones(self, ctx, candidato, puntaje):
        return []


def test_a_bonus_plugin_that_raises_stops_the_final_step_names_itself_and_leaves_the_stored_results(
        db, monkeypatch):
    """``evaluate --stage final`` with a failing bonus plugin: the message names it, and the final
    results stored before, their bonuses, the applications' states and the audit trail stay as they were."""
    from casadmin import final

    sano = pl.new_plugin_manager(extra=[("prueba.bono_roto", _BonoSano())])
    instalado = [sano]  # what this process has installed (the checks of the earlier stages ask for it)
    monkeypatch.setattr(pl, "get_plugin_manager", lambda: instalado[0])
    d = datos("sunedu")
    d["bases"] = "sunedu-bono-roto"
    conv = engine_db.importar(db.session, copy.deepcopy(d), pm=sano)
    codigo, conv_id = conv.codigo, conv.id
    for etapa in simulacion(d, pm=sano)["etapas"]:
        engine_db.evaluar(db.session, codigo, etapa, pm=sano)
    assert final.evaluar_final(db.session, codigo, pm=sano).ganadores == ["P01"]

    def estado():
        R, B, A = m.ResultadoFinal, m.Bonificacion, m.RegistroAuditoria
        de_la_convocatoria = sa.select(m.Postulacion.id).where(m.Postulacion.convocatoria_id == conv_id)
        return (db.session.execute(sa.select(R.postulacion_id, R.puntaje_final, R.orden_merito, R.condicion, R.modificado_en)
                                   .where(R.convocatoria_id == conv_id).order_by(R.postulacion_id)).all(),
                db.session.execute(sa.select(B.postulacion_id, B.tipo, B.puntos).where(
                    B.postulacion_id.in_(de_la_convocatoria)).order_by(B.id)).all(),
                db.session.execute(sa.select(m.Postulacion.id, m.Postulacion.estado).where(
                    m.Postulacion.convocatoria_id == conv_id).order_by(m.Postulacion.id)).all(),
                db.session.scalar(sa.select(sa.func.count()).select_from(A).where(A.convocatoria_id == conv_id)))

    antes = estado()
    assert antes[0] and antes[1]  # something stored that a half-saved failure would change
    roto = instalado[0] = pl.new_plugin_manager(extra=[("prueba.bono_roto", _BonoRoto())])
    with pytest.raises(pl.ErrorDePlugin, match="prueba.bono_roto.*tabla de bonificaciones corrupta"):
        final.evaluar_final(db.session, codigo, pm=roto)
    assert estado() == antes


def test_a_plugin_that_raises_while_importing_final_results_is_named_and_nothing_is_imported(app, db, monkeypatch,
                                                                                            tmp_path):
    """``import`` runs the final step's plugins on a file with final results (to check them): one that
    raises is reported as ``evaluate`` reports it (exit 3, the plugin named), not as a traceback."""
    sano = pl.new_plugin_manager(extra=[("prueba.bono_roto", _BonoSano())])
    d = datos("sunedu")
    d["bases"] = "sunedu-bono-roto"
    archivo = tmp_path / "con_finales.json"
    archivo.write_text(json.dumps({**d, "resultados": simulacion(d, pm=sano)}, default=str), encoding="utf-8")
    roto = pl.new_plugin_manager(extra=[("prueba.bono_roto", _BonoRoto())])
    monkeypatch.setattr(pl, "get_plugin_manager", lambda: roto)
    antes = _conteos(db)
    res = app.test_cli_runner().invoke(args=["casadmin", "import", str(archivo)])
    assert res.exit_code == 3, res.output
    assert "prueba.bono_roto" in res.output and "No se importó nada." in res.output
    assert _conteos(db) == antes


class _AnteP05:
    """A test plugin that acts on the batches P05 is in, once ``antes`` has returned (it waits for the
    thread that stores the batches before, so that there is something stored)."""

    def __init__(self, antes) -> None:
        self.antes = antes

    def con_p05(self, candidatos) -> bool:
        if any(c.id == "P05" for c in candidatos):
            self.antes()
            return True
        return False


class _FichaRotaEnP05(_AnteP05, _FichaRota):
    """Bases whose Ficha plugin raises when P05 is among the candidates it judges."""

    @hookimpl(tryfirst=True)
    def casadmin_evaluar_ficha(self, ctx, candidatos):
        # Without P05 it answers nothing: the SUNEDU plugin judges those.
        if self.con_p05(candidatos):
            raise RuntimeError("tabla de requisitos corrupta")


class _FichaRepuesta(_FichaRota):
    """The same bases, their plugin mended: it leaves every candidate to the SUNEDU plugin."""

    @hookimpl(tryfirst=True)
    def casadmin_evaluar_ficha(self, ctx, candidatos):
        return None


@pytest.mark.parametrize("procesos", [False, True])
def test_a_plugin_that_raises_in_a_later_batch_saves_nothing(db, monkeypatch, procesos):
    """The batches stored before the failing one (PostgreSQL) are rolled back with everything else,
    also when forked processes judge them (``procesos``) and the failure comes from one of them."""
    monkeypatch.setattr(engine_db, "LOTE_EVALUACION", 2)
    esperados = _en_procesos(monkeypatch, db, procesos)
    guardados = _lotes_guardados(monkeypatch)
    postgresql = db.engine.dialect.name == "postgresql"
    # On PostgreSQL the plugin fails once P01–P04 are stored (the thread stores the first batches while
    # P05's is judged), so that there is something to roll back.
    primeros = _tras_guardar(monkeypatch, guardados, 2) if postgresql else lambda: None
    pm = pl.new_plugin_manager(extra=[("prueba.ficha_rota", _FichaRotaEnP05(primeros))])
    d = datos("sunedu")
    d["bases"] = "sunedu-rota"
    codigo = engine_db.importar(db.session, copy.deepcopy(d), pm=pm).codigo
    antes = _conteos(db)
    estados = db.session.scalars(sa.select(m.Postulacion.estado).join(m.Convocatoria)
                                 .where(m.Convocatoria.codigo == codigo).order_by(m.Postulacion.id)).all()
    with pytest.raises(pl.ErrorDePlugin, match="prueba.ficha_rota.*tabla de requisitos corrupta") as err:
        engine_db.evaluar(db.session, codigo, "ficha", pm=pm)
    assert err.value.plugin == "prueba.ficha_rota" and isinstance(err.value.original, RuntimeError)
    assert not multiprocessing.active_children()
    assert guardados == ([2, 2] if postgresql else [])
    assert _conteos(db) == antes and not _filas(db, codigo, "ficha")
    assert db.session.scalars(sa.select(m.Postulacion.estado).join(m.Convocatoria)
                              .where(m.Convocatoria.codigo == codigo).order_by(m.Postulacion.id)).all() == estados
    # The connection the storing thread used works: once the plugin is mended, the stage is evaluated.
    sana = pl.new_plugin_manager(extra=[("prueba.ficha_rota", _FichaRepuesta())])
    res = engine_db.evaluar(db.session, codigo, "ficha", pm=sana)
    assert res.conteo == {"apto": 8, "no_apto": 2} and res.procesos == esperados


@pytest.mark.parametrize(("procesos", "invalida"), [(False, "P09"), (True, "P09"), (True, "P08")])
def test_a_ficha_that_cannot_be_evaluated_is_reported_before_a_plugin_that_raises(db, monkeypatch, procesos, invalida):
    """As in one call, which builds every candidate before the plugin runs: the invalid Ficha (a job ending
    before it starts) is what is reported, though the plugin raises on P05's batch, before it; with forked
    processes (every other batch each) also when the other process judges it (P08)."""
    monkeypatch.setattr(engine_db, "LOTE_EVALUACION", 2)
    _en_procesos(monkeypatch, db, procesos)
    pm = pl.new_plugin_manager(extra=[("prueba.ficha_rota", _FichaRotaEnP05(lambda: None))])
    d = datos("sunedu")
    d["bases"] = "sunedu-rota"
    codigo = engine_db.importar(db.session, copy.deepcopy(d), pm=pm).codigo
    postulacion = next(p for p in db.session.scalars(sa.select(m.Postulacion).join(m.Convocatoria).where(
        m.Convocatoria.codigo == codigo)) if p.ficha["intercambio"]["id"] == invalida)
    experiencias = [dict(x) for x in postulacion.ficha["experiencia_laboral"]]
    experiencias[0].update(fecha_inicio="2024-05-01", fecha_fin="2023-01-31", actual=False)
    postulacion.ficha = {**postulacion.ficha, "experiencia_laboral": experiencias}
    db.session.commit()
    with pytest.raises(engine_db.EvaluacionRechazada, match=f"«{invalida}» no puede evaluarse.*fin anterior al inicio"):
        engine_db.evaluar(db.session, codigo, "ficha", pm=pm)
    assert not _filas(db, codigo, "ficha")


def test_a_process_running_other_threads_does_not_fork(db, monkeypatch):
    """A web server's threads (here one waiting): forking could copy a lock one of them holds, so the
    stage is judged in this process, however large, with the same results; once the thread has ended,
    it is judged by forked processes again (PostgreSQL). The suite's own threads are not counted."""
    monkeypatch.setattr(engine_db, "LOTE_EVALUACION", 3)
    monkeypatch.setattr(engine_db, "MINIMO_PROCESOS", 1)
    monkeypatch.setattr(engine_db.run, "procesos_disponibles", lambda: 2)
    codigo = engine_db.importar(db.session, datos("sunedu")).codigo
    fin = threading.Event()
    otro = threading.Thread(target=fin.wait, daemon=True)
    monkeypatch.setattr(engine_db.threading, "active_count", lambda: 1 + otro.is_alive())
    otro.start()
    try:
        res = engine_db.evaluar(db.session, codigo, "ficha")
    finally:
        fin.set()
        otro.join()
    assert res.procesos == 1 and res.conteo == {"apto": 8, "no_apto": 2}
    res = engine_db.evaluar(db.session, codigo, "ficha")
    assert res.procesos == (2 if db.engine.dialect.name == "postgresql" else 1)
    assert res.conteo == {"apto": 8, "no_apto": 2} and not multiprocessing.active_children()


def test_an_evaluation_inside_a_savepoint_is_not_forked(db, monkeypatch):
    """A caller's savepoint: PostgreSQL exports no snapshot from it, so the stage is judged in this
    process, with the same results."""
    monkeypatch.setattr(engine_db, "LOTE_EVALUACION", 3)
    _en_procesos(monkeypatch, db)
    codigo = engine_db.importar(db.session, datos("sunedu")).codigo
    db.session.begin_nested()
    res = engine_db.evaluar(db.session, codigo, "ficha")
    assert res.procesos == 1 and res.conteo == {"apto": 8, "no_apto": 2}
    assert len(_filas(db, codigo, "ficha")) == 10


def test_a_process_that_dies_leaves_nothing_saved(db, monkeypatch):
    """A forked process that ends without sending its batches (killed, out of memory) stops the
    evaluation with a message, and nothing is stored (PostgreSQL; elsewhere nothing is forked)."""
    monkeypatch.setattr(engine_db, "LOTE_EVALUACION", 2)
    esperados = _en_procesos(monkeypatch, db)
    padre = os.getpid()
    original = engine_db._Juez.lote

    def lote(self, apps, *args):
        if os.getpid() != padre and any(a[0] == ultima for a in apps):
            os._exit(9)  # the process that judges the last batch ends there
        return original(self, apps, *args)

    monkeypatch.setattr(engine_db._Juez, "lote", lote)
    conv = engine_db.importar(db.session, datos("sunedu"))
    codigo = conv.codigo
    ultima = db.session.scalar(sa.select(sa.func.max(m.Postulacion.id)).where(m.Postulacion.convocatoria_id == conv.id))
    antes = _conteos(db)
    if esperados == 1:
        assert engine_db.evaluar(db.session, codigo, "ficha").procesos == 1
        return
    with pytest.raises(RuntimeError, match=r"terminó sin enviar sus resultados \(código de salida .*9"):
        engine_db.evaluar(db.session, codigo, "ficha")
    assert _conteos(db) == antes and not _filas(db, codigo, "ficha") and not multiprocessing.active_children()


_EVALUAR_LENTO = """
import os, sys, time
from pathlib import Path

from casadmin import engine_db
from casadmin.cli import main
import casadmin_sunedu.ficha as ficha

rastro, codigo = Path(sys.argv[1]), sys.argv[2]
engine_db.MINIMO_PROCESOS, engine_db.LOTE_EVALUACION = 1, 2
engine_db.run.procesos_disponibles = lambda: 2
evaluar = ficha._evaluar


def lento(plan, cand, documentos):  # each candidate judged records who judged it, slowly
    with rastro.open("a") as f:
        f.write(f"{os.getpid()}\\n")
    time.sleep(0.4)
    return evaluar(plan, cand, documentos)


ficha._evaluar = lento
sys.argv = ["casadmin", "evaluate", codigo, "--stage", "ficha"]
main()
"""


def test_killing_casadmin_evaluate_in_the_middle_leaves_nothing_saved(db, app, tmp_path):
    """``casadmin evaluate`` killed while it judges (out of memory, an operator's kill -9): nothing of
    the stage is stored, no application changes state, and on PostgreSQL the processes it forked end
    too, with their connections, instead of judging for nobody."""
    conv = engine_db.importar(db.session, datos("sunedu"))
    estados = sa.select(m.Postulacion.estado).where(m.Postulacion.convocatoria_id == conv.id).order_by(m.Postulacion.id)
    antes, estados_antes = _conteos(db), db.session.scalars(estados).all()
    db.session.rollback()
    postgresql = db.engine.dialect.name == "postgresql"
    rastro = tmp_path / "juzgados"
    rastro.touch()
    nombre = f"casadmin-prueba-{os.getpid()}"
    entorno = {**os.environ, "CASADMIN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
               "CASADMIN_STORAGE_DIR": str(tmp_path / "storage"), "PGAPPNAME": nombre}
    evaluador = subprocess.Popen([sys.executable, "-c", _EVALUAR_LENTO, str(rastro), conv.codigo], cwd=ROOT,
                                 env=entorno, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        limite = time.monotonic() + 90
        while True:  # both forked processes (PostgreSQL), or this one, well into the judging
            lineas = rastro.read_text().split()
            if len(lineas) >= 3 and len(set(lineas)) >= (2 if postgresql else 1):
                break
            assert evaluador.poll() is None, "casadmin evaluate ended before it was killed"
            assert time.monotonic() < limite, "casadmin evaluate never judged a candidate"
            time.sleep(0.05)
    finally:
        evaluador.send_signal(signal.SIGKILL)
        evaluador.wait()
    jueces = {int(p) for p in rastro.read_text().split()}
    assert (evaluador.pid not in jueces) is postgresql  # PostgreSQL: forked processes judged
    limite = time.monotonic() + 15
    while any(map(_vivo, jueces - {evaluador.pid})) and time.monotonic() < limite:
        time.sleep(0.05)
    quedan = [p for p in jueces - {evaluador.pid} if _vivo(p)]
    for p in quedan:
        os.kill(p, signal.SIGKILL)
    assert not quedan, "a forked process went on judging after casadmin evaluate was killed"
    assert len(rastro.read_text().split()) < 10  # the call has 10 applicants: not every one was judged
    if postgresql:
        conexiones = sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n").bindparams(n=nombre)
        while db.session.scalar(conexiones) and time.monotonic() < limite:
            db.session.rollback()
            time.sleep(0.05)
        assert db.session.scalar(conexiones) == 0
    db.session.rollback()
    assert _conteos(db) == antes and db.session.scalars(estados).all() == estados_antes
    assert not _filas(db, conv.codigo, "ficha")


class _FichaSoloSinP05(_AnteP05):
    """An institution's Ficha plugin that judges a batch only when P05 is not in it (it declines the
    others, which the SUNEDU plugin then judges), and finds every candidate Apto."""

    @hookimpl
    def casadmin_bases_versions(self):
        return _sunedu_con("sunedu-parcial", "prueba.ficha_parcial")

    @hookimpl(tryfirst=True)
    def casadmin_evaluar_ficha(self, ctx, candidatos):
        if self.con_p05(candidatos):
            return None
        return [Resultado_motor(candidato=c.id, etapa="ficha", resultado="apto") for c in candidatos]


@pytest.mark.parametrize("procesos", [False, True])
def test_batches_answered_by_different_plugins_are_evaluated_again_as_one(db, monkeypatch, procesos):
    """A batch judged by other plugins than the first (PostgreSQL, in batches) would store results that
    one call over every candidate does not give: what was stored is rolled back to a savepoint and the
    stage runs as one call, as ``casadmin simulate`` runs it; also when forked processes judged them."""
    monkeypatch.setattr(engine_db, "LOTE_EVALUACION", 4)
    _en_procesos(monkeypatch, db, procesos)
    guardados = _lotes_guardados(monkeypatch)
    postgresql = db.engine.dialect.name == "postgresql"
    # On PostgreSQL the first batch is stored by the time the second is declined.
    primero = _tras_guardar(monkeypatch, guardados, 1) if postgresql else lambda: None
    pm = pl.new_plugin_manager(extra=[("prueba.ficha_parcial", _FichaSoloSinP05(primero))])
    d = datos("sunedu")
    d["bases"] = "sunedu-parcial"
    codigo = engine_db.importar(db.session, copy.deepcopy(d), pm=pm).codigo
    res = engine_db.evaluar(db.session, codigo, "ficha", pm=pm)
    esperado = simulacion(d, hasta="ficha", pm=pm)
    # the stage's plugin is SUNEDU's; the institution's is named as the version's, whose parameters it read
    assert res.conteo == {"apto": 8, "no_apto": 2} and res.reglas == {
        "prueba.ficha_parcial": "prueba.ficha_parcial", "sunedu.anexos": f"sunedu.anexos=={VERSION}",
        "sunedu.ficha": f"sunedu.ficha=={VERSION}"}
    assert {r["regla"] for r in esperado["etapas"]["ficha"]} == {f"sunedu.ficha=={VERSION}"}
    filas = _filas(db, codigo, "ficha")
    assert [_como_simulate(filas[r["postulante"]]) for r in esperado["etapas"]["ficha"]] == \
        [_esperado(r) for r in esperado["etapas"]["ficha"]]
    assert all(f.reglas == res.reglas for f in filas.values())
    assert guardados == ([4, 10] if postgresql else [])  # the first batch (the institution's plugin), then all again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.RegistroAuditoria).join(
        m.Convocatoria, m.Convocatoria.id == m.RegistroAuditoria.convocatoria_id).where(
        m.Convocatoria.codigo == codigo, m.RegistroAuditoria.accion == "evaluar_etapa")) == 1


def test_evaluating_reads_with_the_same_number_of_queries_whatever_the_number_of_candidates(app, db):
    """Set-based: a few queries per stage, not one per candidate (a call can have 150,000)."""
    from casadmin.extensions import db as _db

    def consultas(d: dict) -> int:
        codigo = engine_db.importar(db.session, d).codigo
        engine_db.evaluar(db.session, codigo, "ficha")
        cuenta = []
        escuchar = lambda *a, **k: cuenta.append(1)  # noqa: E731
        sa.event.listen(_db.engine, "before_cursor_execute", escuchar)
        try:
            engine_db.evaluar(db.session, codigo, "examen")
        finally:
            sa.event.remove(_db.engine, "before_cursor_execute", escuchar)
        return len(cuenta)

    pocos, todos = consultas(datos("sunedu", postulantes=4)), consultas(datos("sunedu"))
    assert pocos == todos < 40, (pocos, todos)  # with the checks the screens make first (inputs, out of date)


# --- the command line -------------------------------------------------------------------


def test_the_commands_name_a_database_they_cannot_use_and_create_no_file(tmp_path):
    """Run elsewhere, the default database (``instance/casadmin.db`` under the current directory) does not
    exist: import, export, evaluate and init say so, and which database, and leave no empty file behind; a
    database without the tables (never migrated) is named the same way (init ended in a traceback)."""
    from casadmin import create_app

    ausente = tmp_path / "instance" / "casadmin.db"
    vacia = tmp_path / "vacia.db"
    sa.create_engine(f"sqlite:///{vacia}").connect().close()  # a file with no tables
    archivo = tmp_path / "c.json"
    archivo.write_text(json.dumps(datos("sunedu"), default=str), encoding="utf-8")
    for url, mensaje in ((f"sqlite:///{ausente}", "No existe la base de datos"),
                         (f"sqlite:///{vacia}", "no such table: alembic_version")):
        runner = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": tmp_path / "s",
                             "SECRET_KEY": "casadmin-tests-secret-key-32-bytes+"}).test_cli_runner()
        for args in (["import", str(archivo)], ["export", "CAS N° 1-2026-X"], ["evaluate", "CAS N° 1-2026-X",
                                                                             "--stage", "ficha"], ["init"]):
            res = runner.invoke(args=["casadmin", *args])
            assert res.exit_code == 1 and mensaje in res.output and url.removeprefix("sqlite:///") in res.output, \
                res.output
            assert res.exception is None or isinstance(res.exception, SystemExit)
    assert not ausente.exists() and not ausente.parent.exists()


def test_import_export_and_evaluate_commands(app, db, tmp_path):
    runner = app.test_cli_runner()
    d = json.loads(json.dumps(datos("sunedu"), default=str))
    archivo = tmp_path / "convocatoria.json"
    archivo.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    codigo = d["convocatoria"]["codigo"]

    ok = runner.invoke(args=["casadmin", "import", str(archivo)])
    assert ok.exit_code == 0, ok.output
    assert codigo in ok.output and "postulaciones: 10" in ok.output

    otra_vez = runner.invoke(args=["casadmin", "import", str(archivo)])
    assert otra_vez.exit_code == 2 and f"$.convocatoria.codigo: ya existe la convocatoria «{codigo}»" in otra_vez.output

    malo = copy.deepcopy(d)
    malo["convocatoria"]["codigo"] = "CAS N° 7100-MAL-SUNEDU"
    malo["postulantes"][0]["fecha_nacimiento"] = "12/04/1988"
    malo["postulantes"][2]["ficha"]["experiencias"][0]["sector"] = "mixto"
    archivo_malo = tmp_path / "malo.json"
    archivo_malo.write_text(json.dumps(malo), encoding="utf-8")
    antes = _conteos(db)
    rechazo = runner.invoke(args=["casadmin", "import", str(archivo_malo)])
    assert rechazo.exit_code == 2
    for ruta in ("$.postulantes[0].fecha_nacimiento", "$.postulantes[2].ficha.experiencias[0].sector"):
        assert ruta in rechazo.output
    assert _conteos(db) == antes

    # a motivo is the recomputation's: without --recalcular it was dropped without a word
    sin_flag = runner.invoke(args=["casadmin", "evaluate", codigo, "--stage", "ficha", "--motivo", "Corrección"])
    assert sin_flag.exit_code == 2 and "--motivo va con --recalcular" in sin_flag.output
    evaluado = runner.invoke(args=["casadmin", "evaluate", codigo, "--stage", "ficha"])
    assert evaluado.exit_code == 0, evaluado.output
    assert "10 evaluados" in evaluado.output and "APTO: 8" in evaluado.output and "NO APTO: 2" in evaluado.output
    assert f"Reglas aplicadas: sunedu=={VERSION}, sunedu.anexos=={VERSION}, sunedu.ficha=={VERSION}" in evaluado.output
    assert "Aviso" not in evaluado.output  # the call was created with the installed version
    # F3: a plugin upgraded since the call's results were stored: evaluated with it, and the evaluator is told
    # which, as the stored results record them (here, results of an older sunedu.ficha).
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.codigo == codigo))
    conv.version_bases.plugin_version = "0.0.9"  # the version the institution recorded on adopting the bases
    db.session.commit()
    # the bonus plugins have produced nothing stored yet: compared with the institution's row, and said so
    assert ("Aviso: La entidad registró las bases «sunedu-2026» con el plugin «sunedu» 0.0.9; está instalada la "
            f"versión {VERSION}") in runner.invoke(args=["casadmin", "evaluate", codigo, "--stage", "ficha"]).output
    for r in db.session.scalars(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.convocatoria_id == conv.id)):
        r.reglas = {k: v.replace(f"sunedu.ficha=={VERSION}", "sunedu.ficha==0.0.9") for k, v in r.reglas.items()}
    db.session.commit()
    otra = runner.invoke(args=["casadmin", "evaluate", codigo, "--stage", "ficha"])
    assert otra.exit_code == 0, otra.output
    assert ("Aviso: Resultados guardados de esta convocatoria se calcularon con sunedu.ficha==0.0.9; está instalado "
            f"sunedu.ficha=={VERSION}, y es lo que se aplicó") in otra.output
    # the same when only the version's parameters changed: its declaring plugin's version is recorded too
    for r in db.session.scalars(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.convocatoria_id == conv.id)):
        r.reglas = {**r.reglas, "sunedu": "sunedu==0.0.8"}
    db.session.commit()
    parametros = runner.invoke(args=["casadmin", "evaluate", codigo, "--stage", "ficha"])
    assert ("Aviso: Resultados guardados de esta convocatoria se calcularon con sunedu==0.0.8; está instalado "
            f"sunedu=={VERSION}, y es lo que se aplicó") in parametros.output
    fuera = runner.invoke(args=["casadmin", "evaluate", codigo, "--stage", "curricular"])
    assert fuera.exit_code == 1 and "aún no tiene resultados" in fuera.output

    exportado = runner.invoke(args=["casadmin", "export", codigo])
    assert exportado.exit_code == 0
    datos_exportados = json.loads(exportado.stdout)
    assert interchange.validar(datos_exportados) == []
    assert len(datos_exportados["resultados"]["etapas"]["ficha"]) == 10
    salida = tmp_path / "exportado.json"
    assert runner.invoke(args=["casadmin", "export", codigo, "-o", str(salida)]).exit_code == 0
    assert json.loads(salida.read_text(encoding="utf-8")) == datos_exportados

    assert runner.invoke(args=["casadmin", "export", "CAS N° 0-0000-NADIE"]).exit_code == 1
    publicada = runner.invoke(args=["casadmin", "evaluate", "CAS N° 140-2026-SUNEDU", "--stage", "ficha"])
    assert publicada.exit_code == 1 and "ya fueron publicados" in publicada.output


def test_export_to_a_folder_that_does_not_exist_is_told_not_a_traceback(app, tmp_path):
    salida = tmp_path / "no-existe" / "convocatoria.json"
    hecho = app.test_cli_runner().invoke(args=["casadmin", "export", "CAS N° 140-2026-SUNEDU", "-o", str(salida)])
    assert hecho.exit_code == 1 and hecho.exception is not None and not isinstance(hecho.exception, OSError)
    assert f"No se pudo escribir {salida}: la carpeta no existe." in hecho.output


def test_a_database_behind_this_codes_migrations_is_told_to_upgrade(tmp_path):
    """A database one migration behind used to stop import with «no such column …» in a traceback."""
    from flask_migrate import upgrade

    from casadmin import create_app

    vieja = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'vieja.db'}"})
    with vieja.app_context():
        upgrade(revision="e4a9c1d7b5f2")  # the one before f1c5a9e3d7b4 (the column detalle) and a3b7d1e9c5f4
    hecho = vieja.test_cli_runner().invoke(args=["casadmin", "import", str(EJEMPLOS["sunedu"])])
    assert hecho.exit_code == 1, hecho.output
    assert "no está actualizada a esta versión de CAS Admin (le faltan 2 migración(es)). Ejecute " \
           "«flask --app casadmin db upgrade»" in hecho.output
    with vieja.app_context():
        upgrade()
    # Migrated but never initialized: the accounts an import makes would get no role (applicants could not
    # sign in) and a later «init» would not give them one. Told, nothing written.
    hecho = vieja.test_cli_runner().invoke(args=["casadmin", "import", str(EJEMPLOS["sunedu"])])
    assert hecho.exit_code == 1 and "ejecute «flask casadmin init» antes de importar" in hecho.output
    with vieja.app_context():
        from casadmin.extensions import db as base

        assert base.session.scalar(sa.select(sa.func.count()).select_from(m.Convocatoria)) == 0
    assert vieja.test_cli_runner().invoke(args=["casadmin", "init", "--admin-password", "clave-de-prueba-1"]).exit_code == 0
    assert vieja.test_cli_runner().invoke(args=["casadmin", "import", str(EJEMPLOS["sunedu"])]).exit_code == 0
    with vieja.app_context():
        sin_rol = sa.select(sa.func.count()).select_from(m.Usuario).where(~m.Usuario.roles.any())
        assert base.session.scalar(sin_rol) == 0
    # A revision this code does not know (a newer CAS Admin upgraded the database): told, no traceback.
    with vieja.app_context():
        from casadmin.extensions import db as base

        with base.engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = 'deadbeef0001'"))
    hecho = vieja.test_cli_runner().invoke(args=["casadmin", "export", "CAS N° 140-2026-SUNEDU"])
    assert hecho.exit_code == 1 and isinstance(hecho.exception, SystemExit)
    assert "tiene la migración «deadbeef0001», que esta versión de CAS Admin no conoce" in hecho.output


def test_the_course_period_migration_stops_on_a_course_ending_before_it_starts(tmp_path):
    """Migration c7e1a3f5d9b2 does not change an applicant's Ficha behind anyone's back: with such a row
    it stops, says how many and where to look, and goes on once the row is corrected."""
    from flask_migrate import upgrade

    from casadmin import create_app
    from casadmin.extensions import db as base

    vieja = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'vieja.db'}"})
    from casadmin.cli import sync_security

    with vieja.app_context():
        upgrade(revision="b6d4f8a2c5e1")
        sync_security()  # the roles the import gives its accounts
        d = datos("sunedu")
        for p in d["postulantes"]:  # no interview sheets: their table of that revision lacks later columns
            p.get("entradas", {}).pop("entrevista", None)
        d["decisiones_comite"] = []
        # this code's import writes a stage result's later column: there for the import, gone before upgrading
        with base.engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE resultado_etapa ADD COLUMN detalle JSON"))
        engine_db.importar(base.session, d)
        base.session.remove()
        with base.engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE resultado_etapa DROP COLUMN detalle"))
        base.session.commit()
        with base.engine.begin() as conn:
            fila = conn.execute(sa.text("SELECT id, fecha_fin FROM capacitacion ORDER BY id LIMIT 1")).one()
            conn.execute(sa.text("UPDATE capacitacion SET fecha_inicio = :d WHERE id = :i"),
                         {"d": dt.date.fromisoformat(str(fila.fecha_fin)) + dt.timedelta(days=1), "i": fila.id})
        # «flask db upgrade» prints it as «Error: …» (flask_migrate.catch_errors) and exits with 1
        with pytest.raises(RuntimeError, match=r"^1 capacitación\(es\) terminan antes de empezar: corrija sus fechas"):
            upgrade.__wrapped__()
        base.session.remove()
        with base.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "b6d4f8a2c5e1"
            conn.execute(sa.text("UPDATE capacitacion SET fecha_inicio = NULL WHERE id = :i"), {"i": fila.id})
        upgrade()
        with base.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "a3b7d1e9c5f4"


def test_the_migration_of_an_empty_detalle_makes_json_null_sql_null(tmp_path):
    """Migration a3b7d1e9c5f4: the rows the ORM and bulk paths wrote with JSON null (before the column wrote
    SQL NULL, as the PostgreSQL COPY did) hold SQL NULL after it; a detalle with content is kept."""
    from flask_migrate import upgrade

    from casadmin import create_app
    from casadmin.cli import sync_security
    from casadmin.extensions import db as base

    vieja = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'vieja.db'}"})
    with vieja.app_context():
        upgrade(revision="f1c5a9e3d7b4")
        sync_security()
        d = datos("sunedu")
        codigo = engine_db.importar(base.session, d).codigo
        for etapa in ("ficha", "examen", "psicologica", "curricular"):
            engine_db.evaluar(base.session, codigo, etapa)
        base.session.remove()
        with base.engine.begin() as conn:
            con_detalle = conn.execute(sa.text("SELECT count(*) FROM resultado_etapa WHERE detalle IS NOT NULL")).scalar()
            assert con_detalle > 0  # the curricular points per factor
            vacios = conn.execute(sa.text("UPDATE resultado_etapa SET detalle = 'null' WHERE detalle IS NULL")).rowcount
            assert vacios > 0
        upgrade()
        with base.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM resultado_etapa WHERE detalle IS NOT NULL")).scalar() \
                == con_detalle
            assert conn.execute(sa.text("SELECT count(*) FROM resultado_etapa WHERE detalle IS NULL")).scalar() == vacios


def test_a_later_file_writing_a_member_in_another_case_finds_the_same_account(db):
    """The member «M1» of one import is «m1» in a later file of the institution: the same account (its
    e-mail is lower case, so a second one failed the import with the database's own error)."""
    d = datos("sunedu")
    for p in d["postulantes"]:  # «Ñ»: SQLite's lower() leaves it as it is
        for hoja in p.get("entradas", {}).get("entrevista", {}).get("hojas", ()):
            hoja["miembro"] = hoja["miembro"].replace("M1", "ÑM1")
    engine_db.importar(db.session, copy.deepcopy(d))
    otra = copy.deepcopy(d)
    otra["convocatoria"].update(codigo="CAS N° 941-2026-SUNEDU", numero=941)
    for p in otra["postulantes"]:
        for hoja in p.get("entradas", {}).get("entrevista", {}).get("hojas", ()):
            hoja["miembro"] = hoja["miembro"].lower()
    engine_db.importar(db.session, otra)
    db.session.commit()
    por_convocatoria = {c: sorted(u for u, in db.session.execute(
        sa.select(m.Usuario.username).join(m.MiembroComite).join(m.Convocatoria).where(m.Convocatoria.codigo == c)))
        for c in (d["convocatoria"]["codigo"], "CAS N° 941-2026-SUNEDU")}
    assert por_convocatoria == {c: ["M2.sunedu", "ÑM1.sunedu"] for c in por_convocatoria}


def test_an_applicant_already_stored_keeps_the_accounts_e_mail_and_the_import_says_so(db):
    """The profile of someone already in CAS Admin is left alone (docs/interchange.md): the file's other
    e-mail was dropped without a word, and the export then gave the account's."""
    d = datos("sunedu")
    engine_db.importar(db.session, copy.deepcopy(d))
    otra = copy.deepcopy(d)
    otra["convocatoria"].update(codigo="CAS N° 942-2026-SUNEDU", numero=942)
    otra["postulantes"][2]["email"] = "otra.direccion@example.com"
    avisos: list[str] = []
    engine_db.importar(db.session, otra, avisos=avisos)
    assert avisos == [f"1 postulante(s) ya tenían cuenta con otro correo ({otra['postulantes'][2]['id']}): conservan "
                      "el de su cuenta; su Ficha es la del archivo."]
    avisos.clear()
    igual = copy.deepcopy(d)
    igual["convocatoria"].update(codigo="CAS N° 943-2026-SUNEDU", numero=943)
    engine_db.importar(db.session, igual, avisos=avisos)
    assert avisos == []  # the same e-mails (or none): nothing to tell


def test_a_stored_course_ending_before_it_starts_does_not_stop_the_stage(db):
    """The portal refuses such a course; a Ficha imported with one still evaluates (its start matters to
    diplomados only: the engine's model refused it for a while, which would have stopped the whole stage).
    Its export is told at the course's field, as any file with such a course is (§4.2.1 l); the
    table itself refuses one since migration c7e1a3f5d9b2."""
    d = datos("sunedu")
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    post = db.session.scalar(sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id)
                             .order_by(m.Postulacion.id).limit(1))
    ficha = copy.deepcopy(post.ficha)
    ficha["capacitaciones"][0].update(fecha_inicio="2030-01-01")
    post.ficha = ficha
    db.session.commit()
    assert engine_db.evaluar(db.session, conv.codigo, "ficha") is not None
    with pytest.raises(interchange.ArchivoInvalido) as err:
        interchange.cargar(engine_db.exportar(db.session, conv.codigo))
    assert [msg for _, msg in err.value.errores] == ["el fin es anterior al inicio"]
    assert re.fullmatch(r"\$\.postulantes\[\d+\]\.ficha\.capacitaciones\[0\]\.fecha_fin", err.value.errores[0][0])
    fila = db.session.scalar(sa.select(m.Capacitacion).limit(1))
    fila.fecha_inicio = fila.fecha_fin + dt.timedelta(days=1)
    with pytest.raises(sa.exc.IntegrityError, match="ck_capacitacion_periodo"):
        db.session.flush()
    db.session.rollback()


def test_the_console_scripts_usage_line_names_the_command_as_typed(monkeypatch, capsys):
    """``casadmin evaluate`` without --stage: «Uso: casadmin evaluate …» (Flask's group printed «casadmin
    casadmin evaluate», a command that does not exist), and Click's message in Spanish."""
    from casadmin.cli import main

    monkeypatch.setattr(sys, "argv", ["casadmin", "evaluate", "CAS N° 1-2026"])
    with pytest.raises(SystemExit) as salida:
        main()
    err = capsys.readouterr().err
    assert salida.value.code == 2 and err.startswith("Uso: casadmin evaluate [OPTIONS] CODIGO")
    assert "casadmin casadmin" not in err and "Error: Falta la opción '--stage'." in err


def test_worker_burst_without_redis_sends_what_is_pending(app):
    result = app.test_cli_runner().invoke(args=["casadmin", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "Correos pendientes procesados" in result.output
    sin_burst = app.test_cli_runner().invoke(args=["casadmin", "worker"])
    assert sin_burst.exit_code == 1 and "CASADMIN_REDIS_URL" in sin_burst.output


def test_evaluate_refuses_a_stage_whose_inputs_are_not_all_recorded_as_its_screen_does(db):
    """§4.2.2 k, §4.2.4: ``casadmin evaluate`` judged a candidate whose exam attendance was never recorded
    «NO SE PRESENTÓ» (and one without expediente data No Apto in every factor), where the stage screen
    refuses to compute until every candidate's inputs are in. Now it refuses alike, naming the candidate,
    and stores nothing."""
    d = datos("sunedu")
    p09 = next(p for p in d["postulantes"] if p["id"] == "P09")  # Apto in the Ficha
    del p09["entradas"]["examen"]
    conv = engine_db.importar(db.session, d)
    engine_db.evaluar(db.session, conv.codigo, "ficha")
    R = m.ResultadoEtapa
    evaluados = sa.select(sa.func.count()).where(R.convocatoria_id == conv.id, R.etapa == Etapa.examen,
                                                  R.evaluado_en.is_not(None))
    with pytest.raises(engine_db.EvaluacionRechazada,
                       match=rf"Faltan registrar los datos de 1 candidato\(s\) .*{p09['documento']['numero']}"):
        engine_db.evaluar(db.session, conv.codigo, "examen")
    assert db.session.scalar(evaluados) == 0


def test_evaluate_refuses_a_stage_on_out_of_date_results_and_under_a_published_final(app, db, monkeypatch):
    """§4.6, F3. ``casadmin evaluate`` judged the curricular stage on a psychological stage left out of date
    by a corrected exam score (the screens refuse it), and let a stage change under a published final
    result with no --recalcular (only the final step asked for it)."""
    from casadmin import etapas, final

    d = datos("sunedu")
    conv = engine_db.importar(db.session, d)
    for etapa in ("ficha", "examen", "psicologica", "curricular"):
        engine_db.evaluar(db.session, conv.codigo, etapa)
    ids = {v: k for k, v in engine_db.ids_en_archivo(db.session, conv, [
        p.id for p in db.session.scalars(sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id))
    ]).items()}
    # P04 (18, No apto in the exam) corrected to 25: Apto, and now a candidate of the psychological test
    etapas.registrar_examen(db.session, conv, [etapas.EntradaExamen(ids["P04"], True, Decimal("25"))])
    engine_db.evaluar(db.session, conv.codigo, "examen")
    antes = _filas(db, conv.codigo, "curricular")
    with pytest.raises(engine_db.EvaluacionRechazada, match="desactualizad"):
        engine_db.evaluar(db.session, conv.codigo, "curricular")
    assert {k: (f.resultado, f.puntaje) for k, f in _filas(db, conv.codigo, "curricular").items()} == \
        {k: (f.resultado, f.puntaje) for k, f in antes.items()}

    conv = engine_db.importar(db.session, datos("sunedu"))
    for etapa in ("ficha", "examen", "psicologica", "curricular", "entrevista"):
        engine_db.evaluar(db.session, conv.codigo, etapa)
    final.evaluar_final(db.session, conv)
    # the publication's documents are made by a job after the commit: done before this test ends, so that
    # no later test finds its files appear
    monkeypatch.setitem(app.config, "TAREAS_SYNC_FOR_TESTS", True)
    final.publicar_final(db.session, conv, usuario=None)
    with pytest.raises(engine_db.EvaluacionRechazada, match="resultado final .* ya fue publicado"):
        engine_db.evaluar(db.session, conv.codigo, "examen")
    assert engine_db.evaluar(db.session, conv.codigo, "examen", recalcular=True,
                             motivo="Corrección del puntaje de P04").conteo


def test_import_refuses_stage_results_naming_a_plugin_the_bases_do_not_have(db):
    """F3: results record the plugins that produced them. A file's exam row naming «plugin.inventado==9.9»
    (and listing it among the stage's rules) was stored as if that plugin had judged the call."""
    d = datos("sunedu")
    d["resultados"] = json.loads(json.dumps(simulacion(d), default=str))
    fila = d["resultados"]["etapas"]["examen"][0]
    fila["regla"] = "plugin.inventado==9.9"
    d["resultados"].setdefault("reglas_etapas", {}).setdefault("examen", {})["plugin.inventado"] = "plugin.inventado==9.9"
    errores = _rechazada(db, d)
    assert ("$.resultados.etapas.examen[0].regla", "«plugin.inventado» no es un plugin de las bases «sunedu-2026»") \
        in errores
    assert ("$.resultados.reglas_etapas.examen.plugin.inventado",
            "«plugin.inventado» no es un plugin de las bases «sunedu-2026»") in errores
