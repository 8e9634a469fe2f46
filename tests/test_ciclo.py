"""B4, §4.5: the life cycle of a call, each transition allowed and refused, audited, only for ORH.

borrador → publicada → postulación → evaluación → finalizada; cancelada only before the
Entrevista Personal with a cause and a written reason (§4.5, first list); desierta with the
cause the rules engine proposes (D9, hook ``casadmin_detectar_desierto``), another cause only
with a written reason (§4.5, second list).

Calls created here use numbers 500000–549999 (H3's range, apart from
tests/test_cronograma_convocatoria.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from casadmin import ciclo, cronograma
from casadmin import models as m
from casadmin.models.enums import (
    CausaCancelacion,
    CausaDesierto,
    CondicionFinal,
    EstadoContrato,
    EstadoConvocatoria,
    Etapa,
    NivelAcademico,
    Resultado,
    TipoHito,
)
from casadmin.peru import business_days as bd
from casadmin.peru.clock import now, today

E = EstadoConvocatoria
_NUMEROS = itertools.count(500000)
_HORA = dt.timedelta(hours=1)


@pytest.fixture()
def orh(db):
    return db.session.scalar(sa.select(m.Usuario).where(m.Usuario.username == "orh.sunedu"))


def _nueva(db, estado: E = E.borrador, *, perfil: bool = True, plan_desde: dt.date | None = None,
           hitos: dict[TipoHito, tuple[dt.datetime, dt.datetime]] | None = None) -> m.Convocatoria:
    """A SUNEDU call; its schedule either calculated from ``plan_desde`` or given as ``hitos``."""
    ent = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
    version = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id,
                                                                m.VersionBases.codigo == "sunedu-2026"))
    n = next(_NUMEROS)
    conv = m.Convocatoria(entidad_id=ent.id, version_bases_id=version.id, numero=n, anio=2026,
                          codigo=f"CAS N° {n}-2026-SUNEDU", nombre_puesto="Analista del ciclo", organo="ORH",
                          remuneracion=Decimal("4500.00"), lugar="Lima", duracion_contrato="3 meses", estado=estado)
    db.session.add(conv)
    db.session.flush()
    if perfil:
        db.session.add(m.PerfilPuesto(convocatoria_id=conv.id, nivel_academico=NivelAcademico.bachiller,
                                      funciones="Analizar"))
    if plan_desde is not None:
        for h in cronograma.plan_de_convocatoria(conv, plan_desde):
            db.session.add(m.HitoCronograma(convocatoria_id=conv.id, tipo=h.tipo, inicio=h.inicio, fin=h.fin))
    for tipo, (inicio, fin) in (hitos or {}).items():
        db.session.add(m.HitoCronograma(convocatoria_id=conv.id, tipo=tipo, inicio=inicio, fin=fin))
    db.session.commit()
    return conv


def _futuro() -> dt.date:
    return bd.next_business_day(today() + dt.timedelta(days=10))


def _estado(db, conv) -> E:
    db.session.expire_all()
    return db.session.get(m.Convocatoria, conv.id).estado


def _auditoria(db, conv) -> list[m.RegistroAuditoria]:
    return list(db.session.scalars(sa.select(m.RegistroAuditoria).where(
        m.RegistroAuditoria.convocatoria_id == conv.id, m.RegistroAuditoria.accion.like("convocatoria_%"))
        .order_by(m.RegistroAuditoria.id)))


def _rechazada(db, conv, accion, match, **kw) -> ciclo.TransicionRechazada:
    antes = _estado(db, conv)
    with pytest.raises(ciclo.TransicionRechazada, match=match) as info:
        ciclo.ejecutar(db.session, conv, accion, **kw)
    db.session.rollback()
    assert _estado(db, conv) is antes and not _auditoria(db, conv)  # nothing changed, nothing audited
    return info.value


def _postulaciones(db, conv, n: int) -> list[m.Postulacion]:
    out = []
    for i, post in enumerate(db.session.scalars(sa.select(m.Postulante).order_by(m.Postulante.id.desc()).limit(n))):
        app = m.Postulacion(convocatoria_id=conv.id, postulante_id=post.id, registrada_en=now(), ficha={"i": i},
                            ficha_sha256=f"{i:064d}")
        db.session.add(app)
        out.append(app)
    db.session.flush()
    return out


# --- publicar ------------------------------------------------------------------------------------


def test_publish_needs_profile_and_complete_schedule(db, orh):
    sin_nada = _nueva(db, perfil=False)
    e = _rechazada(db, sin_nada, "publicar", "perfil del puesto", usuario=orh)
    assert "cronograma" in e.mensaje

    incompleto = _nueva(db, hitos={TipoHito.publicacion: (now() + _HORA, now() + 48 * _HORA)})
    _rechazada(db, incompleto, "publicar", "Faltan etapas en el cronograma: Postulación")

    cerrada = _nueva(db, plan_desde=today() - dt.timedelta(days=60))
    _rechazada(db, cerrada, "publicar", "La postulación del cronograma cerró")

    sin_examen = _nueva(db, plan_desde=_futuro())
    sin_examen.incluye_examen = False  # B1 changed after the schedule was calculated
    db.session.commit()
    _rechazada(db, sin_examen, "publicar", "etapas que la convocatoria no incluye: Evaluación de Conocimientos")

    conv = _nueva(db, plan_desde=_futuro())
    ciclo.ejecutar(db.session, conv, "publicar", usuario=orh)
    assert _estado(db, conv) is E.publicada
    [rec] = _auditoria(db, conv)
    assert (rec.accion, rec.usuario, rec.antes, rec.despues["estado"]) == (
        "convocatoria_publicar", "orh.sunedu", {"estado": "borrador"}, "publicada")
    # Publishing twice is refused: it is no longer a draft.
    with pytest.raises(ciclo.TransicionRechazada, match="solo procede desde «Borrador»"):
        ciclo.ejecutar(db.session, conv, "publicar", usuario=orh)
    db.session.rollback()


# --- postulación, evaluación, finalizada --------------------------------------------------------------


def test_application_window_drives_the_next_two_transitions(db, orh):
    conv = _nueva(db, E.publicada, hitos={
        TipoHito.postulacion: (now() + 3 * _HORA, now() + 6 * _HORA),
        TipoHito.entrevista: (now() + 240 * _HORA, now() + 250 * _HORA)})
    _rechazada(db, conv, "abrir_postulacion", "La postulación empieza el", usuario=orh)
    _rechazada(db, conv, "iniciar_evaluacion", "solo procede desde «En postulación»", usuario=orh)

    abierta = _nueva(db, E.publicada, hitos={TipoHito.postulacion: (now() - _HORA, now() + _HORA)})
    ciclo.ejecutar(db.session, abierta, "abrir_postulacion", usuario=orh)
    assert _estado(db, abierta) is E.postulacion
    with pytest.raises(ciclo.TransicionRechazada, match="La postulación cierra el"):
        ciclo.ejecutar(db.session, abierta, "iniciar_evaluacion", usuario=orh)
    db.session.rollback()

    cerrada = _nueva(db, E.postulacion, hitos={TipoHito.postulacion: (now() - 5 * _HORA, now() - _HORA)})
    ciclo.ejecutar(db.session, cerrada, "iniciar_evaluacion", usuario=orh)
    assert _estado(db, cerrada) is E.evaluacion
    assert [r.despues["estado"] for r in _auditoria(db, cerrada)] == ["evaluacion"]


def test_finish_needs_a_winner(db, orh):
    conv = _nueva(db, E.evaluacion, plan_desde=today() - dt.timedelta(days=60))
    _rechazada(db, conv, "finalizar", "Aún no hay resultados finales con ganador", usuario=orh)
    [app] = _postulaciones(db, conv, 1)
    db.session.add(m.ResultadoFinal(convocatoria_id=conv.id, postulacion_id=app.id, puntaje_etapas=Decimal("80.50"),
                                    puntaje_final=Decimal("80.50"), orden_merito=1, condicion=CondicionFinal.ganador))
    db.session.commit()
    # Calculated, not published: they may still change (it was finished on them).
    _rechazada(db, conv, "finalizar", "Publique los resultados finales antes de finalizar", usuario=orh)
    db.session.execute(sa.update(m.ResultadoFinal).where(m.ResultadoFinal.convocatoria_id == conv.id)
                       .values(publicado=True))
    db.session.commit()
    ciclo.ejecutar(db.session, conv, "finalizar", usuario=orh)
    assert _estado(db, conv) is E.finalizada
    for accion in ("publicar", "abrir_postulacion", "iniciar_evaluacion", "finalizar", "cancelar"):
        with pytest.raises(ciclo.TransicionRechazada, match="la convocatoria está «Finalizada»"):
            ciclo.ejecutar(db.session, conv, accion, usuario=orh, causa="otros_justificados",
                           sustento="Un sustento suficientemente largo")
        db.session.rollback()


# --- cancelar (§4.5, first list) ------------------------------------------------------------------------


def test_cancel_needs_cause_and_reason_and_only_before_the_interview(db, orh):
    conv = _nueva(db, E.postulacion, hitos={TipoHito.postulacion: (now() - _HORA, now() + _HORA),
                                            TipoHito.entrevista: (now() + 100 * _HORA, now() + 105 * _HORA)})
    assert _rechazada(db, conv, "cancelar", "Seleccione la causa", usuario=orh).campo == "causa"
    assert _rechazada(db, conv, "cancelar", "sustento", usuario=orh, causa="restriccion_presupuestal",
                      sustento="corto").campo == "sustento"
    ciclo.ejecutar(db.session, conv, "cancelar", usuario=orh, causa="restriccion_presupuestal",
                   sustento="Recorte presupuestal comunicado por la OPP con memorando 123-2026.")
    db.session.expire_all()
    conv = db.session.get(m.Convocatoria, conv.id)
    assert conv.estado is E.cancelada and conv.causa_cancelacion is CausaCancelacion.restriccion_presupuestal
    [rec] = _auditoria(db, conv)
    assert rec.motivo.startswith("Recorte presupuestal") and rec.despues["causa"] == "restriccion_presupuestal"

    empezada = _nueva(db, E.evaluacion, hitos={TipoHito.entrevista: (now() - _HORA, now() + 5 * _HORA)})
    _rechazada(db, empezada, "cancelar", "hasta antes de la Entrevista Personal", usuario=orh,
               causa="otros_justificados", sustento="Motivo largo y suficiente para cancelar")
    # Results of the interview also count as "after the interview", whatever the schedule says.
    con_resultados = _nueva(db, E.evaluacion, hitos={TipoHito.entrevista: (now() + 100 * _HORA, now() + 101 * _HORA)})
    [app] = _postulaciones(db, con_resultados, 1)
    db.session.add(m.ResultadoEtapa(convocatoria_id=con_resultados.id, postulacion_id=app.id, etapa=Etapa.entrevista,
                                    resultado=Resultado.apto, puntaje=Decimal("35.00"), motivos=[], reglas={},
                                    evaluado_en=now()))
    db.session.commit()
    _rechazada(db, con_resultados, "cancelar", "ya tiene resultados", usuario=orh, causa="otros_justificados",
               sustento="Motivo largo y suficiente para cancelar")
    _rechazada(db, _nueva(db), "cancelar", "solo procede desde", usuario=orh, causa="otros_justificados",
               sustento="Un borrador no se cancela: se elimina")


# --- desierto (§4.5, second list; D9) ---------------------------------------------------------------------


def test_desierto_takes_the_engine_proposal_another_cause_needs_a_reason(db, orh):
    conv = _nueva(db, E.evaluacion, plan_desde=today() - dt.timedelta(days=60))
    propuesta = ciclo.proponer_desierto(db.session, conv)
    assert propuesta.causa is CausaDesierto.sin_postulantes and propuesta.plugin == "sunedu.desierto"
    assert propuesta.resumen["postulantes"] == 0
    e = _rechazada(db, conv, "declarar_desierto", "propone «No se presentaron postulantes»", usuario=orh,
                   causa="sin_puntaje_minimo")
    assert e.campo == "sustento"
    ciclo.ejecutar(db.session, conv, "declarar_desierto", usuario=orh, causa="sin_postulantes")
    db.session.expire_all()
    conv = db.session.get(m.Convocatoria, conv.id)
    assert conv.estado is E.desierta and conv.causa_desierto is CausaDesierto.sin_postulantes
    [rec] = _auditoria(db, conv)
    assert rec.despues["causa_propuesta"] == "sin_postulantes" and rec.despues["plugin"] == "sunedu.desierto"


def test_desierto_proposal_reads_the_stored_results(db, orh):
    conv = _nueva(db, E.evaluacion, plan_desde=today() - dt.timedelta(days=60))
    apps = _postulaciones(db, conv, 3)
    for app in apps:  # §4.5 b: nobody meets the minimum requirements
        db.session.add(m.ResultadoEtapa(convocatoria_id=conv.id, postulacion_id=app.id, etapa=Etapa.ficha,
                                        resultado=Resultado.no_apto, motivos=[], reglas={}, evaluado_en=now()))
    db.session.commit()
    assert ciclo.proponer_desierto(db.session, conv).causa is CausaDesierto.sin_requisitos
    # §4.5 d (winner and alternates decline) is not detected by the engine: ORH writes why.
    ciclo.ejecutar(db.session, conv, "declarar_desierto", usuario=orh, causa="desistimiento",
                   sustento="El ganador y los dos accesitarios desistieron por escrito.")
    assert _estado(db, conv) is E.desierta


def test_desierto_with_finalists_has_no_proposal(db, orh):
    conv = _nueva(db, E.evaluacion, plan_desde=today() - dt.timedelta(days=60))
    [app] = _postulaciones(db, conv, 1)
    db.session.add(m.ResultadoEtapa(convocatoria_id=conv.id, postulacion_id=app.id, etapa=Etapa.ficha,
                                    resultado=Resultado.apto, motivos=[], reglas={}, evaluado_en=now()))
    db.session.commit()
    propuesta = ciclo.proponer_desierto(db.session, conv)
    assert propuesta.causa is None and propuesta.resumen == {"postulantes": 1, "aptos_ficha": 1, "finalistas": 1,
                                                             "ganadores": 0, "sin_nadie_por_llamar": 0}
    _rechazada(db, conv, "declarar_desierto", "propone ninguna causa", usuario=orh, causa="sin_puntaje_minimo")
    _rechazada(db, _nueva(db, E.publicada, plan_desde=_futuro()), "declarar_desierto", "solo procede desde",
               usuario=orh, causa="sin_postulantes")


# --- the screen: buttons, messages at the field, permissions -----------------------------------------------


def _campo(html: str, nombre: str) -> str:
    found = re.search(rf'id="campo-{re.escape(nombre)}".*?</div>', html, re.S)
    assert found, f"no field {nombre}"
    return found.group(0)


def test_buttons_on_the_call_page(client_for, db):
    client = client_for("orh.sunedu")
    borrador = _nueva(db, perfil=False)
    html = client.get(f"/gestion/{borrador.id}").get_data(as_text=True)
    assert "Publicar convocatoria" in html and "Registre el perfil del puesto" in html
    r = client.post(f"/gestion/{borrador.id}/accion/publicar")
    assert r.status_code == 422 and "Registre el perfil del puesto" in r.get_data(as_text=True)

    conv = _nueva(db, E.postulacion, hitos={TipoHito.postulacion: (now() - _HORA, now() + _HORA),
                                            TipoHito.entrevista: (now() + 100 * _HORA, now() + 101 * _HORA)})
    html = client.get(f"/gestion/{conv.id}").get_data(as_text=True)
    assert "Cancelar proceso" in html and "Declarar desierto" in html
    assert "El motor de reglas propone declarar desierto el proceso por: <strong>No se presentaron postulantes" in html
    r = client.post(f"/gestion/{conv.id}/accion/cancelar", data={"causa": "desaparicion_necesidad", "sustento": ""})
    assert r.status_code == 422
    assert "Escriba el sustento de la cancelación" in _campo(r.get_data(as_text=True), "sustento")
    assert _estado(db, conv) is E.postulacion
    r = client.post(f"/gestion/{conv.id}/accion/cancelar", data={
        "causa": "desaparicion_necesidad", "sustento": "El área usuaria comunicó que ya no requiere el servicio."})
    assert r.status_code == 302 and _estado(db, conv) is E.cancelada
    [rec] = _auditoria(db, conv)
    assert rec.usuario == "orh.sunedu" and rec.despues["causa"] == "desaparicion_necesidad"


@pytest.mark.parametrize("rol", ["comite", "veedor", "postulante"])
def test_only_orh_may_press_the_buttons(clients_by_role, db, rol):
    conv = _nueva(db, plan_desde=_futuro())
    r = clients_by_role[rol].post(f"/gestion/{conv.id}/accion/publicar")
    assert r.status_code == 403
    assert clients_by_role["publico"].post(f"/gestion/{conv.id}/accion/publicar").status_code == 302
    assert _estado(db, conv) is E.borrador and not _auditoria(db, conv)
    assert clients_by_role["admin"].post(f"/gestion/{conv.id}/accion/publicar").status_code == 302
    assert _estado(db, conv) is E.publicada


def test_desierto_waits_for_the_application_period_to_close_and_never_follows_a_signature(db, orh):
    """§4.5 a (nobody applied) is known once the period closed: a call still receiving applications was
    declared desierta. And a call whose winner signed is not desierta."""
    conv = _nueva(db, E.postulacion, hitos={TipoHito.postulacion: (now() - _HORA, now() + 48 * _HORA)})
    _rechazada(db, conv, "declarar_desierto", "hasta entonces no puede saberse", usuario=orh,
               causa="sin_postulantes", sustento="Nadie postuló a la convocatoria")
    assert _estado(db, conv) is E.postulacion
    conv = _nueva(db, E.evaluacion, plan_desde=today() - dt.timedelta(days=60))
    [app] = _postulaciones(db, conv, 1)
    db.session.add(m.Contrato(convocatoria_id=conv.id, postulacion_id=app.id, orden_llamado=0,
                              fecha_limite=today(), estado=EstadoContrato.suscrito))
    db.session.commit()
    _rechazada(db, conv, "declarar_desierto", "Ya se suscribió un contrato", usuario=orh,
               causa="desistimiento", sustento="Un sustento suficientemente largo")
    assert _estado(db, conv) is E.evaluacion
