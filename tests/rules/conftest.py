"""Collects the legal test cases written from the bases (tests/rules/cases/*.yaml).

OpenFisca style: one YAML file per topic, ``rule`` names the adapter in
:mod:`tests.rules.adaptadores` (``rules.adaptadores`` when ``tests`` is not a
package), and each case has ``name``, ``clause``, ``input`` and ``output``.
Only the results listed in ``output`` are checked. This hook is scoped to
this directory, so it collects nothing elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from .adaptadores import ADAPTADORES, DatoInvalido, comparar

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

CARPETA_CASOS = Path(__file__).parent / "cases"
CLAVES_CASO = {"name", "clause", "input", "output"}


def es_archivo_de_casos(ruta: Path) -> bool:
    """Every YAML file under cases/, a subfolder's too (one there was never collected, its cases never run)."""
    return ruta.suffix in {".yaml", ".yml"} and ruta.is_relative_to(CARPETA_CASOS)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if es_archivo_de_casos(file_path):
        return ArchivoDeCasos.from_parent(parent, path=file_path)
    return None


class CasoInvalido(Exception):
    """The YAML file or case is malformed."""


class CasoFallido(AssertionError):
    """The rule's results differ from the case's ``output``."""


class ArchivoDeCasos(pytest.File):
    """One YAML file of legal cases."""

    def collect(self) -> Iterator[CasoLegal]:
        for caso, regla in casos_de(self.path):
            yield CasoLegal.from_parent(self, name=caso["name"], caso=caso, regla=regla)


def casos_de(ruta: Path) -> list[tuple[dict[str, Any], str]]:
    """The cases of one YAML file with the rule each checks; :class:`CasoInvalido` for a file that would
    check nothing or something else than it says (no cases, a case without output, a name twice, an
    unknown rule)."""
    datos = yaml.safe_load(ruta.read_text(encoding="utf-8"))
    if not isinstance(datos, dict) or not isinstance(datos.get("cases"), list):
        raise CasoInvalido(f"{ruta.name}: se espera un mapeo con la lista «cases»")
    if not datos["cases"]:  # it passed with nothing checked
        raise CasoInvalido(f"{ruta.name}: la lista «cases» está vacía")
    regla_archivo = datos.get("rule")
    vistos: set[str] = set()
    out = []
    for caso in datos["cases"]:
        if not isinstance(caso, dict):
            raise CasoInvalido(f"{ruta.name}: cada caso es un mapeo con {sorted(CLAVES_CASO)}")
        faltan = CLAVES_CASO - set(caso)
        if faltan:
            raise CasoInvalido(f"{ruta.name}: caso {caso.get('name', '?')!r} sin {sorted(faltan)}")
        if not isinstance(caso["output"], dict) or not caso["output"]:  # an empty one would check nothing
            raise CasoInvalido(f"{ruta.name}: caso {caso['name']!r} sin nada que comprobar en «output»")
        if caso["name"] in vistos:
            raise CasoInvalido(f"{ruta.name}: nombre repetido {caso['name']!r}")
        vistos.add(caso["name"])
        regla = caso.get("rule", regla_archivo)
        if regla not in ADAPTADORES:
            raise CasoInvalido(f"{ruta.name}: regla desconocida {regla!r}")
        out.append((caso, regla))
    return out


class CasoLegal(pytest.Item):
    """One legal case: run the rule on ``input`` and compare with ``output``."""

    def __init__(self, *, caso: dict[str, Any], regla: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.caso = caso
        self.regla = regla

    def runtest(self) -> None:
        obtenido = ADAPTADORES[self.regla](self.caso["input"])
        diferencias = comparar(self.caso["output"], obtenido)
        if diferencias:
            raise CasoFallido("\n".join(diferencias))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, (CasoFallido, DatoInvalido)):
            return (f"Caso legal «{self.name}» ({self.caso['clause']}, regla {self.regla}):\n"
                    f"{excinfo.value}")
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.caso['clause']}: {self.name}"
