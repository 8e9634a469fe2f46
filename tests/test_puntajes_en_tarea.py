"""A large exam score file is saved in a background job (issue 5 item 3; D2, §4.2.2 k, l).

Reading and checking the file stays in the request (every error with its line, nothing saved);
saving more than ``ETAPAS_ARCHIVO_TAREA_DESDE`` lines runs in :mod:`casadmin.tareas` with its
progress, still in one transaction: a failing job saves nothing and shows its error. Calls of this
module's range (935000–939999), the SUNEDU example as tests/test_etapas.py imports it.
"""

from __future__ import annotations

import io
import itertools

import pytest
import sqlalchemy as sa

from casadmin import audit, tareas
from casadmin import models as m
from casadmin.models.enums import EstadoTarea
from test_etapas import _auditoria, _ficha, _items, fixture_conv, orh  # noqa: F401  (orh: fixture)

conv = fixture_conv(itertools.count(935001))


@pytest.fixture()
def umbral(app):
    """Files of more than 2 lines go to the background; the job runs before the request returns."""
    antes = {k: app.config.get(k) for k in ("ETAPAS_ARCHIVO_TAREA_DESDE", "TAREAS_SYNC_FOR_TESTS")}
    app.config.update(ETAPAS_ARCHIVO_TAREA_DESDE=2, TAREAS_SYNC_FOR_TESTS=True)
    yield
    app.config.update(antes)


def _subir(orh, conv_id: int, filas: list[tuple[str, str]]):
    csv = "numero_documento;puntaje\n" + "".join(f"{d};{p}\n" for d, p in filas)
    return orh.post(f"/etapas/{conv_id}/examen/archivo", data={"archivo": (io.BytesIO(csv.encode()), "grande.csv")},
                    content_type="multipart/form-data")


def _aptos(orh, db, conv_id: int) -> list[str]:
    return sorted(d for d, (r, _) in _ficha(orh, db, conv_id).items() if r == "apto")


def test_a_large_file_is_saved_by_a_job_with_progress_a_small_one_at_once(orh, db, conv, umbral, monkeypatch):
    aptos = _aptos(orh, db, conv.id)
    assert len(aptos) >= 4
    avances = []
    registrar = tareas._registrar
    monkeypatch.setattr(tareas, "_registrar", lambda tarea_id, **v: (avances.append(v), registrar(tarea_id, **v)))

    # Validation stays in the request: a bad line refuses the whole file, no job is made.
    r = _subir(orh, conv.id, [(aptos[0], "25"), (aptos[1], "31"), (aptos[2], "22")])
    assert r.status_code == 422 and "Línea 3:" in r.get_data(as_text=True)
    assert avances == [] and _items(db, conv.id, "examen") == 0

    filas = [(d, "NSP" if i == 0 else f"2{i % 10},5") for i, d in enumerate(aptos)]
    r = _subir(orh, conv.id, filas)
    assert r.status_code == 302 and "/etapas/tarea-puntajes/" in r.headers["Location"], r.get_data(as_text=True)
    estado = orh.get(r.headers["Location"] + ".json").get_json()
    assert estado["estado"] == EstadoTarea.terminada.name and estado["progreso"] == 100, estado
    assert f"{len(aptos)} candidato(s) leídos, {len(aptos)} cambio(s)" in estado["mensaje"]
    # progress reported while it ran: checking, then saving, then done
    mensajes = [(v.get("progreso"), v.get("mensaje", "")) for v in avances]
    assert (5, "Comprobando que los candidatos sigan en la Evaluación de Conocimientos…") in mensajes
    assert (20, f"Guardando {len(aptos)} puntaje(s) en una sola transacción…") in mensajes
    assert avances[-1]["estado"] == EstadoTarea.terminada
    # everything saved: attendance of each, a score of each present one (§4.2.2 k)
    assert _items(db, conv.id, "examen") == 2 * len(aptos) - 1
    (rec,) = _auditoria(db, conv.id, "registrar_puntajes_examen")
    assert rec.despues["origen"] == "archivo grande.csv" and rec.usuario == "orh.sunedu"
    pagina = orh.get(r.headers["Location"]).get_data(as_text=True)
    assert "Terminada" in pagina or "terminada" in pagina.lower()
    assert "grande.csv" in orh.get(f"/etapas/{conv.id}/examen/puntajes").get_data(as_text=True)

    # Two lines (not more than the threshold): saved in the request itself.
    r = _subir(orh, conv.id, [(aptos[1], "30"), (aptos[2], "29")])
    assert r.status_code == 302 and r.headers["Location"].endswith("/examen/puntajes")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Tarea).where(
        m.Tarea.convocatoria_id == conv.id, m.Tarea.tipo == "puntajes")) == 1


def test_a_failing_job_saves_nothing_and_shows_the_error(app, orh, db, conv, umbral, monkeypatch):
    aptos = _aptos(orh, db, conv.id)
    monkeypatch.setattr(tareas, "lanzar", lambda ids: None)  # the job waits: run it by hand below
    r = _subir(orh, conv.id, [(d, "24") for d in aptos])
    assert r.status_code == 302
    tarea_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert orh.get(f"/etapas/tarea-puntajes/{tarea_id}.json").get_json()["estado"] == "pendiente"
    # While it waits, another file is refused (two saves would race).
    r = _subir(orh, conv.id, [(d, "25") for d in aptos])
    assert r.status_code == 422 and "Aún se está guardando otro archivo" in r.get_data(as_text=True)

    def falla(*args, **kwargs):  # after every score row was written, before the commit
        raise RuntimeError("disco lleno")

    monkeypatch.setattr(audit, "record", falla)
    assert tareas.ejecutar(tarea_id) is EstadoTarea.fallida
    monkeypatch.undo()
    db.session.expire_all()
    assert _items(db, conv.id, "examen") == 0 and db.session.scalar(
        sa.select(sa.func.count()).select_from(m.ResultadoEtapa).where(
            m.ResultadoEtapa.convocatoria_id == conv.id, m.ResultadoEtapa.etapa == "examen")) == 0
    estado = orh.get(f"/etapas/tarea-puntajes/{tarea_id}.json").get_json()
    assert estado["estado"] == "fallida" and "disco lleno" in estado["error"]
    pagina = orh.get(f"/etapas/tarea-puntajes/{tarea_id}").get_data(as_text=True)
    assert "falló y no se guardó ningún puntaje" in pagina and "disco lleno" in pagina


def test_a_job_finding_the_stage_published_saves_nothing(app, orh, db, conv, umbral, monkeypatch):
    aptos = _aptos(orh, db, conv.id)
    monkeypatch.setattr(tareas, "lanzar", lambda ids: None)
    r = _subir(orh, conv.id, [(d, "24") for d in aptos])
    tarea_id = int(r.headers["Location"].rsplit("/", 1)[1])
    from casadmin.peru.clock import now

    db.session.add(m.PublicacionEtapa(convocatoria_id=conv.id, etapa="examen", publicado_en=now()))
    db.session.commit()
    assert tareas.ejecutar(tarea_id) is EstadoTarea.fallida
    assert _items(db, conv.id, "examen") == 0
    assert "ya fueron publicados" in orh.get(f"/etapas/tarea-puntajes/{tarea_id}.json").get_json()["error"]
