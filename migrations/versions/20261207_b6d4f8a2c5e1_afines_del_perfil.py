"""The evaluator's list of what «o afines» accepts (B2; §4.2.1 g, m)

* perfil_puesto.carreras_afines: the careers accepted as related when the profile accepts «afines»
  (comma-separated, as ``carreras``), which the Ficha stage reads as ``RequisitoFormacion.carreras_afines``.
* requisito_capacitacion.temas_afines: the same for a course, programme or diplomado
  (``RequisitoCapacitacion.temas_afines``).

Both were only in interchange files, so that an imported call could not keep them and a call made in the
app could not state them: an applicant with a related career was No Apto/a unless overridden one by one.

Revision ID: b6d4f8a2c5e1
Revises: a4c8e2f6b1d3
Create Date: 2026-12-07 06:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b6d4f8a2c5e1'
down_revision = 'a4c8e2f6b1d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('perfil_puesto', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carreras_afines', sa.Text(), nullable=True))
    with op.batch_alter_table('requisito_capacitacion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('temas_afines', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('requisito_capacitacion', schema=None) as batch_op:
        batch_op.drop_column('temas_afines')
    with op.batch_alter_table('perfil_puesto', schema=None) as batch_op:
        batch_op.drop_column('carreras_afines')
