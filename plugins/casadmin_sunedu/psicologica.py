"""Evaluación Psicológica (§4.2.3, D3): referential, no score; once included it is mandatory.

Absence eliminates like any evaluation (§4.6: "En caso que el/la candidato/a no se
presente en alguna de las evaluaciones … es automáticamente calificado como No Apto/a").
"""

from __future__ import annotations

from collections.abc import Sequence

from casadmin.engine.model import Candidato, Contexto, Resultado
from casadmin.hookspecs import hookimpl
from casadmin.rules.reasons import Motivo


@hookimpl
def casadmin_evaluar_psicologica(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado]:
    out = []
    for cand in candidatos:
        asistio = bool(cand.entradas.psicologica_asistio)
        motivo = Motivo(requisito="Asistencia a la Evaluación Psicológica", declarado="", computado="",
                        cumple=asistio, clausula="§4.2.3 a, §4.6",
                        mensaje="Asistió (resultado referencial)." if asistio else "No se presentó: No Apto/a.")
        out.append(Resultado(candidato=cand.id, etapa="psicologica",
                             resultado="asistio" if asistio else "no_se_presento", motivos=(motivo,)))
    return out
