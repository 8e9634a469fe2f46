"""What a run produced, as text for people and as the ``resultados`` block of the JSON format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casadmin.engine.model import CAUSAS_DESIERTO
from casadmin.engine.run import Simulacion
from casadmin.rules.decimales import dos_decimales, sin_ceros
from casadmin.rules.ranking import lugares
from casadmin.rules.reasons import Motivo

NOMBRES_ETAPA = {
    "ficha": "Evaluación de Ficha de Postulante y Anexos",
    "examen": "Evaluación de Conocimientos Técnicos",
    "psicologica": "Evaluación Psicológica",
    "curricular": "Evaluación Curricular",
    "entrevista": "Entrevista Personal",
}
RESULTADOS = {"apto": "APTO", "no_apto": "NO APTO", "no_se_presento": "NO SE PRESENTÓ", "asistio": "ASISTIÓ"}


def posiciones_sin_cubrir(posiciones: int, finalistas: int) -> str | None:
    """What to tell when fewer candidates passed every stage than the call has positions, and some did: the
    positions beyond them stay uncovered, for ORH to declare desierto (§4.5 c, applied to each position:
    docs/rules.md). None when every position has a finalist, or nobody passed (the whole process is
    desierto then, :data:`CAUSAS_DESIERTO`)."""
    faltan = posiciones - finalistas
    if finalistas == 0 or faltan <= 0:
        return None
    una = faltan == 1
    return (f"{faltan} de {posiciones} posiciones {'queda' if una else 'quedan'} sin cubrir: solo {finalistas} "
            f"candidato{'' if finalistas == 1 else 's'} aprob{'ó' if finalistas == 1 else 'aron'} todas las etapas, "
            f"y no hay accesitarios; la ORH debe declarar {'desierta esa posición' if una else 'desiertas esas posiciones'}"
            " (§4.5 c).")


def _motivo(m: Motivo) -> dict[str, Any]:
    return {"requisito": m.requisito, "declarado": m.declarado, "computado": m.computado, "cumple": m.cumple,
            "clausula": m.clausula, "mensaje": m.mensaje}


def motivos_del_lugar(orden: Any) -> Mapping[str, list[dict[str, Any]]]:
    """Each finalist's reasons for their own place (D8, ``ResultadoFinal.motivos_por_candidato``) as
    the format and ``resultado_final.motivos`` write them; none when the merit-order plugin's result
    does not carry them (an older plugin) or there is no order."""
    propios = (getattr(orden, "motivos_por_candidato", None) or {}) if orden else {}
    return {ident: [_motivo(m) for m in motivos] for ident, motivos in propios.items()}


def como_dict(sim: Simulacion) -> dict[str, Any]:
    """The ``resultados`` block: per stage and candidate, result, score and reasons; then the final order."""
    orden = sim.orden
    propios = motivos_del_lugar(orden)
    return {
        "bases": {"id": sim.bases.id, "proveedor": sim.bases.proveedor, "version": sim.bases.version},
        "reglas": dict(sorted(sim.reglas.items())),
        "reglas_etapas": {etapa: dict(reglas) for etapa, reglas in sim.reglas_etapas.items()},
        "etapas": {
            etapa: [
                {"postulante": r.candidato, "resultado": r.resultado,
                 "puntaje": None if r.puntaje is None else dos_decimales(r.puntaje), "regla": r.regla,
                 "motivos": [_motivo(m) for m in r.motivos], **({"detalle": dict(r.detalle)} if r.detalle else {})}
                for r in resultados
            ]
            for etapa, resultados in sim.etapas.items()
        },
        "convocados_entrevista": sim.convocados_entrevista,
        "finales": [
            {"postulante": f.candidato, "puntaje_etapas": dos_decimales(f.puntaje_etapas),
             "puntaje_final": dos_decimales(f.puntaje_final),
             "bonificaciones": [{"concepto": b.concepto, "porcentaje": sin_ceros(b.porcentaje),
                                 "base": dos_decimales(b.base), "monto": dos_decimales(b.monto),
                                 "base_legal": b.base_legal, "regla": sim.reglas.get(p, p)}
                                for b, p in f.bonificaciones],
             "motivos": propios.get(f.candidato, [])}
            for f in sim.finales
        ],
        "orden_merito": [[f.id for f in grupo] for grupo in orden.orden] if orden else [],
        "ganadores": [f.id for f in orden.ganadores] if orden else [],
        "accesitarios": [f.id for f in orden.accesitarios] if orden else [],
        "empates_para_comite": [[f.id for f in g] for g in orden.empates_comite] if orden else [],
        "desierto": sim.desierto,
    }


def texto(sim: Simulacion, nombres: dict[str, str] | None = None, detalle: bool = True) -> str:
    """A readable report in Spanish: per stage and candidate, then bonuses, order, winners or desierto."""
    nombres = nombres or {}
    conv = sim.convocatoria
    out = [f"{conv.codigo} – {conv.nombre_puesto}", f"Bases: {sim.bases.nombre} [{sim.bases.id}]", ""]
    for etapa, resultados in sim.etapas.items():
        n = len(resultados)
        out.append(f"== {NOMBRES_ETAPA.get(etapa, etapa)} ({n} candidato{'' if n == 1 else 's'})")
        for r in resultados:
            puntaje = "" if r.puntaje is None else f"  {r.puntaje} pts"
            out.append(f"  {r.candidato:<10} {nombres.get(r.candidato, ''):<35} {RESULTADOS.get(r.resultado, r.resultado)}{puntaje}")
            if detalle:
                for m in r.motivos:
                    if not m.cumple or etapa != "ficha":
                        out.append(f"      {'✓' if m.cumple else '✗'} {m.mensaje} [{m.clausula}]")
        out.append("")
    if sim.convocados_entrevista:
        out.append("Convocados a la Entrevista Personal: " + ", ".join(sim.convocados_entrevista))
        out.append("")
    if sim.finales:
        out.append("== Bonificaciones y puntaje final")
        for f in sorted(sim.finales, key=lambda f: f.puntaje_final, reverse=True):
            out.append(f"  {f.candidato:<10} etapas {f.puntaje_etapas}  →  final {f.puntaje_final}")
            for b, _ in f.bonificaciones:
                out.append(f"      + {b.monto} ({b.porcentaje} %) {b.concepto} — {b.base_legal}")
        out.append("")
    if sim.orden:
        out.append("== Orden de mérito")
        for lugar, grupo in lugares(sim.orden.orden):  # the places the database stores (1, 2, 2, 4)
            out.append(f"  {lugar}. " + " = ".join(f"{f.id} ({f.puntaje_final})" for f in grupo))
        for m in sim.orden.motivos:  # how each tie on the final score was broken, or that it is still open (D8)
            out.append(f"      {m.mensaje} [{m.clausula}]")
        out.append("Ganador(es): " + (", ".join(f.id for f in sim.orden.ganadores) or "—"))
        out.append("Accesitarios: " + (", ".join(f.id for f in sim.orden.accesitarios) or "—"))
        for g in sim.orden.empates_comite:
            out.append("Empate que decide el Comité (§4.2.6 c): " + ", ".join(f.id for f in g))
        sin_cubrir = posiciones_sin_cubrir(conv.posiciones, len(sim.finales))
        if sin_cubrir:
            out.append(sin_cubrir)
    if sim.desierto:
        out.append("PROCESO DESIERTO — " + CAUSAS_DESIERTO.get(sim.desierto, sim.desierto))
    out.append("")
    out.append("Reglas aplicadas: " + ", ".join(sorted(sim.reglas.values())))
    return "\n".join(out)
