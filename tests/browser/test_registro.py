"""C1–C4, G1 in a real browser, from nothing: a NEW applicant registers through the form (the ubigeo
selects cascading, adults only, e-mail and password typed twice), activates the account with the
link found in the outbox, signs in with the document number, fills the Ficha sections needed to
apply (section 1 changing district through the same cascade, section 2, section 10 with a
200 × 150 PNG signature), applies to an open call with a real 3-page PDF, reads «Su postulación ha
sido registrada satisfactoriamente» and the proof e-mail with its PDF is in the outbox.

Then the refusals, also in the browser: a 6 MB PDF refused at its field in Spanish (Mig. 7:
"TAMAÑO MÁXIMO 5MB"), and applying after the cut-off refused by the server's Lima clock (§4.1
"Postulación": the button "se habilita según la fecha y horario establecido en el cronograma";
closing at 16:30). Every step leaves a screenshot (``pasos``). This module's calls are numbered
310000–310999 and removed afterwards with everything hanging from them.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import secrets
import time
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from casadmin import cuenta
from casadmin import mailer
from casadmin import models as m
from casadmin.demo import firma_png
from casadmin.models.enums import (
    CondicionFormacion,
    EstadoCivil,
    EstadoConvocatoria,
    EstadoCorreo,
    NivelFormacion,
    Sexo,
    TipoCorreo,
    TipoDocumento,
    TipoHito,
)
from casadmin.peru.clock import LIMA, now
from casadmin.storage import get_storage
from casadmin.uploads import revisar_pdf
from pdfs import pdf_de_paginas, pdf_grande

CLAVE = "Clave-Segura-2026"
_NUMEROS = itertools.count(310_000 + uuid.uuid4().int % 10 * 100)  # 310000–310999, consecutive
MSG_CERRADA = "La postulación a esta convocatoria no está abierta en este momento (hora de Lima)."


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture()
def convocatorias(db):
    """``convocatorias(inicio, fin)``: a SUNEDU call of this module with that application window;
    afterwards the calls are removed with their applications, documents, e-mails and files."""
    creadas: list[int] = []

    def make(inicio: dt.datetime, fin: dt.datetime) -> m.Convocatoria:
        ent = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
        version = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id))
        numero = next(_NUMEROS)
        conv = m.Convocatoria(entidad_id=ent.id, version_bases_id=version.id, numero=numero, anio=2026,
                              codigo=f"CAS N° {numero}-2026-SUNEDU",
                              nombre_puesto="Especialista en registro (navegador)",
                              organo="Oficina de Tecnologías de la Información", remuneracion=6200, lugar="Lima",
                              duracion_contrato="3 meses", estado=EstadoConvocatoria.postulacion)
        db.session.add(conv)
        db.session.flush()
        db.session.add(m.HitoCronograma(convocatoria_id=conv.id, tipo=TipoHito.postulacion, inicio=inicio, fin=fin))
        db.session.commit()
        creadas.append(conv.id)
        return conv

    yield make
    mailer.esperar()  # a send still recording its outcome would find its row gone
    db.session.rollback()
    if not creadas:
        return
    postulaciones = sa.select(m.Postulacion.id).where(m.Postulacion.convocatoria_id.in_(creadas))
    archivos = list(db.session.scalars(sa.select(m.DocumentoPostulacion.archivo_id).where(
        m.DocumentoPostulacion.postulacion_id.in_(postulaciones))))
    for correo in db.session.scalars(sa.select(m.CorreoSaliente).where(m.CorreoSaliente.convocatoria_id.in_(creadas))):
        archivos += correo.adjuntos or []
    for stmt in (
        sa.delete(m.DocumentoPostulacion).where(m.DocumentoPostulacion.postulacion_id.in_(postulaciones)),
        sa.delete(m.CorreoSaliente).where(m.CorreoSaliente.convocatoria_id.in_(creadas)),
        sa.delete(m.Postulacion).where(m.Postulacion.convocatoria_id.in_(creadas)),
        sa.delete(m.HitoCronograma).where(m.HitoCronograma.convocatoria_id.in_(creadas)),
        sa.delete(m.Convocatoria).where(m.Convocatoria.id.in_(creadas)),
    ):
        db.session.execute(stmt)
    for archivo in db.session.scalars(sa.select(m.Archivo).where(m.Archivo.id.in_(archivos))):
        get_storage().delete(archivo.clave)
        db.session.delete(archivo)
    db.session.commit()


@pytest.fixture()
def postulante_listo(app, db):
    """An applicant whose Ficha already has what applying needs (sections 1, 2, 9 and 10)."""
    sm = app.appbuilder.sm
    dni = _dni_libre()
    email = f"h1a.{uuid.uuid4().hex[:10]}@prueba.casadmin.pe"
    user = sm.add_user(dni, "Teresa", "Huamán Rojas", email, sm.find_role("Postulante"), CLAVE)
    assert user, "could not create the applicant's user"
    post = m.Postulante(usuario_id=user.id, nacionalidad="Peruana", tipo_documento=TipoDocumento.DNI,
                        numero_documento=dni, apellido_paterno="HUAMÁN", apellido_materno="ROJAS", nombres="TERESA",
                        lugar_nacimiento="AREQUIPA", fecha_nacimiento=dt.date(1988, 7, 2), sexo=Sexo.femenino,
                        estado_civil=EstadoCivil.casado, ubigeo="040101", direccion="Calle Mercaderes 120",
                        celular="959000222", email=email)
    post.formaciones = [m.FormacionAcademica(nivel=NivelFormacion.universitario, condicion=CondicionFormacion.titulado,
                                             carrera="Ingeniería de Sistemas", anio=2012,
                                             fecha_diploma=dt.date(2012, 11, 20),
                                             institucion="Universidad Nacional de San Agustín")]
    db.session.add(post)
    db.session.commit()
    with app.test_request_context():
        from casadmin.portal import guardar_firma

        guardar_firma(db.session, post, nombre="firma.png", data=firma_png("Teresa", "Huamán", dni))
    return dni, post.id


# --- helpers ---------------------------------------------------------------------------------


def _dni_libre() -> str:
    return f"{80_000_000 + secrets.randbelow(19_999_999):08d}"  # the demo's DNIs are below 80000000


def _correo(db, email: str, tipo: TipoCorreo, convocatoria_id: int | None = None) -> m.CorreoSaliente | None:
    db.session.expire_all()
    q = sa.select(m.CorreoSaliente).where(m.CorreoSaliente.destinatario == email, m.CorreoSaliente.tipo == tipo)
    if convocatoria_id is not None:
        q = q.where(m.CorreoSaliente.convocatoria_id == convocatoria_id)
    return db.session.scalars(q.order_by(m.CorreoSaliente.id.desc())).first()


def _enviado(db, correo_id: int, segundos: float = 15) -> m.CorreoSaliente:
    """The outbox row once the mailer (a background thread of the server) has handled it."""
    limite = time.monotonic() + segundos
    while True:
        db.session.expire_all()
        correo = db.session.get(m.CorreoSaliente, correo_id)
        if correo.estado is not EstadoCorreo.pendiente or time.monotonic() > limite:
            return correo
        time.sleep(0.2)


def _error_en(page, campo: str) -> str:
    """The message shown beside one field of the account forms."""
    return page.locator(f"#campo-{campo} .error-campo").inner_text()


def _elegir_lugar(page, departamento: str, provincia: str, distrito: str, ruta_hijos: str) -> None:
    """Pick the address through the cascading selects: each choice fetches the next list (no reload)."""
    with page.expect_response(lambda r: r.url.endswith(f"{ruta_hijos}{departamento}") and r.ok):
        page.select_option("#departamento", departamento)
    expect(page.locator(f"#provincia option[value='{provincia}']")).to_have_count(1)
    expect(page.locator("#distrito option")).to_have_count(1)  # only «Seleccione…» until a provincia is chosen
    with page.expect_response(lambda r: r.url.endswith(f"{ruta_hijos}{provincia}") and r.ok):
        page.select_option("#provincia", provincia)
    expect(page.locator(f"#distrito option[value='{distrito}']")).to_have_count(1)
    page.select_option("#distrito", distrito)


def _cargar_pdf(page, ruta) -> None:
    page.set_input_files("#archivo-anexos_11_12_13", str(ruta))
    page.locator("#documento_anexos_11_12_13 form.carga button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _postulacion(db, post_id: int, conv_id: int) -> m.Postulacion | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(m.Postulacion).filter_by(postulante_id=post_id, convocatoria_id=conv_id))


# --- the journey -----------------------------------------------------------------------------


def test_a_new_applicant_registers_activates_fills_the_ficha_and_applies(page, pasos, entrar, db, convocatorias,
                                                                         tmp_path):
    shot = pasos(page)
    conv = convocatorias(now() - dt.timedelta(hours=1), now() + dt.timedelta(hours=2))
    dni = _dni_libre()
    email = f"h1a.{uuid.uuid4().hex[:10]}@correo.pe"

    # C1, Mig. 2: "Registrar datos de usuario", from the login page's link.
    page.goto("/login/")
    page.click("#enlace-registro")
    page.wait_for_load_state()  # "load": portal.js (deferred) has attached its listeners
    expect(page.locator("h1")).to_have_text("Registrar datos de usuario")
    assert page.locator("script[src$='casadmin/portal.js']").count() == 1  # the one ubigeo script
    shot("registro-vacio")
    assert page.input_value("#nacionalidad") == "Peruana" and page.input_value("#tipo_documento") == "DNI"
    page.fill("#numero_documento", dni)
    page.fill("#apellido_paterno", "Suárez")
    page.fill("#apellido_materno", "Palomino")
    page.fill("#nombres", "Andrés Felipe")
    page.fill("#lugar_nacimiento", "Lima")
    menor = cuenta.nacimiento_mas_reciente() + dt.timedelta(days=1)  # turns 18 tomorrow, Lima's date
    page.fill("#fecha_nacimiento", menor.isoformat())  # a minor first: refused at the field
    page.select_option("#sexo", "masculino")
    page.select_option("#estado_civil", "soltero")
    _elegir_lugar(page, "15", "1501", "150130", "/cuenta/ubigeo/")
    page.fill("#via", "Av.")
    page.fill("#direccion", "San Borja Sur 500, dpto. 501")
    page.fill("#celular", "988733724")
    page.fill("#email", email)
    page.fill("#email_confirmacion", email.replace("h1a.", "h1b."))  # typed differently the second time
    page.fill("#clave", CLAVE)
    page.fill("#clave_confirmacion", CLAVE + "x")
    shot("registro-lleno-con-errores")
    page.get_by_role("button", name="Registrar", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#hay-errores")).to_be_visible()
    assert "mayores de edad" in _error_en(page, "fecha_nacimiento")
    assert _error_en(page, "email_confirmacion") == "Los correos no coinciden."
    assert _error_en(page, "clave_confirmacion") == "Las contraseñas no coinciden."
    assert page.input_value("#distrito") == "150130"  # what was typed is kept, the cascade's lists too
    assert db.session.scalar(sa.select(m.Usuario.id).where(m.Usuario.username == dni)) is None  # nothing saved
    shot("registro-rechazado")

    page.fill("#fecha_nacimiento", "1996-04-20")
    page.fill("#email_confirmacion", email.upper())  # the same address, typed again
    page.fill("#clave", CLAVE)
    page.fill("#clave_confirmacion", CLAVE)
    page.get_by_role("button", name="Registrar", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#registro-exitoso")).to_be_visible()
    assert page.url.endswith("/cuenta/registro/enviado")
    shot("registro-enviado")

    # Not active yet: the login says so.
    entrar(page, dni, CLAVE)
    assert "/login" in page.url and "aún no está activada" in page.inner_text("body")
    shot("login-sin-activar")

    # G1: the activation link, from the outbox.
    correo = _correo(db, email, TipoCorreo.activacion)
    assert correo is not None, "no activation e-mail in the outbox"
    enlace = re.search(r"https?://\S+/cuenta/activar/\S+", correo.cuerpo).group(0)
    page.goto(re.sub(r"^https?://[^/]+", "", enlace))
    expect(page.locator("#cuenta-activa")).to_contain_text(dni)
    shot("cuenta-activada")

    # Mig. 3: sign in with the document number.
    entrar(page, dni, CLAVE)
    assert "/login" not in page.url
    page.goto("/mi-ficha/")
    expect(page.locator("#ficha-incompleta")).to_be_visible()
    faltan = page.inner_text("#ficha-incompleta")
    assert "2. Formación académica" in faltan and "10. Firma digitalizada" in faltan
    assert "1. Datos personales" not in faltan  # the registration filled section 1
    shot("ficha-incompleta")

    # Section 1: move to Arequipa through the same cascade (portal.js on the Ficha).
    page.click("#seccion-datos_personales")
    page.wait_for_load_state()
    assert page.input_value("#distrito") == "150130"
    _elegir_lugar(page, "04", "0401", "040101", "/mi-ficha/ubigeo/")
    page.fill("#direccion", "Calle Mercaderes 120")
    page.get_by_role("button", name="Guardar datos personales").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".alert-success")).to_contain_text("1. Datos personales")
    db.session.expire_all()
    post = db.session.scalar(sa.select(m.Postulante).where(m.Postulante.numero_documento == dni))
    assert (post.ubigeo, post.direccion, post.email) == ("040101", "Calle Mercaderes 120", email)
    shot("seccion-1-guardada")

    # Section 2: formación académica.
    page.goto("/mi-ficha/formacion_academica")
    page.select_option("#nivel", "universitario")
    page.select_option("#condicion", "titulado")
    page.fill("#carrera", "Derecho")
    page.fill("#anio", "2019")
    page.fill("#fecha_diploma", "2019-12-13")
    page.fill("#institucion", "Universidad Nacional Mayor de San Marcos")
    page.get_by_role("button", name="Agregar", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#filas .fila")).to_have_count(1)
    expect(page.locator("#filas")).to_contain_text("Universidad Nacional Mayor de San Marcos")
    shot("seccion-2-formacion")

    # Section 10: the signature, PNG of 200 × 150 px.
    firma = tmp_path / "firma.png"
    firma.write_bytes(firma_png("Andrés", "Suárez", dni))
    page.goto("/mi-ficha/firma")
    page.set_input_files("#firma", str(firma))
    page.get_by_role("button", name="Cargar firma", exact=True).click()
    page.wait_for_load_state("networkidle")
    imagen = page.locator("#firma-actual img")
    expect(imagen).to_be_visible()
    assert imagen.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]") == [True, 200, 150]
    shot("seccion-10-firma")

    page.goto("/mi-ficha/")
    expect(page.locator("#puede-postular")).to_be_visible()
    shot("ficha-lista")

    # C3: the open call, its "Postular" button, a real 3-page PDF.
    page.click("#puede-postular a")
    panel = page.locator(f"#convocatoria-{conv.id}")
    expect(panel).to_contain_text("Postulación abierta")
    shot("convocatorias-abiertas")
    panel.locator("a.btn-postular").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text(conv.codigo)
    anexos = tmp_path / "anexos-11-12-13.pdf"
    anexos.write_bytes(pdf_de_paginas(3))
    _cargar_pdf(page, anexos)
    expect(page.locator("#documento_anexos_11_12_13 .paginas")).to_have_text("N° de páginas: 3")
    assert _postulacion(db, post.id, conv.id) is None  # a draft until it is confirmed
    shot("pdf-cargado")

    page.check("#form-declaracion input[name=declaracion]")
    page.locator("#form-declaracion button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#resumen-documentos")).to_contain_text("anexos-11-12-13.pdf – 3 páginas")
    shot("confirmar")
    page.check("input[name=confirmo]")
    page.get_by_role("button", name="Aceptar y registrar mi postulación").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#registrada")).to_contain_text("Su postulación ha sido registrada satisfactoriamente")
    assert email in page.inner_text("body")
    shot("registrada")

    postulacion = _postulacion(db, post.id, conv.id)
    assert postulacion is not None and postulacion.declaracion_aceptada
    assert [(d.tipo, d.paginas) for d in postulacion.documentos] == [("anexos_11_12_13", 3)]
    assert postulacion.ficha["firma_archivo_id"] == post.firma_archivo_id is not None
    assert postulacion.ficha["datos_personales"]["ubigeo"] == "040101"

    # C4, G1: the proof e-mail, with the frozen Ficha as a PDF, recorded in the outbox and sent.
    correo = _correo(db, email, TipoCorreo.confirmacion_postulacion, conv.id)
    assert correo is not None, "no confirmation e-mail in the outbox"
    assert conv.codigo in correo.asunto and "registrada satisfactoriamente" in correo.cuerpo
    assert _enviado(db, correo.id).estado is EstadoCorreo.enviado
    (adjunto_id,) = correo.adjuntos
    adjunto = db.session.get(m.Archivo, adjunto_id)
    assert adjunto.tipo_mime == "application/pdf" and adjunto.nombre_original.endswith(".pdf")
    with get_storage().open(adjunto.clave) as fh:
        data = fh.read()
    assert revisar_pdf(data).paginas >= 1
    texto = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    apellido = postulacion.ficha["datos_personales"]["apellido_paterno"]
    for esperado in (conv.codigo, dni, apellido, postulacion.ficha_sha256[:16]):
        assert esperado in texto, esperado

    # C6: "Mis postulaciones" lists it; the Ficha PDF downloads.
    page.goto("/mis-postulaciones/")
    expect(page.locator("body")).to_contain_text(conv.codigo)
    shot("mis-postulaciones")
    r = page.request.get(f"/mis-postulaciones/{postulacion.id}/ficha.pdf")
    assert r.ok and r.headers["content-type"] == "application/pdf" and r.body() == data


# --- the refusals ----------------------------------------------------------------------------


def test_a_6_mb_pdf_is_refused_at_its_field_in_spanish(phone_page, pasos, entrar, postulante_listo, convocatorias,
                                                       db, tmp_path):
    page = phone_page
    shot = pasos(page)
    dni, post_id = postulante_listo
    conv = convocatorias(now() - dt.timedelta(hours=1), now() + dt.timedelta(hours=2))
    entrar(page, dni, CLAVE)
    page.goto(f"/postular/{conv.id}")
    shot("postular")
    claves = set(get_storage().keys())

    grande = tmp_path / "anexos-escaneados.pdf"
    grande.write_bytes(pdf_grande(6 * 1024 * 1024))
    _cargar_pdf(page, grande)
    campo = page.locator("#documento_anexos_11_12_13")
    expect(campo.locator(".error-campo")).to_have_text("El archivo supera el tamaño máximo de 5 MB.")
    expect(campo).to_have_class(re.compile(r"\bhas-error\b"))
    assert campo.locator(".paginas").count() == 0  # nothing in the draft
    assert set(get_storage().keys()) == claves  # nothing stored
    shot("6mb-rechazado")

    # A file just over 5 MB that fits in the request: refused by the check of the content, same field.
    casi = tmp_path / "anexos-5mb.pdf"
    casi.write_bytes(pdf_grande(5 * 1024 * 1024 + 1))
    _cargar_pdf(page, casi)
    expect(campo.locator(".error-campo")).to_contain_text("supera el tamaño máximo de 5 MB")
    assert campo.locator(".paginas").count() == 0 and set(get_storage().keys()) == claves
    shot("5mb-y-un-byte-rechazado")

    # The same applicant then uploads a proper file: the page still works.
    bueno = tmp_path / "anexos.pdf"
    bueno.write_bytes(pdf_de_paginas(2))
    _cargar_pdf(page, bueno)
    expect(campo.locator(".paginas")).to_have_text("N° de páginas: 2")
    assert campo.locator(".error-campo").count() == 0
    shot("pdf-correcto")


def test_applying_after_the_cut_off_is_refused_by_the_lima_clock(page, pasos, entrar, postulante_listo,
                                                                 convocatorias, db, tmp_path):
    shot = pasos(page)
    dni, post_id = postulante_listo
    ayer = now().date() - dt.timedelta(days=1)
    # A call whose window closed yesterday at 16:30, Lima time (§4.1: "hasta 16:30 horas").
    cerrada = convocatorias(dt.datetime.combine(ayer, dt.time(8, 30), tzinfo=LIMA),
                            dt.datetime.combine(ayer, dt.time(16, 30), tzinfo=LIMA))
    abierta = convocatorias(now() - dt.timedelta(hours=1), now() + dt.timedelta(hours=2))
    entrar(page, dni, CLAVE)

    page.goto("/postular/")
    panel = page.locator(f"#convocatoria-{cerrada.id}")
    expect(panel).to_contain_text("Postulación cerrada")
    expect(panel).to_contain_text(f"al {ayer:%d/%m/%Y} 16:30 (hora de Lima)")
    expect(panel.get_by_role("button", name="Postular")).to_be_disabled()
    assert panel.locator("a.btn-postular").count() == 0
    expect(page.locator(f"#convocatoria-{abierta.id} a.btn-postular")).to_be_visible()
    shot("lista-con-cerrada")

    page.goto(f"/postular/{cerrada.id}")
    expect(page.locator("#cerrada")).to_have_text(MSG_CERRADA)
    assert page.locator("input[type=file]").count() == 0
    shot("cerrada-sin-carga")
    # A request made anyway (an old tab, a script): refused by the server, nothing stored.
    claves = set(get_storage().keys())
    r = page.request.post(f"/postular/{cerrada.id}/documentos/anexos_11_12_13", multipart={
        "archivo": {"name": "anexos.pdf", "mimeType": "application/pdf", "buffer": pdf_de_paginas(3)}})
    assert r.status == 409 and MSG_CERRADA in r.text()
    assert set(get_storage().keys()) == claves

    # The cut-off passes while the applicant is on the confirmation step.
    page.goto(f"/postular/{abierta.id}")
    anexos = tmp_path / "anexos.pdf"
    anexos.write_bytes(pdf_de_paginas(3))
    _cargar_pdf(page, anexos)
    page.check("#form-declaracion input[name=declaracion]")
    page.locator("#form-declaracion button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Confirme su postulación")
    shot("confirmar-antes-del-cierre")
    hito = db.session.scalar(sa.select(m.HitoCronograma).where(m.HitoCronograma.convocatoria_id == abierta.id,
                                                               m.HitoCronograma.tipo == TipoHito.postulacion))
    hito.fin = now() - dt.timedelta(seconds=1)
    db.session.commit()
    page.check("input[name=confirmo]")
    page.get_by_role("button", name="Aceptar y registrar mi postulación").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#cerrada")).to_have_text(MSG_CERRADA)
    assert page.inner_text("body").count("no está abierta") == 1  # said once, not in two boxes
    assert "registrada satisfactoriamente" not in page.inner_text("body")
    shot("rechazada-tras-el-cierre")
    assert _postulacion(db, post_id, abierta.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.CorreoSaliente).where(
        m.CorreoSaliente.convocatoria_id == abierta.id)) == 0
