"""Periods: union without double counting (§4.2.1 y) and the days → months/years convention."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casadmin.rules.periods import (
    alcanza,
    anios,
    anios_completos,
    describir,
    dias_minimos,
    interseccion,
    meses,
    primeros_dias,
    recortar,
    total_dias,
    unir,
)
from casadmin.rules.types import Periodo

D = date


def test_periodo_incluye_ambos_extremos() -> None:
    assert Periodo(D(2024, 1, 1), D(2024, 1, 1)).dias == 1
    assert Periodo(D(2024, 1, 1), D(2024, 12, 31)).dias == 366


def test_periodo_con_fin_anterior_al_inicio_es_invalido() -> None:
    with pytest.raises(ValueError):
        Periodo(D(2024, 2, 1), D(2024, 1, 31))


def test_traslape_se_cuenta_una_sola_vez_4_2_1_y() -> None:
    """§4.2.1 y: two jobs at the same time count the overlapped period once."""
    a = Periodo(D(2019, 1, 1), D(2019, 12, 31))
    b = Periodo(D(2019, 7, 1), D(2020, 6, 30))
    assert total_dias([a, b]) == 547
    assert total_dias([a, b]) < a.dias + b.dias


def test_periodos_sin_traslape_se_suman_4_2_1_y() -> None:
    a = Periodo(D(2019, 1, 1), D(2019, 1, 31))
    b = Periodo(D(2019, 3, 1), D(2019, 3, 31))
    assert total_dias([a, b]) == 62
    assert unir([b, a]) == [a, b]


def test_periodos_contiguos_se_unen() -> None:
    a = Periodo(D(2019, 1, 1), D(2019, 1, 31))
    b = Periodo(D(2019, 2, 1), D(2019, 2, 28))
    assert unir([a, b]) == [Periodo(D(2019, 1, 1), D(2019, 2, 28))]


def test_recortar() -> None:
    p = Periodo(D(2020, 1, 1), D(2020, 12, 31))
    assert recortar(p, desde=D(2020, 7, 1)) == Periodo(D(2020, 7, 1), D(2020, 12, 31))
    assert recortar(p, hasta=D(2020, 1, 31)) == Periodo(D(2020, 1, 1), D(2020, 1, 31))
    assert recortar(p, desde=D(2021, 1, 1)) is None


def test_primeros_dias_corta_el_ultimo_periodo() -> None:
    periodos = [Periodo(D(2020, 1, 1), D(2020, 1, 10)), Periodo(D(2020, 2, 1), D(2020, 2, 29))]
    assert primeros_dias(periodos, 15) == [Periodo(D(2020, 1, 1), D(2020, 1, 10)),
                                           Periodo(D(2020, 2, 1), D(2020, 2, 5))]
    assert primeros_dias(periodos, 0) == []


def test_interseccion() -> None:
    a = [Periodo(D(2020, 1, 1), D(2020, 1, 31)), Periodo(D(2020, 3, 1), D(2020, 3, 31))]
    b = [Periodo(D(2020, 1, 15), D(2020, 3, 10))]
    assert interseccion(a, b) == [Periodo(D(2020, 1, 15), D(2020, 1, 31)), Periodo(D(2020, 3, 1), D(2020, 3, 10))]


def test_conversion_mes_de_30_dias_y_anio_de_360() -> None:
    assert meses(90) == Decimal("3.00")
    assert meses(100) == Decimal("3.33")  # truncated, not 3.34
    assert meses(29) == Decimal("0.96")  # 0.9666… truncated
    assert anios(360) == Decimal("1.00")
    assert anios(359) == Decimal("0.99")
    assert anios_completos(719) == 1 and anios_completos(720) == 2


def test_minimos_en_meses_y_anios() -> None:
    assert dias_minimos(anios=1) == dias_minimos(meses=12) == 360
    assert dias_minimos(anios=Decimal("1.5")) == 540
    assert alcanza(90, meses=3) and not alcanza(89, meses=3)
    with pytest.raises(TypeError):
        dias_minimos(meses=1.5)  # type: ignore[arg-type]


def test_describir_en_castellano() -> None:
    assert describir(0) == "0 días"
    assert describir(1) == "1 día"
    assert describir(395) == "1 año, 1 mes y 5 días"
    assert describir(720) == "2 años"


# --- properties -------------------------------------------------------------------

INICIO = D(2000, 1, 1)


@st.composite
def periodos(draw: st.DrawFn) -> Periodo:
    inicio = INICIO + timedelta(days=draw(st.integers(0, 3000)))
    return Periodo(inicio, inicio + timedelta(days=draw(st.integers(0, 800))))


listas = st.lists(periodos(), min_size=1, max_size=8)
AJUSTES = settings(max_examples=200)


def _dias(ps: list[Periodo]) -> set[date]:
    return {p.inicio + timedelta(days=i) for p in ps for i in range(p.dias)}


@AJUSTES
@given(listas, st.randoms(use_true_random=False))
def test_el_orden_no_importa(ps: list[Periodo], azar) -> None:
    mezclados = list(ps)
    azar.shuffle(mezclados)
    assert unir(mezclados) == unir(ps)
    assert total_dias(mezclados) == total_dias(ps)


@AJUSTES
@given(listas, st.data())
def test_un_periodo_contenido_no_suma_nada(ps: list[Periodo], data: st.DataObject) -> None:
    contenedor = data.draw(st.sampled_from(ps))
    desde = data.draw(st.integers(0, contenedor.dias - 1))
    hasta = data.draw(st.integers(desde, contenedor.dias - 1))
    contenido = Periodo(contenedor.inicio + timedelta(days=desde), contenedor.inicio + timedelta(days=hasta))
    assert total_dias([*ps, contenido]) == total_dias(ps)


@AJUSTES
@given(listas)
def test_el_total_no_excede_el_lapso_entre_el_primer_inicio_y_el_ultimo_fin(ps: list[Periodo]) -> None:
    lapso = (max(p.fin for p in ps) - min(p.inicio for p in ps)).days + 1
    assert max(p.dias for p in ps) <= total_dias(ps) <= lapso
    assert total_dias(ps) <= sum(p.dias for p in ps)


@AJUSTES
@given(listas)
def test_el_total_es_el_numero_de_dias_distintos(ps: list[Periodo]) -> None:
    assert total_dias(ps) == len(_dias(ps))
    unidos = unir(ps)
    assert all((b.inicio - a.fin).days > 1 for a, b in pairwise(unidos))


@AJUSTES
@given(listas, st.integers(0, 5000))
def test_primeros_dias_toma_los_mas_antiguos(ps: list[Periodo], limite: int) -> None:
    tomados = primeros_dias(ps, limite)
    assert total_dias(tomados) == min(limite, total_dias(ps))
    dias_tomados = _dias(tomados)
    assert dias_tomados <= _dias(ps)
    if dias_tomados:
        assert all(d > max(dias_tomados) for d in _dias(ps) - dias_tomados)


@AJUSTES
@given(listas, listas)
def test_interseccion_son_los_dias_comunes(a: list[Periodo], b: list[Periodo]) -> None:
    assert _dias(interseccion(a, b)) == _dias(a) & _dias(b)


def test_dura_meses_es_el_calendario_en_cualquier_fecha() -> None:
    """``dura_meses`` (§4.2.1 q, r) against the calendar, for every start day of four years and 1 to 24 months:
    its shortcut by day counts never changes the answer."""
    import calendar
    from datetime import date, timedelta

    from casadmin.rules.periods import dura_meses

    def mas_meses(d: date, n: int) -> date:
        anio, mes = divmod(d.month - 1 + n, 12)
        ultimo = calendar.monthrange(d.year + anio, mes + 1)[1]
        if d.day > ultimo:
            return date(d.year + anio, mes + 1, ultimo) + timedelta(days=1)
        return date(d.year + anio, mes + 1, d.day)

    inicio = date(2023, 1, 1)
    for k in range(0, 4 * 366, 3):
        a = inicio + timedelta(days=k)
        for n in (1, 3, 12, 24):
            limite = mas_meses(a, n) - timedelta(days=1)  # the last day of n calendar months
            assert dura_meses(a.toordinal(), limite.toordinal(), n), (a, n)
            assert not dura_meses(a.toordinal(), limite.toordinal() - 1, n), (a, n)
