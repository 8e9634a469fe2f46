"""Publication order of a stage's results (issue 5: the public results page, docs/performance.md)

* resultado_etapa.orden_publicacion: each row's position in the stage's published list (§4.2
  "Publicación de resultados"), numbered 1…N by the database when the stage is published and
  renumbered by an audited recalculation; NULL while the stage is not published.
* ix_resultado_orden_publicacion (convocatoria_id, etapa, orden_publicacion): the public portal
  reads one page of 100 rows as a range of that index instead of sorting the whole stage.
* ix_resultado_puntaje (convocatoria_id, etapa, puntaje): whether a stage's list has a score
  column is ``max(puntaje)``, one index probe, not a scan of the stage.

Revision ID: 5d8e2f1a9c60
Revises: 9c2e5b7a41d3
Create Date: 2026-11-23 13:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d8e2f1a9c60'
down_revision = '9c2e5b7a41d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resultado_etapa', schema=None) as batch_op:
        batch_op.add_column(sa.Column('orden_publicacion', sa.Integer(), nullable=True))
        batch_op.create_index('ix_resultado_orden_publicacion', ['convocatoria_id', 'etapa', 'orden_publicacion'],
                              unique=False)
        batch_op.create_index('ix_resultado_puntaje', ['convocatoria_id', 'etapa', 'puntaje'], unique=False)


def downgrade():
    with op.batch_alter_table('resultado_etapa', schema=None) as batch_op:
        batch_op.drop_index('ix_resultado_puntaje')
        batch_op.drop_index('ix_resultado_orden_publicacion')
        batch_op.drop_column('orden_publicacion')
