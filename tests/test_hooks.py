"""Every hook is documented and tested (datasette's test_docs idea), and each built-in
implementation answers through the plugin manager, limited to its bases version."""

from __future__ import annotations

import inspect
import re
from decimal import Decimal
from pathlib import Path

import pytest

from casadmin import hookspecs
from casadmin import plugins as pl
from casadmin.engine import interchange
from casadmin.engine.run import contexto
from casadmin.rules.reasons import Motivo

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "cas-140-2026-sunedu.json"
HOOKS = sorted(n for n, f in vars(hookspecs).items() if n.startswith("casadmin_") and callable(f))


def _spec_opts(name):
    return getattr(getattr(hookspecs, name), "casadmin_spec")


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_documented(name):
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert len(doc) > 40, f"{name} needs a docstring"
    first = _spec_opts(name).get("firstresult", False)
    assert ("Stops at the first" in doc) == first, f"{name}: say whether it stops at the first result"
    assert ("Collects" in doc) == (not first)
    assert ":returns:" in doc or ":param" in doc or "Stops at" in doc


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_a_test(name, monkeypatch):
    """Its test exists, calls the hook by name (through the plugin manager) and asserts something; run with
    the plugin manager's calls watched, it does call the hook (a test that only names it passed)."""
    tests = dict(inspect.getmembers(__import__(__name__), inspect.isfunction))
    assert f"test_{name}" in tests, f"write test_{name} in tests/test_hooks.py"
    cuerpo = inspect.getsource(tests[f"test_{name}"]).split("\n", 1)[1]
    # By name, as the engine calls it (pl.primero(pm, bases, "casadmin_…") or pm.hook.casadmin_…(…)),
    # not merely mentioned in a comment.
    assert f'"{name}"' in cuerpo or f".{name}(" in cuerpo, f"test_{name} must call {name} through the plugin manager"
    assert re.search(r"^\s+assert\b", cuerpo, re.M), f"test_{name} must assert what {name} answers"
    llamados: list[str] = []
    llamar = pl._call  # how pl.primero and pl.todos call each implementation of the bases version

    def _call(impl, hook, kwargs):
        llamados.append(hook)
        return llamar(impl, hook, kwargs)

    monkeypatch.setattr(pl, "_call", _call)
    pm = pl.get_plugin_manager()
    deshacer = pm.add_hookcall_monitoring(lambda hook, impls, kwargs: llamados.append(hook), lambda *a: None)
    try:
        prueba = tests[f"test_{name}"]
        prueba(**({"env": _env()} if "env" in inspect.signature(prueba).parameters else {}))
    finally:
        deshacer()
    assert name in llamados, f"test_{name} must call {name} through the plugin manager"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_in_the_plugin_guide(name):
    guide = ROOT / "docs" / "plugins.md"
    # the whole name: «casadmin_orden» must not pass on «casadmin_orden_merito»
    assert re.search(rf"\b{name}\b", guide.read_text(encoding="utf-8")), f"document {name} in docs/plugins.md"


def test_hook_names_are_prefixed_and_typed():
    for name in HOOKS:
        sig = inspect.signature(getattr(hookspecs, name))
        assert re.fullmatch(r"casadmin_[a-z_]+", name)
        assert sig.return_annotation is not inspect.Signature.empty


# --- each hook, called through the manager on the SUNEDU 2026 bases ---------------------


def _env():
    pm = pl.get_plugin_manager()
    arch = interchange.cargar(interchange.leer(EXAMPLE.read_bytes()))
    bases = pl.get_bases(pm, arch.convocatoria.bases)
    ctx = contexto(arch.convocatoria, bases)
    return pm, ctx, {c.id: c for c in arch.candidatos}


@pytest.fixture(scope="module")
def env():
    return _env()


def test_casadmin_bases_versions(env):
    pm, _, _ = env
    declaradas = [b.id for respuesta in pm.hook.casadmin_bases_versions() for b in respuesta]
    assert {"sunedu-2026", "migraciones-2020"} <= set(declaradas) and len(declaradas) == len(set(declaradas))
    versions = pl.bases_versions(pm)  # the same, by id (two plugins claiming one id: an error at start-up)
    sunedu = versions["sunedu-2026"]
    assert sunedu.entidad == "SUNEDU" and sunedu.proveedor == "sunedu"
    assert "sunedu.ficha" in sunedu.plugins and sunedu.etapas[0] == "ficha"
    assert sunedu.parametros.items["examen.puntaje_minimo"].referencia == "§4.2.2 l"


