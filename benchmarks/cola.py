"""Time the Ficha evaluator's queue (D1, §4.2.1 x) on the call of :mod:`benchmarks.evaluar_pg`:
the candidates with experiences not judged yet (the list's filter), the next one after an
application (the review page; the worst case is an empty queue, which reads every application),
and one page's marks (50 candidates).

::

    .venv/bin/python benchmarks/evaluar_pg.py --url postgresql://postgres@127.0.0.1:5432/casadmin_bench3   # once
    .venv/bin/python benchmarks/cola.py --url postgresql://postgres@127.0.0.1:5432/casadmin_bench3
"""

from __future__ import annotations

import argparse
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import etapas
from casadmin import models as m

NUMERO = 330150  # benchmarks/evaluar_pg.py's call


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    url = args.url.replace("postgresql://", "postgresql+psycopg://", 1)
    with Session(sa.create_engine(url)) as s:
        conv = s.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == NUMERO))
        ids = sorted(s.scalars(sa.select(m.Postulacion.id).where(m.Postulacion.convocatoria_id == conv.id)))
        pagina = [etapas.Fila(postulacion_id=i, documento="", nombre="") for i in ids[1000:1050]]
        medio = ids[len(ids) // 2]
        for nombre, fn in (("cola entera (filtro de la lista)", lambda: len(etapas.sin_calificar(s, conv))),
                           ("siguiente sin calificar", lambda: etapas.siguiente_sin_calificar(s, conv, medio)),
                           ("marcas de una página (50)", lambda: len(etapas.sin_calificar(s, conv, pagina)))):
            tiempos = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                valor = fn()
                tiempos.append(time.perf_counter() - t)
            print(f"{nombre:<36} {min(tiempos):7.3f} s (mejor de {args.repeat})   → {valor}")
        print(f"{len(ids)} postulaciones; la etapa pide experiencia específica: {etapas.pide_especifica(conv)}")


if __name__ == "__main__":
    main()
