"""Final results of a stored call (D7–D9, §4.2.6, §4.3, §4.5) with the same engine as ``casadmin simulate``.

The call is read as its export (:func:`casadmin.engine_db.exportar`) would give it to ``simulate``, but
only what the final step looks at: the *stored* stage results (evaluator overrides and corrections
included), the committee's decisions and the finalists' Fichas. The final step runs with the engine's own code (:func:`casadmin.engine.run._final`): the bonus plugins
(§4.3, each with its legal basis), the merit-order plugin (§4.2.6 a–c: final score, then interview,
then exam, then the committee) and the desierto plugin (§4.5). Nothing here re-implements a rule.

* :func:`calcular` runs it in memory (the engine's proposal; nothing written).
* :func:`evaluar_final` stores it: :class:`~casadmin.models.ResultadoFinal` per finalist (score,
  order, condition, tie waiting for the committee), :class:`~casadmin.models.Bonificacion` per bonus
  with its basis and plugin, the applications' state, the plugin versions (F3) and an audit record.
  Once the final results are published, only an audited correction with a reason (``recalcular``).
* :func:`decidir_empate` records the Interview Committee's decision on a tie that survives the
  criteria (§4.2.6 c) with its mandatory reason, and recomputes.
* :func:`publicar_final` freezes and publishes the final results, calls the winners to sign
  (§4.4 d, :mod:`casadmin.contratos`) and starts the background job that builds the cuadro de
  méritos as PDF and Excel (:func:`casadmin.publicacion.generar_documentos_final`, from
  :func:`filas_documento`) and notifies each finalist (E1, G1); an audited correction of published
  results builds them again.
* :func:`causa_desierto_propuesta` is the cause of §4.5 proposed for the call's "declarar
  desierta": the same proposal as the life-cycle button (:func:`casadmin.ciclo.proponer_desierto`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any, NamedTuple

import pluggy
import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import audit, cronograma, engine_db, resultados, tareas
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.bloqueo import bloquear
from casadmin.engine import report, run
from casadmin.engine.model import Resultado as ResultadoMotor
from casadmin.engine.params import ParametroDesconocido
from casadmin.models.enums import (
    CausaDesierto,
    CondicionFinal,
    EstadoPostulacion,
    Etapa,
    TipoBonificacion,
)
from casadmin.peru.clock import now
from casadmin.rules import ranking
from casadmin.rules.ranking import ACCESITARIOS

__all__ = [
    "ETAPA_FINAL",
    "Calculo",
    "FinalRechazado",
    "ResumenFinal",
    "calcular",
    "causa_desierto_propuesta",
    "decidir_empate",
    "evaluar_final",
    "filas_documento",
    "publicacion_final",
    "publicar_final",
    "tarea_documentos",
]

#: How the final results are named where stages are (PublicacionEtapa.etapa, Impugnacion.etapa, the CLI).
ETAPA_FINAL = "final"
#: The kind of the background job that builds the final results' documents (Tarea.tipo).
TAREA_DOCUMENTOS = "publicacion_final"

#: §4.3: which bonus a rule produced, by the clause its legal basis cites. FF.AA. and discapacidad
#: together are one bonus of 25 % (§4.2.6): stored as ``ffaa`` with its concept naming both.
_TIPO_POR_CLAUSULA = (
    ("§4.3.4", TipoBonificacion.ffaa),
    ("§4.3.3", TipoBonificacion.discapacidad),
    ("§4.3.1", TipoBonificacion.deportista),
    ("§4.3.2", TipoBonificacion.joven_especial),
)


class FinalRechazado(ValueError):
    """A refusal with its Spanish message; nothing was changed."""


@dataclass
class Calculo:
    """The engine's final step over a stored call (nothing written)."""

    conv: m.Convocatoria
    sim: run.Simulacion
    #: the applicant's id in the exported format → postulacion id, for those whose id was read: the
    #: interview's shortlist and everyone after it (the finalists), and those in a committee decision
    postulaciones: dict[str, int]
    #: committee decisions as exported: {"orden": [ids], "sustento": text}
    decisiones: list[dict[str, Any]]
    #: interview bonus (§4.2.5 h) per id, as the stored interview result records it
    bonos_entrevista: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: plugin → "name==version" of the final step's plugins (bonuses, merit order, desierto): F3
    reglas: dict[str, str] = field(default_factory=dict)
    #: F3: the installed bases plugin is not the version the call was created with (it computed this)
    aviso: str | None = None

    @property
    def orden(self):
        return self.sim.orden

    def lugares(self) -> dict[str, int]:
        """Place in the merit order (1 = first); a tied group shares its first place (``ranking.lugares``)."""
        return {f.id: lugar for lugar, grupo in ranking.lugares(self.sim.orden.orden if self.sim.orden else ())
                for f in grupo}


