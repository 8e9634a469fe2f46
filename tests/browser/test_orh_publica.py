"""ORH publishes a stage's results in a real browser (E1, E2; issue 5 item 9).

Through the screens only: Evaluación → Etapas, the Ficha evaluation (§4.2.1), Publicación →
"Publicar resultados", the documents' background job watched to its end, the PDF and Excel
lists, then the public portal seen by an anonymous visitor: names and masked document numbers
only (E1: only the last four characters show). A published stage is frozen (§4.2, E2): a later
change on the Etapas screen is refused with its Spanish message.
"""

from __future__ import annotations

import io
import itertools
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from casadmin import engine_db
from casadmin import models as m
from casadmin.engine import interchange
from casadmin.models.enums import Etapa
from casadmin.peru.documentos import enmascarar
from tests.browser.conftest import _nuevo_contexto
from tests.browser.test_etapas_navegador import EJEMPLO

_numeros = itertools.count(220001)
PUESTO = "Especialista en resultados publicados (navegador HB)"
FICHA = Etapa.ficha.value
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _convocatoria(app) -> tuple[int, str, dict[str, str]]:
    """A call in evaluation with its own applicants, position name and numero range (220000–229999)."""
    from casadmin.extensions import db

    d = interchange.leer(EJEMPLO.read_bytes())
    n = next(_numeros)
    c = d["convocatoria"]
    c["numero"], c["codigo"], c["estado"] = n, f"CAS N° {n}-{c['anio']}-SUNEDU", "evaluacion"
    c["nombre_puesto"] = PUESTO  # other modules search the portal by the example's position name
    personas = {}
    for i, p in enumerate(d["postulantes"]):
        p["entradas"] = {}
        p["documento"]["numero"] = f"22{n % 10000:04d}{i:02d}"
        p.pop("email", None)
        personas[p["documento"]["numero"]] = f"{p['apellidos']}, {p['nombres']}"
    d["decisiones_comite"] = []
    with app.app_context():
        conv = engine_db.importar(db.session, d)
        out = conv.id, conv.codigo, personas
        db.session.remove()
    return out


def _menu(page, categoria: str, opcion: str, ruta: str) -> None:
    """Open a category of the navigation bar and follow one of its entries (by their visible text)."""
    nav = page.get_by_role("navigation")
    nav.get_by_role("link", name=re.compile(rf"^\W*{categoria}\W*$")).click()
    nav.get_by_role("link", name=re.compile(rf"^\W*{opcion}\s*$")).click()
    page.wait_for_url(re.compile(ruta))
    page.wait_for_load_state("networkidle")


def _sin_dni_completo(texto: str, personas: dict[str, str]) -> None:
    for dni in personas:
        assert dni not in texto, f"el documento completo {dni} aparece en una lista pública"


