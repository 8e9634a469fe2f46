"""C1, G1 (Mig. steps 1–3): an applicant registers, activates the account from the e-mailed link,
signs in with the document number, and recovers a forgotten password; the public forms and the
logins are rate limited."""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
import uuid

import pytest
import sqlalchemy as sa
import time_machine

from casadmin import cuenta
from casadmin import models as m
from casadmin.models.enums import TipoCorreo, TipoDocumento
from casadmin.peru.clock import LIMA, now, today
from casadmin.roles import POSTULANTE

CLAVE = "clave-segura-1"


@pytest.fixture(autouse=True)
def correo_sincrono(app):
    """Messages are sent before the request returns (the outbox row is final when we read it)."""
    antes = app.config.get("MAIL_SYNC_FOR_TESTS")
    app.config["MAIL_SYNC_FOR_TESTS"] = True
    yield
    app.config["MAIL_SYNC_FOR_TESTS"] = antes


@pytest.fixture()
def client(app, db):
    return app.test_client()


def _dni_libre() -> str:
    # The demo's DNIs are below 80000000.
    return f"{80_000_000 + secrets.randbelow(19_999_999):08d}"


def _formulario(**cambios: str) -> dict[str, str]:
    """Mig. step 2 filled in as the manual's example, with a fresh document number and e-mail."""
    email = f"postulante.{uuid.uuid4().hex[:10]}@correo.pe"
    datos = {
        "nacionalidad": "Peruana", "tipo_documento": "DNI", "numero_documento": _dni_libre(),
        "apellido_paterno": "SUAREZ", "apellido_materno": "PALOMINO", "nombres": "ANDRES",
        "lugar_nacimiento": "LIMA", "fecha_nacimiento": "2000-05-15", "sexo": "masculino", "estado_civil": "soltero",
        "departamento": "15", "provincia": "1501", "distrito": "150130", "urbanizacion": "", "via": "Av.",
        "direccion": "SAN BORJA SUR 500 DEPARTAMENTO 501", "telefono": "2710563", "celular": "988733724",
        "email": email, "email_confirmacion": email, "clave": CLAVE, "clave_confirmacion": CLAVE,
    }
    datos.update(cambios)
    return datos


def _registrar(client, **cambios: str) -> dict[str, str]:
    datos = _formulario(**cambios)
    r = client.post("/cuenta/registro", data=datos)
    assert r.status_code == 303, _errores(r.get_data(as_text=True))
    assert r.headers["Location"].endswith("/cuenta/registro/enviado")
    return datos


def _errores(page: str) -> dict[str, str]:
    """Field → the error shown beside it."""
    return {campo: html.unescape(texto) for campo, texto in
            re.findall(r'<span class="help-block error-campo" id="error-([a-z_]+)">([^<]*)</span>', page)}


def _contar(db) -> tuple[int, int, int]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(t))
                 for t in (m.Usuario, m.Postulante, m.CorreoSaliente))


def _correos(db, email: str, tipo: TipoCorreo) -> list[m.CorreoSaliente]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(m.CorreoSaliente).where(
        m.CorreoSaliente.destinatario == email, m.CorreoSaliente.tipo == tipo).order_by(m.CorreoSaliente.id)))


def _enlace(correo: m.CorreoSaliente) -> str:
    """The path of the link in a message (the test client needs no host)."""
    url = re.search(r"https?://\S+", correo.cuerpo).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def _usuario(db, numero: str) -> m.Usuario:
    db.session.expire_all()
    return db.session.scalar(sa.select(m.Usuario).where(m.Usuario.username == numero))


def _activar(client, db, datos) -> None:
    (correo,) = _correos(db, datos["email"], TipoCorreo.activacion)
    assert client.get(_enlace(correo)).status_code == 200


def _login(client, usuario: str, clave: str):
    return client.post("/login/", data={"username": usuario, "password": clave})


def _flash(client) -> str:
    return client.get("/login/").get_data(as_text=True)


# --- registration ------------------------------------------------------------------------------


