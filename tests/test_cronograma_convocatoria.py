"""B1–B3, issue 5 items 1–2: the "Nueva convocatoria" wizard, the business-day calculator of the
schedule (§4.1, §4.4 d) against Peru's real 2026 holidays, and the §4.1 guard ("hasta un día
antes del desarrollo de alguna de las etapas") on every path: CRUD screen, REST API, wizard.

Calls created here use numbers 550000–559999 (H3's range, apart from tests/test_ciclo.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
import sqlalchemy as sa

from casadmin import cronograma
from casadmin import models as m
from casadmin.models.enums import EstadoConvocatoria, NivelAcademico, TipoHito
from casadmin.peru import business_days as bd
from casadmin.peru.clock import LIMA, to_lima, today

_NUMEROS = itertools.count(550000)
SUNEDU_2026 = cronograma.plazos_para("sunedu-2026", dt.date(2026, 7, 20))


def _d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _plan(inicio: str, **kw) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    return {h.tipo.name: (h.inicio, h.fin) for h in cronograma.calcular(_d(inicio), SUNEDU_2026, **kw)}


# --- the calculator (B3) ------------------------------------------------------------------------


def test_publication_for_ten_business_days_skips_fiestas_patrias_section_4_1():
    plan = _plan("2026-07-20")
    inicio, fin = plan["publicacion"]
    # 20, 21, 22 Jul; 23 Jul (Día de la Fuerza Aérea) skipped; 24, 27 Jul; 28–29 Jul (Independencia,
    # Gran Parada Militar) skipped; 30, 31 Jul; 3, 4, 5 Aug: the 10th business day is 5 Aug.
    assert (inicio.date(), fin.date()) == (_d("2026-07-20"), _d("2026-08-05"))
    assert bd.business_days_between(inicio.date(), fin.date()) == 10
    # Applications: the next business day, 6 Aug being Batalla de Junín; closing at 16:30 (§4.1).
    post_inicio, post_fin = plan["postulacion"]
    assert post_inicio == dt.datetime(2026, 8, 7, 8, 30, tzinfo=LIMA)
    assert post_fin == dt.datetime(2026, 8, 7, 16, 30, tzinfo=LIMA)


def test_window_spanning_combate_de_angamos_without_exam():
    plan = _plan("2026-09-28", incluye_examen=False, incluye_psicologica=True)
    # 28–30 Sep, 1–2 Oct, 5–7 Oct, 8 Oct (Combate de Angamos) skipped, 9 and 12 Oct.
    assert plan["publicacion"][1].date() == _d("2026-10-12")
    assert plan["postulacion"][0].date() == _d("2026-10-13")
    assert "examen" not in plan and "resultados_examen" not in plan
    assert plan["psicologica"][0].date() == _d("2026-10-19")  # after the Ficha results on Friday 16 Oct
    # §4.4 d: signing within 5 business days counted from the day after the final results.
    resultados = plan["resultados_finales"][0].date()
    assert resultados == _d("2026-10-28")
    assert plan["suscripcion"][0].date() == _d("2026-10-29")
    assert plan["suscripcion"][1].date() == bd.contract_deadline(resultados) == _d("2026-11-04")


def test_every_milestone_is_on_business_days_in_order_and_uses_the_bases_durations():
    plan = cronograma.calcular(_d("2026-12-07"), SUNEDU_2026, incluye_examen=True, incluye_psicologica=True)
    assert [h.tipo for h in plan] == [t.tipo for t in cronograma.PLAN]
    for anterior, h in zip(plan, plan[1:]):
        assert h.inicio > anterior.fin
    for h in plan:
        assert bd.is_business_day(h.inicio.date()) and bd.is_business_day(h.fin.date()), h
        assert h.inicio.date() not in (_d("2026-12-08"), _d("2026-12-09"), _d("2026-12-25"))
    # Bases parameters: publication 10 days, Ficha evaluation 2 business days (cronograma.dias_habiles).
    ficha = next(h for h in plan if h.tipo is TipoHito.evaluacion_ficha)
    assert bd.business_days_between(ficha.inicio.date(), ficha.fin.date()) == 2
    assert SUNEDU_2026.publicacion == 10 and SUNEDU_2026.suscripcion == 5
    corto = cronograma.calcular(_d("2026-07-27"), cronograma.Plazos(publicacion=3, etapas={"postulacion": 2}))
    # 27 Jul, (28–29 holidays), 30, 31 Jul → applications 3 and 4 Aug.
    assert corto[0].fin.date() == _d("2026-07-31")
    assert (corto[1].inicio.date(), corto[1].fin.date()) == (_d("2026-08-03"), _d("2026-08-04"))


# --- the guard (§4.1), pure ---------------------------------------------------------------------


def test_guard_two_days_before_ok_one_day_before_refused():
    inicio = dt.datetime(2026, 12, 10, 9, 0, tzinfo=LIMA)
    publicada = EstadoConvocatoria.publicada
    cronograma.verificar_hito(TipoHito.examen, inicio, publicada, _d("2026-12-08"))
    with pytest.raises(cronograma.CronogramaRechazado, match="un día antes"):
        cronograma.verificar_hito(TipoHito.examen, inicio, publicada, _d("2026-12-09"))
    with pytest.raises(cronograma.CronogramaRechazado):
        cronograma.verificar_hito(TipoHito.examen, inicio, publicada, _d("2026-12-10"))
    # A draft has not been convened yet (§4.1 "luego de haber sido convocado"): free.
    cronograma.verificar_hito(TipoHito.examen, inicio, EstadoConvocatoria.borrador, _d("2026-12-10"))
    # Moving a stage to tomorrow is refused as well; a finished process is never changed.
    with pytest.raises(cronograma.CronogramaRechazado, match="nueva fecha"):
        cronograma.verificar_hito(TipoHito.examen, inicio, publicada, _d("2026-12-01"),
                                  nuevo_inicio=dt.datetime(2026, 12, 2, 9, 0, tzinfo=LIMA))
    with pytest.raises(cronograma.CronogramaRechazado, match="cancelada"):
        cronograma.verificar_hito(TipoHito.examen, inicio, EstadoConvocatoria.cancelada, _d("2026-12-01"))


# --- helpers for the screens -------------------------------------------------------------------


def _sunedu(db):
    ent = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
    version = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id,
                                                                m.VersionBases.codigo == "sunedu-2026"))
    return ent, version


def _convocatoria(db, estado=EstadoConvocatoria.publicada, dias: dict[TipoHito, int] | None = None) -> m.Convocatoria:
    """A SUNEDU call with a profile and milestones starting ``dias`` days from today at 09:00."""
    ent, version = _sunedu(db)
    n = next(_NUMEROS)
    conv = m.Convocatoria(entidad_id=ent.id, version_bases_id=version.id, numero=n, anio=2026,
                          codigo=f"CAS N° {n}-2026-SUNEDU", nombre_puesto="Especialista en cronogramas", organo="ORH",
                          remuneracion=5000, lugar="Lima", duracion_contrato="3 meses", estado=estado,
                          incluye_examen=True)
    db.session.add(conv)
    db.session.flush()
    db.session.add(m.PerfilPuesto(convocatoria_id=conv.id, nivel_academico=NivelAcademico.bachiller,
                                  funciones="Elaborar cronogramas"))
    for tipo, dias_ in (dias or {}).items():
        inicio = dt.datetime.combine(today() + dt.timedelta(days=dias_), dt.time(9, 0), tzinfo=LIMA)
        db.session.add(m.HitoCronograma(convocatoria_id=conv.id, tipo=tipo, inicio=inicio,
                                        fin=inicio + dt.timedelta(hours=3), responsable="ORH"))
    db.session.commit()
    return conv


def _hito(db, conv, tipo) -> m.HitoCronograma:
    db.session.expire_all()
    return db.session.scalar(sa.select(m.HitoCronograma).filter_by(convocatoria_id=conv.id, tipo=tipo))


def _texto(r) -> str:
    return r.get_data(as_text=True)


def _fab(valor: dt.datetime) -> str:
    return to_lima(valor).strftime("%Y-%m-%d %H:%M:%S")


def _campo(html: str, nombre: str) -> str:
    """The form group of field ``nombre`` (where its error is shown)."""
    found = re.search(rf'id="campo-{re.escape(nombre)}".*?</div>', html, re.S)
    assert found, f"no field {nombre}"
    return found.group(0)


def _celda(html: str, nombre: str) -> str:
    """The table cell of a requirement row's field ``nombre`` (its error is shown there, marked)."""
    found = re.search(rf'<td class="has-error">\s*<label[^>]*for="{re.escape(nombre)}".*?</td>', html, re.S)
    assert found, f"no cell with an error for {nombre}"
    return found.group(0)


