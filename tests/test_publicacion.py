"""E2, issue 5: "Publicar resultados" freezes the stage, builds the PDF and Excel lists in the
background with progress, shows them on the portal and notifies each candidate."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from casadmin import models as m
from casadmin import publicacion, resultados, tareas
from casadmin.models.enums import EstadoConvocatoria, EstadoTarea, Etapa, Resultado, TipoCorreo
from casadmin.peru.clock import now
from casadmin.storage import get_storage


@pytest.fixture()
def etapa_evaluada(db):
    """A new SUNEDU call whose exam was scored for six demo applicants (not yet published)."""
    ent = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
    version = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id))
    n = uuid.uuid4().int % 80000 + 10000  # apart from other tests' call numbers
    conv = m.Convocatoria(entidad_id=ent.id, version_bases_id=version.id, numero=n, anio=2026,
                          codigo=f"CAS N° {n}-2026-SUNEDU", nombre_puesto="Analista de datos", organo="OTI",
                          remuneracion=6000, lugar="Lima", duracion_contrato="3 meses", estado=EstadoConvocatoria.evaluacion)
    db.session.add(conv)
    db.session.flush()
    postulantes = db.session.scalars(sa.select(m.Postulante).order_by(m.Postulante.id).limit(6)).all()
    for i, post in enumerate(postulantes):
        app = m.Postulacion(convocatoria_id=conv.id, postulante_id=post.id, registrada_en=now(), ficha={"v": i},
                            ficha_sha256=f"{i:064d}")
        db.session.add(app)
        db.session.flush()
        puntaje = Decimal(18 + 2 * i)
        db.session.add(m.ResultadoEtapa(convocatoria_id=conv.id, postulacion_id=app.id, etapa=Etapa.examen,
                                        resultado=Resultado.apto if puntaje >= 21 else Resultado.no_apto,
                                        puntaje=puntaje, motivos=[], reglas={"sunedu.examen": "sunedu.examen==0.1.0"}))
    db.session.commit()
    return conv


def test_publishing_freezes_documents_shows_and_notifies(app, client_for, db, sincrono, etapa_evaluada):
    conv = etapa_evaluada
    orh = db.session.scalar(sa.select(m.Usuario).where(m.Usuario.username == "orh.sunedu"))
    pub, tarea = publicacion.publicar_etapa(db.session, conv, Etapa.examen, usuario=orh,
                                            proxima_etapa="Entrevista el 03/12/2026")
    db.session.expire_all()
    tarea = db.session.get(m.Tarea, tarea.id)
    assert tarea.estado is EstadoTarea.terminada and tarea.progreso == 100, tarea.error
    assert "6 resultados publicados" in tarea.mensaje
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.ResultadoEtapa.convocatoria_id == conv.id, m.ResultadoEtapa.publicado.is_(False))) == 0
    audit_rec = db.session.scalar(sa.select(m.RegistroAuditoria).where(
        m.RegistroAuditoria.accion == "publicar_resultados", m.RegistroAuditoria.convocatoria_id == conv.id))
    assert audit_rec is not None and audit_rec.usuario == "orh.sunedu"

    pub = db.session.get(m.PublicacionEtapa, pub.id)
    storage = get_storage()
    with storage.open(pub.archivo_pdf.clave) as fh:
        texto = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    filas = list(resultados.filas(db.session, conv.id, Etapa.examen))
    assert [f.puntaje for f in filas[:4]] == [Decimal(28), Decimal(26), Decimal(24), Decimal(22)]
    assert all(f.candidato in texto for f in filas)
    with storage.open(pub.archivo_xlsx.clave) as fh:
        filas_xlsx = list(load_workbook(io.BytesIO(fh.read())).active.iter_rows(values_only=True))
    assert sum(1 for r in filas_xlsx if isinstance(r[0], int)) == 6

    correos = db.session.scalars(sa.select(m.CorreoSaliente).where(
        m.CorreoSaliente.convocatoria_id == conv.id, m.CorreoSaliente.tipo == TipoCorreo.resultado)).all()
    assert len(correos) == 6 and all(Etapa.examen.value in c.asunto for c in correos)
    nombres = {p.email: p.nombres for p in db.session.scalars(sa.select(m.Postulante))}
    for correo in correos:
        assert correo.cuerpo.startswith(f"Estimado(a) {nombres[correo.destinatario]}:")
        assert "Mis postulaciones" in correo.cuerpo and correo.adjuntos == []

    portal = client_for(None)
    pagina = portal.get(f"/portal/{conv.id}").get_data(as_text=True)
    assert f"/portal/{conv.id}/archivo/{pub.archivo_pdf_id}" in pagina
    assert portal.get(f"/portal/{conv.id}/archivo/{pub.archivo_pdf_id}").data[:5] == b"%PDF-"
    assert "Entrevista el 03/12/2026" in portal.get(f"/portal/{conv.id}/resultados/examen").get_data(as_text=True)

    # Publishing again is refused and changes nothing.
    with pytest.raises(publicacion.PublicacionRechazada, match="ya fueron publicados"):
        publicacion.publicar_etapa(db.session, conv, Etapa.examen, usuario=orh)
    assert db.session.scalar(sa.select(sa.func.count()).where(m.PublicacionEtapa.convocatoria_id == conv.id)) == 1


def test_a_stage_without_results_cannot_be_published(db, etapa_evaluada):
    with pytest.raises(publicacion.PublicacionRechazada, match="no tiene resultados"):
        publicacion.publicar_etapa(db.session, etapa_evaluada, Etapa.curricular)
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.PublicacionEtapa.convocatoria_id == etapa_evaluada.id)) == 0


def _correos(db, conv) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(
        m.CorreoSaliente.convocatoria_id == conv.id, m.CorreoSaliente.tipo == TipoCorreo.resultado))


def test_a_failing_job_is_recorded_with_its_error_and_orh_runs_it_again_once(db, client_for, sincrono,
                                                                             etapa_evaluada, monkeypatch):
    conv = etapa_evaluada
    xlsx = resultados.xlsx

    def roto(*args, **kwargs):
        raise RuntimeError("disco lleno")

    monkeypatch.setattr(resultados, "xlsx", roto)
    pub, tarea = publicacion.publicar_etapa(db.session, conv, Etapa.examen)
    db.session.expire_all()
    tarea = db.session.get(m.Tarea, tarea.id)
    assert tarea.estado is EstadoTarea.fallida and "disco lleno" in tarea.error
    assert db.session.get(m.PublicacionEtapa, pub.id).archivo_pdf_id is None  # nothing half-attached
    assert _correos(db, conv) == 0

    orh = client_for("orh.sunedu")
    pagina = orh.get(f"/publicar/tarea/{tarea.id}").get_data(as_text=True)
    assert "disco lleno" in pagina and f"/publicar/tarea/{tarea.id}/reintentar" in pagina
    monkeypatch.setattr(resultados, "xlsx", xlsx)  # the disk has room again
    r = orh.post(f"/publicar/tarea/{tarea.id}/reintentar")
    assert r.status_code == 302
    db.session.expire_all()
    nueva = db.session.scalar(sa.select(m.Tarea).where(m.Tarea.convocatoria_id == conv.id).order_by(m.Tarea.id.desc()))
    assert nueva.id != tarea.id and r.headers["Location"].endswith(f"/publicar/tarea/{nueva.id}")
    assert nueva.estado is EstadoTarea.terminada and nueva.argumentos == {"publicacion_id": pub.id}
    pub = db.session.get(m.PublicacionEtapa, pub.id)
    assert pub.archivo_pdf_id is not None and pub.archivo_xlsx_id is not None
    assert _correos(db, conv) == 6  # each candidate notified once
    registro = db.session.scalar(sa.select(m.RegistroAuditoria).where(
        m.RegistroAuditoria.accion == "reintentar_tarea", m.RegistroAuditoria.convocatoria_id == conv.id))
    assert registro.usuario == "orh.sunedu" and registro.antes["tarea"] == tarea.id
    assert "disco lleno" in registro.antes["error"] and registro.despues == {"tarea": nueva.id}
    assert "/reintentar" not in orh.get(f"/publicar/tarea/{nueva.id}").get_data(as_text=True)

    # The failed run again, or the finished one: refused with a message, no new job, nobody notified twice.
    for viejo, mensaje in ((tarea.id, "ya se reintentó"), (nueva.id, "Solo se reintenta una tarea fallida")):
        r = orh.post(f"/publicar/tarea/{viejo}/reintentar", follow_redirects=True)
        assert mensaje in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Tarea.convocatoria_id == conv.id)) == 2
    assert _correos(db, conv) == 6
    # Neither a committee member nor another institution's ORH retries it.
    assert client_for("comite1.sunedu").post(f"/publicar/tarea/{tarea.id}/reintentar").status_code == 403
    assert client_for("orh.migraciones").post(f"/publicar/tarea/{tarea.id}/reintentar").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Tarea.convocatoria_id == conv.id)) == 2


def test_a_later_run_of_the_same_publication_supersedes_a_failed_one(db, client_for, etapa_evaluada):
    """A correction rebuilds the same publication's documents with other arguments: the failed run
    before it is no longer retried. The page of a job of another kind offers no "Reintentar"."""
    conv = etapa_evaluada
    pub = m.PublicacionEtapa(convocatoria_id=conv.id, etapa=Etapa.examen.name, publicado_en=now())
    db.session.add(pub)
    db.session.flush()

    def tarea(tipo: str = publicacion.TAREA, **argumentos) -> m.Tarea:
        """A job recorded as failed (added as a row: tareas.crear would start it on commit)."""
        t = m.Tarea(tipo=tipo, descripcion="Resultados – prueba", convocatoria_id=conv.id, progreso=40,
                    funcion="casadmin.publicacion.generar_documentos", entidad_id=conv.entidad_id,
                    argumentos={"publicacion_id": pub.id, **argumentos}, estado=EstadoTarea.fallida,
                    error="RuntimeError: disco lleno", creada_en=now())
        db.session.add(t)
        db.session.flush()
        return t

    fallida, correccion, otra = tarea(), tarea(correccion=True), tarea(tipo="evaluacion")
    db.session.commit()
    with pytest.raises(tareas.TareaRechazada, match="ya se reintentó o se ejecutó de nuevo"):
        tareas.reintentar(db.session, fallida, clave="publicacion_id")
    db.session.rollback()
    orh = client_for("orh.sunedu")
    assert "ya se reintentó" in orh.post(f"/publicar/tarea/{fallida.id}/reintentar",
                                         follow_redirects=True).get_data(as_text=True)
    assert "/reintentar" in orh.get(f"/publicar/tarea/{correccion.id}").get_data(as_text=True)
    pagina = orh.get(f"/publicar/tarea/{otra.id}").get_data(as_text=True)
    assert "disco lleno" in pagina and "/reintentar" not in pagina
    assert orh.post(f"/publicar/tarea/{otra.id}/reintentar").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Tarea.convocatoria_id == conv.id)) == 3


def test_a_job_whose_worker_was_stopped_can_be_run_again(db, client_for, sincrono, etapa_evaluada):
    """A job left "en curso" past the queue's time limit (the worker was killed) offers "Reintentar";
    one that started a moment ago does not."""
    conv = etapa_evaluada
    pub = m.PublicacionEtapa(convocatoria_id=conv.id, etapa=Etapa.examen.name, publicado_en=now())
    db.session.add(pub)
    db.session.flush()
    colgada = tareas.crear(db.session, tipo=publicacion.TAREA, descripcion="Resultados – prueba",
                           funcion="casadmin.publicacion.generar_documentos", argumentos={"publicacion_id": pub.id},
                           convocatoria_id=conv.id, entidad_id=conv.entidad_id)
    colgada.estado, colgada.iniciada_en = EstadoTarea.en_curso, now() - dt.timedelta(minutes=20)
    db.session.commit()  # (recorded in the test's own thread: it runs nothing, being "en curso")
    orh = client_for("orh.sunedu")
    assert "/reintentar" not in orh.get(f"/publicar/tarea/{colgada.id}").get_data(as_text=True)
    r = orh.post(f"/publicar/tarea/{colgada.id}/reintentar", follow_redirects=True)
    assert "Solo se reintenta una tarea fallida" in r.get_data(as_text=True)

    colgada = db.session.get(m.Tarea, colgada.id)
    colgada.iniciada_en = now() - tareas.LIMITE - dt.timedelta(minutes=10)
    db.session.commit()
    pagina = orh.get(f"/publicar/tarea/{colgada.id}").get_data(as_text=True)
    assert "el proceso que la ejecutaba se detuvo" in pagina and "/reintentar" in pagina
    assert orh.post(f"/publicar/tarea/{colgada.id}/reintentar").status_code == 302
    db.session.expire_all()
    assert db.session.get(m.Tarea, colgada.id).estado is EstadoTarea.fallida
    assert db.session.get(m.PublicacionEtapa, pub.id).archivo_pdf_id is not None
    assert _correos(db, conv) == 6


def test_with_redis_the_job_runs_in_the_rq_worker(app, db, etapa_evaluada):
    """With REDIS_URL the job waits in the queue (progress 0, "En cola") until a worker runs it."""
    from redis import Redis
    from rq import Queue

    from casadmin import mailer

    sufijo = uuid.uuid4().hex[:8]
    app.config.update(REDIS_URL="redis://127.0.0.1:6379/0", TAREAS_QUEUE=f"casadmin-tareas-test-{sufijo}",
                      MAIL_QUEUE=f"casadmin-correo-test-{sufijo}")
    try:
        pub, tarea = publicacion.publicar_etapa(db.session, etapa_evaluada, Etapa.examen)
        db.session.expire_all()
        assert db.session.get(m.Tarea, tarea.id).estado is EstadoTarea.pendiente
        assert Queue(app.config["TAREAS_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"])).count == 1
        with mailer.mail.record_messages() as enviados:
            mailer.trabajar(app, burst=True)  # the job, then the six notices it queued
        db.session.expire_all()
        assert db.session.get(m.Tarea, tarea.id).estado is EstadoTarea.terminada
        assert db.session.get(m.PublicacionEtapa, pub.id).archivo_xlsx_id is not None
        assert len(enviados) == 6
    finally:
        for clave in ("TAREAS_QUEUE", "MAIL_QUEUE"):
            Queue(app.config[clave], connection=Redis.from_url("redis://127.0.0.1:6379/0")).delete(delete_jobs=True)
        app.config.update(REDIS_URL=None, TAREAS_QUEUE=None, MAIL_QUEUE=None)


@pytest.mark.parametrize("usuario,esperado", [
    ("orh.sunedu", 200), ("admin", 200), ("orh.migraciones", 404), ("comite1.sunedu", 403),
    ("veedor.sunedu", 403), (None, 302),
])
def test_only_the_calls_orh_publishes_the_stage(client_for, etapa_evaluada, usuario, esperado):
    c = client_for(usuario)
    assert c.get(f"/publicar/{etapa_evaluada.id}").status_code == esperado
    r = c.post(f"/publicar/{etapa_evaluada.id}/examen")
    assert r.status_code == (302 if esperado == 200 else esperado)


def test_publish_screen_starts_the_job_and_shows_its_progress(client_for, db, sincrono, etapa_evaluada):
    c = client_for("orh.sunedu")
    pagina = c.get(f"/publicar/{etapa_evaluada.id}").get_data(as_text=True)
    assert "Publicar resultados" in pagina and 'data-etapa="examen"' in pagina
    r = c.post(f"/publicar/{etapa_evaluada.id}/examen", data={"proxima_etapa": "Entrevista: ver cronograma"})
    assert r.status_code == 302 and "/publicar/tarea/" in r.location
    estado = c.get(r.location.replace("/tarea/", "/tarea/", 1) + ".json").get_json()
    assert estado["estado"] == "terminada" and estado["progreso"] == 100
    assert "100 %" in c.get(r.location).get_data(as_text=True)
    # Again: refused with the reason, at the same screen.
    r2 = c.post(f"/publicar/{etapa_evaluada.id}/examen", follow_redirects=True)
    assert "ya fueron publicados" in r2.get_data(as_text=True)
    # Another institution's ORH cannot read the job either.
    tarea_id = r.location.rsplit("/", 1)[1]
    assert client_for("orh.migraciones").get(f"/publicar/tarea/{tarea_id}").status_code == 404
