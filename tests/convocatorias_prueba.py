"""Shared by several test modules: a bare call of a demo institution (no applications), under a number
of the calling module's own range, and the same call open for applications right now."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from casadmin import models as m
from casadmin.models.enums import EstadoConvocatoria, TipoHito
from casadmin.peru.clock import now


def nueva_convocatoria(db, siglas: str, numero: int, nombre_puesto: str, *, version: m.VersionBases | None = None,
                 estado: EstadoConvocatoria = EstadoConvocatoria.evaluacion) -> m.Convocatoria:
    """A call of the institution ``siglas`` numbered ``numero``/2026, on ``version`` (default: the
    institution's first bases version); flushed, not committed."""
    ent = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == siglas))
    if version is None:
        version = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id)
                                    .order_by(m.VersionBases.id))
    conv = m.Convocatoria(entidad_id=ent.id, version_bases_id=version.id, numero=numero, anio=2026,
                          codigo=f"CAS N° {numero}-2026-{siglas}", nombre_puesto=nombre_puesto, organo="OTI",
                          remuneracion=Decimal(6000), lugar="Lima", duracion_contrato="3 meses", estado=estado)
    db.session.add(conv)
    db.session.flush()
    return conv


def abierta_ahora(db, siglas: str, numero: int, nombre_puesto: str = "Analista") -> m.Convocatoria:
    """A call of ``siglas`` open for applications now: its window from two hours ago to two hours
    ahead (Lima clock); committed."""
    conv = nueva_convocatoria(db, siglas, numero, nombre_puesto, estado=EstadoConvocatoria.postulacion)
    db.session.add(m.HitoCronograma(convocatoria_id=conv.id, tipo=TipoHito.postulacion,
                                    inicio=now() - dt.timedelta(hours=2), fin=now() + dt.timedelta(hours=2)))
    db.session.commit()
    return conv


def postulante_demo(db, n: int) -> m.Postulante:
    """The ``n``-th demo applicant (by id)."""
    return db.session.scalars(sa.select(m.Postulante).order_by(m.Postulante.id).offset(n).limit(1)).one()


def conteos_postulacion(db) -> tuple[int, int, int]:
    """(applications, file rows, stored objects): what applying may add, read afresh."""
    from casadmin.storage import get_storage

    db.session.expire_all()
    return (db.session.scalar(sa.select(sa.func.count(m.Postulacion.id))),
            db.session.scalar(sa.select(sa.func.count(m.Archivo.id))), len(list(get_storage().keys())))
