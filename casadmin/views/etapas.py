"""ORH's "Etapas" screens of a call (D1–D6, issue 5 item 3): run each stage, record its inputs,
review each candidate with every reason, override with a written reason, the interview shortlist
and timetable. Thin: every rule and write is in :mod:`casadmin.etapas`.

Only ORH (and the administrator) hold the permission; calls are those
:func:`casadmin.scoping.condition` lets the user see, so another institution's call answers 404.
"""

from __future__ import annotations

import datetime as dt
import math

import sqlalchemy as sa
from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from casadmin import engine_db
from casadmin import etapas as svc
from casadmin import models as m
from casadmin.extensions import db
from casadmin.models.enums import Etapa, Resultado
from casadmin.views import convocatoria_comun as comun

POR_PAGINA = 100


def _etapa(conv: m.Convocatoria, etapa: str) -> str:
    try:
        if etapa not in svc.etapas(conv):
            abort(404)
    except svc.EtapaRechazada:
        abort(404)
    return etapa


def _a_la_siguiente(conv: m.Convocatoria, postulacion_id: int):
    """To the next candidate of the Ficha stage, after ``postulacion_id`` and then from the start, with an
    experience not judged yet (§4.2.1 x), at its experiences; back to the stage's list when none is left."""
    siguiente = svc.siguiente_sin_calificar(db.session, conv, postulacion_id)
    if siguiente is None:
        flash("No quedan experiencias sin calificar en la etapa.", "info")
        return redirect(url_for("EtapasView.resultados", convocatoria_id=conv.id, etapa="ficha"))
    return redirect(url_for("EtapasView.revisar", convocatoria_id=conv.id, etapa="ficha",
                            postulacion_id=siguiente, _anchor="especificas"))


def _fecha(texto: str | None) -> dt.datetime | None:
    """A ``datetime-local`` value (Lima time, as typed)."""
    try:
        return dt.datetime.fromisoformat((texto or "").strip()).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        return None


def _pagina(filas: list) -> tuple[list, int, int]:
    """One page of a long grid (a grid saves only the rows it shows)."""
    paginas = max(1, math.ceil(len(filas) / POR_PAGINA))
    pagina = min(max(request.args.get("pagina", 1, type=int), 1), paginas)
    return filas[(pagina - 1) * POR_PAGINA: pagina * POR_PAGINA], pagina, paginas


def _fuera_de_grilla(errores, filas) -> list[str]:
    """Messages about rows the grid does not show (a candidate outside the stage)."""
    mostrados = {f.postulacion_id for f in filas}
    return [msg for campo, msg in (errores or {}).items()
            if campo.rpartition("-")[2].isdigit() and int(campo.rpartition("-")[2]) not in mostrados]


