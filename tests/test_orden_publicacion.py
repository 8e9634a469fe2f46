"""Issue 5 / E2 (§4.2 "Publicación de resultados"): the published list's order is stored when a
stage is published, the public portal pages by it, and an audited recalculation renumbers it."""

from __future__ import annotations

import copy
import html
import itertools
import re

import pytest
import sqlalchemy as sa

from casadmin import engine_db, publicacion, resultados
from casadmin import models as m
from casadmin.engine import interchange
from casadmin.models.enums import EstadoConvocatoria, Etapa, Resultado
from casadmin.views import publico
from tests.test_engine_db import EJEMPLOS

_numeros = itertools.count(230001)  # this module's call numbers (230000–239999)
_FILA = re.compile(r"<tr><td>(\d+)</td><td>(.*?)</td>")


@pytest.fixture()
def ficha_evaluada(db) -> m.Convocatoria:
    """The SUNEDU example call under a number of this module, its Ficha stage evaluated (not published)."""
    d = interchange.leer(EJEMPLOS["sunedu"].read_bytes())
    n = next(_numeros)
    d["convocatoria"]["numero"] = n
    d["convocatoria"]["codigo"] = f"CAS N° {n}-{d['convocatoria']['anio']}-{d['entidad']['siglas']}"
    conv = engine_db.importar(db.session, copy.deepcopy(d))
    conv.estado = EstadoConvocatoria.evaluacion  # on the portal (a draft is not)
    db.session.commit()
    engine_db.evaluar(db.session, conv.codigo, "ficha")
    return conv


def _portal(client, conv_id: int, pagina: int) -> list[tuple[int, str]]:
    r = client.get(f"/portal/{conv_id}/resultados/ficha?pagina={pagina}")
    assert r.status_code == 200
    return [(int(n), html.unescape(nombre)) for n, nombre in _FILA.findall(r.get_data(as_text=True))]


