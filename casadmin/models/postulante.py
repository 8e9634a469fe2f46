"""The applicant and the ten sections of the Ficha de Postulante (C1, C2, §4.1 "Ficha de Postulante").

Sections 1 (datos personales), 9 (información adicional) and 10 (firma) live on
:class:`Postulante`; sections 2–8 are repeatable rows, each its own table.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casadmin.models.base import TimestampMixin, enum_column
from casadmin.models.enums import (
    CondicionFormacion,
    EstadoCivil,
    NivelConocimiento,
    NivelFormacion,
    ProgramaOfimatica,
    Sector,
    Sexo,
    TipoCapacitacion,
    TipoDocumento,
    TipoExperiencia,
)
from casadmin.models.usuario import Usuario


class Postulante(TimestampMixin, Model):
    """An applicant's account data and Ficha sections 1, 9 and 10 (C1, C2)."""

    __tablename__ = "postulante"
    __table_args__ = (
        sa.UniqueConstraint("tipo_documento", "numero_documento", name="uq_postulante_documento"),
        sa.CheckConstraint(
            "deportista_nivel IS NULL OR (deportista_nivel BETWEEN 1 AND 5)",
            name="ck_postulante_deportista_nivel",
        ),
        # List pages (issue 5): the default order, and "contains" name search as trigram indexes on PostgreSQL.
        sa.Index("ix_postulante_apellidos_orden", "apellido_paterno", "id"),
        *(sa.Index(f"ix_postulante_{c}_trgm", c, postgresql_using="gin", postgresql_ops={c: "gin_trgm_ops"})
          for c in ("apellido_paterno", "apellido_materno", "nombres")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    usuario_id: Mapped[int] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="RESTRICT"), unique=True)
    # 1. Datos personales (Mig. step 2)
    nacionalidad: Mapped[str] = mapped_column(sa.String(60), default="Peruana")
    tipo_documento: Mapped[TipoDocumento] = mapped_column(enum_column(TipoDocumento, "ck_postulante_tipo_documento"))
    numero_documento: Mapped[str] = mapped_column(sa.String(12))
    apellido_paterno: Mapped[str] = mapped_column(sa.String(100))
    apellido_materno: Mapped[Optional[str]] = mapped_column(sa.String(100))
    nombres: Mapped[str] = mapped_column(sa.String(150))
    lugar_nacimiento: Mapped[str] = mapped_column(sa.String(150))
    fecha_nacimiento: Mapped[dt.date]
    sexo: Mapped[Sexo] = mapped_column(enum_column(Sexo, "ck_postulante_sexo"))
    estado_civil: Mapped[EstadoCivil] = mapped_column(enum_column(EstadoCivil, "ck_postulante_estado_civil"))
    ubigeo: Mapped[str] = mapped_column(sa.String(6))
    urbanizacion: Mapped[Optional[str]] = mapped_column(sa.String(150))
    via: Mapped[Optional[str]] = mapped_column(sa.String(60))
    direccion: Mapped[str] = mapped_column(sa.String(300))
    telefono: Mapped[Optional[str]] = mapped_column(sa.String(20))
    celular: Mapped[str] = mapped_column(sa.String(20))
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    # 9. Información adicional (§4.1, §4.3)
    email_alterno: Mapped[Optional[str]] = mapped_column(sa.String(320))
    discapacidad: Mapped[bool] = mapped_column(default=False)
    registro_conadis: Mapped[Optional[str]] = mapped_column(sa.String(40))
    ajustes_razonables: Mapped[Optional[str]] = mapped_column(sa.Text)
    licenciado_ffaa: Mapped[bool] = mapped_column(default=False)
    deportista_nivel: Mapped[Optional[int]]
    # 10. Firma digitalizada (JPG or PNG, 200×150 px)
    firma_archivo_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("archivo.id", ondelete="SET NULL"))

    usuario: Mapped[Usuario] = relationship()
    formaciones: Mapped[list["FormacionAcademica"]] = relationship(
        back_populates="postulante", cascade="all, delete-orphan"
    )
    colegiaturas: Mapped[list["Colegiatura"]] = relationship(
        back_populates="postulante", cascade="all, delete-orphan"
    )
    idiomas: Mapped[list["Idioma"]] = relationship(back_populates="postulante", cascade="all, delete-orphan")
    ofimatica: Mapped[list["Ofimatica"]] = relationship(back_populates="postulante", cascade="all, delete-orphan")
    capacitaciones: Mapped[list["Capacitacion"]] = relationship(
        back_populates="postulante", cascade="all, delete-orphan"
    )
    experiencias: Mapped[list["ExperienciaLaboral"]] = relationship(
        back_populates="postulante", cascade="all, delete-orphan"
    )
    otros_requisitos: Mapped[list["OtroRequisitoDeclarado"]] = relationship(
        back_populates="postulante", cascade="all, delete-orphan"
    )

    @property
    def nombre_completo(self) -> str:
        return " ".join(p for p in (self.nombres, self.apellido_paterno, self.apellido_materno) if p)

    def __str__(self) -> str:
        return f"{self.apellido_paterno} {self.apellido_materno or ''}, {self.nombres}".replace(" ,", ",")


