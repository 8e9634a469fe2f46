"""Applicant accounts (C1, G1; Mig. steps 1–3): registration, activation by an e-mailed link,
login by document number, password recovery.

* **Registration** creates the login (:class:`~casadmin.models.Usuario`, inactive, no role) and the
  applicant (:class:`~casadmin.models.Postulante`) in one transaction, together with the activation
  e-mail in the outbox (:func:`casadmin.mailer.encolar`): either all three exist or none. The
  applicant's username is the document number, so FAB's own login (browser and API) works with
  "número de documento y contraseña" (Mig. step 3); :func:`usuario_por_documento` also accepts the
  number as typed (a DNI with its check digit, a lower-case carné).
* **Links** are itsdangerous signed, timestamped tokens (the app's ``SECRET_KEY`` with one salt per
  purpose). Each carries the user id and a fingerprint of the account (:func:`_huella`, which
  includes the password hash): once the password changes, every earlier link stops working, so a
  recovery link is single-use. Activation lasts ``ACTIVACION_HORAS`` (48), recovery
  ``RECUPERACION_HORAS`` (2).
* **Activation** makes the account active and gives it the Postulante role.
* **Messages** go to the applicant's e-mail (:attr:`Postulante.email`, the one the Ficha keeps up to
  date), which is also what requests are matched against.
* **Requests by document number and e-mail** (a new activation link, password recovery) answer the
  same whatever the data: the caller shows one message either way, so nobody learns from them
  whether an account exists.

Errors for the applicant are Spanish and name the form field they belong to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from casadmin import mailer
from casadmin import models as m
from casadmin.models.enums import EstadoCivil, Sexo, TipoCorreo, TipoDocumento
from casadmin.peru import documentos, ubigeo
from casadmin.peru.clock import today
from casadmin.roles import POSTULANTE
from casadmin.rules.age import edad

log = logging.getLogger(__name__)

#: Mig. step 2: "FECHA NACIMIENTO (solo mayores de edad)"; adults are 18 or older in Peru.
MAYORIA_DE_EDAD = 18
#: Mig. step 2: "CONTRASEÑA (8 CARACTERES COMO MÍNIMO)". The maximum only bounds the hashing work.
CLAVE_MINIMO = 8
CLAVE_MAXIMO = 128

SAL_ACTIVACION = "casadmin.cuenta.activacion"
SAL_RECUPERACION = "casadmin.cuenta.recuperacion"

MSG_DOCUMENTO_REGISTRADO = (
    "Ya existe una cuenta con este número de documento. Inicie sesión o recupere su contraseña."
)
MSG_CORREO_REGISTRADO = "Este correo electrónico ya está registrado en otra cuenta."

#: Database refusals (the last line against duplicates) → the form field that explains them.
_RESTRICCIONES: dict[str, tuple[str, str]] = {
    "uq_postulante_documento": ("numero_documento", MSG_DOCUMENTO_REGISTRADO),
    "ab_user.username": ("numero_documento", MSG_DOCUMENTO_REGISTRADO),
    "ab_user.email": ("email", MSG_CORREO_REGISTRADO),
    "postulante.email": ("email", MSG_CORREO_REGISTRADO),
}


class CuentaRechazada(ValueError):
    """Refusals to show at the form's fields (``errores``: field → Spanish message). Nothing was saved."""

    def __init__(self, errores: dict[str, str]) -> None:
        super().__init__("; ".join(errores.values()))
        self.errores = errores


class EnlaceInvalido(ValueError):
    """An e-mailed link that cannot be used: ``vencido`` when only its time ran out."""

    def __init__(self, vencido: bool) -> None:
        super().__init__("El enlace venció." if vencido else "El enlace no es válido o ya fue usado.")
        self.vencido = vencido


@dataclass(frozen=True)
class DatosRegistro:
    """What the applicant types in "Registrar datos de usuario" (Mig. step 2), already parsed."""

    nacionalidad: str
    tipo_documento: TipoDocumento
    numero_documento: str
    apellido_paterno: str
    apellido_materno: str | None
    nombres: str
    lugar_nacimiento: str
    fecha_nacimiento: dt.date
    sexo: Sexo
    estado_civil: EstadoCivil
    ubigeo: str
    urbanizacion: str | None
    via: str | None
    direccion: str
    telefono: str | None
    celular: str
    email: str
    clave: str


# --- rules ----------------------------------------------------------------------------------


