"""Build hook: the hottest rule modules compiled with mypyc (docs/performance.md).

Everything else is in pyproject.toml. ``CASADMIN_COMPILAR=0`` builds pure Python, and so does a
build that cannot compile (no mypy, a type error, no C compiler): slower, the same results, and
a warning instead of a failed install.

Once the modules are built, a manifest is written beside them (``casadmin/rules/compilado.json``):
the compiled modules and the SHA-256 of every rule source mypyc read, so that
:mod:`casadmin.compilado` imports the sources instead of compiled modules that no longer match
them (a checkout edited after ``make install``). The manifest is removed before building and
written only after the build succeeded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py
from setuptools.errors import CCompilerError, ExecError, FileError, PlatformError

RAIZ = Path(__file__).resolve().parent
REGLAS = RAIZ / "casadmin" / "rules"
#: The rule modules that simulate and evaluate spend their time in. ``types``, ``scores`` and
#: ``ranking`` stay Python classes: mypyc would make their frozen dataclasses native classes,
#: which neither pickle nor copy, and which check field types on construction.
COMPILADOS = ("age", "courses", "decimales", "experience", "levels", "periods", "reasons")
MANIFIESTO = "compilado.json"
#: mypyc's shared library of the group, inside the package: casadmin/rules/reglas__mypyc*.so.
GRUPO = "casadmin.rules.reglas"


def _aviso(mensaje: str) -> None:
    print(f"casadmin: {mensaje}; las reglas quedan en Python puro (más lentas, mismos resultados)")


def _extensiones() -> list:
    if os.environ.get("CASADMIN_COMPILAR", "1") == "0":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # built without isolation in an environment without mypy
        _aviso("mypy no está instalado")
        return []
    fuentes = [str((REGLAS / f"{m}.py").relative_to(RAIZ)) for m in COMPILADOS]
    directorio = os.getcwd()
    os.chdir(RAIZ)  # mypycify takes the paths relative to the project
    try:
        return mypycify(["--follow-imports=silent", *fuentes], opt_level="3", group_name=GRUPO)
    except (SystemExit, Exception) as error:  # noqa: BLE001 - mypy reports type errors with sys.exit
        _aviso(f"mypyc no pudo compilar las reglas ({error!r})")
        return []
    finally:
        os.chdir(directorio)


def _huellas() -> dict[str, str]:
    """SHA-256 of every rule source: the compiled ones and those mypyc read their types from."""
    return {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(REGLAS.glob("*.py"))}


class _Compilar(build_ext):
    """Builds the modules, then writes the manifest beside them; on failure, no manifest."""

    def _manifiesto(self) -> Path:
        return Path(self.get_ext_fullpath(f"casadmin.rules.{COMPILADOS[0]}")).parent / MANIFIESTO

    def run(self) -> None:
        manifiesto = self._manifiesto()
        manifiesto.unlink(missing_ok=True)
        if not self.extensions:
            return
        huellas = _huellas()  # read before compiling: the sources the modules come from
        en_sitio = bool(self.inplace)  # setuptools clears it while it builds
        if en_sitio:  # modules compiled by an earlier build and no longer listed
            for viejo in REGLAS.glob("*.so"):
                if viejo.name.split(".", 1)[0] not in COMPILADOS and not viejo.name.startswith("reglas__mypyc"):
                    viejo.unlink()
        try:
            super().run()
        except (CCompilerError, ExecError, PlatformError, FileError, OSError) as error:
            self.warn(f"las reglas no se compilaron ({error}); quedan en Python puro")
            self.inplace = 0
            viejos = [Path(self.get_ext_fullpath(ext.name)) for ext in self.extensions]
            if en_sitio:  # and those an earlier build left beside the sources
                viejos += REGLAS.glob("*.so")
            for viejo in viejos:
                viejo.unlink(missing_ok=True)
            return
        manifiesto.parent.mkdir(parents=True, exist_ok=True)
        manifiesto.write_text(json.dumps({"compilados": list(COMPILADOS), "fuentes": huellas}, indent=1) + "\n",
                              encoding="utf-8")

    def get_outputs(self) -> list[str]:
        salidas = super().get_outputs()
        return [*salidas, str(self._manifiesto())] if self.extensions else salidas


class _ConMigraciones(build_py):
    """The database migrations (``migrations/``, at the top of the repository) go into the package as
    ``casadmin/migrations``, where an installed CAS Admin looks for them (``casadmin._migrations_dir``):
    without them a server installed from the wheel could not create its database (``flask db upgrade``)."""

    def run(self) -> None:
        super().run()
        shutil.copytree(RAIZ / "migrations", Path(self.build_lib) / "casadmin" / "migrations", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(ext_modules=_extensiones(), cmdclass={"build_ext": _Compilar, "build_py": _ConMigraciones})
