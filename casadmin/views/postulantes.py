"""Postulantes menu: applicants, the ten Ficha sections, applications and their documents (C1–C6)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import SelectField
from wtforms.validators import DataRequired

from casadmin import models as m
from casadmin.extensions import db
from casadmin.peru import documentos, ubigeo
from casadmin.peru.clock import today
from casadmin.scoping import current_viewer
from casadmin.views.base import DomainError, ScopedApi, ScopedModelView
from casadmin.views.busqueda import OrdenTrasBusqueda

MAYORIA_DE_EDAD = 18


def validate_postulante(item: m.Postulante) -> None:
    """C1: identity document checked, adults only, a real district, e-mail present."""
    try:
        item.numero_documento = documentos.validar_documento(
            item.tipo_documento.name if item.tipo_documento else "", item.numero_documento or ""
        )
    except documentos.DocumentoInvalido as exc:
        raise DomainError(str(exc), field="numero_documento") from None
    if item.fecha_nacimiento is None:
        raise DomainError("Ingrese la fecha de nacimiento.", field="fecha_nacimiento")
    hoy = today()
    edad = hoy.year - item.fecha_nacimiento.year - ((hoy.month, hoy.day) < (item.fecha_nacimiento.month, item.fecha_nacimiento.day))
    if edad < MAYORIA_DE_EDAD:
        raise DomainError("Solo pueden registrarse personas mayores de edad.", field="fecha_nacimiento")
    if not ubigeo.is_valid(item.ubigeo or ""):
        raise DomainError("Seleccione un distrito válido del ubigeo.", field="ubigeo")
    if item.deportista_nivel is not None and not 1 <= item.deportista_nivel <= 5:
        raise DomainError("El nivel de deportista calificado va de 1 a 5.", field="deportista_nivel")
    if item.discapacidad is False and item.registro_conadis:
        raise DomainError("Marque la condición de discapacidad para registrar el N° CONADIS.", field="discapacidad")


def own_postulante_id() -> int:
    """The signed-in applicant's id: Ficha rows always belong to their author."""
    viewer = current_viewer()
    pid = db.session.scalar(sa.select(m.Postulante.id).where(m.Postulante.usuario_id == viewer.user_id))
    if pid is None:
        raise DomainError("Solo el postulante puede registrar datos en su Ficha.")
    return pid


def _ubigeo_field() -> SelectField:
    """C1: the district from Peru's ubigeo list, searchable as «DEPARTAMENTO / PROVINCIA / DISTRITO»."""
    choices = sorted(((d.inei, ubigeo.label(d.inei)) for d in ubigeo.distritos_todos()), key=lambda c: c[1])
    return SelectField(
        "Distrito (departamento / provincia / distrito)",
        choices=[("", "Seleccione…"), *choices],
        validators=[DataRequired("Seleccione el distrito de su domicilio.")],
        widget=Select2Widget(),
    )


class PostulanteView(ScopedModelView):
    plural, singular = "Postulantes", "postulante"
    list_columns = ["numero_documento", "apellido_paterno", "apellido_materno", "nombres", "email", "celular"]
    # issue 5: a name search is answered from the trigram indexes, then sorted (casadmin.views.busqueda)
    datamodel = OrdenTrasBusqueda(m.Postulante, list_columns=list_columns,
                                  columnas_trigrama=("apellido_paterno", "apellido_materno", "nombres"))
    search_columns = ["numero_documento", "apellido_paterno", "apellido_materno", "nombres", "email"]
    order_columns = ["numero_documento", "apellido_paterno", "nombres"]
    base_order = ("apellido_paterno", "asc")
    _personales = [
        "nacionalidad", "tipo_documento", "numero_documento", "apellido_paterno", "apellido_materno", "nombres",
        "lugar_nacimiento", "fecha_nacimiento", "sexo", "estado_civil",
    ]
    _domicilio = ["ubigeo", "urbanizacion", "via", "direccion"]
    _contacto = ["telefono", "celular", "email", "email_alterno"]
    _adicional = ["discapacidad", "registro_conadis", "ajustes_razonables", "licenciado_ffaa", "deportista_nivel"]
    edit_columns = _personales + _domicilio + _contacto + _adicional
    add_columns = edit_columns
    add_form_extra_fields = {"ubigeo": _ubigeo_field()}
    edit_form_extra_fields = {"ubigeo": _ubigeo_field()}
    show_fieldsets = [
        ("1. Datos personales", {"fields": _personales}),
        ("Domicilio", {"fields": _domicilio}),
        ("Contacto", {"fields": _contacto}),
        ("9. Información adicional", {"fields": _adicional}),
    ]

    def validate_item(self, item: m.Postulante) -> None:
        validate_postulante(item)
        if item.usuario_id is None:
            item.usuario_id = current_viewer().user_id


