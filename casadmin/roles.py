"""The roles of A2 and what each may do on every view and API (defined in code).

``PERMISSIONS`` maps a view or API class name to the operations each role has
on it: ``r`` read (list, show, get, info), ``w`` write (add, edit, post, put),
``d`` delete, ``x`` download/export. Rows a role may reach are further limited
by :mod:`casadmin.scoping`. FAB's ``FAB_ROLES`` is generated from this table.
"""

from __future__ import annotations

import re

ADMIN = "Administrador"
ORH = "ORH"
COMITE = "Comite"
VEEDOR = "Veedor"
POSTULANTE = "Postulante"
PUBLICO = "Publico"

STAFF_ROLES = (ORH, COMITE, VEEDOR)
ALL_ROLES = (ADMIN, ORH, COMITE, VEEDOR, POSTULANTE, PUBLICO)

_OPS = {
    "r": ("can_list", "can_show", "can_get", "can_info", "can_read"),
    "w": ("can_add", "can_edit", "can_post", "can_put"),
    "a": ("can_add", "can_post"),  # add only (append-only records)
    "d": ("can_delete",),
    "x": ("can_download", "can_export"),
}

#: view or API class name → {role: ops}. The administrator has every permission.
PERMISSIONS: dict[str, dict[str, str]] = {
    # Convocatorias
    "ConvocatoriaView": {ORH: "rwdx", COMITE: "rx", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "PerfilPuestoView": {ORH: "rwd", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "RequisitoCapacitacionView": {ORH: "rwd", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "RequisitoConocimientoView": {ORH: "rwd", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "RequisitoOtroView": {ORH: "rwd", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "HitoCronogramaView": {ORH: "rwd", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "ComunicadoView": {ORH: "rwd", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "DocumentoConvocatoriaView": {ORH: "rwd", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    # Postulantes
    "PostulanteView": {ORH: "rx", COMITE: "r", VEEDOR: "r", POSTULANTE: "rw"},
    "FormacionAcademicaView": {ORH: "r", POSTULANTE: "rwd"},
    "ColegiaturaView": {ORH: "r", POSTULANTE: "rwd"},
    "IdiomaView": {ORH: "r", POSTULANTE: "rwd"},
    "OfimaticaView": {ORH: "r", POSTULANTE: "rwd"},
    "CapacitacionView": {ORH: "r", POSTULANTE: "rwd"},
    "ExperienciaLaboralView": {ORH: "r", POSTULANTE: "rwd"},
    "OtroRequisitoDeclaradoView": {ORH: "r", POSTULANTE: "rwd"},
    "PostulacionView": {ORH: "rx", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "DocumentoPostulacionView": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    # Evaluación
    "ResultadoEtapaView": {ORH: "rwx", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "ItemVerificacionView": {ORH: "rw", COMITE: "r", VEEDOR: "r"},
    "MiembroComiteView": {ORH: "rwd", COMITE: "r", VEEDOR: "r"},
    "CitacionView": {ORH: "rwd", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "HojaEntrevistaView": {ORH: "r", COMITE: "rw", VEEDOR: "r"},
    "BonificacionView": {ORH: "r", COMITE: "r", VEEDOR: "r"},
    "ResultadoFinalView": {ORH: "rwx", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "ContratoView": {ORH: "rw", POSTULANTE: "r"},
    "ImpugnacionView": {ORH: "rw", POSTULANTE: "r"},
    # Publicación
    "PublicacionEtapaView": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "CorreoSalienteView": {ORH: "rx"},
    "PublicarResultadosView": {ORH: "rw"},
    # Administración
    "EntidadView": {ORH: "r"},
    "VersionBasesView": {ORH: "r", COMITE: "r", VEEDOR: "r"},
    "PluginEntidadView": {ORH: "r"},
    "ArchivoView": {ORH: "r"},
    "RegistroAuditoriaView": {ORH: "rx"},
    # REST API (A6): same scoping, names end in "Api"
    "ConvocatoriaApi": {ORH: "rw", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "ComunicadoApi": {ORH: "rw", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "HitoCronogramaApi": {ORH: "rw", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "PostulanteApi": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "PostulacionApi": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "ResultadoEtapaApi": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "HojaEntrevistaApi": {ORH: "r", COMITE: "rw", VEEDOR: "r"},
    "ResultadoFinalApi": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "CorreoSalienteApi": {ORH: "r"},
    "RegistroAuditoriaApi": {ORH: "r"},
    "OpenApi": {ORH: "r"},
    # The applicant's own screens (casadmin/views/portal.py): Ficha, applying, Mis postulaciones
    "FichaPostulanteView": {POSTULANTE: "rw"},
    "PostularView": {POSTULANTE: "rw"},
    "MisPostulacionesView": {POSTULANTE: "rw"},
    # Files (our own endpoint, scoped like Archivo)
    "ArchivoDescargaView": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
}

#: Menus each role sees (FAB's ``menu_access`` on the menu labels).
MENUS: dict[str, tuple[str, ...]] = {
    ORH: ("Convocatorias", "Postulantes", "Evaluación", "Publicación", "Administración", "Portal de convocatorias"),
    COMITE: ("Convocatorias", "Evaluación", "Publicación", "Portal de convocatorias"),
    VEEDOR: ("Convocatorias", "Evaluación", "Publicación", "Portal de convocatorias"),
    POSTULANTE: ("Convocatorias", "Postulantes", "Evaluación", "Publicación", "Portal de convocatorias",
                 "Mi Ficha de Postulante", "Convocatorias abiertas", "Mis postulaciones"),
    PUBLICO: ("Convocatorias", "Publicación", "Portal de convocatorias"),
}


def permissions_for(role: str, view: str) -> set[str]:
    """FAB permission names ``role`` holds on ``view`` (from :data:`PERMISSIONS`)."""
    ops = PERMISSIONS.get(view, {}).get(role, "")
    return {perm for op in ops for perm in _OPS[op]}


def fab_roles() -> dict[str, list[list[str]]]:
    """``FAB_ROLES``: each non-admin role as (view regex, permission) pairs."""
    roles: dict[str, list[list[str]]] = {}
    for role in (ORH, COMITE, VEEDOR, POSTULANTE, PUBLICO):
        pairs: list[list[str]] = []
        for view in PERMISSIONS:
            for perm in sorted(permissions_for(role, view)):
                pairs.append([f"^{re.escape(view)}$", perm])
        for menu in MENUS.get(role, ()):
            pairs.append([f"^{re.escape(menu)}$", "menu_access"])
        if role != PUBLICO:
            # Every signed-in user may see and change their own password (FAB's user info).
            pairs.append([r"^UserInfoEditView$", "can_this_form_get"])
            pairs.append([r"^UserInfoEditView$", "can_this_form_post"])
            pairs.append([r"^ResetMyPasswordView$", "can_this_form_get"])
            pairs.append([r"^ResetMyPasswordView$", "can_this_form_post"])
            pairs.append([r"^UserDBModelView$", "can_userinfo"])
            pairs.append([r"^UserDBModelView$", "resetmypassword"])
        roles[role] = pairs
    return roles
