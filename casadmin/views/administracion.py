"""Publicación and Administración menus: publications, outbox, institutions, bases versions,
plugins, stored files and the audit trail (A1, A4, A5, E1, G1)."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from casadmin import models as m
from casadmin.views.base import DomainError, ScopedApi, ScopedModelView


class PublicacionEtapaView(ScopedModelView):
    datamodel = SQLAInterface(m.PublicacionEtapa)
    plural, singular = "Publicaciones de resultados", "publicación"
    base_permissions = ["can_list", "can_show"]
    list_columns = ["convocatoria", "etapa", "publicado_en"]
    search_columns = ["convocatoria", "etapa", "publicado_en"]
    show_columns = ["convocatoria", "etapa", "publicado_en", "proxima_etapa", "archivo_pdf", "archivo_xlsx"]


class CorreoSalienteView(ScopedModelView):
    """G1: the outbox, so ORH can see every message, retries and failures."""

    datamodel = SQLAInterface(m.CorreoSaliente)
    plural, singular = "Correos enviados", "correo"
    base_permissions = ["can_list", "can_show", "can_export"]
    list_columns = ["creado_en", "tipo", "destinatario", "asunto", "estado", "intentos"]
    search_columns = ["tipo", "destinatario", "asunto", "estado", "creado_en"]
    order_columns = ["creado_en", "estado"]
    base_order = ("id", "desc")
    show_columns = [
        "creado_en", "tipo", "destinatario", "asunto", "cuerpo", "estado", "intentos", "ultimo_error", "enviado_en",
    ]


class EntidadView(ScopedModelView):
    datamodel = SQLAInterface(m.Entidad)
    plural, singular = "Entidades", "entidad"
    list_columns = ["siglas", "nombre", "email_contacto", "activa"]
    search_columns = ["siglas", "nombre", "activa"]
    add_columns = edit_columns = ["nombre", "siglas", "ruc", "email_contacto", "portal_url", "activa"]
    show_columns = add_columns

    def validate_item(self, item: m.Entidad) -> None:
        item.siglas = (item.siglas or "").strip().upper()
        if not item.siglas.replace("-", "").isalnum():
            raise DomainError("Las siglas solo admiten letras, números y guiones.", field="siglas")
        if item.ruc and not (item.ruc.isdigit() and len(item.ruc) == 11):
            raise DomainError("El RUC debe tener 11 dígitos.", field="ruc")


class VersionBasesView(ScopedModelView):
    datamodel = SQLAInterface(m.VersionBases)
    plural, singular = "Versiones de bases", "versión de bases"
    list_columns = ["codigo", "nombre", "entidad", "vigente_desde", "plugin", "plugin_version", "activa"]
    search_columns = ["codigo", "nombre", "entidad", "plugin"]
    add_columns = edit_columns = ["entidad", "codigo", "nombre", "vigente_desde", "plugin", "plugin_version", "activa"]
    show_columns = [*add_columns, "parametros"]


class PluginEntidadView(ScopedModelView):
    datamodel = SQLAInterface(m.PluginEntidad)
    plural, singular = "Plugins por entidad", "plugin"
    list_columns = ["entidad", "plugin", "habilitado"]
    search_columns = ["entidad", "plugin", "habilitado"]
    add_columns = edit_columns = ["entidad", "plugin", "habilitado"]


class ArchivoView(ScopedModelView):
    datamodel = SQLAInterface(m.Archivo)
    plural, singular = "Archivos almacenados", "archivo"
    base_permissions = ["can_list", "can_show"]
    list_columns = ["nombre_original", "tipo_mime", "tamano", "paginas", "creado_en"]
    search_columns = ["nombre_original", "sha256", "tipo_mime"]
    show_columns = ["nombre_original", "tipo_mime", "tamano", "paginas", "sha256", "publico", "creado_en"]


class RegistroAuditoriaView(ScopedModelView):
    """A5: the audit trail. Read-only for everyone, administrators included."""

    datamodel = SQLAInterface(m.RegistroAuditoria)
    plural, singular = "Auditoría", "registro de auditoría"
    base_permissions = ["can_list", "can_show", "can_export"]
    list_columns = ["momento", "usuario", "accion", "tabla", "registro_id"]
    search_columns = ["usuario", "accion", "tabla", "registro_id", "momento"]
    order_columns = ["momento"]
    base_order = ("id", "desc")
    show_columns = ["momento", "usuario", "accion", "tabla", "registro_id", "antes", "despues", "motivo", "hash_anterior", "hash"]


class CorreoSalienteApi(ScopedApi):
    resource_name = "correo"
    datamodel = SQLAInterface(m.CorreoSaliente)
    base_permissions = ["can_get", "can_info"]
    list_columns = ["id", "creado_en", "tipo", "destinatario", "asunto", "estado", "intentos"]
    show_columns = list_columns + ["cuerpo", "ultimo_error", "enviado_en"]
    search_columns = ["estado", "tipo"]


class RegistroAuditoriaApi(ScopedApi):
    resource_name = "auditoria"
    datamodel = SQLAInterface(m.RegistroAuditoria)
    base_permissions = ["can_get", "can_info"]
    list_columns = ["id", "momento", "usuario", "accion", "tabla", "registro_id"]
    show_columns = list_columns + ["antes", "despues", "motivo", "hash_anterior", "hash"]
    search_columns = ["accion", "tabla"]
