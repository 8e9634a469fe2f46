"""E1: the public portal — calls by state, search, the call page, documents, announcements and
published results, with personal data limited to the name and a masked document number."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from casadmin import models as m
from casadmin.models.enums import EstadoConvocatoria, Etapa, TipoDocumentoConvocatoria
from casadmin.peru.clock import now
from casadmin.storage import get_storage


def _archivo(db, contenido: bytes, nombre: str, entidad_id: int) -> m.Archivo:
    guardado = get_storage().save(contenido)
    archivo = m.Archivo(clave=guardado.clave, nombre_original=nombre, tipo_mime="application/pdf",
                        tamano=guardado.tamano, sha256=guardado.sha256, entidad_id=entidad_id)
    db.session.add(archivo)
    db.session.flush()
    return archivo


@pytest.fixture()
def llamado(db):
    """The demo SUNEDU call with most stage results, and a draft call next to it."""
    conv_id, etapa = db.session.execute(
        sa.select(m.ResultadoEtapa.convocatoria_id, m.ResultadoEtapa.etapa)
        .group_by(m.ResultadoEtapa.convocatoria_id, m.ResultadoEtapa.etapa)
        .order_by(sa.func.count().desc()).limit(1)
    ).one()
    conv = db.session.get(m.Convocatoria, conv_id)
    n = uuid.uuid4().int % 80000 + 100000  # apart from other tests' call numbers
    borrador = m.Convocatoria(entidad_id=conv.entidad_id, version_bases_id=conv.version_bases_id, numero=n, anio=2026,
                              codigo=f"CAS N° {n}-2026-BORRADOR", nombre_puesto="Puesto reservado Zeta",
                              organo="OTI", remuneracion=4000, lugar="Lima", duracion_contrato="3 meses",
                              estado=EstadoConvocatoria.borrador)
    db.session.add(borrador)
    db.session.commit()
    yield conv, Etapa(etapa) if not isinstance(etapa, Etapa) else etapa, borrador
    db.session.delete(db.session.get(m.Convocatoria, borrador.id))
    db.session.commit()


def test_anyone_lists_public_calls_of_every_institution_but_no_draft(client_for, llamado):
    conv, _, borrador = llamado
    for usuario in (None, "orh.sunedu", "orh.migraciones"):
        c = client_for(usuario)
        assert conv.codigo in c.get(f"/portal/?q={conv.codigo}").get_data(as_text=True)
        assert "MIGRACIONES" in c.get("/portal/?q=MIGRACIONES").get_data(as_text=True)
        # The draft's own code finds nothing (the search box echoes the code, so count the results).
        assert '<p id="total">0 convocatorias</p>' in c.get(f"/portal/?q={borrador.codigo}").get_data(as_text=True)
    assert client_for(None).get(f"/portal/{borrador.id}").status_code == 404


def test_search_and_state_filter(client_for, llamado):
    conv, _, _ = llamado
    c = client_for(None)
    assert conv.codigo in c.get(f"/portal/?q={conv.nombre_puesto[:12]}").get_data(as_text=True)
    assert conv.codigo not in c.get("/portal/?q=zzz-no-existe").get_data(as_text=True)
    otro = next(e for e in EstadoConvocatoria if e not in (conv.estado, EstadoConvocatoria.borrador))
    # With the search too: other test modules add many calls in this state (the list is paginated).
    assert conv.codigo in c.get(f"/portal/?estado={conv.estado.name}&q={conv.nombre_puesto[:12]}").get_data(as_text=True)
    assert conv.codigo not in c.get(f"/portal/?estado={otro.name}").get_data(as_text=True)


def test_call_page_shows_schedule_and_only_published_announcements_and_documents(app, client_for, db, llamado):
    conv, _, _ = llamado
    visible = m.Comunicado(convocatoria_id=conv.id, titulo="Comunicado visible 01", contenido="Se posterga", publicado=True,
                           publicado_en=now())
    oculto = m.Comunicado(convocatoria_id=conv.id, titulo="Comunicado oculto 02", contenido="borrador", publicado=False)
    doc = m.DocumentoConvocatoria(convocatoria_id=conv.id, tipo=TipoDocumentoConvocatoria.bases, titulo="Bases publicadas",
                                  archivo=_archivo(db, b"%PDF-1.4 bases", "bases.pdf", conv.entidad_id), publicado=True)
    privado = m.DocumentoConvocatoria(convocatoria_id=conv.id, tipo=TipoDocumentoConvocatoria.otro, titulo="Nota interna",
                                      archivo=_archivo(db, b"%PDF-1.4 interna", "interna.pdf", conv.entidad_id),
                                      publicado=False)
    db.session.add_all([visible, oculto, doc, privado])
    db.session.commit()
    try:
        c = client_for(None)
        texto = c.get(f"/portal/{conv.id}").get_data(as_text=True)
        assert "Comunicado visible 01" in texto and "Comunicado oculto 02" not in texto
        assert "Bases publicadas" in texto and "Nota interna" not in texto
        assert "Cronograma" in texto and conv.cronograma[0].inicio.strftime("%d/%m/%Y") in texto
        r = c.get(f"/portal/{conv.id}/archivo/{doc.archivo_id}")
        assert r.status_code == 200 and r.data == b"%PDF-1.4 bases"
        assert c.get(f"/portal/{conv.id}/archivo/{privado.archivo_id}").status_code == 404
        # Any other file, even of this institution, is not reachable through the portal.
        postulacion_archivo = db.session.scalar(sa.select(m.DocumentoPostulacion.archivo_id).limit(1))
        if postulacion_archivo:
            assert c.get(f"/portal/{conv.id}/archivo/{postulacion_archivo}").status_code == 404
    finally:
        for obj in (visible, oculto, doc, privado):
            db.session.delete(obj)
        db.session.commit()


def test_the_bases_versions_annex_formats_are_listed_and_served_with_each_call_mig_4(client_for, db, llamado):
    """B6: an annex format attached once to the bases version (Migraciones: «Descargar los anexos del 01 al
    05», Mig. 4) is every pinned call's to download; it was neither listed on the call's page nor served
    (404). An unpublished one, or another version's, stays out."""
    conv, _, _ = llamado
    otra = m.VersionBases(entidad_id=conv.entidad_id, codigo="otra-version-prueba", nombre="Otra",
                          vigente_desde=conv.version_bases.vigente_desde, plugin="sunedu", plugin_version="0")
    db.session.add(otra)
    db.session.flush()
    formato = TipoDocumentoConvocatoria.formato_anexo
    anexo = m.DocumentoConvocatoria(version_bases_id=conv.version_bases_id, tipo=formato,
                                    titulo="ANEXO01_CAS (formato)", publicado=True,
                                    archivo=_archivo(db, b"%PDF-1.4 anexo 01", "anexo01.pdf", conv.entidad_id))
    borrador = m.DocumentoConvocatoria(version_bases_id=conv.version_bases_id, tipo=formato,
                                       titulo="ANEXO09 (borrador)", publicado=False,
                                       archivo=_archivo(db, b"%PDF-1.4 borrador", "anexo09.pdf", conv.entidad_id))
    ajeno = m.DocumentoConvocatoria(version_bases_id=otra.id, tipo=formato,
                                    titulo="Anexo de otras bases", publicado=True,
                                    archivo=_archivo(db, b"%PDF-1.4 ajeno", "ajeno.pdf", conv.entidad_id))
    db.session.add_all([anexo, borrador, ajeno])
    db.session.commit()
    try:
        c = client_for(None)
        texto = c.get(f"/portal/{conv.id}").get_data(as_text=True)
        assert "ANEXO01_CAS (formato)" in texto
        assert "ANEXO09 (borrador)" not in texto and "Anexo de otras bases" not in texto
        r = c.get(f"/portal/{conv.id}/archivo/{anexo.archivo_id}")
        assert r.status_code == 200 and r.data == b"%PDF-1.4 anexo 01"
        assert c.get(f"/portal/{conv.id}/archivo/{borrador.archivo_id}").status_code == 404
        assert c.get(f"/portal/{conv.id}/archivo/{ajeno.archivo_id}").status_code == 404
    finally:
        for obj in (anexo, borrador, ajeno, otra):
            db.session.delete(obj)
        db.session.commit()


