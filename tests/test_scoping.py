"""A2: data scoping by id — nobody reaches another institution's or another applicant's
records by changing an id in a URL, an API call, a form or a file download."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from casadmin import models as m
from casadmin.extensions import db as _db
from casadmin.models.enums import EstadoConvocatoria


@pytest.fixture(scope="module")
def ids(app):
    """Ids of demo rows on both sides of every boundary."""
    with app.app_context():
        def conv(siglas):
            return _db.session.scalar(
                sa.select(m.Convocatoria).join(m.Entidad).where(m.Entidad.siglas == siglas)
            )

        sun, mig = conv("SUNEDU"), conv("MIGRACIONES")
        apps_sun = _db.session.scalars(
            sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == sun.id).order_by(m.Postulacion.id)
        ).all()
        apps_mig = _db.session.scalars(
            sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == mig.id).order_by(m.Postulacion.id)
        ).all()
        a, b = apps_sun[0], apps_sun[1]
        user_a = _db.session.get(m.Postulante, a.postulante_id).usuario.username
        exp_b = _db.session.scalar(
            sa.select(m.ExperienciaLaboral.id).where(m.ExperienciaLaboral.postulante_id == b.postulante_id)
        )
        def count_for(entidad_id):
            return _db.session.scalar(
                sa.select(sa.func.count(m.Postulacion.id)).join(m.Convocatoria)
                .where(m.Convocatoria.entidad_id == entidad_id)
            )

        own_a = _db.session.scalars(
            sa.select(m.Postulacion.id).where(m.Postulacion.postulante_id == a.postulante_id).order_by(m.Postulacion.id)
        ).all()
        return {
            "conv_sun": sun.id, "conv_mig": mig.id, "ent_mig": mig.entidad_id,
            "app_a": a.id, "app_b": b.id, "app_mig": apps_mig[0].id,
            "post_a": a.postulante_id, "post_b": b.postulante_id, "user_a": user_a, "exp_b": exp_b,
            "n_sun": len(apps_sun), "n_mig": len(apps_mig), "own_a": list(own_a),
            # Other test modules may add calls of their own: ORH sees its whole institution.
            "n_ent_sun": count_for(sun.entidad_id), "n_ent_mig": count_for(mig.entidad_id),
        }


def test_orh_cannot_reach_another_institutions_call(client_for, ids, db):
    c = client_for("orh.sunedu")
    mig = ids["conv_mig"]
    assert c.get(f"/convocatoriaview/show/{ids['conv_sun']}").status_code == 200
    assert c.get(f"/convocatoriaview/show/{mig}").status_code == 404
    assert c.get(f"/convocatoriaview/edit/{mig}").status_code == 404
    assert c.post(f"/convocatoriaview/edit/{mig}", data={"nombre_puesto": "X"}).status_code == 404
    assert c.post(f"/convocatoriaview/delete/{mig}").status_code == 404
    assert c.get(f"/api/v1/convocatoria/{mig}").status_code == 404
    assert c.put(f"/api/v1/convocatoria/{mig}", json={"nombre_puesto": "X"}).status_code == 404
    still = db.session.get(m.Convocatoria, mig)
    assert still is not None and still.nombre_puesto != "X"


def test_orh_lists_only_its_institution(client_for, ids):
    c = client_for("orh.sunedu")
    data = c.get("/api/v1/postulacion/?q=(page_size:100)").get_json()
    assert data["count"] == ids["n_ent_sun"]
    assert all(r["convocatoria"]["codigo"].endswith("SUNEDU") for r in data["result"])
    c2 = client_for("orh.migraciones")
    assert c2.get("/api/v1/postulacion/?q=(page_size:100)").get_json()["count"] == ids["n_ent_mig"]


def test_orh_cannot_attach_a_record_to_another_institutions_call(client_for, ids, db):
    c = client_for("orh.sunedu")
    before = db.session.scalar(sa.select(sa.func.count(m.Comunicado.id)))
    r = c.post(
        "/comunicadoview/add",
        data={"convocatoria": str(ids["conv_mig"]), "titulo": "Intruso", "contenido": "x", "publicado": "y"},
    )
    assert r.status_code == 200  # the form comes back with the error, nothing saved
    r = c.post(
        "/api/v1/comunicado/",
        json={"convocatoria": ids["conv_mig"], "titulo": "Intruso", "contenido": "x", "publicado": True},
    )
    assert r.status_code in (403, 422)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(m.Comunicado.id))) == before


def test_applicant_sees_only_own_records(client_for, ids, db):
    c = client_for(ids["user_a"])
    assert c.get(f"/postulanteview/show/{ids['post_a']}").status_code == 200
    assert c.get(f"/postulanteview/show/{ids['post_b']}").status_code == 404
    assert c.get(f"/postulanteview/edit/{ids['post_b']}").status_code in (403, 404)
    assert c.get(f"/experiencialaboralview/edit/{ids['exp_b']}").status_code == 404
    assert c.post(f"/experiencialaboralview/delete/{ids['exp_b']}").status_code == 404
    assert c.get(f"/postulacionview/show/{ids['app_a']}").status_code == 200
    assert c.get(f"/postulacionview/show/{ids['app_b']}").status_code == 404
    assert c.get(f"/api/v1/postulacion/{ids['app_b']}").status_code == 404
    assert c.get(f"/api/v1/postulante/{ids['post_b']}").status_code == 404
    # Counted now and paged wide: other test modules may add applications of this applicant.
    own = sorted(db.session.scalars(
        sa.select(m.Postulacion.id).join(m.Postulante).where(m.Postulante.id == ids["post_a"])))
    listed = c.get("/api/v1/postulacion/?q=(order_column:id,order_direction:asc,page_size:100)").get_json()
    assert listed["count"] == len(own) and sorted(r["id"] for r in listed["result"]) == own[:100]
    assert ids["app_a"] in own and ids["app_b"] not in own


@pytest.fixture()
def citada_a(ids, db):
    """Application A cited to the interview of its call (the committee's candidates), for this test only."""
    from casadmin.models.enums import Etapa
    from casadmin.peru.clock import now

    cita = db.session.scalar(sa.select(m.Citacion).where(m.Citacion.postulacion_id == ids["app_a"],
                                                         m.Citacion.etapa == Etapa.entrevista))
    nueva = cita is None
    if nueva:
        cita = m.Citacion(postulacion_id=ids["app_a"], etapa=Etapa.entrevista, fecha_hora=now(), lugar_o_enlace="Sala 1")
        db.session.add(cita)
        db.session.commit()
    yield cita.id
    if nueva:
        db.session.rollback()
        db.session.execute(sa.delete(m.Citacion).where(m.Citacion.id == cita.id))
        db.session.commit()


def test_committee_and_veedor_see_only_assigned_calls(client_for, ids, db, citada_a):
    """A member of a committee (or the Veedor) reads the candidates cited to the interview of the calls they sit
    on, not the call's other applicants (A2: their document, birth date, phone and e-mail), nor another call's."""
    citadas = sa.select(m.Citacion.postulacion_id).where(m.Citacion.anulada_en.is_(None))
    assert ids["app_b"] not in set(db.session.scalars(citadas))
    for user in ("comite1.sunedu", "veedor.sunedu"):
        c = client_for(user)
        assert c.get(f"/postulacionview/show/{ids['app_a']}").status_code == 200
        assert c.get(f"/postulacionview/show/{ids['app_b']}").status_code == 404  # applied, not cited
        assert c.get(f"/api/v1/postulante/{ids['post_b']}").status_code == 404
        assert c.get(f"/postulacionview/show/{ids['app_mig']}").status_code == 404
        assert c.get(f"/convocatoriaview/show/{ids['conv_mig']}").status_code == 404
        # Exactly the cited applications of the calls they sit on (tests/test_comite.py assigns them to its own).
        asignadas = sa.select(m.MiembroComite.convocatoria_id).join(m.Usuario).where(m.Usuario.username == user)
        esperadas = db.session.scalar(sa.select(sa.func.count()).where(
            m.Postulacion.convocatoria_id.in_(asignadas), m.Postulacion.id.in_(citadas)))
        assert esperadas >= 1
        assert c.get("/api/v1/postulacion/?q=(page_size:100)").get_json()["count"] == esperadas


def test_committee_member_without_assignment_sees_nothing(app, client_for, db):
    sm = app.appbuilder.sm
    user = sm.find_user(username="comite.sinasignar")
    if user is None:
        user = sm.add_user("comite.sinasignar", "Sin", "Asignar", "sinasignar@demo.casadmin.pe",
                           sm.find_role("Comite"), "demo12345")
        user.entidad_id = db.session.scalar(sa.select(m.Entidad.id).where(m.Entidad.siglas == "SUNEDU"))
        db.session.commit()
    c = client_for("comite.sinasignar")
    assert c.get("/api/v1/postulacion/").get_json()["count"] == 0
    assert c.get("/api/v1/convocatoria/").get_json()["count"] == 0


def test_public_sees_published_calls_only(client_for, ids, db):
    ent = db.session.get(m.Convocatoria, ids["conv_sun"]).entidad
    draft = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.codigo == "CAS N° 999-2026-SUNEDU"))
    if draft is None:
        draft = m.Convocatoria(
            entidad_id=ent.id, version_bases_id=db.session.get(m.Convocatoria, ids["conv_sun"]).version_bases_id,
            numero=999, anio=2026, codigo="CAS N° 999-2026-SUNEDU", nombre_puesto="Borrador",
            organo="ORH", remuneracion=1000, lugar="Lima", duracion_contrato="3 meses",
            estado=EstadoConvocatoria.borrador,
        )
        db.session.add(draft)
        db.session.commit()
    public_codes = {r["codigo"] for r in client_for(None).get("/api/v1/convocatoria/?q=(page_size:100)").get_json()["result"]}
    assert draft.codigo not in public_codes and len(public_codes) >= 2
    assert client_for(None).get(f"/convocatoriaview/show/{draft.id}").status_code == 404
    # Newest first: other test modules add many calls of their own (the API pages by 100).
    orh_codes = {r["codigo"] for r in client_for("orh.sunedu").get(
        "/api/v1/convocatoria/?q=(order_column:id,order_direction:desc,page_size:100)").get_json()["result"]}
    assert draft.codigo in orh_codes
    assert not any(code.endswith("MIGRACIONES") for code in orh_codes)


