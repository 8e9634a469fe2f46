"""The evaluator's checklist of the expediente decides (§4.2.4 Presentación del Expediente Curricular)."""

from __future__ import annotations

import dataclasses
import itertools
import json

import sqlalchemy as sa
from test_etapas import _calcular, _documentos_declarados, _examen, _expediente, _ficha, _ids, _resultados
from test_etapas_desactualizadas import conv, orh  # noqa: F401  (fixtures)

from casadmin import etapas
from casadmin import models as m
from casadmin.engine.bases import TipoDocumento
from casadmin.models.enums import Etapa, Resultado

_n = itertools.count(950501)
FACTORES = ("experiencia_general", "experiencia_especifica", "experiencia_publica", "formacion", "cursos")


def _hasta_la_curricular(orh, db, conv) -> tuple[dict[str, int], list[str]]:
    """The call evaluated up to the psychological test, every candidate left present: (ids by document,
    the documents of those in the curricular stage)."""
    _ficha(orh, db, conv.id)
    _examen(orh, db, conv.id)
    ids = _ids(db, conv.id)
    siguen = sorted(d for d, (r, _) in _resultados(db, conv.id, "examen").items() if r == "apto")
    url = f"/etapas/{conv.id}/psicologica/asistencia"
    assert orh.post(url, data={"postulacion": [str(ids[d]) for d in siguen],
                               **{f"asistio-{ids[d]}": "si" for d in siguen}}).status_code == 302
    assert _calcular(orh, conv.id, "psicologica").status_code == 302
    return ids, siguen


def _calificacion(db, conv, postulacion_id: int, cambios: dict[str, str] | None = None) -> dict[str, str]:
    """The curricular screen's form of a candidate: every factor Cumple, the expediente in one PDF, foliated
    and signed, each declared bonus's document presented; then ``cambios`` (fields by name)."""
    return {**{f"factor-{f}": "si" for f in FACTORES}, "lista:un_pdf": "si", "lista:foliado_firmado": "si",
            **_documentos_declarados(db, conv, postulacion_id), **(cambios or {})}


def _calificar_y_calcular(orh, db, conv, ids, siguen, cambios) -> dict[str, tuple[str, object]]:
    """Each candidate rated on the screen (:func:`_calificacion` with ``cambios(document)``), then the stage
    computed: its results by document."""
    for d in siguen:
        datos = _calificacion(db, conv, ids[d], cambios(d))
        assert orh.post(f"/etapas/{conv.id}/curricular/{ids[d]}/calificar", data=datos).status_code == 302
    assert _calcular(orh, conv.id, "curricular").status_code == 302
    return _resultados(db, conv.id, "curricular")


def _fila_curricular(db, postulacion_id: int) -> m.ResultadoEtapa:
    return db.session.scalar(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.postulacion_id == postulacion_id,
                                                               m.ResultadoEtapa.etapa == Etapa.curricular))


def test_a_failed_eliminatory_checklist_item_makes_the_candidate_no_apto_with_its_clause(orh, db, conv):
    ids, siguen = _hasta_la_curricular(orh, db, conv)
    for d in siguen:
        _expediente(db, conv, ids[d], "2026-03-10T10:00:00-05:00")
    sin_firma, otro = siguen[0], siguen[1]
    cur = _calificar_y_calcular(orh, db, conv, ids, siguen, lambda d: {
        "lista:foliado_firmado": "no" if d == sin_firma else "si",
        "obs-lista:foliado_firmado": "Folios 3 a 7 sin visto bueno" if d == sin_firma else ""})
    assert cur[sin_firma] == ("no_apto", 0) and cur[otro] == ("apto", 30)
    fila = _fila_curricular(db, ids[sin_firma])
    (motivo,) = fila.motivos
    assert motivo["cumple"] is False and motivo["clausula"] == "§4.2.4 Presentación del Expediente Curricular"
    assert "foliada" in motivo["requisito"] and "No Apto/a" in motivo["mensaje"]
    assert "§4.2.4 Presentación del Expediente Curricular" in orh.get(
        f"/etapas/{conv.id}/curricular/postulacion/{ids[sin_firma]}").get_data(as_text=True)

    # The override stays possible, with its written reason; the engine keeps it on a new evaluation.
    r = orh.post(f"/etapas/{conv.id}/curricular/postulacion/{ids[sin_firma]}/modificar",
                 data={"resultado": "apto", "motivo": "Reconsideración N° 8: los folios sí tienen visto bueno."})
    assert r.status_code == 302
    assert _calcular(orh, conv.id, "curricular").status_code == 302
    db.session.expire_all()
    fila = db.session.get(m.ResultadoEtapa, fila.id)
    assert fila.resultado is Resultado.apto and fila.override


