"""Later stages are never silently out of date (issue 5 item 3, helper H5).

Who takes part in a stage depends on every earlier one: the Ficha, the exam, the curricular
evaluation and the interview are eliminatory, the psychological test must be attended (§4.6), so
only those Apto / Asistió in every earlier stage continue. When an earlier stage changes after a
later one has results (an override with its reason, D1 §4.2.1 c; a new evaluation; an audited
recalculation of a published stage, F3; a corrected exam score, §4.2.2 l), the later stage shows
"Resultados desactualizados", cannot be published (§4.2) nor feed the final results (§4.2.6), and
evaluating it again clears the mark and removes the results of those who no longer take part.

Calls use numbers 950000–959999 (H5's range) of the SUNEDU example (tests/test_etapas.py).
"""

from __future__ import annotations

import itertools

import finales
import pytest
import sqlalchemy as sa
from test_etapas import (
    _auditoria,
    _calcular,
    _examen,
    _ficha,
    _fresh,
    _grilla,
    _ids,
    _resultados,
    fixture_conv,
    orh,  # noqa: F401  (fixture)
)

from casadmin import engine_db, etapas, final, publicacion
from casadmin import models as m
from casadmin.models.enums import Etapa

_numeros = itertools.count(950001)
finales._series.setdefault("desactualizadas", itertools.count(950801))  # the interview's scenario, H5's range

FICHA = "Evaluación de Ficha de Postulante y Anexos"
conv = fixture_conv(_numeros)


def _usuario(db) -> m.Usuario:
    return db.session.scalar(sa.select(m.Usuario).where(m.Usuario.username == finales.ORH))


def _publicar(app, db, conv_id: int, etapa: Etapa) -> None:
    sync = app.config.get("TAREAS_SYNC_FOR_TESTS")
    app.config["TAREAS_SYNC_FOR_TESTS"] = True
    try:
        publicacion.publicar_etapa(db.session, _fresh(db, conv_id), etapa, usuario=_usuario(db))
    finally:
        app.config["TAREAS_SYNC_FOR_TESTS"] = sync


def _publicada(db, conv_id: int, etapa: Etapa) -> bool:
    return db.session.scalar(sa.select(m.PublicacionEtapa.id).where(
        m.PublicacionEtapa.convocatoria_id == conv_id, m.PublicacionEtapa.etapa == etapa.name)) is not None


def _filas(db, conv_id: int, etapa: Etapa) -> set[int]:
    """Application ids with any row (evaluated or not) in the stage."""
    db.session.expire_all()
    return set(db.session.scalars(sa.select(m.ResultadoEtapa.postulacion_id).where(
        m.ResultadoEtapa.convocatoria_id == conv_id, m.ResultadoEtapa.etapa == etapa)))


def _desactualizada(db, conv_id: int, etapa: str):
    db.session.expire_all()
    return etapas.desactualizacion(db.session, _fresh(db, conv_id), etapa)


def _fila_etapa(html: str, etapa: str) -> str:
    inicio = html.index(f'data-etapa="{etapa}"')
    return html[inicio: html.index("</tr>", inicio)]


