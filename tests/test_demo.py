"""The demo loader is idempotent and gives every role something to work with."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
import sqlalchemy as sa
from PIL import Image

from casadmin import engine_db
from casadmin import mailer
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.demo import load_demo
from casadmin.engine import interchange, run
from casadmin.models.enums import EstadoConvocatoria, Etapa, TipoHito
from casadmin.peru.clock import now
from casadmin.portal import completitud
from casadmin.storage import get_storage
from casadmin.uploads import revisar_firma
from pdfs import pdf_de_paginas

COUNTED = (m.Entidad, m.Convocatoria, m.Postulante, m.Postulacion, m.ResultadoEtapa, m.HitoCronograma,
           m.MiembroComite, m.HojaEntrevista, m.Usuario, m.ExperienciaLaboral, m.Capacitacion,
           m.DocumentoPostulacion, m.ItemVerificacion, m.PublicacionEtapa, m.CorreoSaliente, m.RegistroAuditoria)


def _counts(db) -> dict[str, object]:
    cuentas: dict[str, object] = {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in COUNTED}
    cuentas["estados"] = dict(db.session.execute(sa.select(m.Convocatoria.codigo, m.Convocatoria.estado).where(
        m.Convocatoria.codigo.in_(["CAS N° 140-2026-SUNEDU", "CAS N° 027-2026-MIGRACIONES"]))).all())
    return cuentas


def test_running_the_demo_again_changes_nothing(db):
    before = _counts(db)
    load_demo()
    db.session.expire_all()
    assert _counts(db) == before


def test_demo_has_two_institutions_with_a_published_call_each(db):
    rows = db.session.execute(
        sa.select(m.Entidad.siglas, sa.func.count(m.Convocatoria.id))
        .join(m.Convocatoria, m.Convocatoria.entidad_id == m.Entidad.id)
        .where(m.Convocatoria.codigo.in_(["CAS N° 140-2026-SUNEDU", "CAS N° 027-2026-MIGRACIONES"]))
        .group_by(m.Entidad.siglas)
    ).all()
    assert dict(rows) == {"SUNEDU": 1, "MIGRACIONES": 1}


def test_demo_applicants_have_complete_fichas_and_frozen_snapshots(db):
    from casadmin.ficha import digest

    assert db.session.scalar(sa.select(sa.func.count(m.Postulante.id))) >= 30
    # The demo's own applications: other test modules add applications with placeholder snapshots.
    demo = (sa.select(m.Postulacion).join(m.Postulante).where(m.Postulante.email.like("%@demo.casadmin.pe"))
            .order_by(m.Postulacion.id).limit(10))
    apps = list(db.session.scalars(demo))
    assert len(apps) == 10
    for app in apps:
        assert app.ficha_sha256 == digest(app.ficha)
        assert app.ficha["formacion_academica"] and app.ficha["experiencia_laboral"]
    stages = set(db.session.scalars(sa.select(m.ResultadoEtapa.etapa).distinct()))
    assert len(stages) >= 2  # applicants at different stages


@pytest.mark.parametrize(("codigo", "etapas"), [("CAS N° 140-2026-SUNEDU", ("ficha", "examen")),
                                                 ("CAS N° 027-2026-MIGRACIONES", ("ficha",))])
def test_the_demos_results_are_the_engines(db, codigo, etapas):
    """F3: the demo's stage results are what the bases' plugins give on its applications, and each
    names them. The engine run again with no database (``simulate`` on the call's export) gives
    every candidate the same result and score; the Ficha stage has Apto and No Apto candidates."""
    d = engine_db.exportar(db.session, codigo)
    arch = interchange.cargar(d)
    sim = run.simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, decisiones=arch.decisiones,
                      hasta=etapas[-1])
    documento = {p["id"]: p["documento"]["numero"] for p in d["postulantes"]}
    R, P, Q = m.ResultadoEtapa, m.Postulacion, m.Postulante
    for etapa in etapas:
        guardados = {doc: (res.name, pts, reglas) for doc, res, pts, reglas in db.session.execute(
            sa.select(Q.numero_documento, R.resultado, R.puntaje, R.reglas).join(P, P.id == R.postulacion_id)
            .join(Q, Q.id == P.postulante_id).join(m.Convocatoria, m.Convocatoria.id == R.convocatoria_id)
            .where(m.Convocatoria.codigo == codigo, R.etapa == Etapa[etapa], R.override.is_(False)))}
        calculados = {documento[r.candidato]: (r.resultado, r.puntaje) for r in sim.etapas[etapa]}
        assert len(guardados) >= 8
        assert {doc: g[:2] for doc, g in guardados.items()} == {doc: calculados[doc] for doc in guardados}
        assert all(g[2] == sim.reglas_etapas[etapa] for g in guardados.values())
        assert {"apto", "no_apto"} <= {g[0] for g in guardados.values()}


# --- C2 section 10: every demo applicant has a signature and can apply through the screens -----


def _demo_postulantes(db) -> list[m.Postulante]:
    return list(db.session.scalars(
        sa.select(m.Postulante).where(m.Postulante.email.like("%@demo.casadmin.pe")).order_by(m.Postulante.id)))


def test_every_demo_applicant_has_a_valid_stored_signature_and_a_complete_ficha(db):
    """§4.1 Ficha, section 10: JPG or PNG of 200 × 150 px; without it the applicant is No Apto/a."""
    postulantes = _demo_postulantes(db)
    assert len(postulantes) >= 30
    claves = set()
    for post in postulantes:
        archivo = db.session.get(m.Archivo, post.firma_archivo_id)
        assert archivo is not None and archivo.propietario_id == post.usuario_id, post.numero_documento
        with get_storage().open(archivo.clave) as fh:
            data = fh.read()
        assert revisar_firma(data) == archivo.tipo_mime == "image/png"
        assert Image.open(io.BytesIO(data)).size == (200, 150)
        claves.add(archivo.clave)
        assert completitud(post).puede_postular, (post.numero_documento, completitud(post).faltantes)
    assert len(claves) == len(postulantes)  # one image each, never shared


def test_a_second_run_keeps_the_signatures_and_redraws_a_lost_one(db):
    post = _demo_postulantes(db)[0]
    antes = {p.id: p.firma_archivo_id for p in _demo_postulantes(db)}
    load_demo()
    db.session.expire_all()
    assert {p.id: p.firma_archivo_id for p in _demo_postulantes(db)} == antes
    # The file removed from storage by hand: the next run stores the signature again.
    get_storage().delete(db.session.get(m.Archivo, post.firma_archivo_id).clave)
    load_demo()
    db.session.expire_all()
    post = db.session.get(m.Postulante, post.id)
    assert get_storage().exists(db.session.get(m.Archivo, post.firma_archivo_id).clave)


@pytest.fixture()
def convocatoria_abierta(db):
    """A SUNEDU call open now (numbers 312000–312999 of this module), removed afterwards with what
    hangs from it, so the demo applicant stays as the demo made them."""
    ent = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
    version = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id))
    numero = 312_000 + uuid.uuid4().int % 1000
    conv = m.Convocatoria(entidad_id=ent.id, version_bases_id=version.id, numero=numero, anio=2026,
                          codigo=f"CAS N° {numero}-2026-SUNEDU", nombre_puesto="Asistente administrativo (demo)",
                          organo="OA", remuneracion=3500, lugar="Lima", duracion_contrato="3 meses",
                          estado=EstadoConvocatoria.postulacion)
    db.session.add(conv)
    db.session.flush()
    db.session.add(m.HitoCronograma(convocatoria_id=conv.id, tipo=TipoHito.postulacion,
                                    inicio=now() - dt.timedelta(hours=1), fin=now() + dt.timedelta(hours=2)))
    db.session.commit()
    yield conv
    mailer.esperar()  # a send still recording its outcome would find its row gone
    db.session.rollback()
    postulaciones = sa.select(m.Postulacion.id).where(m.Postulacion.convocatoria_id == conv.id)
    archivos = [*db.session.scalars(sa.select(m.DocumentoPostulacion.archivo_id).where(
        m.DocumentoPostulacion.postulacion_id.in_(postulaciones)))]
    for correo in db.session.scalars(sa.select(m.CorreoSaliente).where(m.CorreoSaliente.convocatoria_id == conv.id)):
        archivos += correo.adjuntos or []
    for stmt in (
        sa.delete(m.DocumentoPostulacion).where(m.DocumentoPostulacion.postulacion_id.in_(postulaciones)),
        sa.delete(m.CorreoSaliente).where(m.CorreoSaliente.convocatoria_id == conv.id),
        sa.delete(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id),
        sa.delete(m.HitoCronograma).where(m.HitoCronograma.convocatoria_id == conv.id),
        sa.delete(m.Convocatoria).where(m.Convocatoria.id == conv.id),
    ):
        db.session.execute(stmt)
    for archivo in db.session.scalars(sa.select(m.Archivo).where(m.Archivo.id.in_(archivos))):
        get_storage().delete(archivo.clave)
        db.session.delete(archivo)
    db.session.commit()


def test_a_demo_applicant_who_has_not_applied_applies_through_the_screens(client_for, db, convocatoria_abierta):
    """C3 with the demo as loaded: the Ficha (signature included) is complete, so «Postular» works."""
    conv = convocatoria_abierta
    post = db.session.scalar(
        sa.select(m.Postulante).where(m.Postulante.email.like("%.sunedu@demo.casadmin.pe"),
                                      ~sa.exists().where(m.Postulacion.postulante_id == m.Postulante.id))
        .order_by(m.Postulante.id))
    assert post is not None, "the demo keeps SUNEDU applicants who have not applied"
    client = client_for(post.numero_documento)
    assert 'id="puede-postular"' in client.get("/mi-ficha/").get_data(as_text=True)
    r = client.post(f"/postular/{conv.id}/documentos/anexos_11_12_13",
                    data={"archivo": (io.BytesIO(pdf_de_paginas(3)), "anexos-11-12-13.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)
    r = client.post(f"/postular/{conv.id}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 303 and "/postular/registrada/" in r.headers["Location"], r.get_data(as_text=True)
    assert "Su postulación ha sido registrada satisfactoriamente" in client.get(r.headers["Location"]).get_data(
        as_text=True)
    db.session.expire_all()
    postulacion = db.session.scalar(sa.select(m.Postulacion).filter_by(convocatoria_id=conv.id,
                                                                       postulante_id=post.id))
    assert postulacion.ficha["firma_archivo_id"] == post.firma_archivo_id is not None  # frozen with the Ficha
    assert [(d.tipo, d.paginas) for d in postulacion.documentos] == [("anexos_11_12_13", 3)]
