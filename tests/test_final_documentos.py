"""Issue 5 (E1, G1, D7–D10): publishing the final results builds the cuadro de méritos (§4.2.6) as PDF
and Excel in the stage documents' format, in a background job with progress, attaches them to the
final publication, shows them on the public portal and notifies each finalist; and the desierto
proposal (§4.5) has one source.

Worked example (tests/finales.py, the SUNEDU example call under a number of 920000–929999):

| orden | candidato | bonificación (base legal)            | final | resultado        |
|-------|-----------|--------------------------------------|-------|------------------|
| 1     | P01       | +9.00 FF.AA. (§4.3.4)                | 99.00 | GANADOR(A)       |
| 2     | P08       | +12.64 discapacidad (§4.3.3)         | 96.97 | ACCESITARIO(A) 1 |
| 3     | P07       | +2.73 Ley N° 31533 (§4.3.2); §4.2.5 h | 94.03 | ACCESITARIO(A) 2 |
| 4     | P09       | —                                    | 90.00 | APROBADO(A) …    |
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from finales import al_borrador, cliente_orh, datos, finales, importar_y_evaluar, por_id, postulante
from openpyxl import load_workbook
from pypdf import PdfReader

from casadmin import ciclo, final, resultados, tareas
from casadmin import models as m
from casadmin.models.enums import CausaDesierto, CondicionFinal, EstadoTarea, Etapa, TipoCorreo
from casadmin.storage import get_storage


def _leer(archivo: m.Archivo) -> bytes:
    with get_storage().open(archivo.clave) as fh:
        return fh.read()


def _texto_pdf(archivo: m.Archivo) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(_leer(archivo))).pages)


def _hoja(archivo: m.Archivo) -> list[tuple]:
    return list(load_workbook(io.BytesIO(_leer(archivo))).active.iter_rows(values_only=True))


def _personas(db, conv: m.Convocatoria) -> dict[str, tuple[str, str, str]]:
    """By the file's id: (name as published, masked number, full number)."""
    ids = {v: k for k, v in por_id(db, conv).items()}
    out = {}
    for post in db.session.scalars(sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id)):
        q = post.postulante
        nombre, doc = resultados.persona(q.apellido_paterno, q.apellido_materno, q.nombres, q.numero_documento)
        out[ids[post.id]] = (nombre, doc, q.numero_documento)
    return out


def _en_evaluacion(d: dict) -> None:
    """The call as the portal shows it (a draft is not public, E1)."""
    d["convocatoria"]["estado"] = "evaluacion"


def _sin_ffaa(d: dict) -> None:
    """P01 without the FF.AA. bonus: P01 and P09 tie on final, interview and exam (§4.2.6 c)."""
    postulante(d, "P01")["ficha"]["licenciado_ffaa"] = False