def test_orh_publishes_the_ficha_and_the_public_sees_masked_results(app, browser, live_server, page, pasos, entrar):
    conv_id, codigo, personas = _convocatoria(app)
    shot = pasos(page)
    publico = None
    try:
        entrar(page, "orh.sunedu", "demo12345")
        page.goto("/")
        _menu(page, "Evaluación", "Etapas", r"/etapas/?$")
        shot("menu-etapas")
        page.get_by_role("link", name=codigo).click()
        expect(page.locator("h1")).to_contain_text("Etapas: " + codigo)
        ficha = page.get_by_role("row").filter(has_text=FICHA)
        ficha.get_by_role("button", name="Calcular resultados").click()
        page.wait_for_url(re.compile(rf"/etapas/{conv_id}/ficha$"))
        aviso = page.locator(".alert").first.inner_text()  # the flashed summary of the evaluation
        assert f"{len(personas)} resultado(s) calculado(s)" in aviso, aviso
        shot("ficha-calculada")

        # Before publishing, ORH leaves a candidate's review open in another tab, ready to change it.
        primer_dni = next(iter(personas))  # the staff screens show the full number (what the portal must not)
        assert primer_dni in page.content()
        page.get_by_role("row").filter(has_text=primer_dni).get_by_role("link", name="Revisar").click()
        page.wait_for_url(re.compile(rf"/etapas/{conv_id}/ficha/postulacion/\d+$"))
        antes = page.locator("#resultado-actual strong").first.inner_text()
        revision = page.context.new_page()
        revision.goto(page.url)
        revision.get_by_label("Nuevo resultado").select_option(label="No apto" if antes == "Apto" else "Apto")
        revision.get_by_label("Sustento escrito").fill("Se revisó nuevamente la ficha y sus anexos.")

        # Publicación → Publicar resultados → the call → the Ficha's row.
        _menu(page, "Publicación", "Publicar resultados", r"/publicar/?$")
        expect(page.locator("h1")).to_contain_text("Publicar resultados")
        page.get_by_role("link", name=codigo).click()
        page.wait_for_url(re.compile(rf"/publicar/{conv_id}$"))
        expect(page.locator("h1")).to_contain_text(codigo)
        shot("publicar-etapas")
        dialogos = []
        page.once("dialog", lambda d: (dialogos.append(d.message), d.accept()))
        fila = page.get_by_role("row").filter(has_text=FICHA)
        fila.get_by_role("textbox").fill("La Evaluación de Conocimientos se rendirá el lunes a las 9:00.")
        fila.get_by_role("button", name="Publicar resultados").click()
        page.wait_for_url(re.compile(r"/publicar/tarea/\d+$"))
        assert dialogos and "Después no podrán editarse" in dialogos[0]
        assert f"Resultados de la {FICHA} publicados" in page.inner_text(".alert")
        shot("tarea-en-curso")
        # The progress page polls the job and reloads at its end (a thread of the live server).
        # Done when the job reads "Terminada" on a page that no longer polls (the reloaded one, or the
        # first one if the job ended before it was drawn): no navigation is under way after this.
        page.wait_for_function(
            "document.getElementById('estado')?.textContent.trim() === 'Terminada' && "  # null while reloading
            "![...document.scripts].some(s => s.textContent.includes('dataset.json'))", timeout=60_000)
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
        assert f"{len(personas)} resultados publicados en PDF y Excel" in page.inner_text("#mensaje")
        assert "falló" not in page.inner_text("#tarea")
        shot("tarea-terminada")

        page.get_by_role("link", name="Etapas de la convocatoria").click()
        page.wait_for_url(re.compile(rf"/publicar/{conv_id}$"))
        fila = page.get_by_role("row").filter(has_text=FICHA)
        assert "Publicado el" in fila.inner_text()
        assert fila.get_by_role("button", name="Publicar resultados").count() == 0
        fila.get_by_role("link", name="ver en el portal").click()
        page.wait_for_url(re.compile(rf"/portal/{conv_id}/resultados/ficha$"))
        assert FICHA in page.inner_text("body") and len(page.get_by_role("row").all()) == len(personas) + 1
        page.get_by_role("link", name=codigo).click()
        page.wait_for_url(re.compile(rf"/portal/{conv_id}$"))
        shot("portal-con-documentos")
        documentos = {}
        for nombre, tipo in (("PDF", PDF), ("Excel", XLSX)):
            href = page.get_by_role("link", name=nombre, exact=True).get_attribute("href")
            r = page.request.get(href)
            assert r.status == 200 and r.headers["content-type"].split(";")[0] == tipo, (nombre, r.status, r.headers)
            documentos[nombre] = r.body()
        assert documentos["PDF"].startswith(b"%PDF")
        from openpyxl import load_workbook
        from pypdf import PdfReader

        texto_pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(documentos["PDF"])).pages)
        libro = load_workbook(io.BytesIO(documentos["Excel"]), read_only=True)
        celdas = "\n".join(str(v) for hoja in libro.worksheets for fila_x in hoja.iter_rows(values_only=True)
                           for v in fila_x if v is not None)
        for texto in (texto_pdf, celdas):
            _sin_dni_completo(texto, personas)
            assert enmascarar(next(iter(personas))) in texto

        # An anonymous visitor (a browser of their own) finds the call and its published results.
        publico = _nuevo_contexto(browser, live_server, viewport={"width": 1280, "height": 900})
        anonimo = publico.new_page()
        anonimo.set_default_timeout(15_000)
        shot.page = anonimo
        anonimo.goto("/portal/")
        anonimo.get_by_role("searchbox").fill(PUESTO)
        anonimo.get_by_role("button", name="Buscar").click()
        anonimo.wait_for_url(re.compile(r"/portal/\?q="))
        assert "1 convocatoria" in anonimo.inner_text("#total")
        anonimo.get_by_role("link", name=codigo).click()
        anonimo.wait_for_url(re.compile(rf"/portal/{conv_id}$"))
        for nombre, tipo in (("PDF", PDF), ("Excel", XLSX)):
            r = publico.request.get(anonimo.get_by_role("link", name=nombre, exact=True).get_attribute("href"))
            assert r.status == 200 and r.headers["content-type"].split(";")[0] == tipo
        anonimo.get_by_role("link", name=FICHA).click()
        anonimo.wait_for_url(re.compile(rf"/portal/{conv_id}/resultados/ficha$"))
        tabla = anonimo.get_by_role("table").inner_text()
        for dni, nombre in personas.items():
            assert nombre in tabla and enmascarar(dni) in tabla, (nombre, enmascarar(dni))
        _sin_dni_completo(anonimo.content(), personas)
        assert "La Evaluación de Conocimientos se rendirá el lunes" in anonimo.inner_text("body")
        assert anonimo.get_by_role("link", name="Cerrar sesión").count() == 0  # nobody signed in here
        shot("portal-anonimo-resultados")

        # The stage is frozen: the change prepared before publishing is refused (§4.2, E2).
        shot.page = revision
        revision.get_by_role("button", name="Guardar modificación").click()
        revision.wait_for_url(re.compile(r"/modificar$"))
        rechazo = revision.locator(".alert-danger").inner_text()
        assert f"Los resultados de la {FICHA} ya fueron publicados: no se modifican" in rechazo, rechazo
        assert "Recalcular con sustento" in rechazo
        assert revision.locator("#resultado-actual strong").first.inner_text() == antes
        shot("modificacion-rechazada")
        revision.reload()
        assert revision.get_by_role("button", name="Guardar modificación").count() == 0
        assert "La etapa está publicada: no se modifica" in revision.inner_text("body")
        revision.goto(f"/etapas/{conv_id}")
        fila = revision.get_by_role("row").filter(has_text=FICHA)
        assert "Publicada" in fila.inner_text()
        assert fila.get_by_role("button", name="Calcular resultados").count() == 0
        shot("etapa-publicada")

        from casadmin.extensions import db
        with app.app_context():
            R = m.ResultadoEtapa
            assert db.session.scalar(sa.select(sa.func.count()).select_from(R).where(
                R.convocatoria_id == conv_id, R.etapa == Etapa.ficha, R.override.is_(True))) == 0
            assert db.session.scalar(sa.select(sa.func.count()).select_from(m.RegistroAuditoria).where(
                m.RegistroAuditoria.convocatoria_id == conv_id,
                m.RegistroAuditoria.accion == "publicar_resultados")) == 1
            db.session.remove()
    finally:
        if publico is not None:
            publico.close()
        from casadmin.extensions import db
        with app.app_context():
            # Back to draft: off the public portal and the staff lists other tests read.
            db.session.execute(sa.update(m.Convocatoria).where(m.Convocatoria.id == conv_id).values(estado="borrador"))
            db.session.commit()
            db.session.remove()