@dataclass(frozen=True)
class ResumenFinal:
    """What :func:`evaluar_final` stored."""

    codigo: str
    finalistas: int
    ganadores: list[str]
    accesitarios: list[str]
    empates: list[list[str]]
    desierto: str | None
    reglas: dict[str, str]
    recalculado: bool
    #: F3: computed with another version of the bases plugin than the call was created with
    aviso: str | None = None
    #: the call's positions (fewer finalists leave some uncovered, ``report.posiciones_sin_cubrir``)
    posiciones: int = 1


def _convocatoria(session: Session, convocatoria: m.Convocatoria | str) -> m.Convocatoria:
    if isinstance(convocatoria, m.Convocatoria):
        return convocatoria
    conv = session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.codigo == convocatoria))
    if conv is None:
        raise engine_db.ConvocatoriaNoEncontrada(f"No existe la convocatoria «{convocatoria}».")
    return conv


def _base_legal(mensaje: str) -> str:
    """The legal basis an interview-bonus reason quotes in parentheses (plugins/…/entrevista.py)."""
    hallado = re.search(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)\.?$", mensaje or "")
    return hallado.group(1) if hallado else "Ley N° 31533; Bases §4.2.5 h"


def _tasa_entrevista(ctx, monto: Decimal, puntaje: Decimal) -> Decimal:
    """§4.2.5 h: the interview bonus rate of the bases version (its dated parameter)."""
    try:
        return Decimal(ctx.parametros["entrevista.bonificacion_31533"])
    except ParametroDesconocido:  # a bases version without the parameter: the rate the amount shows
        base = puntaje - monto
        return (monto * 100 / base).quantize(Decimal("0.01"), rounding=ROUND_DOWN) if base else Decimal(0)


class _Vivo(NamedTuple):
    """A candidate as the interview's shortlist hook (D5) sees it: the format's id (and the application)."""

    id: str
    pid: int


