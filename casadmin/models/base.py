"""Column types and mixins shared by every model.

One clock and one number type (STYLE §10): datetimes are stored as naive Lima
local time (Peru keeps UTC-5 all year, so the mapping is exact) and come back
aware; money and scores are ``Numeric`` mapped to :class:`decimal.Decimal`.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from casadmin.peru.clock import LIMA, now, to_naive_lima


class LimaDateTime(TypeDecorator):
    """A timestamp in Lima time on both SQLite and PostgreSQL.

    Aware values are converted to Lima and stored without zone; naive values
    are taken as Lima local time (what a form field in the browser means).
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return to_naive_lima(value)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=LIMA)


class LabeledEnum(enum.Enum):
    """An enum stored by member name and shown by its Spanish label (the value)."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.name, m.value) for m in cls]


def enum_column(enum_cls: type[LabeledEnum], name: str, **kwargs: Any) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint named ``name``, the same on every database."""
    typ = sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.name) for m in enum_cls) + 8,
        validate_strings=True,
        name=name,
        **kwargs,
    )
    return typ


#: Scores: up to 999.99 with exactly two decimals (§4.2.5 g truncates to two).
Score = sa.Numeric(7, 2, asdecimal=True)
#: Money in soles.
Money = sa.Numeric(12, 2, asdecimal=True)
#: Percentages such as 10.00 % (§4.3).
Percent = sa.Numeric(6, 2, asdecimal=True)


class TimestampMixin:
    """Creation and change times in Lima time."""

    creado_en: Mapped[dt.datetime] = mapped_column(LimaDateTime, default=now, nullable=False)
    modificado_en: Mapped[dt.datetime] = mapped_column(
        LimaDateTime, default=now, onupdate=now, nullable=False
    )


__all__ = [
    "Decimal",
    "LabeledEnum",
    "LimaDateTime",
    "Money",
    "Percent",
    "Score",
    "TimestampMixin",
    "enum_column",
]
