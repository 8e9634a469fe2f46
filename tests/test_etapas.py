"""ORH's "Etapas" screens (issue 5 item 3; D1–D6), over HTTP on the real database.

Each test imports the SUNEDU example call (docs/examples, ten applicants) under a number of
its own (600000–699999), without any stage input: the screens record them. The bases are the
law: §4.2.1 c (Ficha: Apto / No apto, override with a written reason), §4.2.2 k, l (exam 0–30,
pass mark 21, absence "No se presentó"), §4.2.3 (psychological test: attendance), §4.2.4 (curricular
factors 4/8/8/6/4, shortlist of the five highest accumulated scores), §4.2 (a published stage is frozen).
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from pypdf import PdfWriter

from casadmin import engine_db, publicacion
from casadmin import etapas as etapas_svc
from casadmin import models as m
from casadmin.commands.postular import TIPO_EXPEDIENTE
from casadmin.engine import interchange
from casadmin.engine.interchange import fechahora
from casadmin.models.enums import EstadoTarea, Etapa, Resultado
from casadmin.storage import get_storage

EJEMPLO = Path(__file__).resolve().parent.parent / "docs" / "examples" / "cas-140-2026-sunedu.json"
_numeros = itertools.count(600001)

#: What each applicant of the example scores in the exam, by their place in the file
#: (the third is absent, the fourth below the pass mark).
PUNTAJES_EJEMPLO = ("26", "28", "", "18", "24", "22", "25", "24", "26", "29")


def _puntajes(conv_numero: int) -> dict[str, str]:
    return {documento(conv_numero, i): p for i, p in enumerate(PUNTAJES_EJEMPLO)}


@pytest.fixture()
def orh(client_for):
    return client_for("orh.sunedu")


def nueva_convocatoria(session, numero: int) -> m.Convocatoria:
    """The SUNEDU example call in evaluation under ``numero``, with an expediente window, its
    applicants without stage inputs and with document numbers of their own (so that the demo
    applicants' records, which other modules count, do not change)."""
    d = interchange.leer(EJEMPLO.read_bytes())
    c = d["convocatoria"]
    c["numero"], c["codigo"] = numero, f"CAS N° {numero}-{c['anio']}-SUNEDU"
    c["estado"] = "evaluacion"
    c["cronograma"].append({"tipo": "expediente", "inicio": "2026-03-10T08:30:00-05:00",
                            "fin": "2026-03-10T16:30:00-05:00"})
    for i, p in enumerate(d["postulantes"]):
        p["entradas"] = {}
        p["documento"]["numero"] = documento(numero, i)
        p.pop("email", None)
    d["decisiones_comite"] = []
    return engine_db.importar(session, d)


def documento(numero: int, i: int) -> str:
    """The DNI of the i-th applicant of the example in the call numbered ``numero``."""
    return f"6{numero % 100000:05d}{i:02d}"


def fixture_conv(numeros):
    """A ``conv`` fixture numbered from the calling module's own range ``numeros``."""

    @pytest.fixture()
    def conv(db):
        """A fresh SUNEDU call with exam and psychological test; back to draft afterwards, so that the
        public lists other modules read hold no more calls than before."""
        conv = nueva_convocatoria(db.session, next(numeros))
        yield conv
        db.session.rollback()
        db.session.execute(sa.update(m.Convocatoria).where(m.Convocatoria.id == conv.id).values(estado="borrador"))
        db.session.commit()

    return conv


conv = fixture_conv(_numeros)


def _fresh(db, conv_id: int) -> m.Convocatoria:
    db.session.expire_all()
    return db.session.get(m.Convocatoria, conv_id)


def _resultados(db, conv_id: int, etapa: str) -> dict[str, tuple[str, Decimal | None]]:
    """document → (result, score) of the stage's evaluated rows."""
    db.session.expire_all()
    R, P, Q = m.ResultadoEtapa, m.Postulacion, m.Postulante
    return {doc: (res.name, pts) for doc, res, pts in db.session.execute(
        sa.select(Q.numero_documento, R.resultado, R.puntaje).join(P, P.id == R.postulacion_id)
        .join(Q, Q.id == P.postulante_id)
        .where(R.convocatoria_id == conv_id, R.etapa == Etapa[etapa], R.evaluado_en.is_not(None)))}


def _ids(db, conv_id: int) -> dict[str, int]:
    """document → application id."""
    P, Q = m.Postulacion, m.Postulante
    return dict(db.session.execute(sa.select(Q.numero_documento, P.id).join(Q, Q.id == P.postulante_id)
                                   .where(P.convocatoria_id == conv_id)).all())


def _items(db, conv_id: int, etapa: str) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(m.ItemVerificacion).join(m.ResultadoEtapa)
                             .where(m.ResultadoEtapa.convocatoria_id == conv_id,
                                    m.ResultadoEtapa.etapa == Etapa[etapa])) or 0


def _auditoria(db, conv_id: int, accion: str) -> list[m.RegistroAuditoria]:
    db.session.expire_all()
    return db.session.scalars(sa.select(m.RegistroAuditoria).where(
        m.RegistroAuditoria.convocatoria_id == conv_id, m.RegistroAuditoria.accion == accion)
        .order_by(m.RegistroAuditoria.id)).all()


def _calcular(client, conv_id: int, etapa: str):
    return client.post(f"/etapas/{conv_id}/{etapa}/evaluar")


def _ficha(client, db, conv_id: int) -> dict[str, tuple[str, Decimal | None]]:
    r = _calcular(client, conv_id, "ficha")
    assert r.status_code == 302, r.get_data(as_text=True)
    return _resultados(db, conv_id, "ficha")


