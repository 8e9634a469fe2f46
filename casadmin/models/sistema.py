"""Machinery: stored files, the e-mail outbox and the audit trail (C3, G1, A5)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casadmin.models.base import LimaDateTime, enum_column
from casadmin.models.enums import EstadoCorreo, EstadoTarea, TipoCorreo
from casadmin.peru.clock import now


class Archivo(Model):
    """A stored file: content lives in the storage layer under ``clave``, outside the web root."""

    __tablename__ = "archivo"
    __table_args__ = (
        sa.CheckConstraint("tamano >= 0", name="ck_archivo_tamano"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clave: Mapped[str] = mapped_column(sa.String(200), unique=True)
    nombre_original: Mapped[str] = mapped_column(sa.String(255))
    tipo_mime: Mapped[str] = mapped_column(sa.String(100))
    tamano: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    paginas: Mapped[Optional[int]]
    propietario_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("ab_user.id", ondelete="SET NULL"), index=True
    )
    entidad_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("entidad.id", ondelete="SET NULL"), index=True)
    #: Public files (bases, annex formats, published results) can be downloaded by anyone.
    publico: Mapped[bool] = mapped_column(default=False)
    creado_en: Mapped[dt.datetime] = mapped_column(LimaDateTime, default=now)

    def __str__(self) -> str:
        return self.nombre_original


class Tarea(Model):
    """A background job with its progress, visible to who started it (result documents of 150,000 rows)."""

    __tablename__ = "tarea"
    __table_args__ = (
        sa.CheckConstraint("progreso >= 0 AND progreso <= 100", name="ck_tarea_progreso"),
        sa.Index("ix_tarea_estado_creada", "estado", "creada_en"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tipo: Mapped[str] = mapped_column(sa.String(60))
    descripcion: Mapped[str] = mapped_column(sa.String(300))
    #: Dotted path of the function that does the work, and its keyword arguments (JSON).
    funcion: Mapped[str] = mapped_column(sa.String(200))
    argumentos: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    estado: Mapped[EstadoTarea] = mapped_column(enum_column(EstadoTarea, "ck_tarea_estado"), default=EstadoTarea.pendiente)
    progreso: Mapped[int] = mapped_column(default=0)
    mensaje: Mapped[Optional[str]] = mapped_column(sa.String(300))
    error: Mapped[Optional[str]] = mapped_column(sa.Text)
    entidad_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("entidad.id", ondelete="SET NULL"), index=True)
    convocatoria_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("convocatoria.id", ondelete="SET NULL"), index=True
    )
    usuario_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    creada_en: Mapped[dt.datetime] = mapped_column(LimaDateTime, default=now)
    iniciada_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)
    terminada_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)

    def __str__(self) -> str:
        return f"{self.descripcion} ({self.estado}, {self.progreso} %)"


class CorreoSaliente(Model):
    """The outbox (G1): every message is recorded here and sent outside the request."""

    __tablename__ = "correo_saliente"
    __table_args__ = (sa.Index("ix_correo_estado_creado", "estado", "creado_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entidad_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("entidad.id", ondelete="SET NULL"), index=True)
    convocatoria_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("convocatoria.id", ondelete="SET NULL"), index=True
    )
    usuario_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    tipo: Mapped[TipoCorreo] = mapped_column(enum_column(TipoCorreo, "ck_correo_saliente_tipo"))
    destinatario: Mapped[str] = mapped_column(sa.String(320))
    asunto: Mapped[str] = mapped_column(sa.String(300))
    cuerpo: Mapped[str] = mapped_column(sa.Text)
    adjuntos: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    estado: Mapped[EstadoCorreo] = mapped_column(enum_column(EstadoCorreo, "ck_correo_saliente_estado"), default=EstadoCorreo.pendiente)
    intentos: Mapped[int] = mapped_column(default=0)
    ultimo_error: Mapped[Optional[str]] = mapped_column(sa.Text)
    creado_en: Mapped[dt.datetime] = mapped_column(LimaDateTime, default=now)
    enviado_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)

    def __str__(self) -> str:
        return f"{self.asunto} → {self.destinatario}"


class RegistroAuditoria(Model):
    """An append-only audit record (A5): who, when, what, before and after.

    ``hash`` chains each record to the previous one, so any edit or deletion
    of the table is detectable; the ORM refuses updates and deletes outright.
    """

    __tablename__ = "registro_auditoria"
    __table_args__ = (sa.Index("ix_auditoria_objeto", "tabla", "registro_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    momento: Mapped[dt.datetime] = mapped_column(LimaDateTime, default=now, index=True)
    usuario_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="SET NULL"))
    usuario: Mapped[Optional[str]] = mapped_column(sa.String(128))
    entidad_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("entidad.id", ondelete="SET NULL"), index=True)
    convocatoria_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("convocatoria.id", ondelete="SET NULL"), index=True
    )
    postulacion_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("postulacion.id", ondelete="SET NULL"), index=True
    )
    accion: Mapped[str] = mapped_column(sa.String(60))
    tabla: Mapped[str] = mapped_column(sa.String(60))
    registro_id: Mapped[Optional[int]]
    antes: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    despues: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    motivo: Mapped[Optional[str]] = mapped_column(sa.Text)
    hash_anterior: Mapped[Optional[str]] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    usuario_rel = relationship("Usuario", foreign_keys=[usuario_id], viewonly=True)

    def __str__(self) -> str:
        return f"{self.momento:%Y-%m-%d %H:%M} {self.usuario or '-'} {self.accion} {self.tabla}#{self.registro_id}"
