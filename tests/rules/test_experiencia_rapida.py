"""The fast day count of the Ficha stage (``dias_experiencia``) equals the counting that gives the reasons.

``dias_experiencia`` works on day numbers and builds no reason, for screening a whole call (D1);
``experiencia_general``, ``experiencia_especifica`` and ``experiencia_publica`` count the same
days with their reasons (§4.2.1 p–z). Both must always agree: on the generated applicants of
``benchmarks/generar.py`` (deterministic) and on random Fichas built to hit the edges
(prácticas around egreso and over 24 months, SECIGRA around a year, overlaps, current jobs).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casadmin.rules.experience import (
    dias_experiencia,
    experiencia_especifica,
    experiencia_general,
    experiencia_publica,
)
from casadmin.rules.types import (
    Condicion,
    Experiencia,
    Formacion,
    NivelEstudios,
    Sector,
    TipoExperiencia,
)

POSTULACION = dt.date(2026, 3, 2)


def _referencia(experiencias, formacion, hoy, solo_secundaria):
    return (experiencia_general(experiencias, formacion, hoy, solo_secundaria).dias,
            experiencia_especifica(experiencias, formacion, hoy, solo_secundaria).dias,
            experiencia_publica(experiencias, formacion, hoy, solo_secundaria).dias)


@pytest.fixture(scope="module")
def generados():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import generar

    from casadmin.engine import interchange

    arch = interchange.cargar(generar.generar(3000, 20260302))
    return arch


def test_igual_en_los_postulantes_generados(generados) -> None:
    from casadmin_sunedu.ficha import formacion_de_referencia

    from casadmin import plugins as pl
    from casadmin.engine import run

    pm = pl.get_plugin_manager()
    conv = generados.convocatoria
    ctx = run.contexto(conv, pl.get_bases(pm, conv.bases))
    distintos = 0
    for cand in generados.candidatos:
        formacion = formacion_de_referencia(cand, ctx)
        for solo in (False, True):
            rapido = dias_experiencia(cand.experiencias, formacion, ctx.fecha_postulacion, solo)
            assert tuple(rapido) == _referencia(cand.experiencias, formacion, ctx.fecha_postulacion, solo), cand.id
            distintos += rapido.general != rapido.especifica
    assert distintos > 100  # the sample exercises the specific filter, not only general experience


_fechas = st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2026, 6, 30))


@st.composite
def _experiencia(draw) -> Experiencia:
    inicio = draw(_fechas)
    dias = draw(st.one_of(st.integers(0, 120), st.integers(340, 380), st.integers(0, 1500)))
    fin = draw(st.one_of(st.none(), st.just(inicio + dt.timedelta(days=dias))))
    return Experiencia(empleador="E", sector=draw(st.sampled_from(list(Sector))), puesto="P", inicio=inicio, fin=fin,
                       tipo=draw(st.sampled_from(list(TipoExperiencia))), especifica=draw(st.sampled_from([True, False, None])))


@st.composite
def _formacion(draw) -> Formacion | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    return Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=draw(st.sampled_from(list(Condicion))), carrera="Derecho",
                     fecha_egreso=draw(st.one_of(st.none(), _fechas)), fecha_diploma=draw(st.one_of(st.none(), _fechas)))


@settings(max_examples=400, deadline=None)
@given(st.lists(_experiencia(), max_size=9), _formacion(), st.booleans())
def test_igual_en_fichas_al_azar(experiencias, formacion, solo_secundaria) -> None:
    rapido = dias_experiencia(experiencias, formacion, POSTULACION, solo_secundaria)
    assert tuple(rapido) == _referencia(experiencias, formacion, POSTULACION, solo_secundaria)


def test_tope_de_practicas_profesionales() -> None:
    """§4.2.1 q: of 30 months of prácticas profesionales only the earliest 24 (720 days) count."""
    egresado = Formacion(nivel=NivelEstudios.UNIVERSITARIO, condicion=Condicion.EGRESADO, carrera="Derecho",
                         fecha_egreso=dt.date(2018, 1, 1))
    practicas = [Experiencia(empleador="E", sector=Sector.PUBLICO, puesto="P", inicio=dt.date(2019, 1, 1),
                             fin=dt.date(2019, 1, 1) + dt.timedelta(days=899),
                             tipo=TipoExperiencia.PRACTICAS_PROFESIONALES, especifica=True)]
    assert tuple(dias_experiencia(practicas, egresado, POSTULACION)) == (720, 720, 720)
