"""A4: the plugin screen. Installed plugins with versions and hooks (the same as ``casadmin plugins``),
bases versions with institution, effective date and parameters with their clauses; the administrator
enables or disables a version per institution (audited); a call already pinned keeps it (F3)."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import itertools
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from casadmin import models as m
from casadmin import plugin_admin
from casadmin import plugins as pl
from casadmin.models.enums import EstadoConvocatoria
from convocatorias_prueba import nueva_convocatoria

_NUMEROS = itertools.count(820_000)  # this module's call numbers (820000–829999)
_CODIGOS = itertools.count(1)


def _texto(resp) -> str:
    return htmllib.unescape(resp.get_data(as_text=True))


@pytest.fixture()
def version_fijada(db):
    """A SUNEDU bases version of its own, with one call pinned to it (the demo's version stays untouched)."""
    ent = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
    version = m.VersionBases(entidad_id=ent.id, codigo=f"sunedu-2026-prueba-{next(_CODIGOS)}-{id(db) % 1000}",
                             nombre="Bases SUNEDU (prueba A4)", vigente_desde=dt.date(2026, 1, 1), plugin="sunedu",
                             plugin_version="0.1.0", parametros={})
    db.session.add(version)
    db.session.flush()
    conv = nueva_convocatoria(db, "SUNEDU", next(_NUMEROS), "Analista de plugins", version=version,
                              estado=EstadoConvocatoria.borrador)
    db.session.commit()
    return version, conv


def test_the_screen_shows_what_casadmin_plugins_prints(app, client_for):
    from casadmin.cli import plugins_command

    salida = CliRunner().invoke(plugins_command, []).output
    html = _texto(client_for("admin").get("/plugins/"))
    for info in pl.info(pl.get_plugin_manager()):
        assert info.nombre in salida
        fila = re.search(rf'<tr data-plugin="{re.escape(info.nombre)}">(.*?)</tr>', html, re.S).group(1)
        assert f"{info.distribucion} {info.version}".strip() in fila
        for hook in info.hooks:
            assert f"<code>{hook}</code>" in fila
        for bases in info.bases:
            assert bases in fila


def test_installed_bases_versions_with_institution_date_and_parameters_with_their_clause(client_for):
    """§4.2.2 l: the exam's pass mark is 21 of 30; each value is shown with the clause it comes from."""
    html = _texto(client_for("admin").get("/plugins/"))
    seccion = re.search(r'<section class="panel panel-default" id="bases-sunedu-2026">(.*?)</section>', html, re.S).group(1)
    assert "Entidad: <strong>SUNEDU</strong>" in seccion and "vigente desde 01/01/2026" in seccion
    fila = re.search(r'<tr data-parametro="examen.puntaje_minimo">(.*?)</tr>', seccion, re.S).group(1)
    assert '<td class="clausula">§4.2.2 l</td>' in fila
    assert '<span class="valor">21</span> puntos' in fila and "(desde 01/01/2026)" in fila
    bases = pl.get_bases(pl.get_plugin_manager(), "sunedu-2026")
    assert seccion.count("<tr data-parametro=") == len(bases.parametros.items)
    assert 'id="bases-migraciones-2020"' in html


def test_admin_disables_and_enables_a_version_audited_and_the_pinned_call_keeps_it(client_for, db, version_fijada):
    version, conv = version_fijada
    admin = client_for("admin")
    r = admin.post(f"/plugins/version/{version.id}/estado", data={"activa": "0", "motivo": "Nuevas bases 2027"})
    assert r.status_code == 302
    html = _texto(admin.get(r.headers["Location"]))
    assert f"Versión «{version.codigo}» deshabilitada para SUNEDU." in html
    assert "Las 1 convocatoria(s) que ya la usan la conservan" in html
    db.session.expire_all()
    assert db.session.get(m.VersionBases, version.id).activa is False
    assert db.session.get(m.Convocatoria, conv.id).version_bases_id == version.id  # F3: pinned
    rec = db.session.scalars(sa.select(m.RegistroAuditoria).where(
        m.RegistroAuditoria.tabla == "version_bases", m.RegistroAuditoria.registro_id == version.id)
        .order_by(m.RegistroAuditoria.id.desc())).first()
    assert (rec.accion, rec.antes, rec.despues["activa"], rec.motivo, rec.usuario) == (
        "deshabilitar_version_bases", {"activa": True}, False, "Nuevas bases 2027", "admin")
    assert rec.entidad_id == version.entidad_id

    # the same again is refused with a message, and nothing is recorded twice
    antes = db.session.scalar(sa.select(sa.func.count()).select_from(m.RegistroAuditoria))
    r = admin.post(f"/plugins/version/{version.id}/estado", data={"activa": "0"}, follow_redirects=True)
    assert "ya está deshabilitada" in _texto(r)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.RegistroAuditoria)) == antes

    # F3: the pinned call is still edited with its version ...
    orh = client_for("orh.sunedu")
    datos = {"version_bases": str(version.id), "numero": str(conv.numero), "anio": "2026", "codigo": conv.codigo,
             "nombre_puesto": "Analista de plugins (editado)", "organo": "OTI", "cantidad_posiciones": "1",
             "remuneracion": "6000", "lugar": "Lima", "duracion_contrato": "3 meses", "modalidad_firma": "virtual"}
    r = orh.post(f"/convocatoriaview/edit/{conv.id}", data=datos)
    assert r.status_code == 302, _texto(r)[:3000]
    db.session.expire_all()
    assert db.session.get(m.Convocatoria, conv.id).nombre_puesto == "Analista de plugins (editado)"
    # ... but a new call cannot choose the disabled version: an error at the field, nothing saved
    n = next(_NUMEROS)
    r = orh.post("/convocatoriaview/add", data={**datos, "numero": str(n), "codigo": f"CAS N° {n}-2026-SUNEDU"})
    assert r.status_code == 200
    assert "Esta versión de bases está deshabilitada para la entidad: elija una habilitada." in _texto(r)
    assert db.session.scalar(sa.select(m.Convocatoria.id).where(m.Convocatoria.numero == n)) is None

    r = admin.post(f"/plugins/version/{version.id}/estado", data={"activa": "1"}, follow_redirects=True)
    assert f"Versión «{version.codigo}» habilitada para SUNEDU." in _texto(r)
    db.session.expire_all()
    assert db.session.get(m.VersionBases, version.id).activa is True
    assert db.session.scalar(sa.select(m.RegistroAuditoria.accion).where(
        m.RegistroAuditoria.registro_id == version.id, m.RegistroAuditoria.tabla == "version_bases")
        .order_by(m.RegistroAuditoria.id.desc()).limit(1)) == "habilitar_version_bases"
    r = orh.post("/convocatoriaview/add", data={**datos, "numero": str(n), "codigo": f"CAS N° {n}-2026-SUNEDU"})
    assert r.status_code == 302
    assert db.session.scalar(sa.select(m.Convocatoria.version_bases_id).where(m.Convocatoria.numero == n)) == version.id


