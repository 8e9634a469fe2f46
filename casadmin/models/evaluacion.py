"""Stage results, checklists, committees and interview sheets, bonuses, final results (D1–D9, E1).

Every result records the rule plugins and versions that produced it (F3).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casadmin.models.base import LimaDateTime, Percent, Score, TimestampMixin, enum_column
from casadmin.models.convocatoria import Convocatoria
from casadmin.models.enums import CondicionFinal, Etapa, Resultado, RolComite, TipoBonificacion
from casadmin.models.postulacion import Postulacion
from casadmin.models.sistema import Archivo
from casadmin.models.usuario import Usuario


class ResultadoEtapa(TimestampMixin, Model):
    """One candidate's result in one stage (D1–D6): Apto / No apto, score, reasons.

    ``motivos`` is the list of reasons (requirement, declared, counted, clause);
    an evaluator's override keeps the automatic result in ``motivos`` and the
    written reason in ``motivo_override`` (D1, audited).
    """

    __tablename__ = "resultado_etapa"
    __table_args__ = (
        sa.UniqueConstraint("postulacion_id", "etapa", name="uq_resultado_etapa"),
        sa.CheckConstraint("puntaje IS NULL OR puntaje >= 0", name="ck_resultado_puntaje"),
        # also every (convocatoria_id, etapa) lookup: a separate index on those two was dropped (d9e3a1f5b2c4)
        sa.Index("ix_resultado_convocatoria_etapa_resultado", "convocatoria_id", "etapa", "resultado"),  # panel
        # the public portal pages a published stage by its stored order (casadmin.resultados.numerar)
        sa.Index("ix_resultado_orden_publicacion", "convocatoria_id", "etapa", "orden_publicacion"),
        sa.Index("ix_resultado_puntaje", "convocatoria_id", "etapa", "puntaje"),  # does the published list show scores
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convocatoria_id: Mapped[int] = mapped_column(sa.ForeignKey("convocatoria.id", ondelete="RESTRICT"))
    postulacion_id: Mapped[int] = mapped_column(sa.ForeignKey("postulacion.id", ondelete="RESTRICT"))
    etapa: Mapped[Etapa] = mapped_column(enum_column(Etapa, "ck_resultado_etapa_etapa"))
    resultado: Mapped[Resultado] = mapped_column(enum_column(Resultado, "ck_resultado_etapa_resultado"), default=Resultado.pendiente)
    puntaje: Mapped[Optional[Decimal]] = mapped_column(Score)
    motivos: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    #: What the stage's plugin adds to its score (``detalle`` of the interchange format): points per
    #: factor of the curricular stage (§4.2.4), the interview's average and Ley 31533 bonus (§4.2.5 g, h).
    #: None is SQL NULL, as the PostgreSQL ``COPY`` of ``engine_db`` writes it (not JSON ``null``).
    detalle: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON(none_as_null=True))
    override: Mapped[bool] = mapped_column(default=False)
    motivo_override: Mapped[Optional[str]] = mapped_column(sa.Text)
    evaluado_por_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="SET NULL"))
    evaluado_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)
    #: Plugin names and versions that produced this result (F3).
    reglas: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    publicado: Mapped[bool] = mapped_column(default=False)
    #: Position in the stage's published list (§4.2), 1…N; set when the stage is published or recalculated.
    orden_publicacion: Mapped[Optional[int]] = mapped_column(sa.Integer)

    convocatoria: Mapped[Convocatoria] = relationship()
    postulacion: Mapped[Postulacion] = relationship()
    evaluado_por: Mapped[Optional[Usuario]] = relationship()
    verificaciones: Mapped[list["ItemVerificacion"]] = relationship(
        back_populates="resultado_etapa", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.etapa}: {self.resultado}"


class ItemVerificacion(Model):
    """One item of an evaluator's checklist (D1 manual checks, D4 factors and checklist).

    For curricular factors (D4) ``puntaje`` holds the points the factor gives.
    """

    __tablename__ = "item_verificacion"
    __table_args__ = (sa.UniqueConstraint("resultado_etapa_id", "codigo", name="uq_item_verificacion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resultado_etapa_id: Mapped[int] = mapped_column(
        sa.ForeignKey("resultado_etapa.id", ondelete="CASCADE"), index=True
    )
    codigo: Mapped[str] = mapped_column(sa.String(60))
    descripcion: Mapped[str] = mapped_column(sa.String(300))
    cumple: Mapped[Optional[bool]]
    puntaje: Mapped[Optional[Decimal]] = mapped_column(Score)
    observacion: Mapped[Optional[str]] = mapped_column(sa.Text)
    clausula: Mapped[Optional[str]] = mapped_column(sa.String(40))

    resultado_etapa: Mapped[ResultadoEtapa] = relationship(back_populates="verificaciones")

    def __str__(self) -> str:
        return self.descripcion


class PublicacionEtapa(Model):
    """A stage's results as published (E1, E2): freezes the stage."""

    __tablename__ = "publicacion_etapa"
    __table_args__ = (sa.UniqueConstraint("convocatoria_id", "etapa", name="uq_publicacion_etapa"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convocatoria_id: Mapped[int] = mapped_column(sa.ForeignKey("convocatoria.id", ondelete="RESTRICT"), index=True)
    etapa: Mapped[str] = mapped_column(sa.String(30))
    publicado_en: Mapped[dt.datetime] = mapped_column(LimaDateTime)
    publicado_por_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="SET NULL"))
    archivo_pdf_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("archivo.id", ondelete="RESTRICT"))
    archivo_xlsx_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("archivo.id", ondelete="RESTRICT"))
    proxima_etapa: Mapped[Optional[str]] = mapped_column(sa.Text)

    convocatoria: Mapped[Convocatoria] = relationship()
    archivo_pdf: Mapped[Optional[Archivo]] = relationship(foreign_keys=[archivo_pdf_id])
    archivo_xlsx: Mapped[Optional[Archivo]] = relationship(foreign_keys=[archivo_xlsx_id])

    def __str__(self) -> str:
        return f"{self.etapa} ({self.publicado_en:%d/%m/%Y})"


