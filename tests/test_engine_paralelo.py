"""The Ficha stage split over the CPU cores (issue 3, D1): a large batch is evaluated in forked
processes, and the results are exactly those of one process, in the same order.

The split is forced here on small calls (``procesos=2``, or a lower threshold), so that the
test runs real forks on a file of a few hundred applicants.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from casadmin import plugins as pl
from casadmin.engine import interchange, report, run
from casadmin.engine.model import Resultado
from casadmin.hookspecs import hookimpl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import generar  # noqa: E402


@pytest.fixture(scope="module")
def arch():
    """A generated call of 301 applicants (every kind of study, experience and course of generar)."""
    return interchange.cargar(interchange.leer(json.dumps(generar.generar(301, seed=7))))


def _etapa(pm, arch, procesos: int | None, etapa: str = "ficha") -> list[Resultado]:
    bases = pl.get_bases(pm, arch.convocatoria.bases)
    sim = run.Simulacion(convocatoria=arch.convocatoria, bases=bases)
    return run.evaluar_etapa(pm, run.contexto(arch.convocatoria, bases), etapa, arch.candidatos, sim,
                             procesos=procesos)


def test_the_split_ficha_stage_gives_the_same_results_in_the_same_order(arch):
    pm = pl.get_plugin_manager()
    uno = _etapa(pm, arch, procesos=1)
    for procesos in (2, 3):
        partido = _etapa(pm, arch, procesos=procesos)
        assert [r.candidato for r in partido] == [c.id for c in arch.candidatos]
        assert partido == uno, procesos  # every result, reason by reason (§4.2.1 reasons and clauses)
    assert {r.resultado for r in uno} == {"apto", "no_apto"}


def test_simulate_with_the_split_forced_prints_the_same_report(arch, monkeypatch):
    pm = pl.get_plugin_manager()
    uno = run.simular(pm, arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)
    monkeypatch.setattr(run, "UMBRAL_PARALELO", 50)  # a "large" batch, so simular splits by itself
    monkeypatch.setattr(run, "procesos_disponibles", lambda: 2)
    partido = run.simular(pm, arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)
    assert json.dumps(report.como_dict(partido), default=str) == json.dumps(report.como_dict(uno), default=str)
    assert report.texto(partido, {}) == report.texto(uno, {})


def test_only_the_ficha_stage_is_split_and_small_batches_stay_in_one_process(arch, monkeypatch):
    # By default nothing is split by itself: it did not pay on two cores (docs/performance.md).
    assert run.UMBRAL_PARALELO is None and run._procesos("ficha", 10**6, None) == 1
    assert run._procesos("ficha", 10**6, 2) == 2  # asked for
    monkeypatch.setattr(run, "UMBRAL_PARALELO", 20_000)
    assert run._procesos("ficha", 10, None) == 1  # under UMBRAL_PARALELO
    assert run._procesos("ficha", run.UMBRAL_PARALELO, 2) == 2
    assert run._procesos("examen", 10**6, 4) == 1  # a stage not declared per candidate
    partes = run._partes(list(range(301)), 3)
    assert [x for p in partes for x in p] == list(range(301)) and len(partes) == 3


class _Procesos:
    """A bases version whose Ficha hook records the process that judged each candidate."""

    @hookimpl
    def casadmin_bases_versions(self):
        base = pl.get_bases(pl.get_plugin_manager(), "sunedu-2026")
        return [base.derivada(id="sunedu-procesos", plugins=("prueba.procesos", *base.plugins))]

    @hookimpl(tryfirst=True)
    def casadmin_evaluar_ficha(self, ctx, candidatos):
        falla = os.environ.get("PRUEBA_FALLA")
        muere = os.environ.get("PRUEBA_MUERE")  # "<pid of the parent>:<candidate>": a child that dies there
        if muere and os.getpid() != int(muere.split(":")[0]) and any(c.id == muere.split(":")[1] for c in candidatos):
            os._exit(9)
        if any(c.id == falla for c in candidatos):
            raise ValueError(f"Ficha ilegible de {falla}")
        return [Resultado(candidato=c.id, etapa="ficha", resultado="apto", detalle={"pid": os.getpid()})
                for c in candidatos]


def test_the_parts_really_run_in_other_processes_and_a_failure_names_the_plugin(arch, monkeypatch):
    import dataclasses

    pm = pl.new_plugin_manager(extra=[("prueba.procesos", _Procesos())])
    propio = dataclasses.replace(arch, convocatoria=dataclasses.replace(arch.convocatoria, bases="sunedu-procesos"))
    resultados = _etapa(pm, propio, procesos=2)
    pids = [r.detalle["pid"] for r in resultados]
    assert pids[0] == os.getpid() and len(set(pids)) == 2  # the parent's part first, then the child's
    assert [r.candidato for r in resultados] == [c.id for c in arch.candidatos]
    assert all(r.regla.startswith("prueba.procesos") for r in resultados)
    # A failure in the parent's part or in the child's: the one-process error, naming the plugin.
    for falla in ("P000007", "P000300"):
        monkeypatch.setenv("PRUEBA_FALLA", falla)
        with pytest.raises(pl.ErrorDePlugin, match=f"prueba.procesos.*Ficha ilegible de {falla}"):
            _etapa(pm, propio, procesos=2)



class _Responde42(_Procesos):
    @hookimpl(tryfirst=True)
    def casadmin_evaluar_ficha(self, ctx, candidatos):
        return 42


def test_a_plugin_answering_what_its_hook_does_not_allow_is_named_when_the_stage_is_split(arch):
    """Each part's answer is checked before the parts are joined: a split stage fails, like one process,
    as the plugin's failure (it was «TypeError: 'int' object is not iterable», naming no plugin)."""
    import dataclasses

    pm = pl.new_plugin_manager(extra=[("prueba.procesos", _Responde42())])
    propio = dataclasses.replace(arch, convocatoria=dataclasses.replace(arch.convocatoria, bases="sunedu-procesos"))
    for procesos in (1, 2):
        with pytest.raises(pl.ErrorDePlugin, match="^El plugin «prueba.procesos» falló en casadmin_evaluar_ficha: "
                                                   "RespuestaInvalida: devolvió otra cosa que una lista de resultados"):
            _etapa(pm, propio, procesos=procesos)


