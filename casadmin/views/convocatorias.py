"""Convocatorias menu: calls, profiles, requirements, schedule, announcements, documents (B1–B6)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_appbuilder.models.sqla.interface import SQLAInterface

from casadmin import models as m
from casadmin import cronograma, plugin_admin
from casadmin.extensions import db
from casadmin.models.enums import TipoHito
from casadmin.rules.courses import tema_sin_palabras
from casadmin.rules.experience import meses_incoherentes
from casadmin.rules.reasons import como_frase
from casadmin.scoping import current_viewer
from casadmin.views.base import DomainError, ScopedApi, ScopedModelView


def _own_entidad_default(item: Any) -> None:
    """ORH works for one institution: rows they create belong to it (A1)."""
    viewer = current_viewer()
    if getattr(item, "entidad_id", None) is None and getattr(item, "entidad", None) is None:
        if viewer.entidad_id is None:
            raise DomainError("Seleccione la entidad.", field="entidad")
        item.entidad_id = viewer.entidad_id


def validate_convocatoria(item: m.Convocatoria) -> None:
    """B1: the call's data. The code follows the bases' form ``CAS N° 140-2026-SUNEDU`` (§4.1)."""
    # Nothing of this edit is flushed while it is validated: the bases version's checks (F3) compare
    # it with the call as stored, which a lazy load's autoflush would already have overwritten.
    with db.session.no_autoflush:
        _validar_convocatoria(item)


def _validar_convocatoria(item: m.Convocatoria) -> None:
    _own_entidad_default(item)
    if item.numero is None or item.numero < 1:
        raise DomainError("El número de convocatoria debe ser mayor que cero.", field="numero")
    if item.anio is None or not 2000 <= item.anio <= 2100:
        raise DomainError("Ingrese un año válido (por ejemplo, 2026).", field="anio")
    if item.cantidad_posiciones is None or item.cantidad_posiciones < 1:
        raise DomainError("Debe haber al menos una posición.", field="cantidad_posiciones")
    if item.remuneracion is None or item.remuneracion < 0:
        raise DomainError("La remuneración no puede ser negativa.", field="remuneracion")
    entidad = item.entidad or db.session.get(m.Entidad, item.entidad_id)
    version = item.version_bases
    if version is not None and entidad is not None and version.entidad_id != entidad.id:
        raise DomainError("La versión de bases no pertenece a la entidad.", field="version_bases")
    if plugin_admin.version_cambiada_tras_borrador(item):  # F3: pinned once published
        raise DomainError("La convocatoria ya no es un borrador: conserva la versión de bases con la que se "
                          "publicó, y sus etapas se evalúan con ella.", field="version_bases")
    if version is not None and not plugin_admin.version_elegible(item):  # A4, F3: pinned calls keep theirs
        raise DomainError("Esta versión de bases está deshabilitada para la entidad: elija una habilitada.",
                          field="version_bases")
    postulacion = next((h for h in item.cronograma if h.tipo is TipoHito.postulacion), None)
    cambios = sa.inspect(item).attrs
    if postulacion is not None and (cambios.version_bases.history.has_changes()
                                    or cambios.version_bases_id.history.has_changes()) and \
            (fuera := cronograma.fuera_de_vigencia(version, postulacion.tipo, postulacion.inicio)) is not None:
        raise DomainError(fuera, field="version_bases")  # another version chosen: the schedule's own is checked
    if not item.codigo and entidad is not None:
        item.codigo = f"CAS N° {item.numero:03d}-{item.anio}-{entidad.siglas}"


class ConvocatoriaView(ScopedModelView):
    datamodel = SQLAInterface(m.Convocatoria)
    plural, singular = "Convocatorias", "convocatoria"
    owner_field = "entidad"
    optional_columns = ("codigo",)
    list_columns = ["codigo", "nombre_puesto", "organo", "cantidad_posiciones", "estado", "entidad"]
    search_columns = ["codigo", "nombre_puesto", "organo", "estado", "anio", "entidad"]
    order_columns = ["codigo", "nombre_puesto", "estado", "cantidad_posiciones"]
    base_order = ("id", "desc")
    add_columns = [
        "entidad", "version_bases", "numero", "anio", "codigo", "nombre_puesto", "cargo_estructural",
        "organo", "unidad_organica", "cantidad_posiciones", "remuneracion", "lugar", "duracion_contrato",
        "incluye_examen", "incluye_psicologica", "modalidad_firma",
    ]
    edit_columns = [c for c in add_columns if c not in ("entidad",)]
    show_fieldsets = [
        ("Convocatoria", {"fields": ["codigo", "entidad", "version_bases", "estado", "publicada_en"]}),
        ("Puesto", {"fields": [
            "nombre_puesto", "cargo_estructural", "organo", "unidad_organica", "cantidad_posiciones",
            "remuneracion", "lugar", "duracion_contrato", "modalidad_firma",
        ]}),
        ("Etapas", {"fields": ["incluye_examen", "incluye_psicologica"]}),
        ("Estado", {"fields": ["causa_desierto", "causa_cancelacion", "sustento_estado"], "expanded": False}),
    ]
    description_columns = {
        "codigo": "Se genera como «CAS N° 140-2026-SIGLAS» si lo deja en blanco.",
        "incluye_examen": "Si no incluye evaluación de conocimientos, la curricular vale 50 puntos (§4.2.4).",
    }

    def validate_item(self, item: m.Convocatoria) -> None:
        validate_convocatoria(item)


class PerfilPuestoView(ScopedModelView):
    datamodel = SQLAInterface(m.PerfilPuesto)
    plural, singular = "Perfiles de puesto", "perfil de puesto"
    list_columns = ["convocatoria", "nivel_academico", "experiencia_general_meses", "experiencia_especifica_meses"]
    search_columns = ["convocatoria", "nivel_academico", "carreras"]
    add_columns = [
        "convocatoria", "nivel_academico", "carreras", "acepta_afines", "carreras_afines", "requiere_colegiatura",
        "requiere_habilitacion", "experiencia_general_meses", "experiencia_especifica_meses",
        "experiencia_especifica_detalle", "experiencia_publica_meses", "funciones", "requiere_deportista",
    ]
    edit_columns = add_columns
    show_columns = add_columns

    def validate_item(self, item: m.PerfilPuesto) -> None:
        if item.lista_carreras_afines and not item.acepta_afines:
            raise DomainError("Marque «Acepta afines» o deje vacía la lista: solo un perfil que acepta afines "
                              "admite otras carreras (§4.2.1 g).", field="carreras_afines")
        for col in ("experiencia_general_meses", "experiencia_especifica_meses", "experiencia_publica_meses"):
            value = getattr(item, col)
            if value is not None and value < 0:
                raise DomainError("Ingrese un número de meses igual o mayor que cero.", field=col)
        if errores := meses_incoherentes(item.experiencia_general_meses or 0, item.experiencia_especifica_meses or 0,
                                         item.experiencia_publica_meses):  # §4.2.1 w
            campo, motivo = errores[0]
            raise DomainError(como_frase(motivo), field=campo)


class RequisitoCapacitacionView(ScopedModelView):
    datamodel = SQLAInterface(m.RequisitoCapacitacion)
    plural, singular = "Requisitos de capacitación", "requisito de capacitación"
    list_columns = ["perfil", "tipo", "tema", "horas_minimas", "acepta_afines"]
    search_columns = ["tipo", "tema"]
    add_columns = edit_columns = ["perfil", "tipo", "tema", "horas_minimas", "acepta_afines", "temas_afines"]

    def validate_item(self, item: m.RequisitoCapacitacion) -> None:
        if item.lista_temas_afines and not item.acepta_afines:
            raise DomainError("Marque «Acepta afines» o deje vacía la lista: solo un requisito que acepta afines "
                              "admite otros temas (§4.2.1 m).", field="temas_afines")
        if item.horas_minimas is None or item.horas_minimas < 0:
            raise DomainError("Las horas no pueden ser negativas.", field="horas_minimas")
        for campo, temas in (("tema", [item.tema or ""]), ("temas_afines", item.lista_temas_afines)):
            motivo = tema_sin_palabras(temas)
            if motivo is not None:
                raise DomainError(motivo, field=campo)


class RequisitoConocimientoView(ScopedModelView):
    datamodel = SQLAInterface(m.RequisitoConocimiento)
    plural, singular = "Requisitos de ofimática e idiomas", "requisito de conocimiento"
    list_columns = ["perfil", "tipo", "nombre", "nivel"]
    search_columns = ["tipo", "nombre", "nivel"]
    add_columns = edit_columns = ["perfil", "tipo", "nombre", "nivel"]


class RequisitoOtroView(ScopedModelView):
    datamodel = SQLAInterface(m.RequisitoOtro)
    plural, singular = "Otros requisitos", "otro requisito"
    list_columns = ["perfil", "descripcion"]
    search_columns = ["descripcion"]
    add_columns = edit_columns = ["perfil", "descripcion"]


def validate_hito(item: m.HitoCronograma) -> None:
    """B3, §4.1: the one schedule guard (:func:`casadmin.cronograma.verificar_cambio`) for the screen and the API."""
    from casadmin import cronograma

    try:
        cronograma.verificar_cambio(db.session, item)
    except cronograma.CronogramaRechazado as exc:
        raise DomainError(exc.mensaje, field=exc.campo) from None


class HitoCronogramaView(ScopedModelView):
    datamodel = SQLAInterface(m.HitoCronograma)
    plural, singular = "Cronograma", "etapa del cronograma"
    list_columns = ["convocatoria", "tipo", "inicio", "fin", "responsable"]
    search_columns = ["convocatoria", "tipo", "inicio"]
    add_columns = edit_columns = ["convocatoria", "tipo", "inicio", "fin", "responsable"]
    base_order = ("inicio", "asc")

    def validate_item(self, item: m.HitoCronograma) -> None:
        validate_hito(item)

    def pre_delete(self, item: m.HitoCronograma) -> None:
        """§4.1: removing a stage from a convened call's schedule has the same deadline as changing it."""
        from casadmin import cronograma

        try:
            cronograma.verificar_borrado(db.session, item)
        except cronograma.CronogramaRechazado as exc:
            raise DomainError(exc.mensaje, field=exc.campo) from None


