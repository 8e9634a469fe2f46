"""C2, C3, C5, C6 through the applicant's own screens: the Ficha with its completeness and the
signature checks, applying end to end (SUNEDU's single annexes PDF, Migraciones' per-document
flow with page counts, ticks and removal), the refusals at their fields with nothing saved,
the frozen Ficha, "Mis postulaciones" with published results only, and the expediente.

Every test works with its own new applicant and its own new call: demo rows stay as they are.
"""

from __future__ import annotations

import contextlib
import itertools
import datetime as dt
import io
import os
import re
import time
import uuid

import pytest
import sqlalchemy as sa
from PIL import Image

from casadmin import mailer
from casadmin import plugins as pl
from casadmin import models as m
from casadmin.commands.postular import TIPO_EXPEDIENTE
from casadmin.models.enums import (
    CondicionFormacion,
    EstadoCivil,
    EstadoConvocatoria,
    EstadoPostulacion,
    Etapa,
    NivelFormacion,
    Resultado,
    Sexo,
    TipoCorreo,
    TipoDocumento,
    TipoHito,
)
from casadmin.peru.clock import now
from casadmin.storage import get_storage
from pdfs import pdf_de_paginas, pdf_grande

PASSWORD = "demo12345"
#: Call numbers of this module: consecutive, from a random start apart from other modules' ranges.
_NUMEROS = itertools.count(400_000 + uuid.uuid4().int % 1000 * 100)


# --- builders ----------------------------------------------------------------------------------


def imagen(ancho: int, alto: int, formato: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (ancho, alto), "white").save(out, formato)
    return out.getvalue()


def _archivo(data: bytes, nombre: str):
    return (io.BytesIO(data), nombre)


def _texto(response) -> str:
    return response.get_data(as_text=True)


def _claves() -> set[str]:
    return set(get_storage().keys())


@pytest.fixture()
def nuevo_postulante(app, db):
    """Make an applicant of their own (user + Ficha sections 1, 2 and 9), optionally with a signature."""

    def make(*, firma: bool = True, **datos) -> tuple[str, int]:
        sm = app.appbuilder.sm
        dni = f"{uuid.uuid4().int % 90_000_000 + 10_000_000:08d}"
        email = f"p{dni}@prueba.casadmin.pe"
        user = sm.add_user(dni, "Rosa", "Quispe Flores", email, sm.find_role("Postulante"), PASSWORD)
        assert user, "could not create the applicant's user"
        post = m.Postulante(
            usuario_id=user.id, nacionalidad="Peruana", tipo_documento=TipoDocumento.DNI, numero_documento=dni,
            apellido_paterno="QUISPE", apellido_materno="FLORES", nombres="ROSA", lugar_nacimiento="LIMA",
            fecha_nacimiento=dt.date(1990, 5, 15), sexo=Sexo.femenino, estado_civil=EstadoCivil.soltero,
            ubigeo="150130", via="Av.", direccion="San Borja Sur 500", celular="987654321", email=email, **datos,
        )
        post.formaciones = [m.FormacionAcademica(
            nivel=NivelFormacion.universitario, condicion=CondicionFormacion.titulado, carrera="Derecho",
            anio=2015, fecha_diploma=dt.date(2015, 12, 1), institucion="Universidad Nacional Mayor de San Marcos")]
        db.session.add(post)
        db.session.commit()
        if firma:
            with app.test_request_context():
                from casadmin.portal import guardar_firma

                guardar_firma(db.session, post, nombre="firma.png", data=imagen(200, 150))
        return dni, post.id

    return make


def _convocatoria(db, siglas: str, *, inicio: dt.timedelta = dt.timedelta(hours=-2),
                  fin: dt.timedelta = dt.timedelta(hours=2), estado=EstadoConvocatoria.postulacion) -> m.Convocatoria:
    ent = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == siglas))
    version = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id))
    numero = next(_NUMEROS)
    conv = m.Convocatoria(entidad_id=ent.id, version_bases_id=version.id, numero=numero, anio=2026,
                          codigo=f"CAS N° {numero}-2026-{siglas}", nombre_puesto="Analista de prueba", organo="OTI",
                          remuneracion=5000, lugar="Lima", duracion_contrato="3 meses", estado=estado)
    db.session.add(conv)
    db.session.flush()
    db.session.add(m.HitoCronograma(convocatoria_id=conv.id, tipo=TipoHito.postulacion,
                                    inicio=now() + inicio, fin=now() + fin))
    db.session.commit()
    return conv


@pytest.fixture()
def nueva_convocatoria(db):
    """``nueva_convocatoria("SUNEDU", …)``: a call of this test, removed with what hangs from it
    afterwards, so the calls other tests list (the public portal's pages) stay as they were."""
    creadas: list[int] = []

    def make(siglas: str, **kwargs) -> m.Convocatoria:
        conv = _convocatoria(db, siglas, **kwargs)
        creadas.append(conv.id)
        return conv

    yield make
    mailer.esperar()  # a send still recording its outcome would find its row gone
    db.session.rollback()
    if creadas:
        postulaciones = sa.select(m.Postulacion.id).where(m.Postulacion.convocatoria_id.in_(creadas))
        for stmt in (
            sa.delete(m.ResultadoEtapa).where(m.ResultadoEtapa.convocatoria_id.in_(creadas)),
            sa.delete(m.DocumentoPostulacion).where(m.DocumentoPostulacion.postulacion_id.in_(postulaciones)),
            sa.delete(m.CorreoSaliente).where(m.CorreoSaliente.convocatoria_id.in_(creadas)),
            sa.delete(m.Postulacion).where(m.Postulacion.convocatoria_id.in_(creadas)),
            sa.delete(m.PublicacionEtapa).where(m.PublicacionEtapa.convocatoria_id.in_(creadas)),
            sa.delete(m.HitoCronograma).where(m.HitoCronograma.convocatoria_id.in_(creadas)),
            sa.delete(m.Convocatoria).where(m.Convocatoria.id.in_(creadas)),
        ):
            db.session.execute(stmt)
        db.session.commit()


@pytest.fixture()
def sunedu(nueva_convocatoria):
    """A SUNEDU call open for applications right now (annexes 11–13 in one PDF)."""
    return nueva_convocatoria("SUNEDU")


@pytest.fixture()
def migraciones(nueva_convocatoria):
    """A Migraciones call open right now (one PDF per document type, each validated)."""
    return nueva_convocatoria("MIGRACIONES")


#: The documents every Migraciones applicant attaches (Mig. 7–9; the conditional supports aside).
REQUERIDOS_MIGRACIONES = ["documento_identidad", "ficha_curricular", "sustentos_formacion", "sustentos_cursos",
                          "sustentos_experiencia", *(f"anexo0{n}_cas" for n in range(1, 6))]


