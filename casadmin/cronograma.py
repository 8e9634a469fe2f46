"""The schedule (cronograma) of a call (B3, §4.1): the business-day calculator and the guard.

* :func:`calcular` fills every milestone of a call from one start date ``D``: the call is
  published for the bases version's ``publicacion.dias_habiles`` business days from ``D``
  (§4.1 Convocatoria: "se difunde … durante diez (10) días hábiles"), each following stage
  starts on the next business day and lasts the business days of ``cronograma.dias_habiles``,
  and the contract is signed within ``contrato.dias_habiles_suscripcion`` business days counted
  from the day after the final results (§4.4 d). Weekends and Peru's public holidays are
  skipped (:mod:`casadmin.peru.business_days`). The result is a proposal: ORH adjusts it before
  saving.
* :func:`verificar_cambio` is the one guard every path that changes a milestone goes through
  (the CRUD screen, the REST API and the "Nueva convocatoria" wizard): once the call has been
  convened, a stage's dates may be changed only until one day before it starts (§4.1: "la
  Oficina de Recursos Humanos puede modificar el cronograma establecido hasta un día antes del
  desarrollo de alguna de las etapas … luego de haber sido convocado"). From the day before
  the stage starts (Lima date) the change is refused and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import audit
from casadmin import models as m
from casadmin.models.enums import EstadoConvocatoria, TipoHito
from casadmin.peru import business_days as bd
from casadmin.peru.clock import LIMA, to_lima, today
from casadmin.rechazo import Rechazo

_DIA = dt.timedelta(days=1)

#: States in which the process is over: its schedule is history (§4.5 "da por culminado").
CERRADOS = (EstadoConvocatoria.finalizada, EstadoConvocatoria.desierta, EstadoConvocatoria.cancelada)


class CronogramaRechazado(Rechazo):
    """A refused change of the schedule, in Spanish, with the field (or milestone) to blame."""


@dataclass(frozen=True)
class Tramo:
    """One milestone of the standard schedule: how many business days and its daily hours."""

    tipo: TipoHito
    dias: int
    desde: dt.time
    hasta: dt.time
    #: "examen" / "psicologica": only when the call includes that optional stage (B1).
    opcional: str = ""


def _h(texto: str) -> dt.time:
    return dt.time.fromisoformat(texto)


#: The standard schedule of the SUNEDU bases, in process order (§4.1–§4.4). The business days
#: of each stage are the defaults used when the bases version does not set
#: ``cronograma.dias_habiles``; publication and signing always come from their parameters.
PLAN: tuple[Tramo, ...] = (
    Tramo(TipoHito.publicacion, 10, _h("00:00"), _h("23:59")),           # §4.1: 10 business days
    Tramo(TipoHito.postulacion, 1, _h("08:30"), _h("16:30")),            # §4.1 Reclutamiento: closes 16:30
    Tramo(TipoHito.evaluacion_ficha, 2, _h("08:30"), _h("17:30")),       # §4.2.1
    Tramo(TipoHito.resultados_ficha, 1, _h("08:30"), _h("20:00")),
    Tramo(TipoHito.examen, 1, _h("09:00"), _h("12:00"), "examen"),       # §4.2.2
    Tramo(TipoHito.resultados_examen, 1, _h("08:30"), _h("20:00"), "examen"),
    Tramo(TipoHito.psicologica, 1, _h("09:00"), _h("13:00"), "psicologica"),  # §4.2.3
    Tramo(TipoHito.expediente, 1, _h("08:30"), _h("16:30")),             # §4.2.4: one PDF, inside its window
    Tramo(TipoHito.evaluacion_curricular, 2, _h("08:30"), _h("17:30")),
    Tramo(TipoHito.resultados_curricular, 1, _h("08:30"), _h("20:00")),
    Tramo(TipoHito.entrevista, 2, _h("09:00"), _h("17:00")),             # §4.2.5
    Tramo(TipoHito.resultados_finales, 1, _h("08:30"), _h("20:00")),     # §4.2.6
    Tramo(TipoHito.suscripcion, 5, _h("08:30"), _h("17:30")),            # §4.4 d: 5 business days
)

#: Milestones whose window closes at the bases' closing hour (``postulacion.hora_cierre``, §4.1).
_CIERRE = (TipoHito.postulacion, TipoHito.expediente)


@dataclass(frozen=True)
class Plazos:
    """The bases version's durations in force on the start date (business days, closing hour)."""

    publicacion: int = 10
    suscripcion: int = 5
    hora_cierre: dt.time = dt.time(16, 30)
    #: milestone name → business days, for the stages in between
    etapas: Mapping[str, int] | None = None

    def dias(self, tramo: Tramo) -> int:
        if tramo.tipo is TipoHito.publicacion:
            return self.publicacion
        if tramo.tipo is TipoHito.suscripcion:
            return self.suscripcion
        return int((self.etapas or {}).get(tramo.tipo.name, tramo.dias))


