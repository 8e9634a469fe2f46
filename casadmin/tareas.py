"""Background jobs with progress (issue 5: result documents of 150,000 rows, notifications).

:func:`crear` records a :class:`~casadmin.models.Tarea` in the caller's transaction; once it
commits, the job runs outside the request: on the RQ queue ``casadmin-tareas`` when
``REDIS_URL`` is set (``flask casadmin worker`` runs it), otherwise in a background thread of
the same process. The job's function receives its recorded arguments and an ``avance``
callable; progress is written on its own connection, so the screen that polls the job sees
it while the work goes on. A failure is recorded with its message, never lost.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from casadmin import audit, tras_commit
from casadmin import models as m
from casadmin.extensions import db
from casadmin.models.enums import EstadoTarea
from casadmin.peru.clock import now

QUEUE_NAME = "casadmin-tareas"
_PENDIENTES_KEY = "casadmin_tareas_por_lanzar"

#: ``avance(hechas, total, mensaje=None)``
Avance = Callable[..., None]
#: How long an RQ job may run (``job_timeout``); a job still "en curso" well after it was stopped.
LIMITE = dt.timedelta(hours=1)
_COLGADA = LIMITE + dt.timedelta(minutes=5)


class TareaRechazada(ValueError):
    """A refusal with its Spanish message; nothing was changed."""


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


def detenida(tarea: m.Tarea) -> bool:
    """Still "en curso" well past the queue's time limit: the worker that ran it was stopped."""
    return (tarea.estado is EstadoTarea.en_curso and tarea.iniciada_en is not None
            and now() - tarea.iniciada_en > _COLGADA)


def reintentable(tarea: m.Tarea) -> bool:
    """Failed, or stopped with its worker (:func:`detenida`): what :func:`reintentar` accepts."""
    return tarea.estado is EstadoTarea.fallida or detenida(tarea)


def reintentar(session: Session, tarea: m.Tarea, *, usuario: m.Usuario | None = None,
               clave: str | None = None) -> m.Tarea:
    """Run a failed job again, as a new job with the same work and arguments; audited.

    For the jobs whose work is all-or-nothing (the result documents and notices of a publication:
    one transaction writes the files and the outbox at the end, so a failed run left nothing). Also a
    job the worker stopped (still "en curso" past the queue's time limit, :data:`LIMITE`). Refused
    for any other state, or when a newer run of the same work exists: the same function with the
    same arguments, or, with ``clave``, the same value of that argument (a publication's correction
    rebuilds the same documents: ``clave="publicacion_id"``). The failed job's row is locked first
    (PostgreSQL), so two clicks at once start one run. The caller commits; the new job starts then.
    """
    tarea = session.scalars(sa.select(m.Tarea).where(m.Tarea.id == tarea.id).with_for_update()
                            .execution_options(populate_existing=True)).one()
    if not reintentable(tarea):
        raise TareaRechazada(f"Solo se reintenta una tarea fallida; esta está {str(tarea.estado).lower()}.")
    T = m.Tarea
    otras = session.scalars(sa.select(T).where(T.tipo == tarea.tipo, T.funcion == tarea.funcion, T.id > tarea.id,
                                               T.convocatoria_id.is_(None) if tarea.convocatoria_id is None
                                               else T.convocatoria_id == tarea.convocatoria_id))
    argumentos = tarea.argumentos or {}
    if any(o.argumentos == argumentos if clave is None else (o.argumentos or {}).get(clave) == argumentos.get(clave)
           for o in otras):
        raise TareaRechazada("Esta tarea ya se reintentó o se ejecutó de nuevo: siga la tarea más reciente.")
    if detenida(tarea):  # the worker that ran it is gone: say so where the page shows it
        tarea.estado, tarea.terminada_en = EstadoTarea.fallida, now()
        tarea.error = f"Detenida: seguía en curso más de {int(LIMITE.total_seconds() // 3600)} hora(s) después de iniciada."
    nueva = crear(session, tipo=tarea.tipo, descripcion=tarea.descripcion, funcion=tarea.funcion,
                  argumentos=tarea.argumentos, entidad_id=tarea.entidad_id, convocatoria_id=tarea.convocatoria_id,
                  usuario_id=usuario.id if usuario else tarea.usuario_id)
    session.flush()
    quien_id, quien = audit.quien(usuario)
    audit.record(session, accion="reintentar_tarea", objeto=nueva, usuario_id=quien_id, usuario=quien,
                 entidad_id=tarea.entidad_id, convocatoria_id=tarea.convocatoria_id,
                 antes={"tarea": tarea.id, "error": (tarea.error or "")[:300]}, despues={"tarea": nueva.id})
    return nueva


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
            cola.enqueue("casadmin.tareas.trabajo", tarea_id, job_timeout=int(LIMITE.total_seconds()))
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
