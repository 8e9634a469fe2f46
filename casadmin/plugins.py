"""The plugin manager: one per process, loading the ``casadmin`` entry point group.

The built-in SUNEDU and Migraciones bases are ordinary plugins registered through
entry points in ``pyproject.toml``, exactly like a third-party package; the core
never imports them.
"""

from __future__ import annotations

import importlib.metadata
import pickle
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any, TypeVar

import pluggy

from casadmin import hookspecs
from casadmin.engine.bases import BasesVersion

ENTRY_POINT_GROUP = "casadmin"
#: Plugins registered without an entry point (none: even the built-in bases use entry points).
DEFAULT_PLUGINS: tuple[Any, ...] = ()


class ConflictoDeBases(RuntimeError):
    """Two plugins declare the same bases version id (refused at start-up)."""


class BasesDesconocida(LookupError):
    """A call names a bases version that no installed plugin provides."""


class PluginInvalido(RuntimeError):
    """An installed plugin that cannot be loaded (refused at start-up, naming it and its package)."""


class ErrorDePlugin(RuntimeError):
    """A plugin raised while running a stage; names the plugin. Nothing is saved."""

    def __init__(self, plugin: str, hook: str, exc: BaseException) -> None:
        super().__init__(f"El plugin «{plugin}» falló en {hook}: {exc.__class__.__name__}: {exc}")
        self.plugin = plugin
        self.hook = hook
        self.original = exc

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled when it leaves a forked process that evaluated part of a stage (casadmin.engine_db):
        # the message as it was; the plugin's exception as it was, or as text if it cannot be pickled.
        try:
            original: BaseException = pickle.loads(pickle.dumps(self.original))
        except Exception:  # noqa: BLE001 - a plugin may raise anything
            original = RuntimeError(f"{self.original.__class__.__name__}: {self.original}")
        return _error_de_plugin, (self.args[0], self.plugin, self.hook, original)


def _error_de_plugin(mensaje: str, plugin: str, hook: str, original: BaseException) -> ErrorDePlugin:
    exc = ErrorDePlugin.__new__(ErrorDePlugin)
    RuntimeError.__init__(exc, mensaje)
    exc.plugin, exc.hook, exc.original = plugin, hook, original
    return exc


class SinImplementacion(LookupError):
    """No plugin of the bases version implements a stage it lists."""


@dataclass(frozen=True)
class InfoPlugin:
    nombre: str
    distribucion: str
    version: str
    hooks: tuple[str, ...]
    bases: tuple[str, ...]


def new_plugin_manager(load_entrypoints: bool = True, extra: Iterable[tuple[str, Any]] = ()) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for plugin in DEFAULT_PLUGINS:
        pm.register(plugin)
    if load_entrypoints:
        _sin_nombres_repetidos()
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as exc:  # an import error, a bad hook: named for whoever installed it
            raise PluginInvalido(_no_carga(exc)) from exc
    for name, plugin in extra:
        pm.register(plugin, name=name)
    try:
        pm.check_pending()  # a misspelt hook («casadmin_bonificacion») would never be called, without a word
    except pluggy.PluginValidationError as exc:
        nombre = pm.get_name(exc.plugin) or "?"
        raise PluginInvalido(f"El plugin «{nombre}» implementa un hook que CAS Admin no tiene: {exc}. "
                             "Corrija su nombre (docs/plugins.md lista los hooks).") from exc
    bases_versions(pm)  # refuse conflicting bases ids now, at start-up
    return pm


def _paquete(dist: Any) -> str:
    return dist.name if dist is not None else "?"


def _a_desinstalar(*paquetes: str) -> str | None:
    """The package to suggest uninstalling among these: the last one that is known and not CAS Admin itself."""
    return next((p for p in reversed(paquetes) if p and p not in ("casadmin", "?")), None)


def _sin_nombres_repetidos() -> None:
    """Two installed packages naming a plugin alike would be one plugin: pluggy loads the first and skips
    the other without a word, so that, say, a package's «sunedu.examen» would silently replace SUNEDU's
    exam. Refused at start-up, naming both packages."""
    vistos: dict[str, Any] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        otro = vistos.setdefault(ep.name, ep)
        if otro is not ep and (otro.value, _paquete(otro.dist)) != (ep.value, _paquete(ep.dist)):
            raise PluginInvalido(
                f"Dos paquetes instalados declaran el plugin «{ep.name}»: «{_paquete(otro.dist)}» ({otro.value}) y "
                f"«{_paquete(ep.dist)}» ({ep.value}); solo uno se cargaría. Cambie el nombre del punto de entrada "
                f"del plugin propio o desinstale su paquete "
                f"(pip uninstall {_a_desinstalar(_paquete(otro.dist), _paquete(ep.dist)) or '…'}).")


