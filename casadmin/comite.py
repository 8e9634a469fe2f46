"""The interview committee (§4.2.5, D6): who sits on it, each member's own sheet, the stage score.

What the bases say and how it is applied here:

* **Composition** (§4.2.5 b): "un representante del área usuaria y un representante de la
  Oficina de Recursos Humanos"; in some cases the Especialista de Integridad Pública takes part
  as Veedor/a. The bases name no titular/suplente, so a call has at most one member of each
  kind (:class:`~casadmin.models.enums.RolComite`); ORH assigns them (:func:`asignar`). Members
  are staff of the call's institution with the Comité role (the Veedor with the Veedor role).
* **Each member's score is autonomous** (§4.2.5 f) and is the sum of five factors. Their names
  and maxima are the bases version's parameter ``entrevista.factores`` read for the call's date
  (:func:`factores`); the bases give only the stage maximum (40 with exam, 50 without, §4.2.5 i, j)
  and do not weigh the factors, so the built-in bases split it in equal parts (8 or 10 each).
* A member keeps a **draft** and changes it until they **submit** it; a submitted sheet is final
  (a second submission or a later change is refused). A member never sees another member's scores
  until the stage score is formed (§4.2.5 f, autonomy); afterwards the committee sees every total,
  because a persisting tie is theirs to deliberate "previo análisis de las calificaciones
  otorgadas" (§4.2.6 c).
* **The stage score** (§4.2.5 g) is formed when every scoring member has submitted a sheet for
  every candidate called to the interview (the candidates with a :class:`~casadmin.models.Citacion`
  for the stage): the engine's interview stage runs (:func:`casadmin.engine_db.evaluar`), so the
  plugins apply the average truncated to two decimals, the pass mark (§4.2.5 i, j), absence
  (§4.6) and the Ley 31533 bonus (§4.2.5 h), and the results are stored and audited there.
* **The Veedor** (§4.2.5 b) observes: they see each member's sheet read-only once it is
  submitted (a submitted sheet can no longer change, so seeing it cannot influence it), never a
  draft (§4.2.5 f: the member's score is autonomous and only exists once given), and the stage
  score once formed. They never score.
* **Publication freezes** the stage (E2): after it no sheet and no member can change.
* **Attendance** (§4.6, §4.2.5 c–e): a member records on the sheet that the candidate did not
  attend; the submitted sheets of one candidate must agree on it (a candidate who did not come
  is No Apto, never averaged with zeros).

Every change is audited (A5) in the same transaction as the change itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from casadmin import audit, cronograma, engine_db
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.bloqueo import bloquear
from casadmin.models.enums import Etapa, Resultado, RolComite, TipoHito
from casadmin.peru.clock import now, to_lima, today
from casadmin.roles import COMITE, VEEDOR

ETAPA = Etapa.entrevista
#: Members who score (§4.2.5 b); the Veedor observes only.
CALIFICADORES = (RolComite.orh, RolComite.area_usuaria)
#: Submitted sheets of one candidate cannot say different things about attendance (§4.6).
CAMPO_ASISTENCIA = "asistio"


class ComiteRechazado(ValueError):
    """A refusal with its Spanish message and the form field it belongs to; nothing was changed."""

    def __init__(self, mensaje: str, campo: str | None = None) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje
        self.campo = campo


class NoEncontrado(LookupError):
    """A call or candidate outside what this user may work on (answered as 404)."""


# --- the five factors, from the bases version's parameters ---------------------------------


@dataclass(frozen=True)
class FactorEntrevista:
    """One factor of the interview sheet (§4.2.5 f) with its maximum for this call."""

    codigo: str
    nombre: str
    maximo: Decimal
    clausula: str


@dataclass(frozen=True)
class Tabla:
    """The factors of a call's interview and the stage's marks (§4.2.5 f, i, j)."""

    factores: tuple[FactorEntrevista, ...]
    minimo: Decimal
    maximo: Decimal
    clausula_marcas: str


def fecha_parametros(conv: m.Convocatoria) -> dt.date:
    """The date a call's parameters are read for: the start of its application period (as the engine)."""
    hito = next((h for h in conv.cronograma if h.tipo is TipoHito.postulacion), None)
    return to_lima(hito.inicio).date() if hito is not None else today()


