"""ORH's "Nueva convocatoria" wizard and the call's page with its life-cycle buttons (B1–B6, B4).

Three steps, each a generated WTForms form validated on the server, each saved in one
transaction with every error at its field:

1. *Datos de la convocatoria* (B1),
2. *Perfil del puesto* with its requirements (B2),
3. *Cronograma* (B3): the business-day calculator of :mod:`casadmin.cronograma` fills every
   milestone from the publication's first day; ORH adjusts and saves (the §4.1 guard applies).

The call's page shows the data, profile, schedule, links to its documents and annex formats
(B6) and announcements (B5), and one button per transition of :mod:`casadmin.ciclo`. Only ORH
(of the call's institution) and the administrator hold these permissions; any other call id
answers 404 (:func:`casadmin.scoping.condition`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from casadmin import audit, ciclo, cronograma
from casadmin import models as m
from casadmin.extensions import db
from casadmin.models.convocatoria import SEPARADOR_TEMAS, juntar, separar
from casadmin.models.enums import (
    CausaCancelacion,
    CausaDesierto,
    EstadoConvocatoria,
    ModalidadFirma,
    NivelAcademico,
    NivelConocimiento,
    ProgramaOfimatica,
    TipoCapacitacion,
    TipoConocimiento,
    TipoHito,
)
from casadmin.peru import business_days as bd
from casadmin.peru.clock import LIMA, to_lima, today
from casadmin.roles import MENU_LABELS
from casadmin.rules.courses import tema_sin_palabras
from casadmin.rules.experience import meses_incoherentes
from casadmin.rules.reasons import como_frase
from casadmin.rules.levels import clave_conocimiento, programa_ofimatica
from casadmin.scoping import condition, current_viewer
from casadmin.views import convocatoria_comun as comun
from casadmin.views.base import DomainError, FormularioConReglas, check_scope, integrity_message
from casadmin.views.convocatorias import validate_convocatoria
from casadmin.views.portal import Fecha, Lista, _opciones

#: Menu entries (their names are the ``menu_access`` permissions in :mod:`casadmin.roles`).
MENU_GESTION = MENU_LABELS["GestionConvocatoriaView"]
MENU_NUEVA = "Nueva convocatoria"
REQUERIDO = "Este dato es obligatorio."
_DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _texto(label: str, maximo: int, requerido: bool = True) -> StringField:
    return StringField(label, filters=[_strip], validators=[
        InputRequired(REQUERIDO) if requerido else Optional(),
        Length(max=maximo, message=f"Máximo {maximo} caracteres.")])


def _entero(label: str, minimo: int = 0, requerido: bool = True, **kwargs: Any) -> IntegerField:
    return IntegerField(label, validators=[
        InputRequired("Ingrese un número entero.") if requerido else Optional(),
        NumberRange(min=minimo, message=f"Ingrese un número igual o mayor que {minimo}.")], **kwargs)


# --- step 1: the call's data (B1) -----------------------------------------------------------------


class DatosForm(FormularioConReglas):
    """B1: number and year, position, órgano, positions, pay, place, contract, bases version, optional stages."""

    entidad = SelectField("Entidad", coerce=int, validate_choice=True)
    version_bases = SelectField("Versión de bases", coerce=int, validate_choice=True)
    numero = _entero("Número de convocatoria", 1)
    anio = _entero("Año", 2000)
    codigo = _texto("Código (se genera si lo deja en blanco)", 60, requerido=False)
    nombre_puesto = _texto("Nombre del puesto", 300)
    cargo_estructural = _texto("Cargo estructural (opcional)", 200, requerido=False)
    organo = _texto("Órgano", 200)
    unidad_organica = _texto("Unidad orgánica (opcional)", 200, requerido=False)
    cantidad_posiciones = _entero("Cantidad de posiciones", 1, default=1)
    remuneracion = DecimalField("Remuneración mensual (S/)", places=2, validators=[
        InputRequired("Ingrese la remuneración mensual."),
        NumberRange(min=0, message="La remuneración no puede ser negativa.")])
    lugar = _texto("Lugar de prestación del servicio", 300)
    duracion_contrato = _texto("Duración del contrato", 200)
    incluye_examen = BooleanField("Incluye Evaluación de Conocimientos Técnicos", default=True)
    incluye_psicologica = BooleanField("Incluye Evaluación Psicológica")
    modalidad_firma = Lista("Modalidad de suscripción del contrato", ModalidadFirma)
    guardar = SubmitField("Guardar y continuar")

    def validate_remuneracion(self, field: Any) -> None:
        if field.data is not None and field.data.as_tuple().exponent < -2:
            raise ValidationError("Use como máximo dos decimales.")


def _entidades() -> list[m.Entidad]:
    return list(db.session.scalars(sa.select(m.Entidad).where(condition(m.Entidad)).order_by(m.Entidad.siglas)))


def _versiones() -> list[m.VersionBases]:
    return list(db.session.scalars(sa.select(m.VersionBases).where(condition(m.VersionBases),
                                                                    m.VersionBases.activa.is_(True))
                                   .order_by(m.VersionBases.entidad_id, m.VersionBases.codigo)))


def _datos_form(conv: m.Convocatoria | None) -> DatosForm:
    if conv is not None and request.method == "GET":
        form = DatosForm(obj=conv)
        form.entidad.data, form.version_bases.data = conv.entidad_id, conv.version_bases_id
        form.modalidad_firma.data = conv.modalidad_firma
    else:
        form = DatosForm()
        if request.method == "GET":
            form.anio.data = today().year
    viewer = current_viewer()
    entidades = _entidades()
    form.entidad.choices = [(e.id, f"{e.siglas} – {e.nombre}") for e in entidades]
    versiones = _versiones()
    form.version_bases.choices = [(v.id, f"{v.nombre} ({v.codigo})" if viewer.entidad_id else
                                   f"{v.entidad.siglas}: {v.nombre} ({v.codigo})") for v in versiones]
    if conv is not None or not viewer.is_admin:
        del form.entidad  # ORH works for its own institution (A1); a call never changes institution
    return form


# --- step 2: the position profile (B2) --------------------------------------------------------------


class CapacitacionFila(Form):
    tipo = SelectField("Tipo", choices=_opciones(TipoCapacitacion.choices()), validators=[Optional()])
    tema = _texto("Tema", 300, requerido=False)
    horas_minimas = _entero("Horas mínimas", 0, requerido=False)
    acepta_afines = BooleanField("Acepta afines")
    temas_afines = _texto("Temas afines aceptados (separados por punto y coma)", 2000, requerido=False)


class ConocimientoFila(Form):
    tipo = SelectField("Tipo", choices=_opciones(TipoConocimiento.choices()), validators=[Optional()])
    nombre = _texto("Programa o idioma", 100, requerido=False)
    nivel = SelectField("Nivel", choices=_opciones(NivelConocimiento.choices()), validators=[Optional()])


class OtroFila(Form):
    descripcion = _texto("Requisito", 300, requerido=False)


class PerfilForm(FormularioConReglas):
    """B2: academic level, careers, colegiatura, experience, courses, knowledge, other requirements, functions."""

    nivel_academico = Lista("Nivel académico", NivelAcademico)
    carreras = TextAreaField("Carreras (separadas por comas)", filters=[_strip],
                             validators=[Optional(), Length(max=2000)])
    acepta_afines = BooleanField("Acepta carreras afines")
    carreras_afines = TextAreaField("Carreras afines aceptadas (separadas por comas)", filters=[_strip],
                                    validators=[Optional(), Length(max=2000)])
    requiere_colegiatura = BooleanField("Requiere colegiatura")
    requiere_habilitacion = BooleanField("Requiere habilitación profesional")
    experiencia_general_meses = _entero("Experiencia general (meses)", 0, default=0)
    experiencia_especifica_meses = _entero("Experiencia específica (meses)", 0, default=0)
    experiencia_especifica_detalle = TextAreaField("Experiencia específica: función o materia", filters=[_strip],
                                                   validators=[Optional(), Length(max=2000)])
    experiencia_publica_meses = _entero("Experiencia específica en el sector público (meses, opcional)", 0,
                                        requerido=False)
    funciones = TextAreaField("Funciones principales", filters=[_strip],
                              validators=[InputRequired(REQUERIDO), Length(max=8000)])
    requiere_deportista = BooleanField("Requiere la condición de deportista calificado(a)")
    capacitaciones = FieldList(FormField(CapacitacionFila), min_entries=2)
    conocimientos = FieldList(FormField(ConocimientoFila), min_entries=2)
    otros = FieldList(FormField(OtroFila), min_entries=1)
    agregar = SelectField("Agregar fila", choices=[("", ""), ("capacitaciones", "capacitaciones"),
                                                     ("conocimientos", "conocimientos"), ("otros", "otros")],
                          validators=[Optional()])
    guardar = SubmitField("Guardar perfil")

    def reglas(self) -> list[tuple[str, str]]:
        return [(campo, como_frase(motivo)) for campo, motivo in meses_incoherentes(
            self.experiencia_general_meses.data or 0, self.experiencia_especifica_meses.data or 0,
            self.experiencia_publica_meses.data)]

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.carreras_afines.data and not self.acepta_afines.data:
            self.carreras_afines.errors = [*self.carreras_afines.errors,
                                           "Marque «Acepta carreras afines» o deje vacía esta lista: solo un perfil "
                                           "que acepta afines admite otras carreras (§4.2.1 g)."]
            ok = False
        for fila in self.capacitaciones:
            f = fila.form
            if f.temas_afines.data and not f.acepta_afines.data:
                f.temas_afines.errors = [*f.temas_afines.errors,
                                         "Marque «Acepta afines» o deje vacía esta lista: solo un requisito que "
                                         "acepta afines admite otros temas (§4.2.1 m)."]
                ok = False
            if f.tema.data and not f.tipo.data:
                f.tipo.errors = [*f.tipo.errors, "Seleccione el tipo de capacitación."]
                ok = False
            for campo, temas in ((f.tema, [f.tema.data] if f.tema.data else []),
                                 (f.temas_afines, separar(f.temas_afines.data, SEPARADOR_TEMAS))):
                motivo = tema_sin_palabras(temas)
                if motivo is not None:
                    campo.errors = [*campo.errors, motivo]
                    ok = False
            if f.tema.data and f.tipo.data == TipoCapacitacion.programa_especializacion.name and \
                    (f.horas_minimas.data or 0) < 80:
                f.horas_minimas.errors = [*f.horas_minimas.errors,
                                          "Un programa de especialización tiene al menos 80 horas (90 si no lo "
                                          "organiza un ente rector, §4.2.1 k)."]
                ok = False
        programas: set[str] = set()
        for fila in self.conocimientos:
            f = fila.form
            if f.nombre.data and not f.tipo.data:
                f.tipo.errors = [*f.tipo.errors, "Seleccione ofimática o idioma."]
                ok = False
            if f.nombre.data and not f.nivel.data:
                f.nivel.errors = [*f.nivel.errors, "Seleccione el nivel requerido (§4.2.1 n)."]
                ok = False
            if f.nombre.data and f.tipo.data == TipoConocimiento.ofimatica.name:
                programa = programa_ofimatica(f.nombre.data)
                if programa is None:
                    f.nombre.errors = [*f.nombre.errors, "En ofimática escriba uno de los programas que pueden "
                                       f"declararse en la Ficha: {', '.join(p.value for p in ProgramaOfimatica)} "
                                       "(§4.2.1 n)."]
                    ok = False
                else:
                    f.nombre.data = programa
            elif f.nombre.data and f.tipo.data == TipoConocimiento.idioma.name and \
                    (programa := programa_ofimatica(f.nombre.data)) is not None:
                f.nombre.errors = [*f.nombre.errors, f"«{f.nombre.data}» es el programa de ofimática «{programa}»: "
                                   "elija Ofimática como tipo (§4.2.1 n)."]
                ok = False
            if f.nombre.data and not f.nombre.errors:
                # One row per program or language: «Excel» is «Hojas de cálculo», «inglés» is «Inglés».
                clave = clave_conocimiento(f.nombre.data)
                if clave in programas:
                    f.nombre.errors = [*f.nombre.errors, f"«{f.nombre.data}» ya figura en otra fila: indíquelo una "
                                       "vez, con el nivel requerido."]
                    ok = False
                programas.add(clave)
        return ok


def _perfil_form(conv: m.Convocatoria) -> PerfilForm:
    perfil = conv.perfil
    if request.method == "GET" and perfil is not None:
        datos = {
            "capacitaciones": [{"tipo": c.tipo.name, "tema": c.tema, "horas_minimas": c.horas_minimas,
                                "acepta_afines": c.acepta_afines, "temas_afines": c.temas_afines}
                               for c in sorted(perfil.capacitaciones, key=lambda x: x.id)],
            "conocimientos": [{"tipo": c.tipo.name, "nombre": c.nombre, "nivel": c.nivel.name}
                              for c in sorted(perfil.conocimientos, key=lambda x: x.id)],
            "otros": [{"descripcion": o.descripcion} for o in sorted(perfil.otros, key=lambda x: x.id)],
        }
        form = PerfilForm(obj=perfil, data=datos)
        form.nivel_academico.data = perfil.nivel_academico
        for lista in (form.capacitaciones, form.conocimientos, form.otros):
            lista.append_entry()  # one empty row to add another
        return form
    form = PerfilForm()
    if request.method == "POST" and form.agregar.data in ("capacitaciones", "conocimientos", "otros"):
        getattr(form, form.agregar.data).append_entry()
    return form


# --- step 3: the schedule (B3) --------------------------------------------------------------------


class FechaHora(DateTimeLocalField):
    """A native date-and-time input (Lima time); a value that is not one gets a Spanish message."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, format="%Y-%m-%dT%H:%M", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Ingrese la fecha y la hora (dd/mm/aaaa hh:mm).") from None