def test_file_download_checks_ownership(app, client_for, ids, db, citada_a):
    from casadmin.peru.clock import now
    from casadmin.storage import get_storage

    with app.test_request_context():
        stored = get_storage().save(b"%PDF-1.4 demo anexos")
    owner = db.session.get(m.Postulante, ids["post_a"]).usuario_id
    archivo = m.Archivo(clave=stored.clave, nombre_original="anexos.pdf", tipo_mime="application/pdf",
                        tamano=stored.tamano, sha256=stored.sha256, paginas=1, propietario_id=owner)
    db.session.add(archivo)
    db.session.flush()
    db.session.add(m.DocumentoPostulacion(postulacion_id=ids["app_a"], tipo=f"prueba-{archivo.id}",
                                          archivo_id=archivo.id, paginas=1, cargado_en=now()))
    db.session.commit()
    url = f"/archivos/{archivo.id}"
    ok = client_for(ids["user_a"]).get(url)
    assert ok.status_code == 200 and ok.data == b"%PDF-1.4 demo anexos"
    assert client_for("orh.sunedu").get(url).status_code == 200
    assert client_for("comite1.sunedu").get(url).status_code == 200
    assert client_for("orh.migraciones").get(url).status_code == 404
    assert client_for("comite1.migraciones").get(url).status_code == 404
    other = db.session.get(m.Postulante, ids["post_b"]).usuario.username
    assert client_for(other).get(url).status_code == 404
    anonymous = client_for(None).get(url)
    assert anonymous.status_code in (302, 401, 404) and anonymous.data != b"%PDF-1.4 demo anexos"


