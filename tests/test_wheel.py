"""The built wheel carries the built-in bases plugins and their entry points (F1, F2).

The core never imports ``casadmin_sunedu`` or ``casadmin_migraciones``: they are found only
through the ``casadmin`` entry point group, so a wheel without them, without their
``parametros.yaml`` or without the entry points would install a CAS Admin with no bases.
The wheel is built from a copy of the sources, so the repository gets no ``build/`` folder.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FUENTES = ("pyproject.toml", "setup.py", "README.md", "config.py", "casadmin", "plugins", "migrations")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    ignorar = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist", "*.so", "compilado.json")
    for nombre in FUENTES:
        origen = ROOT / nombre
        if origen.is_dir():
            shutil.copytree(origen, src / nombre, ignore=ignorar)
        else:
            shutil.copy2(origen, src / nombre)
    out = tmp / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (ruta,) = out.glob("casadmin-*.whl")
    with zipfile.ZipFile(ruta) as zf:
        yield zf


def _entry_points(wheel: zipfile.ZipFile) -> dict[str, str]:
    (nombre,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # keep names such as "sunedu.ficha" as written
    parser.read_string(wheel.read(nombre).decode("utf-8"))
    return dict(parser["casadmin"])


def test_wheel_contains_the_builtin_plugin_packages_and_their_parameters(wheel):
    nombres = set(wheel.namelist())
    sunedu = {f"casadmin_sunedu/{p.name}" for p in (ROOT / "plugins" / "casadmin_sunedu").glob("*.py")}
    migraciones = {f"casadmin_migraciones/{p.name}" for p in (ROOT / "plugins" / "casadmin_migraciones").glob("*.py")}
    assert {"casadmin_sunedu/__init__.py", "casadmin_sunedu/ficha.py", "casadmin_sunedu/anexos.py"} <= sunedu
    assert {"casadmin_migraciones/__init__.py", "casadmin_migraciones/documentos.py"} <= migraciones
    assert sunedu <= nombres, sorted(sunedu - nombres)
    assert migraciones <= nombres, sorted(migraciones - nombres)
    assert {"casadmin_sunedu/parametros.yaml", "casadmin_migraciones/parametros.yaml"} <= nombres
    assert {"casadmin/hookspecs.py", "casadmin/plugins.py"} <= nombres
    # The example third-party plugin is its own distribution, never part of casadmin's wheel.
    assert not any(n.startswith("casadmin_ejemplo") for n in nombres)


def test_wheel_contains_every_database_migration(wheel):
    """A server installed from the wheel alone creates and upgrades its database (``flask db upgrade``): the
    migrations are inside the package, where ``casadmin._migrations_dir`` looks for them."""
    nombres = set(wheel.namelist())
    migraciones = ROOT / "migrations"
    fuentes = {f"casadmin/migrations/{p.relative_to(migraciones).as_posix()}" for p in migraciones.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert {"casadmin/migrations/env.py", "casadmin/migrations/alembic.ini"} <= fuentes <= nombres
    assert sum(1 for n in fuentes if n.startswith("casadmin/migrations/versions/")) >= 10


def test_wheel_contains_the_interchange_schema(wheel):
    """``casadmin simulate`` and ``import`` read the schema as package data (``interchange.schema``)."""
    assert "casadmin/engine/convocatoria.schema.json" in set(wheel.namelist()), (
        "add \"engine/*.json\" to [tool.setuptools.package-data] casadmin in pyproject.toml"
    )


def test_wheel_carries_the_compiled_rule_modules_beside_their_sources(wheel):
    """Production installs the wheel: the hot rule modules compiled by setup.py (mypyc), their
    sources (the reference, and the fallback of casadmin.compilado) and the manifest of both."""
    import json

    from tests.test_compilado import COMPILADOS, SUFIJO

    import hashlib

    nombres = set(wheel.namelist())
    manifiesto = json.loads(wheel.read("casadmin/rules/compilado.json"))
    assert manifiesto["compilados"] == list(COMPILADOS)
    fuentes = {n.removeprefix("casadmin/rules/").removesuffix(".py") for n in nombres
               if n.startswith("casadmin/rules/") and n.endswith(".py")}
    assert set(manifiesto["fuentes"]) == fuentes  # every rule source, the uncompiled ones too
    for modulo, huella in manifiesto["fuentes"].items():
        assert hashlib.sha256(wheel.read(f"casadmin/rules/{modulo}.py")).hexdigest() == huella, modulo
    for modulo in COMPILADOS:
        assert f"casadmin/rules/{modulo}{SUFIJO}" in nombres, sorted(n for n in nombres if "rules" in n)
    assert f"casadmin/rules/reglas__mypyc{SUFIJO}" in nombres  # the group's library, inside the package
    assert not any(n.startswith("build/") or n.endswith(".c") for n in nombres)


def test_wheel_parameters_are_the_source_parameters(wheel):
    for paquete in ("casadmin_sunedu", "casadmin_migraciones"):
        fuente = (ROOT / "plugins" / paquete / "parametros.yaml").read_bytes()
        assert wheel.read(f"{paquete}/parametros.yaml") == fuente


def test_wheel_declares_every_entry_point_of_pyproject(wheel):
    declarados = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    esperados = declarados["project"]["entry-points"]["casadmin"]
    en_wheel = _entry_points(wheel)
    assert en_wheel == esperados
    assert en_wheel["sunedu"] == "casadmin_sunedu"
    assert en_wheel["migraciones"] == "casadmin_migraciones"
    assert en_wheel["migraciones.documentos"] == "casadmin_migraciones.documentos"
    assert "sunedu.anexos" in en_wheel and "sunedu.ficha" in en_wheel
    # Every entry point names a module that is inside the wheel.
    nombres = set(wheel.namelist())
    for destino in en_wheel.values():
        ruta = destino.replace(".", "/")
        assert f"{ruta}.py" in nombres or f"{ruta}/__init__.py" in nombres, destino


def test_the_package_version_is_the_one_results_record():
    """F3: results record ``plugin==version`` from the package's metadata (pyproject.toml); ``casadmin.__version__``
    says the same version (it said 0.1.0 while the package was at 0.5.0)."""
    import casadmin

    declarada = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert casadmin.__version__ == declarada