def test_a_call_keeps_its_bases_version_once_it_is_no_longer_a_draft_f3(client_for, db, version_fijada):
    """F3: a call is pinned to its bases version. In borrador ORH may still switch it; once published, the
    switch is refused at the field and nothing is saved (its stages run the rules it was published with)."""
    version, conv = version_fijada
    demo = db.session.scalar(sa.select(m.VersionBases).where(
        m.VersionBases.entidad_id == version.entidad_id, m.VersionBases.id != version.id, m.VersionBases.activa))
    orh = client_for("orh.sunedu")

    def editar(version_id: int, puesto: str):
        return orh.post(f"/convocatoriaview/edit/{conv.id}", data={
            "version_bases": str(version_id), "numero": str(conv.numero), "anio": "2026", "codigo": conv.codigo,
            "nombre_puesto": puesto, "organo": "OTI", "cantidad_posiciones": "1", "remuneracion": "6000",
            "lugar": "Lima", "duracion_contrato": "3 meses", "modalidad_firma": "virtual"})

    assert editar(demo.id, "En borrador").status_code == 302
    db.session.expire_all()
    assert db.session.get(m.Convocatoria, conv.id).version_bases_id == demo.id
    # not to a disabled version, even in borrador (A4)
    db.session.get(m.VersionBases, version.id).activa = False
    db.session.commit()
    r = editar(version.id, "A una deshabilitada")
    assert r.status_code == 200 and "Esta versión de bases está deshabilitada para la entidad" in _texto(r)
    db.session.expire_all()
    assert db.session.get(m.Convocatoria, conv.id).version_bases_id == demo.id
    db.session.get(m.VersionBases, version.id).activa = True
    db.session.commit()
    assert editar(version.id, "De vuelta").status_code == 302
    db.session.get(m.Convocatoria, conv.id).estado = EstadoConvocatoria.publicada
    db.session.commit()

    r = editar(demo.id, "Con otras bases")
    assert r.status_code == 200
    assert "La convocatoria ya no es un borrador: conserva la versión de bases con la que se publicó" in _texto(r)
    db.session.expire_all()
    guardada = db.session.get(m.Convocatoria, conv.id)
    assert (guardada.version_bases_id, guardada.nombre_puesto) == (version.id, "De vuelta")
    # the rest of the call is still edited with its own version
    assert editar(version.id, "Editada publicada").status_code == 302
    db.session.expire_all()
    assert db.session.get(m.Convocatoria, conv.id).nombre_puesto == "Editada publicada"


