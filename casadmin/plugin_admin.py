"""Plugin administration (A4): what is installed, and which bases versions each institution may use.

Reads the same registry as ``casadmin plugins`` (:func:`casadmin.plugins.info` and
:func:`casadmin.plugins.bases_versions`) and the institutions' ``VersionBases`` rows. Enabling or
disabling a version for an institution only decides whether *new* calls may choose it: a call
already pinned to a version keeps it and goes on being evaluated with it (F3). Every change is
audited (A5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pluggy
import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import audit, scoping
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.engine.bases import BasesVersion
from casadmin.models.enums import EstadoConvocatoria


class CambioRechazado(ValueError):
    """A change of a bases version that cannot be made; the message says why (Spanish)."""


@dataclass(frozen=True)
class ValorParametro:
    desde: dt.date
    valor: str


@dataclass(frozen=True)
class ParametroVista:
    """One legal parameter of a bases version: what it is, the clause it comes from, its dated values."""

    nombre: str
    descripcion: str
    referencia: str
    unidad: str
    valores: list[ValorParametro]


@dataclass(frozen=True)
class VersionInstalada:
    bases: BasesVersion
    parametros: list[ParametroVista]


@dataclass(frozen=True)
class VersionEntidad:
    """An institution's bases version row, with the calls pinned to it."""

    version: m.VersionBases
    instalada: bool
    convocatorias: int


def formato(valor: Any) -> str:
    """A parameter value as people read it (decimals exact, lists joined, booleans in Spanish)."""
    if isinstance(valor, bool):
        return "sí" if valor else "no"
    if isinstance(valor, Decimal):
        return format(valor.normalize(), "f") if valor == valor.to_integral_value() else str(valor)
    if isinstance(valor, (list, tuple)):
        return ", ".join(formato(v) for v in valor)
    if isinstance(valor, dict):
        return "; ".join(f"{k}: {formato(v)}" for k, v in valor.items())
    return str(valor)


def instalados(pm: pluggy.PluginManager | None = None) -> list[pl.InfoPlugin]:
    """Installed plugins: name, package, version, hooks, bases versions (what ``casadmin plugins`` prints)."""
    return pl.info(pm or pl.get_plugin_manager())


def versiones_instaladas(pm: pluggy.PluginManager | None = None) -> list[VersionInstalada]:
    """Every bases version an installed plugin declares, with its parameters and their clauses."""
    out = []
    for b in sorted(pl.bases_versions(pm or pl.get_plugin_manager()).values(), key=lambda b: b.id):
        params = [ParametroVista(nombre=p.nombre, descripcion=p.descripcion, referencia=p.referencia, unidad=p.unidad,
                                 valores=[ValorParametro(desde=f, valor=formato(v)) for f, v in zip(p.fechas, p.valores)])
                  for p in sorted(b.parametros.items.values(), key=lambda p: p.nombre)]
        out.append(VersionInstalada(bases=b, parametros=params))
    return out


def versiones_entidades(session: Session, pm: pluggy.PluginManager | None = None,
                        viewer: scoping.Viewer | None = None) -> list[VersionEntidad]:
    """The institutions' bases version rows the viewer may see, each with how many calls are pinned to it."""
    instaladas = set(pl.bases_versions(pm or pl.get_plugin_manager()))
    fijadas = dict(session.execute(
        sa.select(m.Convocatoria.version_bases_id, sa.func.count()).group_by(m.Convocatoria.version_bases_id)).all())
    filas = session.scalars(
        sa.select(m.VersionBases).join(m.Entidad).where(scoping.condition(m.VersionBases, viewer))
        .order_by(m.Entidad.siglas, m.VersionBases.codigo)).all()
    return [VersionEntidad(version=v, instalada=v.codigo in instaladas, convocatorias=fijadas.get(v.id, 0)) for v in filas]


def _quien(usuario: m.Usuario | None) -> dict[str, Any]:
    return {"usuario_id": usuario.id if usuario else None, "usuario": usuario.username if usuario else None}


