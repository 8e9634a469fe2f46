"""Final results on the database (D7–D9, §4.2.6, §4.3, §4.5) with the same engine as ``casadmin simulate``.

Worked example: the SUNEDU example call (docs/examples/cas-140-2026-sunedu.json) imported under
a number of its own, every stage evaluated on the database, then the final step. Expected, as
``simulate`` prints it and as the bases say:

| candidato | etapas | bonificación (base legal)                         | final | condición   |
|-----------|--------|---------------------------------------------------|-------|-------------|
| P01       | 90.00  | +9.00, 10 % FF.AA. (§4.3.4)                        | 99.00 | ganador     |
| P08       | 84.33  | +12.64, 15 % discapacidad (§4.3.3)                 | 96.97 | accesitario |
| P07       | 91.30  | +2.73, 3 puntos porcentuales Ley 31533 (§4.3.2)    | 94.03 | accesitario |
| P09       | 90.00  | —                                                  | 90.00 | aprobado    |
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.metadata
import json
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from finales import auditoria, cliente_orh, datos, finales, importar_y_evaluar, por_id, postulante, simulacion

from casadmin import ciclo, comite, engine_db, etapas, final, publicacion
from casadmin import plugins as pl
from casadmin.engine import interchange, report, run
from casadmin import models as m
from casadmin.models.enums import CausaDesierto, CondicionFinal, Etapa, EstadoPostulacion, Resultado, TipoBonificacion
from casadmin.peru.business_days import contract_deadline

#: The installed CAS Admin's version: what its plugins record with their results (F3).
VERSION = importlib.metadata.version("casadmin")


def _sin_ffaa(d: dict) -> None:
    """P01 without the FF.AA. bonus: P01 and P09 then tie on final, interview and exam (§4.2.6 c)."""
    postulante(d, "P01")["ficha"]["licenciado_ffaa"] = False


def test_a_bonus_document_recorded_as_not_presented_withholds_the_bonus_on_the_database_too_4_3(db):
    """§4.3, §4.2.5 h: P07's DNI and P01's FF.AA. document recorded «No cumple» on the expediente's checklist:
    the database's interview stage (which reads that checklist too) gives P07 no 10 %, the final step no
    FF.AA. or Ley 31533 bonus, and the stored results equal simulate's on the exported call."""
    d = datos("final")
    postulante(d, "P07")["entradas"]["curricular"]["lista"] = {"dni_31533": False}
    postulante(d, "P01")["entradas"]["curricular"]["lista"] = {"doc_ffaa": False}
    conv = importar_y_evaluar(db, d)
    ids = por_id(db, conv)
    entrevista = db.session.scalar(sa.select(m.ResultadoEtapa).where(
        m.ResultadoEtapa.postulacion_id == ids["P07"], m.ResultadoEtapa.etapa == Etapa.entrevista))
    assert entrevista.puntaje == Decimal("33.00") and not any("Entrevista Personal (jóvenes" in x["requisito"]
                                                              for x in entrevista.motivos)
    res = final.evaluar_final(db.session, conv.codigo, usuario="prueba")
    esperado = simulacion(engine_db.exportar(db.session, conv.codigo))
    filas = finales(db, conv)
    assert {i: (f.puntaje_etapas, f.puntaje_final) for i, f in filas.items()} == {
        e["postulante"]: (Decimal(e["puntaje_etapas"]), Decimal(e["puntaje_final"])) for e in esperado["finales"]}
    assert filas["P01"].puntaje_final == filas["P01"].puntaje_etapas == Decimal("90.00")
    assert filas["P07"].puntaje_final == filas["P07"].puntaje_etapas == Decimal("88.00")
    assert not db.session.scalars(sa.select(m.Bonificacion).where(
        m.Bonificacion.postulacion_id.in_([ids["P01"], ids["P07"]]))).all()
    assert res.ganadores == esperado["ganadores"]


def test_the_stored_final_result_equals_simulate_on_the_same_call(db):
    conv = importar_y_evaluar(db, datos("final"))
    res = final.evaluar_final(db.session, conv.codigo, usuario="prueba")
    esperado = simulacion(engine_db.exportar(db.session, conv.codigo))

    assert (res.ganadores, res.accesitarios, res.empates, res.desierto) == (
        esperado["ganadores"], esperado["accesitarios"], esperado["empates_para_comite"], esperado["desierto"])
    assert res.ganadores == ["P01"] and res.accesitarios == ["P08", "P07"]
    filas = finales(db, conv)
    lugares = {i: n for n, grupo in enumerate(esperado["orden_merito"], 1) for i in grupo}
    assert {i: (f.puntaje_etapas, f.puntaje_final, f.orden_merito) for i, f in filas.items()} == {
        e["postulante"]: (Decimal(e["puntaje_etapas"]), Decimal(e["puntaje_final"]), lugares[e["postulante"]])
        for e in esperado["finales"]}
    assert {i: f.condicion for i, f in filas.items()} == {
        "P01": CondicionFinal.ganador, "P08": CondicionFinal.accesitario, "P07": CondicionFinal.accesitario,
        "P09": CondicionFinal.aprobado}
    assert filas["P01"].puntaje_final == Decimal("99.00") and filas["P08"].puntaje_final == Decimal("96.97")

    # Each bonus with its legal basis and the plugin that produced it (§4.3, F3), as simulate gives them.
    ids = {v: k for k, v in por_id(db, conv).items()}
    bonos = db.session.scalars(sa.select(m.Bonificacion).where(m.Bonificacion.postulacion_id.in_(ids))).all()
    finales_db = {(ids[b.postulacion_id], b.concepto, b.porcentaje, b.base, b.puntos, b.base_legal)
                  for b in bonos if b.tipo is not TipoBonificacion.joven_entrevista}
    assert finales_db == {(e["postulante"], b["concepto"], Decimal(b["porcentaje"]), Decimal(b["base"]),
                           Decimal(b["monto"]), b["base_legal"]) for e in esperado["finales"] for b in e["bonificaciones"]}
    por_tipo = {(ids[b.postulacion_id], b.tipo): b for b in bonos}
    assert "§4.3.4" in por_tipo[("P01", TipoBonificacion.ffaa)].base_legal
    assert por_tipo[("P08", TipoBonificacion.discapacidad)].regla.startswith("sunedu.bonificacion_ffaa_discapacidad==")
    # §4.2.5 h: P07's 10 % on the interview is shown too, inside the interview score (33.00 → 36.30).
    joven = por_tipo[("P07", TipoBonificacion.joven_entrevista)]
    assert (joven.base, joven.puntos, joven.porcentaje) == (Decimal("33.00"), Decimal("3.30"), Decimal("10.00"))
    assert "§4.2.5 h" in joven.base_legal
    # F3: the final step's plugins and versions on every row (each bonus plugin consulted, the athlete's too,
    # which gave nobody a bonus, the desierto plugin, which found no cause, and the version's, whose parameters
    # the rates are); the act is audited.
    assert set(filas["P01"].reglas) == {"sunedu.bonificacion_31533", "sunedu.bonificacion_ffaa_discapacidad",
                                        "sunedu.bonificacion_deportista", "sunedu.orden_merito", "sunedu.desierto",
                                        "sunedu"}
    assert all(v.startswith(k + "==") for k, v in filas["P01"].reglas.items())
    registro = auditoria(db, conv, "calcular_resultado_final")[-1]
    assert registro.despues["ganadores"] == ["P01"] and registro.usuario == "prueba"
    estados = {ids[p.id]: p.estado for p in db.session.scalars(sa.select(m.Postulacion).where(
        m.Postulacion.id.in_(ids)))}
    assert estados["P01"] is EstadoPostulacion.ganador and estados["P09"] is EstadoPostulacion.no_seleccionado
    assert final.causa_desierto_propuesta(db.session, conv) is None


