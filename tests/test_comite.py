"""The interview committee (issue 5 item 4; §4.2.5, D6) through its screens, on SQLite and PostgreSQL.

Each test works on a call of its own (numbers 700001… of H5's range, tests/comite_escenario.py),
imported from the SUNEDU example without its interview sheets, evaluated by the engine up to the
curricular stage, with the engine's shortlist (D5) cited to the interview. The demo's SUNEDU staff sit on it:
``comite1.sunedu`` (ORH's representative), ``comite2.sunedu`` (the user area's) and
``veedor.sunedu``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from comite_escenario import C1, C2, VE, datos_hoja, nueva_convocatoria, usuario_de

from casadmin import comite, engine_db, publicacion
from casadmin import models as m
from casadmin.models.enums import Etapa, Resultado, RolComite
from casadmin.peru.clock import now

PARAMETROS = Path(__file__).resolve().parent.parent / "plugins" / "casadmin_sunedu" / "parametros.yaml"


@pytest.fixture()
def esc(db):
    return nueva_convocatoria(db)


_SIN_CAMBIOS: dict[str, object] = {}


@pytest.fixture()
def esc_compartida(db):
    """One call for the tests that only see refusals (nothing is ever saved on it): fewer calls."""
    if "esc" not in _SIN_CAMBIOS:
        _SIN_CAMBIOS["esc"] = nueva_convocatoria(db)
    escenario = _SIN_CAMBIOS["esc"]
    escenario.db = db
    assert escenario.hojas() == {}
    return escenario


def _texto(resp) -> str:
    return re.sub(r"\s+", " ", resp.get_data(as_text=True))


def _error_en(html: str, campo: str) -> str:
    found = re.search(rf'id="error-{campo}">([^<]+)<', html)
    assert found, f"sin mensaje en el campo {campo}"
    return found.group(1)


# --- 1. ORH assigns the committee (§4.2.5 b) -------------------------------------------------------


def test_orh_assigns_the_committee_on_its_screen_one_member_per_seat(db, client_for):
    esc = nueva_convocatoria(db, miembros=False)
    orh = client_for("orh.sunedu")
    lista = _texto(orh.get("/comite-asignacion/"))
    assert esc.codigo in lista and 'href="/comite-asignacion/"' in lista  # menu Evaluación → Comité de entrevista
    pagina = _texto(orh.get(f"/comite-asignacion/{esc.conv_id}"))
    for username in (C1, C2, VE):  # the institution's active staff with the Comité or Veedor role
        assert f"({username})" in pagina
    assert "comite1.migraciones" not in pagina

    ids = {u: usuario_de(db, u).id for u in (C1, C2, VE, "comite1.migraciones")}
    r = orh.post(f"/comite-asignacion/{esc.conv_id}/miembros", data={"rol": "orh", "usuario_id": ids[C1]})
    assert r.status_code == 303

    def refused(datos, campo, mensaje):
        antes = db.session.scalar(sa.select(sa.func.count()).where(m.MiembroComite.convocatoria_id == esc.conv_id))
        resp = orh.post(f"/comite-asignacion/{esc.conv_id}/miembros", data=datos)
        assert resp.status_code == 422
        assert mensaje in _error_en(_texto(resp), campo)
        assert db.session.scalar(sa.select(sa.func.count()).where(
            m.MiembroComite.convocatoria_id == esc.conv_id)) == antes

    # §4.2.5 b: one representative of ORH (a second one is refused), the member with the right role and institution
    refused({"rol": "orh", "usuario_id": ids[C2]}, "usuario", "El Comité ya tiene Representante de la ORH")
    refused({"rol": "area_usuaria", "usuario_id": ids[VE]}, "usuario", "debe tener el rol Comite")
    refused({"rol": "veedor", "usuario_id": ids[C2]}, "usuario", "debe tener el rol Veedor")
    refused({"rol": "area_usuaria", "usuario_id": ids["comite1.migraciones"]}, "usuario", "no pertenece a la entidad")
    refused({"rol": "area_usuaria", "usuario_id": ids[C1]}, "usuario", "ya integra el Comité")
    refused({"rol": "", "usuario_id": ids[C2]}, "rol", "Seleccione el papel")

    assert orh.post(f"/comite-asignacion/{esc.conv_id}/miembros",
                    data={"rol": "area_usuaria", "usuario_id": ids[C2]}).status_code == 303
    assert orh.post(f"/comite-asignacion/{esc.conv_id}/miembros",
                    data={"rol": "veedor", "usuario_id": ids[VE]}).status_code == 303
    miembros = {x.usuario.username: x.rol for x in comite.miembros(db.session, esc.conv)}
    assert miembros == {C1: RolComite.orh, C2: RolComite.area_usuaria, VE: RolComite.veedor}
    asignados = esc.auditoria("asignar_miembro_comite")
    assert [(a.despues["usuario"], a.despues["rol"], a.usuario) for a in asignados] == [
        (C1, "orh", "orh.sunedu"), (C2, "area_usuaria", "orh.sunedu"), (VE, "veedor", "orh.sunedu")]

    # Removing a member who has not scored; one who has a sheet stays.
    veedor = next(x for x in comite.miembros(db.session, esc.conv) if x.rol is RolComite.veedor)
    assert orh.post(f"/comite-asignacion/{esc.conv_id}/miembros/{veedor.id}/retirar").status_code == 303
    assert esc.auditoria("retirar_miembro_comite")[0].antes == {"usuario": VE, "rol": "veedor"}
    # A member with drafts only (taken ill mid-day) can be replaced: the drafts go, kept in the audit trail.
    assert client_for(C1).post(esc.url("P01"), data=datos_hoja(5)).status_code == 303
    c1 = next(x for x in comite.miembros(db.session, esc.conv) if x.usuario.username == C1)
    assert orh.post(f"/comite-asignacion/{esc.conv_id}/miembros/{c1.id}/retirar").status_code == 303
    assert esc.auditoria("retirar_miembro_comite")[-1].antes["borradores"]
    assert ("P01", C1) not in esc.hojas()
    assert orh.post(f"/comite-asignacion/{esc.conv_id}/miembros",
                    data={"rol": "orh", "usuario_id": ids[C1]}).status_code == 303
    # One who submitted a sheet stays.
    assert client_for(C1).post(esc.url("P01"), data=datos_hoja(5, accion="enviar")).status_code == 303
    c1 = next(x for x in comite.miembros(db.session, esc.conv) if x.usuario.username == C1)
    resp = orh.post(f"/comite-asignacion/{esc.conv_id}/miembros/{c1.id}/retirar")
    assert resp.status_code == 422 and "ya envió 1 hoja(s)" in _texto(resp)
    assert db.session.get(m.MiembroComite, c1.id) is not None

    # Scoped: another institution's ORH and other roles never reach it.
    assert client_for("orh.migraciones").get(f"/comite-asignacion/{esc.conv_id}").status_code == 404
    assert client_for("orh.migraciones").post(f"/comite-asignacion/{esc.conv_id}/miembros",
                                              data={"rol": "veedor", "usuario_id": ids[VE]}).status_code == 404
    for otro in (C1, VE):
        assert client_for(otro).get("/comite-asignacion/").status_code == 403


def test_the_crud_screen_applies_the_same_committee_rules(db, client_for, esc):
    orh = client_for("orh.sunedu")
    resp = orh.post("/miembrocomiteview/add", data={"convocatoria": esc.conv_id,
                                                    "usuario": usuario_de(db, "orh.sunedu").id, "rol": "area_usuaria"})
    assert resp.status_code == 200 and "debe tener el rol Comite" in _texto(resp)
    assert len(comite.miembros(db.session, esc.conv)) == 3


# --- 2. a member's screen: calls, candidates, their own sheet ------------------------------------


def test_member_sees_the_calls_assigned_and_the_candidates_cited(esc, client_for):
    c1 = client_for(C1)
    mis = _texto(c1.get("/comite/"))
    assert esc.codigo in mis and 'href="/comite/"' in mis  # the menu entry "Entrevista Personal"
    pagina = _texto(c1.get(esc.url()))
    citados = re.findall(r'data-postulacion="(\d+)"', pagina)
    assert sorted(map(int, citados)) == sorted(esc.post.values())
    assert str(esc.no_citado) not in citados  # P05 was not Apto in the curricular stage: not cited
    assert pagina.count('data-estado="pendiente"') == 5


def test_the_sheet_takes_the_factors_and_maxima_from_the_bases_parameters(db, esc, client_for):
    """§4.2.5 f (five factors), i, j (40 with exam, 50 without): names and maxima are data of the bases."""
    param = next(iter(yaml.safe_load(PARAMETROS.read_text(encoding="utf-8"))["entrevista.factores"]["values"].values()))
    html = _texto(client_for(C1).get(esc.url("P01")))
    for codigo, spec in param.items():
        etiqueta = rf'{re.escape(spec["nombre"])} <span class="text-muted small">\(0 a {spec["con_examen"]}\)'
        assert re.search(etiqueta, html)
        assert re.search(rf'inputmode="decimal"[^>]*id="{codigo}"', html)
    assert "Puntaje máximo de la etapa: 40; mínimo aprobatorio: 20" in html
    t = comite.tabla(esc.conv)
    assert [f.nombre for f in t.factores] == [s["nombre"] for s in param.values()]
    assert sum(f.maximo for f in t.factores) == t.maximo == Decimal(40)
    # Without the technical exam the same bases give 10 per factor, 50 in all (§4.2.5 j).
    conv = esc.conv
    conv.incluye_examen = False
    db.session.commit()
    html = _texto(client_for(C1).get(esc.url("P01")))
    assert "Desenvolvimiento General <span class=\"text-muted small\">(0 a 10)" in html
    assert "Puntaje máximo de la etapa: 50; mínimo aprobatorio: 30" in html


def test_draft_changes_until_submitted_then_read_only_and_a_second_submission_is_refused(esc, client_for, db):
    c1 = client_for(C1)
    assert c1.post(esc.url("P01"), data=datos_hoja(["6,5", "7", "7.25", "6", "5"])).status_code == 303
    h = esc.hojas()[("P01", C1)]
    assert not h.enviada and h.desenvolvimiento == Decimal("6.50") and h.total == Decimal("31.75")
    assert 'value="6.50"' in _texto(c1.get(esc.url("P01")))  # the draft comes back in the form
    cambio = datos_hoja(["7", "7", "7.25", "6", "5"], observaciones="Buen manejo")
    assert c1.post(esc.url("P01"), data=cambio).status_code == 303
    h = esc.hojas()[("P01", C1)]
    assert h.desenvolvimiento == Decimal("7.00") and h.observaciones == "Buen manejo" and not h.enviada
    r = c1.post(esc.url("P01"), data=datos_hoja(["7", "7", "7.25", "6", "5.5"], accion="enviar"))
    assert r.status_code == 303
    h = esc.hojas()[("P01", C1)]
    assert h.enviada and h.enviada_en is not None and h.total == Decimal("32.75")

    html = _texto(c1.get(esc.url("P01")))
    assert 'id="hoja-enviada"' in html and '<form method="post" id="hoja"' not in html and "32.75" in html
    for accion in ("guardar", "enviar"):  # a change or a second submission: refused, nothing changed
        resp = c1.post(esc.url("P01"), data=datos_hoja(1, accion=accion))
        assert resp.status_code == 422
        assert "ya fue enviada" in _texto(resp)
        h = esc.hojas()[("P01", C1)]
        assert h.total == Decimal("32.75") and h.enviada
    # Every change is audited with before and after (A5); the refusals left no record.
    guardados = esc.auditoria("guardar_hoja_entrevista")
    assert len(guardados) == 2 and guardados[0].antes is None and guardados[1].antes["desenvolvimiento"] == "6.50"
    enviados = esc.auditoria("enviar_hoja_entrevista")
    assert len(enviados) == 1 and enviados[0].despues["enviada"] is True and enviados[0].usuario == C1
    assert enviados[0].postulacion_id == esc.post["P01"]
    # The same submission again (a double tap, a retry after a timeout on a tablet) is the one already made:
    # no error, nothing changed, nothing audited again.
    r = c1.post(esc.url("P01"), data=datos_hoja(["7", "7", "7.25", "6", "5.5"], accion="enviar"))
    assert r.status_code == 303
    assert len(esc.auditoria("enviar_hoja_entrevista")) == 1 and esc.hojas()[("P01", C1)].total == Decimal("32.75")


@pytest.mark.parametrize(("valor", "mensaje"), [
    ("8.01", "El puntaje debe estar entre 0 y 8"),
    ("-1", "El puntaje debe estar entre 0 y 8"),
    ("abc", "Ingrese un número"),
    ("NaN", "Ingrese un número"),
    ("7.555", "Use como máximo dos decimales"),
    ("", "Ingrese el puntaje de este factor"),
])
def test_a_bad_score_is_refused_at_its_field_and_nothing_is_saved(esc_compartida, client_for, valor, mensaje):
    esc = esc_compartida
    c1 = client_for(C1)
    datos = datos_hoja([5, 5, valor, 5, 5], accion="enviar")
    resp = c1.post(esc.url("P06"), data=datos)
    assert resp.status_code == 422
    html = _texto(resp)
    assert mensaje in _error_en(html, "orientacion_resultados")
    assert 'id="campo-orientacion_resultados"' in html and "has-error" in html
    assert 'value="5"' in html  # what was typed is kept
    assert esc.hojas() == {} and esc.auditoria("enviar_hoja_entrevista") == []


def test_a_candidate_not_in_the_stage_or_not_of_the_call_is_refused(db, esc_compartida, client_for):
    esc = esc_compartida
    c1 = client_for(C1)
    resp = c1.post(esc.url(esc.no_citado), data=datos_hoja(5))
    assert resp.status_code == 404
    assert "no está convocado/a a la Entrevista Personal" in _texto(resp)
    assert c1.get(esc.url(esc.no_citado)).status_code == 404
    otra = db.session.scalar(sa.select(m.Postulacion.id).where(m.Postulacion.convocatoria_id != esc.conv_id).limit(1))
    assert c1.post(esc.url(otra), data=datos_hoja(5)).status_code == 404
    assert esc.hojas() == {}


def test_a_member_reaches_neither_another_call_nor_another_members_sheet(db, esc, client_for):
    c1, c2 = client_for(C1), client_for(C2)
    assert c1.post(esc.url("P01"), data=datos_hoja("7.77", accion="enviar")).status_code == 303
    hoja_c1 = esc.hojas()[("P01", C1)]
    # The other member never sees those scores before the stage score is formed (§4.2.5 f).
    for url in (esc.url(), esc.url("P01")):
        assert "7.77" not in _texto(c2.get(url)) and "38.85" not in _texto(c2.get(url))
    assert c2.get(f"/hojaentrevistaview/show/{hoja_c1.id}").status_code == 404
    assert c2.get(f"/api/v1/hoja_entrevista/{hoja_c1.id}").status_code == 404
    lista = c2.get("/api/v1/hoja_entrevista/?q=(page_size:100)").get_json()
    assert hoja_c1.id not in lista["ids"]
    # Sheets are scored only on the committee screen (audited): the CRUD and the API are read-only for members.
    assert c1.get(f"/hojaentrevistaview/edit/{hoja_c1.id}").status_code == 403
    assert c1.put(f"/api/v1/hoja_entrevista/{hoja_c1.id}", json={"desenvolvimiento": "1"}).status_code in (403, 405)
    # A call the member is not assigned to answers 404, whatever the id.
    migraciones = db.session.scalar(sa.select(m.Convocatoria.id).where(
        m.Convocatoria.codigo == "CAS N° 027-2026-MIGRACIONES"))
    otra_app = db.session.scalar(sa.select(m.Postulacion.id).where(
        m.Postulacion.convocatoria_id == migraciones).limit(1))
    assert c1.get(f"/comite/{migraciones}").status_code == 404
    assert c1.post(f"/comite/{migraciones}/{otra_app}", data=datos_hoja(5)).status_code == 404
    assert esc.codigo not in _texto(client_for("comite1.migraciones").get("/comite/"))
    assert client_for("comite1.migraciones").get(esc.url("P01")).status_code == 404
    # The Veedor and other roles may not score.
    assert client_for(VE).post(esc.url("P01"), data=datos_hoja(5)).status_code == 403
    assert client_for("orh.sunedu").get(esc.url()).status_code == 403
    assert client_for(None).get(esc.url()).status_code == 302


# --- 3. the stage score: only when everyone submitted, through the engine ---------------------------

#: (comite1's factors, comite2's factors) per candidate; None = "no se presentó".
PUNTAJES = {
    "P01": ("6.05", "6.26"),  # 30.25 and 31.30: average 30.775 → 30.77 (§4.2.5 g truncates; rounding gives 30.78)
    "P06": ("3", "4"),        # 15 and 20: 17.50 < 20 → No apto (§4.2.5 i)
    "P07": ("5", "5"),        # 25 and 25: 25.00, aged 27 → +10 % Ley 31533 (§4.2.5 h): 27.50
    "P08": (None, None),      # did not attend (§4.6): No se presentó
    "P09": ("8", "8"),        # 40 and 40: the maximum
}


def _enviar(client, esc, pid, valor):
    datos = datos_hoja(0, accion="enviar", no_se_presento="1") if valor is None else datos_hoja(valor, accion="enviar")
    resp = client.post(esc.url(pid), data=datos)
    assert resp.status_code == 303, _texto(resp)[-600:]
    return resp


def test_the_stage_score_is_formed_by_the_engine_only_when_every_member_submitted(db, esc, client_for):
    c1, c2 = client_for(C1), client_for(C2)
    for pid, (v1, _) in PUNTAJES.items():
        _enviar(c1, esc, pid, v1)
    ultimo = list(PUNTAJES)[-1]
    for pid, (_, v2) in PUNTAJES.items():
        if pid != ultimo:
            _enviar(c2, esc, pid, v2)
    assert esc.resultados() == {}  # nine of ten sheets: no stage score yet
    c2.post(esc.url(ultimo), data=datos_hoja(PUNTAJES[ultimo][1]))  # a draft is not a submission
    assert esc.resultados() == {}
    _enviar(c2, esc, ultimo, PUNTAJES[ultimo][1])

    r = esc.resultados()
    assert {k: (v.resultado, v.puntaje) for k, v in r.items()} == {
        "P01": (Resultado.apto, Decimal("30.77")),
        "P06": (Resultado.no_apto, Decimal("17.50")),
        "P07": (Resultado.apto, Decimal("27.50")),
        "P08": (Resultado.no_se_presento, None),
        "P09": (Resultado.apto, Decimal("40.00")),
    }
    assert r["P01"].motivos[0]["clausula"] == "§4.2.5 g, i" and r["P01"].motivos[0]["computado"] == "30.77"
    # The pass mark is said, and the failing one is told why (§4.2.5 i: 20 of 40 with the exam).
    assert r["P06"].motivos[0]["mensaje"] == ("Promedio de los integrantes del Comité (truncado): 17.50; "
                                              "no alcanza el mínimo aprobatorio de 20: No Apto/a.")
    assert any(mo["clausula"] == "§4.2.5 h" for mo in r["P07"].motivos)
    assert "sunedu.entrevista" in r["P01"].reglas  # the plugin that produced it (F3)
    assert [a.despues["etapa"] for a in esc.auditoria("evaluar_etapa")][-1] == "entrevista"
    assert esc.auditoria("evaluar_etapa")[-1].usuario == C2

    # Now the committee sees every member's sheet (§4.2.6 c), the member screen shows the stage score.
    html = _texto(c1.get(esc.url("P01")))
    assert "Puntaje de la Entrevista Personal: 30.77" in html and "31.30" in html and "30.25" in html
    assert "30.77" in _texto(c1.get(esc.url()))
    assert "30.77" in _texto(client_for("orh.sunedu").get(f"/comite-asignacion/{esc.conv_id}"))
    # The committee is frozen once the score is formed.
    resp = client_for("orh.sunedu").post(
        f"/comite-asignacion/{esc.conv_id}/miembros/"
        f"{next(x.id for x in comite.miembros(db.session, esc.conv) if x.usuario.username == C2)}/retirar")
    assert resp.status_code == 422 and "ya tiene puntaje formado" in _texto(resp)


def test_a_candidate_without_identity_document_is_no_apto_with_that_cause_4_2_5_d(db, esc, client_for):
    """§4.2.5 d: a candidate who came without a valid original identity document «no podrá rendir la evaluación»;
    the members recorded them «no se presentó», which says they did not come. Each member's sheet says why the
    interview was not taken; the causes must agree; the stage's reason cites the clause. ORH reads the cause on
    the formed sheets."""
    c1, c2 = client_for(C1), client_for(C2)
    for pid, (v1, v2) in PUNTAJES.items():
        if pid != "P08":
            _enviar(c1, esc, pid, v1)
            _enviar(c2, esc, pid, v2)
    sin_doc = datos_hoja(0, accion="enviar", no_se_presento="1", causa="sin_documento")
    assert c1.post(esc.url("P08"), data=sin_doc).status_code == 303
    otra = c2.post(esc.url("P08"), data=datos_hoja(0, accion="enviar", no_se_presento="1", causa="incumplio_indicaciones"))
    assert otra.status_code == 422 and "la causa debe coincidir" in _error_en(_texto(otra), "causa")
    rara = c2.post(esc.url("P08"), data=datos_hoja(0, accion="enviar", no_se_presento="1", causa="otra"))
    assert rara.status_code == 422 and "Elija por qué" in _error_en(_texto(rara), "causa")
    assert c2.post(esc.url("P08"), data=sin_doc).status_code == 303
    r = esc.resultados()["P08"]
    assert r.resultado == Resultado.no_apto and r.puntaje is None
    assert r.motivos[0]["clausula"] == "§4.2.5 d" and "no pudo rendir la Entrevista Personal" in r.motivos[0]["mensaje"]
    html = _texto(c1.get(esc.url("P08")))
    assert "no rindió la entrevista: Se presentó sin documento de identidad vigente y original" in html


def test_attendance_must_agree_between_members(esc, client_for):
    _enviar(client_for(C1), esc, "P08", None)
    resp = client_for(C2).post(esc.url("P08"), data=datos_hoja(5, accion="enviar"))
    assert resp.status_code == 422
    assert "ya registró que el/la candidato/a no rindió la entrevista" in _error_en(_texto(resp), "asistio")
    assert ("P08", C2) not in esc.hojas()


def test_sheets_that_disagree_on_attendance_keep_the_score_from_being_formed(db, esc, client_for):
    """§4.6: absent is No Apto, never averaged. Two members submitting at the same moment each passed the
    other's check (now they wait in turn for the application's lock); such sheets were averaged, the
    absence's zeros with the other member's scores (a candidate scored 40 formed Apto 20.00)."""
    for pid in esc.post:
        _enviar(client_for(C1), esc, pid, 8)
        if pid != "P01":
            _enviar(client_for(C2), esc, pid, 8)
    db.session.add(m.HojaEntrevista(postulacion_id=esc.post["P01"], miembro_id=next(
        x.id for x in comite.miembros(db.session, esc.conv) if x.usuario.username == C2), asistio=False,
        **{f: Decimal(0) for f in m.HojaEntrevista.FACTORES}, enviada=True, enviada_en=now()))
    db.session.commit()
    assert any("no coinciden en la asistencia" in x for x in comite.faltantes(db.session, esc.conv))
    assert not comite.formar(db.session, esc.conv, usuario=usuario_de(db, "orh.sunedu")).formada
    assert not esc.resultados()


def test_orh_gives_a_submitted_sheet_back_to_its_member_with_a_reason(db, esc, client_for):
    """A member who sent the wrong attendance (or a mistaken score) kept the score from ever forming: the sheets
    must agree (§4.6) and every member's is averaged (§4.2.5 g). ORH reopens it, with its reason in the audit
    trail and without reading the scores, until the score is formed."""
    orh, c1, c2 = client_for("orh.sunedu"), client_for(C1), client_for(C2)
    for pid in esc.post:
        _enviar(c1, esc, pid, None if pid == "P06" else 7)  # a slip: P06 did come
        if pid != "P06":
            _enviar(c2, esc, pid, 6)
    resp = c2.post(esc.url("P06"), data=datos_hoja(6, accion="enviar"))
    assert resp.status_code == 422 and "comuníquese con la Oficina de Recursos Humanos" in _texto(resp)
    c1_id = next(x.id for x in comite.miembros(db.session, esc.conv) if x.usuario.username == C1)
    url = f"/comite-asignacion/{esc.conv_id}/hojas/{esc.post['P06']}/{c1_id}/reabrir"
    pagina = _texto(orh.get(f"/comite-asignacion/{esc.conv_id}"))
    assert pagina.count('class="reabrir"') == 9 and "35.00" not in pagina and "30.00" not in pagina
    resp = orh.post(url, data={"motivo": "corto"})
    assert resp.status_code == 422 and "Escriba el motivo" in _texto(resp) and esc.hojas()[("P06", C1)].enviada
    assert orh.post(url, data={"motivo": "Marcó por error que no se presentó"}).status_code == 303
    assert not esc.hojas()[("P06", C1)].enviada
    (registro,) = esc.auditoria("reabrir_hoja_entrevista")
    assert registro.motivo == "Marcó por error que no se presentó" and registro.usuario == "orh.sunedu"
    assert registro.despues == {"integrante": C1, "rol": "orh", "enviada": False}
    _enviar(c1, esc, "P06", 7)  # corrected and sent again
    _enviar(c2, esc, "P06", 6)  # the last sheet forms the score
    assert esc.resultados()["P06"].puntaje == Decimal("32.50")
    resp = orh.post(url, data={"motivo": "Marcó por error que no se presentó"})
    assert resp.status_code == 422 and "ya se formó" in _texto(resp)


def test_orh_reads_the_sheets_and_their_audit_only_once_the_score_is_formed(db, esc, client_for):
    """§4.2.5 f: each member scores on their own. The committee's ORH representative is ORH staff: with the ORH
    role, the sheets list (API and screens) and the audit trail showed the other member's submitted sheet,
    and the audit its drafts, before the score was formed."""
    from casadmin import scoping
    from casadmin.roles import ORH

    orh = usuario_de(db, "orh.sunedu")
    viewer = scoping.Viewer(user_id=orh.id, entidad_id=orh.entidad_id, roles=frozenset({ORH}))

    def visto() -> tuple[int, set[str]]:
        db.session.expire_all()
        hojas = db.session.scalar(sa.select(sa.func.count()).select_from(m.HojaEntrevista)
                                  .where(scoping.condition(m.HojaEntrevista, viewer),
                                         m.HojaEntrevista.postulacion_id.in_(esc.post.values())))
        acciones = set(db.session.scalars(sa.select(m.RegistroAuditoria.accion).where(
            scoping.condition(m.RegistroAuditoria, viewer), m.RegistroAuditoria.convocatoria_id == esc.conv_id)))
        return hojas, acciones

    assert client_for(C2).post(esc.url("P01"), data=datos_hoja(4)).status_code == 303  # a draft
    _enviar(client_for(C1), esc, "P01", 7)
    hojas, acciones = visto()
    assert hojas == 0 and not acciones & {"guardar_hoja_entrevista", "enviar_hoja_entrevista"}
    assert "asignar_miembro_comite" in acciones  # the rest of the trail as before
    for pid in esc.post:
        if pid != "P01":
            _enviar(client_for(C1), esc, pid, 7)
        _enviar(client_for(C2), esc, pid, 6)
    assert len(esc.resultados()) == 5
    hojas, acciones = visto()
    assert hojas == 10 and {"guardar_hoja_entrevista", "enviar_hoja_entrevista"} <= acciones


def test_absence_is_recorded_only_for_a_notified_citation_once_its_time_came(db, client_for):
    """§4.2.5 c: the candidates are told the date, time and place of their interview. «No se presentó» (No Apto,
    §4.6) was accepted for a citation never notified, or changed after its notice, and before its time."""
    from casadmin import etapas
    from casadmin.peru.clock import now as ahora

    esc = nueva_convocatoria(db, notificadas=False)
    c1 = client_for(C1)
    resp = c1.post(esc.url("P08"), data=datos_hoja(0, accion="enviar", no_se_presento="1"))
    assert resp.status_code == 422
    assert "su citación aún no se le notificó (§4.2.5 c)" in _error_en(_texto(resp), "asistio")
    cita = db.session.scalar(sa.select(m.Citacion).where(m.Citacion.postulacion_id == esc.post["P08"]))
    cita.fecha_hora = ahora() + dt.timedelta(hours=2)
    cita.notificada_en, cita.notificado = ahora(), etapas.datos_citacion(cita)
    db.session.commit()
    resp = c1.post(esc.url("P08"), data=datos_hoja(0, accion="enviar", no_se_presento="1"))
    assert resp.status_code == 422 and "aún no puede registrarse que no se presentó" in _error_en(_texto(resp), "asistio")
    cita.fecha_hora = ahora() - dt.timedelta(hours=1)  # moved after the notice: the candidate was told another time
    db.session.commit()
    resp = c1.post(esc.url("P08"), data=datos_hoja(0, accion="enviar", no_se_presento="1"))
    assert resp.status_code == 422 and "cambió después de notificársele" in _texto(resp)
    cita.notificado = etapas.datos_citacion(cita)
    db.session.commit()
    _enviar(c1, esc, "P08", None)
    assert not esc.hojas()[("P08", C1)].asistio
    # Scores of a candidate who came are never held back by the notice.
    _enviar(c1, esc, "P09", 6)


def test_a_draft_may_leave_factors_blank_a_submission_may_not(esc, client_for):
    """A member scoring on a tablet as the interview goes saves two factors: the draft was refused («Ingrese el
    puntaje de este factor») until all five had a score. It is kept with the others blank, comes back so, and
    only a submission needs all five (§4.2.5 f, g)."""
    c1 = client_for(C1)
    parcial = {**datos_hoja(["6,5", "7", "", "", ""])}
    assert c1.post(esc.url("P01"), data=parcial).status_code == 303
    h = esc.hojas()[("P01", C1)]
    assert (h.desenvolvimiento, h.idoneidad, h.trabajo_equipo, h.enviada) == (Decimal("6.50"), Decimal("7.00"), None, False)
    html = _texto(c1.get(esc.url("P01")))
    assert 'value="6.50"' in html and re.search(r'name="trabajo_equipo"\s+value=""', html)
    resp = c1.post(esc.url("P01"), data={**parcial, "accion": "enviar"})
    assert resp.status_code == 422 and _error_en(_texto(resp), "orientacion_resultados") == "Ingrese el puntaje de este factor."
    assert not esc.hojas()[("P01", C1)].enviada
    bad = c1.post(esc.url("P01"), data=datos_hoja(["6,5", "11", "", "", ""]))  # what is typed is still checked
    assert bad.status_code == 422 and "entre 0 y" in _error_en(_texto(bad), "idoneidad")
    assert c1.post(esc.url("P01"), data=datos_hoja(["6,5", "7", "7", "6", "5"], accion="enviar")).status_code == 303
    assert esc.hojas()[("P01", C1)].total == Decimal("31.50")


def test_an_absent_candidates_draft_comes_back_without_scores(esc, client_for):
    """Unticking «no se presentó» on a saved draft showed five zeros, which a member could send unnoticed as
    valid scores; the fields now come back empty, to be filled (or refused as empty)."""
    c1 = client_for(C1)
    assert c1.post(esc.url("P07"), data=datos_hoja(0, no_se_presento="1")).status_code == 303
    html = _texto(c1.get(esc.url("P07")))
    assert re.search(r'id="no_se_presento" checked', html)
    assert 'value="0.00"' not in html and re.search(r'id="desenvolvimiento" name="desenvolvimiento"\s+value=""', html)


def test_a_closed_call_is_not_scored(db, esc, client_for):
    """B4, §4.5: a cancelled (or finished, or desierta) process has no interview to score or form."""
    from casadmin.models.enums import EstadoConvocatoria

    esc.conv.estado = EstadoConvocatoria.cancelada
    db.session.commit()
    resp = client_for(C1).post(esc.url("P01"), data=datos_hoja(5, accion="enviar"))
    assert resp.status_code == 422 and "La convocatoria está cancelada: ya no se califican entrevistas" in _texto(resp)
    assert ("P01", C1) not in esc.hojas()
    formacion = comite.formar(db.session, esc.conv, usuario=usuario_de(db, "orh.sunedu"))
    assert not formacion.formada and "cancelada" in formacion.motivos[0]


def test_orh_forms_the_score_again_when_the_engine_could_not(db, esc, client_for):
    """If the engine refuses (here: the curricular results were removed), the sheets stay submitted and
    ORH retries from its screen once the cause is fixed."""
    c1, c2 = client_for(C1), client_for(C2)
    orh = client_for("orh.sunedu")
    resp = orh.post(f"/comite-asignacion/{esc.conv_id}/formar")
    assert resp.status_code == 422 and "Faltan 10 hoja(s)" in _error_en(_texto(resp), "formar")
    curricular = db.session.scalars(sa.select(m.ResultadoEtapa).where(
        m.ResultadoEtapa.convocatoria_id == esc.conv_id, m.ResultadoEtapa.etapa == Etapa.curricular)).all()
    guardado = {f.id: f.evaluado_en for f in curricular}
    for f in curricular:
        f.evaluado_en = None
    db.session.commit()
    for pid, (v1, v2) in PUNTAJES.items():
        _enviar(c1, esc, pid, v1)
        resp = _enviar(c2, esc, pid, v2)
    assert esc.resultados() == {}
    assert "aún no pudo formarse" in _texto(c2.get(resp.headers["Location"]))
    for f in db.session.scalars(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.id.in_(guardado))):
        f.evaluado_en = guardado[f.id]
    db.session.commit()
    assert orh.post(f"/comite-asignacion/{esc.conv_id}/formar").status_code == 303
    assert esc.resultados()["P01"].puntaje == Decimal("30.77")


# --- 4. the Veedor reads submitted sheets only ------------------------------------------------------


def test_the_veedor_reads_submitted_sheets_never_drafts(esc, client_for):
    c1, c2, ve = client_for(C1), client_for(C2), client_for(VE)
    _enviar(c1, esc, "P01", "6.05")
    assert c2.post(esc.url("P01"), data=datos_hoja("4.44")).status_code == 303  # comite2's draft
    html = _texto(ve.get(esc.url("P01")))
    assert 'id="nota-veedor"' in html and '<form method="post" id="hoja"' not in html and "<input" not in html
    assert 'data-miembro="comite1.sunedu"' in html and "30.25" in html  # submitted: visible, read-only
    assert "4.44" not in html and "22.20" not in html  # a draft: only its state
    assert re.search(r'data-miembro="comite2.sunedu">.*?data-estado="borrador"', html)
    assert ve.get(esc.url()).status_code == 200
    # The same rule on the CRUD list and the API: ORH and the Veedor never read a draft.
    for client in (ve, client_for("orh.sunedu")):
        lista = client.get("/api/v1/hoja_entrevista/?q=(page_size:100)").get_json()["result"]
        assert all(h["enviada"] for h in lista)


# --- 5. published: frozen ----------------------------------------------------------------------


def test_after_publication_nothing_changes(db, esc, client_for):
    c1, c2 = client_for(C1), client_for(C2)
    assert c1.post(esc.url("P01"), data=datos_hoja(5)).status_code == 303  # a draft, not submitted yet
    # The console forms the score only when every sheet is submitted, as the committee's screen does:
    # it formed it on this draft's call, a candidate without sheets «no se presentó» and one member's
    # total the average (§4.2.5 g).
    with pytest.raises(engine_db.EvaluacionRechazada, match="Faltan 10 hoja"):
        engine_db.evaluar(db.session, esc.codigo, "entrevista", usuario="consola (prueba)")
    db.session.rollback()
    assert not esc.resultados()
    for cliente in (c1, c2):
        for pid in esc.post:
            assert cliente.post(esc.url(pid), data=datos_hoja(6, accion="enviar")).status_code == 303
    assert len(esc.resultados()) == 5  # formed with the last sheet
    # ORH published it (E2): the stage is frozen.
    publicacion.publicar_etapa(db.session, esc.conv, Etapa.entrevista, usuario=usuario_de(db, "orh.sunedu"))
    antes = esc.hojas()[("P01", C1)].total
    for accion in ("guardar", "enviar"):
        resp = c1.post(esc.url("P01"), data=datos_hoja(7, accion=accion))
        assert resp.status_code == 422 and "ya fueron publicados" in _texto(resp)
    assert esc.hojas()[("P01", C1)].total == antes and esc.hojas()[("P01", C1)].enviada
    html = _texto(c1.get(esc.url("P01")))
    assert 'id="hoja-enviada"' in html and '<form method="post" id="hoja"' not in html
    resp = client_for("orh.sunedu").post(f"/comite-asignacion/{esc.conv_id}/miembros",
                                         data={"rol": "veedor", "usuario_id": usuario_de(db, VE).id})
    assert resp.status_code == 422 and "ya fueron publicados" in _texto(resp)


# --- the score's parsing (a pure helper) ----------------------------------------------------------


@pytest.mark.parametrize(("texto", "esperado"), [("7", "7.00"), ("7,5", "7.50"), (" 0 ", "0.00"), ("8.00", "8.00"),
                                                 ("6.25", "6.25")])
def test_scores_are_decimals_with_two_places(texto, esperado):
    factor = comite.FactorEntrevista(codigo="idoneidad", nombre="Idoneidad", maximo=Decimal(8), clausula="§4.2.5 f")
    valor = comite.leer_puntaje(texto, factor)
    assert isinstance(valor, Decimal) and str(valor) == esperado