def test_an_override_of_the_ficha_marks_the_exam_until_it_is_evaluated_again(orh, db, conv, app):
    """D1 §4.2.1 c override → the exam (§4.6 eliminatory) is out of date, not publishable; evaluating it
    again clears the mark and removes the result of the one who no longer takes part (audited)."""
    ficha = _ficha(orh, db, conv.id)
    _examen(orh, db, conv.id)
    assert _desactualizada(db, conv.id, "examen") is None
    examen = _resultados(db, conv.id, "examen")
    ids = _ids(db, conv.id)
    doc = sorted(d for d, (r, _) in examen.items() if r == "apto")[0]
    r = orh.post(f"/etapas/{conv.id}/ficha/postulacion/{ids[doc]}/modificar",
                 data={"resultado": "no_apto", "motivo": "El anexo 11 no tiene la firma tal como figura en el DNI."})
    assert r.status_code == 302

    d = _desactualizada(db, conv.id, "examen")
    assert d is not None and d.causa == "ficha" and (d.fuera, d.nuevos, d.pendientes) == (1, 0, 0)
    aviso = (f"Resultados desactualizados: la etapa «{FICHA}» cambió después de evaluar esta etapa. "
             "Vuelva a evaluar.")
    assert aviso in _fila_etapa(orh.get(f"/etapas/{conv.id}").get_data(as_text=True), "examen")
    assert aviso not in _fila_etapa(orh.get(f"/etapas/{conv.id}").get_data(as_text=True), "ficha")
    pagina = orh.get(f"/etapas/{conv.id}/examen").get_data(as_text=True)
    assert aviso in pagina and "Volver a evaluar" in pagina

    # Not published, and the next stage is not evaluated on it; nothing changed.
    with pytest.raises(publicacion.PublicacionRechazada, match="Evaluación de Conocimientos Técnicos tiene "
                                                                 "resultados desactualizados"):
        _publicar(app, db, conv.id, Etapa.examen)
    db.session.rollback()
    assert not _publicada(db, conv.id, Etapa.examen)
    r = _calcular(orh, conv.id, "psicologica")
    assert "tiene resultados desactualizados" in orh.get(r.headers["Location"]).get_data(as_text=True)
    assert _resultados(db, conv.id, "psicologica") == {}

    # Evaluated again: current; the candidate's exam result and score are gone, kept in the audit trail.
    assert _calcular(orh, conv.id, "examen").status_code == 302
    assert _desactualizada(db, conv.id, "examen") is None
    assert ids[doc] not in _filas(db, conv.id, Etapa.examen)
    assert {k: v for k, v in _resultados(db, conv.id, "examen").items() if k != doc} == \
        {k: v for k, v in examen.items() if k != doc}
    (rec,) = _auditoria(db, conv.id, "quitar_resultados_fuera_de_etapa")
    antes = rec.antes["resultados"][str(ids[doc])]
    assert rec.antes["etapa"] == "examen" and antes["resultado"] == "apto"
    assert antes["puntaje"] == str(examen[doc][1]) and antes["entradas"]["asistio"]["cumple"] is True
    assert rec.usuario == "orh.sunedu"
    assert "Resultados desactualizados" not in orh.get(f"/etapas/{conv.id}").get_data(as_text=True)
    _publicar(app, db, conv.id, Etapa.examen)
    assert _publicada(db, conv.id, Etapa.examen)

    # The other way: someone who enters the exam is a new candidate without a result.
    otro = next(d for d, (r, _) in sorted(ficha.items()) if r == "no_apto")
    assert orh.post(f"/etapas/{conv.id}/ficha/postulacion/{ids[otro]}/modificar",
                    data={"resultado": "apto", "motivo": "Reconsideración N° 3: la Ficha sí acredita la formación."}
                    ).status_code == 302
    d = _desactualizada(db, conv.id, "examen")
    assert d is not None and d.causa == "ficha" and (d.fuera, d.nuevos) == (0, 1)


def test_evaluate_on_the_command_line_removes_who_no_longer_takes_part(orh, db, conv, app):
    """§4.6: `casadmin evaluate` judges a stage as its screen does, so it too first removes the rows of
    those an earlier eliminatory stage no longer lets through (they stayed, «Apto» in an exam they no
    longer take part in, and the stage was «desactualizada» for ever), audited as the console's act."""
    _ficha(orh, db, conv.id)
    _examen(orh, db, conv.id)
    examen = _resultados(db, conv.id, "examen")
    ids = _ids(db, conv.id)
    doc = sorted(d for d, (r, _) in examen.items() if r == "apto")[0]
    etapas.modificar_resultado(db.session, _fresh(db, conv.id), ids[doc], "ficha", "no_apto",
                               "El anexo 11 no tiene la firma tal como figura en el DNI.")
    assert _desactualizada(db, conv.id, "examen").fuera == 1

    salida = app.test_cli_runner().invoke(args=["casadmin", "evaluate", _fresh(db, conv.id).codigo,
                                                "--stage", "examen"])
    assert salida.exit_code == 0, salida.output
    assert "Quitados (ya no siguen en el proceso, §4.6; constan en la auditoría): 1" in salida.output
    assert ids[doc] not in _filas(db, conv.id, Etapa.examen)
    assert _desactualizada(db, conv.id, "examen") is None
    assert {k: v for k, v in _resultados(db, conv.id, "examen").items() if k != doc} == \
        {k: v for k, v in examen.items() if k != doc}
    (rec,) = _auditoria(db, conv.id, "quitar_resultados_fuera_de_etapa")
    assert rec.antes["resultados"][str(ids[doc])]["resultado"] == "apto"
    assert rec.usuario.startswith("consola")

    # Nothing else to remove the next time
    otra = app.test_cli_runner().invoke(args=["casadmin", "evaluate", _fresh(db, conv.id).codigo, "--stage", "examen"])
    assert otra.exit_code == 0 and "Quitados" not in otra.output


