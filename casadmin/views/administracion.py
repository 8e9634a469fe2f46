"""Publicación and Administración menus: publications, outbox, institutions, bases versions,
plugins, stored files and the audit trail (A1, A4, A5, E1, G1)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g
from flask_appbuilder.models.sqla.interface import SQLAInterface

from casadmin import audit
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.extensions import db
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
    """The bases versions each institution's calls are pinned to (F3). What a call is pinned to (the
    institution, the bases id, the plugin that declares it) no longer changes once a call uses the row: an
    edit re-pinned every call of the version, published ones included, to other rules. Every edit is audited
    with the values before and after (A5)."""

    datamodel = SQLAInterface(m.VersionBases)
    plural, singular = "Versiones de bases", "versión de bases"
    list_columns = ["codigo", "nombre", "entidad", "vigente_desde", "plugin", "plugin_version", "activa"]
    search_columns = ["codigo", "nombre", "entidad", "plugin"]
    add_columns = edit_columns = ["entidad", "codigo", "nombre", "vigente_desde", "plugin", "plugin_version", "activa"]
    show_columns = [*add_columns, "parametros"]
    #: what fixes the rules a call is judged by
    FIJOS = ("entidad", "codigo", "plugin")

    def validate_item(self, item: m.VersionBases) -> None:
        estado = sa.inspect(item)
        if item.id is None or estado.attrs.codigo.history.has_changes():
            try:  # the same check, and words, as the plugin screen's «habilitar» (plugin_admin.habilitar_instalada)
                pl.get_bases(pl.get_plugin_manager(), item.codigo)
            except pl.BasesDesconocida as exc:
                raise DomainError(str(exc), field="codigo") from None
        if item.id is None:
            return
        cambiados = [c for c in self.FIJOS if estado.attrs[c].history.has_changes()]
        if cambiados and db.session.scalar(sa.select(sa.exists().where(m.Convocatoria.version_bases_id == item.id))):
            raise DomainError("Hay convocatorias fijadas a esta versión de bases: su entidad, código y plugin ya no "
                              "cambian, porque cambiarían las reglas con que se evalúan (F3). Cree otra versión de "
                              "bases para las convocatorias nuevas.", field=cambiados[0])

    def pre_update(self, item: m.VersionBases) -> None:
        super().pre_update(item)
        estado = sa.inspect(item)
        antes, despues = {}, {}
        for campo in self.edit_columns:
            historia = estado.attrs[campo].history
            if historia.has_changes():
                antes[campo] = str(historia.deleted[0]) if historia.deleted else None
                despues[campo] = str(historia.added[0]) if historia.added else None
        if despues:
            audit.record(db.session, accion="modificar_version_bases", objeto=item, antes=antes, despues=despues,
                         usuario_id=g.user.id, usuario=g.user.username, entidad_id=item.entidad_id)

    def post_add(self, item: m.VersionBases) -> None:
        audit.record(db.session, accion="crear_version_bases", objeto=item,
                     despues={c: str(getattr(item, c)) for c in self.add_columns},
                     usuario_id=g.user.id, usuario=g.user.username, entidad_id=item.entidad_id)
        db.session.commit()


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