def test_the_documents_of_the_profiles_other_requirements_not_presented_make_the_candidate_no_apto(orh, db, conv):
    """§4.2.1 Otros requisitos: a certification the profile asks is declared in the Ficha and its document
    presented at the curricular stage; where the profile lists one, the checklist asks for those documents,
    and «No cumple» makes the candidate No Apto/a (§4.2.4 Criterios: «no acredita mediante la documentación
    correspondiente uno (01) o más requisitos exigidos en el perfil»), keeping the factors' points."""
    ids, siguen = _hasta_la_curricular(orh, db, conv)
    conv.perfil.otros.append(m.RequisitoOtro(descripcion="Certificación OSCE"))
    db.session.commit()
    sin_doc, con_doc = siguen[0], siguen[1]
    for d in siguen:
        _expediente(db, conv, ids[d], "2026-03-10T10:00:00-05:00")
    pagina = orh.get(f"/etapas/{conv.id}/curricular/{ids[sin_doc]}/calificar").get_data(as_text=True)
    assert 'data-item="lista:otros_requisitos"' in pagina and "§4.2.1 Otros requisitos" in pagina
    assert "(certificaciones, licencias u otros): Certificación OSCE" in pagina  # which ones the profile asks
    cur = _calificar_y_calcular(orh, db, conv, ids, siguen,
                                lambda d: {"lista:otros_requisitos": "no" if d == sin_doc else "si"})
    assert cur[sin_doc] == ("no_apto", 30) and cur[con_doc] == ("apto", 30)
    fila = _fila_curricular(db, ids[sin_doc])
    [motivo] = [x for x in fila.motivos if not x["cumple"]]
    assert motivo["clausula"] == "§4.2.4 Criterios de Evaluación; §4.2.1 Otros requisitos"
    assert motivo["mensaje"] == "No acredita con documentos el otro requisito del perfil (Certificación OSCE): No Apto/a."
    # left blank on the screen, it would pass for presented: Cumple or No cumple is asked
    r = orh.post(f"/etapas/{conv.id}/curricular/{ids[con_doc]}/calificar",
                 data=_calificacion(db, conv, ids[con_doc], {"lista:otros_requisitos": ""}))
    assert r.status_code == 422 and "Marque Cumple o No cumple: el perfil exige otros requisitos" in r.get_data(as_text=True)

    # the call, past the curricular stage (an expediente uploaded), exports and imports again with its checklist
    from casadmin import engine_db

    exportado = json.loads(json.dumps(engine_db.exportar(db.session, conv.codigo), default=str))
    n = next(_n)
    exportado["convocatoria"].update(numero=n, codigo=f"CAS N° {n}-2026-SUNEDU")
    copia = engine_db.importar(db.session, exportado)
    lista = {p["id"]: p["entradas"]["curricular"]["lista"] for p in json.loads(json.dumps(
        engine_db.exportar(db.session, copia.codigo), default=str))["postulantes"] if "curricular" in p["entradas"]}
    assert {i: x.get("otros_requisitos") for i, x in lista.items()} == \
        {p["id"]: p["entradas"]["curricular"]["lista"].get("otros_requisitos") for p in exportado["postulantes"]
         if "curricular" in p["entradas"]}
    assert False in {x.get("otros_requisitos") for x in lista.values()}