def test_a_new_evaluation_of_the_ficha_marks_the_later_stages(orh, db, conv):
    """The evaluator's checklist (§4.2.1 b) changes a Ficha: the Ficha itself waits for its evaluation,
    and once evaluated the exam is out of date until evaluated again."""
    _ficha(orh, db, conv.id)
    _examen(orh, db, conv.id)
    examen = _resultados(db, conv.id, "examen")
    ids = _ids(db, conv.id)
    doc = sorted(d for d, (r, _) in examen.items() if r == "apto")[-1]
    r = orh.post(f"/etapas/{conv.id}/ficha/postulacion/{ids[doc]}/verificacion",
                 data={"check-anexos_datos_convocatoria": "si", "check-anexos_firmados": "no",
                       "check-ficha_firmada": "si"})
    assert r.status_code == 302
    d = _desactualizada(db, conv.id, "ficha")
    assert d is not None and d.causa is None and d.pendientes == 1
    assert "se modificaron los datos de 1 candidato(s)" in d.mensaje
    r = _calcular(orh, conv.id, "examen")  # not on a Ficha waiting for its evaluation
    assert "tiene resultados desactualizados" in orh.get(r.headers["Location"]).get_data(as_text=True)

    assert _ficha(orh, db, conv.id)[doc] == ("no_apto", None)  # evaluar: the Ficha is current again
    assert _desactualizada(db, conv.id, "ficha") is None
    d = _desactualizada(db, conv.id, "examen")
    assert d is not None and d.causa == "ficha" and d.fuera == 1
    assert _calcular(orh, conv.id, "examen").status_code == 302
    assert _desactualizada(db, conv.id, "examen") is None
    assert doc not in _resultados(db, conv.id, "examen")


def test_an_audited_recalculation_of_a_published_stage_marks_the_later_ones(orh, db, conv, app):
    """F3: a published Ficha recalculated with a reason (the profile was registered wrong) drops
    candidates; the exam, evaluated before, is out of date and its publication refused."""
    _ficha(orh, db, conv.id)
    _publicar(app, db, conv.id, Etapa.ficha)
    _examen(orh, db, conv.id)
    antes = _resultados(db, conv.id, "examen")
    perfil = _fresh(db, conv.id).perfil
    perfil.experiencia_general_meses = 150  # 12 years and a half instead of 4 (§4.2.1 p)
    db.session.commit()
    r = orh.post(f"/etapas/{conv.id}/ficha/recalcular",
                 data={"motivo": "Oficio 45-2026: el perfil exige 150 meses de experiencia general."})
    assert r.status_code == 302
    ficha = _resultados(db, conv.id, "ficha")
    caidos = {d for d in antes if ficha[d][0] != "apto"}
    assert caidos and len(caidos) < len(antes), (ficha, antes)

    d = _desactualizada(db, conv.id, "examen")
    assert d is not None and d.causa == "ficha" and d.fuera == len(caidos)
    with pytest.raises(publicacion.PublicacionRechazada, match="desactualizados"):
        _publicar(app, db, conv.id, Etapa.examen)
    db.session.rollback()
    assert not _publicada(db, conv.id, Etapa.examen)

    assert _calcular(orh, conv.id, "examen").status_code == 302
    assert _desactualizada(db, conv.id, "examen") is None
    assert set(_resultados(db, conv.id, "examen")) == set(antes) - caidos


