"""Issue 4 (speed of applying, C3): the draft's checked PDF becomes the application's file
without being checked or written again; nothing is lost on the way; a stale copy of the
draft (an old cookie, another tab) can never remove an application's file; the bases
versions are read once per plugin manager."""

from __future__ import annotations

import copy
import gc
import hashlib
import os
import uuid
import weakref

import pytest
import sqlalchemy as sa

from casadmin import models as m
from casadmin import plugins as pl
from casadmin.commands import postular as cmd
from casadmin.hookspecs import hookimpl
from casadmin.portal import Borrador, finalizar
from casadmin.storage import get_storage
from convocatorias_prueba import abierta_ahora, conteos_postulacion, postulante_demo
from pdfs import pdf_de_paginas

TIPO = "anexos_11_12_13"


@pytest.fixture()
def convocatoria(db):
    """A SUNEDU call open now (numbers 320000–329999 belong to this module)."""
    return abierta_ahora(db, "SUNEDU", 320_000 + uuid.uuid4().int % 10_000)


def test_the_checked_draft_file_becomes_the_applications_own_without_a_second_check(app, db, convocatoria,
                                                                                    monkeypatch):
    post = postulante_demo(db, 7)
    data = pdf_de_paginas(2)
    with app.test_request_context():
        storage = get_storage()
        store: dict = {}
        borrador = Borrador(store, convocatoria.id, post.usuario_id)
        doc = borrador.cargar(TIPO, nombre="anexos.pdf", data=data)
        viejo = copy.deepcopy(store)  # the session cookie as it was before sending

        def otra_revision(_data):
            raise AssertionError("the PDF was checked when uploaded: not again when sending")

        monkeypatch.setattr(cmd, "revisar_pdf", otra_revision)
        postulacion = finalizar(db.session, postulante=post, convocatoria=convocatoria, borrador=borrador,
                                declaracion=True)
        documento = postulacion.documentos[0]
        archivo = documento.archivo
        assert (documento.tipo, documento.paginas, archivo.paginas) == (TIPO, 2, 2)
        assert archivo.sha256 == hashlib.sha256(data).hexdigest() and archivo.tamano == len(data)
        assert archivo.clave != doc.clave and not storage.exists(doc.clave)  # the draft's key is gone
        with storage.open(archivo.clave) as fh:
            assert fh.read() == data
        assert borrador.documentos == {}

        # A stale copy of the draft names the old key: discarding it removes nothing of the application.
        Borrador(viejo, convocatoria.id, post.usuario_id).descartar()
        with storage.open(archivo.clave) as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == archivo.sha256


def test_a_draft_file_lost_before_sending_is_refused_at_its_field_and_nothing_is_saved(app, db, convocatoria):
    post = postulante_demo(db, 8)
    with app.test_request_context():
        storage = get_storage()
        borrador = Borrador({}, convocatoria.id, post.usuario_id)
        doc = borrador.cargar(TIPO, nombre="anexos.pdf", data=pdf_de_paginas(1))
        adjuntos = borrador.adjuntos()
        os.remove(storage._path(doc.clave))  # e.g. the orphan cleanup of a draft left for hours
        antes = conteos_postulacion(db)
        with pytest.raises(cmd.PostulacionRechazada) as err:
            cmd.postular(db.session, postulante=post, convocatoria=convocatoria, adjuntos=adjuntos, declaracion=True)
        assert err.value.campo == f"documento_{TIPO}" and "ya no está disponible" in err.value.mensaje
        assert conteos_postulacion(db) == antes
        assert db.session.scalar(sa.select(m.Postulacion.id).where(
            m.Postulacion.postulante_id == post.id, m.Postulacion.convocatoria_id == convocatoria.id)) is None


def test_a_new_key_for_stored_bytes_survives_the_removal_of_the_old_one(app):
    with app.app_context():
        storage = get_storage()
        original = storage.save(b"%PDF-1.4 contenido")
        nueva = storage.enlazar(original.clave)
        assert nueva != original.clave
        storage.delete(original.clave)
        with storage.open(nueva) as fh:
            assert fh.read() == b"%PDF-1.4 contenido"
        with pytest.raises(FileNotFoundError):
            storage.enlazar(original.clave)
        storage.delete(nueva)


class _Contador:
    def __init__(self) -> None:
        self.llamadas = 0

    @hookimpl
    def casadmin_bases_versions(self):
        self.llamadas += 1
        return []


def test_bases_versions_are_read_once_per_plugin_manager_and_again_when_plugins_change():
    contador = _Contador()
    pm = pl.new_plugin_manager(load_entrypoints=False, extra=[("contador", contador)])
    assert contador.llamadas == 1  # at start-up: conflicting ids are refused there
    pl.bases_versions(pm)
    pl.bases_versions(pm)
    assert contador.llamadas == 1
    otro = _Contador()
    pm.register(otro, name="otro")
    pl.bases_versions(pm)
    assert (contador.llamadas, otro.llamadas) == (2, 1)
    pm.unregister(name="otro")
    pl.bases_versions(pm)
    assert contador.llamadas == 3


def test_plugin_package_versions_are_read_once_per_plugin_manager(monkeypatch):
    """F3 names each plugin with its package's version in every result; reading them parses every
    plugin package's METADATA, so it happens once per plugin manager and set of plugins, not per run."""
    pm = pl.new_plugin_manager()  # read here, with the bases versions
    lecturas = []
    original = pm.list_plugin_distinfo
    monkeypatch.setattr(pm, "list_plugin_distinfo", lambda: lecturas.append(1) or original())
    assert pl.plugin_version(pm, "sunedu.ficha").startswith("sunedu.ficha==")
    assert pl.plugin_version(pm, "sunedu.ficha") == pl.plugin_version(pm, "sunedu.ficha")
    assert lecturas == []
    pm.register(_Contador(), name="contador")
    assert pl.plugin_version(pm, "contador") == "contador"  # not from a package: its name alone
    assert pl.plugin_version(pm, "sunedu.ficha").startswith("sunedu.ficha==")
    assert lecturas == [1]


def test_the_cache_keeps_the_plugins_it_was_read_from_until_it_reads_again():
    """Plugins are recognized by name and id: the cache keeps the ones it was read from alive, so that
    CPython cannot give a plugin registered later the address of one that has gone, and have it
    mistaken for it (its bases versions never read)."""
    pm = pl.new_plugin_manager(load_entrypoints=False, extra=[("x", _Contador())])
    viejo = weakref.ref(pm.get_plugin("x"))
    pm.unregister(name="x")
    gc.collect()
    assert viejo() is not None  # held by the cache entry, its id not free for another object
    pm.register(_Contador(), name="x")
    pl.bases_versions(pm)
    assert pm.get_plugin("x").llamadas == 1
    gc.collect()
    assert viejo() is None  # read again: let go