class ComunicadoView(ScopedModelView):
    datamodel = SQLAInterface(m.Comunicado)
    plural, singular = "Comunicados", "comunicado"
    list_columns = ["convocatoria", "titulo", "publicado", "publicado_en"]
    search_columns = ["convocatoria", "titulo", "publicado"]
    add_columns = edit_columns = ["convocatoria", "titulo", "contenido", "publicado"]
    show_columns = ["convocatoria", "titulo", "contenido", "publicado", "publicado_en"]

    def validate_item(self, item: m.Comunicado) -> None:
        from casadmin.peru.clock import now

        if item.publicado and item.publicado_en is None:
            item.publicado_en = now()


class DocumentoConvocatoriaView(ScopedModelView):
    datamodel = SQLAInterface(m.DocumentoConvocatoria)
    plural, singular = "Documentos de convocatoria", "documento"
    list_columns = ["titulo", "tipo", "convocatoria", "version_bases", "publicado"]
    search_columns = ["titulo", "tipo", "convocatoria", "version_bases"]
    add_columns = edit_columns = ["convocatoria", "version_bases", "tipo", "titulo", "archivo", "publicado"]

    def validate_item(self, item: m.DocumentoConvocatoria) -> None:
        if item.convocatoria is None and item.version_bases is None:
            raise DomainError("Indique la convocatoria o la versión de bases del documento.", field="convocatoria")


