"""Evaluación de Ficha de Postulante y Anexos (§4.2.1, D1): no score, eliminatory.

The declared Ficha is checked against the profile requirement by requirement,
each with its reason and clause; any unmet requirement gives No apto. An
evaluator's override (with its written reason) replaces the automatic result
but keeps its reasons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

from casadmin import plugins as pl
from casadmin.engine.model import Candidato, Contexto, Resultado
from casadmin.hookspecs import hookimpl
from casadmin.rules.courses import evaluar_cursos, normalizar
from casadmin.rules.experience import dias_experiencia, evaluar_experiencia
from casadmin.rules.levels import (
    cumple_formacion,
    evaluar_colegiatura,
    evaluar_conocimientos,
    evaluar_formacion,
    grado,
)
from casadmin.rules.reasons import Motivo, fecha
from casadmin.rules.types import Formacion

CHECKLIST = {
    "anexos_datos_convocatoria": ("Anexos con el N° de CAS, puesto y órgano de esta convocatoria", "§4.1"),
    "anexos_firmados": ("Anexos firmados tal como figura en el DNI", "§4.1"),
    "ficha_firmada": ("Ficha de Postulante con firma digitalizada", "§4.2.1 b"),
}


@lru_cache(maxsize=64)
def _plazo(inicio: dt.datetime, cierre: dt.datetime) -> str:
    """The application period as shown in every candidate's reason (the same for the whole call)."""
    return f"{inicio:%d/%m/%Y %H:%M} – {cierre:%d/%m/%Y %H:%M}"


def _fecha_hora(momento: dt.datetime) -> str:
    """A registration time as the reason shows it (its own wall-clock time)."""
    # Keyed on the wall-clock time: aware datetimes of the same instant in other zones compare equal.
    return _hora_local(momento.replace(tzinfo=None))


@lru_cache(maxsize=2**16)
def _hora_local(local: dt.datetime) -> str:
    """Memoized: pure, and registration times repeat to the minute over a large call."""
    return local.strftime("%d/%m/%Y %H:%M")


def _en_plazo(ctx: Contexto, cand: Candidato) -> Motivo:
    conv = ctx.convocatoria
    ok = conv.inicio_postulacion <= cand.registrada_en <= conv.cierre_postulacion
    return Motivo(requisito="Postulación dentro del plazo", declarado=_fecha_hora(cand.registrada_en),
                  computado=_plazo(conv.inicio_postulacion, conv.cierre_postulacion),
                  cumple=ok, clausula="§4.2.1 a",
                  mensaje="Registró su postulación dentro del plazo." if ok
                  else "Registró su postulación fuera del plazo del cronograma.")


#: The two possible signature reasons (Motivo is immutable, so every candidate can share them).
_FIRMA = {
    firma: Motivo(requisito="Firma digitalizada", declarado="sí" if firma else "no", computado="",
                  cumple=firma, clausula="§4.1 Ficha de Postulante (10)",
                  mensaje="Cargó su firma digitalizada." if firma else "No cargó la firma digitalizada: No Apto/a.")
    for firma in (True, False)
}


def _firma(cand: Candidato) -> Motivo:
    return _FIRMA[bool(cand.firma)]


def formacion_de_referencia(cand: Candidato, ctx: Contexto) -> Formacion | None:
    """The declared study from which experience counts (§4.2.1 p): the one meeting the profile, else the highest."""
    requisito = ctx.convocatoria.perfil.formacion
    for f in cand.formaciones:
        if cumple_formacion(requisito, f, fecha_postulacion=ctx.fecha_postulacion):
            return f
    con_fecha = [f for f in cand.formaciones if f.fecha_egreso or f.fecha_diploma]
    return max(con_fecha, key=lambda f: grado(f.nivel, f.condicion) or 0, default=None)


