"""Background jobs with progress (issue 5: result documents of 150,000 rows, notifications).

:func:`crear` records a :class:`~casadmin.models.Tarea` in the caller's transaction; once it
commits, the job runs outside the request: on the RQ queue ``casadmin-tareas`` when
``REDIS_URL`` is set (``flask casadmin worker`` runs it), otherwise in a background thread of
the same process. The job's function receives its recorded arguments and an ``avance``
callable; progress is written on its own connection, so the screen that polls the job sees
it while the work goes on. A failure is recorded with its message, never lost.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from casadmin import models as m
from casadmin import tras_commit
from casadmin.extensions import db
from casadmin.models.enums import EstadoTarea
from casadmin.peru.clock import now

QUEUE_NAME = "casadmin-tareas"
_PENDIENTES_KEY = "casadmin_tareas_por_lanzar"

#: ``avance(hechas, total, mensaje=None)``
Avance = Callable[..., None]


def crear(session: Session, *, tipo: str, descripcion: str, funcion: str, argumentos: dict[str, Any] | None = None,
          entidad_id: int | None = None, convocatoria_id: int | None = None,
          usuario_id: int | None = None) -> m.Tarea:
    """Record a job; it starts once the caller's transaction commits."""
    tarea = m.Tarea(tipo=tipo, descripcion=descripcion, funcion=funcion, argumentos=dict(argumentos or {}),
                    estado=EstadoTarea.pendiente, progreso=0, entidad_id=entidad_id, convocatoria_id=convocatoria_id,
                    usuario_id=usuario_id, creada_en=now())
    session.add(tarea)
    tras_commit.anotar(session, _PENDIENTES_KEY, tarea)
    return tarea


def install(app: Flask) -> None:
    """Launch recorded jobs after commit (once per process)."""
    tras_commit.instalar(_PENDIENTES_KEY, lambda ids: lanzar(list(ids)))


def lanzar(ids: list[int]) -> None:
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue

        cola = Queue((app.config.get("TAREAS_QUEUE") or QUEUE_NAME), connection=Redis.from_url(app.config["REDIS_URL"]))
        for tarea_id in ids:
            cola.enqueue("casadmin.tareas.trabajo", tarea_id, job_timeout=3600)
        return
    hilo = threading.Thread(target=_en_hilo, args=(app, ids), daemon=True, name="casadmin-tareas")
    hilo.start()
    if app.config.get("TAREAS_SYNC_FOR_TESTS"):
        hilo.join()


def _en_hilo(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        for tarea_id in ids:
            ejecutar(tarea_id)
        db.session.remove()


def trabajo(tarea_id: int) -> str:
    """RQ job (the worker runs inside the app's context)."""
    return ejecutar(tarea_id).name


def _registrar(tarea_id: int, **valores: Any) -> None:
    """Write the job's state on its own connection: visible at once, whatever the work's transaction does."""
    with db.engine.begin() as conn:
        conn.execute(sa.update(m.Tarea.__table__).where(m.Tarea.__table__.c.id == tarea_id).values(**valores))


def ejecutar(tarea_id: int) -> EstadoTarea:
    """Run one job to its end; a failure is recorded (``error``) and the work's transaction rolled back."""
    tarea = db.session.get(m.Tarea, tarea_id)
    if tarea is None or tarea.estado in (EstadoTarea.terminada, EstadoTarea.en_curso):
        return tarea.estado if tarea else EstadoTarea.fallida
    modulo, _, nombre = tarea.funcion.rpartition(".")
    funcion = getattr(importlib.import_module(modulo), nombre)
    argumentos = dict(tarea.argumentos or {})
    _registrar(tarea_id, estado=EstadoTarea.en_curso, iniciada_en=now(), progreso=0)
    ultimo = [-1]

    def avance(hechas: int, total: int, mensaje: str | None = None) -> None:
        porcentaje = 100 if total <= 0 else min(100, hechas * 100 // total)
        if porcentaje != ultimo[0] or mensaje:
            ultimo[0] = porcentaje
            valores: dict[str, Any] = {"progreso": porcentaje}
            if mensaje:
                valores["mensaje"] = mensaje[:300]
            try:
                _registrar(tarea_id, **valores)
            except sa.exc.OperationalError:  # progress is informative: never let it fail the work
                current_app.logger.warning("No se pudo registrar el avance de la tarea %s", tarea_id)

    try:
        mensaje = funcion(avance=avance, **argumentos)
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - every failure is recorded for who started the job
        db.session.rollback()
        _registrar(tarea_id, estado=EstadoTarea.fallida, error=f"{exc.__class__.__name__}: {exc}"[:4000],
                   terminada_en=now())
        current_app.logger.exception("La tarea %s falló", tarea_id)
        return EstadoTarea.fallida
    _registrar(tarea_id, estado=EstadoTarea.terminada, progreso=100, terminada_en=now(),
               mensaje=(str(mensaje)[:300] if mensaje else "Terminada."))
    return EstadoTarea.terminada
