"""Run a bases version over a call, stage by stage (§4.2, D1–D9).

Each stage is one hook call over the candidates still in the process; each
result records the plugin (and version) that produced it (F3). A plugin that
raises stops the run with :class:`casadmin.plugins.ErrorDePlugin`: nothing is
returned, so nothing partial can be saved.
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing as mp
import os
import pickle
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

import pluggy

from casadmin import plugins as pl
from casadmin.engine.bases import BasesVersion
from casadmin.engine.model import CAUSAS_DESIERTO, Candidato, Contexto, Convocatoria, Resultado, crear_resultado
from casadmin.rules.ranking import Finalista, ResultadoFinal
from casadmin.rules.reasons import Motivo
from casadmin.rules.scores import Bonificacion

#: The hook that judges each stage (defined with the plugin checks that use it too).
HOOKS = pl.HOOK_DE_ETAPA

#: Hooks a stage's plugin calls for each candidate (their plugins are recorded with the stage).
AYUDANTES = {"ficha": ("casadmin_verificar_documentos",)}


@dataclass
class Final:
    """A finalist's final score with its bonuses (D7)."""

    candidato: str
    puntaje_etapas: Decimal
    bonificaciones: list[tuple[Bonificacion, str]]
    puntaje_final: Decimal


@dataclass
class Simulacion:
    """Everything a run produced, ready to print, export or save."""

    convocatoria: Convocatoria
    bases: BasesVersion
    etapas: dict[str, list[Resultado]] = field(default_factory=dict)
    convocados_entrevista: list[str] = field(default_factory=list)
    finales: list[Final] = field(default_factory=list)
    orden: ResultadoFinal | None = None
    desierto: str | None = None
    #: plugin name → "name==version" of every plugin that produced a result (F3).
    reglas: dict[str, str] = field(default_factory=dict)
    #: the same for each stage: its own plugin first, then those it consulted (D1: the documents'
    #: check; the interview: the shortlist's), as each of its results stores them on the database.
    reglas_etapas: dict[str, dict[str, str]] = field(default_factory=dict)
    #: "name==version" read once per run (package metadata is parsed on every lookup).
    _versiones: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def resultado(self, etapa: str, candidato: str) -> Resultado | None:
        for r in self.etapas.get(etapa, ()):
            if r.candidato == candidato:
                return r
        return None


@contextmanager
def sin_recolector() -> Iterator[None]:
    """The cyclic garbage collector paused for a batch over a large call, then restored as it was.

    Reading, checking and evaluating a call of 150,000 applicants builds millions of objects that
    all stay alive until the run ends; each automatic collection would walk them again (most of
    the time spent decoding frozen Fichas in ``evaluate``, and about a third of loading a file in
    ``simulate``: docs/performance.md). Reference counting still frees everything that becomes
    garbage; only reference cycles wait for the collector's next run. Usable as a decorator.
    """
    activo = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if activo:
            gc.enable()


def etapas_de(conv: Convocatoria, bases: BasesVersion) -> list[str]:
    """The stages this call runs: the optional exam and psychological test only when included (B1)."""
    skip = set()
    if not conv.incluye_examen:
        skip.add("examen")
    if not conv.incluye_psicologica:
        skip.add("psicologica")
    return [e for e in bases.etapas if e not in skip]


class FueraDeVigencia(ValueError):
    """A call that opens before its bases version is in force (:meth:`BasesVersion.fuera_de_vigencia`):
    its parameters have no value then. Files (``interchange.fuera_de_bases``), the schedule
    (``casadmin.cronograma``) and ``evaluate`` refuse it first, each where it is written."""


def contexto(conv: Convocatoria, bases: BasesVersion, decisiones: Sequence[Sequence[str]] = (),
             pm: pluggy.PluginManager | None = None) -> Contexto:
    """The context of a run of ``conv`` under ``bases``; with ``pm``, a version whose plugins are not all
    registered there, or whose stages none judges, is refused before any stage runs (``pl.incompletitud``)."""
    if pm is not None and (incompleta := pl.incompletitud(pm, bases)) is not None:
        raise pl.SinImplementacion(f"La versión de bases «{bases.id}» {incompleta}.")
    inicio = conv.inicio_postulacion.date()
    if (motivo := bases.fuera_de_vigencia(inicio)) is not None:
        raise FueraDeVigencia(f"Convocatoria «{conv.codigo}»: {motivo}.")
    return Contexto(
        convocatoria=conv,
        bases=bases,
        parametros=bases.parametros.para(inicio),
        decisiones_comite=tuple(tuple(d) for d in decisiones),
    )


