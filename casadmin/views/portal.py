"""The applicant's screens (C2, C3, C5, C6; Mig. 5–12): "Mi Ficha de Postulante", "Convocatorias
abiertas" with the application flow, and "Mis postulaciones" with the expediente.

Mobile first: one column, native inputs (``type=date``, ``type=file`` with ``accept``), one
file per request (slow lines), every error shown at its field. Only the Postulante role holds
these permissions, and each page works on the signed-in applicant's own rows only
(:func:`mi_postulante` plus :func:`casadmin.scoping.condition`): administrators and staff get
403, anonymous users are sent to the login page, like everywhere else in the app.

The views only translate between HTTP and :mod:`casadmin.portal` /
:mod:`casadmin.commands.postular`; forms are validated on the server with WTForms.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, g, jsonify, redirect, request, send_file, session, url_for
from flask_appbuilder import AppBuilder, BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from casadmin import engine_db
from casadmin import models as m
from casadmin import portal
from casadmin.commands import postular as cmd
from casadmin.etapas import citaciones_notificadas
from casadmin.extensions import db
from casadmin.ficha_pdf import generar as generar_ficha_pdf
from casadmin.models.enums import (
    CondicionFormacion,
    EstadoCivil,
    EstadoConvocatoria,
    Etapa,
    NivelConocimiento,
    NivelFormacion,
    ProgramaOfimatica,
    Sector,
    Sexo,
    TipoCapacitacion,
    TipoExperiencia,
)
from casadmin.peru import ubigeo
from casadmin.peru.clock import now, to_lima, today
from casadmin.scoping import condition
from casadmin.storage import get_storage
from casadmin.uploads import MAX_FIRMA_BYTES, MAX_PDF_BYTES, ArchivoRechazado
from casadmin.views.base import DomainError, FormularioConReglas, integrity_message
from casadmin.views.postulantes import validate_postulante

#: Menu entries (their names are also the ``menu_access`` permissions in :mod:`casadmin.roles`).
MENU_FICHA = "Mi Ficha de Postulante"
MENU_CONVOCATORIAS = "Convocatorias abiertas"
MENU_POSTULACIONES = "Mis postulaciones"

MSG_TAMANO_PDF = f"El archivo supera el tamaño máximo de {MAX_PDF_BYTES // (1024 * 1024)} MB."
MSG_TAMANO_FIRMA = f"La imagen de la firma supera el tamaño máximo de {MAX_FIRMA_BYTES // 1024} KB."
REQUERIDO = "Este dato es obligatorio."


def mi_postulante() -> m.Postulante:
    """The signed-in user's own applicant record; 403 for anyone without one (staff, administrators)."""
    post = db.session.scalar(
        sa.select(m.Postulante).where(m.Postulante.usuario_id == current_user.id, condition(m.Postulante))
    )
    if post is None:
        abort(403)
    return post


# --- form fields -----------------------------------------------------------------------------


def _opciones(pares: Any, vacio: str | None = "Seleccione…") -> list[SelectChoice]:
    """Select options from (value, label) pairs, first the empty one (WTForms 3.3: ``SelectChoice``)."""
    return [*([SelectChoice("", vacio)] if vacio is not None else []), *(SelectChoice(v, l) for v, l in pares)]


class Fecha(DateField):
    """A native date input; a value that is not a date gets a Spanish message at the field."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Ingrese una fecha válida.") from None


class Lista(SelectField):
    """A select over one of the domain's enums: shows the Spanish label, yields the member."""

    def __init__(self, label: str, enum: type, placeholder: str = "Seleccione…", **kwargs: Any) -> None:
        def coerce(value: Any) -> Any:
            if value in (None, "") or isinstance(value, enum):
                return value or None
            try:
                return enum[value]
            except KeyError:
                raise ValueError("Seleccione una opción de la lista.") from None

        kwargs.setdefault("validators", [InputRequired("Seleccione una opción.")])
        super().__init__(label, choices=_opciones(enum.choices(), placeholder), coerce=coerce, **kwargs)


def _texto(label: str, maximo: int, requerido: bool = True, **kwargs: Any) -> StringField:
    validators = [InputRequired(REQUERIDO) if requerido else Optional(),
                  Length(max=maximo, message=f"Máximo {maximo} caracteres.")]
    return StringField(label, validators=validators, filters=[_strip], **kwargs)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _no_futura(form: Any, field: Any) -> None:
    if field.data and field.data > today():
        raise ValidationError("La fecha no puede ser futura.")


_Form = FormularioConReglas


# --- C2: the forms of the ten sections ----------------------------------------------------------