def test_admin_gives_an_institution_an_installed_version(client_for, db):
    ent = m.Entidad(nombre=f"Entidad de prueba A4 {next(_CODIGOS)}", siglas=f"PRA4{next(_CODIGOS)}",
                    email_contacto="a4@prueba.gob.pe")
    db.session.add(ent)
    db.session.commit()
    admin = client_for("admin")
    r = admin.post("/plugins/habilitar", data={"entidad": str(ent.id), "bases": "sunedu-2026", "motivo": "Adopta SUNEDU"},
                   follow_redirects=True)
    assert f"Versión «sunedu-2026» habilitada para {ent.siglas}." in _texto(r)
    version = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id))
    bases = pl.get_bases(pl.get_plugin_manager(), "sunedu-2026")
    assert (version.codigo, version.vigente_desde, version.plugin, version.activa) == (
        "sunedu-2026", bases.vigente_desde, bases.proveedor, True)
    assert db.session.scalar(sa.select(m.RegistroAuditoria.accion).where(
        m.RegistroAuditoria.tabla == "version_bases", m.RegistroAuditoria.registro_id == version.id)) \
        == "habilitar_version_bases"
    # twice, or a version nobody installed: refused with a Spanish message, nothing created
    r = admin.post("/plugins/habilitar", data={"entidad": str(ent.id), "bases": "sunedu-2026"}, follow_redirects=True)
    assert "ya tiene la versión «sunedu-2026»" in _texto(r)
    r = admin.post("/plugins/habilitar", data={"entidad": str(ent.id), "bases": "inexistente-1999"},
                   follow_redirects=True)
    assert "Ninguna versión de bases instalada se llama «inexistente-1999»" in _texto(r)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.VersionBases)
                             .where(m.VersionBases.entidad_id == ent.id)) == 1
    # ORH of another institution never sees it
    html = _texto(client_for("orh.sunedu").get("/plugins/"))
    assert f'data-entidad="{ent.siglas}"' not in html


def test_the_crud_screen_does_not_repin_a_version_calls_use_and_audits_every_edit_f3(client_for, db, version_fijada):
    """An administrator's plain edit of a version's code (say Migraciones' to «sunedu-2026») re-pinned every call
    of it, published ones included, to another institution's rules, unaudited. Once a call uses the row its
    institution, code and plugin stay; what may change is audited with its values before and after (A5)."""
    version, conv = version_fijada
    admin = client_for("admin")
    datos = {"entidad": str(version.entidad_id), "codigo": "migraciones-2020", "nombre": version.nombre,
             "vigente_desde": "2026-01-01", "plugin": version.plugin, "plugin_version": "0.1.0", "activa": "y"}
    r = admin.post(f"/versionbasesview/edit/{version.id}", data=datos)
    assert r.status_code == 200 and "Hay convocatorias fijadas a esta versión de bases" in _texto(r)
    db.session.expire_all()
    assert db.session.get(m.VersionBases, version.id).codigo == version.codigo
    registros = sa.select(m.RegistroAuditoria).where(m.RegistroAuditoria.tabla == "version_bases",
                                                     m.RegistroAuditoria.registro_id == version.id)
    assert not db.session.scalars(registros).all()
    r = admin.post(f"/versionbasesview/edit/{version.id}", data={**datos, "codigo": version.codigo,
                                                                  "plugin_version": "0.2.0"})
    assert r.status_code == 302, _texto(r)[:2000]
    rec, = db.session.scalars(registros).all()
    assert (rec.accion, rec.antes, rec.despues) == ("modificar_version_bases", {"plugin_version": "0.1.0"},
                                                    {"plugin_version": "0.2.0"})
    assert db.session.get(m.Convocatoria, conv.id).version_bases.codigo == version.codigo
    # a new row must name an installed version
    r = admin.post("/versionbasesview/add", data={**datos, "codigo": "inexistente-1999"})
    assert "Ninguna versión de bases instalada se llama «inexistente-1999»" in _texto(r)


def test_orh_reads_only_its_institution_and_cannot_change_anything(client_for, db, version_fijada):
    version, _ = version_fijada
    orh = client_for("orh.sunedu")
    html = _texto(orh.get("/plugins/"))
    assert f'data-codigo="{version.codigo}"' in html
    assert 'data-entidad="MIGRACIONES"' not in html and 'data-entidad="SUNEDU"' in html
    assert "/plugins/version/" not in html and 'id="habilitar"' not in html  # no buttons
    assert orh.post(f"/plugins/version/{version.id}/estado", data={"activa": "0"}).status_code == 403
    mig = db.session.scalar(sa.select(m.Entidad.id).where(m.Entidad.siglas == "MIGRACIONES"))
    assert orh.post("/plugins/habilitar", data={"entidad": str(mig), "bases": "sunedu-2026"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(m.VersionBases, version.id).activa is True


@pytest.mark.parametrize("rol", ["comite", "veedor", "postulante"])
def test_other_roles_have_no_plugin_screen(client_for, role_users, rol):
    cliente = client_for(role_users[rol])
    assert cliente.get("/plugins/").status_code == 403
    assert cliente.post("/plugins/habilitar", data={}).status_code == 403


def test_anonymous_is_sent_to_login(client_for):
    assert client_for(None).get("/plugins/").status_code == 302


def test_parameter_values_are_written_exactly():
    assert plugin_admin.formato(Decimal("21")) == "21"
    assert plugin_admin.formato(Decimal("0.10")) == "0.10"
    assert plugin_admin.formato((Decimal(4), Decimal(8))) == "4, 8"
    assert plugin_admin.formato(True) == "sí"
