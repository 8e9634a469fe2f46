"""Which rule modules run compiled, and when their sources run instead.

``setup.py`` compiles the rule modules that ``simulate`` and ``evaluate`` spend their time in
with mypyc (the compiler mypy and black ship with) and writes ``casadmin/rules/compilado.json``:
the SHA-256 of each compiled module's source. Python imports an extension module before a
``.py`` of the same name, so an edited source would silently lose to the module compiled from the
old one. :func:`instalar` runs before any rule module is imported (from ``casadmin/__init__``)
and has the sources imported instead, all of them, when:

* ``CASADMIN_REGLAS_PURAS=1`` is set (to compare, or to debug in pure Python);
* a compiled module's source is not the one it was compiled from (``make compile`` rebuilds);
* compiled modules are there without a manifest (a later build with ``CASADMIN_COMPILAR=0``).

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


def desactualizados(carpeta: Path = CARPETA, manifiesto: Path | None = None) -> list[str]:
    """Compiled modules that may not match their source: not in the manifest, or another source."""
    manifiesto = manifiesto or carpeta / MANIFIESTO.name
    try:
        huellas = json.loads(manifiesto.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        huellas = {}
    return [m for m in compilados(carpeta)
            if huellas.get(m) != hashlib.sha256((carpeta / f"{m}.py").read_bytes()).hexdigest()]


class _Fuentes(importlib.abc.MetaPathFinder):
    """Imports ``casadmin.rules.<name>`` from ``<name>.py`` for the names given."""

    def __init__(self, carpeta: Path, nombres: list[str]) -> None:
        self.carpeta = carpeta
        self.nombres = frozenset(f"{PAQUETE}.{n}" for n in nombres)

    def find_spec(self, fullname: str, path: object = None, target: ModuleType | None = None):
        if fullname not in self.nombres:
            return None
        return importlib.util.spec_from_file_location(fullname, self.carpeta / f"{fullname.rpartition('.')[2]}.py")


def estado() -> str:
    """How the rules run in this process, for ``casadmin plugins`` and the tests."""
    finder = next((f for f in sys.meta_path if isinstance(f, _Fuentes)), None)
    if finder is not None:
        return "fuentes"
    return "compiladas" if compilados() else "fuentes"


def instalar() -> None:
    """Have the rule sources imported when the compiled modules must not be used (module docstring)."""
    if any(isinstance(f, _Fuentes) for f in sys.meta_path):
        return
    todos = compilados()
    if not todos:
        return
    puras = os.environ.get("CASADMIN_REGLAS_PURAS", "") not in ("", "0")
    viejos = [] if puras else desactualizados()
    if viejos:
        warnings.warn(f"Reglas compiladas que no corresponden a su fuente ({', '.join(viejos)}): se usan las "
                      "fuentes, más lentas. `make compile` vuelve a compilarlas.", RuntimeWarning, stacklevel=2)
    if puras or viejos:
        sys.meta_path.insert(0, _Fuentes(CARPETA, todos))
