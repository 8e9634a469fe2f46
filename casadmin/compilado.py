"""Which rule modules run compiled, and when their sources run instead.

``setup.py`` compiles the rule modules that ``simulate`` and ``evaluate`` spend their time in
with mypyc (the compiler mypy and black ship with) and, once they are built, writes
``casadmin/rules/compilado.json``: the modules compiled and the SHA-256 of every rule source.
Python imports an extension module before a ``.py`` of the same name, so an edited source would
silently lose to the module compiled from the old one. :func:`instalar` runs before any rule
module is imported (from ``casadmin/__init__``) and has the sources imported instead, all of
them, when:

* ``CASADMIN_REGLAS_PURAS=1`` is set (to compare, or to debug in pure Python);
* a rule source is not the one the modules were compiled from (``types.py`` too, whose
  annotations the compiled code checks; ``make compile`` rebuilds);
* compiled modules are there without a manifest (a build that failed, or a later one with
  ``CASADMIN_COMPILAR=0``).

The sources are the reference: the compiled modules must give the same results
(``tests/test_compilado.py`` runs a call both ways).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType

PAQUETE = "casadmin.rules"
CARPETA = Path(__file__).resolve().parent / "rules"
MANIFIESTO = CARPETA / "compilado.json"


def compilados(carpeta: Path = CARPETA) -> list[str]:
    """The rule modules with a compiled module beside their source, by name."""
    sufijos = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return sorted({p.name.split(".", 1)[0] for p in carpeta.iterdir()
                   if p.name.endswith(sufijos) and (carpeta / f"{p.name.split('.', 1)[0]}.py").is_file()})


def _leer(manifiesto: Path) -> dict | None:
    try:
        datos = json.loads(manifiesto.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(datos, dict) or not isinstance(datos.get("fuentes"), dict):
        return None
    return datos


def desactualizados(carpeta: Path = CARPETA, manifiesto: Path | None = None) -> list[str]:
    """Why the compiled modules may not match the sources, by module name: empty when they do.

    Every rule source mypyc read counts (``types.py`` too: the compiled code checks the types it
    declares), and so does a source added since; a compiled module the build did not list, or
    no manifest at all, makes every compiled module suspect.
    """
    datos = _leer(manifiesto or carpeta / MANIFIESTO.name)
    presentes = compilados(carpeta)
    if not presentes:
        return []
    if datos is None:
        return presentes
    huellas = datos["fuentes"]
    distintos = {p.stem for p in carpeta.glob("*.py")
                 if huellas.get(p.stem) != hashlib.sha256(p.read_bytes()).hexdigest()}
    distintos |= {m for m in presentes if m not in datos.get("compilados", ())}
    return sorted(distintos)


class _Fuentes(importlib.abc.MetaPathFinder):
    """Imports ``casadmin.rules.<name>`` from ``<name>.py`` for the names given."""

    def __init__(self, carpeta: Path, nombres: list[str]) -> None:
        self.carpeta = carpeta
        self.nombres = frozenset(f"{PAQUETE}.{n}" for n in nombres)

    def find_spec(self, fullname: str, path: object = None, target: ModuleType | None = None):
        if fullname not in self.nombres:
            return None
        return importlib.util.spec_from_file_location(fullname, self.carpeta / f"{fullname.rpartition('.')[2]}.py")


def _fuentes_instaladas() -> bool:
    return any(isinstance(f, _Fuentes) for f in sys.meta_path)


def estado() -> str:
    """How the rules run in this process ("compiladas" or "fuentes"), for the benchmarks and the tests."""
    return "compiladas" if not _fuentes_instaladas() and compilados() else "fuentes"


def instalar() -> None:
    """Have the rule sources imported when the compiled modules must not be used (module docstring)."""
    if _fuentes_instaladas():
        return
    todos = compilados()
    if not todos:
        return
    puras = os.environ.get("CASADMIN_REGLAS_PURAS", "") not in ("", "0")
    viejos = [] if puras else desactualizados()
    if viejos:
        causa = ("sin el manifiesto de su compilación" if _leer(MANIFIESTO) is None
                 else f"que no corresponden a sus fuentes ({', '.join(viejos)})")
        warnings.warn(f"Reglas compiladas {causa}: se usan las fuentes, más lentas. "
                      "`make compile` vuelve a compilarlas.", RuntimeWarning, stacklevel=2)
    if puras or viejos:
        sys.meta_path.insert(0, _Fuentes(CARPETA, todos))
