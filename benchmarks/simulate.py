"""Time ``simulate`` over every stage for a call with 150,000 applicants (issue 3, target ≤ 5 s).

The call comes from :mod:`benchmarks.generar` (deterministic: same ``--n`` and ``--seed``,
same applicants; on average 6 jobs and 5 courses each). Three phases are timed apart,
best of ``--repeat`` runs each:

* ``leer``: JSON text → Python objects (``interchange.leer``);
* ``cargar``: schema validation of every field and the engine model (``interchange.cargar``);
* ``simular``: every stage of the bases, the shortlist, bonuses, merit order (the target).

All three with the cyclic garbage collector paused, as ``casadmin simulate`` runs them
(``run.sin_recolector``).

The result summary (aptos per stage, winners, accesitarios) is printed too, so that a
faster run that computes something else is visible::

    .venv/bin/python benchmarks/simulate.py            # 150,000 applicants
    .venv/bin/python benchmarks/simulate.py --n 20000  # a quicker look
    .venv/bin/python benchmarks/simulate.py --ayudante      # the Ficha stage shared with a helper process
    .venv/bin/python benchmarks/simulate.py --partir 20000  # the Ficha stage split over the cores once loaded

``--ayudante`` forks the helper before the file is parsed, as ``casadmin simulate --ayudante`` does
(``interchange.ayudante_para``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generar  # noqa: E402

from casadmin import compilado  # noqa: E402
from casadmin import plugins as pl  # noqa: E402
from casadmin.engine import interchange, run  # noqa: E402
from casadmin.engine.run import simular, sin_recolector  # noqa: E402


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPU ({cpu})"


#: Every run's wall time of the last :func:`best` (the first run in a process is the slowest: see
#: docs/performance.md, "first run").
TIEMPOS: list[float] = []
#: The kernel's time of each of those runs and the page faults it served (``getrusage``): the first run
#: in a process pays for the fresh memory its results take.
SISTEMA: list[tuple[float, int]] = []


def best(fn, repeat: int):
    """The result of ``fn``, its best wall time and its CPU time over ``repeat`` runs (collector paused)."""
    tiempos, cpu, resultado = TIEMPOS, [], None
    tiempos.clear()
    SISTEMA.clear()
    for _ in range(repeat):
        resultado = None
        gc.collect()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0, c0 = time.perf_counter(), time.process_time()
        with sin_recolector():
            resultado = fn()
        tiempos.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        SISTEMA.append((r1.ru_stime - r0.ru_stime, r1.ru_minflt - r0.ru_minflt))
    return resultado, min(tiempos), min(cpu)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=150_000)
    ap.add_argument("--seed", type=int, default=20260302)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--partir", type=int, metavar="N", default=None,
                    help="split the Ficha stage over the cores from N candidates (run.UMBRAL_PARALELO; off by default)")
    ap.add_argument("--ayudante", action="store_true",
                    help="share the Ficha stage with a helper process (casadmin simulate --ayudante)")
    args = ap.parse_args(argv)
    run.UMBRAL_PARALELO = args.partir
    with sin_recolector():
        _main(args)


def _main(args: argparse.Namespace) -> None:
    datos = generar.generar(args.n, args.seed)
    texto = json.dumps(datos, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    del datos
    experiencias = capacitaciones = 0
    pm = pl.get_plugin_manager()
    # As `casadmin simulate --ayudante` does: the helper is forked before the file is parsed.
    con_ayudante = args.ayudante and args.partir is None
    with interchange.ayudante_para(pm, texto) if con_ayudante else nullcontext() as ayudante:
        leido, t_leer, _ = best(lambda: interchange.leer(texto), 1)
        for p in leido["postulantes"]:
            experiencias += len(p["ficha"]["experiencias"])
            capacitaciones += len(p["ficha"]["capacitaciones"])
        arch, t_cargar, _ = best(lambda: interchange.cargar(leido), 1)
        sim, t_sim, cpu_sim = best(lambda: simular(pm, arch.convocatoria, arch.candidatos, decisiones=arch.decisiones,
                                                   ayudante=ayudante), args.repeat)
        atendidas = ayudante.atendidas if ayudante else 0
    cada_una = ", ".join(f"{t:.2f}" for t in TIEMPOS)
    sistema = ", ".join(f"{t:.2f} s / {n}" for t, n in SISTEMA)

    print(f"máquina: {machine()}")
    print(f"reglas: {compilado.estado()} (CASADMIN_REGLAS_PURAS=1: las fuentes; docs/performance.md)")
    print(f"postulantes: {args.n}  experiencias/postulante: {experiencias / args.n:.2f}  "
          f"capacitaciones/postulante: {capacitaciones / args.n:.2f}  archivo: {len(texto) / 1e6:.1f} MB")
    for etapa, resultados in sim.etapas.items():
        aptos = sum(1 for r in resultados if r.sigue)
        print(f"  {etapa:<12} evaluados {len(resultados):>7}  siguen {aptos:>7}")
    if sim.orden:
        print(f"  ganadores {', '.join(f.id for f in sim.orden.ganadores)}  accesitarios {', '.join(f.id for f in sim.orden.accesitarios)}")
    else:
        print(f"  desierto: {sim.desierto}")
    print(f"leer (JSON)                 {t_leer:7.2f} s")
    print(f"cargar (esquema + modelo)   {t_cargar:7.2f} s")
    partido = run._procesos("ficha", args.n, None) > 1
    procesos = (f"Ficha en {run.procesos_disponibles()} procesos" if partido
                else f"Ficha compartida con el ayudante en {atendidas} de {args.repeat}" if ayudante else "un proceso")
    print(f"simular (todas las etapas)  {t_sim:7.2f} s   (CPU del proceso principal {cpu_sim:.2f} s; {procesos})   "
          f"objetivo ≤ 5 s   (mejor de {args.repeat}; cada una: {cada_una} s)")
    print(f"  de cada una, tiempo del núcleo / fallos de página: {sistema}")
    # ru_maxrss is in KiB on Linux; the helper has been waited for on leaving its block.
    propio, hijos = (resource.getrusage(r).ru_maxrss / 2**20 for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"memoria máxima: este proceso {propio:.2f} GiB" + (f", el ayudante {hijos:.2f} GiB" if ayudante else ""))


if __name__ == "__main__":
    main()
