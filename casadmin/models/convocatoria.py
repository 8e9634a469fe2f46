"""The call (convocatoria), its position profile, schedule, announcements and documents (B1–B6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casadmin.models.base import LimaDateTime, Money, TimestampMixin, enum_column
from casadmin.models.entidad import Entidad, VersionBases
from casadmin.models.enums import (
    CausaCancelacion,
    CausaDesierto,
    EstadoConvocatoria,
    ModalidadFirma,
    NivelAcademico,
    NivelConocimiento,
    TipoCapacitacion,
    TipoConocimiento,
    TipoDocumentoConvocatoria,
    TipoHito,
)


class Convocatoria(TimestampMixin, Model):
    """A CAS call (B1). Pinned to the bases version it was created with (F3)."""

    __tablename__ = "convocatoria"
    __table_args__ = (
        sa.UniqueConstraint("entidad_id", "numero", "anio", name="uq_convocatoria_numero"),
        sa.CheckConstraint("cantidad_posiciones >= 1", name="ck_convocatoria_posiciones"),
        sa.CheckConstraint("remuneracion >= 0", name="ck_convocatoria_remuneracion"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entidad_id: Mapped[int] = mapped_column(sa.ForeignKey("entidad.id", ondelete="RESTRICT"), index=True)
    version_bases_id: Mapped[int] = mapped_column(
        sa.ForeignKey("version_bases.id", ondelete="RESTRICT"), index=True
    )
    numero: Mapped[int]
    anio: Mapped[int]
    #: e.g. "CAS N° 140-2026-SUNEDU" (§4.1): unique across the installation.
    codigo: Mapped[str] = mapped_column(sa.String(60), unique=True)
    nombre_puesto: Mapped[str] = mapped_column(sa.String(300))
    cargo_estructural: Mapped[Optional[str]] = mapped_column(sa.String(200))
    organo: Mapped[str] = mapped_column(sa.String(200))
    unidad_organica: Mapped[Optional[str]] = mapped_column(sa.String(200))
    cantidad_posiciones: Mapped[int] = mapped_column(default=1)
    remuneracion: Mapped[Decimal] = mapped_column(Money)
    lugar: Mapped[str] = mapped_column(sa.String(300))
    duracion_contrato: Mapped[str] = mapped_column(sa.String(200))
    incluye_examen: Mapped[bool] = mapped_column(default=True)
    incluye_psicologica: Mapped[bool] = mapped_column(default=False)
    modalidad_firma: Mapped[ModalidadFirma] = mapped_column(
        enum_column(ModalidadFirma, "ck_convocatoria_modalidad_firma"), default=ModalidadFirma.virtual
    )
    estado: Mapped[EstadoConvocatoria] = mapped_column(
        enum_column(EstadoConvocatoria, "ck_convocatoria_estado"), default=EstadoConvocatoria.borrador, index=True
    )
    causa_desierto: Mapped[Optional[CausaDesierto]] = mapped_column(enum_column(CausaDesierto, "ck_convocatoria_causa_desierto"))
    causa_cancelacion: Mapped[Optional[CausaCancelacion]] = mapped_column(enum_column(CausaCancelacion, "ck_convocatoria_causa_cancelacion"))
    sustento_estado: Mapped[Optional[str]] = mapped_column(sa.Text)
    publicada_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)

    entidad: Mapped[Entidad] = relationship()
    version_bases: Mapped[VersionBases] = relationship()
    perfil: Mapped[Optional["PerfilPuesto"]] = relationship(
        back_populates="convocatoria", uselist=False, cascade="all, delete-orphan"
    )
    cronograma: Mapped[list["HitoCronograma"]] = relationship(
        back_populates="convocatoria", cascade="all, delete-orphan", order_by="HitoCronograma.inicio"
    )
    comunicados: Mapped[list["Comunicado"]] = relationship(
        back_populates="convocatoria", cascade="all, delete-orphan"
    )
    documentos: Mapped[list["DocumentoConvocatoria"]] = relationship(
        back_populates="convocatoria", cascade="all, delete-orphan"
    )

    @property
    def es_publica(self) -> bool:
        """Visible on the public portal (E1): everything but a draft."""
        return self.estado is not EstadoConvocatoria.borrador

    def __str__(self) -> str:
        return f"{self.codigo} – {self.nombre_puesto}"


class PerfilPuesto(TimestampMixin, Model):
    """The position profile (B2)."""

    __tablename__ = "perfil_puesto"
    __table_args__ = (
        sa.CheckConstraint(
            "experiencia_general_meses >= 0 AND experiencia_especifica_meses >= 0",
            name="ck_perfil_experiencia",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convocatoria_id: Mapped[int] = mapped_column(
        sa.ForeignKey("convocatoria.id", ondelete="CASCADE"), unique=True
    )
    nivel_academico: Mapped[NivelAcademico] = mapped_column(enum_column(NivelAcademico, "ck_perfil_puesto_nivel_academico"))
    carreras: Mapped[Optional[str]] = mapped_column(sa.Text)
    acepta_afines: Mapped[bool] = mapped_column(default=False)
    #: With «afines»: the careers the evaluator accepts as related, comma-separated as ``carreras`` (§4.2.1 g).
    carreras_afines: Mapped[Optional[str]] = mapped_column(sa.Text)
    requiere_colegiatura: Mapped[bool] = mapped_column(default=False)
    requiere_habilitacion: Mapped[bool] = mapped_column(default=False)
    experiencia_general_meses: Mapped[int] = mapped_column(default=0)
    experiencia_especifica_meses: Mapped[int] = mapped_column(default=0)
    experiencia_especifica_detalle: Mapped[Optional[str]] = mapped_column(sa.Text)
    #: None when the profile asks no public-sector experience (§4.2.4 Observación).
    experiencia_publica_meses: Mapped[Optional[int]]
    funciones: Mapped[str] = mapped_column(sa.Text)
    requiere_deportista: Mapped[bool] = mapped_column(default=False)

    convocatoria: Mapped[Convocatoria] = relationship(back_populates="perfil")
    capacitaciones: Mapped[list["RequisitoCapacitacion"]] = relationship(
        back_populates="perfil", cascade="all, delete-orphan"
    )
    conocimientos: Mapped[list["RequisitoConocimiento"]] = relationship(
        back_populates="perfil", cascade="all, delete-orphan"
    )
    otros: Mapped[list["RequisitoOtro"]] = relationship(back_populates="perfil", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"Perfil de {self.convocatoria.codigo}" if self.convocatoria else "Perfil"

    @property
    def lista_carreras(self) -> list[str]:
        return separar(self.carreras, ",")

    @property
    def lista_carreras_afines(self) -> list[str]:
        return separar(self.carreras_afines, ",")


#: What separates the topics of ``RequisitoCapacitacion.temas_afines`` (a topic may hold a comma).
SEPARADOR_TEMAS = ";"


def separar(texto: str | None, separador: str) -> list[str]:
    """A stored list (``carreras``, ``carreras_afines``, ``temas_afines``) as its non-blank items."""
    return [x.strip() for x in (texto or "").split(separador) if x.strip()]


def juntar(items: Iterable[str], separador: str) -> str | None:
    """The items, trimmed and without blanks, as the profile stores a list (:func:`separar` reads it back);
    ``None`` for none."""
    return f"{separador} ".join(x.strip() for x in items if x.strip()) or None


class RequisitoCapacitacion(Model):
    """A course, specialization programme or diplomado the profile asks for (B2, §4.2.1 i–m)."""

    __tablename__ = "requisito_capacitacion"
    __table_args__ = (sa.CheckConstraint("horas_minimas >= 0", name="ck_req_cap_horas"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    perfil_id: Mapped[int] = mapped_column(sa.ForeignKey("perfil_puesto.id", ondelete="CASCADE"), index=True)
    tipo: Mapped[TipoCapacitacion] = mapped_column(enum_column(TipoCapacitacion, "ck_requisito_capacitacion_tipo"))
    tema: Mapped[str] = mapped_column(sa.String(300))
    horas_minimas: Mapped[int] = mapped_column(default=0)
    acepta_afines: Mapped[bool] = mapped_column(default=False)
    #: With «afines»: the other topics the evaluator accepts as similar, separated by «;» (a topic may hold
    #: a comma), §4.2.1 m.
    temas_afines: Mapped[Optional[str]] = mapped_column(sa.Text)

    perfil: Mapped[PerfilPuesto] = relationship(back_populates="capacitaciones")

    def __str__(self) -> str:
        return f"{self.tipo}: {self.tema} ({self.horas_minimas} h)"

    @property
    def lista_temas_afines(self) -> list[str]:
        return separar(self.temas_afines, SEPARADOR_TEMAS)


class RequisitoConocimiento(Model):
    """Office software or a language with the level required (B2, §4.2.1 n)."""

    __tablename__ = "requisito_conocimiento"

    id: Mapped[int] = mapped_column(primary_key=True)
    perfil_id: Mapped[int] = mapped_column(sa.ForeignKey("perfil_puesto.id", ondelete="CASCADE"), index=True)
    tipo: Mapped[TipoConocimiento] = mapped_column(enum_column(TipoConocimiento, "ck_requisito_conocimiento_tipo"))
    nombre: Mapped[str] = mapped_column(sa.String(100))
    nivel: Mapped[NivelConocimiento] = mapped_column(enum_column(NivelConocimiento, "ck_requisito_conocimiento_nivel"))

    perfil: Mapped[PerfilPuesto] = relationship(back_populates="conocimientos")

    def __str__(self) -> str:
        return f"{self.nombre} ({self.nivel})"


class RequisitoOtro(Model):
    """Other requirements: OSCE certification, driving licence… (B2, §4.2.1 "Otros requisitos")."""

    __tablename__ = "requisito_otro"

    id: Mapped[int] = mapped_column(primary_key=True)
    perfil_id: Mapped[int] = mapped_column(sa.ForeignKey("perfil_puesto.id", ondelete="CASCADE"), index=True)
    descripcion: Mapped[str] = mapped_column(sa.String(300))

    perfil: Mapped[PerfilPuesto] = relationship(back_populates="otros")

    def __str__(self) -> str:
        return self.descripcion


class HitoCronograma(TimestampMixin, Model):
    """One line of the schedule (B3): a stage with its Lima time window."""

    __tablename__ = "hito_cronograma"
    __table_args__ = (
        sa.UniqueConstraint("convocatoria_id", "tipo", name="uq_hito_convocatoria_tipo"),
        sa.CheckConstraint("fin >= inicio", name="ck_hito_ventana"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convocatoria_id: Mapped[int] = mapped_column(
        sa.ForeignKey("convocatoria.id", ondelete="CASCADE"), index=True
    )
    tipo: Mapped[TipoHito] = mapped_column(enum_column(TipoHito, "ck_hito_cronograma_tipo"))
    inicio: Mapped[dt.datetime] = mapped_column(LimaDateTime)
    fin: Mapped[dt.datetime] = mapped_column(LimaDateTime)
    responsable: Mapped[Optional[str]] = mapped_column(sa.String(200))

    convocatoria: Mapped[Convocatoria] = relationship(back_populates="cronograma")

    def __str__(self) -> str:
        return str(self.tipo)


class Comunicado(TimestampMixin, Model):
    """An announcement attached to a call, public once published (B5)."""

    __tablename__ = "comunicado"

    id: Mapped[int] = mapped_column(primary_key=True)
    convocatoria_id: Mapped[int] = mapped_column(
        sa.ForeignKey("convocatoria.id", ondelete="CASCADE"), index=True
    )
    titulo: Mapped[str] = mapped_column(sa.String(300))
    contenido: Mapped[str] = mapped_column(sa.Text)
    publicado: Mapped[bool] = mapped_column(default=False)
    publicado_en: Mapped[Optional[dt.datetime]] = mapped_column(LimaDateTime)
    archivo_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("archivo.id", ondelete="SET NULL"))

    convocatoria: Mapped[Convocatoria] = relationship(back_populates="comunicados")

    def __str__(self) -> str:
        return self.titulo


class DocumentoConvocatoria(TimestampMixin, Model):
    """A downloadable document of a call or of a bases version (B6)."""

    __tablename__ = "documento_convocatoria"
    __table_args__ = (
        sa.CheckConstraint(
            "convocatoria_id IS NOT NULL OR version_bases_id IS NOT NULL",
            name="ck_documento_convocatoria_duenio",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convocatoria_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("convocatoria.id", ondelete="CASCADE"), index=True
    )
    version_bases_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("version_bases.id", ondelete="CASCADE"), index=True
    )
    tipo: Mapped[TipoDocumentoConvocatoria] = mapped_column(enum_column(TipoDocumentoConvocatoria, "ck_documento_convocatoria_tipo"))
    titulo: Mapped[str] = mapped_column(sa.String(300))
    archivo_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("archivo.id", ondelete="RESTRICT"))
    publicado: Mapped[bool] = mapped_column(default=True)

    convocatoria: Mapped[Optional[Convocatoria]] = relationship(back_populates="documentos")
    version_bases: Mapped[Optional[VersionBases]] = relationship()
    archivo: Mapped[Optional["Archivo"]] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return self.titulo
