"""The one mailer (G1): every message is recorded in the outbox and sent outside the request.

:func:`encolar` adds a :class:`~casadmin.models.CorreoSaliente` row in the caller's
transaction, so a message exists exactly when the change that caused it is
committed. After the commit the message is dispatched: to an RQ queue on Redis
when ``REDIS_URL`` is set (run ``flask casadmin worker``), otherwise to a
background thread of the same process. Sending retries up to
``MAIL_MAX_INTENTOS`` times; failures stay visible to ORH in the outbox.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from types import SimpleNamespace
import sqlalchemy as sa
from flask import Flask, current_app
from flask_mail import Attachment, Mail, Message
from sqlalchemy.orm import Session

from casadmin import models as m
from casadmin import tras_commit
from casadmin.extensions import db
from casadmin.models.enums import EstadoCorreo, TipoCorreo
from casadmin.peru.clock import now

MAIL_MAX_INTENTOS = 3
QUEUE_NAME = "casadmin-correo"
LOTE_RQ = 200  # messages per RQ job when many are dispatched at once
mail = Mail()
_PENDIENTES_KEY = "casadmin_correos_por_enviar"
_HILO = "casadmin-mailer"  # the background sender's thread name


def encolar(
    session: Session,
    *,
    tipo: TipoCorreo,
    destinatario: str,
    asunto: str,
    cuerpo: str,
    adjuntos: Sequence[int] = (),
    entidad_id: int | None = None,
    convocatoria_id: int | None = None,
    usuario_id: int | None = None,
) -> m.CorreoSaliente:
    """Record a message in the outbox; it is dispatched once the transaction commits."""
    correo = m.CorreoSaliente(
        tipo=tipo, destinatario=destinatario, asunto=asunto, cuerpo=cuerpo, adjuntos=list(adjuntos),
        entidad_id=entidad_id, convocatoria_id=convocatoria_id, usuario_id=usuario_id,
        estado=EstadoCorreo.pendiente, intentos=0, creado_en=now(),
    )
    session.add(correo)
    tras_commit.anotar(session, _PENDIENTES_KEY, correo)
    return correo


def despachar_tras_commit(session: Session, ids: Sequence[int]) -> None:
    """Dispatch messages inserted in bulk (already with ids) once the transaction commits."""
    tras_commit.anotar(session, _PENDIENTES_KEY, *(SimpleNamespace(id=i) for i in ids))


def despachar(ids: Sequence[int]) -> None:
    """Hand committed messages to the queue (Redis) or to a background thread."""
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue

        queue = Queue((app.config.get("MAIL_QUEUE") or QUEUE_NAME), connection=Redis.from_url(app.config["REDIS_URL"]))
        ids = list(ids)
        if len(ids) == 1:
            queue.enqueue("casadmin.mailer.trabajo_enviar", ids[0], retry=None)
            return
        # Many messages at once (a stage's notices): one job per batch, enqueued in one round trip.
        lotes = [ids[i:i + LOTE_RQ] for i in range(0, len(ids), LOTE_RQ)]
        queue.enqueue_many([Queue.prepare_data("casadmin.mailer.trabajo_enviar_lote", (lote,)) for lote in lotes])
        return
    hilo = threading.Thread(target=_en_hilo, args=(app, list(ids)), daemon=True, name=_HILO)
    hilo.start()
    if app.config.get("MAIL_SYNC_FOR_TESTS"):
        hilo.join()  # tests wait for the background send to finish


def esperar(timeout: float = 30.0) -> None:
    """Wait for this process's background sends (:func:`despachar` without Redis) to end: before
    removing outbox rows that a send may still be recording its outcome in."""
    for hilo in threading.enumerate():
        if hilo.name == _HILO and hilo is not threading.current_thread():
            hilo.join(timeout)


def _en_hilo(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        for correo_id in ids:
            enviar(correo_id)
        db.session.remove()


def enviar(correo_id: int) -> EstadoCorreo:
    """Send one message (retrying up to MAIL_MAX_INTENTOS); record the outcome in the outbox."""
    correo = db.session.get(m.CorreoSaliente, correo_id)
    if correo is None or correo.estado is EstadoCorreo.enviado:
        return EstadoCorreo.enviado
    maximo = int(current_app.config.get("MAIL_MAX_INTENTOS", MAIL_MAX_INTENTOS))
    while correo.intentos < maximo:
        correo.intentos += 1
        try:
            _smtp(correo)
        except Exception as exc:  # noqa: BLE001 - any transport failure is recorded and retried
            correo.ultimo_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            correo.estado = EstadoCorreo.fallido if correo.intentos >= maximo else EstadoCorreo.pendiente
            db.session.commit()
            continue
        correo.estado, correo.enviado_en, correo.ultimo_error = EstadoCorreo.enviado, now(), None
        db.session.commit()
        break
    return correo.estado


def _smtp(correo: m.CorreoSaliente) -> None:
    from casadmin.storage import get_storage

    msg = Message(subject=correo.asunto, recipients=[correo.destinatario], body=correo.cuerpo)
    for archivo_id in correo.adjuntos or ():
        archivo = db.session.get(m.Archivo, archivo_id)
        if archivo is not None:
            with get_storage().open(archivo.clave) as fh:
                msg.attachments.append(Attachment(archivo.nombre_original, archivo.tipo_mime, fh.read()))
    # With MAIL_SUPPRESS_SEND, Flask-Mail records the message (signal) without delivering it.
    current_app.extensions["mail"].send(msg)


def trabajo_enviar_lote(ids: list[int]) -> dict[str, int]:
    """RQ job: send a batch of messages; counts by final state."""
    cuenta: dict[str, int] = {}
    for correo_id in ids:
        estado = trabajo_enviar(correo_id)
        cuenta[estado] = cuenta.get(estado, 0) + 1
    return cuenta


def trabajo_enviar(correo_id: int) -> str:
    """RQ job: send one message (the worker runs inside the app's context: ``flask casadmin worker``)."""
    from flask import has_app_context

    if has_app_context():
        return enviar(correo_id).name
    from casadmin import create_app

    with create_app().app_context():
        return enviar(correo_id).name


def enviar_pendientes(limite: int = 500) -> dict[str, int]:
    """Send what is still pending (e.g. after a restart); returns counts by final state."""
    ids = db.session.scalars(
        sa.select(m.CorreoSaliente.id).where(m.CorreoSaliente.estado == EstadoCorreo.pendiente)
        .order_by(m.CorreoSaliente.id).limit(limite)
    ).all()
    return trabajo_enviar_lote(list(ids))


def reintentar_fallidos(dias: int = 3, limite: int = 500) -> dict[str, int]:
    """Send again the messages of the last ``dias`` days that failed every attempt (the attempts are made at
    once, so a mail server down for a few minutes lost an activation or a citation for good, while the
    user read «le enviamos…»): each gets MAIL_MAX_INTENTOS new attempts. Counts by final state."""
    C = m.CorreoSaliente
    ids = list(db.session.scalars(sa.select(C.id).where(C.estado == EstadoCorreo.fallido,
                                                        C.creado_en >= now() - dt.timedelta(days=dias))
                                  .order_by(C.id).limit(limite)))
    if ids:
        db.session.execute(sa.update(C).where(C.id.in_(ids)).values(intentos=0, estado=EstadoCorreo.pendiente))
        db.session.commit()
    return trabajo_enviar_lote(ids)


def install(app: Flask) -> None:
    """Bind Flask-Mail and the after-commit dispatch (once per app)."""
    mail.init_app(app)
    tras_commit.instalar(_PENDIENTES_KEY, lambda ids: despachar(ids))


def trabajar(app: Flask, burst: bool = False) -> None:
    """Run an RQ worker for the mail queue and the background jobs' queue inside this app's context."""
    from redis import Redis
    from rq import SimpleWorker

    from casadmin import tareas

    conn = Redis.from_url(app.config["REDIS_URL"])
    colas = [(app.config.get("MAIL_QUEUE") or QUEUE_NAME), (app.config.get("TAREAS_QUEUE") or tareas.QUEUE_NAME)]
    SimpleWorker(colas, connection=conn).work(burst=burst)
