"""resultado_final.empate_comite and bonificacion.concepto (D7, D8)

A final result whose tie survives the bases' criteria is marked for the committee's
decision (§4.2.6 c); a bonus keeps the concept the rule plugin named (§4.3).

Revision ID: 4b784e217548
Revises: 3a1c5e9d2b40
Create Date: 2026-11-23 11:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b784e217548'
down_revision = '3a1c5e9d2b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resultado_final', schema=None) as batch_op:
        batch_op.add_column(sa.Column('empate_comite', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('bonificacion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('concepto', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('bonificacion', schema=None) as batch_op:
        batch_op.drop_column('concepto')
    with op.batch_alter_table('resultado_final', schema=None) as batch_op:
        batch_op.drop_column('empate_comite')