def _no_carga(exc: Exception) -> str:
    """Which installed plugin could not be loaded, and why (pluggy raises the first failure as it is): one
    that does not import, or one whose hooks pluggy refuses (a hook implementation asking for an argument
    its hook does not give, say), found by the module pluggy refused."""
    if isinstance(exc, pluggy.PluginValidationError):
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            try:
                es_este = ep.load() is exc.plugin
            except Exception:  # noqa: BLE001 - another plugin's failure: not this one
                es_este = False
            if es_este:
                paquete, quitar = _paquete_de(ep)
                return (f"El plugin «{ep.name}» ({ep.value}, {paquete}) no es válido: {exc}. Corríjalo o desinstale "
                        f"el paquete ({quitar}).")
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            ep.load()
        except Exception as error:  # noqa: BLE001 - the plugin's own failure, reported to the user
            paquete, quitar = _paquete_de(ep)
            return (f"No se pudo cargar el plugin «{ep.name}» ({ep.value}, {paquete}): "
                    f"{type(error).__name__}: {error}. Corríjalo o desinstale el paquete ({quitar}).")
    return f"No se pudo cargar un plugin instalado: {type(exc).__name__}: {exc}."


def _paquete_de(ep: importlib.metadata.EntryPoint) -> tuple[str, str]:
    """An entry point's package as a message names it, and the command that uninstalls it."""
    if ep.dist is None:
        return "de un paquete instalado", "pip uninstall …"
    return f"del paquete «{ep.dist.name}»", f"pip uninstall {ep.dist.name}"


