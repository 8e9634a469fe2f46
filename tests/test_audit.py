"""A5: the audit trail is append-only and hash-chained."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casadmin import audit
from casadmin import models as m


def test_records_chain_and_cannot_be_changed_or_deleted(db):
    conv = db.session.scalar(sa.select(m.Convocatoria).limit(1))
    first = audit.record(db.session, accion="prueba", objeto=conv, antes={"estado": "borrador"},
                         despues={"estado": "publicada"}, convocatoria_id=conv.id, entidad_id=conv.entidad_id)
    db.session.flush()
    second = audit.record(db.session, accion="prueba", objeto=conv, motivo="segunda")
    db.session.commit()
    assert second.hash_anterior == first.hash and first.hash != second.hash
    first.motivo = "alterado"
    with pytest.raises(audit.AuditImmutable):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(m.RegistroAuditoria, second.id))
    with pytest.raises(audit.AuditImmutable):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(m.RegistroAuditoria, second.id) is not None


def test_no_role_has_an_edit_or_delete_screen_for_the_audit_trail(client_for, db):
    conv = db.session.scalar(sa.select(m.Convocatoria).limit(1))
    audit.record(db.session, accion="prueba", objeto=conv, entidad_id=conv.entidad_id)
    db.session.commit()
    admin = client_for("admin")
    rec = admin.get("/api/v1/auditoria/").get_json()["result"]
    assert rec
    for client in (admin, client_for("orh.sunedu")):
        assert client.get(f"/registroauditoriaview/edit/{rec[0]['id']}").status_code in (403, 404, 405)
        assert client.post(f"/registroauditoriaview/delete/{rec[0]['id']}").status_code in (403, 404, 405)