def test_casadmin_evaluar_ficha(env):
    pm, ctx, c = env
    res, plugin = pl.primero(pm, ctx.bases, "casadmin_evaluar_ficha", ctx=ctx, candidatos=[c["P01"], c["P02"]])
    assert plugin == "sunedu.ficha" and [r.resultado for r in res] == ["apto", "no_apto"]


def test_casadmin_verificar_documentos(env):
    import dataclasses

    pm, ctx, c = env
    sin_anexos = dataclasses.replace(c["P01"], documentos=())
    (motivos, plugin), = pl.todos(pm, ctx.bases, "casadmin_verificar_documentos", ctx=ctx, candidato=sin_anexos)
    assert plugin == "sunedu.anexos" and not motivos[0].cumple and motivos[0].clausula == "§4.2.1 b"


class _SelloDeLaEntidad:
    """An institution's extra document check (F2), registered on one plugin manager only."""

    @hookspecs.hookimpl
    def casadmin_bases_versions(self):
        base = pl.get_bases(pl.get_plugin_manager(), "sunedu-2026")
        return [base.derivada(id="sunedu-sello", plugins=(*base.plugins, "prueba.sello"))]

    @hookspecs.hookimpl
    def casadmin_verificar_documentos(self, ctx, candidato):
        return [Motivo(requisito="Sello de la entidad en los anexos", declarado="sin sello", computado="",
                       cumple=False, clausula="§4.1", mensaje="Los anexos no llevan el sello de la entidad.")]


def test_the_ficha_consults_the_document_checks_of_the_manager_running_it():
    """D1, F3: the Ficha stage asks the documents' checks of the plugin manager that runs it, the
    same whose plugins its results name; a check registered on another manager than the
    process-wide one is consulted too."""
    import dataclasses

    from casadmin.engine.run import simular

    pm = pl.new_plugin_manager(extra=[("prueba.sello", _SelloDeLaEntidad())])
    arch = interchange.cargar(interchange.leer(EXAMPLE.read_bytes()))
    conv = dataclasses.replace(arch.convocatoria, bases="sunedu-sello")
    sim = simular(pm, conv, arch.candidatos, hasta="ficha")
    assert "prueba.sello" in sim.reglas_etapas["ficha"]
    for r in sim.etapas["ficha"]:
        sello = [mo for mo in r.motivos if mo.requisito == "Sello de la entidad en los anexos"]
        assert len(sello) == 1 and not sello[0].cumple and r.resultado == "no_apto", r.candidato
    assert "prueba.sello" not in dict(pl.get_plugin_manager().list_name_plugin())


def test_casadmin_detallar_experiencia(env):
    """D1: how a failed experience requirement was counted, experience by experience (§4.2.1 p–y), with
    the days of the Ficha's own reason."""
    pm, ctx, c = env
    (resultado,), _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_ficha", ctx=ctx, candidatos=[c["P02"]])
    falla = next(mo for mo in resultado.motivos if mo.requisito.startswith("Experiencia general") and not mo.cumple)
    detalle, plugin = pl.primero(pm, ctx.bases, "casadmin_detallar_experiencia", ctx=ctx, candidato=c["P02"])
    assert plugin == "sunedu.ficha" and falla.requisito in detalle
    computo = detalle[falla.requisito]
    assert falla.computado.endswith(f"({computo.dias} días)")
    assert computo.motivos[0].clausula in ("§4.2.1 p", "§4.2.1 v")  # from when it is counted
    por_experiencia = [mo for mo in computo.motivos[1:] if mo.declarado.startswith(tuple(
        str(t) for t in {e.tipo for e in c["P02"].experiencias}))]
    assert len({mo.declarado for mo in por_experiencia}) == len(c["P02"].experiencias)  # each declared one
    assert all(mo.clausula.startswith("§4.2.1") for mo in computo.motivos)


