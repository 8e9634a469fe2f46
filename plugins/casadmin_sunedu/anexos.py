"""SUNEDU's document flow (§4.1 Postulación): annexes 11, 12 and 13 in one PDF, checked in D1 (§4.2.1 b)."""

from __future__ import annotations

from casadmin.engine.model import Candidato, Contexto
from casadmin.hookspecs import hookimpl
from casadmin.rules.reasons import Motivo


@hookimpl
def casadmin_verificar_documentos(ctx: Contexto, candidato: Candidato) -> list[Motivo]:
    motivos = []
    presentes = {d.tipo: d for d in candidato.documentos}
    for tipo in ctx.bases.documentos:
        doc = presentes.get(tipo.codigo)
        ok = doc is not None and doc.en_plazo
        motivos.append(Motivo(
            requisito=tipo.nombre, declarado="adjunto" if doc else "no adjunto",
            computado=f"{doc.paginas} página(s)" if doc else "", cumple=ok or not tipo.obligatorio,
            clausula="§4.2.1 b",
            mensaje=f"Adjuntó {tipo.nombre}." if ok else f"No adjuntó {tipo.nombre} en la plataforma: No Apto/a.",
        ))
    return motivos