#: Stages whose hook judges each candidate on their own ("one result per candidate", D1), so
#: that a large batch can be split between processes without changing any result.
DIVISIBLES = frozenset({"ficha"})
#: From how many candidates a divisible stage is split over the CPU cores by itself; ``None``: only
#: when asked (``evaluar_etapa(procesos=…)``). Off since 2026-12-05: on the 2-core machines measured
#: the split never paid (150,000 candidates: 9.7 s split against 7.7 s in one process; 50,000: 2.37
#: against 2.49 s; 20,000: 0.98 against 1.00 s), because after the fork parent and child both copy the
#: pages of the shared heap they touch and the parent decodes the child's results (docs/performance.md).
UMBRAL_PARALELO: int | None = None
#: The parent's share of the candidates: it also decodes the other parts' results.
PARTE_PADRE = 0.52


def procesos_disponibles() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _procesos(etapa: str, n: int, procesos: int | None) -> int:
    if etapa not in DIVISIBLES or "fork" not in mp.get_all_start_methods():
        return 1
    if procesos is None:
        procesos = procesos_disponibles() if UMBRAL_PARALELO is not None and n >= UMBRAL_PARALELO else 1
    return max(1, min(procesos, n))


def _partes(candidatos: list[Candidato], procesos: int) -> list[list[Candidato]]:
    """Consecutive parts in the original order: the parent's (``PARTE_PADRE``) first, the rest even."""
    primera = round(len(candidatos) * PARTE_PADRE) if procesos == 2 else len(candidatos) // procesos
    resto = candidatos[primera:]
    k = procesos - 1
    cortes = [len(resto) * i // k for i in range(k + 1)]
    return [candidatos[:primera], *(resto[a:b] for a, b in zip(cortes, cortes[1:]))]


def _hijo() -> None:
    """A forked child ends when its parent stops it (:func:`detener`), whatever SIGTERM or SIGINT handler
    the parent had (an RQ worker running a job in-process installs its own, which would leave it running)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


#: Seconds a forked child is given to end after SIGTERM before it is killed (:func:`detener`).
ESPERA_AL_DETENER = 5.0


def bifurcar(objetivo: Callable[..., None], args: Sequence[Any], nombre: str, lectores: list[Any], *,
             duplex: bool = False) -> Any:
    """Fork a child that runs ``objetivo(salida, *args)``, ``salida`` the writing end of a pipe of its
    own, and return it started; the pipe's reading end is appended to ``lectores`` (read it with
    :func:`recibir`, stop the children with :func:`detener`). ``args`` are inherited, not pickled.
    ``duplex``: both ends read and write (a child that is sent requests, :class:`Ayudante`).

    The child first takes SIGTERM and SIGINT back (:func:`_hijo`) and closes the reading ends of
    ``lectores``, its own included: a child that kept one would wait for ever to send a large message
    if its parent were killed. This process closes the child's writing end, even if the fork fails."""
    contexto = mp.get_context("fork")
    lector, escritor = contexto.Pipe(duplex=duplex)
    lectores.append(lector)
    proceso = contexto.Process(target=_en_hijo, args=(objetivo, escritor, lectores[:], args), name=nombre,
                               daemon=True)
    try:
        proceso.start()
    finally:
        escritor.close()  # the child's end: this process only reads
    return proceso


def _en_hijo(objetivo: Callable[..., None], salida: Any, lectores: Sequence[Any], args: Sequence[Any]) -> None:
    _hijo()
    for lector in lectores:
        lector.close()
    try:
        objetivo(salida, *args)
    finally:
        salida.close()


def recibir(lector: Any) -> Any | None:
    """The next message from a child's pipe (:func:`bifurcar`); ``None`` once it has ended, or if it was
    killed in the middle of a message."""
    try:
        return lector.recv()
    except (EOFError, OSError):
        return None


def detener(procesos: Sequence[Any]) -> None:
    """Stop these forked children and wait for them: SIGTERM, then SIGKILL for one that has not ended
    within :data:`ESPERA_AL_DETENER` (a SIGTERM that arrives before the child's :func:`_hijo` runs meets
    the handler it inherited, which may ignore it)."""
    for p in procesos:
        if p.is_alive():
            p.terminate()
    for p in procesos:
        p.join(ESPERA_AL_DETENER)
        if p.is_alive():
            p.kill()
            p.join()


def _parte(salida: Any, pm: pluggy.PluginManager, ctx: Contexto, hook: str, parte: list[Candidato]) -> None:
    """In a forked child (:func:`_en_paralelo`): send the hook's results on ``parte``, encoded
    (:func:`_codificar`), with the plugin that answered; ``None`` if it raised (the parent runs it
    again to report it)."""
    try:
        resultados, plugin = pl.primero(pm, ctx.bases, hook, ctx=ctx, candidatos=parte)
        respuesta: tuple[bytes, str] | None = (_codificar(resultados), plugin)
    except Exception:  # noqa: BLE001 - re-raised by the parent, which runs the same part itself
        respuesta = None
    salida.send(respuesta)


