"""Evaluación de Ficha de Postulante y Anexos (§4.2.1, D1): no score, eliminatory.

The declared Ficha is checked against the profile requirement by requirement,
each with its reason and clause; any unmet requirement gives No apto. An
evaluator's override (with its written reason) replaces the automatic result
but keeps its reasons.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter

from casadmin import plugins as pl
from casadmin.engine.model import Candidato, Contexto, Resultado, crear_resultado
from casadmin.hookspecs import hookimpl
from casadmin.rules.courses import EvaluadorCursos, clausulas_que_nombran, palabras
from casadmin.rules.experience import (
    Computo,
    _evaluar_dias,
    con_egreso,
    de_pregrado,
    dias_experiencia,
    experiencia_especifica,
    experiencia_general,
    experiencia_publica,
    la_primera,
)
from casadmin.rules.levels import (
    POSGRADO,
    cumple_formacion,
    evaluar_colegiatura,
    evaluar_conocimientos,
    evaluar_formacion_y_fila,
    la_mas_alta,
)
from casadmin.rules.reasons import Motivo, fecha
from casadmin.rules.types import Formacion, Nivel, RequisitoFormacion

#: The evaluator's manual checks (§4.2.1 b: the annexes filled in, signed and attached, the Ficha signed
#: as in the DNI; how the annexes are filled, §4.1), cited as the review screen cites them
#: (``casadmin.etapas.LISTA_FICHA``).
CHECKLIST = {
    "anexos_datos_convocatoria": ("Anexos con el N° de CAS, puesto y órgano de esta convocatoria", "§4.2.1 b"),
    "anexos_firmados": ("Anexos firmados tal como figura en el DNI", "§4.2.1 b"),
    "ficha_firmada": ("Ficha de Postulante con firma digitalizada", "§4.2.1 b"),
}


def _limite(momento: dt.datetime) -> str:
    """A bound of the application period as the reason shows it: to the second when it is not on the
    minute (a close at 23:59:59 is shown so, not as 23:59)."""
    return f"{momento:%d/%m/%Y %H:%M:%S}" if momento.second or momento.microsecond else f"{momento:%d/%m/%Y %H:%M}"


@lru_cache(maxsize=64)
def _plazo(inicio: dt.datetime, cierre: dt.datetime) -> str:
    """The application period as shown in every candidate's reason (the same for the whole call)."""
    return f"{_limite(inicio)} – {_limite(cierre)}"


def _minuto(momento: dt.datetime) -> dt.datetime:
    """The wall-clock minute of a time."""
    return momento.replace(tzinfo=None, second=0, microsecond=0)


def _fecha_hora(momento: dt.datetime, limites: frozenset[dt.datetime]) -> str:
    """A registration time as the reason shows it (its own wall-clock time): to the minute, or to the
    second within the minute of a bound of the period (``limites``, :func:`_minuto`), where the minute
    alone cannot tell a time inside from one outside: a registration at 16:30:40 against a close at
    16:30 would read «16:30» and «fuera del plazo» (§4.2.1 a)."""
    if _minuto(momento) in limites:
        return f"{momento:%d/%m/%Y %H:%M:%S}"
    # Keyed on the wall-clock time: aware datetimes of the same instant in other zones compare equal.
    return _hora_local(momento.replace(tzinfo=None))


@lru_cache(maxsize=2**16)
def _hora_local(local: dt.datetime) -> str:
    """Memoized: pure, and registration times repeat to the minute over a large call."""
    return local.strftime("%d/%m/%Y %H:%M")


