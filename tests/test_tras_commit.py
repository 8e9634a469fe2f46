"""Work noted for after the commit (:mod:`casadmin.tras_commit`): a rollback forgets it, and a
savepoint rolled back forgets only what was added inside it (``engine_db`` evaluates the Ficha in
batches inside a savepoint, within the caller's transaction)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casadmin import models as m
from casadmin import tras_commit


@pytest.fixture()
def lanzados(monkeypatch) -> list[list[int]]:
    """What is handed over after each commit under a key of the tests' own."""
    recibidos: list[list[int]] = []
    monkeypatch.setitem(tras_commit._LANZADORES, "prueba", recibidos.append)
    return recibidos


def _anotada(session, descripcion: str) -> m.Tarea:
    """A new row, flushed and noted (a job nobody runs: it is noted under the tests' key)."""
    fila = m.Tarea(tipo="prueba", descripcion=descripcion, funcion="prueba.no_existe")
    session.add(fila)
    session.flush()
    tras_commit.anotar(session, "prueba", fila)
    return fila


def test_a_savepoint_rolled_back_keeps_what_was_noted_before_it(db, lanzados):
    s = db.session
    antes = _anotada(s, "antes")
    punto = s.begin_nested()
    _anotada(s, "dentro")
    punto.rollback()
    s.commit()
    assert lanzados == [[antes.id]]
    assert s.scalar(sa.select(sa.func.count()).where(m.Tarea.descripcion == "dentro")) == 0
    s.delete(antes)
    s.commit()


def test_a_rollback_forgets_what_was_noted(db, lanzados):
    s = db.session
    _anotada(s, "deshecha")
    s.rollback()
    s.commit()
    assert lanzados == []
