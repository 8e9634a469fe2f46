"""The demo loader is idempotent and gives every role something to work with."""

from __future__ import annotations

import sqlalchemy as sa

from casadmin import models as m
from casadmin.demo import load_demo

COUNTED = (m.Entidad, m.Convocatoria, m.Postulante, m.Postulacion, m.ResultadoEtapa, m.HitoCronograma,
           m.MiembroComite, m.HojaEntrevista, m.Usuario, m.ExperienciaLaboral, m.Capacitacion)


def _counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in COUNTED}


def test_running_the_demo_again_changes_nothing(db):
    before = _counts(db)
    load_demo()
    db.session.expire_all()
    assert _counts(db) == before


def test_demo_has_two_institutions_with_a_published_call_each(db):
    rows = db.session.execute(
        sa.select(m.Entidad.siglas, sa.func.count(m.Convocatoria.id))
        .join(m.Convocatoria, m.Convocatoria.entidad_id == m.Entidad.id)
        .where(m.Convocatoria.codigo.in_(["CAS N° 140-2026-SUNEDU", "CAS N° 027-2026-MIGRACIONES"]))
        .group_by(m.Entidad.siglas)
    ).all()
    assert dict(rows) == {"SUNEDU": 1, "MIGRACIONES": 1}


def test_demo_applicants_have_complete_fichas_and_frozen_snapshots(db):
    from casadmin.ficha import digest

    assert db.session.scalar(sa.select(sa.func.count(m.Postulante.id))) >= 30
    for app in db.session.scalars(sa.select(m.Postulacion).limit(10)):
        assert app.ficha_sha256 == digest(app.ficha)
        assert app.ficha["formacion_academica"] and app.ficha["experiencia_laboral"]
    stages = set(db.session.scalars(sa.select(m.ResultadoEtapa.etapa).distinct()))
    assert len(stages) >= 2  # applicants at different stages
