"""Test set-up: one real database per run, built by the migrations, on SQLite or PostgreSQL.

``CASADMIN_TEST_BACKEND=postgresql`` runs the suite on ``CASADMIN_TEST_DATABASE_URL``
(its ``public`` schema is dropped and rebuilt); otherwise on a fresh SQLite file.
Either way the schema comes from ``flask db upgrade``, roles from ``flask casadmin init``
and the shared fixtures from the demo loader (run twice, to prove it is idempotent).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings
from flask import g, has_app_context
from flask.testing import FlaskClient

# Tests never assert timings (docs/performance.md holds those): no Hypothesis deadline, which a loaded
# 2-core CI machine can exceed on a correct example.
settings.register_profile("casadmin", deadline=None)
settings.load_profile("casadmin")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
BACKEND = os.environ.get("CASADMIN_TEST_BACKEND", "sqlite")


def _database_url(tmp_dir: Path) -> str:
    if BACKEND == "postgresql":
        url = os.environ.get("CASADMIN_TEST_DATABASE_URL")
        if not url:
            raise pytest.UsageError("CASADMIN_TEST_BACKEND=postgresql needs CASADMIN_TEST_DATABASE_URL")
        engine = sa.create_engine(url)
        with engine.begin() as conn:  # a PostgreSQL run that cannot connect fails, never skips
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return f"sqlite:///{tmp_dir / 'casadmin-test.db'}"


class IsolatedClient(FlaskClient):
    """A test client whose requests never see a user cached on ``g`` by an earlier request.

    In production every request gets its own app context; in a test that holds an app
    context open (the ``db`` fixture), Flask reuses it, and Flask-Login would keep the
    previous request's user in ``g._login_user``.
    """

    def open(self, *args, **kwargs):
        _forget_user()
        try:
            return super().open(*args, **kwargs)
        finally:
            _forget_user()


def _forget_user() -> None:
    if has_app_context():
        for key in ("_login_user", "user"):
            g.pop(key, None)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from flask_migrate import upgrade

    from casadmin import create_app
    from casadmin.cli import ensure_admin, sync_security
    from casadmin.demo import load_demo

    tmp = tmp_path_factory.mktemp("casadmin")
    url = _database_url(tmp)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool},
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,  # tests/test_cuenta.py turns the limits on where it tests them
            "STORAGE_DIR": tmp / "storage",
            "SECRET_KEY": "casadmin-tests-secret-key-32-bytes+",  # HS256 wants 32 bytes (RFC 7518 3.2)
        }
    )
    with app.app_context():
        upgrade()
        sync_security()
        ensure_admin("admin", "admin@casadmin.local", "admin12345")
        load_demo()
        load_demo()
    app.test_client_class = IsolatedClient
    yield app


@pytest.fixture()
def db(app):
    from casadmin.extensions import db as _db

    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()


def login(client, username: str, password: str = "demo12345") -> None:
    response = client.post("/login/", data={"username": username, "password": password})
    assert response.status_code == 302, f"login failed for {username}"


@pytest.fixture()
def client_for(app):
    """``client_for("orh.sunedu")`` → a test client logged in as that user (None: anonymous)."""

    def make(username: str | None, password: str = "demo12345"):
        client = app.test_client()
        if username is not None:
            login(client, username, "admin12345" if username == "admin" else password)
        return client

    return make


@pytest.fixture(scope="session")
def role_users(app):
    """One username per role: the demo's SUNEDU staff and one SUNEDU applicant."""
    from casadmin import models as m
    from casadmin.extensions import db as _db

    with app.app_context():
        applicant = _db.session.scalar(
            sa.select(m.Usuario.username)
            .join(m.Postulante, m.Postulante.usuario_id == m.Usuario.id)
            .join(m.Postulacion, m.Postulacion.postulante_id == m.Postulante.id)
            .join(m.Convocatoria)
            .join(m.Entidad)
            .where(m.Entidad.siglas == "SUNEDU")
            .order_by(m.Postulacion.id)
            .limit(1)
        )
    return {
        "admin": "admin", "orh": "orh.sunedu", "comite": "comite1.sunedu", "veedor": "veedor.sunedu",
        "postulante": applicant, "publico": None,
    }


@pytest.fixture(scope="session")
def clients_by_role(app, role_users):
    """A logged-in test client per role ("publico" is anonymous)."""
    out = {}
    for role, username in role_users.items():
        client = app.test_client()
        if username:
            login(client, username, "admin12345" if role == "admin" else "demo12345")
        out[role] = client
    return out


@pytest.fixture()
def sincrono(app):
    """Background jobs and mail run to their end before the call returns (as the worker would)."""
    antes = {k: app.config.get(k) for k in ("TAREAS_SYNC_FOR_TESTS", "MAIL_SYNC_FOR_TESTS")}
    app.config.update(TAREAS_SYNC_FOR_TESTS=True, MAIL_SYNC_FOR_TESTS=True)
    yield
    app.config.update(antes)


def pytest_sessionfinish(session, exitstatus):
    """Record which backend ran and how it went, so CI can prove the PostgreSQL run happened."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    passed = len(reporter.stats.get("passed", []))
    failed = len(reporter.stats.get("failed", [])) + len(reporter.stats.get("error", []))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"backend-{BACKEND}.txt").write_text(
        f"backend={BACKEND}\npassed={passed}\nfailed={failed}\nexitstatus={int(exitstatus)}\n"
    )