class DatosPersonalesForm(_Form):
    """Section 1 (C1 fields; the document type and number identify the account and are not edited here)."""

    nacionalidad = _texto("Nacionalidad", 60)
    apellido_paterno = _texto("Apellido paterno", 100)
    apellido_materno = _texto("Apellido materno", 100, requerido=False)
    nombres = _texto("Nombres", 150)
    lugar_nacimiento = _texto("Lugar de nacimiento", 150)
    fecha_nacimiento = Fecha("Fecha de nacimiento (solo mayores de edad)",
                             validators=[InputRequired("Ingrese la fecha de nacimiento."), _no_futura])
    sexo = Lista("Sexo", Sexo)
    estado_civil = Lista("Estado civil", EstadoCivil)
    departamento = SelectField("Departamento", validate_choice=False)
    provincia = SelectField("Provincia", validate_choice=False)
    distrito = SelectField("Distrito", validate_choice=False)
    urbanizacion = _texto("Urbanización", 150, requerido=False)
    via = _texto("Vía (Av., Calle, Jr.)", 60, requerido=False)
    direccion = _texto("Dirección", 300)
    telefono = StringField("Teléfono fijo", filters=[_strip], validators=[
        Optional(), Regexp(r"^\+?[0-9 ]{6,20}$", message="Ingrese solo números (6 a 20 dígitos).")])
    celular = StringField("Celular", filters=[_strip], validators=[
        InputRequired(REQUERIDO), Regexp(r"^\+?[0-9 ]{9,20}$", message="Ingrese un celular válido (9 dígitos o más).")])
    email = StringField("Correo electrónico", filters=[_strip], validators=[
        InputRequired(REQUERIDO), Length(max=320), Email("Ingrese un correo electrónico válido.")])
    email_confirmacion = StringField("Ingrese nuevamente el correo (solo si lo cambia)", filters=[_strip])

    def __init__(self, *args: Any, email_actual: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._email_actual = email_actual
        dep = self.departamento.data or ""
        prov = self.provincia.data or ""
        self.departamento.choices = _opciones(ubigeo.departamentos())
        self.provincia.choices = _opciones(ubigeo.provincias(dep) if dep else [])
        self.distrito.choices = _opciones(ubigeo.distritos(prov) if prov else [])

    def validate_distrito(self, field: Any) -> None:
        d = ubigeo.get(field.data or "")
        if d is None:
            raise ValidationError("Seleccione el departamento, la provincia y el distrito de su domicilio.")
        if d.provincia_codigo != self.provincia.data or d.departamento_codigo != self.departamento.data:
            raise ValidationError("El distrito no pertenece a la provincia y el departamento seleccionados.")

    def reglas(self) -> list[tuple[str, str]]:
        email, confirmacion = (self.email.data or "").lower(), (self.email_confirmacion.data or "").lower()
        if email and email != (self._email_actual or "").lower() and confirmacion != email:
            return [("email_confirmacion", "Los correos no coinciden: escriba el nuevo correo dos veces.")]
        return []


class InformacionAdicionalForm(_Form):
    """Section 9 (§4.1, §4.3): CONADIS, FF.AA., deportista calificado, alternate e-mail."""

    discapacidad = BooleanField("Persona con discapacidad inscrita en el registro del CONADIS")
    registro_conadis = _texto("N° de inscripción en el CONADIS", 40, requerido=False)
    ajustes_razonables = TextAreaField("Ajustes razonables que requiere para el proceso", filters=[_strip],
                                       validators=[Optional(), Length(max=2000)])
    licenciado_ffaa = BooleanField("Licenciado(a) de las Fuerzas Armadas")
    deportista_nivel = SelectField(
        "Deportista calificado(a) de alto nivel",
        choices=_opciones(((str(n), f"Nivel {n}") for n in range(1, 6)), "No"),
        validators=[Optional()],
    )
    email_alterno = StringField("Correo electrónico alterno", filters=[_strip], validators=[
        Optional(), Length(max=320), Email("Ingrese un correo electrónico válido.")])

    def reglas(self) -> list[tuple[str, str]]:
        if self.discapacidad.data and not self.registro_conadis.data:
            return [("registro_conadis", "Indique su N° de inscripción en el CONADIS.")]
        if self.registro_conadis.data and not self.discapacidad.data:
            return [("registro_conadis", "Marque la condición de discapacidad para registrar el N° del CONADIS.")]
        return []


class FormacionForm(_Form):
    nivel = Lista("Nivel", NivelFormacion)
    condicion = Lista("Grado o condición alcanzada", CondicionFormacion)
    carrera = _texto("Carrera o especialidad", 200, requerido=False)
    anio = IntegerField("Año", validators=[Optional()])
    fecha_egreso = Fecha("Fecha de egreso", validators=[Optional(), _no_futura])
    fecha_diploma = Fecha("Fecha de expedición del diploma", validators=[Optional(), _no_futura])
    institucion = _texto("Institución", 200)

    def validate_anio(self, field: Any) -> None:
        if field.data is not None and not 1940 <= field.data <= today().year:
            raise ValidationError("Ingrese un año válido.")

    def reglas(self) -> list[tuple[str, str]]:
        out = []
        if not self.carrera.data and self.nivel.data not in (None, NivelFormacion.secundaria):
            out.append(("carrera", "Indique la carrera o especialidad."))
        # §4.2.1 p: general experience counts from the egreso date (else from the bachiller or título).
        if not self.fecha_egreso.data and not self.fecha_egreso.errors and \
                self.condicion.data is CondicionFormacion.egresado:
            out.append(("fecha_egreso", "Indique la fecha de egreso."))
        grados = (CondicionFormacion.bachiller, CondicionFormacion.titulado, CondicionFormacion.graduado)
        if not self.fecha_diploma.data and not self.fecha_diploma.errors and self.condicion.data in grados:
            out.append(("fecha_diploma", "Indique la fecha de expedición del diploma."))
        return out


class ColegiaturaForm(_Form):
    colegio = _texto("Colegio profesional", 200)
    numero = _texto("N° de colegiatura", 30)
    habilitado = BooleanField("Habilitado(a)")
    habilitado_hasta = Fecha("Habilitado(a) hasta", validators=[Optional()])


class IdiomaForm(_Form):
    idioma = _texto("Idioma o dialecto", 60)
    nivel = Lista("Nivel", NivelConocimiento)


class OfimaticaForm(_Form):
    programa = Lista("Programa", ProgramaOfimatica)
    nivel = Lista("Nivel", NivelConocimiento)


class CapacitacionForm(_Form):
    tipo = Lista("Tipo", TipoCapacitacion)
    tema = _texto("Tema o nombre del estudio", 300)
    horas = DecimalField("Horas lectivas", places=1, validators=[
        InputRequired("Indique las horas lectivas."),
        NumberRange(min=Decimal("0.1"), max=Decimal("99999"), message="Indique horas mayores que cero.")])
    creditos = DecimalField("Créditos (si corresponde)", places=1, validators=[
        Optional(), NumberRange(min=0, max=Decimal("9999"), message="Los créditos no pueden ser negativos.")])
    institucion = _texto("Institución", 200)
    fecha_inicio = Fecha("Fecha de inicio", validators=[Optional()])
    fecha_fin = Fecha("Fecha de término", validators=[InputRequired("Indique la fecha de término.")])
    ente_rector = BooleanField("Organizado por un ente rector (§4.2.1 k)")

    def reglas(self) -> list[tuple[str, str]]:
        fin, inicio = self.fecha_fin.data, self.fecha_inicio.data
        if fin and fin > today():
            return [("fecha_fin", "Solo se declaran estudios concluidos (§4.2.4 c).")]
        if fin and inicio and fin < inicio:
            return [("fecha_fin", "La fecha de término no puede ser anterior a la de inicio.")]
        return []


class ExperienciaForm(_Form):
    empleador = _texto("Empleador (entidad o empresa)", 200)
    sector = Lista("Sector", Sector)
    puesto = _texto("Puesto o cargo", 200)
    funciones = TextAreaField("Funciones principales", filters=[_strip],
                              validators=[InputRequired(REQUERIDO), Length(max=4000)])
    tipo = Lista("Tipo de vínculo", TipoExperiencia)
    fecha_inicio = Fecha("Fecha de inicio", validators=[InputRequired("Indique la fecha de inicio."), _no_futura])
    fecha_fin = Fecha("Fecha de término", validators=[Optional()])
    actual = BooleanField("Es mi trabajo actual")

    def reglas(self) -> list[tuple[str, str]]:
        fin, inicio, actual = self.fecha_fin.data, self.fecha_inicio.data, self.actual.data
        if self.fecha_fin.errors:
            return []
        if actual and fin:
            return [("fecha_fin", "Si es su trabajo actual, deje en blanco la fecha de término.")]
        if not actual and not fin:
            return [("fecha_fin", "Indique la fecha de término o marque «Es mi trabajo actual».")]
        if fin and inicio and fin < inicio:
            return [("fecha_fin", "La fecha de término no puede ser anterior a la de inicio.")]
        if fin and fin > today():
            return [("fecha_fin", "La fecha no puede ser futura.")]
        return []


class OtroRequisitoForm(_Form):
    descripcion = _texto("Requisito", 300)
    detalle = TextAreaField("Detalle", filters=[_strip], validators=[Optional(), Length(max=2000)])


class FirmaForm(FlaskForm):
    firma = FileField("Imagen de la firma (JPG o PNG, 200 × 150 píxeles)",
                      validators=[FileRequired("Seleccione la imagen de su firma.")])


class ArchivoForm(FlaskForm):
    archivo = FileField("Archivo PDF (máximo 5 MB)", validators=[FileRequired("Seleccione el archivo PDF.")])


#: Repeatable sections: section key → (form, model, columns the form writes).
FILAS: dict[str, tuple[type[FlaskForm], type, tuple[str, ...]]] = {
    "formacion_academica": (FormacionForm, m.FormacionAcademica,
                            ("nivel", "condicion", "carrera", "anio", "fecha_egreso", "fecha_diploma", "institucion")),
    "colegiatura": (ColegiaturaForm, m.Colegiatura, ("colegio", "numero", "habilitado", "habilitado_hasta")),
    "idiomas": (IdiomaForm, m.Idioma, ("idioma", "nivel")),
    "ofimatica": (OfimaticaForm, m.Ofimatica, ("programa", "nivel")),
    "capacitaciones": (CapacitacionForm, m.Capacitacion,
                       ("tipo", "tema", "horas", "creditos", "institucion", "fecha_inicio", "fecha_fin", "ente_rector")),
    "experiencia_laboral": (ExperienciaForm, m.ExperienciaLaboral,
                            ("empleador", "sector", "puesto", "funciones", "tipo", "fecha_inicio", "fecha_fin", "actual")),
    "otros_requisitos": (OtroRequisitoForm, m.OtroRequisitoDeclarado, ("descripcion", "detalle")),
}
#: How a row is summarized in its section's list (the columns shown, in order).
RESUMEN: dict[str, tuple[str, ...]] = {
    "formacion_academica": ("nivel", "condicion", "carrera", "institucion", "fecha_egreso", "fecha_diploma"),
    "colegiatura": ("colegio", "numero", "habilitado", "habilitado_hasta"),
    "idiomas": ("idioma", "nivel"),
    "ofimatica": ("programa", "nivel"),
    "capacitaciones": ("tipo", "tema", "horas", "institucion", "fecha_fin"),
    "experiencia_laboral": ("puesto", "empleador", "sector", "tipo", "fecha_inicio", "fecha_fin", "actual"),
    "otros_requisitos": ("descripcion", "detalle"),
}


def valor(v: Any) -> str:
    """A value as the applicant reads it (dates dd/mm/aaaa, Sí/No, Spanish labels)."""
    if v is None or v == "":
        return "—"
    if isinstance(v, bool):
        return "Sí" if v else "No"
    if isinstance(v, dt.datetime):
        return to_lima(v).strftime("%d/%m/%Y %H:%M")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return str(v)


# --- the views -----------------------------------------------------------------------------------


def _permisos(lectura: tuple[str, ...], escritura: tuple[str, ...]) -> dict[str, str]:
    return {**{name: "read" for name in lectura}, **{name: "edit" for name in escritura}}


class _PortalView(BaseView):
    """GET pages need ``can_read``, POST actions ``can_edit`` (granted to Postulante only)."""

    base_permissions = ["can_read", "can_edit"]

    def create_blueprint(self, appbuilder: AppBuilder, endpoint: str | None = None, static_folder: str | None = None):
        bp = super().create_blueprint(appbuilder, endpoint, static_folder)
        # An upload above MAX_CONTENT_LENGTH is refused before the form is read (FAB-NOTES):
        # answer with the page and the message at the file field, not a bare 413.
        bp.register_error_handler(RequestEntityTooLarge, self._demasiado_grande)
        return bp

    def _demasiado_grande(self, exc: RequestEntityTooLarge):
        # With CSRF on, the refusal comes from CSRFProtect's before_request, before FAB's own
        # has set ``g.user``: check the permission here as ``has_access`` would.
        g.user = current_user
        if not current_user.is_authenticated or not self.appbuilder.sm.has_access(
                "can_edit", self.class_permission_name):
            return exc
        return self.demasiado_grande()

    def demasiado_grande(self):
        flash(MSG_TAMANO_PDF, "danger")
        return redirect(request.path), 303

    def render(self, template: str, status: int = 200, **kwargs: Any):
        return self.render_template(f"casadmin/portal/{template}", valor=valor, **kwargs), status


class FichaPostulanteView(_PortalView):
    """C2: "Mi Ficha de Postulante": the ten sections, each saved on its own, and how complete it is."""

    route_base = "/mi-ficha"
    default_view = "index"
    class_permission_name = "FichaPostulanteView"
    method_permission_name = _permisos(("index", "seccion", "fila", "ubigeo_hijos"),
                                       ("guardar_seccion", "guardar_fila", "eliminar_fila"))

    # ---- pages ----

    @expose("/")
    @has_access
    def index(self):
        post = mi_postulante()
        return self.render("ficha.html", postulante=post, completitud=_completitud(post),
                           secciones=portal.SECCIONES)

    @expose("/<clave>", methods=["GET"])
    @has_access
    def seccion(self, clave: str):
        post = mi_postulante()
        return self._seccion(post, clave)

    @expose("/<clave>", methods=["POST"])
    @has_access
    def guardar_seccion(self, clave: str):
        post = mi_postulante()
        sec = portal.POR_CLAVE.get(clave) or abort(404)
        if sec.clave == "datos_personales":
            return self._guardar_personales(post)
        if sec.clave == "informacion_adicional":
            return self._guardar_adicional(post)
        if sec.clave == "firma":
            return self._guardar_firma(post)
        form_cls, model, cols = FILAS[sec.clave]
        form = form_cls()
        if form.validate() and self._guardar_fila(post, sec.clave, form, model(postulante_id=post.id), cols, nueva=True):
            flash(f"Se agregó el registro a «{sec.nombre}».", "success")
            return redirect(url_for(".seccion", clave=clave), 303)
        return self._seccion(post, clave, form=form, status=422)

    @expose("/<clave>/<int:fila_id>", methods=["GET"])
    @has_access
    def fila(self, clave: str, fila_id: int):
        post = mi_postulante()
        sec, row = self._fila(post, clave, fila_id)
        form_cls, _, _ = FILAS[sec.clave]
        return self.render("fila.html", seccion=sec, form=form_cls(obj=row), fila=row,
                           completitud=_completitud(post))

    @expose("/<clave>/<int:fila_id>", methods=["POST"])
    @has_access
    def guardar_fila(self, clave: str, fila_id: int):
        post = mi_postulante()
        sec, row = self._fila(post, clave, fila_id)
        form_cls, _, cols = FILAS[sec.clave]
        form = form_cls()
        if form.validate() and self._guardar_fila(post, sec.clave, form, row, cols, nueva=False):
            flash("Se guardaron los cambios.", "success")
            return redirect(url_for(".seccion", clave=clave), 303)
        return self.render("fila.html", status=422, seccion=sec, form=form, fila=row,
                           completitud=_completitud(post))

    @expose("/<clave>/<int:fila_id>/eliminar", methods=["POST"])
    @has_access
    def eliminar_fila(self, clave: str, fila_id: int):
        post = mi_postulante()
        sec, row = self._fila(post, clave, fila_id)
        db.session.delete(row)
        db.session.commit()
        flash(f"Se eliminó el registro de «{sec.nombre}».", "success")
        return redirect(url_for(".seccion", clave=clave), 303)

    @expose("/ubigeo/<codigo>")
    @has_access
    def ubigeo_hijos(self, codigo: str):
        """The provincias of a departamento (2 digits) or the districts of a provincia (4 digits)."""
        mi_postulante()
        if len(codigo) == 2 and codigo.isdigit():
            return jsonify(ubigeo.provincias(codigo))
        if len(codigo) == 4 and codigo.isdigit():
            return jsonify(ubigeo.distritos(codigo))
        abort(404)

    # ---- helpers ----

    def _seccion(self, post: m.Postulante, clave: str, form: Any = None, status: int = 200):
        sec = portal.POR_CLAVE.get(clave) or abort(404)
        ctx: dict[str, Any] = {"seccion": sec, "postulante": post, "completitud": _completitud(post)}
        if sec.clave == "datos_personales":
            if form is None:
                d = ubigeo.get(post.ubigeo or "")
                lugar = {"departamento": d.departamento_codigo, "provincia": d.provincia_codigo,
                         "distrito": d.inei} if d else {}
                form = DatosPersonalesForm(formdata=None, obj=post, email_actual=post.email, **lugar)
        elif sec.clave == "informacion_adicional":
            if form is None:
                form = InformacionAdicionalForm(obj=post, formdata=None,
                                                deportista_nivel=str(post.deportista_nivel or ""))
        elif sec.clave == "firma":
            form = form or FirmaForm(formdata=None)
            ctx["firma"] = db.session.get(m.Archivo, post.firma_archivo_id) if post.firma_archivo_id else None
        else:
            form_cls, _, _ = FILAS[sec.clave]
            form = form or form_cls(formdata=None)
            rows = sorted(getattr(post, sec.filas), key=lambda r: r.id)
            ctx["filas"] = rows
            ctx["columnas"] = RESUMEN[sec.clave]
        ctx["form"] = form
        return self.render("seccion.html", status=status, **ctx)

    def _fila(self, post: m.Postulante, clave: str, fila_id: int):
        sec = portal.POR_CLAVE.get(clave)
        if sec is None or sec.clave not in FILAS:
            abort(404)
        _, model, _ = FILAS[sec.clave]
        row = db.session.scalar(sa.select(model).where(model.id == fila_id, model.postulante_id == post.id,
                                                       condition(model)))
        if row is None:
            abort(404)
        return sec, row

    def _guardar_fila(self, post: m.Postulante, clave: str, form: Any, row: Any, cols: tuple[str, ...],
                      nueva: bool) -> bool:
        if clave == "ofimatica":
            repetido = db.session.scalar(sa.select(m.Ofimatica.id).where(
                m.Ofimatica.postulante_id == post.id, m.Ofimatica.programa == form.programa.data,
                m.Ofimatica.id != (row.id or 0)))
            if repetido:
                form.programa.errors = ["Ya declaró su nivel en este programa: edite ese registro."]
                return False
        for col in cols:
            setattr(row, col, getattr(form, col).data)
        if nueva:
            db.session.add(row)
        try:
            db.session.commit()
        except IntegrityError as exc:
            db.session.rollback()
            campo, mensaje = integrity_message(exc)
            _error(form, campo, mensaje)
            return False
        return True

    def _guardar_personales(self, post: m.Postulante):
        form = DatosPersonalesForm(email_actual=post.email)
        if request.form.get("_actualizar"):  # no JavaScript: reload the provincia / distrito lists
            return self._seccion(post, "datos_personales", form=form)
        if not form.validate():
            return self._seccion(post, "datos_personales", form=form, status=422)
        email = form.email.data.lower()
        if email != (post.email or "").lower() and self._email_en_uso(email, post):
            form.email.errors = ["Este correo ya está registrado por otra cuenta."]
            return self._seccion(post, "datos_personales", form=form, status=422)
        for col in ("nacionalidad", "apellido_paterno", "apellido_materno", "nombres", "lugar_nacimiento",
                    "fecha_nacimiento", "sexo", "estado_civil", "urbanizacion", "via", "direccion", "telefono",
                    "celular"):
            dato = getattr(form, col).data
            setattr(post, col, None if col in _OPCIONALES and not dato else dato)
        post.ubigeo = form.distrito.data
        post.email = email
        return self._commit_postulante(post, form, "datos_personales", {"ubigeo": "distrito"})

    def _guardar_adicional(self, post: m.Postulante):
        form = InformacionAdicionalForm()
        if not form.validate():
            return self._seccion(post, "informacion_adicional", form=form, status=422)
        post.discapacidad = bool(form.discapacidad.data)
        post.registro_conadis = form.registro_conadis.data or None
        post.ajustes_razonables = form.ajustes_razonables.data or None
        post.licenciado_ffaa = bool(form.licenciado_ffaa.data)
        post.deportista_nivel = int(form.deportista_nivel.data) if form.deportista_nivel.data else None
        post.email_alterno = form.email_alterno.data or None
        return self._commit_postulante(post, form, "informacion_adicional", {})

    def _commit_postulante(self, post: m.Postulante, form: Any, clave: str, campos: dict[str, str]):
        try:
            validate_postulante(post)  # the same C1 checks as the ORH screen: adults only, real district…
            usuario = db.session.get(m.Usuario, post.usuario_id)
            if usuario is not None and clave == "datos_personales":
                usuario.first_name = post.nombres[:64]
                usuario.last_name = " ".join(p for p in (post.apellido_paterno, post.apellido_materno) if p)[:64]
                usuario.email = post.email
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _error(form, campos.get(exc.field or "", exc.field), exc.message)
            return self._seccion(post, clave, form=form, status=422)
        except IntegrityError as exc:
            db.session.rollback()
            campo, mensaje = integrity_message(exc)
            _error(form, campo, mensaje)
            return self._seccion(post, clave, form=form, status=422)
        flash(f"Se guardó «{portal.POR_CLAVE[clave].nombre}».", "success")
        return redirect(url_for(".seccion", clave=clave), 303)

    @staticmethod
    def _email_en_uso(email: str, post: m.Postulante) -> bool:
        otro = db.session.scalar(sa.select(m.Postulante.id).where(sa.func.lower(m.Postulante.email) == email,
                                                                   m.Postulante.id != post.id))
        usuario = db.session.scalar(sa.select(m.Usuario.id).where(sa.func.lower(m.Usuario.email) == email,
                                                                   m.Usuario.id != post.usuario_id))
        return otro is not None or usuario is not None

    def _guardar_firma(self, post: m.Postulante):
        form = FirmaForm()
        if form.validate():
            archivo = form.firma.data
            try:
                portal.guardar_firma(db.session, post, nombre=archivo.filename or "", data=archivo.read())
            except ArchivoRechazado as exc:
                form.firma.errors = [str(exc)]
            else:
                flash("Se guardó su firma digitalizada.", "success")
                return redirect(url_for(".seccion", clave="firma"), 303)
        return self._seccion(post, "firma", form=form, status=422)

    def demasiado_grande(self):
        post = mi_postulante()
        form = FirmaForm(formdata=None)
        form.firma.errors = [MSG_TAMANO_FIRMA]
        return self._seccion(post, "firma", form=form, status=413)


_OPCIONALES = {"apellido_materno", "urbanizacion", "via", "telefono"}


def _error(form: Any, campo: str | None, mensaje: str) -> None:
    field = getattr(form, campo, None) if campo else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors or []), mensaje]
    else:
        flash(mensaje, "danger")