def test_related_choices_are_scoped(client_for, ids, db):
    """Select boxes and the API's _info never offer another institution's rows."""
    mig = db.session.get(m.Convocatoria, ids["conv_mig"])
    c = client_for("orh.sunedu")
    form = c.get("/comunicadoview/add").get_data(as_text=True)
    assert "SUNEDU" in form and mig.codigo not in form
    info = json.dumps(c.get("/api/v1/comunicado/_info?q=(keys:!(add_columns))").get_json(), ensure_ascii=False)
    assert "SUNEDU" in info and mig.codigo not in info
    search = c.get("/postulacionview/list/").get_data(as_text=True)
    assert mig.codigo not in search


def test_csv_export_is_scoped(client_for, ids):
    r = client_for("orh.sunedu").get("/postulacionview/export/")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    lines = r.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 1 + ids["n_ent_sun"]
    assert "MIGRACIONES" not in r.get_data(as_text=True)
    assert client_for("comite1.sunedu").get("/postulacionview/export/").status_code == 403


def test_applicant_email_must_be_unique_at_the_field(client_for, ids, db):
    a = db.session.get(m.Postulante, ids["post_a"])
    b = db.session.get(m.Postulante, ids["post_b"])
    data = {
        "nacionalidad": a.nacionalidad, "tipo_documento": a.tipo_documento.name, "numero_documento": a.numero_documento,
        "apellido_paterno": a.apellido_paterno, "apellido_materno": a.apellido_materno or "", "nombres": a.nombres,
        "lugar_nacimiento": a.lugar_nacimiento, "fecha_nacimiento": a.fecha_nacimiento.isoformat(),
        "sexo": a.sexo.name, "estado_civil": a.estado_civil.name, "ubigeo": a.ubigeo, "direccion": a.direccion,
        "celular": a.celular, "email": b.email,
    }
    # The applicant edits on «Mi Ficha», which keeps the document number: the staff screen let them change it,
    # and the e-mail, to another applicant's.
    otro_dni = {**data, "numero_documento": b.numero_documento}
    assert client_for(ids["user_a"]).post(f"/postulanteview/edit/{a.id}", data=otro_dni).status_code == 403
    db.session.expire_all()
    assert db.session.get(m.Postulante, a.id).numero_documento == data["numero_documento"]
    r = client_for("admin").post(f"/postulanteview/edit/{a.id}", data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and ("correo electrónico" in page or "ya existe" in page.lower())
    db.session.expire_all()
    assert db.session.get(m.Postulante, a.id).email != b.email
