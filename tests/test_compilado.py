"""The hot rule modules run compiled (mypyc, ``setup.py``), give what their sources give, and never
shadow an edited source (:mod:`casadmin.compilado`)."""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from casadmin import compilado

ROOT = Path(__file__).resolve().parent.parent
SUFIJO = importlib.machinery.EXTENSION_SUFFIXES[0]


def _compilados_en_setup() -> tuple[str, ...]:
    """``COMPILADOS`` as ``setup.py`` declares it (importing setup.py would run the build)."""
    for nodo in ast.parse((ROOT / "setup.py").read_text(encoding="utf-8")).body:
        if isinstance(nodo, ast.Assign) and any(getattr(t, "id", None) == "COMPILADOS" for t in nodo.targets):
            return ast.literal_eval(nodo.value)
    raise AssertionError("setup.py no declara COMPILADOS")


COMPILADOS = _compilados_en_setup()


def _modo_esperado() -> str:
    if os.environ.get("CASADMIN_REGLAS_PURAS", "") not in ("", "0") or os.environ.get("CASADMIN_COMPILAR") == "0":
        return "fuentes"
    return "compiladas"


def test_the_hot_rule_modules_run_compiled():
    """``make install``/``make compile`` build them; only CASADMIN_COMPILAR=0 or CASADMIN_REGLAS_PURAS=1 go without."""
    assert {"courses", "experience", "levels"} <= set(COMPILADOS)
    esperado = _modo_esperado()
    assert compilado.estado() == esperado
    for nombre in COMPILADOS:
        archivo = importlib.import_module(f"casadmin.rules.{nombre}").__file__
        assert archivo.endswith(SUFIJO if esperado == "compiladas" else ".py"), archivo
    # The classes plugins build, pickle and subclass stay Python classes.
    for nombre in ("types", "scores", "ranking"):
        assert nombre not in COMPILADOS
        assert importlib.import_module(f"casadmin.rules.{nombre}").__file__.endswith(".py")


def _huella(ruta: Path) -> str:
    return hashlib.sha256(ruta.read_bytes()).hexdigest()


def test_a_compiled_module_without_its_exact_sources_is_out_of_date(tmp_path):
    (tmp_path / "a.py").write_text("X = 1\n")
    (tmp_path / f"a{SUFIJO}").write_bytes(b"\x7fELF")
    (tmp_path / "tipos.py").write_text("Y = 2\n")  # read by the compiler, not compiled itself
    (tmp_path / f"reglas__mypyc{SUFIJO}").write_bytes(b"\x7fELF")  # the group's library: no source
    manifiesto = tmp_path / "compilado.json"
    manifiesto.write_text(json.dumps({"compilados": ["a"],
                                      "fuentes": {"a": _huella(tmp_path / "a.py"), "tipos": _huella(tmp_path / "tipos.py")}}))
    assert compilado.compilados(tmp_path) == ["a"]
    assert compilado.desactualizados(tmp_path, manifiesto) == []
    (tmp_path / "tipos.py").write_text("Y = 3\n")  # the types the compiled code checks changed
    assert compilado.desactualizados(tmp_path, manifiesto) == ["tipos"]
    (tmp_path / "tipos.py").write_text("Y = 2\n")
    (tmp_path / "a.py").write_text("X = 2\n")
    assert compilado.desactualizados(tmp_path, manifiesto) == ["a"]
    (tmp_path / "a.py").write_text("X = 1\n")
    (tmp_path / "nuevo.py").write_text("Z = 1\n")  # a rule module added since
    assert compilado.desactualizados(tmp_path, manifiesto) == ["nuevo"]
    (tmp_path / "nuevo.py").unlink()
    (tmp_path / "b.py").write_text("W = 1\n")
    (tmp_path / f"b{SUFIJO}").write_bytes(b"\x7fELF")  # compiled by an earlier build, not by the last one
    manifiesto.write_text(json.dumps({"compilados": ["a"], "fuentes": {
        n: _huella(tmp_path / f"{n}.py") for n in ("a", "b", "tipos")}}))
    assert compilado.desactualizados(tmp_path, manifiesto) == ["b"]
    manifiesto.unlink()  # compiled modules left by a build that wrote no manifest
    assert compilado.desactualizados(tmp_path, manifiesto) == ["a", "b"]


