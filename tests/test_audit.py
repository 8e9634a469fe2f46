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


def _manipular(db, sql: str, **params) -> None:
    """Change the table behind the application's back, as someone with database access could."""
    with db.engine.begin() as conn:
        conn.execute(sa.text(sql), params)


def test_verify_finds_a_record_changed_or_removed_outside_the_application(db):
    """A5: any change made with SQL breaks the chain, and verification says which record."""
    conv = db.session.scalar(sa.select(m.Convocatoria).limit(1))
    recs = [audit.record(db.session, accion="prueba", objeto=conv, antes={"puntaje": "20.50", "n": i},
                         despues={"puntaje": "21.00"}, motivo=f"registro {i}", convocatoria_id=conv.id)
            for i in range(3)]
    db.session.commit()
    ids = [r.id for r in recs]
    resultado = audit.verificar(db.session)
    assert resultado.intacta, resultado.problemas
    assert resultado.registros >= 3

    _manipular(db, "UPDATE registro_auditoria SET motivo = 'otro' WHERE id = :i", i=ids[1])
    problemas = audit.verificar(db.session).problemas
    assert problemas == [f"El registro {ids[1]} fue alterado: su contenido no corresponde a su hash."]

    _manipular(db, "UPDATE registro_auditoria SET motivo = 'registro 1' WHERE id = :i", i=ids[1])
    assert audit.verificar(db.session).intacta  # restored exactly: intact again

    tabla = m.RegistroAuditoria.__table__
    with db.engine.connect() as conn:
        borrado = dict(conn.execute(sa.select(tabla).where(tabla.c.id == ids[1])).mappings().one())
    _manipular(db, "DELETE FROM registro_auditoria WHERE id = :i", i=ids[1])
    problemas = audit.verificar(db.session).problemas
    assert problemas == [f"La cadena se rompe antes del registro {ids[2]}: falta o se alteró el registro anterior."]

    # Re-linking the next record to hide the deletion changes its content: still detected.
    _manipular(db, "UPDATE registro_auditoria SET hash_anterior = :h WHERE id = :i", h=recs[0].hash, i=ids[2])
    assert audit.verificar(db.session).problemas == [
        f"El registro {ids[2]} fue alterado: su contenido no corresponde a su hash."]

    # Put everything back (the trail is shared with the rest of the suite).
    _manipular(db, "UPDATE registro_auditoria SET hash_anterior = :h WHERE id = :i", h=recs[1].hash, i=ids[2])
    with db.engine.begin() as conn:
        conn.execute(tabla.insert().values(**borrado))
    assert audit.verificar(db.session).intacta


def test_concurrent_appends_keep_one_chain(app, db):
    """Ten transactions appending at once: on PostgreSQL the advisory lock serializes them, on
    SQLite the database does; either way no two records share a predecessor."""
    import threading

    from casadmin.extensions import db as _db

    conv_id = db.session.scalar(sa.select(m.Convocatoria.id).limit(1))
    barrera = threading.Barrier(10)
    errores: list[BaseException] = []

    def escribir(i: int) -> None:
        with app.app_context():
            try:
                conv = _db.session.get(m.Convocatoria, conv_id)
                barrera.wait(10)
                for intento in range(20):
                    try:
                        audit.record(_db.session, accion="concurrente", objeto=conv, motivo=str(i))
                        _db.session.commit()
                        return
                    except sa.exc.OperationalError:  # SQLite: "database is locked"; try again
                        _db.session.rollback()
                raise RuntimeError("no se pudo escribir")
            except BaseException as exc:  # noqa: BLE001 - reported below
                errores.append(exc)
            finally:
                _db.session.remove()

    hilos = [threading.Thread(target=escribir, args=(i,)) for i in range(10)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)
    assert not errores, errores
    db.session.expire_all()
    anteriores = db.session.scalars(sa.select(m.RegistroAuditoria.hash_anterior)).all()
    assert len(anteriores) == len(set(anteriores))
    assert db.session.scalar(sa.select(sa.func.count()).where(m.RegistroAuditoria.accion == "concurrente")) == 10
    assert audit.verificar(db.session).intacta


def test_audit_verify_command_exit_codes(app, db):
    """``casadmin audit verify``: 0 and a count when intact, 1 naming the record when not."""
    conv = db.session.scalar(sa.select(m.Convocatoria).limit(1))
    rec = audit.record(db.session, accion="prueba", objeto=conv, motivo="original")
    db.session.commit()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["casadmin", "audit", "verify"])
    assert ok.exit_code == 0 and "íntegro" in ok.output
    _manipular(db, "UPDATE registro_auditoria SET motivo = 'cambiado' WHERE id = :i", i=rec.id)
    try:
        mal = runner.invoke(args=["casadmin", "audit", "verify"])
        assert mal.exit_code == 1
        assert f"El registro {rec.id} fue alterado" in mal.output
    finally:
        _manipular(db, "UPDATE registro_auditoria SET motivo = 'original' WHERE id = :i", i=rec.id)
    assert runner.invoke(args=["casadmin", "audit", "verify"]).exit_code == 0
