"""A course, programme or diplomado does not end before it starts (§4.2.1 l)

The Ficha's course form refused it, and interchange files are refused too; the table now says so as well,
as ``ck_experiencia_periodo`` does for a job. A diplomado's start decides whether Ley 30220's credits
apply, so a reversed period would be judged on a date the applicant did not mean.

A database that already holds such rows is not changed behind its users' backs: the upgrade stops and
says how many there are, to be corrected in the Ficha first.

Revision ID: c7e1a3f5d9b2
Revises: b6d4f8a2c5e1
Create Date: 2026-12-07 08:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7e1a3f5d9b2'
down_revision = 'b6d4f8a2c5e1'
branch_labels = None
depends_on = None


def upgrade():
    invertidas = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM capacitacion WHERE fecha_inicio IS NOT NULL AND fecha_fin < fecha_inicio")).scalar()
    if invertidas:
        raise RuntimeError(f"{invertidas} capacitación(es) terminan antes de empezar: corrija sus fechas en la Ficha "
                           "(SELECT id, postulante_id FROM capacitacion WHERE fecha_fin < fecha_inicio) y vuelva a "
                           "ejecutar la migración.")
    with op.batch_alter_table('capacitacion', schema=None) as batch_op:
        batch_op.create_check_constraint('ck_capacitacion_periodo', 'fecha_inicio IS NULL OR fecha_fin >= fecha_inicio')


def downgrade():
    with op.batch_alter_table('capacitacion', schema=None) as batch_op:
        batch_op.drop_constraint('ck_capacitacion_periodo', type_='check')