def tabla(conv: m.Convocatoria, pm=None) -> Tabla:
    """The factors (names, maxima, clause) and marks of ``conv``'s interview, from its bases version.

    Raises :class:`ComiteRechazado` when the bases version is not installed or its factors do
    not fit the sheet (a bases version must name the five factors of §4.2.5 f).
    """
    pm = pm or pl.get_plugin_manager()
    try:
        bases = pl.get_bases(pm, conv.version_bases.codigo)
    except pl.BasesDesconocida as exc:
        raise ComiteRechazado(str(exc)) from None
    vigentes = bases.parametros.para(fecha_parametros(conv))
    con_examen = conv.incluye_examen
    clave_marcas = "entrevista.marcas_con_examen" if con_examen else "entrevista.marcas_sin_examen"
    minimo, maximo = (Decimal(v) for v in vigentes[clave_marcas])
    clausula = vigentes.referencia("entrevista.factores")
    factores = tuple(
        FactorEntrevista(codigo=codigo, nombre=spec["nombre"],
                         maximo=Decimal(spec["con_examen" if con_examen else "sin_examen"]), clausula=clausula)
        for codigo, spec in vigentes["entrevista.factores"].items()
    )
    if tuple(f.codigo for f in factores) != m.HojaEntrevista.FACTORES:
        raise ComiteRechazado(
            f"Las bases «{bases.id}» definen factores de entrevista que la hoja no tiene: "
            f"{', '.join(f.codigo for f in factores)}.")
    if sum((f.maximo for f in factores), Decimal(0)) != maximo:
        raise ComiteRechazado(f"Los máximos de los factores de las bases «{bases.id}» no suman el puntaje máximo "
                              f"de la Entrevista Personal ({maximo}).")
    return Tabla(factores=factores, minimo=minimo, maximo=maximo, clausula_marcas=vigentes.referencia(clave_marcas))


def leer_puntaje(texto: str | None, factor: FactorEntrevista) -> Decimal:
    """A factor's score as typed (``7``, ``7.5`` or ``7,25``): a Decimal from 0 to the factor's
    maximum with at most two decimals (§4.2.5 g keeps two decimals); else a refusal at the field."""
    limpio = (texto or "").strip().replace(",", ".")
    if not limpio:
        raise ComiteRechazado("Ingrese el puntaje de este factor.", factor.codigo)
    try:
        valor = Decimal(limpio)
    except InvalidOperation:
        raise ComiteRechazado("Ingrese un número (por ejemplo 6 o 6.50).", factor.codigo) from None
    if not valor.is_finite():
        raise ComiteRechazado("Ingrese un número (por ejemplo 6 o 6.50).", factor.codigo)
    if not Decimal(0) <= valor <= factor.maximo:
        raise ComiteRechazado(f"El puntaje debe estar entre 0 y {factor.maximo} ({factor.nombre}).", factor.codigo)
    if valor != valor.quantize(Decimal("0.01")):
        raise ComiteRechazado("Use como máximo dos decimales.", factor.codigo)
    return valor.quantize(Decimal("0.01"))


# --- scope: the calls and candidates a user works on ----------------------------------------


def _cargar_convocatoria(session: Session, convocatoria_id: int) -> m.Convocatoria | None:
    return session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.id == convocatoria_id).options(
        selectinload(m.Convocatoria.cronograma), selectinload(m.Convocatoria.version_bases),
        selectinload(m.Convocatoria.entidad)))


def mis_asignaciones(session: Session, usuario_id: int) -> list[m.MiembroComite]:
    """The committees this user sits on (as a scoring member or as Veedor), newest call first."""
    return list(session.scalars(
        sa.select(m.MiembroComite).join(m.Convocatoria).where(m.MiembroComite.usuario_id == usuario_id)
        .options(selectinload(m.MiembroComite.convocatoria))
        .order_by(m.Convocatoria.anio.desc(), m.Convocatoria.numero.desc())))


def asignacion(session: Session, convocatoria_id: int, usuario_id: int) -> tuple[m.Convocatoria, m.MiembroComite]:
    """The call and this user's seat on its committee; :class:`NoEncontrado` when not assigned."""
    miembro = session.scalar(sa.select(m.MiembroComite).where(
        m.MiembroComite.convocatoria_id == convocatoria_id, m.MiembroComite.usuario_id == usuario_id))
    conv = _cargar_convocatoria(session, convocatoria_id) if miembro is not None else None
    if miembro is None or conv is None:
        raise NoEncontrado("No integra el comité de esta convocatoria.")
    return conv, miembro


def citados(session: Session, conv: m.Convocatoria) -> list[m.Postulacion]:
    """The candidates called to the interview (their :class:`~casadmin.models.Citacion` in force, not an
    annulled one), in the timetable's order."""
    return list(session.scalars(
        sa.select(m.Postulacion).join(m.Citacion, sa.and_(m.Citacion.postulacion_id == m.Postulacion.id,
                                                          m.Citacion.etapa == ETAPA, m.Citacion.anulada_en.is_(None)))
        .where(m.Postulacion.convocatoria_id == conv.id)
        .options(selectinload(m.Postulacion.postulante))
        .order_by(m.Citacion.fecha_hora, m.Postulacion.id)))


