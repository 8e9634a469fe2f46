"""A third-party rule plugin installed with pip is found, listed and used by a call (F2, F3).

The example package ``plugins/casadmin-ejemplo`` is installed with pip into a temporary
directory (``--target``) and the real ``casadmin`` command runs with that directory on
``PYTHONPATH``: ``importlib.metadata`` (hence pluggy) discovers entry points of every
distribution on ``sys.path``, exactly as after ``pip install casadmin-ejemplo``. The
project's own environment is never modified.

Checked through ``casadmin plugins`` and ``casadmin simulate --json``:

* the package's plugins and its bases version ``sunedu-2026-ejemplo`` are listed;
* ``sunedu-2026-ejemplo`` calls 3 candidates to the interview instead of 5 (§4.2.4 with
  ``entrevista.cupo_base`` = 3) and adds its own bonus, with its basis and rule version;
* ``sunedu-2026`` gives the same results with or without the package installed;
* without the package, asking for ``sunedu-2026-ejemplo`` fails with the Spanish message.

Also: two plugins declaring the same bases id are refused at start-up (``ConflictoDeBases``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casadmin import plugins as pl
from casadmin.engine import interchange
from casadmin.engine.bases import BasesVersion
from casadmin.engine.params import Parametros
from casadmin.engine.run import simular
from casadmin.hookspecs import hookimpl

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "cas-140-2026-sunedu.json"
PAQUETE = ROOT / "plugins" / "casadmin-ejemplo"
NO_INSTALADA = "Ninguna versión de bases instalada se llama «sunedu-2026-ejemplo»"


def casadmin_cmd() -> list[str]:
    """The ``casadmin`` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("casadmin")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from casadmin.cli import main; sys.argv[0] = 'casadmin'; main()"]


def _variante_frontera(destino: Path) -> Path:
    """The example call with border-zone jobs declared: P09 (16 months, public) and P07 (6 months, private).

    Only experiences are added (periods before the candidates' current jobs, which count for
    nothing else that changes the result): every result under ``sunedu-2026`` stays the same.
    """
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    por_id = {p["id"]: p for p in data["postulantes"]}
    por_id["P09"]["ficha"]["experiencias"].append({
        "empleador": "Municipalidad Provincial de Frontera Alta (entidad ficticia)", "sector": "publico",
        "puesto": "Asistente administrativo", "funciones": "Trámite documentario.", "tipo": "empleo",
        "inicio": "2012-01-02", "fin": "2013-04-30", "especifica": False,
    })
    por_id["P07"]["ficha"]["experiencias"].append({
        "empleador": "Transportes Frontera Norte S.A.C. (empresa ficticia)", "sector": "privado",
        "puesto": "Asistente legal", "funciones": "Contratos de transporte.", "tipo": "empleo",
        "inicio": "2019-06-01", "fin": "2019-11-30", "especifica": False,
    })
    ruta = destino / "cas-140-2026-sunedu-frontera.json"
    ruta.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return ruta


