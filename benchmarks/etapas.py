"""Time ORH's "Etapas" work on a large call (issue 5 item 3): the stage overview, the exam grid,
reading a score file of every exam candidate and saving it.

Seeds PostgreSQL with a call of ``--n`` applications whose Ficha stage is evaluated
(``benchmarks/sembrar.py``, about 40 % Apto), then times, with the service functions the
screens call (:mod:`casadmin.etapas`):

* ``resumen_etapas`` (the overview page's data), ``candidatos(examen)`` (the grid's rows);
* ``leer_archivo_puntajes`` on a CSV with one line per exam candidate (every line checked);
* saving all of them as the upload screen does (``cargar_puntajes``: the request reads and checks,
  a background job saves in one transaction), then ``registrar_examen`` in the request (audited).

The engine's evaluation itself is ``benchmarks/simulate.py``'s and ``casadmin evaluate``'s::

    .venv/bin/python benchmarks/etapas.py --url postgresql://postgres@127.0.0.1:5432/casadmin_h4 --n 20000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sembrar  # noqa: E402
import sqlalchemy as sa  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/casadmin_bench")
    ap.add_argument("--n", type=int, default=20_000)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    sembrar.recrear(args.url)
    # Seeded in a child process: one Flask-AppBuilder app per process.
    salida = subprocess.run([sys.executable, "-c", "import sys, sembrar; print(sembrar.sembrar(sys.argv[1], "
                             "int(sys.argv[2]), etapas=('ficha',)))", args.url, str(args.n)],
                            cwd=Path(__file__).resolve().parent, check=True, capture_output=True, text=True)
    conv_id = int(salida.stdout.strip().splitlines()[-1])
    print(f"sembrado: {args.n} postulaciones en {time.perf_counter() - t0:.0f} s")

    from casadmin import create_app, etapas
    from casadmin import models as m
    from casadmin.extensions import db
    from casadmin.models.enums import Etapa
    from casadmin.peru.clock import now

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "STORAGE_DIR": Path(tempfile.mkdtemp(prefix="h4-"))})
    with app.app_context():
        s = db.session
        # The seeded Ficha results count as evaluated (sembrar leaves evaluado_en empty).
        s.execute(sa.update(m.ResultadoEtapa).where(m.ResultadoEtapa.convocatoria_id == conv_id,
                                                    m.ResultadoEtapa.etapa == Etapa.ficha).values(evaluado_en=now()))
        s.commit()
        conv = s.get(m.Convocatoria, conv_id)
        orh = s.scalar(sa.select(m.Usuario).where(m.Usuario.username == "orh.sunedu"))

        def medir(nombre, funcion):
            t = time.perf_counter()
            r = funcion()
            print(f"{nombre}: {time.perf_counter() - t:.2f} s")
            return r

        medir("resumen_etapas (página de etapas)", lambda: etapas.resumen_etapas(s, conv))
        filas = medir("candidatos(examen) (grilla)", lambda: etapas.candidatos(s, conv, "examen"))
        print(f"  candidatos del examen: {len(filas)}")
        csv = "numero_documento;puntaje\n" + "".join(f"{f.documento};{(i % 3001) / 100:.2f}\n".replace(".", ",")
                                                    for i, f in enumerate(filas))
        data = csv.encode()
        print(f"  archivo: {len(data) / 1024:.0f} KB")
        entradas = medir("leer_archivo_puntajes (CSV)", lambda: etapas.leer_archivo_puntajes(s, conv, "p.csv", data))

        # The upload screen's path (issue 5 item 3): read and check in the request, then every score
        # saved by a background job (casadmin.tareas: a thread here, RQ with REDIS_URL) in one transaction.
        t = time.perf_counter()
        leidas = etapas.leer_archivo_puntajes(s, conv, "p.csv", data)
        tarea = etapas.cargar_puntajes(s, conv, leidas, usuario=orh, origen="benchmark", en_tarea_desde=500)
        print(f"solicitud de carga (leer + validar + crear la tarea): {time.perf_counter() - t:.2f} s "
              f"({len(leidas)} filas; argumentos de la tarea {len(json.dumps(tarea.argumentos)) / 1024:.0f} KB)")
        tarea_id = tarea.id
        while True:
            s.expire_all()
            tarea = s.get(m.Tarea, tarea_id)
            if tarea.estado.name in ("terminada", "fallida"):
                break
            time.sleep(0.05)
        print(f"tarea en segundo plano (guarda todo en una transacción): "
              f"{(tarea.terminada_en - tarea.iniciada_en).total_seconds():.2f} s ({tarea.estado}: "
              f"{tarea.mensaje or tarea.error}); de la carga al fin de la tarea: {time.perf_counter() - t:.2f} s")

        # The same save inside the request (a file of at most 500 lines, or the grid): other scores, so
        # that every candidate changes.
        otros = [etapas.EntradaExamen(e.postulacion_id, True, Decimal((i * 7 + 1) % 3001) / 100)
                 for i, e in enumerate(entradas)]
        n = medir("registrar_examen en la solicitud (una transacción, todos cambian)",
                  lambda: etapas.registrar_examen(s, conv, otros, usuario=orh, origen="benchmark"))
        print(f"  guardados: {n}")
    print(f"carga: {os.getloadavg()}")


if __name__ == "__main__":
    main()