def citado(session: Session, conv: m.Convocatoria, postulacion_id: int) -> m.Postulacion:
    """One candidate of ``conv``'s interview; refused when not called to it (or not of this call)."""
    post = session.get(m.Postulacion, postulacion_id)
    if post is None or post.convocatoria_id != conv.id:
        raise NoEncontrado("El/la candidato/a no pertenece a esta convocatoria.")
    cita = session.scalar(sa.select(m.Citacion.id).where(m.Citacion.postulacion_id == post.id,
                                                         m.Citacion.etapa == ETAPA, m.Citacion.anulada_en.is_(None)))
    if cita is None:
        raise ComiteRechazado("El/la candidato/a no está convocado/a a la Entrevista Personal de esta convocatoria: "
                              "no se registra su calificación.")
    return post


def publicada(session: Session, conv: m.Convocatoria) -> bool:
    """Whether the interview's results were published (E2): the stage is frozen."""
    return session.scalar(sa.select(m.PublicacionEtapa.id).where(
        m.PublicacionEtapa.convocatoria_id == conv.id, m.PublicacionEtapa.etapa == ETAPA.name)) is not None or \
        session.scalar(sa.select(m.ResultadoEtapa.id).where(
            m.ResultadoEtapa.convocatoria_id == conv.id, m.ResultadoEtapa.etapa == ETAPA,
            m.ResultadoEtapa.publicado.is_(True)).limit(1)) is not None


def resultados(session: Session, conv: m.Convocatoria) -> dict[int, m.ResultadoEtapa]:
    """The formed interview results of the call, by application (only rows the engine evaluated)."""
    return {r.postulacion_id: r for r in session.scalars(sa.select(m.ResultadoEtapa).where(
        m.ResultadoEtapa.convocatoria_id == conv.id, m.ResultadoEtapa.etapa == ETAPA,
        m.ResultadoEtapa.evaluado_en.is_not(None), m.ResultadoEtapa.resultado != Resultado.pendiente))}


def calificadores(session: Session, conv: m.Convocatoria) -> list[m.MiembroComite]:
    return list(session.scalars(
        sa.select(m.MiembroComite).where(m.MiembroComite.convocatoria_id == conv.id,
                                         m.MiembroComite.rol.in_(CALIFICADORES))
        .options(selectinload(m.MiembroComite.usuario)).order_by(m.MiembroComite.id)))


def miembros(session: Session, conv: m.Convocatoria) -> list[m.MiembroComite]:
    return list(session.scalars(
        sa.select(m.MiembroComite).where(m.MiembroComite.convocatoria_id == conv.id)
        .options(selectinload(m.MiembroComite.usuario)).order_by(m.MiembroComite.id)))


def hojas(session: Session, conv: m.Convocatoria) -> dict[tuple[int, int], m.HojaEntrevista]:
    """Every sheet of the call by (application, member): for the service's own checks, never shown as is."""
    return {(h.postulacion_id, h.miembro_id): h for h in session.scalars(
        sa.select(m.HojaEntrevista).join(m.MiembroComite).where(m.MiembroComite.convocatoria_id == conv.id))}


# --- what each person may see --------------------------------------------------------------


@dataclass
class Fila:
    """One candidate of the interview as a given viewer may see it."""

    postulacion: m.Postulacion
    citacion: m.Citacion | None
    #: the viewer's own sheet (members), else None
    propia: m.HojaEntrevista | None = None
    #: per scoring member: "pendiente", "borrador" or "enviada" (no scores)
    estados: dict[int, str] = field(default_factory=dict)
    #: sheets the viewer may read (Veedor: submitted ones; everyone: all once the score is formed)
    visibles: list[m.HojaEntrevista] = field(default_factory=list)
    resultado: m.ResultadoEtapa | None = None


def estado_hoja(hoja: m.HojaEntrevista | None) -> str:
    if hoja is None:
        return "pendiente"
    return "enviada" if hoja.enviada else "borrador"


ESTADOS = {"pendiente": "Pendiente", "borrador": "En borrador", "enviada": "Enviada"}


