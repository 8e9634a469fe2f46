"""Storing a stage's results costs less (issue 3, item 11)

* ``ix_resultado_convocatoria_etapa`` (convocatoria_id, etapa) goes: every query it served is served
  by ``ix_resultado_convocatoria_etapa_resultado``, which starts with the same two columns, and each
  of the 150,000 rows a large call's Ficha stage writes no longer updates a sixth index.
* PostgreSQL: the reasons (``resultado_etapa.motivos``, about 3.4 KB of JSON per Ficha result) are
  compressed with LZ4 instead of pglz when the server has it (PostgreSQL 14 or later built with
  lz4). Rows already stored stay as they are; PostgreSQL reads both.

Revision ID: d9e3a1f5b2c4
Revises: c7d2e4f8a1b3
Create Date: 2026-12-05 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd9e3a1f5b2c4'
down_revision = 'c7d2e4f8a1b3'
branch_labels = None
depends_on = None


def _lz4(bind) -> bool:
    return bind.dialect.name == "postgresql" and bool(bind.execute(sa.text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")).scalar())


def upgrade():
    with op.batch_alter_table('resultado_etapa', schema=None) as batch_op:
        batch_op.drop_index('ix_resultado_convocatoria_etapa')
    if _lz4(op.get_bind()):
        op.execute("ALTER TABLE resultado_etapa ALTER COLUMN motivos SET COMPRESSION lz4")


def downgrade():
    if _lz4(op.get_bind()):
        op.execute("ALTER TABLE resultado_etapa ALTER COLUMN motivos SET COMPRESSION DEFAULT")
    with op.batch_alter_table('resultado_etapa', schema=None) as batch_op:
        batch_op.create_index('ix_resultado_convocatoria_etapa', ['convocatoria_id', 'etapa'], unique=False)
