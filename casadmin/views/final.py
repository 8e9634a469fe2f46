"""ORH's final results, contract and appeals screens (D7–D11), and the applicant's appeal form.

Thin: each POST calls one command of :mod:`casadmin.final`, :mod:`casadmin.contratos` or
:mod:`casadmin.impugnaciones`; a refusal re-renders the page with the Spanish message at the
field that caused it and what was typed, and nothing is saved. Calls and applications are
looked up through :func:`casadmin.scoping.condition`, so another institution's call (or another
applicant's application) answers 404 whatever its id.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from casadmin import contratos, final, impugnaciones
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.engine import report
from casadmin.extensions import db
from casadmin.models.enums import DecisionImpugnacion, EstadoContrato, TipoImpugnacion, Verificacion
from casadmin.storage import get_storage
from casadmin.views import convocatoria_comun as comun


def _contrato(contrato_id: int) -> m.Contrato:
    c = comun.visible_o_404(m.Contrato, contrato_id)
    comun.convocatoria_o_404(c.convocatoria_id)
    return c


def _impugnacion(impugnacion_id: int) -> m.Impugnacion:
    imp = comun.visible_o_404(m.Impugnacion, impugnacion_id)
    comun.convocatoria_o_404(imp.postulacion.convocatoria_id)
    return imp


class ResultadosFinalesView(BaseView):
    """Ranking with bonuses and their basis, ties for the committee, publication, contracts, appeals."""

    route_base = "/finales"
    default_view = "convocatorias"
    class_permission_name = "ResultadosFinalesView"
    method_permission_name = {
        "convocatorias": "read", "convocatoria": "read", "calcular": "edit", "empate": "edit", "publicar": "edit",
        "verificar": "edit", "suscribir": "edit", "cerrar": "edit", "impugnar": "edit", "resolver": "edit",
        "corregir": "edit", "tarea": "read", "tarea_json": "read", "documento": "read", "reintentar": "edit",
    }
    base_permissions = ["can_read", "can_edit"]

    @expose("/")
    @has_access
    def convocatorias(self):
        return self.render_template("casadmin/final/convocatorias.html",
                                    convocatorias=comun.convocatorias(sin_borrador=True))

    def _pagina(self, conv: m.Convocatoria, error: dict[str, Any] | None = None, status: int = 200):
        s = db.session
        filas = s.scalars(sa.select(m.ResultadoFinal).where(m.ResultadoFinal.convocatoria_id == conv.id)
                          .order_by(m.ResultadoFinal.orden_merito, m.ResultadoFinal.id)).all()
        pub = final.publicacion_final(s, conv)
        impugs = s.scalars(sa.select(m.Impugnacion).join(m.Postulacion).where(
            m.Postulacion.convocatoria_id == conv.id).order_by(m.Impugnacion.id)).all()
        publicadas = [e for e in impugnaciones.ETAPAS if impugnaciones.plazo(s, conv, e)]
        lista = contratos.contratos(s, conv)
        propuesta = None
        # The §4.5 proposal (the life-cycle button's, ciclo.proponer_desierto) matters before a final
        # result exists and during the contract step (§4.5 d); a computed ranking has finalists.
        if not filas or lista:
            try:
                propuesta = final.causa_desierto_propuesta(s, conv)
            except pl.ErrorDePlugin:
                propuesta = None
        html = self.render_template(
            "casadmin/final/convocatoria.html", conv=conv, filas=filas, publicacion=pub,
            bonos=final.bonificaciones(s, conv), empates=final.empates_pendientes(s, conv),
            propuesta=propuesta, causas=report.CAUSAS_DESIERTO,
            sin_cubrir=report.posiciones_sin_cubrir(conv.cantidad_posiciones, len(filas)), tarea=final.tarea_documentos(s, conv) if pub else None,
            contratos=lista, registros=contratos.REGISTROS, verificaciones=list(Verificacion),
            sin_firma=contratos.SIN_FIRMA, pendiente=EstadoContrato.pendiente, impugnaciones=impugs,
            etapas=impugnaciones.ETAPAS, etapas_publicadas=publicadas,
            tipos=list(TipoImpugnacion), decisiones=[d for d in DecisionImpugnacion if d.name != "pendiente"],
            fundado=DecisionImpugnacion.fundado, error=error or {}, valores=request.form if error else {})
        return html, status

    def _rechazo(self, conv: m.Convocatoria, form: str, exc: Exception, objeto: int | None = None):
        db.session.rollback()
        return self._pagina(conv, {"form": form, "id": objeto, "field": getattr(exc, "field", None),
                                   "message": str(exc)}, 400)

    @expose("/<int:convocatoria_id>")
    @has_access
    def convocatoria(self, convocatoria_id: int):
        return self._pagina(comun.convocatoria_o_404(convocatoria_id))

    @expose("/<int:convocatoria_id>/calcular", methods=["POST"])
    @has_access
    def calcular(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        motivo = (request.form.get("motivo") or "").strip()
        try:
            res = final.evaluar_final(db.session, conv, recalcular=final.publicacion_final(db.session, conv) is not None,
                                      motivo=motivo, usuario=g.user)
        except (final.FinalRechazado, pl.ErrorDePlugin) as exc:
            exc.field = "motivo"
            return self._rechazo(conv, "calcular", exc)
        flash(f"Resultado final calculado: {res.finalistas} candidato(s) aptos en todas las etapas.", "success")
        if res.aviso:  # F3: computed with another version of the bases plugin than the call was created with
            flash(res.aviso, "warning")
        return redirect(url_for("ResultadosFinalesView.convocatoria", convocatoria_id=conv.id))

    @expose("/<int:convocatoria_id>/empate", methods=["POST"])
    @has_access
    def empate(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        lugares = {}
        for clave, valor in request.form.items():
            if clave.startswith("lugar_"):
                try:
                    lugares[int(clave.removeprefix("lugar_"))] = int(valor)
                except ValueError:
                    exc = final.FinalRechazado("Indique el lugar de cada candidato con un número.")
                    exc.field = "lugar"
                    return self._rechazo(conv, "empate", exc)
        if sorted(lugares.values()) != list(range(1, len(lugares) + 1)):
            exc = final.FinalRechazado("Asigne a cada candidato del empate un lugar distinto: 1, 2, …")
            exc.field = "lugar"
            return self._rechazo(conv, "empate", exc)
        try:
            res = final.decidir_empate(db.session, conv, sorted(lugares, key=lugares.get),
                                       request.form.get("sustento", ""), usuario=g.user)
        except final.FinalRechazado as exc:
            if "sustento" in str(exc):
                exc.field = "sustento"
            return self._rechazo(conv, "empate", exc)
        flash("Decisión del Comité registrada y resultado final recalculado.", "success")
        if res.aviso:  # F3, as after "Calcular resultado final"
            flash(res.aviso, "warning")
        return redirect(url_for("ResultadosFinalesView.convocatoria", convocatoria_id=conv.id))

    @expose("/<int:convocatoria_id>/publicar", methods=["POST"])
    @has_access
    def publicar(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        try:
            final.publicar_final(db.session, conv, usuario=g.user)
        except final.FinalRechazado as exc:
            return self._rechazo(conv, "publicar", exc)
        flash("Resultados finales publicados; se convocó a suscribir el contrato (§4.4 d). El cuadro de méritos "
              "(PDF y Excel) se está generando y se notificará a cada finalista.", "success")
        tarea = final.tarea_documentos(db.session, conv)
        return redirect(url_for("ResultadosFinalesView.tarea", tarea_id=tarea.id))

    @expose("/tarea/<int:tarea_id>")
    @has_access
    def tarea(self, tarea_id: int):
        return comun.pagina_tarea(self, "casadmin/final/tarea.html", comun.tarea_o_404(tarea_id, final.TAREA_DOCUMENTOS),
                                  reintentar="ResultadosFinalesView.reintentar")

    @expose("/tarea/<int:tarea_id>/reintentar", methods=["POST"])
    @has_access
    def reintentar(self, tarea_id: int):
        """The cuadro de méritos' job (documents and notices, all or nothing) run again after a failure."""
        return comun.reintentar_tarea(comun.tarea_o_404(tarea_id, final.TAREA_DOCUMENTOS), "ResultadosFinalesView.tarea",
                                      clave="publicacion_id")

    @expose("/tarea/<int:tarea_id>.json")
    @has_access
    def tarea_json(self, tarea_id: int):
        return comun.json_tarea(comun.tarea_o_404(tarea_id, final.TAREA_DOCUMENTOS))

    @expose("/<int:convocatoria_id>/documento/<formato>")
    @has_access
    def documento(self, convocatoria_id: int, formato: str):
        """The published cuadro de méritos (``pdf`` or ``xlsx``), for ORH to download (§4.2.6)."""
        conv = comun.convocatoria_o_404(convocatoria_id)
        pub = final.publicacion_final(db.session, conv)
        archivo = None
        if pub is not None and formato in ("pdf", "xlsx"):
            archivo = pub.archivo_pdf if formato == "pdf" else pub.archivo_xlsx
        if archivo is None:
            abort(404)
        return send_file(get_storage().open(archivo.clave), mimetype=archivo.tipo_mime,
                         download_name=archivo.nombre_original, as_attachment=True)

    @expose("/contrato/<int:contrato_id>/verificar", methods=["POST"])
    @has_access
    def verificar(self, contrato_id: int):
        c = _contrato(contrato_id)
        try:
            contratos.registrar_verificacion(db.session, c, request.form, request.form.get("observaciones"),
                                             usuario=g.user)
        except contratos.ContratoRechazado as exc:
            return self._rechazo(c.convocatoria, "verificar", exc, c.id)
        flash("Verificaciones registradas.", "success")
        return redirect(url_for("ResultadosFinalesView.convocatoria", convocatoria_id=c.convocatoria_id))

    @expose("/contrato/<int:contrato_id>/suscribir", methods=["POST"])
    @has_access
    def suscribir(self, contrato_id: int):
        c = _contrato(contrato_id)
        try:
            contratos.suscribir(db.session, c, usuario=g.user)
        except contratos.ContratoRechazado as exc:
            return self._rechazo(c.convocatoria, "suscribir", exc, c.id)
        flash("Contrato suscrito.", "success")
        return redirect(url_for("ResultadosFinalesView.convocatoria", convocatoria_id=c.convocatoria_id))

    @expose("/contrato/<int:contrato_id>/cerrar", methods=["POST"])
    @has_access
    def cerrar(self, contrato_id: int):
        c = _contrato(contrato_id)
        conv_id = c.convocatoria_id
        try:
            nuevo = contratos.cerrar_sin_firma(db.session, c, request.form.get("estado", ""),
                                               request.form.get("sustento", ""), usuario=g.user)
        except contratos.ContratoRechazado as exc:
            return self._rechazo(c.convocatoria, "cerrar", exc, c.id)
        if nuevo is not None:
            flash(f"Se convocó al accesitario N° {nuevo.orden_llamado}; plazo hasta el {nuevo.fecha_limite:%d/%m/%Y}.",
                  "success")
        else:
            flash("No quedan accesitarios por convocar: se propone declarar desierto el proceso (§4.5 d).", "warning")
        return redirect(url_for("ResultadosFinalesView.convocatoria", convocatoria_id=conv_id))

    @expose("/<int:convocatoria_id>/impugnar", methods=["POST"])
    @has_access
    def impugnar(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        # By the applicant's document: a call of 150,000 applications listed them all in a select box,
        # loading each applicant on its own, on every visit to this page.
        documento = "".join((request.form.get("documento") or "").split()).upper()
        post = db.session.scalar(sa.select(m.Postulacion).join(m.Postulante).where(
            m.Postulacion.convocatoria_id == conv.id, sa.func.upper(m.Postulante.numero_documento) == documento)
            .limit(1)) if documento else None
        try:
            if post is None:
                raise impugnaciones.ImpugnacionRechazada(
                    "Escriba el número de documento de quien presenta el recurso." if not documento else
                    f"Nadie con el documento {documento} postuló a esta convocatoria.", field="documento")
            impugnaciones.registrar(db.session, post, tipo=request.form.get("tipo", ""),
                                    etapa=request.form.get("etapa", ""), fundamento=request.form.get("fundamento", ""),
                                    usuario=g.user)
        except impugnaciones.ImpugnacionRechazada as exc:
            return self._rechazo(conv, "impugnar", exc)
        flash("Recurso registrado.", "success")
        return redirect(url_for("ResultadosFinalesView.convocatoria", convocatoria_id=conv.id))

    @expose("/impugnacion/<int:impugnacion_id>/resolver", methods=["POST"])
    @has_access
    def resolver(self, impugnacion_id: int):
        imp = _impugnacion(impugnacion_id)
        conv = imp.postulacion.convocatoria
        try:
            impugnaciones.resolver(db.session, imp, decision=request.form.get("decision", ""),
                                   sustento=request.form.get("sustento_decision", ""), usuario=g.user)
        except impugnaciones.ImpugnacionRechazada as exc:
            return self._rechazo(conv, "resolver", exc, imp.id)
        flash("Decisión registrada.", "success")
        return redirect(url_for("ResultadosFinalesView.convocatoria", convocatoria_id=conv.id))

    @expose("/impugnacion/<int:impugnacion_id>/corregir", methods=["POST"])
    @has_access
    def corregir(self, impugnacion_id: int):
        imp = _impugnacion(impugnacion_id)
        conv = imp.postulacion.convocatoria
        try:
            hecho = impugnaciones.corregir(db.session, imp, usuario=g.user)
        except (impugnaciones.ImpugnacionRechazada, pl.ErrorDePlugin) as exc:
            return self._rechazo(conv, "corregir", exc, imp.id)
        flash("Corrección auditada: se recalculó " + ", ".join(hecho) + ".", "success")
        return redirect(url_for("ResultadosFinalesView.convocatoria", convocatoria_id=conv.id))


class ImpugnarView(BaseView):
    """The applicant's own appeal against a published result of their application (D11, §4.8)."""

    route_base = "/impugnar"
    default_view = "formulario"
    class_permission_name = "ImpugnarView"
    method_permission_name = {"formulario": "read", "registrar": "edit"}
    base_permissions = ["can_read", "can_edit"]

    def _postulacion(self, postulacion_id: int) -> m.Postulacion:
        post = db.session.scalar(sa.select(m.Postulacion).join(m.Postulante).where(
            m.Postulacion.id == postulacion_id, m.Postulante.usuario_id == g.user.id))
        if post is None:
            abort(404)
        return post

    def _form(self, post: m.Postulacion, error: dict[str, Any] | None = None, status: int = 200):
        s = db.session
        conv = post.convocatoria
        plazos = {e: impugnaciones.plazo(s, conv, e) for e in impugnaciones.ETAPAS}
        propias = s.scalars(sa.select(m.Impugnacion).where(m.Impugnacion.postulacion_id == post.id)
                            .order_by(m.Impugnacion.id)).all()
        return self.render_template(
            "casadmin/final/impugnar.html", post=post, conv=conv, etapas=impugnaciones.ETAPAS,
            plazos={e: p for e, p in plazos.items() if p}, tipos=list(TipoImpugnacion), propias=propias,
            error=error or {}, valores=request.form if error else {}), status

    @expose("/<int:postulacion_id>")
    @has_access
    def formulario(self, postulacion_id: int):
        return self._form(self._postulacion(postulacion_id))

    @expose("/<int:postulacion_id>", methods=["POST"])
    @has_access
    def registrar(self, postulacion_id: int):
        post = self._postulacion(postulacion_id)
        try:
            impugnaciones.registrar(db.session, post, tipo=request.form.get("tipo", ""),
                                    etapa=request.form.get("etapa", ""), fundamento=request.form.get("fundamento", ""),
                                    usuario=g.user)
        except impugnaciones.ImpugnacionRechazada as exc:
            db.session.rollback()
            return self._form(post, {"field": exc.field, "message": str(exc)}, 400)
        flash("Su recurso fue registrado. " + (
            "La Oficina de Recursos Humanos lo derivará a SERVIR, que lo resuelve (§4.8)."
            if request.form.get("tipo") == TipoImpugnacion.apelacion.name else
            "La Oficina de Recursos Humanos lo resolverá (§4.8)."), "success")
        return redirect(url_for("ImpugnarView.formulario", postulacion_id=post.id))

