"""The contract step (D10, §4.4): registry checks, the 5-business-day deadline, signing, or the next accesitario.

* Publishing the final results calls each winner (``orden_llamado`` 0) with the deadline of
  §4.4 d: five business days counted from the day after the publication
  (:func:`casadmin.peru.business_days.contract_deadline`; the number is the bases' dated
  parameter ``contrato.dias_habiles_suscripcion``).
* ORH records the registry checks of §4.4 a (RNSSC, REDAM, REDERECI, REDJUM, the Debida
  Diligencia records and, for lawyers, RNAS) and the signing; an RNSSC disqualification or an
  unresolved criminal/police/judicial record stops the signing (§4.4 b, §4.7).
* When the winner desists, does not sign by the deadline or is barred, the next accesitario is
  called within the same deadline counted from that call (§4.4 f), up to two; when nobody is left
  the engine's desierto proposal becomes ``desistimiento`` (§4.5 d).

Every step is one transaction and one audit record; a refusal changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import audit, mailer
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.engine.params import ParametroDesconocido
from casadmin.bloqueo import bloquear
from casadmin.cronograma import CERRADOS
from casadmin.models.enums import CondicionFinal, EstadoContrato, EstadoPostulacion, TipoCorreo, Verificacion
from casadmin.peru.business_days import contract_deadline
from casadmin.peru.clock import now
from casadmin.rechazo import Rechazo

#: §4.4 a: the checks recorded before signing, with what the screen calls them.
REGISTROS: dict[str, str] = {
    "rnssc": "Registro Nacional de Sanciones contra Servidores Civiles (RNSSC)",
    "redam": "Registro de Deudores Alimentarios Morosos (REDAM)",
    "redereci": "Registro de Deudores de Reparaciones Civiles (REDERECI)",
    "redjum": "Registro de Deudores Judiciales Morosos (REDJUM)",
    "antecedentes": "Antecedentes penales, policiales y judiciales (Debida Diligencia)",
    "rnas": "Registro Nacional de Abogados Sancionados (RNAS), solo formación en Derecho",
}
#: Always verified (§4.4 a): the RNSSC has a public platform, and «se consulta la plataforma de Debida
#: Diligencia» for every winner; «No aplica» is for a registry without one, or the RNAS without Derecho.
SIEMPRE = ("rnssc", "antecedentes")
#: §4.4 d: five business days, when the bases version does not say otherwise.
DIAS_SUSCRIPCION = 5
#: How a contract that was not signed ends (§4.4 f, §4.4 b).
SIN_FIRMA = (EstadoContrato.desistio, EstadoContrato.no_suscribio, EstadoContrato.impedido)


class ContratoRechazado(Rechazo):
    """A contract step refused (§4.4): its Spanish message and the form field it concerns; nothing was changed."""


def _hoy() -> dt.date:
    return now().date()


def dias_suscripcion(conv: m.Convocatoria) -> int:
    """§4.4 d: the business days to sign, as the call's bases version says on its application date."""
    try:
        bases = pl.get_bases(pl.get_plugin_manager(), conv.version_bases.codigo)
        inicio = min((h.inicio for h in conv.cronograma), default=now()).date()
        return int(bases.parametros.para(inicio)["contrato.dias_habiles_suscripcion"])
    except (pl.BasesDesconocida, ParametroDesconocido):
        return DIAS_SUSCRIPCION