class HitoFila(Form):
    tipo = HiddenField()
    inicio = FechaHora("Inicio", validators=[InputRequired("Ingrese la fecha y hora de inicio.")])
    fin = FechaHora("Fin", validators=[InputRequired("Ingrese la fecha y hora de fin.")])
    responsable = _texto("Responsable", 200, requerido=False)


def _no_habil(dia: dt.date) -> str | None:
    """Why ``dia`` is not a business day in Peru, or None."""
    nombre = bd.feriado(dia)
    if nombre:
        return f"El {dia:%d/%m/%Y} es feriado ({nombre}): elija un día hábil."
    if dia.weekday() >= 5:
        return f"El {dia:%d/%m/%Y} es {_DIAS[dia.weekday()]}: elija un día hábil."
    return None


class CronogramaForm(FormularioConReglas):
    inicio_publicacion = Fecha("Inicio de la publicación", validators=[Optional()])
    calcular = SubmitField("Calcular cronograma")
    hitos = FieldList(FormField(HitoFila))
    guardar = SubmitField("Guardar cronograma")

    def validate_hitos(self, field: Any) -> None:
        anterior = None
        for fila in field:
            f = fila.form
            if f.tipo.data not in TipoHito.__members__:
                raise ValidationError("Etapa desconocida en el cronograma.")
            if f.inicio.data and f.fin.data:
                if f.fin.data < f.inicio.data:
                    f.fin.errors = [*f.fin.errors, "El fin debe ser posterior al inicio."]
                for campo in (f.inicio, f.fin):
                    motivo = _no_habil(campo.data.date())
                    if motivo:
                        campo.errors = [*campo.errors, motivo]
                if anterior is not None and f.inicio.data < anterior:
                    f.inicio.errors = [*f.inicio.errors, "Cada etapa debe empezar después del inicio de la anterior."]
                anterior = f.inicio.data
        if any(fila.form.inicio.errors or fila.form.fin.errors for fila in field):
            raise ValidationError("Revise las fechas marcadas.")


