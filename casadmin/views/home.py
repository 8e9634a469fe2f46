"""The home page: what each role does first."""

from __future__ import annotations

import sqlalchemy as sa
from flask_appbuilder import IndexView, expose

from casadmin import models as m
from casadmin.extensions import db
from casadmin.models.enums import EstadoConvocatoria
from casadmin.scoping import condition


class InicioView(IndexView):
    index_template = "casadmin/inicio.html"

    @expose("/")
    def index(self):  # type: ignore[override]
        abiertas = db.session.scalars(
            sa.select(m.Convocatoria)
            .where(condition(m.Convocatoria), m.Convocatoria.estado != EstadoConvocatoria.borrador)
            .order_by(m.Convocatoria.id.desc())
            .limit(10)
        ).all()
        return self.render_template(self.index_template, appbuilder=self.appbuilder, convocatorias=abiertas)