def _llamar(session: Session, conv: m.Convocatoria, final: m.ResultadoFinal, orden_llamado: int, desde: dt.date,
            usuario: m.Usuario | str | None) -> m.Contrato:
    """Call one person to sign: the contract row, the deadline, the e-mail of §4.4 c, the audit record."""
    limite = contract_deadline(desde, dias_suscripcion(conv))
    contrato = m.Contrato(convocatoria_id=conv.id, postulacion_id=final.postulacion_id, orden_llamado=orden_llamado,
                          fecha_limite=limite)
    session.add(contrato)
    session.flush()
    post = final.postulacion
    post.estado = EstadoPostulacion.ganador
    quien_id, quien = audit.quien(usuario)
    audit.record(session, accion="llamar_a_suscribir", objeto=contrato, usuario_id=quien_id, usuario=quien,
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id, postulacion_id=final.postulacion_id,
                 despues={"orden_llamado": orden_llamado, "fecha_limite": limite.isoformat()})
    persona = post.postulante
    if persona is not None and persona.email:
        quien_es = "ganador(a)" if orden_llamado == 0 else f"accesitario(a) N° {orden_llamado}"
        mailer.encolar(
            session, tipo=TipoCorreo.otro, destinatario=persona.email,
            asunto=f"Suscripción del contrato – {conv.codigo}",
            cuerpo=(f"Estimado(a) {persona.nombres}:\n\nComo {quien_es} de la convocatoria {conv.codigo} "
                    f"({conv.nombre_puesto}) le corresponde suscribir el contrato ({conv.modalidad_firma}) "
                    f"hasta el {limite:%d/%m/%Y} (§4.4 d de las bases). La Oficina de Recursos Humanos le indicará "
                    "los formatos a presentar.\n"),
            entidad_id=conv.entidad_id, convocatoria_id=conv.id, usuario_id=persona.usuario_id)
    return contrato


def llamar_ganadores(session: Session, conv: m.Convocatoria, pub: m.PublicacionEtapa, *,
                     usuario: m.Usuario | str | None = None, desde: dt.date | None = None) -> list[m.Contrato]:
    """Call every winner to sign within the deadline counted from the publication (§4.4 d)."""
    ganadores = session.scalars(sa.select(m.ResultadoFinal).where(
        m.ResultadoFinal.convocatoria_id == conv.id, m.ResultadoFinal.condicion == CondicionFinal.ganador)
        .order_by(m.ResultadoFinal.orden_merito, m.ResultadoFinal.id)).all()
    inicio = desde or pub.publicado_en.date()
    return [_llamar(session, conv, f, 0, inicio, usuario) for f in ganadores]


def contratos(session: Session, conv: m.Convocatoria) -> list[m.Contrato]:
    return list(session.scalars(sa.select(m.Contrato).where(m.Contrato.convocatoria_id == conv.id)
                                .order_by(m.Contrato.orden_llamado, m.Contrato.id)))


def antes_de_corregir(session: Session, conv: m.Convocatoria) -> None:
    """Before an audited correction of published final results: refused once a contract step closed.

    Pending calls are withdrawn (the correction calls whoever it makes winner).
    """
    from casadmin.final import FinalRechazado

    lista = contratos(session, conv)
    cerrados = [c for c in lista if c.estado is not EstadoContrato.pendiente]
    if cerrados:
        raise FinalRechazado("El resultado final ya no puede recalcularse: se registró la suscripción o el "
                             f"desistimiento de un contrato ({cerrados[0].estado}).")
    for c in lista:
        session.delete(c)
    session.flush()


def tras_corregir(session: Session, conv: m.Convocatoria, pub: m.PublicacionEtapa | None, *,
                  usuario: m.Usuario | str | None = None) -> None:
    """After an audited correction of published final results: the winners are called again, from today."""
    if pub is not None:
        llamar_ganadores(session, conv, pub, usuario=usuario, desde=_hoy())


def _bloquear(session: Session, contrato: m.Contrato) -> None:
    """A second click, or another ORH user acting on the same call's contracts, waits for the first and then
    sees what it left (two «Desistió» called both accesitarios; a signature was overwritten by «Desistió»)."""
    bloquear(session, m.Convocatoria, contrato.convocatoria_id, contrato)


def _en_curso(conv: m.Convocatoria) -> None:
    """The contract step belongs to a call still in course: not to one finished, declared desierta or
    cancelled (§4.5), where it called an accesitario and signed (B4)."""
    if conv.estado in CERRADOS:
        raise ContratoRechazado(f"La convocatoria está {conv.estado.value.lower()}: sus contratos ya no se "
                                "modifican (§4.5).")