def error_clave(clave: str | None) -> str | None:
    """The Spanish reason a new password is refused, or ``None``."""
    if not clave or len(clave) < CLAVE_MINIMO:
        return f"La contraseña debe tener {CLAVE_MINIMO} caracteres como mínimo."
    if len(clave) > CLAVE_MAXIMO:
        return f"La contraseña puede tener {CLAVE_MAXIMO} caracteres como máximo."
    return None


def validar_clave_fab(clave: str) -> None:
    """C1's password rule (:func:`error_clave`) on Flask-AppBuilder's own password forms."""
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    if (error := error_clave(clave)) is not None:
        raise PasswordComplexityValidationError(error)


def error_nacimiento(fecha: dt.date | None, hoy: dt.date | None = None) -> str | None:
    """Adults only (Mig. step 2), by Lima's date."""
    hoy = hoy or today()
    if fecha is None:
        return "Ingrese su fecha de nacimiento."
    if fecha > hoy:
        return "La fecha de nacimiento no puede ser futura."
    if fecha.year < 1900:
        return "Ingrese una fecha de nacimiento válida."
    if edad(fecha, hoy) < MAYORIA_DE_EDAD:
        return f"Solo pueden registrarse personas mayores de edad ({MAYORIA_DE_EDAD} años cumplidos)."
    return None


def nacimiento_mas_reciente(hoy: dt.date | None = None) -> dt.date:
    """The latest birth date of someone who is an adult today (29 February → 28 February)."""
    hoy = hoy or today()
    try:
        return hoy.replace(year=hoy.year - MAYORIA_DE_EDAD)
    except ValueError:
        return hoy.replace(year=hoy.year - MAYORIA_DE_EDAD, day=28)


def normalizar_correo(email: str) -> str:
    return (email or "").strip().lower()


def candidatos_documento(numero: str) -> list[str]:
    """The stored forms a document number typed at login may have (DNI with check digit, spaces…)."""
    compacto = re.sub(r"[\s.\-]", "", numero or "").upper()
    out = [compacto] if compacto else []
    try:
        dni = documentos.validar_dni(compacto)
    except documentos.DocumentoInvalido:
        dni = None
    if dni and dni not in out:
        out.append(dni)
    return out


def usuario_por_documento(session: Session, numero: str) -> m.Usuario | None:
    """The login of the applicant with this document number (any document type), if exactly one."""
    candidatos = candidatos_documento(numero)
    if not candidatos:
        return None
    usuarios = session.scalars(
        sa.select(m.Usuario).join(m.Postulante, m.Postulante.usuario_id == m.Usuario.id)
        .where(m.Postulante.numero_documento.in_(candidatos)).limit(2)
    ).all()
    return usuarios[0] if len(usuarios) == 1 else None


def _postulante_por_documento_y_correo(session: Session, numero: str, email: str) -> m.Postulante | None:
    candidatos = candidatos_documento(numero)
    email = normalizar_correo(email)
    if not candidatos or not email:
        return None
    return session.scalar(
        sa.select(m.Postulante).where(
            m.Postulante.numero_documento.in_(candidatos), sa.func.lower(m.Postulante.email) == email
        ).limit(1)
    )


# --- registration ------------------------------------------------------------------------------


def validar_registro(session: Session, datos: DatosRegistro) -> tuple[str, dict[str, str]]:
    """The normalized document number and the refusals (field → message) of the domain's rules:
    the document checked for its type, adults only, a real district, nothing already registered."""
    errores: dict[str, str] = {}
    numero = datos.numero_documento
    try:
        numero = documentos.validar_documento(datos.tipo_documento.name, datos.numero_documento)
    except documentos.DocumentoInvalido as exc:
        errores["numero_documento"] = str(exc)
    if (msg := error_nacimiento(datos.fecha_nacimiento)) is not None:
        errores["fecha_nacimiento"] = msg
    if not ubigeo.is_valid(datos.ubigeo or ""):
        errores["distrito"] = "Seleccione el departamento, la provincia y el distrito de su domicilio."
    if (msg := error_clave(datos.clave)) is not None:
        errores["clave"] = msg
    if "numero_documento" not in errores and _documento_registrado(session, datos.tipo_documento, numero):
        errores["numero_documento"] = MSG_DOCUMENTO_REGISTRADO
    if _correo_registrado(session, normalizar_correo(datos.email)):
        errores["email"] = MSG_CORREO_REGISTRADO
    return numero, errores