def test_a_persistent_tie_waits_for_the_committee_whose_reasoned_decision_settles_it(db):
    conv = importar_y_evaluar(db, datos("final", _sin_ffaa))
    res = final.evaluar_final(db.session, conv)
    assert res.ganadores == ["P08"] and res.accesitarios == ["P07"] and res.empates == [["P01", "P09"]]
    filas = finales(db, conv)
    assert filas["P01"].empate_comite and filas["P09"].empate_comite and not filas["P08"].empate_comite
    assert filas["P01"].orden_merito == filas["P09"].orden_merito == 3
    # D8: each one's own reason for the place, naming no other candidate (the applicant sees it); no tie, none.
    for ident in ("P01", "P09"):
        (abierto,) = filas[ident].motivos
        assert (abierto["clausula"], abierto["cumple"]) == ("§4.2.6 c", False) and "Comité" in abierto["mensaje"]
        assert "P0" not in abierto["mensaje"] + abierto["declarado"]
    assert filas["P08"].motivos == [] and filas["P07"].motivos == []
    ids = por_id(db, conv)

    with pytest.raises(final.FinalRechazado, match="empate pendiente"):
        final.publicar_final(db.session, conv)
    antes = db.session.scalar(sa.select(sa.func.count()).select_from(m.ItemVerificacion))
    with pytest.raises(final.FinalRechazado, match="sustento"):
        final.decidir_empate(db.session, conv, [ids["P09"], ids["P01"]], "   ")
    with pytest.raises(final.FinalRechazado, match="todos los candidatos"):
        final.decidir_empate(db.session, conv, [ids["P09"]], "Mejor desempeño en el caso práctico")
    with pytest.raises(final.FinalRechazado, match="todos los candidatos"):
        final.decidir_empate(db.session, conv, [ids["P09"], ids["P08"]], "Mejor desempeño en el caso práctico")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.ItemVerificacion)) == antes

    sustento = "Deliberación del Comité: mayor idoneidad en el caso práctico; voto dirimente del área usuaria."
    res = final.decidir_empate(db.session, conv, [ids["P09"], ids["P01"]], sustento, usuario="comite")
    assert res.accesitarios == ["P07", "P09"] and res.empates == []
    filas = finales(db, conv)
    assert (filas["P09"].orden_merito, filas["P01"].orden_merito) == (3, 4)
    assert filas["P09"].decision_comite == sustento and not filas["P09"].empate_comite
    assert filas["P01"].condicion is CondicionFinal.aprobado
    # The decision is where the engine reads it: the export carries it and simulate agrees.
    exportado = engine_db.exportar(db.session, conv.codigo)
    assert exportado["decisiones_comite"] == [{"orden": ["P09", "P01"], "sustento": sustento}]
    esperado = simulacion(exportado)
    assert (esperado["ganadores"], esperado["accesitarios"]) == (res.ganadores, res.accesitarios)
    assert "quien le sigue" in filas["P09"].motivos[0]["mensaje"] and filas["P09"].motivos[0]["cumple"]
    assert "quien le precede" in filas["P01"].motivos[0]["mensaje"] and not filas["P01"].motivos[0]["cumple"]
    motivos = {f["postulante"]: f["motivos"] for f in exportado["resultados"]["finales"]}
    assert motivos == {f["postulante"]: f["motivos"] for f in esperado["finales"]}
    assert motivos["P09"] == filas["P09"].motivos and motivos["P08"] == []
    assert interchange.validar(json.loads(json.dumps(exportado, default=str))) == []  # the schema describes them
    assert auditoria(db, conv, "decidir_empate")[-1].motivo == sustento


def test_decisions_on_other_ties_settle_no_tie_and_their_reasoning_stays_with_their_own(db):
    """§4.2.6 c: the committee «delibera y elige» in a tie. P01 and P09 tie on everything; a file brings two
    decisions, P09 before P08 and P07 before P01 (as an earlier computation's ties could leave): neither
    chose between P01 and P09, whose tie waits for the committee, as simulate says. Merged, they placed P09
    first, and each sustento was stored on P08 and P07, who were in no tie, and published with them."""
    d = datos("final", _sin_ffaa)
    d["decisiones_comite"] = [{"orden": ["P09", "P08"], "sustento": "Decisión sobre otro empate"},
                              {"orden": ["P07", "P01"], "sustento": "Otra decisión sobre otro empate"}]
    conv = importar_y_evaluar(db, d)
    res = final.evaluar_final(db.session, conv)
    assert res.empates == [["P01", "P09"]] and res.accesitarios == ["P07"]
    esperado = simulacion(engine_db.exportar(db.session, conv.codigo))
    assert esperado["empates_para_comite"] == [["P01", "P09"]]
    filas = finales(db, conv)
    assert all(f.decision_comite is None for f in filas.values())
    ids = por_id(db, conv)
    sustento = "Mayor idoneidad en el caso práctico."
    final.decidir_empate(db.session, conv, [ids["P01"], ids["P09"]], sustento)
    filas = finales(db, conv)
    assert {i: f.decision_comite for i, f in filas.items() if f.decision_comite} == {"P01": sustento, "P09": sustento}