class PostularView(_PortalView):
    """C3 (§4.1 Postulación; Mig. 5–11): the open calls, the draft of documents, the declaration,
    the confirmation step and "Su postulación ha sido registrada satisfactoriamente"."""

    route_base = "/postular"
    default_view = "convocatorias"
    class_permission_name = "PostularView"
    method_permission_name = _permisos(("convocatorias", "postulacion", "ver_documento", "registrada"),
                                       ("cargar", "eliminar", "validar", "confirmar", "finalizar", "descartar"))

    @expose("/")
    @has_access
    def convocatorias(self):
        post = mi_postulante()
        convs = _convocatorias_en_curso()
        mias = dict(db.session.execute(
            sa.select(m.Postulacion.convocatoria_id, m.Postulacion.id).where(m.Postulacion.postulante_id == post.id)
        ).all())
        momento = now()
        filas = []
        for c in convs:
            win = cmd.ventana(db.session, c)
            if win is None:
                continue
            filas.append({"conv": c, "ventana": win, "abierta": cmd.abierta(db.session, c, momento),
                          "por_abrir": momento < win[0], "postulacion_id": mias.get(c.id)})
        filas.sort(key=lambda f: (not f["abierta"], f["ventana"][1]))
        return self.render("convocatorias.html", filas=filas, ahora=momento,
                           completitud=_completitud(post, [f["conv"] for f in filas if f["abierta"] or f["por_abrir"]],
                                                    {f["conv"].id: f["ventana"] for f in filas}))

    @expose("/<int:conv_id>")
    @has_access
    def postulacion(self, conv_id: int):
        post, conv = mi_postulante(), self._convocatoria(conv_id)
        return self._pagina(post, conv)

    @expose("/<int:conv_id>/documentos/<tipo>", methods=["POST"])
    @has_access
    def cargar(self, conv_id: int, tipo: str):
        post, conv = mi_postulante(), self._convocatoria(conv_id)
        t = self._tipo(conv, post, tipo)
        campo = f"documento_{t.codigo}"
        bloqueo = self._bloqueo(post, conv)
        if bloqueo:
            return self._pagina(post, conv, errores={None: bloqueo}, status=409)
        form = ArchivoForm()
        if not form.validate():
            return self._pagina(post, conv, errores={campo: form.archivo.errors[0]}, status=422)
        archivo = form.archivo.data
        try:
            doc = self._borrador(post, conv).cargar(t.codigo, nombre=archivo.filename or "", data=archivo.read())
        except ArchivoRechazado as exc:
            return self._pagina(post, conv, errores={campo: f"{t.nombre}: {exc}"}, status=422)
        flash(f"Se cargó {t.nombre} ({doc.paginas} página{'s' if doc.paginas != 1 else ''}).", "success")
        return redirect(url_for(".postulacion", conv_id=conv.id, _anchor=campo), 303)

    @expose("/<int:conv_id>/documentos/<tipo>/eliminar", methods=["POST"])
    @has_access
    def eliminar(self, conv_id: int, tipo: str):
        post, conv = mi_postulante(), self._convocatoria(conv_id)
        t = self._tipo(conv, post, tipo)
        if self._borrador(post, conv).quitar(t.codigo):
            flash(f"Se eliminó {t.nombre}.", "success")
        return redirect(url_for(".postulacion", conv_id=conv.id, _anchor=f"documento_{t.codigo}"), 303)

    @expose("/<int:conv_id>/documentos/<tipo>/validar", methods=["POST"])
    @has_access
    def validar(self, conv_id: int, tipo: str):
        post, conv = mi_postulante(), self._convocatoria(conv_id)
        t = self._tipo(conv, post, tipo)
        self._borrador(post, conv).validar(t.codigo, request.form.get("validado") == "1")
        return redirect(url_for(".postulacion", conv_id=conv.id, _anchor=f"documento_{t.codigo}"), 303)

    @expose("/<int:conv_id>/documentos/<tipo>", methods=["GET"])
    @has_access
    def ver_documento(self, conv_id: int, tipo: str):
        post, conv = mi_postulante(), self._convocatoria(conv_id)
        t = self._tipo(conv, post, tipo)
        borrador = self._borrador(post, conv)
        doc = borrador.documentos.get(t.codigo)
        fh = borrador.abrir(t.codigo) if doc else None
        if fh is None:
            abort(404)
        return send_file(fh, mimetype="application/pdf", download_name=doc.nombre, as_attachment=False)

    @expose("/<int:conv_id>/confirmar", methods=["POST"])
    @has_access
    def confirmar(self, conv_id: int):
        """Mig. 9–10: the declaration ticked, show exactly what will be sent before it is sent."""
        post, conv = mi_postulante(), self._convocatoria(conv_id)
        declaracion = request.form.get("declaracion") == "1"
        errores = portal.revisar_envio(db.session, postulante=post, convocatoria=conv,
                                       borrador=self._borrador(post, conv), declaracion=declaracion)
        if errores:
            return self._pagina(post, conv, errores=dict(reversed(errores)), declaracion=declaracion, status=422)
        return self._confirmacion(post, conv)

    @expose("/<int:conv_id>/finalizar", methods=["POST"])
    @has_access
    def finalizar(self, conv_id: int):
        post, conv = mi_postulante(), self._convocatoria(conv_id)
        declaracion = request.form.get("declaracion") == "1"
        if request.form.get("confirmo") != "1":
            return self._confirmacion(post, conv, error="Marque la casilla para confirmar que leyó el mensaje.",
                                      status=422)
        try:
            postulacion = portal.finalizar(db.session, postulante=post, convocatoria=conv,
                                           borrador=self._borrador(post, conv), declaracion=declaracion)
        except cmd.PostulacionRechazada as exc:
            return self._pagina(post, conv, errores={exc.campo: exc.mensaje}, declaracion=declaracion, status=422)
        return redirect(url_for(".registrada", postulacion_id=postulacion.id), 303)

    @expose("/<int:conv_id>/descartar", methods=["POST"])
    @has_access
    def descartar(self, conv_id: int):
        post, conv = mi_postulante(), self._convocatoria(conv_id)
        self._borrador(post, conv).descartar()
        flash("Se descartaron los documentos cargados.", "info")
        return redirect(url_for(".postulacion", conv_id=conv.id), 303)

    @expose("/registrada/<int:postulacion_id>")
    @has_access
    def registrada(self, postulacion_id: int):
        post = mi_postulante()
        p = _mi_postulacion(post, postulacion_id)
        return self.render("registrada.html", postulacion=p, documentos=sorted(p.documentos, key=lambda d: d.id),
                           nombres=cmd.nombres_documentos(p.convocatoria))

    # ---- helpers ----

    def demasiado_grande(self):
        post = mi_postulante()
        args = request.view_args or {}
        conv = self._convocatoria(int(args.get("conv_id", 0)))
        tipo = args.get("tipo")
        campo = f"documento_{tipo}" if tipo else None
        return self._pagina(post, conv, errores={campo: MSG_TAMANO_PDF}, status=413)

    @staticmethod
    def _convocatoria(conv_id: int) -> m.Convocatoria:
        conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.id == conv_id,
                                                                  condition(m.Convocatoria)))
        if conv is None:
            abort(404)
        return conv

    @staticmethod
    def _tipo(conv: m.Convocatoria, post: m.Postulante, codigo: str):
        _, tipos = cmd.tipos_documento(conv, post)
        t = next((t for t in tipos if t.codigo == codigo), None)
        if t is None:
            abort(404)
        return t

    @staticmethod
    def _borrador(post: m.Postulante, conv: m.Convocatoria) -> portal.Borrador:
        return portal.Borrador(session, conv.id, post.usuario_id)

    @staticmethod
    def _bloqueo(post: m.Postulante, conv: m.Convocatoria) -> str | None:
        """Why nothing may be uploaded for this call now (nothing is stored then)."""
        if portal.ya_postulo(db.session, post, conv) is not None:
            return "Ya postuló a esta convocatoria: la postulación no puede modificarse."
        if not cmd.abierta(db.session, conv):
            return "La postulación a esta convocatoria no está abierta en este momento (hora de Lima)."
        return None

    def _pagina(self, post: m.Postulante, conv: m.Convocatoria, *, errores: dict[str | None, str] | None = None,
                declaracion: bool = False, status: int = 200):
        bases, tipos = cmd.tipos_documento(conv, post)
        borrador = self._borrador(post, conv)
        ya = portal.ya_postulo(db.session, post, conv)
        if ya is not None:
            borrador.descartar()  # e.g. sent from another device: the pending files have no use
        docs, perdidos = borrador.vigentes()
        errores = dict(errores or {})
        for codigo in perdidos:
            errores.setdefault(f"documento_{codigo}", "El archivo cargado ya no está disponible: vuelva a cargarlo.")
        return self.render(
            "postular.html", status=status, conv=conv, bases=bases, tipos=tipos, docs=docs, errores=errores,
            general=errores.get(None), declaracion=declaracion, ventana=cmd.ventana(db.session, conv),
            abierta=cmd.abierta(db.session, conv), ya=ya, completitud=_completitud(post, [conv]),
            form=ArchivoForm(formdata=None),
        )

    def _confirmacion(self, post: m.Postulante, conv: m.Convocatoria, error: str | None = None, status: int = 200):
        bases, tipos = cmd.tipos_documento(conv, post)
        docs, _ = self._borrador(post, conv).vigentes()
        return self.render("confirmar.html", status=status, conv=conv, bases=bases, tipos=tipos, docs=docs,
                           postulante=post, completitud=_completitud(post, [conv]), error=error,
                           form=ArchivoForm(formdata=None))