class MiembroComite(TimestampMixin, Model):
    """A member of a call's interview committee (§4.2.5 b): ORH, área usuaria or Veedor."""

    __tablename__ = "miembro_comite"
    __table_args__ = (sa.UniqueConstraint("convocatoria_id", "usuario_id", name="uq_miembro_comite"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convocatoria_id: Mapped[int] = mapped_column(sa.ForeignKey("convocatoria.id", ondelete="CASCADE"), index=True)
    usuario_id: Mapped[int] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="RESTRICT"), index=True)
    rol: Mapped[RolComite] = mapped_column(enum_column(RolComite, "ck_miembro_comite_rol"))

    convocatoria: Mapped[Convocatoria] = relationship()
    usuario: Mapped[Usuario] = relationship()

    def __str__(self) -> str:
        return f"{self.usuario} ({self.rol})"


class Citacion(TimestampMixin, Model):
    """When and where a candidate is called for an exam, test or interview (B3, G1)."""

    __tablename__ = "citacion"
    __table_args__ = (sa.UniqueConstraint("postulacion_id", "etapa", name="uq_citacion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    postulacion_id: Mapped[int] = mapped_column(sa.ForeignKey("postulacion.id", ondelete="CASCADE"), index=True)
    etapa: Mapped[Etapa] = mapped_column(enum_column(Etapa, "ck_citacion_etapa"))
    fecha_hora: Mapped[dt.datetime] = mapped_column(LimaDateTime)
    lugar_o_enlace: Mapped[str] = mapped_column(sa.String(300))
    #: Length of the slot in minutes (the timetable's, §4.2.5; NULL for slots made before it was recorded).
    duracion_minutos: Mapped[Optional[int]] = mapped_column()
    #: When the candidate was last notified (e-mail + "Mis postulaciones", G1), and what they were told
    #: (fecha_hora, duracion_minutos, lugar_o_enlace): a slot that differs from it is to be notified again.
    notificada_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)
    notificado: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    #: When a new timetable left out a citation already notified (the candidate is no longer called):
    #: kept so that "Notificar citaciones" tells them it no longer stands (``notificado`` then holds
    #: ``{"anulada": True, "previo": <what they had been told>}``).
    anulada_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)

    postulacion: Mapped[Postulacion] = relationship()

    def __str__(self) -> str:
        return f"{self.etapa} {self.fecha_hora:%d/%m/%Y %H:%M}"