def test_the_final_step_reads_of_the_call_exactly_what_its_export_gives_simulate(db):
    """``final.calcular`` does not export the call (150,000 Fichas): it reads the stored results, the
    committee's decisions, the format's ids of those it names and the finalists' Fichas. Each reader
    equals the export's piece, for every application and stage."""
    conv = importar_y_evaluar(db, datos("final", _sin_ffaa))
    final.evaluar_final(db.session, conv)
    ids = por_id(db, conv)
    final.decidir_empate(db.session, conv, [ids["P09"], ids["P01"]], "Mayor idoneidad en el caso práctico.")
    # One Ficha as the portal freezes it (no id from a file) and of a foreign resident: named by the document.
    p = db.session.get(m.Postulacion, ids["P03"])
    ficha = dict(p.ficha, datos_personales={**p.ficha["datos_personales"], "tipo_documento": "CE"})
    del ficha["intercambio"]
    p.ficha = ficha
    db.session.commit()

    exportado = engine_db.exportar(db.session, conv.codigo)
    pids = sorted(ids.values())
    nombres = engine_db.ids_en_archivo(db.session, conv, pids)
    assert [nombres[pid] for pid in pids] == [q["id"] for q in exportado["postulantes"]]
    assert nombres[ids["P03"]] == f"CE-{p.ficha['datos_personales']['numero_documento']}"
    guardados = engine_db.resultados_evaluados(db.session, conv, detalle=("entrevista",))
    etapas = exportado["resultados"]["etapas"]
    assert list(guardados) == list(etapas) == ["ficha", "examen", "psicologica", "curricular", "entrevista"]
    for etapa, filas in etapas.items():
        assert [(nombres[pid], f.resultado, None if f.puntaje is None else str(f.puntaje))
                for pid, f in guardados[etapa].items()] == [(r["postulante"], r["resultado"], r["puntaje"]) for r in filas]
    assert [(f.regla, list(f.motivos)) for f in guardados["entrevista"].values()] == \
        [(r["regla"], r["motivos"]) for r in etapas["entrevista"]]
    assert any(mo["clausula"] == "§4.2.5 h" for f in guardados["entrevista"].values() for mo in f.motivos)
    assert all(f.regla == "" and f.motivos == () for f in guardados["ficha"].values())  # not asked: not read
    decisiones = [{"orden": [nombres[pid] for pid in orden], "sustento": sustento}
                  for orden, sustento in engine_db.decisiones_comite(db.session, conv)]
    assert decisiones == exportado["decisiones_comite"] == [
        {"orden": ["P09", "P01"], "sustento": "Mayor idoneidad en el caso práctico."}]


def test_publication_calls_the_winner_and_later_changes_are_audited_corrections(db):
    conv = importar_y_evaluar(db, datos("final"))
    final.evaluar_final(db.session, conv)
    pub = final.publicar_final(db.session, conv, usuario=None)
    assert pub.etapa == "final" and all(f.publicado for f in finales(db, conv).values())
    contrato = db.session.scalar(sa.select(m.Contrato).where(m.Contrato.convocatoria_id == conv.id))
    assert contrato.postulacion_id == por_id(db, conv)["P01"] and contrato.orden_llamado == 0
    assert contrato.fecha_limite == contract_deadline(pub.publicado_en.date(), 5)  # §4.4 d

    with pytest.raises(final.FinalRechazado, match="ya fueron publicados"):
        final.evaluar_final(db.session, conv)
    with pytest.raises(final.FinalRechazado, match="motivo"):
        final.evaluar_final(db.session, conv, recalcular=True, motivo="  ")
    with pytest.raises(final.FinalRechazado, match="ya fueron publicados"):
        final.publicar_final(db.session, conv)
    res = final.evaluar_final(db.session, conv, recalcular=True, motivo="Revisión de oficio del cómputo")
    assert res.recalculado and res.ganadores == ["P01"]
    registro = auditoria(db, conv, "recalcular_resultado_final")[-1]
    assert registro.motivo == "Revisión de oficio del cómputo" and registro.antes["resultados"]
    assert all(f.publicado for f in finales(db, conv).values())
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Contrato.convocatoria_id == conv.id)) == 1


def _todos_desaprueban_la_entrevista(d: dict) -> None:
    for p in d["postulantes"]:
        for hoja in p.get("entradas", {}).get("entrevista", {}).get("hojas", ()):
            hoja["factores"] = {k: "2" for k in hoja["factores"]}


def test_nobody_passing_the_interview_proposes_desierto(db):
    d = datos("final", _todos_desaprueban_la_entrevista)
    conv = importar_y_evaluar(db, d)
    res = final.evaluar_final(db.session, conv)
    assert res.finalistas == 0 and res.desierto == "sin_puntaje_minimo" == simulacion(d)["desierto"]  # §4.5 c
    assert final.causa_desierto_propuesta(db.session, conv) is CausaDesierto.sin_puntaje_minimo
    with pytest.raises(final.FinalRechazado, match="No hay resultados finales"):
        final.publicar_final(db.session, conv)


def _sin_formacion(d: dict) -> None:
    for p in d["postulantes"]:
        p["ficha"]["formacion"] = []


def test_nobody_meeting_the_requirements_or_nobody_applying_proposes_desierto(db):
    d = datos("final", _sin_formacion)
    conv = importar_y_evaluar(db, d, hasta="ficha")
    assert final.causa_desierto_propuesta(db.session, conv) is CausaDesierto.sin_requisitos  # §4.5 b
    assert simulacion(d)["desierto"] == "sin_requisitos"
    vacia = datos("final", lambda d: d.update(postulantes=[]))
    conv = engine_db.importar(db.session, vacia)
    assert final.causa_desierto_propuesta(db.session, conv) is CausaDesierto.sin_postulantes  # §4.5 a
    res = final.evaluar_final(db.session, conv)
    assert res.finalistas == 0 and res.desierto == "sin_postulantes"


def _exactos(finales_: list[dict]) -> list[tuple]:
    """The finalists of a ``resultados`` block with their numbers as exact decimals (export writes
    them without trailing zeros, simulate as computed)."""
    return [(f["postulante"], Decimal(f["puntaje_etapas"]), Decimal(f["puntaje_final"]),
             [(b["concepto"], Decimal(b["porcentaje"]), Decimal(b["base"]), Decimal(b["monto"]), b["base_legal"],
               b["regla"]) for b in f["bonificaciones"]]) for f in finales_]


@pytest.mark.parametrize("cambiar", [None, _sin_ffaa])
def test_the_export_carries_the_stored_final_results_as_simulate_writes_them(db, cambiar):
    """``casadmin export`` after ``evaluate --stage final`` (docs/interchange.md): the finalists with
    their bonuses and legal basis (§4.3), the merit order, winners, accesitarios, the ties left to
    the committee (§4.2.6 c, D8) and the bases version, as ``simulate --json`` gives them on the same
    call; the desierto cause once declared (§4.5)."""
    conv = importar_y_evaluar(db, datos("final", cambiar))
    antes = engine_db.exportar(db.session, conv.codigo)["resultados"]
    assert "finales" not in antes and antes["bases"]["id"] == "sunedu-2026"
    final.evaluar_final(db.session, conv)
    exportado = engine_db.exportar(db.session, conv.codigo)
    res, esperado = exportado["resultados"], simulacion(exportado)
    claves = ("orden_merito", "ganadores", "accesitarios", "empates_para_comite", "desierto")
    assert {k: res[k] for k in claves} == {k: esperado[k] for k in claves}
    assert _exactos(res["finales"]) == _exactos(esperado["finales"])
    assert res["bases"] == esperado["bases"]
    assert res["reglas"] == esperado["reglas"]  # the final step's plugins too (F3): the merit order's, the bonuses'
    if cambiar is None:
        assert res["ganadores"] == ["P01"] and res["finales"][0]["bonificaciones"][0]["base_legal"].count("§4.3.4")
    else:
        assert res["empates_para_comite"] == [["P01", "P09"]] or res["empates_para_comite"] == [["P09", "P01"]]
    assert interchange.validar(exportado) == []