def test_the_detail_counts_the_days_of_every_experience_reason():
    """For every applicant of a generated call (every kind of experience of generar), each experience
    requirement's detail gives the days of the Ficha's reason: the detail explains the published count."""
    import json
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generar

    pm = pl.get_plugin_manager()
    arch = interchange.cargar(interchange.leer(json.dumps(generar.generar(200, seed=11))))
    bases = pl.get_bases(pm, arch.convocatoria.bases)
    ctx = contexto(arch.convocatoria, bases)
    resultados, _ = pl.primero(pm, bases, "casadmin_evaluar_ficha", ctx=ctx, candidatos=arch.candidatos)
    vistos = 0
    for cand, r in zip(arch.candidatos, resultados):
        detalle, _ = pl.primero(pm, bases, "casadmin_detallar_experiencia", ctx=ctx, candidato=cand)
        for mo in r.motivos:
            if mo.requisito in detalle:
                assert mo.computado.endswith(f"({detalle[mo.requisito].dias} días)"), (cand.id, mo.requisito)
                vistos += 1
    assert vistos >= 200  # at least one experience requirement per applicant


def test_casadmin_evaluar_examen(env):
    pm, ctx, c = env
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_examen", ctx=ctx, candidatos=[c["P01"], c["P03"], c["P04"]])
    assert [r.resultado for r in res] == ["apto", "no_se_presento", "no_apto"]


def test_casadmin_evaluar_psicologica(env):
    """§4.2.3 a: referential, so no score; once included it is compulsory, so who did not attend is
    out ("no se presentó") and who attended goes on; the published list says who attended or not."""
    pm, ctx, c = env
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_psicologica", ctx=ctx, candidatos=[c["P01"], c["P03"]])
    assert [r.resultado for r in res] == ["asistio", "no_se_presento"]
    assert [r.puntaje for r in res] == [None, None] and [r.sigue for r in res] == [True, False]


def test_casadmin_evaluar_curricular(env):
    pm, ctx, c = env
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_curricular", ctx=ctx, candidatos=[c["P01"], c["P05"]])
    assert [(r.resultado, r.puntaje) for r in res] == [("apto", Decimal(30)), ("no_apto", Decimal(0))]


def test_an_athlete_condition_the_profile_requires_is_proved_at_the_curricular_stage(env):
    """§4.3.1, §4.2.4 Criterios: a profile that requires the athlete condition makes it a requirement; its
    documents not recorded as presented leave the candidate No Apto/a («no acredita mediante la
    documentación correspondiente uno (01) o más requisitos exigidos en el perfil»), not only without the
    bonus. A profile that does not require it judges the same expediente Apto."""
    import dataclasses

    pm, ctx, c = env
    conv = ctx.convocatoria
    exige = contexto(dataclasses.replace(conv, perfil=dataclasses.replace(conv.perfil, requiere_deportista=True)),
                     ctx.bases)
    atleta = dataclasses.replace(c["P01"], deportista_nivel=3)
    con_docs = _con_documento(atleta, "doc_deportista")
    sin_docs = dataclasses.replace(atleta, entradas=dataclasses.replace(
        atleta.entradas, lista_curricular={**atleta.entradas.lista_curricular, "doc_deportista": False}))
    sin_registro = atleta  # the evaluator never recorded the documents as presented
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_curricular", ctx=exige,
                        candidatos=[con_docs, sin_docs, sin_registro])
    assert [(r.resultado, r.puntaje) for r in res] == [("apto", Decimal(30)), ("no_apto", Decimal(30)),
                                                       ("no_apto", Decimal(30))]
    assert not any("perfil exige como requisito" in m.mensaje for m in res[0].motivos)
    for r in res[1:]:
        [motivo] = [m for m in r.motivos if "perfil exige como requisito" in m.mensaje]
        assert not motivo.cumple and motivo.clausula == "§4.2.4 Criterios de Evaluación; §4.3.1"
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_curricular", ctx=ctx, candidatos=[sin_docs])
    assert [r.resultado for r in res] == ["apto"]