def calcular(session: Session, convocatoria: m.Convocatoria | str, *,
             pm: pluggy.PluginManager | None = None) -> Calculo:
    """Run the engine's final step on the stored call (D7–D9); nothing is written.

    The candidates of each stage are those who continued in every earlier stage (the interview's
    shortlist chosen by the bases' plugin, D5, as ``simulate`` does); each stage's result is the
    stored one. A stage with candidates but no stored result is refused.

    Read as ``simulate`` would read the call's export, but only what the final step looks at: the
    stored results (score and result; the reasons only for the interview, whose §4.2.5 h bonus they
    carry), the format's id of those who reach the interview's shortlist, and the whole Ficha of the
    finalists (the bonus hooks read it). The others are named ``postulacion-<id>`` in the stage
    lists, which only count them (§4.5 a–b).
    """
    pm = pm or pl.get_plugin_manager()
    conv = _convocatoria(session, convocatoria)
    from casadmin import etapas  # never from out-of-date stage results (issue 5 item 3)

    etapas.exigir_al_dia(session, conv, error=FinalRechazado)
    try:
        bases = pl.get_bases(pm, conv.version_bases.codigo)
        modelo = engine_db.cabecera_motor(conv, bases)
    except (pl.BasesDesconocida, engine_db.EvaluacionRechazada) as exc:
        raise FinalRechazado(str(exc)) from None
    P = m.Postulacion
    vivos: list[int] = list(session.scalars(sa.select(P.id).where(P.convocatoria_id == conv.id).order_by(P.id)))
    guardados = engine_db.resultados_evaluados(session, conv, detalle=("entrevista",))
    decididas = engine_db.decisiones_comite(session, conv)
    ids = engine_db.ids_en_archivo(session, conv, (pid for orden, _ in decididas for pid in orden))
    decisiones = [{"orden": [ids[pid] for pid in orden], "sustento": sustento} for orden, sustento in decididas]
    ctx = run.contexto(modelo, bases, [tuple(d["orden"]) for d in decisiones])
    sim = run.Simulacion(convocatoria=modelo, bases=bases)
    calculo = Calculo(conv=conv, sim=sim, postulaciones={}, decisiones=decisiones,
                      aviso=engine_db.aviso_version(conv.version_bases, bases, session, conv, pm))
    acumulado: dict[int, Decimal] = dict.fromkeys(vivos, Decimal(0))
    por_etapa: list[tuple[str, list[int], dict[int, engine_db.FilaGuardada]]] = []
    try:
        for etapa in run.etapas_de(modelo, bases):
            if etapa == "entrevista":  # D5, the same hook as simulate, by the format's ids
                ids.update(engine_db.ids_en_archivo(session, conv, (pid for pid in vivos if pid not in ids)))
                llamados = run._convocar(pm, ctx, sim, [_Vivo(ids[pid], pid) for pid in vivos],
                                         {ids[pid]: acumulado[pid] for pid in vivos})
                vivos = [v.pid for v in llamados]
            filas = guardados.get(etapa, {})
            faltan = [pid for pid in vivos if pid not in filas]
            if faltan:
                nombres = engine_db.ids_en_archivo(session, conv, faltan[:5])
                raise FinalRechazado(
                    f"La {Etapa[etapa].value} de «{conv.codigo}» no tiene resultado para {len(faltan)} candidato(s) "
                    f"que siguen en el proceso ({', '.join(nombres[pid] for pid in faltan[:5])}"
                    f"{'…' if len(faltan) > 5 else ''}): evalúe la etapa antes de calcular el resultado final.")
            for pid in vivos:
                if (puntaje := filas[pid].puntaje) is not None:
                    acumulado[pid] += puntaje
            por_etapa.append((etapa, vivos, filas))
            vivos = [pid for pid in vivos if filas[pid].resultado in _SIGUEN]
        ids.update(engine_db.ids_en_archivo(session, conv, (pid for pid in vivos if pid not in ids)))
        nombre = _nombres(ids)
        for etapa, candidatos, filas in por_etapa:
            sim.etapas[etapa] = [
                ResultadoMotor(candidato=nombre(pid), etapa=etapa, resultado=filas[pid].resultado,
                               puntaje=filas[pid].puntaje, regla=filas[pid].regla) for pid in candidatos]
            if etapa == "entrevista":
                for pid in candidatos:
                    _bono_entrevista(calculo, ctx, ids[pid], filas[pid])
        try:
            finalistas = engine_db.candidatos(session, conv, modelo, vivos) if vivos else []
        except engine_db.EvaluacionRechazada as exc:  # e.g. an experience ending before it starts (rules.types)
            raise FinalRechazado(str(exc)) from None
        calculo.postulaciones = {ident: pid for pid, ident in ids.items()}
        previas = dict(sim.reglas)
        acumulados = {ids[pid]: acumulado[pid] for pid in vivos}
        run._final(pm, ctx, sim, finalistas, acumulados)  # D7–D9: exactly simulate's final step
        calculo.reglas = {p: v for p, v in sorted(sim.reglas.items()) if previas.get(p) != v}
    except pl.SinImplementacion as exc:
        raise FinalRechazado(str(exc)) from None
    return calculo


def _nombres(ids: Mapping[int, str]):
    """The id in the stage lists: the format's where it was read, else ``postulacion-<id>`` (never equal
    to a format's id, whose lookups by id must find their own candidate's scores)."""
    usados = set(ids.values())

    def nombre(pid: int) -> str:
        ident = ids.get(pid)
        if ident is None:
            ident = f"postulacion-{pid}"
            while ident in usados:
                ident += "'"
        return ident
    return nombre


#: The stored results that let a candidate continue to the next stage (Apto, Asistió).
_SIGUEN = frozenset(r.name for r in engine_db.SIGUEN)


def _bono_entrevista(calculo: Calculo, ctx, ident: str, f: engine_db.FilaGuardada) -> None:
    """§4.2.5 h: the interview bonus its stored reasons record (already inside the interview score)."""
    for mo in f.motivos:
        # «§4.2.5 h», or «Bases SUNEDU 2026 §4.2.5 h» where the bases cite another's clauses (clausulas_de)
        if str(mo.get("clausula", "")).endswith("§4.2.5 h") and str(mo.get("computado", "")).startswith("+"):
            monto = Decimal(mo["computado"][1:])
            calculo.bonos_entrevista[ident] = {
                "monto": monto, "concepto": mo.get("requisito", ""), "base_legal": _base_legal(mo.get("mensaje", "")),
                "regla": f.regla, "tasa": _tasa_entrevista(ctx, monto, f.puntaje), "puntaje": f.puntaje}


# --- storing -------------------------------------------------------------------------------