# --- results sent back by a child ------------------------------------------------------------
#
# Pickling a part's results object by object cost more than evaluating them (about 70 µs per
# Ficha result, both ends). They travel instead as one ``marshal`` blob of plain values: each
# distinct reason once (many are shared: the signature, the experience verdicts, the knowledge
# levels are memoized objects), and per result its fields with the indices of its reasons.
# Anything marshal cannot carry exactly (a plugin's own Resultado or Motivo subclass, a
# detalle that is not a plain dict of plain values) makes the whole part go by pickle instead.

_MARSHAL = b"M"
_PICKLE = b"P"
_CAMPOS_RESULTADO = ("candidato", "etapa", "resultado", "puntaje", "motivos", "detalle", "regla")
assert tuple(f.name for f in fields(Resultado)) == _CAMPOS_RESULTADO, "update _codificar and _con_regla"


def _codificar(resultados: list[Resultado]) -> bytes:
    """A part's results as bytes for the parent (:func:`_decodificar` gives them back, equal)."""
    try:
        return _MARSHAL + marshal.dumps(_plano(resultados))
    except (TypeError, ValueError):  # not plain values: the general, slower way
        return _PICKLE + pickle.dumps(resultados, protocol=pickle.HIGHEST_PROTOCOL)


def _plano(resultados: list[Resultado]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    tabla: list[tuple[Any, ...]] = []
    indices: dict[int, int] = {}  # id(Motivo) → position in tabla (the results keep them alive)
    posicion = indices.get
    filas = []
    for r in resultados:
        if type(r) is not Resultado or (r.detalle and type(r.detalle) is not dict):
            raise TypeError("no es un Resultado simple")
        propios = []
        for m in r.motivos:
            k = posicion(id(m))
            if k is None:
                if type(m) is not Motivo:
                    raise TypeError("no es un Motivo simple")
                k = indices[id(m)] = len(tabla)
                tabla.append(tuple(m))
            propios.append(k)
        puntaje = r.puntaje
        if puntaje is not None:
            if type(puntaje) is not Decimal:
                raise TypeError("puntaje que no es Decimal")
            puntaje = str(puntaje)  # exact: Decimal(str(d)) has the same digits and exponent
        filas.append((r.candidato, r.etapa, r.resultado, puntaje, tuple(propios), r.detalle or None, r.regla))
    return tabla, filas


def _decodificar(datos: bytes) -> list[Resultado]:
    if datos[:1] == _PICKLE:
        return pickle.loads(datos[1:])
    tabla, filas = marshal.loads(datos[1:])
    motivos = list(map(Motivo._make, tabla))
    motivo = motivos.__getitem__
    return [
        crear_resultado(candidato=candidato, etapa=etapa, resultado=resultado,
                        puntaje=None if puntaje is None else Decimal(puntaje),
                        motivos=tuple(map(motivo, propios)), detalle={} if detalle is None else detalle,
                        regla=regla)
        for candidato, etapa, resultado, puntaje, propios, detalle, regla in filas
    ]


def _en_paralelo(pm: pluggy.PluginManager, ctx: Contexto, hook: str, candidatos: list[Candidato],
                 procesos: int) -> tuple[list[Resultado], str]:
    """The hook over ``candidatos`` split in consecutive parts, one per process (fork): the parent
    runs the first part while the children run the others; results are joined in the original
    order, so they are those of one call over the whole batch. A part whose child failed (or died) is
    run again in the parent, which then raises as the single-process run would; parts answered by
    different plugins (a plugin that declines some batches) are run again as one batch.
    """
    partes = _partes(candidatos, procesos)
    hijos: list[Any] = []
    lectores: list[Any] = []
    try:
        # Plain processes, each with a pipe of its own: no pool, whose threads and shared queue locks
        # could be left waiting when the parent's part raises while a child is sending its results.
        for i in range(1, len(partes)):
            hijos.append(bifurcar(_parte, (pm, ctx, hook, partes[i]), f"casadmin-parte-{i}", lectores))
        respuestas = [pl.primero(pm, ctx.bases, hook, ctx=ctx, candidatos=partes[0])]
        for lector in lectores:
            # None: the hook raised there, or the child died (killed, out of memory): the part is run here
            r = recibir(lector)
            respuestas.append(None if r is None else (_decodificar(r[0]), r[1]))
    finally:
        detener(hijos)
        for lector in lectores:
            lector.close()
    return _juntar(pm, ctx, hook, candidatos, partes, respuestas)


def _juntar(pm: pluggy.PluginManager, ctx: Contexto, hook: str, candidatos: list[Candidato],
            partes: list[list[Candidato]], respuestas: list[tuple[list[Resultado], str] | None]
            ) -> tuple[list[Resultado], str]:
    """The parts' results joined in the original order. A part with no answer (its process failed or
    died) is judged here, which raises as one process would; parts answered by different plugins (a
    plugin that declines some batches) are judged again as one batch."""
    etapa = next(e for e, h in HOOKS.items() if h == hook)
    for i, respuesta in enumerate(respuestas):
        if respuesta is None:
            respuestas[i] = respuesta = pl.primero(pm, ctx.bases, hook, ctx=ctx, candidatos=partes[i])
        _uno_por_candidato(respuesta[1], hook, etapa, partes[i], respuesta[0])
    if len({plugin for _, plugin in respuestas}) != 1:
        return pl.primero(pm, ctx.bases, hook, ctx=ctx, candidatos=candidatos)
    return [r for resultados, _ in respuestas for r in resultados], respuestas[0][1]


class Ayudante:
    """A forked process that holds the last part of a call's candidates, built by itself, and judges a
    divisible stage over them when :func:`evaluar_etapa` asks (issue 3, item 11).

    Splitting a stage after the call is loaded (:func:`_en_paralelo`) shares the loaded heap between
    the two processes: each one copies every page whose reference counts it touches, about 464,000
    page faults per run of 150,000 applicants, which ate the gain (docs/performance.md). The helper is
    forked *before* the call is loaded, and builds its part from the file's bytes (``construir``) while
    this process loads the whole call: each process judges objects of its own.

    ``construir`` runs in the child and gives its candidates (``interchange.ultima_parte``). The helper
    serves a stage only when this process's batch ends with candidates of the same ids and is run with
    the plugin manager it was forked with, its plugins unchanged; otherwise, or if it failed or died,
    the stage is judged here, with the same results. It compares ids, not contents: give it only a batch
    loaded from the same file (``casadmin simulate``). Use it as a context manager: on leaving, the
    child is stopped.
    """

    def __init__(self, pm: pluggy.PluginManager, construir: Callable[[], list[Candidato]]) -> None:
        self.pm = pm
        self._plugins = _plugins(pm)
        #: Stages it judged (a test's way to see it was used).
        self.atendidas = 0
        self._ids: list[str] | None = None
        conexiones: list[Any] = []
        try:
            # start() drops the process's reference to construir (and so to the file's bytes)
            self._proceso = bifurcar(_ayudar, (pm, construir), "casadmin-ayudante", conexiones, duplex=True)
        except BaseException:
            for conexion in conexiones:
                conexion.close()
            raise
        self._conexion = conexiones[0]

    def __enter__(self) -> Ayudante:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cerrar()

    def cerrar(self) -> None:
        """Stop the child (its part is then judged here)."""
        detener([self._proceso])
        self._conexion.close()

    def corte(self, pm: pluggy.PluginManager, candidatos: Sequence[Candidato]) -> int | None:
        """Where the helper's part of ``candidatos`` starts, or ``None`` if it cannot judge it. Waits for
        the child to have built its part."""
        if self._conexion.closed or pm is not self.pm or _plugins(pm) != self._plugins:
            return None
        if self._ids is None:
            self._ids = recibir(self._conexion)
            if self._ids is None:  # it could not build its part (an invalid file), or died
                self.cerrar()
                return None
        k = len(candidatos) - len(self._ids)
        if k < 1 or not self._ids or [c.id for c in candidatos[k:]] != self._ids:
            return None
        return k

    def pedir(self, hook: str, ctx: Contexto) -> bool:
        """Ask the child to run ``hook`` over its part under ``ctx`` (its own copy of the plugin manager)."""
        try:
            datos = pickle.dumps((hook, replace(ctx, pm=None)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a context that cannot travel: the stage is judged here
            return False
        try:
            self._conexion.send_bytes(datos)
        except OSError:  # it died since it sent its ids
            self.cerrar()
            return False
        return True

    def respuesta(self) -> tuple[list[Resultado], str] | None:
        """The child's results for the last :meth:`pedir`, or ``None`` if its hook raised or it died."""
        try:
            r = self._conexion.recv()
        except (EOFError, OSError):  # it died (its exit may not be reaped yet): it will not answer again
            self.cerrar()
            return None
        if r is None:  # its hook raised there; it answered, so it can be asked again
            return None
        self.atendidas += 1
        return _decodificar(r[0]), r[1]


def _plugins(pm: pluggy.PluginManager) -> list[tuple[str, int]]:
    """The plugins registered, by name and object: the helper's copy has those it was forked with."""
    return sorted((nombre, id(plugin)) for nombre, plugin in pm.list_name_plugin())


def _ayudar(conexion: Any, pm: pluggy.PluginManager, construir: Callable[[], list[Candidato]]) -> None:
    """The helper's child (:class:`Ayudante`, forked by :func:`bifurcar`): build its part, send its ids,
    then judge it when asked, until the parent closes the pipe."""
    try:
        parte = construir()
    except Exception:  # noqa: BLE001 - the parent loads the file itself and reports what is wrong
        conexion.send(None)
        return
    conexion.send([c.id for c in parte])
    while (pedido := recibir(conexion)) is not None:
        hook, ctx = pedido
        try:
            resultados, plugin = pl.primero(pm, ctx.bases, hook, ctx=replace(ctx, pm=pm), candidatos=parte)
            respuesta: tuple[bytes, str] | None = (_codificar(resultados), plugin)
        except Exception:  # noqa: BLE001 - the parent judges this part itself and reports the error
            respuesta = None
        conexion.send(respuesta)


def _con_ayudante(pm: pluggy.PluginManager, ctx: Contexto, hook: str, candidatos: list[Candidato],
                  ayudante: Ayudante) -> tuple[list[Resultado], str] | None:
    """The hook over ``candidatos``, the helper judging its part meanwhile; ``None`` if it cannot."""
    k = ayudante.corte(pm, candidatos)
    if k is None or not ayudante.pedir(hook, ctx):
        return None
    partes = [candidatos[:k], candidatos[k:]]
    try:
        propias = pl.primero(pm, ctx.bases, hook, ctx=ctx, candidatos=partes[0])
        suyas = ayudante.respuesta()
    except BaseException:
        ayudante.cerrar()  # its answer to this stage, or the rest of it, would be taken for the next one's
        raise
    return _juntar(pm, ctx, hook, candidatos, partes, [propias, suyas])


def evaluar_etapa(
    pm: pluggy.PluginManager, ctx: Contexto, etapa: str, candidatos: Sequence[Candidato], sim: Simulacion,
    *, procesos: int | None = None, ayudante: Ayudante | None = None,
) -> list[Resultado]:
    """One stage's hook over ``candidatos`` (§4.2), each result with the rule that produced it (F3).

    A Ficha stage is split over ``procesos`` processes when asked (:func:`_en_paralelo`; or by
    itself from :data:`UMBRAL_PARALELO` candidates, when set; 1: never split), or shared with an
    :class:`Ayudante` that holds the batch's last part (when ``procesos`` is not given). The results
    are the same, in the same order, either way.
    """
    if ctx.pm is not pm:
        ctx = replace(ctx, pm=pm)
    lista = list(candidatos)
    n = _procesos(etapa, len(lista), procesos)
    hecho = None
    if ayudante is not None and etapa in DIVISIBLES and procesos is None:
        hecho = _con_ayudante(pm, ctx, HOOKS[etapa], lista, ayudante)
    if hecho is not None:
        resultados, plugin = hecho
    elif n > 1:
        resultados, plugin = _en_paralelo(pm, ctx, HOOKS[etapa], lista, n)
    else:
        resultados, plugin = pl.primero(pm, ctx.bases, HOOKS[etapa], ctx=ctx, candidatos=lista)
    _uno_por_candidato(plugin, HOOKS[etapa], etapa, lista, resultados)
    regla = sim.reglas[plugin] = _version(pm, sim, plugin)
    otras = dict(sim.reglas_etapas.get(etapa, {}))  # the interview's: the shortlist's plugin (_convocar)
    for consultado in AYUDANTES.get(etapa, ()):
        # Plugins the stage's plugin consults (D1: each bases' document check) produced it too (F3).
        for nombre in pl.implementaciones(pm, ctx.bases, consultado):
            sim.reglas[nombre] = otras[nombre] = _version(pm, sim, nombre)
    if (proveedor := _proveedor(pm, ctx)) is not None:
        sim.reglas[proveedor] = otras[proveedor] = _version(pm, sim, proveedor)
    sim.reglas_etapas[etapa] = {plugin: regla, **dict(sorted(otras.items()))}
    resultados = [r if r.regla else _con_regla(r, regla) for r in resultados]
    if ctx.bases.clausulas_de:  # another bases' clauses, said so (BasesVersion.clausulas_de)
        resultados = [replace(r, motivos=tuple(citados(ctx.bases, r.motivos))) for r in resultados]
    return resultados


def citados(bases: BasesVersion, motivos: Sequence[Motivo]) -> Iterator[Motivo]:
    """Reasons as ``bases`` cite clauses: their ``clausula`` (:meth:`BasesVersion.citar`), and the clauses
    their message quotes (:meth:`BasesVersion.citar_en_texto`)."""
    for m in motivos:
        yield m._replace(clausula=bases.citar(m.clausula), mensaje=bases.citar_en_texto(m.mensaje))


class RespuestaInvalida(ValueError):
    """A plugin answered a hook with what its specification does not allow (reported as its failure)."""


def _uno_por_candidato(plugin: str, hook: str, etapa: str, candidatos: Sequence[Candidato], resultados: Any) -> None:
    """A stage hook answers one result of the stage per candidate, in their order (hookspecs): anything else
    stops the stage as the plugin's failure, naming it, instead of a traceback further on or a stage with
    candidates left out (an empty answer read as «no applicants», §4.5 a)."""
    if not isinstance(resultados, (list, tuple)) or len(resultados) != len(candidatos):
        n = len(resultados) if isinstance(resultados, (list, tuple)) else "otra cosa que una lista de"
        raise pl.ErrorDePlugin(plugin, hook, RespuestaInvalida(
            f"devolvió {n} resultados para {len(candidatos)} candidatos; debe devolver uno por candidato"))
    for n, (r, c) in enumerate(zip(resultados, candidatos)):
        if not isinstance(r, Resultado) or r.candidato != c.id or r.etapa != etapa:
            raise pl.ErrorDePlugin(plugin, hook, RespuestaInvalida(
                f"devolvió {r!r:.80} donde se esperaba el resultado de la etapa «{etapa}» del candidato «{c.id}», "
                "en el orden de los candidatos"))
        if (falla := _resultado_invalido(r, cada_motivo=n == 0)) is not None:
            raise pl.ErrorDePlugin(plugin, hook, RespuestaInvalida(f"devolvió para «{c.id}» {falla}"))


_CENTESIMO = Decimal("0.01")

#: What a stage's result may say (``Resultado.resultado``): what the format and the tables keep.
RESULTADOS = frozenset({"apto", "no_apto", "no_se_presento", "asistio"})


def _puntaje_invalido(p: Any) -> bool:
    """Not what the tables keep exactly as a score: a Decimal, finite, 0 or more, with two decimals at most."""
    return (type(p) is not Decimal or not p.is_finite() or p < 0
            or (p.as_tuple().exponent < -2 and p != p.quantize(_CENTESIMO)))


def _resultado_invalido(r: Resultado, *, cada_motivo: bool = True) -> str | None:
    """What is wrong with a stage result a plugin answered, in words, or None: a result the format and
    the tables do not have («pendiente» was stored as evaluated), a score that is not a ``Decimal`` of at
    most two decimals, not negative (PostgreSQL rounded 25.129, SQLite kept it), reasons that are not a
    tuple of :class:`Motivo` (a text crashed the report). Each reason's type is looked at with
    ``cada_motivo`` only (the first result of an answer: 14 reasons per Ficha, 150,000 Fichas)."""
    if not isinstance(r.resultado, str) or r.resultado not in RESULTADOS:
        return f"el resultado «{r.resultado!s:.40}»; se admite {', '.join(sorted(RESULTADOS))}"
    p = r.puntaje
    if p is not None and _puntaje_invalido(p):
        return f"el puntaje {p!r:.40}; debe ser un Decimal no negativo con hasta dos decimales"
    if not isinstance(r.motivos, tuple) or (cada_motivo and not set(map(type, r.motivos)) <= {Motivo}):
        return f"motivos {r.motivos!r:.60}; deben ser una tupla de Motivo"
    return None


def _proveedor(pm: pluggy.PluginManager, ctx: Contexto) -> str | None:
    """The plugin that declared the bases version, whose parameters (``parametros.yaml``: pass marks, point
    tables, bonus rates, the shortlist's size) every stage and the final step read: it produced the results
    too, and an upgrade that changes only them must show in what they record (F3). ``None`` for a version
    with no registered declaring plugin (one derived in code without it)."""
    proveedor = ctx.bases.proveedor
    return proveedor if proveedor and pm.get_plugin(proveedor) is not None else None


def _version(pm: pluggy.PluginManager, sim: Simulacion, plugin: str) -> str:
    """``name==version`` of a plugin (F3); read from the package metadata once per run, not per stage."""
    version = sim._versiones.get(plugin)
    if version is None:
        version = sim._versiones[plugin] = pl.plugin_version(pm, plugin)
    return version


def _con_regla(r: Resultado, regla: str) -> Resultado:
    """``r`` naming the rule that produced it (``dataclasses.replace``, without its per-call overhead;
    through the slots, :func:`casadmin.rules.types.constructor`: a third of ``Resultado(…)``)."""
    return crear_resultado(candidato=r.candidato, etapa=r.etapa, resultado=r.resultado, puntaje=r.puntaje,
                           motivos=r.motivos, detalle=r.detalle, regla=regla)


def simular(
    pm: pluggy.PluginManager,
    conv: Convocatoria,
    candidatos: Sequence[Candidato],
    bases: BasesVersion | None = None,
    decisiones: Sequence[Sequence[str]] = (),
    hasta: str | None = None,
    ayudante: Ayudante | None = None,
) -> Simulacion:
    """Run every stage of the call's bases version (or up to ``hasta``) and the final result; with an
    :class:`Ayudante` holding the last part of ``candidatos``, each divisible stage is shared with it."""
    bases = bases or pl.get_bases(pm, conv.bases)
    ctx = contexto(conv, bases, decisiones, pm)
    sim = Simulacion(convocatoria=conv, bases=bases)
    vivos = list(candidatos)
    por_id = {c.id: c for c in candidatos}
    acumulado: dict[str, Decimal] = {c.id: Decimal(0) for c in candidatos}
    for etapa in etapas_de(conv, bases):
        if etapa == "entrevista":
            vivos = _convocar(pm, ctx, sim, vivos, acumulado)
        resultados = evaluar_etapa(pm, ctx, etapa, vivos, sim, ayudante=ayudante)
        sim.etapas[etapa] = resultados
        for r in resultados:
            if r.puntaje is not None:
                acumulado[r.candidato] += r.puntaje
        siguen = {r.candidato for r in resultados if r.sigue}
        vivos = [c for c in vivos if c.id in siguen]
        if hasta == etapa:
            return sim
    _final(pm, ctx, sim, [por_id[c.id] for c in vivos], acumulado)
    return sim


def _convocar(pm, ctx: Contexto, sim: Simulacion, vivos: list[Candidato], acumulado: dict[str, Decimal]) -> list[Candidato]:
    """D5: who is called to the interview, by the accumulated score."""
    ids, plugin = pl.primero(
        pm, ctx.bases, "casadmin_convocar_entrevista", ctx=ctx, acumulados=[(c.id, acumulado[c.id]) for c in vivos]
    )
    exigir_convocados(plugin, ids, {c.id for c in vivos})
    sim.reglas[plugin] = sim.reglas_etapas.setdefault("entrevista", {})[plugin] = _version(pm, sim, plugin)
    sim.convocados_entrevista = list(ids)
    elegidos = set(ids)
    return [c for c in vivos if c.id in elegidos]


def exigir_convocados(plugin: str, ids: Any, conocidos: set[str]) -> None:
    """The shortlist hook answers ids of the candidates it was given (hookspecs
    ``casadmin_convocar_entrevista``); anything else is the plugin's failure, named (D5)."""
    if not isinstance(ids, (list, tuple)) or any(not isinstance(i, str) or i not in conocidos for i in ids):
        raise pl.ErrorDePlugin(plugin, "casadmin_convocar_entrevista", RespuestaInvalida(
            f"devolvió {ids!r:.80}; debe devolver los ids de candidatos que siguen en el proceso"))


def _final(pm, ctx: Contexto, sim: Simulacion, finalistas: list[Candidato], acumulado: dict[str, Decimal]) -> None:
    """D7–D9: bonuses, merit order, winners and accesitarios, or the desierto cause."""
    # Looked up once per run, not per finalist (without the exam every Apto is a finalist):
    # the bonus hooks, and each plugin's "name==version" (read from its package metadata once per run).
    bonificaciones = pl.preparar_todos(pm, ctx.bases, "casadmin_bonificaciones")
    if (proveedor := _proveedor(pm, ctx)) is not None:  # the bonus rates and the tie-break are its parameters
        sim.reglas[proveedor] = _version(pm, sim, proveedor)
    if finalistas:
        # Every bonus plugin consulted produced the final results, those that gave no bonus too (F3).
        for plugin in pl.implementaciones(pm, ctx.bases, "casadmin_bonificaciones"):
            sim.reglas[plugin] = _version(pm, sim, plugin)
    for cand in finalistas:
        base = acumulado[cand.id]
        bonos = []
        for lista, plugin in bonificaciones(ctx=ctx, candidato=cand, puntaje=base):
            if not isinstance(lista, (list, tuple)) or not all(isinstance(b, Bonificacion) for b in lista):
                raise pl.ErrorDePlugin(plugin, "casadmin_bonificaciones", RespuestaInvalida(
                    f"devolvió {lista!r:.80} para «{cand.id}»; debe devolver una lista de Bonificacion"))
            for b in lista:  # as a stage's score: stored with two decimals, never rounded, and not «-0»
                if any(_puntaje_invalido(v) or v.is_signed() for v in (b.monto, b.base)):
                    raise pl.ErrorDePlugin(plugin, "casadmin_bonificaciones", RespuestaInvalida(
                        f"devolvió para «{cand.id}» la bonificación «{b.concepto}» de {b.monto!s:.20} sobre "
                        f"{b.base!s:.20}; el monto y la base son Decimal de 0 o más, con dos decimales como máximo"))
            if ctx.bases.clausulas_de:
                lista = [replace(b, base_legal=ctx.bases.citar(b.base_legal)) for b in lista]
            bonos.extend((b, plugin) for b in lista)
        total = base + sum((b.monto for b, _ in bonos), Decimal(0))
        sim.finales.append(Final(candidato=cand.id, puntaje_etapas=base, bonificaciones=bonos, puntaje_final=total))
    entrevista = {r.candidato: r.puntaje for r in sim.etapas.get("entrevista", ()) if r.puntaje is not None}
    examen = {r.candidato: r.puntaje for r in sim.etapas.get("examen", ()) if r.puntaje is not None}
    lista = [
        Finalista(id=f.candidato, puntaje_final=f.puntaje_final, entrevista=entrevista.get(f.candidato, Decimal(0)),
                  examen=examen.get(f.candidato))
        for f in sim.finales
    ]
    if lista:
        sim.orden, plugin = pl.primero(pm, ctx.bases, "casadmin_orden_merito", ctx=ctx, finalistas=lista)
        if (falla := _orden_invalido(sim.orden, lista, ctx.convocatoria.posiciones)) is not None:
            raise pl.ErrorDePlugin(plugin, "casadmin_orden_merito", RespuestaInvalida(falla))
        sim.reglas[plugin] = _version(pm, sim, plugin)
    resumen = {
        "postulantes": len(sim.etapas.get("ficha", ())),
        "aptos_ficha": sum(1 for r in sim.etapas.get("ficha", ()) if r.sigue),
        "finalistas": len(lista),
        "ganadores": len(sim.orden.ganadores) if sim.orden else 0,
        "sin_nadie_por_llamar": 0,  # no contract step in a simulation (§4.4 f, §4.5 d)
    }
    try:
        sim.desierto, plugin = pl.primero(pm, ctx.bases, "casadmin_detectar_desierto", ctx=ctx, resumen=resumen)
    except pl.SinImplementacion:  # no plugin proposes a cause: not desierto, which they decided (F3)
        for plugin in pl.implementaciones(pm, ctx.bases, "casadmin_detectar_desierto"):
            sim.reglas[plugin] = _version(pm, sim, plugin)
    else:
        if sim.desierto is not None and (sim.desierto not in CAUSAS_DESIERTO or (
                resumen["ganadores"] and not resumen["sin_nadie_por_llamar"])):
            raise pl.ErrorDePlugin(plugin, "casadmin_detectar_desierto", RespuestaInvalida(
                f"devolvió {sim.desierto!r:.80} con {resumen['ganadores']} ganador(es); debe devolver None o una causa "
                f"de §4.5 ({', '.join(CAUSAS_DESIERTO)}), y ninguna mientras haya a quién contratar"))
        sim.reglas[plugin] = _version(pm, sim, plugin)


def _orden_invalido(orden: Any, finalistas: Sequence[Finalista], posiciones: int) -> str | None:
    """What is wrong with a merit-order plugin's answer (hookspecs ``casadmin_orden_merito``), or ``None``:
    every finalist placed once; winners (no more than the positions), accesitarios and committee ties among
    them, no one both winner and accesitario, and reasons only for finalists. A wrong answer was stored and
    published: a winner who never applied, or one who was also the first accesitario (D8, F3)."""
    if not isinstance(orden, ResultadoFinal):
        return f"devolvió {orden!r:.80}; debe devolver un ResultadoFinal"
    try:
        return _orden_incoherente(orden, {f.id for f in finalistas}, posiciones)
    except (TypeError, AttributeError) as exc:  # groups that are no sequences of Finalista
        return f"devolvió un ResultadoFinal mal formado ({type(exc).__name__}: {exc}); ver hookspecs"


def _orden_incoherente(orden: ResultadoFinal, ids: set[str], posiciones: int) -> str | None:
    """:func:`_orden_invalido` of a well-typed answer."""
    colocados = [getattr(f, "id", f) for grupo in orden.orden for f in grupo]
    if sorted(map(str, colocados)) != sorted(ids):
        return (f"ubicó en el orden de mérito a {', '.join(map(str, colocados)) or 'nadie'}; debe ubicar una vez a "
                f"cada finalista: {', '.join(sorted(ids))}")
    ganadores = [getattr(f, "id", f) for f in orden.ganadores]
    accesitarios = [getattr(f, "id", f) for f in orden.accesitarios]
    ajenos = [i for i in (*ganadores, *accesitarios, *(getattr(f, "id", f) for g in orden.empates_comite for f in g),
                          *orden.motivos_por_candidato) if i not in ids]
    if ajenos:
        return f"nombró a {', '.join(map(str, ajenos))}, que no es finalista"
    if len({*ganadores, *accesitarios}) != len(ganadores) + len(accesitarios):
        return "nombró a un candidato dos veces entre ganadores y accesitarios"
    if len(ganadores) > posiciones:
        return f"nombró {len(ganadores)} ganadores para {posiciones} posición(es)"
    return None
