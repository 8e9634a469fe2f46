"""The final result keeps the reasons for the candidate's place (D8)

``resultado_final.motivos``: how a tie on the final score was broken for this candidate (§4.2.6
a–c), or that it is still open for the committee, as a list of reasons in the format of
``resultado_etapa.motivos``. Rows already stored get an empty list; calculating the final
result again fills it.

Revision ID: a4c8e2f6b1d3
Revises: f3b8d2a6c1e4
Create Date: 2026-12-06 19:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4c8e2f6b1d3'
down_revision = 'f3b8d2a6c1e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("resultado_final") as batch_op:
        batch_op.add_column(sa.Column("motivos", sa.JSON(), nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("resultado_final") as batch_op:
        batch_op.drop_column("motivos")
