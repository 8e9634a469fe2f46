"""Publishing a stage's results (E2, §4.2): freeze, document, show, notify.

:func:`publicar_etapa` is what the "Publicar resultados" button does, in one transaction:
every result of the stage is marked published (from then on a change is an audited
correction, never an edit) and numbered in publication order (the order the documents and the
portal show; an audited recalculation renumbers it), a :class:`~casadmin.models.PublicacionEtapa` row makes the stage
visible on the public portal, the act is audited, and a background job
(:mod:`casadmin.tareas`) builds the PDF and Excel lists in publication order and notifies
each candidate by e-mail. The job's progress is shown to ORH while it runs.

:func:`generar_documentos_final` is the same job for the final results (§4.2.6), started by
:func:`casadmin.final.publicar_final`: the cuadro de méritos in the same format
(:func:`casadmin.resultados.pdf_final`, :func:`~casadmin.resultados.xlsx_final`), attached to the
final publication row, and one notice per finalist with their result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import audit, mailer, resultados, tareas
from casadmin import models as m
from casadmin.extensions import db
from casadmin.models.enums import CondicionFinal, EstadoCorreo, Etapa, TipoCorreo
from casadmin.peru.clock import now
from casadmin.storage import get_storage
from casadmin.tareas import Avance


#: The kind of the background job that builds a stage's result documents (Tarea.tipo).
TAREA = "publicacion"


class PublicacionRechazada(ValueError):
    """A refusal with its Spanish message; nothing was changed."""


def publicar_etapa(session: Session, convocatoria: m.Convocatoria, etapa: Etapa, *, usuario: m.Usuario | None = None,
                   proxima_etapa: str | None = None) -> tuple[m.PublicacionEtapa, m.Tarea]:
    """Publish ``etapa`` of ``convocatoria``; returns the publication and its documents' job."""
    ya = session.scalar(sa.select(m.PublicacionEtapa).where(
        m.PublicacionEtapa.convocatoria_id == convocatoria.id, m.PublicacionEtapa.etapa == etapa.name))
    if ya is not None:
        raise PublicacionRechazada(
            f"Los resultados de la {etapa.value} ya fueron publicados el {ya.publicado_en:%d/%m/%Y %H:%M}: "
            "cualquier cambio posterior es una corrección con sustento, no una nueva publicación.")
    total = resultados.contar(session, convocatoria.id, etapa)
    if total == 0:
        raise PublicacionRechazada(f"La {etapa.value} no tiene resultados registrados para publicar.")
    from casadmin import etapas  # out-of-date results are never published (issue 5 item 3)

    etapas.exigir_al_dia(session, convocatoria, [etapa.name], error=PublicacionRechazada)
    pendientes = etapas.pendientes(session, convocatoria, etapa.name)  # of the stage's candidates only
    if pendientes:
        raise PublicacionRechazada(f"Hay {pendientes} resultado(s) pendientes de evaluar en la {etapa.value}.")
    momento = now()
    # every row marked published and numbered in publication order, in one UPDATE (the portal pages by it)
    resultados.numerar(session, convocatoria.id, etapa, publicar=True)
    pub = m.PublicacionEtapa(convocatoria_id=convocatoria.id, etapa=etapa.name, publicado_en=momento,
                             publicado_por_id=usuario.id if usuario else None, proxima_etapa=proxima_etapa)
    session.add(pub)
    session.flush()
    audit.record(session, accion="publicar_resultados", objeto=pub, despues={"etapa": etapa.name, "resultados": total},
                 usuario_id=usuario.id if usuario else None, usuario=usuario.username if usuario else None,
                 entidad_id=convocatoria.entidad_id, convocatoria_id=convocatoria.id)
    tarea = tareas.crear(
        session, tipo=TAREA, descripcion=f"Resultados de la {etapa.value} – {convocatoria.codigo}",
        funcion="casadmin.publicacion.generar_documentos", argumentos={"publicacion_id": pub.id},
        entidad_id=convocatoria.entidad_id, convocatoria_id=convocatoria.id, usuario_id=usuario.id if usuario else None)
    session.commit()
    return pub, tarea