def tablero(session: Session, conv: m.Convocatoria, *, miembro: m.MiembroComite | None = None) -> list[Fila]:
    """The candidates of the interview with what the viewer may see of each.

    ``miembro`` is the viewer's seat: a scoring member gets their own sheet and, once the stage
    score is formed, every member's sheet (§4.2.6 c); the Veedor (and ORH, ``miembro=None``)
    gets the submitted sheets of the members, never a draft (§4.2.5 f).
    """
    filas = []
    todas = hojas(session, conv)
    formados = resultados(session, conv)
    scorers = calificadores(session, conv)
    from casadmin import etapas

    citas = etapas.citaciones(session, conv)
    observa = miembro is None or miembro.rol is RolComite.veedor
    for post in citados(session, conv):
        fila = Fila(postulacion=post, citacion=citas.get(post.id), resultado=formados.get(post.id))
        for s in scorers:
            hoja = todas.get((post.id, s.id))
            fila.estados[s.id] = estado_hoja(hoja)
            if hoja is not None and hoja.enviada and (observa or fila.resultado is not None):
                fila.visibles.append(hoja)
        if miembro is not None and not observa:
            fila.propia = todas.get((post.id, miembro.id))
        filas.append(fila)
    return filas


# --- a member's sheet ----------------------------------------------------------------------


def _texto(valor: Decimal | None) -> str | None:
    return None if valor is None else str(valor)


def _valores(hoja: m.HojaEntrevista | None) -> dict[str, object] | None:
    """A sheet as its audit record keeps it (A5)."""
    if hoja is None:
        return None
    return {"asistio": hoja.asistio, "causa": hoja.causa, **{f: _texto(getattr(hoja, f)) for f in m.HojaEntrevista.FACTORES},
            "observaciones": hoja.observaciones, "enviada": hoja.enviada}


#: Why a candidate did not take the interview, as a member records it: code → (what the sheet says, clause).
CAUSAS = m.HojaEntrevista.CAUSAS
CAMPO_CAUSA = "causa"


def causa_de(datos: Mapping[str, str | None], asistio: bool) -> str | None:
    """The cause a sheet's data give for an interview not taken (``None`` when it was taken); «no se
    presentó» when none is chosen. Refused at its field when it is not one of :data:`CAUSAS`."""
    if asistio:
        return None
    causa = (datos.get(CAMPO_CAUSA) or "").strip() or "no_se_presento"
    if causa not in CAUSAS:
        raise ComiteRechazado("Elija por qué el/la candidato/a no rindió la entrevista.", CAMPO_CAUSA)
    return causa


def _causa_guardada(hoja_causa: str | None, asistio: bool) -> str | None:
    """A stored sheet's cause as :func:`causa_de` gives it (a sheet of before the causes: «no se presentó»)."""
    return None if asistio else (hoja_causa or "no_se_presento")


def validar_datos(t: Tabla, datos: Mapping[str, str | None], *, asistio: bool,
                  borrador: bool = False) -> dict[str, Decimal | None]:
    """The five scores as Decimals, each within its factor's range; the first refusal at its field. A
    ``borrador`` (a draft) may leave factors blank (``None``): a member scores as the interview goes, on a
    tablet, and saves; a submitted sheet has all five (§4.2.5 f, g).

    A candidate who did not attend gets no scores (§4.6: No Apto without an average).
    """
    if not asistio:
        return {f.codigo: Decimal("0.00") for f in t.factores}
    return {f.codigo: None if borrador and not (datos.get(f.codigo) or "").strip() else leer_puntaje(datos.get(f.codigo), f)
            for f in t.factores}


