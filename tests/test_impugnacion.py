"""Appeals (D11, §4.8): registered by the applicant or ORH within 15 business days of a published
result (TUO Ley 27444 art. 218.2, the "normativa vigente" of §4.8), resolved with a reason by ORH
(reconsideración) or referred to SERVIR (apelación); a fundado appeal leads to the audited correction.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from finales import auditoria, cliente_orh, datos, importar_y_evaluar, por_id

from casadmin import final, impugnaciones
from casadmin import models as m
from casadmin.models.enums import DecisionImpugnacion
from casadmin.peru.business_days import add_business_days
from casadmin.peru.clock import LIMA

FUNDAMENTO = "El puntaje de la entrevista no corresponde a las hojas de los miembros del comité."


@pytest.fixture()
def convocatoria(db):
    conv = importar_y_evaluar(db, datos("impugnacion"))
    final.evaluar_final(db.session, conv)
    return conv


def _postulacion(db, conv, ident) -> m.Postulacion:
    return db.session.get(m.Postulacion, por_id(db, conv)[ident])


def test_an_appeal_needs_a_published_result_a_reason_and_the_deadline(db, convocatoria):
    conv = convocatoria
    p09 = _postulacion(db, conv, "P09")
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="aún no han sido publicados") as exc:
        impugnaciones.registrar(db.session, p09, tipo="reconsideracion", etapa="final", fundamento=FUNDAMENTO)
    assert exc.value.field == "etapa"
    pub = final.publicar_final(db.session, conv)
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="fundamento"):
        impugnaciones.registrar(db.session, p09, tipo="reconsideracion", etapa="final", fundamento="corto")
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="tipo de recurso"):
        impugnaciones.registrar(db.session, p09, tipo="queja", etapa="final", fundamento=FUNDAMENTO)
    limite = add_business_days(pub.publicado_en.date(), 15)
    tarde = pub.publicado_en.replace(year=limite.year, month=limite.month, day=limite.day) + \
        (add_business_days(limite, 1) - limite)
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="venció"):
        impugnaciones.registrar(db.session, p09, tipo="reconsideracion", etapa="final", fundamento=FUNDAMENTO,
                                momento=tarde)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Impugnacion.postulacion_id == p09.id)) == 0
    en_plazo = pub.publicado_en.replace(year=limite.year, month=limite.month, day=limite.day, hour=23).astimezone(LIMA)
    imp = impugnaciones.registrar(db.session, p09, tipo="reconsideracion", etapa="final", fundamento=FUNDAMENTO,
                                  usuario="orh", momento=en_plazo)
    assert imp.decision is DecisionImpugnacion.pendiente and auditoria(db, conv, "registrar_impugnacion")
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="en trámite"):
        impugnaciones.registrar(db.session, p09, tipo="reconsideracion", etapa="final", fundamento=FUNDAMENTO)
    db.session.rollback()
    # TUO 27444, art. 218.2: the apelación against the decision on the reconsideración runs 15 business days
    # from that decision, not from the publication (the applicant lost it once the reconsideración was decided).
    decidida = en_plazo + dt.timedelta(days=1)
    imp.decision, imp.decidida_en, imp.sustento_decision = DecisionImpugnacion.infundado, decidida, "Sin sustento"
    db.session.commit()
    apelacion = pub.publicado_en.replace(year=tarde.year, month=tarde.month, day=tarde.day)
    ap = impugnaciones.registrar(db.session, p09, tipo="apelacion", etapa="final", fundamento=FUNDAMENTO,
                                 momento=apelacion)
    assert ap.decision is DecisionImpugnacion.pendiente
    fuera = add_business_days(add_business_days(decidida.date(), 15), 1)
    db.session.delete(ap)
    db.session.commit()
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="15 días hábiles desde la decisión de su reconsid"):
        impugnaciones.registrar(db.session, p09, tipo="apelacion", etapa="final", fundamento=FUNDAMENTO,
                                momento=decidida.replace(year=fuera.year, month=fuera.month, day=fuera.day))


def test_reconsideration_is_resolved_by_orh_and_a_fundado_one_leads_to_the_audited_correction(db, convocatoria):
    conv = convocatoria
    final.publicar_final(db.session, conv)
    imp = impugnaciones.registrar(db.session, _postulacion(db, conv, "P09"), tipo="reconsideracion", etapa="final",
                                  fundamento=FUNDAMENTO)
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="sustento"):
        impugnaciones.resolver(db.session, imp, decision="fundado", sustento="")
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="la resuelve la Oficina"):
        impugnaciones.resolver(db.session, imp, decision="derivado_servir", sustento="x")
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="fundado"):
        impugnaciones.corregir(db.session, imp)
    db.session.rollback()
    assert imp.decision is DecisionImpugnacion.pendiente
    impugnaciones.resolver(db.session, imp, decision="fundado", sustento="Se verificó el cómputo", usuario="orh")
    assert imp.decision is DecisionImpugnacion.fundado and imp.decidida_en is not None
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="ya fue resuelto"):
        impugnaciones.resolver(db.session, imp, decision="infundado", sustento="x")
    hecho = impugnaciones.corregir(db.session, imp, usuario="orh")
    assert hecho == ["Resultados finales"]
    registro = auditoria(db, conv, "recalcular_resultado_final")[-1]
    assert f"Impugnación N° {imp.id}" in registro.motivo


def test_an_appeal_is_referred_to_servir_and_its_decision_recorded(db, convocatoria):
    conv = convocatoria
    final.publicar_final(db.session, conv)
    imp = impugnaciones.registrar(db.session, _postulacion(db, conv, "P07"), tipo="apelacion", etapa="final",
                                  fundamento=FUNDAMENTO)
    with pytest.raises(impugnaciones.ImpugnacionRechazada, match="se deriva a SERVIR"):
        impugnaciones.resolver(db.session, imp, decision="infundado", sustento="x")
    impugnaciones.resolver(db.session, imp, decision="derivado_servir", sustento="Oficio N° 12-2026")
    assert imp.decision is DecisionImpugnacion.derivado_servir and imp.derivada_servir_en is not None
    impugnaciones.resolver(db.session, imp, decision="infundado", sustento="Resolución del Tribunal del Servicio Civil")
    assert imp.decision is DecisionImpugnacion.infundado
    assert [r.despues["decision"] for r in auditoria(db, conv, "resolver_impugnacion")] == ["derivado_servir",
                                                                                           "infundado"]


def _cliente_postulante(app, db, post: m.Postulacion):
    usuario = post.postulante.usuario
    usuario.active = True
    db.session.commit()
    app.appbuilder.sm.reset_password(usuario.id, "demo12345")
    client = app.test_client()
    r = client.post("/login/", data={"username": usuario.username, "password": "demo12345"})
    assert r.status_code == 302
    return client


def test_the_applicant_appeals_from_their_own_screen_only(app, db, convocatoria, client_for, clients_by_role):
    conv = convocatoria
    final.publicar_final(db.session, conv)
    p09, p07 = _postulacion(db, conv, "P09"), _postulacion(db, conv, "P07")
    cliente = _cliente_postulante(app, db, p09)
    # Reached from the application's page once a result is published (it had no link: a typed address only).
    detalle = cliente.get(f"/mis-postulaciones/{p09.id}").get_data(as_text=True)
    assert f'href="/impugnar/{p09.id}"' in detalle and "Impugnar un resultado" in detalle
    assert "Resultados finales" in cliente.get(f"/impugnar/{p09.id}").get_data(as_text=True)
    r = cliente.post(f"/impugnar/{p09.id}", data={"tipo": "reconsideracion", "etapa": "final", "fundamento": "no"})
    assert r.status_code == 400 and "al menos 20 caracteres" in r.get_data(as_text=True)
    r = cliente.post(f"/impugnar/{p09.id}", data={"tipo": "reconsideracion", "etapa": "final", "fundamento": FUNDAMENTO})
    assert r.status_code == 302
    assert "La Oficina de Recursos Humanos lo resolverá (§4.8)" in cliente.get(r.headers["Location"]).get_data(as_text=True)
    assert cliente.get(f"/impugnar/{p07.id}").status_code == 404  # another applicant's application
    assert cliente.post(f"/impugnar/{p07.id}", data={"tipo": "apelacion", "etapa": "final",
                                                     "fundamento": FUNDAMENTO}).status_code == 404
    assert client_for("orh.sunedu").get(f"/impugnar/{p09.id}").status_code == 403
    assert cliente.get(f"/finales/{conv.id}").status_code == 403
    imp = db.session.scalar(sa.select(m.Impugnacion).where(m.Impugnacion.postulacion_id == p09.id))
    assert imp is not None and imp.fundamento == FUNDAMENTO
    # ORH resolves it on its screen; a missing reason is refused at the field.
    orh = cliente_orh(app, client_for, conv)
    r = orh.post(f"/finales/impugnacion/{imp.id}/resolver", data={"decision": "infundado", "sustento_decision": ""})
    assert r.status_code == 400 and "sustento de la decisión" in r.get_data(as_text=True)
    r = orh.post(f"/finales/impugnacion/{imp.id}/resolver",
                 data={"decision": "infundado", "sustento_decision": "El cómputo es correcto"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(m.Impugnacion, imp.id).decision is DecisionImpugnacion.infundado
    assert client_for("orh.sunedu").post(f"/finales/impugnacion/{imp.id}/resolver",
                                              data={"decision": "fundado", "sustento_decision": "x"}).status_code == 404
    assert clients_by_role["comite"].post(f"/finales/impugnacion/{imp.id}/resolver").status_code == 403
    # An appeal is not ORH's to resolve: it goes to SERVIR (§4.8), as the applicant is told.
    r = cliente.post(f"/impugnar/{p09.id}", data={"tipo": "apelacion", "etapa": "final", "fundamento": FUNDAMENTO})
    assert r.status_code == 302
    html = cliente.get(r.headers["Location"]).get_data(as_text=True)
    assert "lo derivará a SERVIR, que lo resuelve (§4.8)" in html and "lo resolverá" not in html


def _publicar_etapa(db, conv, etapa) -> None:
    """The stage's evaluated results as ``publicacion.publicar_etapa`` leaves them (frozen and visible).

    Done by hand: the example's interview stage keeps the unevaluated rows of candidates never
    called, which the publication screen (rightly) refuses.
    """
    from casadmin.peru.clock import now

    db.session.execute(sa.update(m.ResultadoEtapa).where(
        m.ResultadoEtapa.convocatoria_id == conv.id, m.ResultadoEtapa.etapa == etapa,
        m.ResultadoEtapa.evaluado_en.is_not(None)).values(publicado=True))
    db.session.add(m.PublicacionEtapa(convocatoria_id=conv.id, etapa=etapa.name, publicado_en=now()))
    db.session.commit()


def test_a_fundado_appeal_against_a_stage_recomputes_the_stage_and_the_final_result(db, convocatoria):
    from casadmin.models.enums import Etapa, Resultado

    conv = convocatoria
    _publicar_etapa(db, conv, Etapa.entrevista)
    p06 = _postulacion(db, conv, "P06")
    fila = db.session.scalar(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.postulacion_id == p06.id,
                                                               m.ResultadoEtapa.etapa == Etapa.entrevista))
    assert fila.resultado is Resultado.no_apto and fila.publicado
    imp = impugnaciones.registrar(db.session, p06, tipo="reconsideracion", etapa="entrevista", fundamento=FUNDAMENTO)
    impugnaciones.resolver(db.session, imp, decision="fundado",
                           sustento="La hoja del miembro M1 se transcribió con error; vale 7 en cada factor")
    # The evaluator corrects the input the decision names, then the correction re-runs the engine.
    for hoja in db.session.scalars(sa.select(m.HojaEntrevista).where(m.HojaEntrevista.postulacion_id == p06.id)):
        for factor in m.HojaEntrevista.FACTORES:
            setattr(hoja, factor, 7)
    db.session.commit()
    assert impugnaciones.corregir(db.session, imp, usuario="orh") == ["Entrevista Personal", "Resultados finales"]
    db.session.expire_all()
    fila = db.session.get(m.ResultadoEtapa, fila.id)
    assert fila.resultado is Resultado.apto and fila.publicado
    etapa = [r for r in auditoria(db, conv, "recalcular_etapa") if f"Impugnación N° {imp.id}" in (r.motivo or "")]
    assert etapa and etapa[-1].despues["etapa"] == "entrevista"
    assert db.session.scalar(sa.select(m.ResultadoFinal).where(m.ResultadoFinal.postulacion_id == p06.id)) is not None


def test_orh_records_a_recurso_filed_at_its_desk_by_the_applicants_document(app, db, convocatoria, client_for):
    """The form listed every application of the call in a select box (150,000 on the benchmark call, each
    applicant loaded on its own, on every visit): it now takes the document number, refused at its field."""
    conv = convocatoria
    final.publicar_final(db.session, conv)
    p09 = _postulacion(db, conv, "P09")
    orh = cliente_orh(app, client_for, conv)
    pagina = orh.get(f"/finales/{conv.id}").get_data(as_text=True)
    assert 'name="documento"' in pagina and p09.postulante.apellido_paterno not in pagina.split("nueva-impugnacion")[1]
    datos_ = {"tipo": "reconsideracion", "etapa": "final", "fundamento": FUNDAMENTO}
    r = orh.post(f"/finales/{conv.id}/impugnar", data={**datos_, "documento": "99999999"})
    assert r.status_code == 400 and "Nadie con el documento 99999999 postuló" in r.get_data(as_text=True)
    assert orh.post(f"/finales/{conv.id}/impugnar", data=datos_).status_code == 400
    r = orh.post(f"/finales/{conv.id}/impugnar", data={**datos_, "documento": f" {p09.postulante.numero_documento} "})
    assert r.status_code == 302
    assert db.session.scalar(sa.select(m.Impugnacion.postulacion_id).where(
        m.Impugnacion.postulacion_id == p09.id)) == p09.id
