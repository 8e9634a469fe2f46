"""Business days in Peru: Monday to Friday except national public holidays.

Holidays come from the ``holidays`` package (``country_holidays("PE")``, Spanish
names). Días no laborables that the Executive declares for the public sector by
supreme decree are not holidays and are not included.

Deadlines of the SUNEDU bases counted here:

* §4.1: the call is published for ten (10) business days
  (:func:`publication_window`);
* §4.4 d: the contract is signed within five (5) business days counted from the
  day after the publication of the final results (:func:`contract_deadline`).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays

_ONE_DAY = dt.timedelta(days=1)


@cache
def _feriados(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("PE", years=year, language="es")


def feriado(day: dt.date) -> str | None:
    """The Spanish name of the national holiday on ``day``, or ``None``."""
    return _feriados(day.year).get(day)


def is_business_day(day: dt.date) -> bool:
    """A weekday that is not a national public holiday."""
    return day.weekday() < 5 and day not in _feriados(day.year)


def next_business_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a business day, else the next business day."""
    while not is_business_day(day):
        day += _ONE_DAY
    return day


def add_business_days(start: dt.date, n: int) -> dt.date:
    """The n-th business day after ``start`` (``start`` itself is never counted).

    With ``n = 0`` the result is ``start`` if it is a business day, else the next
    business day. ``n`` must not be negative.
    """
    if n < 0:
        raise ValueError("n must be zero or positive")
    if n == 0:
        return next_business_day(start)
    day = start
    while n:
        day += _ONE_DAY
        if is_business_day(day):
            n -= 1
    return day


def business_days_between(a: dt.date, b: dt.date) -> int:
    """Business days in the inclusive range ``[a, b]`` (0 when ``b < a``)."""
    count, day = 0, a
    while day <= b:
        count += is_business_day(day)
        day += _ONE_DAY
    return count


def publication_window(start: dt.date, n: int = 10) -> tuple[dt.date, dt.date]:
    """§4.1: first and last of ``n`` consecutive business days of publication,
    beginning at ``start`` (or the next business day when ``start`` is not one)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    first = next_business_day(start)
    return first, add_business_days(first, n - 1)


def contract_deadline(results_published: dt.date, days: int = 5) -> dt.date:
    """§4.4 d: last day to sign the contract, ``days`` business days counted from the
    day after the final results were published."""
    return add_business_days(results_published, days)
