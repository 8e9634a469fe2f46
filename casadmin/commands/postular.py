"""Apply to a call (C3, C4, §4.1 Postulación; Mig. 5–11).

One application per person and call, never modified afterwards: the database's
unique constraint decides between simultaneous submissions. The Ficha is frozen
(snapshot + SHA-256) at this moment; later profile edits apply only to future
calls. Files are checked by content before anything is stored, stored before
the transaction, and removed again if the transaction fails, so a failed
application leaves no row and no file (a crash in between leaves an orphan file
that no row points to, removed by :func:`limpiar_huerfanos`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casadmin import mailer
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.ficha import digest, snapshot
from casadmin.ficha_pdf import generar as generar_pdf
from casadmin.models.enums import EstadoConvocatoria, EstadoPostulacion, Resultado, TipoCorreo, TipoHito
from casadmin.peru.clock import now, to_lima
from casadmin.rules.age import es_joven_31533
from casadmin.storage import Stored, get_storage
from casadmin.uploads import ArchivoRechazado, PdfRevisado, revisar_pdf

ARCHIVO_PERDIDO = "El archivo cargado ya no está disponible: vuelva a cargarlo."


class PostulacionRechazada(ValueError):
    """A refusal to show at ``campo`` (``None``: the whole form), in Spanish. Nothing was saved."""

    def __init__(self, mensaje: str, campo: str | None = None) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje
        self.campo = campo


@dataclass(frozen=True)
class Adjunto:
    """One uploaded PDF for a document type of the bases version (Migraciones: with its tick).

    Either its bytes (``data``: checked and stored here), or a file the portal's draft already
    checked with :func:`casadmin.uploads.revisar_pdf` and stored when it was uploaded
    (``clave`` with the ``paginas``, ``tamano`` and ``sha256`` of that check): the application
    then gets its own key for those bytes without reading, checking or writing them again.
    """

    tipo: str
    nombre: str
    data: bytes = b""
    validado: bool = False
    clave: str | None = None
    paginas: int = 0
    tamano: int = 0
    sha256: str = ""
    #: when the draft received it (the manual's «FECHA DE CARGA», Mig. 8); ``None``: on sending
    cargado_en: dt.datetime | None = None


def ventana(session: Session, convocatoria: m.Convocatoria) -> tuple[dt.datetime, dt.datetime] | None:
    hito = session.scalar(
        sa.select(m.HitoCronograma).where(
            m.HitoCronograma.convocatoria_id == convocatoria.id, m.HitoCronograma.tipo == TipoHito.postulacion
        )
    )
    return (hito.inicio, hito.fin) if hito else None


def abierta(session: Session, convocatoria: m.Convocatoria, momento: dt.datetime | None = None) -> bool:
    """Whether "Postular" is enabled: inside the schedule's window by the server's Lima clock (C3, §4.1)."""
    win = ventana(session, convocatoria)
    momento = momento or now()
    return (
        win is not None
        and convocatoria.estado in (EstadoConvocatoria.publicada, EstadoConvocatoria.postulacion)
        and win[0] <= momento <= win[1]
    )


def _tipos(convocatoria: m.Convocatoria, postulante: m.Postulante):
    bases = pl.get_bases(pl.get_plugin_manager(), convocatoria.version_bases.codigo)
    return bases, [t for t in bases.documentos if t.pedido_a(postulante)]


def tipos_documento(convocatoria: m.Convocatoria, postulante: m.Postulante):
    """The call's bases version and the document types this applicant attaches (C3), in the bases' order."""
    return _tipos(convocatoria, postulante)


def nombres_documentos(convocatoria: m.Convocatoria) -> dict[str, str]:
    """The names of the call's document types by code, for the pages that list an application's stored
    documents; none when no installed plugin provides the call's bases any more (the page then shows the
    stored codes: an applicant's results stay readable after an institution uninstalls a plugin)."""
    try:
        bases = pl.get_bases(pl.get_plugin_manager(), convocatoria.version_bases.codigo)
    except pl.BasesDesconocida:
        return {}
    return {t.codigo: t.nombre for t in bases.documentos}