MANUAL_PASO_2 = [
    "Nacionalidad", "Tipo de documento", "Número de documento", "Apellido paterno", "Apellido materno", "Nombres",
    "Lugar de nacimiento", "Fecha de nacimiento (solo mayores de edad)", "Sexo", "Estado civil", "Departamento",
    "Provincia", "Distrito", "Urbanización", "Vía (Av., Calle, Jr.)", "Dirección", "Teléfono", "Celular",
    "Correo electrónico", "Ingrese nuevamente el correo", "Contraseña (8 caracteres como mínimo)",
    "Ingrese nuevamente la contraseña",
]


def test_the_registration_page_has_every_field_of_the_manual_and_fits_a_phone(app):
    page = html.unescape(app.test_client().get("/cuenta/registro").get_data(as_text=True))
    for etiqueta in MANUAL_PASO_2:
        assert f">{etiqueta}" in page, etiqueta
    for tipo in ("DNI", "Carné de extranjería"):
        assert f">{tipo}</option>" in page
    assert 'name="viewport"' in page
    assert re.search(r'<input[^>]+type="date"[^>]+name="fecha_nacimiento"|name="fecha_nacimiento"[^>]+type="date"', page)
    assert re.search(r'name="email"[^>]+type="email"|type="email"[^>]+name="email"', page)
    # The login page leads to registration and recovery, as the manual's login screen does.
    login = app.test_client().get("/login/").get_data(as_text=True)
    assert "/cuenta/registro" in login and "/cuenta/recuperar" in login and "¿Olvidó su contraseña?" in login


def test_register_activate_and_sign_in_with_the_document_number(app, db, client):
    antes = _contar(db)
    datos = _registrar(client)
    assert _contar(db) == (antes[0] + 1, antes[1] + 1, antes[2] + 1)
    numero = datos["numero_documento"]

    usuario = _usuario(db, numero)
    assert usuario.active is False and usuario.roles == []
    post = db.session.scalar(sa.select(m.Postulante).where(m.Postulante.usuario_id == usuario.id))
    assert (post.tipo_documento, post.numero_documento, post.ubigeo, post.email) == (
        TipoDocumento.DNI, numero, "150130", datos["email"])
    assert post.fecha_nacimiento == dt.date(2000, 5, 15) and post.celular == "988733724"

    # The activation e-mail is in the outbox, and was sent after the commit.
    (correo,) = _correos(db, datos["email"], TipoCorreo.activacion)
    assert correo.estado.name == "enviado" and correo.usuario_id == usuario.id
    assert "/cuenta/activar/" in correo.cuerpo and "48 horas" in correo.cuerpo

    # Before activation: the right password gets the "activate first" message, a wrong one does not.
    assert _login(client, numero, "otra-clave-9").status_code == 302
    assert "Inicio de sesión inválido" in _flash(client)
    assert _login(client, numero, CLAVE).status_code == 302
    assert "Su cuenta aún no está activada" in _flash(client)

    r = client.get(_enlace(correo))
    assert r.status_code == 200 and "Su cuenta fue activada" in r.get_data(as_text=True)
    usuario = _usuario(db, numero)
    assert usuario.active is True and [r.name for r in usuario.roles] == [POSTULANTE]
    assert "ya está activa" in client.get(_enlace(correo)).get_data(as_text=True)

    r = _login(client, numero, CLAVE)
    assert r.status_code == 302 and not r.headers["Location"].startswith("/login")
    assert "Bienvenido(a), ANDRES" in client.get("/").get_data(as_text=True)
    # The API login takes the document number too.
    api = app.test_client().post("/api/v1/security/login",
                                 json={"username": numero, "password": CLAVE, "provider": "db"})
    assert api.status_code == 200 and "access_token" in api.get_json()


