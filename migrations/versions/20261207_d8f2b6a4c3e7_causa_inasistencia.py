"""Why a candidate did not take the interview (§4.2.5 c, d): a committee member's sheet records it

A candidate who came without a valid original identity document (§4.2.5 d) or did not follow the
instructions given (§4.2.5 c) was recorded as «no se presentó», which says they did not come. Existing
sheets keep NULL, read as «no se presentó».

Revision ID: d8f2b6a4c3e7
Revises: c7e1a3f5d9b2
Create Date: 2026-12-07 13:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd8f2b6a4c3e7'
down_revision = 'c7e1a3f5d9b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hoja_entrevista', schema=None) as batch_op:
        batch_op.add_column(sa.Column('causa', sa.String(length=30), nullable=True))
        batch_op.create_check_constraint(
            'ck_hoja_entrevista_causa',
            "causa IS NULL OR (NOT asistio AND causa IN ('no_se_presento', 'sin_documento', 'incumplio_indicaciones'))")


def downgrade():
    with op.batch_alter_table('hoja_entrevista', schema=None) as batch_op:
        batch_op.drop_constraint('ck_hoja_entrevista_causa', type_='check')
        batch_op.drop_column('causa')
