"""A5: the audit trail screen. Filter by call, candidate, user and date; keyset pages; scoped per
institution; read-only everywhere (screens and API); "Verificar cadena" runs audit.verificar()."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
import sqlalchemy as sa

from casadmin import audit, auditoria
from casadmin import models as m
from casadmin.peru.clock import now, today
from convocatorias_prueba import nueva_convocatoria

_NUMEROS = itertools.count(810_000)  # this module's call numbers (810000–819999)


def _convocatoria(db, siglas: str) -> m.Convocatoria:
    return nueva_convocatoria(db, siglas, next(_NUMEROS), "Analista de auditoría")


@pytest.fixture()
def trail(db):
    """A SUNEDU call with two candidates' audited score changes, and a Migraciones call with its own."""
    conv = _convocatoria(db, "SUNEDU")
    ajena = _convocatoria(db, "MIGRACIONES")
    postulantes = db.session.scalars(sa.select(m.Postulante).order_by(m.Postulante.id).limit(2)).all()
    apps = []
    for i, post in enumerate(postulantes):
        app = m.Postulacion(convocatoria_id=conv.id, postulante_id=post.id, registrada_en=now(), ficha={},
                            ficha_sha256=f"{i:064d}")
        db.session.add(app)
        db.session.flush()
        apps.append(app)
    recs = {}
    for i, app in enumerate(apps):  # §4.2.5 g: a score change names who, before and after
        recs[app.id] = audit.record(db.session, accion="modificar_puntaje", objeto=app, antes={"puntaje": "20.50"},
                                    despues={"puntaje": f"2{i + 1}.00"}, motivo=f"Corrección {i}", usuario="orh.sunedu",
                                    entidad_id=conv.entidad_id, convocatoria_id=conv.id, postulacion_id=app.id)
    estado = audit.record(db.session, accion="cambiar_estado", objeto=conv, antes={"estado": "postulacion"},
                          despues={"estado": "evaluación"}, usuario="admin", entidad_id=conv.entidad_id,
                          convocatoria_id=conv.id)
    otra = audit.record(db.session, accion="cambiar_estado", objeto=ajena, despues={"estado": "evaluacion"},
                        usuario="orh.migraciones", entidad_id=ajena.entidad_id, convocatoria_id=ajena.id)
    db.session.commit()
    return {"conv": conv, "ajena": ajena, "apps": apps, "postulantes": postulantes, "recs": recs, "estado": estado,
            "otra": otra}


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-id="(\d+)">', html)]


def test_orh_filters_by_call_and_never_sees_another_institution(client_for, trail):
    orh = client_for("orh.sunedu")
    html = orh.get(f"/auditoria/?convocatoria={trail['conv'].id}").get_data(as_text=True)
    esperados = sorted([r.id for r in trail["recs"].values()] + [trail["estado"].id], reverse=True)
    assert _ids(html) == esperados  # newest first
    assert "Corrección 0" in html and "20.50" in html  # who, why, before and after
    # another institution's call: not offered, refused at the field, and its records never listed
    assert f'value="{trail["ajena"].id}"' not in html
    html = orh.get(f"/auditoria/?convocatoria={trail['ajena'].id}").get_data(as_text=True)
    assert "Seleccione una convocatoria de la lista." in html and not _ids(html)
    assert trail["otra"].id not in _ids(orh.get("/auditoria/").get_data(as_text=True))
    html = client_for("orh.migraciones").get("/auditoria/").get_data(as_text=True)
    assert trail["otra"].id in _ids(html) and trail["estado"].id not in _ids(html)
    assert trail["otra"].id in _ids(client_for("admin").get(f"/auditoria/?convocatoria={trail['ajena'].id}")
                                    .get_data(as_text=True))


def test_filter_by_candidate_user_and_date(client_for, trail):
    orh = client_for("orh.sunedu")
    app0 = trail["apps"][0]
    documento = trail["postulantes"][0].numero_documento
    assert _ids(orh.get(f"/auditoria/?documento={documento}&convocatoria={trail['conv'].id}").get_data(as_text=True)) \
        == [trail["recs"][app0.id].id]
    assert _ids(orh.get(f"/auditoria/?postulacion={app0.id}").get_data(as_text=True)) == [trail["recs"][app0.id].id]
    html = orh.get(f"/auditoria/?usuario=ADMIN&convocatoria={trail['conv'].id}").get_data(as_text=True)
    assert _ids(html) == [trail["estado"].id]
    hoy = today()
    html = orh.get(f"/auditoria/?convocatoria={trail['conv'].id}&desde={hoy.isoformat()}&hasta={hoy.isoformat()}")
    assert len(_ids(html.get_data(as_text=True))) == 3
    manana = (hoy + dt.timedelta(days=1)).isoformat()
    html = orh.get(f"/auditoria/?convocatoria={trail['conv'].id}&desde={manana}").get_data(as_text=True)
    assert not _ids(html) and 'id="sin-registros"' in html