def test_the_document_number_works_at_login_as_it_is_typed(app, db, client):
    from stdnum.pe import cui

    ce = _registrar(client, tipo_documento="CE", numero_documento="ce-0012-3456", nacionalidad="Venezolana")
    assert _usuario(db, "CE00123456") is not None  # stored normalized: it is the username
    _activar(client, db, ce)
    assert _login(app.test_client(), "ce00123456", CLAVE).headers["Location"] == "/"

    dni = _registrar(client)
    _activar(client, db, dni)
    numero = dni["numero_documento"]
    con_digito = f"{numero}-{cui.calc_check_digits(numero)[0]}"  # as printed on the card
    assert _login(app.test_client(), con_digito, CLAVE).headers["Location"] == "/"


def test_staff_keep_their_username(app):
    assert _login(app.test_client(), "orh.sunedu", "demo12345").headers["Location"] == "/"


@pytest.mark.parametrize("cambios,campo,mensaje", [
    ({"numero_documento": "1234567"}, "numero_documento", "El DNI debe tener 8 dígitos."),
    ({"numero_documento": "10117410-3"}, "numero_documento", "El dígito de verificación del DNI no es correcto."),
    ({"tipo_documento": "CE", "numero_documento": "1234"}, "numero_documento", "entre 9 y 12"),
    ({"email_confirmacion": "otro@correo.pe"}, "email_confirmacion", "Los correos no coinciden."),
    ({"clave_confirmacion": "clave-segura-2"}, "clave_confirmacion", "Las contraseñas no coinciden."),
    ({"clave": "corta12", "clave_confirmacion": "corta12"}, "clave", "8"),
    ({"email": "no-es-correo", "email_confirmacion": "no-es-correo"}, "email", "correo electrónico válido"),
    ({"celular": "12ab"}, "celular", "celular válido"),
    ({"fecha_nacimiento": "31/02/2000"}, "fecha_nacimiento", "fecha válida"),
    ({"distrito": ""}, "distrito", "Seleccione el departamento, la provincia y el distrito"),
    ({"provincia": "1502", "distrito": "150130"}, "distrito", "no pertenece"),
    ({"nombres": ""}, "nombres", "obligatorio"),
    ({"sexo": ""}, "sexo", "Seleccione"),
])
def test_refusals_are_shown_at_their_field_and_nothing_is_saved(db, client, cambios, campo, mensaje):
    antes = _contar(db)
    r = client.post("/cuenta/registro", data=_formulario(**cambios))
    assert r.status_code == 422
    errores = _errores(r.get_data(as_text=True))
    assert mensaje in errores.get(campo, ""), errores
    assert _contar(db) == antes


def test_adults_only_by_lima_date(db, client):
    # 22:00 in Lima is already the next day in UTC: the applicant turns 18 tomorrow, Lima time.
    with time_machine.travel(dt.datetime(2026, 3, 10, 22, 0, tzinfo=LIMA), tick=False):
        assert today() == dt.date(2026, 3, 10)
        antes = _contar(db)
        r = client.post("/cuenta/registro", data=_formulario(fecha_nacimiento="2008-03-11"))
        assert r.status_code == 422
        assert "mayores de edad" in _errores(r.get_data(as_text=True))["fecha_nacimiento"]
        assert _contar(db) == antes
    with time_machine.travel(dt.datetime(2026, 3, 11, 0, 30, tzinfo=LIMA), tick=False):
        _registrar(client, fecha_nacimiento="11/03/2008")  # 18 today; the manual's dd/mm/aaaa is taken too
    for futura in ((today() + dt.timedelta(days=1)).isoformat(), "1899-12-31"):
        r = client.post("/cuenta/registro", data=_formulario(fecha_nacimiento=futura))
        assert r.status_code == 422 and "fecha_nacimiento" in _errores(r.get_data(as_text=True))


def test_a_registered_document_or_email_is_refused_at_its_field(db, client):
    primero = _registrar(client)
    antes = _contar(db)
    r = client.post("/cuenta/registro", data=_formulario(numero_documento=primero["numero_documento"]))
    assert r.status_code == 422
    assert "Ya existe una cuenta con este número de documento" in _errores(r.get_data(as_text=True))["numero_documento"]
    email = primero["email"].upper()  # e-mail addresses are compared without case
    r = client.post("/cuenta/registro", data=_formulario(email=email, email_confirmacion=email))
    assert r.status_code == 422
    assert "ya está registrado" in _errores(r.get_data(as_text=True))["email"]
    assert _contar(db) == antes
    # The number is the login: a passport with the same digits as a DNI cannot take it twice.
    pasaporte = _registrar(client, tipo_documento="PASAPORTE")
    r = client.post("/cuenta/registro", data=_formulario(numero_documento=pasaporte["numero_documento"]))
    assert "Ya existe una cuenta" in _errores(r.get_data(as_text=True))["numero_documento"]


