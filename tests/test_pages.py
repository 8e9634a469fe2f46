"""A3: every list, add and edit page renders for each role that has it, in Spanish."""

from __future__ import annotations

import re

import pytest

from tests.test_authorization import SCREENS

#: screen → roles that may edit (an edit link appears in their list and the form renders and saves).
EDITABLE: dict[str, set[str]] = {
    "convocatoriaview": {"admin", "orh"},
    "perfilpuestoview": {"admin", "orh"},
    "requisitocapacitacionview": {"admin", "orh"},
    "requisitoconocimientoview": {"admin", "orh"},
    "hitocronogramaview": {"admin", "orh"},
    "postulanteview": {"admin"},  # the applicant edits on /mi-ficha/, which keeps the document
    "formacionacademicaview": {"admin", "postulante"},
    "colegiaturaview": {"admin", "postulante"},
    "idiomaview": {"admin", "postulante"},
    "ofimaticaview": {"admin", "postulante"},
    "capacitacionview": {"admin", "postulante"},
    "experiencialaboralview": {"admin", "postulante"},
    "miembrocomiteview": {"admin", "orh"},
    "citacionview": {"admin", "orh"},
    # hojaentrevistaview: read-only; members score on /comite/ (tests/test_comite.py), audited
    "entidadview": {"admin"},
    "versionbasesview": {"admin"},
}


@pytest.mark.parametrize("route", sorted(SCREENS))
def test_list_and_add_pages_render_for_allowed_roles(request, route):
    clients = request.getfixturevalue("clients_by_role")
    may_list, may_add = SCREENS[route]
    for role in may_list:
        r = clients[role].get(f"/{route}/list/")
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        assert "Buscar" in html and "Search" not in html, f"{route} list not in Spanish for {role}"
        assert "Add a new record" not in html and "Edit record" not in html
    for role in may_add:
        r = clients[role].get(f"/{route}/add")
        assert r.status_code == 200 and "<form" in r.get_data(as_text=True)


@pytest.mark.parametrize("route", sorted(EDITABLE))
def test_edit_pages_render(request, route):
    clients = request.getfixturevalue("clients_by_role")
    for role in sorted(EDITABLE[route]):
        client = clients[role]
        html = client.get(f"/{route}/list/").get_data(as_text=True)
        ids = re.findall(rf"/{route}/edit/(\d+)", html)
        assert ids, f"{role} has no editable row in {route}"
        form = client.get(f"/{route}/edit/{ids[0]}")
        assert form.status_code == 200 and "<form" in form.get_data(as_text=True)


@pytest.mark.parametrize("role, expected", [
    ("orh", ("/etapas/", "/publicar/", "/finales/", "/resultadoetapaview/list/", "/comite-asignacion/", "/gestion/",
             "/panel/", "/auditoria/", "/plugins/")),
    ("comite", ("/comite/", "/resultadoetapaview/list/")),
    ("veedor", ("/comite/", "/panel/")),
])
def test_staff_menus_lead_to_every_screen_of_the_role_and_each_entry_opens(clients_by_role, role, expected):
    """roles.MENU_LABELS: a staff role sees the menu entry of each screen it holds a permission on (and only
    those: every entry it is shown opens)."""
    import re

    c = clients_by_role[role]
    page = c.get("/convocatoriaview/list/").get_data(as_text=True)
    menu = page[page.index("navbar"):page.index("</nav>")] if "</nav>" in page else page
    links = sorted(set(re.findall(r'href="(/[a-z][^"]*)"', menu)) - {"/logout/", "/users/userinfo/", "/back"})
    for href in expected:
        assert href in links, f"{role}: falta {href} en el menú"
    for href in links:
        assert c.get(href).status_code == 200, f"{role}: {href}"