@lru_cache(maxsize=2**12)
def _motivo_plazo(declarado: str, plazo: str, ok: bool) -> Motivo:
    """§4.2.1 a. Memoized (a Motivo is immutable): registration times repeat to the minute."""
    return Motivo(requisito="Postulación dentro del plazo", declarado=declarado, computado=plazo,
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


def formacion_de_referencia(cand: Candidato, ctx: Contexto) -> Formacion | None:
    """The declared study from which experience counts (§4.2.1 p): of those meeting the profile, the one
    whose egreso (else diploma) comes first (``la_primera``), else the highest; with the egreso date
    declared on another row of the same study (``con_egreso``)."""
    requisito = ctx.convocatoria.perfil.formacion
    fila = next((f for f in cand.formaciones
                 if cumple_formacion(requisito, f, fecha_postulacion=ctx.fecha_postulacion)), None)
    return _referencia(requisito, ctx.fecha_postulacion, fila, cand.formaciones)


def _referencia(requisito: RequisitoFormacion, hoy: dt.date, fila: Formacion | None,
                formaciones: Sequence[Formacion]) -> Formacion | None:
    """§4.2.1 p given the first row meeting the profile (``fila``), or none: the rows after it are
    looked at only when there are any (most applicants declare one study that meets it). For a
    maestría or doctorado profile, the undergraduate study's egreso or diploma (``de_pregrado``)."""
    if requisito.nivel in POSGRADO:
        pregrado = de_pregrado(formaciones, hoy)
        if pregrado is not None:
            return pregrado
    if fila is None:
        return con_egreso(la_mas_alta(formaciones), formaciones)
    if fila is formaciones[-1]:
        return con_egreso(fila, formaciones)
    despues = formaciones[formaciones.index(fila) + 1:]
    return la_primera([fila, *(f for f in despues if cumple_formacion(requisito, f, fecha_postulacion=hoy))],
                      formaciones)


#: Words that, just before the requirement in a section 8 item, say the applicant does not have it («Sin
#: licencia de conducir A-I», «No cuento con …»), and right after it, that they do not have it (yet): «… en
#: trámite», «…: no», «… vencida».
_NIEGAN = frozenset({"sin", "no", "ni", "carezco", "carece", "ningun", "ninguna", "ninguno"})
_AUN_NO = ("no ", "en tramite ", "por obtener ", "vencida ", "vencido ", "pendiente ")
#: Where a section 8 item's clauses part: «Licencia de conducir A-I vigente; colegiatura en trámite».
_CLAUSULAS = re.compile(r"[,;.]")


@lru_cache(maxsize=1024)
def _otros_motivos(requeridos: tuple[str, ...], declarados: tuple[str, ...]) -> tuple[Motivo, ...]:
    """§4.2.1 Otros requisitos («corresponde al/la postulante declararlo en la ficha de postulante»): each
    one the profile lists is met by a section 8 item that names it word for word (compared without accents,
    case, punctuation or extra spaces), unless the clause of the item that names it (split at «,», «;», «.»)
    says the applicant lacks it: a negation among the three words before it («Sin licencia de conducir
    A-I») or «no», «en trámite», «vencida»… right after it (:func:`_lo_niega`). Not the other way
    round: a fragment («viajar», or one letter) would meet every requirement it appears in. The reason
    quotes the item. Memoized: the same few declarations recur over a call."""
    items = [o for o in declarados if o and o.strip()]
    out = []
    for req in requeridos:
        buscado = palabras(req)
        # the clauses that name it; the whole item when the requirement itself holds a comma
        nombran = [(o, cs) for o in items if buscado.strip() and (cs := clausulas_que_nombran(o, buscado, _CLAUSULAS))]
        valido = next((o for o, cs in nombran if any(not _lo_niega(c, buscado) for c in cs)), None)
        if valido is not None:
            out.append(Motivo(requisito=req, declarado=valido, computado="declarado", cumple=True,
                              clausula="§4.2.1 Otros requisitos", mensaje=f"Declara «{req}»: «{valido}»."))
        elif nombran:
            out.append(Motivo(requisito=req, declarado=nombran[0][0], computado="no lo tiene", cumple=False,
                              clausula="§4.2.1 Otros requisitos",
                              mensaje=f"Declara «{nombran[0][0]}» en la Ficha (sección 8): no acredita tener «{req}»."))
        else:
            out.append(Motivo(requisito=req, declarado="no declarado", computado="", cumple=False,
                              clausula="§4.2.1 Otros requisitos",
                              mensaje=f"No declara «{req}» en la Ficha (sección 8)."))
    return tuple(out)


def _lo_niega(clausula: str, buscado: str) -> bool:
    """Whether the clause of a section 8 item (:func:`palabras`) that names the requirement says the applicant
    lacks it: a negation among the three words before it, or a denial right after it."""
    inicio = clausula.index(buscado)
    antes = clausula[:inicio].split()[-3:]
    despues = clausula[inicio + len(buscado):]
    return bool(_NIEGAN.intersection(antes)) or despues.startswith(_AUN_NO)


@lru_cache(maxsize=8)
def _motivo_deportista(nivel: int | None) -> Motivo:
    """§4.3.1: a profile that requires the condition of Deportista Calificado de Alto Nivel (Ley N° 27674)
    makes it a requirement, met by declaring it in the Ficha (section 9, with its level); the documents
    are checked in the curricular stage. Memoized: six possible reasons."""
    ok = nivel is not None
    return Motivo(requisito="Condición de Deportista Calificado(a) de Alto Nivel",
                  declarado=f"nivel {nivel}" if ok else "no declarada", computado="", cumple=ok, clausula="§4.3.1",
                  mensaje=f"Declara la condición de deportista calificado(a) de alto nivel (nivel {nivel})." if ok else
                  "El perfil exige la condición de deportista calificado(a) de alto nivel y no la declara en la Ficha: "
                  "No Apto/a.")


@dataclass(frozen=True, slots=True)
class _Plan:
    """What D1 asks of every candidate of one call, worked out once per stage, not per candidate."""

    ctx: Contexto
    hoy: dt.date
    inicio: dt.datetime
    cierre: dt.datetime
    plazo: str
    #: the wall-clock minutes of the period's bounds, where a registration is shown to the second
    limites: frozenset[dt.datetime]
    formacion: RequisitoFormacion
    colegiatura: bool
    habilitacion: bool
    #: (which count of DiasExperiencia, requirement, months, clause) for each experience the profile asks.
    experiencias: tuple[tuple[int, str, int, str], ...]
    solo_secundaria: bool
    cursos: EvaluadorCursos
    conocimientos: tuple[tuple[str, Nivel], ...]
    #: §4.2.1 n reasons by the declared (name, level value) pairs: a handful of combinations per call.
    niveles: dict[tuple[tuple[str, str], ...], tuple[Motivo, ...]]
    otros: tuple[str, ...]
    #: the profile requires the athlete condition (§4.3.1)
    deportista: bool
    #: the bases ask for the digitized signature (parameter ``ficha.firma_digitalizada``; SUNEDU's §4.1 (10)
    #: does, Migraciones' manual does not; a bases version without the parameter asks for it)
    firma: bool

    @classmethod
    def de(cls, ctx: Contexto) -> _Plan:
        conv = ctx.convocatoria
        perfil = conv.perfil
        experiencias = tuple(
            (i, requisito, meses, clausula)
            for i, requisito, meses, clausula in (
                (0, "Experiencia general", perfil.experiencia_general_meses, "§4.2.1 p"),
                (1, "Experiencia específica", perfil.experiencia_especifica_meses, "§4.2.1 w"),
                (2, "Experiencia específica en el sector público", perfil.experiencia_publica_meses, "§4.2.1 w"),
            )
            if meses
        )
        return cls(ctx=ctx, hoy=ctx.fecha_postulacion, inicio=conv.inicio_postulacion, cierre=conv.cierre_postulacion,
                   plazo=_plazo(conv.inicio_postulacion, conv.cierre_postulacion),
                   limites=frozenset(map(_minuto, (conv.inicio_postulacion, conv.cierre_postulacion))), formacion=perfil.formacion,
                   colegiatura=bool(perfil.colegiatura or perfil.habilitacion), habilitacion=bool(perfil.habilitacion),
                   experiencias=experiencias, solo_secundaria=perfil.solo_secundaria,
                   cursos=EvaluadorCursos(perfil.capacitaciones), conocimientos=tuple(perfil.conocimientos.items()), niveles={},
                   otros=tuple(perfil.otros), deportista=bool(perfil.requiere_deportista),
                   firma=ctx.bases.pide_firma(ctx.fecha_postulacion))


def evaluar(ctx: Contexto, cand: Candidato, documentos: Sequence[Motivo]) -> list[Motivo]:
    """Every requirement of D1 for one candidate, in the order of the bases."""
    return _evaluar(_Plan.de(ctx), cand, documentos)


def _evaluar(plan: _Plan, cand: Candidato, documentos: Sequence[Motivo]) -> list[Motivo]:
    """:func:`evaluar` with the call's requirements already worked out (:class:`_Plan`)."""
    hoy = plan.hoy
    registrada = cand.registrada_en
    motivos = [_motivo_plazo(_fecha_hora(registrada, plan.limites), plan.plazo, plan.inicio <= registrada <= plan.cierre),
               *documentos, *((_FIRMA[bool(cand.firma)],) if plan.firma else ())]
    motivo, fila = evaluar_formacion_y_fila(plan.formacion, cand.formaciones, fecha_postulacion=hoy)
    motivos.append(motivo)
    if plan.colegiatura:
        motivos.append(evaluar_colegiatura(requerida=True, colegiado=cand.colegiado, habilitado=cand.habilitado,
                                           habilitacion=plan.habilitacion))
    if plan.experiencias:
        # Only the days are reported here, so they are counted once for the three requirements,
        # without building the per-experience reasons (experiencia_general & co. give those).
        # The study experience counts from (§4.2.1 p): of the rows meeting the profile, the first of
        # which evaluar_formacion_y_fila has just found, the one with the earliest egreso or diploma;
        # else the highest; with the egreso declared on another row of the same study
        # (formacion_de_referencia).
        referencia = _referencia(plan.formacion, hoy, fila, cand.formaciones)
        dias = dias_experiencia(cand.experiencias, referencia, hoy, plan.solo_secundaria)
        for i, requisito, meses, clausula in plan.experiencias:
            motivos.append(_evaluar_dias(dias[i], requisito, 0, meses, clausula))  # = evaluar_experiencia
    if plan.cursos.requisitos:
        motivos.extend(plan.cursos(cand.capacitaciones, fecha_postulacion=hoy))
    if plan.conocimientos:
        declarados = cand.conocimientos
        try:
            clave = tuple([(nombre, nivel._value_) for nombre, nivel in declarados.items()])
        except AttributeError:  # not Nivel values: not memoized
            clave = None
        conocimientos = plan.niveles.get(clave)
        if conocimientos is None:
            conocimientos = evaluar_conocimientos(dict(plan.conocimientos), declarados)
            if clave is not None and len(plan.niveles) < 4096:
                plan.niveles[clave] = conocimientos = tuple(conocimientos)
        motivos.extend(conocimientos)
    if plan.otros:
        motivos.extend(_otros_motivos(plan.otros, tuple(cand.otros)))
    if plan.deportista:
        motivos.append(_motivo_deportista(cand.deportista_nivel))
    manual = cand.entradas.verificacion_manual
    if manual:
        for codigo, cumple in manual.items():
            if codigo == "ficha_firmada" and not plan.firma:  # a signature the bases do not ask for (Mig. 2, 7–9)
                continue
            texto, clausula = CHECKLIST.get(codigo, (codigo, "§4.2.1 b"))
            motivos.append(Motivo(requisito=texto, declarado="verificado por el evaluador", computado="",
                                  cumple=bool(cumple), clausula=clausula,
                                  mensaje=f"{texto}: {'conforme' if cumple else 'no conforme'}."))
    return motivos


_CUMPLE = attrgetter("cumple")


@hookimpl
def casadmin_evaluar_ficha(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado]:
    from casadmin.plugins import get_plugin_manager

    pm = ctx.pm or get_plugin_manager()  # the stage's own, when run.evaluar_etapa runs it
    verificar_documentos = pl.preparar_todos(pm, ctx.bases, "casadmin_verificar_documentos")
    plan = _Plan.de(ctx)
    resultados = []
    for cand in candidatos:
        documentos = [m for lista, _ in verificar_documentos(ctx=ctx, candidato=cand) for m in lista]
        motivos = _evaluar(plan, cand, documentos)
        apto = all(map(_CUMPLE, motivos))
        detalle = {}
        if cand.entradas.ficha_override is not None:
            resultado, razon = cand.entradas.ficha_override
            detalle = {"automatico": "apto" if apto else "no_apto", "override": razon}
            motivos.append(Motivo(requisito="Modificación del evaluador", declarado=resultado, computado="",
                                  cumple=resultado == "apto", clausula="§4.2.1 c", mensaje=razon))
            apto = resultado == "apto"
        resultados.append(crear_resultado(candidato=cand.id, etapa="ficha", resultado="apto" if apto else "no_apto",
                                          puntaje=None, motivos=tuple(motivos), detalle=detalle, regla=""))
    return resultados


#: How each count of ``_Plan.experiencias`` is made with its reasons (DiasExperiencia's order).
_CONTAR = (experiencia_general, experiencia_especifica, experiencia_publica)


@hookimpl
def casadmin_detallar_experiencia(ctx: Contexto, candidato: Candidato) -> dict[str, Computo]:
    """The experience requirements of :func:`_evaluar`, each counted with its reasons: the same study to
    count from (§4.2.1 p), the same days (``dias_experiencia`` counts them without the reasons)."""
    plan = _Plan.de(ctx)
    if not plan.experiencias:
        return {}
    referencia = formacion_de_referencia(candidato, ctx)
    detalle = {}
    for i, requisito, meses, clausula in plan.experiencias:
        computo = _CONTAR[i](candidato.experiencias, referencia, plan.hoy, plan.solo_secundaria)
        detalle[_evaluar_dias(computo.dias, requisito, 0, meses, clausula).requisito] = computo
    return detalle


__all__ = ["casadmin_detallar_experiencia", "casadmin_evaluar_ficha", "evaluar", "fecha"]
