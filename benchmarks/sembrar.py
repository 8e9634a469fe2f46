"""Seed a database with a large call: N applicants, N applications and their stage results.

For the benchmarks that need volume in the database (result documents, list pages): the
rows are bulk-inserted with SQLAlchemy Core in batches (the application's own models and
column types, so enums, Lima timestamps and JSON are stored exactly as the app stores
them). Deterministic for the same ``n`` and ``seed``.

    .venv/bin/python benchmarks/sembrar.py --url postgresql://postgres@127.0.0.1:5432/casadmin_bench --n 150000

The database is created from scratch (``flask db upgrade``, roles, demo data) unless
``--sin-recrear`` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
APELLIDOS = ["QUISPE", "MAMANI", "FLORES", "RAMÍREZ", "SÁNCHEZ", "TORRES", "MENDOZA", "CHÁVEZ", "ROJAS", "VARGAS",
             "CASTILLO", "HUAMÁN", "GUTIÉRREZ", "ESPINOZA", "PAREDES", "DÍAZ", "LÓPEZ", "GARCÍA", "RODRÍGUEZ", "CRUZ"]
NOMBRES = ["ANA", "LUIS", "MARÍA", "JORGE", "ROSA", "CARLOS", "LUCÍA", "PEDRO", "CARMEN", "JOSÉ", "ELENA", "RAÚL"]
LOTE = 5000


def recrear(url: str, demo: bool = True) -> None:
    """Drop and rebuild the database: migrations, roles and the administrator, and (``demo``) demo data."""
    base, _, nombre = url.rpartition("/")
    motor = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with motor.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{nombre}"'))
    motor.dispose()
    env = {**os.environ, "CASADMIN_DATABASE_URL": url, "FLASK_APP": "casadmin:create_app"}
    flask = str(Path(sys.executable).with_name("flask"))
    for args in (["db", "upgrade"], ["casadmin", "init"], *([["casadmin", "demo"]] if demo else [])):
        subprocess.run([flask, *args], env=env, cwd=ROOT, check=True, capture_output=True)


def sembrar(url: str, n: int, seed: int = 7, etapas: tuple[str, ...] = ("ficha", "examen")) -> int:
    """Insert a SUNEDU call with ``n`` applications and results for ``etapas``; returns the call's id."""
    os.environ["CASADMIN_DATABASE_URL"] = url
    from casadmin import create_app
    from casadmin import models as m
    from casadmin.extensions import db
    from casadmin.models.enums import (
        EstadoCivil,
        EstadoConvocatoria,
        EstadoPostulacion,
        Etapa,
        Resultado,
        Sexo,
        TipoDocumento,
    )
    from casadmin.peru.clock import now

    r = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        s = db.session
        ent = s.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
        version = s.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id))
        numero = 900 + r.randrange(90)
        conv = m.Convocatoria(entidad_id=ent.id, version_bases_id=version.id, numero=numero, anio=2026,
                              codigo=f"CAS N° {numero}-2026-SUNEDU-BENCH", nombre_puesto="Especialista (volumen)",
                              organo="Dirección de Supervisión", remuneracion=Decimal(7500), lugar="Lima",
                              duracion_contrato="3 meses", estado=EstadoConvocatoria.evaluacion, publicada_en=now())
        s.add(conv)
        s.commit()
        clave = s.scalar(sa.select(m.Usuario.password).where(m.Usuario.username == "admin"))
        rol = s.scalar(sa.select(m.Usuario.roles.property.mapper.class_.id).where(
            m.Usuario.roles.property.mapper.class_.name == "Postulante"))
        momento = now()
        base_doc = 60_000_000 + conv.id * 200_000
        t0 = time.perf_counter()
        for inicio in range(0, n, LOTE):
            fin = min(n, inicio + LOTE)
            usuarios = [{"first_name": r.choice(NOMBRES), "last_name": f"{r.choice(APELLIDOS)} {r.choice(APELLIDOS)}",
                         "username": f"{base_doc + i:08d}", "email": f"p{base_doc + i}@bench.casadmin.pe",
                         "password": clave, "active": True, "created_on": momento.replace(tzinfo=None),
                         "changed_on": momento.replace(tzinfo=None), "login_count": 0, "fail_login_count": 0}
                        for i in range(inicio, fin)]
            ids_u = s.scalars(sa.insert(m.Usuario.__table__).returning(m.Usuario.__table__.c.id), usuarios).all()
            if rol:
                s.execute(sa.insert(m.Usuario.roles.property.secondary),
                          [{"user_id": u, "role_id": rol} for u in ids_u])
            postulantes = [{"usuario_id": u, "tipo_documento": TipoDocumento.DNI, "numero_documento": d["username"],
                            "apellido_paterno": d["last_name"].split()[0], "apellido_materno": d["last_name"].split()[1],
                            "nombres": d["first_name"], "lugar_nacimiento": "Lima",
                            "fecha_nacimiento": dt.date(1970 + r.randrange(30), 1 + r.randrange(12), 1 + r.randrange(28)),
                            "sexo": r.choice(list(Sexo)), "estado_civil": r.choice(list(EstadoCivil)), "ubigeo": "150101",
                            "direccion": "Av. Ejemplo 123", "celular": f"9{r.randrange(10**8):08d}", "email": d["email"]}
                           for u, d in zip(ids_u, usuarios)]
            ids_p = s.scalars(sa.insert(m.Postulante).returning(m.Postulante.id), postulantes).all()
            postulaciones = [{"convocatoria_id": conv.id, "postulante_id": p, "registrada_en": momento,
                              "ficha": {"version": 1, "volumen": True}, "ficha_sha256": f"{p:064x}"[-64:],
                              "declaracion_aceptada": True, "estado": EstadoPostulacion.en_proceso}
                             for p in ids_p]
            ids_a = s.scalars(sa.insert(m.Postulacion).returning(m.Postulacion.id), postulaciones).all()
            filas = []
            for a in ids_a:
                sigue = True
                for etapa in etapas:
                    if not sigue:
                        break
                    if etapa == "ficha":
                        sigue = r.random() < 0.4
                        filas.append({"convocatoria_id": conv.id, "postulacion_id": a, "etapa": Etapa.ficha,
                                      "resultado": Resultado.apto if sigue else Resultado.no_apto, "puntaje": None,
                                      "motivos": [], "reglas": {"sunedu.ficha": "sunedu.ficha==0.1.0"}})
                    else:
                        puntaje = Decimal(r.randrange(0, 3001)) / 100
                        sigue = puntaje >= 21
                        filas.append({"convocatoria_id": conv.id, "postulacion_id": a, "etapa": Etapa[etapa],
                                      "resultado": Resultado.apto if sigue else Resultado.no_apto, "puntaje": puntaje,
                                      "motivos": [], "reglas": {f"sunedu.{etapa}": f"sunedu.{etapa}==0.1.0"}})
            s.execute(sa.insert(m.ResultadoEtapa), filas)
            s.commit()
            print(f"  {fin}/{n} postulaciones ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
        s.execute(sa.text("ANALYZE")) if db.engine.dialect.name == "postgresql" else None
        s.commit()
        return conv.id


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/casadmin_bench")
    ap.add_argument("--n", type=int, default=150_000)
    ap.add_argument("--sin-recrear", action="store_true")
    args = ap.parse_args(argv)
    if not args.sin_recrear:
        recrear(args.url)
    conv_id = sembrar(args.url, args.n)
    print(conv_id)


if __name__ == "__main__":
    main()
