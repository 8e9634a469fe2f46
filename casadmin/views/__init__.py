"""Screens and APIs, registered in the menu groups of the issue: Convocatorias, Postulantes,
Evaluación, Publicación, Administración."""

from __future__ import annotations

from flask_appbuilder import AppBuilder

from casadmin.views import administracion as adm
from casadmin.views import convocatorias as conv
from casadmin.views import cuenta
from casadmin.views import evaluacion as ev
from casadmin.views import portal
from casadmin.views import postulantes as post
from casadmin.views.archivos import ArchivoDescargaView
from casadmin.views.publicar import PublicarResultadosView
from casadmin.views.publico import PortalPublicoView

#: The public portal's menu entry (E1).
PORTAL = "Portal de convocatorias"
#: ORH's publication screen (E2).
PUBLICAR = "Publicar resultados"

#: (view class, menu label, menu category, icon)
MENU = [
    (conv.ConvocatoriaView, "Convocatorias", "Convocatorias", "fa-bullhorn"),
    (conv.PerfilPuestoView, "Perfiles de puesto", "Convocatorias", "fa-id-card"),
    (conv.RequisitoCapacitacionView, "Requisitos de capacitación", "Convocatorias", "fa-graduation-cap"),
    (conv.RequisitoConocimientoView, "Ofimática e idiomas", "Convocatorias", "fa-language"),
    (conv.RequisitoOtroView, "Otros requisitos", "Convocatorias", "fa-list"),
    (conv.HitoCronogramaView, "Cronograma", "Convocatorias", "fa-calendar"),
    (conv.ComunicadoView, "Comunicados", "Convocatorias", "fa-comment"),
    (conv.DocumentoConvocatoriaView, "Documentos y anexos", "Convocatorias", "fa-file-pdf-o"),
    (post.PostulanteView, "Postulantes", "Postulantes", "fa-user"),
    (post.FormacionAcademicaView, "Formación académica", "Postulantes", "fa-graduation-cap"),
    (post.ColegiaturaView, "Colegiatura", "Postulantes", "fa-certificate"),
    (post.IdiomaView, "Idiomas y dialectos", "Postulantes", "fa-language"),
    (post.OfimaticaView, "Ofimática", "Postulantes", "fa-desktop"),
    (post.CapacitacionView, "Cursos y programas", "Postulantes", "fa-book"),
    (post.ExperienciaLaboralView, "Experiencia laboral", "Postulantes", "fa-briefcase"),
    (post.OtroRequisitoDeclaradoView, "Otros requisitos declarados", "Postulantes", "fa-check-square-o"),
    (post.PostulacionView, "Postulaciones", "Postulantes", "fa-inbox"),
    (post.DocumentoPostulacionView, "Documentos de postulación", "Postulantes", "fa-paperclip"),
    (ev.ResultadoEtapaView, "Resultados por etapa", "Evaluación", "fa-check"),
    (ev.ItemVerificacionView, "Listas de verificación", "Evaluación", "fa-list-ol"),
    (ev.MiembroComiteView, "Comités", "Evaluación", "fa-users"),
    (ev.CitacionView, "Citaciones", "Evaluación", "fa-clock-o"),
    (ev.HojaEntrevistaView, "Hojas de entrevista", "Evaluación", "fa-pencil-square-o"),
    (ev.BonificacionView, "Bonificaciones", "Evaluación", "fa-plus-circle"),
    (ev.ResultadoFinalView, "Resultados finales", "Evaluación", "fa-trophy"),
    (ev.ContratoView, "Contratos", "Evaluación", "fa-handshake-o"),
    (ev.ImpugnacionView, "Impugnaciones", "Evaluación", "fa-gavel"),
    (adm.PublicacionEtapaView, "Publicaciones", "Publicación", "fa-globe"),
    (adm.CorreoSalienteView, "Correos", "Publicación", "fa-envelope"),
    (adm.EntidadView, "Entidades", "Administración", "fa-building"),
    (adm.VersionBasesView, "Versiones de bases", "Administración", "fa-book"),
    (adm.PluginEntidadView, "Plugins", "Administración", "fa-plug"),
    (adm.ArchivoView, "Archivos", "Administración", "fa-archive"),
    (adm.RegistroAuditoriaView, "Auditoría", "Administración", "fa-shield"),
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
    for view, label, category, icon in MENU:
        appbuilder.add_view(view, label, icon=icon, category=category)
    for api in APIS:
        appbuilder.add_api(api)
    appbuilder.add_view_no_menu(ArchivoDescargaView)
    cuenta.register(appbuilder)  # public: registration, activation, password recovery (C1, G1)
    portal.register(appbuilder)  # the applicant's screens (C2, C3, C5, C6)
    appbuilder.add_view_no_menu(PortalPublicoView)
    appbuilder.add_link(PORTAL, href="/portal/", icon="fa-globe", category="Publicación")
    appbuilder.add_view(PublicarResultadosView, PUBLICAR, icon="fa-upload", category="Publicación")
