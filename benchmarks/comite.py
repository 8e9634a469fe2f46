"""Time the interview committee's screens (issue 5 item 4): a member's candidate list, their
sheet, saving a draft, submitting it, and the last submission that forms the stage score.

Builds a fresh database (migrations, roles, demo) at ``--url`` (its ``public`` schema is dropped
on PostgreSQL), a call from the SUNEDU example with its five interview candidates
(``tests/comite_escenario.py``), then times real HTTP requests through the Flask test client::

    .venv/bin/python benchmarks/comite.py --url postgresql://postgres@127.0.0.1:5432/casadmin_h5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import sqlalchemy as sa  # noqa: E402
from flask import g  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402


class _SinUsuarioEnG(FlaskClient):
    """Requests under one open app context must not reuse the previous request's user (tests/conftest.py)."""

    def open(self, *args, **kwargs):
        for key in ("_login_user", "user"):
            g.pop(key, None)
        return super().open(*args, **kwargs)


def _ms(fn, veces: int) -> tuple[float, float]:
    tiempos = []
    for _ in range(veces):
        t0 = time.perf_counter()
        fn()
        tiempos.append((time.perf_counter() - t0) * 1000)
    return statistics.median(tiempos), max(tiempos)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--veces", type=int, default=30)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="casadmin-comite-"))
    url = args.url or f"sqlite:///{tmp / 'bench.db'}"
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()

    from flask_migrate import upgrade

    from casadmin import create_app
    from casadmin.cli import sync_security
    from casadmin.demo import load_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool},
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "STORAGE_DIR": tmp / "storage",
                      "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        sync_security()
        load_demo()
        from comite_escenario import C1, C2, datos_hoja, nueva_convocatoria

        from casadmin.extensions import db

        esc = nueva_convocatoria(db)
        app.test_client_class = _SinUsuarioEnG
        clientes = {}
        for u in (C1, C2):
            c = clientes[u] = app.test_client()
            assert c.post("/login/", data={"username": u, "password": "demo12345"}).status_code == 302
        c1, c2 = clientes[C1], clientes[C2]
        filas = [
            ("GET lista de candidatos", lambda: c1.get(esc.url())),
            ("GET hoja", lambda: c1.get(esc.url("P01"))),
            ("POST borrador", lambda: c1.post(esc.url("P01"), data=datos_hoja("6.5"))),
        ]
        for nombre, fn in filas:
            mediana, maximo = _ms(fn, args.veces)
            print(f"{nombre:<32} mediana {mediana:7.1f} ms   máx {maximo:7.1f} ms   ({args.veces} veces)")
        envios = []
        pids = list(esc.post)
        for pid in pids:
            t0 = time.perf_counter()
            assert c1.post(esc.url(pid), data=datos_hoja("6", accion="enviar")).status_code == 303
            envios.append((time.perf_counter() - t0) * 1000)
        for pid in pids[:-1]:
            t0 = time.perf_counter()
            assert c2.post(esc.url(pid), data=datos_hoja("7", accion="enviar")).status_code == 303
            envios.append((time.perf_counter() - t0) * 1000)
        print(f"{'POST enviar (sin formar)':<32} mediana {statistics.median(envios):7.1f} ms   "
              f"máx {max(envios):7.1f} ms   ({len(envios)} hojas)")
        t0 = time.perf_counter()
        assert c2.post(esc.url(pids[-1]), data=datos_hoja("7", accion="enviar")).status_code == 303
        print(f"{'POST último envío + formar etapa':<32} {(time.perf_counter() - t0) * 1000:7.1f} ms   "
              f"({len(esc.resultados())} resultados por el motor)")


if __name__ == "__main__":
    main()
