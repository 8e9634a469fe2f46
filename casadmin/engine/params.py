"""Legal parameters as dated data (STYLE §3, OpenFisca-like).

A parameters file maps a dotted name to ``description``, ``reference`` (the
clause), ``unit`` and ``values`` keyed by the date each value takes effect::

    examen.puntaje_minimo:
      description: Puntaje mínimo aprobatorio de la Evaluación de Conocimientos Técnicos
      reference: "§4.2.2 l"
      unit: puntos
      values:
        2026-01-01: 21

Rules read a parameter *for a date* (the call's application date), never by year.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml


class ParametroDesconocido(KeyError):
    """A rule asked for a parameter its bases version does not define."""


@dataclass(frozen=True)
class Parametro:
    nombre: str
    descripcion: str
    referencia: str
    unidad: str
    fechas: tuple[dt.date, ...]
    valores: tuple[Any, ...]

    def en(self, fecha: dt.date) -> Any:
        i = bisect_right(self.fechas, fecha)
        if i == 0:
            raise ParametroDesconocido(f"{self.nombre}: sin valor vigente al {fecha.isoformat()}")
        return self.valores[i - 1]


def _valor(raw: Any) -> Any:
    if isinstance(raw, bool) or raw is None:
        return raw
    if isinstance(raw, (int, float)):
        return Decimal(str(raw))  # YAML numbers become exact decimals
    if isinstance(raw, list):
        return tuple(_valor(v) for v in raw)
    if isinstance(raw, dict):
        return {k: _valor(v) for k, v in raw.items()}
    return raw


@dataclass(frozen=True)
class Parametros:
    """A set of dated parameters; :meth:`para` binds them to one date."""

    items: Mapping[str, Parametro] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Parametros:
        items = {}
        for nombre, spec in data.items():
            for key in ("description", "reference", "values"):
                if key not in spec:
                    raise ValueError(f"Parámetro {nombre}: falta «{key}»")
            pares = sorted((_fecha(k), _valor(v)) for k, v in spec["values"].items())
            items[nombre] = Parametro(
                nombre=nombre, descripcion=spec["description"], referencia=str(spec["reference"]),
                unidad=str(spec.get("unit", "")), fechas=tuple(p[0] for p in pares), valores=tuple(p[1] for p in pares),
            )
        return cls(items)

    @classmethod
    def from_yaml(cls, text: str) -> Parametros:
        return cls.from_mapping(yaml.safe_load(text) or {})

    def con(self, otros: Parametros) -> Parametros:
        """These parameters with ``otros`` taking precedence (a derived bases version)."""
        return Parametros({**self.items, **otros.items})

    def para(self, fecha: dt.date) -> Vigentes:
        return Vigentes(self, fecha)


def _fecha(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class Vigentes:
    """Parameters in force on one date: ``vigentes["examen.puntaje_minimo"]``."""

    parametros: Parametros
    fecha: dt.date

    def __getitem__(self, nombre: str) -> Any:
        try:
            parametro = self.parametros.items[nombre]
        except KeyError:
            raise ParametroDesconocido(nombre) from None
        return parametro.en(self.fecha)  # «sin valor vigente al …» before its first value

    def referencia(self, nombre: str) -> str:
        return self.parametros.items[nombre].referencia
