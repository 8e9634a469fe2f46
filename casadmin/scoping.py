"""The one place that decides which rows a user may see (A2, STYLE §6).

Every screen, REST endpoint and file download asks :func:`condition` for the
SQL condition that limits a model to what the current user may see:

* Administrador: everything.
* ORH: the rows of their own institution.
* Comité and Veedor: the calls they are assigned to and those calls' candidates;
  a committee member's interview sheets are only their own.
* Postulante: their own records, plus what the public sees.
* Anonymous public: published calls and what they publish.

A user holding several roles sees the union.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user

from casadmin import models as m
from casadmin.models.enums import EstadoConvocatoria, Etapa
from casadmin.roles import ADMIN, COMITE, ORH, POSTULANTE, VEEDOR

TRUE = sa.true()
FALSE = sa.false()


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the parts of a user that scoping needs."""

    user_id: int | None = None
    entidad_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


ANONYMOUS = Viewer()


def current_viewer() -> Viewer:
    """The viewer for the current request; anonymous outside a request.

    Not cached on ``g``: an app context may outlive one request (tests, CLI), and the
    user is already loaded once per request by Flask-Login.
    """
    if not has_request_context():
        return ANONYMOUS
    if current_user and getattr(current_user, "is_authenticated", False):
        return Viewer(
            user_id=current_user.id,
            entidad_id=getattr(current_user, "entidad_id", None),
            roles=frozenset(r.name for r in current_user.roles),
        )
    return ANONYMOUS


# --- building blocks ------------------------------------------------------------


def _any(*conds: Any) -> Any:
    conds = [c for c in conds if c is not None]
    if not conds:
        return FALSE
    return sa.or_(*conds) if len(conds) > 1 else conds[0]


def _assigned_calls(v: Viewer) -> Any:
    """Ids of the calls a committee member or Veedor is assigned to."""
    return sa.select(m.MiembroComite.convocatoria_id).where(m.MiembroComite.usuario_id == v.user_id)


def _public_calls() -> Any:
    return sa.select(m.Convocatoria.id).where(m.Convocatoria.estado != EstadoConvocatoria.borrador)


def _own_postulante(v: Viewer) -> Any:
    return sa.select(m.Postulante.id).where(m.Postulante.usuario_id == v.user_id)


def _public_reader(v: Viewer) -> bool:
    """Applicants and the public read what is published; staff work only on their own
    institution's or assignments' rows, so a published call elsewhere is out of their scope
    (the same filter guards edit and delete)."""
    return not v.has(ORH, COMITE, VEEDOR)


def _call_condition(column: Any, v: Viewer, public: bool = True) -> Any:
    """Rows hanging from a call (``column`` = their convocatoria id)."""
    conds = []
    if v.has(ORH):
        conds.append(
            column.in_(sa.select(m.Convocatoria.id).where(m.Convocatoria.entidad_id == v.entidad_id))
        )
    if v.has(COMITE, VEEDOR):
        conds.append(column.in_(_assigned_calls(v)))
    if public and _public_reader(v):
        conds.append(column.in_(_public_calls()))
    return _any(*conds)


def _citados_del_comite(v: Viewer) -> sa.Select:
    """The applications a committee member or Veedor works on: those cited to the interview (in force) of
    the calls they are assigned to. The rest of the call's applicants (their document, birth date, phone,
    e-mail, Ficha) are not theirs to read (A2; §4.2.5: the committee interviews the candidates cited)."""
    C = m.Citacion
    return sa.select(C.postulacion_id).join(m.Postulacion, m.Postulacion.id == C.postulacion_id).where(
        C.etapa == Etapa.entrevista, C.anulada_en.is_(None), m.Postulacion.convocatoria_id.in_(_assigned_calls(v)))


def _postulacion_condition(column: Any, v: Viewer, own: bool = True) -> Any:
    """Rows hanging from an application (``column`` = their postulacion id)."""
    conds = []
    if v.has(ORH):
        conds.append(
            column.in_(
                sa.select(m.Postulacion.id).where(
                    _call_condition(m.Postulacion.convocatoria_id, _only(v, ORH), public=False)
                )
            )
        )
    if v.has(COMITE, VEEDOR):
        conds.append(column.in_(_citados_del_comite(v)))
    if own and v.has(POSTULANTE):
        conds.append(
            column.in_(sa.select(m.Postulacion.id).where(m.Postulacion.postulante_id.in_(_own_postulante(v))))
        )
    return _any(*conds)


