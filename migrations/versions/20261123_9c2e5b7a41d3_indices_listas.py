"""Indexes for list pages over 150,000 applications (issue 5, docs/performance.md)

* postulante: name search is FAB's "contains" (``ILIKE '%…%'``): trigram GIN indexes on
  PostgreSQL (pg_trgm, a trusted extension since PostgreSQL 13); plain indexes on SQLite.
  The default order of the Postulantes list (surname, id) gets its own index.
* postulacion: the list sorted by application date (newest first).
* resultado_etapa: the call dashboard counts a call's results by stage and result from the
  index alone (``GROUP BY etapa, resultado``).

Revision ID: 9c2e5b7a41d3
Revises: 4b784e217548
Create Date: 2026-11-23 12:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9c2e5b7a41d3'
down_revision = '4b784e217548'
branch_labels = None
depends_on = None

NOMBRES = ('apellido_paterno', 'apellido_materno', 'nombres')


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    if postgresql:
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    with op.batch_alter_table('postulante', schema=None) as batch_op:
        batch_op.create_index('ix_postulante_apellidos_orden', ['apellido_paterno', 'id'], unique=False)
    for col in NOMBRES:
        if postgresql:
            op.create_index(f'ix_postulante_{col}_trgm', 'postulante', [col], unique=False,
                            postgresql_using='gin', postgresql_ops={col: 'gin_trgm_ops'})
        else:
            op.create_index(f'ix_postulante_{col}_trgm', 'postulante', [col], unique=False)
    with op.batch_alter_table('postulacion', schema=None) as batch_op:
        batch_op.create_index('ix_postulacion_registrada_en', ['registrada_en', 'id'], unique=False)
    with op.batch_alter_table('resultado_etapa', schema=None) as batch_op:
        batch_op.create_index('ix_resultado_convocatoria_etapa_resultado', ['convocatoria_id', 'etapa', 'resultado'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('resultado_etapa', schema=None) as batch_op:
        batch_op.drop_index('ix_resultado_convocatoria_etapa_resultado')
    with op.batch_alter_table('postulacion', schema=None) as batch_op:
        batch_op.drop_index('ix_postulacion_registrada_en')
    for col in NOMBRES:
        op.drop_index(f'ix_postulante_{col}_trgm', table_name='postulante')
    with op.batch_alter_table('postulante', schema=None) as batch_op:
        batch_op.drop_index('ix_postulante_apellidos_orden')