@dataclass(frozen=True)
class HitoPlan:
    tipo: TipoHito
    inicio: dt.datetime
    fin: dt.datetime


def tramos(incluye_examen: bool, incluye_psicologica: bool) -> list[Tramo]:
    """The milestones a call has: the optional exam and psychological test only when included (B1)."""
    incluidos = {"": True, "examen": incluye_examen, "psicologica": incluye_psicologica}
    return [t for t in PLAN if incluidos[t.opcional]]


def _en(dia: dt.date, hora: dt.time) -> dt.datetime:
    return dt.datetime.combine(dia, hora, tzinfo=LIMA)


def calcular(inicio: dt.date, plazos: Plazos, *, incluye_examen: bool = True,
             incluye_psicologica: bool = False) -> list[HitoPlan]:
    """Every milestone's dates from the publication's first day ``inicio`` (B3, §4.1, §4.4 d).

    Publication: ``plazos.publicacion`` business days from ``inicio`` (or from the next business
    day when ``inicio`` is not one). Each later stage starts on the business day after the
    previous one ends and lasts its business days; the contract is signed within
    ``plazos.suscripcion`` business days counted from the day after the final results.
    """
    plan: list[HitoPlan] = []
    anterior: dt.date | None = None
    for tramo in tramos(incluye_examen, incluye_psicologica):
        dias = plazos.dias(tramo)
        if dias < 1:
            raise ValueError(f"{tramo.tipo.name}: el plazo debe ser de al menos un día hábil")
        if anterior is None:
            primero, ultimo = bd.publication_window(inicio, dias)
        elif tramo.tipo is TipoHito.suscripcion:
            primero = bd.add_business_days(anterior, 1)
            ultimo = bd.contract_deadline(anterior, dias)  # §4.4 d: from the day after the results
        else:
            primero = bd.add_business_days(anterior, 1)
            ultimo = bd.add_business_days(primero, dias - 1)
        hasta = plazos.hora_cierre if tramo.tipo in _CIERRE else tramo.hasta
        plan.append(HitoPlan(tramo.tipo, _en(primero, tramo.desde), _en(ultimo, hasta)))
        anterior = ultimo
    return plan


def plazos_de(parametros: Any) -> Plazos:
    """The durations of a bases version's parameters in force (``Vigentes``); missing ones default."""
    def leer(nombre: str, defecto: Any) -> Any:
        try:
            return parametros[nombre]
        except KeyError:
            return defecto

    publicacion = leer("publicacion.dias_habiles", Decimal(10))
    suscripcion = leer("contrato.dias_habiles_suscripcion", Decimal(5))
    cierre = leer("postulacion.hora_cierre", "16:30")
    etapas = leer("cronograma.dias_habiles", None)
    return Plazos(publicacion=int(publicacion), suscripcion=int(suscripcion), hora_cierre=_h(str(cierre)),
                  etapas={k: int(v) for k, v in etapas.items()} if etapas else None)


def plazos_para(codigo_bases: str, fecha: dt.date) -> Plazos:
    """The durations of the installed bases version ``codigo_bases`` in force on ``fecha`` (F3)."""
    from casadmin import plugins as pl

    bases = pl.get_bases(pl.get_plugin_manager(), codigo_bases)
    return plazos_de(bases.parametros.para(fecha))


def plan_de_convocatoria(conv: m.Convocatoria, inicio: dt.date) -> list[HitoPlan]:
    """:func:`calcular` with the call's bases version and optional stages."""
    return calcular(inicio, plazos_para(conv.version_bases.codigo, inicio), incluye_examen=conv.incluye_examen,
                    incluye_psicologica=conv.incluye_psicologica)


def faltantes(conv: m.Convocatoria) -> list[TipoHito]:
    """Milestones of the call's stages that its schedule lacks."""
    tiene = {h.tipo for h in conv.cronograma}
    return [t.tipo for t in tramos(conv.incluye_examen, conv.incluye_psicologica) if t.tipo not in tiene]


def sobrantes(conv: m.Convocatoria) -> list[TipoHito]:
    """Milestones of optional stages the call no longer includes (B1: exam, psychological test)."""
    propios = {t.tipo for t in tramos(conv.incluye_examen, conv.incluye_psicologica)}
    return [h.tipo for h in conv.cronograma if h.tipo not in propios]


# --- the guard (§4.1) ---------------------------------------------------------------------


def _fecha(valor: dt.date) -> str:
    return valor.strftime("%d/%m/%Y")