def _postulante_condition(column: Any, v: Viewer) -> Any:
    """Applicants: their own; staff see those who applied to calls they can work on."""
    conds = []
    if v.has(POSTULANTE):
        conds.append(column.in_(_own_postulante(v)))
    if v.has(ORH):
        conds.append(
            column.in_(
                sa.select(m.Postulacion.postulante_id).where(
                    _call_condition(m.Postulacion.convocatoria_id, _only(v, ORH), public=False)
                )
            )
        )
    if v.has(COMITE, VEEDOR):
        conds.append(column.in_(sa.select(m.Postulacion.postulante_id).where(
            m.Postulacion.id.in_(_citados_del_comite(v)))))
    return _any(*conds)


def _entidad_condition(column: Any, v: Viewer) -> Any:
    if v.has(ORH, COMITE, VEEDOR) and v.entidad_id is not None:
        return column == v.entidad_id
    return FALSE


# --- the rules, one per model ------------------------------------------------------

Rule = Callable[[Viewer], Any]

RULES: dict[type, Rule] = {
    m.Entidad: lambda v: _entidad_condition(m.Entidad.id, v),
    m.VersionBases: lambda v: _entidad_condition(m.VersionBases.entidad_id, v),
    m.PluginEntidad: lambda v: _entidad_condition(m.PluginEntidad.entidad_id, v) if v.has(ORH) else FALSE,
    m.Convocatoria: lambda v: _call_condition(m.Convocatoria.id, v),
    m.PerfilPuesto: lambda v: _call_condition(m.PerfilPuesto.convocatoria_id, v),
    m.RequisitoCapacitacion: lambda v: m.RequisitoCapacitacion.perfil_id.in_(
        sa.select(m.PerfilPuesto.id).where(_call_condition(m.PerfilPuesto.convocatoria_id, v))
    ),
    m.RequisitoConocimiento: lambda v: m.RequisitoConocimiento.perfil_id.in_(
        sa.select(m.PerfilPuesto.id).where(_call_condition(m.PerfilPuesto.convocatoria_id, v))
    ),
    m.RequisitoOtro: lambda v: m.RequisitoOtro.perfil_id.in_(
        sa.select(m.PerfilPuesto.id).where(_call_condition(m.PerfilPuesto.convocatoria_id, v))
    ),
    m.HitoCronograma: lambda v: _call_condition(m.HitoCronograma.convocatoria_id, v),
    m.Comunicado: lambda v: _any(
        _call_condition(m.Comunicado.convocatoria_id, v, public=False),
        sa.and_(m.Comunicado.publicado.is_(True), _call_condition(m.Comunicado.convocatoria_id, ANONYMOUS))
        if _public_reader(v)
        else None,
    ),
    m.DocumentoConvocatoria: lambda v: _any(
        _call_condition(m.DocumentoConvocatoria.convocatoria_id, v, public=False),
        m.DocumentoConvocatoria.version_bases_id.in_(
            sa.select(m.VersionBases.id).where(_entidad_condition(m.VersionBases.entidad_id, v))
        ),
        sa.and_(
            m.DocumentoConvocatoria.publicado.is_(True),
            sa.or_(
                m.DocumentoConvocatoria.convocatoria_id.in_(_public_calls()),
                m.DocumentoConvocatoria.convocatoria_id.is_(None),
            ),
        )
        if _public_reader(v)
        else None,
    ),
    m.Postulante: lambda v: _postulante_condition(m.Postulante.id, v),
    m.FormacionAcademica: lambda v: _postulante_condition(m.FormacionAcademica.postulante_id, v),
    m.Colegiatura: lambda v: _postulante_condition(m.Colegiatura.postulante_id, v),
    m.Idioma: lambda v: _postulante_condition(m.Idioma.postulante_id, v),
    m.Ofimatica: lambda v: _postulante_condition(m.Ofimatica.postulante_id, v),
    m.Capacitacion: lambda v: _postulante_condition(m.Capacitacion.postulante_id, v),
    m.ExperienciaLaboral: lambda v: _postulante_condition(m.ExperienciaLaboral.postulante_id, v),
    m.OtroRequisitoDeclarado: lambda v: _postulante_condition(m.OtroRequisitoDeclarado.postulante_id, v),
    # The same rows as _postulacion_condition(Postulacion.id, v), written on the row's own columns so that
    # a list of 150,000 applications is counted from an index, not through a self-join (issue 5).
    m.Postulacion: lambda v: _any(
        _call_condition(m.Postulacion.convocatoria_id, _only(v, ORH), public=False) if v.has(ORH) else None,
        m.Postulacion.id.in_(_citados_del_comite(v)) if v.has(COMITE, VEEDOR) else None,
        m.Postulacion.postulante_id.in_(_own_postulante(v)) if v.has(POSTULANTE) else None,
    ),
    m.DocumentoPostulacion: lambda v: _postulacion_condition(m.DocumentoPostulacion.postulacion_id, v),
    # Staff: by the result's own call (always its application's call), as for Postulacion (issue 5);
    # an applicant: their own results once published.
    m.ResultadoEtapa: lambda v: _any(
        _call_condition(m.ResultadoEtapa.convocatoria_id, _only(v, ORH), public=False) if v.has(ORH) else None,
        m.ResultadoEtapa.postulacion_id.in_(_citados_del_comite(v)) if v.has(COMITE, VEEDOR) else None,
        sa.and_(m.ResultadoEtapa.publicado.is_(True),
                _postulacion_condition(m.ResultadoEtapa.postulacion_id, _only(v, POSTULANTE)))
        if v.has(POSTULANTE) else None,
    ),
    m.ItemVerificacion: lambda v: m.ItemVerificacion.resultado_etapa_id.in_(
        sa.select(m.ResultadoEtapa.id).where(
            _postulacion_condition(m.ResultadoEtapa.postulacion_id, v, own=False)
        )
    ),
    m.PublicacionEtapa: lambda v: _call_condition(m.PublicacionEtapa.convocatoria_id, v),
    m.MiembroComite: lambda v: _any(
        m.MiembroComite.convocatoria_id.in_(
            sa.select(m.Convocatoria.id).where(m.Convocatoria.entidad_id == v.entidad_id)
        )
        if v.has(ORH)
        else None,
        m.MiembroComite.usuario_id == v.user_id if v.has(COMITE, VEEDOR) else None,
    ),
    m.Citacion: lambda v: _postulacion_condition(m.Citacion.postulacion_id, v),
    # The Veedor reads a member's sheet once submitted, never a draft; ORH once the candidate's stage score
    # is formed (§4.2.5 f: each member scores on their own, and the ORH representative on the committee is
    # ORH staff, who would otherwise read the other member's sheet first; casadmin/comite.py).
    m.HojaEntrevista: lambda v: _any(
        sa.and_(m.HojaEntrevista.enviada.is_(True),
                _postulacion_condition(m.HojaEntrevista.postulacion_id, _only(v, VEEDOR), own=False))
        if v.has(VEEDOR)
        else None,
        sa.and_(m.HojaEntrevista.enviada.is_(True), _entrevista_formada(m.HojaEntrevista.postulacion_id),
                _postulacion_condition(m.HojaEntrevista.postulacion_id, _only(v, ORH), own=False))
        if v.has(ORH)
        else None,
        m.HojaEntrevista.miembro_id.in_(
            sa.select(m.MiembroComite.id).where(m.MiembroComite.usuario_id == v.user_id)
        )
        if v.has(COMITE)
        else None,
    ),
    m.Bonificacion: lambda v: _postulacion_condition(m.Bonificacion.postulacion_id, v, own=False),
    m.ResultadoFinal: lambda v: _any(
        _postulacion_condition(m.ResultadoFinal.postulacion_id, v, own=False),
        sa.and_(m.ResultadoFinal.publicado.is_(True), _postulacion_condition(m.ResultadoFinal.postulacion_id, v)),
    ),
    m.Contrato: lambda v: _postulacion_condition(m.Contrato.postulacion_id, _only(v, ORH, POSTULANTE)),
    m.Impugnacion: lambda v: _postulacion_condition(m.Impugnacion.postulacion_id, _only(v, ORH, POSTULANTE)),
    m.Archivo: lambda v: _any(
        m.Archivo.publico.is_(True),
        m.Archivo.propietario_id == v.user_id if v.user_id is not None else None,
        _entidad_condition(m.Archivo.entidad_id, _only(v, ORH)),
    ),
    m.CorreoSaliente: lambda v: _entidad_condition(m.CorreoSaliente.entidad_id, _only(v, ORH)),
    # ORH: its institution's trail, but a sheet's draft or submission only once the candidate's interview
    # score is formed, as the sheet itself (§4.2.5 f: the records hold the scores).
    m.RegistroAuditoria: lambda v: sa.and_(
        _entidad_condition(m.RegistroAuditoria.entidad_id, _only(v, ORH)),
        sa.or_(m.RegistroAuditoria.accion.not_in(_ACCIONES_HOJA), m.RegistroAuditoria.postulacion_id.is_(None),
               _entrevista_formada(m.RegistroAuditoria.postulacion_id))),
    m.Usuario: lambda v: m.Usuario.id == v.user_id if v.user_id is not None else FALSE,
}