def test_the_documents_of_the_other_requirements_recorded_as_not_presented_make_the_candidate_no_apto(env):
    """§4.2.1 Otros requisitos («presentar el documento sustentatorio en la etapa de Evaluación Curricular»),
    §4.2.4 Criterios: «No cumple» on the item makes the candidate No Apto/a; not recorded, or a profile
    with no other requirement, changes nothing."""
    import dataclasses

    pm, ctx, c = env
    conv = ctx.convocatoria
    con_otros = contexto(dataclasses.replace(conv, perfil=dataclasses.replace(
        conv.perfil, otros=("Certificación OSCE", "Licencia de conducir A-I"))), ctx.bases)
    cand = c["P01"]
    no_presento = dataclasses.replace(cand, entradas=dataclasses.replace(
        cand.entradas, lista_curricular={**cand.entradas.lista_curricular, "otros_requisitos": False}))
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_curricular", ctx=con_otros,
                        candidatos=[no_presento, _con_documento(cand, "otros_requisitos"), cand])
    assert [(r.resultado, r.puntaje) for r in res] == [("no_apto", Decimal(30)), ("apto", Decimal(30)),
                                                       ("apto", Decimal(30))]
    [motivo] = [m for m in res[0].motivos if not m.cumple]
    assert motivo.mensaje == ("No acredita con documentos uno o más de los otros requisitos del perfil (Certificación OSCE; "
                              "Licencia de conducir A-I): No Apto/a.")
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_curricular", ctx=ctx, candidatos=[no_presento])
    assert [r.resultado for r in res] == ["apto"] and not ctx.convocatoria.perfil.otros


def test_casadmin_convocar_entrevista(env):
    pm, ctx, _ = env
    # §4.2.4 second worked table: a tie at the fifth place calls everyone tied.
    acumulados = [(f"C{i}", Decimal(s)) for i, s in enumerate([60, 58, 58, 56, 54, 54, 54, 52], 1)]
    ids, _ = pl.primero(pm, ctx.bases, "casadmin_convocar_entrevista", ctx=ctx, acumulados=acumulados)
    assert ids == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]


def test_the_shortlist_through_the_hook_calls_two_more_per_extra_position(env):
    """§4.2.4, first worked table: with two positions the five highest and two more are called, ties with the
    last one called included; the plugin reads the call's positions (with one, five)."""
    import dataclasses

    pm, ctx, _ = env
    acumulados = [(f"C{i}", Decimal(s)) for i, s in enumerate([60, 60, 58, 58, 56, 54, 52, 50], 1)]
    dos = contexto(dataclasses.replace(ctx.convocatoria, posiciones=2), ctx.bases)
    ids, _ = pl.primero(pm, ctx.bases, "casadmin_convocar_entrevista", ctx=dos, acumulados=acumulados)
    assert ids == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]
    assert ctx.convocatoria.posiciones == 1
    ids, _ = pl.primero(pm, ctx.bases, "casadmin_convocar_entrevista", ctx=ctx, acumulados=acumulados)
    assert ids == ["C1", "C2", "C3", "C4", "C5"]


def test_the_curricular_stage_moves_the_public_sector_points_when_the_profile_asks_none(env):
    """§4.2.4 Observación: a profile that asks no public-sector experience gives that factor's points to the
    specific experience; a candidate without it is Apto with 30 (16 for the specific experience). With a
    profile that asks for it, the same candidate fails that factor."""
    import dataclasses

    pm, ctx, c = env
    sin_publica = dataclasses.replace(c["P01"], entradas=dataclasses.replace(
        c["P01"].entradas, factores_curriculares={**c["P01"].entradas.factores_curriculares,
                                                  "experiencia_publica": False}))
    perfil = ctx.convocatoria.perfil
    assert perfil.experiencia_publica_meses
    (pide,), _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_curricular", ctx=ctx, candidatos=[sin_publica])
    assert pide.resultado == "no_apto"
    no_pide = contexto(dataclasses.replace(ctx.convocatoria, perfil=dataclasses.replace(
        perfil, experiencia_publica_meses=0)), ctx.bases)
    (r,), _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_curricular", ctx=no_pide, candidatos=[sin_publica])
    assert (r.resultado, r.puntaje) == ("apto", Decimal(30))
    assert r.detalle["puntos"]["experiencia_especifica"] == "16" and "experiencia_publica" not in r.detalle["puntos"]