@pytest.mark.parametrize("cambiar", [None, _sin_ffaa])
def test_an_export_with_final_results_imports_with_them_and_exports_the_same(app, db, tmp_path, cambiar):
    """export → import → export kept the stages and dropped the final step without a word. Now the final
    step a file carries is computed again on its stages (audited) and kept when it is the file's; a file
    whose winners or final scores its stages do not give is refused at those paths, nothing written."""
    conv = importar_y_evaluar(db, datos("final", cambiar))
    final.evaluar_final(db.session, conv)
    exportado = engine_db.exportar(db.session, conv.codigo)
    # written as simulate writes them: scores with two decimals, percentages without trailing zeros
    assert exportado["resultados"]["finales"] == simulacion(exportado)["finales"]
    bonos = [b for f in exportado["resultados"]["finales"] for b in f["bonificaciones"]]
    assert bonos and all(re.fullmatch(r"\d+\.\d\d", b[k]) for b in bonos for k in ("base", "monto"))
    assert all(re.fullmatch(r"\d+(\.\d*[1-9])?", b["porcentaje"]) for b in bonos)
    assert all(re.fullmatch(r"\d+\.\d\d", f[k]) for f in exportado["resultados"]["finales"]
               for k in ("puntaje_etapas", "puntaje_final"))
    otra = copy.deepcopy(exportado)
    otra["convocatoria"].update(codigo=f"{conv.codigo}-B", numero=conv.numero + 500000)
    for p in otra["postulantes"]:  # other people, so that the import makes their applications anew
        p["documento"]["numero"] = "8" + p["documento"]["numero"][1:]
    archivo = tmp_path / "con-finales.json"
    archivo.write_text(json.dumps(otra, ensure_ascii=False, default=str), encoding="utf-8")
    salida = app.test_cli_runner().invoke(args=["casadmin", "import", str(archivo)])
    assert salida.exit_code == 0 and "resultados finales: 4" in salida.output and "Aviso" not in salida.output, salida.output
    de_nuevo = engine_db.exportar(db.session, f"{conv.codigo}-B")["resultados"]
    claves = ("finales", "orden_merito", "ganadores", "accesitarios", "empates_para_comite", "desierto")
    assert {k: de_nuevo[k] for k in claves} == {k: exportado["resultados"][k] for k in claves}
    nueva = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.codigo == f"{conv.codigo}-B"))
    assert len(auditoria(db, nueva, "calcular_resultado_final")) == 1

    mala = copy.deepcopy(otra)
    mala["convocatoria"].update(codigo=f"{conv.codigo}-C", numero=conv.numero + 600000)
    for p in mala["postulantes"]:
        p["documento"]["numero"] = "7" + p["documento"]["numero"][1:]
    mala["resultados"]["ganadores"] = ["P09"]
    mala["resultados"]["finales"][0]["puntaje_final"] = "100"
    del mala["resultados"]["finales"][-1]  # a finalist left out
    antes = db.session.scalar(sa.select(sa.func.count()).select_from(m.Convocatoria))
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, interchange.leer(json.dumps(mala, default=str).encode()))
    assert [ruta for ruta, _ in err.value.errores] == ["$.resultados.ganadores", "$.resultados.finales",
                                                       "$.resultados.finales[0].puntaje_final"]
    assert all("no es lo que dan las etapas del archivo con las bases instaladas «sunedu-2026»" in msg
               for _, msg in err.value.errores)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Convocatoria)) == antes
    # the accesitarios in another order: the first is called first (§4.4 f); they were compared as a set
    # (the call with P01's FF.AA. bonus has two; without it, one, and a tie for the other place)
    al_reves = copy.deepcopy(mala)
    al_reves["resultados"] = copy.deepcopy(otra["resultados"])
    al_reves["resultados"]["accesitarios"] = ["P07", "P08"] if al_reves["resultados"]["empates_para_comite"] else \
        al_reves["resultados"]["accesitarios"][::-1]
    assert al_reves["resultados"]["accesitarios"] != otra["resultados"]["accesitarios"]
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, interchange.leer(json.dumps(al_reves, default=str).encode()))
    assert [ruta for ruta, _ in err.value.errores] == ["$.resultados.accesitarios"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Convocatoria)) == antes
    # the same final score reached otherwise: a point of the stages called a bonus the bases do not give
    # (only the final score was compared)
    otro_bono = copy.deepcopy(al_reves)
    otro_bono["resultados"] = copy.deepcopy(otra["resultados"])
    primero = otro_bono["resultados"]["finales"][0]
    primero["puntaje_etapas"] = str(Decimal(primero["puntaje_etapas"]) - 1)
    primero["bonificaciones"] = [*primero.get("bonificaciones", []),
                                 {"concepto": "Bonificación inventada", "porcentaje": "1", "base": "100", "monto": "1",
                                  "base_legal": "ninguna"}]
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, interchange.leer(json.dumps(otro_bono, default=str).encode()))
    assert [ruta for ruta, _ in err.value.errores] == ["$.resultados.finales[0].puntaje_etapas",
                                                       "$.resultados.finales[0].bonificaciones"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Convocatoria)) == antes
    # A call declared desierto (§4.5 d, after the contract step): the cause is ORH's to declare here, and said.
    desierta = copy.deepcopy(otra)
    desierta["convocatoria"].update(codigo=f"{conv.codigo}-E", numero=conv.numero + 800000)
    for p in desierta["postulantes"]:
        p["documento"]["numero"] = "5" + p["documento"]["numero"][1:]
    desierta["resultados"]["desierto"] = "desistimiento"
    avisos: list[str] = []
    engine_db.importar(db.session, interchange.leer(json.dumps(desierta, default=str).encode()), avisos=avisos)
    assert avisos == ["La causa de desierto del archivo («desistimiento») no se importó: la convocatoria se declara "
                      "desierta en CAS Admin, con la causa que la ORH confirma (§4.5)."]


def test_final_results_over_out_of_date_stages_are_left_out_of_an_import_and_said(db):
    """An export of a call whose Ficha stage changed after the final step: its later stages are out of
    date, so the final step cannot be computed on them; the stages are imported, the final step is not,
    and the import says why."""
    conv = importar_y_evaluar(db, datos("final"))
    final.evaluar_final(db.session, conv)
    exportado = engine_db.exportar(db.session, conv.codigo)
    fila = exportado["resultados"]["etapas"]["ficha"][0]  # a finalist no longer Apto in the Ficha stage
    fila["resultado"] = "no_apto"
    exportado["convocatoria"].update(codigo=f"{conv.codigo}-D", numero=conv.numero + 700000)
    for p in exportado["postulantes"]:
        p["documento"]["numero"] = "6" + p["documento"]["numero"][1:]
    avisos: list[str] = []
    engine_db.importar(db.session, interchange.leer(json.dumps(exportado, default=str).encode()), avisos=avisos)
    assert len(avisos) == 1 and avisos[0].startswith("No se importaron los resultados finales del archivo: ")
    assert "desactualizados" in avisos[0]
    cuenta = engine_db.conteos(db.session, f"{conv.codigo}-D")
    assert cuenta["resultados_finales"] == 0 and cuenta["resultados"] == sum(
        len(v) for v in exportado["resultados"]["etapas"].values())


