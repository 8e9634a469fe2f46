"""Shared by tests/test_final.py, test_contrato.py and test_impugnacion.py: a call of the SUNEDU example
imported under a number of helper H7's range (900000–999999), its stages evaluated on the database."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from casadmin import engine_db
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.engine import interchange, report, run

ROOT = Path(__file__).resolve().parent.parent
EJEMPLO = ROOT / "docs" / "examples" / "cas-140-2026-sunedu.json"
ETAPAS = ("ficha", "examen", "psicologica", "curricular", "entrevista")

_series = {"final": itertools.count(900001), "contrato": itertools.count(930001),
           "impugnacion": itertools.count(960001), "documentos": itertools.count(920001)}


#: An institution of these tests' own, with the SUNEDU bases: the calls, applicants and committee
#: users made here never show in the demo institutions' lists, which other modules count.
ENTIDAD = {"siglas": "H7", "nombre": "Entidad de prueba (tests/finales.py)", "email_contacto": "orh@h7.invalid"}
ORH = "orh.h7"


def datos(serie: str, cambiar: Callable[[dict], None] | None = None) -> dict:
    """The SUNEDU example under a number, code, institution and applicants of its own (``cambiar`` edits it)."""
    d = interchange.leer(EJEMPLO.read_bytes())
    n = next(_series[serie])
    d["entidad"] = dict(ENTIDAD)
    c = d["convocatoria"]
    c["numero"] = n
    c["codigo"] = f"CAS N° {n}-{c['anio']}-{ENTIDAD['siglas']}"
    for i, p in enumerate(d["postulantes"]):  # new people: the demo's applicants keep their applications
        p["documento"]["numero"] = f"9{n - 900000:05d}{i:02d}"
        p.pop("email", None)
    if cambiar:
        cambiar(d)
    return d


def postulante(d: dict, ident: str) -> dict:
    return next(p for p in d["postulantes"] if p["id"] == ident)


def importar_y_evaluar(db, d: dict, hasta: str = "entrevista") -> m.Convocatoria:
    """Import the file and evaluate every stage of the call on the database, up to ``hasta``."""
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    arch = interchange.cargar(d)
    pm = pl.get_plugin_manager()
    etapas = run.etapas_de(arch.convocatoria, pl.get_bases(pm, d["bases"]))
    for etapa in etapas:
        engine_db.evaluar(db.session, conv.codigo, etapa)
        if etapa == hasta:
            break
    return db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.codigo == conv.codigo))


def simulacion(d: dict) -> dict:
    """What ``casadmin simulate --json`` gives for the file (its ``resultados`` block)."""
    arch = interchange.cargar(d)
    sim = run.simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)
    return report.como_dict(sim)


def por_id(db, conv: m.Convocatoria) -> dict[str, int]:
    """Application ids by the applicant's id in the file."""
    return {p.ficha["intercambio"]["id"]: p.id for p in db.session.scalars(
        sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id))}


def finales(db, conv: m.Convocatoria) -> dict[str, m.ResultadoFinal]:
    ids = {v: k for k, v in por_id(db, conv).items()}
    return {ids[f.postulacion_id]: f for f in db.session.scalars(
        sa.select(m.ResultadoFinal).where(m.ResultadoFinal.convocatoria_id == conv.id))}


def auditoria(db, conv: m.Convocatoria, accion: str) -> list[m.RegistroAuditoria]:
    return list(db.session.scalars(sa.select(m.RegistroAuditoria).where(
        m.RegistroAuditoria.convocatoria_id == conv.id, m.RegistroAuditoria.accion == accion)
        .order_by(m.RegistroAuditoria.id)))


def al_borrador(db, conv_id: int) -> None:
    """Back to draft: a call a test made public leaves the public portal other modules page through."""
    db.session.rollback()
    db.session.execute(sa.update(m.Convocatoria).where(m.Convocatoria.id == conv_id).values(estado="borrador"))
    db.session.commit()


def cliente_orh(app, client_for, conv: m.Convocatoria):
    """A client signed in as ORH of the tests' institution (created once)."""
    from casadmin.extensions import db
    from casadmin.roles import ORH as ROL_ORH

    sm = app.appbuilder.sm
    usuario = sm.find_user(username=ORH)
    if usuario is None:
        usuario = sm.add_user(ORH, "ORH", "Pruebas H7", "orh.h7@h7.invalid", sm.find_role(ROL_ORH), "demo12345")
    if usuario.entidad_id != conv.entidad_id:
        usuario = db.session.get(m.Usuario, usuario.id)
        usuario.entidad_id = conv.entidad_id
        db.session.commit()
    return client_for(ORH)
