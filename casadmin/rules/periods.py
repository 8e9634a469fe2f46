"""Periods of experience: union without double counting, and conversion of days.

Convention (one for the whole code base)
----------------------------------------
* The unit of truth is the **calendar day**. A period includes its first and
  last day. Periods are merged into their union first, so overlapping days are
  counted once (§4.2.1 y); adjacent periods (one ends the day before the other
  starts) join into one.
* Days become months and years with the **30-day month and the 12-month
  year** (mes comercial): ``meses = días / 30`` and ``años = días / 360``, so
  "12 meses" and "1 año" in a profile always mean the same thing (360 days).
* A minimum stated in months or years of a *sum* of periods is met when the
  day count reaches it: ``días >= 30 × meses`` or ``días >= 360 × años``
  (:func:`alcanza`): the requirements of experience, the 24 months cap of
  prácticas profesionales, the Ley 31533 years.
* A minimum on *one* declared period is calendar time (:func:`dura_meses`):
  the 3 months of prácticas preprofesionales ("no menor de tres meses",
  §4.2.1 q) and SECIGRA's "año completo" (§4.2.1 r). A period is its own
  calendar span, so 1 Feb–30 Apr lasts three months in any year (89 days in
  a common one, which the 30-day month would put below 3 months), and a
  SECIGRA of 360 days is not a complete year.
* Fractional months and years are ``Decimal`` values truncated to two
  decimals, for display only; decisions compare whole days.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache

from casadmin.rules.decimales import Numero, como_decimal, dividir
from casadmin.rules.types import Periodo

DIAS_POR_MES = 30
MESES_POR_ANIO = 12
DIAS_POR_ANIO = DIAS_POR_MES * MESES_POR_ANIO


def _union(periodos: Iterable[Periodo]) -> list[tuple[date, date]]:
    """``(inicio, fin)`` of each period of the union, sorted; overlapping or adjacent periods join.

    Works on plain date pairs (sorted as :class:`Periodo` orders itself, by ``(inicio, fin)``),
    so that counting days, the commonest use, builds no intermediate objects.
    """
    unidos: list[tuple[date, date]] = []
    for inicio, fin in sorted([(p.inicio, p.fin) for p in periodos]):
        if unidos and (inicio - unidos[-1][1]).days <= 1:
            if fin > unidos[-1][1]:
                unidos[-1] = (unidos[-1][0], fin)
        else:
            unidos.append((inicio, fin))
    return unidos


def unir(periodos: Iterable[Periodo]) -> list[Periodo]:
    """Sorted, disjoint, non-adjacent union of ``periodos`` (§4.2.1 y: overlaps count once)."""
    return [Periodo(inicio, fin) for inicio, fin in _union(periodos)]


def total_dias(periodos: Iterable[Periodo]) -> int:
    """Days covered by at least one period, each day counted once."""
    return sum((fin - inicio).days + 1 for inicio, fin in _union(periodos))


def recortar(periodo: Periodo, desde: date | None = None, hasta: date | None = None) -> Periodo | None:
    """The part of ``periodo`` between ``desde`` and ``hasta`` (inclusive); ``None`` if empty."""
    inicio = periodo.inicio if desde is None else max(periodo.inicio, desde)
    fin = periodo.fin if hasta is None else min(periodo.fin, hasta)
    return Periodo(inicio, fin) if inicio <= fin else None


def interseccion(primeros: Iterable[Periodo], segundos: Iterable[Periodo]) -> list[Periodo]:
    """Days present in both groups of periods, as a union."""
    a, b = unir(primeros), unir(segundos)
    resultado: list[Periodo] = []
    i = j = 0
    while i < len(a) and j < len(b):
        inicio, fin = max(a[i].inicio, b[j].inicio), min(a[i].fin, b[j].fin)
        if inicio <= fin:
            resultado.append(Periodo(inicio, fin))
        if a[i].fin < b[j].fin:
            i += 1
        else:
            j += 1
    return resultado


def primeros_dias(periodos: Iterable[Periodo], limite: int) -> list[Periodo]:
    """The earliest ``limite`` days of the union of ``periodos`` (used for caps such as §4.2.1 q)."""
    if limite < 0:
        raise ValueError("limite debe ser 0 o más")
    resultado: list[Periodo] = []
    restantes = limite
    for periodo in unir(periodos):
        if restantes == 0:
            break
        if periodo.dias <= restantes:
            resultado.append(periodo)
            restantes -= periodo.dias
        else:
            resultado.append(Periodo(periodo.inicio, periodo.inicio + timedelta(days=restantes - 1)))
            restantes = 0
    return resultado


@lru_cache(maxsize=256, typed=True)
def dias_minimos(*, anios: Numero = 0, meses: Numero = 0) -> int:
    """Days needed to reach ``anios`` years plus ``meses`` months (rounded up to a whole day)."""
    exacto = como_decimal(anios) * DIAS_POR_ANIO + como_decimal(meses) * DIAS_POR_MES
    return int(exacto.to_integral_value(rounding=ROUND_CEILING))


@lru_cache(maxsize=2**14)  # the same start days recur over a call
def fin_de_meses(inicio: int, meses: int) -> int:
    """The last day (as an ordinal) of ``meses`` calendar months that start on day ``inicio`` (an
    ordinal): the day before the same day ``meses`` months later; when that month has no such day
    (31 January plus one month), the last day of that month."""
    dia = date.fromordinal(inicio)
    anios_mas, mes = divmod(dia.month - 1 + meses, MESES_POR_ANIO)
    anio = dia.year + anios_mas
    ultimo = calendar.monthrange(anio, mes + 1)[1]
    if dia.day > ultimo:
        return date(anio, mes + 1, ultimo).toordinal()
    return date(anio, mes + 1, dia.day).toordinal() - 1


def dura_meses(inicio: int, fin: int, meses: int) -> bool:
    """Whether the period from day ``inicio`` to day ``fin`` (ordinals, both included) lasts at least
    ``meses`` calendar months (§4.2.1 q, r): 1 Feb–30 Apr lasts 3 months, 1 Feb–29 Apr does not. Months have
    28 to 31 days, so only a period within those bounds needs the calendar (most are far from them)."""
    dias = fin - inicio + 1
    if dias >= 31 * meses:
        return True
    if dias < 28 * meses:
        return False
    return fin >= fin_de_meses(inicio, meses)


def alcanza(dias: int, *, anios: Numero = 0, meses: Numero = 0) -> bool:
    """True when ``dias`` reach the minimum of ``anios`` years plus ``meses`` months."""
    return dias >= dias_minimos(anios=anios, meses=meses)


def meses(dias: int) -> Decimal:
    """Days as months (30-day months), truncated to two decimals."""
    return dividir(dias, DIAS_POR_MES)


def anios(dias: int) -> Decimal:
    """Days as years (360-day years), truncated to two decimals."""
    return dividir(dias, DIAS_POR_ANIO)


def anios_completos(dias: int) -> int:
    """Whole years in ``dias`` (e.g. for the Ley 31533 special bonus, §4.3.2)."""
    return dias // DIAS_POR_ANIO


def n_dias(dias: int) -> str:
    """A number of days as the reasons write it: «1 día», «0 días», «45 días»."""
    return f"{dias} día" if dias == 1 else f"{dias} días"


@lru_cache(maxsize=2**16, typed=True)  # a pure int → str function, called for every candidate
def describir(dias: int) -> str:
    """Spanish description, e.g. ``"1 año, 2 meses y 5 días"`` (30-day months, 12-month years)."""
    a, resto = divmod(dias, DIAS_POR_ANIO)
    m, d = divmod(resto, DIAS_POR_MES)
    partes = [
        texto
        for cantidad, singular, plural in ((a, "año", "años"), (m, "mes", "meses"), (d, "día", "días"))
        if cantidad
        for texto in [f"{cantidad} {singular if cantidad == 1 else plural}"]
    ]
    if not partes:
        return "0 días"
    return partes[0] if len(partes) == 1 else ", ".join(partes[:-1]) + " y " + partes[-1]