def publicacion_final(session: Session, conv: m.Convocatoria) -> m.PublicacionEtapa | None:
    return session.scalar(sa.select(m.PublicacionEtapa).where(
        m.PublicacionEtapa.convocatoria_id == conv.id, m.PublicacionEtapa.etapa == ETAPA_FINAL))


def _en_curso(conv: m.Convocatoria) -> None:
    """B4, §4.5: a finished, desierta or cancelled process has no final results to compute or publish (a
    cancelled call's were published and its winner called to sign)."""
    if conv.estado in cronograma.CERRADOS:
        raise FinalRechazado(f"La convocatoria está {conv.estado.value.lower()}: sus resultados finales ya no se "
                             "calculan ni se publican (§4.5).")


def _publicado(session: Session, conv: m.Convocatoria) -> bool:
    return publicacion_final(session, conv) is not None or session.scalar(
        sa.select(m.ResultadoFinal.id).where(m.ResultadoFinal.convocatoria_id == conv.id,
                                             m.ResultadoFinal.publicado.is_(True)).limit(1)) is not None


def _tipo(b) -> TipoBonificacion:
    for clausula, tipo in _TIPO_POR_CLAUSULA:
        if clausula in b.base_legal:
            return tipo
    return TipoBonificacion.otra


def _estado_final(session: Session, conv: m.Convocatoria) -> dict[str, Any]:
    """The stored final results in the audit record's terms: id → orden, condición, puntaje final."""
    R = m.ResultadoFinal
    filas = session.execute(sa.select(R.postulacion_id, R.orden_merito, R.condicion, R.puntaje_final, R.empate_comite)
                            .where(R.convocatoria_id == conv.id)).all()
    return {str(f.postulacion_id): {"orden": f.orden_merito, "condicion": f.condicion.name,
                                    "puntaje_final": f.puntaje_final, "empate_comite": f.empate_comite}
            for f in filas}