def _grilla(ids: dict[str, int], valores: dict[str, tuple[str, str]]) -> dict[str, object]:
    data: dict[str, object] = {"postulacion": [str(ids[d]) for d in valores]}
    for doc, (asistio, puntaje) in valores.items():
        data[f"asistio-{ids[doc]}"] = asistio
        data[f"puntaje-{ids[doc]}"] = puntaje
    return data


def _examen(client, db, conv_id: int) -> None:
    """Scores of every exam candidate through the grid, then the stage calculated."""
    ficha = _resultados(db, conv_id, "ficha")
    ids = _ids(db, conv_id)
    numero = db.session.get(m.Convocatoria, conv_id).numero
    valores = {d: (("si", p) if p else ("no", "")) for d, p in _puntajes(numero).items() if ficha[d][0] == "apto"}
    r = client.post(f"/etapas/{conv_id}/examen/puntajes", data=_grilla(ids, valores))
    assert r.status_code == 302, r.get_data(as_text=True)
    assert _calcular(client, conv_id, "examen").status_code == 302


def _pdf(paginas: int = 2) -> bytes:
    w = PdfWriter()
    for _ in range(paginas):
        w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _expediente(db, conv: m.Convocatoria, postulacion_id: int, cargado: str) -> m.DocumentoPostulacion:
    """A real PDF stored as the candidate's expediente (C5), uploaded at ``cargado`` (Lima time)."""
    data = _pdf()
    guardado = get_storage().save(data)
    archivo = m.Archivo(clave=guardado.clave, nombre_original="expediente.pdf", tipo_mime="application/pdf",
                        tamano=guardado.tamano, sha256=guardado.sha256, paginas=2, entidad_id=conv.entidad_id)
    doc = m.DocumentoPostulacion(postulacion_id=postulacion_id, tipo=TIPO_EXPEDIENTE, archivo=archivo, paginas=2,
                                 cargado_en=fechahora(cargado))
    db.session.add(doc)
    db.session.commit()
    return doc


def _documentos_declarados(db, conv: m.Convocatoria, postulacion_id: int) -> dict[str, str]:
    """The curricular screen's «Cumple» for the document of each bonus the candidate's Ficha declares (§4.3:
    the screen asks for each one)."""
    return {codigo: "si" for codigo, si in etapas_svc.bonos_declarados(db.session, conv, postulacion_id).items() if si}


# --- D1: the Ficha -----------------------------------------------------------------------------


def test_ficha_evaluation_review_with_reasons_and_override_with_reason(orh, db, conv):
    pagina = orh.get(f"/etapas/{conv.id}")
    assert pagina.status_code == 200
    texto = pagina.get_data(as_text=True)
    assert "Evaluación de Ficha de Postulante y Anexos" in texto and "Calcular resultados" in texto

    ficha = _ficha(orh, db, conv.id)
    assert len(ficha) == 10 and {r for r, _ in ficha.values()} <= {"apto", "no_apto"}
    assert all(p is None for _, p in ficha.values())  # §4.2.1 c: no score
    assert len(_auditoria(db, conv.id, "evaluar_etapa")) == 1

    lista = orh.get(f"/etapas/{conv.id}/ficha").get_data(as_text=True)
    assert lista.count('data-postulacion="') == 10

    ids = _ids(db, conv.id)
    doc = next(d for d, (r, _) in sorted(ficha.items()) if r == "apto")
    pid = ids[doc]
    revisar = orh.get(f"/etapas/{conv.id}/ficha/postulacion/{pid}").get_data(as_text=True)
    # Every reason: requirement, declared, counted, clause.
    assert "Experiencia general" in revisar and "§4.2.1 p" in revisar and "Modificar el resultado" in revisar
    # A candidate short of experience: how the days were counted, each declared experience with its clause.
    R = m.ResultadoEtapa
    corto = next(f for f in db.session.scalars(sa.select(R).where(R.convocatoria_id == conv.id, R.etapa == Etapa.ficha))
                 if any(mo["requisito"].startswith("Experiencia general") and not mo["cumple"] for mo in f.motivos))
    pagina = orh.get(f"/etapas/{conv.id}/ficha/postulacion/{corto.postulacion_id}").get_data(as_text=True)
    detalle = pagina[pagina.index('<details class="detalle-experiencia">'):]
    detalle = detalle[:detalle.index("</details>")]
    experiencias = db.session.get(m.Postulacion, corto.postulacion_id).ficha["experiencia_laboral"]
    assert "Cómo se computó" in detalle and "§4.2.1 p" in detalle
    assert all(x["empleador"] in detalle for x in experiencias) and experiencias

    url = f"/etapas/{conv.id}/ficha/postulacion/{pid}/modificar"
    # No written reason: refused at the field, nothing changed, nothing audited.
    r = orh.post(url, data={"resultado": "no_apto", "motivo": "  "})
    assert r.status_code == 422 and "Escriba el sustento" in r.get_data(as_text=True)
    assert _resultados(db, conv.id, "ficha")[doc] == ("apto", None)
    assert _auditoria(db, conv.id, "modificar_resultado") == []

    motivo = "Los anexos 11 y 12 no tienen la firma tal como figura en el DNI (§4.2.1 b)."
    r = orh.post(url, data={"resultado": "no_apto", "motivo": motivo})
    assert r.status_code == 302
    db.session.expire_all()
    fila = db.session.scalar(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.postulacion_id == pid,
                                                               m.ResultadoEtapa.etapa == Etapa.ficha))
    assert fila.resultado is Resultado.no_apto and fila.override and fila.motivo_override == motivo
    assert any(x["requisito"].startswith("Experiencia general") for x in fila.motivos)  # automatic ones stay
    (rec,) = _auditoria(db, conv.id, "modificar_resultado")
    assert rec.motivo == motivo and rec.antes["resultado"] == "apto" and rec.despues["resultado"] == "no_apto"
    assert rec.usuario == "orh.sunedu" and rec.postulacion_id == pid
    assert "Modificado por el evaluador" in orh.get(f"/etapas/{conv.id}/ficha").get_data(as_text=True)

    # The engine keeps the override on a new evaluation (D1), and the candidate leaves the next stage.
    assert _ficha(orh, db, conv.id)[doc] == ("no_apto", None)
    grilla = orh.get(f"/etapas/{conv.id}/examen/puntajes").get_data(as_text=True)
    assert f'data-documento="{doc}"' not in grilla