#: The audit actions whose records hold an interview sheet's scores (casadmin/comite.py).
_ACCIONES_HOJA = ("guardar_hoja_entrevista", "enviar_hoja_entrevista")


def _entrevista_formada(postulacion_id: Any) -> Any:
    """Whether the application ``postulacion_id`` has its interview stage score formed (evaluated by the
    engine): one look-up by the stage row's unique key per row tested."""
    R = m.ResultadoEtapa
    return sa.exists().where(R.postulacion_id == postulacion_id, R.etapa == Etapa.entrevista,
                             R.evaluado_en.is_not(None))


def _only(v: Viewer, *roles: str) -> Viewer:
    """The same viewer with only some of its roles: for rules a role does not widen."""
    return Viewer(user_id=v.user_id, entidad_id=v.entidad_id, roles=v.roles.intersection(roles))


def condition(model: type, viewer: Viewer | None = None) -> Any:
    """The SQL condition limiting ``model`` to what ``viewer`` (default: current user) may see."""
    viewer = viewer or current_viewer()
    if viewer.is_admin:
        return TRUE
    try:
        rule = RULES[model]
    except KeyError:
        raise LookupError(f"No scoping rule for {model.__name__}: every model needs one") from None
    return rule(viewer)


def scoped(stmt: Any, model: type, viewer: Viewer | None = None) -> Any:
    """Apply :func:`condition` to a ``select()`` or legacy ``Query``."""
    return stmt.filter(condition(model, viewer))


