"""Issue 5, list pages over 150,000 applications: what makes them fast must not change what they show.

Timings are measured by ``benchmarks/listas.py`` (docs/performance.md), never asserted here; these
tests pin the causes that were fixed: one query per related row, reading the frozen Ficha for a
list, counting through a self-join, and counting every row of a huge list on every page.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from casadmin import models as m
from casadmin import scoping
from casadmin.roles import COMITE, ORH, POSTULANTE, VEEDOR
from casadmin.views.base import ApproximateCount


def _sentencias(app, cliente, url: str) -> tuple[str, list[str]]:
    from casadmin.extensions import db as _db

    vistas: list[str] = []

    def registrar(conn, cursor, statement, *args):
        vistas.append(statement)

    with app.app_context():
        event.listen(_db.engine, "before_cursor_execute", registrar)
        try:
            resp = cliente.get(url)
        finally:
            event.remove(_db.engine, "before_cursor_execute", registrar)
    assert resp.status_code == 200
    return resp.get_data(as_text=True), vistas


@pytest.mark.parametrize("url, tabla", [("/resultadoetapaview/list/", "resultado_etapa"),
                                        ("/postulacionview/list/", "postulacion")])
def test_a_list_page_loads_related_rows_in_one_query_each_and_never_the_ficha(app, client_for, url, tabla):
    html, sentencias = _sentencias(app, client_for("orh.sunedu"), url)
    filas = len(re.findall(r'<input id="\d+" class="action_check"|<tr[^>]*>\s*<td', html))
    assert filas >= 10, "the demo should fill a page"
    de_postulantes = [s for s in sentencias if re.search(r"FROM postulante\b", s)]
    assert len(de_postulantes) == 1, de_postulantes  # one SELECT … IN for the whole page, not one per row
    assert not any(re.search(r"postulacion\.ficha\b(?!_)", s) for s in sentencias)  # the frozen Ficha stays unread
    assert len(sentencias) < 25


def _ids(db, model, viewer, condicion) -> set[int]:
    return set(db.session.scalars(sa.select(model.id).where(condicion)))


@pytest.mark.parametrize("usuario, roles", [("orh.sunedu", {ORH}), ("comite1.sunedu", {COMITE}),
                                            ("veedor.sunedu", {VEEDOR}), (None, {POSTULANTE})])
def test_the_faster_scoping_rules_select_the_same_rows_as_before(db, role_users, usuario, roles):
    """Postulacion and ResultadoEtapa are scoped by their own call column now (an index), no longer by a
    self-join through Postulacion: for every role the rows are exactly those of the old rule."""
    nombre = usuario or role_users["postulante"]
    u = db.session.scalar(sa.select(m.Usuario).where(m.Usuario.username == nombre))
    v = scoping.Viewer(user_id=u.id, entidad_id=u.entidad_id, roles=frozenset(roles))
    P, R = m.Postulacion, m.ResultadoEtapa
    antes_p = scoping._postulacion_condition(P.id, v)
    antes_r = scoping._any(scoping._postulacion_condition(R.postulacion_id, v, own=False),
                           sa.and_(R.publicado.is_(True), scoping._postulacion_condition(R.postulacion_id, v)))
    assert _ids(db, P, v, scoping.condition(P, v)) == _ids(db, P, v, antes_p)
    assert _ids(db, R, v, scoping.condition(R, v)) == _ids(db, R, v, antes_r)
    assert _ids(db, P, v, scoping.condition(P, v)), f"{nombre} should see some applications"


def test_a_huge_list_shows_an_estimate_on_postgresql_and_exact_counts_otherwise(app, client_for, db):
    cliente = client_for("orh.sunedu")
    exacto = db.session.scalar(sa.select(sa.func.count()).select_from(m.Postulacion).where(
        scoping.condition(m.Postulacion, scoping.Viewer(
            user_id=0, entidad_id=db.session.scalar(sa.select(m.Entidad.id).where(m.Entidad.siglas == "SUNEDU")),
            roles=frozenset({ORH})))))
    html = cliente.get("/postulacionview/list/").get_data(as_text=True)
    assert re.search(rf"Record Count:?</strong>\s*{exacto}\b|Registros?:?</strong>\s*{exacto}\b|</strong> {exacto}\s", html)
    antes = app.config.get("LISTA_CONTEO_EXACTO_HASTA")
    app.config["LISTA_CONTEO_EXACTO_HASTA"] = 0  # every list is "huge"
    try:
        html = cliente.get("/postulacionview/list/").get_data(as_text=True)
    finally:
        if antes is None:
            app.config.pop("LISTA_CONTEO_EXACTO_HASTA")
        else:
            app.config["LISTA_CONTEO_EXACTO_HASTA"] = antes
    if db.engine.dialect.name == "postgresql":  # the planner's estimate, marked as such
        assert re.search(r"</strong>\s*≈\s[\d\u00a0]+", html)
    else:  # SQLite has no estimate: always the exact count
        assert "≈" not in html and re.search(rf"</strong>\s*{exacto}\s", html)


def test_an_approximate_count_computes_like_a_number_and_reads_as_an_estimate():
    n = ApproximateCount(320026)
    assert n // 25 == 12801 and n > 0
    assert str(n) == "≈ 320\u00a0026" and n.__html__() == str(n)