def test_the_evaluators_manual_checklist_of_the_ficha_becomes_a_reason(orh, db, conv):
    """D1, §4.2.1 b: annexes signed as in the DNI, checked by the evaluator item by item."""
    ficha = _ficha(orh, db, conv.id)
    doc = next(d for d, (r, _) in sorted(ficha.items()) if r == "apto")
    pid = _ids(db, conv.id)[doc]
    url = f"/etapas/{conv.id}/ficha/postulacion/{pid}/verificacion"
    r = orh.post(url, data={"check-anexos_datos_convocatoria": "si", "check-anexos_firmados": "no",
                            "check-ficha_firmada": "si"})
    assert r.status_code == 302
    assert len(_auditoria(db, conv.id, "registrar_verificacion_ficha")) == 1
    assert doc not in _resultados(db, conv.id, "ficha")  # pending until the stage is calculated again
    assert _ficha(orh, db, conv.id)[doc] == ("no_apto", None)
    fila = db.session.scalar(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.postulacion_id == pid,
                                                               m.ResultadoEtapa.etapa == Etapa.ficha))
    motivo = next(x for x in fila.motivos if x["requisito"] == "Anexos firmados tal como figura en el DNI")
    assert motivo["cumple"] is False
    pagina = orh.get(f"/etapas/{conv.id}/ficha/postulacion/{pid}").get_data(as_text=True)
    assert "Lista de verificación del evaluador" in pagina and "Anexos firmados tal como figura en el DNI" in pagina


def test_the_signature_check_is_offered_only_where_the_bases_ask_for_the_signature(db, conv):
    """The checklist of a Migraciones call asked about a digitized signature its manual does not ask for
    (Mig. 2, 7–9); SUNEDU's asks (§4.1 Ficha de Postulante (10), §4.2.1 b)."""
    mig = db.session.scalar(sa.select(m.Convocatoria).join(m.Entidad).where(m.Entidad.siglas == "MIGRACIONES")
                            .order_by(m.Convocatoria.id))
    assert mig is not None and "ficha_firmada" not in etapas_svc.lista_manual(db.session, mig)
    assert "anexos_firmados" in etapas_svc.lista_manual(db.session, mig)
    assert "ficha_firmada" in etapas_svc.lista_manual(db.session, conv)


def _juicios(db, pid: int) -> dict[str, bool | None]:
    """The Ficha-stage items of one application: code → cumple."""
    db.session.expire_all()
    return dict(db.session.execute(sa.select(m.ItemVerificacion.codigo, m.ItemVerificacion.cumple).join(
        m.ResultadoEtapa).where(m.ResultadoEtapa.postulacion_id == pid, m.ResultadoEtapa.etapa == Etapa.ficha)).all())


