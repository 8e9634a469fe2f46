"""Work that starts only once the caller's transaction commits: the outbox's messages
(:mod:`casadmin.mailer`) and the background jobs (:mod:`casadmin.tareas`).

A module notes its new rows on the session under its own key (:func:`anotar`); after the
session commits, the ids of those rows go to the function the module registered for that key
(:func:`instalar`); a rollback forgets them, so nothing starts for a change that was not saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

#: key in ``session.info`` → what receives the committed rows' ids
_LANZADORES: dict[str, Callable[[list[int]], None]] = {}


def anotar(session: Session, clave: str, *filas: Any) -> None:
    """Note rows (anything with an ``id`` once flushed) to hand over after ``session`` commits."""
    session.info.setdefault(clave, []).extend(filas)


def _after_commit(session: Session) -> None:
    for clave, lanzar in list(_LANZADORES.items()):
        ids = [f.id for f in session.info.pop(clave, []) if f.id is not None]
        if ids:
            lanzar(ids)


def _after_rollback(session: Session, previous: Any) -> None:
    if previous.nested:
        # A savepoint rolled back (engine_db evaluates in batches inside one): what was noted
        # before it still stands; what it added is gone from the session, and is forgotten.
        for clave in _LANZADORES:
            if clave in session.info:
                session.info[clave] = [f for f in session.info[clave] if f in session]
        return
    for clave in _LANZADORES:
        session.info.pop(clave, None)


def instalar(clave: str, lanzar: Callable[[Sequence[int]], None]) -> None:
    """After every commit, hand the ids noted under ``clave`` to ``lanzar`` (listeners bound once per process)."""
    _LANZADORES[clave] = lanzar
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