@pytest.mark.parametrize("repetido", ["numero_documento", "email"])
def test_the_database_constraints_are_the_last_line(db, client, monkeypatch, repetido):
    """Two registrations at the same moment both pass the checks; the database refuses the second."""
    primero = _registrar(client)
    monkeypatch.setattr(cuenta, "_documento_registrado", lambda *a: False)
    monkeypatch.setattr(cuenta, "_correo_registrado", lambda *a: False)
    cambios = {"numero_documento": primero["numero_documento"]} if repetido == "numero_documento" else \
        {"email": primero["email"], "email_confirmacion": primero["email"]}
    antes = _contar(db)
    r = client.post("/cuenta/registro", data=_formulario(**cambios))
    assert r.status_code == 422
    errores = _errores(r.get_data(as_text=True))
    assert repetido in errores and ("documento" in errores[repetido] or "correo" in errores[repetido])
    assert _contar(db) == antes  # no user, no applicant, no e-mail


# --- activation links ---------------------------------------------------------------------------


def test_an_expired_activation_link_is_refused_and_a_new_one_can_be_requested(app, db, client):
    datos = _registrar(client)
    (correo,) = _correos(db, datos["email"], TipoCorreo.activacion)
    with time_machine.travel(now() + dt.timedelta(hours=49)):
        r = client.get(_enlace(correo))
        page = r.get_data(as_text=True)
        assert r.status_code == 410 and "El enlace venció" in page and "/cuenta/activacion" in page
        assert _usuario(db, datos["numero_documento"]).active is False

        r = client.post("/cuenta/activacion", data={"numero_documento": datos["numero_documento"],
                                                    "email": datos["email"]})
        assert r.status_code == 303
        nuevo = _correos(db, datos["email"], TipoCorreo.activacion)[-1]
        assert nuevo.id != correo.id
        assert client.get(_enlace(nuevo)).status_code == 200
        assert _usuario(db, datos["numero_documento"]).active is True


def test_the_activation_lifetime_is_a_setting(app, db, client, monkeypatch):
    monkeypatch.setitem(app.config, "ACTIVACION_HORAS", 1)
    datos = _registrar(client)
    (correo,) = _correos(db, datos["email"], TipoCorreo.activacion)
    assert "vence en 1 hora." in correo.cuerpo
    with time_machine.travel(now() + dt.timedelta(minutes=61)):
        assert client.get(_enlace(correo)).status_code == 410


def test_a_tampered_link_is_refused(db, client):
    datos = _registrar(client)
    (correo,) = _correos(db, datos["email"], TipoCorreo.activacion)
    enlace = _enlace(correo)
    for roto in (enlace[:-2] + ("AA" if not enlace.endswith("AA") else "BB"), "/cuenta/activar/abc",
                 enlace.replace("/activar/", "/restablecer/")):
        r = client.get(roto)
        assert r.status_code == 400 and "El enlace no es válido" in r.get_data(as_text=True), roto
    assert _usuario(db, datos["numero_documento"]).active is False


# --- password recovery --------------------------------------------------------------------------