def test_publishing_builds_the_cuadro_de_meritos_with_progress_and_notifies_each_finalist(
        app, db, client_for, sincrono, monkeypatch, request):
    conv = importar_y_evaluar(db, datos("documentos", _en_evaluacion))
    request.addfinalizer(lambda conv_id=conv.id: al_borrador(db, conv_id))
    final.evaluar_final(db.session, conv)
    avances: list[tuple[int, str | None]] = []
    registrar = tareas._registrar

    def espiar(tarea_id, **valores):
        if "progreso" in valores:
            avances.append((valores["progreso"], valores.get("mensaje")))
        registrar(tarea_id, **valores)

    monkeypatch.setattr(tareas, "_registrar", espiar)
    pub = final.publicar_final(db.session, conv)
    db.session.expire_all()

    # The job: done, with its progress reported step by step (0 → 10 → 50 → 90 → 100 %).
    tarea = final.tarea_documentos(db.session, conv)
    assert tarea.tipo == final.TAREA_DOCUMENTOS and tarea.estado is EstadoTarea.terminada, tarea.error
    assert tarea.progreso == 100 and "4 finalista(s)" in tarea.mensaje and "4 notificados" in tarea.mensaje
    porcentajes = [p for p, _ in avances]
    assert porcentajes == sorted(porcentajes) and {0, 10, 50, 90, 100} <= set(porcentajes)
    assert any(msg and "PDF" in msg for _, msg in avances) and any(msg and "Excel" in msg for _, msg in avances)

    pub = db.session.get(m.PublicacionEtapa, pub.id)
    assert pub.etapa == final.ETAPA_FINAL and pub.archivo_pdf.publico and pub.archivo_xlsx.publico
    personas = _personas(db, conv)
    filas = finales(db, conv)

    # PDF: the institution's heading, the merit order, masked numbers only, each bonus with its basis.
    texto = _texto_pdf(pub.archivo_pdf)
    assert conv.entidad.nombre in texto and "RESULTADO FINAL - CUADRO DE MÉRITOS" in texto
    posiciones = [texto.index(personas[i][0]) for i in ("P01", "P08", "P07", "P09")]
    assert posiciones == sorted(posiciones)
    for ident, (_, enmascarado, numero) in personas.items():
        assert numero not in texto, ident
        if ident in filas:
            assert enmascarado in texto
    for puntaje in ("99.00", "96.97", "94.03", "90.00", "+9.00", "+12.64", "+2.73"):
        assert puntaje in texto, puntaje
    assert "GANADOR(A)" in texto and "ACCESITARIO(A) 1" in texto and "ACCESITARIO(A) 2" in texto
    assert texto.index("GANADOR(A)") < texto.index("ACCESITARIO(A) 1") < texto.index("ACCESITARIO(A) 2")
    assert "§4.3.4" in texto and "§4.3.3" in texto and "§4.3.2" in texto and "§4.2.5 h" in texto  # legal bases
    assert "Base legal:" in texto and "§4.2.6 c" in texto  # the rule of ties noted under the table
    assert "hasta dos accesitarios" in " ".join(texto.split())  # SUNEDU's resultado.accesitarios (§4.4 f)

    # Excel: the same rows, every stage score that enters the final score, each bonus's points and basis.
    hoja = _hoja(pub.archivo_xlsx)
    assert hoja[0][0] == conv.entidad.nombre and "CUADRO DE MÉRITOS" in hoja[2][0]
    cabecera = list(hoja[5])
    columnas = {c: i for i, c in enumerate(cabecera)}
    etapas = [Etapa.examen.value, Etapa.curricular.value, Etapa.entrevista.value]
    assert all(e in columnas for e in etapas) and Etapa.psicologica.value not in columnas
    datos_xlsx = [r for r in hoja[6:] if isinstance(r[0], int)]
    assert [r[0] for r in datos_xlsx] == [1, 2, 3, 4]
    por_nombre = {personas[i][0]: i for i in personas}
    orden = [por_nombre[r[1]] for r in datos_xlsx]
    assert orden == ["P01", "P08", "P07", "P09"]
    for r, ident in zip(datos_xlsx, orden, strict=True):
        f = filas[ident]
        assert r[2] == personas[ident][1] and personas[ident][2] not in r  # masked number only (E1)
        assert sum(Decimal(str(r[columnas[e]])) for e in etapas) == f.puntaje_etapas
        assert Decimal(str(r[columnas["Puntaje de las etapas"]])) == f.puntaje_etapas
        assert Decimal(str(r[columnas["Puntaje final"]])) == f.puntaje_final
    resultado = {ident: r[columnas["Resultado"]] for r, ident in zip(datos_xlsx, orden, strict=True)}
    assert resultado == {"P01": "GANADOR(A)", "P08": "ACCESITARIO(A) 1", "P07": "ACCESITARIO(A) 2",
                         "P09": CondicionFinal.aprobado.value.upper()}
    bases = [c for c in cabecera if c and c.endswith("(base legal)")]
    assert len(bases) >= 3
    p01 = datos_xlsx[0]
    assert any(p01[columnas[c]] and "§4.3.4" in p01[columnas[c]] for c in bases)
    assert any(datos_xlsx[1][columnas[c]] and "§4.3.3" in datos_xlsx[1][columnas[c]] for c in bases)
    assert all(datos_xlsx[3][columnas[c]] is None for c in bases)  # P09: no bonus

    # One notice per finalist (G1), tied to the applicant's account, with their own result.
    correos = db.session.scalars(sa.select(m.CorreoSaliente).where(
        m.CorreoSaliente.convocatoria_id == conv.id, m.CorreoSaliente.tipo == TipoCorreo.resultado,
        m.CorreoSaliente.asunto.like("Resultado final publicado%"))).all()
    cuentas = {post.postulante.usuario_id: post for post in db.session.scalars(
        sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id))}
    ids = {v: k for k, v in por_id(db, conv).items()}
    por_finalista = {ids[cuentas[c.usuario_id].id]: c for c in correos}
    assert sorted(por_finalista) == sorted(filas) and len(correos) == 4
    assert "Su resultado: Ganador(a) (orden de mérito: 1" in por_finalista["P01"].cuerpo
    assert "Su resultado: Accesitario(a) (orden de mérito: 3" in por_finalista["P07"].cuerpo
    assert all(c.destinatario == cuentas[c.usuario_id].postulante.email for c in correos)

    # The public portal lists them with the other result documents, for an anonymous visitor.
    portal = client_for(None)
    pagina = portal.get(f"/portal/{conv.id}").get_data(as_text=True)
    assert "Resultado final (cuadro de méritos)" in pagina
    assert f"/portal/{conv.id}/archivo/{pub.archivo_pdf_id}" in pagina
    assert f"/portal/{conv.id}/archivo/{pub.archivo_xlsx_id}" in pagina
    assert portal.get(f"/portal/{conv.id}/archivo/{pub.archivo_pdf_id}").data[:5] == b"%PDF-"
    assert portal.get(f"/portal/{conv.id}/archivo/{pub.archivo_xlsx_id}").data[:2] == b"PK"

    # ORH downloads them from /finales/; another institution's ORH cannot.
    orh = cliente_orh(app, client_for, conv)
    html = orh.get(f"/finales/{conv.id}").get_data(as_text=True)
    assert f"/finales/{conv.id}/documento/pdf" in html and f"/finales/tarea/{tarea.id}" in html
    r = orh.get(f"/finales/{conv.id}/documento/pdf")
    assert r.status_code == 200 and r.data == _leer(pub.archivo_pdf)
    assert orh.get(f"/finales/{conv.id}/documento/xlsx").data == _leer(pub.archivo_xlsx)
    assert orh.get(f"/finales/{conv.id}/documento/doc").status_code == 404
    otra = client_for("orh.sunedu")
    assert otra.get(f"/finales/{conv.id}/documento/pdf").status_code == 404
    assert otra.get(f"/finales/tarea/{tarea.id}").status_code == 404

    # An audited correction rebuilds the documents and tells the finalists (F3).
    anteriores = (pub.archivo_pdf_id, pub.archivo_xlsx_id)
    final.evaluar_final(db.session, conv, recalcular=True, motivo="Revisión de oficio del cómputo")
    db.session.expire_all()
    otra_tarea = final.tarea_documentos(db.session, conv)
    assert otra_tarea.id != tarea.id and otra_tarea.estado is EstadoTarea.terminada, otra_tarea.error
    assert otra_tarea.argumentos["correccion"] is True
    pub = db.session.get(m.PublicacionEtapa, pub.id)
    assert (pub.archivo_pdf_id, pub.archivo_xlsx_id) != anteriores and pub.archivo_pdf_id not in anteriores
    assert "GANADOR(A)" in _texto_pdf(pub.archivo_pdf)
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.CorreoSaliente.convocatoria_id == conv.id, m.CorreoSaliente.asunto.like("Resultado final corregido%"))) == 4


