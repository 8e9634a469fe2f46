"""A committee member's draft sheet may leave factors blank (D6, §4.2.5 f)

A member scoring on a tablet as the interview goes could not save a draft until all five factors had a
score. The factors may now be empty on a draft; a submitted sheet still has all five (a check says so).

Revision ID: e4a9c1d7b5f2
Revises: d8f2b6a4c3e7
Create Date: 2026-12-07 13:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4a9c1d7b5f2'
down_revision = 'd8f2b6a4c3e7'
branch_labels = None
depends_on = None

FACTORES = ("desenvolvimiento", "idoneidad", "orientacion_resultados", "trabajo_equipo", "vocacion_servicio")


def upgrade():
    with op.batch_alter_table('hoja_entrevista', schema=None) as batch_op:
        for factor in FACTORES:
            batch_op.alter_column(factor, existing_type=sa.Numeric(precision=7, scale=2), nullable=True)
        batch_op.create_check_constraint(
            'ck_hoja_entrevista_completa',
            "NOT enviada OR (" + " AND ".join(f"{f} IS NOT NULL" for f in FACTORES) + ")")


def downgrade():
    with op.batch_alter_table('hoja_entrevista', schema=None) as batch_op:
        batch_op.drop_constraint('ck_hoja_entrevista_completa', type_='check')
    op.execute("UPDATE hoja_entrevista SET " + ", ".join(f"{f} = COALESCE({f}, 0)" for f in FACTORES))
    with op.batch_alter_table('hoja_entrevista', schema=None) as batch_op:
        for factor in FACTORES:
            batch_op.alter_column(factor, existing_type=sa.Numeric(precision=7, scale=2), nullable=False)
