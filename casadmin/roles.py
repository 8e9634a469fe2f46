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
    # "Nueva convocatoria" wizard, the call's page and its life-cycle buttons (casadmin/views/gestion.py, B1–B4)
    "GestionConvocatoriaView": {ORH: "rw"},
    # Postulantes
    # The applicant edits their data on «Mi Ficha» (/mi-ficha/), which keeps the document number and checks a
    # new e-mail; this screen let them change both (another person's DNI or e-mail).
    "PostulanteView": {ORH: "rx", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
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
    # Results, checklists, final results, contracts and appeals change on their own screens, each step checked
    # and audited (casadmin.etapas, casadmin.final, casadmin.contratos, casadmin.impugnaciones): their generic
    # screens only read (an edit there changed a result unaudited, A5, or signed a contract unchecked).
    "ResultadoEtapaView": {ORH: "rx", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "ItemVerificacionView": {ORH: "r", COMITE: "r", VEEDOR: "r"},
    "MiembroComiteView": {ORH: "rwd", COMITE: "r", VEEDOR: "r"},
    "CitacionView": {ORH: "rwd", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "HojaEntrevistaView": {ORH: "r", COMITE: "r", VEEDOR: "r"},  # scored on ComiteView (audited)
    "BonificacionView": {ORH: "r", COMITE: "r", VEEDOR: "r"},
    "ResultadoFinalView": {ORH: "rx", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "ContratoView": {ORH: "r", POSTULANTE: "r"},
    "ImpugnacionView": {ORH: "r", POSTULANTE: "r"},  # filed on /finales/ and /impugnar/, with their deadline
    # Publicación
    "PublicacionEtapaView": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "CorreoSalienteView": {ORH: "rx"},
    "PublicarResultadosView": {ORH: "rw"},
    # Final results, ties, contract step and appeals (casadmin/views/final.py, D7–D11)
    "ResultadosFinalesView": {ORH: "rw"},
    "ImpugnarView": {POSTULANTE: "rw"},
    "EtapasView": {ORH: "rw"},  # the stage screens of a call (casadmin/views/etapas.py)
    # Administración
    "EntidadView": {ORH: "r"},
    "VersionBasesView": {ORH: "r", COMITE: "r", VEEDOR: "r"},
    "ArchivoView": {ORH: "r"},
    "RegistroAuditoriaView": {ORH: "rx"},
    # REST API (A6): same scoping, names end in "Api"
    "ConvocatoriaApi": {ORH: "rw", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "ComunicadoApi": {ORH: "rw", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "HitoCronogramaApi": {ORH: "rw", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    "PostulanteApi": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "PostulacionApi": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "ResultadoEtapaApi": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "HojaEntrevistaApi": {ORH: "r", COMITE: "r", VEEDOR: "r"},
    "ResultadoFinalApi": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r"},
    "CorreoSalienteApi": {ORH: "r"},
    "RegistroAuditoriaApi": {ORH: "r"},
    "OpenApi": {ORH: "r"},
    # The applicant's own screens (casadmin/views/portal.py): Ficha, applying, Mis postulaciones
    "FichaPostulanteView": {POSTULANTE: "rw"},
    "PostularView": {POSTULANTE: "rw"},
    "MisPostulacionesView": {POSTULANTE: "rw"},
    # The interview committee (casadmin/views/comite.py, §4.2.5): members score, the Veedor reads, ORH assigns
    "ComiteView": {COMITE: "rw", VEEDOR: "r"},
    "ComiteAsignacionView": {ORH: "rw"},
    # Files (our own endpoint, scoped like Archivo)
    "ArchivoDescargaView": {ORH: "r", COMITE: "r", VEEDOR: "r", POSTULANTE: "r", PUBLICO: "r"},
    # A4 plugin screen (ORH reads its institution's versions), A5 audit screen (read-only for everyone),
    # the dashboard of a call (the Veedor on the calls assigned to them): casadmin/views/{plugins,auditoria,panel}.py
    "PluginsView": {ORH: "r"},
    "AuditoriaView": {ORH: "r"},
    "PanelConvocatoriaView": {ORH: "r", VEEDOR: "r"},
}

#: The menu label of each staff screen (casadmin/views registers the screens under these labels). A staff role
#: (ORH, Comité, Veedor) sees an entry when it holds a permission on its screen and its category is in MENUS.
MENU_LABELS: dict[str, str] = {
    "ConvocatoriaView": "Convocatorias",
    "PerfilPuestoView": "Perfiles de puesto",
    "RequisitoCapacitacionView": "Requisitos de capacitación",
    "RequisitoConocimientoView": "Ofimática e idiomas",
    "RequisitoOtroView": "Otros requisitos",
    "HitoCronogramaView": "Cronograma",
    "ComunicadoView": "Comunicados",
    "DocumentoConvocatoriaView": "Documentos y anexos",
    "PostulanteView": "Postulantes",
    "FormacionAcademicaView": "Formación académica",
    "ColegiaturaView": "Colegiatura",
    "IdiomaView": "Idiomas y dialectos",
    "OfimaticaView": "Ofimática",
    "CapacitacionView": "Cursos y programas",
    "ExperienciaLaboralView": "Experiencia laboral",
    "OtroRequisitoDeclaradoView": "Otros requisitos declarados",
    "PostulacionView": "Postulaciones",
    "DocumentoPostulacionView": "Documentos de postulación",
    "ResultadoEtapaView": "Resultados por etapa",
    "ItemVerificacionView": "Listas de verificación",
    "MiembroComiteView": "Comités",
    "CitacionView": "Citaciones",
    "HojaEntrevistaView": "Hojas de entrevista",
    "BonificacionView": "Bonificaciones",
    "ResultadoFinalView": "Resultados finales",
    "ContratoView": "Contratos",
    "ImpugnacionView": "Impugnaciones",
    "PublicacionEtapaView": "Publicaciones",
    "CorreoSalienteView": "Correos",
    "EntidadView": "Entidades",
    "VersionBasesView": "Versiones de bases",
    "ArchivoView": "Archivos",
    "RegistroAuditoriaView": "Auditoría",
    "PublicarResultadosView": "Publicar resultados",
    "EtapasView": "Etapas",
    "ResultadosFinalesView": "Resultado final y contrato",
    "ComiteAsignacionView": "Comité de entrevista",
    "GestionConvocatoriaView": "Gestionar convocatorias",
    "PluginsView": "Plugins y bases",
    "AuditoriaView": "Trazabilidad (auditoría)",
    "PanelConvocatoriaView": "Panel de convocatorias",
}
STAFF = (ORH, COMITE, VEEDOR)

#: Menus each role sees (FAB's ``menu_access`` on the menu labels).
MENUS: dict[str, tuple[str, ...]] = {
    # Staff roles also see each screen of MENU_LABELS they hold a permission on (fab_roles).
    ORH: ("Convocatorias", "Postulantes", "Evaluación", "Publicación", "Administración", "Portal de convocatorias",
          "Nueva convocatoria"),
    COMITE: ("Convocatorias", "Evaluación", "Publicación", "Portal de convocatorias", "Entrevista Personal"),
    VEEDOR: ("Convocatorias", "Evaluación", "Publicación", "Portal de convocatorias", "Entrevista Personal"),
    # The applicant keeps read access to their own records in the staff screens (scoped), but the menu shows
    # only their portal: the staff menus would only confuse (an applicant on a phone). The public portal's
    # pages of a call are linked from the calls' list and from each application ("Portal de convocatorias"
    # sits under "Publicación", a staff menu, which FAB would not show them without the category).
    POSTULANTE: ("Mi Ficha de Postulante", "Convocatorias abiertas", "Mis postulaciones"),
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
        menus = list(MENUS.get(role, ()))
        if role in STAFF:
            menus += [label for view, label in MENU_LABELS.items() if permissions_for(role, view) and label not in menus]
        for menu in menus:
            pairs.append([f"^{re.escape(menu)}$", "menu_access"])
        if role != PUBLICO:
            # Every signed-in user may see and change their own password (FAB's user info).
            pairs.append([r"^UserInfoEditView$", "can_this_form_get"])
            pairs.append([r"^UserInfoEditView$", "can_this_form_post"])
            pairs.append([r"^ResetMyPasswordView$", "can_this_form_get"])
            pairs.append([r"^ResetMyPasswordView$", "can_this_form_post"])
            pairs.append([r"^UsuarioView$", "can_userinfo"])  # the user screen registered (security.py)
            pairs.append([r"^UsuarioView$", "resetmypassword"])
        roles[role] = pairs
    return roles
