"""Time ``casadmin evaluate CODE --stage ficha`` on PostgreSQL for a call of 150,000 applicants
(issue 3, item 11: ≤ 10 s, and ≤ 3× a bare SELECT of the same rows).

1. The database ``--url`` is rebuilt (migrations, roles; no demo data) unless ``--reusar``.
2. The call is :mod:`benchmarks.generar`'s (deterministic, on average 6 jobs and 5 courses per
   applicant) and is loaded with ``engine_db.importar``, the code of
   ``casadmin import`` (bulk: COPY on PostgreSQL, one transaction). Its time is printed too.
3. ``ANALYZE``, then, in the same run and on the same connection pool:

   * the bare SELECT: the queries the evaluation reads (applications with the frozen Ficha as
     JSON text, documents, the Ficha stage rows and their checklist items), rows fetched as
     tuples and nothing built from them; best of ``--repeat``; and, for reference, the same with
     the Ficha decoded by the driver (what the evaluation read until 2026-12-03);
   * ``engine_db.evaluar(session, CODE, "ficha")``, the code of ``casadmin evaluate``: read,
     rules, results stored and committed. The first run inserts or fills every result; each
     further run (``--repeat``) replaces them, as evaluating an unpublished stage again does.
     Its phases are timed apart, with the CPU of the thread that runs them: read (``_leer_filas``),
     build the engine model (``_construir``), rules (``run.evaluar_etapa``), store. On PostgreSQL
     the Ficha stage is judged and stored in batches (``engine_db._evaluar_en_lotes``): the phases
     add up over the batches, and storing (``_Copia.lote``, "guardar en hilo") runs in a thread of
     its own while the next batch is built and judged, so its time overlaps theirs. The rest is the
     call's header, the checks, encoding the results for ``COPY``, waiting for the last batch to be
     stored and the commit.

::

    .venv/bin/python benchmarks/evaluar_pg.py                      # 150,000 applicants
    .venv/bin/python benchmarks/evaluar_pg.py --n 20000            # a quicker look
    .venv/bin/python benchmarks/evaluar_pg.py --reusar --repeat 3  # the call is already there
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generar  # noqa: E402
import sembrar  # noqa: E402

NUMERO = 330150  # a number of its own: the database holds only this call


@contextmanager
def cronometro(tiempos: dict[str, float], nombre: str, cpu: dict[str, float] | None = None):
    t, c = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        tiempos[nombre] = tiempos.get(nombre, 0.0) + time.perf_counter() - t
        if cpu is not None:
            cpu[nombre] = cpu.get(nombre, 0.0) + time.thread_time() - c


def medir_fases(engine_db, run, tiempos: dict[str, float], cpu: dict[str, float]) -> None:
    """Wrap the phases of ``engine_db.evaluar`` (module globals it calls) with timers (wall and the CPU of
    the thread that runs them). Evaluated in batches, the Ficha stage's phases add up over the batches,
    and storing (``guardar en hilo``) runs in its own thread, beside the others: its time overlaps theirs."""
    def envolver(modulo, nombre: str, fase: str) -> None:
        original = getattr(modulo, nombre, None)
        if original is None:  # older code, measured for comparison: not that phase
            return

        def medida(*args, **kwargs):
            with cronometro(tiempos, fase, cpu):
                return original(*args, **kwargs)

        setattr(modulo, nombre, medida)

    envolver(engine_db, "_leer_candidatos" if not hasattr(engine_db, "_construir") else "_leer_filas", "leer")
    envolver(engine_db, "_construir", "construir")
    envolver(run, "evaluar_etapa", "reglas")
    envolver(engine_db, "_guardar", "guardar")
    envolver(getattr(engine_db, "_Copia", None), "lote", "guardar en hilo")


def cpu_servidor(session) -> float:
    """CPU seconds (user + system) used so far by this session's PostgreSQL backend (same machine).

    The pool hands the single-threaded benchmark the same connection each time; a different
    backend would make the difference meaningless, so it is refused.
    """
    pid = session.scalar(sa.text("SELECT pg_backend_pid()"))
    session.info.setdefault("backend", pid)
    if session.info["backend"] != pid:
        raise RuntimeError("otra conexión del pool: la CPU del servidor no se puede medir")
    try:
        campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # PostgreSQL on another machine: not measured
        return float("nan")
    return (int(campos[11]) + int(campos[12])) / os.sysconf("SC_CLK_TCK")


def cpu_maquina() -> float:
    """CPU seconds (user + system, every core) the whole machine has used so far (``/proc/stat``): with
    the evaluation judged by forked processes, their PostgreSQL backends end with them, and only this
    total counts them."""
    campos = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in campos[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def select_desnudo(session, m, conv_id: int, *, ficha_decodificada: bool = False) -> int:
    """The rows ``engine_db._leer_filas`` reads for the Ficha stage, fetched as tuples and dropped;
    returns how many.

    Applications with their state and the frozen Ficha (as JSON text, as the evaluation reads it; with
    ``ficha_decodificada`` as the driver decodes the json column, what the evaluation read before),
    their documents, the Ficha stage rows and their checklist items (no other stage's rows or items,
    no interview sheets before the interview).
    """
    from casadmin.models.enums import Etapa

    P, D, R, V = m.Postulacion, m.DocumentoPostulacion, m.ResultadoEtapa, m.ItemVerificacion
    ficha = P.ficha if ficha_decodificada else sa.cast(P.ficha, sa.Text)
    consultas = [
        sa.select(P.id, P.registrada_en, ficha, P.estado).where(P.convocatoria_id == conv_id).order_by(P.id),
        sa.select(D.postulacion_id, D.tipo, D.paginas, D.validado, D.cargado_en).join(P, P.id == D.postulacion_id)
        .where(P.convocatoria_id == conv_id).order_by(D.id),
        sa.select(R.id, R.postulacion_id, R.etapa, R.resultado, R.puntaje, R.override, R.motivo_override,
                  R.evaluado_en, R.publicado).where(R.convocatoria_id == conv_id, R.etapa.in_({Etapa.ficha})),
        sa.select(V.resultado_etapa_id, V.codigo, V.cumple, V.puntaje, V.observacion)
        .join(R, R.id == V.resultado_etapa_id).where(R.convocatoria_id == conv_id, R.etapa.in_({Etapa.ficha}))
        .order_by(V.id),
    ]
    # Fetched the way SQLAlchemy hands rows to the reader (result processors applied), nothing built from them.
    return sum(len(session.execute(q).all()) for q in consultas)


def importar(s, n: int, seed: int, numero: int) -> str:
    """Load :mod:`benchmarks.generar`'s call of ``n`` applicants as number ``numero`` with the code of
    ``casadmin import`` (bulk, one transaction); prints the time and returns the call's code."""
    from casadmin import engine_db
    from casadmin.engine import interchange

    codigo = f"CAS N° {numero}-2026-SUNEDU"
    datos = generar.generar(n, seed)
    datos["convocatoria"].update(numero=numero, codigo=codigo)
    texto = json.dumps(datos, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    del datos
    t = time.perf_counter()
    engine_db.importar(s, interchange.leer(texto))
    t_importar = time.perf_counter() - t
    del texto
    print(f"importar (casadmin import, {n} postulantes): {t_importar:.1f} s "
          f"({t_importar / n * 1000:.2f} ms por postulante)", flush=True)
    s.expire_all()
    return codigo


def opciones(doc: str, url: str, argv: list[str] | None, repeat: str) -> argparse.Namespace:
    """The options of a benchmark on a generated call in PostgreSQL (this one's and ``final.py``'s)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--url", default=url)
    ap.add_argument("--n", type=int, default=150_000)
    ap.add_argument("--seed", type=int, default=20260302)
    ap.add_argument("--repeat", type=int, default=2, help=repeat)
    ap.add_argument("--reusar", action="store_true", help="the call is already in the database")
    ap.add_argument("--en-un-proceso", action="store_true",
                    help="judge in this process, never in forked ones (engine_db.MINIMO_PROCESOS = None)")
    ap.add_argument("--procesos-desde", type=int, default=None, metavar="N",
                    help="fork from N applications instead of engine_db.MINIMO_PROCESOS (to measure the threshold)")
    return ap.parse_args(argv)


def aplicacion(args: argparse.Namespace):
    """The application on ``args.url``; the database rebuilt (migrations, roles, no demo) unless ``--reusar``."""
    os.environ["CASADMIN_DATABASE_URL"] = args.url
    if not args.reusar:
        sembrar.recrear(args.url, demo=False)
    from casadmin import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": args.url})


def main(argv: list[str] | None = None) -> None:
    args = opciones(__doc__, "postgresql://postgres@127.0.0.1:5432/casadmin_bench_ficha", argv,
                    "evaluations (the first fills, the others replace)")
    codigo = f"CAS N° {NUMERO}-2026-SUNEDU"
    app = aplicacion(args)
    from casadmin import engine_db
    from casadmin import models as m
    from casadmin.engine import run
    from casadmin.extensions import db

    with app.app_context():
        s = db.session
        if not args.reusar:
            importar(s, args.n, args.seed, NUMERO)
        s.execute(sa.text("ANALYZE"))
        s.commit()
        conv_id = s.scalar(sa.select(m.Convocatoria.id).where(m.Convocatoria.codigo == codigo))
        n = s.scalar(sa.select(sa.func.count()).where(m.Postulacion.convocatoria_id == conv_id))
        experiencias, capacitaciones = s.execute(sa.text(
            "SELECT sum(json_array_length(ficha -> 'experiencia_laboral')), sum(json_array_length(ficha -> 'capacitaciones'))"
            " FROM postulacion WHERE convocatoria_id = :c"), {"c": conv_id}).one()
        print(f"convocatoria {codigo}: {n} postulaciones, {experiencias / n:.2f} experiencias y "
              f"{capacitaciones / n:.2f} capacitaciones por postulante")
        from casadmin import compilado

        print(f"reglas: {compilado.estado()} (CASADMIN_REGLAS_PURAS=1: las fuentes; docs/performance.md)")

        desnudo, cpu_desnudo = [], []
        for _ in range(max(2, args.repeat)):
            srv = cpu_servidor(s)
            t, c = time.perf_counter(), time.process_time()
            filas = select_desnudo(s, m, conv_id)
            desnudo.append(time.perf_counter() - t)
            cpu_desnudo.append(time.process_time() - c + cpu_servidor(s) - srv)
            s.rollback()
        t_select = min(desnudo)
        print(f"SELECT desnudo (las mismas filas y columnas, {filas} en 4 consultas; la Ficha como texto JSON): "
              f"{t_select:.2f} s (mejor de {len(desnudo)}: {', '.join(f'{x:.2f}' for x in desnudo)}); "
              f"CPU cliente + servidor {min(cpu_desnudo):.2f} s", flush=True)
        decodificado = []
        for _ in range(max(2, args.repeat)):
            t = time.perf_counter()
            select_desnudo(s, m, conv_id, ficha_decodificada=True)
            decodificado.append(time.perf_counter() - t)
            s.rollback()
        print(f"  como referencia, con la Ficha decodificada por el driver (json.loads, lo que se leía antes): "
              f"{min(decodificado):.2f} s", flush=True)

        if args.procesos_desde is not None:
            engine_db.MINIMO_PROCESOS = args.procesos_desde
        if args.en_un_proceso:
            engine_db.MINIMO_PROCESOS = None
        medir_fases(engine_db, run, fases := {}, cpu_fases := {})
        for i in range(args.repeat):
            fases.clear()
            cpu_fases.clear()
            ya = s.scalar(sa.select(sa.func.count()).where(
                m.ResultadoEtapa.convocatoria_id == conv_id, m.ResultadoEtapa.evaluado_en.is_not(None)))
            srv, maquina = cpu_servidor(s), cpu_maquina()
            t, c, hijos = time.perf_counter(), time.process_time(), os.times().children_user + os.times().children_system
            res = engine_db.evaluar(s, codigo, "ficha", recalcular=False)
            total, cpu = time.perf_counter() - t, time.process_time() - c
            cpu_hijos = os.times().children_user + os.times().children_system - hijos
            cpu_srv, cpu_total = cpu_servidor(s) - srv, cpu_maquina() - maquina
            tipo = "de nuevo (reemplaza)" if ya else "primera (llena)"
            en_hilo = fases.get("guardar en hilo", 0.0)
            fases["resto"] = total - sum(fases.values()) + en_hilo
            # with the storing thread's own CPU when it is a thread of its own
            cpu_fases["resto"] = cpu - sum(v for k, v in cpu_fases.items() if k != "guardar en hilo")
            partes = ", ".join(f"{k} {v:.2f} s (CPU {cpu_fases[k]:.2f})" for k, v in fases.items())
            print(f"evaluate --stage ficha, {tipo}: {total:.2f} s = {total / t_select:.1f}× el SELECT, "
                  f"{res.procesos} proceso(s) juzgan [{partes}]; CPU de este proceso {cpu:.2f} s + procesos hijos "
                  f"{cpu_hijos:.2f} s + su conexión en el servidor {cpu_srv:.2f} s; CPU de la máquina {cpu_total:.2f} s "
                  f"en {total:.2f} s   objetivo ≤ 10 s y ≤ 3×", flush=True)
            print(f"  {sum(res.conteo.values())} evaluados: " + ", ".join(f"{k} {v}" for k, v in sorted(res.conteo.items())))
        s.remove() if hasattr(s, "remove") else None


if __name__ == "__main__":
    main()