def _guardar(session: Session, calculo: Calculo, *, accion: str, motivo: str | None,
             usuario: m.Usuario | str | None) -> ResumenFinal:
    conv, sim = calculo.conv, calculo.sim
    orden = sim.orden
    momento = now()
    quien_id, quien = audit.quien(usuario, consola=True)
    antes = _estado_final(session, conv)
    ids = calculo.postulaciones
    R, B = m.ResultadoFinal, m.Bonificacion
    previos = set(session.scalars(sa.select(R.postulacion_id).where(R.convocatoria_id == conv.id)))
    de_la_convocatoria = sa.select(m.Postulacion.id).where(m.Postulacion.convocatoria_id == conv.id)
    session.execute(sa.delete(B).where(B.postulacion_id.in_(de_la_convocatoria)))
    session.execute(sa.delete(R).where(R.convocatoria_id == conv.id))
    reglas = calculo.reglas
    lugares = calculo.lugares()
    ganadores = {f.id for f in orden.ganadores} if orden else set()
    accesitarios = {f.id for f in orden.accesitarios} if orden else set()
    empatados = {f.id for g in orden.empates_comite for f in g} if orden else set()
    propios = report.motivos_del_lugar(orden)
    # §4.2.6 c: a decision's reasoning goes to the candidates of the tie it settled, no one else
    sustentos = {ident: calculo.decisiones[k].get("sustento") or ""
                 for ident, k in (orden.decisiones_aplicadas if orden else {}).items()}
    filas, bonos, estados = [], [], []
    for f in sim.finales:
        pid = ids[f.candidato]
        if f.candidato in ganadores:
            condicion, estado = CondicionFinal.ganador, EstadoPostulacion.ganador
        elif f.candidato in accesitarios:
            condicion, estado = CondicionFinal.accesitario, EstadoPostulacion.accesitario
        else:
            condicion = CondicionFinal.aprobado
            estado = EstadoPostulacion.en_proceso if f.candidato in empatados else EstadoPostulacion.no_seleccionado
        filas.append({
            "convocatoria_id": conv.id, "postulacion_id": pid, "puntaje_etapas": f.puntaje_etapas,
            "puntaje_bonificaciones": sum((b.monto for b, _ in f.bonificaciones), Decimal(0)),
            "puntaje_final": f.puntaje_final, "orden_merito": lugares.get(f.candidato), "condicion": condicion,
            "decision_comite": sustentos.get(f.candidato), "empate_comite": f.candidato in empatados,
            "motivos": propios.get(f.candidato, []), "reglas": reglas, "publicado": False, "creado_en": momento,
            "modificado_en": momento})
        estados.append({"id": pid, "estado": estado})
        tipos = set()
        for b, plugin in f.bonificaciones:
            tipo = _tipo(b)
            if tipo in tipos:
                raise FinalRechazado(f"Dos bonificaciones del mismo tipo ({tipo.value}) para {f.candidato}: "
                                     "revise los plugins de bonificación de la versión de bases.")
            tipos.add(tipo)
            bonos.append({"postulacion_id": pid, "tipo": tipo, "porcentaje": b.porcentaje, "base": b.base,
                          "puntos": b.monto, "base_legal": b.base_legal[:300], "concepto": b.concepto[:300],
                          "regla": sim.reglas.get(plugin, plugin)[:140], "creado_en": momento, "modificado_en": momento})
        e = calculo.bonos_entrevista.get(f.candidato)
        if e is not None:  # §4.2.5 h: already inside the interview score; shown with its basis
            bonos.append({"postulacion_id": pid, "tipo": TipoBonificacion.joven_entrevista, "porcentaje": e["tasa"],
                          "base": e["puntaje"] - e["monto"], "puntos": e["monto"], "base_legal": e["base_legal"][:300],
                          "concepto": e["concepto"][:300], "regla": e["regla"][:140], "creado_en": momento,
                          "modificado_en": momento})
    if filas:
        session.execute(sa.insert(R), filas)
    if bonos:
        session.execute(sa.insert(B), bonos)
    nuevos = {row["postulacion_id"] for row in filas}
    estados += [{"id": pid, "estado": EstadoPostulacion.en_proceso} for pid in previos - nuevos]
    if estados:
        session.execute(sa.update(m.Postulacion), estados)
    resumen = ResumenFinal(
        codigo=conv.codigo, finalistas=len(filas),
        ganadores=[f.id for f in orden.ganadores] if orden else [],
        accesitarios=[f.id for f in orden.accesitarios] if orden else [],
        empates=[[f.id for f in g] for g in orden.empates_comite] if orden else [],
        desierto=sim.desierto, reglas=reglas, recalculado=accion == "recalcular_resultado_final",
        aviso=calculo.aviso, posiciones=conv.cantidad_posiciones)
    session.flush()
    despues = {"ganadores": resumen.ganadores, "accesitarios": resumen.accesitarios, "empates": resumen.empates,
               "desierto": resumen.desierto, "reglas": reglas, "resultados": _estado_final(session, conv)}
    audit.record(session, accion=accion, objeto=conv, usuario_id=quien_id, usuario=quien, entidad_id=conv.entidad_id,
                 convocatoria_id=conv.id, motivo=motivo, antes={"resultados": antes} if antes else None,
                 despues=despues)
    return resumen


def evaluar_final(session: Session, convocatoria: m.Convocatoria | str, *, recalcular: bool = False,
                  motivo: str | None = None, usuario: m.Usuario | str | None = None,
                  pm: pluggy.PluginManager | None = None) -> ResumenFinal:
    """Compute and store the final results (D7–D9) in one transaction; audited.

    Published final results are changed only with ``recalcular`` and a ``motivo`` (an audited
    correction, F3), and never once a contract was signed or the contract step closed for someone.
    """
    conv = _convocatoria(session, convocatoria)
    _en_curso(conv)
    motivo = (motivo or "").strip()
    if recalcular and not motivo:
        raise FinalRechazado("Para recalcular el resultado final escriba el motivo (quedará en el registro de auditoría).")
    publicado = _publicado(session, conv)
    if publicado and not recalcular:
        raise FinalRechazado(f"Los resultados finales de «{conv.codigo}» ya fueron publicados: solo se corrigen "
                             "recalculando con un motivo (corrección auditada).")
    try:
        calculo = calcular(session, conv, pm=pm)
        if publicado:
            from casadmin import contratos

            contratos.antes_de_corregir(session, conv)
        accion = "recalcular_resultado_final" if recalcular else "calcular_resultado_final"
        resumen = _guardar(session, calculo, accion=accion, motivo=motivo or None, usuario=usuario)
        if publicado:
            pub = publicacion_final(session, conv)
            session.execute(sa.update(m.ResultadoFinal).where(m.ResultadoFinal.convocatoria_id == conv.id)
                            .values(publicado=True))
            from casadmin import contratos

            contratos.tras_corregir(session, conv, pub, usuario=usuario)
            if pub is not None:  # the published cuadro de méritos follows the correction
                _documentos(session, conv, pub, usuario, correccion=True)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return resumen