class HojaEntrevista(TimestampMixin, Model):
    """One committee member's interview sheet for one candidate: five factors (D6, §4.2.5).

    A member sees and edits only their own sheet until they submit it.
    """

    __tablename__ = "hoja_entrevista"
    __table_args__ = (
        sa.UniqueConstraint("postulacion_id", "miembro_id", name="uq_hoja_entrevista"),
        sa.CheckConstraint(
            "desenvolvimiento >= 0 AND idoneidad >= 0 AND orientacion_resultados >= 0 "
            "AND trabajo_equipo >= 0 AND vocacion_servicio >= 0",
            name="ck_hoja_entrevista_factores",
        ),
        sa.CheckConstraint(
            "causa IS NULL OR (NOT asistio AND causa IN ('no_se_presento', 'sin_documento', 'incumplio_indicaciones'))",
            name="ck_hoja_entrevista_causa",
        ),
        # a draft may leave factors blank (a member scoring as the interview goes); a submitted sheet may not
        sa.CheckConstraint(
            "NOT enviada OR (desenvolvimiento IS NOT NULL AND idoneidad IS NOT NULL AND orientacion_resultados IS NOT "
            "NULL AND trabajo_equipo IS NOT NULL AND vocacion_servicio IS NOT NULL)",
            name="ck_hoja_entrevista_completa",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    postulacion_id: Mapped[int] = mapped_column(sa.ForeignKey("postulacion.id", ondelete="RESTRICT"), index=True)
    miembro_id: Mapped[int] = mapped_column(sa.ForeignKey("miembro_comite.id", ondelete="RESTRICT"), index=True)
    asistio: Mapped[bool] = mapped_column(default=True)
    #: Without the interview taken, why (``comite.CAUSAS``): did not come (§4.6; also ``None``, as sheets
    #: before 2026-12-07 have it), no valid original identity document (§4.2.5 d), the instructions not
    #: followed (§4.2.5 c).
    causa: Mapped[Optional[str]] = mapped_column(sa.String(30))
    desenvolvimiento: Mapped[Optional[Decimal]] = mapped_column(Score)
    idoneidad: Mapped[Optional[Decimal]] = mapped_column(Score)
    orientacion_resultados: Mapped[Optional[Decimal]] = mapped_column(Score)
    trabajo_equipo: Mapped[Optional[Decimal]] = mapped_column(Score)
    vocacion_servicio: Mapped[Optional[Decimal]] = mapped_column(Score)
    observaciones: Mapped[Optional[str]] = mapped_column(sa.Text)
    enviada: Mapped[bool] = mapped_column(default=False)
    enviada_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)

    postulacion: Mapped[Postulacion] = relationship()
    miembro: Mapped[MiembroComite] = relationship()

    FACTORES = ("desenvolvimiento", "idoneidad", "orientacion_resultados", "trabajo_equipo", "vocacion_servicio")
    #: Why the interview was not taken (``causa``): code → (what the sheet says, clause).
    CAUSAS = {
        "no_se_presento": ("No se presentó", "§4.6"),
        "sin_documento": ("Se presentó sin documento de identidad vigente y original: no pudo rendirla", "§4.2.5 d"),
        "incumplio_indicaciones": ("Incumplió las indicaciones comunicadas o de la sala virtual", "§4.2.5 c"),
    }

    @property
    def causa_texto(self) -> str:
        """What a read-only sheet says of an interview not taken (a sheet of before the causes: not come)."""
        texto, clausula = self.CAUSAS[self.causa or "no_se_presento"]
        return f"{texto} ({clausula})."

    @property
    def total(self) -> Decimal:
        return sum((getattr(self, f) or Decimal("0") for f in self.FACTORES), Decimal("0"))

    def __str__(self) -> str:
        return f"Hoja de {self.miembro} para {self.postulacion}"


class Bonificacion(TimestampMixin, Model):
    """A bonus applied to a candidate, with its legal basis (D6 Ley 31533, D7, §4.3)."""

    __tablename__ = "bonificacion"
    __table_args__ = (sa.UniqueConstraint("postulacion_id", "tipo", name="uq_bonificacion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    postulacion_id: Mapped[int] = mapped_column(sa.ForeignKey("postulacion.id", ondelete="RESTRICT"), index=True)
    tipo: Mapped[TipoBonificacion] = mapped_column(enum_column(TipoBonificacion, "ck_bonificacion_tipo"))
    porcentaje: Mapped[Decimal] = mapped_column(Percent)
    base: Mapped[Decimal] = mapped_column(Score)
    puntos: Mapped[Decimal] = mapped_column(Score)
    base_legal: Mapped[str] = mapped_column(sa.String(300))
    regla: Mapped[str] = mapped_column(sa.String(140))
    #: The concept as the rule plugin names it (e.g. FF.AA. and discapacidad together, 25 %).
    concepto: Mapped[Optional[str]] = mapped_column(sa.String(300))

    postulacion: Mapped[Postulacion] = relationship()

    def __str__(self) -> str:
        return f"{self.tipo}: +{self.puntos}"


class ResultadoFinal(TimestampMixin, Model):
    """A candidate's final score, merit order and condition (D7, D8)."""

    __tablename__ = "resultado_final"
    __table_args__ = (
        sa.UniqueConstraint("postulacion_id", name="uq_resultado_final_postulacion"),
        sa.Index("ix_resultado_final_orden", "convocatoria_id", "orden_merito"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convocatoria_id: Mapped[int] = mapped_column(sa.ForeignKey("convocatoria.id", ondelete="RESTRICT"))
    postulacion_id: Mapped[int] = mapped_column(sa.ForeignKey("postulacion.id", ondelete="RESTRICT"))
    puntaje_etapas: Mapped[Decimal] = mapped_column(Score)
    puntaje_bonificaciones: Mapped[Decimal] = mapped_column(Score, default=Decimal("0"))
    puntaje_final: Mapped[Decimal] = mapped_column(Score)
    orden_merito: Mapped[Optional[int]]
    condicion: Mapped[CondicionFinal] = mapped_column(enum_column(CondicionFinal, "ck_resultado_final_condicion"))
    #: D8: the committee's recorded decision when scores are still tied.
    decision_comite: Mapped[Optional[str]] = mapped_column(sa.Text)
    #: D8: still tied after the bases' criteria, waiting for the committee (§4.2.6 c).
    empate_comite: Mapped[bool] = mapped_column(default=False)
    #: D8: the reasons for this candidate's place, as ``ResultadoEtapa.motivos`` (§4.2.6 a–c):
    #: a tie on the final score broken by a criterion or by the committee, or still open
    motivos: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list, server_default="[]")
    reglas: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    publicado: Mapped[bool] = mapped_column(default=False)

    convocatoria: Mapped[Convocatoria] = relationship()
    postulacion: Mapped[Postulacion] = relationship()

    def __str__(self) -> str:
        return f"{self.orden_merito or '-'}° {self.postulacion.postulante if self.postulacion else ''}"