def postular(session: Session, *, postulante: m.Postulante, convocatoria: m.Convocatoria, adjuntos: list[Adjunto],
             declaracion: bool, momento: dt.datetime | None = None) -> m.Postulacion:
    """Register the application, freeze the Ficha, store the PDFs and queue the proof by e-mail (C3, C4)."""
    momento = momento or now()
    if not abierta(session, convocatoria, momento):
        raise PostulacionRechazada("La postulación a esta convocatoria no está abierta en este momento (hora de Lima).")
    if not declaracion:
        raise PostulacionRechazada("Debe aceptar la declaración para postular.", "declaracion")
    ya = session.scalar(sa.select(m.Postulacion.id).filter_by(convocatoria_id=convocatoria.id, postulante_id=postulante.id))
    if ya is not None:
        raise PostulacionRechazada("Ya postuló a esta convocatoria: la postulación no puede modificarse.")
    bases, tipos = _tipos(convocatoria, postulante)
    por_tipo = {a.tipo: a for a in adjuntos}
    conocidos = {t.codigo for t in bases.documentos}
    for tipo in por_tipo:
        if tipo not in conocidos:
            raise PostulacionRechazada("Tipo de documento no reconocido por las bases.", f"documento_{tipo}")
    revisados = {}
    for t in tipos:
        adj = por_tipo.get(t.codigo)
        if adj is None:
            if t.obligatorio:
                raise PostulacionRechazada(f"Adjunte {t.nombre}.", f"documento_{t.codigo}")
            continue
        if bases.flujo_documentos == "por_documento" and not adj.validado:
            raise PostulacionRechazada(f"Marque «Validar documento» para {t.nombre}.", f"documento_{t.codigo}")
        if adj.clave is not None:  # checked when it was uploaded, under the same limits
            if adj.tamano < 0:
                raise PostulacionRechazada(ARCHIVO_PERDIDO, f"documento_{t.codigo}")
            revisados[t.codigo] = PdfRevisado(paginas=adj.paginas, tamano=adj.tamano, sha256=adj.sha256)
            continue
        try:
            revisados[t.codigo] = revisar_pdf(adj.data)
        except ArchivoRechazado as exc:
            raise PostulacionRechazada(f"{t.nombre}: {exc}", f"documento_{t.codigo}") from None

    ficha = snapshot(postulante)
    storage = get_storage()
    guardados: list[str] = []
    try:
        postulacion = m.Postulacion(
            convocatoria_id=convocatoria.id, postulante_id=postulante.id, registrada_en=momento, ficha=ficha,
            ficha_sha256=digest(ficha), declaracion_aceptada=True, estado=EstadoPostulacion.registrada,
            joven_31533=_joven(postulante, session, convocatoria),
        )
        session.add(postulacion)
        for codigo, rev in revisados.items():
            adj = por_tipo[codigo]
            if adj.clave is not None:
                try:
                    stored = Stored(clave=storage.enlazar(adj.clave), sha256=rev.sha256, tamano=rev.tamano)
                except FileNotFoundError:
                    raise PostulacionRechazada(ARCHIVO_PERDIDO, f"documento_{codigo}") from None
            else:
                stored = storage.save(adj.data)
            guardados.append(stored.clave)
            archivo = m.Archivo(clave=stored.clave, nombre_original=por_tipo[codigo].nombre[:255] or f"{codigo}.pdf",
                                tipo_mime="application/pdf", tamano=stored.tamano, sha256=stored.sha256,
                                paginas=rev.paginas, propietario_id=postulante.usuario_id,
                                entidad_id=convocatoria.entidad_id)
            postulacion.documentos.append(m.DocumentoPostulacion(
                tipo=codigo, archivo=archivo, paginas=rev.paginas, validado=por_tipo[codigo].validado,
                cargado_en=adj.cargado_en or momento))
        pdf = generar_pdf(ficha, codigo=convocatoria.codigo, puesto=convocatoria.nombre_puesto,
                          entidad=convocatoria.entidad.nombre, registrada_en=momento, sha256=postulacion.ficha_sha256)
        stored = storage.save(pdf)
        guardados.append(stored.clave)
        constancia = m.Archivo(clave=stored.clave, nombre_original=f"Ficha de Postulante {convocatoria.codigo}.pdf",
                               tipo_mime="application/pdf", tamano=stored.tamano, sha256=stored.sha256,
                               propietario_id=postulante.usuario_id, entidad_id=convocatoria.entidad_id)
        session.add(constancia)
        session.flush()
        mailer.encolar(
            session, tipo=TipoCorreo.confirmacion_postulacion, destinatario=postulante.email,
            asunto=f"Postulación registrada: {convocatoria.codigo}",
            cuerpo=(f"Estimado(a) {postulante.nombres}:\n\nSu postulación a la convocatoria {convocatoria.codigo} "
                    f"({convocatoria.nombre_puesto}) ha sido registrada satisfactoriamente el "
                    f"{to_lima(momento):%d/%m/%Y a las %H:%M} (hora de Lima).\n\nAdjuntamos su Ficha de Postulante: "
                    "es la única constancia de su postulación (§4.1).\n"),
            adjuntos=[constancia.id], entidad_id=convocatoria.entidad_id, convocatoria_id=convocatoria.id,
            usuario_id=postulante.usuario_id,
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        _borrar(guardados)
        raise PostulacionRechazada("Ya postuló a esta convocatoria: la postulación no puede modificarse.") from None
    except BaseException:
        session.rollback()
        _borrar(guardados)
        raise
    return postulacion


def _joven(postulante: m.Postulante, session: Session, convocatoria: m.Convocatoria) -> bool:
    win = ventana(session, convocatoria)
    inicio = win[0].date() if win else now().date()
    try:
        bases = pl.get_bases(pl.get_plugin_manager(), convocatoria.version_bases.codigo)
    except pl.BasesDesconocida:  # a version no installed plugin provides: the law's own limit
        return es_joven_31533(postulante.fecha_nacimiento, inicio)
    return es_joven_31533(postulante.fecha_nacimiento, inicio, bases.edad_maxima_31533(inicio))


def _borrar(claves: list[str]) -> None:
    storage = get_storage()
    for clave in claves:
        storage.delete(clave)


def limpiar_huerfanos(session: Session, antiguedad: dt.timedelta = dt.timedelta(hours=1)) -> list[str]:
    """Delete stored files that no row points to (a crash between storing and committing)."""
    import os

    storage = get_storage()
    limite = now().timestamp() - antiguedad.total_seconds()
    conocidas = set(session.scalars(sa.select(m.Archivo.clave)))
    borradas = []
    for clave in list(storage.keys()):
        if clave in conocidas:
            continue
        try:
            if os.path.getmtime(storage._path(clave)) > limite:
                continue  # may belong to a transaction still running
        except FileNotFoundError:
            continue  # removed meanwhile (a draft sent, replaced or discarded)
        storage.delete(clave)
        borradas.append(clave)
    return borradas


# --- C5: the expediente curricular (§4.2.4 "Presentación del Expediente Curricular") ------------

#: The document type code of the expediente (see :class:`casadmin.models.DocumentoPostulacion`).
TIPO_EXPEDIENTE = "expediente_curricular"
#: Stage results that put a candidate out of the process (§4.6: absence is No Apto too).
ELIMINATORIOS = (Resultado.no_apto, Resultado.no_se_presento, Resultado.no_asistio)


def ventana_expediente(session: Session, convocatoria: m.Convocatoria) -> tuple[dt.datetime, dt.datetime] | None:
    hito = session.scalar(
        sa.select(m.HitoCronograma).where(
            m.HitoCronograma.convocatoria_id == convocatoria.id, m.HitoCronograma.tipo == TipoHito.expediente
        )
    )
    return (hito.inicio, hito.fin) if hito else None


def sigue_en_proceso(session: Session, postulacion: m.Postulacion) -> bool:
    """Whether the candidate is still in the process as they may know it: no eliminatory result
    published in any stage (C6). An evaluation ORH has not published yet neither shows through the
    expediente's block nor refuses the upload (the application's state changes with it, so it is
    not read either); the curricular stage judges only those who continued all the same (§4.2)."""
    R = m.ResultadoEtapa
    return session.scalar(sa.select(R.id).where(
        R.postulacion_id == postulacion.id, R.resultado.in_(ELIMINATORIOS), R.publicado.is_(True)).limit(1)) is None


def expediente(session: Session, postulacion: m.Postulacion) -> m.DocumentoPostulacion | None:
    return session.scalar(
        sa.select(m.DocumentoPostulacion).where(
            m.DocumentoPostulacion.postulacion_id == postulacion.id, m.DocumentoPostulacion.tipo == TIPO_EXPEDIENTE
        )
    )


def presentar_expediente(session: Session, *, postulacion: m.Postulacion, nombre: str, data: bytes,
                         momento: dt.datetime | None = None) -> m.DocumentoPostulacion:
    """Store the candidate's expediente: one PDF, once, inside its window, only while in the process (C5).

    §4.2.4: "la plataforma virtual permite realizarla una sola vez": the unique
    (postulación, tipo) constraint decides between simultaneous uploads. The PDF is
    checked like the annexes (content, 5 MB, readable); nothing is stored on refusal.
    """
    momento = momento or now()
    conv = postulacion.convocatoria
    win = ventana_expediente(session, conv)
    if win is None:
        raise PostulacionRechazada("El cronograma de esta convocatoria no tiene plazo para el Expediente Curricular.")
    if conv.estado in (EstadoConvocatoria.cancelada, EstadoConvocatoria.desierta) or not win[0] <= momento <= win[1]:
        raise PostulacionRechazada(
            "La presentación del Expediente Curricular no está abierta en este momento (hora de Lima).")
    if not sigue_en_proceso(session, postulacion):
        raise PostulacionRechazada(
            "Solo los candidatos que continúan en el proceso pueden presentar el Expediente Curricular.")
    if expediente(session, postulacion) is not None:
        raise PostulacionRechazada(_YA_PRESENTO, "expediente")
    try:
        rev = revisar_pdf(data)
    except ArchivoRechazado as exc:
        raise PostulacionRechazada(str(exc), "expediente") from None
    storage = get_storage()
    stored = storage.save(data)
    try:
        archivo = m.Archivo(clave=stored.clave, nombre_original=(nombre or "")[:255] or "expediente.pdf",
                            tipo_mime="application/pdf", tamano=stored.tamano, sha256=stored.sha256,
                            paginas=rev.paginas, propietario_id=postulacion.postulante.usuario_id,
                            entidad_id=conv.entidad_id)
        doc = m.DocumentoPostulacion(postulacion_id=postulacion.id, tipo=TIPO_EXPEDIENTE, archivo=archivo,
                                     paginas=rev.paginas, validado=False, cargado_en=momento)
        session.add(doc)
        session.commit()
    except IntegrityError:
        session.rollback()
        storage.delete(stored.clave)
        raise PostulacionRechazada(_YA_PRESENTO, "expediente") from None
    except BaseException:
        session.rollback()
        storage.delete(stored.clave)
        raise
    return doc


_YA_PRESENTO = "Ya presentó su Expediente Curricular: la carga se realiza una sola vez (§4.2.4)."