def test_a_half_evaluated_stage_proposes_no_desierto_cause(db):
    """§4.5 c needs every candidate of the stage evaluated: while the exam results of those who passed
    wait to be calculated again, the failed ones alone must not make the call desierto."""
    conv = importar_y_evaluar(db, datos("final"), hasta="examen")
    R = m.ResultadoEtapa
    aprobados = db.session.scalars(sa.select(R).where(R.convocatoria_id == conv.id, R.etapa == Etapa.examen,
                                                       R.resultado == Resultado.apto)).all()
    assert aprobados and len(aprobados) < db.session.scalar(sa.select(sa.func.count()).where(
        R.convocatoria_id == conv.id, R.etapa == Etapa.examen))
    for r in aprobados:  # their scores were corrected: pending until the stage is evaluated again
        r.evaluado_en = None
    db.session.commit()
    propuesta = ciclo.proponer_desierto(db.session, conv)
    assert propuesta.causa is None and "desactualizados" in propuesta.error
    assert final.causa_desierto_propuesta(db.session, conv) is None
    engine_db.evaluar(db.session, conv.codigo, "examen")
    assert ciclo.proponer_desierto(db.session, conv).causa is None and ciclo.proponer_desierto(db.session, conv).error is None


def test_a_stage_without_results_is_refused_and_nothing_is_written(db):
    conv = importar_y_evaluar(db, datos("final"), hasta="curricular")
    with pytest.raises(final.FinalRechazado, match="Entrevista Personal.*no tiene resultado"):
        final.evaluar_final(db.session, conv)
    assert finales(db, conv) == {} and auditoria(db, conv, "calcular_resultado_final") == []
    assert final.causa_desierto_propuesta(db.session, conv) is None


def test_cli_evaluate_stage_final(app, db):
    conv = importar_y_evaluar(db, datos("final"))
    codigo = conv.codigo
    runner = app.test_cli_runner()
    salida = runner.invoke(args=["casadmin", "evaluate", codigo, "--stage", "final"])
    assert salida.exit_code == 0, salida.output
    assert "Ganador(es): P01" in salida.output and "Accesitarios: P08, P07" in salida.output
    assert "sunedu.orden_merito==" in salida.output and "Aviso" not in salida.output
    # F3: the bases plugin upgraded since the call was created: computed with it, and whoever computes is told.
    db.session.expire_all()
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.codigo == codigo))
    for r in db.session.scalars(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.convocatoria_id == conv.id)):
        r.reglas = {k: v.replace(f"=={VERSION}", "==0.0.9") for k, v in r.reglas.items()}  # stored by older plugins
    db.session.commit()
    salida = runner.invoke(args=["casadmin", "evaluate", codigo, "--stage", "final"])
    assert salida.exit_code == 0, salida.output
    assert "Aviso: Resultados guardados de esta convocatoria se calcularon con " in salida.output
    assert "sunedu.ficha==0.0.9" in salida.output and "Ganador(es): P01" in salida.output
    assert f"sunedu.ficha=={VERSION}" in salida.output.split("está instalado ")[1]
    db.session.expire_all()
    final.publicar_final(db.session, conv)
    salida = runner.invoke(args=["casadmin", "evaluate", codigo, "--stage", "final"])
    assert salida.exit_code != 0 and "ya fueron publicados" in salida.output


def _doce_posiciones(d: dict) -> None:
    d["convocatoria"]["posiciones"] = 12


def test_fewer_finalists_than_positions_leave_the_others_uncovered_4_5_c(app, db, client_for):
    """Twelve positions and four candidates passing every stage: the four win, nobody waits as accesitario,
    and ORH is told that eight positions stay uncovered (§4.5 c for each of them: docs/rules.md) in
    simulate, in «evaluate --stage final» and on the final screen; one position shows nothing of it."""
    def simular(d: dict) -> run.Simulacion:
        arch = interchange.cargar(d)
        return run.simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)

    sim = simular(datos("final", _doce_posiciones))
    assert len(sim.finales) == 4 and len(sim.orden.ganadores) == 4 and not sim.orden.accesitarios
    aviso = ("8 de 12 posiciones quedan sin cubrir: solo 4 candidatos aprobaron todas las etapas, "
             "y no hay accesitarios; la ORH debe declarar desiertas esas posiciones (§4.5 c).")
    assert aviso in report.texto(sim).splitlines()
    assert "sin cubrir" not in report.texto(simular(datos("final")))
    conv = importar_y_evaluar(db, datos("final", _doce_posiciones))
    salida = app.test_cli_runner().invoke(args=["casadmin", "evaluate", conv.codigo, "--stage", "final"])
    assert salida.exit_code == 0 and f"  {aviso}\n" in salida.output, salida.output
    html = cliente_orh(app, client_for, conv).get(f"/finales/{conv.id}").get_data(as_text=True)
    assert f'<div class="alert alert-warning" id="sin-cubrir">{aviso}</div>' in html
    assert report.posiciones_sin_cubrir(1, 0) is None  # nobody passed: the whole process is desierto (§4.5 c)
    assert report.posiciones_sin_cubrir(2, 1) == ("1 de 2 posiciones queda sin cubrir: solo 1 candidato aprobó "
                                                  "todas las etapas, y no hay accesitarios; la ORH debe declarar "
                                                  "desierta esa posición (§4.5 c).")


def test_orh_screen_shows_ranking_bonuses_and_the_committee_form(app, db, client_for):
    conv = importar_y_evaluar(db, datos("final", _sin_ffaa))
    final.evaluar_final(db.session, conv)
    ids = por_id(db, conv)
    orh = cliente_orh(app, client_for, conv)
    pagina = orh.get(f"/finales/{conv.id}")
    assert pagina.status_code == 200
    html = pagina.get_data(as_text=True)
    assert "Ley N° 29973" in html and "§4.3.2" in html and "Empate: decide el Comité" in html
    assert html.count('class="motivo-orden') == 2 and "Comité de Entrevista delibera y elige" in html
    assert f'name="lugar_{ids["P01"]}"' in html

    # Bad input: no reason → 400, the message at the form, what was typed kept, nothing saved.
    r = orh.post(f"/finales/{conv.id}/empate", data={f"lugar_{ids['P01']}": "2", f"lugar_{ids['P09']}": "1",
                                                     "sustento": ""})
    assert r.status_code == 400 and "Escriba el sustento" in r.get_data(as_text=True)
    r = orh.post(f"/finales/{conv.id}/empate", data={f"lugar_{ids['P01']}": "1", f"lugar_{ids['P09']}": "1",
                                                     "sustento": "x"})
    assert r.status_code == 400 and "lugar distinto" in r.get_data(as_text=True)
    assert finales(db, conv)["P01"].empate_comite
    r = orh.post(f"/finales/{conv.id}/empate", data={f"lugar_{ids['P01']}": "2", f"lugar_{ids['P09']}": "1",
                                                     "sustento": "Mayor idoneidad; voto dirimente del área usuaria"})
    assert r.status_code == 302
    db.session.expire_all()
    assert finales(db, conv)["P09"].orden_merito == 3 and not finales(db, conv)["P01"].empate_comite
    # Publishing and recalculating from the screen: a correction needs its reason.
    assert orh.post(f"/finales/{conv.id}/publicar").status_code == 302
    r = orh.post(f"/finales/{conv.id}/calcular", data={"motivo": ""})
    assert r.status_code == 400 and "escriba el motivo" in r.get_data(as_text=True)