def test_bad_filters_get_a_spanish_message_at_the_field(client_for):
    orh = client_for("orh.sunedu")
    html = orh.get("/auditoria/?desde=31-02-2026").get_data(as_text=True)
    assert re.search(r'id="error-desde">Ingrese una fecha válida.<', html)
    html = orh.get("/auditoria/?desde=2026-11-20&hasta=2026-11-10").get_data(as_text=True)
    assert re.search(r'id="error-hasta">La fecha «hasta» no puede ser anterior a «desde».<', html)
    assert orh.get("/auditoria/?antes=abc").status_code == 400


def test_keyset_pages_cover_every_record_once(client_for, db, trail):
    conv = trail["conv"]
    for i in range(auditoria.TAMANO_PAGINA + 7):
        audit.record(db.session, accion="prueba_pagina", objeto=conv, despues={"n": i}, entidad_id=conv.entidad_id,
                     convocatoria_id=conv.id)
    db.session.commit()
    total = auditoria.TAMANO_PAGINA + 7 + 3
    orh = client_for("orh.sunedu")
    html = orh.get(f"/auditoria/?convocatoria={conv.id}").get_data(as_text=True)
    primera = _ids(html)
    assert len(primera) == auditoria.TAMANO_PAGINA
    siguiente = re.search(r'id="siguiente" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"convocatoria={conv.id}" in siguiente and f"antes={primera[-1]}" in siguiente
    html = orh.get(siguiente).get_data(as_text=True)
    segunda = _ids(html)
    assert len(segunda) == total - auditoria.TAMANO_PAGINA and max(segunda) < min(primera)
    assert 'id="siguiente"' not in html  # the last page
    todos = db.session.scalars(sa.select(m.RegistroAuditoria.id).where(m.RegistroAuditoria.convocatoria_id == conv.id)
                               .order_by(m.RegistroAuditoria.id.desc())).all()
    assert primera + segunda == todos


def test_read_only_everywhere_screens_and_api(client_for, db, trail):
    rec = trail["estado"]
    antes = (rec.hash, rec.motivo)
    for usuario in ("admin", "orh.sunedu"):
        cliente = client_for(usuario)
        html = cliente.get("/auditoria/").get_data(as_text=True)
        assert not re.search(r'href="[^"]*/(edit|delete)/', html)
        assert cliente.post(f"/auditoria/{rec.id}").status_code in (403, 404, 405)
        assert cliente.get(f"/registroauditoriaview/edit/{rec.id}").status_code in (403, 404, 405)
        assert cliente.post(f"/registroauditoriaview/delete/{rec.id}").status_code in (403, 404, 405)
        assert cliente.put(f"/api/v1/auditoria/{rec.id}", json={"motivo": "x"}).status_code in (403, 404, 405)
        assert cliente.delete(f"/api/v1/auditoria/{rec.id}").status_code in (403, 404, 405)
        assert cliente.post("/api/v1/auditoria/", json={"accion": "falsa", "tabla": "x", "hash": "0"}).status_code \
            in (403, 404, 405)
    db.session.expire_all()
    rec = db.session.get(m.RegistroAuditoria, rec.id)
    assert (rec.hash, rec.motivo) == antes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.RegistroAuditoria)
                             .where(m.RegistroAuditoria.accion == "falsa")) == 0


def _manipular(db, sql: str, **params) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text(sql), params)


def test_verificar_cadena_shows_the_result_scoped(client_for, db, trail):
    orh, admin, orh_mig = client_for("orh.sunedu"), client_for("admin"), client_for("orh.migraciones")
    html = orh.post("/auditoria/verificar").get_data(as_text=True)
    assert re.search(r"La cadena de auditoría está íntegra: \d+ registros verificados", html)
    otra = trail["otra"]
    _manipular(db, "UPDATE registro_auditoria SET usuario = 'intruso' WHERE id = :i", i=otra.id)
    try:
        mensaje = f"El registro {otra.id} fue alterado"
        html = admin.post("/auditoria/verificar").get_data(as_text=True)
        assert "no está íntegra" in html and mensaje in html
        html = orh_mig.post("/auditoria/verificar").get_data(as_text=True)
        assert mensaje in html
        html = orh.post("/auditoria/verificar").get_data(as_text=True)  # another institution's record
        assert "no está íntegra" in html and mensaje not in html
        assert "1 problema(s) en registros de otras entidades" in html
    finally:
        _manipular(db, "UPDATE registro_auditoria SET usuario = 'orh.migraciones' WHERE id = :i", i=otra.id)
    assert audit.verificar(db.session).intacta


@pytest.mark.parametrize("rol", ["comite", "veedor", "postulante"])
def test_other_roles_have_no_audit_screen(client_for, role_users, rol):
    cliente = client_for(role_users[rol])
    assert cliente.get("/auditoria/").status_code == 403
    assert cliente.post("/auditoria/verificar").status_code == 403


def test_anonymous_is_sent_to_login(client_for):
    assert client_for(None).get("/auditoria/").status_code == 302
