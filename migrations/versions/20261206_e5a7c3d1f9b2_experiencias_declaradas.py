"""The evaluator's queue of experiences to judge (D1, §4.2.1 x)

* postulacion.experiencias_declaradas: how many experiences the frozen Ficha declares (section 7),
  set with the Ficha (``Postulacion`` and ``casadmin import``), so that the Ficha stage's list and
  review page find the candidates with experiences not judged yet without reading every Ficha's JSON.
  Filled here from the Fichas already frozen.

Revision ID: e5a7c3d1f9b2
Revises: d9e3a1f5b2c4
Create Date: 2026-12-06 11:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a7c3d1f9b2'
down_revision = 'd9e3a1f5b2c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('postulacion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('experiencias_declaradas', sa.Integer(), server_default='0', nullable=False))
    rellenar(op.get_bind())


def rellenar(conn):
    """Each application's count from its frozen Ficha (tests/test_etapas.py runs it on both databases)."""
    if conn.dialect.name == 'postgresql':
        lista = "json_extract_path(ficha, 'experiencia_laboral')"
        conn.exec_driver_sql(f"UPDATE postulacion SET experiencias_declaradas = json_array_length({lista}) "
                             f"WHERE json_typeof({lista}) = 'array'")
    else:
        conn.exec_driver_sql("UPDATE postulacion SET experiencias_declaradas = "
                             "json_array_length(ficha, '$.experiencia_laboral') "
                             "WHERE json_type(ficha, '$.experiencia_laboral') = 'array'")


def downgrade():
    with op.batch_alter_table('postulacion', schema=None) as batch_op:
        batch_op.drop_column('experiencias_declaradas')