def guardar_hoja(session: Session, conv: m.Convocatoria, miembro: m.MiembroComite, postulacion_id: int,
                 datos: Mapping[str, str | None], *, enviar: bool, usuario: m.Usuario) -> m.HojaEntrevista:
    """Save a member's draft, or submit it (``enviar``), in one transaction with its audit record.

    Refused (:class:`ComiteRechazado`, nothing changed) when: the member does not score (Veedor),
    the candidate is not called to the interview, the stage was published, the sheet was already
    submitted (a second submission too), a score is out of its factor's range or has more than two
    decimals, or the attendance contradicts another member's submitted sheet (§4.6).
    """
    if miembro.rol not in CALIFICADORES:
        raise ComiteRechazado("El/la Veedor/a observa la Entrevista Personal; no califica (§4.2.5 b).")
    _en_curso(conv)
    post = citado(session, conv, postulacion_id)
    if publicada(session, conv):
        raise ComiteRechazado("Los resultados de la Entrevista Personal ya fueron publicados: "
                              "las hojas de entrevista no pueden modificarse.")
    # One sheet of this candidate at a time, until this transaction ends: a draft saved while the same
    # sheet is submitted from another window (it overwrote the submitted scores), and the two members'
    # attendance checks (both passed at once, and the absence's zeros were averaged in) wait in turn.
    bloquear(session, m.Postulacion, post.id)
    t = tabla(conv)
    hoja = session.scalar(sa.select(m.HojaEntrevista).where(m.HojaEntrevista.postulacion_id == post.id,
                                                            m.HojaEntrevista.miembro_id == miembro.id)
                          .execution_options(populate_existing=True))
    asistio = not _si(datos.get("no_se_presento"))
    if hoja is not None and hoja.enviada:
        try:
            igual = enviar and _valores(hoja) == _valores_de(hoja, asistio, causa_de(datos, asistio),
                                                               validar_datos(t, datos, asistio=asistio), datos)
        except ComiteRechazado:
            igual = False
        if igual:  # the same submission again (a double tap, a retry after a timeout): it is done
            session.commit()
            return hoja
        raise ComiteRechazado(
            f"Su hoja de entrevista ya fue enviada el {to_lima(hoja.enviada_en):%d/%m/%Y %H:%M}: "
            "no puede modificarse ni enviarse de nuevo.")
    puntajes = validar_datos(t, datos, asistio=asistio, borrador=not enviar)
    causa = causa_de(datos, asistio)
    observaciones = _observaciones(datos)
    if enviar:
        if not asistio:
            _ausencia_posible(session, post)
        _asistencia_concuerda(session, post, miembro, asistio, causa)
    antes = _valores(hoja)
    momento = now()
    if hoja is None:
        hoja = m.HojaEntrevista(postulacion_id=post.id, miembro_id=miembro.id)
        session.add(hoja)
    hoja.asistio = asistio
    hoja.causa = causa
    for codigo, valor in puntajes.items():
        setattr(hoja, codigo, valor)
    hoja.observaciones = observaciones
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ComiteRechazado("Su hoja se guardó al mismo tiempo desde otra ventana: vuelva a abrirla.") from None
    if enviar:
        # Only a draft becomes submitted: two submissions at the same time, one wins (§4.2.5 f).
        hecho = session.execute(
            sa.update(m.HojaEntrevista).where(m.HojaEntrevista.id == hoja.id, m.HojaEntrevista.enviada.is_(False))
            .values(enviada=True, enviada_en=momento, modificado_en=momento)
            .execution_options(synchronize_session=False))
        if hecho.rowcount != 1:
            session.rollback()
            raise ComiteRechazado("Su hoja de entrevista ya fue enviada: no puede enviarse de nuevo.")
        session.refresh(hoja)
    audit.record(session, accion="enviar_hoja_entrevista" if enviar else "guardar_hoja_entrevista", objeto=hoja,
                 antes=antes, despues=_valores(hoja), usuario_id=usuario.id, usuario=usuario.username,
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id, postulacion_id=post.id)
    session.commit()
    return hoja


def _observaciones(datos: Mapping[str, str | None]) -> str | None:
    return (datos.get("observaciones") or "").strip()[:2000] or None


def _valores_de(hoja: m.HojaEntrevista, asistio: bool, causa: str | None, puntajes: Mapping[str, Decimal],
                datos: Mapping[str, str | None]) -> dict[str, object]:
    """:func:`_valores` of ``hoja`` as these data would leave it."""
    return {"asistio": asistio, "causa": causa, **{f: _texto(puntajes[f]) for f in m.HojaEntrevista.FACTORES},
            "observaciones": _observaciones(datos), "enviada": hoja.enviada}


def _en_curso(conv: m.Convocatoria) -> None:
    """§4.5, B4: a finished, desierta or cancelled process scores no sheet and forms no stage."""
    if conv.estado in cronograma.CERRADOS:
        raise ComiteRechazado(f"La convocatoria está {conv.estado.value.lower()}: ya no se califican entrevistas "
                              "ni se forma su puntaje (§4.5).")


def _si(valor: object) -> bool:
    return str(valor or "").strip().lower() in ("1", "true", "on", "si", "sí", "y", "yes")


def _ausencia_posible(session: Session, post: m.Postulacion) -> None:
    """§4.2.5 c: the candidate is absent from the interview they were told of, once its time came. A
    citation never notified, or changed since its notice, has not told them when to come."""
    from casadmin import etapas  # it imports this module

    cita = session.scalar(sa.select(m.Citacion).where(m.Citacion.postulacion_id == post.id, m.Citacion.etapa == ETAPA,
                                                      m.Citacion.anulada_en.is_(None)))
    estado = etapas.estado_notificacion(cita)
    if estado != "notificada":
        raise ComiteRechazado(
            "No puede registrarse que el/la candidato/a no se presentó: su citación "
            + ("aún no se le notificó" if estado == "nueva" else "cambió después de notificársele")
            + " (§4.2.5 c). La Oficina de Recursos Humanos debe notificarla con «Notificar citaciones».",
            CAMPO_ASISTENCIA)
    if now() < to_lima(cita.fecha_hora):
        raise ComiteRechazado(f"La entrevista está citada para el {to_lima(cita.fecha_hora):%d/%m/%Y %H:%M}: "
                              "aún no puede registrarse que no se presentó.", CAMPO_ASISTENCIA)