def test_the_committees_tie_decision_is_noted_in_both_documents(db, sincrono):
    conv = importar_y_evaluar(db, datos("documentos", _sin_ffaa))
    final.evaluar_final(db.session, conv)
    ids = por_id(db, conv)
    sustento = "Mayor idoneidad en el caso practico; voto dirimente del area usuaria."
    final.decidir_empate(db.session, conv, [ids["P09"], ids["P01"]], sustento, usuario="comite")
    pub = final.publicar_final(db.session, conv)
    db.session.expire_all()
    pub = db.session.get(m.PublicacionEtapa, pub.id)
    texto = _texto_pdf(pub.archivo_pdf)
    assert "Orden decidido por el Comité de Entrevista (§4.2.6 c)" in texto and sustento in texto
    personas = _personas(db, conv)
    posiciones = [texto.index(personas[i][0]) for i in ("P08", "P07", "P09", "P01")]
    assert posiciones == sorted(posiciones)
    hoja = _hoja(pub.archivo_xlsx)
    columnas = {c: i for i, c in enumerate(hoja[5])}
    filas = {r[1]: r for r in hoja[6:] if isinstance(r[0], int)}
    p09 = filas[personas["P09"][0]]
    assert p09[columnas["Resultado"]] == "ACCESITARIO(A) 2" and p09[0] == 3
    assert sustento in p09[columnas["Decisión del Comité (§4.2.6 c)"]]
    assert filas[personas["P08"][0]][columnas["Decisión del Comité (§4.2.6 c)"]] is None