def registrar_verificacion(session: Session, contrato: m.Contrato, valores: Mapping[str, str],
                           observaciones: str | None = None, *, usuario: m.Usuario | str | None = None) -> m.Contrato:
    """Record the registry checks of §4.4 a (each ``pendiente``, ``conforme``, ``observado`` or ``no_aplica``)."""
    _bloquear(session, contrato)
    _en_curso(contrato.convocatoria)
    if contrato.estado is not EstadoContrato.pendiente:
        raise ContratoRechazado(f"El contrato ya está cerrado ({contrato.estado}): no se modifican sus verificaciones.")
    nuevos = {}
    for campo in REGISTROS:
        valor = (valores.get(campo) or "").strip()
        if valor not in Verificacion.__members__:
            raise ContratoRechazado(f"Elija el resultado de la verificación: {REGISTROS[campo]}.", field=campo)
        if campo in SIEMPRE and valor == Verificacion.no_aplica.name:
            raise ContratoRechazado(f"{REGISTROS[campo]}: se verifica para todo ganador (§4.4 a); registre si está "
                                    "conforme u observado.", field=campo)
        nuevos[campo] = Verificacion[valor]
    antes = {c: getattr(contrato, c).name for c in REGISTROS}
    for campo, valor in nuevos.items():
        setattr(contrato, campo, valor)
    obs = (observaciones or "").strip()
    if obs:
        contrato.observaciones = obs
    quien_id, quien = audit.quien(usuario)
    audit.record(session, accion="verificar_registros", objeto=contrato, usuario_id=quien_id, usuario=quien,
                 entidad_id=contrato.convocatoria.entidad_id, convocatoria_id=contrato.convocatoria_id,
                 postulacion_id=contrato.postulacion_id, antes=antes,
                 despues={**{c: v.name for c, v in nuevos.items()}, "observaciones": obs or None})
    session.commit()
    return contrato


def suscribir(session: Session, contrato: m.Contrato, *, usuario: m.Usuario | str | None = None,
              hoy: dt.date | None = None) -> m.Contrato:
    """The contract is signed (§4.4 d): inside the deadline, every check done, no disqualification (§4.4 b, §4.7)."""
    hoy = hoy or _hoy()
    _bloquear(session, contrato)
    _en_curso(contrato.convocatoria)
    if contrato.estado is not EstadoContrato.pendiente:
        raise ContratoRechazado(f"El contrato ya está cerrado ({contrato.estado}).")
    if hoy > contrato.fecha_limite:
        raise ContratoRechazado(f"El plazo para suscribir venció el {contrato.fecha_limite:%d/%m/%Y} (§4.4 d): "
                                "registre que no suscribió en el plazo y se convocará al siguiente accesitario.")
    for campo, nombre in REGISTROS.items():
        if getattr(contrato, campo) is Verificacion.pendiente:
            raise ContratoRechazado(f"Falta registrar la verificación: {nombre} (§4.4 a).", field=campo)
    if contrato.rnssc is Verificacion.observado:
        raise ContratoRechazado("Inhabilitado(a) según el RNSSC: no puede ser contratado(a) (§4.4 b, §4.7). "
                                "Registre el impedimento y se convocará al siguiente accesitario.", field="rnssc")
    if contrato.antecedentes is Verificacion.observado:
        raise ContratoRechazado("Tiene antecedentes observados: debe presentar el documento oficial que acredite no "
                                "poseerlos antes de la firma (§4.4 b); registre entonces la verificación sin registro.",
                                field="antecedentes")
    if contrato.rnas is Verificacion.observado:
        raise ContratoRechazado("Registrado(a) en el RNAS: impedido(a) para el ejercicio de la profesión (§4.7 a).",
                                field="rnas")
    contrato.estado = EstadoContrato.suscrito
    contrato.suscrito_en = now()
    quien_id, quien = audit.quien(usuario)
    audit.record(session, accion="suscribir_contrato", objeto=contrato, usuario_id=quien_id, usuario=quien,
                 entidad_id=contrato.convocatoria.entidad_id, convocatoria_id=contrato.convocatoria_id,
                 postulacion_id=contrato.postulacion_id, antes={"estado": EstadoContrato.pendiente.name},
                 despues={"estado": EstadoContrato.suscrito.name, "suscrito_en": contrato.suscrito_en})
    session.commit()
    return contrato


