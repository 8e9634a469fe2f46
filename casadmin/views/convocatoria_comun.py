"""What the staff screens of one call share (issue 5): the calls the current user may see, loading
one call (or a row hanging from it) or answering 404, and a background job's progress page (with
"Reintentar" for a failed one).

Scope comes from :func:`casadmin.scoping.condition`, so another institution's call, contract,
appeal or job answers 404 whatever its id, on every screen alike.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, g, jsonify, redirect, url_for

from casadmin import models as m
from casadmin import scoping, tareas
from casadmin.extensions import db
from casadmin.models.enums import EstadoTarea


def convocatorias(*, sin_borrador: bool = False, limite: int | None = None) -> list[m.Convocatoria]:
    """The calls of the current user's scope, newest first (see :func:`casadmin.scoping.convocatorias`)."""
    return scoping.convocatorias(db.session, sin_borrador=sin_borrador, limite=limite)


def visible_o_404(model: type, pk: int) -> Any:
    """The row ``pk`` of ``model`` if the current user may see it, else 404."""
    fila = db.session.scalar(sa.select(model).where(model.__mapper__.primary_key[0] == pk,
                                                    scoping.condition(model)))
    if fila is None:
        abort(404)
    return fila


def convocatoria_o_404(convocatoria_id: int) -> m.Convocatoria:
    """The call ``convocatoria_id`` if the current user may see it, else 404."""
    return visible_o_404(m.Convocatoria, convocatoria_id)


def tarea_o_404(tarea_id: int, tipo: str | None = None) -> m.Tarea:
    """A call's background job (of kind ``tipo`` when given), in the same scope as its call; else 404."""
    tarea = db.session.get(m.Tarea, tarea_id)
    if tarea is None or tarea.convocatoria_id is None or (tipo is not None and tarea.tipo != tipo):
        abort(404)
    convocatoria_o_404(tarea.convocatoria_id)
    return tarea


def pagina_tarea(view: Any, template: str, tarea: m.Tarea, reintentar: str | None = None) -> Any:
    """The progress page of a job (it polls :func:`json_tarea` while the job runs). With ``reintentar``
    (the endpoint of :func:`reintentar_tarea`'s route) a failed or stopped job offers to run again."""
    detenida = tareas.detenida(tarea)
    en_curso = tarea.estado in (EstadoTarea.pendiente, EstadoTarea.en_curso) and not detenida
    url = url_for(reintentar, tarea_id=tarea.id) if reintentar and tareas.reintentable(tarea) else None
    return view.render_template(template, tarea=tarea, en_curso=en_curso, detenida=detenida, reintentar=url)


def reintentar_tarea(tarea: m.Tarea, pagina: str, *, clave: str | None = None) -> Any:
    """"Reintentar" on a failed job's page: a new run of the same work (audited), then its progress page
    (``pagina``: the endpoint of the job pages); a refusal is shown on the failed job's page. ``clave``:
    see :func:`casadmin.tareas.reintentar`."""
    try:
        nueva = tareas.reintentar(db.session, tarea, usuario=g.user, clave=clave)
        db.session.commit()
    except tareas.TareaRechazada as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for(pagina, tarea_id=tarea.id))
    flash("La tarea se ejecuta de nuevo. La ejecución fallida no guardó documentos ni envió notificaciones.",
          "success")
    return redirect(url_for(pagina, tarea_id=nueva.id))


def json_tarea(tarea: m.Tarea) -> Any:
    """A job's progress as the page's script reads it."""
    return jsonify(id=tarea.id, estado=tarea.estado.name, etiqueta=str(tarea.estado), progreso=tarea.progreso,
                   mensaje=tarea.mensaje, error=tarea.error)
