"""The dashboard of a call (panel): applicants per stage, Apto / No apto per stage, counts; inline SVG
charts with a table of the same numbers; aggregate queries; ORH and the administrator, the Veedor
read-only on assigned calls, nobody on another institution's call."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from casadmin import models as m
from casadmin import panel
from casadmin.models.enums import EstadoPostulacion, Etapa, Resultado
from casadmin.peru.clock import now
from convocatorias_prueba import nueva_convocatoria

_NUMEROS = itertools.count(800_000)  # this module's call numbers (800000–809999)


def _convocatoria(db, siglas: str) -> m.Convocatoria:
    return nueva_convocatoria(db, siglas, next(_NUMEROS), "Analista de panel")


#: (ficha, examen) per applicant: 8 applied; Ficha 5 Apto, 2 No apto, 1 pending; exam 3 Apto, 1 absent.
PLAN = [("apto", "apto"), ("apto", "apto"), ("apto", "apto"), ("apto", "no_se_presento"), ("apto", None),
        ("no_apto", None), ("no_apto", None), ("pendiente", None)]


@pytest.fixture()
def convocatoria(db):
    """A SUNEDU call with eight applications and Ficha and exam results as in :data:`PLAN`."""
    conv = _convocatoria(db, "SUNEDU")
    postulantes = db.session.scalars(sa.select(m.Postulante).order_by(m.Postulante.id).limit(len(PLAN))).all()
    for i, (post, (ficha, examen)) in enumerate(zip(postulantes, PLAN, strict=True)):
        app = m.Postulacion(convocatoria_id=conv.id, postulante_id=post.id, registrada_en=now(), ficha={"i": i},
                            ficha_sha256=f"{i:064d}",
                            estado=EstadoPostulacion.no_apto if ficha == "no_apto" else EstadoPostulacion.en_proceso)
        db.session.add(app)
        db.session.flush()
        db.session.add(m.ResultadoEtapa(convocatoria_id=conv.id, postulacion_id=app.id, etapa=Etapa.ficha,
                                        resultado=Resultado[ficha], motivos=[], reglas={}))
        if examen:
            db.session.add(m.ResultadoEtapa(convocatoria_id=conv.id, postulacion_id=app.id, etapa=Etapa.examen,
                                            resultado=Resultado[examen], motivos=[], reglas={},
                                            puntaje=Decimal("25.50") if examen == "apto" else None))
    db.session.commit()
    return conv


def _celdas(html: str, etapa: str) -> list[str]:
    fila = re.search(rf'<tr data-etapa="{etapa}">(.*?)</tr>', html, re.S).group(1)
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", fila, re.S)]


def test_panel_counts_per_stage_from_the_database(db, convocatoria):
    """§4.2: Apto (and Asistió) continue; No apto and No se presentó (§4.2.2 l) stop a candidate."""
    datos = panel.resumen(db.session, convocatoria)
    assert datos.postulaciones == 8
    assert datos.por_estado == {EstadoPostulacion.en_proceso: 6, EstadoPostulacion.no_apto: 2}
    assert [(f.etapa, f.evaluados, f.aptos, f.no_aptos, f.pendientes) for f in datos.etapas] == [
        (Etapa.ficha, 8, 5, 2, 1), (Etapa.examen, 4, 3, 1, 0)]


def test_orh_sees_charts_as_inline_svg_with_a_table_of_the_same_numbers(client_for, convocatoria):
    html = client_for("orh.sunedu").get(f"/panel/{convocatoria.id}").get_data(as_text=True)
    assert convocatoria.codigo in html
    assert _celdas(html, "ficha") == ["8", "5", "2", "1"]
    assert _celdas(html, "examen") == ["4", "3", "1", "0"]
    assert re.search(r'id="total-postulaciones">8<', html)
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 2
    for svg in svgs:  # accessible: a role, a title and a description that the svg points to
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg and "aria-labelledby=" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svgs[1], re.S).group(1)
    assert "Evaluación de Ficha de Postulante y Anexos: Apto 5, No apto 2, Pendiente 1" in desc
    assert "Evaluación de Conocimientos Técnicos: Apto 3, No apto 1, Pendiente 0" in desc
    # the numbers are written in the chart itself, not only as bar lengths
    assert re.search(r'<text class="rotulo"[^>]*>5</text>', svgs[1])
    # no script and nothing fetched from elsewhere
    assert "<script" not in "".join(svgs)
    assert not re.search(r'src="(https?:)?//', html)


def test_the_bars_are_proportional(db, convocatoria):
    g = panel.graficos(panel.resumen(db.session, convocatoria))[0]
    anchos = {b.nombre: b.tramos[0].ancho for b in g.barras}
    assert anchos["Postulaciones"] == pytest.approx(2 * anchos[Etapa.examen.value], abs=0.2)
    assert anchos["Postulaciones"] == anchos[Etapa.ficha.value]
    assert [b.etiqueta for b in g.barras] == ["Postulaciones", "Ficha de postulante", "Conocimientos técnicos"]
    assert not g.series  # one series: no legend needed
    assert panel.miles(150000) == "150\u00a0000"


def test_panel_queries_are_aggregates_and_never_read_the_ficha(app, client_for, db, convocatoria):
    from casadmin.extensions import db as _db

    orh = client_for("orh.sunedu")
    sentencias: list[str] = []

    def registrar(conn, cursor, statement, *args):
        sentencias.append(statement)

    with app.app_context():
        event.listen(_db.engine, "before_cursor_execute", registrar)
        try:
            assert orh.get(f"/panel/{convocatoria.id}").status_code == 200
        finally:
            event.remove(_db.engine, "before_cursor_execute", registrar)
    sobre_filas = [s for s in sentencias if "FROM resultado_etapa" in s or "FROM postulacion" in s]
    assert len(sobre_filas) == 2, sobre_filas
    assert all("GROUP BY" in s for s in sobre_filas)
    assert not any("postulacion.ficha " in s or "postulacion.ficha," in s for s in sentencias)


def test_another_institutions_call_is_never_shown(client_for, db, convocatoria):
    ajena = _convocatoria(db, "MIGRACIONES")
    db.session.commit()
    orh_mig = client_for("orh.migraciones")
    assert orh_mig.get(f"/panel/{convocatoria.id}").status_code == 404
    lista = orh_mig.get("/panel/").get_data(as_text=True)
    assert ajena.codigo in lista and convocatoria.codigo not in lista
    orh = client_for("orh.sunedu")
    assert orh.get(f"/panel/{ajena.id}").status_code == 404
    assert ajena.codigo not in orh.get("/panel/").get_data(as_text=True)
    admin = client_for("admin")
    assert admin.get(f"/panel/{ajena.id}").status_code == 200
    assert admin.get(f"/panel/{convocatoria.id}").status_code == 200


def test_veedor_reads_only_the_calls_assigned_to_them(client_for, db, convocatoria):
    veedor = db.session.scalar(sa.select(m.Usuario).where(m.Usuario.username == "veedor.sunedu"))
    asignada = db.session.scalar(sa.select(m.MiembroComite.convocatoria_id).where(m.MiembroComite.usuario_id == veedor.id))
    cliente = client_for("veedor.sunedu")
    assert cliente.get(f"/panel/{asignada}").status_code == 200
    assert cliente.get(f"/panel/{convocatoria.id}").status_code == 404  # same institution, not assigned
    assert cliente.post(f"/panel/{asignada}").status_code == 405  # nothing to change here


@pytest.mark.parametrize("usuario, esperado", [("comite1.sunedu", 403), (None, 302)])
def test_other_roles_cannot_open_the_panel(client_for, role_users, convocatoria, usuario, esperado):
    assert client_for(usuario).get(f"/panel/{convocatoria.id}").status_code == esperado
    assert client_for(role_users["postulante"]).get(f"/panel/{convocatoria.id}").status_code == 403


def test_a_call_without_results_says_so(client_for, db):
    conv = _convocatoria(db, "SUNEDU")
    db.session.commit()
    html = client_for("orh.sunedu").get(f"/panel/{conv.id}").get_data(as_text=True)
    assert 'id="sin-resultados"' in html and re.search(r'id="total-postulaciones">0<', html)
