"""Find a row by some columns, or add it with more values (the demo data, a call's import)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def buscar_o_crear(session: Session, model: type, where: dict[str, Any], **values: Any) -> tuple[Any, bool]:
    """The row of ``model`` with the columns ``where``, or a new one with them and ``values`` (flushed, so
    it has its id); and whether it was created."""
    obj = session.scalar(sa.select(model).filter_by(**where))
    if obj is not None:
        return obj, False
    obj = model(**where, **values)
    session.add(obj)
    session.flush()
    return obj, True