def test_only_orh_of_the_institution_reaches_the_final_screens(db, client_for, clients_by_role):
    conv = importar_y_evaluar(db, datos("final"))
    for rol in ("comite", "veedor", "postulante"):
        assert clients_by_role[rol].get(f"/finales/{conv.id}").status_code == 403, rol
        assert clients_by_role[rol].post(f"/finales/{conv.id}/calcular").status_code == 403, rol
    assert clients_by_role["publico"].get(f"/finales/{conv.id}").status_code == 302
    otra = client_for("orh.sunedu")  # another institution's ORH
    assert otra.get(f"/finales/{conv.id}").status_code == 404
    assert otra.post(f"/finales/{conv.id}/calcular").status_code == 404
    assert finales(db, conv) == {}
    assert clients_by_role["admin"].get(f"/finales/{conv.id}").status_code == 200


def test_the_screens_open_on_the_demo_calls_still_in_evaluation(db, client_for):
    orh = client_for("orh.sunedu")
    lista = orh.get("/finales/")
    assert lista.status_code == 200
    demo = db.session.scalar(sa.select(m.Convocatoria).join(m.Entidad).where(m.Entidad.siglas == "SUNEDU")
                             .order_by(m.Convocatoria.id).limit(1))
    assert demo.codigo in lista.get_data(as_text=True)
    pagina = orh.get(f"/finales/{demo.id}")
    assert pagina.status_code == 200 and "Calcular resultado final" in pagina.get_data(as_text=True)


def _curricular_dni(db, pid: int) -> bool | None:
    R, V = m.ResultadoEtapa, m.ItemVerificacion
    return db.session.scalar(sa.select(V.cumple).join(R, R.id == V.resultado_etapa_id).where(
        R.postulacion_id == pid, R.etapa == Etapa.curricular, V.codigo == "lista:dni_31533"))


def _lista(db, conv: m.Convocatoria, pid: int, cambios: dict[str, dict]) -> int:
    """Record curricular items of one candidate as the curricular screen does (``etapas.registrar_curricular``
    writes through ``_guardar_entradas``; an imported call has no expediente upload for the screen to read)."""
    return etapas._guardar_entradas(db.session, conv, "curricular", {pid: [
        (codigo, etapas.LISTA_CURRICULAR.get(codigo, (codigo, ""))[0], "§4.2.4", valores)
        for codigo, valores in cambios.items()]}, accion="registrar_evaluacion_curricular", usuario=None)


def test_a_late_change_to_the_expedientes_checklist_leaves_the_formed_interview_pending_4_2_5_h(db):
    """§4.2.5 h, §4.3.2: P07's 10 % on the interview rests on the DNI recorded on the expediente's checklist
    (the interview's hook reads that checklist). Recorded «No cumple» after the interview was formed, P07's
    interview result goes back to pending: the stage shows out of date and no final result is computed from
    it. Evaluated again, P07's interview has no 10 %, as simulate gives it on the call exported then. A change
    to a curricular factor alone, or to an item's observation alone, leaves the interview as it was; once the
    interview is published, a change to the checklist it read is refused whole."""
    conv = importar_y_evaluar(db, datos("final"))
    ids = por_id(db, conv)

    def entrevista(ident: str) -> m.ResultadoEtapa:
        return db.session.scalar(sa.select(m.ResultadoEtapa).where(
            m.ResultadoEtapa.postulacion_id == ids[ident], m.ResultadoEtapa.etapa == Etapa.entrevista))

    assert entrevista("P07").puntaje == Decimal("36.30") and entrevista("P07").evaluado_en is not None
    assert _lista(db, conv, ids["P09"], {"cursos": {"cumple": False}}) == 1
    assert entrevista("P09").evaluado_en is not None and entrevista("P09").resultado is Resultado.apto

    assert _lista(db, conv, ids["P07"], {"lista:dni_31533": {"cumple": False, "observacion": "DNI ilegible"}}) == 1
    fila = entrevista("P07")
    assert (fila.resultado, fila.puntaje, fila.evaluado_en) == (Resultado.pendiente, None, None)
    registros = auditoria(db, conv, "registrar_evaluacion_curricular")
    assert [r.despues.get("entrevista_pendiente") for r in registros] == [None, [ids["P07"]]]
    # Not formed again on the curricular stage as it stands (P07's and P09's curricular results are
    # pending): that would take them out of the interview.
    formacion = comite.formar(db.session, conv, usuario=None)
    assert not formacion.formada
    assert formacion.motivos == (
        "No se formó el puntaje de la Entrevista Personal: la Evaluación Curricular tiene resultados desactualizados "
        "(se modificaron los datos de 2 candidato(s) después de evaluarla: 2 resultado(s) pendiente(s) de calcular). "
        "La Oficina de Recursos Humanos debe volver a evaluarla; después se forma el puntaje con las hojas ya "
        "enviadas.",)
    assert entrevista("P09").evaluado_en is not None

    # The curricular stage evaluated again (P09's factor as it was): the shortlist is the same, and the
    # interview is still out of date for P07 alone; no final result is computed from it.
    assert _lista(db, conv, ids["P09"], {"cursos": {"cumple": True}}) == 1
    engine_db.evaluar(db.session, conv.codigo, "curricular")
    desactualizada = etapas.desactualizacion(db.session, conv, "entrevista")
    assert desactualizada is not None
    assert (desactualizada.fuera, desactualizada.nuevos, desactualizada.pendientes) == (0, 0, 1)
    with pytest.raises(final.FinalRechazado, match="Entrevista Personal tiene resultados desactualizados"):
        final.evaluar_final(db.session, conv.codigo, usuario="prueba")
    assert not finales(db, conv)

    engine_db.evaluar(db.session, conv.codigo, "entrevista")
    assert entrevista("P07").puntaje == Decimal("33.00")
    assert etapas.desactualizacion(db.session, conv, "entrevista") is None
    final.evaluar_final(db.session, conv.codigo, usuario="prueba")
    esperado = simulacion(engine_db.exportar(db.session, conv.codigo))
    filas = finales(db, conv)
    assert {i: (f.puntaje_etapas, f.puntaje_final) for i, f in filas.items()} == {
        e["postulante"]: (Decimal(e["puntaje_etapas"]), Decimal(e["puntaje_final"])) for e in esperado["finales"]}
    assert filas["P07"].puntaje_final == filas["P07"].puntaje_etapas == Decimal("88.00")

    # An observation alone is read by no stage: the interview stays formed, and the record names no one.
    assert _lista(db, conv, ids["P07"], {"lista:dni_31533": {"cumple": False, "observacion": "DNI sin fecha"}}) == 1
    assert entrevista("P07").evaluado_en is not None
    assert "entrevista_pendiente" not in auditoria(db, conv, "registrar_evaluacion_curricular")[-1].despues

    # Once the interview is published, its bonus's checklist is frozen with it: the change is refused whole.
    engine_db.evaluar(db.session, conv.codigo, "curricular")
    etapas.quitar_fuera_de_etapa(db.session, conv, "entrevista", usuario=None)  # P02 and P10: imported, not called
    publicacion.publicar_etapa(db.session, conv, Etapa.entrevista)
    db.session.commit()
    with pytest.raises(etapas.EtapaPublicada, match="Entrevista Personal ya fueron publicados"):
        _lista(db, conv, ids["P07"], {"lista:dni_31533": {"cumple": True}})
    fila = entrevista("P07")
    assert (fila.evaluado_en is not None, fila.publicado, fila.puntaje) == (True, True, Decimal("33.00"))
    assert _curricular_dni(db, ids["P07"]) is False


