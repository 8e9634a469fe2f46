"""One row locked until the transaction ends, for actions that two clicks or two users may take at once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session


def bloquear(session: Session, modelo: type, fila_id: int, *objetos: object) -> None:
    """Lock the row ``fila_id`` of ``modelo`` until this transaction ends, then read ``objetos`` again: the
    second of two simultaneous actions waits for the first and sees what it left (a call's transition, its
    contract step or an appeal on the call's row; a candidate's interview sheets on the application's).
    PostgreSQL locks the row; SQLite writes one transaction at a time."""
    session.execute(sa.select(modelo.id).where(modelo.id == fila_id).with_for_update())
    for objeto in objetos:
        session.refresh(objeto)
