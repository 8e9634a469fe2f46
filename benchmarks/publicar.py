"""Time "Publicar resultados" for a stage of 150,000 applications (issue 5, target ≤ 30 s).

Seeds PostgreSQL with a call of ``--n`` applications and their Ficha results
(``benchmarks/sembrar.py``), then publishes the stage as the button does and runs the
background job as the worker would: the PDF and Excel lists in publication order, stored
and attached, and one notice per candidate queued for the mail worker on Redis (sending
them is the mail worker's work, not measured here). Prints the job's phases and checks
the output (pages, rows, notices)::

    .venv/bin/python benchmarks/publicar.py                     # 150,000 applications
    .venv/bin/python benchmarks/publicar.py --n 20000 --reusar  # a quicker look
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sembrar  # noqa: E402
import sqlalchemy as sa  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/casadmin_bench")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    ap.add_argument("--n", type=int, default=150_000)
    ap.add_argument("--reusar", action="store_true", help="seed into the existing database (no rebuild)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    if not args.reusar:
        sembrar.recrear(args.url)
    conv_id = sembrar.sembrar(args.url, args.n, etapas=("ficha",))
    print(f"sembrado: {args.n} postulaciones en {time.perf_counter() - t0:.0f} s")

    from openpyxl import load_workbook
    from pypdf import PdfReader
    from redis import Redis
    from rq import Queue

    from casadmin import create_app, publicacion, tareas
    from casadmin import models as m
    from casadmin.extensions import db
    from casadmin.models.enums import EstadoTarea, Etapa, TipoCorreo
    from casadmin.storage import get_storage

    cola = f"casadmin-bench-{uuid.uuid4().hex[:8]}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "REDIS_URL": args.redis, "MAIL_QUEUE": cola,
                      "TAREAS_QUEUE": cola + "-tareas", "STORAGE_DIR": Path(tempfile.mkdtemp(prefix="casadmin-bench-"))})
    with app.app_context():
        conv = db.session.get(m.Convocatoria, conv_id)
        t = time.perf_counter()
        pub, tarea = publicacion.publicar_etapa(db.session, conv, Etapa.ficha)
        t_boton = time.perf_counter() - t
        t = time.perf_counter()
        estado = tareas.ejecutar(tarea.id)  # what the worker does with the queued job
        t_tarea = time.perf_counter() - t
        db.session.expire_all()
        tarea = db.session.get(m.Tarea, tarea.id)
        assert estado is EstadoTarea.terminada, tarea.error
        pub = db.session.get(m.PublicacionEtapa, pub.id)
        with get_storage().open(pub.archivo_pdf.clave) as fh:
            pdf = fh.read()
        with get_storage().open(pub.archivo_xlsx.clave) as fh:
            xlsx = fh.read()
        paginas = len(PdfReader(io.BytesIO(pdf)).pages)
        filas = sum(1 for r in load_workbook(io.BytesIO(xlsx), read_only=True).active.iter_rows(values_only=True)
                    if r and isinstance(r[0], int))
        avisos = db.session.scalar(sa.select(sa.func.count()).where(
            m.CorreoSaliente.convocatoria_id == conv_id, m.CorreoSaliente.tipo == TipoCorreo.resultado))
        en_cola = Queue(cola, connection=Redis.from_url(args.redis)).count
        Queue(cola, connection=Redis.from_url(args.redis)).delete(delete_jobs=True)
        Queue(cola + "-tareas", connection=Redis.from_url(args.redis)).delete(delete_jobs=True)
    print(f"botón «Publicar resultados» (congelar, registrar, encolar): {t_boton * 1000:.0f} ms")
    print(f"tarea en segundo plano: {t_tarea:.1f} s   objetivo ≤ 30 s")
    print(f"  PDF {len(pdf) / 1e6:.1f} MB, {paginas} páginas; Excel {len(xlsx) / 1e6:.1f} MB, {filas} filas; "
          f"{avisos} avisos en la bandeja, {en_cola} trabajos de correo en la cola")


if __name__ == "__main__":
    main()
