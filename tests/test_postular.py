"""C3–C5: applying once, inside the window, with PDFs checked by content; the Ficha frozen;
the proof queued by e-mail; nothing half-saved; orphans cleaned up; one winner among 20 racers."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from casadmin import models as m
from casadmin.commands.postular import Adjunto, PostulacionRechazada, abierta, limpiar_huerfanos, postular
from casadmin.peru.clock import now
from casadmin.storage import get_storage
from convocatorias_prueba import abierta_ahora, conteos_postulacion, postulante_demo
from pdfs import pdf_de_paginas, pdf_grande


@pytest.fixture()
def convocatoria(db):
    """A SUNEDU call open for applications right now."""
    ent = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
    db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id)).codigo = "sunedu-2026"
    return abierta_ahora(db, "SUNEDU", int(uuid.uuid4().int % 80000) + 200000)


def test_apply_freezes_the_ficha_stores_checked_pdfs_and_queues_the_proof(app, db, convocatoria):
    post = postulante_demo(db, 0)
    with app.test_request_context():
        app_ = postular(db.session, postulante=post, convocatoria=convocatoria, declaracion=True,
                        adjuntos=[Adjunto("anexos_11_12_13", "anexos.pdf", pdf_de_paginas(3))])
    assert app_.documentos[0].paginas == 3 and len(app_.ficha_sha256) == 64
    correo = db.session.scalar(sa.select(m.CorreoSaliente).where(m.CorreoSaliente.convocatoria_id == convocatoria.id))
    assert correo.destinatario == post.email and "registrada satisfactoriamente" in correo.cuerpo
    constancia = db.session.get(m.Archivo, correo.adjuntos[0])
    assert constancia.tipo_mime == "application/pdf"
    # Later profile edits apply to future calls only (C3).
    frozen = (dict(app_.ficha), app_.ficha_sha256)
    post.experiencias[0].puesto = "Puesto cambiado después"
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(m.Postulacion, app_.id)
    assert (again.ficha, again.ficha_sha256) == frozen
    assert "Puesto cambiado después" not in str(again.ficha)


def test_the_young_flag_follows_the_bases_versions_age_limit(app, db, convocatoria, monkeypatch):
    """§4.3.2: «joven» is Ley 31533's age as the call's bases version sets it (``ley31533.edad_maxima``)."""
    from casadmin.engine.bases import BasesVersion

    jovenes = []
    for i, limite in ((1, 120), (2, 1)):
        monkeypatch.setattr(BasesVersion, "edad_maxima_31533", lambda self, inicio, limite=limite: limite)
        with app.test_request_context():
            jovenes.append(postular(db.session, postulante=postulante_demo(db, i), convocatoria=convocatoria,
                                    declaracion=True,
                                    adjuntos=[Adjunto("anexos_11_12_13", "anexos.pdf", pdf_de_paginas(1))]).joven_31533)
    assert jovenes == [True, False]


@pytest.mark.parametrize(
    "adjuntos,declaracion,campo,mensaje",
    [
        ([], True, "documento_anexos_11_12_13", "Adjunte"),
        ([Adjunto("anexos_11_12_13", "a.pdf", pdf_grande(6 * 1024 * 1024))], True,
         "documento_anexos_11_12_13", "5 MB"),
        ([Adjunto("anexos_11_12_13", "a.pdf", b"PK\x03\x04 docx renombrado")], True, "documento_anexos_11_12_13",
         "no es un PDF"),
        ([Adjunto("anexos_11_12_13", "a.pdf", pdf_de_paginas(1))], False, "declaracion", "declaración"),
    ],
)
def test_refusals_name_the_field_and_save_nothing(app, db, convocatoria, adjuntos, declaracion, campo, mensaje):
    before = conteos_postulacion(db)
    with app.test_request_context(), pytest.raises(PostulacionRechazada) as err:
        postular(db.session, postulante=postulante_demo(db, 1), convocatoria=convocatoria, adjuntos=adjuntos,
                 declaracion=declaracion)
    assert err.value.campo == campo and mensaje in err.value.mensaje
    assert conteos_postulacion(db) == before


def test_outside_the_window_by_the_lima_clock(app, db, convocatoria):
    tarde = now() + dt.timedelta(hours=3)
    assert not abierta(db.session, convocatoria, tarde)
    with app.test_request_context(), pytest.raises(PostulacionRechazada, match="no está abierta"):
        postular(db.session, postulante=postulante_demo(db, 2), convocatoria=convocatoria, declaracion=True,
                 adjuntos=[Adjunto("anexos_11_12_13", "a.pdf", pdf_de_paginas(1))], momento=tarde)


def test_one_application_per_person_and_call(app, db, convocatoria):
    post = postulante_demo(db, 3)
    args = dict(postulante=post, convocatoria=convocatoria, declaracion=True,
                adjuntos=[Adjunto("anexos_11_12_13", "a.pdf", pdf_de_paginas(1))])
    with app.test_request_context():
        postular(db.session, **args)
        with pytest.raises(PostulacionRechazada, match="Ya postuló"):
            postular(db.session, **args)


def test_twenty_simultaneous_submissions_store_exactly_one(app, db, convocatoria):
    from casadmin.extensions import db as _db

    post_id, conv_id = postulante_demo(db, 4).id, convocatoria.id
    archivo = pdf_de_paginas(2)
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def submit():
        with app.app_context(), app.test_request_context():
            post, conv = _db.session.get(m.Postulante, post_id), _db.session.get(m.Convocatoria, conv_id)
            barrier.wait()
            try:
                postular(_db.session, postulante=post, convocatoria=conv, declaracion=True,
                         adjuntos=[Adjunto("anexos_11_12_13", "a.pdf", archivo)])
                outcomes.append("ok")
            except PostulacionRechazada:
                outcomes.append("rechazada")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("ok") == 1 and outcomes.count("rechazada") == 19
    db.session.expire_all()
    n = db.session.scalar(sa.select(sa.func.count(m.Postulacion.id)).where(
        m.Postulacion.postulante_id == post_id, m.Postulacion.convocatoria_id == conv_id))
    assert n == 1


def test_two_applicants_at_the_same_moment_are_both_stored(app, db, convocatoria):
    from casadmin.extensions import db as _db

    ids = [postulante_demo(db, 5).id, postulante_demo(db, 6).id]
    barrier = threading.Barrier(2)
    done: list[int] = []

    def submit(pid):
        with app.app_context(), app.test_request_context():
            post, conv = _db.session.get(m.Postulante, pid), _db.session.get(m.Convocatoria, convocatoria.id)
            barrier.wait()
            postular(_db.session, postulante=post, convocatoria=conv, declaracion=True,
                     adjuntos=[Adjunto("anexos_11_12_13", "a.pdf", pdf_de_paginas(1))])
            done.append(pid)
            _db.session.remove()

    threads = [threading.Thread(target=submit, args=(pid,)) for pid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(done) == sorted(ids)


def test_orphan_files_are_cleaned_up_and_referenced_ones_kept(app, db):
    with app.test_request_context():
        storage = get_storage()
        orphan = storage.save(b"%PDF-1.4 huerfano").clave
        viejo = time.time() - 7200
        os.utime(storage._path(orphan), (viejo, viejo))
        fresh = storage.save(b"%PDF-1.4 en curso").clave
        kept = db.session.scalar(sa.select(m.Archivo.clave).limit(1))
        removed = limpiar_huerfanos(db.session)
        assert orphan in removed and not storage.exists(orphan)
        assert storage.exists(fresh)  # too recent: may belong to a transaction still running
        if kept:
            assert kept not in removed
        storage.delete(fresh)


def test_the_cleanup_goes_on_past_a_file_removed_while_it_runs(app, db, monkeypatch):
    """A draft's file is removed whenever an application is sent, replaced or discarded: one listed and
    then gone before its age is read must not stop the daily cleanup (it raised FileNotFoundError)."""
    with app.test_request_context():
        storage = get_storage()
        viejo = time.time() - 7200
        orphans = [storage.save(b"%PDF-1.4 " + bytes([n])).clave for n in range(2)]
        for clave in orphans:
            os.utime(storage._path(clave), (viejo, viejo))
        listadas = list(storage.keys())
        monkeypatch.setattr(type(storage), "keys", lambda self: iter(["0" * 40, *listadas]))  # listed, not stored
        removed = limpiar_huerfanos(db.session)
        assert set(orphans) <= set(removed) and "0" * 40 not in removed
