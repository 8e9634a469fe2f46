"""Notifying the interview timetable (G1; MISSION D5/D6; issue 5 item 3), on the real database.

The SUNEDU example call (docs/examples, ten applicants with their stage inputs) under a number of
this module's range (930000–934999), evaluated up to the Evaluación Curricular with the bases'
plugins. The bases: the curricular result and the interview timetable are published together
(§4.2.4, last paragraph); the interview's indications are sent by e-mail (§4.2.5 c), with the
identity document to present (§4.2.5 d) and the rule to stay in the room (§4.2.5 e).
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
import sqlalchemy as sa
from convocatorias_prueba import nueva_convocatoria

from casadmin import comite, engine_db, publicacion
from casadmin import etapas as svc
from casadmin import models as m
from casadmin.engine import interchange
from casadmin.engine.params import ParametroDesconocido
from casadmin.models.enums import Etapa, TipoCorreo
from casadmin.peru.clock import now

EJEMPLO = Path(__file__).resolve().parent.parent / "docs" / "examples" / "cas-140-2026-sunedu.json"
_numeros = itertools.count(930001)
#: A slot time far enough ahead to be in the future whenever the tests run.
INICIO = (now() + dt.timedelta(days=30)).replace(hour=9, minute=0, second=0, microsecond=0, tzinfo=None)


@pytest.fixture()
def orh(client_for):
    return client_for("orh.sunedu")


def _documento(numero: int, i: int) -> str:
    """DNIs of their own: «39…» (tests/finales.py makes «9<n - 900000>…», 930001 and up included)."""
    return f"39{numero % 10000:04d}{i:02d}"


@pytest.fixture()
def conv(app, db):
    """The example call with every stage input, the Ficha, exam, psychological test and curricular stage
    evaluated; each applicant with an e-mail of their own. Back to draft afterwards (other modules
    count the public calls)."""
    numero = next(_numeros)
    d = interchange.leer(EJEMPLO.read_bytes())
    c = d["convocatoria"]
    c["numero"], c["codigo"], c["estado"] = numero, f"CAS N° {numero}-{c['anio']}-SUNEDU", "evaluacion"
    for i, p in enumerate(d["postulantes"]):
        p["entradas"].pop("entrevista", None)
        p["documento"]["numero"] = _documento(numero, i)
        p["email"] = f"h4.{numero}.{i}@prueba.casadmin.pe"
    d["decisiones_comite"] = []
    conv = engine_db.importar(db.session, d)
    for etapa in ("ficha", "examen", "psicologica", "curricular"):
        engine_db.evaluar(db.session, conv.codigo, etapa)
    # The imported inputs of those who left in an earlier stage are rows the engine never evaluated.
    R = m.ResultadoEtapa
    fuera = db.session.scalars(sa.select(R.id).where(R.convocatoria_id == conv.id, R.evaluado_en.is_(None))).all()
    db.session.execute(sa.delete(m.ItemVerificacion).where(m.ItemVerificacion.resultado_etapa_id.in_(fuera)))
    db.session.execute(sa.delete(R).where(R.id.in_(fuera)))
    db.session.commit()
    yield db.session.get(m.Convocatoria, conv.id)
    db.session.rollback()
    db.session.execute(sa.update(m.Convocatoria).where(m.Convocatoria.id == conv.id).values(estado="borrador"))
    db.session.commit()


def _publicar_curricular(app, db, conv_id: int) -> None:
    antes = app.config.get("TAREAS_SYNC_FOR_TESTS")
    app.config["TAREAS_SYNC_FOR_TESTS"] = True
    try:
        publicacion.publicar_etapa(db.session, db.session.get(m.Convocatoria, conv_id), Etapa.curricular)
    finally:
        app.config["TAREAS_SYNC_FOR_TESTS"] = antes


def _horario(orh, conv_id: int, lugar: str = "https://meet.example/cas-h4") -> None:
    r = orh.post(f"/etapas/{conv_id}/entrevista/citaciones",
                 data={"inicio": INICIO.strftime("%Y-%m-%dT%H:%M"), "duracion": "30", "lugar": lugar})
    assert r.status_code == 302, r.get_data(as_text=True)


def _notificar(orh, conv_id: int) -> str:
    r = orh.post(f"/etapas/{conv_id}/entrevista/notificar")
    assert r.status_code == 302
    return orh.get(r.headers["Location"]).get_data(as_text=True)


def _correos(db, conv_id: int) -> list[m.CorreoSaliente]:
    db.session.expire_all()
    return db.session.scalars(sa.select(m.CorreoSaliente).where(
        m.CorreoSaliente.convocatoria_id == conv_id, m.CorreoSaliente.tipo == TipoCorreo.citacion)
        .order_by(m.CorreoSaliente.id)).all()


def _citas(db, conv_id: int) -> dict[int, m.Citacion]:
    db.session.expire_all()
    return svc.citaciones(db.session, db.session.get(m.Convocatoria, conv_id))


def _auditoria(db, conv_id: int) -> list[m.RegistroAuditoria]:
    return db.session.scalars(sa.select(m.RegistroAuditoria).where(
        m.RegistroAuditoria.convocatoria_id == conv_id, m.RegistroAuditoria.accion == "notificar_citacion")
        .order_by(m.RegistroAuditoria.id)).all()


def test_refused_without_timetable_before_the_curricular_publication_or_with_a_gap(app, orh, db, conv):
    url = f"/etapas/{conv.id}/entrevista/convocados"
    # The curricular result is not public yet (§4.2.4): no one is told of an interview.
    _horario(orh, conv.id)
    assert "Publique primero los resultados de la Evaluación Curricular" in _notificar(orh, conv.id)
    assert _correos(db, conv.id) == [] and _auditoria(db, conv.id) == []

    _publicar_curricular(app, db, conv.id)
    # An incomplete timetable: one shortlisted candidate without a slot.
    citas = _citas(db, conv.id)
    sin = next(iter(citas))
    db.session.delete(citas[sin])
    db.session.commit()
    texto = _notificar(orh, conv.id)
    assert "El horario de entrevistas está incompleto" in texto and "sin citación" in texto
    # A slot in the past.
    _horario(orh, conv.id)
    pasada = next(iter(_citas(db, conv.id).values()))
    pasada.fecha_hora = dt.datetime(2026, 1, 5, 9, 0)
    db.session.commit()
    assert "ya pasó" in _notificar(orh, conv.id)
    # No timetable at all.
    for c in _citas(db, conv.id).values():
        db.session.delete(c)
    db.session.commit()
    assert "Aún no hay horario de entrevistas" in _notificar(orh, conv.id)
    assert _correos(db, conv.id) == [] and _auditoria(db, conv.id) == []
    assert all(c.notificada_en is None for c in _citas(db, conv.id).values())
    assert orh.get(url).status_code == 200


def test_each_candidate_gets_the_notice_then_only_changed_slots_are_sent_again(app, orh, db, conv, sincrono):
    _publicar_curricular(app, db, conv.id)
    _horario(orh, conv.id)
    citas = _citas(db, conv.id)
    convocados = [c.postulacion_id for c in svc.lista_corta(db.session, db.session.get(m.Convocatoria, conv.id))
                  if c.convocado]
    assert sorted(citas) == sorted(convocados) and len(convocados) >= 5
    pagina = orh.get(f"/etapas/{conv.id}/entrevista/convocados").get_data(as_text=True)
    assert pagina.count("Por notificar") == len(convocados) and f"Notificar citaciones ({len(convocados)})" in pagina

    texto = _notificar(orh, conv.id)
    assert f"Se notificaron {len(convocados)} citación(es) ({len(convocados)} nueva(s), 0 modificada(s))" in texto
    correos = _correos(db, conv.id)
    emails = dict(db.session.execute(sa.select(m.Postulacion.id, m.Postulante.email).join(m.Postulante)
                                     .where(m.Postulacion.id.in_(convocados))).all())
    assert sorted(c.destinatario for c in correos) == sorted(emails.values())  # exactly the shortlist
    primero = min(citas.values(), key=lambda c: c.fecha_hora)
    correo = next(c for c in correos if c.destinatario == emails[primero.postulacion_id])
    assert correo.asunto == f"Citación a la Entrevista Personal – {conv.codigo}"
    cuerpo = correo.cuerpo
    assert conv.codigo in cuerpo and conv.nombre_puesto in cuerpo
    assert f"Fecha: {svc._DIAS[INICIO.weekday()]} {INICIO:%d/%m/%Y}" in cuerpo
    assert "Hora: 09:00 (hora de Lima)" in cuerpo and "Duración: 30 minutos" in cuerpo
    assert "Enlace de la sala virtual: https://meet.example/cas-h4" in cuerpo
    assert "vigente y original" in cuerpo and "(§4.2.5 d)" in cuerpo and "(§4.2.5 c)" in cuerpo
    # the outbox's sending ran after the commit (MAIL_SUPPRESS_SEND), waited for (sincrono): on a loaded
    # machine the background thread may not have recorded it yet when the page is read
    assert correo.estado.name == "enviado"
    citas = _citas(db, conv.id)
    assert all(c.notificada_en is not None and svc.estado_notificacion(c) == "notificada" for c in citas.values())
    registros = _auditoria(db, conv.id)
    assert len(registros) == len(convocados) and {r.postulacion_id for r in registros} == set(convocados)
    assert all(r.usuario == "orh.sunedu" and r.despues["renotificacion"] is False for r in registros)

    # Pressing again sends nothing.
    assert "ya fueron notificadas y no cambiaron" in _notificar(orh, conv.id)
    assert len(_correos(db, conv.id)) == len(convocados)

    # One slot edited after its notice: marked, and only it is sent again.
    pid = primero.postulacion_id
    r = orh.post(f"/etapas/{conv.id}/entrevista/citaciones/{pid}",
                 data={f"fecha-{pid}": (INICIO + dt.timedelta(days=1)).strftime("%Y-%m-%dT15:00"),
                       f"lugar-{pid}": "Sala 3, sede central, Av. Canadá 1470"})
    assert r.status_code == 302
    pagina = orh.get(f"/etapas/{conv.id}/entrevista/convocados").get_data(as_text=True)
    assert pagina.count("por volver a notificar") == 1 and "Notificar citaciones (1)" in pagina
    texto = _notificar(orh, conv.id)
    assert "Se notificaron 1 citación(es) (0 nueva(s), 1 modificada(s))" in texto
    nuevos = _correos(db, conv.id)[len(convocados):]
    assert [c.destinatario for c in nuevos] == [emails[pid]]
    assert nuevos[0].asunto.startswith("Cambio en su citación") and "Hora: 15:00 (hora de Lima)" in nuevos[0].cuerpo
    assert "Lugar: Sala 3, sede central" in nuevos[0].cuerpo and "reemplaza a la notificada" in nuevos[0].cuerpo
    ultimo = _auditoria(db, conv.id)[-1]
    assert ultimo.postulacion_id == pid and ultimo.despues["renotificacion"] is True
    assert ultimo.antes["lugar_o_enlace"] == "https://meet.example/cas-h4"


def test_the_notice_is_in_mis_postulaciones_and_a_candidate_without_email_still_gets_it(app, orh, db, conv,
                                                                                       client_for):
    from casadmin.cuenta import _hash

    _publicar_curricular(app, db, conv.id)
    _horario(orh, conv.id, lugar="Sala 3, sede central")
    citas = _citas(db, conv.id)
    pid, otro = sorted(citas)[:2]
    # One candidate activates the account the import made (as with password recovery) and signs in to
    # the portal; another has no e-mail (in-app notice only).
    post = db.session.scalar(sa.select(m.Postulante).join(m.Postulacion).where(m.Postulacion.id == pid))
    usuario = db.session.get(m.Usuario, post.usuario_id)
    usuario.active, usuario.password = True, _hash("demo12345")
    sin_correo = db.session.scalar(sa.select(m.Postulante).join(m.Postulacion).where(m.Postulacion.id == otro))
    sin_correo.email = f"dni.{sin_correo.numero_documento}@{engine_db.DOMINIO_SIN_CORREO}"  # imported without one
    db.session.commit()
    portal = client_for(usuario.username)
    assert "Citación a la Entrevista Personal" not in portal.get("/mis-postulaciones/").get_data(as_text=True)

    texto = _notificar(orh, conv.id)
    assert "1 candidato(s) sin correo registrado" in texto and sin_correo.numero_documento in texto
    assert len(_correos(db, conv.id)) == len(citas) - 1
    assert _citas(db, conv.id)[otro].notificada_en is not None
    (correo,) = [c for c in _correos(db, conv.id) if c.destinatario == post.email]
    assert correo.usuario_id == usuario.id
    pagina = portal.get("/mis-postulaciones/").get_data(as_text=True)
    assert "Citación a la Entrevista Personal" in pagina and "09:00 (hora de Lima)" in pagina
    assert "duración 30 minutos" in pagina and "Lugar: Sala 3, sede central" in pagina and "§4.2.5 d" in pagina


def test_a_notified_candidate_left_out_of_a_corrected_shortlist_is_told_the_citation_no_longer_stands(
        app, orh, db, conv, client_for):
    """A correction of an earlier stage takes a notified candidate out of the shortlist (D5, §4.2.4):
    the new timetable annuls their citation instead of deleting it, "Notificar citaciones" tells them,
    and "Mis postulaciones" shows it; called again later, they get a slot and a new notice."""
    from casadmin.cuenta import _hash

    _publicar_curricular(app, db, conv.id)
    _horario(orh, conv.id)
    _notificar(orh, conv.id)
    citas = _citas(db, conv.id)
    fuera = min(citas.values(), key=lambda c: c.fecha_hora).postulacion_id
    post = db.session.scalar(sa.select(m.Postulante).join(m.Postulacion).where(m.Postulacion.id == fuera))
    usuario = db.session.get(m.Usuario, post.usuario_id)
    usuario.active, usuario.password = True, _hash("demo12345")
    # The corrected curricular result (an audited recalculation in real life): No Apto.
    R = m.ResultadoEtapa
    db.session.execute(sa.update(R).where(R.postulacion_id == fuera, R.etapa == Etapa.curricular)
                       .values(resultado="no_apto"))
    db.session.commit()
    assert fuera not in {c.postulacion_id for c in svc.lista_corta(db.session, conv) if c.convocado}
    _horario(orh, conv.id)
    assert fuera not in _citas(db, conv.id)
    (anulada,) = svc.citaciones(db.session, conv, anuladas=True).values()
    assert anulada.postulacion_id == fuera and svc.estado_notificacion(anulada) == "anulada"
    # The committee no longer sees them nor scores them (D6).
    assert fuera not in {p.id for p in comite.citados(db.session, conv)}
    with pytest.raises(comite.ComiteRechazado, match="no está convocado"):
        comite.citado(db.session, conv, fuera)
    pagina = orh.get(f"/etapas/{conv.id}/entrevista/convocados").get_data(as_text=True)
    assert "Citaciones anuladas" in pagina and "Anulación por notificar" in pagina
    assert f"{INICIO:%d/%m/%Y}, 09:00 (hora de Lima) · https://meet.example/cas-h4" in pagina  # the slot they were told
    portal = client_for(usuario.username)
    antes = portal.get("/mis-postulaciones/").get_data(as_text=True)
    assert "sin efecto" not in antes and "Citación a la Entrevista Personal" in antes  # what they were told

    enviados = len(_correos(db, conv.id))
    texto = _notificar(orh, conv.id)
    assert "1 anulada(s)" in texto
    (aviso,) = [c for c in _correos(db, conv.id)[enviados:] if c.destinatario == post.email]
    assert aviso.asunto == f"Citación sin efecto: Entrevista Personal – {conv.codigo}"
    assert "queda sin efecto" in aviso.cuerpo and "ya no figura entre los candidatos convocados" in aviso.cuerpo
    assert f"{INICIO:%d/%m/%Y}" in aviso.cuerpo and "09:00 (hora de Lima)" in aviso.cuerpo  # the slot they had
    registro = db.session.scalar(sa.select(m.RegistroAuditoria).where(
        m.RegistroAuditoria.convocatoria_id == conv.id, m.RegistroAuditoria.accion == "anular_citacion"))
    assert registro.postulacion_id == fuera and registro.despues["anulada"] is True
    assert registro.antes["fecha_hora"] == INICIO.strftime("%Y-%m-%d %H:%M")
    assert "Anulación notificada el" in orh.get(f"/etapas/{conv.id}/entrevista/convocados").get_data(as_text=True)
    despues = portal.get("/mis-postulaciones/").get_data(as_text=True)
    assert "Citación a la Entrevista Personal sin efecto" in despues and "https://meet.example" not in despues
    # Nothing more to send: a second press sends nothing to them.
    assert "ya fueron notificadas y no cambiaron" in _notificar(orh, conv.id)

    # Called again (the correction undone): the same row gets a slot, and a notice that replaces the last one.
    db.session.execute(sa.update(R).where(R.postulacion_id == fuera, R.etapa == Etapa.curricular)
                       .values(resultado="apto"))
    db.session.commit()
    _horario(orh, conv.id)
    assert svc.citaciones(db.session, conv, anuladas=True) == {}
    cita = _citas(db, conv.id)[fuera]
    assert cita.id == anulada.id and svc.estado_notificacion(cita) == "modificada"
    enviados = len(_correos(db, conv.id))
    texto = _notificar(orh, conv.id)
    (otra,) = [c for c in _correos(db, conv.id)[enviados:] if c.destinatario == post.email]
    # A new citation for them (the last thing they were told is that they were not called), not a change.
    assert otra.asunto == f"Citación a la Entrevista Personal – {conv.codigo}" and "Hora: 09:00" in otra.cuerpo
    assert "reemplaza" not in otra.cuerpo and "(1 nueva(s)" in texto
    assert fuera in {p.id for p in comite.citados(db.session, conv)}
    assert "sin efecto" not in portal.get("/mis-postulaciones/").get_data(as_text=True)


def test_a_published_interview_refuses_the_notice(app, orh, db, conv):
    _publicar_curricular(app, db, conv.id)
    _horario(orh, conv.id)
    db.session.add(m.PublicacionEtapa(convocatoria_id=conv.id, etapa="entrevista", publicado_en=now()))
    db.session.commit()
    assert "ya fueron publicados" in _notificar(orh, conv.id)
    assert _correos(db, conv.id) == []


def test_a_shortlist_from_out_of_date_results_is_not_notified(app, orh, db, conv):
    """An exam input changed after the curricular stage was evaluated: the shortlist may be wrong, so
    no one is told until the stages are evaluated again."""
    _publicar_curricular(app, db, conv.id)
    _horario(orh, conv.id)
    c = db.session.get(m.Convocatoria, conv.id)
    primero = next(iter(_citas(db, conv.id)))
    svc.registrar_examen(db.session, c, [svc.EntradaExamen(primero, False, None)])
    assert "resultados desactualizados" in _notificar(orh, conv.id)
    assert _correos(db, conv.id) == [] and _auditoria(db, conv.id) == []


def test_the_indications_come_from_the_calls_bases(db, monkeypatch):
    """The indications are the bases' parameter: SUNEDU's §4.2.5 c–e; Migraciones' own parameter, whose
    reference says it applies SUNEDU's text (its manual has no interview rule); none without it."""
    sunedu = nueva_convocatoria(db, "SUNEDU", 939001, "Analista")
    migraciones = nueva_convocatoria(db, "MIGRACIONES", 939002, "Analista")
    de_sunedu, de_migraciones = svc.indicaciones_entrevista(sunedu), svc.indicaciones_entrevista(migraciones)
    assert [c for c, _ in de_sunedu] == ["§4.2.5 d", "§4.2.5 c", "§4.2.5 e"]
    assert de_migraciones == de_sunedu
    assert "SUNEDU" in svc.parametros(migraciones).referencia("entrevista.indicaciones")
    assert "vigente y original" in de_sunedu[0][1]

    class SinIndicaciones:
        def __getitem__(self, nombre):
            raise ParametroDesconocido(nombre)

    monkeypatch.setattr(svc, "parametros", lambda conv: SinIndicaciones())
    assert svc.indicaciones_entrevista(sunedu) == ()
    db.session.rollback()


def test_the_notice_names_the_application_to_use_when_it_is_written_with_the_link():
    """§4.2.5 c: the candidate is told by e-mail which application the interview uses; the timetable's «lugar,
    o aplicativo y enlace» carries it, and the notice says so rather than calling it a place."""
    base = {"fecha_hora": "2026-05-04 09:00", "duracion_minutos": 30}
    con_aplicativo = svc.texto_citacion({**base, "lugar_o_enlace": "Google Meet: https://meet.google.com/abc-defg-hij"})
    assert con_aplicativo["lugar_titulo"] == "Aplicativo y enlace de la sala virtual"
    assert svc.texto_citacion({**base, "lugar_o_enlace": "https://meet.example/x"})["lugar_titulo"] == \
        "Enlace de la sala virtual"
    assert svc.texto_citacion({**base, "lugar_o_enlace": "Av. Aramburú 920, sala 3"})["lugar_titulo"] == "Lugar"
