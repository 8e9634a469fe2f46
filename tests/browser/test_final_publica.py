"""ORH publishes the final results in a real browser and the public downloads the cuadro de méritos
(§4.2.6, E1, G1; issue 5 items 5–6).

The SUNEDU example call (tests/finales.py, number range 920000–929999) evaluated and its final
result computed; through the screens: Resultado final → "Publicar resultados finales" (confirmed),
the documents' job watched to its end, the PDF and Excel downloaded from /finales/, then the
public portal seen by an anonymous visitor lists them with the stages' result documents.
"""

from __future__ import annotations

import io
import re

from finales import al_borrador, cliente_orh, datos, importar_y_evaluar
from pypdf import PdfReader

from casadmin import final
from tests.browser.conftest import _nuevo_contexto

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_orh_publishes_the_final_results_and_the_public_downloads_the_cuadro_de_meritos(
        app, browser, live_server, page, pasos, entrar, client_for):
    from casadmin.extensions import db

    with app.app_context():
        conv = importar_y_evaluar(db, datos("documentos", lambda d: d["convocatoria"].update(estado="evaluacion")))
        final.evaluar_final(db.session, conv)
        cliente_orh(app, client_for, conv)  # ORH of the tests' institution
        conv_id, codigo = conv.id, conv.codigo
        db.session.remove()
    shot = pasos(page)
    publico = None
    try:
        entrar(page, "orh.h7", "demo12345")
        page.goto(f"/finales/{conv_id}")
        shot("resultado-final-calculado")
        dialogos = []
        page.once("dialog", lambda d: (dialogos.append(d.message), d.accept()))
        page.get_by_role("button", name="Publicar resultados finales").click()
        page.wait_for_url(re.compile(r"/finales/tarea/\d+$"))
        assert dialogos and "Publicar los resultados finales" in dialogos[0]
        assert "cuadro de méritos" in page.inner_text(".alert")
        page.wait_for_function(
            "document.getElementById('estado')?.textContent.trim() === 'Terminada' && "
            "![...document.scripts].some(s => s.textContent.includes('dataset.json'))", timeout=60_000)
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
        assert "Cuadro de méritos de 4 finalista(s)" in page.inner_text("#mensaje")
        shot("tarea-terminada")

        page.get_by_role("link", name=re.compile("Etapas de la convocatoria")).click()
        page.wait_for_url(re.compile(rf"/finales/{conv_id}$"))
        documentos = page.locator("#documentos-final")
        for nombre, tipo in (("PDF", PDF), ("Excel", XLSX)):
            r = page.request.get(documentos.get_by_role("link", name=nombre, exact=True).get_attribute("href"))
            assert r.status == 200 and r.headers["content-type"].split(";")[0] == tipo, (nombre, r.status)
            if nombre == "PDF":
                texto = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.body())).pages)
                assert "GANADOR(A)" in texto and "ACCESITARIO(A) 2" in texto and "§4.3.4" in texto
        shot("documentos-en-finales")

        # An anonymous visitor finds them on the call's page, with the other result documents.
        publico = _nuevo_contexto(browser, live_server, viewport={"width": 1280, "height": 900})
        anonimo = publico.new_page()
        anonimo.set_default_timeout(15_000)
        shot.page = anonimo
        anonimo.goto(f"/portal/{conv_id}")
        assert codigo in anonimo.inner_text("h1")
        item = anonimo.locator("#resultado-final")
        assert "Resultado final (cuadro de méritos)" in item.inner_text()
        for nombre, tipo in (("PDF", PDF), ("Excel", XLSX)):
            r = publico.request.get(item.get_by_role("link", name=nombre, exact=True).get_attribute("href"))
            assert r.status == 200 and r.headers["content-type"].split(";")[0] == tipo
        assert anonimo.get_by_role("link", name="Cerrar sesión").count() == 0
        shot("portal-anonimo")
    finally:
        if publico is not None:
            publico.close()
        with app.app_context():
            al_borrador(db, conv_id)
            db.session.remove()
