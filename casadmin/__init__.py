"""CAS Admin: CAS hiring processes (D.L. 1057) end to end, with each institution's bases as plugins."""

from __future__ import annotations

from casadmin import compilado as _compilado

_compilado.instalar()  # before any rule module is imported: compiled, or their sources

import logging
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # Flask is imported by create_app: the rules (casadmin.rules) stay free of it
    from flask import Flask

__version__ = "0.6.0"  # as pyproject.toml: tests/test_wheel.py checks they agree

# FAB's own user and role screens list relation columns it cannot filter and log a warning
# for each one on every start ("Filter type not supported for column: roles.name"): noise.
logging.getLogger("flask_appbuilder.models.filters").setLevel(logging.ERROR)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """The app factory (FAB examples' shape; order per FAB-NOTES: CSRF before AppBuilder)."""
    import config as default_config

    from flask import Flask
    from flask_appbuilder import AppBuilder

    from casadmin import audit, cli, mailer, roles, tareas
    from casadmin import plugins as pl
    from casadmin.extensions import csrf, db, migrate

    # The rule plugins are loaded at start-up: two that declare the same bases version stop the
    # app here (ConflictoDeBases, naming both), instead of failing the first page that evaluates.
    pl.get_plugin_manager()
    app = Flask(__name__)
    app.config.from_object(default_config)
    if overrides:
        app.config.update(overrides)
    app.config["FAB_ROLES"] = roles.fab_roles()
    if app.config.get("FAB_PASSWORD_COMPLEXITY_VALIDATOR") is None:
        from casadmin.cuenta import validar_clave_fab

        app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = validar_clave_fab

    csrf.init_app(app)
    with app.app_context():
        db.init_app(app)
        migrate.init_app(app, db, directory=str(_migrations_dir()))
        # One AppBuilder per app: FAB keeps its views, menu and security manager on it, so a
        # shared instance cannot serve a second app in the same process (a benchmark's or a
        # worker's app beside the one under test).
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        from casadmin import views

        views.register(appbuilder)
        audit.install()
    mailer.install(app)
    tareas.install(app)
    cli.register(app)
    app.after_request(_cabeceras_de_seguridad)
    if proxies := int(app.config.get("PROXIES") or 0):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address and scheme as the proxies in front report them (the rate limits key on it).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def _cabeceras_de_seguridad(response):
    """No page is framed by another site (the login, «Postular», a score sheet: clickjacking), an uploaded
    file is never read as another type than it is declared, and no address (an activation or recovery
    link's token) is sent to another site as the referrer."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _migrations_dir():
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "migrations", here / "migrations"):
        if candidate.exists():
            return candidate
    return here.parent / "migrations"
