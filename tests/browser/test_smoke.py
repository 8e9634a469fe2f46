"""The public home page and a staff sign-in in a real browser (A1, A3, E1)."""

from __future__ import annotations


def test_public_home_lists_published_calls_in_spanish(page, pasos):
    shot = pasos(page)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") in ("es", "es-PE", None)
    cuerpo = page.inner_text("body")
    assert "CAS N° " in cuerpo
    assert "Borrador" not in cuerpo
    shot("inicio-publico")


def test_orh_signs_in_and_sees_only_its_institutions_calls(page, pasos, entrar):
    shot = pasos(page)
    entrar(page, "orh.sunedu", "demo12345")
    shot("despues-de-ingresar")
    page.goto("/convocatoriaview/list/")
    texto = page.inner_text("body")
    assert "SUNEDU" in texto and "MIGRACIONES" not in texto
    shot("lista-de-convocatorias")


def test_wrong_password_is_refused_with_a_spanish_message(page, pasos, entrar):
    shot = pasos(page)
    entrar(page, "orh.sunedu", "clave-equivocada")
    assert "/login" in page.url
    assert "Inicio de sesión inválido" in page.inner_text(".alert")
    shot("clave-incorrecta")


def test_public_portal_on_a_phone_search_and_published_results(phone_page, pasos):
    """E1 on a 390 px screen: search a call, open it, read the published Ficha results."""
    page = phone_page
    shot = pasos(page)
    page.goto("/portal/")
    shot("portal")
    page.fill("#q", "140-2026-SUNEDU")  # the demo call (other tests add calls of their own)
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "MIGRACIONES" not in page.inner_text(".container-fluid")
    shot("busqueda")
    page.locator(".convocatoria a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#cronograma tbody tr").count() > 3
    shot("convocatoria")
    page.locator("#resultados a").first.click()
    page.wait_for_load_state("networkidle")
    filas = page.locator("#tabla-resultados tbody tr")
    assert filas.count() > 0
    assert filas.first.locator("td").nth(2).inner_text().startswith("****")
    ancho = page.evaluate("document.documentElement.scrollWidth")
    assert ancho <= 390 + 1, f"la página se desborda horizontalmente ({ancho}px)"
    shot("resultados")
