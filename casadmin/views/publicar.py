"""ORH's "Publicar resultados" screen (E2) and the progress of the job it starts.

Only ORH (and the administrator) hold the permission; the calls offered are those
:func:`casadmin.scoping.condition` lets the user see, so another institution's call
answers 404 whatever its id.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from casadmin import etapas as svc
from casadmin import models as m
from casadmin import publicacion
from casadmin.extensions import db
from casadmin.models.enums import Etapa, Resultado
from casadmin.views import convocatoria_comun as comun


class PublicarResultadosView(BaseView):
    route_base = "/publicar"
    default_view = "convocatorias"
    class_permission_name = "PublicarResultadosView"
    method_permission_name = {"convocatorias": "read", "etapas": "read", "tarea": "read", "tarea_json": "read",
                              "publicar": "edit", "reintentar": "edit"}
    base_permissions = ["can_read", "can_edit"]

    @expose("/")
    @has_access
    def convocatorias(self):
        return self.render_template("casadmin/publicar/convocatorias.html",
                                    convocatorias=comun.convocatorias(sin_borrador=True))

    @expose("/<int:convocatoria_id>")
    @has_access
    def etapas(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        r = m.ResultadoEtapa
        conteos = {
            (etapa, resultado): n for etapa, resultado, n in db.session.execute(
                sa.select(r.etapa, r.resultado, sa.func.count()).where(r.convocatoria_id == conv.id)
                .group_by(r.etapa, r.resultado))
        }
        publicadas = {p.etapa: p for p in db.session.scalars(
            sa.select(m.PublicacionEtapa).where(m.PublicacionEtapa.convocatoria_id == conv.id))}
        tareas = db.session.scalars(sa.select(m.Tarea).where(m.Tarea.convocatoria_id == conv.id)
                                    .order_by(m.Tarea.id.desc()).limit(10)).all()
        filas = []
        for etapa in Etapa:
            total = sum(n for (e, _), n in conteos.items() if e is etapa)
            pendientes = conteos.get((etapa, Resultado.pendiente), 0)
            if pendientes:
                # Only the stage's candidates wait for a result: the pending rows of applications an earlier
                # stage left out are no result of this one, and are not published (etapas.pendientes).
                try:
                    candidatos = svc.pendientes(db.session, conv, etapa.name)
                except svc.EtapaRechazada:
                    candidatos = pendientes
                total, pendientes = total - (pendientes - candidatos), candidatos
            filas.append({"etapa": etapa, "total": total,
                          "aptos": sum(n for (e, res), n in conteos.items()
                                       if e is etapa and res in (Resultado.apto, Resultado.asistio)),
                          "pendientes": pendientes, "publicacion": publicadas.get(etapa.name)})
        return self.render_template("casadmin/publicar/etapas.html", conv=conv, filas=filas, tareas=tareas)

    @expose("/<int:convocatoria_id>/<etapa>", methods=["POST"])
    @has_access
    def publicar(self, convocatoria_id: int, etapa: str):
        conv = comun.convocatoria_o_404(convocatoria_id)
        if etapa not in Etapa.__members__:
            abort(404)
        proxima = (request.form.get("proxima_etapa") or "").strip()[:2000] or None
        try:
            _, tarea = publicacion.publicar_etapa(db.session, conv, Etapa[etapa], usuario=g.user, proxima_etapa=proxima)
        except publicacion.PublicacionRechazada as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("PublicarResultadosView.etapas", convocatoria_id=conv.id))
        flash(f"Resultados de la {Etapa[etapa].value} publicados. Los documentos se están generando.", "success")
        return redirect(url_for("PublicarResultadosView.tarea", tarea_id=tarea.id))

    @expose("/tarea/<int:tarea_id>")
    @has_access
    def tarea(self, tarea_id: int):
        tarea = comun.tarea_o_404(tarea_id)  # the call's jobs of every kind are linked here
        return comun.pagina_tarea(self, "casadmin/publicar/tarea.html", tarea,
                                  reintentar="PublicarResultadosView.reintentar" if tarea.tipo == publicacion.TAREA else None)

    @expose("/tarea/<int:tarea_id>/reintentar", methods=["POST"])
    @has_access
    def reintentar(self, tarea_id: int):
        """A failed publication job (documents and notices, all or nothing) run again."""
        return comun.reintentar_tarea(comun.tarea_o_404(tarea_id, publicacion.TAREA), "PublicarResultadosView.tarea",
                                      clave="publicacion_id")

    @expose("/tarea/<int:tarea_id>.json")
    @has_access
    def tarea_json(self, tarea_id: int):
        return comun.json_tarea(comun.tarea_o_404(tarea_id))