def _asistencia_concuerda(session: Session, post: m.Postulacion, miembro: m.MiembroComite, asistio: bool,
                          causa: str | None = None) -> None:
    otra = session.execute(sa.select(m.HojaEntrevista.asistio, m.HojaEntrevista.causa).where(
        m.HojaEntrevista.postulacion_id == post.id, m.HojaEntrevista.miembro_id != miembro.id,
        m.HojaEntrevista.enviada.is_(True)).limit(1)).first()
    if otra is not None and otra.asistio != asistio:
        raise ComiteRechazado(
            "Otro integrante del Comité ya registró que el/la candidato/a "
            f"{'sí rindió la entrevista' if otra.asistio else 'no rindió la entrevista'}; la asistencia debe coincidir (§4.6). "
            "Verifíquela o comuníquese con la Oficina de Recursos Humanos.", CAMPO_ASISTENCIA)
    if otra is not None and not asistio and _causa_guardada(otra.causa, False) != causa:
        texto, clausula = CAUSAS[_causa_guardada(otra.causa, False)]
        raise ComiteRechazado(
            f"Otro integrante del Comité ya registró por qué no rindió la entrevista: «{texto}» ({clausula}); "
            "la causa debe coincidir. Verifíquela o comuníquese con la Oficina de Recursos Humanos.", CAMPO_CAUSA)


# --- forming the stage score ---------------------------------------------------------------


def faltantes(session: Session, conv: m.Convocatoria) -> list[str]:
    """Why the stage score cannot be formed yet (empty: it can): §4.2.5 b, g."""
    motivos = []
    scorers = calificadores(session, conv)
    roles = {s.rol for s in scorers}
    if RolComite.orh not in roles or RolComite.area_usuaria not in roles:
        motivos.append("El Comité de Entrevista debe integrarlo un representante de la Oficina de Recursos Humanos "
                       "y uno del área usuaria (§4.2.5 b).")
    lista = citados(session, conv)
    if not lista:
        motivos.append("No hay candidatos/as citados/as a la Entrevista Personal.")
    enviadas = {(h.postulacion_id, h.miembro_id): (h.asistio, _causa_guardada(h.causa, h.asistio))
                for h in hojas(session, conv).values() if h.enviada}
    pendientes = sum(1 for p in lista for s in scorers if (p.id, s.id) not in enviadas)
    if pendientes:
        motivos.append(f"Faltan {pendientes} hoja(s) de entrevista por enviar (§4.2.5 g: promedio de todos los "
                       "integrantes).")
    discordes = [p for p in lista if len({enviadas[(p.id, s.id)] for s in scorers if (p.id, s.id) in enviadas}) > 1]
    if discordes:
        motivos.append(f"Las hojas enviadas de {len(discordes)} candidato(s) no coinciden en la asistencia "
                       "(§4.6): un integrante registró que no rindió la entrevista, o por otra causa, y otro lo "
                       "calificó.")
    return motivos


@dataclass(frozen=True)
class Formacion:
    """What :func:`formar` did: ``evaluacion`` when the engine stored the stage, else why not."""

    evaluacion: engine_db.Evaluacion | None = None
    motivos: tuple[str, ...] = ()

    @property
    def formada(self) -> bool:
        return self.evaluacion is not None


def formar(session: Session, conv: m.Convocatoria, *, usuario: m.Usuario) -> Formacion:
    """Form the interview's stage score through the engine once every member submitted (§4.2.5 g).

    The engine's interview plugin averages the submitted totals and truncates to two decimals,
    applies the pass mark (§4.2.5 i, j), absence (§4.6) and the Ley 31533 bonus (§4.2.5 h); the
    results are stored as the stage's :class:`~casadmin.models.ResultadoEtapa` rows and audited
    (``evaluar_etapa``) by :func:`casadmin.engine_db.evaluar`. A published stage is never formed again.
    """
    if publicada(session, conv):
        return Formacion(motivos=("Los resultados de la Entrevista Personal ya fueron publicados.",))
    try:
        _en_curso(conv)
    except ComiteRechazado as exc:
        return Formacion(motivos=(exc.mensaje,))
    from casadmin import etapas

    # Never on out-of-date earlier results: forming would take out, with their results, the candidates
    # whose curricular result is pending (a checklist changed after the evaluation), §4.6.
    previa = etapas.previa_desactualizada(session, conv, ETAPA.name)
    if previa is not None:
        return Formacion(motivos=(
            f"No se formó el puntaje de la Entrevista Personal: la {previa.nombre} tiene resultados "
            f"desactualizados ({previa.porque}: {previa.detalle}). La Oficina de Recursos Humanos debe volver a "
            "evaluarla; después se forma el puntaje con las hojas ya enviadas.",))
    motivos = faltantes(session, conv)
    if motivos:
        return Formacion(motivos=tuple(motivos))

    codigo = conv.codigo
    try:
        # The shortlist may have changed since the last forming (§4.6): engine_db.evaluar first removes
        # those no longer in it, as when any stage is evaluated again (etapas.quitar_fuera_de_etapa).
        return Formacion(evaluacion=engine_db.evaluar(session, codigo, ETAPA.name, usuario=usuario))
    except (engine_db.EvaluacionRechazada, engine_db.ConvocatoriaNoEncontrada) as exc:
        session.rollback()
        return Formacion(motivos=(str(exc),))
    except pl.ErrorDePlugin as exc:
        session.rollback()
        return Formacion(motivos=(f"Un plugin de las bases falló al calcular la etapa: {exc}",))