def generar_documentos(*, publicacion_id: int, avance: Avance) -> str:
    """The background part: the PDF and Excel lists, then one notice per candidate (G1).

    Progress: 0–10 % reading the rows (once), 10–50 % the PDF, 50–90 % the workbook, then the rows (files, notices) are written
    in one short transaction at the end; the job is 100 % once it commits.
    """
    session = db.session
    pub = session.get(m.PublicacionEtapa, publicacion_id)
    conv = pub.convocatoria
    etapa = Etapa[pub.etapa]
    enc = dataclasses.replace(resultados.encabezado(session, conv.id, etapa), publicado_en=pub.publicado_en)
    total = resultados.contar(session, conv.id, etapa)

    def tramo(desde: int, hasta: int, mensaje: str):
        def avisar(hechas: int, de: int) -> None:
            avance(desde * max(de, 1) + (hasta - desde) * hechas, 100 * max(de, 1), mensaje)
        return avisar

    avance(0, 100, "Leyendo los resultados…")
    filas = list(resultados.filas_publicadas(session, conv.id, etapa))  # read once for both documents
    pdf = resultados.pdf(enc, filas, total, tramo(10, 50, "Generando el PDF…"))
    xlsx = resultados.xlsx(enc, filas, total, tramo(50, 90, "Generando el Excel…"))
    # Last progress report before this transaction writes anything (on SQLite a writer would hold
    # the lock the progress update needs until the job's commit).
    avance(90, 100, "Guardando los documentos y notificando a los candidatos…")
    _adjuntar(session, pub, conv, f"Resultados {etapa.value} {conv.codigo}", pdf, xlsx)
    enviados = _notificar(session, pub, conv, etapa)
    return f"{total} resultados publicados en PDF y Excel; {enviados} candidatos notificados."