def _otros(ctx: Contexto, cand: Candidato) -> list[Motivo]:
    declarados = [normalizar(o) for o in cand.otros]
    out = []
    for req in ctx.convocatoria.perfil.otros:
        ok = any(normalizar(req) in d or d in normalizar(req) for d in declarados if d)
        out.append(Motivo(requisito=req, declarado="declarado" if ok else "no declarado", computado="",
                          cumple=ok, clausula="§4.2.1 Otros requisitos",
                          mensaje=f"Declara «{req}»." if ok else f"No declara «{req}» en la Ficha (sección 8)."))
    return out


def evaluar(ctx: Contexto, cand: Candidato, documentos: Sequence[Motivo]) -> list[Motivo]:
    """Every requirement of D1 for one candidate, in the order of the bases."""
    perfil = ctx.convocatoria.perfil
    hoy = ctx.fecha_postulacion
    motivos = [_en_plazo(ctx, cand), *documentos, _firma(cand)]
    motivos.append(evaluar_formacion(perfil.formacion, cand.formaciones, fecha_postulacion=hoy))
    if perfil.colegiatura or perfil.habilitacion:
        motivos.append(evaluar_colegiatura(requerida=True, colegiado=cand.colegiado,
                                           habilitado=cand.habilitado or not perfil.habilitacion))
    if perfil.experiencia_general_meses or perfil.experiencia_especifica_meses or perfil.experiencia_publica_meses:
        # Only the days are reported here, so they are counted once for the three requirements,
        # without building the per-experience reasons (experiencia_general & co. give those).
        dias = dias_experiencia(cand.experiencias, formacion_de_referencia(cand, ctx), hoy, perfil.solo_secundaria)
        if perfil.experiencia_general_meses:
            motivos.append(evaluar_experiencia(dias.general, requisito="Experiencia general",
                                               meses=perfil.experiencia_general_meses, clausula="§4.2.1 p"))
        if perfil.experiencia_especifica_meses:
            motivos.append(evaluar_experiencia(dias.especifica, requisito="Experiencia específica",
                                               meses=perfil.experiencia_especifica_meses, clausula="§4.2.1 w"))
        if perfil.experiencia_publica_meses:
            motivos.append(evaluar_experiencia(dias.publica, requisito="Experiencia específica en el sector público",
                                               meses=perfil.experiencia_publica_meses, clausula="§4.2.1 w"))
    motivos.extend(evaluar_cursos(perfil.capacitaciones, cand.capacitaciones, fecha_postulacion=hoy))
    motivos.extend(evaluar_conocimientos(perfil.conocimientos, cand.conocimientos))
    motivos.extend(_otros(ctx, cand))
    for codigo, cumple in cand.entradas.verificacion_manual.items():
        texto, clausula = CHECKLIST.get(codigo, (codigo, "§4.2.1 b"))
        motivos.append(Motivo(requisito=texto, declarado="verificado por el evaluador", computado="",
                              cumple=bool(cumple), clausula=clausula,
                              mensaje=f"{texto}: {'conforme' if cumple else 'no conforme'}."))
    return motivos


@hookimpl
def casadmin_evaluar_ficha(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado]:
    from casadmin.plugins import get_plugin_manager

    pm = get_plugin_manager()
    verificar_documentos = pl.preparar_todos(pm, ctx.bases, "casadmin_verificar_documentos")
    resultados = []
    for cand in candidatos:
        documentos = [m for lista, _ in verificar_documentos(ctx=ctx, candidato=cand) for m in lista]
        motivos = evaluar(ctx, cand, documentos)
        apto = all(m.cumple for m in motivos)
        detalle = {}
        if cand.entradas.ficha_override is not None:
            resultado, razon = cand.entradas.ficha_override
            detalle = {"automatico": "apto" if apto else "no_apto", "override": razon}
            motivos.append(Motivo(requisito="Modificación del evaluador", declarado=resultado, computado="",
                                  cumple=resultado == "apto", clausula="§4.2.1 c", mensaje=razon))
            apto = resultado == "apto"
        resultados.append(Resultado(candidato=cand.id, etapa="ficha", resultado="apto" if apto else "no_apto",
                                    motivos=tuple(motivos), detalle=detalle))
    return resultados


__all__ = ["casadmin_evaluar_ficha", "evaluar", "fecha"]
