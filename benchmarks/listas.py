"""Time ORH's list pages over a call of 150,000 applications on PostgreSQL (issue 5, p95 ≤ 150 ms).

Uses the database seeded by ``benchmarks/sembrar.py`` (or seeds it with ``--sembrar``) and
requests each page through the whole application (routing, sign-in session, scoping, FAB's
COUNT and page query, template) with Flask's test client, ``--repeat`` times each, signed in
as ``orh.sunedu``. Prints p50, p95 and max per page::

    .venv/bin/python benchmarks/listas.py --sembrar      # builds the 150,000-row call first
    .venv/bin/python benchmarks/listas.py                # reuses it
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sembrar  # noqa: E402

PAGINAS = [
    ("postulaciones, primera página", "/postulacionview/list/"),
    # FAB names pages and orders after the view class (page_PostulacionView), not the lower-case route
    ("postulaciones, página 3000", "/postulacionview/list/?page_PostulacionView=3000"),
    ("postulaciones, orden por fecha",
     "/postulacionview/list/?_oc_PostulacionView=registrada_en&_od_PostulacionView=desc"),
    ("resultados por etapa", "/resultadoetapaview/list/"),
    ("resultados, filtro Apto", "/resultadoetapaview/list/?_flt_0_resultado=apto"),
    ("postulantes, búsqueda por apellido", "/postulanteview/list/?_flt_2_apellido_paterno=QUISPE"),
    ("API postulaciones", "/api/v1/postulacion/?q=(page:100,page_size:25)"),
    ("portal: resultados publicados, página 500", None),
    ("panel de la convocatoria (gráficos)", "panel"),
    ("auditoría, primera página", "/auditoria/"),
]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/casadmin_bench")
    ap.add_argument("--n", type=int, default=150_000)
    ap.add_argument("--sembrar", action="store_true")
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--solo", action="append", default=[], metavar="TEXTO",
                    help="time only the pages whose name contains TEXTO (repeatable), e.g. --solo portal")
    args = ap.parse_args(argv)
    if args.sembrar:
        sembrar.recrear(args.url)
        sembrar.sembrar(args.url, args.n)

    import sqlalchemy as sa

    from casadmin import create_app
    from casadmin import models as m
    from casadmin import resultados
    from casadmin.extensions import db
    from casadmin.models.enums import Etapa
    from casadmin.peru.clock import now

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        conv_id, total = db.session.execute(
            sa.select(m.Postulacion.convocatoria_id, sa.func.count()).group_by(m.Postulacion.convocatoria_id)
            .order_by(sa.func.count().desc()).limit(1)).one()
        if not db.session.scalar(sa.select(m.PublicacionEtapa.id).where(
                m.PublicacionEtapa.convocatoria_id == conv_id, m.PublicacionEtapa.etapa == "ficha")):
            db.session.add(m.PublicacionEtapa(convocatoria_id=conv_id, etapa="ficha", publicado_en=now()))
            db.session.commit()
        R = m.ResultadoEtapa
        if db.session.scalar(sa.select(R.id).where(R.convocatoria_id == conv_id, R.etapa == Etapa.ficha,
                                                   R.orden_publicacion.is_(None)).limit(1)) is not None:
            t0 = time.perf_counter()  # what publicar_etapa does when a stage is published
            resultados.numerar(db.session, conv_id, Etapa.ficha)
            db.session.commit()
            print(f"orden de publicación guardado en {time.perf_counter() - t0:.1f} s")
    especiales = {None: f"/portal/{conv_id}/resultados/ficha?pagina=500", "panel": f"/panel/{conv_id}"}
    paginas = [(n, especiales.get(u, u)) for n, u in PAGINAS
               if not args.solo or any(t.lower() in n.lower() for t in args.solo)]
    cliente = app.test_client()
    r = cliente.post("/login/", data={"username": "orh.sunedu", "password": "demo12345"})
    assert r.status_code == 302, "no se pudo iniciar sesión como orh.sunedu"
    print(f"convocatoria más grande: {total} postulaciones")
    for nombre, url in paginas:
        tiempos = []
        for i in range(args.repeat + 3):
            t0 = time.perf_counter()
            resp = cliente.get(url)
            dt = (time.perf_counter() - t0) * 1000
            assert resp.status_code == 200, (url, resp.status_code)
            if i >= 3:  # the first requests warm caches (templates, plans)
                tiempos.append(dt)
        tiempos.sort()
        p95 = tiempos[int(len(tiempos) * 0.95) - 1]
        print(f"{nombre:<42} p50 {statistics.median(tiempos):6.0f} ms  p95 {p95:6.0f} ms  máx {tiempos[-1]:6.0f} ms"
              f"   {'OK' if p95 <= 150 else 'SOBRE EL OBJETIVO'} (≤ 150 ms)")


if __name__ == "__main__":
    main()