def test_the_applicant_sees_the_reason_for_their_place_once_the_final_results_are_published_4_2_6_c(
        app, db, client_for):
    """D8 and issue 3 item 5: the committee's tie decision, as the applicant sees it on their own
    application (the reason names no other candidate), only once the final results are published."""
    from casadmin.cuenta import _hash

    conv = importar_y_evaluar(db, datos("final", _sin_ffaa))
    final.evaluar_final(db.session, conv)
    ids = por_id(db, conv)
    final.decidir_empate(db.session, conv, [ids["P09"], ids["P01"]], "Mayor idoneidad en el caso práctico.")
    post = db.session.get(m.Postulacion, ids["P01"]).postulante
    usuario = db.session.get(m.Usuario, post.usuario_id)
    usuario.active, usuario.password = True, _hash("demo12345")
    db.session.commit()
    portal = client_for(usuario.username)
    frase = "el orden lo decidió el Comité de Entrevista"
    html = portal.get(f"/mis-postulaciones/{ids['P01']}").get_data(as_text=True)
    assert frase not in html and 'id="resultado-final"' not in html
    final.publicar_final(db.session, conv, usuario=None)
    html = portal.get(f"/mis-postulaciones/{ids['P01']}").get_data(as_text=True)
    assert 'id="motivos-final"' in html and frase in html and "con quien le precede" in html and "§4.2.6 c" in html


def test_simulate_text_says_how_each_tie_on_the_final_score_stands_4_2_6_c():
    """``casadmin simulate`` (text) prints the merit order's reasons under it, with the ids (for ORH)."""
    from casadmin import plugins as pl
    from casadmin.engine import report, run

    def texto(d: dict) -> str:
        arch = interchange.cargar(d)
        return report.texto(run.simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos,
                                        decisiones=arch.decisiones))

    assert "Persiste el empate" in texto(datos("final", _sin_ffaa))
    assert "Persiste el empate" not in texto(datos("final")) and "Empate" not in texto(datos("final"))
    d = datos("final", _sin_ffaa)
    d["decisiones_comite"] = [{"orden": ["P09", "P01"], "sustento": "Mayor idoneidad en el caso práctico."}]
    assert "Empate persistente entre P09 y P01: decidió el Comité de Entrevista. [§4.2.6 c]" in texto(d)


def _p05_presenta_expediente(d: dict) -> None:
    """P05 presents the expediente and meets every factor: six Aptos in the curricular stage for five places."""
    postulante(d, "P05")["entradas"]["curricular"] = {"expediente": True, "factores": {
        f: True for f in ("experiencia_general", "experiencia_especifica", "experiencia_publica", "formacion", "cursos")}}


def test_the_shortlist_screen_says_why_an_apto_is_not_called_4_2_4(app, db, client_for, sincrono):
    """D5: beside «No convocado(a)», the reason: an accumulated score below the last one called (§4.2.4);
    the applicant reads the same in *Mis postulaciones* once the curricular results are published."""
    from casadmin.cuenta import _hash

    conv = importar_y_evaluar(db, datos("final", _p05_presenta_expediente), hasta="curricular")
    lista = etapas.lista_corta(db.session, conv)
    (fuera,) = [c for c in lista if not c.convocado]
    corte = min(c.acumulado for c in lista if c.convocado)
    assert len(lista) == 6 and fuera.acumulado < corte
    html = cliente_orh(app, client_for, conv).get(f"/etapas/{conv.id}/entrevista/convocados").get_data(as_text=True)
    assert html.count('class="text-muted motivo-corte"') == 1
    assert f"Su puntaje acumulado ({fuera.acumulado}) es menor que el del último convocado ({corte}); §4.2.4." in html

    clientes = {}
    for pid in (fuera.postulacion_id, next(c.postulacion_id for c in lista if c.convocado)):
        usuario = db.session.get(m.Usuario, db.session.get(m.Postulacion, pid).postulante.usuario_id)
        usuario.active, usuario.password = True, _hash("demo12345")
        db.session.commit()
        clientes[pid] = client_for(usuario.username)
    frase = f"Su puntaje acumulado ({fuera.acumulado}) es menor que el del último candidato convocado ({corte})"

    def pagina(pid):
        return clientes[pid].get(f"/mis-postulaciones/{pid}").get_data(as_text=True)

    for etapa in (Etapa.ficha, Etapa.examen, Etapa.psicologica):
        publicacion.publicar_etapa(db.session, db.session.get(m.Convocatoria, conv.id), etapa)
    assert 'id="no-convocado"' not in pagina(fuera.postulacion_id)  # not before the curricular results are out
    publicacion.publicar_etapa(db.session, db.session.get(m.Convocatoria, conv.id), Etapa.curricular)
    propia = pagina(fuera.postulacion_id)
    assert 'id="no-convocado"' in propia and frase in propia and "§4.2.4" in propia
    assert "No convocado(a) a la Entrevista Personal" in propia
    assert all('id="no-convocado"' not in pagina(pid) for pid in clientes if pid != fuera.postulacion_id)


def _portal(db, client_for, pid):
    from casadmin.cuenta import _hash

    usuario = db.session.get(m.Usuario, db.session.get(m.Postulacion, pid).postulante.usuario_id)
    usuario.active, usuario.password = True, _hash("demo12345")
    db.session.commit()
    cliente = client_for(usuario.username)
    return lambda: cliente.get(f"/mis-postulaciones/{pid}")