def test_a_child_that_dies_has_its_part_judged_in_the_parent(arch, monkeypatch):
    """A child killed in the middle (out of memory, say) does not stop the stage or leave it waiting:
    its part is judged again in the parent, with the same results in the same order."""
    import dataclasses
    import multiprocessing

    pm = pl.new_plugin_manager(extra=[("prueba.procesos", _Procesos())])
    propio = dataclasses.replace(arch, convocatoria=dataclasses.replace(arch.convocatoria, bases="sunedu-procesos"))
    monkeypatch.setenv("PRUEBA_MUERE", f"{os.getpid()}:P000300")  # the last candidate: the child's part
    resultados = _etapa(pm, propio, procesos=2)
    assert [r.candidato for r in resultados] == [c.id for c in arch.candidatos]
    assert {r.detalle["pid"] for r in resultados} == {os.getpid()}  # the child's part too, judged again here
    assert multiprocessing.active_children() == []


_CON_MANEJADOR = """
import dataclasses, json, os, signal, sys
sys.path[:0] = sys.argv[1:3]
import generar
from test_engine_paralelo import _Procesos
from casadmin import plugins as pl
from casadmin.engine import interchange, run
signal.signal(signal.SIGTERM, lambda *_: None)  # what an RQ worker run in-process leaves installed
arch = interchange.cargar(interchange.leer(json.dumps(generar.generar(301, seed=7))))
pm = pl.new_plugin_manager(extra=[("prueba.procesos", _Procesos())])
conv = dataclasses.replace(arch.convocatoria, bases="sunedu-procesos")
bases = pl.get_bases(pm, conv.bases)
os.environ["PRUEBA_FALLA"] = "P000007"  # in the parent's part: the child is stopped while it runs
try:
    run.evaluar_etapa(pm, run.contexto(conv, bases), "ficha", arch.candidatos,
                      run.Simulacion(convocatoria=conv, bases=bases), procesos=2)
except pl.ErrorDePlugin as exc:
    print("rechazado:", exc)
"""