def ultimo_dia_modificable(inicio: dt.datetime) -> dt.date:
    """The last Lima date on which a stage starting at ``inicio`` may still be changed: from the
    day before it starts, it may not (§4.1 "hasta un día antes del desarrollo de … las etapas")."""
    return to_lima(inicio).date() - 2 * _DIA


def verificar_hito(tipo: TipoHito, inicio: dt.datetime | None, estado: EstadoConvocatoria,
                   hoy: dt.date | None = None, *, nuevo_inicio: dt.datetime | None = None) -> None:
    """Refuse a change of milestone ``tipo`` (scheduled to start at ``inicio``) of a call in ``estado``.

    A draft has not been convened yet: its schedule is free. Once convened, the milestone may be
    changed (or removed) only until two Lima dates before it starts, and a new start must leave
    the same margin; a finished process is not changed at all.
    """
    if estado is EstadoConvocatoria.borrador:
        return
    hoy = hoy or today()
    if estado in CERRADOS:
        raise CronogramaRechazado(
            f"La convocatoria está {estado.value.lower()}: su cronograma ya no se modifica.", "inicio")
    if inicio is not None and hoy > ultimo_dia_modificable(inicio):
        raise CronogramaRechazado(
            f"No se puede modificar «{tipo.value}»: la etapa empieza el {_fecha(to_lima(inicio).date())} y el "
            "cronograma solo puede modificarse hasta un día antes del inicio de cada etapa (§4.1). "
            f"El último día para cambiarla fue el {_fecha(ultimo_dia_modificable(inicio))}.", "inicio")
    if nuevo_inicio is not None and hoy > ultimo_dia_modificable(nuevo_inicio):
        raise CronogramaRechazado(
            f"La nueva fecha de inicio de «{tipo.value}» debe ser posterior al {_fecha(hoy + _DIA)}: los "
            "postulantes deben conocer el cambio al menos un día antes de la etapa (§4.1).", "inicio")


def fuera_de_vigencia(version: m.VersionBases | None, tipo: TipoHito, inicio: dt.datetime | None) -> str | None:
    """Why the application period cannot start on ``inicio`` for a call pinned to ``version``: before
    the bases version is in force, when its parameters have no value (F3). The date is the installed
    version's (``BasesVersion.vigente_desde``, what ``evaluate`` checks), the stored row's only when no
    installed plugin provides it. ``None`` when it can, or for another milestone."""
    if tipo is not TipoHito.postulacion or version is None or inicio is None:
        return None
    from casadmin import plugins as pl

    try:
        desde = pl.get_bases(pl.get_plugin_manager(), version.codigo).vigente_desde
    except pl.BasesDesconocida:
        desde = version.vigente_desde
    dia = to_lima(inicio).date()
    if dia >= desde:
        return None
    return (f"La postulación no puede empezar el {_fecha(dia)}: las bases «{version.codigo}» de la convocatoria "
            f"rigen desde el {_fecha(desde)}. Elija una fecha desde entonces, o una versión de bases vigente en "
            "esa fecha.")


def _anterior(obj: Any, atributo: str) -> Any:
    """The value ``atributo`` had when ``obj`` was loaded (before the form or API changed it)."""
    hist = sa.inspect(obj).attrs[atributo].history
    if hist.deleted:
        return hist.deleted[0]
    return getattr(obj, atributo)


