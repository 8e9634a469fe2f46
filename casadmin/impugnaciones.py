"""Appeals against a published result (D11, §4.8): registered in time, resolved with a reason.

§4.8: ORH resolves the *recursos de reconsideración* and refers the *recursos de apelación* to
SERVIR, "según los plazos establecidos para ello dentro de la normativa vigente": the TUO of
Ley N° 27444 (art. 218.2) gives fifteen (15) business days, counted here from the day after
the result was published (the publication is the notice, §4.6). A result can be contested only
once it is published (§4.6: "una vez publicados los resultados").

* :func:`registrar` — the applicant (own applications) or ORH registers it; refused out of time.
* :func:`resolver` — a reconsideración is declared fundado / infundado / improcedente by ORH; an
  apelación is referred to SERVIR and SERVIR's decision is recorded afterwards. Reason mandatory.
* :func:`corregir` — a fundado appeal leads to the audited correction: the stage (or the final
  result) is recomputed with ``recalcular`` and a reason that names the appeal.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import audit, engine_db
from casadmin import final as final_mod
from casadmin import models as m
from casadmin.bloqueo import bloquear
from casadmin.models.enums import DecisionImpugnacion, Etapa, TipoImpugnacion
from casadmin.peru.business_days import add_business_days
from casadmin.peru.clock import now, to_lima
from casadmin.rechazo import Rechazo

#: TUO de la Ley N° 27444, art. 218.2 (the "normativa vigente" of §4.8): 15 business days.
PLAZO_DIAS_HABILES = 15
#: What can be contested: each stage, and the final results.
ETAPAS = {**{e.name: e.value for e in Etapa}, final_mod.ETAPA_FINAL: "Resultados finales"}


class ImpugnacionRechazada(Rechazo):
    """An appeal step refused (§4.8): its Spanish message and the form field it concerns; nothing was changed."""


def plazo(session: Session, conv: m.Convocatoria, etapa: str) -> tuple[dt.datetime, dt.date] | None:
    """When ``etapa``'s results were published and the last day to contest them; ``None`` if unpublished."""
    pub = session.scalar(sa.select(m.PublicacionEtapa).where(m.PublicacionEtapa.convocatoria_id == conv.id,
                                                             m.PublicacionEtapa.etapa == etapa))
    if pub is None:
        return None
    return pub.publicado_en, add_business_days(pub.publicado_en.date(), PLAZO_DIAS_HABILES)


def registrar(session: Session, postulacion: m.Postulacion, *, tipo: str, etapa: str, fundamento: str,
              usuario: m.Usuario | str | None = None, momento: dt.datetime | None = None) -> m.Impugnacion:
    """Register a reconsideración or apelación against a published result of this application."""
    momento = momento or now()
    if tipo not in TipoImpugnacion.__members__:
        raise ImpugnacionRechazada("Elija el tipo de recurso: reconsideración o apelación.", field="tipo")
    if etapa not in ETAPAS:
        raise ImpugnacionRechazada("Elija la etapa cuyo resultado impugna.", field="etapa")
    fundamento = (fundamento or "").strip()
    if len(fundamento) < 20:
        raise ImpugnacionRechazada("Exponga el fundamento del recurso (al menos 20 caracteres).", field="fundamento")
    conv = postulacion.convocatoria
    fechas = plazo(session, conv, etapa)
    if fechas is None:
        raise ImpugnacionRechazada(f"Los resultados de la etapa «{ETAPAS[etapa]}» aún no han sido publicados: "
                                   "solo se impugna un resultado publicado (§4.6).", field="etapa")
    publicado_en, limite = fechas
    desde = "su publicación"
    if tipo == TipoImpugnacion.apelacion.name:
        # TUO 27444, art. 218.2: the apelación against the decision on a reconsideración runs from its notice.
        decidida = session.scalar(sa.select(sa.func.max(m.Impugnacion.decidida_en)).where(
            m.Impugnacion.postulacion_id == postulacion.id, m.Impugnacion.etapa == etapa,
            m.Impugnacion.tipo == TipoImpugnacion.reconsideracion, m.Impugnacion.decidida_en.is_not(None)))
        if decidida is not None:
            limite = max(limite, add_business_days(to_lima(decidida).date(), PLAZO_DIAS_HABILES))
            desde = "la decisión de su reconsideración"
    if momento.date() > limite:
        raise ImpugnacionRechazada(
            f"El plazo para impugnar los resultados de «{ETAPAS[etapa]}» venció el {limite:%d/%m/%Y} "
            f"({PLAZO_DIAS_HABILES} días hábiles desde {desde}, §4.8).", field="etapa")
    if etapa == final_mod.ETAPA_FINAL:
        tiene = session.scalar(sa.select(m.ResultadoFinal.id).where(m.ResultadoFinal.postulacion_id == postulacion.id))
        tiene = tiene or session.scalar(sa.select(m.ResultadoEtapa.id).where(
            m.ResultadoEtapa.postulacion_id == postulacion.id, m.ResultadoEtapa.etapa == Etapa.entrevista))
    else:
        tiene = session.scalar(sa.select(m.ResultadoEtapa.id).where(
            m.ResultadoEtapa.postulacion_id == postulacion.id, m.ResultadoEtapa.etapa == Etapa[etapa],
            m.ResultadoEtapa.publicado.is_(True)))
    if tiene is None:
        raise ImpugnacionRechazada(f"La postulación no tiene un resultado publicado en «{ETAPAS[etapa]}».",
                                   field="etapa")
    abierta = session.scalar(sa.select(m.Impugnacion.id).where(
        m.Impugnacion.postulacion_id == postulacion.id, m.Impugnacion.etapa == etapa,
        m.Impugnacion.tipo == TipoImpugnacion[tipo],
        m.Impugnacion.decision.in_([DecisionImpugnacion.pendiente, DecisionImpugnacion.derivado_servir])))
    if abierta is not None:
        raise ImpugnacionRechazada("Ya hay un recurso de ese tipo en trámite contra ese resultado.", field="tipo")
    imp = m.Impugnacion(postulacion_id=postulacion.id, tipo=TipoImpugnacion[tipo], etapa=etapa, presentada_en=momento,
                        fundamento=fundamento, decision=DecisionImpugnacion.pendiente)
    session.add(imp)
    session.flush()
    quien_id, quien = audit.quien(usuario)
    audit.record(session, accion="registrar_impugnacion", objeto=imp, usuario_id=quien_id, usuario=quien,
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id, postulacion_id=postulacion.id,
                 despues={"tipo": tipo, "etapa": etapa, "presentada_en": momento, "limite": limite.isoformat()})
    session.commit()
    return imp


