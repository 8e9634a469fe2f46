"""Evaluación de Conocimientos Técnicos (§4.2.2, D2): 0–30, pass mark 21; absence eliminates."""

from __future__ import annotations

from collections.abc import Sequence

from casadmin.engine.model import Candidato, Contexto, Resultado
from casadmin.hookspecs import hookimpl
from casadmin.rules.decimales import sin_ceros
from casadmin.rules.reasons import Motivo
from casadmin.rules.scores import aprueba_examen


@hookimpl
def casadmin_evaluar_examen(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado]:
    p = ctx.parametros
    minimo, maximo = p["examen.puntaje_minimo"], p["examen.puntaje_maximo"]
    out = []
    for cand in candidatos:
        e = cand.entradas
        if not e.examen_asistio or e.examen_puntaje is None:
            motivo = Motivo(requisito="Asistencia", declarado="no asistió", computado="", cumple=False,
                            clausula="§4.2.2 k", mensaje="NO SE PRESENTÓ A LA EVALUACIÓN DE CONOCIMIENTOS TÉCNICOS.")
            out.append(Resultado(candidato=cand.id, etapa="examen", resultado="no_se_presento", motivos=(motivo,)))
            continue
        ok = aprueba_examen(e.examen_puntaje, minimo=minimo, maximo=maximo)
        obtenido = sin_ceros(e.examen_puntaje)  # «26.00» in a file is 26 in a table: the same reason either way
        motivo = Motivo(requisito=f"Puntaje mínimo aprobatorio {minimo} de {maximo}", declarado="",
                        computado=obtenido, cumple=ok, clausula="§4.2.2 l",
                        mensaje=f"Obtuvo {obtenido} puntos: {'Apto/a' if ok else 'No Apto/a'}.")
        out.append(Resultado(candidato=cand.id, etapa="examen", resultado="apto" if ok else "no_apto",
                             puntaje=e.examen_puntaje, motivos=(motivo,)))
    return out