@pytest.fixture(scope="module")
def corridas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, subprocess.CompletedProcess[str]]]:
    """Install the example package into a temporary target, then run every command once (in parallel)."""
    tmp = tmp_path_factory.mktemp("casadmin-ejemplo")
    fuente = tmp / "src"
    shutil.copytree(PAQUETE, fuente, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    sitio = tmp / "site"
    instalar = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(sitio),
         str(fuente)],
        capture_output=True, text=True, timeout=600,
    )
    assert instalar.returncode == 0, instalar.stdout + instalar.stderr
    assert (sitio / "casadmin_ejemplo-0.1.0.dist-info" / "entry_points.txt").is_file()
    variante = _variante_frontera(tmp)

    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    base_env["CASADMIN_INSTANCE_DIR"] = str(tmp / "instance")  # never touch the repository's instance/
    con = {**base_env, "PYTHONPATH": os.pathsep.join(filter(None, [str(sitio), os.environ.get("PYTHONPATH")]))}
    if os.environ.get("PYTHONPATH"):
        base_env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    comandos: dict[str, tuple[list[str], dict[str, str]]] = {
        "plugins": (["plugins"], con),
        "sunedu": (["simulate", str(EXAMPLE), "--json", "--bases", "sunedu-2026"], con),
        "ejemplo": (["simulate", str(EXAMPLE), "--json", "--bases", "sunedu-2026-ejemplo"], con),
        "variante_sunedu": (["simulate", str(variante), "--json", "--bases", "sunedu-2026"], con),
        "variante_ejemplo": (["simulate", str(variante), "--json", "--bases", "sunedu-2026-ejemplo"], con),
        "sin_plugin": (["simulate", str(EXAMPLE), "--json", "--bases", "sunedu-2026-ejemplo"], base_env),
        "sin_plugin_sunedu": (["simulate", str(EXAMPLE), "--json", "--bases", "sunedu-2026"], base_env),
    }
    procesos = {
        nombre: subprocess.Popen([*casadmin_cmd(), *args], cwd=ROOT, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for nombre, (args, env) in comandos.items()
    }
    out = {}
    for nombre, proc in procesos.items():
        stdout, stderr = proc.communicate(timeout=300)
        out[nombre] = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    yield out


def _resultados(corrida: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert corrida.returncode == 0, corrida.stderr[-2000:]
    return json.loads(corrida.stdout)["resultados"]


def _finales(res: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["postulante"]: f for f in res["finales"]}


def test_plugin_instalado_se_lista(corridas):
    salida = corridas["plugins"]
    assert salida.returncode == 0, salida.stderr[-2000:]
    lineas = salida.stdout.splitlines()
    bono = next(line for line in lineas if line.startswith("ejemplo.bonificacion_frontera "))
    assert "casadmin-ejemplo 0.1.0" in bono and "bonificaciones" in bono
    assert any(line.startswith("ejemplo ") and "bases_versions" in line for line in lineas)
    version_bases = next(line for line in lineas if "sunedu-2026-ejemplo" in line)
    assert "(plugin ejemplo 0.1.0)" in version_bases
    assert any("sunedu-2026 " in line and "(plugin sunedu" in line for line in lineas)


def test_version_derivada_cita_entrevista_a_3(corridas):
    sunedu, ejemplo = _resultados(corridas["sunedu"]), _resultados(corridas["ejemplo"])
    assert ejemplo["bases"] == {"id": "sunedu-2026-ejemplo", "proveedor": "ejemplo", "version": "0.1.0"}
    assert sunedu["convocados_entrevista"] == ["P01", "P09", "P07", "P08", "P06"]  # 5 (§4.2.4)
    assert ejemplo["convocados_entrevista"] == ["P01", "P09", "P07"]  # entrevista.cupo_base = 3
    # F3: the shortlist's size is the declaring plugin's parameter, so its version is recorded with every stage
    # and the final step: an upgrade that changes only parametros.yaml showed nowhere (the plugins review's D4)
    assert all(reglas["ejemplo"] == "ejemplo==0.1.0" for reglas in ejemplo["reglas_etapas"].values())
    assert ejemplo["reglas"]["ejemplo"] == "ejemplo==0.1.0" and "ejemplo" not in sunedu["reglas"]
    # Everything before the shortlist is SUNEDU's, result by result.
    for etapa in ("ficha", "examen", "psicologica", "curricular"):
        assert ejemplo["etapas"][etapa] == sunedu["etapas"][etapa], etapa
    assert sorted(_finales(ejemplo)) == ["P01", "P07", "P09"]
    assert ejemplo["ganadores"] == ["P01"]
    assert sunedu["accesitarios"] == ["P08", "P07"] and ejemplo["accesitarios"] == ["P07", "P09"]
    # No candidate of the original example has a border-zone job: no extra bonus there.
    assert not any("frontera" in b["concepto"] for f in ejemplo["finales"] for b in f["bonificaciones"])


def test_bonificacion_propia_con_su_base_y_version(corridas):
    res = _resultados(corridas["variante_ejemplo"])
    finales = _finales(res)
    (bono,) = [b for b in finales["P09"]["bonificaciones"] if "frontera" in b["concepto"]]
    assert bono["regla"] == "ejemplo.bonificacion_frontera==0.1.0"  # F3: the version, as each stage result
    assert bono["porcentaje"] == "5" and bono["base"] == "90.00" and bono["monto"] == "4.50"
    assert "Ejemplo ficticio" in bono["base_legal"] and "1 año, 4 meses y 5 días" in bono["concepto"]
    assert finales["P09"]["puntaje_final"] == "94.50"
    assert res["reglas"]["ejemplo.bonificacion_frontera"] == "ejemplo.bonificacion_frontera==0.1.0"  # F3
    # 6 months at a border-zone employer are fewer than the 12 required.
    assert not any("frontera" in b["concepto"] for b in finales["P07"]["bonificaciones"])
    assert res["orden_merito"] == [["P01"], ["P09"], ["P07"]] and res["accesitarios"] == ["P09", "P07"]


def test_la_version_original_no_cambia_con_el_plugin_instalado(corridas):
    con, sin = _resultados(corridas["sunedu"]), _resultados(corridas["sin_plugin_sunedu"])
    assert con == sin
    variante = _resultados(corridas["variante_sunedu"])
    assert "ejemplo.bonificacion_frontera" not in variante["reglas"]
    assert not any("frontera" in b["concepto"] for f in variante["finales"] for b in f["bonificaciones"])
    assert variante["convocados_entrevista"] == con["convocados_entrevista"]
    assert variante["ganadores"] == con["ganadores"] and variante["accesitarios"] == con["accesitarios"]


def test_sin_el_plugin_la_version_no_existe(corridas):
    salida = corridas["sin_plugin"]
    assert salida.returncode != 0
    assert NO_INSTALADA in salida.stderr
    assert "resultados" not in salida.stdout


# --- conflicting bases ids are refused at start-up (casadmin_bases_versions) --------------


def _version(bases_id: str) -> BasesVersion:
    return BasesVersion(
        id=bases_id, nombre="Versión de prueba", entidad="PRUEBA", vigente_desde=dt.date(2026, 1, 1),
        etapas=("ficha",), plugins=("sunedu.ficha",), parametros=Parametros(),
    )


class _Declara:
    """An in-test plugin declaring one bases version."""

    def __init__(self, bases_id: str) -> None:
        self.bases_id = bases_id

    @hookimpl
    def casadmin_bases_versions(self) -> list[BasesVersion]:
        return [_version(self.bases_id)]


def test_dos_plugins_con_la_misma_version_de_bases_se_rechazan():
    with pytest.raises(pl.ConflictoDeBases, match="«sunedu» y «copia».*«sunedu-2026»"):
        pl.new_plugin_manager(extra=[("copia", _Declara("sunedu-2026"))])
    with pytest.raises(pl.ConflictoDeBases, match="«uno» y «dos».*«prueba-2026»"):
        pl.new_plugin_manager(load_entrypoints=False, extra=[("uno", _Declara("prueba-2026")),
                                                              ("dos", _Declara("prueba-2026"))])


class _DeclaraDosVeces(_Declara):
    @hookimpl
    def casadmin_bases_versions(self) -> list[BasesVersion]:
        return [_version(self.bases_id), _version(self.bases_id)]


def test_un_plugin_que_declara_dos_veces_la_misma_version_se_nombra_una_vez():
    with pytest.raises(pl.ConflictoDeBases, match="^El plugin «dup» declara dos veces la versión de bases «x-2026»"):
        pl.new_plugin_manager(load_entrypoints=False, extra=[("dup", _DeclaraDosVeces("x-2026"))])


class _DeclaraCon(_Declara):
    """A plugin declaring a version with the given plugins and stages."""

    def __init__(self, bases_id: str, plugins: tuple[str, ...], etapas: tuple[str, ...] = ("ficha",)) -> None:
        super().__init__(bases_id)
        self.plugins, self.etapas = plugins, etapas

    @hookimpl
    def casadmin_bases_versions(self) -> list[BasesVersion]:
        return [dataclasses.replace(_version(self.bases_id), plugins=self.plugins, etapas=self.etapas)]


def test_una_version_que_lista_un_plugin_no_instalado_o_una_etapa_sin_plugin_se_rechaza_al_iniciar():
    """F2, F3: a misspelt plugin name («…_discapacida») dropped a legal bonus without a word, and a stage no
    plugin judges failed only when evaluated. Both refused at start-up, naming the version and what is wrong."""
    with pytest.raises(pl.PluginInvalido, match="«mal-2026», que lista plugins que no están instalados: "
                                                "sunedu.bonificacion_ffaa_discapacida"):
        pl.new_plugin_manager(extra=[("mal", _DeclaraCon("mal-2026", ("sunedu.ficha",
                                                                      "sunedu.bonificacion_ffaa_discapacida")))])
    with pytest.raises(pl.PluginInvalido, match="«corta-2026», que tiene etapas que ninguno de sus plugins evalúa: "
                                                "entrevista"):
        pl.new_plugin_manager(extra=[("corta", _DeclaraCon("corta-2026", ("sunedu.ficha",), ("ficha", "entrevista")))])
    # an interview nobody calls to: its shortlist failed on ORH's screens and the applicant's page (HTTP 500)
    with pytest.raises(pl.PluginInvalido, match="«sin-corta-2026», que tiene etapas que ninguno de sus plugins evalúa: "
                                                r"entrevista \(ninguno convoca a ella: casadmin_convocar_entrevista\)"):
        pl.new_plugin_manager(extra=[("sin_corta", _DeclaraCon("sin-corta-2026", ("sunedu.ficha", "sunedu.entrevista"),
                                                               ("ficha", "entrevista")))])
    # a stage that does not exist passed start-up, then stopped the run with KeyError: 'psicológica'
    with pytest.raises(pl.PluginInvalido, match="«tilde-2026», que tiene etapas que no existen: psicológica "
                                                r"\(las etapas son ficha, examen, psicologica, curricular, entrevista\)"):
        pl.new_plugin_manager(extra=[("tilde", _DeclaraCon("tilde-2026", ("sunedu.ficha",), ("ficha", "psicológica")))])
    # a version derived in code is refused before any stage runs
    pm = pl.get_plugin_manager()
    bases = pl.get_bases(pm, "sunedu-2026")
    derivada = bases.derivada(id="derivada", plugins=(*bases.plugins[:-1], "sunedu.desiert"))
    arch = interchange.cargar(interchange.leer(EXAMPLE.read_bytes()))
    with pytest.raises(pl.SinImplementacion, match="«derivada» lista plugins que no están instalados: sunedu.desiert"):
        simular(pm, arch.convocatoria, arch.candidatos, derivada)


class _HookMalEscrito:
    @hookimpl
    def casadmin_bonificacion(self, ctx, candidato, puntaje):  # the hook is casadmin_bonificaciones
        return []


def test_un_hook_mal_escrito_se_rechaza_al_iniciar():
    """pluggy registers a hook implementation with no spec and never calls it: refused at start-up."""
    with pytest.raises(pl.PluginInvalido, match="El plugin «mal_escrito» implementa un hook que CAS Admin no tiene"):
        pl.new_plugin_manager(load_entrypoints=False, extra=[("mal_escrito", _HookMalEscrito())])


@pytest.fixture
def conflicto(monkeypatch) -> Iterator[None]:
    """An installed plugin that declares SUNEDU's bases id again (loaded by the process-wide manager)."""
    monkeypatch.setattr(pl, "DEFAULT_PLUGINS", (_Declara("sunedu-2026"),))
    pl.get_plugin_manager.cache_clear()
    yield
    pl.get_plugin_manager.cache_clear()


def test_dos_plugins_con_la_misma_version_de_bases_detienen_el_arranque(conflicto, monkeypatch, capsys):
    """The clash stops the start-up, naming the bases id: every console command with the message and
    exit code 1, no traceback; the web app before it serves a page."""
    from click.testing import CliRunner

    from casadmin import create_app
    from casadmin.cli import casadmin_group, main

    for comando in (["plugins"], ["simulate", str(EXAMPLE)]):
        hecho = CliRunner().invoke(casadmin_group, comando)
        assert hecho.exit_code == 1, hecho.output
        assert "declaran la misma versión de bases «sunedu-2026»" in hecho.output
        assert "Traceback" not in hecho.output and hecho.exception is not None
    with pytest.raises(pl.ConflictoDeBases, match="«sunedu-2026»"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    # The console script, also for a command that builds the app first (``flask casadmin …``).
    monkeypatch.setattr(sys, "argv", ["casadmin", "evaluate", "CAS N° 1-2026", "--stage", "ficha"])
    with pytest.raises(SystemExit) as salida:
        main()
    assert salida.value.code == 1
    assert "declaran la misma versión de bases «sunedu-2026»" in capsys.readouterr().err


def test_versiones_distintas_conviven():
    pm = pl.new_plugin_manager(extra=[("propia", _Declara("prueba-2026"))])
    versiones = pl.bases_versions(pm)
    assert versiones["prueba-2026"].proveedor == "propia"
    assert {"sunedu-2026", "migraciones-2020", "prueba-2026"} <= set(versiones)


def test_un_plugin_instalado_que_no_carga_se_nombra_al_arrancar(monkeypatch):
    """An installed plugin whose module does not import (a broken upgrade, a missing dependency): every
    console command stops with its entry point, package and error, instead of a bare traceback."""
    import importlib.metadata

    from click.testing import CliRunner

    from casadmin.cli import casadmin_group

    roto = importlib.metadata.EntryPoint(name="institucion.roto", value="casadmin_no_instalado.reglas",
                                         group=pl.ENTRY_POINT_GROUP)
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group=None: [roto] if group == pl.ENTRY_POINT_GROUP else [])

    def carga(self, group, name=None):  # what pluggy meets importing that entry point
        roto.load()

    monkeypatch.setattr(pl.pluggy.PluginManager, "load_setuptools_entrypoints", carga)
    with pytest.raises(pl.PluginInvalido, match=r"«institucion\.roto» \(casadmin_no_instalado\.reglas.*"
                                                 r"ModuleNotFoundError"):
        pl.new_plugin_manager()
    pl.get_plugin_manager.cache_clear()
    try:
        hecho = CliRunner().invoke(casadmin_group, ["plugins"])
    finally:
        monkeypatch.undo()
        pl.get_plugin_manager.cache_clear()
    assert hecho.exit_code == 1 and "No se pudo cargar el plugin «institucion.roto»" in hecho.output, hecho.output


def test_un_plugin_instalado_que_pluggy_rechaza_se_nombra_al_arrancar(monkeypatch, tmp_path):
    """A plugin that imports but whose hook implementation pluggy refuses (an argument its hook does not give)
    ended in «No se pudo cargar un plugin instalado», naming none: it is named with its package."""
    import importlib.metadata

    (tmp_path / "casadmin_argumento_raro.py").write_text(
        "from casadmin.hookspecs import hookimpl\n\n\n@hookimpl\n"
        "def casadmin_evaluar_ficha(ctx, candidatos, otra_cosa):\n    return None\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    raro = importlib.metadata.EntryPoint(name="institucion.raro", value="casadmin_argumento_raro",
                                         group=pl.ENTRY_POINT_GROUP)
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group=None: [raro] if group == pl.ENTRY_POINT_GROUP else [])

    def carga(self, group, name=None):  # what pluggy does with that entry point
        self.register(raro.load(), name=raro.name)

    monkeypatch.setattr(pl.pluggy.PluginManager, "load_setuptools_entrypoints", carga)
    with pytest.raises(pl.PluginInvalido, match=r"(?s)^El plugin «institucion\.raro» \(casadmin_argumento_raro, .*no es "
                                                 r"válido: .*otra_cosa"):
        pl.new_plugin_manager()


class _NoDeclara:
    """An in-test plugin whose bases versions cannot be read (its parameters file missing, say)."""

    @hookimpl
    def casadmin_bases_versions(self) -> list[BasesVersion]:
        raise FileNotFoundError("parametros.yaml")


def test_un_plugin_que_no_puede_declarar_sus_versiones_se_nombra_al_arrancar():
    """A plugin whose ``casadmin_bases_versions`` raises stops the start-up with its name (it raised
    through every command, ``casadmin plugins`` too, with a traceback naming no plugin)."""
    with pytest.raises(pl.PluginInvalido, match="^El plugin «roto» no pudo declarar sus versiones de bases: "
                                                "FileNotFoundError: parametros.yaml"):
        pl.new_plugin_manager(load_entrypoints=False, extra=[("roto", _NoDeclara())])


def test_dos_paquetes_con_el_mismo_nombre_de_plugin_se_rechazan_al_arrancar(monkeypatch):
    """pluggy loads the first of two entry points named alike and skips the other without a word: a
    package's «sunedu.examen» would replace SUNEDU's exam, or be ignored. Refused, naming both packages."""
    from types import SimpleNamespace

    reales = list(importlib.metadata.entry_points(group=pl.ENTRY_POINT_GROUP))
    otro = SimpleNamespace(name="sunedu.examen", value="mi_entidad.examen", dist=SimpleNamespace(name="mi-entidad"))
    monkeypatch.setattr(pl.importlib.metadata, "entry_points", lambda group: [*reales, otro])
    with pytest.raises(pl.PluginInvalido, match=r"^Dos paquetes instalados declaran el plugin «sunedu\.examen»: "
                                                r"«casadmin» \(casadmin_sunedu\.examen\) y «mi-entidad» "
                                                r"\(mi_entidad\.examen\).*pip uninstall mi-entidad\)"):
        pl.new_plugin_manager()


class _DeclaraSinValor(_Declara):
    """Declares a version in force from 2026-01-01 whose parameter takes its first value a month later."""

    @hookimpl
    def casadmin_bases_versions(self) -> list[BasesVersion]:
        parametros = Parametros.from_mapping({"examen.puntaje_minimo": {
            "description": "Puntaje mínimo", "reference": "§4.2.2 l", "values": {"2026-02-01": 21}}})
        return [dataclasses.replace(_version(self.bases_id), parametros=parametros)]


def test_una_version_con_parametros_sin_valor_al_entrar_en_vigencia_se_rechaza():
    """Every call the version may judge opens on or after ``vigente_desde`` (F3); a parameter with no value
    then would fail in the middle of a stage, so the version is refused at start-up, naming it."""
    with pytest.raises(pl.PluginInvalido, match=r"«sinvalor».*«y-2026», vigente desde el 01/01/2026, con "
                                                r"parámetros sin valor en esa fecha: examen\.puntaje_minimo\."):
        pl.new_plugin_manager(load_entrypoints=False, extra=[("sinvalor", _DeclaraSinValor("y-2026"))])