def resolver(session: Session, imp: m.Impugnacion, *, decision: str, sustento: str,
             usuario: m.Usuario | str | None = None) -> m.Impugnacion:
    """Decide a reconsideración (ORH) or refer an apelación to SERVIR and record SERVIR's decision (§4.8)."""
    # Two decisions at once: the second waits and sees the first.
    bloquear(session, m.Convocatoria, imp.postulacion.convocatoria_id, imp)
    if decision not in DecisionImpugnacion.__members__ or decision == "pendiente":
        raise ImpugnacionRechazada("Elija la decisión.", field="decision")
    nueva = DecisionImpugnacion[decision]
    sustento = (sustento or "").strip()
    if not sustento:
        raise ImpugnacionRechazada("Escriba el sustento de la decisión.", field="sustento_decision")
    actual = imp.decision
    finales = (DecisionImpugnacion.fundado, DecisionImpugnacion.infundado, DecisionImpugnacion.improcedente)
    if actual in finales:
        raise ImpugnacionRechazada(f"El recurso ya fue resuelto ({actual}).", field="decision")
    if imp.tipo is TipoImpugnacion.reconsideracion and nueva is DecisionImpugnacion.derivado_servir:
        raise ImpugnacionRechazada("La reconsideración la resuelve la Oficina de Recursos Humanos (§4.8).",
                                   field="decision")
    if imp.tipo is TipoImpugnacion.apelacion and actual is DecisionImpugnacion.pendiente \
            and nueva is not DecisionImpugnacion.derivado_servir:
        raise ImpugnacionRechazada("La apelación se deriva a SERVIR (§4.8); registre su decisión cuando la comunique.",
                                   field="decision")
    if actual is DecisionImpugnacion.derivado_servir and nueva is DecisionImpugnacion.derivado_servir:
        raise ImpugnacionRechazada("La apelación ya fue derivada a SERVIR.", field="decision")
    momento = now()
    imp.decision = nueva
    if nueva is DecisionImpugnacion.derivado_servir:
        imp.derivada_servir_en = momento
        imp.sustento_decision = sustento
    else:
        imp.decidida_en = momento
        imp.sustento_decision = "\n".join(x for x in (imp.sustento_decision, sustento) if x)
    conv = imp.postulacion.convocatoria
    quien_id, quien = audit.quien(usuario)
    audit.record(session, accion="resolver_impugnacion", objeto=imp, usuario_id=quien_id, usuario=quien,
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id, postulacion_id=imp.postulacion_id,
                 motivo=sustento, antes={"decision": actual.name}, despues={"decision": nueva.name})
    session.commit()
    return imp


def corregir(session: Session, imp: m.Impugnacion, *, usuario: m.Usuario | str | None = None,
             pm=None) -> list[str]:
    """The audited correction a fundado appeal leads to: recompute the contested stage and the final result.

    The evaluator first corrects the inputs the decision names (checklist items, factors, sheets);
    this re-runs the engine with ``recalcular`` and a reason naming the appeal. Returns what was redone.
    """
    if imp.decision is not DecisionImpugnacion.fundado:
        raise ImpugnacionRechazada("Solo un recurso declarado fundado lleva a la corrección de resultados.")
    conv = imp.postulacion.convocatoria
    motivo = f"Impugnación N° {imp.id} ({imp.tipo}) declarada fundada: {imp.sustento_decision}"
    hecho = []
    if imp.etapa in Etapa.__members__:
        try:
            engine_db.evaluar(session, conv.codigo, imp.etapa, recalcular=True, motivo=motivo, usuario=usuario, pm=pm)
        except engine_db.EvaluacionRechazada as exc:
            raise ImpugnacionRechazada(str(exc)) from None
        hecho.append(ETAPAS[imp.etapa])
    hay_final = session.scalar(sa.select(m.ResultadoFinal.id).where(m.ResultadoFinal.convocatoria_id == conv.id)
                               .limit(1)) is not None
    if imp.etapa == final_mod.ETAPA_FINAL or hay_final:
        try:
            final_mod.evaluar_final(session, conv, recalcular=True, motivo=motivo, usuario=usuario, pm=pm)
        except final_mod.FinalRechazado as exc:
            if not hecho:
                raise ImpugnacionRechazada(str(exc)) from None
            # The stage was corrected (and audited); later stages must be evaluated again first.
            hecho.append(f"no el resultado final ({exc})")
            return hecho
        hecho.append(ETAPAS[final_mod.ETAPA_FINAL])
    return hecho
