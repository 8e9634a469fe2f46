"""E2: a stage's result documents (PDF and Excel) in publication order, with masked documents."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from casadmin import models as m
from casadmin import resultados
from casadmin.models.enums import Etapa, Resultado


def _etapa_con_resultados(db) -> tuple[int, Etapa]:
    """A demo call and stage with both kinds of result and at least one score."""
    conv_id, etapa = db.session.execute(
        sa.select(m.ResultadoEtapa.convocatoria_id, m.ResultadoEtapa.etapa)
        .where(m.ResultadoEtapa.puntaje.is_not(None))
        .group_by(m.ResultadoEtapa.convocatoria_id, m.ResultadoEtapa.etapa)
        .order_by(sa.func.count().desc()).limit(1)
    ).one()
    return conv_id, etapa


@pytest.fixture()
def etapa(db):
    conv_id, etapa = _etapa_con_resultados(db)
    enc = resultados.encabezado(db.session, conv_id, etapa)
    filas = list(resultados.filas(db.session, conv_id, etapa, lote=3))  # several batches
    return conv_id, etapa, enc, filas


def test_rows_put_those_who_continue_first_by_score_and_mask_documents(db, etapa):
    conv_id, et, enc, filas = etapa
    assert enc.con_puntaje and len(filas) == resultados.contar(db.session, conv_id, et) > 1
    assert [f.orden for f in filas] == list(range(1, len(filas) + 1))
    siguen = [f for f in filas if f.resultado in (Resultado.apto.value, Resultado.asistio.value)]
    assert filas[: len(siguen)] == siguen  # those who continue come first
    puntajes = [f.puntaje for f in siguen if f.puntaje is not None]
    assert puntajes == sorted(puntajes, reverse=True)
    numeros = set(db.session.scalars(sa.select(m.Postulante.numero_documento)))
    for f in filas:
        assert f.documento.startswith("****") and f.documento not in numeros


def test_pdf_lists_every_row_in_order_with_header_and_no_full_document(db, etapa):
    conv_id, et, enc, filas = etapa
    avances = []
    data = resultados.pdf(enc, iter(filas), len(filas), progreso=lambda h, t: avances.append((h, t)))
    texto = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert enc.codigo in texto and enc.titulo.upper() in texto
    posiciones = [texto.index(f.candidato) for f in filas]
    assert posiciones == sorted(posiciones)
    for numero in db.session.scalars(sa.select(m.Postulante.numero_documento)):
        assert numero not in texto
    assert avances[-1] == (len(filas), len(filas))


def test_excel_has_the_same_rows_with_exact_scores(db, etapa):
    conv_id, et, enc, filas = etapa
    ws = load_workbook(io.BytesIO(resultados.xlsx(enc, iter(filas), len(filas)))).active
    valores = list(ws.iter_rows(values_only=True))
    cabecera = valores.index(("N°", "Apellidos y nombres", "Documento", "Puntaje", "Resultado"))
    cuerpo = valores[cabecera + 1:]
    assert len(cuerpo) == len(filas)
    for fila, (orden, nombre, doc, puntaje, resultado) in zip(filas, cuerpo):
        assert (orden, nombre, doc, resultado) == (fila.orden, fila.candidato, fila.documento, fila.resultado.upper())
        assert (puntaje is None and fila.puntaje is None) or Decimal(str(puntaje)) == fila.puntaje


def test_a_stage_without_results_gives_a_document_that_says_so(db):
    conv_id, _ = _etapa_con_resultados(db)
    vacia = next(e for e in Etapa if resultados.contar(db.session, conv_id, e) == 0)
    enc = resultados.encabezado(db.session, conv_id, vacia)
    texto = PdfReader(io.BytesIO(resultados.pdf(enc, resultados.filas(db.session, conv_id, vacia), 0))).pages[0].extract_text()
    assert "No hay resultados registrados" in texto