def test_where_the_profile_asks_secundaria_a_young_tecnico_is_asked_for_the_document_of_the_training(orh, db, conv):
    """§4.2.5 h: the Ley 31533 bonuses need «acreditar su edad y formación técnica o profesional»; where the
    profile asks only secundaria no factor proves the training, so the checklist asks for its document, of a
    candidate of 29 at most who declared a completed técnico or university study, and not of the others."""
    from casadmin.models.enums import NivelAcademico

    ids, siguen = _hasta_la_curricular(orh, db, conv)
    joven, mayor, sin_estudios = siguen[0], siguen[1], siguen[2]
    for d in (joven, mayor, sin_estudios):
        post = db.session.get(m.Postulacion, ids[d])
        post.joven_31533 = d != mayor
        nivel = "secundaria" if d == sin_estudios else "tecnico"
        post.ficha = {**post.ficha, "formacion_academica": [{"nivel": nivel, "condicion": "egresado",
                                                             "carrera": "Computación"}]}
    db.session.commit()
    for d in siguen:
        _expediente(db, conv, ids[d], "2026-03-10T10:00:00-05:00")

    def pregunta(d) -> bool:
        pagina = orh.get(f"/etapas/{conv.id}/curricular/{ids[d]}/calificar").get_data(as_text=True)
        return 'data-item="lista:formacion_31533"' in pagina and "§4.2.5 h" in pagina

    assert not pregunta(joven)  # the profile asks a higher level: its formación factor proves the training
    conv.perfil.nivel_academico = NivelAcademico.secundaria
    db.session.commit()
    # young with a completed técnico study: asked; over 29, or young with secundaria only: not asked
    assert [pregunta(d) for d in (joven, mayor, sin_estudios)] == [True, False, False]
    datos = _calificacion(db, conv, ids[joven], {"lista:formacion_31533": ""})
    r = orh.post(f"/etapas/{conv.id}/curricular/{ids[joven]}/calificar", data=datos)
    assert r.status_code == 422  # left blank, the bonuses would be lost by an oversight
    assert "acreditar esa formación, que el perfil no exige (§4.2.5 h)" in r.get_data(as_text=True)
    assert orh.post(f"/etapas/{conv.id}/curricular/{ids[joven]}/calificar",
                    data={**datos, "lista:formacion_31533": "si"}).status_code == 302


def test_a_declared_bonus_asks_for_its_document_and_not_presenting_it_is_said_on_the_result_4_3(orh, db, conv):
    """§4.3: the curricular screen asks for the document of each bonus the candidate declared (here an
    FF.AA. discharge, §4.3.4), not for the others; «No cumple» puts the reason on the curricular result
    (the bonus is withheld at the final stage: tests/test_engine.py), without changing its score."""
    ids, siguen = _hasta_la_curricular(orh, db, conv)
    licenciado, otro = siguen[0], siguen[1]
    for d in (licenciado, otro):
        post = db.session.get(m.Postulacion, ids[d])
        ad = dict(post.ficha.get("informacion_adicional") or {})
        ad.update(licenciado_ffaa=d == licenciado, discapacidad=False, deportista_nivel=None)
        post.ficha = {**post.ficha, "informacion_adicional": ad}
    db.session.commit()
    for d in siguen:
        _expediente(db, conv, ids[d], "2026-03-10T10:00:00-05:00")

    pagina = orh.get(f"/etapas/{conv.id}/curricular/{ids[licenciado]}/calificar").get_data(as_text=True)
    assert 'data-item="lista:doc_ffaa"' in pagina and "§4.3.4" in pagina
    assert 'data-item="lista:doc_discapacidad"' not in pagina and 'data-item="lista:doc_deportista"' not in pagina
    assert 'data-item="lista:otros_requisitos"' not in pagina  # the profile lists no other requirement
    assert 'data-item="lista:formacion_31533"' not in pagina  # the profile asks more than secundaria
    assert 'data-item="lista:doc_ffaa"' not in orh.get(
        f"/etapas/{conv.id}/curricular/{ids[otro]}/calificar").get_data(as_text=True)

    # the declared condition's document must be judged: left blank (or «No aplica»), the bonus would be lost
    # by an oversight
    R = m.ResultadoEtapa
    items = sa.select(sa.func.count()).select_from(m.ItemVerificacion).join(R).where(
        R.postulacion_id == ids[licenciado], R.etapa == Etapa.curricular)
    antes = db.session.scalar(items)
    for valor in ("", "na"):
        datos = _calificacion(db, conv, ids[licenciado], {"lista:doc_ffaa": valor})
        r = orh.post(f"/etapas/{conv.id}/curricular/{ids[licenciado]}/calificar", data=datos)
        assert r.status_code == 422
        assert "declaró esta condición en su Ficha y la bonificación depende de que presente el documento (§4.3)" \
            in r.get_data(as_text=True)
    assert db.session.scalar(items) == antes
    for d in siguen:
        datos = _calificacion(db, conv, ids[d])
        if d == licenciado:
            datos.update({"lista:doc_ffaa": "no", "obs-lista:doc_ffaa": "Solo adjuntó la libreta militar"})
        assert orh.post(f"/etapas/{conv.id}/curricular/{ids[d]}/calificar", data=datos).status_code == 302
    assert _calcular(orh, conv.id, "curricular").status_code == 302
    cur = _resultados(db, conv.id, "curricular")
    assert cur[licenciado] == cur[otro] == ("apto", 30)
    fila = db.session.scalar(sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.postulacion_id == ids[licenciado],
                                                               m.ResultadoEtapa.etapa == Etapa.curricular))
    (falta,) = [x for x in fila.motivos if not x["cumple"]]
    assert falta["clausula"] == "§4.3.4" and "no se otorga la Bonificación por Licenciado de las FF.AA." in falta["mensaje"]
    # a recorded item stays on the screen, even if the condition no longer shows (it can be cleared)
    post = db.session.get(m.Postulacion, ids[licenciado])
    post.ficha = {**post.ficha, "informacion_adicional": {**post.ficha["informacion_adicional"], "licenciado_ffaa": False}}
    db.session.commit()
    assert 'data-item="lista:doc_ffaa"' in orh.get(
        f"/etapas/{conv.id}/curricular/{ids[licenciado]}/calificar").get_data(as_text=True)


