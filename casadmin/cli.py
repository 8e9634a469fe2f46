"""Command line: ``flask casadmin …`` and the ``casadmin`` console script."""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import TYPE_CHECKING, NoReturn

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from casadmin.roles import ADMIN, ALL_ROLES

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory


def click_en_espanol() -> None:
    """Click's own messages (usage lines, a missing option, a file that does not exist, a value not
    among the choices) in Spanish, as the rest of CAS Admin speaks: Click marks them with gettext but
    ships no catalogue and reads the system's language. Its modules' ``_`` and ``ngettext`` take
    ``translations/es/LC_MESSAGES/click.mo``; a message it lacks stays in English. Run before any
    command is declared: a ``click.Path`` names its kind («archivo») when it is built."""
    import gettext
    import importlib
    from pathlib import Path

    catalogo = gettext.translation("click", Path(__file__).resolve().parent / "translations", languages=["es"],
                                   fallback=True)
    for nombre in ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils",
                   "shell_completion", "_termui_impl"):
        modulo = importlib.import_module(f"click.{nombre}")
        if hasattr(modulo, "_"):
            modulo._ = catalogo.gettext  # type: ignore[attr-defined]
        if hasattr(modulo, "ngettext"):
            modulo.ngettext = catalogo.ngettext  # type: ignore[attr-defined]


click_en_espanol()


def _cargar_plugins() -> None:
    """Load the installed rule plugins before any command: two that declare the same bases version
    stop it here with the message, not with a traceback in the middle of a command."""
    from casadmin import plugins as pl

    try:
        pl.get_plugin_manager()
    except (pl.ConflictoDeBases, pl.PluginInvalido) as exc:
        raise click.ClickException(str(exc)) from None


@click.group("casadmin", help="Comandos de CAS Admin.")
def casadmin_group() -> None:
    _cargar_plugins()


def sync_security() -> None:
    """Create every permission and the roles of A2 (run once, not in each worker: FAB-NOTES)."""
    appbuilder = current_app.appbuilder
    sm = appbuilder.sm
    for role in ALL_ROLES:
        if sm.find_role(role) is None:
            sm.add_role(role)
    appbuilder.add_permissions(update_perms=True)
    _materialize_builtin_roles(sm)


def _materialize_builtin_roles(sm) -> None:
    """Write each built-in role's permissions (regexes in ``FAB_ROLES``) into the database.

    FAB checks built-in roles in memory for signed-in users, but reads the public role's
    permissions (anonymous access, menus) from the database; materializing all of them also
    lets the administrator see on the Roles screen exactly what each role may do.
    """
    import re

    pvs = sm.session.query(sm.permissionview_model).all()
    for role_name, pairs in sm.builtin_roles.items():
        role = sm.find_role(role_name)
        patterns = [(re.compile(view), re.compile(perm)) for view, perm in pairs]
        role.permissions = [
            pv for pv in pvs
            if any(v.match(pv.view_menu.name) and p.match(pv.permission.name) for v, p in patterns)
        ]
    sm.session.commit()


def ensure_admin(username: str, email: str, password: str) -> bool:
    """Create the administrator if missing; True when created."""
    sm = current_app.appbuilder.sm
    if sm.find_user(username=username) is not None:
        return False
    user = sm.add_user(username, "Administrador", "CAS Admin", email, sm.find_role(ADMIN), password)
    if not user:
        raise click.ClickException("No se pudo crear el administrador.")
    return True


@casadmin_group.command("init", help="Sincronizar roles y permisos y crear el administrador (después de «flask --app casadmin db upgrade»).")
@click.option("--admin-user", default=lambda: os.environ.get("CASADMIN_ADMIN_USER", "admin"))
@click.option("--admin-email", default=lambda: os.environ.get("CASADMIN_ADMIN_EMAIL", "admin@casadmin.local"))
@click.option("--admin-password", default=lambda: os.environ.get("CASADMIN_ADMIN_PASSWORD", "admin12345"))
@with_appcontext
def init_command(admin_user: str, admin_email: str, admin_password: str) -> None:
    """Sync roles and permissions and create the administrator (after ``flask db upgrade``)."""
    _exigir_base_de_datos()  # a database not migrated yet: said, not a traceback
    sync_security()
    created = ensure_admin(admin_user, admin_email, admin_password)
    click.echo(f"Roles y permisos sincronizados; administrador {'creado' if created else 'ya existía'}: {admin_user}")