# --- the guard on every path ----------------------------------------------------------------------


def test_crud_screen_edit_two_days_before_ok_one_day_before_refused_unchanged(client_for, db):
    conv = _convocatoria(db, dias={TipoHito.examen: 2, TipoHito.entrevista: 1})
    client = client_for("orh.sunedu")
    examen = _hito(db, conv, TipoHito.examen)
    nuevo_fin = examen.fin + dt.timedelta(hours=1)
    r = client.post(f"/hitocronogramaview/edit/{examen.id}", data={
        "convocatoria": conv.id, "tipo": "examen", "inicio": _fab(examen.inicio), "fin": _fab(nuevo_fin),
        "responsable": "ORH"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert _hito(db, conv, TipoHito.examen).fin == nuevo_fin

    entrevista = _hito(db, conv, TipoHito.entrevista)
    antes = (entrevista.inicio, entrevista.fin)
    r = client.post(f"/hitocronogramaview/edit/{entrevista.id}", data={
        "convocatoria": conv.id, "tipo": "entrevista", "inicio": _fab(entrevista.inicio),
        "fin": _fab(entrevista.fin + dt.timedelta(hours=2)), "responsable": "ORH"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "solo puede modificarse hasta un día antes del inicio de cada etapa (§4.1)" in html
    entrevista = _hito(db, conv, TipoHito.entrevista)
    assert (entrevista.inicio, entrevista.fin) == antes

    # Removing it is refused too, and it stays.
    client.post(f"/hitocronogramaview/delete/{entrevista.id}")
    assert _hito(db, conv, TipoHito.entrevista) is not None


def test_api_put_is_refused_with_the_same_message(client_for, db):
    conv = _convocatoria(db, dias={TipoHito.examen: 1, TipoHito.entrevista: 5})
    client = client_for("orh.sunedu")
    examen = _hito(db, conv, TipoHito.examen)
    r = client.put(f"/api/v1/cronograma/{examen.id}", json={"responsable": "Otra persona"})
    assert r.status_code == 422
    assert "un día antes" in str(r.get_json())
    assert _hito(db, conv, TipoHito.examen).responsable == "ORH"
    entrevista = _hito(db, conv, TipoHito.entrevista)
    r = client.put(f"/api/v1/cronograma/{entrevista.id}", json={"responsable": "Comité"})
    assert r.status_code == 200, r.get_json()
    assert _hito(db, conv, TipoHito.entrevista).responsable == "Comité"


def test_wizard_schedule_save_is_refused_for_a_locked_stage_and_changes_nothing(client_for, db):
    conv = _convocatoria(db, dias={TipoHito.examen: 1, TipoHito.entrevista: 9})
    client = client_for("orh.sunedu")
    examen, entrevista = _hito(db, conv, TipoHito.examen), _hito(db, conv, TipoHito.entrevista)

    def fila(i, h, inicio):
        return {f"hitos-{i}-tipo": h.tipo.name, f"hitos-{i}-inicio": inicio.strftime("%Y-%m-%dT%H:%M"),
                f"hitos-{i}-fin": (inicio + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
                f"hitos-{i}-responsable": "ORH"}

    def habil(h, mas=0):
        dia = bd.next_business_day(to_lima(h.inicio).date() + dt.timedelta(days=mas))
        return dt.datetime.combine(dia, dt.time(10, 0))

    datos = {"guardar": "1", **fila(0, examen, habil(examen, 3)), **fila(1, entrevista, habil(entrevista))}
    html = client.post(f"/gestion/{conv.id}/cronograma", data=datos).get_data(as_text=True)
    assert "No se puede modificar «Evaluación de Conocimientos Técnicos»" in html
    assert _hito(db, conv, TipoHito.examen).inicio == examen.inicio
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.RegistroAuditoria.convocatoria_id == conv.id, m.RegistroAuditoria.accion == "modificar_cronograma")) == 0


# --- the wizard (B1–B3) ---------------------------------------------------------------------------


def _datos(db, numero: int, **cambios) -> dict[str, str]:
    _, version = _sunedu(db)
    return {"version_bases": str(version.id), "numero": str(numero), "anio": "2026", "codigo": "",
            "nombre_puesto": "Analista de Procesos CAS", "organo": "Oficina de Recursos Humanos",
            "cantidad_posiciones": "1", "remuneracion": "6500.00", "lugar": "Lima",
            "duracion_contrato": "3 meses", "incluye_examen": "y", "modalidad_firma": "virtual", **cambios}


def test_the_profile_lists_the_careers_and_topics_its_afines_accept_b2(client_for, db):
    """§4.2.1 g, m: with «afines», the evaluator lists the careers (and, per course, the topics) accepted as
    related; the Ficha stage reads them (tests/test_engine_db.py). A list where the profile does not accept
    afines is refused at its field, and nothing is saved; items are stored trimmed, blanks left out."""
    client = client_for("orh.sunedu")
    n = next(_NUMEROS)
    assert client.post("/gestion/nueva", data=_datos(db, n)).status_code == 302
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == n))
    perfil = {
        "nivel_academico": "titulo", "carreras": "Economía", "carreras_afines": " Contabilidad ,, Administración ",
        "experiencia_general_meses": "12", "experiencia_especifica_meses": "6", "funciones": "Elaborar informes.",
        "capacitaciones-0-tipo": "curso", "capacitaciones-0-tema": "Gestión pública, nivel I",
        "capacitaciones-0-horas_minimas": "24", "capacitaciones-0-temas_afines": "Administración pública;; Gestión del Estado ",
    }
    html = client.post(f"/gestion/{conv.id}/perfil", data=perfil).get_data(as_text=True)
    assert "Marque «Acepta carreras afines» o deje vacía esta lista: solo un perfil que acepta afines admite " \
           "otras carreras (§4.2.1 g)." in html
    # §4.2.1 i: a topic, or a similar one, with no letter or digit could never be met
    sin_palabras = "La temática debe tener letras o números: una sin ellos no la puede nombrar ningún curso (§4.2.1 i)."
    assert sin_palabras not in html
    for campo, valor in (("capacitaciones-0-tema", "--"), ("capacitaciones-0-temas_afines", "Gestión del Estado; (…)")):
        html = client.post(f"/gestion/{conv.id}/perfil", data={**perfil, "acepta_afines": "y",
                                                                "capacitaciones-0-acepta_afines": "y", campo: valor}).get_data(as_text=True)
        assert sin_palabras in _celda(html, campo), campo
        db.session.expire_all()
        assert db.session.get(m.Convocatoria, conv.id).perfil is None
    html = client.post(f"/gestion/{conv.id}/perfil", data=perfil).get_data(as_text=True)
    assert "Marque «Acepta afines» o deje vacía esta lista: solo un requisito que acepta afines admite otros " \
           "temas (§4.2.1 m)." in html
    db.session.expire_all()
    assert db.session.get(m.Convocatoria, conv.id).perfil is None
    r = client.post(f"/gestion/{conv.id}/perfil", data={**perfil, "acepta_afines": "y", "capacitaciones-0-acepta_afines": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    db.session.expire_all()
    guardado = db.session.get(m.Convocatoria, conv.id).perfil
    assert guardado.carreras_afines == "Contabilidad, Administración"
    assert guardado.lista_carreras_afines == ["Contabilidad", "Administración"]
    (cap,) = guardado.capacitaciones
    assert cap.acepta_afines and cap.lista_temas_afines == ["Administración pública", "Gestión del Estado"]
    assert 'value="Administración pública; Gestión del Estado"' in client.get(f"/gestion/{conv.id}/perfil").get_data(as_text=True)
    vista = client.get(f"/gestion/{conv.id}").get_data(as_text=True)
    assert "(o afines: se aceptan Contabilidad, Administración)" in vista


def test_new_call_through_the_three_forms_then_publish(client_for, db):
    client = client_for("orh.sunedu")
    menu = client.get("/convocatoriaview/list/").get_data(as_text=True)
    assert 'href="/gestion/nueva"' in menu and "Gestionar convocatorias" in menu  # in ORH's menu
    n = next(_NUMEROS)
    r = client.post("/gestion/nueva", data=_datos(db, n))
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == n))
    assert conv.codigo == f"CAS N° {n}-2026-SUNEDU" and conv.estado is EstadoConvocatoria.borrador
    assert r.headers["Location"].endswith(f"/gestion/{conv.id}/perfil")

    # Publishing now is refused: no schedule yet.
    client.post(f"/gestion/{conv.id}/accion/publicar")
    db.session.expire_all()
    assert db.session.get(m.Convocatoria, conv.id).estado is EstadoConvocatoria.borrador

    perfil = {
        "nivel_academico": "titulo", "carreras": "Derecho, Administración", "acepta_afines": "y",
        "experiencia_general_meses": "36", "experiencia_especifica_meses": "24", "experiencia_publica_meses": "12",
        "funciones": "Conducir los procesos CAS de la entidad.",
        "capacitaciones-0-tipo": "curso", "capacitaciones-0-tema": "Gestión pública", "capacitaciones-0-horas_minimas": "24",
        "capacitaciones-1-tipo": "", "capacitaciones-1-tema": "",
        "conocimientos-0-tipo": "ofimatica", "conocimientos-0-nombre": "Hoja de Cálculo", "conocimientos-0-nivel": "intermedio",
        "conocimientos-1-tipo": "ofimatica", "conocimientos-1-nombre": "AutoCAD", "conocimientos-1-nivel": "basico",
        "otros-0-descripcion": "Certificación OSCE",
    }
    # §4.2.1 n: an office program the Ficha cannot declare could never be met: refused at its field.
    r = client.post(f"/gestion/{conv.id}/perfil", data=perfil)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "En ofimática escriba uno de los programas que pueden declararse en la Ficha: " \
        "Procesador de textos, Hojas de cálculo, Programa de presentaciones (§4.2.1 n)." in html
    db.session.expire_all()
    assert db.session.get(m.Convocatoria, conv.id).perfil is None  # nothing saved
    # Two rows of one program (Excel is «Hojas de cálculo»): refused at the second.
    r = client.post(f"/gestion/{conv.id}/perfil", data={**perfil, "conocimientos-1-nombre": "Excel"})
    assert r.status_code == 200 and "«Hojas de cálculo» ya figura en otra fila" in r.get_data(as_text=True)
    # One language twice (any case), or an office program as a language: refused at the row.
    r = client.post(f"/gestion/{conv.id}/perfil", data={
        **perfil, "conocimientos-1-nombre": "procesador de texto", "conocimientos-2-tipo": "idioma",
        "conocimientos-2-nombre": "Inglés", "conocimientos-2-nivel": "basico", "conocimientos-3-tipo": "idioma",
        "conocimientos-3-nombre": "inglés", "conocimientos-3-nivel": "avanzado", "conocimientos-4-tipo": "idioma",
        "conocimientos-4-nombre": "Excel", "conocimientos-4-nivel": "basico"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "«inglés» ya figura en otra fila" in html
    assert "«Excel» es el programa de ofimática «Hojas de cálculo»: elija Ofimática como tipo (§4.2.1 n)." in html
    # The bases' words («Procesador de Texto», «Hojas de Cálculo») are stored with the Ficha's names.
    r = client.post(f"/gestion/{conv.id}/perfil", data={**perfil, "conocimientos-1-nombre": "procesador de texto"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    db.session.expire_all()
    perfil = db.session.get(m.Convocatoria, conv.id).perfil
    assert perfil.nivel_academico is NivelAcademico.titulo and perfil.experiencia_publica_meses == 12
    assert [c.tema for c in perfil.capacitaciones] == ["Gestión pública"]
    assert sorted((c.nombre, c.nivel.name) for c in perfil.conocimientos) == [
        ("Hojas de cálculo", "intermedio"), ("Procesador de textos", "basico")]
    assert [o.descripcion for o in perfil.otros] == ["Certificación OSCE"]

    inicio = bd.next_business_day(today() + dt.timedelta(days=7))
    html = client.post(f"/gestion/{conv.id}/cronograma", data={"inicio_publicacion": inicio.isoformat(),
                                                                "calcular": "1"}).get_data(as_text=True)
    plan = cronograma.plan_de_convocatoria(db.session.get(m.Convocatoria, conv.id), inicio)
    filas = {}
    for i, h in enumerate(plan):
        assert f'value="{h.inicio:%Y-%m-%dT%H:%M}"' in html  # the calculated dates fill the form
        filas.update({f"hitos-{i}-tipo": h.tipo.name, f"hitos-{i}-inicio": f"{h.inicio:%Y-%m-%dT%H:%M}",
                      f"hitos-{i}-fin": f"{h.fin:%Y-%m-%dT%H:%M}", f"hitos-{i}-responsable": "ORH"})
    # ORH adjusts the interview's end before saving.
    i_ent = next(i for i, h in enumerate(plan) if h.tipo is TipoHito.entrevista)
    ajustado = plan[i_ent].fin.replace(hour=13)
    filas[f"hitos-{i_ent}-fin"] = f"{ajustado:%Y-%m-%dT%H:%M}"
    r = client.post(f"/gestion/{conv.id}/cronograma", data={"guardar": "1", "inicio_publicacion": inicio.isoformat(),
                                                            **filas})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    db.session.expire_all()
    conv = db.session.get(m.Convocatoria, conv.id)
    assert len(conv.cronograma) == len(plan) and not cronograma.faltantes(conv)
    assert _hito(db, conv, TipoHito.entrevista).fin == ajustado.replace(tzinfo=LIMA)

    pagina = client.get(f"/gestion/{conv.id}").get_data(as_text=True)
    assert "Publicar convocatoria" in pagina and "Documentos y formatos de anexos" in pagina and "Comunicados" in pagina
    for enlace in (f"/documentoconvocatoriaview/list/?_flt_0_convocatoria={conv.id}",
                   f"/comunicadoview/list/?_flt_0_convocatoria={conv.id}"):
        assert enlace in pagina and client.get(enlace).status_code == 200
    # B5 from the call's page: the announcement's form comes with this call already chosen.
    agregar = f"/comunicadoview/add?_flt_0_convocatoria={conv.id}"
    assert agregar in pagina
    r = client.post(agregar, data={"titulo": "Comunicado 01", "contenido": "Se precisa el lugar.", "publicado": "y"})
    assert r.status_code == 302
    assert [c.titulo for c in db.session.scalars(sa.select(m.Comunicado).where(
        m.Comunicado.convocatoria_id == conv.id))] == ["Comunicado 01"]
    r = client.post(f"/gestion/{conv.id}/accion/publicar")
    assert r.status_code == 302
    db.session.expire_all()
    conv = db.session.get(m.Convocatoria, conv.id)
    assert conv.estado is EstadoConvocatoria.publicada and conv.publicada_en is not None
    acciones = set(db.session.scalars(sa.select(m.RegistroAuditoria.accion).where(
        m.RegistroAuditoria.convocatoria_id == conv.id)))
    assert {"crear_convocatoria", "guardar_perfil", "modificar_cronograma", "convocatoria_publicar"} <= acciones
    # Once published, the profile is no longer edited in the wizard.
    assert client.get(f"/gestion/{conv.id}/perfil").status_code == 302


def test_bad_input_is_shown_at_the_field_and_nothing_is_saved(client_for, db):
    client = client_for("orh.sunedu")
    n = next(_NUMEROS)
    html = client.post("/gestion/nueva", data=_datos(db, n, remuneracion="-10", nombre_puesto="")).get_data(as_text=True)
    assert "La remuneración no puede ser negativa." in _campo(html, "remuneracion")
    assert "Este dato es obligatorio." in _campo(html, "nombre_puesto")
    assert db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == n)) is None

    # A duplicate number is a message at the number, not a 500.
    assert client.post("/gestion/nueva", data=_datos(db, n)).status_code == 302
    html = client.post("/gestion/nueva", data=_datos(db, n, nombre_puesto="Otro")).get_data(as_text=True)
    assert "Ya existe una convocatoria con este número y año" in _campo(html, "numero")
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == n))

    html = client.post(f"/gestion/{conv.id}/perfil", data={
        "nivel_academico": "bachiller", "experiencia_general_meses": "12", "experiencia_especifica_meses": "24",
        "funciones": "Funciones"}).get_data(as_text=True)
    assert "no puede ser mayor que la general (§4.2.1 w)" in _campo(html, "experiencia_especifica_meses")
    db.session.expire_all()
    assert db.session.get(m.Convocatoria, conv.id).perfil is None

    # A milestone on a holiday (28 Jul 2026, Día de la Independencia) is refused at its cell.
    html = client.post(f"/gestion/{conv.id}/cronograma", data={
        "guardar": "1", "hitos-0-tipo": "publicacion", "hitos-0-inicio": "2026-07-28T00:00",
        "hitos-0-fin": "2026-08-05T23:59"}).get_data(as_text=True)
    assert "El 28/07/2026 es feriado (Día de la Independencia): elija un día hábil." in html
    assert not db.session.get(m.Convocatoria, conv.id).cronograma


@pytest.mark.parametrize("rol", ["comite", "veedor", "postulante"])
def test_other_roles_cannot_open_the_wizard(clients_by_role, db, rol):
    conv = _convocatoria(db, estado=EstadoConvocatoria.borrador)
    client = clients_by_role[rol]
    assert client.get("/gestion/nueva").status_code == 403
    assert client.get(f"/gestion/{conv.id}").status_code == 403
    assert client.post(f"/gestion/{conv.id}/cronograma", data={"calcular": "1"}).status_code == 403
    assert clients_by_role["publico"].get("/gestion/nueva").status_code == 302


def test_orh_of_another_institution_gets_404(client_for, db):
    conv = _convocatoria(db, estado=EstadoConvocatoria.borrador)
    client = client_for("orh.migraciones")
    assert client.get(f"/gestion/{conv.id}").status_code == 404
    assert client.post(f"/gestion/{conv.id}/accion/publicar").status_code == 404


def test_admin_chooses_the_institution_and_its_own_bases_version(client_for, db):
    client = client_for("admin")
    html = client.get("/gestion/nueva").get_data(as_text=True)
    assert 'id="campo-entidad"' in html  # ORH never sees it: its calls belong to its institution (A1)
    assert 'id="campo-entidad"' not in client_for("orh.sunedu").get("/gestion/nueva").get_data(as_text=True)
    mig = db.session.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "MIGRACIONES"))
    n = next(_NUMEROS)
    html = client.post("/gestion/nueva", data=_datos(db, n, entidad=str(mig.id))).get_data(as_text=True)
    assert "La versión de bases no pertenece a la entidad." in _campo(html, "version_bases")
    assert db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == n)) is None
    version_mig = db.session.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == mig.id))
    r = client.post("/gestion/nueva", data=_datos(db, n, entidad=str(mig.id), version_bases=str(version_mig.id)))
    assert r.status_code == 302
    conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == n))
    assert conv.codigo == f"CAS N° {n}-2026-MIGRACIONES" and conv.entidad_id == mig.id


