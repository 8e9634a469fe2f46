"""Desierto detection (§4.5, D9): the cause the engine proposes, for ORH to confirm."""

from __future__ import annotations

from casadmin.engine.model import Contexto
from casadmin.hookspecs import hookimpl


@hookimpl
def casadmin_detectar_desierto(ctx: Contexto, resumen: dict[str, int]) -> str | None:
    if resumen["postulantes"] == 0:
        return "sin_postulantes"  # §4.5 a
    if resumen["aptos_ficha"] == 0:
        return "sin_requisitos"  # §4.5 b
    if resumen["finalistas"] == 0:
        return "sin_puntaje_minimo"  # §4.5 c
    if resumen.get("sin_nadie_por_llamar"):
        return "desistimiento"  # §4.5 d: the winner and the accesitarios called in turn did not sign (§4.4 f)
    return None