def _aplicar_sunedu(client, conv_id: int, data: bytes | None = None) -> None:
    r = client.post(f"/postular/{conv_id}/documentos/anexos_11_12_13",
                    data={"archivo": _archivo(data or pdf_de_paginas(3), "anexos.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 303, _texto(r)
    r = client.post(f"/postular/{conv_id}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 303 and "/postular/registrada/" in r.headers["Location"], _texto(r)


def _postulacion(db, post_id: int, conv_id: int) -> m.Postulacion | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(m.Postulacion).filter_by(postulante_id=post_id, convocatoria_id=conv_id))


# --- C2: the Ficha ------------------------------------------------------------------------------


def _porcentaje(client) -> int:
    html = _texto(client.get("/mi-ficha/"))
    return int(re.search(r'id="porcentaje">(\d+)<', html).group(1))


def test_filling_a_section_changes_the_completeness(client_for, nuevo_postulante, db):
    dni, post_id = nuevo_postulante(firma=False)
    client = client_for(dni)
    html = _texto(client.get("/mi-ficha/"))
    assert "Mi Ficha de Postulante" in html and "10. Firma digitalizada" in html
    assert "cargue la imagen de su firma" in html  # what is missing, named
    antes = _porcentaje(client)
    assert antes == 30  # sections 1, 2 and 9 of ten complete; 10 missing; 3–8 optional and empty

    # Section 4: add a row, see it listed and the completeness change.
    r = client.post("/mi-ficha/idiomas", data={"idioma": "Inglés", "nivel": "intermedio"})
    assert r.status_code == 303
    assert _porcentaje(client) == antes + 10
    html = _texto(client.get("/mi-ficha/idiomas"))
    assert "Inglés" in html and "Intermedio" in html
    fila = db.session.scalar(sa.select(m.Idioma).where(m.Idioma.postulante_id == post_id))

    # Edit the row, then remove it: the section is empty again.
    r = client.post(f"/mi-ficha/idiomas/{fila.id}", data={"idioma": "Quechua", "nivel": "avanzado"})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(m.Idioma, fila.id).idioma == "Quechua"
    assert client.post(f"/mi-ficha/idiomas/{fila.id}/eliminar").status_code == 303
    assert _porcentaje(client) == antes


def test_section_errors_show_at_the_field_and_nothing_is_saved(client_for, nuevo_postulante, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    antes = db.session.scalar(sa.select(sa.func.count()).where(m.FormacionAcademica.postulante_id == post_id))
    r = client.post("/mi-ficha/formacion_academica", data={
        "nivel": "universitario", "condicion": "egresado", "carrera": "Economía", "institucion": "UNI"})
    assert r.status_code == 422
    html = _texto(r)
    assert re.search(r'id="campo-fecha_egreso">.*?Indique la fecha de egreso', html, re.S)
    r = client.post("/mi-ficha/experiencia_laboral", data={
        "empleador": "SUNAT", "sector": "publico", "puesto": "Analista", "funciones": "Análisis",
        "tipo": "empleo", "fecha_inicio": "2020-01-01"})
    assert r.status_code == 422 and "marque «Es mi trabajo actual»" in _texto(r)
    r = client.post("/mi-ficha/capacitaciones", data={
        "tipo": "curso", "tema": "Gestión", "horas": "0", "institucion": "ENAP", "fecha_fin": "no-es-fecha"})
    html = _texto(r)
    assert r.status_code == 422 and "Indique horas mayores que cero." in html and "Ingrese una fecha válida." in html
    # One declared level per office program: the second one is refused at the field.
    assert client.post("/mi-ficha/ofimatica", data={"programa": "hoja_calculo", "nivel": "basico"}).status_code == 303
    r = client.post("/mi-ficha/ofimatica", data={"programa": "hoja_calculo", "nivel": "avanzado"})
    assert r.status_code == 422 and "Ya declaró su nivel en este programa" in _texto(r)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).where(m.FormacionAcademica.postulante_id == post_id)) == antes
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Ofimatica.postulante_id == post_id)) == 1


