"""A stage result with no ``detalle`` holds SQL NULL, whatever wrote it

The PostgreSQL ``COPY`` of ``casadmin evaluate`` wrote an empty ``detalle`` as SQL NULL, the other paths
(the stage screens, an import, the portable bulk path) as JSON ``null``; both read back as none. The
column now writes SQL NULL everywhere (``sa.JSON(none_as_null=True)``), and this makes the rows written
before say the same.

Revision ID: a3b7d1e9c5f4
Revises: f1c5a9e3d7b4
Create Date: 2026-12-07 22:15:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a3b7d1e9c5f4'
down_revision = 'f1c5a9e3d7b4'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE resultado_etapa SET detalle = NULL WHERE CAST(detalle AS TEXT) = 'null'")


def downgrade():
    pass  # SQL NULL and JSON null read the same: nothing to undo