def guardar_en_la_transaccion(session: Session, conv: m.Convocatoria, *, usuario: m.Usuario | str | None = None,
                              pm: pluggy.PluginManager | None = None) -> ResumenFinal:
    """:func:`evaluar_final` of a call with no final results yet, in the caller's transaction (an import
    stores the final step its file carries with the rest, or nothing): audited, never committed here.
    Raises :class:`FinalRechazado` before writing anything."""
    return _guardar(session, calcular(session, conv, pm=pm), accion="calcular_resultado_final", motivo=None,
                    usuario=usuario)


def empates_pendientes(session: Session, conv: m.Convocatoria) -> list[list[m.ResultadoFinal]]:
    """Stored ties waiting for the committee (§4.2.6 c), each group in its stored order."""
    filas = session.scalars(sa.select(m.ResultadoFinal).where(
        m.ResultadoFinal.convocatoria_id == conv.id, m.ResultadoFinal.empate_comite.is_(True))
        .order_by(m.ResultadoFinal.orden_merito, m.ResultadoFinal.id)).all()
    grupos: dict[int | None, list[m.ResultadoFinal]] = {}
    for f in filas:
        grupos.setdefault(f.orden_merito, []).append(f)
    return list(grupos.values())


def decidir_empate(session: Session, convocatoria: m.Convocatoria, orden: Sequence[int], sustento: str, *,
                   usuario: m.Usuario | str | None = None, pm: pluggy.PluginManager | None = None) -> ResumenFinal:
    """Record the Interview Committee's order for a tie that survives the criteria (§4.2.6 c) and recompute.

    ``orden`` is the postulacion ids of one pending tie, first place first; ``sustento`` (the
    committee's reasoning; the user area has the casting vote) is mandatory. The decision is kept
    where the engine reads it (``decision_comite:<k>`` items of the interview results), so an
    export and ``simulate`` see it too.
    """
    conv = convocatoria
    sustento = (sustento or "").strip()
    if not sustento:
        raise FinalRechazado("Escriba el sustento de la decisión del Comité de Entrevista (§4.2.6 c).")
    if _publicado(session, conv):
        raise FinalRechazado("Los resultados finales ya fueron publicados: el empate no puede decidirse ahora.")
    orden = [int(x) for x in orden]
    grupo = next((g for g in empates_pendientes(session, conv) if {f.postulacion_id for f in g} == set(orden)), None)
    if grupo is None or len(set(orden)) != len(orden):
        raise FinalRechazado("Indique el orden de todos los candidatos del empate pendiente, cada uno una vez.")
    R, V = m.ResultadoEtapa, m.ItemVerificacion
    filas = {r.postulacion_id: r for r in session.scalars(sa.select(R).where(
        R.convocatoria_id == conv.id, R.etapa == Etapa.entrevista, R.postulacion_id.in_(orden)))}
    if set(filas) != set(orden):
        raise FinalRechazado("Un candidato del empate no tiene resultado de la Entrevista Personal.")
    codigos = session.scalars(sa.select(V.codigo).join(R, R.id == V.resultado_etapa_id).where(
        R.convocatoria_id == conv.id, V.codigo.like(f"{engine_db.DECISION}%"))).all()
    k = 1 + max((int(c.removeprefix(engine_db.DECISION)) for c in codigos), default=-1)
    for lugar, pid in enumerate(orden, 1):
        session.add(V(resultado_etapa_id=filas[pid].id, codigo=f"{engine_db.DECISION}{k}",
                      descripcion="Decisión del Comité de Entrevista sobre un empate persistente",
                      puntaje=Decimal(lugar), observacion=sustento, clausula="§4.2.6 c"))
    quien_id, quien = audit.quien(usuario, consola=True)
    audit.record(session, accion="decidir_empate", objeto=conv, usuario_id=quien_id, usuario=quien,
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id, motivo=sustento,
                 antes={"empate": sorted(orden)}, despues={"orden": orden})
    session.flush()
    try:
        calculo = calcular(session, conv, pm=pm)
        resumen = _guardar(session, calculo, accion="calcular_resultado_final", motivo=sustento, usuario=usuario)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return resumen