def _documento_registrado(session: Session, tipo: TipoDocumento, numero: str) -> bool:
    postulante = session.scalar(sa.select(m.Postulante.id).where(
        m.Postulante.tipo_documento == tipo, m.Postulante.numero_documento == numero))
    # The number is also the username: no other login (another document type, staff) may hold it.
    usuario = session.scalar(sa.select(m.Usuario.id).where(sa.func.lower(m.Usuario.username) == numero.lower()))
    return postulante is not None or usuario is not None


def _correo_registrado(session: Session, email: str) -> bool:
    postulante = session.scalar(sa.select(m.Postulante.id).where(sa.func.lower(m.Postulante.email) == email))
    usuario = session.scalar(sa.select(m.Usuario.id).where(sa.func.lower(m.Usuario.email) == email))
    return postulante is not None or usuario is not None


def registrar(session: Session, datos: DatosRegistro, enlace_activacion: Callable[[str], str]) -> m.Usuario:
    """Create the inactive account, the applicant and the activation e-mail in one transaction.

    :param enlace_activacion: builds the absolute activation URL for a token (the view's route).
    :raises CuentaRechazada: with the refusals at their fields; nothing was saved.
    """
    _liberar_vencidas(session, datos)
    numero, errores = validar_registro(session, datos)
    if errores:
        session.rollback()  # what _liberar_vencidas removed stays
        raise CuentaRechazada(errores)
    email = normalizar_correo(datos.email)
    apellidos = " ".join(p for p in (datos.apellido_paterno, datos.apellido_materno) if p)
    usuario = m.Usuario(
        username=numero, email=email, first_name=datos.nombres[:64], last_name=apellidos[:64],
        active=False, password=_hash(datos.clave), roles=[],
    )
    postulante = m.Postulante(
        usuario=usuario, nacionalidad=datos.nacionalidad, tipo_documento=datos.tipo_documento,
        numero_documento=numero, apellido_paterno=datos.apellido_paterno,
        apellido_materno=datos.apellido_materno or None, nombres=datos.nombres,
        lugar_nacimiento=datos.lugar_nacimiento, fecha_nacimiento=datos.fecha_nacimiento, sexo=datos.sexo,
        estado_civil=datos.estado_civil, ubigeo=datos.ubigeo, urbanizacion=datos.urbanizacion or None,
        via=datos.via or None, direccion=datos.direccion, telefono=datos.telefono or None,
        celular=datos.celular, email=email,
    )
    session.add_all([usuario, postulante])
    try:
        session.flush()  # the user id goes into the token; duplicates surface here at the latest
        _correo_activacion(session, usuario, email, enlace_activacion)
        session.commit()
    except IntegrityError as exc:
        # Two registrations of the same document or e-mail at once: the database decides.
        session.rollback()
        raise CuentaRechazada(dict([_restriccion(exc)])) from None
    log.info("Cuenta de postulante registrada: usuario %s", usuario.id)
    return usuario


def _liberar_vencidas(session: Session, datos: DatosRegistro) -> None:
    """A registration never activated while its link was valid (say, with a mistyped e-mail: the link went to
    nobody) no longer holds its document number or e-mail: it is removed, so that its owner can register
    again. It locked the number for ever, and anyone could hold someone else's that way."""
    try:
        numero = documentos.validar_documento(datos.tipo_documento.name, datos.numero_documento)
    except documentos.DocumentoInvalido:
        numero = datos.numero_documento
    email = normalizar_correo(datos.email)
    # FAB stamps created_on with the server's local time, without zone
    limite = dt.datetime.now() - dt.timedelta(hours=horas_activacion())
    U, P = m.Usuario, m.Postulante
    for post in session.scalars(sa.select(P).join(U, U.id == P.usuario_id).where(
            sa.or_(sa.func.lower(U.username) == numero.lower(), sa.func.lower(P.email) == email),
            U.active.is_(False), U.created_on < limite)).all():
        usuario = post.usuario
        if pendiente_de_activacion(usuario):
            log.info("Registro no activado y vencido liberado: usuario %s", usuario.id)
            session.delete(post)
            session.flush()
            session.delete(usuario)
    session.flush()


def _restriccion(exc: IntegrityError) -> tuple[str, str]:
    from casadmin.views.base import constraint_key  # the one reader of PostgreSQL's and SQLite's refusals

    return _RESTRICCIONES.get(
        constraint_key(exc) or "", ("numero_documento", "No se pudo registrar la cuenta: revise sus datos.")
    )


