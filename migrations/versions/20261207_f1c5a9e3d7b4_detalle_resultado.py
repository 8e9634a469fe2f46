"""A stage result keeps what its plugin adds to the score (``detalle``: points per factor, the interview's average)

``simulate --json`` wrote each result's ``detalle`` (the curricular stage's points per factor, §4.2.4; the
interview's average and Ley 31533 bonus, §4.2.5 g, h); the database kept only the score and the reasons, so
an export left it out. Results evaluated before this migration have none until evaluated again.

Revision ID: f1c5a9e3d7b4
Revises: e4a9c1d7b5f2
Create Date: 2026-12-07 19:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f1c5a9e3d7b4'
down_revision = 'e4a9c1d7b5f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resultado_etapa', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detalle', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('resultado_etapa', schema=None) as batch_op:
        batch_op.drop_column('detalle')
