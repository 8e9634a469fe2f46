"""D6 (§4.2.5) in a real browser on a phone-sized screen: a committee member opens their call, the
candidate, scores the five factors on large decimal inputs (a score out of range is refused at its
field), saves a draft, submits it, and sees it read-only. No horizontal scroll at 390 px. The
screenshots of each step are kept (``pasos``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from comite_escenario import C1, FACTORES, nueva_convocatoria

CLAVE = "demo12345"


@pytest.fixture()
def escenario(app, db):
    return nueva_convocatoria(db)


def _sin_desborde(page) -> None:
    ancho = page.evaluate("document.documentElement.scrollWidth")
    assert ancho <= 390 + 1, f"la página se desborda horizontalmente ({ancho}px)"


def test_a_committee_member_scores_on_a_phone(phone_page, pasos, entrar, escenario):
    page, esc = phone_page, escenario
    shot = pasos(page)
    entrar(page, C1, CLAVE)
    page.goto("/comite/")
    page.locator(".convocatoria", has_text=esc.codigo).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#candidatos .candidato").count() == 5
    _sin_desborde(page)
    shot("candidatos")

    page.locator(f'.candidato[data-postulacion="{esc.post["P01"]}"]').click()
    page.wait_for_load_state("networkidle")
    for codigo in FACTORES:  # large inputs that open the numeric keyboard
        campo = page.locator(f"#{codigo}")
        assert campo.get_attribute("inputmode") == "decimal"
        caja = campo.bounding_box()
        assert caja["height"] >= 44 and caja["width"] >= 300, caja
    assert "Desenvolvimiento General" in page.inner_text("#factores")
    _sin_desborde(page)
    shot("hoja-vacia")

    # A score above the factor's maximum (8 with exam, §4.2.5 i) is refused at its field; nothing is saved.
    for codigo, valor in zip(FACTORES, ("9", "7", "6,5", "6", "7.25"), strict=True):
        page.fill(f"#{codigo}", valor)
    assert page.inner_text("#total") == "35.75"  # the running total, truncated like the stage score
    page.click("#guardar")
    page.wait_for_load_state("networkidle")
    assert "El puntaje debe estar entre 0 y 8" in page.inner_text("#error-desenvolvimiento")
    assert page.input_value("#orientacion_resultados") == "6,5"  # what was typed is kept
    assert esc.hojas() == {}
    _sin_desborde(page)
    shot("puntaje-fuera-de-rango")

    page.fill("#desenvolvimiento", "7,5")
    page.click("#guardar")
    page.wait_for_load_state("networkidle")
    assert "Se guardó el borrador" in page.inner_text(".alert-success")
    hoja = esc.hojas()[("P01", C1)]
    assert not hoja.enviada and hoja.total == Decimal("34.25")
    shot("borrador-guardado")

    page.once("dialog", lambda dialogo: dialogo.accept())  # "¿Enviar su hoja…? Después no podrá modificarla."
    page.click("#enviar")
    page.wait_for_load_state("networkidle")
    assert "Se envió su hoja de entrevista" in page.inner_text("body")
    assert page.locator("#hoja-enviada").is_visible() and page.locator("#hoja input").count() == 0
    assert "34.25" in page.inner_text(".hoja-lectura")
    hoja = esc.hojas()[("P01", C1)]
    assert hoja.enviada and hoja.desenvolvimiento == Decimal("7.50") and hoja.orientacion_resultados == Decimal("6.50")
    _sin_desborde(page)
    shot("hoja-enviada")


def test_orh_assigns_the_committee_and_the_veedor_reads_on_a_phone(phone_page, browser, live_server, pasos, entrar,
                                                                   app, db):
    """§4.2.5 b on a phone: ORH assigns the three seats; once a member submits, the Veedor reads that
    sheet read-only and only the state of the other member's draft."""
    from comite_escenario import C2, VE, datos_hoja

    esc = nueva_convocatoria(db, miembros=False)
    page = phone_page
    shot = pasos(page)
    entrar(page, "orh.sunedu", CLAVE)
    page.goto(f"/comite-asignacion/{esc.conv_id}")
    for rol, usuario in (("orh", C1), ("area_usuaria", C2), ("veedor", VE)):
        page.select_option("#rol", rol)
        page.select_option("#usuario_id", label=next(
            t for t in page.locator("#usuario_id option").all_inner_texts() if f"({usuario})" in t))
        page.click("#asignar button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator(f'.miembro[data-usuario="{usuario}"][data-rol="{rol}"]').count() == 1
    _sin_desborde(page)
    shot("comite-asignado")

    c1 = app.test_client()
    c1.post("/login/", data={"username": C1, "password": CLAVE})
    assert c1.post(esc.url("P01"), data=datos_hoja("6.05", accion="enviar")).status_code == 303
    c2 = app.test_client()
    c2.post("/login/", data={"username": C2, "password": CLAVE})
    assert c2.post(esc.url("P01"), data=datos_hoja("4.44")).status_code == 303

    ctx = browser.new_context(base_url=live_server, locale="es-PE", timezone_id="America/Lima",
                              viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    veedor = ctx.new_page()
    try:
        shot.page = veedor  # the same numbered series (a second ``pasos`` would empty the folder)
        entrar(veedor, VE, CLAVE)
        veedor.goto(esc.url("P01"))
        texto = veedor.inner_text("body")
        assert "30.25" in texto and "4.44" not in texto and veedor.locator("input[type=text]").count() == 0
        assert veedor.locator('.hoja-oculta[data-miembro="comite2.sunedu"] [data-estado="borrador"]').count() == 1
        _sin_desborde(veedor)
        shot("veedor-lee-la-hoja-enviada")
    finally:
        ctx.close()


def test_scores_typed_offline_stay_on_the_tablet_until_they_are_saved(browser, live_server, pasos, entrar, escenario):
    """A committee member on a tablet whose connection drops: «Guardar borrador» no longer leaves for an error
    page that loses the five scores; they stay on the device and come back on the next visit, until saved."""
    from comite_escenario import FACTORES as CODIGOS

    ctx = browser.new_context(base_url=live_server, locale="es-PE", timezone_id="America/Lima",
                              viewport={"width": 768, "height": 1024}, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    try:
        esc, shot = escenario, pasos(page)
        entrar(page, C1, CLAVE)
        url = f"/comite/{esc.conv_id}/{esc.post['P06']}"
        page.goto(url)
        ctx.set_offline(True)
        for codigo, valor in zip(CODIGOS, ("7", "6,5", "6", "7.25", "5"), strict=True):
            page.fill(f"#{codigo}", valor)
        page.click("#guardar")
        assert "Sin conexión" in page.inner_text("#copia-local") and page.url.endswith(url)
        assert esc.hojas() == {}
        shot("sin-conexion")

        ctx.set_offline(False)
        page.goto(url)  # e.g. the tablet restarted: the page comes back empty from the server
        page.wait_for_load_state("networkidle")
        assert "Se recuperaron los puntajes" in page.inner_text("#copia-local")
        assert page.input_value("#orientacion_resultados") == "6.00" and page.inner_text("#total") == "31.75"
        shot("recuperados")
        page.click("#guardar")
        page.wait_for_load_state("networkidle")
        assert esc.hojas()[("P06", C1)].total == Decimal("31.75")
        assert page.locator("#copia-local").is_hidden()  # the server has it: the copy is gone
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.locator("#copia-local").is_hidden() and page.input_value("#idoneidad") == "6.50"
    finally:
        ctx.close()