def _todas_las_paginas(client, conv_id: int, total: int, por_pagina: int) -> list[tuple[int, str]]:
    filas = []
    for pagina in range(1, -(-total // por_pagina) + 1):
        una = _portal(client, conv_id, pagina)
        assert len(una) == min(por_pagina, total - (pagina - 1) * por_pagina)
        filas += una
    return filas


def _ordenada(db, conv_id: int) -> list[tuple[int, str]]:
    """The list as sorted from scratch (casadmin.resultados.filas: the order the bases' lists are read in)."""
    return [(f.orden, f.candidato) for f in resultados.filas(db.session, conv_id, Etapa.ficha)]


def _guardado(db, conv_id: int) -> dict[str, int]:
    r = m.ResultadoEtapa
    filas = db.session.scalars(sa.select(r).where(r.convocatoria_id == conv_id, r.etapa == Etapa.ficha)).all()
    return {f.postulacion.ficha["intercambio"]["id"]: f.orden_publicacion for f in filas}


def test_publishing_stores_the_order_and_the_portal_pages_by_it(client_for, db, sincrono, ficha_evaluada,
                                                                monkeypatch):
    conv_id = ficha_evaluada.id
    assert set(_guardado(db, conv_id).values()) == {None}  # not published: no order yet
    publicacion.publicar_etapa(db.session, ficha_evaluada, Etapa.ficha)
    db.session.expire_all()
    guardado = _guardado(db, conv_id)
    total = len(guardado)
    assert sorted(guardado.values()) == list(range(1, total + 1))  # 1…N, no gaps, no repeats
    esperado = _ordenada(db, conv_id)
    publicados = list(resultados.filas_publicadas(db.session, conv_id, Etapa.ficha))
    assert [(f.orden, f.candidato) for f in publicados] == esperado
    # Apto first (§4.2: those who continue), then by surname and name.
    r = m.ResultadoEtapa
    por_orden = db.session.scalars(sa.select(r.resultado).where(r.convocatoria_id == conv_id, r.etapa == Etapa.ficha)
                                   .order_by(r.orden_publicacion)).all()
    assert por_orden == sorted(por_orden, key=lambda x: x is not Resultado.apto) and Resultado.no_apto in por_orden
    # Pages of 4 rows read as ranges of the stored order give the whole list, in order, once.
    monkeypatch.setattr(publico, "FILAS_POR_PAGINA", 4)
    client = client_for(None)
    assert total > 8
    assert _todas_las_paginas(client, conv_id, total, 4) == esperado
    assert _portal(client, conv_id, 3) == esperado[8:12]
    assert resultados.contar_publicados(db.session, conv_id, Etapa.ficha) == total


def test_an_audited_recalculation_renumbers_the_published_list(client_for, db, sincrono, ficha_evaluada,
                                                               monkeypatch):
    conv, conv_id = ficha_evaluada, ficha_evaluada.id
    publicacion.publicar_etapa(db.session, conv, Etapa.ficha)
    db.session.expire_all()
    antes = _guardado(db, conv_id)
    aptos = sum(1 for f in resultados.filas(db.session, conv_id, Etapa.ficha) if f.resultado == Resultado.apto.value)
    assert antes["P01"] <= aptos  # P01 is Apto: among the first rows
    # An appeal shows P01 did not sign the annexes as in the DNI (§4.1): recomputed with a reason (F3).
    (fila,) = [f for f in db.session.scalars(sa.select(m.ResultadoEtapa).where(
        m.ResultadoEtapa.convocatoria_id == conv_id, m.ResultadoEtapa.etapa == Etapa.ficha))
        if f.postulacion.ficha["intercambio"]["id"] == "P01"]
    fila.verificaciones.append(m.ItemVerificacion(codigo="anexos_firmados", descripcion="Anexos firmados", cumple=False))
    db.session.commit()
    engine_db.evaluar(db.session, conv.codigo, "ficha", recalcular=True, motivo="Reconsideración N° 230-2026")
    db.session.expire_all()
    despues = _guardado(db, conv_id)
    assert despues["P01"] > aptos - 1  # now No apto: after every Apto
    assert sorted(despues.values()) == list(range(1, len(despues) + 1))
    assert despues != antes
    esperado = _ordenada(db, conv_id)
    monkeypatch.setattr(publico, "FILAS_POR_PAGINA", 5)
    assert _todas_las_paginas(client_for(None), conv_id, len(despues), 5) == esperado


def test_a_stage_published_before_the_order_was_stored_reads_the_same_list(client_for, db, ficha_evaluada):
    """Stages published by older code (no stored order) are sorted on the fly: the same list."""
    conv_id = ficha_evaluada.id
    db.session.add(m.PublicacionEtapa(convocatoria_id=conv_id, etapa="ficha", publicado_en=ficha_evaluada.creado_en))
    db.session.execute(sa.update(m.ResultadoEtapa).where(m.ResultadoEtapa.convocatoria_id == conv_id,
                                                         m.ResultadoEtapa.etapa == Etapa.ficha).values(publicado=True))
    db.session.commit()
    esperado = _ordenada(db, conv_id)
    assert [(f.orden, f.candidato) for f in resultados.filas_publicadas(db.session, conv_id, Etapa.ficha,
                                                                       desde=2, limite=3)] == esperado[2:5]
    assert resultados.contar_publicados(db.session, conv_id, Etapa.ficha) == len(esperado)
    assert _portal(client_for(None), conv_id, 1) == esperado[:100]


def test_a_name_search_sorts_the_matches_as_the_list_does(app, db):
    """Postulantes, "surname contains": the same rows in the same order as FAB's sort by the column;
    the order is then an expression of the column (the trigram index finds the matches, issue 5)."""
    from flask_appbuilder.models.sqla.filters import FilterContains, FilterEqual

    from casadmin.views.busqueda import OrdenTrasBusqueda

    modelo = OrdenTrasBusqueda(m.Postulante, columnas_trigrama=("apellido_paterno", "apellido_materno", "nombres"))
    p = m.Postulante
    todos = db.session.execute(sa.select(p.id, p.apellido_paterno)).all()
    assert len(todos) > 10

    def pagina(filtro, valor: str, direccion: str) -> tuple[list[int], str]:
        filtros = modelo.get_filters(["apellido_paterno"])
        filtros.add_filter("apellido_paterno", filtro, valor)
        q = modelo.apply_all(db.session.query(p), filtros, "apellido_paterno", direccion, 0, 8)
        return [x.id for x in q.all()], str(q.statement.compile(dialect=db.engine.dialect))

    letra = "a"
    ids, sql = pagina(FilterContains, letra, "asc")
    esperado = sorted(((ap, i) for i, ap in todos if letra in ap.lower()))
    assert ids == [i for _, i in esperado[:8]] and "||" in sql.split("ORDER BY")[1]
    ids, _ = pagina(FilterContains, letra, "desc")
    assert ids == [i for _, i in sorted(esperado, reverse=True)[:8]]
    # Any other filter keeps FAB's order by the column itself (its index).
    _, sql = pagina(FilterEqual, esperado[0][0], "asc")
    assert "||" not in sql.split("ORDER BY")[1]
