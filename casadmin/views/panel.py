"""The dashboard of a call (panel): ORH and the administrator, and the Veedor read-only on the calls
assigned to them. Thin: the figures and the chart geometry come from :mod:`casadmin.panel`; which
calls a user may open comes from :func:`casadmin.scoping.condition`, so another institution's call
answers 404 whatever its id."""

from __future__ import annotations

from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from casadmin import panel
from casadmin.extensions import db
from casadmin.roles import MENU_LABELS
from casadmin.views import convocatoria_comun as comun

#: Menu entry (also the ``menu_access`` name in :mod:`casadmin.roles`).
MENU_PANEL = MENU_LABELS["PanelConvocatoriaView"]


class PanelConvocatoriaView(BaseView):
    route_base = "/panel"
    default_view = "convocatorias"
    class_permission_name = "PanelConvocatoriaView"
    method_permission_name = {"convocatorias": "read", "convocatoria": "read"}
    base_permissions = ["can_read"]

    @expose("/")
    @has_access
    def convocatorias(self):
        return self.render_template("casadmin/panel/convocatorias.html", convocatorias=comun.convocatorias())

    @expose("/<int:convocatoria_id>")
    @has_access
    def convocatoria(self, convocatoria_id: int):
        datos = panel.resumen(db.session, comun.convocatoria_o_404(convocatoria_id))
        return self.render_template("casadmin/panel/convocatoria.html", panel=datos, graficos=panel.graficos(datos),
                                    miles=panel.miles, cortas=panel.CORTAS)


def register(appbuilder) -> None:
    appbuilder.add_view(PanelConvocatoriaView, MENU_PANEL, icon="fa-bar-chart", category="Evaluación")
