"""Bad input: a clear Spanish message at the field that caused it, nothing saved, never a 500."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from casadmin import models as m


def _field_errors(page: str) -> str:
    return html.unescape(page)


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _conv_form(db, **overrides) -> dict[str, str]:
    version = db.session.scalar(
        sa.select(m.VersionBases.id).join(m.Entidad).where(m.Entidad.siglas == "SUNEDU")
    )
    data = {
        "version_bases": str(version), "numero": "501", "anio": "2026", "codigo": "",
        "nombre_puesto": "Analista de Presupuesto", "organo": "Oficina de Planeamiento",
        "cantidad_posiciones": "1", "remuneracion": "6500.00", "lugar": "Lima",
        "duracion_contrato": "3 meses", "incluye_examen": "y", "modalidad_firma": "virtual",
    }
    data.update(overrides)
    return data


def test_required_fields_are_reported_in_spanish(client_for, db):
    before = _count(db, m.Convocatoria)
    r = client_for("orh.sunedu").post("/convocatoriaview/add", data={"numero": "", "nombre_puesto": ""})
    page = _field_errors(r.get_data(as_text=True))
    assert r.status_code == 200
    assert "Este campo es obligatorio" in page
    assert "This field is required" not in page
    assert _count(db, m.Convocatoria) == before


def test_orh_creates_a_call_for_its_own_institution_with_generated_code(client_for, db):
    r = client_for("orh.sunedu").post("/convocatoriaview/add", data=_conv_form(db, numero="502"))
    assert r.status_code == 302
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == 502))
    assert conv.codigo == "CAS N° 502-2026-SUNEDU" and conv.entidad.siglas == "SUNEDU"


def test_duplicate_call_number_is_a_field_error_not_a_500(client_for, db):
    client = client_for("orh.sunedu")
    assert client.post("/convocatoriaview/add", data=_conv_form(db, numero="503")).status_code == 302
    before = _count(db, m.Convocatoria)
    r = client.post("/convocatoriaview/add", data=_conv_form(db, numero="503", nombre_puesto="Otro puesto"))
    page = _field_errors(r.get_data(as_text=True))
    assert r.status_code == 200
    assert "Ya existe una convocatoria con este" in page
    assert _count(db, m.Convocatoria) == before
    # the message sits at a field of the form, and what was typed is kept
    assert re.search(r'has-error|text-danger|help-block', page)
    assert "Otro puesto" in page


def test_year_out_of_range_is_refused_at_the_field(client_for, db):
    r = client_for("orh.sunedu").post("/convocatoriaview/add", data=_conv_form(db, numero="504", anio="1890"))
    assert "Ingrese un año válido" in _field_errors(r.get_data(as_text=True))
    assert db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == 504)) is None


def test_profile_specific_experience_cannot_exceed_general(client_for, db):
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == 502))
    if conv is None:
        client_for("orh.sunedu").post("/convocatoriaview/add", data=_conv_form(db, numero="502"))
        conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == 502))
    data = {
        "convocatoria": str(conv.id), "nivel_academico": "titulo", "experiencia_general_meses": "12",
        "experiencia_especifica_meses": "24", "funciones": "Elaborar informes.",
    }
    r = client_for("orh.sunedu").post("/perfilpuestoview/add", data=data)
    assert "no puede ser mayor que la general (§4.2.1 w)" in _field_errors(r.get_data(as_text=True))
    assert db.session.scalar(sa.select(m.PerfilPuesto).where(m.PerfilPuesto.convocatoria_id == conv.id)) is None


def test_profile_screen_refuses_a_list_of_afines_without_afines(client_for, db):
    """§4.2.1 g: the careers accepted as afines count only when the profile accepts afines."""
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == 502))
    if conv is None:
        client_for("orh.sunedu").post("/convocatoriaview/add", data=_conv_form(db, numero="502"))
        conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == 502))
    data = {"convocatoria": str(conv.id), "nivel_academico": "titulo", "experiencia_general_meses": "12",
            "experiencia_especifica_meses": "6", "funciones": "Elaborar informes.", "carreras_afines": "Economía"}
    r = client_for("orh.sunedu").post("/perfilpuestoview/add", data=data)
    assert "solo un perfil que acepta afines admite otras carreras (§4.2.1 g)" in _field_errors(r.get_data(as_text=True))
    assert db.session.scalar(sa.select(m.PerfilPuesto).where(m.PerfilPuesto.convocatoria_id == conv.id)) is None


def test_requirement_screen_refuses_a_topic_with_no_letter_or_digit(client_for, db):
    """§4.2.1 i: a required topic («—») or similar topic with no word could never be met by a course."""
    perfil = db.session.scalar(sa.select(m.PerfilPuesto).join(m.Convocatoria).join(m.Entidad)
                               .where(m.Entidad.siglas == "SUNEDU").limit(1))
    antes = db.session.scalar(sa.select(sa.func.count()).select_from(m.RequisitoCapacitacion))
    data = {"perfil": str(perfil.id), "tipo": "curso", "tema": "—", "horas_minimas": "24"}
    mensaje = "La temática debe tener letras o números: una sin ellos no la puede nombrar ningún curso (§4.2.1 i)."
    client = client_for("orh.sunedu")
    r = client.post("/requisitocapacitacionview/add", data=data)
    assert mensaje in _field_errors(r.get_data(as_text=True))
    r = client.post("/requisitocapacitacionview/add", data={**data, "tema": "SIAF", "acepta_afines": "y",
                                                             "temas_afines": "SIGA; ¿?"})
    assert mensaje in _field_errors(r.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.RequisitoCapacitacion)) == antes
    r = client.post("/requisitocapacitacionview/add", data={**data, "tema": "SIAF"})
    assert r.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.RequisitoCapacitacion)) == antes + 1


def test_applicant_dni_is_checked(client_for, role_users, db):
    user = role_users["postulante"]
    post = db.session.scalar(
        sa.select(m.Postulante).join(m.Usuario, m.Usuario.id == m.Postulante.usuario_id).where(m.Usuario.username == user)
    )
    client = client_for("admin")  # the applicant edits on «Mi Ficha»; the staff screen checks the same rules
    form = client.get(f"/postulanteview/edit/{post.id}").get_data(as_text=True)
    assert "Número de documento" in form
    data = {
        "nacionalidad": post.nacionalidad, "tipo_documento": "DNI", "numero_documento": "1234",
        "apellido_paterno": post.apellido_paterno, "apellido_materno": post.apellido_materno or "",
        "nombres": post.nombres, "lugar_nacimiento": post.lugar_nacimiento,
        "fecha_nacimiento": post.fecha_nacimiento.isoformat(), "sexo": post.sexo.name,
        "estado_civil": post.estado_civil.name, "ubigeo": post.ubigeo, "direccion": post.direccion,
        "celular": post.celular, "email": post.email,
    }
    r = client.post(f"/postulanteview/edit/{post.id}", data=data)
    assert "El DNI debe tener 8 dígitos." in _field_errors(r.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(m.Postulante, post.id).numero_documento != "1234"
    r = client.post(f"/postulanteview/edit/{post.id}", data={**data, "numero_documento": post.numero_documento,
                                                             "ubigeo": "999999"})
    page = _field_errors(r.get_data(as_text=True))
    assert "Opción inválida." in page  # the district select refuses a code outside the ubigeo list
    r = client.post(f"/postulanteview/edit/{post.id}", data={**data, "numero_documento": post.numero_documento,
                                                             "fecha_nacimiento": "2015-01-01"})
    assert "mayores de edad" in _field_errors(r.get_data(as_text=True))


def test_experience_dates_are_checked_and_rows_belong_to_their_author(client_for, role_users, db):
    user = role_users["postulante"]
    client = client_for(user)
    before = _count(db, m.ExperienciaLaboral)
    base = {"empleador": "Municipalidad de Lima", "sector": "publico", "puesto": "Asistente",
            "funciones": "Atención al ciudadano", "tipo": "empleo", "fecha_inicio": "2020-05-01"}
    r = client.post("/experiencialaboralview/add", data={**base, "fecha_fin": "2019-01-01"})
    assert "no puede ser anterior a la de inicio" in _field_errors(r.get_data(as_text=True))
    r = client.post("/experiencialaboralview/add", data=base)
    assert "Indique la fecha de término" in _field_errors(r.get_data(as_text=True))
    assert _count(db, m.ExperienciaLaboral) == before
    r = client.post("/experiencialaboralview/add", data={**base, "fecha_fin": "2021-05-01"})
    assert r.status_code == 302
    row = db.session.scalar(sa.select(m.ExperienciaLaboral).order_by(m.ExperienciaLaboral.id.desc()).limit(1))
    assert row.postulante.usuario.username == user


def test_api_validation_errors_are_422_with_the_field(client_for, db):
    client = client_for("orh.sunedu")
    r = client.post("/api/v1/convocatoria/", json={"numero": 1})
    assert r.status_code in (400, 422)
    assert "message" in r.get_json()