# --- links -------------------------------------------------------------------------------------


def _serializador(sal: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=sal)


def _huella(usuario: m.Usuario) -> str:
    """A fingerprint of the account: changes when the password (or username, e-mail) changes."""
    texto = f"{usuario.id}:{usuario.username}:{usuario.email}:{usuario.password or ''}"
    return hashlib.sha256(texto.encode()).hexdigest()[:32]


def huella_sesion(usuario: m.Usuario) -> str:
    """What a session keeps of the account: changes when the password does (casadmin.security.load_user)."""
    return hashlib.sha256(f"sesion:{usuario.id}:{usuario.password or ''}".encode()).hexdigest()[:32]


def _token(usuario: m.Usuario, sal: str) -> str:
    return _serializador(sal).dumps({"u": usuario.id, "h": _huella(usuario)})


def _leer(session: Session, token: str, sal: str, horas: int, bloquear: bool = False) -> m.Usuario:
    """The account a link is for. ``bloquear`` locks its row until the commit, so that two uses of
    one link at the same moment are one after the other and the second finds it spent."""
    try:
        data = _serializador(sal).loads(token, max_age=horas * 3600)
    except SignatureExpired:
        raise EnlaceInvalido(vencido=True) from None
    except BadSignature:
        raise EnlaceInvalido(vencido=False) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise EnlaceInvalido(vencido=False)
    consulta = sa.select(m.Usuario).where(m.Usuario.id == data["u"])
    if bloquear:
        consulta = consulta.with_for_update().execution_options(populate_existing=True)
    usuario = session.scalar(consulta)
    if usuario is None or data.get("h") != _huella(usuario):
        raise EnlaceInvalido(vencido=False)
    return usuario


def _sin_plazo(session: Session, token: str, sal: str) -> m.Usuario | None:
    """The account of a genuine link whatever its age (only to tell an expired link's owner how things are)."""
    firmado, data = _serializador(sal).loads_unsafe(token)
    if not firmado or not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    usuario = session.get(m.Usuario, data["u"])
    return usuario if usuario is not None and data.get("h") == _huella(usuario) else None


def horas_activacion() -> int:
    return int(current_app.config.get("ACTIVACION_HORAS", 48))


def horas_recuperacion() -> int:
    return int(current_app.config.get("RECUPERACION_HORAS", 2))


def token_activacion(usuario: m.Usuario) -> str:
    return _token(usuario, SAL_ACTIVACION)


def token_recuperacion(usuario: m.Usuario) -> str:
    return _token(usuario, SAL_RECUPERACION)


# --- activation ----------------------------------------------------------------------------------


def pendiente_de_activacion(usuario: m.Usuario) -> bool:
    """Registered and never activated (an account an administrator switched off is not pending)."""
    return not usuario.active and not any(r.name == POSTULANTE for r in usuario.roles)


def espera_activacion(session: Session, usuario: m.Usuario) -> bool:
    """An applicant's account registered here and not activated yet."""
    if not pendiente_de_activacion(usuario):
        return False
    return session.scalar(sa.select(m.Postulante.id).where(m.Postulante.usuario_id == usuario.id)) is not None


def activar(session: Session, token: str) -> tuple[m.Usuario, bool]:
    """Activate the account of an activation link: (user, whether it was activated just now).

    :raises EnlaceInvalido: expired, tampered with, or for an account switched off by an administrator.
    """
    try:
        usuario = _leer(session, token, SAL_ACTIVACION, horas_activacion(), bloquear=True)
    except EnlaceInvalido as exc:
        # An old link of an account already active: say so rather than "ask for a new link".
        if exc.vencido and (ya := _sin_plazo(session, token, SAL_ACTIVACION)) is not None and ya.active:
            return ya, False
        raise
    if usuario.active:
        session.commit()  # nothing to change: end the transaction (and its row lock)
        return usuario, False
    if not pendiente_de_activacion(usuario):
        raise EnlaceInvalido(vencido=False)
    rol = current_app.appbuilder.sm.find_role(POSTULANTE)
    usuario.active = True
    usuario.roles = [*usuario.roles, rol]
    session.commit()
    log.info("Cuenta de postulante activada: usuario %s", usuario.id)
    return usuario, True