def publicar_final(session: Session, conv: m.Convocatoria, *, usuario: m.Usuario | None = None,
                   pm: pluggy.PluginManager | None = None) -> m.PublicacionEtapa:
    """Publish the final results (§4.2.6, E1) and call the winners to sign within the deadline (§4.4 d).

    In the same transaction a background job is recorded (:func:`tarea_documentos`, started on
    commit): the cuadro de méritos as PDF and Excel attached to the returned publication and shown
    on the public portal, and one notice per finalist (G1).

    Refused when there is nothing to publish, a tie waits for the committee, the stored results
    differ from what the engine gives now (recalculate first), or they were already published.
    """
    bloquear(session, m.Convocatoria, conv.id)  # a second click waits, then finds them published (it was a 500)
    _en_curso(conv)
    if _publicado(session, conv):
        raise FinalRechazado("Los resultados finales ya fueron publicados.")
    filas = session.scalars(sa.select(m.ResultadoFinal).where(m.ResultadoFinal.convocatoria_id == conv.id)).all()
    if not filas:
        raise FinalRechazado("No hay resultados finales calculados para publicar.")
    if any(f.empate_comite for f in filas):
        raise FinalRechazado("Hay un empate pendiente de decisión del Comité de Entrevista (§4.2.6 c).")
    calculo = calcular(session, conv, pm=pm)
    lugares = calculo.lugares()
    actual = {calculo.postulaciones[f.candidato]: (f.puntaje_final, lugares.get(f.candidato))
              for f in calculo.sim.finales}
    if actual != {f.postulacion_id: (f.puntaje_final, f.orden_merito) for f in filas}:
        raise FinalRechazado("Los resultados de las etapas cambiaron después del cálculo: vuelva a calcular el "
                             "resultado final antes de publicarlo.")
    momento = now()
    session.execute(sa.update(m.ResultadoFinal).where(m.ResultadoFinal.convocatoria_id == conv.id)
                    .values(publicado=True))
    pub = m.PublicacionEtapa(convocatoria_id=conv.id, etapa=ETAPA_FINAL, publicado_en=momento,
                             publicado_por_id=usuario.id if usuario else None)
    session.add(pub)
    session.flush()
    quien_id, quien = audit.quien(usuario, consola=True)
    audit.record(session, accion="publicar_resultado_final", objeto=pub, usuario_id=quien_id, usuario=quien,
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id,
                 despues={"etapa": ETAPA_FINAL, "resultados": len(filas)})
    from casadmin import contratos

    contratos.llamar_ganadores(session, conv, pub, usuario=usuario)
    _documentos(session, conv, pub, usuario)
    session.commit()
    return pub


def _documentos(session: Session, conv: m.Convocatoria, pub: m.PublicacionEtapa, usuario: m.Usuario | str | None,
                *, correccion: bool = False) -> m.Tarea:
    """Record the job that builds the cuadro de méritos (PDF and Excel) and notifies each finalist (E1, G1);
    it starts once the caller commits."""
    return tareas.crear(
        session, tipo=TAREA_DOCUMENTOS,
        descripcion=f"Resultado final{' (corrección)' if correccion else ''} – {conv.codigo}",
        funcion="casadmin.publicacion.generar_documentos_final",
        argumentos={"publicacion_id": pub.id, "correccion": correccion}, entidad_id=conv.entidad_id,
        convocatoria_id=conv.id, usuario_id=usuario.id if isinstance(usuario, m.Usuario) else None)


def tarea_documentos(session: Session, conv: m.Convocatoria) -> m.Tarea | None:
    """The latest job that built (or is building) the call's final results documents."""
    return session.scalar(sa.select(m.Tarea).where(m.Tarea.convocatoria_id == conv.id,
                                                   m.Tarea.tipo == TAREA_DOCUMENTOS)
                          .order_by(m.Tarea.id.desc()).limit(1))


def accesitarios_de(conv: m.Convocatoria) -> int:
    """How many accesitarios the call's bases version names (``resultado.accesitarios``: two in SUNEDU's,
    §4.4 f), for the cuadro de méritos' note; two for a version that does not set it."""
    from casadmin import etapas  # as calcular: etapas imports this module

    try:
        return int(etapas.parametros(conv)["resultado.accesitarios"])
    except (ParametroDesconocido, etapas.EtapaRechazada):
        return ACCESITARIOS


def _resultado(condicion: CondicionFinal, accesitario: int) -> str:
    """The result column of the cuadro de méritos (§4.2.6 b: the winner(s), then the accesitarios, §4.4 f)."""
    if condicion is CondicionFinal.ganador:
        return "GANADOR(A)"
    if condicion is CondicionFinal.accesitario:
        return f"ACCESITARIO(A) {accesitario}"
    return condicion.value.upper()


