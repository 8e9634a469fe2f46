"""Peru's districts (ubigeo) for the address selects of C1.

Data: ``data/ubigeo_distrito.csv``, 1,893 districts with their INEI and RENIEC
codes (from jmcastagnetto/ubigeo-peru-aumentado, MIT licence in ``data/LICENSE``).
The stored key is the 6-digit INEI code: departamento = first 2 digits,
provincia = first 4. There are 25 departamentos: Callao (07) is one of them, and
Lima Metropolitana is not: it is the provincia LIMA (1501) of departamento LIMA (15).

The CSV is kept as shipped; two gaps in it are handled on loading:

* SAN ANTONIO (MOQUEGUA / MARISCAL NIETO, RENIEC 170107) has ``NA`` as INEI code;
  it gets 180107, the code INEI gave the district when it was created from the
  district of Moquegua (the next free code of provincia 1801);
* SANTA MARIA DE HUACHIPA (150144) has no RENIEC code: ``reniec`` is ``None``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

_INEI_FALTANTE = {("MOQUEGUA", "MARISCAL NIETO", "SAN ANTONIO"): "180107"}


@dataclass(frozen=True)
class Distrito:
    inei: str
    reniec: str | None
    departamento: str
    provincia: str
    distrito: str

    @property
    def departamento_codigo(self) -> str:
        return self.inei[:2]

    @property
    def provincia_codigo(self) -> str:
        return self.inei[:4]

    @property
    def label(self) -> str:
        return f"{self.departamento} / {self.provincia} / {self.distrito}"


def _orden(item: tuple[str, str]) -> tuple[str, str]:
    """Spanish order of a (code, name) pair: accents ignored, Ñ after N."""
    name = item[1].upper().replace("Ñ", "N~")
    plain = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return plain, item[0]


def _codigo(value: str) -> str | None:
    value = value.strip()
    return value if re.fullmatch(r"[0-9]{6}", value) else None


@cache
def _todos() -> dict[str, Distrito]:
    text = resources.files(__package__).joinpath("data/ubigeo_distrito.csv").read_text("utf-8")
    result: dict[str, Distrito] = {}
    for row in csv.DictReader(io.StringIO(text)):
        names = (row["departamento"].strip(), row["provincia"].strip(), row["distrito"].strip())
        inei = _codigo(row["inei"]) or _INEI_FALTANTE.get(names)
        if inei is None or inei in result:
            raise ValueError(f"ubigeo: missing or repeated INEI code in row {row}")
        result[inei] = Distrito(inei, _codigo(row["reniec"]), *names)
    return dict(sorted(result.items()))


def distritos_todos() -> list[Distrito]:
    """Every district, in INEI code order."""
    return list(_todos().values())


def departamentos() -> list[tuple[str, str]]:
    """(code, name) of every departamento, sorted by name."""
    seen = {d.departamento_codigo: d.departamento for d in _todos().values()}
    return sorted(seen.items(), key=_orden)


def provincias(departamento: str) -> list[tuple[str, str]]:
    """(4-digit code, name) of the provincias of a departamento code, sorted by name."""
    seen = {d.provincia_codigo: d.provincia for d in _todos().values() if d.departamento_codigo == departamento}
    return sorted(seen.items(), key=_orden)


def distritos(provincia: str) -> list[tuple[str, str]]:
    """(INEI code, name) of the districts of a 4-digit provincia code, sorted by name."""
    return sorted(((d.inei, d.distrito) for d in _todos().values() if d.provincia_codigo == provincia), key=_orden)


def get(inei: str) -> Distrito | None:
    """The district with this INEI code, or ``None``."""
    return _todos().get(inei)


def is_valid(inei: str) -> bool:
    """Whether ``inei`` is the code of a district."""
    return inei in _todos()


def label(inei: str) -> str:
    """``"LIMA / LIMA / SAN BORJA"`` for a district code (``""`` when unknown)."""
    d = get(inei)
    return d.label if d else ""