def test_a_published_interview_is_not_contradicted_by_the_shortlist_rule_installed_later(app, db, client_for,
                                                                                          sincrono, monkeypatch):
    """F3: changing plugins never silently changes a published result. The applicant's page worked out the
    shortlist with the rule installed now: after an upgrade that calls fewer, a candidate interviewed and
    published Apto read «No convocado(a) a la Entrevista Personal» (the plugins review's D3). Once the
    interview is published, who was called is who has its result."""
    conv = importar_y_evaluar(db, datos("final", _p05_presenta_expediente), hasta="entrevista")
    for etapa in (Etapa.ficha, Etapa.examen, Etapa.psicologica, Etapa.curricular, Etapa.entrevista):
        publicacion.publicar_etapa(db.session, db.session.get(m.Convocatoria, conv.id), etapa)
    lista = etapas.lista_corta(db.session, conv)
    ultimo = min((c for c in lista if c.convocado), key=lambda c: c.acumulado)
    pagina = _portal(db, client_for, ultimo.postulacion_id)
    assert "No convocado(a) a la Entrevista Personal" not in pagina().get_data(as_text=True)
    real = etapas.lista_corta
    # the rule installed now calls one fewer: the last one called before is left out
    monkeypatch.setattr(etapas, "lista_corta", lambda session, conv: [
        dataclasses.replace(c, convocado=c.convocado and c.postulacion_id != ultimo.postulacion_id)
        for c in real(session, conv)])
    html = pagina().get_data(as_text=True)
    assert "No convocado(a) a la Entrevista Personal" not in html and 'id="no-convocado"' not in html
    # the one not called still reads why, with a pending interview row of theirs (inputs imported, or a row
    # left by a shortlist that changed): a pending row is no call (the diff review's finding 5)
    (fuera,) = [c for c in lista if not c.convocado]
    fila = db.session.scalar(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.postulacion_id == fuera.postulacion_id,
                                                               m.ResultadoEtapa.etapa == Etapa.entrevista))
    assert (fila.resultado, fila.evaluado_en) == (Resultado.pendiente, None)  # the file's interview inputs
    propia = _portal(db, client_for, fuera.postulacion_id)().get_data(as_text=True)
    assert 'id="no-convocado"' in propia and f"menor que el del último candidato convocado ({ultimo.acumulado})" in propia


def test_a_failing_shortlist_plugin_is_named_on_the_screens_not_a_server_error(app, db, client_for, sincrono,
                                                                               monkeypatch):
    """D5: the shortlist is worked out where it is shown (ORH's stage screens, the applicant's page); a
    failing or wrong shortlist plugin gave HTTP 500 there, and the message naming it was lost (the plugins
    review's D2). It is told, naming the plugin, and the applicant's page still opens."""
    conv = importar_y_evaluar(db, datos("final", _p05_presenta_expediente), hasta="curricular")
    for etapa in (Etapa.ficha, Etapa.examen, Etapa.psicologica, Etapa.curricular):
        publicacion.publicar_etapa(db.session, db.session.get(m.Convocatoria, conv.id), etapa)
    (fuera,) = [c for c in etapas.lista_corta(db.session, conv) if not c.convocado]
    real = pl.primero

    def primero(pm, bases, hook, **kw):
        respuesta, plugin = real(pm, bases, hook, **kw)
        return (["no-es-un-id"], plugin) if hook == "casadmin_convocar_entrevista" else (respuesta, plugin)

    monkeypatch.setattr(pl, "primero", primero)
    with pytest.raises(etapas.EtapaRechazada) as err:
        etapas.lista_corta(db.session, conv)
    assert "«sunedu.convocatoria_entrevista»" in err.value.mensaje and "no-es-un-id" in err.value.mensaje
    orh = cliente_orh(app, client_for, conv)
    r = orh.get(f"/etapas/{conv.id}/entrevista/convocados", follow_redirects=True)
    assert r.status_code == 200 and "sunedu.convocatoria_entrevista" in r.get_data(as_text=True)
    assert orh.get(f"/etapas/{conv.id}").status_code == 200
    assert _portal(db, client_for, fuera.postulacion_id)().status_code == 200


def test_a_stage_is_published_without_the_rows_of_applicants_an_earlier_stage_left_out(app, db, client_for, sincrono):
    """The example's file holds exam inputs for the two applicants the Ficha stage leaves out: their rows
    are no result of the exam. Its publication does not wait for them (it used to refuse, «2 resultado(s)
    pendientes», with nothing ORH could do), and the published list has only the exam's candidates; a
    candidate not yet evaluated still holds it back."""
    from casadmin import resultados
    from casadmin.publicacion import PublicacionRechazada

    conv = importar_y_evaluar(db, datos("final"), hasta="curricular")
    R = m.ResultadoEtapa
    del_examen = sa.select(R).where(R.convocatoria_id == conv.id, R.etapa == Etapa.examen)
    fuera = {r.postulacion_id for r in db.session.scalars(del_examen.where(R.evaluado_en.is_(None)))}
    evaluados = len(db.session.scalars(del_examen.where(R.evaluado_en.is_not(None))).all())
    assert len(fuera) == 2 and evaluados == 8 and etapas.pendientes(db.session, conv, "examen") == 0
    # ORH's publication screen counts the exam's 8 results, none pending, and offers to publish it.
    html = cliente_orh(app, client_for, conv).get(f"/publicar/{conv.id}").get_data(as_text=True)
    fila = html[html.index('data-etapa="examen"'):].split("</tr>")[0]
    assert '<td class="text-right">8</td>' in fila and "Publicar resultados" in fila and "pendientes" not in fila
    publicacion.publicar_etapa(db.session, conv, Etapa.ficha)

    uno = db.session.scalars(del_examen.where(R.evaluado_en.is_not(None))).first()
    uno.resultado, uno.evaluado_en = Resultado.pendiente, None  # a candidate of the exam without a result
    db.session.commit()
    assert etapas.pendientes(db.session, conv, "examen") == 1
    with pytest.raises(PublicacionRechazada, match=r"1 resultado\(s\) pendiente"):
        publicacion.publicar_etapa(db.session, conv, Etapa.examen)
    db.session.rollback()
    engine_db.evaluar(db.session, conv.codigo, "examen")

    publicacion.publicar_etapa(db.session, conv, Etapa.examen)
    filas = list(resultados.filas_publicadas(db.session, conv.id, Etapa.examen))
    assert [f.orden for f in filas] == list(range(1, evaluados + 1))
    assert resultados.contar_publicados(db.session, conv.id, Etapa.examen) == evaluados
    assert Resultado.pendiente.value not in {f.resultado for f in filas}
    for r in db.session.scalars(del_examen.where(R.postulacion_id.in_(fuera))):
        assert (r.publicado, r.orden_publicacion) == (False, 0)
