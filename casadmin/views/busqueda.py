"""Name searches that PostgreSQL answers from the trigram indexes (issue 5, docs/performance.md).

FAB's text filters (starts with, ends with, contains) are ``ILIKE`` patterns, and the
Postulantes list is sorted by surname. For "surname contains QUISPE" over 320,000 applicants
PostgreSQL walks the surname-order index (``ix_postulante_apellidos_orden``) and tests every
entry until it has a page: it assumes the 16,000 matches are spread evenly over the alphabet,
but they all sit under Q, 208,000 entries in (about 100 ms). Sorting the same column as an
expression (``apellido_paterno || ''``: the same values, the same collation, so the same
order) when such a filter is on leaves one plan: the trigram GIN index finds the matches and
only those are sorted (about 30 ms). Without a text filter the order keeps its index.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.sqla.filters import FilterContains, FilterEndsWith, FilterStartsWith
from sqlalchemy import String, asc, desc
from sqlalchemy.orm import Query

from casadmin.views.base import ListInterface

#: FAB's filters that become a positive ``ILIKE`` (the ones a pg_trgm index serves).
PATRONES = (FilterStartsWith, FilterEndsWith, FilterContains)


class OrdenTrasBusqueda(ListInterface):
    """:class:`~casadmin.views.base.ListInterface` whose list, when a text pattern filters one of
    ``columnas_trigrama``, sorts a text order column as an expression instead of by its index."""

    def __init__(self, obj: type, session: Any = None, list_columns: Any = (),
                 columnas_trigrama: tuple[str, ...] = ()) -> None:
        super().__init__(obj, session, list_columns)
        self.columnas_trigrama = frozenset(columnas_trigrama)

    def _busca_patron(self, filters: Any) -> bool:
        if filters is None:
            return False
        return any(isinstance(f, PATRONES) and f.column_name in self.columnas_trigrama and v
                   for f, v in zip(filters.filters, filters.values))

    def _apply_inner_all(self, query: Query, filters: Any = None, order_column: str = "", order_direction: str = "",
                         page: int | None = None, page_size: int | None = None, select_columns: Any = None,
                         aliases_mapping: Any = None) -> Query:
        columna = self.list_columns.get(order_column) if order_column else None
        if columna is None or not isinstance(columna.type, String) or not self._busca_patron(filters):
            return super()._apply_inner_all(query, filters, order_column, order_direction, page, page_size,
                                            select_columns, aliases_mapping)
        # FAB's own steps (filters, pagination), with the order column as an expression (same order).
        query = self.apply_inner_select_joins(query, select_columns, aliases_mapping)
        query = self.apply_filters(query, self.get_inner_filters(filters))
        direccion = asc if order_direction == "asc" else desc
        query = query.order_by(direccion(columna.concat("")), direccion(self.get_pk()))
        return self.apply_pagination(query, page, page_size)
