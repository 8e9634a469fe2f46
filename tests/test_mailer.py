"""G1: every e-mail goes through the outbox and is sent after the commit, outside the request."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from casadmin import mailer
from casadmin import models as m
from casadmin.models.enums import EstadoCorreo, TipoCorreo


@pytest.fixture()
def sync_mail(app):
    app.config["MAIL_SYNC_FOR_TESTS"] = True
    yield
    app.config["MAIL_SYNC_FOR_TESTS"] = False


def _nuevo(db, asunto):
    return mailer.encolar(db.session, tipo=TipoCorreo.otro, destinatario="ana@example.pe", asunto=asunto,
                          cuerpo="Su postulación ha sido registrada satisfactoriamente.")


def test_a_message_is_sent_after_commit_and_recorded(db, sync_mail):
    asunto = f"Prueba {uuid.uuid4()}"
    with mailer.mail.record_messages() as enviados:
        correo = _nuevo(db, asunto)
        assert enviados == []  # nothing leaves before the commit
        db.session.commit()
    assert [e.subject for e in enviados] == [asunto]
    db.session.refresh(correo)
    assert correo.estado is EstadoCorreo.enviado and correo.intentos == 1 and correo.enviado_en is not None


def test_a_rolled_back_message_never_exists_nor_leaves(db, sync_mail):
    asunto = f"Revertido {uuid.uuid4()}"
    with mailer.mail.record_messages() as enviados:
        _nuevo(db, asunto)
        db.session.rollback()
    assert enviados == []
    assert db.session.scalar(sa.select(m.CorreoSaliente).where(m.CorreoSaliente.asunto == asunto)) is None


def test_failures_are_retried_and_left_visible(app, db, sync_mail, monkeypatch):
    def falla(correo):
        raise ConnectionRefusedError("SMTP no disponible")

    monkeypatch.setattr(mailer, "_smtp", falla)
    correo = _nuevo(db, f"Falla {uuid.uuid4()}")
    db.session.commit()
    db.session.refresh(correo)
    assert correo.estado is EstadoCorreo.fallido and correo.intentos == mailer.MAIL_MAX_INTENTOS
    assert "SMTP no disponible" in correo.ultimo_error
    # The server is back: «casadmin reenviar-correos» (cron) sends what failed; it stayed failed for good.
    monkeypatch.undo()
    with mailer.mail.record_messages() as enviados:
        r = app.test_cli_runner().invoke(args=["casadmin", "reenviar-correos"])
    assert r.exit_code == 0 and "enviado" in r.output, r.output
    assert correo.asunto in [e.subject for e in enviados]
    db.session.refresh(correo)
    assert correo.estado is EstadoCorreo.enviado and correo.ultimo_error is None


def test_with_redis_the_message_goes_through_an_rq_worker(app, db):
    from redis import Redis
    from rq import Queue

    queue_name = f"casadmin-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL="redis://127.0.0.1:6379/0", MAIL_QUEUE=queue_name)
    try:
        correo = _nuevo(db, f"Cola {uuid.uuid4()}")
        db.session.commit()
        queue = Queue(queue_name, connection=Redis.from_url(app.config["REDIS_URL"]))
        assert queue.count == 1
        db.session.refresh(correo)
        assert correo.estado is EstadoCorreo.pendiente
        with mailer.mail.record_messages() as enviados:
            mailer.trabajar(app, burst=True)
        assert len(enviados) == 1
        db.session.expire_all()
        assert db.session.get(m.CorreoSaliente, correo.id).estado is EstadoCorreo.enviado
    finally:
        app.config.update(REDIS_URL=None)
        Queue(queue_name, connection=Redis.from_url("redis://127.0.0.1:6379/0")).delete(delete_jobs=True)


def test_esperar_waits_for_the_background_send_to_record_its_outcome(db, monkeypatch):
    """Without Redis a thread sends after the commit; ``esperar`` returns once it has recorded the
    outcome, so that a caller may then remove the outbox row (the tests' clean-ups do)."""
    import threading

    soltar = threading.Event()
    smtp = mailer._smtp
    monkeypatch.setattr(mailer, "_smtp", lambda correo: (soltar.wait(10), smtp(correo)))
    correo = _nuevo(db, f"Hilo {uuid.uuid4()}")
    db.session.commit()
    db.session.refresh(correo)
    assert correo.estado is EstadoCorreo.pendiente  # the thread is held in _smtp
    threading.Timer(0.2, soltar.set).start()
    mailer.esperar()
    db.session.expire_all()
    assert db.session.get(m.CorreoSaliente, correo.id).estado is EstadoCorreo.enviado
