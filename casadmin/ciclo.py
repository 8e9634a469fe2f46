"""The life cycle of a call (B4, §4.5): borrador → publicada → postulación → evaluación → finalizada,
or desierta, or cancelada; each transition checked, written in one transaction and audited.

The screen (:mod:`casadmin.views.gestion`) shows one button per transition of
:data:`TRANSICIONES`; :func:`disponibles` says which are possible now and why the others are
not, and :func:`ejecutar` re-checks and applies one. A refusal raises
:class:`TransicionRechazada` with a Spanish message (and the form field to blame) and changes
nothing.

* Publishing needs the position profile (B2) and a complete schedule (B3) whose application
  window has not closed, under an installed, active bases version (F3).
* Cancelling (§4.5, first list) is possible only before the Entrevista Personal, with one of
  the three causes of :class:`~casadmin.models.enums.CausaCancelacion` and a written reason.
* Declaring the call desierto (§4.5, second list) takes the cause the rules engine proposes
  (hook ``casadmin_detectar_desierto`` of the call's bases version, D9), which ORH confirms;
  choosing another cause needs a written reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pluggy
import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import audit, cronograma
from casadmin.bloqueo import bloquear
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.models.enums import (
    CausaCancelacion,
    CausaDesierto,
    CondicionFinal,
    EstadoContrato,
    EstadoConvocatoria,
    Etapa,
    TipoHito,
)
from casadmin.peru.clock import now, to_lima
from casadmin.rechazo import Rechazo

E = EstadoConvocatoria
#: The least a written reason must say (a few words, not a dot).
MIN_SUSTENTO = 15


class TransicionRechazada(Rechazo):
    """A refused transition, in Spanish; ``campo`` is the form field to blame (``None``: the whole form)."""


@dataclass(frozen=True)
class Transicion:
    accion: str
    #: the button's label (stable: the browser tests click it)
    etiqueta: str
    desde: tuple[EstadoConvocatoria, ...]
    hacia: EstadoConvocatoria
    ayuda: str = ""


TRANSICIONES: tuple[Transicion, ...] = (
    Transicion("publicar", "Publicar convocatoria", (E.borrador,), E.publicada,
               "Difunde la convocatoria en el portal durante el plazo de publicación (§4.1)."),
    Transicion("abrir_postulacion", "Iniciar postulación", (E.publicada,), E.postulacion,
               "Desde el inicio de la postulación del cronograma (§4.1 Reclutamiento)."),
    Transicion("iniciar_evaluacion", "Iniciar evaluación", (E.postulacion,), E.evaluacion,
               "Después del cierre de la postulación (§4.2)."),
    Transicion("finalizar", "Finalizar proceso", (E.evaluacion,), E.finalizada,
               "Con los resultados finales y el/la ganador(a) declarados (§4.2.6)."),
    Transicion("cancelar", "Cancelar proceso", (E.publicada, E.postulacion, E.evaluacion), E.cancelada,
               "Solo hasta antes de la Entrevista Personal, con causa y sustento (§4.5)."),
    Transicion("declarar_desierto", "Declarar desierto", (E.postulacion, E.evaluacion, E.finalizada), E.desierta,
               "Con la causa que propone el motor de reglas, confirmada por la ORH (§4.5)."),
)
POR_ACCION = {t.accion: t for t in TRANSICIONES}


def _fh(valor: dt.datetime) -> str:
    return to_lima(valor).strftime("%d/%m/%Y a las %H:%M")


def _hito(conv: m.Convocatoria, tipo: TipoHito) -> m.HitoCronograma | None:
    return next((h for h in conv.cronograma if h.tipo is tipo), None)


# --- the engine's desierto proposal (D9) --------------------------------------------------------


@dataclass(frozen=True)
class Propuesta:
    """What the rules engine proposes for §4.5 desierto: the cause (or none), the plugin that said so,
    the counts it was given, and why no proposal could be made (``error``)."""

    causa: CausaDesierto | None
    plugin: str | None
    resumen: dict[str, int] = field(default_factory=dict)
    error: str | None = None


def resumen_desierto(session: Session, conv: m.Convocatoria) -> dict[str, int]:
    """The counts the hook ``casadmin_detectar_desierto`` reads, from the stored results.

    ``postulantes``: applications; ``aptos_ficha``: Apto in the Ficha evaluation (all applicants
    while it is not evaluated); ``finalistas``: applications that continued in every evaluated
    stage; ``ganadores``: winners of the final result.
    """
    from casadmin.engine_db import SIGUEN

    P, R = m.Postulacion, m.ResultadoEtapa
    postulantes = session.scalar(sa.select(sa.func.count()).where(P.convocatoria_id == conv.id)) or 0
    evaluadas = set(session.scalars(sa.select(R.etapa).where(R.convocatoria_id == conv.id, R.evaluado_en.is_not(None))
                                    .distinct()))
    if Etapa.ficha in evaluadas:
        aptos = session.scalar(sa.select(sa.func.count()).where(
            R.convocatoria_id == conv.id, R.etapa == Etapa.ficha, R.resultado.in_(SIGUEN),
            R.evaluado_en.is_not(None))) or 0
    else:
        aptos = postulantes
    if evaluadas:
        siguen = (sa.select(R.postulacion_id)
                  .where(R.convocatoria_id == conv.id, R.etapa.in_(evaluadas), R.resultado.in_(SIGUEN),
                         R.evaluado_en.is_not(None))
                  .group_by(R.postulacion_id).having(sa.func.count() == len(evaluadas)))
        finalistas = session.scalar(sa.select(sa.func.count()).select_from(siguen.subquery())) or 0
    else:
        finalistas = aptos
    ganadores = session.scalar(sa.select(sa.func.count()).where(
        m.ResultadoFinal.convocatoria_id == conv.id, m.ResultadoFinal.condicion == CondicionFinal.ganador)) or 0
    from casadmin import contratos

    return {"postulantes": postulantes, "aptos_ficha": aptos, "finalistas": finalistas, "ganadores": ganadores,
            "sin_nadie_por_llamar": int(contratos.sin_nadie_por_llamar(session, conv))}


def proponer_desierto(session: Session, conv: m.Convocatoria, pm: pluggy.PluginManager | None = None) -> Propuesta:
    """Ask the call's bases version (hook ``casadmin_detectar_desierto``, D9) which §4.5 cause applies.

    §4.5 d (the winner and the accesitarios did not sign) is the plugin's too: the contract step's
    outcome (:func:`casadmin.contratos.sin_nadie_por_llamar`) is in the counts it reads.

    The one source of the proposal: the final results screen asks it too
    (:func:`casadmin.final.causa_desierto_propuesta`). It reads counts of the stored results, not the
    whole call, so the "Declarar desierto" button stays cheap on a call of 150,000 applications."""
    from casadmin.engine import run
    from casadmin.engine_db import EvaluacionRechazada, cabecera_motor

    resumen = resumen_desierto(session, conv)
    from casadmin import etapas

    # The counts mean nothing while a stage is half-evaluated or out of date (its evaluated candidates
    # could all have failed while others wait): no cause is proposed until it is evaluated again.
    try:
        malas = etapas.desactualizadas(session, conv)
    except etapas.EtapaRechazada as exc:
        return Propuesta(None, None, resumen, error=exc.mensaje)
    if malas:
        return Propuesta(None, None, resumen,
                         error=next(iter(malas.values())).rechazo("antes de proponer una causa de desierto"))
    pm = pm or pl.get_plugin_manager()
    try:
        bases = pl.get_bases(pm, conv.version_bases.codigo)
        modelo = cabecera_motor(conv, bases)
    except (pl.BasesDesconocida, EvaluacionRechazada) as exc:
        return Propuesta(None, None, resumen, error=str(exc))
    try:
        codigo, plugin = pl.primero(pm, bases, "casadmin_detectar_desierto", ctx=run.contexto(modelo, bases),
                                    resumen=resumen)
    except pl.SinImplementacion:  # no plugin of the version proposes a cause
        return Propuesta(None, None, resumen)
    except pl.ErrorDePlugin as exc:  # a broken plugin never blocks ORH: it confirms a cause with a reason
        return Propuesta(None, exc.plugin, resumen, error=str(exc))
    causa = CausaDesierto.__members__.get(codigo)
    if causa is None:
        return Propuesta(None, plugin, resumen, error=f"El plugin «{plugin}» propuso una causa desconocida: {codigo}.")
    return Propuesta(causa, plugin, resumen)


# --- guards -------------------------------------------------------------------------------------


def entrevista_iniciada(session: Session, conv: m.Convocatoria, momento: dt.datetime) -> str | None:
    """Why the Entrevista Personal counts as started (§4.5: cancelling is possible only before it), or None."""
    hito = _hito(conv, TipoHito.entrevista)
    if hito is not None and momento >= to_lima(hito.inicio):
        return f"la Entrevista Personal empezó el {_fh(hito.inicio)}"
    R = m.ResultadoEtapa
    evaluada = session.scalar(sa.select(R.id).where(R.convocatoria_id == conv.id, R.etapa == Etapa.entrevista,
                                                    R.evaluado_en.is_not(None)).limit(1))
    if evaluada is not None:
        return "la Entrevista Personal ya tiene resultados registrados"
    return None


def _publicar(session: Session, conv: m.Convocatoria, momento: dt.datetime) -> list[str]:
    motivos = []
    if conv.perfil is None:
        motivos.append("Registre el perfil del puesto (paso 2) antes de publicar.")
    if not conv.cronograma:
        motivos.append("Registre el cronograma (paso 3) antes de publicar.")
    else:
        faltan = cronograma.faltantes(conv)
        if faltan:
            motivos.append("Faltan etapas en el cronograma: " + ", ".join(t.value for t in faltan) + ".")
        sobran = cronograma.sobrantes(conv)
        if sobran:
            motivos.append("El cronograma tiene etapas que la convocatoria no incluye: "
                           + ", ".join(t.value for t in sobran) + ". Quítelas o incluya la etapa en los datos.")
        post = _hito(conv, TipoHito.postulacion)
        if post is not None and to_lima(post.fin) <= momento:
            motivos.append(f"La postulación del cronograma cerró el {_fh(post.fin)}: actualice el cronograma.")
        if post is not None and (fuera := cronograma.fuera_de_vigencia(conv.version_bases, post.tipo, post.inicio)):
            motivos.append(fuera)  # F3: its stages could not be evaluated
    version = conv.version_bases
    if version is not None and not version.activa:
        motivos.append(f"La versión de bases «{version.codigo}» no está activa.")
    elif version is not None:
        try:
            pl.get_bases(pl.get_plugin_manager(), version.codigo)
        except pl.BasesDesconocida:
            motivos.append(f"La versión de bases «{version.codigo}» no está instalada: no se podría evaluar (F3).")
    return motivos


def _abrir(session: Session, conv: m.Convocatoria, momento: dt.datetime) -> list[str]:
    post = _hito(conv, TipoHito.postulacion)
    if post is None:
        return ["El cronograma no tiene la etapa de postulación."]
    if momento < to_lima(post.inicio):
        return [f"La postulación empieza el {_fh(post.inicio)} según el cronograma."]
    return []


def _evaluar(session: Session, conv: m.Convocatoria, momento: dt.datetime) -> list[str]:
    post = _hito(conv, TipoHito.postulacion)
    if post is not None and momento <= to_lima(post.fin):
        return [f"La postulación cierra el {_fh(post.fin)}: la evaluación empieza después del cierre."]
    return []


def _finalizar(session: Session, conv: m.Convocatoria, momento: dt.datetime) -> list[str]:
    from casadmin import final

    ganadores = session.scalar(sa.select(sa.func.count()).where(
        m.ResultadoFinal.convocatoria_id == conv.id, m.ResultadoFinal.condicion == CondicionFinal.ganador)) or 0
    if not ganadores:
        return ["Aún no hay resultados finales con ganador(a). Si nadie aprobó, declare desierto el proceso (§4.5)."]
    if not final._publicado(session, conv):
        return ["Publique los resultados finales antes de finalizar el proceso (§4.2.6): calculados, aún pueden "
                "cambiar."]
    return []


def _cancelar(session: Session, conv: m.Convocatoria, momento: dt.datetime) -> list[str]:
    porque = entrevista_iniciada(session, conv, momento)
    if porque:
        return [f"El proceso solo puede cancelarse hasta antes de la Entrevista Personal (§4.5) y {porque}."]
    return []


def _desierto(session: Session, conv: m.Convocatoria, momento: dt.datetime) -> list[str]:
    """§4.5: the causes are known only once the application period closed (a: nobody applied), and none
    holds once someone signed the contract."""
    post = _hito(conv, TipoHito.postulacion)
    if post is not None and momento <= to_lima(post.fin):
        return [f"La postulación cierra el {_fh(post.fin)}: hasta entonces no puede saberse si el proceso queda "
                "desierto (§4.5 a)."]
    firmado = session.scalar(sa.select(m.Contrato.id).where(m.Contrato.convocatoria_id == conv.id,
                                                            m.Contrato.estado == EstadoContrato.suscrito).limit(1))
    if firmado is not None:
        return ["Ya se suscribió un contrato de esta convocatoria: el proceso no puede declararse desierto (§4.5)."]
    return []


_GUARDAS = {"publicar": _publicar, "abrir_postulacion": _abrir, "iniciar_evaluacion": _evaluar,
            "finalizar": _finalizar, "cancelar": _cancelar, "declarar_desierto": _desierto}


def motivos_rechazo(session: Session, conv: m.Convocatoria, accion: str, momento: dt.datetime | None = None) -> list[str]:
    """Why ``accion`` is not possible now (empty: it is), without the cause and reason it may still need."""
    t = POR_ACCION.get(accion)
    if t is None:
        return [f"Acción desconocida: {accion}."]
    if conv.estado not in t.desde:
        desde = " o ".join(f"«{e.value}»" for e in t.desde)
        return [f"No se puede «{t.etiqueta.lower()}»: la convocatoria está «{conv.estado.value}» y esta acción "
                f"solo procede desde {desde} (§4.5)."]
    return _GUARDAS[accion](session, conv, to_lima(momento or now()))


def disponibles(session: Session, conv: m.Convocatoria, momento: dt.datetime | None = None) -> list[tuple[Transicion, list[str]]]:
    """The transitions from the call's state, each with the reasons it is refused now (empty: possible)."""
    return [(t, motivos_rechazo(session, conv, t.accion, momento)) for t in TRANSICIONES if conv.estado in t.desde]


