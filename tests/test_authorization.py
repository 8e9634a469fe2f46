"""A2, A6: the authorization matrix — every registered screen and API, every role.

The expected table below is written from the roles of A2, not derived from
``casadmin.roles``: if a permission drifts, a row here fails.
"""

from __future__ import annotations

import pytest

ADMIN, ORH, COMITE, VEEDOR, POST, PUB = "admin", "orh", "comite", "veedor", "postulante", "publico"
ALL = {ADMIN, ORH, COMITE, VEEDOR, POST, PUB}
STAFF = {ADMIN, ORH, COMITE, VEEDOR}
NONE: set[str] = set()

#: screen route → (roles that may list, roles that may open the add form)
SCREENS: dict[str, tuple[set[str], set[str]]] = {
    "convocatoriaview": (ALL, {ADMIN, ORH}),
    "perfilpuestoview": (ALL, {ADMIN, ORH}),
    "requisitocapacitacionview": (ALL, {ADMIN, ORH}),
    "requisitoconocimientoview": (ALL, {ADMIN, ORH}),
    "requisitootroview": (ALL, {ADMIN, ORH}),
    "hitocronogramaview": (ALL, {ADMIN, ORH}),
    "comunicadoview": (ALL, {ADMIN, ORH}),
    "documentoconvocatoriaview": (ALL, {ADMIN, ORH}),
    "postulanteview": (STAFF | {POST}, {ADMIN}),  # the applicant edits on /mi-ficha/
    "formacionacademicaview": ({ADMIN, ORH, POST}, {ADMIN, POST}),
    "colegiaturaview": ({ADMIN, ORH, POST}, {ADMIN, POST}),
    "idiomaview": ({ADMIN, ORH, POST}, {ADMIN, POST}),
    "ofimaticaview": ({ADMIN, ORH, POST}, {ADMIN, POST}),
    "capacitacionview": ({ADMIN, ORH, POST}, {ADMIN, POST}),
    "experiencialaboralview": ({ADMIN, ORH, POST}, {ADMIN, POST}),
    "otrorequisitodeclaradoview": ({ADMIN, ORH, POST}, {ADMIN, POST}),
    "postulacionview": (STAFF | {POST}, NONE),
    "documentopostulacionview": (STAFF | {POST}, NONE),
    "resultadoetapaview": (STAFF | {POST}, NONE),
    "itemverificacionview": (STAFF, NONE),
    "miembrocomiteview": (STAFF, {ADMIN, ORH}),
    "citacionview": (STAFF | {POST}, {ADMIN, ORH}),
    "hojaentrevistaview": (STAFF, NONE),
    "bonificacionview": (STAFF, NONE),
    "resultadofinalview": (STAFF | {POST}, NONE),
    "contratoview": ({ADMIN, ORH, POST}, NONE),
    "impugnacionview": ({ADMIN, ORH, POST}, {ADMIN}),  # ORH records a recurso on the final results screen
    "publicacionetapaview": (ALL, NONE),
    "correosalienteview": ({ADMIN, ORH}, NONE),
    "entidadview": ({ADMIN, ORH}, {ADMIN}),
    "versionbasesview": (STAFF, {ADMIN}),
    "archivoview": ({ADMIN, ORH}, NONE),
    "registroauditoriaview": ({ADMIN, ORH}, NONE),
    # Flask-AppBuilder's security screens: administrators only.
    "users": ({ADMIN}, {ADMIN}),
    "roles": ({ADMIN}, {ADMIN}),
    "groups": ({ADMIN}, {ADMIN}),
    "permissions": ({ADMIN}, NONE),
    "viewmenus": ({ADMIN}, NONE),
    "permissionviews": ({ADMIN}, NONE),
}

#: API path → (roles that may GET the list, roles that may POST)
APIS: dict[str, tuple[set[str], set[str]]] = {
    "convocatoria": (ALL, {ADMIN, ORH}),
    "comunicado": (ALL, {ADMIN, ORH}),
    "cronograma": (ALL, {ADMIN, ORH}),
    "postulante": (STAFF | {POST}, NONE),
    "postulacion": (STAFF | {POST}, NONE),
    "resultado_etapa": (STAFF | {POST}, NONE),
    "hoja_entrevista": (STAFF, NONE),
    "resultado_final": (STAFF | {POST}, NONE),
    "correo": ({ADMIN, ORH}, NONE),
    "auditoria": ({ADMIN, ORH}, NONE),
    "security/users": ({ADMIN}, {ADMIN}),
    "security/roles": ({ADMIN}, {ADMIN}),
}