def siguiente_accesitario(session: Session, conv: m.Convocatoria) -> m.ResultadoFinal | None:
    """The best-placed accesitario not called yet (§4.2.6 b, §4.4 f)."""
    llamados = sa.select(m.Contrato.postulacion_id).where(m.Contrato.convocatoria_id == conv.id)
    return session.scalar(sa.select(m.ResultadoFinal).where(
        m.ResultadoFinal.convocatoria_id == conv.id, m.ResultadoFinal.condicion == CondicionFinal.accesitario,
        m.ResultadoFinal.postulacion_id.not_in(llamados)).order_by(m.ResultadoFinal.orden_merito, m.ResultadoFinal.id)
        .limit(1))


def cerrar_sin_firma(session: Session, contrato: m.Contrato, estado: str, sustento: str, *,
                     usuario: m.Usuario | str | None = None, hoy: dt.date | None = None) -> m.Contrato | None:
    """The person called does not sign (§4.4 f): they desist, the deadline passed, or they are barred (§4.4 b, §4.7).

    The next accesitario is called within the same deadline counted from today; returns that
    new contract, or ``None`` when nobody is left (the call is then proposed desierta, §4.5 d).
    """
    hoy = hoy or _hoy()
    _bloquear(session, contrato)
    _en_curso(contrato.convocatoria)
    if contrato.estado is not EstadoContrato.pendiente:
        raise ContratoRechazado(f"El contrato ya está cerrado ({contrato.estado}).")
    if estado not in {e.name for e in SIN_FIRMA}:
        raise ContratoRechazado("Elija cómo terminó: desistió, no suscribió en el plazo o impedido.", field="estado")
    nuevo_estado = EstadoContrato[estado]
    sustento = (sustento or "").strip()
    if not sustento:
        raise ContratoRechazado("Escriba el sustento (quedará en el registro de auditoría).", field="sustento")
    if nuevo_estado is EstadoContrato.no_suscribio and hoy <= contrato.fecha_limite:
        raise ContratoRechazado(f"El plazo para suscribir vence el {contrato.fecha_limite:%d/%m/%Y} (§4.4 d): aún no "
                                "puede registrarse que no suscribió.", field="estado")
    conv = contrato.convocatoria
    contrato.estado = nuevo_estado
    contrato.observaciones = "\n".join(x for x in (contrato.observaciones, sustento) if x)
    contrato.postulacion.estado = EstadoPostulacion.no_seleccionado
    siguiente = siguiente_accesitario(session, conv)
    quien_id, quien = audit.quien(usuario)
    audit.record(session, accion="contrato_no_suscrito", objeto=contrato, usuario_id=quien_id, usuario=quien,
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id, postulacion_id=contrato.postulacion_id,
                 motivo=sustento, antes={"estado": EstadoContrato.pendiente.name},
                 despues={"estado": nuevo_estado.name,
                          "siguiente": siguiente.postulacion_id if siguiente else None,
                          "desierto_propuesto": None if siguiente else "desistimiento"})
    nuevo = None
    if siguiente is not None:
        ya = session.scalar(sa.select(sa.func.count()).where(m.Contrato.convocatoria_id == conv.id,
                                                             m.Contrato.orden_llamado > 0)) or 0
        nuevo = _llamar(session, conv, siguiente, ya + 1, hoy, usuario)
    session.commit()
    return nuevo


def sin_nadie_por_llamar(session: Session, conv: m.Convocatoria) -> bool:
    """§4.5 d: the final results were called to sign, nobody signed or is pending, and no accesitario is left."""
    lista = contratos(session, conv)
    if not lista:
        return False
    if any(c.estado in (EstadoContrato.pendiente, EstadoContrato.suscrito) for c in lista):
        return False
    return siguiente_accesitario(session, conv) is None