class _FichaSeccionView(ScopedModelView):
    """A repeatable Ficha section: the applicant edits only their own rows."""

    def validate_item(self, item: Any) -> None:
        if item.postulante_id is None:
            item.postulante_id = own_postulante_id()
        self.validate_seccion(item)

    def validate_seccion(self, item: Any) -> None:
        """Section-specific checks."""


class FormacionAcademicaView(_FichaSeccionView):
    datamodel = SQLAInterface(m.FormacionAcademica)
    plural, singular = "2. Formación académica", "formación académica"
    list_columns = ["postulante", "nivel", "condicion", "carrera", "anio", "institucion"]
    search_columns = ["nivel", "condicion", "carrera", "institucion"]
    add_columns = edit_columns = ["nivel", "condicion", "carrera", "anio", "fecha_egreso", "fecha_diploma", "institucion"]
    show_columns = ["postulante", *add_columns]

    def validate_seccion(self, item: m.FormacionAcademica) -> None:
        hoy = today()
        for col in ("fecha_egreso", "fecha_diploma"):
            value = getattr(item, col)
            if value is not None and value > hoy:
                raise DomainError("La fecha no puede ser futura.", field=col)
        if item.anio is not None and not 1940 <= item.anio <= hoy.year:
            raise DomainError("Ingrese un año válido.", field="anio")


class ColegiaturaView(_FichaSeccionView):
    datamodel = SQLAInterface(m.Colegiatura)
    plural, singular = "3. Colegiatura", "colegiatura"
    list_columns = ["postulante", "colegio", "numero", "habilitado", "habilitado_hasta"]
    search_columns = ["colegio", "numero", "habilitado"]
    add_columns = edit_columns = ["colegio", "numero", "habilitado", "habilitado_hasta"]
    show_columns = ["postulante", *add_columns]


class IdiomaView(_FichaSeccionView):
    datamodel = SQLAInterface(m.Idioma)
    plural, singular = "4. Idiomas y dialectos", "idioma"
    list_columns = ["postulante", "idioma", "nivel"]
    search_columns = ["idioma", "nivel"]
    add_columns = edit_columns = ["idioma", "nivel"]
    show_columns = ["postulante", *add_columns]


class OfimaticaView(_FichaSeccionView):
    datamodel = SQLAInterface(m.Ofimatica)
    plural, singular = "5. Ofimática", "conocimiento de ofimática"
    list_columns = ["postulante", "programa", "nivel"]
    search_columns = ["programa", "nivel"]
    add_columns = edit_columns = ["programa", "nivel"]
    show_columns = ["postulante", *add_columns]


class CapacitacionView(_FichaSeccionView):
    datamodel = SQLAInterface(m.Capacitacion)
    plural, singular = "6. Cursos, programas y diplomados", "capacitación"
    list_columns = ["postulante", "tipo", "tema", "horas", "institucion", "fecha_fin"]
    search_columns = ["tipo", "tema", "institucion"]
    add_columns = edit_columns = [
        "tipo", "tema", "horas", "creditos", "institucion", "fecha_inicio", "fecha_fin", "ente_rector",
    ]
    show_columns = ["postulante", *add_columns]

    def validate_seccion(self, item: m.Capacitacion) -> None:
        if item.horas is None or item.horas <= 0:
            raise DomainError("Indique las horas lectivas (mayor que cero).", field="horas")
        if item.creditos is not None and item.creditos < 0:
            raise DomainError("Los créditos no pueden ser negativos.", field="creditos")
        if item.fecha_fin and item.fecha_fin > today():
            raise DomainError("Solo se declaran estudios concluidos (§4.2.4 c).", field="fecha_fin")
        if item.fecha_inicio and item.fecha_fin and item.fecha_fin < item.fecha_inicio:
            raise DomainError("La fecha de término no puede ser anterior a la de inicio.", field="fecha_fin")