def test_refusals_build_nothing_and_a_failing_job_leaves_the_publication_without_documents(app, db, client_for, sincrono,
                                                                                           monkeypatch):
    conv = importar_y_evaluar(db, datos("documentos", _sin_ffaa))
    with pytest.raises(final.FinalRechazado, match="No hay resultados finales"):
        final.publicar_final(db.session, conv)
    final.evaluar_final(db.session, conv)
    with pytest.raises(final.FinalRechazado, match="empate pendiente"):
        final.publicar_final(db.session, conv)
    db.session.rollback()
    assert final.tarea_documentos(db.session, conv) is None and final.publicacion_final(db.session, conv) is None

    ids = por_id(db, conv)
    final.decidir_empate(db.session, conv, [ids["P01"], ids["P09"]], "Deliberación del Comité con voto dirimente")

    def roto(*args, **kwargs):
        raise RuntimeError("disco lleno")

    xlsx_final = resultados.xlsx_final
    monkeypatch.setattr(resultados, "xlsx_final", roto)
    pub = final.publicar_final(db.session, conv)
    db.session.expire_all()
    tarea = final.tarea_documentos(db.session, conv)
    assert tarea.estado is EstadoTarea.fallida and "disco lleno" in tarea.error
    pub = db.session.get(m.PublicacionEtapa, pub.id)
    assert pub.archivo_pdf_id is None and pub.archivo_xlsx_id is None  # nothing half-attached
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.CorreoSaliente.convocatoria_id == conv.id, m.CorreoSaliente.asunto.like("Resultado final%"))) == 0
    # The results stay published (the winner is called, §4.4 d); publishing again is refused, no new job.
    assert all(f.publicado for f in finales(db, conv).values())
    with pytest.raises(final.FinalRechazado, match="ya fueron publicados"):
        final.publicar_final(db.session, conv)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.Tarea.convocatoria_id == conv.id, m.Tarea.tipo == final.TAREA_DOCUMENTOS)) == 1

    # ORH runs the failed job again from its page: the cuadro de méritos is attached, each finalist notified once.
    monkeypatch.setattr(resultados, "xlsx_final", xlsx_final)
    orh = cliente_orh(app, client_for, conv)
    assert f"/finales/tarea/{tarea.id}/reintentar" in orh.get(f"/finales/tarea/{tarea.id}").get_data(as_text=True)
    assert orh.post(f"/finales/tarea/{tarea.id}/reintentar").status_code == 302
    db.session.expire_all()
    nueva = final.tarea_documentos(db.session, conv)
    assert nueva.id != tarea.id and nueva.estado is EstadoTarea.terminada, nueva.error
    pub = db.session.get(m.PublicacionEtapa, pub.id)
    assert pub.archivo_pdf_id is not None and pub.archivo_xlsx_id is not None
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.CorreoSaliente.convocatoria_id == conv.id, m.CorreoSaliente.asunto.like("Resultado final%"))) == len(finales(db, conv))
    r = orh.post(f"/finales/tarea/{tarea.id}/reintentar", follow_redirects=True)
    assert "ya se reintentó" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.Tarea.convocatoria_id == conv.id, m.Tarea.tipo == final.TAREA_DOCUMENTOS)) == 2