@casadmin_group.command("demo", help="Cargar los datos de demostración (dos veces deja los mismos datos).")
@with_appcontext
def demo_command() -> None:
    """Load the demo data (idempotent: running it twice leaves the same data)."""
    from casadmin.demo import load_demo

    summary = load_demo()
    for line in summary:
        click.echo(line)


@casadmin_group.group("audit", help="Registro de auditoría (A5).")
def audit_group() -> None:
    """The audit trail (A5)."""


@audit_group.command("verify", help="Verificar la cadena de auditoría; termina con código 1 y nombra cada registro cambiado o eliminado.")
@with_appcontext
def audit_verify_command() -> None:
    """Recompute the hash chain of the audit trail; exit 1 naming each record changed or removed."""
    from casadmin import audit
    from casadmin.extensions import db

    resultado = audit.verificar(db.session)
    if resultado.intacta:
        click.echo(f"Registro de auditoría íntegro: {resultado.registros} registros verificados.")
        return
    for problema in resultado.problemas:
        click.echo(problema, err=True)
    click.echo(f"Registro de auditoría ALTERADO: {len(resultado.problemas)} problema(s) "
               f"en {resultado.registros} registros.", err=True)
    raise SystemExit(1)


# --- rules engine (issue: simulate / plugins need no database) -----------------------------


def _fallar_archivo(exc) -> None:
    click.echo(f"Archivo inválido: {len(exc.errores)} error(es).", err=True)
    for ruta, msg in exc.errores:
        click.echo(f"  {ruta}: {msg}", err=True)
    raise SystemExit(2)


@casadmin_group.command("simulate", help="Aplicar las etapas de las bases a ARCHIVO, sin base de datos: por candidato y etapa, resultado, puntaje y motivos; luego bonificaciones, orden de mérito, ganador/a, accesitarios o la causa de desierto.")
@click.argument("archivo", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "como_json", is_flag=True, help="Imprimir el resultado en el formato de intercambio.")
@click.option("--bases", "bases_id", default=None, help="Simular con otra versión de bases instalada.")
@click.option("--hasta", type=click.Choice(["ficha", "examen", "psicologica", "curricular", "entrevista"]),
              default=None, help="Detenerse después de esta etapa.")
@click.option("--ayudante", "con_ayudante", is_flag=True,
              help="En un archivo grande (64 MiB o más), compartir la etapa de Ficha con un proceso auxiliar "
                   "(dos núcleos o más; más memoria).")
def simulate_command(archivo: str, como_json: bool, bases_id: str | None, hasta: str | None,
                     con_ayudante: bool) -> None:
    """Run the bases' stages on FILE with no database: per candidate and stage, result, score and reasons."""
    from casadmin.engine.run import sin_recolector

    with sin_recolector():  # one run over a whole file: no collection walks its objects again and again
        _simulate(archivo, como_json, bases_id, hasta, con_ayudante)


def _simulate(archivo: str, como_json: bool, bases_id: str | None, hasta: str | None, con_ayudante: bool) -> None:
    import json as _json
    from contextlib import nullcontext

    from casadmin import plugins as pl
    from casadmin.engine import interchange, report

    with open(archivo, "rb") as fh:
        texto = fh.read()
    pm = pl.get_plugin_manager()
    # --ayudante on a large file: a forked helper builds and judges the last part of the applicants (issue 3,
    # item 11). Off by default: on the 2-vCPU machines measured, the whole command took as long or longer.
    with interchange.ayudante_para(pm, texto) if con_ayudante else nullcontext() as ayudante:
        leido = None
        try:
            leido = interchange.leer(texto)
            del texto  # parsed: its half a gigabyte need not stay while the call is checked and judged
            arch = interchange.cargar(leido)
        except interchange.ArchivoInvalido as exc:
            _fallar_archivo(pl.con_lo_de_las_bases(pm, exc, leido, bases_id))
        sim = _simular_archivo(pm, arch, bases_id, hasta, ayudante)
    if como_json:
        salida = {**arch.datos, "resultados": report.como_dict(sim)}
        click.echo(_json.dumps(salida, ensure_ascii=False, indent=2, default=interchange.a_json))
    else:
        nombres = {c.id: c.nombre_completo for c in arch.candidatos}
        click.echo(report.texto(sim, nombres))


