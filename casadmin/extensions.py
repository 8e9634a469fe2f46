"""The extension objects shared by the whole app (created once, bound in ``create_app``)."""

import sqlite3

from flask_appbuilder import Model
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

# FAB-NOTES: the model class must be FAB's, or autogenerate sees neither the ab_* tables nor ours.
SQLA = get_sqla_class()
db = SQLA(model_class=Model)
migrate = Migrate()
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """The embedded SQLite database behaves like PostgreSQL where it matters: foreign keys are
    enforced, readers never block the writer (WAL: a background job's progress is written while
    a long read goes on), and a busy database is waited for instead of failing at once."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
