"""The app factory builds independent apps: a second app in the same process (a benchmark's, a
worker's, a script's) starts and serves, and the first one keeps serving."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import login


def test_segunda_app_en_el_mismo_proceso(app, tmp_path):
    from flask_migrate import upgrade

    from casadmin import create_app
    from casadmin.cli import ensure_admin, sync_security

    otra = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'otra.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool},
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "STORAGE_DIR": tmp_path / "storage",
        "SECRET_KEY": "otra",
    })
    assert otra.appbuilder is not app.appbuilder
    with otra.app_context():
        upgrade()
        sync_security()
        ensure_admin("admin2", "admin2@casadmin.local", "admin12345")

    cliente = otra.test_client()
    login(cliente, "admin2", "admin12345")
    assert cliente.get("/convocatoriaview/list/").status_code == 200
    # Each app reads its own database: the new administrator exists only in the second one.
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="admin2") is None
    with otra.app_context():
        assert otra.appbuilder.sm.find_user(username="admin2") is not None

    primero = app.test_client()
    login(primero, "admin", "admin12345")
    assert primero.get("/convocatoriaview/list/").status_code == 200