def enviar_y_formar(session: Session, conv: m.Convocatoria, miembro: m.MiembroComite, postulacion_id: int,
                    datos: Mapping[str, str | None], *,
                    usuario: m.Usuario) -> tuple[m.HojaEntrevista, Formacion | None]:
    """Submit a sheet; if it was the last one missing, form the stage score (in its own transaction)."""
    hoja = guardar_hoja(session, conv, miembro, postulacion_id, datos, enviar=True, usuario=usuario)
    if faltantes(session, conv):
        return hoja, None
    return hoja, formar(session, conv, usuario=usuario)


# --- ORH: the committee of a call ----------------------------------------------------------


def asignables(session: Session, conv: m.Convocatoria) -> dict[RolComite, list[m.Usuario]]:
    """Active staff of the call's institution who may take each seat: Comité role, or Veedor role."""
    por_rol = {}
    for rol, nombre in ((RolComite.orh, COMITE), (RolComite.area_usuaria, COMITE), (RolComite.veedor, VEEDOR)):
        por_rol[rol] = list(session.scalars(
            sa.select(m.Usuario).where(m.Usuario.entidad_id == conv.entidad_id, m.Usuario.active.is_(True),
                                       m.Usuario.roles.any(name=nombre))
            .order_by(m.Usuario.first_name, m.Usuario.last_name, m.Usuario.username)))
    return por_rol


def reabrir_hoja(session: Session, conv: m.Convocatoria, postulacion_id: int, miembro_id: int, *, motivo: str,
                 por: m.Usuario) -> None:
    """ORH gives a submitted sheet back to its member as a draft, with a written reason, while the stage
    score is not formed: a member who sent the wrong attendance or a mistaken score, which would otherwise
    keep the score from ever forming (the sheets must agree, §4.6; every member's is averaged, §4.2.5 g).
    Audited with the reason and without the scores (ORH does not read them before the score, §4.2.5 f)."""
    _en_curso(conv)
    if publicada(session, conv):
        raise ComiteRechazado("Los resultados de la Entrevista Personal ya fueron publicados: las hojas no pueden "
                              "modificarse.", "reabrir")
    if formada(session, conv):
        raise ComiteRechazado("El puntaje de la etapa ya se formó con las hojas enviadas: ya no se reabren.", "reabrir")
    motivo = (motivo or "").strip()
    if len(motivo) < 10:
        raise ComiteRechazado("Escriba el motivo para reabrir la hoja (al menos 10 caracteres; quedará en la "
                              "auditoría).", "reabrir")
    post = citado(session, conv, postulacion_id)
    bloquear(session, m.Postulacion, post.id)
    H = m.HojaEntrevista
    hoja = session.scalar(sa.select(H).where(H.postulacion_id == post.id, H.miembro_id == miembro_id)
                          .execution_options(populate_existing=True))
    if hoja is None or not hoja.enviada or hoja.miembro.convocatoria_id != conv.id:
        raise ComiteRechazado("Esa hoja no está enviada: su integrante aún puede modificarla.", "reabrir")
    quien = {"integrante": hoja.miembro.usuario.username, "rol": hoja.miembro.rol.name}
    hoja.enviada, hoja.enviada_en = False, None
    session.flush()
    audit.record(session, accion="reabrir_hoja_entrevista", objeto=hoja, antes={**quien, "enviada": True},
                 despues={**quien, "enviada": False}, motivo=motivo, usuario_id=por.id, usuario=por.username,
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id, postulacion_id=post.id)
    session.commit()


def formada(session: Session, conv: m.Convocatoria) -> bool:
    return bool(resultados(session, conv))


def _congelada(session: Session, conv: m.Convocatoria, rol: RolComite) -> None:
    if publicada(session, conv):
        raise ComiteRechazado("Los resultados de la Entrevista Personal ya fueron publicados: el Comité no puede "
                              "modificarse.", "usuario")
    if rol in CALIFICADORES and formada(session, conv):
        raise ComiteRechazado("La Entrevista Personal ya tiene puntaje formado con este Comité: sus integrantes "
                              "que califican no pueden cambiar.", "usuario")


