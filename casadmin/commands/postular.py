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
from casadmin.models.enums import EstadoConvocatoria, EstadoPostulacion, TipoCorreo, TipoHito
from casadmin.peru.clock import now, to_lima
from casadmin.rules.age import edad
from casadmin.storage import get_storage
from casadmin.uploads import ArchivoRechazado, revisar_pdf

EDAD_MAXIMA_31533 = 29  # §4.2.5 h, §4.3.2 (the bases version's parameter `ley31533.edad_maxima`)


class PostulacionRechazada(ValueError):
    """A refusal to show at ``campo`` (``None``: the whole form), in Spanish. Nothing was saved."""

    def __init__(self, mensaje: str, campo: str | None = None) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje
        self.campo = campo


@dataclass(frozen=True)
class Adjunto:
    """One uploaded PDF for a document type of the bases version (Migraciones: with its tick)."""

    tipo: str
    nombre: str
    data: bytes
    validado: bool = False


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
    return bases, [t for t in bases.documentos if not t.requerido_si or getattr(postulante, t.requerido_si, False)]


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
            stored = storage.save(por_tipo[codigo].data)
            guardados.append(stored.clave)
            archivo = m.Archivo(clave=stored.clave, nombre_original=por_tipo[codigo].nombre[:255] or f"{codigo}.pdf",
                                tipo_mime="application/pdf", tamano=stored.tamano, sha256=stored.sha256,
                                paginas=rev.paginas, propietario_id=postulante.usuario_id,
                                entidad_id=convocatoria.entidad_id)
            postulacion.documentos.append(m.DocumentoPostulacion(
                tipo=codigo, archivo=archivo, paginas=rev.paginas, validado=por_tipo[codigo].validado, cargado_en=momento))
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
    return edad(postulante.fecha_nacimiento, inicio) <= EDAD_MAXIMA_31533


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
        if os.path.getmtime(storage._path(clave)) > limite:
            continue  # may belong to a transaction still running
        storage.delete(clave)
        borradas.append(clave)
    return borradas
