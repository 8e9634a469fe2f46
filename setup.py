"""Build hook: the hottest rule modules compiled with mypyc (docs/performance.md).

Everything else is in pyproject.toml. ``CASADMIN_COMPILAR=0`` builds pure Python. A manifest
beside the modules (``casadmin/rules/compilado.json``) records the SHA-256 of each compiled
source, so that :mod:`casadmin.compilado` loads the sources instead of a compiled module that
no longer matches them (a checkout edited after ``make install``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CCompilerError, ExecError, PlatformError

RAIZ = Path(__file__).resolve().parent
REGLAS = RAIZ / "casadmin" / "rules"
#: The rule modules that simulate and evaluate spend their time in. ``types``, ``scores`` and
#: ``ranking`` stay Python classes: mypyc would make their frozen dataclasses native classes,
#: which neither pickle nor copy, and which check field types on construction.
COMPILADOS = ("age", "courses", "decimales", "experience", "levels", "periods", "reasons")
MANIFIESTO = REGLAS / "compilado.json"


def _extensiones() -> list:
    if os.environ.get("CASADMIN_COMPILAR", "1") == "0":
        MANIFIESTO.unlink(missing_ok=True)
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # built without isolation in an environment without mypy
        print("casadmin: mypy no está instalado; las reglas quedan en Python puro")
        MANIFIESTO.unlink(missing_ok=True)
        return []
    fuentes = [REGLAS / f"{m}.py" for m in COMPILADOS]
    extensiones = mypycify(["--follow-imports=silent", *(str(f.relative_to(RAIZ)) for f in fuentes)],
                           opt_level="3", group_name="casadmin_reglas")
    MANIFIESTO.write_text(json.dumps(
        {m: hashlib.sha256(f.read_bytes()).hexdigest() for m, f in zip(COMPILADOS, fuentes)}, indent=1) + "\n")
    return extensiones


class _Compilar(build_ext):
    """Without a working C compiler the rules stay pure Python: slower, the same results, and a
    warning instead of a failed install (``make run`` works anywhere)."""

    def run(self) -> None:
        try:
            super().run()
        except (CCompilerError, ExecError, PlatformError, OSError) as error:
            self.warn(f"las reglas no se compilaron ({error}); quedan en Python puro")
            MANIFIESTO.unlink(missing_ok=True)


setup(ext_modules=_extensiones(), cmdclass={"build_ext": _Compilar})
