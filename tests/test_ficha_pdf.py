"""C4: the frozen Ficha as a PDF, with the call's number, the position and the snapshot's hash."""

from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from casadmin import ficha_pdf
from casadmin import models as m
from casadmin.uploads import revisar_pdf


def test_the_proof_of_application_is_a_readable_pdf_of_the_frozen_ficha(db):
    app = db.session.scalar(sa.select(m.Postulacion).order_by(m.Postulacion.id).limit(1))
    data = ficha_pdf.generar(app.ficha, codigo=app.convocatoria.codigo, puesto=app.convocatoria.nombre_puesto,
                             entidad=app.convocatoria.entidad.nombre, registrada_en=app.registrada_en,
                             sha256=app.ficha_sha256)
    assert revisar_pdf(data).paginas >= 1
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    personales = app.ficha["datos_personales"]
    for expected in (app.convocatoria.codigo, personales["numero_documento"], personales["apellido_paterno"],
                     "7. Experiencia laboral", app.ficha_sha256[:16]):
        assert expected in text