@cache
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager (entry points loaded once)."""
    return new_plugin_manager()


V = TypeVar("V")


def _por_registrados(
    leer: Callable[[pluggy.PluginManager], dict[str, V]],
) -> Callable[[pluggy.PluginManager], dict[str, V]]:
    """``leer`` run once per plugin manager and set of registered plugins (registering or removing a
    plugin reads again); each caller gets its own copy of the dict.

    The registered plugins are recognized by name and ``id``; the entry keeps them alive, so that
    a plugin registered later cannot be given the id of one that has gone.
    """
    #: plugin manager → (names and ids of its plugins, the plugins themselves, what ``leer`` read)
    guardados: weakref.WeakKeyDictionary[
        pluggy.PluginManager, tuple[list[tuple[str, int]], list[object], dict[str, V]]] = weakref.WeakKeyDictionary()

    @wraps(leer)
    def leido(pm: pluggy.PluginManager) -> dict[str, V]:
        registrados = pm.list_name_plugin()
        clave = sorted((nombre or "", id(plugin)) for nombre, plugin in registrados)
        guardado = guardados.get(pm)
        if guardado is None or guardado[0] != clave:
            guardado = guardados[pm] = (clave, [plugin for _, plugin in registrados], leer(pm))
        return dict(guardado[2])

    return leido


@_por_registrados
def _versions(pm: pluggy.PluginManager) -> dict[str, tuple[str, str]]:
    """plugin name → (distribution, version) for plugins that came from a package.

    Read once (:func:`_por_registrados`): each read parses every plugin package's METADATA file,
    about 4 ms per plugin asked, which every ``simulate`` and ``evaluate`` paid for each of its plugins.
    """
    out = {}
    for plugin, dist in pm.list_plugin_distinfo():
        out[pm.get_name(plugin)] = (dist.metadata["name"], dist.version)
    return out


@_por_registrados
def bases_versions(pm: pluggy.PluginManager) -> dict[str, BasesVersion]:
    """Every declared bases version by id, with the plugin and package version that declared it.

    Read once (:func:`_por_registrados`): the hooks parse each plugin's ``parametros.yaml``, about
    5 ms that every applicant's page and upload used to pay (issue 4). Versions are frozen.
    """
    dists = _versions(pm)
    found: dict[str, BasesVersion] = {}
    for impl in pm.hook.casadmin_bases_versions.get_hookimpls():
        try:
            declaradas = list(impl.function() or ())
        except Exception as exc:  # e.g. its parametros.yaml left out of the package
            dist = dists.get(impl.plugin_name, ("", ""))[0]
            quitar = _a_desinstalar(dist)
            raise PluginInvalido(
                f"El plugin «{impl.plugin_name}»{f' (paquete «{dist}»)' if dist else ''} no pudo declarar sus "
                f"versiones de bases: {type(exc).__name__}: {exc}. Corríjalo o desinstale el paquete"
                f"{f' (pip uninstall {quitar})' if quitar else ''}.") from exc
        for version in declaradas:
            if version.id in found:
                primero = found[version.id].proveedor
                paquetes = [dists.get(n, ("", ""))[0] for n in (primero, impl.plugin_name)]
                raise ConflictoDeBases(
                    f"Los plugins «{primero}» y «{impl.plugin_name}» declaran la misma versión de bases «{version.id}»"
                    + (f" (paquetes «{paquetes[0]}» y «{paquetes[1]}»)" if all(paquetes) else "")
                    + f". Desinstale uno de los dos paquetes (pip uninstall {_a_desinstalar(*paquetes) or '…'})."
                    if primero != impl.plugin_name else
                    f"El plugin «{primero}» declara dos veces la versión de bases «{version.id}»."
                )
            dist, ver = dists.get(impl.plugin_name, ("", ""))
            if sin_valor := version.sin_valor_al_inicio():
                raise PluginInvalido(
                    f"El plugin «{impl.plugin_name}»{f' (paquete «{dist}»)' if dist else ''} declara la versión de "
                    f"bases «{version.id}», vigente desde el {version.vigente_desde:%d/%m/%Y}, con parámetros sin valor "
                    f"en esa fecha: {', '.join(sin_valor)}. Dé a cada uno un valor desde el inicio de la versión "
                    "o corrija «vigente_desde».")
            found[version.id] = version.derivada(proveedor=impl.plugin_name, version=ver)
    for version in found.values():  # after the conflicts: two declarations of one id are told as such
        if incompleta := incompletitud(pm, version):
            dist = dists.get(version.proveedor, ("", ""))[0]
            raise PluginInvalido(
                f"El plugin «{version.proveedor}»{f' (paquete «{dist}»)' if dist else ''} declara la versión de "
                f"bases «{version.id}», que {incompleta}. Corrija la lista de plugins de la versión o instale "
                "el paquete que falta.")
    return found


#: The hook that judges each stage a bases version may list.
HOOK_DE_ETAPA = {etapa: f"casadmin_evaluar_{etapa}" for etapa in ("ficha", "examen", "psicologica", "curricular",
                                                                   "entrevista")}


def incompletitud(pm: pluggy.PluginManager, bases: BasesVersion) -> str | None:
    """What makes a bases version unusable with the plugins registered, in words that follow «que …», else
    ``None``: a plugin it lists that is not installed (a misspelt «sunedu.bonificacion_ffaa_discapacida»
    silently dropped a legal bonus), a stage it lists that does not exist («psicológica»), or one that none
    of its plugins judges (found only when that stage was evaluated). Checked at start-up for every declared
    version (:func:`bases_versions`) and before a run for a version derived in code
    (:func:`casadmin.engine.run.contexto`)."""
    ausentes = [nombre for nombre in bases.plugins if pm.get_plugin(nombre) is None]
    if ausentes:
        return f"lista plugins que no están instalados: {', '.join(ausentes)}"
    desconocidas = [etapa for etapa in bases.etapas if etapa not in HOOK_DE_ETAPA]
    if desconocidas:  # «psicológica» for «psicologica» passed start-up and stopped a run with a KeyError
        return (f"tiene etapas que no existen: {', '.join(desconocidas)} (las etapas son "
                f"{', '.join(HOOK_DE_ETAPA)})")
    sin_plugin = [etapa for etapa in bases.etapas
                  if etapa in HOOK_DE_ETAPA and not _impls(pm, bases, HOOK_DE_ETAPA[etapa])]
    if "entrevista" in bases.etapas and "entrevista" not in sin_plugin \
            and not _impls(pm, bases, "casadmin_convocar_entrevista"):
        sin_plugin.append("entrevista (ninguno convoca a ella: casadmin_convocar_entrevista)")
    if sin_plugin:
        return f"tiene etapas que ninguno de sus plugins evalúa: {', '.join(sin_plugin)}"
    return None


def get_bases(pm: pluggy.PluginManager, bases_id: str) -> BasesVersion:
    try:
        return bases_versions(pm)[bases_id]
    except KeyError:
        raise BasesDesconocida(
            f"Ninguna versión de bases instalada se llama «{bases_id}». "
            f"Instaladas: {', '.join(sorted(bases_versions(pm))) or 'ninguna'}."
        ) from None


def bases_de(pm: pluggy.PluginManager, bases_id: str | None, datos: Any) -> BasesVersion | None:
    """The installed bases version ``bases_id`` names, else the one an interchange file's ``bases``
    names; None when neither is installed (or the file names none): for checking a refused file."""
    if bases_id is None:
        bases_id = datos.get("bases") if isinstance(datos, Mapping) else None
    return bases_versions(pm).get(bases_id) if isinstance(bases_id, str) else None


def bases_no_instalada(pm: pluggy.PluginManager, datos: Any) -> tuple[str, str] | None:
    """The mistake of an interchange file whose ``bases`` names no installed version, at its path, else None
    (a ``bases`` that is not a text is the schema's to report)."""
    bases_id = datos.get("bases") if isinstance(datos, Mapping) else None
    instaladas = bases_versions(pm)
    if not isinstance(bases_id, str) or bases_id in instaladas:
        return None
    return ("$.bases", f"ninguna versión de bases instalada se llama «{bases_id}»; instaladas: "
                       f"{', '.join(sorted(instaladas)) or 'ninguna'} (casadmin plugins)")


def con_lo_de_las_bases(pm: pluggy.PluginManager, exc: Any, datos: Any, bases_id: str | None = None) -> Any:
    """A file :func:`casadmin.engine.interchange.cargar` refused (``exc``, an ``ArchivoInvalido``), with what
    its bases version refuses too (``interchange.con_fuera_de_bases``) and, unless ``bases_id`` (a version
    chosen apart from the file) is given, the file's ``bases`` when no installed version has that id: one run
    reports every mistake (``casadmin simulate``, ``casadmin import``)."""
    from casadmin.engine import interchange

    exc = interchange.con_fuera_de_bases(exc, datos, bases_de(pm, bases_id, datos))
    desconocida = bases_no_instalada(pm, datos) if bases_id is None else None
    if desconocida is None:
        return exc
    return interchange.ArchivoInvalido(interchange._sin_repetir([*exc.errores, desconocida]), esquema=exc.esquema)


def _impls(pm: pluggy.PluginManager, bases: BasesVersion, hook: str) -> list[Any]:
    """The bases version's implementations of ``hook``, in pluggy's call order."""
    allowed = set(bases.plugins)
    impls = getattr(pm.hook, hook).get_hookimpls()
    return [impl for impl in reversed(impls) if impl.plugin_name in allowed]


def implementaciones(pm: pluggy.PluginManager, bases: BasesVersion, hook: str) -> list[str]:
    """Names of the bases version's plugins implementing ``hook``, in call order."""
    return [impl.plugin_name for impl in _impls(pm, bases, hook)]


def _call(impl: Any, hook: str, kwargs: Mapping[str, Any]) -> Any:
    try:
        return impl.function(*[kwargs[name] for name in impl.argnames])
    except ErrorDePlugin:  # a plugin this one consulted (D1: the documents' check) failed: it is named
        raise
    except Exception as exc:  # noqa: BLE001 - every failure is reported with the plugin's name
        raise ErrorDePlugin(impl.plugin_name, hook, exc) from exc


def primero(pm: pluggy.PluginManager, bases: BasesVersion, hook: str, **kwargs: Any) -> tuple[Any, str]:
    """Call a ``firstresult`` hook on the bases version's plugins: (result, plugin name)."""
    for impl in _impls(pm, bases, hook):
        result = _call(impl, hook, kwargs)
        if result is not None:
            return result, impl.plugin_name
    raise SinImplementacion(f"La versión de bases «{bases.id}» no tiene un plugin para {hook}.")


def todos(pm: pluggy.PluginManager, bases: BasesVersion, hook: str, **kwargs: Any) -> list[tuple[Any, str]]:
    """Call a collecting hook on the bases version's plugins: [(result, plugin name)]."""
    return preparar_todos(pm, bases, hook)(**kwargs)


def preparar_todos(pm: pluggy.PluginManager, bases: BasesVersion,
                   hook: str) -> Callable[..., list[tuple[Any, str]]]:
    """:func:`todos` for ``hook`` with the implementations looked up once.

    For a plugin that calls a hook once per candidate (the D1 document check over
    a whole call): the lookup is the same for every call, and plugins are not
    registered in the middle of a stage.
    """
    impls = _impls(pm, bases, hook)

    def llamar(**kwargs: Any) -> list[tuple[Any, str]]:
        return [(r, impl.plugin_name) for impl in impls if (r := _call(impl, hook, kwargs)) is not None]

    return llamar


def plugin_version(pm: pluggy.PluginManager, name: str) -> str:
    """``name==version`` of a plugin, as recorded with the results it produces (F3)."""
    dist = _versions(pm).get(name)
    return f"{name}=={dist[1]}" if dist else name


def info(pm: pluggy.PluginManager) -> list[InfoPlugin]:
    """Installed plugins: name, package, version, hooks, bases versions (A4, ``casadmin plugins``)."""
    dists = _versions(pm)
    bases = bases_versions(pm)
    out = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda p: p[0]):
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
        dist, ver = dists.get(name, ("", ""))
        provided = tuple(sorted(b.id for b in bases.values() if b.proveedor == name))
        out.append(InfoPlugin(nombre=name, distribucion=dist, version=ver, hooks=hooks, bases=provided))
    return out