def _sin_estudios_superiores(cand):
    """The candidate with only secundaria completa: neither técnico nor profesional (Ley 31533)."""
    import dataclasses

    from casadmin.rules.types import Condicion, NivelEstudios

    secundaria = tuple(dataclasses.replace(f, nivel=NivelEstudios.SECUNDARIA, condicion=Condicion.EGRESADO)
                       for f in cand.formaciones)
    return dataclasses.replace(cand, formaciones=secundaria)


def test_the_interview_bonus_of_ley_31533_is_for_young_tecnicos_and_profesionales_4_2_5_h(env):
    """§4.2.5 h: +10 % of the interview score for a técnico or profesional of at most 29 whose DNI was
    presented (P07); not for someone as young who is neither."""
    pm, ctx, c = env
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_entrevista", ctx=ctx,
                        candidatos=[c["P07"], _sin_estudios_superiores(c["P07"])])
    assert c["P07"].tecnico_o_profesional and not _sin_estudios_superiores(c["P07"]).tecnico_o_profesional
    assert [r.puntaje for r in res] == [Decimal("36.30"), Decimal("33.00")]
    assert "bonificacion_31533" in res[0].detalle and "bonificacion_31533" not in res[1].detalle


def test_where_the_profile_asks_only_secundaria_the_ley_31533_bonuses_need_the_trainings_document_4_2_5_h(env):
    """§4.2.5 h: «acreditar su edad y formación técnica o profesional». Where the profile asks secundaria, no
    curricular factor proves a técnico or university study, so the checklist asks for its document: not
    presented, neither the interview bonus nor the special bonus (§4.3.2) is given, and the curricular result
    says why. Where the profile asks a higher level, the DNI is enough (the formación factor proved it)."""
    import dataclasses

    from casadmin.rules.types import Condicion, NivelEstudios

    pm, ctx, c = env
    conv = ctx.convocatoria
    secundaria = contexto(dataclasses.replace(conv, perfil=dataclasses.replace(conv.perfil, formacion=dataclasses.replace(
        conv.perfil.formacion, nivel=NivelEstudios.SECUNDARIA, condicion=Condicion.EGRESADO, carreras=()))), ctx.bases)
    joven = c["P07"]  # a técnico or profesional of 29 at most, its DNI presented
    con_doc = _con_documento(joven, "formacion_31533")
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_entrevista", ctx=secundaria, candidatos=[joven, con_doc])
    assert [r.puntaje for r in res] == [Decimal("33.00"), Decimal("36.30")]
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_entrevista", ctx=ctx, candidatos=[joven])
    assert [r.puntaje for r in res] == [Decimal("36.30")]  # the profile asks a higher level: the DNI is enough

    def especial(contexto_, cand):
        found = pl.todos(pm, ctx.bases, "casadmin_bonificaciones", ctx=contexto_, candidato=cand, puntaje=Decimal(80))
        return {p: lista for lista, p in found}["sunedu.bonificacion_31533"]

    assert especial(secundaria, joven) == [] and especial(secundaria, con_doc) == especial(ctx, joven) != []
    (r,), _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_curricular", ctx=secundaria, candidatos=[joven])
    [motivo] = [m for m in r.motivos if m.clausula == "§4.2.5 h"]
    assert not motivo.cumple and "formación técnica o profesional" in motivo.mensaje
    (r,), _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_curricular", ctx=secundaria, candidatos=[con_doc])
    assert not [m for m in r.motivos if m.clausula == "§4.2.5 h"]


def test_casadmin_evaluar_entrevista(env):
    pm, ctx, c = env
    res, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_entrevista", ctx=ctx, candidatos=[c["P08"], c["P06"]])
    assert [(r.resultado, r.puntaje) for r in res] == [("apto", Decimal("30.33")), ("no_apto", Decimal("18.00"))]


def test_casadmin_bonificaciones(env):
    pm, ctx, c = env
    found = pl.todos(pm, ctx.bases, "casadmin_bonificaciones", ctx=ctx, candidato=c["P01"], puntaje=Decimal(90))
    bonos = [(b.porcentaje, p) for lista, p in found for b in lista]
    assert bonos == [(Decimal(10), "sunedu.bonificacion_ffaa_discapacidad")]