def _igual(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return to_lima(a) == to_lima(b)


def verificar_cambio(session: Session, hito: m.HitoCronograma, hoy: dt.date | None = None) -> None:
    """The guard for a milestone changed in place (CRUD screen, REST API): compares with what was loaded.

    Raises :class:`CronogramaRechazado`; the caller rolls back, so nothing is changed.
    """
    if hito.inicio and hito.fin and to_lima(hito.fin) < to_lima(hito.inicio):
        raise CronogramaRechazado("El fin debe ser posterior al inicio.", "fin")
    with session.no_autoflush:  # read what was loaded before any query flushes the change
        insp = sa.inspect(hito)
        persistente = insp.persistent
        conv_antes = _anterior(hito, "convocatoria_id") if persistente else None
        inicio_antes = _anterior(hito, "inicio") if persistente else None
        tipo_antes = _anterior(hito, "tipo") if persistente else hito.tipo
        conv_nueva = hito.convocatoria.id if hito.convocatoria is not None else hito.convocatoria_id
        if not persistente or conv_nueva != conv_antes or tipo_antes != hito.tipo or not _igual(inicio_antes, hito.inicio):
            # A new start only: a call stored before this check keeps the rest of its schedule editable.
            conv = hito.convocatoria or (session.get(m.Convocatoria, conv_nueva) if conv_nueva else None)
            if (fuera := fuera_de_vigencia(conv.version_bases if conv else None, hito.tipo, hito.inicio)) is not None:
                raise CronogramaRechazado(fuera, "inicio")

        def estado_de(cid: int | None) -> EstadoConvocatoria | None:
            if cid is None:
                return None
            return session.scalar(sa.select(m.Convocatoria.estado).where(m.Convocatoria.id == cid))

        if persistente:
            if (estado := estado_de(conv_antes)) is not None:
                cambio_inicio = not _igual(inicio_antes, hito.inicio)
                verificar_hito(tipo_antes, inicio_antes, estado, hoy, nuevo_inicio=hito.inicio if cambio_inicio else None)
            if conv_nueva != conv_antes and (estado := estado_de(conv_nueva)) is not None:
                verificar_hito(hito.tipo, None, estado, hoy, nuevo_inicio=hito.inicio)
        elif (estado := estado_de(conv_nueva)) is not None:
            verificar_hito(hito.tipo, None, estado, hoy, nuevo_inicio=hito.inicio)


def verificar_borrado(session: Session, hito: m.HitoCronograma, hoy: dt.date | None = None) -> None:
    """The guard for removing a milestone: the same margin as changing it."""
    estado = session.scalar(sa.select(m.Convocatoria.estado).where(m.Convocatoria.id == hito.convocatoria_id))
    if estado is not None:
        verificar_hito(hito.tipo, hito.inicio, estado, hoy)


@dataclass(frozen=True)
class FilaHito:
    tipo: TipoHito
    inicio: dt.datetime
    fin: dt.datetime
    responsable: str | None = None


def guardar(session: Session, conv: m.Convocatoria, filas: Sequence[FilaHito], *, usuario: m.Usuario | None = None,
            hoy: dt.date | None = None) -> int:
    """Replace the call's schedule with ``filas`` in the caller's transaction (the wizard, B3).

    Each changed, added or removed milestone passes :func:`verificar_hito`; the first refusal
    raises :class:`CronogramaRechazado` with ``campo`` = the milestone's name and nothing is
    written (the caller rolls back). Appends one audit record with the schedule before and
    after. Returns the number of milestones changed.
    """
    tipos = [f.tipo for f in filas]
    if len(set(tipos)) != len(tipos):
        raise CronogramaRechazado("Una etapa figura dos veces en el cronograma.", None)
    existentes = {h.tipo: h for h in conv.cronograma}
    for f in filas:
        if to_lima(f.fin) < to_lima(f.inicio):
            raise CronogramaRechazado("El fin debe ser posterior al inicio.", f.tipo.name)
        previo = existentes.get(f.tipo)
        if (previo is None or not _igual(previo.inicio, f.inicio)) and \
                (fuera := fuera_de_vigencia(conv.version_bases, f.tipo, f.inicio)) is not None:
            raise CronogramaRechazado(fuera, f.tipo.name)

    def ver(h: Any) -> dict[str, str]:
        return {"inicio": to_lima(h.inicio).isoformat(timespec="minutes"), "fin": to_lima(h.fin).isoformat(timespec="minutes")}

    antes = {t.name: ver(h) for t, h in existentes.items()}
    cambios = 0
    for f in filas:
        h = existentes.get(f.tipo)
        if h is None:
            try:
                verificar_hito(f.tipo, None, conv.estado, hoy, nuevo_inicio=f.inicio)
            except CronogramaRechazado as exc:
                raise CronogramaRechazado(exc.mensaje, f.tipo.name) from None
            conv.cronograma.append(m.HitoCronograma(tipo=f.tipo, inicio=f.inicio, fin=f.fin, responsable=f.responsable))
            cambios += 1
        elif not (_igual(h.inicio, f.inicio) and _igual(h.fin, f.fin) and (h.responsable or None) == (f.responsable or None)):
            try:
                verificar_hito(f.tipo, h.inicio, conv.estado, hoy,
                               nuevo_inicio=None if _igual(h.inicio, f.inicio) else f.inicio)
            except CronogramaRechazado as exc:
                raise CronogramaRechazado(exc.mensaje, f.tipo.name) from None
            h.inicio, h.fin, h.responsable = f.inicio, f.fin, f.responsable
            cambios += 1
    for tipo, h in existentes.items():
        if tipo not in tipos:
            try:
                verificar_hito(tipo, h.inicio, conv.estado, hoy)
            except CronogramaRechazado as exc:
                raise CronogramaRechazado(exc.mensaje, tipo.name) from None
            conv.cronograma.remove(h)
            cambios += 1
    if cambios:
        session.flush()
        audit.record(session, accion="modificar_cronograma", objeto=conv, antes=antes,
                     despues={h.tipo.name: ver(h) for h in conv.cronograma},
                     usuario_id=usuario.id if usuario else None, usuario=usuario.username if usuario else None,
                     entidad_id=conv.entidad_id, convocatoria_id=conv.id)
    return cambios