def test_a_bonus_document_the_bases_take_from_the_application_upload_is_not_asked_again(orh, db, conv, monkeypatch):
    """Migraciones' applicants upload the FF.AA. support when applying (Mig. 9, ``TipoDocumento.acredita``):
    the curricular screen does not ask for that bonus document again once it was uploaded and validated (its
    bonus comes from the upload), while it still may be recorded «No cumple»; «No aplica» is no answer then.
    Not validated, it is asked as in any call. Here the SUNEDU call's bases with such an upload added."""
    ids, siguen = _hasta_la_curricular(orh, db, conv)
    licenciado = siguen[0]
    post = db.session.get(m.Postulacion, ids[licenciado])
    post.ficha = {**post.ficha, "informacion_adicional": {**(post.ficha.get("informacion_adicional") or {}),
                                                          "licenciado_ffaa": True}}
    db.session.commit()
    expediente = _expediente(db, conv, ids[licenciado], "2026-03-10T10:00:00-05:00")
    datos = _calificacion(db, conv, ids[licenciado], {"lista:doc_ffaa": ""})
    url = f"/etapas/{conv.id}/curricular/{ids[licenciado]}/calificar"
    assert orh.post(url, data=datos).status_code == 422  # SUNEDU: asked (§4.3)

    bases = etapas._bases(conv)
    con_subida = dataclasses.replace(bases, documentos=(*bases.documentos, TipoDocumento(
        "sustento_ffaa", "SUSTENTO DE LICENCIADO(A) DE LAS FUERZAS ARMADAS", requerido_si="licenciado_ffaa",
        acredita="doc_ffaa")))
    monkeypatch.setattr(etapas, "_bases", lambda c: con_subida)
    subido = m.DocumentoPostulacion(postulacion_id=ids[licenciado], tipo="sustento_ffaa", paginas=1,
                                    archivo_id=expediente.archivo_id, cargado_en=expediente.cargado_en)
    db.session.add(subido)  # uploaded when applying, not yet validated
    db.session.commit()
    assert orh.post(url, data=datos).status_code == 422
    subido.validado = True
    db.session.commit()
    r = orh.post(url, data={**datos, "lista:doc_ffaa": "na"})
    assert r.status_code == 422 and "cargó y validó este documento al postular" in r.get_data(as_text=True)
    assert orh.post(url, data=datos).status_code == 302