def _con_documento(cand, codigo: str):
    """The candidate with a bonus's document recorded as presented on the expediente's checklist (§4.3)."""
    import dataclasses

    lista = {**cand.entradas.lista_curricular, codigo: True}
    return dataclasses.replace(cand, entradas=dataclasses.replace(cand.entradas, lista_curricular=lista))


def test_the_athlete_bonus_through_the_hook_with_the_bases_rates(env):
    """§4.3.1: a Deportista Calificado de Alto Nivel gets the rate of their level (the bases' table, as
    ``bonificacion.deportista`` in parametros.yaml: level 2 → 16 %) of the same base as the other bonuses,
    only when the profile requires the athlete condition."""
    import dataclasses

    pm, ctx, c = env
    atleta = _con_documento(dataclasses.replace(c["P01"], deportista_nivel=2), "doc_deportista")  # §4.3: presented
    conv = ctx.convocatoria
    exige = contexto(dataclasses.replace(conv, perfil=dataclasses.replace(conv.perfil, requiere_deportista=True)),
                     ctx.bases)
    found = pl.todos(pm, ctx.bases, "casadmin_bonificaciones", ctx=exige, candidato=atleta, puntaje=Decimal(90))
    bonos = {p: [(b.porcentaje, b.monto) for b in lista] for lista, p in found}
    assert bonos["sunedu.bonificacion_deportista"] == [(Decimal(16), Decimal("14.40"))]
    assert bonos["sunedu.bonificacion_ffaa_discapacidad"] == [(Decimal(10), Decimal("9.00"))]  # same base (§4.3)
    sin_exigir = pl.todos(pm, ctx.bases, "casadmin_bonificaciones", ctx=ctx, candidato=atleta, puntaje=Decimal(90))
    assert [p for lista, p in sin_exigir if lista] == ["sunedu.bonificacion_ffaa_discapacidad"]


def test_the_ley_31533_bonus_through_the_hook_with_the_bases_table(env):
    """§4.3.2: a técnico or profesional of at most 29 at the start of the application period gets 1, 2 or
    3 percentage points of the final score for 1, 2 or 3+ years in the public sector."""
    import dataclasses
    import datetime as dt

    pm, ctx, c = env

    def bono(cand):
        found = pl.todos(pm, ctx.bases, "casadmin_bonificaciones", ctx=ctx, candidato=cand, puntaje=Decimal(80))
        return {p: [(b.porcentaje, b.monto) for b in lista] for lista, p in found}.get("sunedu.bonificacion_31533")

    # 29 on 02/03/2026, its DNI presented at the curricular stage (§4.3)
    joven = _con_documento(dataclasses.replace(c["P01"], fecha_nacimiento=dt.date(1996, 3, 3)), "dni_31533")
    assert bono(joven) == [(Decimal(3), Decimal("2.40"))]  # six years at a ministry: 3 points
    privada, publica = joven.experiencias
    dos = dataclasses.replace(joven, experiencias=(privada, dataclasses.replace(publica, fin=dt.date(2022, 3, 1))))
    assert bono(dos) == [(Decimal(2), Decimal("1.60"))]  # 2 years and 46 days: 2 points
    # any public-sector experience counts, not only the specific one (docs/rules.md)
    general = dataclasses.replace(joven, experiencias=(privada, dataclasses.replace(publica, especifica=False)))
    assert bono(general) == [(Decimal(3), Decimal("2.40"))]
    assert bono(_sin_estudios_superiores(joven)) == []  # neither técnico nor profesional
    assert bono(dataclasses.replace(joven, fecha_nacimiento=dt.date(1996, 3, 1))) == []  # 30 on 02/03/2026


def test_casadmin_orden_merito(env):
    from casadmin.rules.ranking import Finalista

    pm, ctx, _ = env
    finalistas = [Finalista(id="A", puntaje_final=Decimal(80), entrevista=Decimal(30), examen=Decimal(25)),
                  Finalista(id="B", puntaje_final=Decimal(80), entrevista=Decimal(32), examen=Decimal(22)),
                  Finalista(id="C", puntaje_final=Decimal(70), entrevista=Decimal(30), examen=Decimal(21))]
    orden, _ = pl.primero(pm, ctx.bases, "casadmin_orden_merito", ctx=ctx, finalistas=finalistas)
    assert [f.id for f in orden.ganadores] == ["B"] and [f.id for f in orden.accesitarios] == ["A", "C"]