def test_password_recovery_works_once(app, db, client):
    datos = _registrar(client)
    _activar(client, db, datos)
    numero, email = datos["numero_documento"], datos["email"]

    r = client.post("/cuenta/recuperar", data={"numero_documento": numero, "email": email.upper()})
    assert r.status_code == 303
    (correo,) = _correos(db, email, TipoCorreo.recuperacion)
    enlace = _enlace(correo)
    assert client.get(enlace).status_code == 200

    r = client.post(enlace, data={"clave": "nueva-clave-1", "clave_confirmacion": "nueva-clave-2"})
    assert r.status_code == 422 and "no coinciden" in _errores(r.get_data(as_text=True))["clave_confirmacion"]
    r = client.post(enlace, data={"clave": "corta", "clave_confirmacion": "corta"})
    assert r.status_code == 422 and "8" in _errores(r.get_data(as_text=True))["clave"]

    r = client.post(enlace, data={"clave": "nueva-clave-1", "clave_confirmacion": "nueva-clave-1"})
    assert r.status_code == 303 and "/login/" in r.headers["Location"]
    assert "Su contraseña fue cambiada" in _flash(client)
    assert _login(app.test_client(), numero, CLAVE).headers["Location"].startswith("/login")
    assert _login(app.test_client(), numero, "nueva-clave-1").headers["Location"] == "/"

    # Single use: the link is bound to the old password.
    for metodo in (client.get, lambda url: client.post(url, data={"clave": "tercera-clave", "clave_confirmacion": "tercera-clave"})):
        r = metodo(enlace)
        assert r.status_code == 400 and "El enlace no es válido" in r.get_data(as_text=True)
    assert _login(app.test_client(), numero, "nueva-clave-1").headers["Location"] == "/"


def test_a_recovery_link_expires(app, db, client):
    datos = _registrar(client)
    _activar(client, db, datos)
    client.post("/cuenta/recuperar", data={"numero_documento": datos["numero_documento"], "email": datos["email"]})
    (correo,) = _correos(db, datos["email"], TipoCorreo.recuperacion)
    assert "2 horas" in correo.cuerpo
    with time_machine.travel(now() + dt.timedelta(hours=2, minutes=1)):
        r = client.post(_enlace(correo), data={"clave": "nueva-clave-1", "clave_confirmacion": "nueva-clave-1"})
        assert r.status_code == 410 and "/cuenta/recuperar" in r.get_data(as_text=True)
    assert _login(app.test_client(), datos["numero_documento"], CLAVE).headers["Location"] == "/"


@pytest.mark.parametrize("ruta", ["/cuenta/recuperar", "/cuenta/activacion"])
def test_requests_never_tell_whether_an_account_exists(app, db, ruta):
    activa = _registrar(app.test_client())
    _activar(app.test_client(), db, activa)
    pendiente = _registrar(app.test_client())
    casos = {
        "activa": {"numero_documento": activa["numero_documento"], "email": activa["email"]},
        "pendiente": {"numero_documento": pendiente["numero_documento"], "email": pendiente["email"]},
        "correo ajeno": {"numero_documento": activa["numero_documento"], "email": "otra.persona@correo.pe"},
        "inexistente": {"numero_documento": _dni_libre(), "email": "nadie@correo.pe"},
    }
    respuestas = {}
    for caso, datos in casos.items():
        c = app.test_client()
        r = c.post(ruta, data=datos)
        pagina = c.get(r.headers["Location"]).get_data(as_text=True)
        respuestas[caso] = (r.status_code, r.headers["Location"], pagina)
    assert len(set(respuestas.values())) == 1, "the answer depends on the account"
    assert "Si los datos corresponden a una cuenta" in respuestas["activa"][2]
    # Only the real owners got a message: recovery for the active account, activation for the pending one.
    recuperacion = _correos(db, activa["email"], TipoCorreo.recuperacion)
    activacion = _correos(db, pendiente["email"], TipoCorreo.activacion)
    assert (len(recuperacion), len(activacion)) == ((1, 2) if ruta == "/cuenta/recuperar" else (0, 2))
    assert _correos(db, "otra.persona@correo.pe", TipoCorreo.recuperacion) == []
    assert _correos(db, "nadie@correo.pe", TipoCorreo.recuperacion) == []


# --- rate limits --------------------------------------------------------------------------------


