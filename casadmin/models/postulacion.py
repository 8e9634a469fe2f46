"""Applications with their frozen Ficha, and the documents attached to them (C3, C5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from casadmin.models.base import LimaDateTime, TimestampMixin, enum_column
from casadmin.models.convocatoria import Convocatoria
from casadmin.models.enums import EstadoPostulacion
from casadmin.models.postulante import Postulante
from casadmin.models.sistema import Archivo


class Postulacion(TimestampMixin, Model):
    """One application per call and person (C3), never modified or deleted afterwards.

    ``ficha`` is the Ficha de Postulante frozen at the moment of applying, and
    ``ficha_sha256`` its hash: later profile edits apply only to future calls.
    """

    __tablename__ = "postulacion"
    __table_args__ = (
        sa.UniqueConstraint("convocatoria_id", "postulante_id", name="uq_postulacion_unica"),
        sa.Index("ix_postulacion_convocatoria_estado", "convocatoria_id", "estado"),
        sa.Index("ix_postulacion_registrada_en", "registrada_en", "id"),  # list sorted by date (issue 5)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convocatoria_id: Mapped[int] = mapped_column(sa.ForeignKey("convocatoria.id", ondelete="RESTRICT"))
    postulante_id: Mapped[int] = mapped_column(
        sa.ForeignKey("postulante.id", ondelete="RESTRICT"), index=True
    )
    registrada_en: Mapped[dt.datetime] = mapped_column(LimaDateTime)
    ficha: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    ficha_sha256: Mapped[str] = mapped_column(sa.String(64))
    declaracion_aceptada: Mapped[bool] = mapped_column(default=False)
    estado: Mapped[EstadoPostulacion] = mapped_column(
        enum_column(EstadoPostulacion, "ck_postulacion_estado"), default=EstadoPostulacion.registrada
    )
    #: Ley 31533 (§4.2.5, §4.3.2): 29 or younger at the start of the application period.
    joven_31533: Mapped[bool] = mapped_column(default=False)
    #: How many experiences the frozen Ficha declares (section 7), set with it: the evaluator judges each
    #: one (§4.2.1 x), and the queue of those left to judge is counted without reading every Ficha.
    experiencias_declaradas: Mapped[int] = mapped_column(default=0, server_default="0")

    convocatoria: Mapped[Convocatoria] = relationship()
    postulante: Mapped[Postulante] = relationship()
    documentos: Mapped[list["DocumentoPostulacion"]] = relationship(
        back_populates="postulacion", cascade="all, delete-orphan"
    )

    @validates("ficha")
    def _con_su_cuenta(self, _clave: str, ficha: dict[str, Any]) -> dict[str, Any]:
        self.experiencias_declaradas = experiencias_en(ficha)
        return ficha

    def __str__(self) -> str:
        return f"{self.convocatoria.codigo if self.convocatoria else ''} – {self.postulante}"


def experiencias_en(ficha: dict[str, Any] | None) -> int:
    """How many experiences a frozen Ficha declares (section 7): ``Postulacion.experiencias_declaradas``."""
    lista = (ficha or {}).get("experiencia_laboral")
    return len(lista) if isinstance(lista, list) else 0


class DocumentoPostulacion(TimestampMixin, Model):
    """A PDF attached to an application: annexes, per-document uploads, the expediente (C3, C5).

    ``tipo`` is the bases version's document type code (``anexos_11_12_13``,
    ``documento_identidad``, ``expediente_curricular``…).
    """

    __tablename__ = "documento_postulacion"
    __table_args__ = (
        sa.UniqueConstraint("postulacion_id", "tipo", name="uq_documento_postulacion_tipo"),
        sa.CheckConstraint("paginas >= 1", name="ck_documento_postulacion_paginas"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    postulacion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("postulacion.id", ondelete="CASCADE"), index=True
    )
    tipo: Mapped[str] = mapped_column(sa.String(60))
    archivo_id: Mapped[int] = mapped_column(sa.ForeignKey("archivo.id", ondelete="RESTRICT"))
    paginas: Mapped[int]
    #: Migraciones' "validar documento" tick (Mig. 8).
    validado: Mapped[bool] = mapped_column(default=False)
    cargado_en: Mapped[dt.datetime] = mapped_column(LimaDateTime)

    postulacion: Mapped[Postulacion] = relationship(back_populates="documentos")
    archivo: Mapped[Archivo] = relationship()

    def __str__(self) -> str:
        return self.tipo
