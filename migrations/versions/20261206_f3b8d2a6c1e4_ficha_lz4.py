"""Reading the frozen Fichas costs less (issue 3, item 11)

PostgreSQL: the frozen Ficha (``postulacion.ficha``, about 4 KB of JSON per application) is
compressed with LZ4 instead of pglz when the server has it (PostgreSQL 14 or later built with lz4),
as the stage results' reasons are since d9e3a1f5b2c4. Every evaluation reads the Fichas of its
stage: decompressing 150,000 took 0.35 s on the server against 0.65 s with pglz
(docs/performance.md). Rows already stored stay as they are; PostgreSQL reads both.

Revision ID: f3b8d2a6c1e4
Revises: e5a7c3d1f9b2
Create Date: 2026-12-06 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3b8d2a6c1e4'
down_revision = 'e5a7c3d1f9b2'
branch_labels = None
depends_on = None


def _lz4(bind) -> bool:
    return bind.dialect.name == "postgresql" and bool(bind.execute(sa.text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")).scalar())


def upgrade():
    if _lz4(op.get_bind()):
        op.execute("ALTER TABLE postulacion ALTER COLUMN ficha SET COMPRESSION lz4")


def downgrade():
    if _lz4(op.get_bind()):
        op.execute("ALTER TABLE postulacion ALTER COLUMN ficha SET COMPRESSION DEFAULT")