def _quien(usuario: m.Usuario | None) -> dict[str, Any]:
    return {"usuario_id": usuario.id if usuario else None, "usuario": usuario.username if usuario else None}


def ejecutar(session: Session, conv: m.Convocatoria, accion: str, *, usuario: m.Usuario | None = None,
             causa: str | None = None, sustento: str | None = None, momento: dt.datetime | None = None,
             pm: pluggy.PluginManager | None = None) -> m.Convocatoria:
    """Apply transition ``accion`` to ``conv`` in one transaction, with its audit record (A5).

    ``causa`` is a member name of :class:`CausaCancelacion` (cancelar) or :class:`CausaDesierto`
    (declarar_desierto); ``sustento`` the written reason. Raises :class:`TransicionRechazada`
    before changing anything.
    """
    momento = to_lima(momento or now())
    t = POR_ACCION.get(accion)
    if t is None:
        raise TransicionRechazada(f"Acción desconocida: {accion}.")
    # Two clicks at once: the second waits for the first and then sees its state.
    bloquear(session, m.Convocatoria, conv.id, conv)
    motivos = motivos_rechazo(session, conv, accion, momento)
    if motivos:
        raise TransicionRechazada(" ".join(motivos))
    sustento = (sustento or "").strip() or None
    antes = {"estado": conv.estado.name}
    despues: dict[str, Any] = {"estado": t.hacia.name}
    if accion == "cancelar":
        eleccion = CausaCancelacion.__members__.get(causa or "")
        if eleccion is None:
            raise TransicionRechazada("Seleccione la causa de la cancelación (§4.5).", "causa")
        if not sustento or len(sustento) < MIN_SUSTENTO:
            raise TransicionRechazada(
                f"Escriba el sustento de la cancelación (al menos {MIN_SUSTENTO} caracteres): quedará en el registro "
                "de auditoría.", "sustento")
        conv.causa_cancelacion = eleccion
        despues["causa"] = eleccion.name
    elif accion == "declarar_desierto":
        propuesta = proponer_desierto(session, conv, pm)
        eleccion = CausaDesierto.__members__.get(causa or "")
        if eleccion is None:
            raise TransicionRechazada("Seleccione la causa de la declaratoria de desierto (§4.5).", "causa")
        if eleccion is not propuesta.causa and (not sustento or len(sustento) < MIN_SUSTENTO):
            propuesta_txt = f"«{propuesta.causa.value}»" if propuesta.causa else "ninguna causa"
            raise TransicionRechazada(
                f"El motor de reglas propone {propuesta_txt}; para declarar otra causa escriba el sustento "
                f"(al menos {MIN_SUSTENTO} caracteres).", "sustento")
        conv.causa_desierto = eleccion
        despues.update({"causa": eleccion.name, "causa_propuesta": propuesta.causa.name if propuesta.causa else None,
                        "plugin": propuesta.plugin, "resumen": propuesta.resumen})
    if accion == "publicar":
        conv.publicada_en = momento
        despues["publicada_en"] = momento.isoformat(timespec="minutes")
    if accion in ("cancelar", "declarar_desierto"):
        conv.sustento_estado = sustento
    conv.estado = t.hacia
    session.flush()
    audit.record(session, accion=f"convocatoria_{accion}", objeto=conv, antes=antes, despues=despues, motivo=sustento,
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id, **_quien(usuario))
    session.commit()
    return conv