class _SeccionFicha:
    """Columns every repeatable Ficha row has: its owner."""

    id: Mapped[int] = mapped_column(primary_key=True)


class FormacionAcademica(_SeccionFicha, TimestampMixin, Model):
    """2. Formación académica (§4.2.1 e–h, p)."""

    __tablename__ = "formacion_academica"

    postulante_id: Mapped[int] = mapped_column(sa.ForeignKey("postulante.id", ondelete="CASCADE"), index=True)
    nivel: Mapped[NivelFormacion] = mapped_column(enum_column(NivelFormacion, "ck_formacion_academica_nivel"))
    condicion: Mapped[CondicionFormacion] = mapped_column(enum_column(CondicionFormacion, "ck_formacion_academica_condicion"))
    carrera: Mapped[Optional[str]] = mapped_column(sa.String(200))
    anio: Mapped[Optional[int]]
    fecha_egreso: Mapped[Optional[dt.date]]
    fecha_diploma: Mapped[Optional[dt.date]]
    institucion: Mapped[str] = mapped_column(sa.String(200))

    postulante: Mapped[Postulante] = relationship(back_populates="formaciones")

    def __str__(self) -> str:
        return f"{self.nivel} – {self.condicion}: {self.carrera or ''}"


class Colegiatura(_SeccionFicha, TimestampMixin, Model):
    """3. Colegiatura y habilitación."""

    __tablename__ = "colegiatura"

    postulante_id: Mapped[int] = mapped_column(sa.ForeignKey("postulante.id", ondelete="CASCADE"), index=True)
    colegio: Mapped[str] = mapped_column(sa.String(200))
    numero: Mapped[str] = mapped_column(sa.String(30))
    habilitado: Mapped[bool] = mapped_column(default=True)
    habilitado_hasta: Mapped[Optional[dt.date]]

    postulante: Mapped[Postulante] = relationship(back_populates="colegiaturas")

    def __str__(self) -> str:
        return f"{self.colegio} N° {self.numero}"


class Idioma(_SeccionFicha, TimestampMixin, Model):
    """4. Idiomas y dialectos (§4.2.1 n)."""

    __tablename__ = "idioma"

    postulante_id: Mapped[int] = mapped_column(sa.ForeignKey("postulante.id", ondelete="CASCADE"), index=True)
    idioma: Mapped[str] = mapped_column(sa.String(60))
    nivel: Mapped[NivelConocimiento] = mapped_column(enum_column(NivelConocimiento, "ck_idioma_nivel"))

    postulante: Mapped[Postulante] = relationship(back_populates="idiomas")

    def __str__(self) -> str:
        return f"{self.idioma} ({self.nivel})"