def cambiar_estado(session: Session, version: m.VersionBases, activa: bool, *, usuario: m.Usuario | None = None,
                   motivo: str | None = None) -> int:
    """Enable or disable one institution's bases version (A4), audited; returns the calls pinned to it.

    F3: the pinned calls are not touched; they keep the version and its rules. Commits.
    """
    if version.activa == activa:
        raise CambioRechazado(f"La versión «{version.codigo}» ya está {'habilitada' if activa else 'deshabilitada'} "
                              f"para {version.entidad.siglas}.")
    antes = version.activa
    version.activa = activa
    fijadas = session.scalar(sa.select(sa.func.count()).select_from(m.Convocatoria)
                             .where(m.Convocatoria.version_bases_id == version.id)) or 0
    audit.record(session, accion="habilitar_version_bases" if activa else "deshabilitar_version_bases", objeto=version,
                 antes={"activa": antes}, despues={"activa": activa, "convocatorias_fijadas": fijadas},
                 motivo=(motivo or "").strip() or None, entidad_id=version.entidad_id, **_quien(usuario))
    session.commit()
    return fijadas


def habilitar_instalada(session: Session, entidad: m.Entidad, bases_id: str, *, usuario: m.Usuario | None = None,
                        motivo: str | None = None, pm: pluggy.PluginManager | None = None) -> m.VersionBases:
    """Give an institution an installed bases version it does not have yet (A4, F2), audited. Commits."""
    try:
        b = pl.get_bases(pm or pl.get_plugin_manager(), bases_id)
    except pl.BasesDesconocida as exc:
        raise CambioRechazado(str(exc)) from None
    existente = session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == entidad.id,
                                                               m.VersionBases.codigo == b.id))
    if existente is not None:
        raise CambioRechazado(f"{entidad.siglas} ya tiene la versión «{b.id}»: habilítela o deshabilítela en su fila.")
    version = m.VersionBases(entidad_id=entidad.id, codigo=b.id, nombre=b.nombre[:200], vigente_desde=b.vigente_desde,
                             plugin=b.proveedor, plugin_version=b.version or "-", parametros={}, activa=True)
    session.add(version)
    session.flush()
    audit.record(session, accion="habilitar_version_bases", objeto=version, antes=None,
                 despues={"codigo": b.id, "activa": True, "plugin": f"{b.proveedor}=={b.version}"},
                 motivo=(motivo or "").strip() or None, entidad_id=entidad.id, **_quien(usuario))
    session.commit()
    return version


def version_cambiada_tras_borrador(convocatoria: m.Convocatoria) -> bool:
    """Whether this edit switches the bases version of a call that is no longer a draft (its stored state):
    a call is pinned to the version it was published with (F3), so that its stages are evaluated with the
    rules the applicants were called under; a call still in borrador may change it."""
    estado = sa.inspect(convocatoria)
    if estado.transient or estado.pending or estado.session is None:
        return False
    with estado.session.no_autoflush:  # as stored now, before this edit is flushed
        guardada = estado.session.execute(sa.select(m.Convocatoria.version_bases_id, m.Convocatoria.estado)
                                          .where(m.Convocatoria.id == convocatoria.id)).one_or_none()
    nueva = convocatoria.version_bases.id if convocatoria.version_bases is not None else convocatoria.version_bases_id
    return guardada is not None and guardada.estado is not EstadoConvocatoria.borrador \
        and guardada.version_bases_id != nueva


def version_elegible(convocatoria: m.Convocatoria) -> bool:
    """Whether the call's bases version may be used: a disabled version cannot be chosen for a new call
    or switched to, but a call already pinned to it keeps it (F3)."""
    version = convocatoria.version_bases
    if version is None or version.activa:
        return True
    estado = sa.inspect(convocatoria)
    if estado.transient or estado.pending or estado.session is None:
        return False
    with estado.session.no_autoflush:  # the version stored now, before this edit is flushed
        guardada = estado.session.scalar(sa.select(m.Convocatoria.version_bases_id)
                                         .where(m.Convocatoria.id == convocatoria.id))
    return guardada == version.id