class ExperienciaLaboralView(_FichaSeccionView):
    datamodel = SQLAInterface(m.ExperienciaLaboral)
    plural, singular = "7. Experiencia laboral", "experiencia laboral"
    list_columns = ["postulante", "empleador", "sector", "puesto", "tipo", "fecha_inicio", "fecha_fin", "actual"]
    search_columns = ["empleador", "sector", "puesto", "tipo"]
    add_columns = edit_columns = [
        "empleador", "sector", "puesto", "funciones", "tipo", "fecha_inicio", "fecha_fin", "actual",
    ]
    show_columns = ["postulante", *add_columns]

    def validate_seccion(self, item: m.ExperienciaLaboral) -> None:
        if item.actual and item.fecha_fin is not None:
            raise DomainError("Si es su trabajo actual, deje en blanco la fecha de término.", field="fecha_fin")
        if not item.actual and item.fecha_fin is None:
            raise DomainError("Indique la fecha de término o marque «Trabajo actual».", field="fecha_fin")
        if item.fecha_fin and item.fecha_inicio and item.fecha_fin < item.fecha_inicio:
            raise DomainError("La fecha de término no puede ser anterior a la de inicio.", field="fecha_fin")
        if item.fecha_inicio and item.fecha_inicio > today():
            raise DomainError("La fecha de inicio no puede ser futura.", field="fecha_inicio")


class OtroRequisitoDeclaradoView(_FichaSeccionView):
    datamodel = SQLAInterface(m.OtroRequisitoDeclarado)
    plural, singular = "8. Otros requisitos", "otro requisito"
    list_columns = ["postulante", "descripcion", "detalle"]
    search_columns = ["descripcion"]
    add_columns = edit_columns = ["descripcion", "detalle"]
    show_columns = ["postulante", *add_columns]


class PostulacionView(ScopedModelView):
    """Applications are read-only on screens: applying is its own flow (C3), never edited."""

    datamodel = SQLAInterface(m.Postulacion)
    plural, singular = "Postulaciones", "postulación"
    base_permissions = ["can_list", "can_show", "can_export"]
    list_columns = ["convocatoria", "postulante", "registrada_en", "estado"]
    search_columns = ["convocatoria", "estado", "registrada_en"]
    order_columns = ["registrada_en", "estado"]
    base_order = ("id", "desc")
    show_columns = ["convocatoria", "postulante", "registrada_en", "estado", "joven_31533", "declaracion_aceptada", "ficha_sha256"]


class DocumentoPostulacionView(ScopedModelView):
    datamodel = SQLAInterface(m.DocumentoPostulacion)
    plural, singular = "Documentos de postulación", "documento"
    base_permissions = ["can_list", "can_show"]
    list_columns = ["postulacion", "tipo", "paginas", "validado", "cargado_en"]
    search_columns = ["tipo", "validado"]
    show_columns = ["postulacion", "tipo", "paginas", "validado", "cargado_en", "archivo"]


# --- REST API -------------------------------------------------------------------


class PostulanteApi(ScopedApi):
    resource_name = "postulante"
    base_permissions = ["can_get", "can_info"]
    datamodel = SQLAInterface(m.Postulante)
    list_columns = ["id", "tipo_documento", "numero_documento", "apellido_paterno", "apellido_materno", "nombres"]
    show_columns = list_columns + ["email", "celular", "fecha_nacimiento", "ubigeo"]
    search_columns = ["numero_documento", "apellido_paterno", "nombres"]


class PostulacionApi(ScopedApi):
    resource_name = "postulacion"
    base_permissions = ["can_get", "can_info"]
    datamodel = SQLAInterface(m.Postulacion)
    list_columns = ["id", "convocatoria.codigo", "postulante.numero_documento", "registrada_en", "estado"]
    show_columns = list_columns + ["ficha", "ficha_sha256", "joven_31533"]
    search_columns = ["estado"]