def test_the_application_period_cannot_open_before_the_bases_version_is_in_force(client_for, db):
    """F3: the call is judged by its bases version, whose parameters have a value only from ``vigente_desde``
    (SUNEDU 2026: 01/01/2026). An application period opening before is refused at its field on every path
    (the wizard, the CRUD screen), and a call stored that way cannot be evaluated, with the reason."""
    from casadmin import engine_db

    conv = _convocatoria(db, estado=EstadoConvocatoria.borrador, dias={TipoHito.postulacion: 10})
    client = client_for("orh.sunedu")
    postulacion = _hito(db, conv, TipoHito.postulacion)
    antes = (postulacion.inicio, postulacion.fin)
    mensaje = ("La postulación no puede empezar el 31/12/2025: las bases «sunedu-2026» de la convocatoria rigen "
               "desde el 01/01/2026.")
    r = client.post(f"/hitocronogramaview/edit/{postulacion.id}", data={
        "convocatoria": conv.id, "tipo": "postulacion", "inicio": "2025-12-31 08:30:00",
        "fin": "2025-12-31 16:30:00", "responsable": "ORH"})
    assert r.status_code == 200 and mensaje in r.get_data(as_text=True)
    assert (_hito(db, conv, TipoHito.postulacion).inicio, _hito(db, conv, TipoHito.postulacion).fin) == antes

    datos = {"guardar": "1", "hitos-0-tipo": "postulacion", "hitos-0-inicio": "2025-12-31T08:30",
             "hitos-0-fin": "2025-12-31T16:30", "hitos-0-responsable": "ORH"}
    html = client.post(f"/gestion/{conv.id}/cronograma", data=datos).get_data(as_text=True)
    assert mensaje in html
    assert (_hito(db, conv, TipoHito.postulacion).inicio, _hito(db, conv, TipoHito.postulacion).fin) == antes
    # The first day in force is accepted.
    r = client.post(f"/hitocronogramaview/edit/{postulacion.id}", data={
        "convocatoria": conv.id, "tipo": "postulacion", "inicio": "2026-01-01 08:30:00",
        "fin": "2026-01-01 16:30:00", "responsable": "ORH"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]

    # Stored before this check (or written around it): the rest of the call stays editable, but it is not
    # published, and evaluating it says why.
    db.session.execute(sa.update(m.HitoCronograma).where(m.HitoCronograma.id == postulacion.id).values(
        inicio=dt.datetime(2025, 12, 31, 8, 30), fin=dt.datetime(2025, 12, 31, 16, 30)))
    db.session.commit()
    r = client.post(f"/convocatoriaview/edit/{conv.id}", data={
        "version_bases": str(conv.version_bases_id), "numero": str(conv.numero), "anio": "2026", "codigo": conv.codigo,
        "nombre_puesto": "Editado", "organo": "OTI", "cantidad_posiciones": "1", "remuneracion": "6000",
        "lugar": "Lima", "duracion_contrato": "3 meses", "modalidad_firma": "virtual"})
    assert r.status_code == 302, _texto(r)[:2000]
    db.session.expire_all()
    assert db.session.get(m.Convocatoria, conv.id).nombre_puesto == "Editado"
    r = client.post(f"/hitocronogramaview/edit/{postulacion.id}", data={
        "convocatoria": conv.id, "tipo": "postulacion", "inicio": "2025-12-31 08:30:00",
        "fin": "2025-12-31 17:00:00", "responsable": "ORH"})  # its end only: the start is not new
    assert r.status_code == 302, _texto(r)[:2000]
    from casadmin import ciclo

    conv = db.session.get(m.Convocatoria, conv.id)
    assert mensaje + " Elija" in " ".join(ciclo.motivos_rechazo(db.session, conv, "publicar"))
    with pytest.raises(engine_db.EvaluacionRechazada, match="no puede evaluarse: la postulación empieza el 31/12/2025, "
                                                             "antes de que rijan las bases «sunedu-2026»"):
        engine_db.evaluar(db.session, conv.codigo, "ficha")
