"""Shared by tests/test_panel.py, test_auditoria_screen.py and test_plugins_screen.py: a bare call of a
demo institution (no applications), under a number of the calling module's own range."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from casadmin import models as m
from casadmin.models.enums import EstadoConvocatoria


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