def test_a_corrected_exam_score_marks_the_later_stages_and_the_final_results_refuse(orh, db, conv, app):
    """§4.2.2 l: a score corrected below the pass mark; the exam waits for its evaluation, the
    psychological test is out of date, nothing is published or computed from it (§4.2.6)."""
    _ficha(orh, db, conv.id)
    _examen(orh, db, conv.id)
    examen = _resultados(db, conv.id, "examen")
    ids = _ids(db, conv.id)
    siguen = sorted(d for d, (r, _) in examen.items() if r == "apto")
    url = f"/etapas/{conv.id}/psicologica/asistencia"
    assert orh.post(url, data={"postulacion": [str(ids[d]) for d in siguen],
                               **{f"asistio-{ids[d]}": "si" for d in siguen}}).status_code == 302
    assert _calcular(orh, conv.id, "psicologica").status_code == 302
    assert _desactualizada(db, conv.id, "psicologica") is None

    doc = siguen[0]
    r = orh.post(f"/etapas/{conv.id}/examen/puntajes", data=_grilla(ids, {doc: ("si", "10")}))
    assert r.status_code == 302
    d = _desactualizada(db, conv.id, "examen")
    assert d is not None and d.causa is None and d.pendientes == 1
    d = _desactualizada(db, conv.id, "psicologica")
    assert d is not None and d.causa == "examen" and d.fuera == 1
    pagina = orh.get(f"/etapas/{conv.id}/psicologica").get_data(as_text=True)
    assert "Resultados desactualizados: la etapa «Evaluación de Conocimientos Técnicos» cambió" in pagina

    with pytest.raises(publicacion.PublicacionRechazada, match="desactualizados"):
        _publicar(app, db, conv.id, Etapa.psicologica)
    db.session.rollback()
    with pytest.raises(final.FinalRechazado, match="desactualizados"):
        final.evaluar_final(db.session, _fresh(db, conv.id))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.ResultadoFinal)
                             .where(m.ResultadoFinal.convocatoria_id == conv.id)) == 0
    r = _calcular(orh, conv.id, "psicologica")
    assert "tiene resultados desactualizados" in orh.get(r.headers["Location"]).get_data(as_text=True)

    assert _calcular(orh, conv.id, "examen").status_code == 302
    assert _resultados(db, conv.id, "examen")[doc][0] == "no_apto"
    assert _desactualizada(db, conv.id, "examen") is None
    assert _desactualizada(db, conv.id, "psicologica").fuera == 1  # still: evaluate it again
    assert _calcular(orh, conv.id, "psicologica").status_code == 302
    assert _desactualizada(db, conv.id, "psicologica") is None
    assert ids[doc] not in _filas(db, conv.id, Etapa.psicologica)
    _publicar(app, db, conv.id, Etapa.psicologica)
    assert _publicada(db, conv.id, Etapa.psicologica)


def test_the_interview_follows_its_shortlist_and_the_final_results_refuse_an_old_one(app, db, client_for):
    """D5 §4.2.4: the shortlist follows the curricular results; an override there after the interview
    was formed makes the interview out of date and the final results (§4.2.6) refuse until it is formed again."""
    d = finales.datos("desactualizadas")
    conv = finales.importar_y_evaluar(db, d)
    assert etapas.desactualizadas(db.session, conv) == {}
    R = m.ResultadoEtapa
    entrevistados = set(db.session.scalars(sa.select(R.postulacion_id).where(
        R.convocatoria_id == conv.id, R.etapa == Etapa.entrevista, R.evaluado_en.is_not(None))))
    pid = sorted(entrevistados)[0]
    etapas.modificar_resultado(db.session, conv, pid, "curricular", "no_apto",
                               "Reconsideración: los certificados de trabajo no tienen firma ni sello (§4.2.4 b).")
    d_ = etapas.desactualizacion(db.session, _fresh(db, conv.id), "entrevista")
    assert d_ is not None and d_.causa == "curricular" and d_.fuera == 1
    assert "la etapa «Evaluación Curricular» cambió" in d_.mensaje
    cliente = finales.cliente_orh(app, client_for, conv)
    pagina = cliente.get(f"/etapas/{conv.id}/entrevista/convocados").get_data(as_text=True)
    assert d_.mensaje in pagina and "Comité de Entrevista" in pagina
    assert d_.mensaje in _fila_etapa(cliente.get(f"/etapas/{conv.id}").get_data(as_text=True), "entrevista")
    with pytest.raises(final.FinalRechazado, match="Entrevista Personal tiene resultados desactualizados"):
        final.evaluar_final(db.session, _fresh(db, conv.id))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.ResultadoFinal)
                             .where(m.ResultadoFinal.convocatoria_id == conv.id)) == 0

    # Formed again (the committee's screen, or `casadmin evaluate`): the evaluation first takes out who
    # left the shortlist, audited.
    assert engine_db.evaluar(db.session, conv.codigo, "entrevista").quitados == 1
    (rec,) = _auditoria(db, conv.id, "quitar_resultados_fuera_de_etapa")  # the file's inputs of others stay
    assert rec.antes["etapa"] == "entrevista" and set(rec.antes["resultados"]) == {str(pid)}
    assert etapas.desactualizacion(db.session, _fresh(db, conv.id), "entrevista") is None
    # The one who left the shortlist left the stage too: no interview row of theirs stays behind.
    assert db.session.scalar(sa.select(sa.func.count()).where(
        R.convocatoria_id == conv.id, R.etapa == Etapa.entrevista, R.postulacion_id == pid)) == 0
    final.evaluar_final(db.session, _fresh(db, conv.id))
    assert pid not in set(db.session.scalars(sa.select(m.ResultadoFinal.postulacion_id).where(
        m.ResultadoFinal.convocatoria_id == conv.id)))