def test_personal_data_and_additional_information_are_saved_each_on_its_own(client_for, nuevo_postulante, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    html = _texto(client.get("/mi-ficha/datos_personales"))
    assert '<option selected value="150130">SAN BORJA</option>' in html  # the districts of the stored provincia
    datos = {"nacionalidad": "Peruana", "apellido_paterno": "QUISPE", "apellido_materno": "FLORES",
             "nombres": "ROSA MARÍA", "lugar_nacimiento": "CUSCO", "fecha_nacimiento": "1990-05-15",
             "sexo": "femenino", "estado_civil": "casado", "departamento": "15", "provincia": "1501",
             "distrito": "150122", "direccion": "Av. Larco 100", "celular": "987654321",
             "email": f"p{dni}@prueba.casadmin.pe"}
    # A district of another provincia is refused at the district field.
    r = client.post("/mi-ficha/datos_personales", data={**datos, "distrito": "040101"})
    assert r.status_code == 422 and "no pertenece a la provincia" in _texto(r)
    # A minor is refused at the birth date (the C1 check of the ORH screen, reused).
    r = client.post("/mi-ficha/datos_personales", data={**datos, "fecha_nacimiento": f"{now().year - 10}-01-01"})
    assert r.status_code == 422 and "mayores de edad" in _texto(r)
    # A new e-mail has to be typed twice.
    r = client.post("/mi-ficha/datos_personales", data={**datos, "email": f"nuevo{dni}@prueba.casadmin.pe"})
    assert r.status_code == 422 and "Los correos no coinciden" in _texto(r)
    assert client.post("/mi-ficha/datos_personales", data=datos).status_code == 303
    db.session.expire_all()
    post = db.session.get(m.Postulante, post_id)
    assert (post.nombres, post.ubigeo, post.estado_civil) == ("ROSA MARÍA", "150122", EstadoCivil.casado)
    # Section 9: CONADIS needs its number; saved without touching section 1.
    r = client.post("/mi-ficha/informacion_adicional", data={"discapacidad": "y"})
    assert r.status_code == 422 and "N° de inscripción en el CONADIS" in _texto(r)
    r = client.post("/mi-ficha/informacion_adicional", data={
        "discapacidad": "y", "registro_conadis": "12345", "licenciado_ffaa": "y", "deportista_nivel": "2"})
    assert r.status_code == 303
    db.session.expire_all()
    post = db.session.get(m.Postulante, post_id)
    assert (post.discapacidad, post.registro_conadis, post.licenciado_ffaa, post.deportista_nivel) == (
        True, "12345", True, 2)
    assert post.nombres == "ROSA MARÍA"
    # The district lists for the selects (JavaScript fills them without reloading).
    assert ["150130", "SAN BORJA"] in client.get("/mi-ficha/ubigeo/1501").get_json()


def test_signature_is_checked_by_content_size_and_dimensions(client_for, nuevo_postulante, db):
    dni, post_id = nuevo_postulante(firma=False)
    client = client_for(dni)
    claves = _claves()

    def subir(data: bytes, nombre: str):
        return client.post("/mi-ficha/firma", data={"firma": _archivo(data, nombre)}, content_type="multipart/form-data")

    r = subir(imagen(300, 100), "firma.png")
    assert r.status_code == 422 and "200 × 150 píxeles" in _texto(r) and "300 × 100" in _texto(r)
    r = subir(pdf_de_paginas(1), "firma.png")  # a PDF renamed as an image
    assert r.status_code == 422 and "La firma debe ser una imagen JPG o PNG." in _texto(r)
    r = subir(b"\x89PNG\r\n\x1a\n" + b"\0" * (600 * 1024), "grande.png")
    assert r.status_code == 422 and "512 KB" in _texto(r)
    r = client.post("/mi-ficha/firma", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Seleccione la imagen de su firma." in _texto(r)
    db.session.expire_all()
    assert db.session.get(m.Postulante, post_id).firma_archivo_id is None and _claves() == claves

    assert subir(imagen(200, 150, "JPEG"), "firma.jpg").status_code == 303
    db.session.expire_all()
    primera = db.session.get(m.Postulante, post_id).firma_archivo_id
    assert db.session.get(m.Archivo, primera).tipo_mime == "image/jpeg"
    html = _texto(client.get("/mi-ficha/firma"))
    assert f"/archivos/{primera}" in html
    assert client.get(f"/archivos/{primera}").status_code == 200
    # Replacing it removes the old image (no application froze it).
    assert subir(imagen(200, 150), "firma.png").status_code == 303
    db.session.expire_all()
    assert db.session.get(m.Archivo, primera) is None
    assert _porcentaje(client) == 40


# --- C3: applying ------------------------------------------------------------------------------


def test_apply_to_an_open_sunedu_call_end_to_end(client_for, nuevo_postulante, sunedu, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    html = _texto(client.get("/postular/"))
    assert sunedu.codigo in html and f'href="/postular/{sunedu.id}"' in html and "Postular" in html

    html = _texto(client.get(f"/postular/{sunedu.id}"))
    assert "Anexos N° 11, 12 y 13 (un solo PDF)" in html and "Validar documento" not in html
    r = client.post(f"/postular/{sunedu.id}/documentos/anexos_11_12_13",
                    data={"archivo": _archivo(pdf_de_paginas(3), "anexos.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 303
    html = _texto(client.get(f"/postular/{sunedu.id}"))
    assert "N° de páginas: 3" in html and "anexos.pdf" in html
    assert client.get(f"/postular/{sunedu.id}/documentos/anexos_11_12_13").data.startswith(b"%PDF-")
    # The upload is a draft: no application exists yet.
    assert _postulacion(db, post_id, sunedu.id) is None

    r = client.post(f"/postular/{sunedu.id}/confirmar", data={})
    assert r.status_code == 422
    assert re.search(r'id="campo-declaracion">.*?Debe aceptar la declaración', _texto(r), re.S)
    r = client.post(f"/postular/{sunedu.id}/confirmar", data={"declaracion": "1"})
    html = _texto(r)
    assert r.status_code == 200 and "Confirme su postulación" in html
    assert sunedu.codigo in html and "Analista de prueba" in html and "anexos.pdf – 3 páginas" in html
    r = client.post(f"/postular/{sunedu.id}/finalizar", data={"declaracion": "1"})
    assert r.status_code == 422 and "Marque la casilla" in _texto(r)
    assert _postulacion(db, post_id, sunedu.id) is None

    borrador = _claves()
    r = client.post(f"/postular/{sunedu.id}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 303
    html = _texto(client.get(r.headers["Location"]))
    assert "Su postulación ha sido registrada satisfactoriamente" in html and sunedu.codigo in html

    app_ = _postulacion(db, post_id, sunedu.id)
    assert app_ is not None and len(app_.ficha_sha256) == 64 and app_.declaracion_aceptada
    assert [(d.tipo, d.paginas) for d in app_.documentos] == [("anexos_11_12_13", 3)]
    assert app_.ficha["datos_personales"]["numero_documento"] == dni
    correo = db.session.scalar(sa.select(m.CorreoSaliente).where(
        m.CorreoSaliente.convocatoria_id == sunedu.id, m.CorreoSaliente.tipo == TipoCorreo.confirmacion_postulacion))
    assert correo.destinatario == f"p{dni}@prueba.casadmin.pe" and "registrada satisfactoriamente" in correo.cuerpo
    assert db.session.get(m.Archivo, correo.adjuntos[0]).tipo_mime == "application/pdf"
    # The draft's file is gone; the application keeps its own stored copy.
    assert get_storage().exists(app_.documentos[0].archivo.clave)
    assert len(_claves() - borrador) >= 2  # the annexes and the proof PDF

    # A second application to the same call: a clear message, nothing stored.
    html = _texto(client.get(f"/postular/{sunedu.id}"))
    assert "Ya postuló a esta convocatoria" in html and 'name="archivo"' not in html
    antes = _claves()
    r = client.post(f"/postular/{sunedu.id}/documentos/anexos_11_12_13",
                    data={"archivo": _archivo(pdf_de_paginas(1), "otra.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 409 and "Ya postuló a esta convocatoria" in _texto(r)
    r = client.post(f"/postular/{sunedu.id}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 422 and "Ya postuló a esta convocatoria" in _texto(r)
    assert _claves() == antes
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.Postulacion.postulante_id == post_id, m.Postulacion.convocatoria_id == sunedu.id)) == 1
    html = _texto(client.get("/postular/"))
    assert f'href="/postular/{sunedu.id}"' not in html and "Ya postuló" in html


def test_draft_files_are_removed_once_the_application_is_registered(client_for, nuevo_postulante, sunedu, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    antes = _claves()
    client.post(f"/postular/{sunedu.id}/documentos/anexos_11_12_13",
                data={"archivo": _archivo(pdf_de_paginas(2), "anexos.pdf")}, content_type="multipart/form-data")
    borrador = _claves() - antes
    assert len(borrador) == 1
    client.post(f"/postular/{sunedu.id}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert _postulacion(db, post_id, sunedu.id) is not None
    assert not (borrador & _claves())


@pytest.mark.parametrize(
    "data,nombre,estado,mensaje",
    [
        (pdf_grande(6 * 1024 * 1024), "grande.pdf", 413, "supera el tamaño máximo de 5 MB"),
        (pdf_grande(5 * 1024 * 1024 + 100), "casi6.pdf", 422, "supera el tamaño máximo de 5 MB"),
        (b"PK\x03\x04" + b"word/document.xml" * 50, "anexos.pdf", 422, "no es un PDF"),
        (b"%PDF-1.4\nbasura sin estructura", "roto.pdf", 422, "no se puede leer"),
    ],
    ids=["6MB", "5MB-y-algo", "docx-renombrado", "pdf-danado"],
)
def test_refused_uploads_name_the_field_and_save_nothing(client_for, nuevo_postulante, sunedu, db,
                                                         data, nombre, estado, mensaje):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    antes = (_claves(), db.session.scalar(sa.select(sa.func.count(m.Archivo.id))))
    r = client.post(f"/postular/{sunedu.id}/documentos/anexos_11_12_13",
                    data={"archivo": _archivo(data, nombre)}, content_type="multipart/form-data")
    assert r.status_code == estado
    html = _texto(r)
    assert re.search(r'id="documento_anexos_11_12_13">.*?class="help-block error-campo">[^<]*' + re.escape(mensaje),
                     html, re.S), html[-3000:]
    db.session.expire_all()
    assert (_claves(), db.session.scalar(sa.select(sa.func.count(m.Archivo.id)))) == antes
    assert "N° de páginas" not in _texto(client.get(f"/postular/{sunedu.id}"))
    assert _postulacion(db, post_id, sunedu.id) is None


def test_after_the_cut_off_the_button_is_off_and_nothing_is_accepted(client_for, nuevo_postulante,
                                                                     nueva_convocatoria, db):
    cerrada = nueva_convocatoria("SUNEDU", inicio=dt.timedelta(days=-2), fin=dt.timedelta(minutes=-1))
    proxima = nueva_convocatoria("SUNEDU", inicio=dt.timedelta(days=1), fin=dt.timedelta(days=2),
                                 estado=EstadoConvocatoria.publicada)
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    html = _texto(client.get("/postular/"))
    for conv in (cerrada, proxima):
        assert conv.codigo in html and f'href="/postular/{conv.id}"' not in html
    assert "Postulación cerrada" in html and "Próximamente" in html
    assert "no está abierta" in _texto(client.get(f"/postular/{cerrada.id}"))
    antes = _claves()
    r = client.post(f"/postular/{cerrada.id}/documentos/anexos_11_12_13",
                    data={"archivo": _archivo(pdf_de_paginas(1), "a.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 409 and "no está abierta en este momento (hora de Lima)" in _texto(r)
    r = client.post(f"/postular/{cerrada.id}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 422 and _texto(r).count("no está abierta") == 1
    assert _claves() == antes and _postulacion(db, post_id, cerrada.id) is None


def test_the_window_closing_while_the_draft_is_pending_refuses_the_application(client_for, nuevo_postulante, sunedu, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    client.post(f"/postular/{sunedu.id}/documentos/anexos_11_12_13",
                data={"archivo": _archivo(pdf_de_paginas(1), "a.pdf")}, content_type="multipart/form-data")
    hito = db.session.scalar(sa.select(m.HitoCronograma).filter_by(convocatoria_id=sunedu.id, tipo=TipoHito.postulacion))
    hito.fin = now() - dt.timedelta(seconds=1)
    db.session.commit()
    r = client.post(f"/postular/{sunedu.id}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 422 and "no está abierta" in _texto(r)
    assert _postulacion(db, post_id, sunedu.id) is None


def test_an_incomplete_ficha_cannot_apply_and_is_told_what_is_missing(client_for, nuevo_postulante, sunedu, db):
    dni, post_id = nuevo_postulante(firma=False)
    client = client_for(dni)
    html = _texto(client.get(f"/postular/{sunedu.id}"))
    assert "Su Ficha de Postulante está incompleta" in html and "10. Firma digitalizada" in html
    assert 'name="archivo"' not in html
    r = client.post(f"/postular/{sunedu.id}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 422 and "Complete su Ficha de Postulante" in _texto(r)
    assert _postulacion(db, post_id, sunedu.id) is None


def test_migraciones_per_document_uploads_with_page_counts_ticks_and_removal(client_for, nuevo_postulante,
                                                                             migraciones, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    url = f"/postular/{migraciones.id}"
    html = _texto(client.get(url))
    for nombre in ("DOCUMENTO DE IDENTIDAD", "FICHA CURRICULAR", "ANEXO01_CAS", "ANEXO05_CAS"):
        assert nombre in html
    # Each document with where the manual asks for it (the bases version's data).
    identidad = re.search(r'id="documento_documento_identidad">(.*?)</div>\s*</div>', html, re.S).group(1)
    assert '<span class="clausula">(Mig. 7–8)</span>' in identidad
    # The declaration in the manual's words (Mig. 9), not the portal's own
    assert "haber descargado del enlace de Oportunidades Laborales (www.migraciones.gob.pe), la ficha curricular y " \
           "anexos del 1 al 5" in html

    def cargar(tipo: str, paginas: int):
        r = client.post(f"{url}/documentos/{tipo}", data={"archivo": _archivo(pdf_de_paginas(paginas), f"{tipo}.pdf")},
                        content_type="multipart/form-data")
        assert r.status_code == 303, _texto(r)

    cargar("ficha_curricular", 2)
    html = _texto(client.get(url))
    bloque = re.search(r'id="documento_ficha_curricular">(.*?)</form>\s*</div>', html, re.S).group(1)
    assert "N° de páginas: 2" in bloque and "Validar documento" in bloque and "Ver archivo" in bloque

    # Removal deletes the pending file; a new upload replaces the previous one.
    antes = _claves()
    cargar("documento_identidad", 1)
    nueva = _claves() - antes
    assert client.post(f"{url}/documentos/documento_identidad/eliminar").status_code == 303
    assert not (nueva & _claves())
    assert "documento_identidad.pdf" not in _texto(client.get(url))

    requeridos = REQUERIDOS_MIGRACIONES
    for i, tipo in enumerate(requeridos):
        if tipo != "ficha_curricular":
            cargar(tipo, 1 + i % 3)
    # Not validated yet: the confirmation is refused at each document's field.
    r = client.post(f"{url}/confirmar", data={"declaracion": "1"})
    html = _texto(r)
    assert r.status_code == 422
    assert re.search(r'id="documento_anexo03_cas">.*?Marque «Validar documento» para ANEXO03_CAS', html, re.S)
    for tipo in requeridos:
        assert client.post(f"{url}/documentos/{tipo}/validar", data={"validado": "1"}).status_code == 303
    # A tick can be taken back, and given again.
    client.post(f"{url}/documentos/anexo01_cas/validar", data={"validado": "0"})
    assert "Marque «Validar documento» para ANEXO01_CAS" in _texto(client.post(f"{url}/confirmar", data={"declaracion": "1"}))
    client.post(f"{url}/documentos/anexo01_cas/validar", data={"validado": "1"})

    html = _texto(client.post(f"{url}/confirmar", data={"declaracion": "1"}))
    assert "Confirme su postulación" in html and "FICHA CURRICULAR: ficha_curricular.pdf – 2 páginas (validado)" in html
    r = client.post(f"{url}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 303
    app_ = _postulacion(db, post_id, migraciones.id)
    docs = {d.tipo: (d.paginas, d.validado) for d in app_.documentos}
    assert set(docs) == set(requeridos) and docs["ficha_curricular"] == (2, True)
    assert all(v for _, v in docs.values())


def test_migraciones_asks_for_the_ffaa_support_only_of_who_declares_it_and_cannot_be_sent_without(
        client_for, nuevo_postulante, migraciones, db):
    """Mig. 8–9: the FF.AA. support is listed for, and required of, an applicant who declares the condition
    in the Ficha (section 9), as the Ficha stage requires it (No Apto/a without it): the application used to
    be sent with it missing, the screen calling it «Si corresponde»."""
    url = f"/postular/{migraciones.id}"
    requeridos = REQUERIDOS_MIGRACIONES
    nombre = "SUSTENTO DE LICENCIADO(A) DE LAS FUERZAS ARMADAS"
    dni, _ = nuevo_postulante()
    assert nombre not in _texto(client_for(dni).get(url))  # nothing declared: not asked for
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    assert client.post("/mi-ficha/informacion_adicional", data={"licenciado_ffaa": "y"}).status_code == 303
    html = _texto(client.get(url))
    bloque = re.search(r'id="documento_sustento_ffaa">(.*?)</div>\s*</div>', html, re.S).group(1)
    assert nombre in bloque and "Obligatorio" in bloque and "Si corresponde" not in bloque
    for tipo in requeridos:
        r = client.post(f"{url}/documentos/{tipo}", data={"archivo": _archivo(pdf_de_paginas(1), f"{tipo}.pdf")},
                        content_type="multipart/form-data")
        assert r.status_code == 303 and client.post(f"{url}/documentos/{tipo}/validar",
                                                    data={"validado": "1"}).status_code == 303
    r = client.post(f"{url}/confirmar", data={"declaracion": "1"})
    assert r.status_code == 422
    assert re.search(rf'id="documento_sustento_ffaa">.*?Adjunte {re.escape(nombre)}\.', _texto(r), re.S)
    r = client.post(f"{url}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert _postulacion(db, post_id, migraciones.id) is None  # refused: nothing registered
    client.post(f"{url}/documentos/sustento_ffaa", data={"archivo": _archivo(pdf_de_paginas(1), "ffaa.pdf")},
                content_type="multipart/form-data")
    client.post(f"{url}/documentos/sustento_ffaa/validar", data={"validado": "1"})
    r = client.post(f"{url}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 303, _texto(r)
    docs = {d.tipo for d in _postulacion(db, post_id, migraciones.id).documentos}
    assert docs == {*requeridos, "sustento_ffaa"}


def test_the_signature_is_asked_for_only_where_the_bases_ask_for_it(client_for, nuevo_postulante, nueva_convocatoria,
                                                                    migraciones, db):
    """SUNEDU's Ficha asks for the digitized signature (§4.1 Ficha de Postulante (10)), Migraciones' manual
    does not (Mig. 2, 7–9; ``ficha.firma_digitalizada`` false): the portal used to refuse every application
    without one, so a Migraciones applicant had to load a signature that the bases do not ask for."""
    dni, post_id = nuevo_postulante(firma=False)
    client = client_for(dni)
    url = f"/postular/{migraciones.id}"
    html = _texto(client.get(url))
    assert "Su Ficha de Postulante está incompleta" not in html and 'name="archivo"' in html
    for tipo in REQUERIDOS_MIGRACIONES:
        r = client.post(f"{url}/documentos/{tipo}", data={"archivo": _archivo(pdf_de_paginas(1), f"{tipo}.pdf")},
                        content_type="multipart/form-data")
        assert r.status_code == 303 and client.post(f"{url}/documentos/{tipo}/validar",
                                                    data={"validado": "1"}).status_code == 303
    html = _texto(client.post(f"{url}/confirmar", data={"declaracion": "1"}))
    assert "Confirme su postulación" in html and "10. Firma digitalizada: no cargada (opcional)" in html
    r = client.post(f"{url}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 303, _texto(r)
    assert _postulacion(db, post_id, migraciones.id).ficha["firma_archivo_id"] is None

    # A SUNEDU call open beside it: its page, and the Ficha's, ask for the signature.
    sunedu = nueva_convocatoria("SUNEDU")
    html = _texto(client.get(f"/postular/{sunedu.id}"))
    assert "Su Ficha de Postulante está incompleta" in html and "10. Firma digitalizada" in html
    r = client.post(f"/postular/{sunedu.id}/finalizar", data={"declaracion": "1", "confirmo": "1"})
    assert r.status_code == 422 and "cargue la imagen de su firma" in _texto(r)
    seccion = _texto(client.get("/mi-ficha/firma"))
    assert "sin ella no podrá postular a las convocatorias cuyas bases la piden" in seccion
    assert "no la piden" not in seccion


def test_which_calls_ask_for_the_signature(app, nuevo_postulante, nueva_convocatoria, db):
    """:func:`portal.pide_firma` reads each call's bases (``ficha.firma_digitalizada``); with no call in view the
    Ficha keeps section 10 required; without it, section 10 is optional and applying does not wait for it."""
    from casadmin import portal

    sunedu, migraciones = nueva_convocatoria("SUNEDU"), nueva_convocatoria("MIGRACIONES")
    with app.test_request_context():
        assert portal.pide_firma(db.session, [sunedu]) and portal.pide_firma(db.session, [])
        assert not portal.pide_firma(db.session, [migraciones])
        assert portal.pide_firma(db.session, [migraciones, sunedu])
        _, post_id = nuevo_postulante(firma=False)
        post = db.session.get(m.Postulante, post_id)
        pedida, opcional = portal.completitud(post), portal.completitud(post, firma=False)
    assert not pedida.puede_postular and pedida["firma"].etiqueta == "Incompleta"
    assert opcional.puede_postular and opcional["firma"].etiqueta == "Opcional: no cargada"
    assert "no la piden" in opcional["firma"].seccion.ayuda


def test_profile_edits_after_applying_apply_to_future_calls_only(client_for, nuevo_postulante, sunedu,
                                                                 nueva_convocatoria, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    _aplicar_sunedu(client, sunedu.id)
    app_ = _postulacion(db, post_id, sunedu.id)
    congelada = (dict(app_.ficha), app_.ficha_sha256)
    firma_congelada = app_.ficha["firma_archivo_id"]

    fila = db.session.scalar(sa.select(m.FormacionAcademica).where(m.FormacionAcademica.postulante_id == post_id))
    r = client.post(f"/mi-ficha/formacion_academica/{fila.id}", data={
        "nivel": "maestria", "condicion": "egresado", "carrera": "Gestión Pública", "anio": "2020",
        "fecha_egreso": "2020-07-01", "institucion": "PUCP"})
    assert r.status_code == 303
    assert client.post("/mi-ficha/experiencia_laboral", data={
        "empleador": "SUNAT", "sector": "publico", "puesto": "Analista nuevo", "funciones": "Análisis",
        "tipo": "empleo", "fecha_inicio": "2021-01-01", "actual": "y"}).status_code == 303
    client.post("/mi-ficha/firma", data={"firma": _archivo(imagen(200, 150), "nueva.png")},
                content_type="multipart/form-data")

    again = _postulacion(db, post_id, sunedu.id)
    assert (again.ficha, again.ficha_sha256) == congelada
    assert "Analista nuevo" not in str(again.ficha) and "PUCP" not in str(again.ficha)
    # The signature the application was made with is kept for the evaluators.
    assert db.session.get(m.Archivo, firma_congelada) is not None
    r = client.get(f"/mis-postulaciones/{again.id}/ficha.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF-")
    # A future call gets the edited Ficha.
    otra = nueva_convocatoria("SUNEDU")
    _aplicar_sunedu(client, otra.id)
    nueva = _postulacion(db, post_id, otra.id)
    assert "Analista nuevo" in str(nueva.ficha) and nueva.ficha_sha256 != congelada[1]


def test_abandoned_draft_leaves_no_application_and_its_files_are_cleaned_up(app, client_for, nuevo_postulante,
                                                                          sunedu, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    antes = _claves()
    client.post(f"/postular/{sunedu.id}/documentos/anexos_11_12_13",
                data={"archivo": _archivo(pdf_de_paginas(2), "anexos.pdf")}, content_type="multipart/form-data")
    (clave,) = _claves() - antes
    assert _postulacion(db, post_id, sunedu.id) is None
    assert db.session.scalar(sa.select(m.Archivo.id).where(m.Archivo.clave == clave)) is None
    with app.test_request_context():
        viejo = time.time() - 7200
        os.utime(get_storage()._path(clave), (viejo, viejo))
    # The daily command keeps a draft untouched for less than three days (the applicant may come back) ...
    r = app.test_cli_runner().invoke(args=["casadmin", "limpiar-archivos"])
    assert r.exit_code == 0 and "sin tocar en 72 h o más" in r.output and clave in _claves()
    with app.test_request_context():
        viejo = time.time() - 73 * 3600
        os.utime(get_storage()._path(clave), (viejo, viejo))
    # ... and removes it after, leaving every file a row points to.
    conocidas = set(db.session.scalars(sa.select(m.Archivo.clave))) & _claves()
    r = app.test_cli_runner().invoke(args=["casadmin", "limpiar-archivos"])
    assert r.exit_code == 0 and clave not in _claves() and conocidas <= _claves()
    assert int(r.output.rsplit(":", 1)[1]) >= 1
    html = _texto(client.get(f"/postular/{sunedu.id}"))
    assert "ya no está disponible: vuelva a cargarlo" in html and "N° de páginas" not in html


def test_at_most_two_drafts_are_kept_per_browser(client_for, nuevo_postulante, nueva_convocatoria):
    """The session is a 4 KB cookie: a third draft discards the oldest one and its file."""
    dni, _ = nuevo_postulante()
    client = client_for(dni)
    convs = [nueva_convocatoria("SUNEDU") for _ in range(3)]
    claves = []
    for conv in convs:
        antes = _claves()
        client.post(f"/postular/{conv.id}/documentos/anexos_11_12_13",
                    data={"archivo": _archivo(pdf_de_paginas(1), "a.pdf")}, content_type="multipart/form-data")
        (clave,) = _claves() - antes
        claves.append(clave)
    assert not get_storage().exists(claves[0]) and all(get_storage().exists(c) for c in claves[1:])
    assert "N° de páginas" not in _texto(client.get(f"/postular/{convs[0].id}"))
    assert "N° de páginas: 1" in _texto(client.get(f"/postular/{convs[2].id}"))


@contextlib.contextmanager
def csrf_activo(app):
    """CSRF protection as in production (the test app runs without it)."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_with_csrf_on_the_forms_carry_the_token_and_oversize_uploads_keep_the_field_message(
        app, client_for, nuevo_postulante, sunedu, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    with csrf_activo(app):
        _flujo_con_csrf(client, sunedu, db, post_id)


def _flujo_con_csrf(client, sunedu, db, post_id):
    token = _token(_texto(client.get("/mi-ficha/idiomas")))
    assert client.post("/mi-ficha/idiomas", data={"idioma": "Inglés", "nivel": "basico"}).status_code == 400
    assert client.post("/mi-ficha/idiomas", data={"idioma": "Inglés", "nivel": "basico",
                                                  "csrf_token": token}).status_code == 303
    token = _token(_texto(client.get(f"/postular/{sunedu.id}")))
    antes = _claves()
    r = client.post(f"/postular/{sunedu.id}/documentos/anexos_11_12_13", content_type="multipart/form-data",
                    data={"archivo": _archivo(pdf_grande(6 * 1024 * 1024), "a.pdf"), "csrf_token": token})
    assert r.status_code == 413 and re.search(
        r'id="documento_anexos_11_12_13">.*?supera el tamaño máximo de 5 MB', _texto(r), re.S)
    assert _claves() == antes
    r = client.post(f"/postular/{sunedu.id}/documentos/anexos_11_12_13", content_type="multipart/form-data",
                    data={"archivo": _archivo(pdf_de_paginas(2), "a.pdf"), "csrf_token": token})
    assert r.status_code == 303
    html = _texto(client.get(f"/postular/{sunedu.id}"))
    r = client.post(f"/postular/{sunedu.id}/confirmar", data={"declaracion": "1", "csrf_token": _token(html)})
    assert "Confirme su postulación" in _texto(r)
    r = client.post(f"/postular/{sunedu.id}/finalizar",
                    data={"declaracion": "1", "confirmo": "1", "csrf_token": _token(_texto(r))})
    assert r.status_code == 303 and _postulacion(db, post_id, sunedu.id) is not None


# --- C6: Mis postulaciones -----------------------------------------------------------------


def _resultado(db, app_: m.Postulacion, etapa: Etapa, resultado: Resultado, publicado: bool, mensaje: str,
               puntaje=None) -> None:
    db.session.add(m.ResultadoEtapa(
        convocatoria_id=app_.convocatoria_id, postulacion_id=app_.id, etapa=etapa, resultado=resultado,
        puntaje=puntaje, publicado=publicado, evaluado_en=now(), reglas={"prueba": "1"},
        motivos=[{"requisito": "Experiencia específica", "cumple": resultado is Resultado.apto, "mensaje": mensaje,
                  "declarado": "Ficha de Postulante, sección 7", "computado": f"{etapa.name}: 4 años (1440 días)",
                  "clausula": "§4.2.1"}]))


def _publicar(db, conv_id: int, etapa: Etapa) -> None:
    db.session.add(m.PublicacionEtapa(convocatoria_id=conv_id, etapa=etapa.name, publicado_en=now()))


def test_each_document_keeps_the_time_it_was_uploaded(client_for, nuevo_postulante, sunedu, db):
    """The stored load time (the manual's «FECHA DE CARGA», Mig. 8; what ``en_plazo`` judges) was the time the
    application was sent, whatever the draft recorded when the file was uploaded."""
    import time_machine

    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    subido = now()
    r = client.post(f"/postular/{sunedu.id}/documentos/anexos_11_12_13",
                    data={"archivo": _archivo(pdf_de_paginas(3), "anexos.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 303, _texto(r)
    with time_machine.travel(subido + dt.timedelta(minutes=20), tick=False):
        r = client.post(f"/postular/{sunedu.id}/finalizar", data={"declaracion": "1", "confirmo": "1"})
        assert r.status_code == 303, _texto(r)
    app_ = _postulacion(db, post_id, sunedu.id)
    doc, = app_.documentos
    assert abs(doc.cargado_en - subido) < dt.timedelta(minutes=1)
    assert app_.registrada_en - doc.cargado_en > dt.timedelta(minutes=19)


def test_an_application_stays_readable_when_its_bases_plugin_is_uninstalled(client_for, nuevo_postulante, sunedu, db,
                                                                            monkeypatch):
    """An institution that uninstalls a bases plugin left its applicants' «Mis postulaciones» page and the
    registration proof answering 500 (the document names came from the plugin): the stored documents show
    by their codes."""
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    _aplicar_sunedu(client, sunedu.id)
    app_ = _postulacion(db, post_id, sunedu.id)

    def desinstalada(pm, bases_id):
        raise pl.BasesDesconocida(f"Ninguna versión de bases instalada se llama «{bases_id}».")

    monkeypatch.setattr(pl, "get_bases", desinstalada)
    for url in (f"/mis-postulaciones/{app_.id}", f"/postular/registrada/{app_.id}"):
        r = client.get(url)
        assert r.status_code == 200, url
    assert "anexos_11_12_13" in _texto(client.get(f"/mis-postulaciones/{app_.id}"))


def test_mis_postulaciones_shows_only_published_results_with_their_reasons(client_for, nuevo_postulante, sunedu, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    _aplicar_sunedu(client, sunedu.id)
    app_ = _postulacion(db, post_id, sunedu.id)
    html = _texto(client.get("/mis-postulaciones/"))
    assert sunedu.codigo in html and "Registrada" in html
    # The call's public page (bases, communiqués, every published list): the menu has no public portal entry.
    detalle = _texto(client.get(f"/mis-postulaciones/{app_.id}"))
    assert f'href="/portal/{sunedu.id}" id="convocatoria-publica"' in detalle
    assert 'href="/impugnar/' not in detalle  # nothing published yet to appeal against

    _resultado(db, app_, Etapa.ficha, Resultado.apto, True, "Cumple los 48 meses de experiencia general.")
    _publicar(db, sunedu.id, Etapa.ficha)
    # Evaluated but not published: neither the result, its reasons nor the state may show.
    _resultado(db, app_, Etapa.examen, Resultado.no_apto, False, "Motivo aún reservado", puntaje=12)
    app_.estado = EstadoPostulacion.no_apto
    db.session.commit()

    html = _texto(client.get(f"/mis-postulaciones/{app_.id}"))
    assert "Evaluación de Ficha de Postulante y Anexos" in html and "Cumple los 48 meses de experiencia general." in html
    # Each reason with what was declared and what was counted (issue 3 item 5), as ORH sees it.
    assert "Declarado: Ficha de Postulante, sección 7 · Computado: ficha: 4 años (1440 días)" in html
    assert "examen: 4 años" not in html
    assert "Cómo se computó" not in html  # a hand-written reason of a call without a profile: no detail
    assert "Evaluación de Conocimientos Técnicos" not in html and "Motivo aún reservado" not in html
    assert "No apto" not in html and "En proceso" in html
    assert "No apto" not in _texto(client.get("/mis-postulaciones/"))
    # Marked published but the stage's results not published for the call: still hidden.
    db.session.scalar(sa.select(m.ResultadoEtapa).filter_by(postulacion_id=app_.id, etapa=Etapa.examen)).publicado = True
    db.session.commit()
    assert "Motivo aún reservado" not in _texto(client.get(f"/mis-postulaciones/{app_.id}"))
    # Once ORH publishes the stage, it shows, with its reasons and score.
    _publicar(db, sunedu.id, Etapa.examen)
    db.session.commit()
    html = _texto(client.get(f"/mis-postulaciones/{app_.id}"))
    assert "Motivo aún reservado" in html and "12.00 puntos" in html and "No apto" in html


def test_the_published_ficha_shows_how_the_experience_was_counted(client_for, nuevo_postulante, sunedu, db,
                                                                 monkeypatch):
    """The applicant sees, under a published experience reason, the count that explains it
    (``engine_db.detalle_experiencia``, computed on request), each experience with its clause."""
    from casadmin import engine_db

    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    _aplicar_sunedu(client, sunedu.id)
    app_ = _postulacion(db, post_id, sunedu.id)
    _resultado(db, app_, Etapa.ficha, Resultado.no_apto, True, "No acredita 2 años de experiencia específica.")
    _publicar(db, sunedu.id, Etapa.ficha)
    db.session.commit()
    pedidos = []

    def detalle(session, conv, postulacion_id, motivos):
        pedidos.append((conv.id, postulacion_id, [mo["requisito"] for mo in motivos]))
        return {"Experiencia específica": [{"requisito": "Experiencia específica", "cumple": False,
                                            "declarado": "servicio: Médico en Hospital Regional (01/04/2019 – 31/03/2020)",
                                            "computado": "0 días", "clausula": "§4.2.1 s",
                                            "mensaje": "El SERUMS no se considera experiencia."}]}

    monkeypatch.setattr(engine_db, "detalle_experiencia", detalle)
    html = _texto(client.get(f"/mis-postulaciones/{app_.id}"))
    assert pedidos == [(sunedu.id, app_.id, ["Experiencia específica"])]
    assert "Cómo se computó" in html and "El SERUMS no se considera experiencia." in html and "§4.2.1 s" in html
    assert "Declarado: servicio: Médico en Hospital Regional (01/04/2019 – 31/03/2020) · Computado: 0 días" in html


def test_another_applicant_cannot_open_my_application_or_its_files(client_for, nuevo_postulante, sunedu, db):
    dni, post_id = nuevo_postulante()
    _aplicar_sunedu(client_for(dni), sunedu.id)
    app_ = _postulacion(db, post_id, sunedu.id)
    otro, _ = nuevo_postulante()
    client = client_for(otro)
    assert client.get(f"/mis-postulaciones/{app_.id}").status_code == 404
    assert client.get(f"/mis-postulaciones/{app_.id}/ficha.pdf").status_code == 404
    assert client.get(f"/postular/registrada/{app_.id}").status_code == 404
    assert client.get(f"/archivos/{app_.documentos[0].archivo_id}").status_code == 404
    assert sunedu.codigo not in _texto(client.get("/mis-postulaciones/"))
    fila = db.session.scalar(sa.select(m.FormacionAcademica).where(m.FormacionAcademica.postulante_id == post_id))
    assert client.get(f"/mi-ficha/formacion_academica/{fila.id}").status_code == 404
    assert client.post(f"/mi-ficha/formacion_academica/{fila.id}/eliminar").status_code == 404
    db.session.expire_all()
    assert db.session.get(m.FormacionAcademica, fila.id) is not None


# --- C5: the expediente ------------------------------------------------------------------------


def _ventana_expediente(db, conv_id: int, inicio: dt.timedelta, fin: dt.timedelta) -> None:
    hito = db.session.scalar(sa.select(m.HitoCronograma).filter_by(convocatoria_id=conv_id, tipo=TipoHito.expediente))
    if hito is None:
        hito = m.HitoCronograma(convocatoria_id=conv_id, tipo=TipoHito.expediente, inicio=now(), fin=now())
        db.session.add(hito)
    hito.inicio, hito.fin = now() + inicio, now() + fin
    db.session.commit()


def test_expediente_once_inside_its_window_only_for_candidates_in_the_process(client_for, nuevo_postulante,
                                                                             sunedu, db):
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    _aplicar_sunedu(client, sunedu.id)
    app_ = _postulacion(db, post_id, sunedu.id)
    url = f"/mis-postulaciones/{app_.id}/expediente"

    def subir(data: bytes, nombre: str = "expediente.pdf"):
        return client.post(url, data={"archivo": _archivo(data, nombre)}, content_type="multipart/form-data")

    # Before its window: no form, and a direct upload is refused.
    _ventana_expediente(db, sunedu.id, dt.timedelta(days=1), dt.timedelta(days=1, hours=8))
    html = _texto(client.get(f"/mis-postulaciones/{app_.id}"))
    assert "Expediente Curricular" in html and 'id="form-expediente"' not in html
    r = subir(pdf_de_paginas(2))
    assert r.status_code == 422 and "no está abierta en este momento" in _texto(r)

    # Inside it: the same PDF checks, at the field, nothing stored.
    _ventana_expediente(db, sunedu.id, dt.timedelta(hours=-1), dt.timedelta(hours=1))
    assert 'id="form-expediente"' in _texto(client.get(f"/mis-postulaciones/{app_.id}"))
    antes = _claves()
    r = subir(b"PK\x03\x04 docx", "cv.pdf")
    assert r.status_code == 422 and re.search(r'id="campo-expediente">.*?no es un PDF', _texto(r), re.S)
    r = subir(pdf_grande(6 * 1024 * 1024))
    assert r.status_code == 413 and "supera el tamaño máximo de 5 MB" in _texto(r)
    assert _claves() == antes

    assert subir(pdf_de_paginas(4)).status_code == 303
    db.session.expire_all()
    doc = db.session.scalar(sa.select(m.DocumentoPostulacion).filter_by(postulacion_id=app_.id, tipo=TIPO_EXPEDIENTE))
    assert doc.paginas == 4 and get_storage().exists(doc.archivo.clave)
    html = _texto(client.get(f"/mis-postulaciones/{app_.id}"))
    assert "Presentado el" in html and "4 páginas" in html and 'id="form-expediente"' not in html
    # Once only.
    r = subir(pdf_de_paginas(1))
    assert r.status_code == 422 and "Ya presentó su Expediente Curricular" in _texto(r)
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.DocumentoPostulacion.postulacion_id == app_.id, m.DocumentoPostulacion.tipo == TIPO_EXPEDIENTE)) == 1


def test_expediente_refused_to_a_candidate_out_of_the_process(client_for, nuevo_postulante, sunedu, db):
    """Out of the process by a published result only (C6): an evaluation ORH has not published yet neither
    shows through this block (it said «Solo los candidatos que continúan…» beside a state «Registrada»)
    nor decides the upload; the curricular stage still judges only those who continued (§4.2)."""
    dni, post_id = nuevo_postulante()
    client = client_for(dni)
    _aplicar_sunedu(client, sunedu.id)
    app_ = _postulacion(db, post_id, sunedu.id)
    _resultado(db, app_, Etapa.examen, Resultado.no_apto, False, "Puntaje menor a 21.", puntaje=15)
    app_.estado = EstadoPostulacion.no_apto  # as the evaluation leaves it
    db.session.commit()
    _ventana_expediente(db, sunedu.id, dt.timedelta(hours=-1), dt.timedelta(hours=1))
    html = _texto(client.get(f"/mis-postulaciones/{app_.id}"))
    assert 'id="form-expediente"' in html and "continúan en el proceso" not in html and "No apto" not in html
    db.session.execute(sa.update(m.ResultadoEtapa).where(m.ResultadoEtapa.postulacion_id == app_.id).values(
        publicado=True))
    db.session.commit()
    html = _texto(client.get(f"/mis-postulaciones/{app_.id}"))
    assert 'id="form-expediente"' not in html and "continúan en el proceso" in html
    antes = _claves()
    r = client.post(f"/mis-postulaciones/{app_.id}/expediente", data={"archivo": _archivo(pdf_de_paginas(2), "cv.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "Solo los candidatos que continúan en el proceso" in _texto(r)
    assert _claves() == antes


# --- A2: who may use these screens ------------------------------------------------------------

RUTAS = ["/mi-ficha/", "/mi-ficha/datos_personales", "/mi-ficha/formacion_academica", "/mi-ficha/firma",
         "/postular/", "/mis-postulaciones/"]


@pytest.mark.parametrize("rol", ["admin", "orh", "comite", "veedor", "publico"])
def test_only_applicants_reach_the_applicant_screens(clients_by_role, rol, sunedu):
    client = clients_by_role[rol]
    for ruta in [*RUTAS, f"/postular/{sunedu.id}"]:
        status = client.get(ruta).status_code
        if rol == "publico":
            assert status == 302, f"anonymous {ruta}: {status}"
        else:
            assert status == 403, f"{rol} {ruta}: {status}"
    posted = client.post(f"/postular/{sunedu.id}/documentos/anexos_11_12_13",
                         data={"archivo": _archivo(pdf_de_paginas(1), "a.pdf")}, content_type="multipart/form-data")
    assert posted.status_code == (302 if rol == "publico" else 403)
    assert client.post("/mi-ficha/idiomas", data={"idioma": "Inglés", "nivel": "basico"}).status_code == (
        302 if rol == "publico" else 403)


def test_a_demo_applicant_sees_the_menu_and_the_screens(clients_by_role):
    client = clients_by_role["postulante"]
    html = _texto(client.get("/mi-ficha/"))
    for entrada in ("Mi Ficha de Postulante", "Convocatorias abiertas", "Mis postulaciones"):
        assert entrada in html
    for ruta in RUTAS:
        assert client.get(ruta).status_code == 200, ruta
    html = _texto(client.get("/mis-postulaciones/"))
    assert "CAS N° 140-2026-SUNEDU" in html and "Evaluación de Ficha de Postulante y Anexos" in html


def test_applicant_menu_shows_only_the_portal(clients_by_role):
    """An applicant's menu holds their portal only (roles.MENUS); staff menus are tested in test_pages."""
    applicant = clients_by_role["postulante"].get("/mi-ficha/").get_data(as_text=True)
    assert "/mi-ficha" in applicant and "/mis-postulaciones" in applicant and "/postular/" in applicant
    assert "/resultadoetapaview/list" not in applicant and "/postulanteview/list" not in applicant
