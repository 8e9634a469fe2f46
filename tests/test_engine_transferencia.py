"""How a forked part of the Ficha stage sends its results back (issue 3): a compact marshal
encoding, with pickle for anything it cannot carry exactly. Decoding gives equal results."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

from casadmin import plugins as pl
from casadmin.engine import interchange, run
from casadmin.engine.model import Resultado
from casadmin.rules.reasons import Motivo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import generar


def test_ficha_results_travel_compactly_and_come_back_equal() -> None:
    arch = interchange.cargar(interchange.leer(json.dumps(generar.generar(200, seed=11))))
    pm = pl.get_plugin_manager()
    ctx = run.contexto(arch.convocatoria, pl.get_bases(pm, arch.convocatoria.bases))
    resultados, _ = pl.primero(pm, ctx.bases, "casadmin_evaluar_ficha", ctx=ctx, candidatos=arch.candidatos)
    datos = run._codificar(resultados)
    assert datos[:1] == run._MARSHAL
    vueltos = run._decodificar(datos)
    assert vueltos == resultados  # every field, every reason (§4.2.1 clauses and texts)
    assert all(type(m) is Motivo for r in vueltos for m in r.motivos)
    assert {r.resultado for r in vueltos} == {"apto", "no_apto"}


class Propio(Motivo):
    """A plugin's own kind of reason: marshal cannot say which class it is."""


def test_scores_keep_their_digits_and_other_values_go_by_pickle() -> None:
    m = Motivo(requisito="r", declarado="d", computado="c", cumple=True, clausula="§4.2.5 g", mensaje="m")
    con_puntaje = [Resultado(candidato="P1", etapa="examen", resultado="apto", puntaje=Decimal("30.50"), motivos=(m, m),
                             detalle={"automatico": "no_apto", "override": "Constancia adjunta."})]
    vuelto = run._decodificar(run._codificar(con_puntaje))
    assert vuelto == con_puntaje and str(vuelto[0].puntaje) == "30.50"
    assert vuelto[0].motivos[0] is vuelto[0].motivos[1]  # a shared reason travels once

    raro = [Resultado(candidato="P2", etapa="ficha", resultado="apto", motivos=(Propio(*m),))]
    datos = run._codificar(raro)
    assert datos[:1] == run._PICKLE
    assert type(run._decodificar(datos)[0].motivos[0]) is Propio
