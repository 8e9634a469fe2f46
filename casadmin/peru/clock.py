"""The only clock of the app: Lima time (``America/Lima``).

Storage convention: datetimes are stored as *naive Lima local time*. Peru has kept
a fixed UTC-5 offset with no daylight saving time since April 1994, so every naive
Lima value after that date maps to exactly one instant, the values sort correctly
on every database (SQLite has no zone-aware type) and what is stored is what the
users of a Peruvian public entity read on their wall clocks. Convert with
:func:`to_naive_lima` before writing and :func:`to_lima` after reading.

Nothing else in the app may call ``datetime.now()``, ``date.today()`` or
``datetime.utcnow()``: use :func:`now` and :func:`today`. :func:`now` calls
``datetime.now(LIMA)`` so that freezing libraries (time-machine, freezegun) work.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LIMA = ZoneInfo("America/Lima")


def now() -> dt.datetime:
    """The current time, aware, in Lima."""
    return dt.datetime.now(LIMA)


def today() -> dt.date:
    """Today's date in Lima (not the server's, not UTC's)."""
    return now().date()


def to_lima(value: dt.datetime) -> dt.datetime:
    """An aware value converted to Lima; a naive value is taken as Lima local time
    (the storage convention) and only gets ``tzinfo`` attached."""
    if value.tzinfo is None:
        return value.replace(tzinfo=LIMA)
    return value.astimezone(LIMA)


def to_naive_lima(value: dt.datetime) -> dt.datetime:
    """For storage: an aware value converted to Lima with ``tzinfo`` stripped; a naive
    value is already Lima local time and is returned as it is."""
    if value.tzinfo is None:
        return value
    return value.astimezone(LIMA).replace(tzinfo=None)