def _fallar_plugin(exc: Exception, nada: str = "No se guardó ningún resultado") -> NoReturn:
    """A rule plugin failed (its name is in the message): exit 3, with nothing saved."""
    click.echo(f"Error: {exc}. {nada}.", err=True)
    raise SystemExit(3) from None


def _simular_archivo(pm, arch, bases_id: str | None, hasta: str | None, ayudante):
    import dataclasses

    from casadmin import plugins as pl
    from casadmin.engine import interchange
    from casadmin.engine.run import etapas_de, simular

    conv = arch.convocatoria if bases_id is None else dataclasses.replace(arch.convocatoria, bases=bases_id)
    if bases_id is None and (desconocida := pl.bases_no_instalada(pm, arch.datos)) is not None:
        _fallar_archivo(interchange.ArchivoInvalido([desconocida]))
    try:
        bases = pl.get_bases(pm, conv.bases)
        errores = interchange.fuera_de_bases(dataclasses.replace(arch, convocatoria=conv), bases)
        if errores:
            _fallar_archivo(interchange.ArchivoInvalido(errores))
        if hasta is not None and hasta not in etapas_de(conv, bases):
            raise click.ClickException(f"La convocatoria {conv.codigo} no tiene la etapa «{hasta}»: sus etapas son "
                                       f"{', '.join(etapas_de(conv, bases))}.")
        return simular(pm, conv, arch.candidatos, bases, decisiones=arch.decisiones, hasta=hasta, ayudante=ayudante)
    except (pl.BasesDesconocida, pl.SinImplementacion) as exc:
        raise click.ClickException(str(exc)) from None
    except pl.ErrorDePlugin as exc:
        _fallar_plugin(exc)


@casadmin_group.command("plugins", help="Listar los plugins de reglas instalados (paquete, versión, hooks) y las versiones de bases.")
def plugins_command() -> None:
    """List installed rule plugins: name, package and version, hooks, bases versions."""
    from casadmin import plugins as pl

    pm = pl.get_plugin_manager()
    for i in pl.info(pm):
        origen = f"{i.distribucion} {i.version}".strip() or "(registrado en código)"
        click.echo(f"{i.nombre:<40} {origen:<22} {', '.join(h.removeprefix('casadmin_') for h in i.hooks)}")
    click.echo("")
    click.echo("Versiones de bases:")
    for b in sorted(pl.bases_versions(pm).values(), key=lambda b: b.id):
        click.echo(f"  {b.id:<24} {b.entidad:<12} vigente desde {b.vigente_desde}  {b.nombre}  "
                   f"(plugin {b.proveedor} {b.version})")


# --- the rules engine on the database (issue 3: import, export, evaluate) -----------------------


