"""Browser tests: the real app served on loopback, driven by Playwright in Debian's chromium.

The app is the suite's session app (its database is SQLite or PostgreSQL, as for every other
test), served by werkzeug in a thread. No browser is ever downloaded: Playwright launches
``/usr/bin/chromium`` (``CASADMIN_CHROMIUM`` overrides it); when it is missing the tests
fail and say how to install it (``.ci/run`` installs it). Each step's screenshot is kept in
``test-artifacts/screenshots/<backend>/<test>/``.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CASADMIN_CHROMIUM", "/usr/bin/chromium")
BACKEND = os.environ.get("CASADMIN_TEST_BACKEND", "sqlite")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No se encontró {CHROMIUM}: instale Debian chromium (apt-get install -y chromium).")
    os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", "/nonexistent")  # never download a browser
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Pasos:
    """Numbered screenshots of one test's steps."""

    def __init__(self, page, carpeta: Path) -> None:
        self.page, self.carpeta, self.n = page, carpeta, 0
        carpeta.mkdir(parents=True, exist_ok=True)
        for viejo in carpeta.glob("*.png"):
            viejo.unlink()

    def __call__(self, nombre: str) -> Path:
        self.n += 1
        ruta = self.carpeta / f"{self.n:02d}-{nombre}.png"
        self.page.screenshot(path=str(ruta), full_page=True)
        return ruta


def _nuevo_contexto(browser, live_server: str, **kwargs):
    return browser.new_context(base_url=live_server, locale="es-PE", timezone_id="America/Lima", **kwargs)


@pytest.fixture()
def page(browser, live_server, request):
    """A page in a fresh browser context (its own cookies), desktop size."""
    ctx = _nuevo_contexto(browser, live_server, viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    ctx.close()


@pytest.fixture()
def phone_page(browser, live_server):
    """A page the size of a phone (an applicant on the bus, a committee member on a tablet in portrait)."""
    ctx = _nuevo_contexto(browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True,
                          has_touch=True, device_scale_factor=2)
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    ctx.close()


@pytest.fixture()
def pasos(request):
    """``pasos(page)("nombre")`` saves the next numbered screenshot of this test."""
    nombre = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def para(pg) -> Pasos:
        return Pasos(pg, ROOT / "test-artifacts" / "screenshots" / BACKEND / nombre)

    return para


@pytest.fixture()
def entrar():
    """``entrar(page, usuario, clave)`` signs in through the login form."""
    return iniciar_sesion


def iniciar_sesion(page, usuario: str, clave: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", usuario)
    page.fill("input[name=password]", clave)
    page.locator("form input[type=submit], form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
