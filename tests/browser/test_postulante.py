"""C2–C4 in a real browser on a phone-sized screen: an applicant with a complete Ficha applies
to an open SUNEDU call with a real 3-page PDF, confirms, and sees the registration message;
a renamed .docx is refused at its field. Screenshots of each step are kept."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
import sqlalchemy as sa
from PIL import Image

from casadmin import models as m
from casadmin.models.enums import (
    CondicionFormacion,
    EstadoCivil,
    EstadoConvocatoria,
    NivelFormacion,
    Sexo,
    TipoCorreo,
    TipoDocumento,
    TipoHito,
)
from casadmin.peru.clock import now
from pdfs import pdf_de_paginas

CLAVE = "demo12345"


def _png(ancho: int, alto: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (ancho, alto), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture()
def escenario(app, db):
    """An applicant with sections 1, 2, 9 and 10 complete, and a SUNEDU call open now."""
    sm = app.appbuilder.sm
    dni = f"{uuid.uuid4().int % 90_000_000 + 10_000_000:08d}"
    email = f"b{dni}@prueba.casadmin.pe"
    user = sm.add_user(dni, "Lucía", "Paredes Soto", email, sm.find_role("Postulante"), CLAVE)
    post = m.Postulante(usuario_id=user.id, nacionalidad="Peruana", tipo_documento=TipoDocumento.DNI,
                        numero_documento=dni, apellido_paterno="PAREDES", apellido_materno="SOTO", nombres="LUCÍA",
                        lugar_nacimiento="LIMA", fecha_nacimiento=dt.date(1992, 3, 9), sexo=Sexo.femenino,
                        estado_civil=EstadoCivil.soltero, ubigeo="150130", direccion="Av. Aviación 2000",
                        celular="987000111", email=email)
    post.formaciones = [m.FormacionAcademica(nivel=NivelFormacion.universitario, condicion=CondicionFormacion.titulado,
                                             carrera="Derecho", anio=2016, fecha_diploma=dt.date(2016, 12, 1),
                                             institucion="Universidad Nacional de San Agustín")]
    db.session.add(post)
    db.session.commit()
    with app.test_request_context():
        from casadmin.portal import guardar_firma

        guardar_firma(db.session, post, nombre="firma.png", data=_png(200, 150))
    ent = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
    version = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id))
    numero = uuid.uuid4().int % 1000 + 311_000  # this module's call numbers: 311000–311999
    conv = m.Convocatoria(entidad_id=ent.id, version_bases_id=version.id, numero=numero, anio=2026,
                          codigo=f"CAS N° {numero}-2026-SUNEDU", nombre_puesto="Analista legal (navegador)",
                          organo="OAJ", remuneracion=5500, lugar="Lima", duracion_contrato="3 meses",
                          estado=EstadoConvocatoria.postulacion)
    db.session.add(conv)
    db.session.flush()
    db.session.add(m.HitoCronograma(convocatoria_id=conv.id, tipo=TipoHito.postulacion,
                                    inicio=now() - dt.timedelta(hours=1), fin=now() + dt.timedelta(hours=3)))
    db.session.commit()
    return dni, post.id, conv


def test_applicant_applies_on_a_phone_with_a_real_pdf(phone_page, pasos, entrar, escenario, db, tmp_path):
    dni, post_id, conv = escenario
    page = phone_page
    shot = pasos(page)
    entrar(page, dni, CLAVE)
    page.goto("/mi-ficha/")
    shot("mi-ficha")
    page.goto(f"/postular/{conv.id}")
    shot("postular")

    docx = tmp_path / "anexos.pdf"  # a Word file renamed: refused by its content
    docx.write_bytes(b"PK\x03\x04" + b"word/document.xml" * 50)
    page.set_input_files("#archivo-anexos_11_12_13", str(docx))
    page.locator("form.carga button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert "no es un PDF" in page.inner_text("body")
    shot("docx-rechazado")

    anexos = tmp_path / "anexos-11-12-13.pdf"
    anexos.write_bytes(pdf_de_paginas(3))
    page.set_input_files("#archivo-anexos_11_12_13", str(anexos))
    page.locator("form.carga button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert "3 página" in page.inner_text("body")
    shot("pdf-cargado")

    page.check("#form-declaracion input[name=declaracion]")
    page.locator("#form-declaracion button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    shot("confirmar")
    page.check("input[name=confirmo]")
    page.get_by_role("button", name="Aceptar y registrar mi postulación").click()
    page.wait_for_load_state("networkidle")
    assert "Su postulación ha sido registrada satisfactoriamente" in page.inner_text("body")
    shot("registrada")

    db.session.expire_all()
    app_ = db.session.scalar(sa.select(m.Postulacion).where(m.Postulacion.postulante_id == post_id,
                                                            m.Postulacion.convocatoria_id == conv.id))
    assert app_ is not None and len(app_.ficha_sha256) == 64 and app_.documentos[0].paginas == 3
    correo = db.session.scalar(sa.select(m.CorreoSaliente).where(
        m.CorreoSaliente.convocatoria_id == conv.id, m.CorreoSaliente.tipo == TipoCorreo.confirmacion_postulacion))
    assert correo is not None and correo.adjuntos, "the proof e-mail carries the frozen Ficha as a PDF"
