"""The contract step and appeals (D10, D11, §4.4, §4.8)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casadmin.models.base import LimaDateTime, TimestampMixin, enum_column
from casadmin.models.enums import DecisionImpugnacion, EstadoContrato, TipoImpugnacion, Verificacion
from casadmin.models.postulacion import Postulacion


class Contrato(TimestampMixin, Model):
    """Calling a winner (or accesitario) to sign (§4.4): registry checks, deadline, outcome.

    ``orden_llamado`` is 0 for the winner, 1 and 2 for the accesitarios (§4.4 f).
    """

    __tablename__ = "contrato"
    __table_args__ = (
        sa.UniqueConstraint("postulacion_id", name="uq_contrato_postulacion"),
        sa.CheckConstraint("orden_llamado BETWEEN 0 AND 2", name="ck_contrato_orden"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convocatoria_id: Mapped[int] = mapped_column(sa.ForeignKey("convocatoria.id", ondelete="RESTRICT"), index=True)
    postulacion_id: Mapped[int] = mapped_column(sa.ForeignKey("postulacion.id", ondelete="RESTRICT"))
    orden_llamado: Mapped[int] = mapped_column(default=0)
    fecha_limite: Mapped[dt.date]
    # §4.4 a: registry checks
    rnssc: Mapped[Verificacion] = mapped_column(enum_column(Verificacion, "ck_contrato_rnssc"), default=Verificacion.pendiente)
    redam: Mapped[Verificacion] = mapped_column(enum_column(Verificacion, "ck_contrato_redam"), default=Verificacion.pendiente)
    redereci: Mapped[Verificacion] = mapped_column(enum_column(Verificacion, "ck_contrato_redereci"), default=Verificacion.pendiente)
    redjum: Mapped[Verificacion] = mapped_column(enum_column(Verificacion, "ck_contrato_redjum"), default=Verificacion.pendiente)
    antecedentes: Mapped[Verificacion] = mapped_column(enum_column(Verificacion, "ck_contrato_antecedentes"), default=Verificacion.pendiente)
    rnas: Mapped[Verificacion] = mapped_column(enum_column(Verificacion, "ck_contrato_rnas"), default=Verificacion.no_aplica)
    estado: Mapped[EstadoContrato] = mapped_column(enum_column(EstadoContrato, "ck_contrato_estado"), default=EstadoContrato.pendiente)
    suscrito_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)
    observaciones: Mapped[Optional[str]] = mapped_column(sa.Text)

    convocatoria = relationship("Convocatoria")
    postulacion: Mapped[Postulacion] = relationship()

    def __str__(self) -> str:
        return f"Contrato de {self.postulacion.postulante if self.postulacion else ''}"


class Impugnacion(TimestampMixin, Model):
    """A reconsideration or appeal (D11, §4.8), with its decision or referral to SERVIR."""

    __tablename__ = "impugnacion"

    id: Mapped[int] = mapped_column(primary_key=True)
    postulacion_id: Mapped[int] = mapped_column(sa.ForeignKey("postulacion.id", ondelete="RESTRICT"), index=True)
    tipo: Mapped[TipoImpugnacion] = mapped_column(enum_column(TipoImpugnacion, "ck_impugnacion_tipo"))
    etapa: Mapped[Optional[str]] = mapped_column(sa.String(30))
    presentada_en: Mapped[dt.datetime] = mapped_column(LimaDateTime)
    fundamento: Mapped[str] = mapped_column(sa.Text)
    decision: Mapped[DecisionImpugnacion] = mapped_column(
        enum_column(DecisionImpugnacion, "ck_impugnacion_decision"), default=DecisionImpugnacion.pendiente
    )
    decidida_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)
    sustento_decision: Mapped[Optional[str]] = mapped_column(sa.Text)
    derivada_servir_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)

    postulacion: Mapped[Postulacion] = relationship()

    def __str__(self) -> str:
        return f"{self.tipo} ({self.decision})"
