"""The public account screens (C1, G1; Mig. steps 1–3): "Registrar datos de usuario", the activation
link, "Reenviar enlace de activación", "¿Olvidó su contraseña?" and the new-password page.

Public by nature (nobody is signed in yet): no FAB permission guards them; their POSTs are rate
limited per client address (``LIMITE_REGISTRO``, ``LIMITE_RECUPERACION``; a breach answers 429 in
Spanish, :mod:`casadmin.security`). Phone first: one column, native inputs, every error beside its
field, the ubigeo selects filled without reloading (and with a button when JavaScript is off).

The views only translate between HTTP and :mod:`casadmin.cuenta`; forms are validated on the server
with WTForms, the domain's rules (document, age, duplicates) by the service.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose
from flask_appbuilder.utils.limit import Limit
from flask_login import current_user
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from casadmin import cuenta
from casadmin.extensions import db
from casadmin.models.enums import EstadoCivil, Sexo, TipoDocumento
from casadmin.peru import documentos, ubigeo
from casadmin.peru.documentos import TIPOS_DOCUMENTO
from casadmin.views.base import FormularioConReglas

REQUERIDO = "Este dato es obligatorio."
MSG_SOLICITUD_ACTIVACION = (
    "Si los datos corresponden a una cuenta pendiente de activación, le enviamos un nuevo enlace a ese "
    "correo electrónico. Revise también la carpeta de correo no deseado."
)
MSG_SOLICITUD_RECUPERACION = (
    "Si los datos corresponden a una cuenta registrada, le enviamos a ese correo electrónico un enlace "
    "para elegir una nueva contraseña. Revise también la carpeta de correo no deseado."
)


# --- form fields ---------------------------------------------------------------------------------


def _opciones(pares: Any, vacio: str | None = "Seleccione…") -> list[SelectChoice]:
    """Select options from (value, label) pairs, first the empty one (WTForms 3.3: ``SelectChoice``)."""
    return [*([SelectChoice("", vacio)] if vacio is not None else []), *(SelectChoice(v, l) for v, l in pares)]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _texto(label: str, maximo: int, requerido: bool = True) -> StringField:
    validators = [InputRequired(REQUERIDO) if requerido else Optional(),
                  Length(max=maximo, message=f"Máximo {maximo} caracteres.")]
    return StringField(label, validators=validators, filters=[_strip])


class Fecha(DateField):
    """A native date input (``aaaa-mm-dd``) that also takes ``dd/mm/aaaa``; Spanish message when it is neither."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Ingrese una fecha válida (día/mes/año).") from None


class Lista(SelectField):
    """A select over one of the domain's enums: shows the Spanish label, yields the member."""

    def __init__(self, label: str, enum: type, pares: Any = None, **kwargs: Any) -> None:
        def coerce(value: Any) -> Any:
            if value in (None, "") or isinstance(value, enum):
                return value or None
            try:
                return enum[value]
            except KeyError:
                raise ValueError("Seleccione una opción de la lista.") from None

        kwargs.setdefault("validators", [InputRequired("Seleccione una opción.")])
        super().__init__(label, choices=_opciones(pares or enum.choices()), coerce=coerce, **kwargs)


def _clave(label: str) -> PasswordField:
    return PasswordField(label, validators=[InputRequired(REQUERIDO), _regla_clave])


def _regla_clave(form: Any, field: Any) -> None:
    if (msg := cuenta.error_clave(field.data)) is not None:
        raise ValidationError(msg)


def _correo(label: str) -> StringField:
    return StringField(label, filters=[_strip], validators=[
        InputRequired(REQUERIDO), Length(max=320, message="Máximo 320 caracteres."),
        Email("Ingrese un correo electrónico válido.")])


_Form = FormularioConReglas


def _iguales(form: _Form, campo: str, confirmacion: str, mensaje: str, minusculas: bool = False) -> list:
    a, b = getattr(form, campo).data or "", getattr(form, confirmacion).data or ""
    if minusculas:
        a, b = a.lower(), b.lower()
    if a and not getattr(form, campo).errors and a != b:
        return [(confirmacion, mensaje)]
    return []


