"""The dashboard of a call (panel): how many applied, how many each stage evaluated, Apto / No apto.

Every figure comes from two aggregate queries (``GROUP BY``) over the call's applications and
stage results, answered from indexes, so the panel costs the same for 150 or 150,000
applicants. The charts are drawn here as plain geometry (no JavaScript, no CDN) and rendered as
inline SVG by the template, always with the same numbers as a table beside them.

What counts as passing a stage is what the bases say moves a candidate on: *Apto* and, in the
psychological test, *Asistió* (§4.2.3, attendance only); *No apto*, *No se presentó* (§4.2.2 l,
§4.2.5 j: absence eliminates) and *No asistió* stop them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import models as m
from casadmin.models.enums import EstadoPostulacion, Etapa, Resultado

#: Results that let a candidate continue (§4.2: Apto; §4.2.3: the psychological test is attendance only).
CONTINUAN = (Resultado.apto, Resultado.asistio)
#: Results that stop a candidate (§4.2.2 l, §4.2.5 j: absence eliminates).
ELIMINAN = (Resultado.no_apto, Resultado.no_se_presento, Resultado.no_asistio)


@dataclass(frozen=True)
class FilaEtapa:
    """One stage of the call: candidates with a result row, and how they came out."""

    etapa: Etapa
    evaluados: int
    aptos: int
    no_aptos: int
    pendientes: int


@dataclass(frozen=True)
class Panel:
    convocatoria: m.Convocatoria
    postulaciones: int
    por_estado: dict[EstadoPostulacion, int]
    etapas: list[FilaEtapa]


def resumen(session: Session, convocatoria: m.Convocatoria) -> Panel:
    """The call's figures from two ``GROUP BY`` queries (indexes ``ix_postulacion_convocatoria_estado``
    and ``ix_resultado_convocatoria_etapa_resultado``)."""
    P, R = m.Postulacion, m.ResultadoEtapa
    por_estado = {estado: n for estado, n in session.execute(
        sa.select(P.estado, sa.func.count()).where(P.convocatoria_id == convocatoria.id).group_by(P.estado))}
    conteo: dict[tuple[Etapa, Resultado], int] = {
        (etapa, resultado): n for etapa, resultado, n in session.execute(
            sa.select(R.etapa, R.resultado, sa.func.count()).where(R.convocatoria_id == convocatoria.id)
            .group_by(R.etapa, R.resultado))}
    etapas = []
    for etapa in Etapa:  # process order (§4.2)
        de_etapa = {res: n for (e, res), n in conteo.items() if e is etapa}
        if not de_etapa:
            continue
        etapas.append(FilaEtapa(
            etapa=etapa, evaluados=sum(de_etapa.values()),
            aptos=sum(de_etapa.get(r, 0) for r in CONTINUAN),
            no_aptos=sum(de_etapa.get(r, 0) for r in ELIMINAN),
            pendientes=de_etapa.get(Resultado.pendiente, 0)))
    return Panel(convocatoria=convocatoria, postulaciones=sum(por_estado.values()),
                 por_estado={e: por_estado[e] for e in EstadoPostulacion if e in por_estado}, etapas=etapas)


# --- charts as geometry (rendered as inline SVG by templates/casadmin/panel/_grafico.html) ----------


@dataclass(frozen=True)
class Tramo:
    """One coloured piece of a bar, with the number written on it when it fits."""

    serie: str
    valor: int
    x: float
    ancho: float
    clase: str
    rotulo: bool


@dataclass(frozen=True)
class Barra:
    etiqueta: str  # drawn beside the bar (short)
    nombre: str  # in the bar's tooltip and the chart's description (the bases' full name)
    total: int
    y: float
    tramos: list[Tramo]


@dataclass(frozen=True)
class Grafico:
    """A horizontal bar chart: one bar per stage, optionally stacked by series."""

    id: str
    titulo: str
    descripcion: str
    series: list[tuple[str, str]]  # (name, css class) for the legend
    barras: list[Barra]
    ancho: int
    alto: int
    x0: int = 170
    alto_barra: int = 26
    leyenda_y: float = 0
    notas: list[str] = field(default_factory=list)


ANCHO = 600
_MARGEN_DERECHO = 70
_PASO = 38


def miles(n: int) -> str:
    """150000 → «150 000» (a no-break space between thousands: no confusion with decimals)."""
    return f"{n:,}".replace(",", "\u00a0")


#: Short stage names for the charts' labels (the full names of §4.2 go in titles and descriptions).
CORTAS = {Etapa.ficha: "Ficha de postulante", Etapa.examen: "Conocimientos técnicos",
          Etapa.psicologica: "Psicológica", Etapa.curricular: "Curricular", Etapa.entrevista: "Entrevista personal"}


def grafico(id_: str, titulo: str, filas: list[tuple[str, str, list[tuple[str, str, int]]]]) -> Grafico:
    """Bars for ``filas`` = [(label, full name, [(series, css class, value)…])…], scaled to the largest total.

    The description (``<desc>``) repeats every number in words for screen readers.
    """
    maximo = max((sum(v for _, _, v in partes) for _, _, partes in filas), default=0) or 1
    x0 = 170
    util = ANCHO - x0 - _MARGEN_DERECHO
    barras = []
    series: dict[str, str] = {}
    for i, (etiqueta, nombre, partes) in enumerate(filas):
        x = float(x0)
        tramos = []
        for serie, clase, valor in partes:
            series.setdefault(serie, clase)
            ancho = util * valor / maximo
            tramos.append(Tramo(serie=serie, valor=valor, x=round(x, 1), ancho=round(ancho, 1), clase=clase,
                                rotulo=ancho >= 8 * len(miles(valor)) + 6))
            x += ancho
        barras.append(Barra(etiqueta=etiqueta, nombre=nombre, total=sum(v for _, _, v in partes), y=12 + i * _PASO, tramos=tramos))
    alto = 12 + len(filas) * _PASO + (30 if len(series) > 1 else 4)
    desc = "; ".join(
        f"{b.nombre}: " + (", ".join(f"{t.serie} {t.valor}" for t in b.tramos) if len(b.tramos) > 1 else str(b.total))
        for b in barras) or "Sin datos."
    return Grafico(id=id_, titulo=titulo, descripcion=desc, series=list(series.items()) if len(series) > 1 else [],
                   barras=barras, ancho=ANCHO, alto=alto, x0=x0, leyenda_y=alto - 14)


def graficos(panel: Panel) -> list[Grafico]:
    """The two charts of the panel: candidates per stage, and Apto / No apto / Pendiente per stage."""
    postulantes = grafico("g-evaluados", "Postulantes por etapa", [
        ("Postulaciones", "Postulaciones", [("Postulantes", "barra", panel.postulaciones)]),
        *[(CORTAS[f.etapa], f.etapa.value, [("Postulantes", "barra", f.evaluados)]) for f in panel.etapas],
    ])
    resultados = grafico("g-resultados", "Apto / No apto por etapa", [
        (CORTAS[f.etapa], f.etapa.value, [("Apto", "apto", f.aptos), ("No apto", "no-apto", f.no_aptos),
                                          ("Pendiente", "pendiente", f.pendientes)])
        for f in panel.etapas
    ])
    return [postulantes, resultados]
