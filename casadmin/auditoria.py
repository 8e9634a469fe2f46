"""Browsing the audit trail (A5): by call, by candidate, by user and by date, a page at a time.

Read-only by design: this module only selects. Records are written by :func:`casadmin.audit.record`
and the ORM refuses to change or delete them (:func:`casadmin.audit.install`).

Pages use keyset pagination on the record id (newest first: ``WHERE id < :antes ORDER BY id DESC
LIMIT n``): each page is one index range, whatever its depth, and no ``COUNT`` over the trail is
needed. What a user may see is :func:`casadmin.scoping.condition` for ``RegistroAuditoria``: the
administrator everything, ORH the records of their own institution.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import audit, scoping
from casadmin import models as m

TAMANO_PAGINA = 50


@dataclass(frozen=True)
class Filtros:
    """What the user asked for; every field is optional and they add up (AND)."""

    convocatoria_id: int | None = None
    #: The candidate: their document number (DNI, CE…) or one application's id.
    documento: str | None = None
    postulacion_id: int | None = None
    usuario: str | None = None
    desde: dt.date | None = None
    hasta: dt.date | None = None


@dataclass(frozen=True)
class Pagina:
    registros: list[m.RegistroAuditoria]
    #: The id to ask the next (older) page with, or None on the last page.
    siguiente: int | None


def buscar(session: Session, filtros: Filtros, *, antes: int | None = None, tamano: int = TAMANO_PAGINA,
           viewer: scoping.Viewer | None = None) -> Pagina:
    """One page of the records the viewer may see that match ``filtros``, newest first."""
    t = m.RegistroAuditoria
    stmt = sa.select(t).where(scoping.condition(t, viewer))
    if filtros.convocatoria_id is not None:
        stmt = stmt.where(t.convocatoria_id == filtros.convocatoria_id)
    if filtros.postulacion_id is not None:
        stmt = stmt.where(t.postulacion_id == filtros.postulacion_id)
    if filtros.documento:
        stmt = stmt.where(t.postulacion_id.in_(
            sa.select(m.Postulacion.id).join(m.Postulante, m.Postulante.id == m.Postulacion.postulante_id)
            .where(m.Postulante.numero_documento == filtros.documento.strip().upper())))
    if filtros.usuario:
        stmt = stmt.where(sa.func.lower(t.usuario) == filtros.usuario.strip().lower())
    if filtros.desde is not None:
        stmt = stmt.where(t.momento >= dt.datetime.combine(filtros.desde, dt.time()))
    if filtros.hasta is not None:  # the whole day, Lima time (timestamps are stored as naive Lima time)
        stmt = stmt.where(t.momento < dt.datetime.combine(filtros.hasta + dt.timedelta(days=1), dt.time()))
    if antes is not None:
        stmt = stmt.where(t.id < antes)
    filas = list(session.scalars(stmt.order_by(t.id.desc()).limit(tamano + 1)))
    siguiente = filas[tamano - 1].id if len(filas) > tamano else None
    return Pagina(registros=filas[:tamano], siguiente=siguiente)


def convocatorias(session: Session, viewer: scoping.Viewer | None = None) -> list[m.Convocatoria]:
    """The calls the viewer may filter by (the same scope as the calls themselves)."""
    return scoping.convocatorias(session, viewer)


@dataclass(frozen=True)
class ResultadoVerificacion:
    """:func:`casadmin.audit.verificar` as shown to one viewer."""

    registros: int
    problemas: list[str]
    #: Problems in records the viewer may not see (another institution's): counted, not described.
    ajenos: int

    @property
    def intacta(self) -> bool:
        return not self.problemas and not self.ajenos


def verificar(session: Session, viewer: scoping.Viewer | None = None) -> ResultadoVerificacion:
    """Check the whole hash chain (A5); describe only the problems in records the viewer may see.

    The chain links every institution's records, so it is always checked whole; an ORH user is
    told that another institution's records are broken, not what they hold.
    """
    v = audit.verificar(session)
    if not v.problemas:
        return ResultadoVerificacion(registros=v.registros, problemas=[], ajenos=0)
    ids = {int(x) for p in v.problemas if (x := _id_de(p)) is not None}
    t = m.RegistroAuditoria
    visibles = set(session.scalars(sa.select(t.id).where(t.id.in_(ids), scoping.condition(t, viewer)))) if ids else set()
    propios = [p for p in v.problemas if (i := _id_de(p)) is not None and int(i) in visibles]
    return ResultadoVerificacion(registros=v.registros, problemas=propios, ajenos=len(v.problemas) - len(propios))


def _id_de(problema: str) -> str | None:
    found = re.search(r"registro (\d+)", problema)
    return found.group(1) if found else None
