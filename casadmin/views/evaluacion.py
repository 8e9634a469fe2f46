"""Evaluación menu: stage results, checklists, committees, interview sheets, final results,
contracts and appeals (D1–D11). The stage logic itself lives in the rule plugins."""

from __future__ import annotations

from decimal import Decimal

from flask_appbuilder.models.sqla.interface import SQLAInterface

from casadmin import comite
from casadmin import models as m
from casadmin.extensions import db
from casadmin.peru.clock import now
from casadmin.scoping import current_viewer
from casadmin.views.base import DomainError, ScopedApi, ScopedModelView

READ_ONLY = ["can_list", "can_show"]


class ResultadoEtapaView(ScopedModelView):
    datamodel = SQLAInterface(m.ResultadoEtapa)
    plural, singular = "Resultados por etapa", "resultado de etapa"
    list_columns = ["postulacion", "etapa", "resultado", "puntaje", "override", "publicado"]
    search_columns = ["convocatoria", "etapa", "resultado", "publicado"]
    order_columns = ["etapa", "resultado", "puntaje"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_edit", "can_export"]
    edit_columns = ["resultado", "puntaje", "motivo_override"]
    show_columns = [
        "convocatoria", "postulacion", "etapa", "resultado", "puntaje", "motivos", "override",
        "motivo_override", "evaluado_por", "evaluado_en", "reglas", "publicado",
    ]

    def validate_item(self, item: m.ResultadoEtapa) -> None:
        """D1: an evaluator may override a result only with a written reason; published stages are frozen."""
        if item.publicado:
            raise DomainError("La etapa ya fue publicada: corrija mediante una rectificación auditada.")
        if not (item.motivo_override or "").strip():
            raise DomainError("Escriba el sustento de la modificación.", field="motivo_override")
        if item.puntaje is not None and item.puntaje < 0:
            raise DomainError("El puntaje no puede ser negativo.", field="puntaje")
        item.override = True
        item.evaluado_por_id = current_viewer().user_id
        item.evaluado_en = now()


class ItemVerificacionView(ScopedModelView):
    datamodel = SQLAInterface(m.ItemVerificacion)
    plural, singular = "Listas de verificación", "ítem de verificación"
    list_columns = ["resultado_etapa", "codigo", "descripcion", "cumple", "puntaje"]
    search_columns = ["codigo", "cumple"]
    base_permissions = ["can_list", "can_show", "can_edit"]
    edit_columns = ["cumple", "observacion"]
    show_columns = ["resultado_etapa", "codigo", "descripcion", "cumple", "puntaje", "observacion", "clausula"]


class MiembroComiteView(ScopedModelView):
    datamodel = SQLAInterface(m.MiembroComite)
    plural, singular = "Comités de entrevista", "miembro del comité"
    list_columns = ["convocatoria", "usuario", "rol"]
    search_columns = ["convocatoria", "rol"]
    add_columns = edit_columns = ["convocatoria", "usuario", "rol"]

    def validate_item(self, item: m.MiembroComite) -> None:
        """§4.2.5 b: the same rules as ORH's committee screen (:func:`casadmin.comite.validar_miembro`)."""
        usuario = item.usuario or db.session.get(m.Usuario, item.usuario_id)
        convocatoria = item.convocatoria or db.session.get(m.Convocatoria, item.convocatoria_id)
        if usuario is None or convocatoria is None:
            return
        try:
            comite.validar_miembro(db.session, convocatoria, usuario, item.rol, miembro_id=item.id)
        except comite.ComiteRechazado as exc:
            raise DomainError(exc.mensaje, field=exc.campo) from None


class CitacionView(ScopedModelView):
    datamodel = SQLAInterface(m.Citacion)
    plural, singular = "Citaciones", "citación"
    list_columns = ["postulacion", "etapa", "fecha_hora", "lugar_o_enlace", "anulada_en"]
    show_columns = ["postulacion", "etapa", "fecha_hora", "duracion_minutos", "lugar_o_enlace", "notificada_en",
                    "anulada_en"]
    search_columns = ["etapa", "fecha_hora"]
    add_columns = edit_columns = ["postulacion", "etapa", "fecha_hora", "lugar_o_enlace"]


class HojaEntrevistaView(ScopedModelView):
    """D6: each member scores five factors on their own sheet, until they submit it."""

    datamodel = SQLAInterface(m.HojaEntrevista)
    plural, singular = "Hojas de entrevista", "hoja de entrevista"
    list_columns = ["postulacion", "miembro", "total", "enviada"]
    search_columns = ["enviada"]
    base_permissions = ["can_list", "can_show", "can_edit"]
    edit_columns = [
        "asistio", "desenvolvimiento", "idoneidad", "orientacion_resultados", "trabajo_equipo",
        "vocacion_servicio", "observaciones",
    ]
    show_columns = ["postulacion", "miembro", *edit_columns, "total", "enviada", "enviada_en"]

    def validate_item(self, item: m.HojaEntrevista) -> None:
        validate_hoja(item)


def validate_hoja(item: m.HojaEntrevista) -> None:
    """A sheet is the member's own, editable until sent; each factor within the maximum the call's
    bases give it (§4.2.5 f, i, j; :func:`casadmin.comite.tabla`). Members score on ``/comite/``."""
    viewer = current_viewer()
    miembro = item.miembro or db.session.get(m.MiembroComite, item.miembro_id)
    if miembro is None or miembro.usuario_id != viewer.user_id:
        raise DomainError("Solo el miembro del comité puede calificar su propia hoja.")
    if item.enviada:
        raise DomainError("La hoja ya fue enviada y no puede modificarse.")
    try:
        factores = comite.tabla(miembro.convocatoria).factores
    except comite.ComiteRechazado as exc:
        raise DomainError(exc.mensaje) from None
    for factor in factores:
        value = getattr(item, factor.codigo)
        if value is None or not Decimal("0") <= value <= factor.maximo:
            raise DomainError(f"Ingrese un puntaje entre 0 y {factor.maximo}.", field=factor.codigo)


class BonificacionView(ScopedModelView):
    datamodel = SQLAInterface(m.Bonificacion)
    plural, singular = "Bonificaciones", "bonificación"
    base_permissions = READ_ONLY
    list_columns = ["postulacion", "tipo", "porcentaje", "puntos", "base_legal"]
    search_columns = ["tipo"]
    show_columns = ["postulacion", "tipo", "porcentaje", "base", "puntos", "base_legal", "regla"]


class ResultadoFinalView(ScopedModelView):
    datamodel = SQLAInterface(m.ResultadoFinal)
    plural, singular = "Resultados finales", "resultado final"
    base_permissions = ["can_list", "can_show", "can_edit", "can_export"]
    list_columns = ["convocatoria", "orden_merito", "postulacion", "puntaje_final", "condicion", "publicado"]
    search_columns = ["convocatoria", "condicion", "publicado"]
    order_columns = ["orden_merito", "puntaje_final"]
    base_order = ("orden_merito", "asc")
    edit_columns = ["decision_comite"]
    show_columns = [
        "convocatoria", "postulacion", "puntaje_etapas", "puntaje_bonificaciones", "puntaje_final",
        "orden_merito", "condicion", "decision_comite", "reglas", "publicado",
    ]

    def validate_item(self, item: m.ResultadoFinal) -> None:
        if item.publicado:
            raise DomainError("El resultado final ya fue publicado.")
        if not (item.decision_comite or "").strip():
            raise DomainError("Registre la decisión del comité con su sustento (D8).", field="decision_comite")


class ContratoView(ScopedModelView):
    datamodel = SQLAInterface(m.Contrato)
    plural, singular = "Suscripción de contratos", "contrato"
    base_permissions = ["can_list", "can_show", "can_edit"]
    list_columns = ["convocatoria", "postulacion", "orden_llamado", "fecha_limite", "estado"]
    search_columns = ["convocatoria", "estado"]
    edit_columns = ["rnssc", "redam", "redereci", "redjum", "antecedentes", "rnas", "estado", "suscrito_en", "observaciones"]
    show_columns = ["convocatoria", "postulacion", "orden_llamado", "fecha_limite", *edit_columns]


class ImpugnacionView(ScopedModelView):
    datamodel = SQLAInterface(m.Impugnacion)
    plural, singular = "Impugnaciones", "impugnación"
    list_columns = ["postulacion", "tipo", "etapa", "presentada_en", "decision"]
    search_columns = ["tipo", "decision", "presentada_en"]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    add_columns = ["postulacion", "tipo", "etapa", "presentada_en", "fundamento"]
    edit_columns = ["decision", "decidida_en", "sustento_decision", "derivada_servir_en"]
    show_columns = [*add_columns, *edit_columns]

    def validate_item(self, item: m.Impugnacion) -> None:
        if item.decision and item.decision.name not in ("pendiente",) and not (item.sustento_decision or "").strip():
            raise DomainError("Registre el sustento de la decisión.", field="sustento_decision")
        if item.decision and item.decision.name == "derivado_servir" and item.derivada_servir_en is None:
            raise DomainError("Indique la fecha de derivación a SERVIR.", field="derivada_servir_en")


# --- REST API -------------------------------------------------------------------


class ResultadoEtapaApi(ScopedApi):
    resource_name = "resultado_etapa"
    datamodel = SQLAInterface(m.ResultadoEtapa)
    base_permissions = ["can_get", "can_info"]
    list_columns = ["id", "convocatoria.codigo", "postulacion.id", "etapa", "resultado", "puntaje", "publicado"]
    show_columns = list_columns + ["motivos", "reglas", "override", "motivo_override"]
    search_columns = ["etapa", "resultado", "publicado"]


class HojaEntrevistaApi(ScopedApi):
    resource_name = "hoja_entrevista"
    datamodel = SQLAInterface(m.HojaEntrevista)
    base_permissions = ["can_get", "can_info", "can_put"]
    list_columns = ["id", "postulacion.id", "miembro.id", "enviada", *m.HojaEntrevista.FACTORES]
    show_columns = list_columns + ["asistio", "observaciones"]
    edit_columns = ["asistio", *m.HojaEntrevista.FACTORES, "observaciones"]
    search_columns = ["enviada"]

    def validate_item(self, item: m.HojaEntrevista) -> None:
        validate_hoja(item)


class ResultadoFinalApi(ScopedApi):
    resource_name = "resultado_final"
    datamodel = SQLAInterface(m.ResultadoFinal)
    base_permissions = ["can_get", "can_info"]
    list_columns = ["id", "convocatoria.codigo", "postulacion.id", "orden_merito", "puntaje_final", "condicion"]
    show_columns = list_columns + ["puntaje_etapas", "puntaje_bonificaciones", "decision_comite", "reglas"]
    search_columns = ["condicion"]
