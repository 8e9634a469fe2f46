"""The public portal (E1): calls by state, search, the call page, documents, announcements
and published results, for anyone, signed in or not.

What is public is decided here, explicitly, for every viewer alike (an ORH officer sees
another institution's calls here exactly as the public does): every call but a draft, the
published documents and announcements, and the results of the stages whose results were
published (a :class:`~casadmin.models.PublicacionEtapa` row). Personal data is limited to
the candidate's name and a masked document number (:mod:`casadmin.resultados`).
"""

from __future__ import annotations

import math

import sqlalchemy as sa
from flask import abort, request, send_file
from flask_appbuilder import BaseView, expose

from casadmin import models as m
from casadmin import resultados
from casadmin.extensions import db
from casadmin.final import ETAPA_FINAL
from casadmin.models.enums import EstadoConvocatoria, Etapa
from casadmin.storage import get_storage

POR_PAGINA = 20
FILAS_POR_PAGINA = 100

#: The state filters of the list, in the order of the life cycle (B4).
ESTADOS = [e for e in EstadoConvocatoria if e is not EstadoConvocatoria.borrador]


def _documentos_publicos(conv: m.Convocatoria) -> list[m.DocumentoConvocatoria]:
    """The call's published documents with a file, then its bases version's (B6): the annex formats an
    institution attaches once to its bases serve every call pinned to them (Migraciones: «Descargar los
    anexos del 01 al 05», Mig. 4)."""
    D = m.DocumentoConvocatoria
    de_la_version = db.session.scalars(sa.select(D).where(
        D.version_bases_id == conv.version_bases_id, D.convocatoria_id.is_(None), D.publicado.is_(True),
        D.archivo_id.is_not(None)).order_by(D.id)).all() if conv.version_bases_id else []
    return [*(d for d in conv.documentos if d.publicado and d.archivo_id), *de_la_version]


def _publica(convocatoria_id: int) -> m.Convocatoria:
    conv = db.session.get(m.Convocatoria, convocatoria_id)
    if conv is None or not conv.es_publica:
        abort(404)
    return conv


def _pagina() -> int:
    try:
        return max(1, int(request.args.get("pagina", "1")))
    except ValueError:
        return 1


def _publicaciones(conv_id: int) -> dict[Etapa, m.PublicacionEtapa]:
    pubs = db.session.scalars(sa.select(m.PublicacionEtapa).where(m.PublicacionEtapa.convocatoria_id == conv_id))
    out = {}
    for pub in pubs:
        try:
            out[Etapa[pub.etapa]] = pub
        except KeyError:  # a publication of something else than a stage (e.g. final results)
            continue
    return dict(sorted(out.items(), key=lambda kv: list(Etapa).index(kv[0])))


def _publicacion_final(conv_id: int) -> m.PublicacionEtapa | None:
    """The final results' publication (§4.2.6), whose cuadro de méritos is listed with the stages' documents."""
    return db.session.scalar(sa.select(m.PublicacionEtapa).where(m.PublicacionEtapa.convocatoria_id == conv_id,
                                                                 m.PublicacionEtapa.etapa == ETAPA_FINAL))


class PortalPublicoView(BaseView):
    """``/portal/``: no sign-in needed; nothing here depends on who asks."""

    route_base = "/portal"
    default_view = "convocatorias"
    class_permission_name = "PortalPublicoView"
    base_permissions = ["can_read"]

    @expose("/")
    def convocatorias(self):
        estado = request.args.get("estado", "")
        q = request.args.get("q", "").strip()[:100]
        c = m.Convocatoria
        where = [c.estado != EstadoConvocatoria.borrador]
        if estado in EstadoConvocatoria.__members__ and estado != "borrador":
            where.append(c.estado == EstadoConvocatoria[estado])
        if q:
            patron = f"%{q.replace('%', '').replace('_', '')}%"
            where.append(sa.or_(c.codigo.ilike(patron), c.nombre_puesto.ilike(patron), c.organo.ilike(patron),
                                m.Entidad.siglas.ilike(patron), m.Entidad.nombre.ilike(patron)))
        base = sa.select(c).join(m.Entidad, m.Entidad.id == c.entidad_id).where(*where)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
        paginas = max(1, math.ceil(total / POR_PAGINA))
        pagina = min(_pagina(), paginas)
        filas = db.session.scalars(
            base.order_by(c.anio.desc(), c.numero.desc(), c.id.desc()).offset((pagina - 1) * POR_PAGINA).limit(POR_PAGINA)
        ).all()
        return self.render_template("casadmin/publico/lista.html", convocatorias=filas, estados=ESTADOS,
                                    estado=estado, q=q, total=total, pagina=pagina, paginas=paginas)

    @expose("/<int:convocatoria_id>")
    def convocatoria(self, convocatoria_id: int):
        conv = _publica(convocatoria_id)
        documentos = _documentos_publicos(conv)
        comunicados = sorted((x for x in conv.comunicados if x.publicado),
                             key=lambda x: (x.publicado_en or x.creado_en), reverse=True)
        return self.render_template("casadmin/publico/convocatoria.html", conv=conv, documentos=documentos,
                                    comunicados=comunicados, publicaciones=_publicaciones(conv.id),
                                    final=_publicacion_final(conv.id))

    @expose("/<int:convocatoria_id>/resultados/<etapa>")
    def resultados(self, convocatoria_id: int, etapa: str):
        conv = _publica(convocatoria_id)
        if etapa not in Etapa.__members__ or Etapa[etapa] not in _publicaciones(conv.id):
            abort(404)
        et = Etapa[etapa]
        total = resultados.contar_publicados(db.session, conv.id, et)
        paginas = max(1, math.ceil(total / FILAS_POR_PAGINA))
        pagina = min(_pagina(), paginas)
        # a range of the stored publication order: page 500 costs what page 1 does (issue 5)
        filas = list(resultados.filas_publicadas(db.session, conv.id, et, desde=(pagina - 1) * FILAS_POR_PAGINA,
                                                 limite=FILAS_POR_PAGINA))
        enc = resultados.encabezado(db.session, conv.id, et)
        return self.render_template("casadmin/publico/resultados.html", conv=conv, etapa=et, enc=enc, filas=filas,
                                    total=total, pagina=pagina, paginas=paginas,
                                    publicacion=_publicaciones(conv.id)[et])

    @expose("/<int:convocatoria_id>/archivo/<int:archivo_id>")
    def archivo(self, convocatoria_id: int, archivo_id: int):
        """A file the call made public: a published document, an announcement's or a result list's."""
        conv = _publica(convocatoria_id)
        publicos = {d.archivo_id for d in _documentos_publicos(conv)}
        publicos |= {x.archivo_id for x in conv.comunicados if x.publicado}
        for pub in [*_publicaciones(conv.id).values(), _publicacion_final(conv.id)]:
            if pub is not None:
                publicos |= {pub.archivo_pdf_id, pub.archivo_xlsx_id}
        if archivo_id not in publicos - {None}:
            abort(404)
        archivo = db.session.get(m.Archivo, archivo_id)
        return send_file(get_storage().open(archivo.clave), mimetype=archivo.tipo_mime,
                         download_name=archivo.nombre_original, as_attachment=False)