class EtapasView(BaseView):
    route_base = "/etapas"
    default_view = "convocatorias"
    class_permission_name = "EtapasView"
    method_permission_name = {
        "convocatorias": "read", "convocatoria": "read", "resultados": "read", "revisar": "read",
        "siguiente_sin_calificar": "read",
        "convocados": "read", "tarea": "read", "tarea_json": "read",
        "evaluar": "edit", "recalcular": "edit", "modificar": "edit", "verificacion": "edit", "puntajes": "edit", "archivo": "edit",
        "asistencia": "edit", "curricular": "edit", "generar_citaciones": "edit", "editar_citacion": "edit",
        "notificar_citaciones": "edit", "tarea_puntajes": "read", "tarea_puntajes_json": "read",
    }
    base_permissions = ["can_read", "can_edit"]

    # -- the calls and a call's stages ------------------------------------------------------

    @expose("/")
    @has_access
    def convocatorias(self):
        return self.render_template("casadmin/etapas/convocatorias.html",
                                    convocatorias=comun.convocatorias(sin_borrador=True))

    @expose("/<int:convocatoria_id>")
    @has_access
    def convocatoria(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        try:
            filas = svc.resumen_etapas(db.session, conv)
        except svc.EtapaRechazada as exc:
            flash(exc.mensaje, "danger")
            filas = []
        tareas = db.session.scalars(sa.select(m.Tarea).where(m.Tarea.convocatoria_id == conv.id,
                                                             m.Tarea.tipo == "evaluacion")
                                    .order_by(m.Tarea.id.desc()).limit(5)).all()
        return self.render_template("casadmin/etapas/convocatoria.html", conv=conv, filas=filas, tareas=tareas,
                                    Resultado=Resultado)

    # -- running a stage ---------------------------------------------------------------------

    @expose("/<int:convocatoria_id>/<etapa>/evaluar", methods=["POST"])
    @has_access
    def evaluar(self, convocatoria_id: int, etapa: str):
        conv = comun.convocatoria_o_404(convocatoria_id)
        etapa = _etapa(conv, etapa)
        desde = current_app.config.get("ETAPAS_TAREA_DESDE", 500)
        try:
            r = svc.evaluar(db.session, conv, etapa, usuario=g.user, en_tarea_desde=desde)
        except svc.EtapaRechazada as exc:
            db.session.rollback()
            flash(exc.mensaje, "danger")
            return redirect(url_for("EtapasView.convocatoria", convocatoria_id=conv.id))
        if isinstance(r, m.Tarea):
            flash(f"La {Etapa[etapa].value} se está evaluando en segundo plano.", "info")
            return redirect(url_for("EtapasView.tarea", tarea_id=r.id))
        flash(svc.resumen(r), "success")
        return redirect(url_for("EtapasView.resultados", convocatoria_id=conv.id, etapa=etapa))

    @expose("/<int:convocatoria_id>/<etapa>/recalcular", methods=["POST"])
    @has_access
    def recalcular(self, convocatoria_id: int, etapa: str):
        conv = comun.convocatoria_o_404(convocatoria_id)
        etapa = _etapa(conv, etapa)
        try:
            r = svc.recalcular(db.session, conv, etapa, request.form.get("motivo", ""), usuario=g.user)
        except svc.EtapaRechazada as exc:
            db.session.rollback()
            flash(exc.mensaje, "danger")
            return redirect(url_for("EtapasView.convocatoria", convocatoria_id=conv.id))
        flash("Recálculo registrado en la auditoría. " + svc.resumen(r), "success")
        return redirect(url_for("EtapasView.resultados", convocatoria_id=conv.id, etapa=etapa))

    # -- results and one candidate's review ---------------------------------------------------

    @expose("/<int:convocatoria_id>/<etapa>")
    @has_access
    def resultados(self, convocatoria_id: int, etapa: str):
        conv = comun.convocatoria_o_404(convocatoria_id)
        etapa = _etapa(conv, etapa)
        if etapa == "entrevista":
            return redirect(url_for("EtapasView.convocados", convocatoria_id=conv.id))
        buscar = (request.args.get("q") or "").strip()[:60]
        todas = svc.candidatos(db.session, conv, etapa, buscar=buscar or None)
        # The evaluator's queue (§4.2.1 x): only the candidates with an experience not judged yet.
        pendientes = etapa == "ficha" and request.args.get("pendientes") == "1"
        quedan = svc.sin_calificar(db.session, conv) if pendientes else None
        if quedan is not None:
            todas = [f for f in todas if f.postulacion_id in quedan]
        filas, pagina, paginas = _pagina(todas)
        return self.render_template(
            "casadmin/etapas/resultados.html", conv=conv, etapa=Etapa[etapa], buscar=buscar, pagina=pagina,
            paginas=paginas, total=len(todas), filas=filas, pendientes=pendientes,
            cola=etapa == "ficha" and svc.pide_especifica(conv),
            # the page's marks: from the whole queue when it was read for the filter
            sin_calificar=quedan if quedan is not None else svc.sin_calificar(db.session, conv, filas)
            if etapa == "ficha" else {},
            publicada=svc.publicada(db.session, conv, etapa),
            desactualizada=svc.desactualizacion(db.session, conv, etapa))

    def _revision(self, conv, etapa: str, postulacion_id: int, *, errores=None, valores=None, status=200):
        filas = svc.candidatos(db.session, conv, etapa, ids=[postulacion_id])
        if not filas:
            abort(404)
        r = filas[0].resultado
        publicada = svc.publicada(db.session, conv, etapa)
        # How each experience requirement's days were counted, experience by experience (D1).
        detalle = engine_db.detalle_experiencia(db.session, conv, postulacion_id, r.motivos) \
            if etapa == "ficha" and r is not None and r.motivos else {}
        return self.render_template(
            "casadmin/etapas/revisar.html", conv=conv, etapa=Etapa[etapa], f=filas[0], detalle=detalle,
            opciones=svc.RESULTADOS_OVERRIDE.get(etapa, ()), errores=errores or {}, valores=valores or {},
            lista=svc.lista_manual(db.session, conv) if etapa == "ficha" else {},
            experiencias=svc.experiencias_declaradas(db.session, postulacion_id) if etapa == "ficha" else [],
            # The evaluator's queue (§4.2.1 x): its next candidate is looked for on click, not here (on a
            # large call an empty queue means reading every application).
            cola=etapa == "ficha" and not publicada and svc.pide_especifica(conv),
            especifica=engine_db.ESPECIFICA, publicada=publicada), status

    @expose("/<int:convocatoria_id>/<etapa>/postulacion/<int:postulacion_id>")
    @has_access
    def revisar(self, convocatoria_id: int, etapa: str, postulacion_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        return self._revision(conv, _etapa(conv, etapa), postulacion_id)

    @expose("/<int:convocatoria_id>/<etapa>/postulacion/<int:postulacion_id>/modificar", methods=["POST"])
    @has_access
    def modificar(self, convocatoria_id: int, etapa: str, postulacion_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        etapa = _etapa(conv, etapa)
        if postulacion_id not in svc.ids_en_etapa(db.session, conv, etapa):
            abort(404)
        valores = {"resultado": request.form.get("resultado", ""), "motivo": request.form.get("motivo", "")}
        try:
            svc.modificar_resultado(db.session, conv, postulacion_id, etapa, valores["resultado"], valores["motivo"],
                                    usuario=g.user)
        except svc.EtapaRechazada as exc:
            db.session.rollback()
            flash(exc.mensaje, "danger")
            return self._revision(conv, etapa, postulacion_id, errores=exc.errores, valores=valores, status=422)
        flash("Resultado modificado con su sustento; quedó en el registro de auditoría.", "success")
        return redirect(url_for("EtapasView.revisar", convocatoria_id=conv.id, etapa=etapa,
                                postulacion_id=postulacion_id))

    @expose("/<int:convocatoria_id>/ficha/postulacion/<int:postulacion_id>/verificacion", methods=["POST"])
    @has_access
    def verificacion(self, convocatoria_id: int, postulacion_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        _etapa(conv, "ficha")
        # Only what the evaluator changed on this form (each item's value when the page was drawn comes
        # back as «antes-…»): a judgment another evaluator saved meanwhile stays unless this one changed
        # the same item. «Sin verificar» / «Sin calificar» sends "" and clears the item.
        valores = {c: v for c in svc.lista_ficha(db.session, conv, postulacion_id)
                   if (v := request.form.get(f"check-{c}")) is not None and v != request.form.get(f"antes-{c}")}
        try:
            svc.registrar_verificacion_ficha(db.session, conv, postulacion_id, valores, usuario=g.user)
        except svc.EtapaRechazada as exc:
            db.session.rollback()
            flash(exc.mensaje, "danger")
            return self._revision(conv, "ficha", postulacion_id, errores=exc.errores, valores=valores, status=422)
        flash("Verificación guardada. Pulse «Calcular resultados» de la etapa para aplicarla.", "success")
        if request.form.get("siguiente"):  # «Guardar y siguiente sin calificar»
            return _a_la_siguiente(conv, postulacion_id)
        return redirect(url_for("EtapasView.revisar", convocatoria_id=conv.id, etapa="ficha",
                                postulacion_id=postulacion_id))

    @expose("/<int:convocatoria_id>/ficha/postulacion/<int:postulacion_id>/siguiente")
    @has_access
    def siguiente_sin_calificar(self, convocatoria_id: int, postulacion_id: int):
        """«Siguiente con experiencia sin calificar»: the evaluator's queue (§4.2.1 x) from this candidate."""
        conv = comun.convocatoria_o_404(convocatoria_id)
        _etapa(conv, "ficha")
        return _a_la_siguiente(conv, postulacion_id)

    # -- D2: the exam's scores ---------------------------------------------------------------

    def _grilla(self, conv, *, errores=None, valores=None, lineas=None, status=200):
        filas, pagina, paginas = _pagina(svc.candidatos(db.session, conv, "examen"))
        minimo, maximo = svc.rango_examen(conv)
        return self.render_template(
            "casadmin/etapas/examen.html", conv=conv, filas=filas, errores=errores or {}, valores=valores or {},
            otros=_fuera_de_grilla(errores, filas), pagina=pagina, paginas=paginas,
            lineas=lineas or [], minimo=minimo, maximo=maximo,
            cargas=db.session.scalars(sa.select(m.Tarea).where(m.Tarea.convocatoria_id == conv.id,
                                                               m.Tarea.tipo == svc.TAREA_PUNTAJES)
                                      .order_by(m.Tarea.id.desc()).limit(3)).all(),
            publicada=svc.publicada(db.session, conv, "examen")), status

    @expose("/<int:convocatoria_id>/examen/puntajes", methods=["GET", "POST"])
    @has_access
    def puntajes(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        _etapa(conv, "examen")
        if request.method == "GET":
            return self._grilla(conv)
        ids = request.form.getlist("postulacion", type=int)
        valores = {pid: (request.form.get(f"asistio-{pid}", ""), request.form.get(f"puntaje-{pid}", "")) for pid in ids}
        try:
            entradas = svc.validar_examen(db.session, conv, valores)
            n = svc.registrar_examen(db.session, conv, entradas, usuario=g.user)
        except svc.EtapaRechazada as exc:
            db.session.rollback()
            flash(exc.mensaje, "danger")
            return self._grilla(conv, errores=exc.errores, valores=valores, status=422)
        flash(f"Se guardaron {n} cambio(s). Cuando termine, pulse «Calcular resultados» de la etapa.", "success")
        return redirect(url_for("EtapasView.puntajes", convocatoria_id=conv.id))

    @expose("/<int:convocatoria_id>/examen/archivo", methods=["POST"])
    @has_access
    def archivo(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        _etapa(conv, "examen")
        subido = request.files.get("archivo")
        try:
            if subido is None or not subido.filename:
                raise svc.ArchivoRechazado([(None, "Elija un archivo CSV o Excel.")])
            entradas = svc.leer_archivo_puntajes(db.session, conv, subido.filename, subido.read(svc.MAX_ARCHIVO + 1))
            n = svc.cargar_puntajes(db.session, conv, entradas, usuario=g.user, origen=f"archivo {subido.filename}"[:200],
                                    en_tarea_desde=current_app.config.get("ETAPAS_ARCHIVO_TAREA_DESDE", 500))
        except svc.ArchivoRechazado as exc:
            db.session.rollback()
            flash(exc.mensaje, "danger")
            return self._grilla(conv, lineas=exc.lineas, status=422)
        except svc.EtapaRechazada as exc:
            db.session.rollback()
            flash(exc.mensaje, "danger")
            return self._grilla(conv, status=422)
        if isinstance(n, m.Tarea):
            flash(f"Archivo válido: sus {len(entradas)} puntajes se están guardando en segundo plano.", "info")
            return redirect(url_for("EtapasView.tarea_puntajes", tarea_id=n.id))
        flash(f"Archivo cargado: {len(entradas)} candidato(s) leídos, {n} cambio(s) guardado(s).", "success")
        return redirect(url_for("EtapasView.puntajes", convocatoria_id=conv.id))

    # -- D3: psychological test attendance ---------------------------------------------------------

    @expose("/<int:convocatoria_id>/psicologica/asistencia", methods=["GET", "POST"])
    @has_access
    def asistencia(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        _etapa(conv, "psicologica")
        errores, valores, status = {}, {}, 200
        if request.method == "POST":
            ids = request.form.getlist("postulacion", type=int)
            valores = {pid: request.form.get(f"asistio-{pid}", "") for pid in ids}
            try:
                n = svc.registrar_asistencia(db.session, conv, "psicologica", valores, usuario=g.user)
            except svc.EtapaRechazada as exc:
                db.session.rollback()
                flash(exc.mensaje, "danger")
                errores, status = exc.errores, 422
            else:
                flash(f"Se guardaron {n} cambio(s). Cuando termine, pulse «Calcular resultados» de la etapa.", "success")
                return redirect(url_for("EtapasView.asistencia", convocatoria_id=conv.id))
        filas, pagina, paginas = _pagina(svc.candidatos(db.session, conv, "psicologica"))
        return self.render_template(
            "casadmin/etapas/asistencia.html", conv=conv, filas=filas, errores=errores, valores=valores,
            pagina=pagina, paginas=paginas,
            otros=_fuera_de_grilla(errores, filas), publicada=svc.publicada(db.session, conv, "psicologica")), status

    # -- D4: curricular evaluation of one candidate --------------------------------------------------

    @expose("/<int:convocatoria_id>/curricular/<int:postulacion_id>/calificar", methods=["GET", "POST"])
    @has_access
    def curricular(self, convocatoria_id: int, postulacion_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        _etapa(conv, "curricular")
        filas = svc.candidatos(db.session, conv, "curricular", ids=[postulacion_id])
        if not filas:
            abort(404)
        errores, status = {}, 200
        form = request.form
        if request.method == "POST":
            factores = {f: form.get(f"factor-{f}", "") for f in svc.FACTORES_CURRICULARES}
            lista = {c: (form.get(c, ""), form.get(f"obs-{c}", "")) for c in svc.LISTA_CURRICULAR}
            try:
                svc.registrar_curricular(db.session, conv, postulacion_id, factores=factores, lista=lista,
                                         usuario=g.user)
            except svc.EtapaRechazada as exc:
                db.session.rollback()
                flash(exc.mensaje, "danger")
                errores, status = exc.errores, 422
            else:
                flash("Evaluación curricular guardada. Cuando termine con todos, pulse «Calcular resultados».", "success")
                siguiente = request.form.get("siguiente", type=int)
                return redirect(url_for("EtapasView.curricular", convocatoria_id=conv.id,
                                        postulacion_id=siguiente or postulacion_id))
        todos = [f.postulacion_id for f in svc.candidatos(db.session, conv, "curricular")]
        i = todos.index(postulacion_id)
        doc, en_plazo = svc.expediente_de(db.session, conv, postulacion_id)
        return self.render_template(
            "casadmin/etapas/curricular.html", conv=conv, f=filas[0], doc=doc, en_plazo=en_plazo,
            puntos=svc.tabla_puntos(conv), nombres=svc.NOMBRES_FACTOR,
            lista=svc.lista_curricular(db.session, conv, filas[0]), errores=errores,
            form=form if request.method == "POST" else None, anterior=todos[i - 1] if i > 0 else None,
            siguiente=todos[i + 1] if i + 1 < len(todos) else None,
            publicada=svc.publicada(db.session, conv, "curricular")), status

    # -- D5: shortlist and interview timetable -----------------------------------------------------

    def _convocados(self, conv, *, errores=None, status=200):
        citas = svc.citaciones(db.session, conv)
        anuladas = svc.citaciones(db.session, conv, anuladas=True)
        lista = svc.lista_corta(db.session, conv)
        return self.render_template(
            "casadmin/etapas/convocados.html", conv=conv, lista=lista, corte=svc.corte(lista),
            citaciones=citas, anuladas=[(c, svc.texto_citacion(svc.lo_notificado(c)))
                                        for c in sorted(anuladas.values(), key=lambda c: c.anulada_en)],
            errores=errores or {}, form=request.form,
            avisos={pid: svc.estado_notificacion(c) for pid, c in (citas | anuladas).items()},
            publicada=svc.publicada(db.session, conv, "entrevista"),
            desactualizada=svc.desactualizacion(db.session, conv, "entrevista")), status

    @expose("/<int:convocatoria_id>/entrevista/convocados")
    @has_access
    def convocados(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        _etapa(conv, "entrevista")
        try:
            return self._convocados(conv)
        except svc.EtapaRechazada as exc:
            flash(exc.mensaje, "danger")
            return redirect(url_for("EtapasView.convocatoria", convocatoria_id=conv.id))

    @expose("/<int:convocatoria_id>/entrevista/citaciones", methods=["POST"])
    @has_access
    def generar_citaciones(self, convocatoria_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        _etapa(conv, "entrevista")
        try:
            out = svc.generar_citaciones(db.session, conv, inicio=_fecha(request.form.get("inicio")),
                                         duracion_minutos=request.form.get("duracion", ""),
                                         lugar=request.form.get("lugar", ""), usuario=g.user)
        except svc.EtapaRechazada as exc:
            db.session.rollback()
            flash(exc.mensaje, "danger")
            return self._convocados(conv, errores=exc.errores, status=422)
        flash(f"Se programaron {len(out)} entrevista(s).", "success")
        return redirect(url_for("EtapasView.convocados", convocatoria_id=conv.id))

    @expose("/<int:convocatoria_id>/entrevista/citaciones/<int:postulacion_id>", methods=["POST"])
    @has_access
    def editar_citacion(self, convocatoria_id: int, postulacion_id: int):
        conv = comun.convocatoria_o_404(convocatoria_id)
        _etapa(conv, "entrevista")
        try:
            svc.editar_citacion(db.session, conv, postulacion_id,
                                fecha_hora=_fecha(request.form.get(f"fecha-{postulacion_id}")),
                                lugar=request.form.get(f"lugar-{postulacion_id}", ""), usuario=g.user)
        except svc.EtapaRechazada as exc:
            db.session.rollback()
            flash(exc.mensaje, "danger")
            return self._convocados(conv, errores=exc.errores, status=422)
        flash("Citación actualizada.", "success")
        return redirect(url_for("EtapasView.convocados", convocatoria_id=conv.id))

    @expose("/<int:convocatoria_id>/entrevista/notificar", methods=["POST"])
    @has_access
    def notificar_citaciones(self, convocatoria_id: int):
        """G1: e-mail and "Mis postulaciones" notice to each new or changed slot (§4.2.5 c)."""
        conv = comun.convocatoria_o_404(convocatoria_id)
        _etapa(conv, "entrevista")
        try:
            r = svc.notificar_citaciones(db.session, conv, usuario=g.user)
        except svc.EtapaRechazada as exc:
            db.session.rollback()
            flash(exc.mensaje, "danger")
            return redirect(url_for("EtapasView.convocados", convocatoria_id=conv.id))
        if not r.total:
            flash("Todas las citaciones ya fueron notificadas y no cambiaron: no se envió nada.", "info")
        else:
            sin = (f" {len(r.sin_correo)} candidato(s) sin correo registrado la verán solo en «Mis postulaciones»: "
                   + ", ".join(r.sin_correo[:10]) + ".") if r.sin_correo else ""
            anuladas = f", {r.anuladas} anulada(s)" if r.anuladas else ""
            flash(f"Se notificaron {r.total} citación(es) ({r.nuevas} nueva(s), {r.modificadas} modificada(s){anuladas}); "
                  f"{r.correos} correo(s) en cola de envío.{sin}", "success")
        return redirect(url_for("EtapasView.convocados", convocatoria_id=conv.id))

    # -- a background evaluation's progress ----------------------------------------------------------

    @expose("/tarea/<int:tarea_id>")
    @has_access
    def tarea(self, tarea_id: int):
        return comun.pagina_tarea(self, "casadmin/etapas/tarea.html", comun.tarea_o_404(tarea_id, "evaluacion"))

    @expose("/tarea/<int:tarea_id>.json")
    @has_access
    def tarea_json(self, tarea_id: int):
        return comun.json_tarea(comun.tarea_o_404(tarea_id, "evaluacion"))

    # -- a large score file saved in the background (its progress) ----------------------------------

    @expose("/tarea-puntajes/<int:tarea_id>")
    @has_access
    def tarea_puntajes(self, tarea_id: int):
        return comun.pagina_tarea(self, "casadmin/etapas/tarea_puntajes.html",
                                  comun.tarea_o_404(tarea_id, svc.TAREA_PUNTAJES))

    @expose("/tarea-puntajes/<int:tarea_id>.json")
    @has_access
    def tarea_puntajes_json(self, tarea_id: int):
        return comun.json_tarea(comun.tarea_o_404(tarea_id, svc.TAREA_PUNTAJES))