def _convocatorias_en_curso() -> list[m.Convocatoria]:
    """The calls the applicant's list shows (published, or receiving applications), newest first."""
    return list(db.session.scalars(
        sa.select(m.Convocatoria).where(
            condition(m.Convocatoria),
            m.Convocatoria.estado.in_((EstadoConvocatoria.publicada, EstadoConvocatoria.postulacion)))
        .order_by(m.Convocatoria.id.desc())))


def _completitud(post: m.Postulante, convocatorias: list[m.Convocatoria] | None = None,
                 ventanas: dict[int, Any] | None = None) -> portal.Completitud:
    """The Ficha's completeness for these calls (by default those in course; ``ventanas``: their application
    periods, when read already): the signature (section 10) is required only when one of their bases asks
    for it (:func:`casadmin.portal.pide_firma`)."""
    if convocatorias is None:
        en_curso = _convocatorias_en_curso()
        ventanas = {c.id: cmd.ventana(db.session, c) for c in en_curso}
        momento = now()
        convocatorias = [c for c in en_curso if (w := ventanas[c.id]) and momento <= w[1]]
    return portal.completitud(post, firma=portal.pide_firma(db.session, convocatorias, ventanas))


def _mi_postulacion(post: m.Postulante, postulacion_id: int) -> m.Postulacion:
    p = db.session.scalar(sa.select(m.Postulacion).where(
        m.Postulacion.id == postulacion_id, m.Postulacion.postulante_id == post.id, condition(m.Postulacion)))
    if p is None:
        abort(404)
    return p