_PADRE_MUERTO = """
import dataclasses, json, os, sys, time
sys.path[:0] = sys.argv[1:3]
import generar
from casadmin import plugins as pl
from casadmin.engine import interchange, run
from casadmin.engine.model import Resultado
from casadmin.hookspecs import hookimpl
from test_engine_paralelo import _Procesos

padre, archivo = os.getpid(), sys.argv[3]

class Grande(_Procesos):
    @hookimpl(tryfirst=True)
    def casadmin_evaluar_ficha(self, ctx, candidatos):
        if os.getpid() == padre:
            time.sleep(120)  # the parent's part: it is killed meanwhile, before it reads the child's results
        with open(archivo, "w") as f:
            f.write(str(os.getpid()))
        # far more than a pipe holds (64 KiB): the child waits to send until someone reads
        return [Resultado(candidato=c.id, etapa="ficha", resultado="apto", detalle={"x": "y" * 5000})
                for c in candidatos]

arch = interchange.cargar(interchange.leer(json.dumps(generar.generar(301, seed=7))))
pm = pl.new_plugin_manager(extra=[("prueba.procesos", Grande())])
conv = dataclasses.replace(arch.convocatoria, bases="sunedu-procesos")
bases = pl.get_bases(pm, conv.bases)
run.evaluar_etapa(pm, run.contexto(conv, bases), "ficha", arch.candidatos, run.Simulacion(convocatoria=conv, bases=bases),
                  procesos=2)
"""


def _vivo(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # a zombie has ended
    except FileNotFoundError:
        return False


def test_a_child_ends_when_its_parent_is_killed_in_the_middle(tmp_path):
    """The parent killed (out of memory, say) while its child waits to send a large part: the child's
    send fails and it ends, instead of waiting for ever on a pipe whose reading end it held itself."""
    import signal
    import subprocess
    import time

    archivo = tmp_path / "hijo"
    padre = subprocess.Popen([sys.executable, "-c", _PADRE_MUERTO, str(ROOT / "benchmarks"), str(ROOT / "tests"),
                              str(archivo)], cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        limite = time.monotonic() + 60
        while not (archivo.exists() and archivo.read_text()):
            assert time.monotonic() < limite and padre.poll() is None, "the child never judged its part"
            time.sleep(0.05)
        hijo = int(archivo.read_text())
        time.sleep(0.5)  # the child is now waiting to send
        assert _vivo(hijo)
    finally:
        padre.send_signal(signal.SIGKILL)
        padre.wait()
    limite = time.monotonic() + 15
    while _vivo(hijo) and time.monotonic() < limite:
        time.sleep(0.05)
    if _vivo(hijo):
        os.kill(hijo, signal.SIGKILL)
        pytest.fail("the child was still waiting to send 15 s after its parent was killed")


def test_the_children_end_when_the_stage_stops_them_whatever_handler_the_parent_has():
    """The parent stops its children with SIGTERM when the stage ends. A child that inherited a handler
    ignoring it (an RQ worker's, run in-process) never ended, and the stage waited for ever. Run in its
    own interpreter, so that a hang is a timeout here."""
    import subprocess

    hecho = subprocess.run([sys.executable, "-c", _CON_MANEJADOR, str(ROOT / "benchmarks"), str(ROOT / "tests")],
                           capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert hecho.returncode == 0, hecho.stderr[-2000:]
    assert hecho.stdout.startswith("rechazado: El plugin «prueba.procesos» falló") and "P000007" in hecho.stdout
