"""SUNEDU's document flow (§4.1 Postulación): annexes 11, 12 and 13 in one PDF, checked in D1 (§4.2.1 b)."""

from __future__ import annotations

from functools import lru_cache

from casadmin.engine.model import Candidato, Contexto
from casadmin.hookspecs import hookimpl
from casadmin.rules.reasons import Motivo


@hookimpl
def casadmin_verificar_documentos(ctx: Contexto, candidato: Candidato) -> list[Motivo]:
    presentes = {d.tipo: d for d in candidato.documentos}
    motivos = []
    for tipo in ctx.bases.documentos:
        doc = presentes.get(tipo.codigo)
        motivos.append(_motivo(tipo.nombre, tipo.obligatorio, doc is not None,
                               doc.paginas if doc else 0, doc is not None and doc.en_plazo))
    return motivos


@lru_cache(maxsize=1024)
def _motivo(nombre: str, obligatorio: bool, adjunto: bool, paginas: int, ok: bool) -> Motivo:
    """§4.2.1 b for one document. Memoized: a Motivo is immutable and the few cases recur over a call."""
    return Motivo(
        requisito=nombre, declarado="adjunto" if adjunto else "no adjunto",
        computado=f"{paginas} página(s)" if adjunto else "", cumple=ok or not obligatorio,
        clausula="§4.2.1 b",
        mensaje=(f"Adjuntó {nombre}." if ok else
                 f"Adjuntó {nombre} fuera del plazo de postulación: No Apto/a." if adjunto else
                 f"No adjuntó {nombre} en la plataforma: No Apto/a."),
    )
