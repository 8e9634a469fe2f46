"""A5: the audit trail screen, read-only. Filter by call, candidate, user and date; keyset pages;
"Verificar cadena" runs :func:`casadmin.audit.verificar`.

Thin: queries live in :mod:`casadmin.auditoria`. There is no edit or delete anywhere here (nor in
the API, which only reads: ``RegistroAuditoriaApi``), and the ORM refuses both anyway.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from wtforms import Form, SelectField, StringField
from wtforms.validators import Length, Optional

from casadmin import auditoria
from casadmin.extensions import db
from casadmin.roles import MENU_LABELS
from casadmin.views.portal import Fecha

#: Menu entry (also the ``menu_access`` name in :mod:`casadmin.roles`).
MENU_AUDITORIA = MENU_LABELS["AuditoriaView"]


def _entero(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError("Seleccione una convocatoria de la lista.") from None


class FiltroAuditoriaForm(Form):
    """The filters, read from the query string (a GET form: nothing is changed)."""

    convocatoria = SelectField("Convocatoria", coerce=_entero, validators=[Optional()], validate_choice=False)
    documento = StringField("Candidato (N° de documento)", validators=[Optional(), Length(max=20, message="Máximo 20 caracteres.")])
    usuario = StringField("Usuario", validators=[Optional(), Length(max=128, message="Máximo 128 caracteres.")])
    desde = Fecha("Desde", validators=[Optional()])
    hasta = Fecha("Hasta", validators=[Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        validas = {c[0] for c in self.convocatoria.choices or ()}
        if self.convocatoria.data is not None and self.convocatoria.data not in validas:  # another institution's call
            self.convocatoria.errors = [*self.convocatoria.errors, "Seleccione una convocatoria de la lista."]
            ok = False
        if ok and self.desde.data and self.hasta.data and self.hasta.data < self.desde.data:
            self.hasta.errors = [*self.hasta.errors, "La fecha «hasta» no puede ser anterior a «desde»."]
            ok = False
        return ok


def legible(valor: Any) -> str:
    """A record's before/after as readable JSON (accents kept, keys sorted as hashed)."""
    return json.dumps(valor, ensure_ascii=False, indent=1, sort_keys=True, default=str)


def _filtros(form: FiltroAuditoriaForm) -> auditoria.Filtros:
    postulacion = request.args.get("postulacion", "")
    return auditoria.Filtros(
        convocatoria_id=form.convocatoria.data, documento=(form.documento.data or "").strip() or None,
        postulacion_id=int(postulacion) if postulacion.isdigit() else None,
        usuario=(form.usuario.data or "").strip() or None, desde=form.desde.data, hasta=form.hasta.data)


class AuditoriaView(BaseView):
    route_base = "/auditoria"
    default_view = "lista"
    class_permission_name = "AuditoriaView"
    method_permission_name = {"lista": "read", "verificar": "read"}
    base_permissions = ["can_read"]

    def _pagina(self, verificacion: auditoria.ResultadoVerificacion | None = None):
        form = FiltroAuditoriaForm(request.args)
        convs = auditoria.convocatorias(db.session)
        form.convocatoria.choices = [(None, "Todas"), *[(c.id, c.codigo) for c in convs]]
        antes = request.args.get("antes", "")
        if antes and not antes.isdigit():
            abort(400)
        pagina = None
        if form.validate():
            pagina = auditoria.buscar(db.session, _filtros(form), antes=int(antes) if antes else None)
        filtros = {k: v for k, v in request.args.items() if k != "antes" and v}
        return self.render_template("casadmin/auditoria/lista.html", form=form, pagina=pagina, filtros=filtros,
                                    primera=not antes, verificacion=verificacion,
                                    convocatorias={c.id: c.codigo for c in convs}, legible=legible)

    @expose("/")
    @has_access
    def lista(self):
        return self._pagina()

    @expose("/verificar", methods=["POST"])
    @has_access
    def verificar(self):
        """Recompute the hash chain (reads only; POST so that no link or crawler starts it)."""
        return self._pagina(verificacion=auditoria.verificar(db.session))


def register(appbuilder) -> None:
    appbuilder.add_view(AuditoriaView, MENU_AUDITORIA, icon="fa-shield", category="Administración")
