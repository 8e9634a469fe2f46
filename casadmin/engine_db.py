"""The database side of the rules engine: import a whole call from the interchange format,
export a stored call back to it, and evaluate one stage of a stored call (issue 3, items 6, 8).

Three commands, each in one transaction:

* :func:`importar` loads a validated file (``docs/interchange.md``): institution, pinned bases
  version (F3), call with profile and schedule, applicants with their Ficha, applications with
  the frozen Ficha and its hash (C3), declared documents, stage inputs, committee decisions and
  any stage results the file carries. Any failure rolls everything back.
* :func:`exportar` writes a stored call in the same format, with its stored stage results.
* :func:`evaluar` builds the engine model from the database, runs one stage with the same
  hook as ``casadmin simulate`` and stores the results with their reasons and rule versions.

Where the interchange format and the tables differ (docs/interchange.md, "Import, export and
evaluate"): the Ficha the engine reads is always the frozen snapshot ``Postulacion.ficha``;
stage inputs are :class:`~casadmin.models.ItemVerificacion` rows of the stage's
:class:`~casadmin.models.ResultadoEtapa` (``pendiente`` until the stage is evaluated) and the
interview factors are :class:`~casadmin.models.HojaEntrevista` rows of committee members.
Both :func:`exportar` and :func:`evaluar` go through the same reader (:func:`_leer`), so a
stored call is evaluated on exactly what it exports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import multiprocessing as mp
import os
import pickle
import secrets
import threading
import traceback
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType, SimpleNamespace
from typing import Any, NamedTuple

import msgspec
import pluggy
import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, selectinload

from casadmin import audit
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.buscar_o_crear import buscar_o_crear
from casadmin.commands.postular import TIPO_EXPEDIENTE
from casadmin.engine import interchange, report, run
from casadmin.engine.interchange import ArchivoInvalido
from casadmin.engine.model import (
    Candidato,
    Documento,
    Entradas,
    crear_candidato,
    crear_capacitacion,
    crear_documento,
    crear_experiencia,
    crear_formacion,
)
from casadmin.engine.model import Convocatoria as ConvocatoriaMotor
from casadmin.ficha import ADICIONAL, PERSONALES, digest, snapshot
from casadmin.models.enums import (
    CondicionFinal,
    CondicionFormacion,
    EstadoCivil,
    EstadoConvocatoria,
    EstadoPostulacion,
    Etapa,
    ModalidadFirma,
    NivelAcademico,
    NivelConocimiento,
    NivelFormacion,
    ProgramaOfimatica,
    Resultado,
    RolComite,
    Sector,
    Sexo,
    TipoBonificacion,
    TipoCapacitacion,
    TipoConocimiento,
    TipoDocumento,
    TipoExperiencia,
    TipoHito,
)
from casadmin.models.convocatoria import SEPARADOR_TEMAS, juntar
from casadmin.models.postulacion import experiencias_en
from casadmin.peru.clock import now, to_lima
from casadmin.resultados import numerar
from casadmin.roles import COMITE, POSTULANTE
from casadmin.rules.age import es_joven_31533
from casadmin.rules.courses import normalizar
from casadmin.rules.decimales import dos_decimales, sin_ceros
from casadmin.rules.levels import clave_conocimiento, niveles_mas_altos, programa_ofimatica
from casadmin.rules.periods import n_dias
from casadmin.rules.types import (
    Condicion,
    Nivel,
    NivelEstudios,
)
from casadmin.rules.types import Sector as SectorMotor
from casadmin.rules.types import TipoCapacitacion as TipoCapacitacionMotor
from casadmin.rules.types import TipoExperiencia as TipoExperienciaMotor

__all__ = [
    "ArchivoInvalido",
    "ConvocatoriaNoEncontrada",
    "Evaluacion",
    "EvaluacionRechazada",
    "FilaGuardada",
    "ImportacionRechazada",
    "aviso_version",
    "candidatos",
    "conteos",
    "decisiones_comite",
    "evaluar",
    "exportar",
    "ids_en_archivo",
    "importar",
    "resultados_evaluados",
    "resumen_etapas",
]


logger = logging.getLogger(__name__)


class ImportacionRechazada(ValueError):
    """An import refused as a whole (no roles, a deactivated bases version, a database refusal). Nothing written."""


class ConvocatoriaNoEncontrada(LookupError):
    """No stored call has that code."""


class EvaluacionRechazada(ValueError):
    """A stage that cannot be evaluated now (published, not part of the call, previous stage missing)."""


# --- how the interchange format maps onto the tables ----------------------------------------

#: The profile's academic level (B2) ↔ the format's ``perfil.formacion`` (nivel, condición).
#: A "Técnico" profile asks técnico studies completed; "Maestría" and "Doctorado" the degree.
NIVEL_ACADEMICO: dict[NivelAcademico, tuple[str, str]] = {
    NivelAcademico.secundaria: ("secundaria", "egresado"),
    NivelAcademico.tecnico: ("tecnico", "egresado"),
    NivelAcademico.bachiller: ("universitario", "bachiller"),
    NivelAcademico.titulo: ("universitario", "titulado"),
    NivelAcademico.maestria: ("maestria", "grado"),
    NivelAcademico.doctorado: ("doctorado", "grado"),
}
_NIVEL_DE_PERFIL = {par: nivel for nivel, par in NIVEL_ACADEMICO.items()}

#: Ficha section 2 stores "graduado" where the format says "grado".
_CONDICION_A_FORMATO = {"graduado": "grado"}
_CONDICION_A_FICHA = {"grado": "graduado"}

#: Office programs by the Ficha's name (section 5), which the profile and the format use; another name of
#: one (``levels.programa_ofimatica``: «Excel») is stored as it, and any other name is a language or dialect
#: (section 4).
_OFIMATICA = {p.value: p for p in ProgramaOfimatica}


def _ofimatica_e_idiomas(conocimientos: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A file's ``conocimientos`` (name → level) as office programs by the Ficha's name, each at the highest
    level any of its names is given (§4.2.1 n), and languages as named."""
    programas: list[tuple[str, str]] = []
    idiomas: dict[str, str] = {}
    for nombre, nivel in conocimientos.items():
        programa = programa_ofimatica(nombre)
        if programa is None:
            idiomas[nombre] = nivel
        else:
            programas.append((programa, nivel))
    return niveles_mas_altos(programas), idiomas

#: Stage inputs as checklist items (ItemVerificacion.codigo) of the stage's ResultadoEtapa.
ASISTIO, PUNTAJE, EXPEDIENTE, EN_PLAZO = "asistio", "puntaje", "expediente", "en_plazo"
#: Curricular-stage items of the evaluator's checklist of the expediente: "lista:<item>" (§4.2.4).
LISTA = "lista:"
FACTORES_CURRICULARES = ("experiencia_general", "experiencia_especifica", "experiencia_publica", "formacion", "cursos")
#: Ficha stage: "especifica:<n>" is the evaluator's §4.2.1 x judgment on the n-th experience
#: (0-based, in the frozen Ficha's order); other codes are the manual checks (verificacion_manual).
ESPECIFICA = "especifica:"
#: Interview stage: "decision_comite:<k>" puts the candidate at ``puntaje`` in the k-th tie
#: the committee decided (D8), with its ``observacion`` as the reason.
DECISION = "decision_comite:"
FACTORES_ENTREVISTA = m.HojaEntrevista.FACTORES

SIGUEN = (Resultado.apto, Resultado.asistio)

#: Values the format does not carry, for the Ficha section 1 of an applicant created by an import.
SIN_DATO = "No indicado"
DOMINIO_SIN_CORREO = interchange.DOMINIO_SIN_CORREO
_SHA256_VACIO = hashlib.sha256(b"").hexdigest()


def texto_especifica(n: int, empleador: str) -> str:
    """How the §4.2.1 x judgment on the n-th experience (0-based) is described, on import and on screen."""
    return f"Experiencia {n + 1} ({empleador}): función o materia del puesto"


def _iso(valor: dt.datetime) -> str:
    return to_lima(valor).isoformat(timespec="seconds")


def _dos_decimales(valor: Any) -> bool:
    d = Decimal(str(valor))
    return d == d.quantize(Decimal("0.01"))


def _no_cabe(valor: Any, columna: sa.Column) -> str | None:
    """Why a number of the format (a JSON number or a numeric string, within the schema's bounds) cannot
    be kept exactly in this ``NUMERIC(precision, scale)`` column, or None when it can."""
    d, tipo = Decimal(str(valor)), columna.type
    paso = Decimal(1).scaleb(-tipo.scale)
    if d != d.quantize(paso):
        return "admite hasta un decimal" if tipo.scale == 1 else f"admite hasta {tipo.scale} decimales"
    if abs(d) >= 10 ** (tipo.precision - tipo.scale):
        return f"no puede pasar de {10 ** (tipo.precision - tipo.scale) - paso}"
    return None


# --- import --------------------------------------------------------------------------------


@run.sin_recolector()
def importar(session: Session, datos: Mapping[str, Any], *, pm: pluggy.PluginManager | None = None,
             usuario: m.Usuario | str | None = None, avisos: list[str] | None = None) -> m.Convocatoria:
    """Load a whole interchange file in one transaction and return the stored call. ``datos`` as
    :func:`interchange.leer` returns them (as ``casadmin import`` reads the file): that is where a
    NUL character, which PostgreSQL cannot keep, and a lone surrogate are refused at their paths.

    Raises :class:`ArchivoInvalido` (every error with its JSON path) for a file that fails the
    schema, holds something the tables cannot keep exactly or repeats a stored call (its code, or its
    institution, number and year), and :class:`ImportacionRechazada` when the database refuses a row (two
    imports of one call at once: the second meets the first's row). In every failure the session is rolled back: nothing is written. What was imported but not
    as the file has it (final results its stages cannot give yet, an e-mail other than the applicant's
    account's) is told in ``avisos``.
    """
    pm = pm or pl.get_plugin_manager()
    try:
        arch = interchange.cargar(datos)
    except ArchivoInvalido as exc:
        # What the bases version refuses too (an exam score above its maximum), so that one run says it all.
        exc = pl.con_lo_de_las_bases(pm, exc, datos)
        # What the tables cannot keep is reported with the rest, so that one run says it all; where the
        # schema found wrong shapes the check may meet one it cannot read, already reported.
        try:
            no_guardables = _no_guardable(datos)
        except (ValueError, ArithmeticError, KeyError, TypeError, AttributeError, IndexError):
            no_guardables = []  # e.g. Decimal(«True»): a value of the wrong type the schema reported
        raise ArchivoInvalido(interchange.en_orden(interchange._sin_repetir(
            exc.errores + no_guardables + _ya_existe(session, datos)))) from None
    except ValueError as exc:  # anything else the model refuses (cargar names dates and jobs at their fields)
        raise ArchivoInvalido([("$", str(exc))]) from None
    errores = _no_guardable(datos) + _ya_existe(session, datos)
    try:
        bases = pl.get_bases(pm, datos["bases"])
    except pl.BasesDesconocida:
        raise ArchivoInvalido(interchange._sin_repetir([*errores, pl.bases_no_instalada(pm, datos)])) from None
    errores = interchange._sin_repetir(errores + interchange.fuera_de_bases(arch, bases) + _reglas_ajenas(datos, bases))
    if errores:
        raise ArchivoInvalido(errores)
    try:
        importacion = _Importacion(session, arch, bases, usuario)
        conv = importacion.run()
        aviso = _importar_final(session, conv, datos, pm, usuario)
        if avisos is not None:
            avisos.extend(importacion.avisos + ([aviso] if aviso is not None else []))
        session.commit()
    except (IntegrityError, DataError) as exc:  # a constraint or a length the checks above do not cover
        session.rollback()
        detalle = str(exc.orig).splitlines()[0] if str(exc.orig) else exc.orig.__class__.__name__
        raise ImportacionRechazada(f"La base de datos rechazó la importación ({detalle}). No se guardó nada.") from None
    except BaseException:
        session.rollback()
        raise
    return conv


def _ya_existe(session: Session, datos: Any) -> list[tuple[str, str]]:
    """A call already stored with the file's code, or with its institution, number and year, refused at the
    file's field that repeats it (``$.convocatoria.codigo``, ``$.convocatoria.numero``), with the file's
    other errors. Values of the wrong type are the schema's to report."""
    c = datos.get("convocatoria") if isinstance(datos, Mapping) else None
    if not isinstance(c, Mapping):
        return []
    codigo = c.get("codigo")
    if isinstance(codigo, str) and session.scalar(
            sa.select(m.Convocatoria.id).where(m.Convocatoria.codigo == codigo)) is not None:
        return [("$.convocatoria.codigo", f"ya existe la convocatoria «{codigo}»: no se importó nada.")]
    entidad = datos.get("entidad")
    siglas = entidad.get("siglas") if isinstance(entidad, Mapping) else None
    numero, anio = c.get("numero"), c.get("anio")
    if not (isinstance(siglas, str) and all(isinstance(x, int) and not isinstance(x, bool) for x in (numero, anio))):
        return []
    otra = session.scalar(
        sa.select(m.Convocatoria.codigo).join(m.Entidad, m.Entidad.id == m.Convocatoria.entidad_id)
        .where(m.Entidad.siglas == siglas, m.Convocatoria.numero == numero, m.Convocatoria.anio == anio))
    if otra is None:
        return []
    return [("$.convocatoria.numero",
             f"ya existe la convocatoria N° {numero}-{anio} de {siglas} («{otra}»): no se importó nada.")]


def _importar_final(session: Session, conv: m.Convocatoria, datos: Mapping[str, Any], pm: pluggy.PluginManager,
                    usuario: m.Usuario | str | None) -> str | None:
    """The final step a file carries (``resultados.finales``, as an export or ``simulate --json`` writes it):
    computed again on the imported stage results with the call's bases (``casadmin evaluate CODE --stage
    final``, audited), and kept only when it gives the file's merit order, winners, accesitarios, ties left
    to the committee and final scores; else the file is refused where it differs. When the stored stages
    cannot give it (an export of a call whose later stages are out of date), it is left out, and said."""
    resultados = datos.get("resultados") or {}
    if not resultados.get("finales"):
        return None
    from casadmin import final

    try:
        resumen = final.guardar_en_la_transaccion(session, conv, usuario=usuario, pm=pm)
    except final.FinalRechazado as exc:
        return f"No se importaron los resultados finales del archivo: {exc}"
    R, B = m.ResultadoFinal, m.Bonificacion
    filas = session.execute(sa.select(R.postulacion_id, R.orden_merito, R.puntaje_etapas, R.puntaje_final)
                            .where(R.convocatoria_id == conv.id)).all()
    ids = ids_en_archivo(session, conv, [f.postulacion_id for f in filas])
    grupos: dict[int, list[str]] = defaultdict(list)
    for f in filas:
        if f.orden_merito is not None:
            grupos[f.orden_merito].append(ids[f.postulacion_id])
    calculado = _decision_final({"finales": [{"postulante": ids[f.postulacion_id]} for f in filas],
                                 "orden_merito": [grupos[k] for k in sorted(grupos)], "ganadores": resumen.ganadores,
                                 "accesitarios": resumen.accesitarios, "empates_para_comite": resumen.empates})
    del_archivo = _decision_final(resultados)
    no_dan = f"no es lo que dan las etapas del archivo con las bases instaladas «{conv.version_bases.codigo}»"
    errores = [(f"$.resultados.{clave}", no_dan) for clave in calculado if calculado[clave] != del_archivo[clave]]
    # each finalist's score before and after the bonuses, and the bonuses themselves (§4.3: percentage, base,
    # amount; the interview's Ley 31533 bonus is inside its score, as export and simulate write it)
    bonos: dict[str, list[tuple[Decimal, ...]]] = defaultdict(list)
    for b in session.execute(sa.select(B.postulacion_id, B.porcentaje, B.base, B.puntos).join(m.Postulacion).where(
            m.Postulacion.convocatoria_id == conv.id, B.tipo != TipoBonificacion.joven_entrevista)):
        bonos[ids[b.postulacion_id]].append((b.porcentaje, b.base, b.puntos))
    guardados = {ids[f.postulacion_id]: f for f in filas}
    for i, f in enumerate(resultados["finales"]):
        g = guardados.get(f["postulante"])
        for clave in ("puntaje_etapas", "puntaje_final"):
            if g is None or getattr(g, clave) != Decimal(str(f[clave])):
                errores.append((f"$.resultados.finales[{i}].{clave}",
                                f"{no_dan}: {'no es finalista' if g is None else sin_ceros(getattr(g, clave))}"))
        if g is not None and "bonificaciones" in f and sorted(bonos[f["postulante"]]) != sorted(
                tuple(Decimal(str(b[k])) for k in ("porcentaje", "base", "monto")) for b in f["bonificaciones"]):
            errores.append((f"$.resultados.finales[{i}].bonificaciones",
                            f"{no_dan}: " + ("; ".join(f"{sin_ceros(p)} % de {sin_ceros(b)} = {sin_ceros(x)}"
                                                       for p, b, x in bonos[f["postulante"]]) or "ninguna")))
    if errores:
        raise ArchivoInvalido(errores)
    if resultados.get("desierto"):
        return (f"La causa de desierto del archivo («{resultados['desierto']}») no se importó: la convocatoria "
                "se declara desierta en CAS Admin, con la causa que la ORH confirma (§4.5).")
    return None


def _decision_final(r: Mapping[str, Any]) -> dict[str, Any]:
    """Who a final step (``resultados`` of a file) names, where, and as what, in a form two of them compare
    by: order within a group and within the winners does not matter, the order of the groups does, and so
    does the accesitarios' (the first is called first, §4.4 f)."""
    return {"orden_merito": [set(g) for g in r.get("orden_merito", [])],
            "ganadores": set(r.get("ganadores", [])), "accesitarios": list(r.get("accesitarios", [])),
            "empates_para_comite": [set(g) for g in r.get("empates_para_comite", [])],
            "finales": {f["postulante"] for f in r.get("finales", [])}}


def _algunos(ids: Sequence[str]) -> str:
    """The first five of ``ids`` as a warning names them, «…» when there are more."""
    return ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")


def apellidos_de(p: Mapping[str, Any]) -> tuple[str, str]:
    """An applicant's paternal and maternal surnames: the file's ``apellido_paterno`` and ``apellido_materno``
    when given (a compound paternal surname, «DE LA CRUZ»), else ``apellidos`` split at its first space."""
    if p.get("apellido_paterno"):
        return p["apellido_paterno"], p.get("apellido_materno") or ""
    paterno, _, materno = p["apellidos"].partition(" ")
    return paterno, materno


