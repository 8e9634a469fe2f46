"""STYLE §11: the migrations build exactly the schema the models describe, on this backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model

import casadmin.models  # noqa: F401  (registers every table)
from casadmin.extensions import db as _db


def test_models_and_migrations_agree(app):
    with app.app_context():
        with _db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Model.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_every_model_table_exists(app):
    import sqlalchemy as sa

    with app.app_context():
        tables = set(sa.inspect(_db.engine).get_table_names())
    assert set(Model.metadata.tables) <= tables
    assert {"ab_user", "ab_role", "convocatoria", "postulacion", "registro_auditoria"} <= tables


def test_migration_files_are_date_prefixed():
    from pathlib import Path
    import re

    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    files = [p.name for p in versions.glob("*.py")]
    assert files and all(re.match(r"^\d{8}_[0-9a-f]+_\w+\.py$", f) for f in files), files