def test_the_evaluator_judges_each_experience_as_specific_on_screen(orh, db, conv):
    """D1, §4.2.1 w, x: specific experience is what the evaluator judges done in the function or the
    subject of the position, from the functions the applicant described. The screen records the
    judgment experience by experience; only the judged ones count for the specific requirements."""
    ficha = _ficha(orh, db, conv.id)
    doc = next(d for d, (r, _) in sorted(ficha.items()) if r == "apto")
    pid = _ids(db, conv.id)[doc]
    experiencias = etapas_svc.experiencias_declaradas(db.session, pid)
    assert len(experiencias) >= 2
    pagina = orh.get(f"/etapas/{conv.id}/ficha/postulacion/{pid}").get_data(as_text=True)
    assert "Experiencia específica (§4.2.1 w, x)" in pagina
    assert all(x["empleador"] in pagina and x["funciones"] in pagina for x in experiencias)
    # The example's file judged every experience, some specific and some not: the import keeps both
    # kinds of judgment, and the screen shows each checked as it was judged.
    juicios = {c: v for c, v in _juicios(db, pid).items() if c.startswith("especifica:")}
    assert len(juicios) == len(experiencias)
    for n in range(len(experiencias)):
        valor = "si" if juicios[f"especifica:{n}"] else "no"
        assert f'name="check-especifica:{n}" value="{valor}" checked' in pagina, n

    # The stage's list tells which candidates still have experiences nobody judged (they do not count).
    def sin_calificar() -> str | None:
        lista = orh.get(f"/etapas/{conv.id}/ficha").get_data(as_text=True)
        fila = re.search(rf'<tr data-postulacion="{pid}".*?</tr>', lista, re.S).group(0)
        marca = re.search(r"(\d+) experiencia\(s\) sin calificar", fila)
        return marca and marca.group(1)

    url = f"/etapas/{conv.id}/ficha/postulacion/{pid}/verificacion"
    assert sin_calificar() is None
    assert orh.post(url, data={"check-especifica:0": ""}).status_code == 302  # «Sin calificar» clears it
    assert "especifica:0" not in _juicios(db, pid) and sin_calificar() == "1"

    assert orh.post(url, data={"check-anexos_firmados": "si"}).status_code == 302
    todas_no = {f"check-especifica:{n}": "no" for n in range(len(experiencias))}
    assert orh.post(url, data=todas_no).status_code == 302
    assert sin_calificar() is None
    guardados = _juicios(db, pid)
    assert guardados["anexos_firmados"] is True  # what this post did not send stays
    assert all(guardados[f"especifica:{n}"] is False for n in range(len(experiencias)))
    assert doc not in _resultados(db, conv.id, "ficha")  # pending until the stage is calculated again
    assert _ficha(orh, db, conv.id)[doc] == ("no_apto", None)
    fila = db.session.scalar(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.postulacion_id == pid,
                                                               m.ResultadoEtapa.etapa == Etapa.ficha))
    especifica = next(x for x in fila.motivos if x["requisito"].startswith("Experiencia específica:"))
    assert especifica["cumple"] is False and "se computan 0 días" in especifica["mensaje"]
    rec = _auditoria(db, conv.id, "registrar_verificacion_ficha")[-1]
    assert rec.despues["entradas"][str(pid)]["especifica:0"] == {"cumple": False}

    # A form drawn before those judgments (each item's value then comes back as «antes-…») saves only
    # what its evaluator changed: experience 1 stays as saved since.
    assert orh.post(url, data={"antes-especifica:0": "", "check-especifica:0": "si",
                               "antes-especifica:1": "si", "check-especifica:1": "si"}).status_code == 302
    guardados = _juicios(db, pid)
    assert guardados["especifica:0"] is True and guardados["especifica:1"] is False

    # Judged specific again: Apto again.
    todas_si = {f"check-especifica:{n}": "si" for n in range(len(experiencias))}
    assert orh.post(url, data=todas_si).status_code == 302
    assert _ficha(orh, db, conv.id)[doc] == ("apto", None)
    pagina = orh.get(f"/etapas/{conv.id}/ficha/postulacion/{pid}").get_data(as_text=True)
    assert 'name="check-especifica:0" value="si" checked' in pagina

    # A value that is not a judgment is refused at its field, nothing is saved, and the page shows
    # what was sent.
    antes = len(_auditoria(db, conv.id, "registrar_verificacion_ficha"))
    r = orh.post(url, data={**todas_no, "check-especifica:0": "tal vez"})
    assert r.status_code == 422
    pagina = r.get_data(as_text=True)
    assert "Indique si la experiencia es específica" in pagina
    assert 'name="check-especifica:1" value="no" checked' in pagina
    assert len(_auditoria(db, conv.id, "registrar_verificacion_ficha")) == antes
    assert _resultados(db, conv.id, "ficha")[doc] == ("apto", None)