def _no_guardable(datos: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a schema-valid file holds that the tables cannot keep exactly, with its JSON path."""
    errores: list[tuple[str, str]] = []
    c = datos["convocatoria"]
    perfil = c["perfil"]
    f = perfil["formacion"]
    if (f["nivel"], f["condicion"]) not in _NIVEL_DE_PERFIL:
        admitidos = ", ".join(f"{n} {co}" for n, co in NIVEL_ACADEMICO.values())
        errores.append(("$.convocatoria.perfil.formacion",
                        f"el perfil solo puede pedir uno de estos niveles: {admitidos}"))
    for campo in ("carreras", "carreras_afines"):
        errores.extend(_lista_guardable(f.get(campo, ()), ",", "una carrera no puede contener comas",
                                        f"$.convocatoria.perfil.formacion.{campo}"))
    errores.extend(_nombres_largos(perfil.get("conocimientos", {}), m.RequisitoConocimiento.__table__.c.nombre,
                                   "$.convocatoria.perfil.conocimientos"))
    for i, cap in enumerate(perfil.get("capacitaciones", ())):
        ruta = f"$.convocatoria.perfil.capacitaciones[{i}]"
        errores.extend(_lista_guardable(cap.get("temas_afines", ()), SEPARADOR_TEMAS,
                                        f"un tema afín no puede contener «{SEPARADOR_TEMAS}»", f"{ruta}.temas_afines"))
        horas = Decimal(str(cap.get("horas", 0)))
        if horas != horas.to_integral_value():
            errores.append((f"{ruta}.horas", "las horas mínimas del perfil son un número entero"))
    if "remuneracion" in c and (por_que := _no_cabe(c["remuneracion"], m.Convocatoria.__table__.c.remuneracion)):
        errores.append(("$.convocatoria.remuneracion", f"la remuneración {por_que}"))
    ids = {p["id"] for p in datos["postulantes"]}
    # A document or e-mail given twice, the stage inputs the screens would not take: interchange._incoherencias.
    for i, p in enumerate(datos["postulantes"]):
        ruta = f"$.postulantes[{i}]"
        paterno, materno = apellidos_de(p)
        if max(len(paterno), len(materno)) > _APELLIDO:
            errores.append((f"{ruta}.apellidos", f"texto demasiado largo: se guardan el apellido paterno (hasta el primer "
                                                 f"espacio) y el materno, de hasta {_APELLIDO} caracteres cada uno"))
        ficha = p["ficha"]
        _, idiomas = _ofimatica_e_idiomas(ficha.get("conocimientos", {}))
        errores.extend(_nombres_largos(idiomas, m.Idioma.__table__.c.idioma, f"{ruta}.ficha.conocimientos"))
        C = m.Capacitacion.__table__.c
        for j, cap in enumerate(ficha.get("capacitaciones", ())):
            for campo, columna in (("horas", C.horas), ("creditos", C.creditos)):
                if cap.get(campo) is not None and (por_que := _no_cabe(cap[campo], columna)):
                    errores.append((f"{ruta}.ficha.capacitaciones[{j}].{campo}", f"el valor {por_que}"))
    # Committee decisions naming no applicant, or one twice: refused by interchange.cargar (simulate too);
    # a document type given twice, by interchange.fuera_de_bases.
    sin = {etapa for etapa, incluida in (("examen", c["incluye_examen"]), ("psicologica", c["incluye_psicologica"]))
           if not incluida}
    errores.extend(_resultados_no_guardables(datos.get("resultados"), ids, sin))
    return interchange.en_orden(set(errores))


#: Each surname's column (the format carries them as one text, split at its first space).
_APELLIDO = min(m.Postulante.__table__.c.apellido_paterno.type.length,
                m.Postulante.__table__.c.apellido_materno.type.length)


def _lista_guardable(items: Sequence[str], separador: str, mensaje: str, ruta: str) -> list[tuple[str, str]]:
    """A list the profile stores as one text, its items joined by ``separador`` (``models.separar``): an item
    holding it, or blank, would come back otherwise."""
    return [(f"{ruta}[{i}]", mensaje if separador in x else "texto en blanco")
            for i, x in enumerate(items) if separador in x or not x.strip()]


def _nombres_largos(conocimientos: Mapping[str, Any], columna: sa.Column, ruta: str) -> list[tuple[str, str]]:
    """The knowledge names (the keys of ``conocimientos``) longer than the column that keeps them. The
    schema limits the other texts the tables keep (``maxLength``); a key's length it leaves to this."""
    return [(f"{ruta}.{nombre}", f"nombre demasiado largo: hasta {columna.type.length} caracteres")
            for nombre in conocimientos if len(nombre) > columna.type.length]


#: What each stage can give (§4.2): the Ficha has no attendance (§4.2.1 c), the psychological test only
#: attendance (referential, §4.6); a result is never stored «pendiente».
_RESULTADOS_DE_ETAPA = {
    "ficha": {"apto", "no_apto"},
    "psicologica": {"asistio", "no_asistio", "no_se_presento"},
}
_RESULTADOS_CON_ASISTENCIA = {"apto", "no_apto", "no_se_presento"}
#: Stages without a score: the Ficha (§4.2.1 c, «no tiene puntaje») and the psychological test (§4.6).
_SIN_PUNTAJE = {"ficha", "psicologica"}


#: The largest stage score a file's results may bring: a score is stored as ``Numeric(7, 2)`` (99999.99), and
#: the final score adds the stages' and their bonuses, which must fit too. A CAS stage scores 100 at most.
PUNTAJE_MAXIMO_GUARDABLE = Decimal("9999.99")


def _resultados_no_guardables(resultados: Any, ids: set[str], sin: set[str] = frozenset()) -> list[tuple[str, str]]:
    """Stage results carried by the file (``resultados.etapas``, as ``simulate --json`` writes them): each
    stage's own results (the Ficha's and the psychological test's without a score), and none of a stage the
    call does not include (``sin``: the exam or psychological test, B1). A later stage may hold
    results of someone an earlier one no longer lets through, as an export of a call whose later stage is
    out of date does (the app shows it «Resultados desactualizados» until evaluated again)."""
    etapas = (resultados or {}).get("etapas") if isinstance(resultados, Mapping) else None
    if not etapas:
        return []
    errores = []
    if not isinstance(etapas, Mapping):
        return [("$.resultados.etapas", "se esperaba un objeto por etapa")]
    for etapa, filas in etapas.items():
        ruta = f"$.resultados.etapas.{etapa}"
        if etapa not in Etapa.__members__:
            errores.append((ruta, "etapa desconocida"))
            continue
        if etapa in sin and filas:
            errores.append((ruta, f"la convocatoria no incluye esta etapa (incluye_{etapa} es false)"))
            continue
        if not isinstance(filas, list):
            errores.append((ruta, "se esperaba una lista de resultados"))
            continue
        vistos = set()
        admitidos = _RESULTADOS_DE_ETAPA.get(etapa, _RESULTADOS_CON_ASISTENCIA)
        for i, r in enumerate(filas):
            if not isinstance(r, Mapping) or r.get("postulante") not in ids:
                errores.append((f"{ruta}[{i}].postulante", "no hay un postulante con ese id"))
                continue
            if r["postulante"] in vistos:
                errores.append((f"{ruta}[{i}].postulante", "resultado repetido"))
            vistos.add(r["postulante"])
            if r.get("resultado") not in Resultado.__members__:
                errores.append((f"{ruta}[{i}].resultado", "resultado no reconocido"))
            elif r["resultado"] not in admitidos:
                errores.append((f"{ruta}[{i}].resultado", f"la etapa «{etapa}» no da el resultado «{r['resultado']}»; "
                                                          f"da: {', '.join(sorted(admitidos))}"))
            if etapa in _SIN_PUNTAJE and r.get("puntaje") is not None:
                errores.append((f"{ruta}[{i}].puntaje", f"la etapa «{etapa}» no tiene puntaje"))
            puntaje = r.get("puntaje")
            try:
                ok = puntaje is None or (_dos_decimales(puntaje) and 0 <= Decimal(str(puntaje)) <= PUNTAJE_MAXIMO_GUARDABLE)
            except InvalidOperation:
                ok = False
            if not ok:
                errores.append((f"{ruta}[{i}].puntaje", "puntaje no negativo con hasta dos decimales y no mayor que "
                                                       f"{PUNTAJE_MAXIMO_GUARDABLE}"))
            if not isinstance(r.get("motivos", []), list) or not isinstance(r.get("regla", ""), str):
                errores.append((f"{ruta}[{i}]", "motivos debe ser una lista y regla un texto"))
    por_etapa = resultados.get("reglas_etapas", {})
    if not isinstance(por_etapa, Mapping) or not all(
            isinstance(r, Mapping) and all(isinstance(x, str) and isinstance(v, str) and len(v) <= 140
                                           for x, v in r.items()) for r in por_etapa.values()):
        errores.append(("$.resultados.reglas_etapas", "se esperaba, por etapa, un objeto plugin → «nombre==versión»"))
    return errores


def _reglas_ajenas(datos: Mapping[str, Any], bases: Any) -> list[tuple[str, str]]:
    """F3: the stored results record the plugins that produced them: a stage result of the file naming a
    plugin that is not one of the bases version's (``regla``, ``reglas_etapas``) would record, as if it
    had, a rule that never judged the call (an invented «plugin.inventado==9.9» was kept)."""
    resultados = datos.get("resultados") if isinstance(datos.get("resultados"), Mapping) else {}
    propios = {*bases.plugins, bases.proveedor}  # the declaring plugin: its parameters produced them too
    errores = []

    def ajeno(regla: str) -> str | None:
        nombre = regla.partition("==")[0]
        return None if not nombre or nombre in propios else nombre

    for etapa, filas in (resultados.get("etapas") or {}).items():
        for i, r in enumerate(filas):
            if (nombre := ajeno(r.get("regla") or "")) is not None:
                errores.append((f"$.resultados.etapas.{etapa}[{i}].regla",
                                f"«{nombre}» no es un plugin de las bases «{bases.id}»"))
    for etapa, reglas in (resultados.get("reglas_etapas") or {}).items():
        for nombre in reglas:
            if ajeno(nombre) is not None:
                errores.append((f"$.resultados.reglas_etapas.{etapa}.{nombre}",
                                f"«{nombre}» no es un plugin de las bases «{bases.id}»"))
    return errores


#: Applicants per batch of bulk inserts in an import (every batch is a few multi-row INSERTs).
LOTE_IMPORTACION = 2000


class _Importacion:
    """One import, in the caller's transaction.

    The call, its profile and schedule and the committee are a handful of ORM rows. Everything
    per applicant (accounts, Ficha sections, signatures, applications, documents, stage inputs,
    interview sheets, results) is written with bulk Core ``INSERT``s, :data:`LOTE_IMPORTACION`
    applicants at a time; ``INSERT … RETURNING`` (in parameter order) gives the ids the next
    table points at. No ORM object is built per applicant: a call of 150,000 applicants would
    otherwise spend most of its time in the unit of work (docs/performance.md).
    """

    def __init__(self, session: Session, arch: interchange.Archivo, bases, usuario: m.Usuario | str | None) -> None:
        self.s = session
        self.arch = arch
        self.datos = arch.datos
        self.bases = bases
        self.usuario = usuario
        self.momento = now()
        #: what was imported otherwise than the file has it (told by ``casadmin import``)
        self.avisos: list[str] = []

    def run(self) -> m.Convocatoria:
        c = self.datos["convocatoria"]
        # the accounts an import makes get these roles: without them the applicants could not sign in, and
        # a later «init» would not give them (its roles are for the accounts it makes)
        roles = {r.name: r for r in self.s.scalars(sa.select(Role).where(Role.name.in_([POSTULANTE, COMITE])))}
        if len(roles) < 2:
            raise ImportacionRechazada("La base de datos no tiene los roles de CAS Admin (Postulante, Comité): "
                                       "ejecute «flask casadmin init» antes de importar.")
        self.entidad = self._entidad()
        version = self._version_bases()
        conv = self.conv = self._convocatoria(c, version)
        self.s.add(conv)
        # 1. accounts: applicants found by document or to be created, committee members by code
        self.clave = _hash_inutilizable()
        lista = self.datos["postulantes"]
        existentes = self._existentes(lista)
        self._la_misma_persona(lista, existentes)
        faltan = [p for p in lista if (p["documento"]["tipo"], p["documento"]["numero"]) not in existentes]
        self._correos_conservados(lista, existentes)
        usuarios, correos = self._cuentas_libres(faltan)
        miembros = self._miembros(roles[COMITE])
        self.s.flush()
        self.miembro_ids = {codigo: mc.id for codigo, mc in miembros.items()}
        self.inicio = interchange.fechahora(c["inicio_postulacion"])
        self.cierre = interchange.fechahora(c["cierre_postulacion"])
        self.edad_maxima = self.bases.edad_maxima_31533(self.inicio.date())
        self.rol_id = roles[POSTULANTE].id
        # 2. what other parts of the file add to an applicant's stage rows: decisions, results
        self.decisiones = self._decisiones()
        self.resultados, self.estados = self._resultados()
        self.reglas_etapas = (self.datos.get("resultados") or {}).get("reglas_etapas") or {}
        # 3. the applicants, in batches
        self.nuevos = 0
        for i in range(0, len(lista), LOTE_IMPORTACION):
            self._lote(lista[i:i + LOTE_IMPORTACION], existentes, usuarios, correos)
        quien_id, quien = audit.quien(self.usuario, consola=True)
        audit.record(self.s, accion="importar_convocatoria", objeto=conv, usuario_id=quien_id, usuario=quien,
                     entidad_id=self.entidad.id, convocatoria_id=conv.id,
                     despues={"codigo": conv.codigo, "bases": self.bases.id, "postulaciones": len(lista),
                              "postulantes_nuevos": self.nuevos})
        return conv

    # -- the call ----------------------------------------------------------------------

    def _entidad(self) -> m.Entidad:
        """The institution by its siglas, created when new. Another institution already holding the file's
        name is refused at ``$.entidad.nombre`` (the database refused it with its own words); an existing one
        whose name or contact differ from the file's keeps its own, and the import says so."""
        e = self.datos["entidad"]
        otra = self.s.scalar(sa.select(m.Entidad).where(m.Entidad.nombre == e["nombre"], m.Entidad.siglas != e["siglas"]))
        if otra is not None:
            raise ArchivoInvalido([("$.entidad.nombre", f"ese nombre es el de la entidad {otra.siglas}: use sus siglas "
                                                         "o el nombre de esta entidad")])
        entidad, creada = buscar_o_crear(self.s, m.Entidad, {"siglas": e["siglas"]}, nombre=e["nombre"],
                                         email_contacto=e.get("email_contacto", ""))
        if not creada:
            distintos = [campo for campo, valor in (("nombre", e["nombre"]), ("email_contacto", e.get("email_contacto")))
                         if valor is not None and getattr(entidad, campo) != valor]
            if distintos:
                self.avisos.append(f"la entidad {entidad.siglas} ya existe: se conservan su "
                                   + " y su ".join(distintos) + " registrados, no los del archivo")
        return entidad

    def _version_bases(self) -> m.VersionBases:
        """The bases version row the call is pinned to (F3), found or created from the installed plugin."""
        b = self.bases
        version = buscar_o_crear(self.s, m.VersionBases, {"entidad_id": self.entidad.id, "codigo": b.id},
                                 nombre=b.nombre[:200], vigente_desde=b.vigente_desde, plugin=b.proveedor,
                                 plugin_version=b.version, parametros={})[0]
        if not version.activa:  # as the call form offers only active versions, and publishing refuses others
            raise ImportacionRechazada(f"la versión de bases «{b.id}» está desactivada para {self.entidad.siglas}: "
                                       "no se importó nada.")
        return version

    def _convocatoria(self, c: Mapping[str, Any], version: m.VersionBases) -> m.Convocatoria:
        p = c["perfil"]
        f = p["formacion"]
        conv = m.Convocatoria(
            entidad=self.entidad, version_bases=version, numero=c["numero"], anio=c["anio"], codigo=c["codigo"],
            nombre_puesto=c["nombre_puesto"], cargo_estructural=c.get("cargo_estructural"), organo=c["organo"],
            unidad_organica=c.get("unidad_organica"), cantidad_posiciones=c["posiciones"],
            remuneracion=Decimal(str(c.get("remuneracion", 0))), lugar=c.get("lugar", ""),
            duracion_contrato=c.get("duracion_contrato", ""), incluye_examen=c["incluye_examen"],
            incluye_psicologica=c["incluye_psicologica"],
            modalidad_firma=ModalidadFirma[c.get("modalidad_firma", "virtual")],
            estado=EstadoConvocatoria[c.get("estado", "borrador")],
        )
        conv.perfil = m.PerfilPuesto(
            nivel_academico=_NIVEL_DE_PERFIL[(f["nivel"], f["condicion"])],
            carreras=", ".join(f.get("carreras", ())) or None, acepta_afines=f.get("afines", False),
            carreras_afines=juntar(f.get("carreras_afines", ()), ","),
            requiere_colegiatura=p.get("colegiatura", False), requiere_habilitacion=p.get("habilitacion", False),
            experiencia_general_meses=p.get("experiencia_general_meses", 0),
            experiencia_especifica_meses=p.get("experiencia_especifica_meses", 0),
            experiencia_publica_meses=p.get("experiencia_publica_meses"), funciones="",
            requiere_deportista=p.get("requiere_deportista", False),
            capacitaciones=[m.RequisitoCapacitacion(
                tipo=TipoCapacitacion[x["tipo"]], tema=x["tema"], horas_minimas=int(Decimal(str(x.get("horas", 0)))),
                acepta_afines=x.get("afines", False),
                temas_afines=juntar(x.get("temas_afines", ()), SEPARADOR_TEMAS))
                for x in p.get("capacitaciones", ())],
            # An office program by the Ficha's name, as the profile form stores it (§4.2.1 n).
            conocimientos=[m.RequisitoConocimiento(
                tipo=TipoConocimiento.idioma if programa is None else TipoConocimiento.ofimatica,
                nombre=nombre if programa is None else programa, nivel=NivelConocimiento[nivel])
                for nombre, nivel in p.get("conocimientos", {}).items()
                for programa in (programa_ofimatica(nombre),)],
            otros=[m.RequisitoOtro(descripcion=o) for o in p.get("otros", ())],
        )
        hitos = [(TipoHito[h["tipo"]], interchange.fechahora(h["inicio"]), interchange.fechahora(h["fin"]))
                 for h in c.get("cronograma", ())]
        if all(t is not TipoHito.postulacion for t, _, _ in hitos):
            # The application window is a line of the schedule (B3), where postular() reads it.
            hitos.append((TipoHito.postulacion, interchange.fechahora(c["inicio_postulacion"]),
                          interchange.fechahora(c["cierre_postulacion"])))
        conv.cronograma = [m.HitoCronograma(tipo=t, inicio=i, fin=fin) for t, i, fin in hitos]
        return conv

    # -- people ------------------------------------------------------------------------

    def _existentes(self, lista: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], sa.Row]:
        """Applicants already stored, by (document type, number): their ids and Ficha section 1 and 9 values."""
        P = m.Postulante
        columnas = [P.id, P.usuario_id, *(getattr(P, c) for c in (*PERSONALES, *ADICIONAL) if c != "numero_documento"),
                    P.numero_documento]
        numeros = {p["documento"]["numero"] for p in lista}
        return {(x.tipo_documento.name, x.numero_documento): x for lote in _lotes(numeros)
                for x in self.s.execute(sa.select(*columnas).where(P.numero_documento.in_(lote)))}

    def _la_misma_persona(self, lista: Sequence[Mapping[str, Any]], existentes: Mapping[tuple[str, str], sa.Row]) -> None:
        """An applicant the file gives with the document of a stored one must be that person (C1: one person,
        one document). A birth date that differs is another person (a mistyped number attached the application,
        and the file's Ficha, to someone else's account): refused at its path. Names that differ (compared
        without accents, case or extra spaces) are told in ``avisos``: a Ficha frozen for an earlier call may
        carry the names as they were before the applicant corrected their profile."""
        errores, otros_nombres = [], []
        for i, p in enumerate(lista):
            x = existentes.get((p["documento"]["tipo"], p["documento"]["numero"]))
            if x is None:
                continue
            if x.fecha_nacimiento is not None and p["fecha_nacimiento"] != x.fecha_nacimiento.isoformat():
                errores.append((f"$.postulantes[{i}].fecha_nacimiento",
                                f"el documento {p['documento']['numero']} ya es de un postulante registrado con otra "
                                "fecha de nacimiento: corrija el documento o la fecha"))
            elif (normalizar(p["nombres"]), normalizar(p["apellidos"])) != (
                    normalizar(x.nombres or ""), normalizar(f"{x.apellido_paterno or ''} {x.apellido_materno or ''}")):
                otros_nombres.append(p["id"])
        if errores:
            raise ArchivoInvalido(errores)
        if otros_nombres:
            self.avisos.append(f"{len(otros_nombres)} postulante(s) ya registrados con ese documento figuran con otros "
                               f"nombres ({_algunos(otros_nombres)}): su cuenta conserva los suyos; su Ficha es la del "
                               "archivo.")

    def _correos_conservados(self, lista: Sequence[Mapping[str, Any]], existentes: Mapping[tuple[str, str], sa.Row]) -> None:
        """Tell (``avisos``) of applicants already stored whose file gives another e-mail: their account keeps
        its own (an import does not change a person's profile), and the export will give that one."""
        otros = [p["id"] for p in lista
                 if (x := existentes.get((p["documento"]["tipo"], p["documento"]["numero"]))) is not None
                 and (p.get("email") or "").strip() and p["email"].strip().lower() != (x.email or "").lower()]
        if otros:
            self.avisos.append(f"{len(otros)} postulante(s) ya tenían cuenta con otro correo ({_algunos(otros)}): "
                               "conservan el de su cuenta; su Ficha es la del archivo.")

    def _cuentas_libres(self, faltan: Sequence[Mapping[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
        """A free username (the document number, as the demo does) and e-mail for each new applicant."""
        deseados = {p["id"]: [p["documento"]["numero"], f"{p['documento']['numero']}-{p['documento']['tipo']}".lower()]
                    for p in faltan}
        correos = {p["id"]: (p.get("email") or "").strip().lower()
                   or f"{p['documento']['tipo']}.{p['documento']['numero']}@{DOMINIO_SIN_CORREO}".lower()
                   for p in faltan}
        tomados: set[str] = set()
        en_uso: set[str] = set()
        for lote in _lotes(n for ns in deseados.values() for n in ns):
            tomados.update(self.s.scalars(sa.select(m.Usuario.username).where(m.Usuario.username.in_(lote))))
        for lote in _lotes(correos.values()):
            for col in (m.Usuario.email, m.Postulante.email):
                en_uso.update(c.lower() for c in self.s.scalars(sa.select(col).where(sa.func.lower(col).in_(lote))))
        errores = []
        usuarios = {}
        indice = {p["id"]: i for i, p in enumerate(self.datos["postulantes"])}
        for p in faltan:
            libre = next((n for n in deseados[p["id"]] if n not in tomados), None)
            if libre is None:
                errores.append((f"$.postulantes[{indice[p['id']]}].documento",
                                "ya existe una cuenta con ese número de documento como usuario"))
            else:
                tomados.add(libre)
                usuarios[p["id"]] = libre
            if correos[p["id"]] in en_uso:
                errores.append((f"$.postulantes[{indice[p['id']]}].email", "el correo ya pertenece a otra cuenta"))
        if errores:
            raise ArchivoInvalido(interchange.en_orden(errores))
        return usuarios, correos

    def _miembros(self, rol) -> dict[str, m.MiembroComite]:
        """The interview committee by member code: user ``<code>.<siglas>`` of the institution."""
        codigos: list[str] = []
        for p in self.datos["postulantes"]:
            for hoja in ((p.get("entradas") or {}).get("entrevista") or {}).get("hojas", ()):
                if hoja["miembro"] not in codigos:
                    codigos.append(hoja["miembro"])
        sufijo = f".{self.entidad.siglas.lower()}"
        nombres = {c: f"{c}{sufijo}" for c in codigos}
        correos = {c: f"{n}@{DOMINIO_SIN_CORREO}".lower() for c, n in nombres.items()}
        # The member's account of an earlier import, whatever the case its code was written in then («Ana»
        # would be a second account with the same lower-case e-mail): found by name or by that e-mail (SQLite's
        # lower() leaves «Ñ» as it is, so the names are not compared in SQL).
        existentes = {u.username.lower(): u for u in self.s.scalars(
            sa.select(m.Usuario).where(m.Usuario.username.in_(nombres.values())
                                       | m.Usuario.email.in_(correos.values()))
            .order_by(m.Usuario.id.desc()))}  # of two, the first made
        out = {}
        for i, codigo in enumerate(codigos):
            usuario = existentes.get(nombres[codigo].lower())
            if usuario is None:
                usuario = m.Usuario(username=nombres[codigo], first_name=f"Miembro {codigo}"[:64],
                                    last_name=f"Comité {self.entidad.siglas}"[:64],
                                    email=correos[codigo], active=False,
                                    password=self.clave, roles=[rol] if rol else [], entidad_id=self.entidad.id)
                self.s.add(usuario)
            # §4.2.5 b: the committee is an ORH representative and the user area's; the format
            # does not say who is who, so the first member listed is taken as ORH's.
            out[codigo] = m.MiembroComite(convocatoria=self.conv, usuario=usuario,
                                          rol=RolComite.orh if i == 0 else RolComite.area_usuaria)
            self.s.add(out[codigo])
        return out

    def _postulante_nuevo(self, p: Mapping[str, Any], email: str) -> dict[str, Any]:
        """The ``postulante`` row of an applicant the import creates (Ficha sections 1 and 9)."""
        paterno, materno = apellidos_de(p)
        ficha = p["ficha"]
        tipo = TipoDocumento[p["documento"]["tipo"]]
        # Section 1 fields the format does not carry: placeholders the applicant corrects.
        return {
            "nacionalidad": "Peruana" if tipo is TipoDocumento.DNI else SIN_DATO, "tipo_documento": tipo,
            "numero_documento": p["documento"]["numero"], "apellido_paterno": paterno,
            "apellido_materno": materno or None, "nombres": p["nombres"], "lugar_nacimiento": SIN_DATO,
            "fecha_nacimiento": dt.date.fromisoformat(p["fecha_nacimiento"]), "sexo": Sexo.femenino,
            "estado_civil": EstadoCivil.soltero, "ubigeo": "000000", "urbanizacion": None, "via": None,
            "direccion": SIN_DATO, "telefono": None, "celular": "", "email": email, "email_alterno": None,
            "discapacidad": ficha.get("discapacidad", False), "registro_conadis": None, "ajustes_razonables": None,
            "licenciado_ffaa": ficha.get("licenciado_ffaa", False), "deportista_nivel": ficha.get("deportista_nivel"),
            "creado_en": self.momento, "modificado_en": self.momento,
        }

    # -- one batch of applicants --------------------------------------------------------

    def _insertar(self, modelo: type, filas: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
        return _insertar_en_bloque(self.s, modelo.__table__, filas, ids=ids)

    def _archivo(self, nombre: str, mime: str, paginas: int | None, propietario_id: int | None) -> dict[str, Any]:
        """A declared file with no content: the format carries the declaration, not the PDF (size 0)."""
        return {"clave": f"intercambio-{secrets.token_hex(20)}", "nombre_original": nombre[:255], "tipo_mime": mime,
                "tamano": 0, "sha256": _SHA256_VACIO, "paginas": paginas, "propietario_id": propietario_id,
                "entidad_id": self.entidad.id, "publico": False, "creado_en": self.momento}

    def _lote(self, lote: Sequence[Mapping[str, Any]], existentes: Mapping[tuple[str, str], sa.Row],
              usuarios: Mapping[str, str], correos: Mapping[str, str]) -> None:
        momento = self.momento
        doc = {p["id"]: (p["documento"]["tipo"], p["documento"]["numero"]) for p in lote}
        # accounts of the new applicants: inactive; the person activates it (password recovery) to use the portal
        nuevos = [p for p in lote if doc[p["id"]] not in existentes]
        # FAB's User defaults, given here since COPY applies none: server-local naive time, signed-in user
        creada, autor = dt.datetime.now(), m.Usuario.get_user_id()
        ids_u = self._insertar(m.Usuario, [
            {"username": usuarios[p["id"]], "first_name": p["nombres"][:64], "last_name": p["apellidos"][:64],
             "email": correos[p["id"]], "active": False, "password": self.clave, "created_on": creada,
             "changed_on": creada, "created_by_fk": autor, "changed_by_fk": autor, "login_count": None,
             "fail_login_count": None, "last_login": None, "entidad_id": None} for p in nuevos], ids=True)
        if self.rol_id is not None and ids_u:
            self.s.execute(sa.insert(m.Usuario.roles.property.secondary),
                           [{"user_id": u, "role_id": self.rol_id} for u in ids_u])
        usuario_de = {p["id"]: u for p, u in zip(nuevos, ids_u, strict=True)}
        for p in lote:
            if p["id"] not in usuario_de:
                usuario_de[p["id"]] = existentes[doc[p["id"]]].usuario_id
        # the signatures the frozen Fichas point at (placeholders: the format carries no files)
        con_firma = [p for p in lote if p["ficha"].get("firma", False)]
        ids_f = self._insertar(m.Archivo, [
            self._archivo("Firma digitalizada (declarada en archivo de intercambio)", "image/png", None,
                          usuario_de[p["id"]]) for p in con_firma], ids=True)
        firma = dict(zip((p["id"] for p in con_firma), ids_f, strict=True))
        # new applicants with their Ficha sections 2–8
        secciones = {p["id"]: _secciones(p["ficha"]) for p in lote}
        filas_p = {p["id"]: self._postulante_nuevo(p, correos[p["id"]]) for p in nuevos}
        ids_p = self._insertar(m.Postulante, [
            {**filas_p[p["id"]], "usuario_id": usuario_de[p["id"]], "firma_archivo_id": firma.get(p["id"])}
            for p in nuevos], ids=True)
        postulante_de = {p["id"]: i for p, i in zip(nuevos, ids_p, strict=True)}
        for p in lote:
            if p["id"] not in postulante_de:
                postulante_de[p["id"]] = existentes[doc[p["id"]]].id
        por_tabla: dict[type, list[dict[str, Any]]] = defaultdict(list)
        for p in nuevos:
            pid = postulante_de[p["id"]]
            for nombre, filas in secciones[p["id"]].items():
                modelo = _TABLAS_FICHA[nombre]
                for fila in filas:
                    # A course still in progress has no end date, which the live Ficha table requires:
                    # it stays only in the frozen Ficha of this application.
                    if modelo is m.Capacitacion and fila["fecha_fin"] is None:
                        continue
                    por_tabla[modelo].append({**fila, "postulante_id": pid, "creado_en": momento,
                                              "modificado_en": momento})
        for modelo, filas in por_tabla.items():
            self._insertar(modelo, filas)
        self.nuevos += len(nuevos)
        # applications with the frozen Ficha (C3)
        apps = []
        for p in lote:
            valores = filas_p.get(p["id"]) or existentes[doc[p["id"]]]._mapping
            ficha = _ficha_congelada(valores, p, firma.get(p["id"]), secciones[p["id"]])
            apps.append({"convocatoria_id": self.conv.id, "postulante_id": postulante_de[p["id"]],
                         "registrada_en": interchange.fechahora(p["registrada_en"]), "ficha": ficha,
                         "ficha_sha256": digest(ficha), "declaracion_aceptada": True,
                         "experiencias_declaradas": experiencias_en(ficha),
                         "estado": self.estados.get(p["id"], EstadoPostulacion.registrada),
                         "joven_31533": es_joven_31533(dt.date.fromisoformat(p["fecha_nacimiento"]), self.inicio.date(),
                                                       self.edad_maxima),
                         "creado_en": momento, "modificado_en": momento})
        app_de = dict(zip((p["id"] for p in lote), self._insertar(m.Postulacion, apps, ids=True), strict=True))
        # declared documents, each with its placeholder file
        documentos = []
        for p, app in zip(lote, apps, strict=True):
            for d in p.get("documentos", ()):
                # "en_plazo" is kept as the upload time: within the window or after its close (C3).
                en_plazo = d.get("en_plazo", True)
                registrada = app["registrada_en"]
                cargado = min(registrada, self.cierre) if en_plazo else max(registrada, self.cierre + dt.timedelta(minutes=1))
                documentos.append((p, d, cargado))
        ids_d = self._insertar(m.Archivo, [
            self._archivo(f"{d['tipo']}.pdf (declarado en archivo de intercambio)", "application/pdf",
                          d.get("paginas", 1), usuario_de[p["id"]]) for p, d, _ in documentos], ids=True)
        self._insertar(m.DocumentoPostulacion, [
            {"postulacion_id": app_de[p["id"]], "tipo": d["tipo"], "archivo_id": archivo,
             "paginas": d.get("paginas", 1), "validado": d.get("validado", False), "cargado_en": cargado,
             "creado_en": momento, "modificado_en": momento}
            for (p, d, cargado), archivo in zip(documentos, ids_d, strict=True)])
        # stage rows holding the inputs (and any results the file carries), their checklist items, sheets
        filas_etapa, items, hojas = [], [], []
        for p in lote:
            for fila, sus_items in self._filas(p, app_de[p["id"]]):
                filas_etapa.append(fila)
                items.append(sus_items)
            en = (p.get("entradas") or {}).get("entrevista") or {}
            for hoja in en.get("hojas", ()):
                hojas.append({"postulacion_id": app_de[p["id"]], "miembro_id": self.miembro_ids[hoja["miembro"]],
                              "asistio": en["asistio"], "causa": None if en["asistio"] else en.get("causa"),
                              "enviada": True, "enviada_en": momento, "observaciones": None,
                              **{k: Decimal(str(v)) for k, v in hoja["factores"].items()},
                              "creado_en": momento, "modificado_en": momento})
        ids_r = self._insertar(m.ResultadoEtapa, filas_etapa, ids=True)
        self._insertar(m.ItemVerificacion, [{**it, "resultado_etapa_id": r}
                                            for r, sus_items in zip(ids_r, items, strict=True) for it in sus_items])
        self._insertar(m.HojaEntrevista, hojas)

    # -- stage rows ----------------------------------------------------------------------

    def _filas(self, p: Mapping[str, Any], app_id: int) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """The applicant's ResultadoEtapa rows (``pendiente`` until evaluated) with their checklist items."""
        filas: dict[Etapa, tuple[dict[str, Any], list[dict[str, Any]]]] = {}

        def fila(etapa: Etapa) -> tuple[dict[str, Any], list[dict[str, Any]]]:
            if etapa not in filas:
                filas[etapa] = ({"convocatoria_id": self.conv.id, "postulacion_id": app_id, "etapa": etapa,
                                 "resultado": Resultado.pendiente, "puntaje": None, "motivos": [], "detalle": None,
                                 "override": False, "motivo_override": None, "evaluado_por_id": None,
                                 "evaluado_en": None, "reglas": {}, "publicado": False, "creado_en": self.momento,
                                 "modificado_en": self.momento}, [])
            return filas[etapa]

        def item(etapa: Etapa, codigo: str, descripcion: str, *, cumple: bool | None = None,
                 puntaje: Decimal | None = None, observacion: str | None = None, clausula: str | None = None) -> None:
            fila(etapa)[1].append({"codigo": codigo, "descripcion": descripcion[:300], "cumple": cumple,
                                   "puntaje": puntaje, "observacion": observacion, "clausula": clausula})

        e = p.get("entradas") or {}
        if ov := e.get("ficha_override"):
            f = fila(Etapa.ficha)[0]
            f.update(override=True, motivo_override=ov["sustento"], resultado=Resultado[ov["resultado"]])
        for codigo, cumple in e.get("verificacion_manual", {}).items():
            item(Etapa.ficha, codigo, f"Verificación del evaluador: {codigo}", cumple=bool(cumple), clausula="§4.2.1 b")
        for n, x in enumerate(p["ficha"].get("experiencias", ())):
            if "especifica" in x:  # the evaluator's judgment, either way; absent: not judged yet
                item(Etapa.ficha, f"{ESPECIFICA}{n}", texto_especifica(n, x["empleador"]),
                     cumple=bool(x["especifica"]), clausula="§4.2.1 x")
        if (ex := e.get("examen")) is not None:
            item(Etapa.examen, ASISTIO, "Asistió a la evaluación de conocimientos", cumple=ex["asistio"],
                 clausula="§4.2.2 k")
            if ex.get("puntaje") is not None:
                item(Etapa.examen, PUNTAJE, "Puntaje de la evaluación de conocimientos",
                     puntaje=Decimal(str(ex["puntaje"])), clausula="§4.2.2 l")
        if (ps := e.get("psicologica")) is not None:
            item(Etapa.psicologica, ASISTIO, "Asistió a la evaluación psicológica", cumple=ps["asistio"],
                 clausula="§4.2.3")
        if (cu := e.get("curricular")) is not None:
            item(Etapa.curricular, EXPEDIENTE, "Presentó el expediente curricular", cumple=cu["expediente"],
                 clausula="§4.2.4")
            if "en_plazo" in cu:
                item(Etapa.curricular, EN_PLAZO, "Expediente presentado en el plazo", cumple=cu["en_plazo"],
                     clausula="§4.2.4")
            for factor, cumple in cu.get("factores", {}).items():
                item(Etapa.curricular, factor, f"Factor curricular: {factor}", cumple=cumple, clausula="§4.2.4")
            for codigo, cumple in cu.get("lista", {}).items():
                item(Etapa.curricular, f"{LISTA}{codigo}", f"Lista de verificación del expediente: {codigo}",
                     cumple=cumple, clausula="§4.2.4")
        if (en := e.get("entrevista")) is not None:
            # the cause of an interview not taken (§4.2.5 c, d), for a candidate with no sheet too
            item(Etapa.entrevista, ASISTIO, "Asistió a la entrevista personal", cumple=en["asistio"], clausula="§4.6",
                 observacion=None if en["asistio"] else en.get("causa"))
        for k, posicion, total, sustento in self.decisiones.get(p["id"], ()):
            item(Etapa.entrevista, f"{DECISION}{k}", f"Decisión del Comité por empate (D8): {posicion}° de {total}",
                 puntaje=Decimal(posicion), observacion=sustento, clausula="§4.2.6 c")
        for etapa, r in self.resultados.get(p["id"], ()):
            regla = r.get("regla") or ""
            # The row's own plugin first, then those its stage consulted (F3), as evaluar stores them.
            propia = {regla.split("==")[0]: regla} if regla else {}
            fila(etapa)[0].update(
                resultado=Resultado[r["resultado"]],
                puntaje=None if r.get("puntaje") is None else Decimal(str(r["puntaje"])),
                motivos=list(r.get("motivos", ())),
                detalle=_detalle(r.get("detalle")),
                reglas={**propia, **{k: v for k, v in self.reglas_etapas.get(etapa.name, {}).items() if k not in propia}},
                evaluado_en=self.momento)
        return list(filas.values())

    def _decisiones(self) -> dict[str, list[tuple[int, int, int, str]]]:
        """Committee tie decisions (D8) by applicant: (decision index, position, group size, reason)."""
        out: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
        for k, d in enumerate(self.datos.get("decisiones_comite", ())):
            for posicion, pid in enumerate(d["orden"], 1):
                out[pid].append((k, posicion, len(d["orden"]), d["sustento"]))
        return out

    def _resultados(self) -> tuple[dict[str, list[tuple[Etapa, Mapping[str, Any]]]], dict[str, EstadoPostulacion]]:
        """Stage results the file carries (``simulate --json``, an export), stored unpublished, by applicant;
        and the state each gives the application (no apto once a stage was not passed)."""
        etapas = (self.datos.get("resultados") or {}).get("etapas") or {}
        por_postulante: dict[str, list[tuple[Etapa, Mapping[str, Any]]]] = defaultdict(list)
        estados: dict[str, EstadoPostulacion] = {}
        for etapa, filas in etapas.items():
            for r in filas:
                por_postulante[r["postulante"]].append((Etapa[etapa], r))
                if estados.get(r["postulante"]) is not EstadoPostulacion.no_apto:
                    estados[r["postulante"]] = (EstadoPostulacion.en_proceso if Resultado[r["resultado"]] in SIGUEN
                                                else EstadoPostulacion.no_apto)
        return por_postulante, estados


def _insertar_en_bloque(session: Session, tabla: sa.Table, filas: Sequence[Mapping[str, Any]], *,
                       ids: bool = False) -> list[int]:
    """Insert ``filas`` (dicts with the same keys) into ``tabla`` in the session's transaction.

    With ``ids``, returns the new ids in the order of ``filas``. On PostgreSQL the rows go through
    ``COPY … FROM STDIN`` (ids taken from the table's sequence first), several times faster than
    a multi-row ``INSERT`` for a call of 150,000 applicants; elsewhere one executemany
    ``INSERT`` (``RETURNING`` in parameter order). Values go through the columns' own types
    either way (enums by name, Lima timestamps, JSON), and a refusal raises SQLAlchemy's
    :class:`~sqlalchemy.exc.IntegrityError` / :class:`~sqlalchemy.exc.DataError` as an INSERT would.
    Columns left out get no Python-side default: give every value the row needs.
    """
    if not filas:
        return []
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        if ids:
            return list(session.execute(sa.insert(tabla).returning(tabla.c.id, sort_by_parameter_order=True),
                                        filas).scalars())
        session.execute(sa.insert(tabla), filas)
        return []
    columnas = list(filas[0])
    if not ids:
        _copiar(conn, tabla, tabla.name, columnas, filas)
        return []
    nuevos = list(conn.execute(
        sa.select(sa.func.nextval(sa.func.pg_get_serial_sequence(tabla.name, "id")))
        .select_from(sa.func.generate_series(1, len(filas)))).scalars())
    _copiar(conn, tabla, tabla.name, ["id", *columnas], [{**f, "id": i} for f, i in zip(filas, nuevos, strict=True)])
    return nuevos


def _actualizar_en_bloque(session: Session, modelo: type, filas: Sequence[Mapping[str, Any]]) -> None:
    """Update rows by id: each dict is ``id`` plus the new values of its columns.

    On PostgreSQL the values are copied into a temporary table (``COPY``) and applied with one
    ``UPDATE … FROM`` per set of columns; elsewhere SQLAlchemy's bulk UPDATE by primary key
    (executemany). Same rows, same values, one transaction either way.
    """
    if not filas:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        session.execute(sa.update(modelo), filas)
        return
    tabla = modelo.__table__
    q = conn.dialect.identifier_preparer.quote
    grupos: dict[tuple[str, ...], list[Mapping[str, Any]]] = defaultdict(list)
    for f in filas:
        grupos[tuple(f)].append(f)
    for n, (columnas, grupo) in enumerate(grupos.items()):
        otras = [c for c in columnas if c != "id"]
        temporal = f"_casadmin_cambios_{tabla.name}_{n}"
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {temporal} ON COMMIT DROP AS SELECT "
                             f"{', '.join(q(c) for c in columnas)} FROM {q(tabla.name)} WITH NO DATA")
        _copiar(conn, tabla, temporal, list(columnas), grupo)
        conn.exec_driver_sql(f"UPDATE {q(tabla.name)} AS t SET {', '.join(f'{q(c)} = c.{q(c)}' for c in otras)} "
                             f"FROM {temporal} AS c WHERE t.id = c.id")
        conn.exec_driver_sql(f"DROP TABLE {temporal}")


def _copiar(conn: sa.Connection, tabla: sa.Table, destino: str, columnas: list[str],
            filas: Sequence[Mapping[str, Any]]) -> None:
    """``COPY destino (columnas) FROM STDIN`` (PostgreSQL), each value through ``tabla``'s column type."""
    dialecto = conn.dialect
    procesar = [tabla.c[c].type.dialect_impl(dialecto).bind_processor(dialecto) for c in columnas]
    q = dialecto.identifier_preparer.quote
    sql = f"COPY {q(destino)} ({', '.join(q(c) for c in columnas)}) FROM STDIN"
    crudo = conn.connection.driver_connection
    try:
        with crudo.cursor() as cur, cur.copy(sql) as copia:
            for fila in filas:
                copia.write_row([fila[c] if f is None else f(fila[c]) for c, f in zip(columnas, procesar)])
    except dialecto.loaded_dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(sql, None, exc, dialecto.loaded_dbapi.Error) from None


def _lotes(valores: Iterable[Any], tamano: int = 5000) -> Iterable[list[Any]]:
    """Values in batches, so that an IN list stays within the databases' bound-parameter limits."""
    lista = list(valores)
    for i in range(0, len(lista), tamano):
        yield lista[i:i + tamano]


def _hash_inutilizable() -> str:
    """One password hash of a random secret nobody keeps, for every account an import creates."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(secrets.token_urlsafe(32))


#: Ficha sections 2–8: the key of :func:`_secciones` (``ficha.SECCIONES``' attribute) → its table.
_TABLAS_FICHA: dict[str, type] = {
    "formaciones": m.FormacionAcademica, "colegiaturas": m.Colegiatura, "idiomas": m.Idioma,
    "ofimatica": m.Ofimatica, "capacitaciones": m.Capacitacion, "experiencias": m.ExperienciaLaboral,
    "otros_requisitos": m.OtroRequisitoDeclarado,
}


def _secciones(ficha: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Ficha sections 2–8 as column values of their tables, from the format's ``ficha``."""
    def fecha(v: str | None) -> dt.date | None:
        return None if v is None else dt.date.fromisoformat(v)

    programas, idiomas = _ofimatica_e_idiomas(ficha.get("conocimientos", {}))
    return {
        "formaciones": [
            {"nivel": NivelFormacion[x["nivel"]],
             "condicion": CondicionFormacion[_CONDICION_A_FICHA.get(x["condicion"], x["condicion"])],
             "carrera": x.get("carrera"), "anio": None, "fecha_egreso": fecha(x.get("fecha_egreso")),
             "fecha_diploma": fecha(x.get("fecha_diploma")), "institucion": x.get("centro", "")}
            for x in ficha.get("formacion", ())
        ],
        "colegiaturas": [{"colegio": SIN_DATO, "numero": "-", "habilitado": ficha.get("habilitado", False),
                          "habilitado_hasta": None}] if ficha.get("colegiado") else [],
        "idiomas": [{"idioma": n, "nivel": NivelConocimiento[v]} for n, v in idiomas.items()],
        "ofimatica": [{"programa": _OFIMATICA[n], "nivel": NivelConocimiento[v]} for n, v in programas.items()],
        "capacitaciones": [
            {"tipo": TipoCapacitacion[x["tipo"]], "tema": x["tema"], "horas": Decimal(str(x["horas"])),
             "creditos": None if x.get("creditos") is None else Decimal(str(x["creditos"])),
             "institucion": x.get("institucion", ""), "fecha_inicio": fecha(x.get("inicio")),
             "fecha_fin": fecha(x.get("fecha_fin")), "ente_rector": x.get("ente_rector", False)}
            for x in ficha.get("capacitaciones", ())
        ],
        "experiencias": [
            {"empleador": x["empleador"], "sector": Sector[x["sector"]], "puesto": x["puesto"],
             "funciones": x.get("funciones", ""), "tipo": TipoExperiencia[x.get("tipo", "empleo")],
             "fecha_inicio": dt.date.fromisoformat(x["inicio"]), "fecha_fin": fecha(x.get("fin")),
             "actual": x.get("fin") is None}
            for x in ficha.get("experiencias", ())
        ],
        "otros_requisitos": [{"descripcion": o, "detalle": None} for o in ficha.get("otros", ())],
    }


def _ficha_congelada(personales: Mapping[str, Any], p: Mapping[str, Any], firma_archivo_id: int | None,
                     secciones: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The Ficha frozen for this application (C3): what the file declares, in ``ficha.snapshot``'s shape.

    ``personales`` are the applicant's stored section 1 and 9 values (or those of the row the
    import creates). The sections come from the file even for an applicant found by document
    number, whose current profile is left as it is: the application keeps the Ficha declared
    for this call.
    """
    ficha = p["ficha"]
    paterno, materno = apellidos_de(p)
    valores = {c: personales[c] for c in (*PERSONALES, *ADICIONAL)}
    valores.update(apellido_paterno=paterno, apellido_materno=materno or None, nombres=p["nombres"],
                   fecha_nacimiento=dt.date.fromisoformat(p["fecha_nacimiento"]),
                   tipo_documento=TipoDocumento[p["documento"]["tipo"]], numero_documento=p["documento"]["numero"],
                   discapacidad=ficha.get("discapacidad", False), licenciado_ffaa=ficha.get("licenciado_ffaa", False),
                   deportista_nivel=ficha.get("deportista_nivel"))
    filas = {nombre: [SimpleNamespace(id=None, **f) for f in lista] for nombre, lista in secciones.items()}
    congelada = snapshot(SimpleNamespace(**valores, **filas, firma_archivo_id=firma_archivo_id))  # type: ignore[arg-type]
    # The applicant's id inside the file, so that an export gives the same ids back.
    congelada["intercambio"] = {"id": p["id"]}
    return congelada


# --- reading a stored call (export and evaluate share it) --------------------------------


@dataclass
class _Leido:
    """A stored call read in a few set-based queries, in the format's terms."""

    conv: m.Convocatoria
    cabecera: dict[str, Any]
    postulantes: list[dict[str, Any]] = field(default_factory=list)
    #: postulacion id ↔ the applicant's id in the format
    ids: dict[int, str] = field(default_factory=dict)
    #: (postulacion id, etapa) → stored row values
    filas: dict[tuple[int, str], sa.Row] = field(default_factory=dict)
    decisiones: list[dict[str, Any]] = field(default_factory=list)


def _convocatoria(session: Session, codigo: str) -> m.Convocatoria:
    conv = session.scalar(
        sa.select(m.Convocatoria).where(m.Convocatoria.codigo == codigo).options(
            selectinload(m.Convocatoria.entidad), selectinload(m.Convocatoria.version_bases),
            selectinload(m.Convocatoria.cronograma),
            selectinload(m.Convocatoria.perfil).selectinload(m.PerfilPuesto.capacitaciones),
            selectinload(m.Convocatoria.perfil).selectinload(m.PerfilPuesto.conocimientos),
            selectinload(m.Convocatoria.perfil).selectinload(m.PerfilPuesto.otros),
        )
    )
    if conv is None:
        raise ConvocatoriaNoEncontrada(f"No existe la convocatoria «{codigo}».")
    return conv


def _cabecera(conv: m.Convocatoria) -> dict[str, Any]:
    """Everything of the format but the applicants: institution, bases version, call and profile."""
    perfil = conv.perfil
    if perfil is None:
        raise EvaluacionRechazada(f"La convocatoria «{conv.codigo}» no tiene perfil del puesto.")
    postulacion = next((h for h in conv.cronograma if h.tipo is TipoHito.postulacion), None)
    if postulacion is None:
        raise EvaluacionRechazada(f"El cronograma de «{conv.codigo}» no tiene el hito de postulación.")
    nivel, condicion = NIVEL_ACADEMICO[perfil.nivel_academico]
    formacion: dict[str, Any] = {"nivel": nivel, "condicion": condicion, "carreras": perfil.lista_carreras,
                                 "afines": perfil.acepta_afines}
    if perfil.lista_carreras_afines:
        formacion["carreras_afines"] = perfil.lista_carreras_afines
    entidad = {"siglas": conv.entidad.siglas, "nombre": conv.entidad.nombre}
    if conv.entidad.email_contacto:
        entidad["email_contacto"] = conv.entidad.email_contacto
    c: dict[str, Any] = {
        "codigo": conv.codigo, "numero": conv.numero, "anio": conv.anio, "nombre_puesto": conv.nombre_puesto,
        "cargo_estructural": conv.cargo_estructural, "organo": conv.organo, "unidad_organica": conv.unidad_organica,
        "posiciones": conv.cantidad_posiciones, "remuneracion": f"{conv.remuneracion:.2f}",
    }
    if conv.lugar:
        c["lugar"] = conv.lugar
    if conv.duracion_contrato:
        c["duracion_contrato"] = conv.duracion_contrato
    c.update({
        "modalidad_firma": conv.modalidad_firma.name, "estado": conv.estado.name,
        "incluye_examen": conv.incluye_examen, "incluye_psicologica": conv.incluye_psicologica,
        "inicio_postulacion": _iso(postulacion.inicio), "cierre_postulacion": _iso(postulacion.fin),
        "perfil": {
            "formacion": formacion,
            "colegiatura": perfil.requiere_colegiatura, "habilitacion": perfil.requiere_habilitacion,
            "experiencia_general_meses": perfil.experiencia_general_meses,
            "experiencia_especifica_meses": perfil.experiencia_especifica_meses,
            "experiencia_publica_meses": perfil.experiencia_publica_meses,
            "capacitaciones": [_capacitacion_de_perfil(x) for x in sorted(perfil.capacitaciones, key=lambda x: x.id)],
            "conocimientos": _conocimientos_de_perfil(perfil),
            "otros": [x.descripcion for x in sorted(perfil.otros, key=lambda x: x.id)],
            "requiere_deportista": perfil.requiere_deportista,
        },
        "cronograma": [{"tipo": h.tipo.name, "inicio": _iso(h.inicio), "fin": _iso(h.fin)}
                       for h in sorted(conv.cronograma, key=lambda h: (h.inicio, h.id))],
    })
    return {"formato": interchange.FORMATO, "entidad": entidad, "bases": conv.version_bases.codigo, "convocatoria": c}


def _conocimientos_de_perfil(perfil: m.PerfilPuesto) -> dict[str, str]:
    """The profile's office programs and languages, name → level. Rows a profile saved before the form
    refused them that name one program or language twice («Inglés» and «inglés»; a language row «Excel»
    beside «Hojas de cálculo») are one requirement, at the higher level asked (§4.2.1 n), under the first
    row's name (an office program's under the Ficha's): a file lists each once."""
    filas = sorted(perfil.conocimientos, key=lambda x: x.id)
    nombres: dict[str, str] = {}
    for x in filas:
        nombres.setdefault(clave_conocimiento(x.nombre), programa_ofimatica(x.nombre) or x.nombre)
    return {nombres[clave]: nivel for clave, nivel in
            niveles_mas_altos(((x.nombre, x.nivel.name) for x in filas), clave_conocimiento).items()}


def _capacitacion_de_perfil(x: m.RequisitoCapacitacion) -> dict[str, Any]:
    """A profile's course, programme or diplomado in the format's terms; «afines» and its topics when given."""
    out: dict[str, Any] = {"tipo": x.tipo.name, "tema": x.tema, "horas": x.horas_minimas}
    if x.acepta_afines:
        out["afines"] = True
    if x.lista_temas_afines:
        out["temas_afines"] = x.lista_temas_afines
    return out


def _id_en_archivo(ficha: Mapping[str, Any]) -> str:
    """The applicant's id in the format: the one its file gave, else the document number."""
    propio = (ficha.get("intercambio") or {}).get("id")
    if propio:
        return propio
    d = ficha.get("datos_personales", {})
    return d.get("numero_documento", "") if d.get("tipo_documento") == "DNI" else \
        f"{d.get('tipo_documento', '')}-{d.get('numero_documento', '')}"


def _leer(session: Session, conv: m.Convocatoria, solo: sa.Select | None = None, *,
          con_resultados: bool = False) -> _Leido:
    """The call's applications (all, or those whose id ``solo`` selects) in the format's terms (an export).

    Five queries whatever the number of applications: applications, documents, stage rows,
    checklist items and interview sheets, each filtered by the call (and ``solo``). The stored
    reasons and rules of each result are read only ``con_resultados``.
    """
    leido = _Leido(conv=conv, cabecera=_cabecera(conv))
    cierre = interchange.fechahora(leido.cabecera["convocatoria"]["cierre_postulacion"])
    P = m.Postulacion
    apps = session.execute(_consulta_postulaciones(conv, solo, sa.select(P.id, P.registrada_en, P.ficha))).all()
    insumos = _Insumos.leer(session, conv, solo, con_resultados=con_resultados)
    leido.filas = insumos.filas
    grupos: dict[int, list[tuple[Decimal, int, str]]] = defaultdict(list)
    for a in apps:
        ident = leido.ids[a.id] = _id_en_archivo(a.ficha)
        entradas, juzgadas = insumos.entradas(a.id, grupos)
        # the expediente curricular is no document of the bases: it travels as entradas.curricular.expediente
        documentos = [{"tipo": d.tipo, "paginas": d.paginas, "validado": d.validado, "en_plazo": d.cargado_en <= cierre}
                      for d in insumos.documentos.get(a.id, ()) if d.tipo != TIPO_EXPEDIENTE]
        leido.postulantes.append(_postulante(a, ident, juzgadas, documentos, entradas))
    leido.decisiones = [{"orden": [leido.ids[pid] for pid in orden], "sustento": sustento}
                        for orden, sustento in _decisiones(grupos)]
    return leido


#: Which of a call's applications a reader reads: all (``None``), those whose id a query selects, or
#: those whose id lies in a range (first, last or None for no end: a batch, :func:`_parte`).
Solo = sa.Select | tuple[int, int | None] | None


def _filtro(columna: Any, solo: Solo) -> list[Any]:
    """The condition on a column holding an application's id that keeps the applications ``solo`` names."""
    if solo is None:
        return []
    if isinstance(solo, tuple):  # a range reads a batch along the primary key's order, with nothing to sort
        primero, ultimo = solo
        return [columna >= primero] if ultimo is None else [columna.between(primero, ultimo)]
    return [columna.in_(solo)]


def _consulta_postulaciones(conv: m.Convocatoria, solo: Solo, q: sa.Select) -> sa.Select:
    P = m.Postulacion
    return q.where(P.convocatoria_id == conv.id, *_filtro(P.id, solo)).order_by(P.id)


def _decisiones(grupos: Mapping[int, list[tuple[Decimal, int, str]]]) -> list[tuple[list[int], str]]:
    """Committee tie decisions (D8) from the interview's ``decision_comite:<k>`` items: application ids in order, reason."""
    out = []
    for k in sorted(grupos):
        orden = sorted(grupos[k])
        out.append(([pid for _, pid, _ in orden], orden[0][2]))
    return out


@dataclass
class _Insumos:
    """What evaluators recorded for a call's applications: documents, stage rows, checklist items and
    submitted interview sheets, read in four or five set-based queries (export and evaluate share them)."""

    documentos: dict[int, list[sa.Row]]
    #: (postulacion id, etapa) → stored row values
    filas: dict[tuple[int, str], sa.Row]
    #: ResultadoEtapa id → its checklist items by code (the last one of a code counts)
    items: dict[int, dict[str, sa.Row]]
    hojas: dict[int, list[dict[str, Any]]]
    asistencia: dict[int, list[bool]]
    #: why an interview was not taken, as the submitted sheets record it (§4.2.5 c, d)
    causas: dict[int, str]

    @classmethod
    def leer(cls, session: Session, conv: m.Convocatoria, solo: Solo = None, *,
             con_resultados: bool = False, etapa: str | None = None) -> _Insumos:
        """With ``etapa`` (what :func:`evaluar` reads), the stage rows and checklist items are those of that
        stage and of the Ficha (its override, manual checks and §4.2.1 x judgments are part of every stage's
        candidate), with the earlier stages' rows for the interview (their scores add up, D5), and interview
        sheets and the expediente's checklist (the documents of its bonus) only for the interview: a stage's
        hook receives the inputs of its own stage. For a Ficha
        stage of 150,000 applications this leaves out 600,000 stage rows, some two million checklist
        items and 400,000 sheets that no rule of the stage reads."""
        P, D, R, V, H = m.Postulacion, m.DocumentoPostulacion, m.ResultadoEtapa, m.ItemVerificacion, m.HojaEntrevista

        def filtro(col):
            return _filtro(col, solo)

        documentos: dict[int, list[sa.Row]] = defaultdict(list)
        for d in session.execute(
            sa.select(D.postulacion_id, D.tipo, D.paginas, D.validado, D.cargado_en).join(P, P.id == D.postulacion_id)
            .where(P.convocatoria_id == conv.id, *filtro(P.id)).order_by(D.id)
        ):
            documentos[d.postulacion_id].append(d)
        de_filas = [] if etapa in (None, "entrevista") else [R.etapa.in_({Etapa.ficha, Etapa[etapa]})]
        filas = {(f.postulacion_id, f.etapa.name): f for f in session.execute(
            sa.select(R.id, R.postulacion_id, R.etapa, R.resultado, R.puntaje, R.override, R.motivo_override,
                      R.evaluado_en, R.publicado,
                      *((R.motivos, R.reglas, R.detalle) if con_resultados else
                        (sa.null().label("motivos"), sa.null().label("reglas"), sa.null().label("detalle"))))
            .where(R.convocatoria_id == conv.id, *de_filas, *filtro(R.postulacion_id)))}
        # The interview reads the curricular stage's items too: the expediente's checklist holds the DNI of
        # Ley 31533's bonus (§4.2.5 h, §4.3.2), which the format carries under entradas.curricular.
        de_etapa = [] if etapa is None else [R.etapa.in_(
            {Etapa.ficha, Etapa[etapa], *((Etapa.curricular,) if etapa == "entrevista" else ())})]
        items: dict[int, dict[str, sa.Row]] = defaultdict(dict)
        for it in session.execute(
            sa.select(V.resultado_etapa_id, V.codigo, V.cumple, V.puntaje, V.observacion).join(R, R.id == V.resultado_etapa_id)
            .where(R.convocatoria_id == conv.id, *de_etapa, *filtro(R.postulacion_id)).order_by(V.id)
        ):
            items[it.resultado_etapa_id][it.codigo] = it
        sufijo = f".{conv.entidad.siglas.lower()}"
        hojas: dict[int, list[dict[str, Any]]] = defaultdict(list)
        asistencia: dict[int, list[bool]] = defaultdict(list)
        causas: dict[int, str] = {}
        for h in [] if etapa not in (None, "entrevista") else session.execute(
            sa.select(H.postulacion_id, H.asistio, H.causa, *(getattr(H, f) for f in FACTORES_ENTREVISTA),
                      m.Usuario.username)
            .join(P, P.id == H.postulacion_id).join(m.MiembroComite, m.MiembroComite.id == H.miembro_id)
            .join(m.Usuario, m.Usuario.id == m.MiembroComite.usuario_id)
            .where(P.convocatoria_id == conv.id, H.enviada.is_(True), *filtro(P.id)).order_by(H.id)
        ):
            # Only submitted sheets count (D6); a member's code is the username without the institution.
            asistencia[h.postulacion_id].append(h.asistio)
            if not h.asistio and h.causa:
                causas[h.postulacion_id] = h.causa  # the members' sheets agree on it (comite._asistencia_concuerda)
            hojas[h.postulacion_id].append({"miembro": h.username.removesuffix(sufijo),
                                            "factores": {f: sin_ceros(getattr(h, f)) for f in FACTORES_ENTREVISTA}})
        return cls(documentos=documentos, filas=filas, items=items, hojas=hojas, asistencia=asistencia, causas=causas)

    def entradas(self, pid: int, grupos: dict[int, list[tuple[Decimal, int, str]]]
                 ) -> tuple[dict[str, Any], dict[int, bool]]:
        """One application's ``entradas`` in the format's terms and the evaluator's §4.2.1 x judgments
        (experience, 0-based → specific or not; an experience not judged is absent); adds its committee
        tie decisions (D8) to ``grupos``."""
        por_etapa: dict[str, Mapping[str, sa.Row]] = {}
        for e in _ETAPAS:
            f = self.filas.get((pid, e))
            por_etapa[e] = self.items.get(f.id, _VACIO) if f is not None else _VACIO
        entradas = _entradas(self.filas.get((pid, "ficha")), por_etapa, self.hojas.get(pid, []),
                             self.asistencia.get(pid, []), self.causas.get(pid))
        juzgadas = {int(c.removeprefix(ESPECIFICA)): bool(it.cumple) for c, it in por_etapa["ficha"].items()
                    if c.startswith(ESPECIFICA)}
        for c, it in por_etapa["entrevista"].items():
            if c.startswith(DECISION):
                grupos[int(c.removeprefix(DECISION))].append((it.puntaje or Decimal(0), pid, it.observacion or ""))
        return entradas, juzgadas


_ETAPAS = tuple(e.name for e in Etapa)
_VACIO: Mapping[str, Any] = MappingProxyType({})


def _entradas(ficha: sa.Row | None, items: Mapping[str, Mapping[str, sa.Row]], hojas: list[dict[str, Any]],
              asistencia: list[bool], causa: str | None = None) -> dict[str, Any]:
    """The format's ``entradas`` from a candidate's stage rows, checklist items and submitted sheets."""
    entradas: dict[str, Any] = {}
    if ficha is not None and ficha.override:
        entradas["ficha_override"] = {"resultado": ficha.resultado.name, "sustento": ficha.motivo_override or ""}
    manual = {c: bool(it.cumple) for c, it in items["ficha"].items() if ":" not in c}
    if manual:
        entradas["verificacion_manual"] = manual
    ex = items["examen"]
    if ASISTIO in ex:
        entradas["examen"] = {"asistio": bool(ex[ASISTIO].cumple)}
        if PUNTAJE in ex and ex[PUNTAJE].puntaje is not None:
            entradas["examen"]["puntaje"] = sin_ceros(ex[PUNTAJE].puntaje)
    if ASISTIO in items["psicologica"]:
        entradas["psicologica"] = {"asistio": bool(items["psicologica"][ASISTIO].cumple)}
    cu = items["curricular"]
    if EXPEDIENTE in cu:
        entradas["curricular"] = {"expediente": bool(cu[EXPEDIENTE].cumple)}
        if EN_PLAZO in cu:
            entradas["curricular"]["en_plazo"] = bool(cu[EN_PLAZO].cumple)
        factores = {k: bool(cu[k].cumple) for k in FACTORES_CURRICULARES if k in cu}
        if factores:
            entradas["curricular"]["factores"] = factores
        lista = {k.removeprefix(LISTA): bool(it.cumple) for k, it in cu.items()
                 if k.startswith(LISTA) and it.cumple is not None}
        if lista:
            entradas["curricular"]["lista"] = lista
    en = items["entrevista"]
    if ASISTIO in en or asistencia:
        # Attendance as recorded for the stage; without that item, as the members' sheets say.
        asistio = bool(en[ASISTIO].cumple) if ASISTIO in en else any(asistencia)
        entradas["entrevista"] = {"asistio": asistio}
        # why it was not taken, as recorded: the stage item's (an import's), else the sheets'
        causa = None if asistio else (en[ASISTIO].observacion if ASISTIO in en else None) or causa
        if causa is not None:
            entradas["entrevista"]["causa"] = causa
        if hojas:
            entradas["entrevista"]["hojas"] = hojas
    return entradas


def _postulante(app: sa.Row, ident: str, juzgadas: Mapping[int, bool], documentos: list[dict[str, Any]],
                entradas: dict[str, Any]) -> dict[str, Any]:
    """One applicant of the format from the frozen Ficha (C3) and the stored inputs; an experience's
    ``especifica`` is written once the evaluator judged it (§4.2.1 x)."""
    f = app.ficha
    dp = f.get("datos_personales", {})
    ad = f.get("informacion_adicional", {})

    def opcionales(**valores: Any) -> dict[str, Any]:
        return {k: v for k, v in valores.items() if v is not None}

    conocimientos = {ProgramaOfimatica[o["programa"]].value: o["nivel"] for o in f.get("ofimatica", [])}
    conocimientos.update(niveles_mas_altos((i["idioma"], i["nivel"]) for i in f.get("idiomas", [])))
    ficha = {
        "formacion": [
            {"nivel": x["nivel"], "condicion": _CONDICION_A_FORMATO.get(x["condicion"], x["condicion"]),
             **opcionales(carrera=x.get("carrera"), fecha_egreso=x.get("fecha_egreso"),
                          fecha_diploma=x.get("fecha_diploma"), centro=x.get("institucion"))}
            for x in f.get("formacion_academica", [])
        ],
        "colegiado": bool(f.get("colegiatura")),
        "habilitado": any(c.get("habilitado") for c in f.get("colegiatura", [])),
        "conocimientos": conocimientos,
        "capacitaciones": [
            {"tipo": x["tipo"], "tema": x["tema"], "horas": x["horas"],
             **opcionales(creditos=x.get("creditos"), inicio=x.get("fecha_inicio"), fecha_fin=x.get("fecha_fin"),
                          ente_rector=x.get("ente_rector"), institucion=x.get("institucion"))}
            for x in f.get("capacitaciones", [])
        ],
        "experiencias": [
            {"empleador": x["empleador"], "sector": x["sector"], "puesto": x["puesto"],
             "funciones": x.get("funciones") or "", "tipo": x.get("tipo") or "empleo", "inicio": x["fecha_inicio"],
             "fin": None if x.get("actual") else x.get("fecha_fin"),
             **({"especifica": juzgadas[n]} if n in juzgadas else {})}
            for n, x in enumerate(f.get("experiencia_laboral", []))
        ],
        "otros": [x["descripcion"] for x in f.get("otros_requisitos", [])],
        "licenciado_ffaa": bool(ad.get("licenciado_ffaa")),
        "discapacidad": bool(ad.get("discapacidad")),
        "deportista_nivel": ad.get("deportista_nivel"),
        "firma": f.get("firma_archivo_id") is not None,
    }
    paterno, materno = dp.get("apellido_paterno"), dp.get("apellido_materno")
    apellidos = " ".join(x for x in (paterno, materno) if x is not None)
    out = {
        "id": ident,
        "documento": {"tipo": dp.get("tipo_documento"), "numero": dp.get("numero_documento")},
        "apellidos": apellidos, "nombres": dp.get("nombres"),
    }
    if paterno and " " in paterno:  # «DE LA CRUZ PÉREZ» alone would come back as «DE» and «LA CRUZ PÉREZ»
        out.update(apellido_paterno=paterno, apellido_materno=materno or "")
    correo = dp.get("email")
    if correo and not correo.endswith("@" + DOMINIO_SIN_CORREO):
        out["email"] = correo
    out.update({"fecha_nacimiento": dp.get("fecha_nacimiento"), "registrada_en": _iso(app.registrada_en),
                "ficha": ficha, "documentos": documentos, "entradas": entradas})
    return out


# --- the evaluation's reader: the engine model straight from the frozen Ficha ---------------
#
# ``evaluar`` builds each candidate from the frozen Ficha's JSON text with msgspec, decoding only
# the fields the engine uses, straight into dates, Decimals (exact: from the JSON text, never
# through float) and the rules' enums, instead of decoding the whole document to dicts and
# building the format's dicts in between (docs/performance.md). The result is the same
# ``Candidato`` as ``interchange.candidato(_postulante(...))`` (tests/test_engine_db.py checks it);
# a Ficha that does not have the expected shape goes through that slower path instead, which
# also raises exactly what it raised before.


class _DatosPersonales(msgspec.Struct):
    tipo_documento: str
    numero_documento: str
    fecha_nacimiento: dt.date
    apellido_paterno: str | None = None
    apellido_materno: str | None = None
    nombres: str | None = None


class _Adicional(msgspec.Struct):
    discapacidad: bool | None = None
    licenciado_ffaa: bool | None = None
    deportista_nivel: int | None = None


class _Formacion(msgspec.Struct):
    nivel: NivelEstudios
    condicion: str
    carrera: str | None = None
    fecha_egreso: dt.date | None = None
    fecha_diploma: dt.date | None = None
    institucion: str | None = None


class _Colegiatura(msgspec.Struct):
    habilitado: bool | None = None


class _Idioma(msgspec.Struct):
    idioma: str
    nivel: Nivel


class _Ofimatica(msgspec.Struct):
    programa: str
    nivel: Nivel


class _Capacitacion(msgspec.Struct):
    tipo: TipoCapacitacionMotor
    tema: str
    horas: Decimal
    creditos: Decimal | None = None
    institucion: str | None = None
    fecha_inicio: dt.date | None = None
    fecha_fin: dt.date | None = None
    ente_rector: bool | None = None


class _Experiencia(msgspec.Struct):
    empleador: str
    sector: SectorMotor
    puesto: str
    fecha_inicio: dt.date
    funciones: str | None = None
    tipo: TipoExperienciaMotor | None = None
    fecha_fin: dt.date | None = None
    actual: bool | None = None


class _Otro(msgspec.Struct):
    descripcion: str


class _Intercambio(msgspec.Struct):
    id: str | None = None


class _FichaMotor(msgspec.Struct):
    """The parts of a frozen Ficha (``ficha.snapshot``) the engine reads; other keys are skipped unread."""

    datos_personales: _DatosPersonales
    informacion_adicional: _Adicional = msgspec.field(default_factory=_Adicional)
    firma_archivo_id: int | None = None
    formacion_academica: list[_Formacion] = []
    colegiatura: list[_Colegiatura] = []
    idiomas: list[_Idioma] = []
    ofimatica: list[_Ofimatica] = []
    capacitaciones: list[_Capacitacion] = []
    experiencia_laboral: list[_Experiencia] = []
    otros_requisitos: list[_Otro] = []
    intercambio: _Intercambio | None = None


_FICHA_MOTOR = msgspec.json.Decoder(_FichaMotor)
_EMPLEO = TipoExperienciaMotor("empleo")


class _Documento(msgspec.Struct):
    tipo_documento: str | None = ""
    numero_documento: str | None = ""


class _FichaId(msgspec.Struct):
    """What the format's id of a frozen Ficha needs (:func:`_id_en_archivo`); the rest is skipped unread."""

    datos_personales: _Documento = msgspec.field(default_factory=_Documento)
    intercambio: _Intercambio | None = None


_FICHA_ID = msgspec.json.Decoder(_FichaId)


def _ident(intercambio: _Intercambio | None, dp: _DatosPersonales | _Documento) -> str:
    """:func:`_id_en_archivo` of a decoded Ficha."""
    return (intercambio is not None and intercambio.id) or (
        dp.numero_documento if dp.tipo_documento == "DNI" else f"{dp.tipo_documento}-{dp.numero_documento}")


def ids_en_archivo(session: Session, conv: m.Convocatoria, pids: Iterable[int]) -> dict[int, str]:
    """The format's id of each given application of the call (what an export names it), in batches;
    of each frozen Ficha only the id's keys are decoded."""
    P = m.Postulacion
    out: dict[int, str] = {}
    for lote in _lotes(sorted(set(pids))):
        for pid, texto in session.execute(sa.select(P.id, sa.cast(P.ficha, sa.Text))
                                          .where(P.convocatoria_id == conv.id, P.id.in_(lote))):
            try:
                f = _FICHA_ID.decode(texto)
            except msgspec.DecodeError:  # not the usual shape: the export's own reading
                out[pid] = _id_en_archivo(json.loads(texto))
            else:
                out[pid] = _ident(f.intercambio, f.datos_personales)
    return out


class FilaGuardada(NamedTuple):
    """A stored, evaluated stage result as :func:`resultados_evaluados` reads it."""

    resultado: str
    puntaje: Decimal | None
    #: "name==version" of the stage's own plugin, and the stored reasons: only for the stages asked
    regla: str = ""
    motivos: tuple[Mapping[str, Any], ...] = ()


def resultados_evaluados(session: Session, conv: m.Convocatoria, *,
                         detalle: Iterable[str] = ()) -> dict[str, dict[int, FilaGuardada]]:
    """The call's evaluated stage results (``evaluado_en`` set: what an export's ``resultados`` holds),
    per stage and postulacion id, in application order. The rule and the reasons (JSON, the costly
    part of a row) are read only for the stages in ``detalle``. Stages in process order."""
    R = m.ResultadoEtapa
    evaluadas = (R.convocatoria_id == conv.id, R.evaluado_en.is_not(None))
    out: dict[str, dict[int, FilaGuardada]] = {}
    # The enums' stored names as they are (no Enum object per row: 150,000 rows in a large call).
    for pid, etapa, resultado, puntaje in session.execute(
            sa.select(R.postulacion_id, sa.type_coerce(R.etapa, sa.String), sa.type_coerce(R.resultado, sa.String),
                      R.puntaje).where(*evaluadas).order_by(R.postulacion_id)):
        out.setdefault(etapa, {})[pid] = FilaGuardada(resultado, puntaje)
    con_detalle = [Etapa[e] for e in detalle]
    if con_detalle:
        for pid, etapa, motivos, reglas in session.execute(
                sa.select(R.postulacion_id, R.etapa, R.motivos, R.reglas).where(*evaluadas, R.etapa.in_(con_detalle))):
            fila = out.get(etapa.name, {}).get(pid)
            if fila is None:  # evaluated between the two queries: read on the next run
                continue
            out[etapa.name][pid] = fila._replace(regla=next(iter((reglas or {}).values()), ""),
                                                 motivos=tuple(motivos or ()))
    return {e.name: out[e.name] for e in Etapa if e.name in out}


def decisiones_comite(session: Session, conv: m.Convocatoria) -> list[tuple[list[int], str]]:
    """The Interview Committee's tie decisions (D8) as an export gives them: application ids in order and
    the reason, from the ``decision_comite:<k>`` items of the interview results (the last item of a code
    on a result counts)."""
    R, V = m.ResultadoEtapa, m.ItemVerificacion
    ultimos: dict[tuple[int, str], sa.Row] = {}
    for it in session.execute(
            sa.select(R.postulacion_id, V.resultado_etapa_id, V.codigo, V.puntaje, V.observacion)
            .join(R, R.id == V.resultado_etapa_id)
            .where(R.convocatoria_id == conv.id, R.etapa == Etapa.entrevista, V.codigo.like(f"{DECISION}%"))
            .order_by(V.id)):
        if it.codigo.startswith(DECISION):
            ultimos[(it.resultado_etapa_id, it.codigo)] = it
    grupos: dict[int, list[tuple[Decimal, int, str]]] = defaultdict(list)
    for (_, codigo), it in ultimos.items():
        grupos[int(codigo.removeprefix(DECISION))].append((it.puntaje or Decimal(0), it.postulacion_id,
                                                           it.observacion or ""))
    return _decisiones(grupos)


def _candidato_rapido(f: _FichaMotor, ident: str, registrada_en: dt.datetime, juzgadas: Mapping[int, bool],
                      documentos: tuple[Documento, ...], entradas: Entradas) -> Candidato:
    """``interchange.candidato(_postulante(...))`` from a decoded Ficha, without the format's dicts."""
    dp, ad = f.datos_personales, f.informacion_adicional
    conocimientos = {ProgramaOfimatica[o.programa].value: o.nivel for o in f.ofimatica}
    conocimientos.update(niveles_mas_altos((i.idioma, i.nivel) for i in f.idiomas))
    return crear_candidato(
        id=ident, tipo_documento=dp.tipo_documento, numero_documento=dp.numero_documento,
        apellidos=" ".join(x for x in (dp.apellido_paterno, dp.apellido_materno) if x is not None),
        nombres=dp.nombres, fecha_nacimiento=dp.fecha_nacimiento, registrada_en=registrada_en,
        formaciones=tuple(
            crear_formacion(nivel=x.nivel, condicion=Condicion(_CONDICION_A_FORMATO.get(x.condicion, x.condicion)),
                            carrera="" if x.carrera is None else x.carrera, fecha_egreso=x.fecha_egreso,
                            fecha_diploma=x.fecha_diploma, centro="" if x.institucion is None else x.institucion)
            for x in f.formacion_academica),
        experiencias=tuple(
            crear_experiencia(empleador=x.empleador, sector=x.sector, puesto=x.puesto, inicio=x.fecha_inicio,
                              fin=None if x.actual else x.fecha_fin, funciones=x.funciones or "", tipo=x.tipo or _EMPLEO,
                              especifica=juzgadas.get(n))
            for n, x in enumerate(f.experiencia_laboral)),
        capacitaciones=tuple(
            crear_capacitacion(tema=x.tema, tipo=x.tipo, horas=x.horas, creditos=x.creditos, fecha_fin=x.fecha_fin,
                               inicio=x.fecha_inicio, ente_rector=False if x.ente_rector is None else x.ente_rector,
                               institucion="" if x.institucion is None else x.institucion)
            for x in f.capacitaciones),
        conocimientos=conocimientos,
        colegiado=bool(f.colegiatura),
        habilitado=any(c.habilitado for c in f.colegiatura),
        otros=tuple(x.descripcion for x in f.otros_requisitos),
        licenciado_ffaa=bool(ad.licenciado_ffaa), discapacidad=bool(ad.discapacidad),
        deportista_nivel=ad.deportista_nivel, firma=f.firma_archivo_id is not None,
        documentos=documentos, entradas=entradas,
    )


@dataclass
class _Candidatos:
    """What :func:`evaluar` reads: a stage's candidates as the engine model, with what storing needs."""

    candidatos: list[Candidato]
    #: the applicant's id in the format → postulacion id
    por_id: dict[str, int]
    #: (postulacion id, etapa) → stored row values (this stage, the Ficha, and the earlier ones for the interview)
    filas: dict[tuple[int, str], sa.Row]
    #: committee tie decisions (D8), by the format's ids
    decisiones: list[tuple[str, ...]]


def _leer_candidatos(session: Session, conv: m.Convocatoria, modelo: ConvocatoriaMotor, etapa: str | None,
                     solo: sa.Select | None = None) -> _Candidatos:
    """The candidates of ``etapa`` (all applications, or those ``solo`` selects) as the engine model.

    The same queries as an export restricted to the stage (:class:`_Insumos` with ``etapa``), the
    Ficha read as JSON text; each candidate equals what ``casadmin simulate`` builds from the exported file.
    """
    apps, insumos = _leer_filas(session, conv, etapa, solo)
    ids: dict[int, str] = {}
    grupos: dict[int, list[tuple[Decimal, int, str]]] = defaultdict(list)
    candidatos = _construir(apps, insumos, modelo.cierre_postulacion, ids, grupos)
    return _Candidatos(candidatos=candidatos, por_id={ident: pid for pid, ident in ids.items()}, filas=insumos.filas,
                       decisiones=[tuple(ids[pid] for pid in orden) for orden, _ in _decisiones(grupos)])


def _leer_filas(session: Session, conv: m.Convocatoria, etapa: str | None,
                solo: Solo) -> tuple[Sequence[sa.Row], _Insumos]:
    """The rows :func:`_construir` builds candidates from: the applications (id, time, frozen Ficha as JSON
    text, state), in id order, and what evaluators recorded for them (:class:`_Insumos` of ``etapa``)."""
    P = m.Postulacion
    apps = session.execute(_consulta_postulaciones(
        conv, solo, sa.select(P.id, P.registrada_en, sa.cast(P.ficha, sa.Text).label("ficha"), P.estado))).all()
    return apps, _Insumos.leer(session, conv, solo, etapa=etapa)


def _construir(apps: Iterable[sa.Row], insumos: _Insumos, cierre: dt.datetime, ids: dict[int, str],
               grupos: dict[int, list[tuple[Decimal, int, str]]]) -> list[Candidato]:
    """The engine's candidates of these application rows (:func:`_leer_filas`); records each one's id in
    the format in ``ids`` (postulacion id → id) and its committee tie decisions in ``grupos``."""
    vacias = interchange._entradas({})
    candidatos: list[Candidato] = []
    for pid, registrada, texto, _ in apps:
        entradas, juzgadas = insumos.entradas(pid, grupos)
        documentos = tuple(crear_documento(tipo=d.tipo, paginas=d.paginas, validado=d.validado,
                                           en_plazo=d.cargado_en <= cierre) for d in insumos.documentos.get(pid, ()))
        try:
            f = _FICHA_MOTOR.decode(texto)
        except msgspec.DecodeError:  # not the usual shape: the format's path, with its own errors
            f = None
        if f is not None:
            ident = _ident(f.intercambio, f.datos_personales)
        else:
            a = SimpleNamespace(id=pid, registrada_en=registrada, ficha=json.loads(texto))
            ident = _id_en_archivo(a.ficha)
        ids[pid] = ident
        try:
            if f is None:
                candidatos.append(interchange.candidato(
                    _postulante(a, ident, juzgadas, [dataclasses.asdict(d) for d in documentos], entradas)))
            else:
                candidatos.append(_candidato_rapido(
                    f, ident, to_lima(registrada).replace(microsecond=0), juzgadas, documentos,
                    interchange._entradas(entradas) if entradas else vacias))
        except ValueError as exc:  # e.g. an experience ending before it starts (rules.types)
            raise EvaluacionRechazada(f"La Ficha de la postulación «{ident}» no puede evaluarse: {exc}") from None
    return candidatos


def candidatos(session: Session, conv: m.Convocatoria, modelo: ConvocatoriaMotor, pids: Iterable[int]) -> list[Candidato]:
    """The given applications of the call as the engine's candidates, with every stage's inputs: each equals
    what ``casadmin simulate`` builds from an export. For a handful (the final step's finalists)."""
    P = m.Postulacion
    return _leer_candidatos(session, conv, modelo, None, sa.select(P.id).where(P.id.in_(sorted(set(pids))))).candidatos


def detalle_experiencia(session: Session, conv: m.Convocatoria, postulacion_id: int,
                        motivos: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """How the experience of one application's stored Ficha reasons (``motivos``) was counted, experience
    by experience (the bases' ``casadmin_detallar_experiencia``, D1): by the reason's ``requisito``, the
    reasons of its count. Only for the reasons whose days the count gives again: when the Ficha's inputs
    changed after the evaluation (an evaluator's judgment of specific experience, §4.2.1 x), a detail
    would explain other days than the published ones, and none is given until the stage is evaluated again.
    (A change that leaves the days as they were, such as unmarking an experience another one overlaps
    entirely, shows in the detail: the count explains the same days with the inputs as they are now.)"""
    if not any(str(mo.get("computado", "")).endswith((" días)", " día)")) for mo in motivos):
        return {}  # no reason counts days
    pm = pl.get_plugin_manager()
    try:
        bases = pl.get_bases(pm, conv.version_bases.codigo)
        modelo = cabecera_motor(conv, bases)
        candidato, = candidatos(session, conv, modelo, [postulacion_id])
        cuentas, _ = pl.primero(pm, bases, "casadmin_detallar_experiencia", ctx=run.contexto(modelo, bases),
                                candidato=candidato)
        return {mo["requisito"]: [report._motivo(x) for x in run.citados(bases, cuentas[mo["requisito"]].motivos)]
                for mo in motivos
                if mo.get("requisito") in cuentas
                and str(mo.get("computado", "")).endswith(f"({n_dias(cuentas[mo['requisito']].dias)})")}
    except (pl.BasesDesconocida, pl.SinImplementacion, ArchivoInvalido, EvaluacionRechazada):
        return {}  # no bases, no detail in them, or a call the engine cannot read: the stored reasons stand
    except (pl.ErrorDePlugin, AttributeError, TypeError) as exc:  # a plugin that fails or answers otherwise:
        logger.warning("Sin detalle de la experiencia de la postulación %s: %s", postulacion_id, exc)
        return {}  # the page still shows the stored reasons


def conteos(session: Session, codigo: str) -> dict[str, int]:
    """How many rows a stored call has, by kind (what ``casadmin import`` reports)."""
    conv_id = session.scalar(sa.select(m.Convocatoria.id).where(m.Convocatoria.codigo == codigo))
    if conv_id is None:
        raise ConvocatoriaNoEncontrada(f"No existe la convocatoria «{codigo}».")
    P = m.Postulacion

    def contar(q) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0

    return {
        "postulaciones": contar(sa.select(P.id).where(P.convocatoria_id == conv_id)),
        "documentos": contar(sa.select(m.DocumentoPostulacion.id).join(P).where(P.convocatoria_id == conv_id)),
        "hitos": contar(sa.select(m.HitoCronograma.id).where(m.HitoCronograma.convocatoria_id == conv_id)),
        "miembros_comite": contar(sa.select(m.MiembroComite.id).where(m.MiembroComite.convocatoria_id == conv_id)),
        "hojas_entrevista": contar(sa.select(m.HojaEntrevista.id).join(P).where(P.convocatoria_id == conv_id)),
        "entradas": contar(sa.select(m.ItemVerificacion.id).join(m.ResultadoEtapa)
                           .where(m.ResultadoEtapa.convocatoria_id == conv_id)),
        "resultados": contar(sa.select(m.ResultadoEtapa.id).where(m.ResultadoEtapa.convocatoria_id == conv_id,
                                                                   m.ResultadoEtapa.evaluado_en.is_not(None))),
        "resultados_finales": contar(sa.select(m.ResultadoFinal.id).where(m.ResultadoFinal.convocatoria_id == conv_id)),
    }


def resumen_etapas(session: Session, codigo: str) -> dict[str, dict[str, int]]:
    """Stored results of a call per stage, in process order: result name → count."""
    R = m.ResultadoEtapa
    filas = session.execute(
        sa.select(R.etapa, R.resultado, sa.func.count()).join(m.Convocatoria, m.Convocatoria.id == R.convocatoria_id)
        .where(m.Convocatoria.codigo == codigo, R.evaluado_en.is_not(None)).group_by(R.etapa, R.resultado)
    ).all()
    out: dict[str, dict[str, int]] = {e.name: {} for e in Etapa}
    for etapa, resultado, n in filas:
        out[etapa.name][resultado.name] = n
    return {e: c for e, c in out.items() if c}


# --- export --------------------------------------------------------------------------------


def exportar(session: Session, codigo: str) -> dict[str, Any]:
    """A stored call in the interchange format, with its stored stage results in ``resultados``."""
    leido = _leer(session, _convocatoria(session, codigo), con_resultados=True)
    datos = {**leido.cabecera, "postulantes": leido.postulantes, "decisiones_comite": leido.decisiones}
    resultados = _resultados_guardados(leido)
    finales = _finales_guardados(session, leido)
    if resultados or finales:
        vb = leido.conv.version_bases
        # The plugins of the final step too (bonuses, merit order: F3), as simulate --json lists them.
        reglas = {**(resultados or {}).get("reglas", {}), **(finales or {}).pop("reglas", {})}
        datos["resultados"] = {"bases": {"id": vb.codigo, "proveedor": vb.plugin, "version": vb.plugin_version},
                               **(resultados or {}), **(finales or {})}
        if reglas:
            datos["resultados"]["reglas"] = reglas
    return datos


def _finales_guardados(session: Session, leido: _Leido) -> dict[str, Any] | None:
    """The stored final step (``resultado_final`` and ``bonificacion``, :func:`casadmin.final.evaluar_final`)
    in the shape of ``simulate --json``: the finalists with their bonuses (§4.3; the Ley 31533 interview
    bonus is inside the interview score, §4.2.5 h, as in simulate), the merit order with its ties, winners,
    accesitarios and the ties left to the committee (D8); and the desierto cause once declared (§4.5)."""
    R, B = m.ResultadoFinal, m.Bonificacion
    filas = [f for f in session.execute(
        sa.select(R.postulacion_id, R.puntaje_etapas, R.puntaje_final, R.orden_merito, R.condicion, R.empate_comite,
                  R.motivos, R.reglas).where(R.convocatoria_id == leido.conv.id)).all() if f.postulacion_id in leido.ids]
    causa = leido.conv.causa_desierto
    if not filas and causa is None:
        return None
    posicion = {pid: n for n, pid in enumerate(leido.ids)}
    filas.sort(key=lambda f: posicion[f.postulacion_id])  # the file's order, as simulate lists the finalists
    bonos: dict[int, list[dict[str, str]]] = defaultdict(list)
    for b in session.scalars(sa.select(B).join(m.Postulacion).where(
            m.Postulacion.convocatoria_id == leido.conv.id, B.tipo != TipoBonificacion.joven_entrevista).order_by(B.id)):
        bonos[b.postulacion_id].append({"concepto": b.concepto or b.tipo.value, "porcentaje": sin_ceros(b.porcentaje),
                                        "base": dos_decimales(b.base), "monto": dos_decimales(b.puntos),
                                        "base_legal": b.base_legal, "regla": b.regla})
    por_merito = sorted(filas, key=lambda f: f.orden_merito or 0)  # stable: a tied group in the file's order
    grupos: dict[int, list[str]] = {}
    empates: dict[int, list[str]] = {}
    for f in por_merito:
        if f.orden_merito is not None:
            grupos.setdefault(f.orden_merito, []).append(leido.ids[f.postulacion_id])
        if f.empate_comite:
            empates.setdefault(f.orden_merito or 0, []).append(leido.ids[f.postulacion_id])
    return {
        "finales": [{"postulante": leido.ids[f.postulacion_id], "puntaje_etapas": dos_decimales(f.puntaje_etapas),
                     "puntaje_final": dos_decimales(f.puntaje_final), "bonificaciones": bonos.get(f.postulacion_id, []),
                     "motivos": list(f.motivos or [])}
                    for f in filas],
        "orden_merito": list(grupos.values()),
        "ganadores": [leido.ids[f.postulacion_id] for f in por_merito if f.condicion is CondicionFinal.ganador],
        "accesitarios": [leido.ids[f.postulacion_id] for f in por_merito if f.condicion is CondicionFinal.accesitario],
        "empates_para_comite": list(empates.values()),
        "desierto": None if causa is None else causa.name,
        #: the final step's plugins (every row records the same), for :func:`exportar` to list with the stages'
        "reglas": dict(filas[0].reglas or {}) if filas else {},
    }


def _resultados_guardados(leido: _Leido) -> dict[str, Any] | None:
    """Evaluated rows (``evaluado_en`` set) per stage, in the shape of ``simulate --json``'s stages."""
    etapas: dict[str, list[dict[str, Any]]] = {}
    reglas: dict[str, str] = {}
    reglas_etapas: dict[str, dict[str, str]] = {}
    publicadas = set()
    orden = {pid: n for n, pid in enumerate(leido.ids)}
    etapas_en_orden = [e.name for e in Etapa]
    for (pid, etapa), f in sorted(leido.filas.items(),
                                  key=lambda kv: (etapas_en_orden.index(kv[0][1]), orden[kv[0][0]])):
        if f.evaluado_en is None:
            continue
        # The stage's own plugin is stored first (evaluar); the others helped it (F3).
        regla = next(iter((f.reglas or {}).values()), "")
        reglas.update(f.reglas or {})
        reglas_etapas.setdefault(etapa, {}).update(f.reglas or {})
        if f.publicado:
            publicadas.add(etapa)
        etapas.setdefault(etapa, []).append({
            "postulante": leido.ids[pid], "resultado": f.resultado.name,
            "puntaje": None if f.puntaje is None else dos_decimales(f.puntaje), "regla": regla,
            "motivos": list(f.motivos or []),
            **({"detalle": dict(f.detalle)} if f.detalle else {}),
        })
    if not etapas:
        return None
    return {"reglas": dict(sorted(reglas.items())), "reglas_etapas": reglas_etapas, "etapas": etapas,
            "publicadas": [e for e in etapas if e in publicadas]}


# --- evaluate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluacion:
    """What :func:`evaluar` stored for one stage."""

    codigo: str
    etapa: str
    #: result name → how many candidates got it
    conteo: dict[str, int]
    #: plugin → "name==version" of every plugin that produced the results (F3)
    reglas: dict[str, str]
    #: the interview's shortlist (D5), by the format's ids; empty for other stages
    convocados: list[str]
    #: rows of an evaluator's override outside the Ficha stage, left as the evaluator wrote them
    conservados: int
    recalculada: bool
    #: processes that judged the candidates: more than one for a large Ficha stage (``_EnProcesos``)
    procesos: int = 1
    #: rows removed first: candidates an earlier stage, or the shortlist, no longer lets through (§4.6)
    quitados: int = 0
    #: a warning for whoever evaluated: the installed bases plugin is not the version the call was
    #: created with (:func:`aviso_version`)
    aviso: str | None = None


@run.sin_recolector()
def evaluar(session: Session, codigo: str, etapa: str, *, recalcular: bool = False, motivo: str | None = None,
            usuario: m.Usuario | str | None = None, pm: pluggy.PluginManager | None = None) -> Evaluacion:
    """Run one stage of a stored call with the engine and store its results (D1–D6, F3).

    The candidates are the applications that continued (Apto, or Asistió) in every earlier
    stage of the call; the interview first calls its shortlist (D5), as ``simulate`` does.
    A published stage is refused unless ``recalcular`` with a ``motivo``; every run appends an
    audit record (a recomputation names who, why and which results changed). A plugin that
    raises (:class:`casadmin.plugins.ErrorDePlugin`) leaves the database untouched.
    """
    pm = pm or pl.get_plugin_manager()
    conv = _convocatoria(session, codigo)
    try:
        bases = pl.get_bases(pm, conv.version_bases.codigo)
    except pl.BasesDesconocida as exc:
        raise EvaluacionRechazada(str(exc)) from None
    aviso = aviso_version(conv.version_bases, bases, session, conv, pm)  # read now: the commit below expires the call
    modelo = cabecera_motor(conv, bases)
    etapas = run.etapas_de(modelo, bases)
    if etapa not in etapas:
        raise EvaluacionRechazada(f"La convocatoria «{codigo}» no tiene la etapa «{etapa}» (etapas: {', '.join(etapas)}).")
    motivo = (motivo or "").strip()
    if recalcular and not motivo:
        raise EvaluacionRechazada("Para recalcular una etapa escriba el motivo (quedará en el registro de auditoría).")
    if etapa == "entrevista" and session.scalar(sa.select(m.Citacion.id).join(m.Postulacion).where(
            m.Postulacion.convocatoria_id == conv.id, m.Citacion.anulada_en.is_(None)).limit(1)) is not None:
        # Cited in the app: the committee's screen forms the score once every member submitted each
        # sheet (§4.2.5 g); the command line waits for the same (a candidate without sheets would be
        # «no se presentó», and one member's total the average). An imported call has no citations:
        # its sheets are the file's.
        from casadmin import comite  # it imports this module

        if faltan := comite.faltantes(session, conv):
            raise EvaluacionRechazada(f"No se forma el puntaje de la Entrevista Personal de «{codigo}»: "
                                      + " ".join(faltan))
    R = m.ResultadoEtapa
    publicada = session.scalar(sa.select(m.PublicacionEtapa.id).where(
        m.PublicacionEtapa.convocatoria_id == conv.id, m.PublicacionEtapa.etapa == etapa)) is not None or \
        session.scalar(sa.select(R.id).where(R.convocatoria_id == conv.id, R.etapa == Etapa[etapa],
                                             R.publicado.is_(True)).limit(1)) is not None
    if publicada and not recalcular:
        raise EvaluacionRechazada(
            f"Los resultados de la etapa «{etapa}» de «{codigo}» ya fueron publicados: no se recalculan sin "
            "--recalcular y un --motivo (quedará en el registro de auditoría).")
    if not recalcular and session.scalar(sa.select(m.ResultadoFinal.id).where(
            m.ResultadoFinal.convocatoria_id == conv.id, m.ResultadoFinal.publicado.is_(True)).limit(1)) is not None:
        # F3: the published winners rest on every stage; changing one under them is a correction
        raise EvaluacionRechazada(
            f"El resultado final de «{codigo}» ya fue publicado: la etapa «{etapa}» solo se recalcula con un motivo "
            "escrito, que queda en el registro de auditoría («Recalcular con sustento»; en la consola, "
            "--recalcular y --motivo).")
    previas = etapas[: etapas.index(etapa)]
    solo = None
    if previas:
        # The stage screens' own checks (imported here: casadmin.etapas imports this module). A stage with
        # no candidates left counts as evaluated (etapas.evaluada).
        from casadmin.etapas import (
            _previas_evaluadas,
            _siguen_stmt,
            previa_desactualizada,
            quitar_fuera_de_etapa,
            sin_datos,
        )

        sin_resultados = _previas_evaluadas(session, conv, previas)
        if sin_resultados is not None:
            raise EvaluacionRechazada(f"La etapa «{sin_resultados}» de «{codigo}» aún no tiene resultados: "
                                      "evalúela primero.")
        # §4.6: no stage is judged on earlier results that are themselves out of date (the screens' rule)
        if (d := previa_desactualizada(session, conv, etapa)) is not None:
            raise EvaluacionRechazada(d.rechazo(f"antes de evaluar la etapa «{etapa}»"))
        # The stage screen's check (attendance, expediente): without it, a candidate whose inputs were
        # never recorded was judged absent (§4.2.2 k) or failing every factor (§4.2.4)
        if por_que := sin_datos(session, conv, etapa):
            raise EvaluacionRechazada(por_que)
        # Those who continued (Apto, Asistió) in every earlier stage of the call.
        solo = _siguen_stmt(conv, previas)
    quitados = 0
    try:
        if solo is not None and etapa != "entrevista":
            # §4.6: the rows of those an earlier stage no longer lets through leave the stage (audited), as
            # on the stage screens; the interview's are those no longer called (_evaluar_de_una_vez)
            quitados = quitar_fuera_de_etapa(session, conv, etapa, usuario=usuario, motivo=motivo or None,
                                             actuales=solo)
        if etapa in run.DIVISIBLES and session.connection().dialect.name == "postgresql":
            resumen = _evaluar_en_lotes(session, conv, modelo, etapa, pm, bases, solo, publicada=publicada,
                                        recalcular=recalcular, motivo=motivo, usuario=usuario)
        else:
            resumen = _evaluar_de_una_vez(session, conv, modelo, etapa, pm, bases, solo, previas, publicada=publicada,
                                          recalcular=recalcular, motivo=motivo, usuario=usuario)
        session.commit()
    except pl.ErrorDePlugin:
        session.rollback()
        raise
    except pl.SinImplementacion as exc:
        session.rollback()
        raise EvaluacionRechazada(str(exc)) from None
    except IntegrityError:
        session.rollback()
        raise EvaluacionRechazada(f"Otra evaluación de la etapa «{etapa}» de «{codigo}» se guardó al mismo tiempo: "
                                  "no se guardó esta; vuelva a intentarlo.") from None
    except BaseException:
        session.rollback()
        raise
    return dataclasses.replace(resumen, aviso=aviso, quitados=resumen.quitados + quitados)


def cabecera_motor(conv: m.Convocatoria, bases: Any) -> ConvocatoriaMotor:
    """The call's header as the engine's model (no applicants), to be judged by ``bases``:
    :class:`EvaluacionRechazada` when the stored data do not fit the interchange format, or when the
    call opens before that bases version is in force (F3: its parameters have no value then,
    ``BasesVersion.fuera_de_vigencia``)."""
    try:
        modelo = interchange.cargar({**_cabecera(conv), "postulantes": []}).convocatoria
    except ArchivoInvalido as exc:
        raise EvaluacionRechazada(
            f"Los datos guardados de «{conv.codigo}» no cumplen el formato de intercambio:\n{exc}") from None
    if (fuera := bases.fuera_de_vigencia(modelo.inicio_postulacion.date())) is not None:
        raise EvaluacionRechazada(f"La convocatoria «{conv.codigo}» no puede evaluarse: {fuera}.")
    return modelo


def aviso_version(fijada: m.VersionBases, instalada: Any, session: Session | None = None,
                  conv: m.Convocatoria | None = None, pm: pluggy.PluginManager | None = None) -> str | None:
    """F3: the call is pinned to its bases version; when a plugin of it was upgraded since, a stage (or the
    final step, :mod:`casadmin.final`) evaluated now uses the installed rules. Nothing is refused (a fixed
    rule is what an upgrade is for, and each result records the version that produced it), but whoever
    evaluates is told. With ``session`` and ``conv``: which of the version's plugins produced the call's
    stored results at another version than the installed one (any of them, not only the plugin that
    declares the version: an upgrade of ``sunedu.ficha`` went untold), the final step's included. Where a
    plugin of the version has produced nothing stored yet (a bonus before the final step), or without
    ``session``: the version the institution's row recorded for the declaring plugin, as before."""
    if session is not None and conv is not None:
        pm = pm or pl.get_plugin_manager()
        R, F = m.ResultadoEtapa, m.ResultadoFinal
        # one stored row of each stage, and one of the final step (the bonus, merit order and desierto
        # plugins), in one query: each part stops at its first row
        partes = [sa.select(R.reglas).where(R.convocatoria_id == conv.id, R.etapa == etapa,
                                            R.evaluado_en.is_not(None)).limit(1).subquery().select()
                  for etapa in Etapa]
        partes.append(sa.select(F.reglas).where(F.convocatoria_id == conv.id).limit(1).subquery().select())
        grabadas: dict[str, str] = {}
        for reglas in session.scalars(sa.union_all(*partes)):
            grabadas.update(reglas or {})
        distintas = [(grabada, instalada_p) for nombre in (*instalada.plugins, instalada.proveedor)
                     if (grabada := grabadas.get(nombre)) is not None
                     and (instalada_p := pl.plugin_version(pm, nombre)) != grabada and "==" in instalada_p]
        if distintas:
            return ("Resultados guardados de esta convocatoria se calcularon con "
                    + ", ".join(g for g, _ in distintas) + "; está instalado "
                    + ", ".join(i for _, i in distintas)
                    + ", y es lo que se aplicó (cada resultado guarda la versión de la regla que lo produjo).")
        if all(nombre in grabadas for nombre in instalada.plugins if nombre != instalada.proveedor):
            return None  # every plugin that produces results was compared
    if fijada.plugin_version in ("", "-") or not instalada.version or instalada.version == fijada.plugin_version:
        return None
    return (f"La entidad registró las bases «{instalada.id}» con el plugin «{fijada.plugin}» "
            f"{fijada.plugin_version}; está instalada la versión {instalada.version}, y es la que se aplicó "
            "(cada resultado guarda la versión de la regla que lo produjo).")


def _evaluar_de_una_vez(session: Session, conv: m.Convocatoria, modelo: ConvocatoriaMotor, etapa: str,
                        pm: pluggy.PluginManager, bases: Any, solo: sa.Select | None, previas: list[str], *,
                        publicada: bool, recalcular: bool, motivo: str, usuario: m.Usuario | str | None) -> Evaluacion:
    """:func:`evaluar`'s work: every candidate read, judged in one call of the stage's hook, then stored."""
    leido = _leer_candidatos(session, conv, modelo, etapa, solo)
    candidatos = leido.candidatos
    ctx = run.contexto(modelo, bases, leido.decisiones)
    sim = run.Simulacion(convocatoria=modelo, bases=bases)
    quitados = 0
    if etapa == "entrevista":
        acumulado = {c.id: sum((f.puntaje for e in previas
                                if (f := leido.filas.get((leido.por_id[c.id], e))) is not None
                                and f.puntaje is not None), Decimal(0)) for c in candidatos}
        candidatos = run._convocar(pm, ctx, sim, candidatos, acumulado)
        from casadmin.etapas import quitar_fuera_de_etapa  # it imports this module

        # §4.6, §4.2.4: the shortlist may have changed since the interview was last formed
        quitados = quitar_fuera_de_etapa(session, conv, etapa, usuario=usuario, motivo=motivo or None,
                                         actuales=[leido.por_id[c.id] for c in candidatos])
    resultados = run.evaluar_etapa(pm, ctx, etapa, candidatos, sim)
    guardado = _guardar(session, conv, etapa, leido.por_id, resultados, _reglas(sim, resultados), publicada,
                        recalcular=recalcular, motivo=motivo, usuario=usuario, convocados=sim.convocados_entrevista,
                        existentes=_existentes(session, conv, etapa, solo, leido.filas))
    return dataclasses.replace(guardado, quitados=quitados) if quitados else guardado


def _reglas(sim: run.Simulacion, resultados: Sequence[Any]) -> dict[str, str]:
    """The plugins that produced a stage's results, to store with each (F3): the stage's own plugin first."""
    plugin_etapa = next((p for p, v in sim.reglas.items() if resultados and v == resultados[0].regla), None)
    return {**({plugin_etapa: sim.reglas[plugin_etapa]} if plugin_etapa else {}), **dict(sorted(sim.reglas.items()))}


#: Candidates per batch of a stage evaluated in batches (:func:`_evaluar_en_lotes`).
LOTE_EVALUACION = 10_000
#: From how many applications a stage evaluated in batches is judged by forked processes, one per CPU
#: core (:class:`_EnProcesos`); ``None``: never. Two batches, the least that two processes share: 20,000
#: applications were evaluated in 2.5–2.8 s that way, against 3.2–3.4 s in one process (docs/performance.md).
MINIMO_PROCESOS: int | None = 20_000
#: Processes at most, whatever the cores: each holds a connection to PostgreSQL while it works.
PROCESOS_MAXIMOS = 8


class _OtraRegla(Exception):
    """A batch was answered by other plugins than the first batch."""


@dataclass
class _Lote:
    """One batch of a stage evaluated in batches, judged and ready to store (:meth:`_Copia.lote`)."""

    #: the results as ``COPY`` text (:func:`_lineas_copia`)
    trozos: list[bytes]
    #: who answered: the stage plugin's rule and every plugin run; a batch answered otherwise than
    #: the first is :class:`_OtraRegla`
    quien: tuple[Any, ...]
    #: the plugins to store with each result (F3, :func:`_reglas`)
    reglas: dict[str, str]
    notas: _Notas
    #: the applicants' ids in the format → postulacion id
    por_id: dict[str, int]


class _Juez:
    """Builds, judges and encodes the batches of a stage whose hook judges each candidate on their own
    (``run.DIVISIBLES``), in this process or in a forked one (:func:`_parte`)."""

    def __init__(self, modelo: ConvocatoriaMotor, etapa: str, pm: pluggy.PluginManager, bases: Any) -> None:
        self.modelo, self.etapa, self.pm = modelo, etapa, pm
        self.ctx = run.contexto(modelo, bases)  # committee decisions (D8) are the interview's only
        self.sim = run.Simulacion(convocatoria=modelo, bases=bases)
        self.grupos: dict[int, list[tuple[Decimal, int, str]]] = defaultdict(list)

    def construir(self, apps: Sequence[sa.Row], insumos: _Insumos) -> tuple[list[Candidato], dict[int, str]]:
        ids: dict[int, str] = {}
        return _construir(apps, insumos, self.modelo.cierre_postulacion, ids, self.grupos), ids

    def lote(self, apps: Sequence[sa.Row], insumos: _Insumos, existentes: Mapping[int, sa.Row], desde: int) -> _Lote:
        """These applications (:func:`_leer_filas`) judged; ``existentes``: their stored rows of the stage;
        ``desde`` numbers the batch's rows (new rows are inserted in that order)."""
        candidatos, ids = self.construir(apps, insumos)
        resultados = run.evaluar_etapa(self.pm, self.ctx, self.etapa, candidatos, self.sim)
        por_id = {ids[a[0]]: a[0] for a in apps}
        notas = _Notas(self.etapa, existentes)
        escritos = notas.anotar(resultados, por_id)
        return _Lote(trozos=list(_lineas_copia(escritos, desde, {a[0]: a[3] for a in apps})),
                     quien=(resultados[0].regla if resultados else None, dict(self.sim.reglas)),
                     reglas=_reglas(self.sim, resultados), notas=notas, por_id=por_id)


def _evaluar_en_lotes(session: Session, conv: m.Convocatoria, modelo: ConvocatoriaMotor, etapa: str,
                      pm: pluggy.PluginManager, bases: Any, solo: sa.Select | None, *,
                      publicada: bool, recalcular: bool, motivo: str, usuario: m.Usuario | str | None) -> Evaluacion:
    """:func:`evaluar`'s work on PostgreSQL for a stage whose hook judges each candidate on their own
    (``run.DIVISIBLES``: the Ficha, D1): the candidates are built, judged and encoded
    :data:`LOTE_EVALUACION` at a time, and a thread stores each batch (:meth:`_Copia.lote`) while
    the next ones are built and judged. PostgreSQL's share of storing 150,000 results (``COPY`` and
    the ``UPDATE`` statements, about 8 s) then overlaps the judging instead of following it. From
    :data:`MINIMO_PROCESOS` applications the batches are judged by forked processes, one per CPU
    core (:class:`_EnProcesos`), and this one only stores them (docs/performance.md).

    The rows, values and audit record are those of one call of the hook over every candidate
    (:func:`_evaluar_de_una_vez`). If a batch is answered by other plugins than the first (a plugin
    that declines some batches), what was stored is rolled back to a savepoint and the stage is
    evaluated in one call instead."""
    plan = _en_procesos(session, conv, solo)
    if plan is not None:
        # Every application is a candidate (no ``solo``), and each process compares its batches with
        # the stored rows it read: none is left for :meth:`_Guardado.terminar` to clear.
        existentes: dict[int, sa.Row] = {}
        convocados: list[str] = []
    else:
        apps, insumos = _leer_filas(session, conv, etapa, solo)
        existentes = _existentes(session, conv, etapa, solo, insumos.filas)
        juez = _Juez(modelo, etapa, pm, bases)
        convocados = juez.sim.convocados_entrevista
    g = _Guardado(session, conv, etapa, publicada, usuario, existentes)
    por_id: dict[str, int] = {}
    punto = session.begin_nested()
    copia = _Copia(session, conv, etapa, publicada, g.momento, g.quien_id)
    primero: _Lote | None = None
    pendientes: deque[Future[None]] = deque()
    try:
        # Forked before the storing thread starts (at its first batch).
        fuente = _EnProcesos(session, conv, modelo, etapa, pm, bases, *plan) if plan is not None else \
            _lotes_aqui(juez, apps, insumos, existentes)
        with closing(fuente), ThreadPoolExecutor(1, thread_name_prefix="casadmin-guardar") as hilo:
            procesos = len(fuente.procesos) if isinstance(fuente, _EnProcesos) else 1
            try:
                for lote in fuente:
                    if primero is None:
                        primero = lote
                    elif lote.quien != primero.quien:
                        raise _OtraRegla
                    g.sumar(lote.notas)
                    por_id.update(lote.por_id)
                    while len(pendientes) > 1:  # one batch waits while one is stored: memory stays bounded
                        pendientes.popleft().result()
                    if lote.trozos:
                        pendientes.append(hilo.submit(copia.lote, lote.trozos, primero.reglas))
                while pendientes:
                    pendientes.popleft().result()
            finally:
                # The connection is the thread's until it ends: nothing else may use it before.
                for f in pendientes:
                    f.cancel()
                wait(pendientes)
    except _OtraRegla:
        punto.rollback()
        return _evaluar_de_una_vez(session, conv, modelo, etapa, pm, bases, solo, [], publicada=publicada,
                                   recalcular=recalcular, motivo=motivo, usuario=usuario)
    copia.cerrar()
    punto.commit()
    return g.terminar(por_id, primero.reglas if primero else {}, recalcular=recalcular, motivo=motivo,
                      convocados=convocados, procesos=procesos)


def _lotes_aqui(juez: _Juez, apps: Sequence[sa.Row], insumos: _Insumos,
                existentes: Mapping[int, sa.Row]) -> Iterator[_Lote]:
    """The batches of these applications judged in this process, in their order."""
    # Without applications the hook still runs once, on none: the plugins are named (F3),
    # and bases without a Ficha plugin are refused, as in one call.
    for i in range(0, len(apps) or 1, LOTE_EVALUACION):
        try:
            lote = juez.lote(apps[i:i + LOTE_EVALUACION], insumos, existentes, i)
        except EvaluacionRechazada:
            raise
        except Exception:
            # One call builds every candidate before any plugin runs: a Ficha that cannot
            # be evaluated is what it reports, and so is it here.
            juez.construir(apps[i + LOTE_EVALUACION:], insumos)
            raise
        yield lote


def _en_procesos(session: Session, conv: m.Convocatoria, solo: sa.Select | None) -> tuple[list[int], str] | None:
    """When the stage is to be judged by forked processes (:class:`_EnProcesos`): the ids of the call's
    applications, in order, and this transaction's snapshot for them to read under; ``None`` to judge here."""
    if solo is not None or MINIMO_PROCESOS is None or not _bifurcable():
        return None
    session.flush()
    conn = session.connection()
    if conn.in_nested_transaction() or conn.dialect.server_version_info < (13,) or conn.exec_driver_sql(
            "SELECT pg_current_xact_id_if_assigned()").scalar() is not None:
        # PostgreSQL exports no snapshot from a savepoint; and the processes, reading under the snapshot,
        # would not see what this transaction wrote.
        return None
    P = m.Postulacion
    n = session.scalar(sa.select(sa.func.count()).where(P.convocatoria_id == conv.id))
    if n < MINIMO_PROCESOS:
        return None
    # Exported before the ids are read: an application sent in between is in a batch's range (the last
    # one has no end), and the processes read by their ranges under the snapshot, as one reader would.
    instantanea = session.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
    return list(session.scalars(sa.select(P.id).where(P.convocatoria_id == conv.id).order_by(P.id))), instantanea


def _bifurcable() -> bool:
    """Whether this process may fork the evaluation's processes: on a system that forks, with more than
    one CPU core, and with no other thread running (a web server's; a child could copy a lock that one
    of them holds, and wait on it for ever). The command line and an RQ worker's job qualify."""
    return run.procesos_disponibles() > 1 and "fork" in mp.get_all_start_methods() and threading.active_count() == 1


class _EnProcesos:
    """The batches of a stage judged by forked processes, one per CPU core (:func:`_parte`), received
    here in the applications' order.

    Each process reads its batches (every other one, with two) on a connection of its own, in a
    read-only transaction under this transaction's snapshot (``pg_export_snapshot``), so that all
    read what this one would; it builds, judges and encodes them (:class:`_Juez`) and sends each as
    ``COPY`` text with its counts (:class:`_Lote`). This process only stores them, and PostgreSQL
    gets the cores' time between. A failure is raised as one call would raise it: a Ficha that cannot
    be evaluated first (every process builds all its batches before it stops), else the earliest
    batch's error."""

    def __init__(self, session: Session, conv: m.Convocatoria, modelo: ConvocatoriaMotor, etapa: str,
                 pm: pluggy.PluginManager, bases: Any, pids: Sequence[int], instantanea: str) -> None:
        n = min(run.procesos_disponibles(), PROCESOS_MAXIMOS, len(pids))  # one per CPU core
        tamano = min(LOTE_EVALUACION, -(-len(pids) // n))  # a share each at least
        lotes: list[tuple[int, int, int | None, int]] = [
            (k, pids[i], pids[i + tamano - 1] if i + tamano < len(pids) else None, i)
            for k, i in enumerate(range(0, len(pids), tamano))]
        n = min(n, len(lotes))
        self.lotes = len(lotes)
        engine = session.connection().engine
        #: set once a batch failed: the processes then only build the rest (:meth:`_fallo`)
        self.fallo = mp.get_context("fork").Event()
        self.lectores: list[Any] = []
        self.procesos: list[Any] = []
        try:
            for c in range(n):
                self.procesos.append(run.bifurcar(
                    _parte, (os.getpid(), self.fallo, engine, conv.id, modelo, etapa, pm, bases, instantanea,
                             lotes[c::n]), f"casadmin-evaluar-{c}", self.lectores))
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[_Lote]:
        # Batch k comes from process k mod n: each is read when its turn comes, so that a process
        # ahead of the others waits to send (memory stays bounded) and one that ended is seen at once.
        n = len(self.lectores)
        for k in range(self.lotes):
            mensaje = run.recibir(self.lectores[k % n])
            if mensaje is None:
                self.close()
                raise RuntimeError(
                    "Un proceso de la evaluación terminó sin enviar sus resultados (código de salida "
                    + ", ".join(str(p.exitcode) for p in self.procesos) + "). No se guardó ninguno.")
            if isinstance(mensaje[1], BaseException):
                raise self._fallo(dict([mensaje]))
            yield mensaje[1]

    def _fallo(self, errores: dict[int, BaseException]) -> BaseException:
        """The failure to raise, once every process has ended: as one call, which builds every candidate
        before any plugin runs, a Ficha that cannot be evaluated first, else the earliest batch's."""
        self.fallo.set()
        for c in range(len(self.lectores)):
            while (mensaje := run.recibir(self.lectores[c])) is not None:
                if isinstance(mensaje[1], BaseException):
                    errores[mensaje[0]] = mensaje[1]
        rechazos = [k for k, e in errores.items() if isinstance(e, EvaluacionRechazada)]
        return errores[min(rechazos or errores)]

    def close(self) -> None:
        run.detener(self.procesos)
        for lector in self.lectores:
            lector.close()


def _parte(salida: Any, padre: int, fallo_en_otro: Any, engine: sa.Engine, conv_id: int,
           modelo: ConvocatoriaMotor, etapa: str, pm: pluggy.PluginManager, bases: Any, instantanea: str,
           lotes: Sequence[tuple[int, int, int | None, int]]) -> None:
    """In a process forked by :class:`_EnProcesos` (``padre``): read, build, judge and encode ``lotes``
    (number, first and last application id, position), sending each as ``(number, _Lote)``, or a failure
    as ``(number, exception)``. After a failure while judging, here or in another process
    (``fallo_en_otro``), the rest is only built: one call reports a Ficha that cannot be evaluated before
    anything its plugins raise. Forked by :func:`run.bifurcar`, which closes ``salida`` afterwards."""
    run.UMBRAL_PARALELO = None  # the cores are taken: the hook is not split again
    engine.dispose(close=False)  # SQLAlchemy's way after a fork: the parent's connections stay the parent's
    juez = _Juez(modelo, etapa, pm, bases)
    k = lotes[0][0]
    fallo = False
    try:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="REPEATABLE READ")
            conn.exec_driver_sql("SET TRANSACTION SNAPSHOT '{}'".format(instantanea.replace("'", "''")))
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            # A batch is a few thousand rows of large tables, looked up by key. PostgreSQL's own parallel
            # workers would only compete for the cores with the evaluation's processes; and with the
            # default cost of a random read (4, for spinning disks) the planner read all two million
            # checklist items for each batch instead of the batch's 40,000 (370 ms against 40 ms).
            conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
            conn.exec_driver_sql("SET LOCAL random_page_cost = 1.1")
            session = Session(bind=conn)
            conv = session.get_one(m.Convocatoria, conv_id)
            for k, primero, ultimo, desde in lotes:
                if os.getppid() != padre:  # the evaluating process was killed: nobody would store this
                    return
                apps, insumos = _leer_filas(session, conv, etapa, (primero, ultimo))
                if fallo or fallo_en_otro.is_set():
                    juez.construir(apps, insumos)
                    continue
                try:
                    lote = juez.lote(apps, insumos, _existentes(session, conv, etapa, None, insumos.filas), desde)
                except EvaluacionRechazada:
                    raise
                except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it
                    fallo = True
                    salida.send((k, _transportable(exc)))
                    continue
                salida.send((k, lote))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        salida.send((k, _transportable(exc)))


def _transportable(exc: BaseException) -> BaseException:
    """``exc`` if it can be pickled to the parent as it is, else its traceback in a RuntimeError."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any exception may fail to pickle
        return RuntimeError("".join(traceback.format_exception(exc)))
    return exc


def _existentes(session: Session, conv: m.Convocatoria, etapa: str, solo: sa.Select | None,
                filas: Mapping[tuple[int, str], sa.Row]) -> dict[int, sa.Row]:
    """The stage's stored rows of every application of the call, by postulacion id: from the reader's
    ``filas`` when it read every application (no ``solo``), else read here."""
    if solo is None:
        return {pid: f for (pid, e), f in filas.items() if e == etapa}
    R = m.ResultadoEtapa
    return {f.postulacion_id: f for f in session.execute(
        sa.select(R.id, R.postulacion_id, R.resultado, R.puntaje, R.override, R.evaluado_en)
        .where(R.convocatoria_id == conv.id, R.etapa == Etapa[etapa]))}


def _guardar(session: Session, conv: m.Convocatoria, etapa: str, por_id: Mapping[str, int],
             resultados: Sequence[Any], reglas: dict[str, str], publicada: bool, *,
             recalcular: bool, motivo: str, usuario: m.Usuario | str | None, convocados: list[str],
             existentes: Mapping[int, sa.Row]) -> Evaluacion:
    """Replace the stage's results with these, in bulk: on PostgreSQL one ``COPY`` and three set-based
    statements (:class:`_Copia`), elsewhere one UPDATE and one INSERT batch.

    ``existentes`` are the stage's stored rows of every application of the call by postulacion id
    (:func:`_existentes`)."""
    R = m.ResultadoEtapa
    g = _Guardado(session, conv, etapa, publicada, usuario, existentes)
    escritos = g.anotar(resultados, por_id)
    if session.connection().dialect.name == "postgresql":
        if escritos:
            copia = _Copia(session, conv, etapa, publicada, g.momento, g.quien_id)
            copia.lote(_lineas_copia(escritos, 0), reglas)
            copia.cerrar()
    else:
        nuevos: list[dict[str, Any]] = []
        cambios: list[dict[str, Any]] = []
        estados: dict[bool, list[int]] = {True: [], False: []}  # the application's state: only where it changes
        for fila_id, pid, r in escritos:
            valores = {"resultado": Resultado[r.resultado], "puntaje": r.puntaje,
                       "motivos": [report._motivo(x) for x in r.motivos], "detalle": _detalle(r.detalle),
                       "reglas": reglas, "evaluado_en": g.momento,
                       "evaluado_por_id": g.quien_id, "publicado": publicada, "modificado_en": g.momento}
            if fila_id is None:
                nuevos.append({"convocatoria_id": conv.id, "postulacion_id": pid, "etapa": Etapa[etapa],
                               "override": False, "motivo_override": None, "creado_en": g.momento, **valores})
            else:
                cambios.append({"id": fila_id, **valores})
            estados[r.sigue].append(pid)
        _actualizar_en_bloque(session, R, cambios)
        _insertar_en_bloque(session, R.__table__, nuevos)
        P = m.Postulacion
        for sigue, pids in estados.items():
            estado = EstadoPostulacion.en_proceso if sigue else EstadoPostulacion.no_apto
            for lote in _lotes(pids):
                session.execute(sa.update(P).where(P.id.in_(lote), P.estado != estado)
                                .values(estado=estado, modificado_en=g.momento)
                                .execution_options(synchronize_session=False))
    return g.terminar(por_id, reglas, recalcular=recalcular, motivo=motivo, convocados=convocados)


class _Notas:
    """What storing a stage's results notes besides the rows: the count per result, what changed (for
    the audit record), the evaluator's overrides kept and the applications evaluated. Evaluated in
    batches, each batch's notes are added up (:meth:`sumar`)."""

    def __init__(self, etapa: str, existentes: Mapping[int, sa.Row]) -> None:
        #: the stage's stored rows by postulacion id, to compare with
        self.etapa, self.existentes = etapa, existentes
        self.antes: dict[str, Any] = {}
        self.despues: dict[str, Any] = {}
        self.conteo: dict[str, int] = {}
        self.conservados = 0
        self.evaluados: set[int] = set()

    def anotar(self, resultados: Iterable[Any], por_id: Mapping[str, int]) -> list[tuple[int | None, int, Any]]:
        """The rows to write for these results: (id of the stage row or None for a new one, postulacion id, result)."""
        escritos: list[tuple[int | None, int, Any]] = []
        for r in resultados:
            pid = por_id[r.candidato]
            self.evaluados.add(pid)
            previo = self.existentes.get(pid)
            if previo is not None and previo.override and self.etapa != "ficha":
                self.conservados += 1  # the evaluator's written override of this stage stands (D1)
                continue
            self.conteo[r.resultado] = self.conteo.get(r.resultado, 0) + 1
            escritos.append((None if previo is None else previo.id, pid, r))
            antiguo = None if previo is None or previo.evaluado_en is None else (previo.resultado.name, previo.puntaje)
            if antiguo != (r.resultado, r.puntaje):
                self.antes[r.candidato] = None if antiguo is None else {"resultado": antiguo[0], "puntaje": antiguo[1]}
                self.despues[r.candidato] = {"resultado": r.resultado, "puntaje": r.puntaje}
        return escritos

    def sumar(self, otras: _Notas) -> None:
        """Add a later batch's notes to these."""
        for resultado, n in otras.conteo.items():
            self.conteo[resultado] = self.conteo.get(resultado, 0) + n
        self.antes.update(otras.antes)
        self.despues.update(otras.despues)
        self.conservados += otras.conservados
        self.evaluados |= otras.evaluados

    def __getstate__(self) -> dict[str, Any]:
        # Sent by a forked process (:func:`_parte`): without the rows they were compared with.
        return {**self.__dict__, "existentes": {}}


class _Guardado(_Notas):
    """What storing one stage's results accumulates, whether they come at once (:func:`_guardar`) or in
    batches (:func:`_evaluar_en_lotes`): the rows to write and the notes (:class:`_Notas`);
    :meth:`terminar` clears the rows of those no longer candidates and audits."""

    def __init__(self, session: Session, conv: m.Convocatoria, etapa: str, publicada: bool,
                 usuario: m.Usuario | str | None, existentes: Mapping[int, sa.Row]) -> None:
        super().__init__(etapa, existentes)
        self.session, self.conv, self.publicada = session, conv, publicada
        self.momento = now()
        self.quien_id, self.quien = audit.quien(usuario, consola=True)

    def terminar(self, por_id: Mapping[str, int], reglas: dict[str, str], *, recalcular: bool, motivo: str,
                 convocados: list[str], procesos: int = 1) -> Evaluacion:
        session, conv, etapa, momento = self.session, self.conv, self.etapa, self.momento
        antes, despues = self.antes, self.despues
        cambios: list[dict[str, Any]] = []
        ids_por_pid = {pid: ident for ident, pid in por_id.items()}
        for pid, previo in self.existentes.items():
            if pid in self.evaluados or previo.override or previo.evaluado_en is None:
                continue
            # No longer a candidate of this stage (an earlier stage changed): its old result goes.
            cambios.append({"id": previo.id, "resultado": Resultado.pendiente, "puntaje": None, "motivos": [],
                            "detalle": None, "reglas": {}, "evaluado_en": None, "evaluado_por_id": None,
                            "modificado_en": momento})
            clave = ids_por_pid.get(pid, str(pid))
            antes[clave] = {"resultado": previo.resultado.name, "puntaje": previo.puntaje}
            despues[clave] = None
        _actualizar_en_bloque(session, m.ResultadoEtapa, cambios)
        if self.publicada:  # a recalculated published stage: the public list's order follows (§4.2)
            numerar(session, conv.id, Etapa[etapa])
        registro = {"etapa": etapa, "conteo": self.conteo, "reglas": reglas}
        if recalcular:
            audit.record(session, accion="recalcular_etapa", objeto=conv, usuario_id=self.quien_id, usuario=self.quien,
                         entidad_id=conv.entidad_id, convocatoria_id=conv.id, motivo=motivo,
                         antes={"etapa": etapa, "publicada": self.publicada, "resultados": antes},
                         despues={**registro, "resultados": despues})
        else:
            audit.record(session, accion="evaluar_etapa", objeto=conv, usuario_id=self.quien_id, usuario=self.quien,
                         entidad_id=conv.entidad_id, convocatoria_id=conv.id, despues=registro)
        return Evaluacion(codigo=conv.codigo, etapa=etapa, conteo=self.conteo, reglas=dict(sorted(reglas.items())),
                          convocados=list(convocados), conservados=self.conservados, recalculada=recalcular,
                          procesos=procesos)


#: Results encoded per ``COPY`` write (PostgreSQL reads one batch while the next is encoded).
LOTE_COPIA = 2000


_CODIFICAR = msgspec.json.Encoder().encode
_NOMBRES = {r.name: r.name.encode() for r in Resultado}


def _detalle(detalle: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A result's ``detalle`` as stored (JSON; a plugin's Decimal written as its text, as ``simulate --json``
    writes it); none when empty."""
    return json.loads(json.dumps(detalle, default=str)) if detalle else None


def _lineas_copia(escritos: Sequence[tuple[int | None, int, Any]], desde: int,
                  estados: Mapping[int, EstadoPostulacion] | None = None) -> Iterator[bytes]:
    """``COPY`` text of these rows (:meth:`_Notas.anotar`), ``LOTE_COPIA`` rows per chunk; ``desde``
    numbers them (the order new rows are inserted in). ``estados``: the applications' states as read
    (postulacion id → state); an application already in the state its result gives it is written with
    no ``sigue`` (``\\N``), and :meth:`_Copia.lote` does not look it up to update it. The states are
    those the evaluation read, under its snapshot, as every other input of the stage: a state another
    transaction changes meanwhile is left as that one wrote it (the final result, which also writes
    states, needs this stage evaluated first)."""
    codificar, nombres = _CODIFICAR, _NOMBRES
    #: the state each verdict gives, and the column written when the application is already in it
    destino = {True: (EstadoPostulacion.en_proceso, b"t"), False: (EstadoPostulacion.no_apto, b"f")}
    estados = estados or {}
    #: id(Motivo) → the reason and its JSON, escaped for COPY: many reasons are shared objects
    #: (the signature, the documents, the knowledge levels), encoded once per batch; the reason is
    #: kept so that its id is not reused meanwhile
    hechos: dict[int, tuple[Any, bytes]] = {}
    for i in range(0, len(escritos), LOTE_COPIA):
        out = []
        for n, (fila_id, pid, r) in enumerate(escritos[i:i + LOTE_COPIA], desde + i):
            partes = []
            for x in r.motivos:
                h = hechos.get(id(x))
                if h is None:
                    h = hechos[id(x)] = (x, codificar(report._motivo(x)).replace(b"\\", b"\\\\"))
                partes.append(h[1])
            motivos = b"[" + b",".join(partes) + b"]"
            estado, sigue = destino[r.sigue]
            out.append(b"%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\n" % (
                b"\\N" if fila_id is None else b"%d" % fila_id, pid, nombres[r.resultado],
                b"\\N" if r.puntaje is None else str(r.puntaje).encode(), motivos,
                b"\\N" if not r.detalle else codificar(_detalle(r.detalle)).replace(b"\\", b"\\\\"),
                b"\\N" if estados.get(pid) is estado else sigue, n))
        yield b"".join(out)


class _Copia:
    """PostgreSQL: a stage's results go through ``COPY`` into a temporary table, a batch at a time
    (:meth:`lote`), then one ``UPDATE … FROM`` of the stage rows that exist, one ``INSERT … SELECT``
    of the others (in the results' order) and one ``UPDATE … FROM`` of the applications whose state
    changes: the same rows and values as the portable path of :func:`_guardar`.

    The reasons are written as JSON by msgspec (the same JSON values, compact; :func:`_lineas_copia`); in
    the temporary table they are compressed as ``resultado_etapa.motivos`` is (LZ4 where the server
    has it: migration d9e3a1f5b2c4), and move to it as they are. :meth:`lote` touches only the
    connection, so that a thread can store one batch while the caller evaluates the next."""

    TABLA = "_casadmin_resultados"

    def __init__(self, session: Session, conv: m.Convocatoria, etapa: str, publicada: bool, momento: dt.datetime,
                 quien_id: int | None) -> None:
        conn = self.conn = session.connection()
        tmp = self.TABLA
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {tmp} ON COMMIT DROP AS SELECT id, postulacion_id, resultado, "
                             "puntaje, motivos, detalle, override AS sigue, id AS n FROM resultado_etapa WITH NO DATA")
        if conn.dialect.server_version_info >= (14,) and conn.exec_driver_sql(
                "SELECT attcompression FROM pg_attribute WHERE attrelid = 'resultado_etapa'::regclass "
                "AND attname = 'motivos'").scalar() == "l":
            conn.exec_driver_sql(f"ALTER TABLE {tmp} ALTER COLUMN motivos SET COMPRESSION lz4")
        self.conv_id, self.etapa, self.publicada, self.momento, self.quien_id = conv.id, etapa, publicada, momento, quien_id
        self._vacia = True

    def lote(self, trozos: Iterable[bytes], reglas: dict[str, str]) -> None:
        """Store one batch of results (:func:`_lineas_copia`; encoded while the chunks before are sent)."""
        # PostgreSQL's driver: imported only on this path
        from psycopg import copy as psycopg_copy

        conn, tmp = self.conn, self.TABLA
        if not self._vacia:
            conn.exec_driver_sql(f"TRUNCATE {tmp}")
        self._vacia = False
        crudo = conn.connection.driver_connection
        sql = f"COPY {tmp} (id, postulacion_id, resultado, puntaje, motivos, detalle, sigue, n) FROM STDIN"
        try:
            # The queued writer sends each chunk from a thread while this one goes on.
            with crudo.cursor() as cur, cur.copy(sql, writer=psycopg_copy.QueuedLibpqWriter(cur)) as copia:
                for trozo in trozos:
                    copia.write(trozo)
        except conn.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DBAPIError.instance(sql, None, exc, conn.dialect.loaded_dbapi.Error) from None
        # Without its size the planner takes a batch for 100,000 rows, and joins it by reading
        # both whole tables (1.4 million stage rows) instead of looking up each row by its key.
        conn.exec_driver_sql(f"ANALYZE {tmp} (id, postulacion_id)")
        R, P = m.ResultadoEtapa.__table__, m.Postulacion.__table__
        valores = [sa.bindparam("reglas", reglas, type_=R.c.reglas.type),
                   sa.bindparam("momento", self.momento, type_=R.c.evaluado_en.type),
                   sa.bindparam("quien", self.quien_id, type_=R.c.evaluado_por_id.type),
                   sa.bindparam("publicado", self.publicada, type_=R.c.publicado.type)]
        conn.execute(sa.text(
            f"UPDATE resultado_etapa AS t SET resultado = c.resultado, puntaje = c.puntaje, motivos = c.motivos, "
            f"detalle = c.detalle, "
            f"reglas = :reglas, evaluado_en = :momento, evaluado_por_id = :quien, publicado = :publicado, "
            f"modificado_en = :momento FROM {tmp} AS c WHERE c.id IS NOT NULL AND t.id = c.id").bindparams(*valores))
        conn.execute(sa.text(
            f"INSERT INTO resultado_etapa (convocatoria_id, postulacion_id, etapa, override, motivo_override, creado_en, "
            f"resultado, puntaje, motivos, detalle, reglas, evaluado_en, evaluado_por_id, publicado, modificado_en) "
            f"SELECT :conv, c.postulacion_id, :etapa, false, NULL, :momento, c.resultado, c.puntaje, c.motivos, "
            f"c.detalle, :reglas, "
            f":momento, :quien, :publicado, :momento FROM {tmp} AS c WHERE c.id IS NULL ORDER BY c.n").bindparams(
            *valores, sa.bindparam("conv", self.conv_id), sa.bindparam("etapa", Etapa[self.etapa], type_=R.c.etapa.type)))
        conn.execute(sa.text(
            f"UPDATE postulacion AS p SET estado = CASE WHEN c.sigue THEN :sigue ELSE :no_sigue END, "
            f"modificado_en = :momento FROM {tmp} AS c WHERE c.sigue IS NOT NULL AND p.id = c.postulacion_id "
            f"AND p.estado <> CASE WHEN c.sigue THEN :sigue ELSE :no_sigue END").bindparams(
            valores[1], sa.bindparam("sigue", EstadoPostulacion.en_proceso, type_=P.c.estado.type),
            sa.bindparam("no_sigue", EstadoPostulacion.no_apto, type_=P.c.estado.type)))

    def cerrar(self) -> None:
        self.conn.exec_driver_sql(f"DROP TABLE {self.TABLA}")