def validar_miembro(session: Session, conv: m.Convocatoria, usuario: m.Usuario | None, rol: RolComite | None,
                    *, miembro_id: int | None = None) -> None:
    """§4.2.5 b: one representative of ORH, one of the user area and at most one Veedor, each staff of
    the call's institution with the matching role; the committee is frozen once formed or published."""
    if rol is None:
        raise ComiteRechazado("Seleccione el papel en el Comité.", "rol")
    if usuario is None:
        raise ComiteRechazado("Seleccione a la persona.", "usuario")
    if usuario.entidad_id != conv.entidad_id:
        raise ComiteRechazado("La persona no pertenece a la entidad de la convocatoria.", "usuario")
    necesario = VEEDOR if rol is RolComite.veedor else COMITE
    if necesario not in {r.name for r in usuario.roles}:
        raise ComiteRechazado(f"La persona debe tener el rol {necesario}.", "usuario")
    if not usuario.active:
        raise ComiteRechazado("La cuenta de la persona está desactivada.", "usuario")
    _congelada(session, conv, rol)
    otros = [x for x in miembros(session, conv) if x.id != miembro_id]
    if any(x.usuario_id == usuario.id for x in otros):
        raise ComiteRechazado("Esta persona ya integra el Comité de la convocatoria.", "usuario")
    mismo = next((x for x in otros if x.rol is rol), None)
    if mismo is not None:
        raise ComiteRechazado(f"El Comité ya tiene {rol.value}: {mismo.usuario.first_name} {mismo.usuario.last_name} "
                              f"({mismo.usuario.username}). Retírelo/a antes de asignar a otra persona (§4.2.5 b).",
                              "usuario")


def asignar(session: Session, conv: m.Convocatoria, usuario_id: int | None, rol: RolComite | None, *,
            por: m.Usuario) -> m.MiembroComite:
    """ORH assigns a person to the call's committee (§4.2.5 b); audited, one transaction."""
    usuario = session.get(m.Usuario, usuario_id) if usuario_id else None
    validar_miembro(session, conv, usuario, rol)
    miembro = m.MiembroComite(convocatoria_id=conv.id, usuario_id=usuario.id, rol=rol)
    session.add(miembro)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ComiteRechazado("Esta persona ya integra el Comité de la convocatoria.", "usuario") from None
    audit.record(session, accion="asignar_miembro_comite", objeto=miembro,
                 despues={"usuario": usuario.username, "rol": rol.name}, usuario_id=por.id, usuario=por.username,
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id)
    session.commit()
    return miembro


def retirar(session: Session, conv: m.Convocatoria, miembro_id: int, *, por: m.Usuario) -> None:
    """ORH removes a member who has not scored yet; audited, one transaction."""
    miembro = session.get(m.MiembroComite, miembro_id)
    if miembro is None or miembro.convocatoria_id != conv.id:
        raise NoEncontrado("Ese integrante no pertenece al Comité de esta convocatoria.")
    _congelada(session, conv, miembro.rol)
    H = m.HojaEntrevista
    tiene = session.scalar(sa.select(sa.func.count()).where(H.miembro_id == miembro.id, H.enviada.is_(True)))
    if tiene:
        raise ComiteRechazado(f"{miembro.usuario.username} ya envió {tiene} hoja(s) de entrevista: no puede "
                              "retirarse del Comité.", "usuario")
    # Drafts only (a member taken ill mid-day): they go with the member. Their scores stay in their own
    # audit records (shown to ORH once the score is formed, casadmin.scoping); this one names whose.
    borradores = session.scalars(sa.select(H).where(H.miembro_id == miembro.id)).all()
    antes: dict[str, object] = {"usuario": miembro.usuario.username, "rol": miembro.rol.name}
    if borradores:
        antes["borradores"] = sorted(h.postulacion_id for h in borradores)
    for h in borradores:
        session.delete(h)
    session.flush()
    audit.record(session, accion="retirar_miembro_comite", objeto=miembro, antes=antes, usuario_id=por.id,
                 usuario=por.username, entidad_id=conv.entidad_id, convocatoria_id=conv.id)
    session.delete(miembro)
    session.commit()


def progreso(session: Session, conv: m.Convocatoria) -> dict[str, int]:
    """How many sheets are pending, in draft and submitted (for ORH; no scores)."""
    cuenta: dict[str, int] = defaultdict(int)
    for fila in tablero(session, conv):
        for estado in fila.estados.values():
            cuenta[estado] += 1
    return {e: cuenta.get(e, 0) for e in ESTADOS}
