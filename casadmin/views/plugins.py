"""A4: the plugin screen. The administrator sees every installed plugin and bases version and
enables or disables a version per institution (audited; calls already pinned keep theirs, F3);
ORH reads the same screen for their own institution, without the buttons.

Thin: the data and the changes are :mod:`casadmin.plugin_admin`.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from casadmin import models as m
from casadmin import plugin_admin
from casadmin.extensions import db
from casadmin.roles import MENU_LABELS
from casadmin.scoping import condition, current_viewer

#: Menu entry (also the ``menu_access`` name in :mod:`casadmin.roles`).
MENU_PLUGINS = MENU_LABELS["PluginsView"]


class PluginsView(BaseView):
    route_base = "/plugins"
    default_view = "lista"
    class_permission_name = "PluginsView"
    method_permission_name = {"lista": "read", "estado": "edit", "habilitar": "edit"}
    base_permissions = ["can_read", "can_edit"]

    @expose("/")
    @has_access
    def lista(self):
        viewer = current_viewer()
        entidades = db.session.scalars(sa.select(m.Entidad).where(condition(m.Entidad)).order_by(m.Entidad.siglas)).all()
        return self.render_template(
            "casadmin/plugins/lista.html", plugins=plugin_admin.instalados(),
            instaladas=plugin_admin.versiones_instaladas(), versiones=plugin_admin.versiones_entidades(db.session),
            entidades=entidades, puede_editar=self.appbuilder.sm.has_access("can_edit", "PluginsView"),
            es_admin=viewer.is_admin)

    @expose("/version/<int:version_id>/estado", methods=["POST"])
    @has_access
    def estado(self, version_id: int):
        version = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.id == version_id,
                                                                    condition(m.VersionBases)))
        if version is None:
            abort(404)
        activa = request.form.get("activa") == "1"
        try:
            fijadas = plugin_admin.cambiar_estado(db.session, version, activa, usuario=g.user,
                                                  motivo=request.form.get("motivo", "")[:2000])
        except plugin_admin.CambioRechazado as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            accion = "habilitada" if activa else "deshabilitada"
            extra = "" if activa or not fijadas else (
                f" Las {fijadas} convocatoria(s) que ya la usan la conservan; solo las nuevas no podrán elegirla.")
            flash(f"Versión «{version.codigo}» {accion} para {version.entidad.siglas}.{extra}", "success")
        return redirect(url_for("PluginsView.lista"))

    @expose("/habilitar", methods=["POST"])
    @has_access
    def habilitar(self):
        entidad_id = request.form.get("entidad", "")
        entidad = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.id == int(entidad_id), condition(m.Entidad))) \
            if entidad_id.isdigit() else None
        if entidad is None:
            flash("Seleccione la entidad.", "danger")
            return redirect(url_for("PluginsView.lista"))
        try:
            version = plugin_admin.habilitar_instalada(db.session, entidad, request.form.get("bases", ""), usuario=g.user,
                                                       motivo=request.form.get("motivo", "")[:2000])
        except plugin_admin.CambioRechazado as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(f"Versión «{version.codigo}» habilitada para {entidad.siglas}.", "success")
        return redirect(url_for("PluginsView.lista"))


def register(appbuilder) -> None:
    appbuilder.add_view(PluginsView, MENU_PLUGINS, icon="fa-plug", category="Administración")