class MisPostulacionesView(_PortalView):
    """C6 and C5: each application's state, its frozen Ficha, each published stage result with its
    reasons, and the expediente curricular inside its window."""

    route_base = "/mis-postulaciones"
    default_view = "lista"
    class_permission_name = "MisPostulacionesView"
    method_permission_name = _permisos(("lista", "detalle", "ficha_pdf"), ("expediente",))

    @expose("/")
    @has_access
    def lista(self):
        post = mi_postulante()
        ps = db.session.scalars(sa.select(m.Postulacion).where(
            m.Postulacion.postulante_id == post.id, condition(m.Postulacion)).order_by(m.Postulacion.id.desc())).all()
        filas = []
        citaciones = citaciones_notificadas(db.session, [p.id for p in ps])  # G1: the interview notice
        for p in ps:
            pubs = portal.resultados_publicados(db.session, p, condition(m.ResultadoEtapa))
            filas.append({"p": p, "estado": portal.estado_visible(p, pubs, portal.final_publicado(db.session, p)),
                          "resultados": pubs, "citacion": citaciones.get(p.id)})
        return self.render("mis_postulaciones.html", filas=filas)

    @expose("/<int:postulacion_id>")
    @has_access
    def detalle(self, postulacion_id: int):
        post = mi_postulante()
        return self._detalle(post, _mi_postulacion(post, postulacion_id))

    @expose("/<int:postulacion_id>/ficha.pdf")
    @has_access
    def ficha_pdf(self, postulacion_id: int):
        """The frozen Ficha as sent by e-mail (C4); rendered again from the snapshot when that file is absent."""
        post = mi_postulante()
        p = _mi_postulacion(post, postulacion_id)
        nombre = f"Ficha de Postulante {p.convocatoria.codigo}.pdf"
        archivo = portal.constancia(db.session, p)
        if archivo is not None and get_storage().exists(archivo.clave):
            return send_file(get_storage().open(archivo.clave), mimetype="application/pdf", download_name=nombre)
        pdf = generar_ficha_pdf(p.ficha, codigo=p.convocatoria.codigo, puesto=p.convocatoria.nombre_puesto,
                                entidad=p.convocatoria.entidad.nombre, registrada_en=p.registrada_en,
                                sha256=p.ficha_sha256)
        return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=nombre)

    @expose("/<int:postulacion_id>/expediente", methods=["POST"])
    @has_access
    def expediente(self, postulacion_id: int):
        post = mi_postulante()
        p = _mi_postulacion(post, postulacion_id)
        form = ArchivoForm()
        if not form.validate():
            return self._detalle(post, p, errores={"expediente": form.archivo.errors[0]}, status=422)
        archivo = form.archivo.data
        try:
            cmd.presentar_expediente(db.session, postulacion=p, nombre=archivo.filename or "", data=archivo.read())
        except cmd.PostulacionRechazada as exc:
            return self._detalle(post, p, errores={exc.campo or "expediente": exc.mensaje}, status=422)
        flash("Se registró su Expediente Curricular.", "success")
        return redirect(url_for(".detalle", postulacion_id=p.id), 303)

    def demasiado_grande(self):
        post = mi_postulante()
        p = _mi_postulacion(post, int((request.view_args or {}).get("postulacion_id", 0)))
        return self._detalle(post, p, errores={"expediente": MSG_TAMANO_PDF}, status=413)

    def _detalle(self, post: m.Postulante, p: m.Postulacion, errores: dict[str, str] | None = None,
                 status: int = 200):
        pubs = portal.resultados_publicados(db.session, p, condition(m.ResultadoEtapa))
        ficha = next((v for v in pubs if v.etapa is Etapa.ficha and v.motivos), None)
        # How the published experience was counted, experience by experience (issue 3 item 5, D1).
        detalle = {} if ficha is None else engine_db.detalle_experiencia(db.session, p.convocatoria, p.id, ficha.motivos)
        final = portal.final_publicado(db.session, p)
        fuera = None if final is not None else portal.no_convocado(db.session, p, pubs)
        win = cmd.ventana_expediente(db.session, p.convocatoria)
        momento = now()
        exp = cmd.expediente(db.session, p)
        documentos = sorted((d for d in p.documentos if d.tipo != cmd.TIPO_EXPEDIENTE), key=lambda d: d.id)
        nombres = cmd.nombres_documentos(p.convocatoria)
        return self.render(
            "postulacion.html", status=status, p=p, resultados=pubs, detalle=detalle, no_convocado=fuera,
            estado="No convocado(a) a la Entrevista Personal" if fuera else portal.estado_visible(p, pubs, final),
            final=final, documentos=documentos, nombres=nombres, expediente=exp, ventana=win,
            expediente_abierto=bool(win and win[0] <= momento <= win[1]),
            por_abrir=bool(win and momento < win[0]),
            sigue=cmd.sigue_en_proceso(db.session, p), errores=errores or {}, form=ArchivoForm(formdata=None),
        )


VIEWS = (FichaPostulanteView, PostularView, MisPostulacionesView)


def register(appbuilder: AppBuilder) -> None:
    """The applicant's menu: three entries at the top of the navigation bar (one tap on a phone)."""
    for view in VIEWS:
        appbuilder.add_view_no_menu(view)
    appbuilder.add_link(MENU_FICHA, href="/mi-ficha/", icon="fa-id-card")
    appbuilder.add_link(MENU_CONVOCATORIAS, href="/postular/", icon="fa-bullhorn")
    appbuilder.add_link(MENU_POSTULACIONES, href="/mis-postulaciones/", icon="fa-inbox")