def _exigir_base_de_datos() -> None:
    """The commands that read or write the call's tables stop with a message, not a traceback, when the
    database cannot be opened or has no tables yet; an SQLite file that does not exist is not created
    (an empty one would be left behind, e.g. when the command runs in another directory: the default
    database is ``instance/casadmin.db`` under the current one)."""
    from pathlib import Path

    import sqlalchemy as sa

    from casadmin.extensions import db

    url = db.engine.url  # a relative SQLite path as Flask-SQLAlchemy resolves it (under the instance folder)
    nombre = url.render_as_string(hide_password=True)
    ayuda = ("Defina CASADMIN_DATABASE_URL, o ejecute el comando en la carpeta del proyecto; "
             "«make run» o «flask db upgrade» crean las tablas.")
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).is_file():
        raise click.ClickException(f"No existe la base de datos {nombre}. {ayuda}")
    try:
        with db.engine.connect() as conn:
            versiones = set(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
    except sa.exc.DBAPIError as exc:
        detalle = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        raise click.ClickException(f"No se puede usar la base de datos {nombre} ({detalle}). {ayuda}") from None
    faltan = _migraciones_pendientes(versiones)
    if isinstance(faltan, str):
        raise click.ClickException(
            f"La base de datos {nombre} tiene la migración «{faltan}», que esta versión de CAS Admin no conoce (la "
            "actualizó una versión más nueva, u otra rama): use esa versión de CAS Admin.")
    if faltan:
        raise click.ClickException(
            f"La base de datos {nombre} no está actualizada a esta versión de CAS Admin (le faltan {faltan} "
            "migración(es)). Ejecute «flask --app casadmin db upgrade» (o «make migrate») y vuelva a intentarlo.")


def _conocida(guion: ScriptDirectory, revision: str) -> bool:
    """Whether the migrations folder has ``revision``."""
    from alembic.util.exc import CommandError

    try:
        return guion.get_revision(revision) is not None
    except CommandError:  # ResolutionError and the like
        return False


def _migraciones_pendientes(versiones: set[str]) -> int | str:
    """How many of this code's migrations the database's ``alembic_version`` lacks (0 when the migrations
    folder is not there to compare with, as in a wheel installed without it); or the database's revision
    that this code does not know (a newer CAS Admin upgraded it)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    directorio = current_app.extensions["migrate"].directory
    if not os.path.isdir(directorio):
        return 0
    config = Config()
    config.set_main_option("script_location", directorio)
    guion = ScriptDirectory.from_config(config)
    desconocida = next((v for v in sorted(versiones) if not _conocida(guion, v)), None)
    if desconocida is not None:
        return desconocida
    aplicadas = {r.revision for v in versiones for r in guion.iterate_revisions(v, "base")} if versiones else set()
    return sum(1 for r in guion.walk_revisions() if r.revision not in aplicadas)


@casadmin_group.command("import", help="Cargar una convocatoria completa desde ARCHIVO (formato de intercambio) en una sola transacción; si hay un error no se guarda nada.")
@click.argument("archivo", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(archivo: str) -> None:
    """Load a whole call from FILE (interchange format) in one transaction; nothing is written on error."""
    from casadmin import engine_db
    from casadmin import plugins as pl
    from casadmin.engine import interchange
    from casadmin.engine.run import sin_recolector
    from casadmin.extensions import db

    _exigir_base_de_datos()
    try:
        with open(archivo, "rb") as fh, sin_recolector():
            datos = interchange.leer(fh.read())
            avisos: list[str] = []
            conv = engine_db.importar(db.session, datos, avisos=avisos)
    except interchange.ArchivoInvalido as exc:
        _fallar_archivo(exc)
    except engine_db.ImportacionRechazada as exc:
        raise click.ClickException(str(exc)) from None
    except pl.ErrorDePlugin as exc:  # the final step's plugins check the file's final results
        _fallar_plugin(exc, "No se importó nada")
    conteos = engine_db.conteos(db.session, conv.codigo)
    click.echo(f"Convocatoria importada: {conv.codigo} ({conv.entidad.siglas}, bases {conv.version_bases.codigo})")
    for nombre, n in conteos.items():
        click.echo(f"  {nombre.replace('_', ' ')}: {n}")
    for aviso in avisos:
        click.echo(f"Aviso: {aviso}", err=True)


@casadmin_group.command("export", help="Escribir la convocatoria CODIGO en el formato de intercambio, con sus resultados guardados.")
@click.argument("codigo")
@click.option("-o", "--output", "salida", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Archivo de salida (por defecto, la salida estándar).")
@with_appcontext
def export_command(codigo: str, salida: str | None) -> None:
    """Write the stored call CODE in the interchange format, with its stored stage results."""
    import json as _json

    from casadmin import engine_db
    from casadmin.engine import interchange
    from casadmin.extensions import db

    _exigir_base_de_datos()
    try:
        datos = engine_db.exportar(db.session, codigo)
    except (engine_db.ConvocatoriaNoEncontrada, engine_db.EvaluacionRechazada) as exc:
        raise click.ClickException(str(exc)) from None
    texto = _json.dumps(datos, ensure_ascii=False, indent=2, default=interchange.a_json)
    if salida is None:
        click.echo(texto)
        return
    try:
        with open(salida, "w", encoding="utf-8") as fh:
            fh.write(texto + "\n")
    except OSError as exc:  # a folder that does not exist, no permission, a full disk
        import errno

        por_que = {errno.ENOENT: "la carpeta no existe", errno.EACCES: "no hay permiso para escribir ahí",
                   errno.EPERM: "no hay permiso para escribir ahí", errno.ENOSPC: "el disco está lleno",
                   errno.EISDIR: "es una carpeta", errno.ENOTDIR: "parte de la ruta no es una carpeta"}
        raise click.ClickException(f"No se pudo escribir {salida}: {por_que.get(exc.errno, exc.strerror or exc)}.") from None
    click.echo(f"{codigo}: {len(datos['postulantes'])} postulantes escritos en {salida}", err=True)


@casadmin_group.command("evaluate", help="Evaluar una etapa de la convocatoria CODIGO con los plugins de reglas y guardar los resultados.")
@click.argument("codigo")
@click.option("--stage", "etapa", required=True,
              type=click.Choice(["ficha", "examen", "psicologica", "curricular", "entrevista", "final"]),
              help="La etapa a evaluar («final»: bonificaciones, orden de mérito, ganadores y accesitarios).")
@click.option("--recalcular", is_flag=True, help="Recalcular una etapa ya publicada (requiere --motivo).")
@click.option("--motivo", default=None, help="Por qué se recalcula (queda en el registro de auditoría).")
@with_appcontext
def evaluate_command(codigo: str, etapa: str, recalcular: bool, motivo: str | None) -> None:
    """Run one stage of the stored call CODE with the rule plugins and save the results."""
    from casadmin import engine_db
    from casadmin import plugins as pl
    from casadmin.engine import report
    from casadmin.extensions import db

    if motivo is not None and not recalcular:  # it was dropped without a word
        raise click.UsageError("--motivo va con --recalcular: es el motivo del recálculo, que queda en el registro "
                               "de auditoría.")
    _exigir_base_de_datos()
    if etapa == "final":
        _evaluate_final(codigo, recalcular, motivo)
        return
    try:
        res = engine_db.evaluar(db.session, codigo, etapa, recalcular=recalcular, motivo=motivo)
    except pl.ErrorDePlugin as exc:
        _fallar_plugin(exc)
    except (engine_db.ConvocatoriaNoEncontrada, engine_db.EvaluacionRechazada) as exc:
        raise click.ClickException(str(exc)) from None
    total = sum(res.conteo.values())
    click.echo(f"{res.codigo} – {report.NOMBRES_ETAPA[etapa]}: {total} evaluados"
               + (" (recalculada)" if res.recalculada else ""))
    if res.convocados:
        click.echo(f"  Convocados a la entrevista: {len(res.convocados)}")
    for resultado, n in sorted(res.conteo.items()):
        click.echo(f"  {report.RESULTADOS.get(resultado, resultado)}: {n}")
    if res.conservados:
        click.echo(f"  Conservados (modificación del evaluador): {res.conservados}")
    if res.quitados:
        click.echo(f"  Quitados (ya no siguen en el proceso, §4.6; constan en la auditoría): {res.quitados}")
    click.echo("Resultados por etapa:")
    for nombre, conteo in engine_db.resumen_etapas(db.session, codigo).items():
        partes = ", ".join(f"{report.RESULTADOS.get(r, r)} {n}" for r, n in sorted(conteo.items()))
        click.echo(f"  {nombre:<12} {partes}")
    click.echo("Reglas aplicadas: " + ", ".join(res.reglas.values()))
    if res.aviso:
        click.echo(f"Aviso: {res.aviso}", err=True)


def _evaluate_final(codigo: str, recalcular: bool, motivo: str | None) -> None:
    """``evaluate CODE --stage final``: the final results on the database (casadmin/final.py, D7–D9)."""
    from casadmin import engine_db, final
    from casadmin import plugins as pl
    from casadmin.engine import report
    from casadmin.extensions import db

    try:
        res = final.evaluar_final(db.session, codigo, recalcular=recalcular, motivo=motivo)
    except pl.ErrorDePlugin as exc:
        _fallar_plugin(exc)
    except (engine_db.ConvocatoriaNoEncontrada, final.FinalRechazado) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{res.codigo} – Resultado final: {res.finalistas} candidatos aptos en todas las etapas"
               + (" (recalculado)" if res.recalculado else ""))
    click.echo("  Ganador(es): " + (", ".join(res.ganadores) or "—"))
    click.echo("  Accesitarios: " + (", ".join(res.accesitarios) or "—"))
    for grupo in res.empates:
        click.echo("  Empate que decide el Comité (§4.2.6 c): " + ", ".join(grupo))
    sin_cubrir = report.posiciones_sin_cubrir(res.posiciones, res.finalistas)
    if sin_cubrir:
        click.echo("  " + sin_cubrir)
    if res.desierto:
        click.echo("  Se propone declarar DESIERTO: " + report.CAUSAS_DESIERTO.get(res.desierto, res.desierto))
    click.echo("Reglas aplicadas: " + ", ".join(res.reglas.values()))
    if res.aviso:
        click.echo(f"Aviso: {res.aviso}", err=True)


@casadmin_group.command("worker", help="Procesar en segundo plano los correos y tareas pendientes (RQ en Redis: CASADMIN_REDIS_URL; --burst sin Redis).")
@click.option("--burst", is_flag=True, help="Procesar lo pendiente y terminar.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run the background worker: the outbox and the background jobs (RQ on Redis: CASADMIN_REDIS_URL)."""
    from casadmin import mailer

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        if not burst:
            raise click.ClickException("Configure CASADMIN_REDIS_URL para el trabajador, o use --burst para "
                                       "enviar ahora los correos pendientes sin Redis.")
        # Without Redis, messages go out in a thread of the process that queued them; a burst
        # sends whatever is still pending (e.g. after a restart).
        cuenta = mailer.enviar_pendientes()
        click.echo("Correos pendientes procesados: "
                   + (", ".join(f"{k} {v}" for k, v in sorted(cuenta.items())) or "ninguno"))
        return
    mailer.trabajar(app, burst=burst)


@casadmin_group.command("reenviar-correos", help="Volver a enviar los correos de los últimos DIAS días que fallaron en todos sus intentos (un servidor de correo caído un rato).")
@click.option("--dias", type=click.IntRange(min=1), default=3, show_default=True)
@with_appcontext
def reenviar_correos_command(dias: int) -> None:
    """Retry the outbox's failed messages (G1): for a cron job every few minutes, beside the worker."""
    from casadmin import mailer

    cuenta = mailer.reintentar_fallidos(dias)
    click.echo("Correos fallidos reenviados: " + (", ".join(f"{k} {v}" for k, v in sorted(cuenta.items())) or "ninguno"))


@casadmin_group.command("limpiar-archivos", help="Eliminar los archivos guardados que ningún registro usa (documentos de postulaciones no enviadas, por ejemplo) y que no se tocaron en HORAS horas.")
@click.option("--horas", type=click.IntRange(min=1), default=72, show_default=True,
              help="Antigüedad mínima: un borrador en uso renueva la de sus archivos cada vez que se abre.")
@with_appcontext
def limpiar_archivos_command(horas: int) -> None:
    """Remove stored files no row points to, untouched for ``horas`` hours: the documents of drafts
    never sent (C3: a draft keeps its files outside the database until the application is sent) and
    what a crash between storing and committing left. For a daily cron job."""
    from casadmin.commands.postular import limpiar_huerfanos
    from casadmin.extensions import db

    borradas = limpiar_huerfanos(db.session, dt.timedelta(hours=horas))
    click.echo(f"Archivos sin registro eliminados (sin tocar en {horas} h o más): {len(borradas)}")


def register(app: Flask) -> None:
    app.cli.add_command(casadmin_group)


#: Commands that need no database: the console script runs them without building the app.
SIN_APLICACION = frozenset({"simulate", "plugins"})


def main() -> None:
    """The ``casadmin`` console script: the same commands as ``flask casadmin``."""
    for salida in (sys.stdout, sys.stderr):
        # a console or a redirection whose encoding lacks «✗» or «Ñ» (cp1252, ASCII) gets a «?» for it,
        # not a UnicodeEncodeError half way through a report
        reconfigurar = getattr(salida, "reconfigure", None)
        if reconfigurar is not None:
            reconfigurar(errors="replace")
    try:
        _cargar_plugins()  # before the app is built, which loads them too (create_app)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    if sys.argv[1:2] and sys.argv[1] in SIN_APLICACION:
        casadmin_group.main(args=sys.argv[1:], prog_name="casadmin")
        return
    from flask.cli import ScriptInfo

    from casadmin import create_app

    # The group itself, with the app its commands load (with_appcontext): its usage lines read
    # «casadmin evaluate …», as typed, where Flask's group printed «casadmin casadmin evaluate».
    casadmin_group.main(args=sys.argv[1:], prog_name="casadmin", obj=ScriptInfo(create_app=lambda: create_app()))
