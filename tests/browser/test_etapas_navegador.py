"""ORH runs the first stages of a call in a real browser (D1, D2; issue 5 item 3):
the Ficha evaluation, the review of one candidate's reasons and the judgment of an experience as
specific (§4.2.1 x) with the queue of those left to judge, and the exam scores grid with a
refused out-of-range score (§4.2.2 l) before the valid ones are saved and graded."""

from __future__ import annotations

import itertools
from pathlib import Path

import sqlalchemy as sa

from casadmin import engine_db
from casadmin import models as m
from casadmin.engine import interchange

EJEMPLO = Path(__file__).resolve().parents[2] / "docs" / "examples" / "cas-140-2026-sunedu.json"
_numeros = itertools.count(690001)


def _convocatoria(app) -> tuple[int, str]:
    from casadmin.extensions import db

    d = interchange.leer(EJEMPLO.read_bytes())
    n = next(_numeros)
    c = d["convocatoria"]
    c["numero"], c["codigo"], c["estado"] = n, f"CAS N° {n}-{c['anio']}-SUNEDU", "evaluacion"
    for i, p in enumerate(d["postulantes"]):  # applicants of its own: the demo's records stay as they are
        p["entradas"] = {}
        p["documento"]["numero"] = f"69{n % 10000:04d}{i:02d}"
        p.pop("email", None)
    d["decisiones_comite"] = []
    with app.app_context():
        conv = engine_db.importar(db.session, d)
        out = conv.id, conv.codigo
        db.session.remove()
    return out


def test_orh_evaluates_the_ficha_and_grades_the_exam(app, page, pasos, entrar):
    conv_id, codigo = _convocatoria(app)
    shot = pasos(page)
    entrar(page, "orh.sunedu", "demo12345")
    page.goto("/etapas/")
    page.get_by_role("link", name=codigo).click()
    page.wait_for_load_state("networkidle")
    assert "Etapas: " + codigo in page.inner_text("h1")
    shot("etapas")

    page.locator('tr[data-etapa="ficha"] button', has_text="Calcular resultados").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#resultados tbody tr").count() == 10
    shot("resultados-ficha")
    page.locator("#resultados tbody tr").first.get_by_role("link", name="Revisar").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#motivos tbody tr").count() > 3 and "§4.2.1" in page.inner_text("#motivos")
    shot("revision-de-un-postulante")

    # §4.2.1 x: the evaluator judges a declared experience the other way, sees it kept, puts it back.
    revision = page.url
    primera = page.locator('[data-item="especifica:0"]')
    antes = "si" if primera.locator('input[type=radio][value="si"]').is_checked() else "no"
    assert primera.locator(f'input[type=radio][value="{antes}"]').is_checked()  # the file judged it
    otra = "no" if antes == "si" else "si"
    primera.locator(f'input[type=radio][value="{otra}"]').check()
    page.get_by_role("button", name="Guardar verificación").click()
    page.wait_for_load_state("networkidle")
    assert "Verificación guardada" in page.inner_text(".alert")
    assert page.locator(f'[data-item="especifica:0"] input[type=radio][value="{otra}"]').is_checked()
    shot("experiencia-especifica")
    page.locator(f'[data-item="especifica:0"] input[type=radio][value="{antes}"]').check()
    page.get_by_role("button", name="Guardar verificación").click()
    page.wait_for_load_state("networkidle")
    assert page.url == revision
    assert page.locator(f'[data-item="especifica:0"] input[type=radio][value="{antes}"]').is_checked()

    # The evaluator's queue: an experience left «Sin calificar» does not count, and puts its candidate in
    # the list of those left to judge; «Guardar y siguiente sin calificar» empties it.
    page.locator('[data-item="especifica:0"] input[type=radio][value=""]').check()
    page.get_by_role("button", name="Guardar verificación").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"/etapas/{conv_id}/ficha")
    page.locator("#pendientes").click()  # the filter submits itself
    page.wait_for_url("**pendientes=1**")
    assert page.locator("#resultados tbody tr").count() == 1
    assert "1 candidato(s) con experiencias sin calificar" in page.inner_text("#total")
    shot("cola-sin-calificar")
    page.locator("#resultados tbody tr").first.get_by_role("link", name="Revisar").click()
    page.wait_for_load_state("networkidle")
    assert page.url == revision
    # The only one left: «Siguiente con experiencia sin calificar» comes back to it, at its experiences.
    page.locator("#siguiente-sin-calificar").click()
    page.wait_for_url(revision + "#especificas")
    page.locator(f'[data-item="especifica:0"] input[type=radio][value="{antes}"]').check()
    page.get_by_role("button", name="Guardar y siguiente sin calificar").click()
    page.wait_for_load_state("networkidle")
    assert "No quedan experiencias sin calificar" in page.inner_text("body")
    assert "/ficha/postulacion/" not in page.url
    page.goto(f"/etapas/{conv_id}")
    page.locator('tr[data-etapa="ficha"] button', has_text="Calcular resultados").click()
    page.wait_for_load_state("networkidle")

    page.goto(f"/etapas/{conv_id}/examen/puntajes")
    filas = page.locator("#grilla tbody tr")
    n = filas.count()
    assert n >= 3
    for i in range(n):
        filas.nth(i).locator("select").select_option("si")
        filas.nth(i).locator("input[type=text]").fill("24")
    filas.first.locator("input[type=text]").fill("35")
    page.get_by_role("button", name="Guardar puntajes").click()
    page.wait_for_load_state("networkidle")
    assert "fuera del rango de 0 a 30" in page.inner_text("#grilla")
    assert filas.first.locator("input[type=text]").input_value() == "35"  # what was typed is kept
    shot("puntaje-fuera-de-rango")
    filas.first.locator("input[type=text]").fill("20")
    page.get_by_role("button", name="Guardar puntajes").click()
    page.wait_for_load_state("networkidle")
    assert "Se guardaron" in page.inner_text(".alert")

    page.goto(f"/etapas/{conv_id}")
    page.locator('tr[data-etapa="examen"] button', has_text="Calcular resultados").click()
    page.wait_for_load_state("networkidle")
    resultados = page.locator("#resultados td.resultado").all_inner_texts()
    assert sorted(set(r.strip() for r in resultados)) == ["Apto", "No apto"]  # 20 < 21 ≤ 24 (§4.2.2 l)
    shot("resultados-examen")

    from casadmin.extensions import db
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(m.RegistroAuditoria).where(
            m.RegistroAuditoria.convocatoria_id == conv_id, m.RegistroAuditoria.accion == "evaluar_etapa")) == 3
        assert db.session.scalar(sa.select(sa.func.count()).select_from(m.RegistroAuditoria).where(
            m.RegistroAuditoria.convocatoria_id == conv_id,
            m.RegistroAuditoria.accion == "registrar_verificacion_ficha")) == 4  # each change of §4.2.1 x audited
        # Back to draft: the public lists other tests read hold no more calls than before.
        db.session.execute(sa.update(m.Convocatoria).where(m.Convocatoria.id == conv_id).values(estado="borrador"))
        db.session.commit()
        db.session.remove()