# --- forms -----------------------------------------------------------------------------------------


class RegistroForm(_Form):
    """Mig. step 2, "Registrar datos de usuario": every field of the manual, in its order."""

    # Datos personales
    nacionalidad = StringField("Nacionalidad", default="Peruana", filters=[_strip], validators=[
        InputRequired(REQUERIDO), Length(max=60, message="Máximo 60 caracteres.")])
    tipo_documento = Lista("Tipo de documento", TipoDocumento, pares=TIPOS_DOCUMENTO.items(), default=TipoDocumento.DNI)
    numero_documento = StringField("Número de documento", filters=[_strip], validators=[
        InputRequired(REQUERIDO), Length(max=20, message="Máximo 20 caracteres.")])
    apellido_paterno = _texto("Apellido paterno", 100)
    apellido_materno = _texto("Apellido materno", 100, requerido=False)
    nombres = _texto("Nombres", 150)
    lugar_nacimiento = _texto("Lugar de nacimiento", 150)
    fecha_nacimiento = Fecha("Fecha de nacimiento (solo mayores de edad)",
                             validators=[InputRequired("Ingrese su fecha de nacimiento.")])
    sexo = Lista("Sexo", Sexo)
    estado_civil = Lista("Estado civil", EstadoCivil)
    # Datos de domicilio
    departamento = SelectField("Departamento", validate_choice=False)
    provincia = SelectField("Provincia", validate_choice=False)
    distrito = SelectField("Distrito", validate_choice=False)
    urbanizacion = _texto("Urbanización", 150, requerido=False)
    via = _texto("Vía (Av., Calle, Jr.)", 60, requerido=False)
    direccion = _texto("Dirección", 300)
    # Datos de contacto
    telefono = StringField("Teléfono fijo", filters=[_strip], validators=[
        Optional(), Regexp(r"^\+?[0-9 ]{6,20}$", message="Ingrese solo números (6 a 20 dígitos).")])
    celular = StringField("Celular", filters=[_strip], validators=[
        InputRequired(REQUERIDO), Regexp(r"^\+?[0-9 ]{9,20}$", message="Ingrese un celular válido (9 dígitos o más).")])
    email = _correo("Correo electrónico")
    email_confirmacion = StringField("Ingrese nuevamente el correo", filters=[_strip],
                                     validators=[InputRequired("Escriba el correo otra vez.")])
    clave = _clave(f"Contraseña ({cuenta.CLAVE_MINIMO} caracteres como mínimo)")
    clave_confirmacion = PasswordField("Ingrese nuevamente la contraseña",
                                       validators=[InputRequired("Escriba la contraseña otra vez.")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dep, prov = self.departamento.data or "", self.provincia.data or ""
        self.departamento.choices = _opciones(ubigeo.departamentos())
        self.provincia.choices = _opciones(ubigeo.provincias(dep) if dep else [])
        self.distrito.choices = _opciones(ubigeo.distritos(prov) if prov else [])

    # The domain's own checks (the service repeats them), so that one round shows every error.

    def validate_numero_documento(self, field: Any) -> None:
        if self.tipo_documento.data is not None:
            try:
                field.data = documentos.validar_documento(self.tipo_documento.data.name, field.data)
            except documentos.DocumentoInvalido as exc:
                raise ValidationError(str(exc)) from None

    def validate_fecha_nacimiento(self, field: Any) -> None:
        if field.data is not None and (msg := cuenta.error_nacimiento(field.data)) is not None:
            raise ValidationError(msg)

    def validate_distrito(self, field: Any) -> None:
        d = ubigeo.get(field.data or "")
        if d is None:
            raise ValidationError("Seleccione el departamento, la provincia y el distrito de su domicilio.")
        if d.provincia_codigo != self.provincia.data or d.departamento_codigo != self.departamento.data:
            raise ValidationError("El distrito no pertenece a la provincia y el departamento seleccionados.")

    def reglas(self) -> list[tuple[str, str]]:
        return [
            *_iguales(self, "email", "email_confirmacion", "Los correos no coinciden.", minusculas=True),
            *_iguales(self, "clave", "clave_confirmacion", "Las contraseñas no coinciden."),
        ]

    def datos(self) -> cuenta.DatosRegistro:
        return cuenta.DatosRegistro(
            nacionalidad=self.nacionalidad.data, tipo_documento=self.tipo_documento.data,
            numero_documento=self.numero_documento.data, apellido_paterno=self.apellido_paterno.data,
            apellido_materno=self.apellido_materno.data or None, nombres=self.nombres.data,
            lugar_nacimiento=self.lugar_nacimiento.data, fecha_nacimiento=self.fecha_nacimiento.data,
            sexo=self.sexo.data, estado_civil=self.estado_civil.data, ubigeo=self.distrito.data,
            urbanizacion=self.urbanizacion.data or None, via=self.via.data or None,
            direccion=self.direccion.data, telefono=self.telefono.data or None, celular=self.celular.data,
            email=self.email.data, clave=self.clave.data,
        )


class SolicitudForm(_Form):
    """A request by document number and e-mail (a new activation link, password recovery)."""

    numero_documento = StringField("Número de documento", filters=[_strip], validators=[
        InputRequired(REQUERIDO), Length(max=20, message="Máximo 20 caracteres.")])
    email = _correo("Correo electrónico registrado")


class NuevaClaveForm(_Form):
    clave = _clave(f"Nueva contraseña ({cuenta.CLAVE_MINIMO} caracteres como mínimo)")
    clave_confirmacion = PasswordField("Ingrese nuevamente la nueva contraseña",
                                       validators=[InputRequired("Escriba la contraseña otra vez.")])

    def reglas(self) -> list[tuple[str, str]]:
        return _iguales(self, "clave", "clave_confirmacion", "Las contraseñas no coinciden.")


# --- views ---------------------------------------------------------------------------------------


def _limite(config_key: str) -> Limit:
    """A per-address limit on a view's POSTs, read from the settings at each request."""
    return Limit(limit_value=lambda: current_app.config[config_key], key_func=None, methods=("POST",), cost=1)


class _CuentaView(BaseView):
    route_base = "/cuenta"

    def render(self, template: str, status: int = 200, **kwargs: Any):
        return self.render_template(f"casadmin/cuenta/{template}", **kwargs), status

    def enlace_invalido(self, exc: cuenta.EnlaceInvalido, nuevo: str):
        """The page for an expired or broken link, with the way to ask for a new one."""
        return self.render("enlace_invalido.html", status=410 if exc.vencido else 400, vencido=exc.vencido,
                           nuevo=nuevo)


def _enlace_activacion(token: str) -> str:
    return url_for("CuentaRegistroView.activar", token=token, _external=True)


def _enlace_recuperacion(token: str) -> str:
    return url_for("CuentaRecuperacionView.restablecer", token=token, _external=True)


class CuentaRegistroView(_CuentaView):
    """``/cuenta/registro``: Mig. step 2; ``/cuenta/activar/<token>``: the e-mailed link."""

    default_view = "registro"
    limits = [_limite("LIMITE_REGISTRO")]

    @expose("/registro", methods=["GET", "POST"])
    def registro(self):
        if current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_index)
        form = RegistroForm()
        if request.method == "GET" or request.form.get("_actualizar"):
            # GET, or a reload of the provincia / distrito lists without JavaScript: no errors yet.
            return self._formulario(form)
        if not form.validate():
            return self._formulario(form, status=422)
        try:
            cuenta.registrar(db.session, form.datos(), _enlace_activacion)
        except cuenta.CuentaRechazada as exc:
            form.rechazos(exc.errores)
            return self._formulario(form, status=422)
        return redirect(url_for(".registrada"), 303)

    def _formulario(self, form: RegistroForm, status: int = 200):
        return self.render("registro.html", status=status, form=form,
                           max_nacimiento=cuenta.nacimiento_mas_reciente().isoformat())

    @expose("/registro/enviado")
    def registrada(self):
        return self.render("registrada.html", horas=cuenta.horas_activacion())

    @expose("/activar/<token>")
    def activar(self, token: str):
        try:
            usuario, ahora = cuenta.activar(db.session, token)
        except cuenta.EnlaceInvalido as exc:
            return self.enlace_invalido(exc, nuevo=url_for("CuentaRecuperacionView.reenviar"))
        return self.render("activada.html", ahora=ahora, usuario=usuario)

    @expose("/ubigeo/<codigo>")
    def ubigeo_hijos(self, codigo: str):
        """The provincias of a departamento (2 digits) or the districts of a provincia (4 digits)."""
        if len(codigo) == 2 and codigo.isdigit():
            return jsonify(ubigeo.provincias(codigo))
        if len(codigo) == 4 and codigo.isdigit():
            return jsonify(ubigeo.distritos(codigo))
        abort(404)


class CuentaRecuperacionView(_CuentaView):
    """Requests by document number and e-mail, answered the same whether an account matches or not:
    ``/cuenta/activacion`` (a new activation link) and ``/cuenta/recuperar`` (password recovery);
    ``/cuenta/restablecer/<token>``: the new password, typed twice."""

    default_view = "recuperar"
    limits = [_limite("LIMITE_RECUPERACION")]

    @expose("/activacion", methods=["GET", "POST"])
    def reenviar(self):
        form = SolicitudForm()
        if request.method == "POST" and form.validate():
            cuenta.reenviar_activacion(db.session, form.numero_documento.data, form.email.data, _enlace_activacion)
            flash(MSG_SOLICITUD_ACTIVACION, "info")
            return redirect(url_for(".reenviar"), 303)
        return self.render("solicitud.html", status=422 if form.errors else 200, form=form,
                           titulo="Reenviar enlace de activación", boton="Enviar nuevo enlace",
                           texto="Escriba el número de documento y el correo con los que se registró: "
                                 "le enviaremos un nuevo enlace para activar su cuenta.")

    @expose("/recuperar", methods=["GET", "POST"])
    def recuperar(self):
        form = SolicitudForm()
        if request.method == "POST" and form.validate():
            cuenta.solicitar_recuperacion(db.session, form.numero_documento.data, form.email.data,
                                          _enlace_recuperacion, _enlace_activacion)
            flash(MSG_SOLICITUD_RECUPERACION, "info")
            return redirect(url_for(".recuperar"), 303)
        return self.render("solicitud.html", status=422 if form.errors else 200, form=form,
                           titulo="¿Olvidó su contraseña?", boton="Enviar enlace",
                           texto="Escriba el número de documento y el correo con los que se registró: "
                                 f"le enviaremos un enlace para elegir una nueva contraseña (vence en "
                                 f"{cuenta.horas_recuperacion()} horas).")

    @expose("/restablecer/<token>", methods=["GET", "POST"])
    def restablecer(self, token: str):
        nuevo = url_for(".recuperar")
        try:
            cuenta.usuario_de_recuperacion(db.session, token)
        except cuenta.EnlaceInvalido as exc:
            return self.enlace_invalido(exc, nuevo=nuevo)
        form = NuevaClaveForm()
        if request.method == "POST" and form.validate():
            try:
                cuenta.restablecer(db.session, token, form.clave.data)
            except cuenta.EnlaceInvalido as exc:
                return self.enlace_invalido(exc, nuevo=nuevo)
            except cuenta.CuentaRechazada as exc:
                form.rechazos(exc.errores)
            else:
                flash("Su contraseña fue cambiada. Inicie sesión con su número de documento y la nueva "
                      "contraseña.", "success")
                return redirect(self.appbuilder.get_url_for_login, 303)
        return self.render("restablecer.html", status=422 if form.errors else 200, form=form)


def register(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(CuentaRegistroView)
    appbuilder.add_view_no_menu(CuentaRecuperacionView)