def test_casadmin_detectar_desierto(env):
    """§4.5 a–d, each from the counts, in the bases' order; none when the call has its winner."""
    pm, ctx, _ = env
    cuentas = {"postulantes": 3, "aptos_ficha": 2, "finalistas": 1, "ganadores": 1, "sin_nadie_por_llamar": 0}
    for cambio, causa in [({"postulantes": 0, "aptos_ficha": 0, "finalistas": 0, "ganadores": 0}, "sin_postulantes"),
                          ({"aptos_ficha": 0, "finalistas": 0, "ganadores": 0}, "sin_requisitos"),  # §4.5 b
                          ({"finalistas": 0, "ganadores": 0}, "sin_puntaje_minimo"),  # §4.5 c
                          ({"sin_nadie_por_llamar": 1}, "desistimiento")]:  # §4.5 d, §4.4 f
        assert pl.primero(pm, ctx.bases, "casadmin_detectar_desierto", ctx=ctx,
                          resumen={**cuentas, **cambio}) == (causa, "sunedu.desierto"), causa
    assert pl.todos(pm, ctx.bases, "casadmin_detectar_desierto", ctx=ctx, resumen=cuentas) == []


def test_hooks_run_only_on_the_plugins_of_the_bases_version(env):
    pm, ctx, c = env
    ajena = ctx.bases.derivada(id="otra", plugins=("sunedu.examen",))
    with pytest.raises(pl.SinImplementacion):
        pl.primero(pm, ajena, "casadmin_evaluar_ficha", ctx=ctx, candidatos=[c["P01"]])


@pytest.mark.parametrize(("con_examen", "tabla"), [
    # §4.2.6 a, first table (with the exam): stage → (weight %, minimum to pass, maximum)
    (True, {"examen": (30, 21, 30), "curricular": (30, 30, 30), "entrevista": (40, 20, 40), "final": (100, 71, 100)}),
    # second table (without the exam)
    (False, {"curricular": (50, 50, 50), "entrevista": (50, 30, 50), "final": (100, 80, 100)}),
])
def test_the_4_2_6_point_tables_come_out_of_the_bases_parameters(env, con_examen, tabla):
    """§4.2.6 a's two tables, rebuilt from SUNEDU's parametros.yaml: each stage's weight, pass mark and
    maximum, the final score's (the sum of the stages' minimums and maximums), and the curricular
    factors (§4.2.4) that add up to the stage's."""
    _, ctx, _ = env
    vigentes = ctx.bases.parametros.para(ctx.fecha_postulacion)
    factores = vigentes["curricular.puntos_con_examen" if con_examen else "curricular.puntos_sin_examen"]
    etapas = {"curricular": (sum(factores.values()), sum(factores.values())),
              "entrevista": tuple(vigentes["entrevista.marcas_con_examen" if con_examen else "entrevista.marcas_sin_examen"])}
    if con_examen:
        etapas["examen"] = (vigentes["examen.puntaje_minimo"], vigentes["examen.puntaje_maximo"])
    etapas["final"] = (sum(m for m, _ in etapas.values()), sum(x for _, x in etapas.values()))
    assert {e: (x, m, x) for e, (m, x) in etapas.items()} == tabla  # the weight is the maximum, of 100
    assert list(factores.values()) == ([4, 8, 8, 6, 4] if con_examen else [8, 12, 12, 10, 8])


def test_parameters_are_dated_and_cite_their_clause(env):
    import datetime as dt

    from casadmin.engine.params import ParametroDesconocido

    _, ctx, _ = env
    params = ctx.bases.parametros
    for p in params.items.values():
        assert p.referencia.startswith("§") and p.descripcion
    # The document types too, in every built-in bases version: where each document is asked for.
    for version in pl.bases_versions(pl.get_plugin_manager()).values():
        for tipo in version.documentos:
            assert re.match(r"(§|Mig\. )\d", tipo.clausula), (version.id, tipo.codigo)
    assert params.para(dt.date(2026, 3, 2))["examen.puntaje_minimo"] == Decimal(21)
    with pytest.raises(ParametroDesconocido):
        params.para(dt.date(2025, 12, 31))["examen.puntaje_minimo"]
