"""Interview notices (G1, §4.2.5 c): what each citation was notified with, and when

* citacion.duracion_minutos: the slot's length, told to the candidate;
* citacion.notificada_en: when the candidate was last notified (e-mail and "Mis postulaciones");
* citacion.notificado: the date, length and place they were told; a slot that differs from it
  (edited or regenerated after the notice) is notified again by "Notificar citaciones".

Revision ID: b4c1a7e93f20
Revises: 5d8e2f1a9c60
Create Date: 2026-12-03 19:55:00

"""
import sqlalchemy as sa
from alembic import op

import casadmin.models.base

# revision identifiers, used by Alembic.
revision = 'b4c1a7e93f20'
down_revision = '5d8e2f1a9c60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('citacion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duracion_minutos', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notificada_en', casadmin.models.base.LimaDateTime(), nullable=True))
        batch_op.add_column(sa.Column('notificado', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('citacion', schema=None) as batch_op:
        batch_op.drop_column('notificado')
        batch_op.drop_column('notificada_en')
        batch_op.drop_column('duracion_minutos')