#: Registered views that are not CRUD screens or model APIs (covered elsewhere or public by nature).
NOT_IN_MATRIX = {
    "InicioView", "UtilView", "LocaleView", "SecurityApi", "UserInfoEditView", "ResetPasswordView",
    "ResetMyPasswordView", "AuthDBView", "UserStatsChartView", "OpenApi", "SwaggerView", "MenuApi",
    "PermissionApi", "ViewMenuApi", "PermissionViewMenuApi", "GroupApi", "ArchivoDescargaView",
    "PortalPublicoView",  # public by nature: tests/test_publico.py
    # The applicant's own screens (Postulante only, own rows only): tests/test_portal.py
    "FichaPostulanteView", "PostularView", "MisPostulacionesView",
    "PublicarResultadosView",  # ORH only: tests/test_publicacion.py
    "GestionConvocatoriaView",  # ORH only: tests/test_cronograma_convocatoria.py, tests/test_ciclo.py
    "ResultadosFinalesView", "ImpugnarView",  # ORH only / Postulante only: tests/test_final.py, test_impugnacion.py
    "ComiteView", "ComiteAsignacionView",  # committee members / Veedor, and ORH: tests/test_comite.py
    "EtapasView",  # ORH only: tests/test_etapas.py
    # A4, A5 and the call dashboard, each with its roles and scoping tested per screen:
    "PluginsView", "AuditoriaView", "PanelConvocatoriaView",  # tests/test_plugins_screen.py, test_auditoria_screen.py, test_panel.py
    # Public account screens (registration, activation, recovery) and the login: tests/test_cuenta.py
    "CuentaRegistroView", "CuentaRecuperacionView", "CasAuthDBView",
}


@pytest.fixture(scope="module")
def clients(clients_by_role):
    return clients_by_role


def _expect(status: int, allowed: bool, role: str, what: str) -> None:
    if allowed:
        assert status == 200, f"{role} should reach {what}, got {status}"
    elif role == PUB:
        assert status in (302, 401), f"anonymous should be sent to login from {what}, got {status}"
    else:
        assert status == 403, f"{role} should be refused {what}, got {status}"


def test_every_registered_view_is_in_the_matrix(app):
    seen = set()
    for view in app.appbuilder.baseviews:
        name = type(view).__name__
        if name in NOT_IN_MATRIX:
            continue
        route = (getattr(view, "resource_name", None) or view.route_base.strip("/")).removeprefix("api/v1/")
        seen.add(route)
    assert seen == set(SCREENS) | set(APIS), "a registered view is missing from the authorization matrix"


@pytest.mark.parametrize("route", sorted(SCREENS))
@pytest.mark.parametrize("role", sorted(ALL))
def test_screen_matrix(clients, route, role):
    may_list, may_add = SCREENS[route]
    client = clients[role]
    _expect(client.get(f"/{route}/list/").status_code, role in may_list, role, f"/{route}/list/")
    _expect(client.get(f"/{route}/add").status_code, role in may_add, role, f"/{route}/add")


@pytest.mark.parametrize("path", sorted(APIS))
@pytest.mark.parametrize("role", sorted(ALL))
def test_api_matrix(clients, path, role):
    may_get, may_post = APIS[path]
    client = clients[role]
    _expect(client.get(f"/api/v1/{path}/").status_code, role in may_get, role, f"GET /api/v1/{path}/")
    status = client.post(f"/api/v1/{path}/", json={}).status_code
    if role in may_post:
        assert status in (400, 422), f"{role} may POST to {path}: an empty body is invalid, not forbidden ({status})"
    elif role == PUB:
        assert status in (302, 401, 403, 405), f"anonymous POST to {path} gave {status}"
    else:
        assert status in (403, 405), f"{role} must not POST to {path} ({status})"


@pytest.mark.parametrize(
    "role,allowed", [(ADMIN, True), (ORH, True), (COMITE, False), (VEEDOR, False), (POST, False), (PUB, False)]
)
def test_openapi_and_swagger(clients, role, allowed):
    _expect(clients[role].get("/api/v1/_openapi").status_code, allowed, role, "/api/v1/_openapi")
    _expect(clients[role].get("/swagger/v1").status_code, role == ADMIN, role, "/swagger/v1")