def _filas_de(plan: list[Any]) -> list[dict[str, Any]]:
    return [{"tipo": h.tipo.name, "inicio": to_lima(h.inicio).replace(tzinfo=None),
             "fin": to_lima(h.fin).replace(tzinfo=None), "responsable": getattr(h, "responsable", None)
             or "Oficina de Recursos Humanos"} for h in plan]


# --- life cycle (B4) ------------------------------------------------------------------------------


class CancelarForm(FlaskForm):
    causa = Lista("Causa de la cancelación", CausaCancelacion)
    sustento = TextAreaField("Sustento", filters=[_strip], validators=[Length(max=4000)])


class DesiertoForm(FlaskForm):
    causa = Lista("Causa de la declaratoria de desierto", CausaDesierto)
    sustento = TextAreaField("Sustento (obligatorio si elige otra causa que la propuesta)", filters=[_strip],
                             validators=[Length(max=4000)])


# --- the view ---------------------------------------------------------------------------------------


def _en_borrador(conv: m.Convocatoria, que: str) -> bool:
    if conv.estado is EstadoConvocatoria.borrador:
        return True
    flash(f"La convocatoria ya fue publicada ({conv.estado}): {que} se publicó con ella y ya no se modifica aquí.",
          "warning")
    return False


class GestionConvocatoriaView(BaseView):
    route_base = "/gestion"
    default_view = "lista"
    class_permission_name = "GestionConvocatoriaView"
    method_permission_name = {"lista": "read", "ver": "read", "nueva": "edit", "datos": "edit", "perfil": "edit",
                              "cronograma": "edit", "accion": "edit"}
    base_permissions = ["can_read", "can_edit"]

    def _render(self, template: str, **kw: Any) -> Any:
        return self.render_template(f"casadmin/gestion/{template}", etiquetas={t.name: t.value for t in TipoHito},
                                    **kw)

    @expose("/")
    @has_access
    def lista(self):
        return self._render("lista.html", convocatorias=comun.convocatorias(limite=200))

    # --- step 1 --------------------------------------------------------------------------------

    def _guardar_datos(self, form: DatosForm, conv: m.Convocatoria | None) -> m.Convocatoria | None:
        nueva = conv is None
        conv = conv or m.Convocatoria()
        campos = ("numero", "anio", "codigo", "nombre_puesto", "cargo_estructural", "organo", "unidad_organica",
                  "cantidad_posiciones", "remuneracion", "lugar", "duracion_contrato", "incluye_examen",
                  "incluye_psicologica", "modalidad_firma")
        antes = None if nueva else {c: str(getattr(conv, c)) for c in campos}
        try:
            for c in campos:
                setattr(conv, c, getattr(form, c).data or None if c in ("codigo", "cargo_estructural", "unidad_organica")
                        else getattr(form, c).data)
            if nueva and "entidad" in form:
                conv.entidad_id = form.entidad.data
            conv.version_bases = db.session.get(m.VersionBases, form.version_bases.data)
            if nueva:
                conv.estado = EstadoConvocatoria.borrador
            validate_convocatoria(conv)
            check_scope(conv)
            # The number is what ORH types; its generated code would collide too, so name the number
            # (the same on both databases; the unique constraint still decides between simultaneous saves).
            otra = db.session.scalar(sa.select(m.Convocatoria.id).where(
                m.Convocatoria.entidad_id == conv.entidad_id, m.Convocatoria.numero == conv.numero,
                m.Convocatoria.anio == conv.anio, m.Convocatoria.id != (conv.id or 0)))
            if otra is not None:
                raise DomainError("Ya existe una convocatoria con este número y año en la entidad.", field="numero")
            if nueva:
                db.session.add(conv)
            db.session.flush()
            audit.record(db.session, accion="crear_convocatoria" if nueva else "modificar_convocatoria", objeto=conv,
                         antes=antes, despues={c: str(getattr(conv, c)) for c in campos},
                         usuario_id=g.user.id, usuario=g.user.username, entidad_id=conv.entidad_id,
                         convocatoria_id=conv.id)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            form.rechazos({exc.field or "_": exc.message})
            return None
        except IntegrityError as exc:
            db.session.rollback()
            campo, mensaje = integrity_message(exc)
            form.rechazos({campo or "_": mensaje})
            return None
        return conv

    @expose("/nueva", methods=["GET", "POST"])
    @has_access
    def nueva(self):
        form = _datos_form(None)
        if request.method == "POST" and form.validate():
            conv = self._guardar_datos(form, None)
            if conv is not None:
                flash(f"Convocatoria {conv.codigo} creada en borrador. Registre ahora el perfil del puesto.", "success")
                return redirect(url_for("GestionConvocatoriaView.perfil", convocatoria_id=conv.id))
        return self._render("datos.html", form=form, conv=None, paso=1)

    @expose("/<int:convocatoria_id>/datos", methods=["GET", "POST"])
    @has_access
    def datos(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        if not _en_borrador(conv, "los datos de la convocatoria"):
            return redirect(url_for("GestionConvocatoriaView.ver", convocatoria_id=conv.id))
        form = _datos_form(conv)
        if request.method == "POST" and form.validate():
            if self._guardar_datos(form, conv) is not None:
                flash("Datos de la convocatoria guardados.", "success")
                return redirect(url_for("GestionConvocatoriaView.perfil", convocatoria_id=conv.id))
        return self._render("datos.html", form=form, conv=conv, paso=1)

    # --- step 2 --------------------------------------------------------------------------------

    @expose("/<int:convocatoria_id>/perfil", methods=["GET", "POST"])
    @has_access
    def perfil(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        if not _en_borrador(conv, "el perfil del puesto"):
            return redirect(url_for("GestionConvocatoriaView.ver", convocatoria_id=conv.id))
        form = _perfil_form(conv)
        if request.method == "POST" and not form.agregar.data and form.validate():
            self._guardar_perfil(form, conv)
            flash("Perfil del puesto guardado. Registre ahora el cronograma.", "success")
            return redirect(url_for("GestionConvocatoriaView.cronograma", convocatoria_id=conv.id))
        return self._render("perfil.html", form=form, conv=conv, paso=2)

    def _guardar_perfil(self, form: PerfilForm, conv: m.Convocatoria) -> None:
        perfil = conv.perfil or m.PerfilPuesto(convocatoria=conv)
        for c in ("carreras", "acepta_afines", "carreras_afines", "requiere_colegiatura", "requiere_habilitacion",
                  "experiencia_general_meses", "experiencia_especifica_meses", "experiencia_especifica_detalle",
                  "experiencia_publica_meses", "funciones", "requiere_deportista"):
            setattr(perfil, c, getattr(form, c).data)
        perfil.carreras = perfil.carreras or None
        # Stored as the evaluation reads it: the items without blanks, one separator between them.
        perfil.carreras_afines = juntar(separar(perfil.carreras_afines, ","), ",")
        perfil.experiencia_especifica_detalle = perfil.experiencia_especifica_detalle or None
        perfil.nivel_academico = form.nivel_academico.data
        perfil.capacitaciones = [
            m.RequisitoCapacitacion(tipo=TipoCapacitacion[f.tipo.data], tema=f.tema.data,
                                    horas_minimas=f.horas_minimas.data or 0, acepta_afines=f.acepta_afines.data,
                                    temas_afines=juntar(separar(f.temas_afines.data, SEPARADOR_TEMAS), SEPARADOR_TEMAS))
            for f in (fila.form for fila in form.capacitaciones) if f.tema.data]
        perfil.conocimientos = [
            m.RequisitoConocimiento(tipo=TipoConocimiento[f.tipo.data], nombre=f.nombre.data,
                                    nivel=NivelConocimiento[f.nivel.data])
            for f in (fila.form for fila in form.conocimientos) if f.nombre.data]
        perfil.otros = [m.RequisitoOtro(descripcion=f.descripcion.data)
                        for f in (fila.form for fila in form.otros) if f.descripcion.data]
        db.session.add(perfil)
        db.session.flush()
        audit.record(db.session, accion="guardar_perfil", objeto=perfil,
                     despues={"nivel_academico": perfil.nivel_academico.name,
                              "capacitaciones": len(perfil.capacitaciones), "conocimientos": len(perfil.conocimientos),
                              "otros": len(perfil.otros)},
                     usuario_id=g.user.id, usuario=g.user.username, entidad_id=conv.entidad_id, convocatoria_id=conv.id)
        db.session.commit()

    # --- step 3 --------------------------------------------------------------------------------

    @expose("/<int:convocatoria_id>/cronograma", methods=["GET", "POST"])
    @has_access
    def cronograma(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        if conv.estado in cronograma.CERRADOS:
            flash(f"La convocatoria está {conv.estado.value.lower()}: su cronograma ya no se modifica.", "warning")
            return redirect(url_for("GestionConvocatoriaView.ver", convocatoria_id=conv.id))
        if request.method == "GET":
            filas = _filas_de(sorted(conv.cronograma, key=lambda h: (h.inicio, h.id)))
            publicacion = next((h for h in conv.cronograma if h.tipo is TipoHito.publicacion), None)
            form = CronogramaForm(formdata=None, data={
                "hitos": filas, "inicio_publicacion": to_lima(publicacion.inicio).date() if publicacion else None})
            return self._render("cronograma.html", form=form, conv=conv, paso=3)
        form = CronogramaForm()
        if form.calcular.data:
            inicio = form.inicio_publicacion.data
            if form.inicio_publicacion.errors or not form.inicio_publicacion.validate(form):
                return self._render("cronograma.html", form=form, conv=conv, paso=3)
            if inicio is None:
                form.inicio_publicacion.errors = ["Ingrese la fecha de inicio de la publicación."]
                return self._render("cronograma.html", form=form, conv=conv, paso=3)
            plan = cronograma.plan_de_convocatoria(conv, inicio)
            form = CronogramaForm(formdata=None, data={"inicio_publicacion": inicio, "hitos": _filas_de(plan)})
            flash(f"Cronograma calculado desde el {plan[0].inicio:%d/%m/%Y} en días hábiles (sin fines de semana ni "
                  "feriados). Revise y ajuste las fechas antes de guardar.", "info")
            return self._render("cronograma.html", form=form, conv=conv, paso=3)
        if not form.validate():
            return self._render("cronograma.html", form=form, conv=conv, paso=3)
        filas = [cronograma.FilaHito(TipoHito[f.tipo.data], f.inicio.data.replace(tzinfo=LIMA),
                                     f.fin.data.replace(tzinfo=LIMA), f.responsable.data or None)
                 for f in (fila.form for fila in form.hitos)]
        try:
            cambios = cronograma.guardar(db.session, conv, filas, usuario=g.user)
            db.session.commit()
        except cronograma.CronogramaRechazado as exc:
            db.session.rollback()
            fila = next((x.form for x in form.hitos if x.form.tipo.data == exc.campo), None)
            if fila is not None:
                fila.inicio.errors = [*fila.inicio.errors, exc.mensaje]
            else:
                flash(exc.mensaje, "danger")
            return self._render("cronograma.html", form=form, conv=comun.convocatoria_o_404(convocatoria_id), paso=3)
        except IntegrityError as exc:
            db.session.rollback()
            flash(integrity_message(exc)[1], "danger")
            return self._render("cronograma.html", form=form, conv=comun.convocatoria_o_404(convocatoria_id), paso=3)
        flash("Cronograma guardado." if cambios else "El cronograma no tenía cambios.", "success")
        return redirect(url_for("GestionConvocatoriaView.ver", convocatoria_id=conv.id))

    # --- the call's page and its life cycle ----------------------------------------------------

    def _pagina(self, conv: m.Convocatoria, cancelar: CancelarForm | None = None,
                desierto: DesiertoForm | None = None, status: int = 200) -> Any:
        transiciones = ciclo.disponibles(db.session, conv)
        propuesta = None
        if any(t.accion == "declarar_desierto" for t, _ in transiciones):
            propuesta = ciclo.proponer_desierto(db.session, conv)
            if desierto is None:
                desierto = DesiertoForm(formdata=None)
                desierto.causa.data = propuesta.causa
        html = self._render("convocatoria.html", conv=conv, transiciones=transiciones, propuesta=propuesta,
                            cancelar=cancelar or CancelarForm(formdata=None), desierto=desierto,
                            faltantes=cronograma.faltantes(conv),
                            hitos=sorted(conv.cronograma, key=lambda h: (h.inicio, h.id)),
                            borrador=conv.estado is EstadoConvocatoria.borrador)
        return html, status

    @expose("/<int:convocatoria_id>")
    @has_access
    def ver(self, convocatoria_id: int):
        return self._pagina(comun.convocatoria_o_404(convocatoria_id))

    @expose("/<int:convocatoria_id>/accion/<accion>", methods=["POST"])
    @has_access
    def accion(self, convocatoria_id: int, accion: str):
        conv = comun.convocatoria_o_404(convocatoria_id)
        t = ciclo.POR_ACCION.get(accion)
        if t is None:
            abort(404)
        cancelar = CancelarForm() if accion == "cancelar" else None
        desierto = DesiertoForm() if accion == "declarar_desierto" else None
        form = cancelar or desierto
        if form is not None and not form.validate():
            return self._pagina(conv, cancelar, desierto, status=422)
        try:
            ciclo.ejecutar(db.session, conv, accion, usuario=g.user,
                           causa=form.causa.data.name if form is not None and form.causa.data else None,
                           sustento=form.sustento.data if form is not None else None)
        except ciclo.TransicionRechazada as exc:
            db.session.rollback()
            conv = comun.convocatoria_o_404(convocatoria_id)
            if form is not None and exc.campo and hasattr(form, exc.campo):
                getattr(form, exc.campo).errors = [*getattr(form, exc.campo).errors, exc.mensaje]
            else:
                flash(exc.mensaje, "danger")
            return self._pagina(conv, cancelar, desierto, status=422)
        flash(f"Convocatoria {conv.codigo}: {t.hacia.value.lower()}.", "success")
        return redirect(url_for("GestionConvocatoriaView.ver", convocatoria_id=conv.id))


def register(appbuilder: Any) -> None:
    """The wizard and the calls' pages, under the "Convocatorias" menu."""
    appbuilder.add_view(GestionConvocatoriaView, MENU_GESTION, icon="fa-tasks", category="Convocatorias")
    appbuilder.add_link(MENU_NUEVA, href="/gestion/nueva", icon="fa-plus", category="Convocatorias")