def test_the_publish_button_shows_the_jobs_progress(app, db, client_for, clients_by_role, sincrono):
    conv = importar_y_evaluar(db, datos("documentos"))
    final.evaluar_final(db.session, conv)
    orh = cliente_orh(app, client_for, conv)
    r = orh.post(f"/finales/{conv.id}/publicar")
    assert r.status_code == 302 and "/finales/tarea/" in r.location
    estado = orh.get(r.location + ".json").get_json()
    assert estado["estado"] == "terminada" and estado["progreso"] == 100, estado
    assert "100 %" in orh.get(r.location).get_data(as_text=True)
    # Again: refused at the screen with its reason (400), nothing new.
    r2 = orh.post(f"/finales/{conv.id}/publicar")
    assert r2.status_code == 400 and "ya fueron publicados" in r2.get_data(as_text=True)
    assert clients_by_role["comite"].get(r.location).status_code == 403


def _todos_desaprueban_la_entrevista(d: dict) -> None:
    for p in d["postulantes"]:
        for hoja in p.get("entradas", {}).get("entrevista", {}).get("hojas", ()):
            hoja["factores"] = {k: "2" for k in hoja["factores"]}


def test_the_desierto_proposal_has_one_source(db, monkeypatch):
    """§4.5: the final screen's proposal is the life-cycle button's (ciclo.proponer_desierto)."""
    sin_aprobados = importar_y_evaluar(db, datos("documentos", _todos_desaprueban_la_entrevista))
    con_ganador = importar_y_evaluar(db, datos("documentos"))
    a_medias = importar_y_evaluar(db, datos("documentos"), hasta="curricular")
    for conv, esperado in ((sin_aprobados, CausaDesierto.sin_puntaje_minimo), (con_ganador, None), (a_medias, None)):
        assert final.causa_desierto_propuesta(db.session, conv) is esperado
        assert ciclo.proponer_desierto(db.session, conv).causa is esperado
    final.evaluar_final(db.session, con_ganador)
    assert final.causa_desierto_propuesta(db.session, con_ganador) is None

    # One source: what ciclo proposes is what the final screen shows.
    monkeypatch.setattr(ciclo, "proponer_desierto",
                        lambda session, conv, pm=None: ciclo.Propuesta(CausaDesierto.desistimiento, "prueba"))
    assert final.causa_desierto_propuesta(db.session, con_ganador) is CausaDesierto.desistimiento


def test_the_note_under_the_cuadro_names_the_bases_versions_accesitarios():
    """§4.4 f: the note says how many accesitarios the call's bases version names, not always two."""
    from casadmin.resultados import nota_final

    assert nota_final(2).endswith("Ganador(a) y hasta dos accesitarios (§4.2.6 b, §4.4 f).")
    assert nota_final(1).endswith("Ganador(a) y hasta un(a) accesitario(a) (§4.2.6 b, §4.4 f).")
    assert nota_final(0).endswith("Ganador(a), sin accesitarios (§4.4 f).")
    assert nota_final(7).endswith("hasta 7 accesitarios (§4.2.6 b, §4.4 f).")
