"""Time the final results of a call of 150,000 applicants on PostgreSQL (issue 5 items 5–6): what the
"Calcular resultado final" and "Publicar resultado final" buttons run in the request.

1. The database ``--url`` is rebuilt (migrations, roles; no demo data) unless ``--reusar``, and
   :mod:`benchmarks.generar`'s call is loaded with the code of ``casadmin import``
   (:func:`evaluar_pg.importar`: exam scores, attendance, expedientes and interview sheets included).
2. Every stage is evaluated in order with the code of ``casadmin evaluate``
   (``engine_db.evaluar``), each timed (unless ``--reusar`` finds them evaluated).
3. Then, best of ``--repeat``: ``final.calcular`` (the engine's final step over the stored results:
   what both buttons run first) and ``final.evaluar_final`` (calculate and store, audited; each
   further run replaces the stored results, as a correction does before publication).

The result summary (finalists, winners, accesitarios, desierto) is printed, so a faster run that
computes something else is visible::

    .venv/bin/python benchmarks/final.py                       # 150,000 applicants
    .venv/bin/python benchmarks/final.py --n 20000             # a quicker look
    .venv/bin/python benchmarks/final.py --reusar --repeat 3   # the call is already there
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaluar_pg  # noqa: E402

NUMERO = 330151  # a number of its own: the database holds only this call


def main(argv: list[str] | None = None) -> None:
    args = evaluar_pg.opciones(__doc__, "postgresql://postgres@127.0.0.1:5432/casadmin_bench_final", argv,
                               "runs of each timed step")
    app = evaluar_pg.aplicacion(args)
    from casadmin import engine_db, final
    from casadmin import models as m
    from casadmin import plugins as pl
    from casadmin.engine import interchange, run
    from casadmin.extensions import db

    with app.app_context():
        s = db.session
        codigo = f"CAS N° {NUMERO}-2026-SUNEDU"
        if not args.reusar:
            evaluar_pg.importar(s, args.n, args.seed, NUMERO)
        s.execute(sa.text("ANALYZE"))
        s.commit()
        conv = s.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.codigo == codigo))
        n = s.scalar(sa.select(sa.func.count()).where(m.Postulacion.convocatoria_id == conv.id))
        modelo = interchange.cargar({**engine_db._cabecera(conv), "postulantes": []}).convocatoria
        etapas = run.etapas_de(modelo, pl.get_bases(pl.get_plugin_manager(), conv.version_bases.codigo))
        R = m.ResultadoEtapa
        for etapa in etapas:
            hechas = s.scalar(sa.select(sa.func.count()).where(
                R.convocatoria_id == conv.id, R.etapa == etapa, R.evaluado_en.is_not(None)))
            if args.reusar and hechas:
                continue
            t = time.perf_counter()
            ev = engine_db.evaluar(s, codigo, etapa)
            conteo = ", ".join(f"{k} {v}" for k, v in sorted(ev.conteo.items()))
            print(f"evaluate --stage {etapa}: {time.perf_counter() - t:.2f} s ({conteo})", flush=True)
        s.execute(sa.text("ANALYZE"))
        s.commit()
        print(f"convocatoria {codigo}: {n} postulaciones; etapas {', '.join(etapas)}", flush=True)

        calculos = []
        for _ in range(args.repeat):
            s.expire_all()
            t = time.perf_counter()
            calculo = final.calcular(s, codigo)
            calculos.append(time.perf_counter() - t)
            s.rollback()
        sim = calculo.sim
        print(f"final.calcular (lo que ambos botones ejecutan primero): {min(calculos):.2f} s "
              f"(mejor de {len(calculos)}: {', '.join(f'{x:.2f}' for x in calculos)})", flush=True)
        guardados = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            res = final.evaluar_final(s, codigo)
            guardados.append(time.perf_counter() - t)
        print(f"final.evaluar_final (calcular y guardar, auditado): {min(guardados):.2f} s "
              f"(mejor de {len(guardados)}: {', '.join(f'{x:.2f}' for x in guardados)})")
        print(f"resultado: {len(sim.finales)} finalistas, {len(sim.convocados_entrevista)} convocados a entrevista, "
              f"ganadores {res.ganadores}, accesitarios {res.accesitarios}, empates {res.empates}, "
              f"desierto {res.desierto}")


if __name__ == "__main__":
    main()
