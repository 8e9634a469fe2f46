"""CAS Admin settings: the one settings module.

Every value can be overridden by an environment variable of the same name with
the ``CASADMIN_`` prefix (e.g. ``CASADMIN_DATABASE_URL``). Tests override values
by passing a mapping to :func:`casadmin.create_app`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask_appbuilder.const import AUTH_DB


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"CASADMIN_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "si", "sí", "on"}


BASE_DIR = Path(_env("BASE_DIR") or Path.cwd()).resolve()
INSTANCE_DIR = Path(_env("INSTANCE_DIR") or BASE_DIR / "instance")

# --- Flask ------------------------------------------------------------------


def _clave_secreta() -> str:
    """CASADMIN_SECRET_KEY, else a random key made once for this installation and kept in the instance folder
    (``instance/secret_key``, readable by its owner only). A key written in the code signed anyone's session:
    whoever knew it could sign in as the administrator. Every worker of the installation reads the same file."""
    if valor := _env("SECRET_KEY"):
        return valor
    ruta = INSTANCE_DIR / "secret_key"
    try:
        return ruta.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    clave = secrets.token_hex(32)
    temporal = INSTANCE_DIR / f".secret_key.{os.getpid()}"
    fd = os.open(temporal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(clave)
    try:
        os.link(temporal, ruta)  # whole or not at all: another worker never reads half a key
    except FileExistsError:  # another worker made it first
        clave = ruta.read_text(encoding="ascii").strip()
    finally:
        temporal.unlink()
    return clave


SECRET_KEY = _clave_secreta()
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
# Uploads above this are refused by Flask with 413 before the body is read (C3: 5 MB PDFs).
MAX_CONTENT_LENGTH = int(_env("MAX_CONTENT_LENGTH", str(6 * 1024 * 1024)))

# --- Database ---------------------------------------------------------------
SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'casadmin.db'}"
SQLALCHEMY_TRACK_MODIFICATIONS = False
# Alembic owns the schema (FAB-NOTES: FAB's create_all collides with migrations).
FAB_CREATE_DB = False
# Permissions are synced by ``flask casadmin init``, once, never by each worker.
FAB_UPDATE_PERMS = _env_bool("UPDATE_PERMS", False)

# --- Storage, mail, background jobs ------------------------------------------
STORAGE_DIR = Path(_env("STORAGE_DIR") or INSTANCE_DIR / "storage")
UPLOAD_FOLDER = str(STORAGE_DIR / "fab-uploads") + "/"
IMG_UPLOAD_FOLDER = str(STORAGE_DIR / "fab-images") + "/"
REDIS_URL = _env("REDIS_URL")
MAIL_SERVER = _env("MAIL_SERVER", "localhost")
MAIL_PORT = int(_env("MAIL_PORT", "25"))
MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
MAIL_USERNAME = _env("MAIL_USERNAME")
MAIL_PASSWORD = _env("MAIL_PASSWORD")
MAIL_DEFAULT_SENDER = _env("MAIL_DEFAULT_SENDER", "CAS Admin <no-responder@casadmin.local>")
# With MAIL_SUPPRESS_SEND the outbox records messages without sending them (demo, tests).
MAIL_SUPPRESS_SEND = _env_bool("MAIL_SUPPRESS_SEND", True)

# --- Flask-AppBuilder ---------------------------------------------------------
APP_NAME = "CAS Admin"
APP_THEME = ""
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Administrador"
AUTH_ROLE_PUBLIC = "Publico"
AUTH_USER_REGISTRATION = False
FAB_SECURITY_MANAGER_CLASS = "casadmin.security.CasSecurityManager"
FAB_ADD_SECURITY_API = True
FAB_API_SWAGGER_UI = True
FAB_API_MAX_PAGE_SIZE = 100
FAB_INDEX_VIEW = "casadmin.views.home.InicioView"
# FAB's own password forms (the user's «reset my password», the administrator's user screen) apply C1's rule
# too: create_app sets FAB_PASSWORD_COMPLEXITY_VALIDATOR to casadmin.cuenta.validar_clave_fab.
FAB_PASSWORD_COMPLEXITY_ENABLED = True

# --- Language and time (es-PE, Lima) -----------------------------------------
BABEL_DEFAULT_LOCALE = "es"
BABEL_DEFAULT_TIMEZONE = "America/Lima"
LANGUAGES = {"es": {"flag": "pe", "name": "Español"}}
BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent / "casadmin" / "translations")

# --- Security -----------------------------------------------------------------
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None
# Rate limits (Flask-Limiter, through FAB's limiter): on unless switched off (the test app does).
# Counters live in Redis when REDIS_URL is set (shared by every worker), else in each process's memory.
RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
# Behind a reverse proxy (nginx): how many proxies set X-Forwarded-For / -Proto in front of the app. Without it
# every client has the proxy's address, and the login and registration limits become one bucket for everyone.
PROXIES = int(_env("PROXIES", "0") or 0)
RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
RATELIMIT_HEADERS_ENABLED = True  # Retry-After on a 429
# Redis unreachable: count in memory meanwhile rather than refuse every login (a call's deadline).
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
RATELIMIT_SWALLOW_ERRORS = True
RATELIMIT_KEY_PREFIX = _env("RATELIMIT_KEY_PREFIX", "casadmin")
# Per client address: the browser login (FAB's /login/) and the API login (/api/v1/security/login) ...
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = _env("LIMITE_LOGIN", "10 per minute")
# ... and the public account forms of casadmin/views/cuenta.py (POSTs only).
LIMITE_REGISTRO = _env("LIMITE_REGISTRO", "20 per hour")
LIMITE_RECUPERACION = _env("LIMITE_RECUPERACION", "10 per hour")

# --- Applicant accounts (C1, G1: casadmin/cuenta.py) ----------------------------
# How long the e-mailed links work: account activation and password recovery.
ACTIVACION_HORAS = int(_env("ACTIVACION_HORAS", "48"))
RECUPERACION_HORAS = int(_env("RECUPERACION_HORAS", "2"))
