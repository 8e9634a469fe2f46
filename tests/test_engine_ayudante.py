"""The helper process of ``casadmin simulate --ayudante`` (issue 3, item 11): forked before a large
file is parsed, it builds the last part of the applicants itself and judges the Ficha stage over them.
Whatever it does, the results are those of one process, in the same order; when it cannot help
(another batch, another plugin manager, a file it cannot read, a failure, its death) the stage
is judged here, and a plugin's error is reported as one process reports it.

The helper is forced here on files of a few hundred applicants (``desde=0``), so that the tests
run real forks.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import sys
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from casadmin import plugins as pl
from casadmin.cli import casadmin_group
from casadmin.engine import interchange, report, run

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

import generar  # noqa: E402
from test_engine_paralelo import _Procesos  # noqa: E402  (a Ficha hook recording each judging process)


@pytest.fixture(scope="module")
def texto() -> bytes:
    """A generated call of 301 applicants, as the bytes of its file."""
    return json.dumps(generar.generar(301, seed=7), ensure_ascii=False).encode("utf-8")


@pytest.fixture(scope="module")
def arch(texto):
    return interchange.cargar(interchange.leer(texto))


def _ayudante(pm, texto) -> run.Ayudante:
    return run.Ayudante(pm, partial(interchange.ultima_parte, texto, run.PARTE_PADRE))


def _propio(arch):
    """The call under a bases version whose Ficha hook records the judging process in each result."""
    return dataclasses.replace(arch.convocatoria, bases="sunedu-procesos")


def _ficha(pm, conv, candidatos, ayudante):
    bases = pl.get_bases(pm, conv.bases)
    sim = run.Simulacion(convocatoria=conv, bases=bases)
    return run.evaluar_etapa(pm, run.contexto(conv, bases), "ficha", candidatos, sim, ayudante=ayudante)


def test_the_helper_builds_the_same_candidates_as_loading_the_file(texto, arch):
    parte = interchange.ultima_parte(texto, run.PARTE_PADRE)
    assert len(parte) == 301 - round(301 * run.PARTE_PADRE)
    assert parte == arch.candidatos[-len(parte):]  # every field: studies, jobs, courses, inputs
    # A byte order mark (Windows editors write one): the values leer gives.
    datos = json.loads(texto)
    postulantes = [json.dumps(p, ensure_ascii=False) for p in datos.pop("postulantes")]
    postulantes[-1] = postulantes[-1][:-1] + ', "nombres": "OTRO NOMBRE"}'
    otro = f'{json.dumps(datos, ensure_ascii=False)[:-1]}, "postulantes": [{", ".join(postulantes)}]}}'
    con_bom = b"\xef\xbb\xbf" + otro.encode("utf-8")
    with pytest.raises(interchange.ArchivoInvalido, match="la clave figura más de una vez"):
        interchange.leer(con_bom)  # a repeated key: the main process refuses the file, whatever the helper reads
    con_bom = b"\xef\xbb\xbf" + (texto if isinstance(texto, bytes) else texto.encode("utf-8"))
    esperado = interchange.cargar(interchange.leer(con_bom)).candidatos
    assert interchange.ultima_parte(con_bom, run.PARTE_PADRE) == esperado[-len(parte):]
    with pytest.raises(Exception):  # noqa: B017 - any: the process loading the file reports what is wrong
        interchange.ultima_parte(b'{"postulantes": [', run.PARTE_PADRE)


def test_simulate_with_a_helper_gives_the_same_results_and_report(texto, arch):
    pm = pl.get_plugin_manager()
    uno = run.simular(pm, arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)
    with _ayudante(pm, texto) as ayudante:
        compartido = run.simular(pm, arch.convocatoria, arch.candidatos, decisiones=arch.decisiones,
                                 ayudante=ayudante)
        otra_vez = run.simular(pm, arch.convocatoria, arch.candidatos, decisiones=arch.decisiones,
                               ayudante=ayudante)
        assert ayudante.atendidas == 2  # the Ficha stage of each run; the later stages are not divisible
    assert compartido.etapas == uno.etapas and otra_vez.etapas == uno.etapas  # reason by reason, in order
    assert json.dumps(report.como_dict(compartido), default=str) == json.dumps(report.como_dict(uno), default=str)
    assert report.texto(compartido, {}) == report.texto(uno, {})
    assert {r.resultado for r in uno.etapas["ficha"]} == {"apto", "no_apto"}
    assert multiprocessing.active_children() == []


def test_the_helper_judges_the_last_part_in_its_own_process(texto, arch):
    pm = pl.new_plugin_manager(extra=[("prueba.procesos", _Procesos())])
    with _ayudante(pm, texto) as ayudante:
        resultados = _ficha(pm, _propio(arch), arch.candidatos, ayudante)
        hijo = ayudante._proceso.pid
    k = round(301 * run.PARTE_PADRE)
    assert [r.candidato for r in resultados] == [c.id for c in arch.candidatos]
    assert {r.detalle["pid"] for r in resultados[:k]} == {os.getpid()}
    assert {r.detalle["pid"] for r in resultados[k:]} == {hijo} != {os.getpid()}
    assert all(r.regla.startswith("prueba.procesos") for r in resultados)  # F3: the plugin that answered


def test_the_helper_is_not_used_for_another_batch_or_another_plugin_manager(texto, arch):
    pm = pl.new_plugin_manager(extra=[("prueba.procesos", _Procesos())])
    conv = _propio(arch)
    with _ayudante(pm, texto) as ayudante:
        for candidatos in (arch.candidatos[:-1], arch.candidatos[1:250], arch.candidatos[::-1]):
            resultados = _ficha(pm, conv, candidatos, ayudante)
            assert [r.candidato for r in resultados] == [c.id for c in candidatos]
            assert {r.detalle["pid"] for r in resultados} == {os.getpid()}
        otro = pl.new_plugin_manager(extra=[("prueba.procesos", _Procesos())])
        assert {r.detalle["pid"] for r in _ficha(otro, conv, arch.candidatos, ayudante)} == {os.getpid()}
        assert ayudante.atendidas == 0
        # A plugin registered after the fork: the helper's copy of the manager does not have it.
        pm.register(type("Tardio", (), {})(), name="prueba.tardio")
        assert {r.detalle["pid"] for r in _ficha(pm, conv, arch.candidatos, ayudante)} == {os.getpid()}
        pm.unregister(name="prueba.tardio")
        assert ayudante.atendidas == 0
        # The helper is still there for the batch it holds.
        assert len({r.detalle["pid"] for r in _ficha(pm, conv, arch.candidatos, ayudante)}) == 2
        assert ayudante.atendidas == 1


def test_a_failure_in_either_part_is_reported_naming_the_plugin(texto, arch, monkeypatch):
    pm = pl.new_plugin_manager(extra=[("prueba.procesos", _Procesos())])
    conv = _propio(arch)
    # In this process's part: the helper, which was judging its part meanwhile, is stopped (its answer
    # left in the pipe would be taken for the next stage's).
    monkeypatch.setenv("PRUEBA_FALLA", "P000007")
    with _ayudante(pm, texto) as ayudante:
        with pytest.raises(pl.ErrorDePlugin, match="prueba.procesos.*Ficha ilegible de P000007"):
            _ficha(pm, conv, arch.candidatos, ayudante)
        assert ayudante._conexion.closed and ayudante.atendidas == 0
        monkeypatch.delenv("PRUEBA_FALLA")
        resultados = _ficha(pm, conv, arch.candidatos, ayudante)
        assert {r.detalle["pid"] for r in resultados} == {os.getpid()} and ayudante.atendidas == 0
    # In the helper's part: the helper answers that it failed, its part is judged here, and the error is
    # this process's own. The helper stays usable: it answered.
    monkeypatch.setenv("PRUEBA_FALLA", "P000300")
    with _ayudante(pm, texto) as ayudante:
        with pytest.raises(pl.ErrorDePlugin, match="prueba.procesos.*Ficha ilegible de P000300"):
            _ficha(pm, conv, arch.candidatos, ayudante)
        assert not ayudante._conexion.closed and ayudante.atendidas == 0
        monkeypatch.delenv("PRUEBA_FALLA")  # here only: the helper's copy of the environment still fails
        resultados = _ficha(pm, conv, arch.candidatos, ayudante)
        assert [r.candidato for r in resultados] == [c.id for c in arch.candidatos]
        assert {r.detalle["pid"] for r in resultados} == {os.getpid()} and ayudante.atendidas == 0
    assert multiprocessing.active_children() == []


def test_a_helper_that_dies_has_its_part_judged_here(texto, arch, monkeypatch):
    pm = pl.new_plugin_manager(extra=[("prueba.procesos", _Procesos())])
    monkeypatch.setenv("PRUEBA_MUERE", f"{os.getpid()}:P000300")  # the helper dies judging its part
    with _ayudante(pm, texto) as ayudante:
        resultados = _ficha(pm, _propio(arch), arch.candidatos, ayudante)
        assert ayudante.atendidas == 0 and ayudante._conexion.closed
        assert ayudante._proceso.exitcode == 9  # it was asked, and died in its part
    assert [r.candidato for r in resultados] == [c.id for c in arch.candidatos]
    assert {r.detalle["pid"] for r in resultados} == {os.getpid()}


def test_a_helper_killed_while_it_waits_leaves_the_stage_here(texto, arch):
    import signal

    pm = pl.new_plugin_manager(extra=[("prueba.procesos", _Procesos())])
    with _ayudante(pm, texto) as ayudante:
        assert ayudante.corte(pm, arch.candidatos) == round(301 * run.PARTE_PADRE)  # it has built its part
        os.kill(ayudante._proceso.pid, signal.SIGKILL)  # out of memory, say
        ayudante._proceso.join()
        resultados = _ficha(pm, _propio(arch), arch.candidatos, ayudante)
        assert ayudante.atendidas == 0 and ayudante._conexion.closed
    assert [r.candidato for r in resultados] == [c.id for c in arch.candidatos]
    assert {r.detalle["pid"] for r in resultados} == {os.getpid()}


def test_a_helper_that_cannot_read_the_file_leaves_the_stage_here(arch):
    pm = pl.get_plugin_manager()
    with run.Ayudante(pm, partial(interchange.ultima_parte, b"{no es JSON", run.PARTE_PADRE)) as ayudante:
        resultados = _ficha(pm, arch.convocatoria, arch.candidatos, ayudante)
        assert ayudante.atendidas == 0 and ayudante._conexion.closed  # it said so, and was stopped
    assert [r.candidato for r in resultados] == [c.id for c in arch.candidatos]


def test_only_large_files_on_several_cores_get_a_helper(texto, monkeypatch):
    monkeypatch.setattr(run, "procesos_disponibles", lambda: 2)  # whatever runs the tests
    pm = pl.get_plugin_manager()
    with interchange.ayudante_para(pm, texto) as ayudante:  # 301 applicants: under AYUDANTE_DESDE
        assert ayudante is None and len(texto) < interchange.AYUDANTE_DESDE
    with interchange.ayudante_para(pm, texto, desde=len(texto)) as ayudante:
        assert isinstance(ayudante, run.Ayudante)
    assert multiprocessing.active_children() == []  # stopped on leaving
    monkeypatch.setattr(run, "procesos_disponibles", lambda: 1)
    with interchange.ayudante_para(pm, texto, desde=0) as ayudante:
        assert ayudante is None


def test_simulate_ayudante_shares_a_large_file_with_a_helper(texto, tmp_path, monkeypatch):
    archivo = tmp_path / "convocatoria.json"
    archivo.write_bytes(texto)
    usados: list[bool] = []
    original = run._con_ayudante

    def con_ayudante(*args, **kwargs):
        hecho = original(*args, **kwargs)
        usados.append(hecho is not None)
        return hecho

    monkeypatch.setattr(run, "_con_ayudante", con_ayudante)
    monkeypatch.setattr(interchange, "AYUDANTE_DESDE", 0)  # a "large" file
    monkeypatch.setattr(run, "procesos_disponibles", lambda: 2)
    solo = CliRunner().invoke(casadmin_group, ["simulate", str(archivo), "--json"])
    assert solo.exit_code == 0, solo.output
    assert usados == []  # only when asked: off by default (docs/performance.md)
    compartido = CliRunner().invoke(casadmin_group, ["simulate", str(archivo), "--json", "--ayudante"])
    assert compartido.exit_code == 0, compartido.output
    assert usados == [True]
    assert compartido.output == solo.output
    texto_solo = CliRunner().invoke(casadmin_group, ["simulate", str(archivo)])
    texto_compartido = CliRunner().invoke(casadmin_group, ["simulate", str(archivo), "--ayudante"])
    assert usados == [True, True] and texto_compartido.output == texto_solo.output
    assert multiprocessing.active_children() == []
    # An invalid file is reported as before, and the helper is stopped.
    malo = json.loads(texto)
    malo["postulantes"][200]["fecha_nacimiento"] = "12/04/1988"
    archivo.write_text(json.dumps(malo), encoding="utf-8")
    rechazado = CliRunner().invoke(casadmin_group, ["simulate", str(archivo), "--ayudante"])
    assert rechazado.exit_code == 2 and "$.postulantes[200].fecha_nacimiento" in rechazado.output
    assert multiprocessing.active_children() == []
