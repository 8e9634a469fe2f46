"""Interview notices (G1, §4.2.5 c): a notified citation that a corrected shortlist leaves out is
annulled, not deleted, so the candidate can be told it no longer stands

* citacion.anulada_en: when the timetable left the citation out (the candidate is no longer called
  to the interview); "Notificar citaciones" then tells them, and a new timetable that calls them
  again reuses the row.

Revision ID: c7d2e4f8a1b3
Revises: b4c1a7e93f20
Create Date: 2026-12-05 13:00:00

"""
import sqlalchemy as sa
from alembic import op

import casadmin.models.base

# revision identifiers, used by Alembic.
revision = 'c7d2e4f8a1b3'
down_revision = 'b4c1a7e93f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('citacion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anulada_en', casadmin.models.base.LimaDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('citacion', schema=None) as batch_op:
        batch_op.drop_column('anulada_en')