def test_the_evaluators_queue_of_experiences_not_judged_yet(orh, db, conv):
    """D1, §4.2.1 x: an experience nobody judged does not count, so the evaluator works through a queue:
    the stage's list filtered to the candidates with experiences not judged yet, and «Guardar y
    siguiente sin calificar» on the review page, in application order and then from the start. The
    database counts each frozen Ficha's experiences (SQLite and PostgreSQL: the suite runs on both)."""
    _ficha(orh, db, conv.id)
    pids = sorted(_ids(db, conv.id).values())
    a, b, c = pids[1], pids[4], pids[7]
    assert etapas_svc.sin_calificar(db.session, conv) == {}  # the example's file judged every experience

    def verificar(pid: int, data: dict[str, str]):
        return orh.post(f"/etapas/{conv.id}/ficha/postulacion/{pid}/verificacion", data=data)

    for pid, sin in ((a, 1), (b, 1), (c, 2)):
        assert verificar(pid, {f"check-especifica:{n}": "" for n in range(sin)}).status_code == 302
    # A Ficha without its list of experiences counts none (and does not break the database's count).
    sin_lista = db.session.get(m.Postulacion, pids[0])
    sin_lista.ficha = {**sin_lista.ficha, "experiencia_laboral": None}
    db.session.commit()

    db.session.expire_all()
    quedan = etapas_svc.sin_calificar(db.session, _fresh(db, conv.id))
    assert quedan == {a: 1, b: 1, c: 2}
    # The same as counting in Python each Ficha's experiences and the judgments recorded.
    for pid in pids:
        declaradas = len(etapas_svc.experiencias_declaradas(db.session, pid))
        juzgadas = sum(1 for k in _juicios(db, pid) if k.startswith("especifica:"))
        assert quedan.get(pid, 0) == max(0, declaradas - juzgadas), pid

    lista = orh.get(f"/etapas/{conv.id}/ficha?pendientes=1").get_data(as_text=True)
    assert sorted(int(x) for x in re.findall(r'<tr data-postulacion="(\d+)"', lista)) == [a, b, c]
    assert "3 candidato(s) con experiencias sin calificar" in lista and 'id="pendientes" checked' in lista
    todas = orh.get(f"/etapas/{conv.id}/ficha").get_data(as_text=True)
    assert todas.count('<tr data-postulacion="') == 10 and 'id="pendientes"' in todas

    # The review page links to the next one in the queue, looked for on click.
    pagina = orh.get(f"/etapas/{conv.id}/ficha/postulacion/{a}").get_data(as_text=True)
    enlace = re.search(r'id="siguiente-sin-calificar" href="([^"]+)"', pagina)
    assert enlace and enlace.group(1) == f"/etapas/{conv.id}/ficha/postulacion/{a}/siguiente"
    assert 'id="guardar-y-siguiente"' in pagina
    assert orh.get(enlace.group(1)).headers["Location"].endswith(f"/ficha/postulacion/{b}#especificas")
    assert orh.get(f"/etapas/{conv.id}/ficha/postulacion/{c}/siguiente").headers["Location"].endswith(
        f"/ficha/postulacion/{a}#especificas")  # from the last one: from the start

    # Judging a's experience and going on: b.
    r = verificar(a, {"check-especifica:0": "si", "siguiente": "1"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/ficha/postulacion/{b}#especificas")
    assert _juicios(db, a)["especifica:0"] is True
    # From c, the last one, without judging: back to the first left (b).
    r = verificar(c, {"siguiente": "1"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/ficha/postulacion/{b}#especificas")
    assert verificar(b, {"check-especifica:0": "no", "siguiente": "1"}).headers["Location"].endswith(
        f"/ficha/postulacion/{c}#especificas")
    # The last one judged: back to the list, with nothing left.
    r = verificar(c, {"check-especifica:0": "si", "check-especifica:1": "no", "siguiente": "1"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/etapas/{conv.id}/ficha")
    assert "No quedan experiencias sin calificar" in orh.get(r.headers["Location"]).get_data(as_text=True)
    assert etapas_svc.sin_calificar(db.session, _fresh(db, conv.id)) == {}
    r = orh.get(f"/etapas/{conv.id}/ficha/postulacion/{a}/siguiente")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/etapas/{conv.id}/ficha")

    # A profile that asks for no specific experience has nothing to judge: no queue.
    assert verificar(a, {"check-especifica:0": ""}).status_code == 302
    perfil = _fresh(db, conv.id).perfil
    perfil.experiencia_especifica_meses, perfil.experiencia_publica_meses = 0, None
    db.session.commit()
    assert etapas_svc.sin_calificar(db.session, _fresh(db, conv.id)) == {}
    assert 'id="pendientes"' not in orh.get(f"/etapas/{conv.id}/ficha").get_data(as_text=True)
    pagina = orh.get(f"/etapas/{conv.id}/ficha/postulacion/{a}").get_data(as_text=True)
    assert 'id="siguiente-sin-calificar"' not in pagina and 'id="guardar-y-siguiente"' not in pagina


def test_the_migration_counts_the_experiences_of_the_fichas_already_frozen(db, conv):
    """Migration e5a7c3d1f9b2 fills ``experiencias_declaradas`` from each frozen Ficha (SQLite and
    PostgreSQL JSON functions); a Ficha without its list counts none."""
    import importlib.util

    ruta = next(Path(__file__).resolve().parents[1].glob("migrations/versions/*_e5a7c3d1f9b2_*.py"))
    spec = importlib.util.spec_from_file_location("migracion_e5a7c3d1f9b2", ruta)
    migracion = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migracion)
    P = m.Postulacion
    pids = sorted(_ids(db, conv.id).values())
    sin_lista = db.session.get(P, pids[0])
    sin_lista.ficha = {**sin_lista.ficha, "experiencia_laboral": None}
    db.session.flush()
    db.session.execute(sa.update(P).where(P.convocatoria_id == conv.id).values(experiencias_declaradas=0))
    migracion.rellenar(db.session.connection())
    cuentas = dict(db.session.execute(sa.select(P.id, P.experiencias_declaradas).where(P.convocatoria_id == conv.id)).all())
    fichas = dict(db.session.execute(sa.select(P.id, P.ficha).where(P.convocatoria_id == conv.id)).all())
    assert cuentas == {pid: len(f["experiencia_laboral"] or ()) for pid, f in fichas.items()}
    assert cuentas[pids[0]] == 0 and all(cuentas[p] >= 2 for p in pids[1:])
    db.session.rollback()


def test_a_stage_waits_for_the_previous_one_and_for_its_inputs(orh, db, conv):
    r = _calcular(orh, conv.id, "examen")
    assert r.status_code == 302
    assert "aún no tiene resultados" in orh.get(r.headers["Location"]).get_data(as_text=True)
    assert _resultados(db, conv.id, "examen") == {}
    _ficha(orh, db, conv.id)
    r = _calcular(orh, conv.id, "examen")  # no score recorded yet: nobody is marked absent by default
    assert "Faltan registrar los datos" in orh.get(r.headers["Location"]).get_data(as_text=True)
    assert _resultados(db, conv.id, "examen") == {}


# --- D2: the knowledge exam ---------------------------------------------------------------------


def test_exam_grid_refuses_bad_scores_as_a_whole_then_saves_and_grades(orh, db, conv):
    ficha = _ficha(orh, db, conv.id)
    ids = _ids(db, conv.id)
    aptos = sorted(d for d, (r, _) in ficha.items() if r == "apto")
    fuera = sorted(d for d, (r, _) in ficha.items() if r != "apto")
    assert len(aptos) >= 3 and fuera, ficha
    url = f"/etapas/{conv.id}/examen/puntajes"
    assert orh.get(url).get_data(as_text=True).count('name="postulacion"') == len(aptos)

    # Out of range, more than two decimals, not a number, a score for someone absent: all at their field.
    malos = {aptos[0]: ("si", "31"), aptos[1]: ("si", "20.555"), aptos[2]: ("si", "veinte")}
    r = orh.post(url, data=_grilla(ids, malos))
    texto = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "fuera del rango de 0 a 30" in texto and "más de dos decimales" in texto and "no es un puntaje" in texto
    assert 'value="31"' in texto  # what was typed is kept
    assert _items(db, conv.id, "examen") == 0

    # A candidate not in the stage (No apto in the Ficha), even beside valid rows: refused, nothing saved.
    r = orh.post(url, data=_grilla(ids, {aptos[0]: ("si", "25"), fuera[0]: ("si", "25")}))
    assert r.status_code == 422 and "no está en la Evaluación de Conocimientos" in r.get_data(as_text=True)
    assert _items(db, conv.id, "examen") == 0

    puntajes = _puntajes(conv.numero)
    valores = {d: (("si", puntajes[d].replace(".", ",")) if puntajes[d] else ("no", "")) for d in aptos}
    r = orh.post(url, data=_grilla(ids, valores))
    assert r.status_code == 302
    assert len(_auditoria(db, conv.id, "registrar_puntajes_examen")) == 1
    assert _calcular(orh, conv.id, "examen").status_code == 302
    examen = _resultados(db, conv.id, "examen")
    for d in aptos:
        if not puntajes[d]:
            assert examen[d] == ("no_se_presento", None)  # §4.2.2 k
        else:
            esperado = "apto" if Decimal(puntajes[d]) >= 21 else "no_apto"  # §4.2.2 l
            assert examen[d] == (esperado, Decimal(puntajes[d]))


def test_exam_file_with_any_error_is_refused_whole_with_every_line(orh, db, conv):
    ficha = _ficha(orh, db, conv.id)
    aptos = sorted(d for d, (r, _) in ficha.items() if r == "apto")
    fuera = sorted(d for d, (r, _) in ficha.items() if r != "apto")
    url = f"/etapas/{conv.id}/examen/archivo"
    csv = ("numero_documento;puntaje\n"
           f"{aptos[0]};25,5\n"
           "99999999;20\n"            # line 3: unknown candidate
           f"{fuera[0]};22\n"         # line 4: not in the stage
           f"{aptos[1]};30.5\n"       # line 5: out of range
           f"{aptos[0]};21\n")        # line 6: repeated
    r = orh.post(url, data={"archivo": (io.BytesIO(csv.encode("utf-8")), "puntajes.csv")},
                 content_type="multipart/form-data")
    texto = r.get_data(as_text=True)
    assert r.status_code == 422 and "no se guardó ningún puntaje" in texto
    for linea, trozo in ((3, "no corresponde a ningún postulante"), (4, "no está en la Evaluación de Conocimientos"),
                         (5, "fuera del rango"), (6, "ya figura en la línea 2")):
        assert re.search(rf"Línea {linea}: [^<]*{trozo}", texto), (linea, trozo)
    assert _items(db, conv.id, "examen") == 0

    # A header without the score column is refused too.
    r = orh.post(url, data={"archivo": (io.BytesIO(b"dni,nombre\n40001111,X\n"), "p.csv")},
                 content_type="multipart/form-data")
    assert r.status_code == 422 and "numero_documento" in r.get_data(as_text=True)

    # A valid Excel file: DNI typed as numbers, a float score, "NSP" for an absence.
    libro = Workbook()
    hoja = libro.active
    hoja.append(["N° documento", "Puntaje"])
    hoja.append([int(aptos[0]), 25.5])
    hoja.append([aptos[1], "NSP"])
    hoja.append([aptos[2], 20])
    buf = io.BytesIO()
    libro.save(buf)
    r = orh.post(url, data={"archivo": (io.BytesIO(buf.getvalue()), "puntajes.xlsx")}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    (rec,) = _auditoria(db, conv.id, "registrar_puntajes_examen")
    assert rec.despues["origen"] == "archivo puntajes.xlsx"
    grilla = orh.get(f"/etapas/{conv.id}/examen/puntajes").get_data(as_text=True)
    assert 'value="25.50"' in grilla


# --- D3, D4, D5: psychological test, curricular evaluation, shortlist and timetable -----------------------------


def test_psychological_attendance_curricular_with_expediente_and_interview_timetable(orh, db, conv):
    _ficha(orh, db, conv.id)
    _examen(orh, db, conv.id)
    ids = _ids(db, conv.id)
    examen = _resultados(db, conv.id, "examen")
    siguen = sorted(d for d, (r, _) in examen.items() if r == "apto")
    assert len(siguen) >= 6

    # §4.2.3: attendance only; a candidate outside the stage is refused and nothing is saved.
    url = f"/etapas/{conv.id}/psicologica/asistencia"
    otro = next(d for d, (r, _) in examen.items() if r != "apto")
    datos = {"postulacion": [str(ids[d]) for d in siguen] + [str(ids[otro])],
             **{f"asistio-{ids[d]}": "si" for d in siguen}, f"asistio-{ids[otro]}": "si"}
    r = orh.post(url, data=datos)
    assert r.status_code == 422 and "no está en la Evaluación Psicológica" in r.get_data(as_text=True)
    assert _items(db, conv.id, "psicologica") == 0
    ausente = siguen[-1]
    datos = {"postulacion": [str(ids[d]) for d in siguen],
             **{f"asistio-{ids[d]}": ("no" if d == ausente else "si") for d in siguen}}
    assert orh.post(url, data=datos).status_code == 302
    assert _calcular(orh, conv.id, "psicologica").status_code == 302
    psico = _resultados(db, conv.id, "psicologica")
    assert psico[ausente] == ("no_se_presento", None)
    assert all(psico[d] == ("asistio", None) for d in siguen if d != ausente)

    # §4.2.4: the expediente beside the factor checklist; one came after the window, one never came.
    candidatos = [d for d in siguen if d != ausente]
    tarde, sin_expediente = candidatos[-1], candidatos[-2]
    docs = {d: _expediente(db, conv, ids[d], "2026-03-10T10:00:00-05:00") for d in candidatos[:-2]}
    _expediente(db, conv, ids[tarde], "2026-03-10T16:31:00-05:00")
    primero = candidatos[0]
    pagina = orh.get(f"/etapas/{conv.id}/curricular/{ids[primero]}/calificar").get_data(as_text=True)
    src = f"/archivos/{docs[primero].archivo_id}"
    assert f'<iframe src="{src}"' in pagina and "I. Experiencia general" in pagina and "En plazo" in pagina
    pdf = orh.get(src)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-") and pdf.mimetype == "application/pdf"
    assert "No presentó el Expediente Curricular" in orh.get(
        f"/etapas/{conv.id}/curricular/{ids[sin_expediente]}/calificar").get_data(as_text=True)

    calificar = f"/etapas/{conv.id}/curricular/{{}}/calificar"
    factores = ("experiencia_general", "experiencia_especifica", "experiencia_publica", "formacion", "cursos")
    # A factor left unmarked: refused at that factor, nothing saved.
    r = orh.post(calificar.format(ids[primero]), data={f"factor-{f}": "si" for f in factores[:-1]})
    assert r.status_code == 422 and "Marque Cumple o No cumple" in r.get_data(as_text=True)
    assert _items(db, conv.id, "curricular") == 0
    no_cumple = candidatos[1]
    for d in candidatos:
        datos = {f"factor-{f}": ("no" if d == no_cumple and f == "cursos" else "si") for f in factores}
        datos.update({"lista:un_pdf": "si", "lista:foliado_firmado": "si", "lista:traduccion": "na",
                      "obs-lista:un_pdf": "Un solo archivo, 2 páginas", **_documentos_declarados(db, conv, ids[d])})
        assert orh.post(calificar.format(ids[d]), data=datos).status_code == 302
    item = db.session.scalar(sa.select(m.ItemVerificacion).join(m.ResultadoEtapa).where(
        m.ResultadoEtapa.postulacion_id == ids[primero], m.ItemVerificacion.codigo == "lista:un_pdf"))
    assert item.cumple is True and item.observacion == "Un solo archivo, 2 páginas"

    assert _calcular(orh, conv.id, "curricular").status_code == 302
    cur = _resultados(db, conv.id, "curricular")
    assert cur[primero] == ("apto", Decimal(30))   # §4.2.4: 4 + 8 + 8 + 6 + 4
    assert cur[no_cumple] == ("no_apto", Decimal(26))  # any factor not met → No apto
    assert cur[tarde] == ("no_apto", Decimal(0)) and cur[sin_expediente] == ("no_apto", Decimal(0))

    # D5: the shortlist by accumulated score (exam + curricular); with the exam, the five highest.
    pagina = orh.get(f"/etapas/{conv.id}/entrevista/convocados").get_data(as_text=True)
    aptos = [d for d in candidatos if cur[d][0] == "apto"]
    for d in aptos:
        assert f'data-documento="{d}"' in pagina
    acumulado = sorted(((examen[d][1] + cur[d][1], d) for d in aptos), reverse=True)
    convocados = [d for total, d in acumulado if total >= acumulado[min(4, len(acumulado) - 1)][0]]
    assert pagina.count("Convocado(a) a la Entrevista Personal") == len(convocados)

    # The timetable: bad input refused at its field, then one slot each, editable.
    r = orh.post(f"/etapas/{conv.id}/entrevista/citaciones", data={"inicio": "", "duracion": "2", "lugar": ""})
    texto = r.get_data(as_text=True)
    assert r.status_code == 422 and "Indique la fecha y hora" in texto and "de 5 a 240" in texto
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Citacion).join(m.Postulacion)
                             .where(m.Postulacion.convocatoria_id == conv.id)) == 0
    r = orh.post(f"/etapas/{conv.id}/entrevista/citaciones",
                 data={"inicio": "2026-03-19T09:00", "duracion": "30", "lugar": "https://meet.example/cas"})
    assert r.status_code == 302
    db.session.expire_all()
    citas = db.session.scalars(sa.select(m.Citacion).join(m.Postulacion)
                               .where(m.Postulacion.convocatoria_id == conv.id).order_by(m.Citacion.fecha_hora)).all()
    assert len(citas) == len(convocados)
    assert [c.fecha_hora.strftime("%H:%M") for c in citas][:2] == ["09:00", "09:30"]
    pid = citas[0].postulacion_id
    r = orh.post(f"/etapas/{conv.id}/entrevista/citaciones/{pid}",
                 data={f"fecha-{pid}": "2026-03-20T15:00", f"lugar-{pid}": "Sala 3, sede central"})
    assert r.status_code == 302
    db.session.expire_all()
    cita = db.session.scalar(sa.select(m.Citacion).where(m.Citacion.postulacion_id == pid))
    assert cita.fecha_hora.strftime("%d/%m %H:%M") == "20/03 15:00" and cita.lugar_o_enlace == "Sala 3, sede central"
    assert len(_auditoria(db, conv.id, "programar_entrevistas")) == 1
    assert len(_auditoria(db, conv.id, "modificar_citacion")) == 1


# --- a published stage is frozen (§4.2, E2, F3) ----------------------------------------------------------


def test_a_published_stage_refuses_every_edit_and_is_corrected_only_with_a_reason(orh, db, conv, app):
    _ficha(orh, db, conv.id)
    _examen(orh, db, conv.id)
    antes = _resultados(db, conv.id, "examen")
    orh_user = db.session.scalar(sa.select(m.Usuario).where(m.Usuario.username == "orh.sunedu"))
    tareas_sync = app.config.get("TAREAS_SYNC_FOR_TESTS")
    app.config["TAREAS_SYNC_FOR_TESTS"] = True
    try:
        publicacion.publicar_etapa(db.session, _fresh(db, conv.id), Etapa.examen, usuario=orh_user)
    finally:
        app.config["TAREAS_SYNC_FOR_TESTS"] = tareas_sync
    ids = _ids(db, conv.id)
    doc = next(d for d, (r, _) in antes.items() if r == "apto")
    items = _items(db, conv.id, "examen")

    r = orh.post(f"/etapas/{conv.id}/examen/puntajes", data=_grilla(ids, {doc: ("si", "10")}))
    assert r.status_code == 422 and "ya fueron publicados" in r.get_data(as_text=True)
    r = orh.post(f"/etapas/{conv.id}/examen/archivo",
                 data={"archivo": (io.BytesIO(f"numero_documento,puntaje\n{doc},10\n".encode()), "p.csv")},
                 content_type="multipart/form-data")
    assert r.status_code == 422 and "ya fueron publicados" in r.get_data(as_text=True)
    r = orh.post(f"/etapas/{conv.id}/examen/postulacion/{ids[doc]}/modificar",
                 data={"resultado": "no_apto", "motivo": "Corrección de un error de digitación."})
    assert r.status_code == 422 and "ya fueron publicados" in r.get_data(as_text=True)
    r = _calcular(orh, conv.id, "examen")
    assert "ya fueron publicados" in orh.get(r.headers["Location"]).get_data(as_text=True)
    assert _resultados(db, conv.id, "examen") == antes and _items(db, conv.id, "examen") == items

    r = orh.post(f"/etapas/{conv.id}/examen/recalcular", data={"motivo": " "})
    assert "Escriba el motivo" in orh.get(r.headers["Location"]).get_data(as_text=True)
    assert _auditoria(db, conv.id, "recalcular_etapa") == []
    r = orh.post(f"/etapas/{conv.id}/examen/recalcular", data={"motivo": "Reclamo N° 12: verificación de actas."})
    assert r.status_code == 302
    (rec,) = _auditoria(db, conv.id, "recalcular_etapa")
    assert rec.motivo == "Reclamo N° 12: verificación de actas." and rec.usuario == "orh.sunedu"
    assert _resultados(db, conv.id, "examen") == antes


# --- scope, permissions, the background job ---------------------------------------------------------------


def test_only_orh_of_the_institution_and_the_administrator_reach_the_screens(client_for, clients_by_role, db, conv):
    assert client_for("orh.migraciones").get(f"/etapas/{conv.id}").status_code == 404
    assert client_for("orh.migraciones").post(f"/etapas/{conv.id}/ficha/evaluar").status_code == 404
    assert _resultados(db, conv.id, "ficha") == {}
    for rol in ("comite", "veedor", "postulante"):
        assert clients_by_role[rol].get(f"/etapas/{conv.id}").status_code == 403, rol
    assert clients_by_role["publico"].get(f"/etapas/{conv.id}").status_code == 302
    assert clients_by_role["admin"].get(f"/etapas/{conv.id}").status_code == 200
    assert conv.codigo in client_for("orh.sunedu").get("/etapas/").get_data(as_text=True)


def test_a_large_stage_runs_as_a_background_job_with_progress(orh, db, conv, app):
    antes = {k: app.config.get(k) for k in ("ETAPAS_TAREA_DESDE", "TAREAS_SYNC_FOR_TESTS")}
    app.config.update(ETAPAS_TAREA_DESDE=1, TAREAS_SYNC_FOR_TESTS=True)
    try:
        r = _calcular(orh, conv.id, "ficha")
    finally:
        app.config.update(antes)
    assert r.status_code == 302 and "/etapas/tarea/" in r.headers["Location"]
    tarea_id = int(r.headers["Location"].rsplit("/", 1)[1])
    estado = orh.get(f"/etapas/tarea/{tarea_id}.json").get_json()
    assert estado["estado"] == EstadoTarea.terminada.name and estado["progreso"] == 100, estado
    assert "10 resultado(s)" in estado["mensaje"]
    assert len(_resultados(db, conv.id, "ficha")) == 10
    assert orh.get(f"/etapas/tarea/{tarea_id}").status_code == 200


def test_the_demo_call_opens_with_its_stages(orh, db):
    """The demo's SUNEDU call in evaluation (loaded by `make run`) opens on the stage screen."""
    demo = db.session.scalar(sa.select(m.Convocatoria).join(m.Entidad).where(
        m.Entidad.siglas == "SUNEDU", m.Convocatoria.numero < 600000, m.Convocatoria.estado != "borrador")
        .order_by(m.Convocatoria.id).limit(1))
    pagina = orh.get(f"/etapas/{demo.id}")
    assert pagina.status_code == 200
    texto = pagina.get_data(as_text=True)
    assert 'data-etapa="ficha"' in texto and 'data-etapa="curricular"' in texto and 'data-etapa="entrevista"' in texto
    assert orh.get(f"/etapas/{demo.id}/ficha").status_code == 200


def test_the_summary_after_evaluating_carries_the_version_warning():
    """F3: what ORH reads after "Calcular resultados" includes the warning of an upgraded bases plugin."""
    r = engine_db.Evaluacion(codigo="CAS N° 1-2026-SUNEDU", etapa="ficha", conteo={"apto": 2}, reglas={}, convocados=[],
                             conservados=0, recalculada=False)
    from casadmin import etapas

    assert "Aviso" not in etapas.resumen(r)
    aviso = "La entidad registró las bases «sunedu-2026» con el plugin «sunedu» 0.0.9; …"
    assert etapas.resumen(dataclasses.replace(r, aviso=aviso)).endswith(f"Aviso: {aviso}")


def test_the_review_screens_checklist_and_the_ficha_plugins_reasons_cite_the_same_clauses():
    """D1, §4.2.1 b: each manual check has the same text and clause on the screen and in the reason."""
    from casadmin_sunedu.ficha import CHECKLIST

    assert etapas_svc.LISTA_FICHA == CHECKLIST


def test_the_curricular_checklists_bonus_documents_are_the_plugins():
    """§4.3: the documents of the bonuses on the expediente's checklist have the texts and clauses the SUNEDU
    plugin's reasons use (casadmin_sunedu.acreditacion)."""
    from casadmin_sunedu.acreditacion import DOCUMENTOS

    for codigo, (texto, clausula, _bono) in DOCUMENTOS.items():
        assert etapas_svc.LISTA_CURRICULAR[f"lista:{codigo}"] == (texto, clausula)