def test_results_only_once_published_with_masked_documents(client_for, db, llamado):
    conv, etapa, _ = llamado
    c = client_for(None)
    publicadas = set(db.session.scalars(sa.select(m.PublicacionEtapa.etapa).where(
        m.PublicacionEtapa.convocatoria_id == conv.id)))
    sin_publicar = next(e for e in Etapa if e.name not in publicadas)
    assert c.get(f"/portal/{conv.id}/resultados/{sin_publicar.name}").status_code == 404
    assert c.get(f"/portal/{conv.id}/resultados/no_existe").status_code == 404
    pub = None
    if etapa.name not in publicadas:
        pub = m.PublicacionEtapa(convocatoria_id=conv.id, etapa=etapa.name, publicado_en=now())
        db.session.add(pub)
        db.session.commit()
    try:
        assert etapa.value in c.get(f"/portal/{conv.id}").get_data(as_text=True)
        texto = c.get(f"/portal/{conv.id}/resultados/{etapa.name}").get_data(as_text=True)
        postulantes = db.session.execute(
            sa.select(m.Postulante.apellido_paterno, m.Postulante.numero_documento)
            .join(m.Postulacion).join(m.ResultadoEtapa)
            .where(m.ResultadoEtapa.convocatoria_id == conv.id, m.ResultadoEtapa.etapa == etapa)
        ).all()
        assert postulantes
        for apellido, numero in postulantes:
            assert apellido in texto
            assert numero not in texto and f"****{numero[-4:]}" in texto
    finally:
        if pub is not None:
            db.session.delete(pub)
            db.session.commit()


def test_demo_publishes_its_first_stages(client_for, db):
    """The demo's calls show their Ficha results on the portal (``make run`` has something to see)."""
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.codigo.like("%SUNEDU")).order_by(m.Convocatoria.id))
    texto = client_for(None).get(f"/portal/{conv.id}").get_data(as_text=True)
    assert Etapa.ficha.value in texto
    assert client_for(None).get(f"/portal/{conv.id}/resultados/ficha").status_code == 200
