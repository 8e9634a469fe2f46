"""The contract step (D10, §4.4): registry checks, the five-business-day deadline, signing, the
accesitarios called in turn when the winner does not sign, and desierto by desistimiento (§4.5 d).

The call is the SUNEDU example (tests/finales.py): winner P01, accesitarios P08 then P07.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from finales import auditoria, cliente_orh, datos, importar_y_evaluar, por_id

from casadmin import ciclo, contratos, final
from casadmin import models as m
from casadmin.models.enums import CausaDesierto, EstadoContrato, EstadoPostulacion, Verificacion
from casadmin.peru.business_days import add_business_days, contract_deadline

CONFORME = {c: "conforme" for c in contratos.REGISTROS} | {"rnas": "no_aplica"}


@pytest.fixture()
def publicada(db):
    conv = importar_y_evaluar(db, datos("contrato"))
    final.evaluar_final(db.session, conv)
    pub = final.publicar_final(db.session, conv)
    return conv, pub


def _contrato(db, conv, ident) -> m.Contrato:
    pid = por_id(db, conv)[ident]
    return db.session.scalar(sa.select(m.Contrato).where(m.Contrato.postulacion_id == pid))


def test_the_winner_signs_after_every_registry_check_within_the_deadline(db, publicada):
    conv, pub = publicada
    c = _contrato(db, conv, "P01")
    assert c.fecha_limite == contract_deadline(pub.publicado_en.date(), 5)  # §4.4 d
    assert c.estado is EstadoContrato.pendiente and c.postulacion.estado is EstadoPostulacion.ganador
    correo = db.session.scalar(sa.select(m.CorreoSaliente).where(m.CorreoSaliente.convocatoria_id == conv.id,
                                                                 m.CorreoSaliente.asunto.like("Suscripción%")))
    assert correo is not None and c.fecha_limite.strftime("%d/%m/%Y") in correo.cuerpo  # §4.4 c

    with pytest.raises(contratos.ContratoRechazado, match="RNSSC") as exc:
        contratos.suscribir(db.session, c)
    assert exc.value.field == "rnssc"
    with pytest.raises(contratos.ContratoRechazado, match="REDAM"):
        contratos.registrar_verificacion(db.session, c, CONFORME | {"redam": "tal vez"})
    db.session.rollback()
    # The RNSSC and Debida Diligencia are always consulted (§4.4 a): «No aplica» let a contract be signed unchecked.
    for campo in ("rnssc", "antecedentes"):
        with pytest.raises(contratos.ContratoRechazado, match="se verifica para todo ganador") as exc:
            contratos.registrar_verificacion(db.session, c, CONFORME | {campo: "no_aplica"})
        assert exc.value.field == campo
        db.session.rollback()
    assert c.redam is Verificacion.pendiente and c.estado is EstadoContrato.pendiente

    contratos.registrar_verificacion(db.session, c, CONFORME | {"antecedentes": "observado"}, "Registra antecedente")
    with pytest.raises(contratos.ContratoRechazado, match="documento oficial"):  # §4.4 b
        contratos.suscribir(db.session, c)
    contratos.registrar_verificacion(db.session, c, CONFORME, "Presentó certificado de antecedentes")
    with pytest.raises(contratos.ContratoRechazado, match="venció"):
        contratos.suscribir(db.session, c, hoy=c.fecha_limite + dt.timedelta(days=1))
    contratos.suscribir(db.session, c, usuario="orh", hoy=c.fecha_limite)
    assert c.estado is EstadoContrato.suscrito and c.suscrito_en is not None
    assert [r.despues["estado"] for r in auditoria(db, conv, "suscribir_contrato")] == ["suscrito"]
    assert len(auditoria(db, conv, "verificar_registros")) == 2
    with pytest.raises(contratos.ContratoRechazado, match="cerrado"):
        contratos.cerrar_sin_firma(db.session, c, "desistio", "No")
    # Once a contract step closed, the final result is no longer recomputed (F3 stays as signed).
    with pytest.raises(final.FinalRechazado, match="ya no puede recalcularse"):
        final.evaluar_final(db.session, conv, recalcular=True, motivo="Prueba")
    assert final.causa_desierto_propuesta(db.session, conv) is None


def test_accesitarios_are_called_in_turn_and_then_desierto_by_desistimiento(db, publicada):
    conv, _ = publicada
    c = _contrato(db, conv, "P01")
    with pytest.raises(contratos.ContratoRechazado, match="aún no"):  # the deadline has not passed
        contratos.cerrar_sin_firma(db.session, c, "no_suscribio", "No se presentó", hoy=c.fecha_limite)
    with pytest.raises(contratos.ContratoRechazado, match="sustento") as exc:
        contratos.cerrar_sin_firma(db.session, c, "desistio", "  ")
    assert exc.value.field == "sustento"
    db.session.rollback()
    assert c.estado is EstadoContrato.pendiente

    vencido = add_business_days(c.fecha_limite, 1)
    primero = contratos.cerrar_sin_firma(db.session, c, "no_suscribio", "No suscribió en el plazo", usuario="orh",
                                         hoy=vencido)
    assert c.estado is EstadoContrato.no_suscribio
    assert primero.postulacion_id == por_id(db, conv)["P08"] and primero.orden_llamado == 1
    assert primero.fecha_limite == contract_deadline(vencido, 5)  # §4.4 f: the same deadline, from the call
    assert primero.postulacion.estado is EstadoPostulacion.ganador
    assert final.causa_desierto_propuesta(db.session, conv) is None

    segundo = contratos.cerrar_sin_firma(db.session, primero, "desistio", "Carta de desistimiento", hoy=vencido)
    assert segundo.postulacion_id == por_id(db, conv)["P07"] and segundo.orden_llamado == 2
    contratos.registrar_verificacion(db.session, segundo, CONFORME | {"rnssc": "observado"})
    with pytest.raises(contratos.ContratoRechazado, match="RNSSC"):  # §4.4 b: cannot be hired
        contratos.suscribir(db.session, segundo, hoy=vencido)
    assert contratos.cerrar_sin_firma(db.session, segundo, "impedido", "Inhabilitado en el RNSSC", hoy=vencido) is None
    assert final.causa_desierto_propuesta(db.session, conv) is CausaDesierto.desistimiento  # §4.5 d
    # The life-cycle button "Declarar desierto" proposes the same cause (B4).
    propuesta = ciclo.proponer_desierto(db.session, conv)
    assert (propuesta.causa, propuesta.plugin) == (CausaDesierto.desistimiento, "sunedu.desierto")  # the bases' rule
    registros = auditoria(db, conv, "contrato_no_suscrito")
    assert [r.despues["estado"] for r in registros] == ["no_suscribio", "desistio", "impedido"]
    assert registros[-1].despues["desierto_propuesto"] == "desistimiento"
    assert len(auditoria(db, conv, "llamar_a_suscribir")) == 3


def test_orh_screen_records_checks_and_signing_with_messages_at_the_field(app, db, publicada, client_for,
                                                                          clients_by_role):
    conv, _ = publicada
    c = _contrato(db, conv, "P01")
    orh = cliente_orh(app, client_for, conv)
    html = orh.get(f"/finales/{conv.id}").get_data(as_text=True)
    assert "REDAM" in html and "REDERECI" in html and "REDJUM" in html and "RNAS" in html
    r = orh.post(f"/finales/contrato/{c.id}/suscribir")
    assert r.status_code == 400 and "Falta registrar la verificación" in r.get_data(as_text=True)
    r = orh.post(f"/finales/contrato/{c.id}/cerrar", data={"estado": "desistio", "sustento": ""})
    assert r.status_code == 400 and "Escriba el sustento" in r.get_data(as_text=True)
    assert orh.post(f"/finales/contrato/{c.id}/verificar", data=CONFORME).status_code == 302
    assert orh.post(f"/finales/contrato/{c.id}/suscribir").status_code == 302
    db.session.expire_all()
    assert _contrato(db, conv, "P01").estado is EstadoContrato.suscrito
    assert client_for("orh.sunedu").post(f"/finales/contrato/{c.id}/suscribir").status_code == 404
    assert clients_by_role["postulante"].post(f"/finales/contrato/{c.id}/suscribir").status_code == 403


def test_a_closed_call_keeps_its_contract_step_as_it_was(db, publicada):
    """B4, §4.5: a call declared desierta (or cancelled, or finished) called an accesitario and signed: its
    contract step no longer changes. The step's actions also lock the call's row, so that a second click
    or another ORH user sees what the first left (two «Desistió» called both accesitarios)."""
    from casadmin.models.enums import EstadoConvocatoria

    conv, _ = publicada
    c = _contrato(db, conv, "P01")
    conv.estado = EstadoConvocatoria.desierta
    db.session.commit()
    for accion in (lambda: contratos.registrar_verificacion(db.session, c, CONFORME),
                   lambda: contratos.suscribir(db.session, c),
                   lambda: contratos.cerrar_sin_firma(db.session, c, "desistio", "Presentó su desistimiento")):
        with pytest.raises(contratos.ContratoRechazado, match="La convocatoria está desierta"):
            accion()
        db.session.rollback()
    assert _contrato(db, conv, "P01").estado is EstadoContrato.pendiente
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Contrato.convocatoria_id == conv.id)) == 1
    # Nor its final results (a cancelled call's were published and its winner called to sign).
    with pytest.raises(final.FinalRechazado, match="La convocatoria está desierta: sus resultados finales ya no"):
        final.evaluar_final(db.session, conv, recalcular=True, motivo="Corrección pedida")
