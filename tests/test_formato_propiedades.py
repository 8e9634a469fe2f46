"""Property tests over the interchange format (issue 3, item 6 and "Bad input"): the two example files,
and the SUNEDU one with the results ``simulate --json`` adds, broken at random, one to three changes at a
time, anywhere in the file.

Whatever the change, ``casadmin simulate`` either refuses the file (exit status 2, every mistake at a
JSON path that points into the file) or judges it and prints a file of the same format that the schema
accepts; it never stops with a traceback, and never blames a built-in plugin (exit status 3) for a value
of the file. ``casadmin import`` refuses what ``simulate`` refuses and writes nothing; what it takes, the
database evaluates as ``simulate`` does, stage by stage.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casadmin import engine_db
from casadmin import plugins as pl
from casadmin.cli import casadmin_group
from casadmin.engine import interchange, report, run

ROOT = Path(__file__).resolve().parent.parent
EJEMPLOS = {
    "sunedu": ROOT / "docs" / "examples" / "cas-140-2026-sunedu.json",
    "migraciones": ROOT / "docs" / "examples" / "cas-027-2026-migraciones.json",
}
_ORIGINALES = {nombre: json.loads(ruta.read_bytes()) for nombre, ruta in EJEMPLOS.items()}


def _con_resultados(d: dict) -> dict:
    """The file as ``simulate --json`` writes it: with its ``resultados`` block, which import stores."""
    arch = interchange.cargar(copy.deepcopy(d))
    sim = run.simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos, decisiones=arch.decisiones)
    return json.loads(json.dumps({**d, "resultados": report.como_dict(sim)}, default=str))


_ORIGINALES["sunedu-resultados"] = _con_resultados(_ORIGINALES["sunedu"])

Ruta = tuple[str | int, ...]


def _rutas(nodo: Any, ruta: Ruta = ()) -> Iterator[Ruta]:
    """Every value's path in a decoded JSON document, the document's own first."""
    yield ruta
    if isinstance(nodo, dict):
        for k, v in nodo.items():
            yield from _rutas(v, (*ruta, k))
    elif isinstance(nodo, list):
        for i, v in enumerate(nodo):
            yield from _rutas(v, (*ruta, i))


_RUTAS = {nombre: list(_rutas(d))[1:] for nombre, d in _ORIGINALES.items()}

#: Values put in place of any value: of other types, empty, at and beyond the edges, dates that do not
#: exist or lie far away, a text longer than any column, a NUL character.
RAROS = (None, True, False, 0, -1, 1, 2.5, 0.001, -0.5, 10**20, 1e300, "", " ", "x" * 301, "\x00", "Ñandú",
         "2026-02-30", "2026-13-01", "1900-01-01", "9999-12-31", "2026-03-05", "2026-03-05T08:00:00-05:00",
         "2026-03-05T08:00:00", "10.555", "-3", "P01", "P02", [], [None], ["P01"], {}, {"x": 1})

#: Changes: put a value, remove the value (a key or a list element), repeat a list element, add a key
#: the format does not know, move a number or a date a little.
CAMBIOS = ("poner", "quitar", "repetir", "sobrante", "mover")


def _padre(data: Any, ruta: Ruta) -> tuple[Any, str | int] | None:
    nodo = data
    for parte in ruta[:-1]:
        try:
            nodo = nodo[parte]
        except (KeyError, IndexError, TypeError):
            return None
    if isinstance(nodo, dict) and ruta[-1] in nodo or isinstance(nodo, list) and isinstance(ruta[-1], int) \
            and ruta[-1] < len(nodo):
        return nodo, ruta[-1]
    return None


_FECHA = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _movido(valor: Any, paso: int) -> Any:
    if isinstance(valor, bool) or valor is None:
        return not valor
    if isinstance(valor, int | float):
        return valor + paso
    if isinstance(valor, str) and (f := _FECHA.match(valor)):
        dia = min(28, max(1, int(f[3]) + paso))
        return f"{f[1]}-{f[2]}-{dia:02d}{valor[10:]}"
    return valor


def cambiar(data: Any, cambios: list[tuple[int, str, Any, int]], rutas: list[Ruta]) -> list[str]:
    """Apply the changes that still find their place (a change may remove another's); returns them, as
    ``simulate`` would name their places, for the test's report."""
    hechos = []
    for n, tipo, raro, paso in cambios:
        ruta = rutas[n % len(rutas)]
        lugar = _padre(data, ruta)
        if lugar is None:
            continue
        padre, clave = lugar
        if tipo == "poner":
            padre[clave] = copy.deepcopy(raro)
        elif tipo == "quitar":
            del padre[clave]
        elif tipo == "repetir" and isinstance(padre, list):
            padre.insert(clave, copy.deepcopy(padre[clave]))
        elif tipo == "sobrante" and isinstance(padre[clave], dict):
            padre[clave]["campo_desconocido"] = raro
        elif tipo == "mover":
            padre[clave] = _movido(padre[clave], paso)
        else:
            continue
        hechos.append(f"{tipo} {interchange._ruta(ruta)} ({raro!r}, {paso})")
    return hechos


def cambios_de(nombre: str):
    return st.lists(st.tuples(st.integers(0, len(_RUTAS[nombre]) - 1), st.sampled_from(CAMBIOS),
                              st.sampled_from(RAROS), st.sampled_from((-400, -31, -1, 1, 2, 31, 400))),
                    min_size=1, max_size=3)


def _donde(data: Any) -> set[str]:
    return {interchange._ruta(r) for r in _rutas(data)}


_ULTIMA = re.compile(r"(\.[^.\[]+|\[\d+\])$")


def en_el_archivo(ruta: str, donde: set[str]) -> bool:
    """A reported path is a value of the file, or a key missing from one of its objects."""
    return ruta in donde or _ULTIMA.sub("", ruta) in donde


DESCONOCIDA = "ninguna versión de bases instalada se llama"


def _simulate(tmp_path: Path, data: Any) -> Any:
    archivo = tmp_path / "cambiado.json"
    archivo.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return CliRunner().invoke(casadmin_group, ["simulate", str(archivo), "--json"])


def _errores(salida: str) -> list[tuple[str, str]]:
    """The mistakes ``simulate`` printed: ``  $.ruta: mensaje`` lines under «Archivo inválido»."""
    return [tuple(linea.strip().split(": ", 1)) for linea in salida.splitlines() if linea.startswith("  $")]


@pytest.mark.parametrize("nombre", sorted(_ORIGINALES))
@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_simulate_refuses_a_broken_file_at_its_paths_or_judges_it_never_a_traceback(tmp_path, nombre, data):
    cambios = data.draw(cambios_de(nombre))
    archivo = copy.deepcopy(_ORIGINALES[nombre])
    hechos = cambiar(archivo, cambios, _RUTAS[nombre])
    res = _simulate(tmp_path, archivo)
    assert res.exception is None or isinstance(res.exception, SystemExit), (hechos, res.exc_info)
    # 2: the file refused (a bases version that is not installed too, at $.bases)
    assert res.exit_code in (0, 2), (hechos, res.output)
    event({0: "judged", 2: "refused"}[res.exit_code])
    if res.exit_code == 2:
        errores = _errores(res.output)
        assert errores and res.output.startswith(f"Archivo inválido: {len(errores)} error(es).")
        donde = _donde(archivo)
        assert all(msg and en_el_archivo(ruta, donde) for ruta, msg in errores), (hechos, errores)
    else:
        salida = json.loads(res.stdout)
        assert interchange.validar(salida) == [], hechos
        assert {r["postulante"] for r in salida["resultados"]["etapas"]["ficha"]} == \
            {p["id"] for p in archivo["postulantes"]}, hechos


# --- on the database ---------------------------------------------------------------------------

#: An institution of this module's own (the calls and applicants it imports stay out of the demo's lists);
#: each example is imported under a number of its own, with applicants of its own.
ENTIDAD = {"siglas": "H8", "nombre": "Entidad de prueba (tests/test_formato_propiedades.py)",
           "email_contacto": "orh@h8.invalid"}
_numeros = itertools.count(880001)

#: Not changed on the database: the institution and the call's code, which name the imported call
#: (``simulate`` takes any; changed here, two examples could name the same call).
_FIJAS = {("entidad",), ("convocatoria", "codigo"), ("convocatoria", "numero"), ("convocatoria", "anio")}
_RUTAS_BD = {nombre: [r for r in rutas if r[:1] not in _FIJAS and r[:2] not in _FIJAS]
             for nombre, rutas in _RUTAS.items()}


def _propio(nombre: str) -> dict:
    d = copy.deepcopy(_ORIGINALES[nombre])
    n = next(_numeros)
    d["entidad"] = dict(ENTIDAD)
    c = d["convocatoria"]
    c["numero"] = n
    c["codigo"] = f"CAS N° {n}-{c['anio']}-{ENTIDAD['siglas']}"
    for i, p in enumerate(d["postulantes"]):
        p["documento"]["numero"] = f"8{n % 100000:05d}{i:02d}"
        p.pop("email", None)
    return d


def leido(d: dict) -> dict:
    """The file as ``casadmin simulate`` and ``casadmin import`` read it (``interchange.leer``: a NUL
    character, for one, is refused there)."""
    return interchange.leer(json.dumps(d, ensure_ascii=False).encode("utf-8"))


def _simulado(d: dict) -> dict | list[tuple[str, str]] | str:
    """What ``simulate`` gives for the file: its results, the mistakes it refuses it for, or the message
    naming a bases version that is not installed."""
    try:
        arch = interchange.cargar(leido(d))
    except interchange.ArchivoInvalido as exc:
        return exc.errores
    pm = pl.get_plugin_manager()
    try:
        bases = pl.get_bases(pm, arch.convocatoria.bases)
    except pl.BasesDesconocida as exc:
        return str(exc)
    if errores := interchange.fuera_de_bases(arch, bases):
        return errores
    return report.como_dict(run.simular(pm, arch.convocatoria, arch.candidatos, bases, decisiones=arch.decisiones))


@pytest.mark.parametrize("nombre", sorted(_ORIGINALES))
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_import_refuses_what_simulate_refuses_and_evaluates_the_rest_as_simulate_does(db, nombre, data):
    from test_engine_db import _como_simulate, _conteos, _esperado, _filas

    d = _propio(nombre)
    hechos = cambiar(d, data.draw(cambios_de(nombre)), _RUTAS_BD[nombre])
    esperado = _simulado(d)
    antes = _conteos(db)
    if isinstance(esperado, str):  # a bases version that is not installed: refused at $.bases, nothing written
        with pytest.raises(interchange.ArchivoInvalido) as err:
            engine_db.importar(db.session, leido(d))
        assert any(ruta == "$.bases" and msg.startswith(DESCONOCIDA) for ruta, msg in err.value.errores), err.value.errores
        assert _conteos(db) == antes
        return
    try:
        conv = engine_db.importar(db.session, leido(d))
    except interchange.ArchivoInvalido as exc:
        # refused at paths of the file, nothing written; what simulate refuses, import refuses with it
        donde = _donde(d)
        assert exc.errores and all(en_el_archivo(r, donde) for r, _ in exc.errores), (hechos, exc.errores)
        assert not isinstance(esperado, list) or set(esperado) <= set(exc.errores), (hechos, esperado, exc.errores)
        assert _conteos(db) == antes
        event("refused by simulate too" if isinstance(esperado, list) else "refused by import only")
        return
    event("imported")
    assert not isinstance(esperado, list), (hechos, esperado)
    for etapa, resultados in esperado["etapas"].items():
        try:
            engine_db.evaluar(db.session, conv.codigo, etapa)
        except engine_db.EvaluacionRechazada as exc:
            # A candidate of the stage whose inputs the file does not carry (a removed «examen»): simulate
            # reads an absence, the database refuses the stage as its screen does (etapas.sin_datos)
            assert str(exc).startswith("Faltan registrar los datos"), (hechos, etapa, str(exc))
            sin_entrada = [r["postulante"] for r in resultados if etapa not in _entradas_de(d, r["postulante"])]
            assert sin_entrada, (hechos, etapa, str(exc))
            event("a stage without some candidate's inputs: refused by evaluate")
            return
        filas = _filas(db, conv.codigo, etapa)
        assert list(filas) == [r["postulante"] for r in resultados], (hechos, etapa)
        assert all(_como_simulate(filas[r["postulante"]]) == _esperado(r) for r in resultados), (hechos, etapa)
    exportado = json.loads(json.dumps(engine_db.exportar(db.session, conv.codigo), default=str))
    assert interchange.validar(exportado) == [] and _simulado(exportado) == esperado, hechos


def _entradas_de(d: dict, ident: str) -> dict:
    """The stage inputs the file gives the applicant ``ident`` (none when removed)."""
    p = next(p for p in d["postulantes"] if isinstance(p, dict) and p.get("id") == ident)
    return p.get("entradas") if isinstance(p.get("entradas"), dict) else {}


@pytest.mark.parametrize(("campo", "valor", "mensaje"), [
    ("apellidos", " ", "texto en blanco o que empieza con un espacio (primero va el apellido paterno)"),
    ("apellidos", " Quispe Mamani", "texto en blanco o que empieza con un espacio (primero va el apellido paterno)"),
    ("nombres", "   ", "texto en blanco"),
])
def test_a_blank_name_or_a_surname_after_a_space_is_refused_at_its_field(db, tmp_path, campo, valor, mensaje):
    """Found by the properties above: ``apellidos`` of one space was judged by ``simulate`` and imported,
    as an empty paternal surname (the text up to its first space), and the call's export was then refused
    by the format itself. The applicant's own form strips the names and requires the paternal surname and
    the names (C1); so does the format now, on both paths."""
    from test_engine_db import _conteos

    d = _propio("sunedu")
    d["postulantes"][3][campo] = valor
    res = _simulate(tmp_path, d)
    assert res.exit_code == 2 and _errores(res.output) == [(f"$.postulantes[3].{campo}", mensaje)]
    antes = _conteos(db)
    with pytest.raises(interchange.ArchivoInvalido) as err:
        engine_db.importar(db.session, leido(d))
    assert err.value.errores == [(f"$.postulantes[3].{campo}", mensaje)] and _conteos(db) == antes
