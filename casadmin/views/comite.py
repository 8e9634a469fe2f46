"""The interview committee's screens (§4.2.5, D6): thin, over :mod:`casadmin.comite`.

* ``/comite/`` (:class:`ComiteView`): a committee member's calls, the candidates called to the
  interview and, for each, their own sheet with the five factors (draft, then submit). The
  Veedor opens the same pages read-only. Phone and tablet first: one column, large inputs,
  ``inputmode=decimal``.
* ``/comite-asignacion/`` (:class:`ComiteAsignacionView`): ORH assigns the committee of each
  call of its institution, follows the progress (no scores) and, if needed, forms the stage
  score again (e.g. after an earlier stage was completed).

Which calls a user reaches is decided by their seat (:func:`casadmin.comite.asignacion`) and,
for ORH, by :func:`casadmin.scoping.condition`: anything else answers 404.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose
from flask_appbuilder.security.decorators import has_access

from casadmin import comite
from casadmin import models as m
from casadmin.extensions import db
from casadmin.models.enums import EstadoConvocatoria, RolComite
from casadmin.peru.clock import to_lima
from casadmin.roles import MENU_LABELS
from casadmin.scoping import condition

#: Menu entries (also the ``menu_access`` names in :mod:`casadmin.roles`).
MENU_COMITE = "Entrevista Personal"
MENU_ASIGNACION = MENU_LABELS["ComiteAsignacionView"]


def _fecha(valor: Any) -> str:
    return to_lima(valor).strftime("%d/%m/%Y %H:%M") if valor is not None else "—"


def _nombre(post: m.Postulacion) -> str:
    p = post.postulante
    return f"{p.apellido_paterno} {p.apellido_materno or ''}, {p.nombres}".replace("  ", " ")


class _Vista(BaseView):
    base_permissions = ["can_read", "can_edit"]

    def render(self, template: str, status: int = 200, **kwargs: Any):
        return self.render_template(f"casadmin/comite/{template}", fecha=_fecha, nombre=_nombre,
                                    estados=comite.ESTADOS, **kwargs), status


class ComiteView(_Vista):
    """A committee member's (and the Veedor's) interview screens."""

    route_base = "/comite"
    default_view = "convocatorias"
    class_permission_name = "ComiteView"
    method_permission_name = {"convocatorias": "read", "convocatoria": "read", "hoja": "read", "guardar": "edit"}

    def _asignacion(self, convocatoria_id: int):
        try:
            return comite.asignacion(db.session, convocatoria_id, g.user.id)
        except comite.NoEncontrado:
            abort(404)

    @expose("/")
    @has_access
    def convocatorias(self):
        return self.render("convocatorias.html", asignaciones=comite.mis_asignaciones(db.session, g.user.id))[0]

    @expose("/<int:convocatoria_id>")
    @has_access
    def convocatoria(self, convocatoria_id: int):
        conv, miembro = self._asignacion(convocatoria_id)
        return self.render("convocatoria.html", conv=conv, miembro=miembro,
                           filas=comite.tablero(db.session, conv, miembro=miembro),
                           calificadores=comite.calificadores(db.session, conv),
                           publicada=comite.publicada(db.session, conv),
                           faltantes=comite.faltantes(db.session, conv))[0]

    @expose("/<int:convocatoria_id>/<int:postulacion_id>", methods=["GET"])
    @has_access
    def hoja(self, convocatoria_id: int, postulacion_id: int):
        conv, miembro = self._asignacion(convocatoria_id)
        return self._hoja(conv, miembro, postulacion_id)

    @expose("/<int:convocatoria_id>/<int:postulacion_id>", methods=["POST"])
    @has_access
    def guardar(self, convocatoria_id: int, postulacion_id: int):
        conv, miembro = self._asignacion(convocatoria_id)
        datos = request.form.to_dict()
        enviar = request.form.get("accion") == "enviar"
        try:
            if enviar:
                _, formacion = comite.enviar_y_formar(db.session, conv, miembro, postulacion_id, datos, usuario=g.user)
            else:
                comite.guardar_hoja(db.session, conv, miembro, postulacion_id, datos, enviar=False, usuario=g.user)
                formacion = None
        except comite.NoEncontrado:
            db.session.rollback()
            abort(404)
        except comite.ComiteRechazado as exc:
            db.session.rollback()
            return self._hoja(conv, miembro, postulacion_id, datos=datos, errores={exc.campo: exc.mensaje},
                              status=422)
        if not enviar:
            flash("Se guardó el borrador de su hoja. Puede cambiarlo hasta enviarlo.", "success")
        else:
            flash("Se envió su hoja de entrevista. Ya no puede modificarse.", "success")
            if formacion is not None and formacion.formada:
                flash("Todos los integrantes del Comité enviaron sus hojas: se formó el puntaje de la Entrevista "
                      "Personal (§4.2.5 g).", "info")
            elif formacion is not None:
                flash("Todas las hojas fueron enviadas, pero el puntaje de la etapa aún no pudo formarse: "
                      + " ".join(formacion.motivos) + " La Oficina de Recursos Humanos puede volver a intentarlo.",
                      "warning")
        return redirect(url_for("ComiteView.hoja", convocatoria_id=conv.id, postulacion_id=postulacion_id), 303)

    def _hoja(self, conv: m.Convocatoria, miembro: m.MiembroComite, postulacion_id: int, *,
              datos: dict[str, str] | None = None, errores: dict[str | None, str] | None = None, status: int = 200):
        try:
            post = comite.citado(db.session, conv, postulacion_id)
        except comite.NoEncontrado:
            abort(404)
        except comite.ComiteRechazado as exc:
            return self.render("convocatoria.html", status=404, conv=conv, miembro=miembro,
                               filas=comite.tablero(db.session, conv, miembro=miembro),
                               calificadores=comite.calificadores(db.session, conv),
                               publicada=comite.publicada(db.session, conv),
                               faltantes=comite.faltantes(db.session, conv), error=exc.mensaje)
        try:
            tabla = comite.tabla(conv)
        except comite.ComiteRechazado as exc:
            tabla, errores = None, {None: exc.mensaje}
        fila = next((f for f in comite.tablero(db.session, conv, miembro=miembro) if f.postulacion.id == post.id))
        propia = fila.propia
        publicada = comite.publicada(db.session, conv)
        editable = (miembro.rol in comite.CALIFICADORES and tabla is not None and not publicada
                    and not (propia is not None and propia.enviada))
        if datos is None and propia is not None:
            # An absent candidate's draft has no scores: its fields come back empty, not as zeros that a
            # member who unticks «no se presentó» would send without noticing.
            datos = {f: str(getattr(propia, f)) if propia.asistio and getattr(propia, f) is not None else ""
                     for f in m.HojaEntrevista.FACTORES}
            datos.update(observaciones=propia.observaciones or "", no_se_presento="" if propia.asistio else "1",
                         causa=propia.causa or "")
        return self.render("hoja.html", status=status, conv=conv, miembro=miembro, post=post, fila=fila,
                           tabla=tabla, datos=datos or {}, errores=errores or {}, editable=editable, causas=comite.CAUSAS,
                           publicada=publicada, calificadores=comite.calificadores(db.session, conv))


def _convocatoria_orh(convocatoria_id: int) -> m.Convocatoria:
    existe = db.session.scalar(sa.select(m.Convocatoria.id).where(m.Convocatoria.id == convocatoria_id,
                                                                  condition(m.Convocatoria)))
    conv = comite._cargar_convocatoria(db.session, convocatoria_id) if existe else None
    if conv is None:
        abort(404)
    return conv


class ComiteAsignacionView(_Vista):
    """ORH: the interview committee of each call of its institution (§4.2.5 b)."""

    route_base = "/comite-asignacion"
    default_view = "convocatorias"
    class_permission_name = "ComiteAsignacionView"
    method_permission_name = {"convocatorias": "read", "convocatoria": "read", "asignar": "edit",
                              "retirar": "edit", "formar": "edit", "reabrir": "edit"}

    @expose("/")
    @has_access
    def convocatorias(self):
        convs = db.session.scalars(
            sa.select(m.Convocatoria).where(condition(m.Convocatoria),
                                            m.Convocatoria.estado.not_in([EstadoConvocatoria.cancelada]))
            .order_by(m.Convocatoria.anio.desc(), m.Convocatoria.numero.desc())).all()
        cuenta = dict(db.session.execute(
            sa.select(m.MiembroComite.convocatoria_id, sa.func.count()).where(
                m.MiembroComite.convocatoria_id.in_([c.id for c in convs]))
            .group_by(m.MiembroComite.convocatoria_id)).all()) if convs else {}
        return self.render("asignacion_lista.html", convocatorias=convs, cuenta=cuenta)[0]

    @expose("/<int:convocatoria_id>", methods=["GET"])
    @has_access
    def convocatoria(self, convocatoria_id: int):
        return self._pagina(_convocatoria_orh(convocatoria_id))

    @expose("/<int:convocatoria_id>/miembros", methods=["POST"])
    @has_access
    def asignar(self, convocatoria_id: int):
        conv = _convocatoria_orh(convocatoria_id)
        rol = RolComite.__members__.get(request.form.get("rol") or "")
        try:
            usuario_id = int(request.form.get("usuario_id") or 0)
        except ValueError:
            usuario_id = 0
        try:
            miembro = comite.asignar(db.session, conv, usuario_id, rol, por=g.user)
        except comite.ComiteRechazado as exc:
            db.session.rollback()
            return self._pagina(conv, errores={exc.campo: exc.mensaje}, datos=request.form.to_dict(), status=422)
        flash(f"Se asignó a {miembro.usuario.first_name} {miembro.usuario.last_name} como {miembro.rol.value}.",
              "success")
        return redirect(url_for("ComiteAsignacionView.convocatoria", convocatoria_id=conv.id), 303)

    @expose("/<int:convocatoria_id>/miembros/<int:miembro_id>/retirar", methods=["POST"])
    @has_access
    def retirar(self, convocatoria_id: int, miembro_id: int):
        return self._accion(convocatoria_id, "retirar", "Se retiró al integrante del Comité.",
                            lambda conv: comite.retirar(db.session, conv, miembro_id, por=g.user))

    @expose("/<int:convocatoria_id>/hojas/<int:postulacion_id>/<int:miembro_id>/reabrir", methods=["POST"])
    @has_access
    def reabrir(self, convocatoria_id: int, postulacion_id: int, miembro_id: int):
        return self._accion(
            convocatoria_id, "reabrir", "Se reabrió la hoja: su integrante puede corregirla y enviarla de nuevo.",
            lambda conv: comite.reabrir_hoja(db.session, conv, postulacion_id, miembro_id,
                                             motivo=request.form.get("motivo", ""), por=g.user))

    def _accion(self, convocatoria_id: int, campo: str, hecho: str, accion):
        """One of ORH's buttons on the committee page: its refusal shown at ``campo``, nothing changed."""
        conv = _convocatoria_orh(convocatoria_id)
        try:
            accion(conv)
        except comite.NoEncontrado:
            db.session.rollback()
            abort(404)
        except comite.ComiteRechazado as exc:
            db.session.rollback()
            return self._pagina(conv, errores={campo: exc.mensaje}, status=422)
        flash(hecho, "success")
        return redirect(url_for("ComiteAsignacionView.convocatoria", convocatoria_id=conv.id), 303)

    @expose("/<int:convocatoria_id>/formar", methods=["POST"])
    @has_access
    def formar(self, convocatoria_id: int):
        conv = _convocatoria_orh(convocatoria_id)
        formacion = comite.formar(db.session, conv, usuario=g.user)
        if not formacion.formada:
            return self._pagina(conv, errores={"formar": " ".join(formacion.motivos)}, status=422)
        flash("Se formó el puntaje de la Entrevista Personal (§4.2.5 g).", "success")
        return redirect(url_for("ComiteAsignacionView.convocatoria", convocatoria_id=conv.id), 303)

    def _pagina(self, conv: m.Convocatoria, *, errores: dict[str | None, str] | None = None,
                datos: dict[str, str] | None = None, status: int = 200):
        return self.render("asignacion.html", status=status, conv=conv, miembros=comite.miembros(db.session, conv),
                           asignables=comite.asignables(db.session, conv), roles=list(RolComite),
                           filas=comite.tablero(db.session, conv),
                           calificadores=comite.calificadores(db.session, conv),
                           progreso=comite.progreso(db.session, conv), faltantes=comite.faltantes(db.session, conv),
                           publicada=comite.publicada(db.session, conv), formada=comite.formada(db.session, conv),
                           errores=errores or {}, datos=datos or {})


def register(appbuilder: AppBuilder) -> None:
    """The member's entry at the top of the navigation bar (one tap on a phone); ORH's under Evaluación."""
    appbuilder.add_view_no_menu(ComiteView)
    appbuilder.add_link(MENU_COMITE, href="/comite/", icon="fa-pencil-square-o")
    appbuilder.add_view(ComiteAsignacionView, MENU_ASIGNACION, icon="fa-users", category="Evaluación")
