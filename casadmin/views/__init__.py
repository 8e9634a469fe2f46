"""Screens and APIs, registered in the menu groups of the issue: Convocatorias, Postulantes,
Evaluación, Publicación, Administración."""

from __future__ import annotations

from flask_appbuilder import AppBuilder

from casadmin.views import administracion as adm
from casadmin.views import convocatorias as conv
from casadmin.views import comite
from casadmin.views import cuenta
from casadmin.views import evaluacion as ev
from casadmin.views import gestion
from casadmin.views import portal
from casadmin.views import postulantes as post
from casadmin.roles import MENU_LABELS
from casadmin.views.archivos import ArchivoDescargaView
from casadmin.views.etapas import EtapasView
from casadmin.views.final import ImpugnarView, ResultadosFinalesView
from casadmin.views.publicar import PublicarResultadosView
from casadmin.views.publico import PortalPublicoView

#: The public portal's menu entry (E1).
PORTAL = "Portal de convocatorias"

#: (view class, menu category, icon); each label comes from roles.MENU_LABELS
MENU = [
    (conv.ConvocatoriaView, "Convocatorias", "fa-bullhorn"),
    (conv.PerfilPuestoView, "Convocatorias", "fa-id-card"),
    (conv.RequisitoCapacitacionView, "Convocatorias", "fa-graduation-cap"),
    (conv.RequisitoConocimientoView, "Convocatorias", "fa-language"),
    (conv.RequisitoOtroView, "Convocatorias", "fa-list"),
    (conv.HitoCronogramaView, "Convocatorias", "fa-calendar"),
    (conv.ComunicadoView, "Convocatorias", "fa-comment"),
    (conv.DocumentoConvocatoriaView, "Convocatorias", "fa-file-pdf-o"),
    (post.PostulanteView, "Postulantes", "fa-user"),
    (post.FormacionAcademicaView, "Postulantes", "fa-graduation-cap"),
    (post.ColegiaturaView, "Postulantes", "fa-certificate"),
    (post.IdiomaView, "Postulantes", "fa-language"),
    (post.OfimaticaView, "Postulantes", "fa-desktop"),
    (post.CapacitacionView, "Postulantes", "fa-book"),
    (post.ExperienciaLaboralView, "Postulantes", "fa-briefcase"),
    (post.OtroRequisitoDeclaradoView, "Postulantes", "fa-check-square-o"),
    (post.PostulacionView, "Postulantes", "fa-inbox"),
    (post.DocumentoPostulacionView, "Postulantes", "fa-paperclip"),
    (ev.ResultadoEtapaView, "Evaluación", "fa-check"),
    (ev.ItemVerificacionView, "Evaluación", "fa-list-ol"),
    (ev.MiembroComiteView, "Evaluación", "fa-users"),
    (ev.CitacionView, "Evaluación", "fa-clock-o"),
    (ev.HojaEntrevistaView, "Evaluación", "fa-pencil-square-o"),
    (ev.BonificacionView, "Evaluación", "fa-plus-circle"),
    (ev.ResultadoFinalView, "Evaluación", "fa-trophy"),
    (ev.ContratoView, "Evaluación", "fa-handshake-o"),
    (ev.ImpugnacionView, "Evaluación", "fa-gavel"),
    (adm.PublicacionEtapaView, "Publicación", "fa-globe"),
    (adm.CorreoSalienteView, "Publicación", "fa-envelope"),
    (adm.EntidadView, "Administración", "fa-building"),
    (adm.VersionBasesView, "Administración", "fa-book"),
    (adm.ArchivoView, "Administración", "fa-archive"),
    (adm.RegistroAuditoriaView, "Administración", "fa-shield"),
]

APIS = [
    conv.ConvocatoriaApi,
    conv.ComunicadoApi,
    conv.HitoCronogramaApi,
    post.PostulanteApi,
    post.PostulacionApi,
    ev.ResultadoEtapaApi,
    ev.HojaEntrevistaApi,
    ev.ResultadoFinalApi,
    adm.CorreoSalienteApi,
    adm.RegistroAuditoriaApi,
]


def register(appbuilder: AppBuilder) -> None:
    for view, category, icon in MENU:
        appbuilder.add_view(view, MENU_LABELS[view.__name__], icon=icon, category=category)
    for api in APIS:
        appbuilder.add_api(api)
    appbuilder.add_view_no_menu(ArchivoDescargaView)
    cuenta.register(appbuilder)  # public: registration, activation, password recovery (C1, G1)
    portal.register(appbuilder)  # the applicant's screens (C2, C3, C5, C6)
    appbuilder.add_view_no_menu(PortalPublicoView)
    appbuilder.add_link(PORTAL, href="/portal/", icon="fa-globe", category="Publicación")
    appbuilder.add_view(PublicarResultadosView, MENU_LABELS["PublicarResultadosView"], icon="fa-upload", category="Publicación")
    # D7–D11: ranking with bonuses, committee ties, contract step, appeals; the applicant's appeal form
    appbuilder.add_view(ResultadosFinalesView, MENU_LABELS["ResultadosFinalesView"], icon="fa-trophy", category="Evaluación")
    appbuilder.add_view_no_menu(ImpugnarView)
    appbuilder.add_view(EtapasView, MENU_LABELS["EtapasView"], icon="fa-tasks", category="Evaluación")
    comite.register(appbuilder)  # the interview committee: members' sheets, ORH's assignment (§4.2.5, D6)
    gestion.register(appbuilder)  # ORH: "Nueva convocatoria" wizard, the call's page and life cycle (B1–B4)
    # A4 plugins and bases versions, A5 audit trail screen, the call dashboard (casadmin/views/{plugins,auditoria,panel}.py)
    from casadmin.views import auditoria, panel, plugins

    plugins.register(appbuilder)
    auditoria.register(appbuilder)
    panel.register(appbuilder)
