"""The rules stay pure (STYLE 4): standard library only, no floats, no I/O; and the YAML harness works."""

from __future__ import annotations

import ast
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import casadmin.rules

from .adaptadores import DatoInvalido, comparar, decimal

CARPETA = Path(casadmin.rules.__file__).parent
PROHIBIDOS_LLAMADAS = {"open", "print", "input", "float"}
MODULOS_REGLAS = ["age", "courses", "decimales", "experience", "levels", "periods", "ranking", "reasons", "scores",
                  "types"]


def _arboles() -> list[tuple[str, ast.Module]]:
    return [(p.name, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(CARPETA.glob("*.py"))]


def test_todos_los_modulos_estan_listados() -> None:
    assert sorted(p.stem for p in CARPETA.glob("*.py") if p.stem != "__init__") == sorted(MODULOS_REGLAS)


@pytest.mark.parametrize("nombre, arbol", _arboles(), ids=lambda v: v if isinstance(v, str) else "")
def test_solo_biblioteca_estandar_y_casadmin_rules(nombre: str, arbol: ast.Module) -> None:
    for nodo in ast.walk(arbol):
        if isinstance(nodo, ast.Import):
            modulos = [alias.name for alias in nodo.names]
        elif isinstance(nodo, ast.ImportFrom):
            modulos = [nodo.module or ""]
        else:
            continue
        for modulo in modulos:
            raiz = modulo.split(".")[0]
            assert raiz in sys.stdlib_module_names or modulo.startswith("casadmin.rules"), f"{nombre}: {modulo}"


@pytest.mark.parametrize("nombre, arbol", _arboles(), ids=lambda v: v if isinstance(v, str) else "")
def test_sin_floats_ni_entrada_salida(nombre: str, arbol: ast.Module) -> None:
    for nodo in ast.walk(arbol):
        assert not (isinstance(nodo, ast.Constant) and isinstance(nodo.value, float)), f"{nombre}: float literal"
        if isinstance(nodo, ast.Call) and isinstance(nodo.func, ast.Name):
            assert nodo.func.id not in PROHIBIDOS_LLAMADAS, f"{nombre}: {nodo.func.id}()"


def test_importar_las_reglas_no_carga_flask_ni_la_base_de_datos() -> None:
    """Importing the rules (the package ``casadmin`` included) loads nothing but the standard library and
    ``casadmin``; and the engine of ``casadmin simulate`` neither Flask nor SQLAlchemy. In a fresh
    interpreter, since this one has loaded the app."""
    import subprocess

    codigo = ("import sys; import " + ", ".join(f"casadmin.rules.{m}" for m in MODULOS_REGLAS) + "; "
              "print(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names))); "
              "import casadmin.engine.run, casadmin.engine.interchange; "
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'flask_appbuilder', 'sqlalchemy')))")
    reglas, motor = subprocess.run([sys.executable, "-c", codigo], check=True, capture_output=True,
                                   text=True).stdout.splitlines()
    ajenos = [m for m in ast.literal_eval(reglas) if m != "casadmin" and not m.startswith(("__", "_distutils_hack"))]
    assert ajenos == [], ajenos
    assert motor == "[]"


def test_comparar_informa_diferencias() -> None:
    assert comparar({"total": "30.00"}, {"total": Decimal(30)}) == []
    assert comparar({"total": "30.01"}, {"total": Decimal(30)}) == [
        "total: se esperaba '30.01', se obtuvo Decimal('30')"]
    assert comparar({"lista": [True]}, {"lista": [True, False]}) != []
    assert comparar({"x": None}, {"x": Decimal(1)}) != []
    with pytest.raises(DatoInvalido):
        comparar({"desconocida": 1}, {"total": 1})


def test_numeros_yaml_exactos() -> None:
    assert decimal("38.66") == Decimal("38.66") and decimal(4) == 4
    with pytest.raises(DatoInvalido):
        decimal(38.66)