# --- REST API -------------------------------------------------------------------


class ConvocatoriaApi(ScopedApi):
    resource_name = "convocatoria"
    datamodel = SQLAInterface(m.Convocatoria)
    list_columns = [
        "id", "codigo", "nombre_puesto", "organo", "cantidad_posiciones", "remuneracion", "estado",
        "entidad.siglas", "version_bases.codigo",
    ]
    show_columns = [
        "id", "codigo", "numero", "anio", "nombre_puesto", "cargo_estructural", "organo", "unidad_organica",
        "cantidad_posiciones", "remuneracion", "lugar", "duracion_contrato", "incluye_examen",
        "incluye_psicologica", "modalidad_firma", "estado", "entidad.siglas", "version_bases.codigo",
    ]
    add_columns = [
        "entidad", "version_bases", "numero", "anio", "codigo", "nombre_puesto", "cargo_estructural", "organo",
        "unidad_organica", "cantidad_posiciones", "remuneracion", "lugar", "duracion_contrato",
        "incluye_examen", "incluye_psicologica", "modalidad_firma",
    ]
    edit_columns = [c for c in add_columns if c != "entidad"]
    search_columns = ["codigo", "nombre_puesto", "estado", "anio"]

    def validate_item(self, item: m.Convocatoria) -> None:
        validate_convocatoria(item)


class ComunicadoApi(ScopedApi):
    resource_name = "comunicado"
    datamodel = SQLAInterface(m.Comunicado)
    list_columns = ["id", "convocatoria.codigo", "titulo", "publicado", "publicado_en"]
    show_columns = ["id", "convocatoria.codigo", "titulo", "contenido", "publicado", "publicado_en"]
    add_columns = edit_columns = ["convocatoria", "titulo", "contenido", "publicado"]
    search_columns = ["titulo", "publicado"]


class HitoCronogramaApi(ScopedApi):
    resource_name = "cronograma"
    datamodel = SQLAInterface(m.HitoCronograma)
    list_columns = ["id", "convocatoria.codigo", "tipo", "inicio", "fin"]
    show_columns = list_columns + ["responsable"]
    add_columns = edit_columns = ["convocatoria", "tipo", "inicio", "fin", "responsable"]
    search_columns = ["tipo"]

    def validate_item(self, item: m.HitoCronograma) -> None:
        validate_hito(item)
