"""Institutions, bases versions and which plugins each institution enables (A1, A4, F1–F3)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casadmin.models.base import TimestampMixin


class Entidad(TimestampMixin, Model):
    """A public institution (A1). Its acronym appears in call codes (``CAS N° 140-2026-SUNEDU``)."""

    __tablename__ = "entidad"

    id: Mapped[int] = mapped_column(primary_key=True)
    nombre: Mapped[str] = mapped_column(sa.String(200), unique=True)
    siglas: Mapped[str] = mapped_column(sa.String(20), unique=True)
    ruc: Mapped[Optional[str]] = mapped_column(sa.String(11), unique=True)
    email_contacto: Mapped[str] = mapped_column(sa.String(320))
    portal_url: Mapped[Optional[str]] = mapped_column(sa.String(300))
    logo_archivo_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("archivo.id", ondelete="SET NULL", use_alter=True, name="fk_entidad_logo_archivo_id")
    )
    activa: Mapped[bool] = mapped_column(default=True)

    versiones_bases: Mapped[list["VersionBases"]] = relationship(back_populates="entidad")

    def __str__(self) -> str:
        return self.siglas


class VersionBases(TimestampMixin, Model):
    """A named set of plugins and parameters that calls are pinned to (F3).

    ``codigo`` names the bases version a plugin provides (e.g. ``sunedu-2026``), and ``plugin`` /
    ``plugin_version`` the package and version the call was created with (a later one computes with a
    warning: ``engine_db.aviso_version``). The dated legal parameters with their clauses are data of
    that plugin (``BasesVersion.parametros``, shown in Administración → Plugins); ``parametros`` here
    is kept empty by every path that creates a row, and nothing reads it.
    """

    __tablename__ = "version_bases"
    __table_args__ = (sa.UniqueConstraint("entidad_id", "codigo", name="uq_version_bases_entidad_codigo"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entidad_id: Mapped[int] = mapped_column(sa.ForeignKey("entidad.id", ondelete="RESTRICT"), index=True)
    codigo: Mapped[str] = mapped_column(sa.String(60))
    nombre: Mapped[str] = mapped_column(sa.String(200))
    vigente_desde: Mapped[dt.date]
    plugin: Mapped[str] = mapped_column(sa.String(100))
    plugin_version: Mapped[str] = mapped_column(sa.String(40))
    parametros: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    activa: Mapped[bool] = mapped_column(default=True)

    entidad: Mapped[Entidad] = relationship(back_populates="versiones_bases")

    def __str__(self) -> str:
        return f"{self.nombre} ({self.codigo})"


class PluginEntidad(TimestampMixin, Model):
    """Whether an installed rule plugin is enabled for an institution: read by nothing, and no longer on any
    screen (its «Plugins por entidad» screen enabled nothing). What an institution may use is the bases
    versions enabled for it on the plugin screen (A4, ``VersionBases.activa``). Kept, with its rows, so that
    no migration drops what an administrator recorded."""

    __tablename__ = "plugin_entidad"
    __table_args__ = (sa.UniqueConstraint("entidad_id", "plugin", name="uq_plugin_entidad"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entidad_id: Mapped[int] = mapped_column(sa.ForeignKey("entidad.id", ondelete="CASCADE"), index=True)
    plugin: Mapped[str] = mapped_column(sa.String(100))
    habilitado: Mapped[bool] = mapped_column(default=True)

    entidad: Mapped[Entidad] = relationship()

    def __str__(self) -> str:
        return self.plugin