def test_reading_setup_py_leaves_the_manifest_alone():
    """pip imports setup.py for metadata in every phase; only a finished build writes the manifest."""
    manifiesto = ROOT / "casadmin" / "rules" / "compilado.json"
    antes = manifiesto.read_bytes() if manifiesto.exists() else None
    proc = subprocess.run([sys.executable, "setup.py", "--name"], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "CASADMIN_COMPILAR": "0"}, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-1] == "casadmin"
    assert (manifiesto.read_bytes() if manifiesto.exists() else None) == antes


_ORIGENES = """
import importlib, json, sys, warnings
warnings.simplefilter("always")
import casadmin
from casadmin import compilado
print(json.dumps({"estado": compilado.estado(),
                  "archivos": {n: importlib.import_module("casadmin.rules." + n).__file__ for n in sys.argv[1:]}}))
"""


@pytest.mark.skipif(_modo_esperado() != "compiladas", reason="needs the compiled build (make compile)")
def test_an_edited_source_runs_instead_of_its_stale_compiled_module(tmp_path):
    """A copy of the package whose ``age.py`` changed after compiling: every rule module comes from its source."""
    shutil.copytree(ROOT / "casadmin", tmp_path / "casadmin", ignore=shutil.ignore_patterns("__pycache__"))
    entorno = {**os.environ, "PYTHONPATH": str(tmp_path)}
    entorno.pop("CASADMIN_REGLAS_PURAS", None)

    def origenes() -> tuple[dict, str]:
        proc = subprocess.run([sys.executable, "-c", _ORIGENES, *COMPILADOS], capture_output=True, text=True,
                              env=entorno, cwd=tmp_path, timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(proc.stdout), proc.stderr

    antes, avisos = origenes()
    assert antes["estado"] == "compiladas" and "corresponden" not in avisos
    assert all(Path(a).is_relative_to(tmp_path) and a.endswith(SUFIJO) for a in antes["archivos"].values())

    edad = tmp_path / "casadmin" / "rules" / "age.py"
    edad.write_text(edad.read_text(encoding="utf-8") + "\n# editado después de compilar\n", encoding="utf-8")
    despues, avisos = origenes()
    assert despues["estado"] == "fuentes"
    assert "Reglas compiladas que no corresponden a sus fuentes (age)" in avisos
    assert all(Path(a).is_relative_to(tmp_path) and a.endswith(".py") for a in despues["archivos"].values())


_SIMULAR = """
import sys
from casadmin import compilado
print(compilado.estado(), file=sys.stderr)
from casadmin.cli import main
sys.argv = ["casadmin", "simulate", sys.argv[1], "--json"]
main()
"""


def _simular(archivo: Path, *, puras: bool) -> tuple[str, str]:
    entorno = {**os.environ}
    entorno.pop("CASADMIN_REGLAS_PURAS", None)
    if puras:
        entorno["CASADMIN_REGLAS_PURAS"] = "1"
    proc = subprocess.run([sys.executable, "-c", _SIMULAR, str(archivo)], capture_output=True, text=True,
                          env=entorno, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, proc.stderr.splitlines()[0]


def _llamado_generado(tmp_path: Path) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generar
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    ruta = tmp_path / "generada.json"
    ruta.write_text(json.dumps(generar.generar(3000, 20261205), ensure_ascii=False), encoding="utf-8")
    return ruta


@pytest.mark.parametrize("archivo", ["cas-140-2026-sunedu.json", "cas-027-2026-migraciones.json", "generada"])
def test_compiled_and_source_rules_give_the_same_simulation(archivo, tmp_path):
    """Every result, score, reason, bonus and the merit order, byte for byte (the sources are the reference)."""
    ruta = _llamado_generado(tmp_path) if archivo == "generada" else ROOT / "docs" / "examples" / archivo
    puras, modo_puras = _simular(ruta, puras=True)
    compiladas, modo = _simular(ruta, puras=False)
    assert modo_puras == "fuentes"
    assert modo == _modo_esperado()
    ficha = json.loads(puras)["resultados"]["etapas"]["ficha"]
    assert ficha and all(r["motivos"] for r in ficha)  # something was judged, with its reasons
    assert compiladas == puras