@pytest.fixture()
def app_con_limites(app):
    """A second app on the same database with the limits on (3 per minute) and the given storage.

    The suite's app keeps them off (its clients sign in hundreds of times). Flask-Limiter reads its
    settings when the app is created, hence a second app (each app has its own AppBuilder).
    """
    from casadmin import create_app

    def crear(storage: str):
        prefijo = f"casadmin-test-{uuid.uuid4().hex[:8]}"
        config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS", "STORAGE_DIR",
                                             "SECRET_KEY", "TESTING", "WTF_CSRF_ENABLED")}
        config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage, RATELIMIT_KEY_PREFIX=prefijo,
                      AUTH_RATE_LIMIT="3 per minute", LIMITE_REGISTRO="3 per minute",
                      LIMITE_RECUPERACION="3 per minute")
        return create_app(config), prefijo

    return crear


@pytest.mark.parametrize("storage", ["memory://", "redis://127.0.0.1:6379/15"])
def test_rate_limits_answer_429_in_spanish(app_con_limites, storage):
    limitada, prefijo = app_con_limites(storage)
    try:
        c = limitada.test_client()
        intentos = [c.post("/login/", data={"username": "12345678", "password": "x"}).status_code for _ in range(4)]
        assert intentos == [302, 302, 302, 429]
        r = c.post("/login/", data={"username": "12345678", "password": "x"})
        assert r.status_code == 429 and "Demasiados intentos" in r.get_data(as_text=True)
        assert int(r.headers["Retry-After"]) > 0

        api = [c.post("/api/v1/security/login", json={"username": "x", "password": "y", "provider": "db"})
               for _ in range(4)]
        assert [a.status_code for a in api] == [401, 401, 401, 429]
        assert "Demasiados intentos" in api[-1].get_json()["message"]

        assert [c.post("/cuenta/registro", data={}).status_code for _ in range(4)] == [422, 422, 422, 429]
        assert c.get("/cuenta/registro").status_code == 200  # reading the form is not limited
        solicitud = {"numero_documento": "12345678", "email": "nadie@correo.pe"}
        assert [c.post("/cuenta/recuperar", data=solicitud).status_code for _ in range(4)] == [303, 303, 303, 429]

        # Another address has its own counters.
        otro = limitada.test_client()
        assert otro.post("/login/", data={"username": "x", "password": "y"},
                         environ_base={"REMOTE_ADDR": "10.0.0.8"}).status_code == 302
        if storage.startswith("redis://"):
            from redis import Redis

            assert list(Redis.from_url(storage).scan_iter(match=f"*{prefijo}*")), "the counters are in Redis"
    finally:
        if storage.startswith("redis://"):
            from redis import Redis

            redis = Redis.from_url(storage)
            for clave in redis.scan_iter(match=f"*{prefijo}*"):
                redis.delete(clave)


def test_the_suite_app_is_not_throttled(app):
    c = app.test_client()
    assert all(c.post("/login/", data={"username": "x", "password": "y"}).status_code == 302 for _ in range(15))


def test_a_registration_never_activated_frees_its_document_once_its_link_expired(db, client):
    """A mistyped e-mail sent the activation link to nobody, and the document number stayed taken for ever:
    «Ya existe una cuenta», login «no activada», and neither «Reenviar» nor «Recuperar» with the right e-mail
    sent anything. Once the link's hours passed, a new registration takes the number (and the e-mail) back."""
    import datetime as dt

    errado = _registrar(client, email="andres@gmial.com", email_confirmacion="andres@gmial.com")
    numero = errado["numero_documento"]
    r = client.post("/cuenta/registro", data=_formulario(numero_documento=numero))
    assert r.status_code == 422 and "Ya existe una cuenta" in _errores(r.get_data(as_text=True))["numero_documento"]
    viejo = _usuario(db, numero)
    viejo.created_on = dt.datetime.now() - dt.timedelta(hours=49)  # the link lasts 48 h
    db.session.commit()
    correcto = _registrar(client, numero_documento=numero)
    assert _usuario(db, numero).email == correcto["email"]
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Usuario.email == "andres@gmial.com")) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Postulante.numero_documento == numero)) == 1
    _activar(client, db, correcto)
    assert _usuario(db, numero).active
