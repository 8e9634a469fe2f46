"""The audit trail (A5): append-only, hash-chained records of who changed what.

:func:`record` appends one record in the caller's transaction. The ORM refuses
to update or delete an audit record, for everyone (:func:`install`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from casadmin import models as m
from casadmin.peru.clock import now


class AuditImmutable(Exception):
    """Raised when anything tries to change or remove an audit record."""


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))


def compute_hash(previous: str | None, fields: dict[str, Any]) -> str:
    return hashlib.sha256(((previous or "") + _canonical(fields)).encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    accion: str,
    objeto: Any,
    antes: dict[str, Any] | None = None,
    despues: dict[str, Any] | None = None,
    motivo: str | None = None,
    usuario_id: int | None = None,
    usuario: str | None = None,
    entidad_id: int | None = None,
    convocatoria_id: int | None = None,
    postulacion_id: int | None = None,
) -> m.RegistroAuditoria:
    """Append one audit record, chained to the previous one."""
    previous = session.scalar(
        sa.select(m.RegistroAuditoria.hash).order_by(m.RegistroAuditoria.id.desc()).limit(1)
    )
    fields = {
        "momento": now().isoformat(),
        "usuario_id": usuario_id,
        "accion": accion,
        "tabla": getattr(objeto, "__tablename__", str(objeto)),
        "registro_id": getattr(objeto, "id", None),
        "antes": antes,
        "despues": despues,
        "motivo": motivo,
    }
    rec = m.RegistroAuditoria(
        momento=now(),
        usuario_id=usuario_id,
        usuario=usuario,
        entidad_id=entidad_id,
        convocatoria_id=convocatoria_id,
        postulacion_id=postulacion_id,
        accion=accion,
        tabla=fields["tabla"],
        registro_id=fields["registro_id"],
        antes=antes,
        despues=despues,
        motivo=motivo,
        hash_anterior=previous,
        hash=compute_hash(previous, fields),
    )
    session.add(rec)
    return rec


def _refuse(mapper: Any, connection: Any, target: Any) -> None:
    raise AuditImmutable("Los registros de auditoría no pueden modificarse ni eliminarse.")


_installed = False


def install() -> None:
    """Make audit records immutable through the ORM (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(m.RegistroAuditoria, "before_update", _refuse)
    event.listen(m.RegistroAuditoria, "before_delete", _refuse)
    _installed = True
