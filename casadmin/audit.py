"""The audit trail (A5): append-only, hash-chained records of who changed what.

:func:`record` appends one record in the caller's transaction. The ORM refuses
to update or delete an audit record, for everyone (:func:`install`).
"""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from casadmin import models as m
from casadmin.peru.clock import LIMA, now

#: The advisory lock key that serializes appends on PostgreSQL ("CASAUDIT").
_LOCK_KEY = 0x4341534155444954

#: The columns a record's hash covers, in the order they are described.
CAMPOS = ("momento", "usuario_id", "usuario", "entidad_id", "convocatoria_id", "postulacion_id", "accion", "tabla",
          "registro_id", "antes", "despues", "motivo")


class AuditImmutable(Exception):
    """Raised when anything tries to change or remove an audit record."""


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))


def compute_hash(previous: str | None, fields: dict[str, Any]) -> str:
    return hashlib.sha256(((previous or "") + _canonical(fields)).encode("utf-8")).hexdigest()


def _momento(valor: Any) -> str:
    """The timestamp as hashed: Lima time to the microsecond (what both databases keep)."""
    return valor.astimezone(LIMA).replace(tzinfo=None).isoformat(timespec="microseconds")


def _campos(rec: Any) -> dict[str, Any]:
    """The hashed values of a record (an ORM object or a row with the same names)."""
    valores = {c: getattr(rec, c) for c in CAMPOS}
    valores["momento"] = _momento(rec.momento)
    return valores


def quien(usuario: m.Usuario | str | None, *, consola: bool = False) -> tuple[int | None, str | None]:
    """Who acted, as :func:`record` stores it (``usuario_id``, ``usuario``): a user or a name. With
    ``consola``, nobody means the console (``casadmin evaluate``) and its login name, when there is one."""
    if isinstance(usuario, m.Usuario):
        return usuario.id, usuario.username
    if usuario or not consola:
        return None, usuario
    try:
        return None, f"consola ({getpass.getuser()})"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return None, "consola"


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
    """Append one audit record, chained to the previous one (in the caller's transaction)."""
    dialecto = session.get_bind().dialect.name
    if dialecto == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY - 2**63})
    elif dialecto == "sqlite":
        # A write statement (that changes nothing) takes SQLite's write lock before the read below.
        session.execute(sa.text("UPDATE registro_auditoria SET id = id WHERE 0"))
    previous = session.scalar(
        sa.select(m.RegistroAuditoria.hash).order_by(m.RegistroAuditoria.id.desc()).limit(1)
    )
    rec = m.RegistroAuditoria(
        momento=now(),
        usuario_id=usuario_id,
        usuario=usuario,
        entidad_id=entidad_id,
        convocatoria_id=convocatoria_id,
        postulacion_id=postulacion_id,
        accion=accion,
        tabla=getattr(objeto, "__tablename__", str(objeto)),
        registro_id=getattr(objeto, "id", None),
        antes=antes,
        despues=despues,
        motivo=motivo,
        hash_anterior=previous,
    )
    # JSON columns hold what the database gives back: hash that, not the caller's objects.
    rec.antes = json.loads(_canonical(antes)) if antes is not None else None
    rec.despues = json.loads(_canonical(despues)) if despues is not None else None
    rec.hash = compute_hash(previous, _campos(rec))
    session.add(rec)  # the next record's query autoflushes this one, so it chains to it
    return rec


@dataclass(frozen=True)
class Verificacion:
    """What :func:`verificar` found: ``problemas`` is empty when the chain is intact."""

    registros: int
    problemas: list[str]

    @property
    def intacta(self) -> bool:
        return not self.problemas


def verificar(session: Session, *, lote: int = 2000) -> Verificacion:
    """Recompute every record's hash in id order and check each link (A5).

    A changed column gives "el registro N fue alterado"; a deleted or inserted record
    gives "la cadena se rompe antes del registro N". Reads in batches, so a long trail
    does not have to fit in memory.
    """
    problemas: list[str] = []
    anterior: str | None = None
    ultimo_id = 0
    total = 0
    t = m.RegistroAuditoria
    columnas = [t.id, t.hash, t.hash_anterior, *(getattr(t, c) for c in CAMPOS)]
    while True:
        filas = session.execute(  # plain rows: a long trail never fills the session
            sa.select(*columnas).where(t.id > ultimo_id).order_by(t.id).limit(lote)
        ).all()
        if not filas:
            break
        for rec in filas:
            total += 1
            if rec.hash_anterior != anterior:
                problemas.append(f"La cadena se rompe antes del registro {rec.id}: falta o se alteró el registro anterior.")
            if compute_hash(rec.hash_anterior, _campos(rec)) != rec.hash:
                problemas.append(f"El registro {rec.id} fue alterado: su contenido no corresponde a su hash.")
            anterior = rec.hash
            ultimo_id = rec.id
    return Verificacion(registros=total, problemas=problemas)


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