def visible(model: type, pk: Any, session: Any, viewer: Viewer | None = None) -> bool:
    """Whether one row is visible to the viewer.

    Asked about a stored row, often while a form is still building a new object that points to it (a
    Comunicado attached to its call): nothing pending is flushed for the question, so that half-built
    object is neither written early nor warned about."""
    stmt = sa.select(sa.literal(1)).select_from(model).where(
        model.__mapper__.primary_key[0] == pk, condition(model, viewer)
    )
    with session.no_autoflush:
        return session.execute(stmt).first() is not None


def convocatorias(session: Any, viewer: Viewer | None = None, *, sin_borrador: bool = False,
                  limite: int | None = None) -> list[m.Convocatoria]:
    """The calls ``viewer`` (default: current user) may see, newest first (year, number): the list
    every "calls of my institution" screen starts from. ``sin_borrador`` leaves out drafts (nothing
    to evaluate, publish or decide before the call is published)."""
    stmt = sa.select(m.Convocatoria).where(condition(m.Convocatoria, viewer))
    if sin_borrador:
        stmt = stmt.where(m.Convocatoria.estado != EstadoConvocatoria.borrador)
    stmt = stmt.order_by(m.Convocatoria.anio.desc(), m.Convocatoria.numero.desc())
    return list(session.scalars(stmt if limite is None else stmt.limit(limite)))