def _adjuntar(session: Session, pub: m.PublicacionEtapa, conv: m.Convocatoria, nombre: str, pdf: bytes,
              xlsx: bytes) -> None:
    """Store the two documents as public files and attach them to the publication (the portal lists them)."""
    storage = get_storage()
    nombre = nombre.replace("/", "-")
    archivos = []
    for data, extension, mime in ((pdf, "pdf", "application/pdf"),
                                  (xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
        guardado = storage.save(data)
        archivo = m.Archivo(clave=guardado.clave, nombre_original=f"{nombre}.{extension}", tipo_mime=mime,
                            tamano=guardado.tamano, sha256=guardado.sha256, entidad_id=conv.entidad_id, publico=True,
                            paginas=None)
        session.add(archivo)
        archivos.append(archivo)
    session.flush()
    pub.archivo_pdf_id, pub.archivo_xlsx_id = archivos[0].id, archivos[1].id


def _notificar(session: Session, pub: m.PublicacionEtapa, conv: m.Convocatoria, etapa: Etapa) -> int:
    """One outbox message per candidate of the stage (see :func:`_avisar`)."""
    p = m.Postulante
    asunto = f"Resultados publicados: {etapa.value} – {conv.codigo}"
    cuerpo = (sa.literal("Estimado(a) ", sa.Text) + p.nombres
              + sa.literal(f":\n\nSe publicaron los resultados de la {etapa.value} de la convocatoria {conv.codigo} "
                           f"({conv.nombre_puesto}). Revise su resultado en «Mis postulaciones» y la lista completa "
                           "en el portal de convocatorias.\n", sa.Text))
    return _avisar(session, conv, asunto, cuerpo, lambda q: q.join(
        m.ResultadoEtapa, m.ResultadoEtapa.postulacion_id == m.Postulacion.id).where(
        m.ResultadoEtapa.convocatoria_id == conv.id, m.ResultadoEtapa.etapa == etapa))


def _avisar(session: Session, conv: m.Convocatoria, asunto: str, cuerpo: sa.ColumnElement[str],
            quienes: Callable[[sa.Select], sa.Select]) -> int:
    """One outbox message (G1) per applicant that ``quienes`` keeps of the applications joined to their
    applicant, tied to the applicant's account (``usuario_id``), written by the database in one
    statement (``INSERT … SELECT``: 150,000 notices never pass through Python), then dispatched in
    batches after the commit."""
    c, p = m.CorreoSaliente, m.Postulante
    origen = quienes(
        sa.select(sa.literal(TipoCorreo.resultado, c.tipo.type), p.email, sa.literal(asunto, sa.String), cuerpo,
                  sa.literal([], c.adjuntos.type), sa.literal(EstadoCorreo.pendiente, c.estado.type),
                  sa.literal(0, sa.Integer), sa.literal(now(), c.creado_en.type), sa.literal(conv.entidad_id, sa.Integer),
                  sa.literal(conv.id, sa.Integer), p.usuario_id)
        .join(m.Postulacion, m.Postulacion.postulante_id == p.id)
    ).where(p.email.is_not(None))
    columnas = [c.tipo, c.destinatario, c.asunto, c.cuerpo, c.adjuntos, c.estado, c.intentos, c.creado_en,
                c.entidad_id, c.convocatoria_id, c.usuario_id]
    ids = session.scalars(sa.insert(c).from_select(columnas, origen).returning(c.id)).all()
    mailer.despachar_tras_commit(session, ids)
    return len(ids)


def generar_documentos_final(*, publicacion_id: int, avance: Avance, correccion: bool = False) -> str:
    """The final results' job (§4.2.6, E1, G1): the cuadro de méritos as PDF and Excel, attached to the
    final publication, then one notice per finalist with their result and place.

    Progress as :func:`generar_documentos`: 0–10 % reading, 10–50 % the PDF, 50–90 % the workbook,
    then one short transaction. ``correccion``: an audited recalculation of published results
    (documents replaced; the notice says they were corrected).
    """
    from casadmin import final

    session = db.session
    pub = session.get(m.PublicacionEtapa, publicacion_id)
    conv = pub.convocatoria
    enc = resultados.Encabezado(entidad=conv.entidad.nombre, codigo=conv.codigo, puesto=conv.nombre_puesto,
                                etapa=None, publicado_en=now() if correccion else pub.publicado_en, con_puntaje=True)
    avance(0, 100, "Leyendo el resultado final…")
    etapas, filas = final.filas_documento(session, conv)
    avance(10, 100, "Generando el PDF…")
    accesitarios = final.accesitarios_de(conv)
    pdf = resultados.pdf_final(enc, etapas, filas, len(filas), accesitarios=accesitarios)
    avance(50, 100, "Generando el Excel…")
    xlsx = resultados.xlsx_final(enc, etapas, filas, len(filas), accesitarios=accesitarios)
    avance(90, 100, "Guardando los documentos y notificando a los finalistas…")
    _adjuntar(session, pub, conv, f"Resultado final {conv.codigo}", pdf, xlsx)
    enviados = _notificar_final(session, conv, correccion)
    return f"Cuadro de méritos de {len(filas)} finalista(s) publicado en PDF y Excel; {enviados} notificados."


def _notificar_final(session: Session, conv: m.Convocatoria, correccion: bool) -> int:
    """One notice per finalist (a :class:`~casadmin.models.ResultadoFinal` row) with their result and
    place, in one ``INSERT … SELECT`` (see :func:`_avisar`)."""
    p, r = m.Postulante, m.ResultadoFinal
    que = "corrigió" if correccion else "publicó"
    asunto = f"Resultado final {'corregido' if correccion else 'publicado'} – {conv.codigo}"
    condicion = sa.case(*((r.condicion == c, sa.literal(c.value, sa.Text)) for c in CondicionFinal),
                        else_=sa.literal("", sa.Text))
    lugar = sa.case((r.orden_merito.is_(None), sa.literal("—", sa.Text)),
                    else_=sa.cast(r.orden_merito, sa.Text))
    cuerpo = (sa.literal("Estimado(a) ", sa.Text) + p.nombres
              + sa.literal(f":\n\nSe {que} el resultado final de la convocatoria {conv.codigo} ({conv.nombre_puesto}). "
                           "Su resultado: ", sa.Text) + condicion
              + sa.literal(" (orden de mérito: ", sa.Text) + lugar
              + sa.literal(", §4.2.6 de las bases). Revise el detalle en «Mis postulaciones» y el cuadro de méritos "
                           "en el portal de convocatorias.\n", sa.Text))
    return _avisar(session, conv, asunto, cuerpo, lambda q: q.join(
        r, r.postulacion_id == m.Postulacion.id).where(r.convocatoria_id == conv.id))