class Ofimatica(_SeccionFicha, TimestampMixin, Model):
    """5. Ofimática (§4.2.1 n)."""

    __tablename__ = "ofimatica"
    __table_args__ = (sa.UniqueConstraint("postulante_id", "programa", name="uq_ofimatica_programa"),)

    postulante_id: Mapped[int] = mapped_column(sa.ForeignKey("postulante.id", ondelete="CASCADE"), index=True)
    programa: Mapped[ProgramaOfimatica] = mapped_column(enum_column(ProgramaOfimatica, "ck_ofimatica_programa"))
    nivel: Mapped[NivelConocimiento] = mapped_column(enum_column(NivelConocimiento, "ck_ofimatica_nivel"))

    postulante: Mapped[Postulante] = relationship(back_populates="ofimatica")

    def __str__(self) -> str:
        return f"{self.programa} ({self.nivel})"


class Capacitacion(_SeccionFicha, TimestampMixin, Model):
    """6. Cursos, programas de especialización y diplomados (§4.2.1 i–m)."""

    __tablename__ = "capacitacion"
    __table_args__ = (
        sa.CheckConstraint("horas >= 0", name="ck_capacitacion_horas"),
        sa.CheckConstraint("creditos IS NULL OR creditos >= 0", name="ck_capacitacion_creditos"),
        sa.CheckConstraint("fecha_inicio IS NULL OR fecha_fin >= fecha_inicio", name="ck_capacitacion_periodo"),
    )

    postulante_id: Mapped[int] = mapped_column(sa.ForeignKey("postulante.id", ondelete="CASCADE"), index=True)
    tipo: Mapped[TipoCapacitacion] = mapped_column(enum_column(TipoCapacitacion, "ck_capacitacion_tipo"))
    tema: Mapped[str] = mapped_column(sa.String(300))
    horas: Mapped[Decimal] = mapped_column(sa.Numeric(7, 1))
    creditos: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(5, 1))
    institucion: Mapped[str] = mapped_column(sa.String(200))
    fecha_inicio: Mapped[Optional[dt.date]]
    fecha_fin: Mapped[dt.date]
    ente_rector: Mapped[bool] = mapped_column(default=False)

    postulante: Mapped[Postulante] = relationship(back_populates="capacitaciones")

    def __str__(self) -> str:
        return f"{self.tipo}: {self.tema} ({self.horas} h)"


class ExperienciaLaboral(_SeccionFicha, TimestampMixin, Model):
    """7. Experiencia laboral (§4.2.1 p–z)."""

    __tablename__ = "experiencia_laboral"
    __table_args__ = (
        sa.CheckConstraint("fecha_fin IS NULL OR fecha_fin >= fecha_inicio", name="ck_experiencia_periodo"),
    )

    postulante_id: Mapped[int] = mapped_column(sa.ForeignKey("postulante.id", ondelete="CASCADE"), index=True)
    empleador: Mapped[str] = mapped_column(sa.String(200))
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "ck_experiencia_laboral_sector"))
    puesto: Mapped[str] = mapped_column(sa.String(200))
    funciones: Mapped[str] = mapped_column(sa.Text)
    tipo: Mapped[TipoExperiencia] = mapped_column(enum_column(TipoExperiencia, "ck_experiencia_laboral_tipo"), default=TipoExperiencia.empleo)
    fecha_inicio: Mapped[dt.date]
    #: None with ``actual`` set: a current job counts until the application date (§4.2.1 z).
    fecha_fin: Mapped[Optional[dt.date]]
    actual: Mapped[bool] = mapped_column(default=False)

    postulante: Mapped[Postulante] = relationship(back_populates="experiencias")

    def __str__(self) -> str:
        return f"{self.puesto} – {self.empleador}"


class OtroRequisitoDeclarado(_SeccionFicha, TimestampMixin, Model):
    """8. Otros requisitos solicitados (OSCE certification, driving licence…)."""

    __tablename__ = "otro_requisito_declarado"

    postulante_id: Mapped[int] = mapped_column(sa.ForeignKey("postulante.id", ondelete="CASCADE"), index=True)
    descripcion: Mapped[str] = mapped_column(sa.String(300))
    detalle: Mapped[Optional[str]] = mapped_column(sa.Text)

    postulante: Mapped[Postulante] = relationship(back_populates="otros_requisitos")

    def __str__(self) -> str:
        return self.descripcion