def filas_documento(session: Session, conv: m.Convocatoria) -> tuple[list[Etapa], list[resultados.FilaFinal]]:
    """The stored final results as the cuadro de méritos publishes them (§4.2.6, §4.3).

    Rows in merit order (§4.2.6 a–c); for each finalist the stored score of each stage that gives
    one (what :func:`calcular` adds up: ``puntaje_etapas``), each stored bonus with its rate, base
    and legal basis (the interview's 10 % of §4.2.5 h shown as already inside the interview score),
    the final score, the result (ganador(a), accesitario(a) 1 and 2 in merit order, §4.2.6 b) and the
    committee's recorded reasoning when it settled a tie (§4.2.6 c). Names and masked document
    numbers as every public list gives them (E1). Returns the scored stages, in process order, and
    the rows.
    """
    R, P, Q, E = m.ResultadoFinal, m.Postulacion, m.Postulante, m.ResultadoEtapa
    finales = session.execute(
        sa.select(R, Q.apellido_paterno, Q.apellido_materno, Q.nombres, Q.numero_documento)
        .join(P, P.id == R.postulacion_id).join(Q, Q.id == P.postulante_id)
        .where(R.convocatoria_id == conv.id).order_by(R.orden_merito.is_(None), R.orden_merito, R.id)).all()
    ids = [f.postulacion_id for f, *_ in finales]
    puntajes: dict[int, dict[Etapa, Decimal]] = {}
    for pid, etapa, puntaje in session.execute(sa.select(E.postulacion_id, E.etapa, E.puntaje).where(
            E.convocatoria_id == conv.id, E.postulacion_id.in_(ids), E.puntaje.is_not(None))):
        puntajes.setdefault(pid, {})[etapa] = puntaje
    etapas = [e for e in Etapa if any(e in p for p in puntajes.values())]
    bonos = bonificaciones(session, conv)
    filas, accesitarios = [], 0
    for f, *datos_persona in finales:
        candidato, documento = resultados.persona(*datos_persona)
        if f.condicion is CondicionFinal.accesitario:
            accesitarios += 1
        lista = tuple(
            resultados.BonoFinal(tipo=b.tipo.value, concepto=b.concepto or b.tipo.value, puntos=b.puntos,
                                 porcentaje=b.porcentaje, base=b.base, base_legal=b.base_legal,
                                 incluida_en=Etapa.entrevista.value if b.tipo is TipoBonificacion.joven_entrevista
                                 else None)
            for b in bonos.get(f.postulacion_id, ()))
        filas.append(resultados.FilaFinal(
            orden=f.orden_merito, candidato=candidato, documento=documento,
            puntajes=puntajes.get(f.postulacion_id, {}), puntaje_etapas=f.puntaje_etapas, bonificaciones=lista,
            puntaje_bonificaciones=f.puntaje_bonificaciones, puntaje_final=f.puntaje_final,
            resultado=_resultado(f.condicion, accesitarios), decision_comite=f.decision_comite or None))
    return etapas, filas


def causa_desierto_propuesta(session: Session, convocatoria: m.Convocatoria,
                             pm: pluggy.PluginManager | None = None) -> CausaDesierto | None:
    """The §4.5 cause proposed for declaring the call desierta, or ``None``: the cause of
    :func:`casadmin.ciclo.proponer_desierto`, the one source of the proposal.

    ``desistimiento`` (§4.5 d) when the final results were published and neither the winner(s)
    nor the accesitarios signed and nobody is left to call (§4.4 f); otherwise the bases'
    desierto plugin (hook ``casadmin_detectar_desierto``, the one the engine's final step asks)
    over the counts of the stored results: no applicants (§4.5 a), nobody meets the minimum
    requirements (§4.5 b), nobody reached a pass mark or attended (§4.5 c). ``None`` while
    someone is still in the process.
    """
    from casadmin import ciclo

    return ciclo.proponer_desierto(session, convocatoria, pm).causa


def bonificaciones(session: Session, conv: m.Convocatoria) -> Mapping[int, list[m.Bonificacion]]:
    """The stored bonuses of the call's finalists, by postulacion id."""
    out: dict[int, list[m.Bonificacion]] = {}
    for b in session.scalars(sa.select(m.Bonificacion).join(m.Postulacion).where(
            m.Postulacion.convocatoria_id == conv.id).order_by(m.Bonificacion.id)):
        out.setdefault(b.postulacion_id, []).append(b)
    return out