def _correo_activacion(session: Session, usuario: m.Usuario, destinatario: str, enlace: Callable[[str], str]) -> None:
    horas = horas_activacion()
    mailer.encolar(
        session, tipo=TipoCorreo.activacion, destinatario=destinatario, usuario_id=usuario.id,
        asunto="Active su cuenta de postulante",
        cuerpo=(
            f"Estimado(a) {usuario.first_name}:\n\n"
            "Se registró una cuenta de postulante con su número de documento en el sistema de "
            "convocatorias CAS. Para activarla, abra este enlace:\n\n"
            f"{enlace(token_activacion(usuario))}\n\n"
            f"El enlace vence en {_en_horas(horas)}. Si venció, solicite uno nuevo en la página de inicio de "
            "sesión («Reenviar enlace de activación»).\n\n"
            "Luego inicie sesión con su número de documento y su contraseña.\n\n"
            "Si usted no hizo este registro, ignore este mensaje.\n"
        ),
    )


def reenviar_activacion(session: Session, numero: str, email: str, enlace: Callable[[str], str]) -> bool:
    """Send a new activation link when the document number and e-mail belong to a pending account.

    Returns whether a message was queued; the caller shows the same answer either way.
    """
    post = _postulante_por_documento_y_correo(session, numero, email)
    if post is None or not pendiente_de_activacion(post.usuario):
        return False
    _correo_activacion(session, post.usuario, post.email, enlace)
    session.commit()
    return True


# --- password recovery -------------------------------------------------------------------------


def solicitar_recuperacion(
    session: Session, numero: str, email: str, enlace_recuperacion: Callable[[str], str],
    enlace_activacion: Callable[[str], str],
) -> bool:
    """E-mail a recovery link when the document number and e-mail belong to an active account.

    An account still waiting for activation gets a new activation link instead (it has a password
    already; what it lacks is the proof of its e-mail). Returns whether a message was queued; the
    caller shows the same answer either way.
    """
    post = _postulante_por_documento_y_correo(session, numero, email)
    if post is None:
        return False
    usuario = post.usuario
    if pendiente_de_activacion(usuario):
        _correo_activacion(session, usuario, post.email, enlace_activacion)
        session.commit()
        return True
    if not usuario.active:
        return False
    horas = horas_recuperacion()
    mailer.encolar(
        session, tipo=TipoCorreo.recuperacion, destinatario=post.email, usuario_id=usuario.id,
        asunto="Recuperación de contraseña",
        cuerpo=(
            f"Estimado(a) {usuario.first_name}:\n\n"
            "Recibimos una solicitud para cambiar la contraseña de su cuenta de postulante. "
            "Para elegir una nueva, abra este enlace:\n\n"
            f"{enlace_recuperacion(token_recuperacion(usuario))}\n\n"
            f"El enlace vence en {_en_horas(horas)} y sirve una sola vez.\n\n"
            "Si usted no lo solicitó, ignore este mensaje: su contraseña no cambiará.\n"
        ),
    )
    session.commit()
    return True


def usuario_de_recuperacion(session: Session, token: str, bloquear: bool = False) -> m.Usuario:
    """The active account a recovery link is for.

    :raises EnlaceInvalido: expired, tampered with, already used (the password changed since).
    """
    usuario = _leer(session, token, SAL_RECUPERACION, horas_recuperacion(), bloquear)
    if not usuario.active:
        raise EnlaceInvalido(vencido=False)
    return usuario


def restablecer(session: Session, token: str, clave: str) -> m.Usuario:
    """Set a new password through a recovery link; the link (and any other) stops working.

    :raises EnlaceInvalido: see :func:`usuario_de_recuperacion`.
    :raises CuentaRechazada: the password breaks the rule (field ``clave``).
    """
    if (msg := error_clave(clave)) is not None:
        raise CuentaRechazada({"clave": msg})
    usuario = usuario_de_recuperacion(session, token, bloquear=True)
    usuario.password = _hash(clave)
    usuario.fail_login_count = 0
    session.commit()
    log.info("Contraseña restablecida: usuario %s", usuario.id)
    return usuario


def _en_horas(horas: int) -> str:
    return "1 hora" if horas == 1 else f"{horas} horas"


def _hash(clave: str) -> str:
    """Hashed as FAB hashes (``FAB_PASSWORD_HASH_METHOD``), so its login checks it."""
    config = current_app.config
    return generate_password_hash(
        clave, method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
    )
