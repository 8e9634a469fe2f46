"""Running the evaluation stages of a stored call from ORH's "Etapas" screens (D1–D6, issue 5 item 3).

The rules stay in the bases' plugins and :func:`casadmin.engine_db.evaluar` runs them on the
database; this module is what the screens need around it, each command in one transaction:

* who is in a stage (:func:`candidatos`): those who continued (Apto, Asistió) in every earlier
  stage, as the engine selects them; for the interview, the shortlist (D5, §4.2.4);
* the stage inputs the engine reads, as :class:`~casadmin.models.ItemVerificacion` rows of the
  stage's :class:`~casadmin.models.ResultadoEtapa` (``engine_db`` codes): exam attendance and score
  (§4.2.2), psychological test attendance (§4.2.3), the expediente and the curricular factors
  with the evaluator's checklist (§4.2.4);
* running a stage (:func:`evaluar`), recomputing a published one only with a written reason
  (:func:`recalcular`, F3), and an evaluator's override with a written reason (:func:`modificar_resultado`, D1);
* the interview timetable (:func:`generar_citaciones`, :func:`editar_citacion`) and its notice to each
  candidate, by e-mail and in "Mis postulaciones", sent again only for changed slots (:func:`notificar_citaciones`, G1);
* a large exam score file saved in a background job, all or nothing (:func:`cargar_puntajes`).

A published stage is frozen (§4.2, E2): every input or result change is refused with
:class:`EtapaPublicada`; a correction is an audited recomputation with its reason.
A later stage is never silently out of date (:func:`desactualizacion`): when an earlier stage
changes after it has results, it is shown "Resultados desactualizados", is neither published nor
used by the final results (:func:`exigir_al_dia`) and no later stage is evaluated on it, until it
is evaluated again; that evaluation removes the rows of those who no longer take part (§4.6).
A candidate's result is pending again when an input its stage's hook reads changes: its own stage's,
and for the interview the expediente's checklist too (the DNI behind its Ley 31533 bonus, §4.2.5 h),
which is therefore frozen for the candidates of a published interview.
Every change is appended to the audit trail (A5).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from casadmin import audit, engine_db, mailer, tareas
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.commands.postular import TIPO_EXPEDIENTE, ventana, ventana_expediente
from casadmin.engine import run
from casadmin.engine.params import ParametroDesconocido
from casadmin.engine_db import ASISTIO, EN_PLAZO, ESPECIFICA, EXPEDIENTE, FACTORES_CURRICULARES, LISTA, PUNTAJE, SIGUEN
from casadmin.models.enums import EstadoPostulacion, EstadoTarea, Etapa, NivelAcademico, Resultado, TipoCorreo, TipoHito
from casadmin.peru.clock import now, to_naive_lima
from casadmin.rules.scores import EXAMEN_MAXIMO, EXAMEN_MINIMO, Factor, tabla_curricular

__all__ = [
    "ArchivoRechazado", "Desactualizada", "EtapaPublicada", "EtapaRechazada", "candidatos", "cargar_puntajes",
    "desactualizacion", "desactualizadas", "exigir_al_dia", "editar_citacion", "evaluar",
    "generar_citaciones", "leer_archivo_puntajes", "lista_corta", "modificar_resultado", "notificar_citaciones", "pendientes",
    "previa_desactualizada", "recalcular", "registrar_asistencia", "registrar_curricular", "registrar_examen",
]


class EtapaRechazada(ValueError):
    """A refusal with its Spanish message (and the field it belongs to, if any); nothing was changed."""

    def __init__(self, mensaje: str, campo: str | None = None, errores: Mapping[str, str] | None = None) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje
        self.campo = campo
        #: field → message, for a grid refused as a whole
        self.errores = dict(errores or {})


class EtapaPublicada(EtapaRechazada):
    """The stage's results were published: nothing of it is edited (§4.2, E2)."""


class ArchivoRechazado(EtapaRechazada):
    """An uploaded score file refused as a whole: ``lineas`` lists every error with its line."""

    def __init__(self, lineas: Sequence[tuple[int | None, str]]) -> None:
        super().__init__(f"El archivo tiene {len(lineas)} error(es): no se guardó ningún puntaje.", "archivo")
        self.lineas = list(lineas)


#: Results an evaluator may write in an override, per stage (D1, §4.2.1 c; §4.2.2 k, l; §4.2.3; §4.2.4).
RESULTADOS_OVERRIDE: dict[str, tuple[Resultado, ...]] = {
    "ficha": (Resultado.apto, Resultado.no_apto),
    "examen": (Resultado.apto, Resultado.no_apto, Resultado.no_se_presento),
    "psicologica": (Resultado.asistio, Resultado.no_se_presento),
    "curricular": (Resultado.apto, Resultado.no_apto),
}

#: The evaluator's checklist of the expediente (D4, §4.2.4 "Presentación del Expediente Curricular",
#: "Consideraciones específicas"): code → (text, clause). Recorded item by item; the engine reads the factors.
#: The same codes, without «lista:», are the format's (``interchange.CODIGOS_LISTA_CURRICULAR``).
LISTA_CURRICULAR: dict[str, tuple[str, str]] = {
    "lista:un_pdf": ("Expediente en un (01) solo archivo PDF", "§4.2.4 Presentación"),
    "lista:foliado_firmado": ("Cada página con información foliada (en número) y con firma o visto bueno manuscritos",
                              "§4.2.4 Presentación"),
    "lista:legible_coincide": ("Documentos legibles y coincidentes con lo declarado en la Ficha "
                               "(empleador, puesto, fechas, temática, horas)", "§4.2.4 Consideraciones específicas"),
    "lista:traduccion": ("Traducción oficial o certificada de los documentos en otro idioma", "§4.2.4"),
    # asked only where the profile lists other requirements («No cumple»: No Apto/a, §4.2.4 Criterios)
    "lista:otros_requisitos": ("Documentos que sustentan los otros requisitos del perfil (certificaciones, "
                               "licencias u otros)", "§4.2.1 Otros requisitos"),
    # §4.3: the documents of the bonuses the candidate declared («No cumple»: not presented, the bonus is
    # not given; the same texts and clauses as the SUNEDU plugin's casadmin_sunedu.acreditacion)
    "lista:doc_deportista": ("Documentos del Instituto Peruano del Deporte que acreditan la condición de deportista "
                             "calificado de alto nivel, el evento y el logro", "§4.3.1"),
    "lista:dni_31533": ("Copia del DNI u otro documento con la fecha de nacimiento (Ley N° 31533)", "§4.3.2"),
    "lista:formacion_31533": ("Documento que acredita la formación técnica o profesional (Ley N° 31533; el perfil "
                              "solo pide secundaria)", "§4.2.5 h"),
    "lista:doc_discapacidad": ("Carné del CONADIS o certificado de discapacidad", "§4.3.3"),
    "lista:doc_ffaa": ("Documento oficial que acredita la condición de licenciado de las Fuerzas Armadas", "§4.3.4"),
}

#: The evaluator's manual checks of the Ficha and annexes (D1, §4.2.1 b), recorded item by item as
#: the engine's ``verificacion_manual`` (Ficha-stage items whose code has no «:»); the bases' plugin
#: turns each one into a reason. Codes as the SUNEDU bases' plugin names them.
LISTA_FICHA: dict[str, tuple[str, str]] = {
    "anexos_datos_convocatoria": ("Anexos con el N° de CAS, puesto y órgano de esta convocatoria", "§4.2.1 b"),
    "anexos_firmados": ("Anexos firmados tal como figura en el DNI", "§4.2.1 b"),
    "ficha_firmada": ("Ficha de Postulante con firma digitalizada", "§4.2.1 b"),
}

def lista_curricular(session: Session, conv: m.Convocatoria, fila: Fila) -> dict[str, tuple[str, str]]:
    """The expediente's checklist as the curricular screen asks it of this candidate: a bonus's document
    (§4.3) only for a condition declared in the frozen Ficha (the athlete's only when the profile asks for
    it, §4.3.1; the DNI when 29 or younger at the opening, Ley 31533, §4.3.2), the documents of the other
    requirements only where the profile lists some (§4.2.1), or one already recorded."""
    otros = _otros_del_perfil(conv)
    declarados = {**bonos_declarados(session, conv, fila.postulacion_id), "lista:otros_requisitos": bool(otros)}
    omitidos = {codigo for codigo, si in declarados.items() if not si and codigo not in fila.items}
    lista = {codigo: v for codigo, v in LISTA_CURRICULAR.items() if codigo not in omitidos}
    if otros and "lista:otros_requisitos" in lista:  # which ones: the evaluator judges their documents
        texto, clausula = lista["lista:otros_requisitos"]
        lista["lista:otros_requisitos"] = (f"{texto}: {otros}", clausula)
    return lista


def _otros_del_perfil(conv: m.Convocatoria) -> str:
    """The profile's other requirements (§4.2.1), «; »-joined as the checklist names them; empty for none."""
    return "; ".join(o.descripcion for o in conv.perfil.otros) if conv.perfil else ""


def _bonos_subidos(session: Session, conv: m.Convocatoria, postulacion_id: int) -> set[str]:
    """Checklist codes of the bonus documents this candidate uploaded, with pages and validated, when applying,
    where the bases take that upload for the bonus (``TipoDocumento.acredita``: Migraciones, Mig. 8–9)."""
    tipos = {t.codigo: f"lista:{t.acredita}" for t in _bases(conv).documentos if t.acredita}
    if not tipos:
        return set()
    D = m.DocumentoPostulacion
    return {tipos[t] for t in session.scalars(sa.select(D.tipo).where(
        D.postulacion_id == postulacion_id, D.tipo.in_(tipos), D.validado.is_(True), D.paginas >= 1))}


def bonos_declarados(session: Session, conv: m.Convocatoria, postulacion_id: int) -> dict[str, bool]:
    """Checklist code of each bonus's document → whether the frozen Ficha declares its condition (§4.3; the
    athlete's only when the profile asks for it, §4.3.1; the DNI when 29 or younger at the opening, §4.3.2)."""
    post = session.get(m.Postulacion, postulacion_id)
    ad = ((post.ficha if post is not None else None) or {}).get("informacion_adicional") or {}
    perfil = conv.perfil
    return {
        "lista:doc_deportista": ad.get("deportista_nivel") is not None and bool(perfil and perfil.requiere_deportista),
        "lista:dni_31533": bool(post is not None and post.joven_31533),
        # §4.2.5 h: where the profile asks only secundaria, no factor proves the técnico or professional training
        "lista:formacion_31533": bool(post is not None and post.joven_31533 and perfil is not None
                                      and perfil.nivel_academico is NivelAcademico.secundaria
                                      and _tecnico_o_profesional(post.ficha)),
        "lista:doc_discapacidad": bool(ad.get("discapacidad")),
        "lista:doc_ffaa": bool(ad.get("licenciado_ffaa")),
    }


def _tecnico_o_profesional(ficha: Mapping[str, Any] | None) -> bool:
    """A completed técnico or university study in the frozen Ficha (section 2), as the engine's
    ``Candidato.tecnico_o_profesional`` reads it (Ley 31533)."""
    return any(f.get("nivel") not in (None, "secundaria") and f.get("condicion") not in (None, "en_curso")
               for f in (ficha or {}).get("formacion_academica") or ())


NOMBRES_FACTOR = {
    "experiencia_general": "I. Experiencia general",
    "experiencia_especifica": "II. Experiencia específica",
    "experiencia_publica": "III. Experiencia específica en el sector público",
    "formacion": "IV. Formación académica, grado académico y/o nivel de estudios",
    "cursos": "V. Cursos y/o programas de especialización",
}

#: Stages whose inputs ORH records on these screens (the interview's are the committee's sheets).
CON_ENTRADAS = ("examen", "psicologica", "curricular")

#: The kind of background job that saves a large score file (:func:`cargar_puntajes`).
TAREA_PUNTAJES = "puntajes"

#: A score file larger than this is refused before it is read.
MAX_ARCHIVO = 5 * 1024 * 1024
MAX_FILAS = 200_000


# --- the call's stages and parameters ------------------------------------------------------


def _bases(conv: m.Convocatoria):
    try:
        return pl.get_bases(pl.get_plugin_manager(), conv.version_bases.codigo)
    except pl.BasesDesconocida as exc:
        raise EtapaRechazada(str(exc)) from None


def etapas(conv: m.Convocatoria) -> list[str]:
    """The stages this call runs, in order (B1: the exam and the psychological test only when included)."""
    return run.etapas_de(SimpleNamespace(incluye_examen=conv.incluye_examen,
                                         incluye_psicologica=conv.incluye_psicologica), _bases(conv))


def _exigir_etapa(conv: m.Convocatoria, etapa: str) -> list[str]:
    todas = etapas(conv)
    if etapa not in todas:
        raise EtapaRechazada(f"La convocatoria {conv.codigo} no incluye la etapa «{_nombre(etapa)}».")
    return todas


def _nombre(etapa: str) -> str:
    return Etapa[etapa].value if etapa in Etapa.__members__ else etapa


def _inicio_postulacion(conv: m.Convocatoria) -> dt.date:
    hito = next((h for h in conv.cronograma if h.tipo is TipoHito.postulacion), None)
    return (hito.inicio if hito else now()).date()


def parametros(conv: m.Convocatoria):
    """The bases' parameters in force for this call (read for the call's date, STYLE §3)."""
    return _bases(conv).parametros.para(_inicio_postulacion(conv))


def rango_examen(conv: m.Convocatoria) -> tuple[Decimal, Decimal]:
    """(pass mark, maximum) of the exam: 21 and 30 in the SUNEDU bases (§4.2.2 l)."""
    p = parametros(conv)
    try:
        return Decimal(str(p["examen.puntaje_minimo"])), Decimal(str(p["examen.puntaje_maximo"]))
    except ParametroDesconocido:
        return EXAMEN_MINIMO, EXAMEN_MAXIMO


def tabla_puntos(conv: m.Convocatoria) -> dict[str, Decimal]:
    """The curricular points of each factor for this call (§4.2.4 tables; the public-sector
    factor's points go to specific experience when the profile does not ask it, Observación)."""
    clave = "curricular.puntos_con_examen" if conv.incluye_examen else "curricular.puntos_sin_examen"
    try:
        puntos = {Factor(k): Decimal(str(v)) for k, v in parametros(conv)[clave].items()}
    except ParametroDesconocido:
        puntos = None
    pide = bool(conv.perfil and conv.perfil.experiencia_publica_meses)
    return {f.value: v for f, v in tabla_curricular(con_examen=conv.incluye_examen, pide_experiencia_publica=pide,
                                                    puntos=puntos).items()}


def publicada(session: Session, conv: m.Convocatoria, etapa: str) -> bool:
    """Whether the stage's results were published (the same test as the engine's)."""
    R = m.ResultadoEtapa
    return session.scalar(sa.select(m.PublicacionEtapa.id).where(
        m.PublicacionEtapa.convocatoria_id == conv.id, m.PublicacionEtapa.etapa == etapa)) is not None or \
        session.scalar(sa.select(R.id).where(R.convocatoria_id == conv.id, R.etapa == Etapa[etapa],
                                             R.publicado.is_(True)).limit(1)) is not None


def exigir_editable(session: Session, conv: m.Convocatoria, etapa: str) -> None:
    """Refuse any change to a published stage (§4.2, E2, F3), with what to do instead."""
    if publicada(session, conv, etapa):
        raise EtapaPublicada(
            f"Los resultados de la {_nombre(etapa)} ya fueron publicados: no se modifican. Una corrección se hace "
            "con «Recalcular con sustento», que exige un motivo escrito y queda en el registro de auditoría.")


# --- who is in a stage -----------------------------------------------------------------------


def _siguen_stmt(conv: m.Convocatoria, previas: Sequence[str]) -> sa.Select | None:
    """Ids of the applications that continued (Apto, Asistió) in every one of ``previas`` (engine_db.evaluar)."""
    if not previas:
        return None
    R = m.ResultadoEtapa
    return (sa.select(R.postulacion_id)
            .where(R.convocatoria_id == conv.id, R.etapa.in_([Etapa[e] for e in previas]), R.resultado.in_(SIGUEN),
                   R.evaluado_en.is_not(None))
            .group_by(R.postulacion_id).having(sa.func.count() == len(previas)))


def evaluada(session: Session, conv: m.Convocatoria, etapa: str) -> bool:
    """Whether the stage has evaluated results, or has no candidates left to evaluate: for the first
    stage, the application window has ended with no application (the call ends desierto, §4.5 a); for a
    later one, every earlier stage is evaluated and nobody continued in all of them (§4.5 b, c).
    Evaluating such a stage gives no result, and the stages after it must not wait for one."""
    R = m.ResultadoEtapa
    if session.scalar(sa.select(R.id).where(R.convocatoria_id == conv.id, R.etapa == Etapa[etapa],
                                            R.evaluado_en.is_not(None)).limit(1)) is not None:
        return True
    todas = etapas(conv)
    if etapa not in todas:  # a stage the call leaves out: never
        return False
    previas = todas[: todas.index(etapa)]
    if not previas:
        return _sin_postulaciones(session, conv)
    return _previas_evaluadas(session, conv, previas) is None and not session.scalar(
        sa.select(sa.exists(_siguen_stmt(conv, previas))))


def _sin_postulaciones(session: Session, conv: m.Convocatoria) -> bool:
    """Whether the call's application window has ended with no application: none can come any more."""
    P = m.Postulacion
    periodo = ventana(session, conv)
    return periodo is not None and periodo[1] < now() and not session.scalar(
        sa.select(sa.exists().where(P.convocatoria_id == conv.id)))


def _previas_evaluadas(session: Session, conv: m.Convocatoria, previas: Sequence[str]) -> str | None:
    """The first earlier stage without results, if any."""
    return next((e for e in previas if not evaluada(session, conv, e)), None)


def pendientes(session: Session, conv: m.Convocatoria, etapa: str) -> int:
    """How many of the stage's candidates have no result yet: what its publication waits for. The rows
    of applications that are not candidates of the stage (inputs recorded or imported for them, or a
    result taken back when an earlier stage changed: :meth:`engine_db._Guardado.terminar`) are not
    counted, since no evaluation of the stage gives them one; while an earlier stage has no results,
    every pending row counts."""
    R = m.ResultadoEtapa
    q = sa.select(sa.func.count()).where(R.convocatoria_id == conv.id, R.etapa == Etapa[etapa],
                                         R.resultado == Resultado.pendiente)
    todas = _exigir_etapa(conv, etapa)
    previas = todas[: todas.index(etapa)]
    if previas and _previas_evaluadas(session, conv, previas) is None:
        solo = ids_en_etapa(session, conv, etapa) if etapa == "entrevista" else _siguen_stmt(conv, previas)
        q = q.where(R.postulacion_id.in_(solo))
    return session.scalar(q)


def ids_en_etapa(session: Session, conv: m.Convocatoria, etapa: str) -> list[int]:
    """Application ids of the candidates of ``etapa``: everyone for the first stage, else those who
    continued in every earlier stage; for the interview, the shortlist (D5)."""
    todas = _exigir_etapa(conv, etapa)
    previas = todas[: todas.index(etapa)]
    if _previas_evaluadas(session, conv, previas) is not None:
        return []
    if etapa == "entrevista":
        return [c.postulacion_id for c in lista_corta(session, conv) if c.convocado]
    P = m.Postulacion
    stmt = sa.select(P.id).where(P.convocatoria_id == conv.id)
    solo = _siguen_stmt(conv, previas)
    if solo is not None:
        stmt = stmt.where(P.id.in_(solo))
    return list(session.scalars(stmt.order_by(P.id)))


@dataclass
class Fila:
    """One candidate of a stage, as the screens show it."""

    postulacion_id: int
    documento: str
    nombre: str
    resultado: m.ResultadoEtapa | None = None
    items: dict[str, m.ItemVerificacion] = field(default_factory=dict)

    @property
    def evaluado(self) -> bool:
        return self.resultado is not None and self.resultado.evaluado_en is not None


def candidatos(session: Session, conv: m.Convocatoria, etapa: str, *, ids: Iterable[int] | None = None,
               buscar: str | None = None) -> list[Fila]:
    """The candidates of the stage (or those of ``ids`` among them), by surname, with their row and inputs."""
    dentro = ids_en_etapa(session, conv, etapa)
    if ids is not None:
        pedidos = set(ids)
        dentro = [i for i in dentro if i in pedidos]
    if not dentro:
        return []
    P, Q = m.Postulacion, m.Postulante
    filas: dict[int, Fila] = {}
    for lote in _lotes(dentro):
        stmt = (sa.select(P.id, Q.numero_documento, Q.apellido_paterno, Q.apellido_materno, Q.nombres)
                .join(Q, Q.id == P.postulante_id).where(P.id.in_(lote)))
        if buscar:
            patron = f"%{buscar.strip().lower()}%"
            stmt = stmt.where(sa.or_(Q.numero_documento.like(patron), sa.func.lower(Q.apellido_paterno).like(patron),
                                     sa.func.lower(Q.nombres).like(patron)))
        for r in session.execute(stmt):
            nombre = " ".join(x for x in (r.apellido_paterno, r.apellido_materno) if x) + f", {r.nombres}"
            filas[r.id] = Fila(postulacion_id=r.id, documento=r.numero_documento, nombre=nombre)
        R = m.ResultadoEtapa
        for res in session.scalars(sa.select(R).where(R.convocatoria_id == conv.id, R.etapa == Etapa[etapa],
                                                      R.postulacion_id.in_(lote))
                                   .options(selectinload(R.verificaciones))):
            if res.postulacion_id in filas:
                filas[res.postulacion_id].resultado = res
                filas[res.postulacion_id].items = {it.codigo: it for it in res.verificaciones}
    return sorted(filas.values(), key=lambda f: (f.nombre.lower(), f.postulacion_id))


def _lotes(valores: Sequence[int], tamano: int = 5000) -> Iterable[Sequence[int]]:
    for i in range(0, len(valores), tamano):
        yield valores[i:i + tamano]


def faltantes(session: Session, conv: m.Convocatoria, etapa: str) -> list[Fila]:
    """Candidates whose inputs of the stage are not recorded yet (attendance, expediente/factors)."""
    if etapa not in CON_ENTRADAS:
        return []
    requeridos = {"examen": (ASISTIO,), "psicologica": (ASISTIO,), "curricular": (EXPEDIENTE,)}[etapa]
    return [f for f in candidatos(session, conv, etapa)
            if not (f.resultado is not None and f.resultado.override)
            and any(c not in f.items for c in requeridos)]


# --- recording inputs ------------------------------------------------------------------------


def _quien(usuario: m.Usuario | None) -> dict[str, Any]:
    return {"usuario_id": usuario.id if usuario else None, "usuario": usuario.username if usuario else None}


def puntaje_examen(texto: Any, maximo: Decimal) -> Decimal:
    """A typed exam score: a number from 0 to the maximum (30, §4.2.2 l), with up to two decimals.

    A comma is accepted as the decimal separator (es-PE). Raises ``ValueError`` with the message."""
    if isinstance(texto, float):  # a spreadsheet cell: its shortest exact decimal, never the binary value
        texto = repr(texto)
    valor = str(texto).strip().replace(",", ".")
    try:
        d = Decimal(valor)
    except InvalidOperation:
        raise ValueError(f"«{str(texto).strip()}» no es un puntaje: escriba un número de 0 a {maximo}.") from None
    if not d.is_finite():
        raise ValueError(f"«{str(texto).strip()}» no es un puntaje: escriba un número de 0 a {maximo}.")
    if not Decimal(0) <= d <= maximo:
        raise ValueError(f"El puntaje {valor} está fuera del rango de 0 a {maximo} (§4.2.2 l).")
    if d != d.quantize(Decimal("0.01")):
        raise ValueError(f"El puntaje {valor} tiene más de dos decimales.")
    return d.quantize(Decimal("0.01"))


def _documento(session: Session, conv: m.Convocatoria, postulacion_id: int) -> str:
    """The document number of an application of this call (for a message), else its id."""
    numero = session.scalar(sa.select(m.Postulante.numero_documento).join(
        m.Postulacion, m.Postulacion.postulante_id == m.Postulante.id).where(
        m.Postulacion.id == postulacion_id, m.Postulacion.convocatoria_id == conv.id))
    return numero or f"#{postulacion_id}"


@dataclass(frozen=True)
class EntradaExamen:
    postulacion_id: int
    asistio: bool
    puntaje: Decimal | None


def validar_examen(session: Session, conv: m.Convocatoria, valores: Mapping[int, tuple[str, str]]) -> list[EntradaExamen]:
    """The grid's values (application id → (asistió "si"/"no", score text)), checked as a whole.

    §4.2.2 k: absence is "No se presentó"; §4.2.2 l: a score from 0 to 30. Raises
    :class:`EtapaRechazada` with one message per field (``asistio-<id>``, ``puntaje-<id>``)."""
    exigir_editable(session, conv, "examen")
    _, maximo = rango_examen(conv)
    dentro = set(ids_en_etapa(session, conv, "examen"))
    errores: dict[str, str] = {}
    entradas = []
    for pid, (asistio, texto) in valores.items():
        if pid not in dentro:
            errores[f"puntaje-{pid}"] = (f"El candidato {_documento(session, conv, pid)} no está en la Evaluación de "
                                         "Conocimientos (no fue Apto en la etapa anterior).")
            continue
        texto = (texto or "").strip()
        if asistio not in ("si", "no"):
            errores[f"asistio-{pid}"] = "Indique si asistió."
            continue
        if asistio == "no":
            if texto:
                errores[f"puntaje-{pid}"] = "Quien no se presentó no tiene puntaje: deje el puntaje vacío."
                continue
            entradas.append(EntradaExamen(pid, False, None))
            continue
        if not texto:
            errores[f"puntaje-{pid}"] = "Escriba el puntaje de quien asistió."
            continue
        try:
            entradas.append(EntradaExamen(pid, True, puntaje_examen(texto, maximo)))
        except ValueError as exc:
            errores[f"puntaje-{pid}"] = str(exc)
    if errores:
        raise EtapaRechazada(f"Hay {len(errores)} dato(s) por corregir: no se guardó ningún puntaje.", errores=errores)
    return entradas


def registrar_examen(session: Session, conv: m.Convocatoria, entradas: Sequence[EntradaExamen], *,
                     usuario: m.Usuario | None = None, origen: str = "pantalla") -> int:
    """Store attendance and scores of the exam (§4.2.2 k, l) in one transaction; returns how many changed."""
    exigir_editable(session, conv, "examen")
    return _guardar_entradas(session, conv, "examen", {
        e.postulacion_id: [(ASISTIO, "Asistió a la evaluación de conocimientos", "§4.2.2 k", {"cumple": e.asistio}),
                           (PUNTAJE, "Puntaje de la evaluación de conocimientos", "§4.2.2 l",
                            {"puntaje": e.puntaje} if e.asistio else None)]
        for e in entradas
    }, accion="registrar_puntajes_examen", usuario=usuario, extra={"origen": origen})


def registrar_asistencia(session: Session, conv: m.Convocatoria, etapa: str, asistencias: Mapping[int, str], *,
                         usuario: m.Usuario | None = None) -> int:
    """Attendance of the psychological test (§4.2.3: referential, attendance only; absence is No Apto, §4.6)."""
    exigir_editable(session, conv, etapa)
    if etapa != "psicologica":
        raise EtapaRechazada("La asistencia se registra aquí solo para la Evaluación Psicológica.")
    dentro = set(ids_en_etapa(session, conv, etapa))
    errores = {}
    for pid, valor in asistencias.items():
        if pid not in dentro:
            errores[f"asistio-{pid}"] = f"El candidato {_documento(session, conv, pid)} no está en la Evaluación Psicológica."
        elif valor not in ("si", "no"):
            errores[f"asistio-{pid}"] = "Indique si asistió."
    if errores:
        raise EtapaRechazada(f"Hay {len(errores)} dato(s) por corregir: no se guardó nada.", errores=errores)
    return _guardar_entradas(session, conv, etapa, {
        pid: [(ASISTIO, "Asistió a la evaluación psicológica", "§4.2.3", {"cumple": valor == "si"})]
        for pid, valor in asistencias.items()
    }, accion="registrar_asistencia_psicologica", usuario=usuario)


def _guardar_entradas(session: Session, conv: m.Convocatoria, etapa: str,
                      por_postulacion: Mapping[int, Sequence[tuple[str, str, str, dict[str, Any] | None]]], *,
                      accion: str, usuario: m.Usuario | None, extra: Mapping[str, Any] | None = None) -> int:
    """Write the stage inputs of many candidates in one transaction, set-based (a score file of
    thousands of lines is a few bulk statements, not thousands of ORM objects).

    ``por_postulacion``: application id → [(code, description, clause, values or None to remove)].
    A candidate whose inputs changed gets its evaluated result back to pending;
    the changes are audited. Returns how many candidates changed."""
    R, V = m.ResultadoEtapa, m.ItemVerificacion
    ids = list(por_postulacion)
    momento = now()
    try:
        filas: dict[int, sa.Row] = {}
        for lote in _lotes(ids):
            filas.update({f.postulacion_id: f for f in session.execute(
                sa.select(R.id, R.postulacion_id, R.override, R.evaluado_en)
                .where(R.convocatoria_id == conv.id, R.etapa == Etapa[etapa], R.postulacion_id.in_(lote)))})
        faltan = [pid for pid in ids if pid not in filas]
        if faltan:
            nuevos = session.execute(sa.insert(R).returning(R.id, R.postulacion_id, R.override, R.evaluado_en,
                                                            sort_by_parameter_order=True), [
                {"convocatoria_id": conv.id, "postulacion_id": pid, "etapa": Etapa[etapa],
                 "resultado": Resultado.pendiente, "motivos": [], "reglas": {}, "publicado": False, "override": False,
                 "creado_en": momento, "modificado_en": momento} for pid in faltan]).all()
            filas.update({f.postulacion_id: f for f in nuevos})
        por_fila = {filas[pid].id: pid for pid in ids}
        items: dict[tuple[int, str], sa.Row] = {}
        for lote in _lotes(list(por_fila)):
            for it in session.execute(sa.select(V.id, V.resultado_etapa_id, V.codigo, V.cumple, V.puntaje,
                                                V.observacion).where(V.resultado_etapa_id.in_(lote))):
                items[(it.resultado_etapa_id, it.codigo)] = it
        insertar, actualizar, borrar = [], [], []
        cambios: dict[str, Any] = {}
        pendientes = []
        #: candidates whose expediente checklist changed as the engine reads it: the interview reads it too
        lista_cambiada = []
        for pid, entradas in por_postulacion.items():
            fila = filas[pid]
            cambio = lista_leida = False
            for codigo, descripcion, clausula, valores in entradas:
                previo = items.get((fila.id, codigo))
                if etapa == "curricular" and codigo.startswith(LISTA) and _lista_leida(previo, valores):
                    lista_leida = True
                if valores is None:
                    if previo is not None:
                        borrar.append(previo.id)
                        cambio = True
                    continue
                nuevo = {"cumple": valores.get("cumple"), "puntaje": valores.get("puntaje"),
                         "observacion": valores.get("observacion") or None}
                if previo is None:
                    insertar.append({"resultado_etapa_id": fila.id, "codigo": codigo, "descripcion": descripcion[:300],
                                     "clausula": clausula, **nuevo})
                    cambio = True
                elif (previo.cumple, previo.puntaje, previo.observacion or None) != tuple(nuevo.values()):
                    actualizar.append({"id": previo.id, **nuevo})
                    cambio = True
            if cambio:
                cambios[str(pid)] = {c: _json(v) for c, _, _, v in entradas}
                if not fila.override and fila.evaluado_en is not None:
                    pendientes.append(fila.id)
            if lista_leida:
                lista_cambiada.append(pid)
        if any(session.scalars(sa.select(R.id).where(
                R.convocatoria_id == conv.id, R.etapa == Etapa.entrevista, R.postulacion_id.in_(lote),
                R.publicado.is_(True)).limit(1)).first() for lote in _lotes(lista_cambiada)):
            raise EtapaPublicada(
                "Los resultados de la Entrevista Personal ya fueron publicados y su bonificación de la Ley N° 31533 "
                "(§4.2.5 h) se calculó con esta lista de verificación del expediente: no se modifica. No se guardó "
                "nada.")
        for lote in _lotes(borrar):
            session.execute(sa.delete(V).where(V.id.in_(lote)))
        if actualizar:
            session.execute(sa.update(V), actualizar)
        if insertar:
            # render_nulls: every row with the same columns, so one batched INSERT (insertmanyvalues); an ORM
            # bulk insert otherwise leaves out the None values and, with attendance rows (no score) and score
            # rows (no «cumple») alternating, sends one INSERT per row (16,082 for 8,041 exam lines).
            session.execute(sa.insert(V).execution_options(render_nulls=True), insertar)
        a_pendiente = {"resultado": Resultado.pendiente, "puntaje": None, "evaluado_en": None, "motivos": [],
                       "modificado_en": momento}
        for lote in _lotes(pendientes):
            # Inputs changed: the stored result no longer follows from them until the stage is
            # evaluated again (an evaluator's override stands; the engine keeps it too).
            session.execute(sa.update(R).where(R.id.in_(lote)).values(**a_pendiente))
        entrevista_pendiente: list[int] = []
        for lote in _lotes(lista_cambiada):
            # The interview's hook reads the expediente's checklist too: the DNI that grants the
            # Ley 31533 bonus on the interview score (§4.2.5 h, §4.3.2). An interview already formed
            # for these candidates no longer follows from it, so its result is pending as well: the
            # stage shows out of date, and no final result is computed from it until it is formed again.
            entrevista_pendiente += session.scalars(sa.update(R).where(
                R.convocatoria_id == conv.id, R.etapa == Etapa.entrevista, R.postulacion_id.in_(lote),
                R.evaluado_en.is_not(None), R.override.is_(False)).values(**a_pendiente)
                .returning(R.postulacion_id)).all()
        if cambios:
            efectos = {"entrevista_pendiente": sorted(entrevista_pendiente)} if entrevista_pendiente else {}
            audit.record(session, accion=accion, objeto=conv, entidad_id=conv.entidad_id, convocatoria_id=conv.id,
                         despues={"etapa": etapa, "entradas": cambios, **efectos, **(extra or {})}, **_quien(usuario))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.expire_all()  # the ORM rows the screens read next are reloaded
    return len(cambios)


def _lista_leida(previo: sa.Row | None, valores: Mapping[str, Any] | None) -> bool:
    """Whether a checklist item changed as the engine reads it: present with its «cumple», or absent
    (``engine_db._entradas``); an observation alone is not read by any stage."""
    def leido(cumple: Any) -> bool | None:
        return None if cumple is None else bool(cumple)

    return leido(previo.cumple if previo is not None else None) != leido((valores or {}).get("cumple"))


def _json(v: Mapping[str, Any] | None) -> Any:
    if v is None:
        return None
    return {k: (str(x) if isinstance(x, Decimal) else x) for k, x in v.items()}


def experiencias_declaradas(session: Session, postulacion_id: int) -> list[dict[str, Any]]:
    """The experiences of the application's frozen Ficha (section 7), in its order: the n-th is
    the one the evaluator's ``especifica:<n>`` judgment is about."""
    ficha = session.scalar(sa.select(m.Postulacion.ficha).where(m.Postulacion.id == postulacion_id))
    return list((ficha or {}).get("experiencia_laboral") or [])


def pide_especifica(conv: m.Convocatoria) -> bool:
    """Whether the profile asks for specific experience (or specific experience in the public sector):
    only then does the evaluator judge each declared experience (§4.2.1 w, x)."""
    perfil = conv.perfil
    return perfil is not None and bool(perfil.experiencia_especifica_meses or perfil.experiencia_publica_meses)


def _por_calificar_stmt(conv: m.Convocatoria, ids: Sequence[int] | None = None) -> sa.Select:
    """(postulacion id, experiences not judged yet) of the Ficha stage's candidates (of ``ids`` only, if
    given) with any, in application order; meaningful when :func:`pide_especifica`."""
    P, R, V = m.Postulacion, m.ResultadoEtapa, m.ItemVerificacion
    # Counted per application (its stage row by its unique key, then its items): a join to the counts of
    # the whole call made PostgreSQL's planner pick a nested loop over both for the queue's LIMIT 1.
    juzgadas = (sa.select(sa.func.count(V.id)).join(R, R.id == V.resultado_etapa_id)
                .where(R.postulacion_id == P.id, R.etapa == Etapa.ficha, V.codigo.like(f"{ESPECIFICA}%"))
                .correlate(P).scalar_subquery())
    faltan = (P.experiencias_declaradas - juzgadas).label("faltan")
    stmt = (sa.select(P.id, faltan)
            .where(P.convocatoria_id == conv.id, P.experiencias_declaradas > 0, faltan > 0,
                   *(() if ids is None else (P.id.in_(ids),))))
    todas = _exigir_etapa(conv, "ficha")
    solo = _siguen_stmt(conv, todas[: todas.index("ficha")])
    return (stmt if solo is None else stmt.where(P.id.in_(solo))).order_by(P.id)


def sin_calificar(session: Session, conv: m.Convocatoria, filas: Sequence[Fila] | None = None) -> dict[int, int]:
    """How many declared experiences of each candidate of the Ficha stage (of ``filas`` only, e.g. one
    page of its list) the evaluator has not judged specific or not yet (§4.2.1 x), when the profile
    asks for specific experience: an experience left unjudged does not count, so the list shows it
    before the stage is calculated. Candidates with none are left out."""
    if not pide_especifica(conv):
        return {}
    if filas is None:
        return dict(session.execute(_por_calificar_stmt(conv)).all())
    out: dict[int, int] = {}
    for lote in _lotes([f.postulacion_id for f in filas]):
        out.update(session.execute(_por_calificar_stmt(conv, lote)).all())
    return out


def siguiente_sin_calificar(session: Session, conv: m.Convocatoria, despues_de: int) -> int | None:
    """The next candidate of the Ficha stage, in application order after ``despues_de`` and then from the
    start, with an experience not judged yet (§4.2.1 x): the evaluator's queue. ``None`` when none is left."""
    if not pide_especifica(conv):
        return None
    stmt, P = _por_calificar_stmt(conv), m.Postulacion
    return (session.execute(stmt.where(P.id > despues_de).limit(1)).scalar()
            or session.execute(stmt.where(P.id <= despues_de).limit(1)).scalar())


def lista_manual(session: Session, conv: m.Convocatoria) -> dict[str, tuple[str, str]]:
    """The manual checks of the call's Ficha and annexes (§4.2.1 b): the signature's only where the call's
    bases ask for it (``ficha.firma_digitalizada``; Migraciones' manual does not, Mig. 2, 7–9, and a «No
    conforme» on it made a Migraciones candidate No Apto for a signature nobody asked for)."""
    from casadmin import portal

    if portal.pide_firma(session, [conv]):
        return LISTA_FICHA
    return {codigo: v for codigo, v in LISTA_FICHA.items() if codigo != "ficha_firmada"}


def lista_ficha(session: Session, conv: m.Convocatoria, postulacion_id: int) -> dict[str, tuple[str, str]]:
    """What the evaluator records on one candidate's Ficha: the manual checks (§4.2.1 b, :func:`lista_manual`)
    and, for each declared experience, whether it was done in the function or the subject of the position
    (§4.2.1 w, x: the applicant describes the functions; without that it is not specific)."""
    return {**lista_manual(session, conv), **{
        f"{ESPECIFICA}{n}": (engine_db.texto_especifica(n, x.get("empleador") or ""), "§4.2.1 x")
        for n, x in enumerate(experiencias_declaradas(session, postulacion_id))}}


def registrar_verificacion_ficha(session: Session, conv: m.Convocatoria, postulacion_id: int,
                                 valores: Mapping[str, str], *, usuario: m.Usuario | None = None) -> bool:
    """The evaluator's record of one candidate's Ficha (D1): code → "si" / "no" / "" (not
    checked, removed) for the manual checklist of the Ficha and annexes (§4.2.1 b) and the
    judgment of each experience as specific (§4.2.1 x, ``especifica:<n>``); codes not given
    stay as they are. The stage must be calculated again to apply it."""
    exigir_editable(session, conv, "ficha")
    if postulacion_id not in set(ids_en_etapa(session, conv, "ficha")):
        raise EtapaRechazada("Este candidato no está en la Evaluación de Ficha.")
    lista = lista_ficha(session, conv, postulacion_id)
    errores = {f"check-{c}": "Marque Conforme, No conforme o deje sin verificar."
               if not c.startswith(ESPECIFICA) else "Indique si la experiencia es específica o déjela sin calificar."
               for c, v in valores.items() if c not in lista or v not in ("si", "no", "")}
    if errores:
        raise EtapaRechazada("No se guardó la verificación.", errores=errores)
    return bool(_guardar_entradas(session, conv, "ficha", {postulacion_id: [
        (codigo, texto, clausula, {"cumple": valores[codigo] == "si"} if valores[codigo] else None)
        for codigo, (texto, clausula) in lista.items() if codigo in valores
    ]}, accion="registrar_verificacion_ficha", usuario=usuario))


# --- the exam's score file (CSV or Excel) ------------------------------------------------------

_COL_DOCUMENTO = ("numero_documento", "documento", "dni", "nro_documento", "n_documento", "numero")
_COL_PUNTAJE = ("puntaje", "nota", "puntaje_examen")
_NO_SE_PRESENTO = ("nsp", "no se presento", "no se presentó", "no asistio", "no asistió")


def _normalizar(cabecera: Any) -> str:
    texto = str(cabecera or "").strip().lower()
    for a, b in (("á", "a"), ("é", "e"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("°", ""), ("º", ""), (".", "")):
        texto = texto.replace(a, b)
    return "_".join(texto.split())


def _filas_csv(data: bytes) -> list[list[Any]]:
    try:
        texto = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        texto = data.decode("cp1252", errors="replace")  # Excel in Spanish saves CSV as Windows-1252
    try:
        dialecto = csv.Sniffer().sniff(texto[:4096], delimiters=",;\t")
    except csv.Error:
        dialecto = csv.excel
    return [fila for fila in csv.reader(io.StringIO(texto), dialecto)]


def _filas_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        libro = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ArchivoRechazado([(None, f"El archivo Excel no se puede leer ({exc.__class__.__name__}).")]) from None
    try:
        hoja = libro.worksheets[0]
        filas = []
        for n, fila in enumerate(hoja.iter_rows(values_only=True)):
            if n > MAX_FILAS:
                raise ArchivoRechazado([(None, f"El archivo tiene más de {MAX_FILAS} filas.")])
            filas.append(list(fila))
        return filas
    finally:
        libro.close()


def leer_archivo_puntajes(session: Session, conv: m.Convocatoria, nombre: str, data: bytes) -> list[EntradaExamen]:
    """Read an exam score file: a header with the document number and the score, one candidate per line.

    An empty score or "NSP" records "No se presentó" (§4.2.2 k). Every error is collected with its line
    (unknown document, candidate not in the stage, score out of 0–30 or not a number, repeated
    candidate, §4.2.2 l); any error refuses the whole file (:class:`ArchivoRechazado`)."""
    exigir_editable(session, conv, "examen")
    if not data:
        raise ArchivoRechazado([(None, "El archivo está vacío.")])
    if len(data) > MAX_ARCHIVO:
        raise ArchivoRechazado([(None, "El archivo supera los 5 MB.")])
    extension = (nombre or "").rsplit(".", 1)[-1].lower()
    if data[:4] == b"PK\x03\x04" or extension == "xlsx":
        filas = _filas_xlsx(data)
    elif extension in ("csv", "txt"):
        filas = _filas_csv(data)
    else:
        raise ArchivoRechazado([(None, "Suba un archivo CSV o Excel (.xlsx).")])
    if not any(str(c).strip() for f in filas for c in f if c is not None):
        raise ArchivoRechazado([(None, "El archivo está vacío.")])
    cabecera = [_normalizar(c) for c in filas[0]]
    col_doc = next((cabecera.index(c) for c in _COL_DOCUMENTO if c in cabecera), None)
    col_pun = next((cabecera.index(c) for c in _COL_PUNTAJE if c in cabecera), None)
    if col_doc is None or col_pun is None:
        raise ArchivoRechazado([(1, "La primera fila debe tener las columnas «numero_documento» y «puntaje».")])
    _, maximo = rango_examen(conv)
    P, Q = m.Postulacion, m.Postulante
    por_documento: dict[str, list[int]] = {}
    for pid, numero in session.execute(sa.select(P.id, Q.numero_documento).join(Q, Q.id == P.postulante_id)
                                       .where(P.convocatoria_id == conv.id)):
        por_documento.setdefault(numero.strip().upper(), []).append(pid)
    dentro = set(ids_en_etapa(session, conv, "examen"))
    errores: list[tuple[int | None, str]] = []
    vistos: dict[int, int] = {}
    entradas = []
    for linea, fila in enumerate(filas[1:], start=2):
        celdas = list(fila) + [None] * (max(col_doc, col_pun) + 1 - len(fila))
        doc, pun = celdas[col_doc], celdas[col_pun]
        if all(c is None or not str(c).strip() for c in celdas):
            continue  # a blank line
        documento = ("" if doc is None else (str(int(doc)) if isinstance(doc, (int, float)) and float(doc).is_integer()
                                            else str(doc))).strip().upper()
        if isinstance(doc, (int, float)) and len(documento) < 8:
            documento = documento.zfill(8)  # a DNI typed as a number loses its leading zeros in Excel
        if not documento:
            errores.append((linea, "Falta el número de documento."))
            continue
        pids = por_documento.get(documento)
        if not pids:
            errores.append((linea, f"El documento {documento} no corresponde a ningún postulante de esta convocatoria."))
            continue
        if len(pids) > 1:
            errores.append((linea, f"El documento {documento} corresponde a más de un postulante: regístrelo en la grilla."))
            continue
        pid = pids[0]
        if pid not in dentro:
            errores.append((linea, f"El documento {documento} no está en la Evaluación de Conocimientos "
                                   "(no fue Apto en la etapa anterior)."))
            continue
        if pid in vistos:
            errores.append((linea, f"El documento {documento} ya figura en la línea {vistos[pid]}."))
            continue
        vistos[pid] = linea
        texto: Any = pun if isinstance(pun, float) else ("" if pun is None else str(pun).strip())
        if isinstance(texto, str) and (not texto or texto.lower() in _NO_SE_PRESENTO):
            entradas.append(EntradaExamen(pid, False, None))
            continue
        try:
            entradas.append(EntradaExamen(pid, True, puntaje_examen(texto, maximo)))
        except ValueError as exc:
            errores.append((linea, f"Documento {documento}: {exc}"))
    if errores:
        raise ArchivoRechazado(errores)
    if not entradas:
        raise ArchivoRechazado([(None, "El archivo no tiene ningún puntaje.")])
    return entradas


def cargar_puntajes(session: Session, conv: m.Convocatoria, entradas: Sequence[EntradaExamen], *,
                    usuario: m.Usuario | None = None, origen: str = "archivo",
                    en_tarea_desde: int | None = None) -> int | m.Tarea:
    """Save a score file already read and checked (:func:`leer_archivo_puntajes`): at once, or, with
    more than ``en_tarea_desde`` lines, as a background job with progress (returned) so that the
    request ends quickly. Either way the whole file is saved in one transaction or not at all."""
    exigir_editable(session, conv, "examen")
    if en_tarea_desde is None or len(entradas) <= en_tarea_desde:
        return registrar_examen(session, conv, entradas, usuario=usuario, origen=origen)
    T = m.Tarea
    if session.scalar(sa.select(T.id).where(T.convocatoria_id == conv.id, T.tipo == TAREA_PUNTAJES,
                                            T.estado.in_([EstadoTarea.pendiente, EstadoTarea.en_curso])).limit(1)):
        raise EtapaRechazada("Aún se está guardando otro archivo de puntajes de esta convocatoria: espere a que "
                             "termine y vuelva a cargar este.", "archivo")
    tarea = tareas.crear(session, tipo=TAREA_PUNTAJES, descripcion=f"Puntajes del {origen} – {conv.codigo}"[:300],
                         funcion="casadmin.etapas.cargar_puntajes_en_tarea",
                         argumentos={"convocatoria_id": conv.id, "usuario_id": usuario.id if usuario else None,
                                     "origen": origen,
                                     "entradas": [[e.postulacion_id, e.asistio,
                                                   None if e.puntaje is None else str(e.puntaje)] for e in entradas]},
                         entidad_id=conv.entidad_id, convocatoria_id=conv.id,
                         usuario_id=usuario.id if usuario else None)
    session.commit()
    return tarea


def cargar_puntajes_en_tarea(*, convocatoria_id: int, usuario_id: int | None, origen: str,
                             entradas: Sequence[Sequence[Any]], avance: tareas.Avance) -> str:
    """The background part of :func:`cargar_puntajes` (casadmin.tareas): checks again that the stage is
    not published and every line's candidate is still in it (§4.2.2), then saves everything in one
    transaction; any failure saves nothing and is shown on the job's page."""
    from casadmin.extensions import db

    session = db.session
    conv = session.get(m.Convocatoria, convocatoria_id)
    usuario = session.get(m.Usuario, usuario_id) if usuario_id else None
    avance(5, 100, "Comprobando que los candidatos sigan en la Evaluación de Conocimientos…")
    exigir_editable(session, conv, "examen")
    lista = [EntradaExamen(int(pid), bool(asistio), None if p is None else Decimal(p)) for pid, asistio, p in entradas]
    dentro = set(ids_en_etapa(session, conv, "examen"))
    fuera = [e.postulacion_id for e in lista if e.postulacion_id not in dentro]
    if fuera:
        raise EtapaRechazada(f"{len(fuera)} candidato(s) del archivo ya no están en la Evaluación de Conocimientos "
                             f"(p. ej. {_documento(session, conv, fuera[0])}): no se guardó ningún puntaje.")
    # The last progress report before the transaction writes (on SQLite a writer holds the lock the
    # progress update needs until the job's commit, as in casadmin.publicacion).
    avance(20, 100, f"Guardando {len(lista)} puntaje(s) en una sola transacción…")
    n = registrar_examen(session, conv, lista, usuario=usuario, origen=origen)
    return f"Archivo cargado: {len(lista)} candidato(s) leídos, {n} cambio(s) guardado(s)."


# --- curricular evaluation (§4.2.4) ----------------------------------------------------------------


def expediente_de(session: Session, conv: m.Convocatoria, postulacion_id: int) -> tuple[m.DocumentoPostulacion | None, bool]:
    """The candidate's expediente (C5) and whether it came inside its window (§4.2.4 Criterios)."""
    doc = session.scalar(sa.select(m.DocumentoPostulacion).where(
        m.DocumentoPostulacion.postulacion_id == postulacion_id, m.DocumentoPostulacion.tipo == TIPO_EXPEDIENTE))
    if doc is None:
        return None, False
    periodo = ventana_expediente(session, conv)
    return doc, periodo is None or periodo[0] <= doc.cargado_en <= periodo[1]


def registrar_curricular(session: Session, conv: m.Convocatoria, postulacion_id: int, *, factores: Mapping[str, str],
                         lista: Mapping[str, tuple[str, str]], usuario: m.Usuario | None = None) -> bool:
    """One candidate's curricular evaluation: the expediente (present, on time: read from the stored
    upload), each factor Cumple / No cumple, and the evaluator's checklist item by item (D4, §4.2.4).

    ``factores``: factor → "si"/"no"; ``lista``: checklist code → ("si"/"no"/"na", observation)."""
    exigir_editable(session, conv, "curricular")
    if postulacion_id not in set(ids_en_etapa(session, conv, "curricular")):
        raise EtapaRechazada("Este candidato no está en la Evaluación Curricular.")
    pide_publica = bool(conv.perfil and conv.perfil.experiencia_publica_meses)
    doc, en_plazo = expediente_de(session, conv, postulacion_id)
    errores = {}
    esperados = [f for f in FACTORES_CURRICULARES if pide_publica or f != "experiencia_publica"]
    if doc is not None:
        for f in esperados:
            if factores.get(f) not in ("si", "no"):
                errores[f"factor-{f}"] = "Marque Cumple o No cumple."
    for codigo, (valor, _obs) in lista.items():
        if codigo not in LISTA_CURRICULAR:
            errores[codigo] = "Ítem desconocido."
        elif valor not in ("si", "no", "na", ""):
            errores[codigo] = "Marque Cumple, No cumple o No aplica."
    if doc is not None:
        # §4.3: the bonus is given only with its document presented: the evaluator says whether it was, for
        # each condition the Ficha declares (left blank, the candidate would lose the bonus by an oversight);
        # not for a document the candidate uploaded and validated when applying where the bases take it for
        # the bonus (TipoDocumento.acredita): blank, the upload gives it; «No aplica» is not an answer then
        subidos = _bonos_subidos(session, conv, postulacion_id)
        for codigo, declarado in bonos_declarados(session, conv, postulacion_id).items():
            valor = lista.get(codigo, ("", ""))[0]
            if declarado and codigo in subidos and valor == "na":
                errores[codigo] = ("Marque Cumple o No cumple, o déjelo en blanco: el/la candidato/a cargó y validó este "
                                   "documento al postular, y la bonificación se otorga con él (§4.3).")
            elif declarado and codigo == "lista:formacion_31533" and valor not in ("si", "no"):
                errores[codigo] = ("Marque Cumple o No cumple: el/la candidato/a tiene 29 años o menos y declaró estudios "
                                   "técnicos o universitarios concluidos; las bonificaciones de la Ley N° 31533 piden "
                                   "acreditar esa formación, que el perfil no exige (§4.2.5 h).")
            elif declarado and codigo not in subidos and valor not in ("si", "no"):
                errores[codigo] = ("Marque Cumple o No cumple: el/la candidato/a declaró esta condición en su Ficha "
                                   "y la bonificación depende de que presente el documento (§4.3).")
        # §4.2.1 Otros requisitos: their documents are presented here; left blank, they would pass for presented
        if (otros := _otros_del_perfil(conv)) and lista.get("lista:otros_requisitos", ("", ""))[0] not in ("si", "no"):
            errores["lista:otros_requisitos"] = (f"Marque Cumple o No cumple: el perfil exige otros requisitos ({otros}) "
                                                 "y el/la candidato/a debe presentar sus documentos (§4.2.1).")
    if errores:
        raise EtapaRechazada("Complete la evaluación: no se guardó nada.", errores=errores)
    items: list[tuple[str, str, str, dict[str, Any] | None]] = [
        (EXPEDIENTE, "Presentó el expediente curricular", "§4.2.4 Criterios", {"cumple": doc is not None}),
        (EN_PLAZO, "Expediente presentado en la fecha y horario establecidos", "§4.2.4 Criterios",
         {"cumple": en_plazo} if doc is not None else None),
    ]
    for f in FACTORES_CURRICULARES:
        valor = factores.get(f) if doc is not None and f in esperados else None
        items.append((f, f"Factor curricular: {NOMBRES_FACTOR[f]}", "§4.2.4",
                      {"cumple": valor == "si"} if valor else None))
    for codigo, (texto, clausula) in LISTA_CURRICULAR.items():
        valor, obs = lista.get(codigo, ("", ""))
        items.append((codigo, texto, clausula,
                       {"cumple": {"si": True, "no": False}.get(valor), "observacion": (obs or "").strip()[:2000] or None}
                       if valor else None))
    return bool(_guardar_entradas(session, conv, "curricular", {postulacion_id: items},
                                  accion="registrar_evaluacion_curricular", usuario=usuario))


# --- running a stage ---------------------------------------------------------------------------


def _exigir_listo(session: Session, conv: m.Convocatoria, etapa: str) -> None:
    todas = _exigir_etapa(conv, etapa)
    if etapa == "entrevista":
        raise EtapaRechazada("La Entrevista Personal la califica el Comité de Entrevista en sus hojas.")
    previa = _previas_evaluadas(session, conv, todas[: todas.index(etapa)])
    if previa is not None:
        raise EtapaRechazada(f"La etapa «{_nombre(previa)}» aún no tiene resultados: calcúlela primero.")
    _exigir_previas_al_dia(session, conv, etapa)
    if por_que := sin_datos(session, conv, etapa):
        raise EtapaRechazada(por_que)


def sin_datos(session: Session, conv: m.Convocatoria, etapa: str) -> str | None:
    """Why the stage cannot be computed yet: the candidates whose inputs are not recorded (:func:`faltantes`),
    the first five named; None when every one's are. The stage screen and ``casadmin evaluate`` both ask it:
    a stage computed without them would read an absence, or a factor not met."""
    faltan = faltantes(session, conv, etapa)
    if not faltan:
        return None
    muestra = ", ".join(f"{f.documento} ({f.nombre})" for f in faltan[:5])
    return (f"Faltan registrar los datos de {len(faltan)} candidato(s) de la {_nombre(etapa)}: "
            f"{muestra}{'…' if len(faltan) > 5 else ''}. No se calculó nada.")


def evaluar(session: Session, conv: m.Convocatoria, etapa: str, *, usuario: m.Usuario | None = None,
            en_tarea_desde: int | None = None) -> engine_db.Evaluacion | m.Tarea:
    """Run the stage with the bases' plugins (engine_db.evaluar, audited); a stage with
    ``en_tarea_desde`` candidates or more runs as a background job with progress (returned)."""
    exigir_editable(session, conv, etapa)
    _exigir_listo(session, conv, etapa)
    if en_tarea_desde is not None and len(ids_en_etapa(session, conv, etapa)) >= en_tarea_desde:
        tarea = tareas.crear(session, tipo="evaluacion", descripcion=f"{_nombre(etapa)} – {conv.codigo}",
                             funcion="casadmin.etapas.evaluar_en_tarea",
                             argumentos={"convocatoria_id": conv.id, "etapa": etapa,
                                         "usuario_id": usuario.id if usuario else None},
                             entidad_id=conv.entidad_id, convocatoria_id=conv.id,
                             usuario_id=usuario.id if usuario else None)
        session.commit()
        return tarea
    return _evaluar(session, conv, etapa, usuario=usuario)


def _evaluar(session: Session, conv: m.Convocatoria, etapa: str, *, usuario: m.Usuario | None,
             recalcular: bool = False, motivo: str | None = None) -> engine_db.Evaluacion:
    try:
        # engine_db.evaluar first removes the rows of those no longer in the stage (quitar_fuera_de_etapa)
        return engine_db.evaluar(session, conv.codigo, etapa, usuario=usuario, recalcular=recalcular, motivo=motivo)
    except engine_db.EvaluacionRechazada as exc:
        session.rollback()
        raise EtapaRechazada(str(exc)) from None
    except pl.ErrorDePlugin as exc:
        session.rollback()
        raise EtapaRechazada(f"La regla de las bases falló y no se guardó nada: {exc}") from None
    except BaseException:
        session.rollback()
        raise


def evaluar_en_tarea(*, convocatoria_id: int, etapa: str, usuario_id: int | None, avance: tareas.Avance) -> str:
    """The background part of :func:`evaluar` (casadmin.tareas)."""
    from casadmin.extensions import db

    session = db.session
    conv = session.get(m.Convocatoria, convocatoria_id)
    usuario = session.get(m.Usuario, usuario_id) if usuario_id else None
    avance(5, 100, f"Evaluando la {_nombre(etapa)} con las reglas de las bases…")
    r = _evaluar(session, conv, etapa, usuario=usuario)
    return resumen(r)


def resumen(r: engine_db.Evaluacion) -> str:
    partes = ", ".join(f"{Resultado[k].value}: {n}" for k, n in sorted(r.conteo.items()))
    texto = f"{_nombre(r.etapa)}: {sum(r.conteo.values())} resultado(s) calculado(s) ({partes or 'ninguno'})."
    return f"{texto} Aviso: {r.aviso}" if r.aviso else texto


def recalcular(session: Session, conv: m.Convocatoria, etapa: str, motivo: str, *,
               usuario: m.Usuario | None = None) -> engine_db.Evaluacion:
    """Recompute a stage (a published one included) with a written reason: audited with what changed (F3)."""
    if not (motivo or "").strip():
        raise EtapaRechazada("Escriba el motivo del recálculo (quedará en el registro de auditoría).", "motivo")
    _exigir_listo(session, conv, etapa)
    return _evaluar(session, conv, etapa, usuario=usuario, recalcular=True, motivo=motivo.strip())


def modificar_resultado(session: Session, conv: m.Convocatoria, postulacion_id: int, etapa: str, resultado: str,
                        motivo: str, *, usuario: m.Usuario | None = None) -> m.ResultadoEtapa:
    """An evaluator's override of one automatic result, with a written reason (D1, §4.2.1 c).

    The automatic reasons stay in ``motivos``; the override is marked (``override``) with its reason,
    the engine keeps it on a later evaluation, and the change is audited with before and after."""
    exigir_editable(session, conv, etapa)
    if etapa not in RESULTADOS_OVERRIDE:
        raise EtapaRechazada("Esta etapa no admite modificar resultados desde aquí.")
    motivo = (motivo or "").strip()
    errores = {}
    if resultado not in {r.name for r in RESULTADOS_OVERRIDE[etapa]}:
        errores["resultado"] = "Elija el resultado."
    if len(motivo) < 10:
        errores["motivo"] = "Escriba el sustento de la modificación (al menos 10 caracteres)."
    if errores:
        raise EtapaRechazada("No se guardó la modificación.", errores=errores)
    R = m.ResultadoEtapa
    fila = session.scalar(sa.select(R).where(R.convocatoria_id == conv.id, R.postulacion_id == postulacion_id,
                                             R.etapa == Etapa[etapa]))
    if fila is None or fila.evaluado_en is None:
        raise EtapaRechazada("Primero calcule los resultados de la etapa; luego podrá modificar uno con sustento.")
    nuevo = Resultado[resultado]
    antes = {"resultado": fila.resultado.name, "puntaje": fila.puntaje, "override": fila.override,
             "motivo_override": fila.motivo_override}
    motivos = [x for x in (fila.motivos or []) if x.get("requisito") != "Modificación del evaluador"]
    motivos.append({"requisito": "Modificación del evaluador", "declarado": nuevo.name, "computado": "",
                    "cumple": nuevo in SIGUEN, "clausula": _bases(conv).citar("§4.2.1 c") if etapa == "ficha" else "D1", "mensaje": motivo})
    try:
        fila.resultado, fila.override, fila.motivo_override, fila.motivos = nuevo, True, motivo, motivos
        fila.evaluado_por_id = usuario.id if usuario else None
        fila.evaluado_en = now()
        session.execute(sa.update(m.Postulacion).where(m.Postulacion.id == postulacion_id).values(
            estado=EstadoPostulacion.en_proceso if nuevo in SIGUEN else EstadoPostulacion.no_apto))
        session.flush()
        audit.record(session, accion="modificar_resultado", objeto=fila, motivo=motivo, antes=antes,
                     despues={"etapa": etapa, "resultado": nuevo.name, "override": True},
                     entidad_id=conv.entidad_id, convocatoria_id=conv.id, postulacion_id=postulacion_id,
                     **_quien(usuario))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return fila


# --- the interview shortlist and timetable (D5, §4.2.4; B3, G1) -----------------------------------------


@dataclass(frozen=True)
class Convocable:
    postulacion_id: int
    documento: str
    nombre: str
    acumulado: Decimal
    convocado: bool
    orden: int


def acumulados_para_entrevista(session: Session, conv: m.Convocatoria) -> dict[int, Decimal]:
    """Application id → accumulated score of every candidate Apto in every stage before the interview (D5,
    §4.2.4); empty while one of those stages is not evaluated."""
    todas = _exigir_etapa(conv, "entrevista")
    previas = todas[: todas.index("entrevista")]
    if _previas_evaluadas(session, conv, previas) is not None:
        return {}
    R = m.ResultadoEtapa
    solo = _siguen_stmt(conv, previas)
    acumulado: dict[int, Decimal] = {}
    for pid, puntaje in session.execute(
        sa.select(R.postulacion_id, R.puntaje).where(R.convocatoria_id == conv.id, R.postulacion_id.in_(solo),
                                                     R.etapa.in_([Etapa[e] for e in previas]))):
        acumulado[pid] = acumulado.get(pid, Decimal(0)) + (puntaje or Decimal(0))
    return acumulado


def lista_corta(session: Session, conv: m.Convocatoria) -> list[Convocable]:
    """Every candidate Apto in every stage before the interview, in order of accumulated score, and
    whether the bases' rule calls them to the interview (D5, §4.2.4: with the exam the five highest,
    ties with the fifth included, two more per additional position; without it every Apto)."""
    acumulado = acumulados_para_entrevista(session, conv)
    if not acumulado:
        return []
    bases = _bases(conv)
    try:
        modelo = engine_db.cabecera_motor(conv, bases)
    except engine_db.EvaluacionRechazada as exc:
        raise EtapaRechazada(f"Los datos de la convocatoria no permiten calcular la lista: {exc}") from None
    ctx = run.contexto(modelo, bases)
    try:  # a failing plugin is told where the list is shown (ORH's screens, the applicant's page), not a 500
        respuesta, plugin = pl.primero(pl.get_plugin_manager(), bases, "casadmin_convocar_entrevista", ctx=ctx,
                                       acumulados=[(str(pid), total) for pid, total in acumulado.items()])
        run.exigir_convocados(plugin, respuesta, {str(pid) for pid in acumulado})
    except (pl.ErrorDePlugin, pl.SinImplementacion) as exc:
        raise EtapaRechazada(f"No se pudo calcular la lista de convocados a la Entrevista Personal: {exc}") from None
    elegidos = {int(x) for x in respuesta}
    P, Q = m.Postulacion, m.Postulante
    nombres = {r.id: (r.numero_documento, " ".join(x for x in (r.apellido_paterno, r.apellido_materno) if x)
                      + f", {r.nombres}")
               for lote in _lotes(list(acumulado)) for r in session.execute(
                   sa.select(P.id, Q.numero_documento, Q.apellido_paterno, Q.apellido_materno, Q.nombres)
                   .join(Q, Q.id == P.postulante_id).where(P.id.in_(lote)))}
    orden = sorted(acumulado, key=lambda pid: (-acumulado[pid], nombres[pid][1].lower(), pid))
    return [Convocable(postulacion_id=pid, documento=nombres[pid][0], nombre=nombres[pid][1], acumulado=acumulado[pid],
                       convocado=pid in elegidos, orden=n) for n, pid in enumerate(orden, 1)]


def corte(lista: Sequence[Convocable]) -> Decimal | None:
    """The accumulated score of the last one called in a shortlist (:func:`lista_corta`, D5, §4.2.4): an
    Apto below it is not called, as ORH's screen and the applicant's page say; None when nobody is."""
    convocados = [c.acumulado for c in lista if c.convocado]
    return min(convocados) if convocados else None


def citaciones(session: Session, conv: m.Convocatoria, *, anuladas: bool = False) -> dict[int, m.Citacion]:
    """The call's interview citations in force by postulacion id; with ``anuladas``, those a new
    timetable left out after they were notified (:func:`generar_citaciones`)."""
    C = m.Citacion
    return {c.postulacion_id: c for c in session.scalars(
        sa.select(C).join(m.Postulacion, m.Postulacion.id == C.postulacion_id)
        .where(m.Postulacion.convocatoria_id == conv.id, C.etapa == Etapa.entrevista,
               C.anulada_en.is_not(None) if anuladas else C.anulada_en.is_(None)))}


def _validar_citacion(inicio: Any, lugar: str, errores: dict[str, str], campo_inicio: str, campo_lugar: str) -> None:
    if not isinstance(inicio, dt.datetime):
        errores[campo_inicio] = "Indique la fecha y hora (hora de Lima)."
    lugar = (lugar or "").strip()
    if not lugar:
        errores[campo_lugar] = "Indique el lugar o el enlace de la entrevista."
    elif len(lugar) > 300:
        errores[campo_lugar] = "Hasta 300 caracteres."


def generar_citaciones(session: Session, conv: m.Convocatoria, *, inicio: dt.datetime | None, duracion_minutos: Any,
                       lugar: str, usuario: m.Usuario | None = None) -> list[m.Citacion]:
    """One interview slot per shortlisted candidate, in merit order, one after another from ``inicio``
    (Lima time), each ``duracion_minutos`` long, at ``lugar`` (a room or a link, §4.2.5 c).
    Existing slots of the call's interview are replaced; the timetable is audited.

    A slot of someone no longer shortlisted (a corrected earlier stage changed the list, D5) is
    deleted if nobody told them of it; once notified it is annulled instead, and "Notificar
    citaciones" tells them it no longer stands (G1). Called again, they get their slot back."""
    exigir_editable(session, conv, "entrevista")
    errores: dict[str, str] = {}
    _validar_citacion(inicio, lugar, errores, "inicio", "lugar")
    try:
        duracion = int(str(duracion_minutos).strip())
        if not 5 <= duracion <= 240:
            raise ValueError
    except ValueError:
        errores["duracion"] = "La duración es un número entero de minutos, de 5 a 240."
        duracion = 0
    if errores:
        raise EtapaRechazada("Revise los datos de la programación: no se generó nada.", errores=errores)
    convocados = [c for c in lista_corta(session, conv) if c.convocado]
    if not convocados:
        raise EtapaRechazada("Aún no hay candidatos convocados a la Entrevista Personal "
                             "(calcule primero los resultados de la Evaluación Curricular).")
    existentes = citaciones(session, conv)
    anuladas = citaciones(session, conv, anuladas=True)
    antes = {str(pid): _texto_citacion(c) for pid, c in existentes.items()}
    lugar = lugar.strip()
    elegidos = {x.postulacion_id for x in convocados}
    out, anular = [], []
    momento = now()
    try:
        for pid, c in existentes.items():
            if pid in elegidos:
                continue
            if c.notificada_en is None:
                session.delete(c)
            else:
                c.anulada_en = momento
                anular.append(c)
        for n, cand in enumerate(convocados):
            hora = inicio + dt.timedelta(minutes=duracion * n)
            cit = existentes.get(cand.postulacion_id) or anuladas.get(cand.postulacion_id)
            if cit is None:
                cit = m.Citacion(postulacion_id=cand.postulacion_id, etapa=Etapa.entrevista, fecha_hora=hora,
                                 lugar_o_enlace=lugar, duracion_minutos=duracion)
                session.add(cit)
            else:
                cit.fecha_hora, cit.lugar_o_enlace, cit.duracion_minutos, cit.anulada_en = hora, lugar, duracion, None
            out.append(cit)
        session.flush()
        audit.record(session, accion="programar_entrevistas", objeto=conv, antes=antes or None,
                     despues={**{str(c.postulacion_id): _texto_citacion(c) for c in out},
                              **({"anuladas": sorted(c.postulacion_id for c in anular)} if anular else {})},
                     entidad_id=conv.entidad_id, convocatoria_id=conv.id, **_quien(usuario))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return out


def editar_citacion(session: Session, conv: m.Convocatoria, postulacion_id: int, *, fecha_hora: dt.datetime | None,
                    lugar: str, usuario: m.Usuario | None = None) -> m.Citacion:
    """Change one candidate's interview slot (audited). A slot already notified and now different
    from what the candidate was told is to be notified again (:func:`por_notificar`)."""
    exigir_editable(session, conv, "entrevista")
    cit = citaciones(session, conv).get(postulacion_id)
    if cit is None:
        raise EtapaRechazada("Este candidato no tiene una citación a la Entrevista Personal.")
    errores: dict[str, str] = {}
    _validar_citacion(fecha_hora, lugar, errores, f"fecha-{postulacion_id}", f"lugar-{postulacion_id}")
    if errores:
        raise EtapaRechazada("Revise la citación: no se guardó.", errores=errores)
    antes = _texto_citacion(cit)
    try:
        cit.fecha_hora, cit.lugar_o_enlace = fecha_hora, lugar.strip()
        session.flush()
        audit.record(session, accion="modificar_citacion", objeto=cit, antes=antes, despues=_texto_citacion(cit),
                     entidad_id=conv.entidad_id, convocatoria_id=conv.id, postulacion_id=postulacion_id,
                     **_quien(usuario))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return cit


def _texto_citacion(c: m.Citacion) -> dict[str, str]:
    return {"fecha_hora": c.fecha_hora.strftime("%Y-%m-%d %H:%M"), "lugar_o_enlace": c.lugar_o_enlace}


# --- the interview notice (G1, §4.2.5 c, d, e) ---------------------------------------------------------

def indicaciones_entrevista(conv: m.Convocatoria) -> tuple[tuple[str, str], ...]:
    """What the candidate must have at hand and do at the interview, as (clause, text): the bases'
    parameter ``entrevista.indicaciones`` (SUNEDU §4.2.5 c, d, e); none when the bases define none."""
    try:
        return tuple((clausula, texto) for clausula, texto in parametros(conv)["entrevista.indicaciones"])
    except ParametroDesconocido:
        return ()


_DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def datos_citacion(c: m.Citacion) -> dict[str, Any]:
    """What a notice tells of a slot (Lima time); compared with :attr:`m.Citacion.notificado`."""
    return {"fecha_hora": c.fecha_hora.strftime("%Y-%m-%d %H:%M"), "duracion_minutos": c.duracion_minutos,
            "lugar_o_enlace": c.lugar_o_enlace}


def aviso_de_anulacion(c: m.Citacion) -> bool:
    """Whether the last notice the candidate got said that their citation no longer stands."""
    return bool((c.notificado or {}).get("anulada"))


def estado_notificacion(c: m.Citacion) -> str:
    """``nueva`` (never notified), ``modificada`` (changed since its notice) or ``notificada``; for an
    annulled citation, ``anulada`` (the candidate is still to be told) or ``anulacion_notificada``."""
    if c.anulada_en is not None:
        return "anulacion_notificada" if aviso_de_anulacion(c) else "anulada"
    if c.notificada_en is None:
        return "nueva"
    return "notificada" if c.notificado == datos_citacion(c) else "modificada"


#: Notification states with nothing to send.
AL_DIA = ("notificada", "anulacion_notificada")


def lo_notificado(c: m.Citacion) -> dict[str, Any]:
    """The slot the candidate was last told of (that of the citation, for a notified annulment)."""
    return c.notificado["previo"] if aviso_de_anulacion(c) else c.notificado or {}


def texto_citacion(datos: Mapping[str, Any]) -> dict[str, str]:
    """The slot as a candidate reads it: date with weekday, Lima time, duration, place or link."""
    inicio = dt.datetime.strptime(datos["fecha_hora"], "%Y-%m-%d %H:%M")
    lugar = datos["lugar_o_enlace"]
    enlace = lugar.lower().startswith(("http://", "https://"))
    # «Google Meet: https://…»: the application to use is named with its link (§4.2.5 c)
    aplicativo = not enlace and ("http://" in lugar.lower() or "https://" in lugar.lower())
    duracion = datos.get("duracion_minutos")
    return {"fecha": f"{_DIAS[inicio.weekday()]} {inicio:%d/%m/%Y}", "hora": f"{inicio:%H:%M} (hora de Lima)",
            "duracion": f"{duracion} minutos" if duracion else "",
            "lugar_titulo": "Enlace de la sala virtual" if enlace else
            "Aplicativo y enlace de la sala virtual" if aplicativo else "Lugar", "lugar": lugar}


def _cuerpo_citacion(conv: m.Convocatoria, nombres: str, datos: Mapping[str, Any], previa: dt.datetime | None) -> str:
    t = texto_citacion(datos)
    lineas = [f"Estimado(a) {nombres}:", ""]
    if previa is not None:
        lineas += [(f"Su citación a la Entrevista Personal cambió: esta reemplaza a la notificada el "
                    f"{previa:%d/%m/%Y %H:%M}."), ""]
    lineas += [(f"Usted ha sido convocado(a) a la Entrevista Personal de la convocatoria {conv.codigo} "
                f"({conv.nombre_puesto})."), "", f"Fecha: {t['fecha']}", f"Hora: {t['hora']}"]
    if t["duracion"]:
        lineas.append(f"Duración: {t['duracion']}")
    lineas.append(f"{t['lugar_titulo']}: {t['lugar']}")
    if indicaciones := indicaciones_entrevista(conv):
        lineas += ["", "Tenga en cuenta (bases de la convocatoria):"]
        lineas += [f"- {texto} ({clausula})" for clausula, texto in indicaciones]
    lineas += ["", "También puede ver esta citación en «Mis postulaciones»."]
    return "\n".join(lineas) + "\n"


def _cuerpo_anulacion(conv: m.Convocatoria, nombres: str, previo: Mapping[str, Any], notificada: dt.datetime) -> str:
    t = texto_citacion(previo)
    return "\n".join([
        f"Estimado(a) {nombres}:", "",
        (f"La citación a la Entrevista Personal de la convocatoria {conv.codigo} ({conv.nombre_puesto}) que se le "
         f"notificó el {notificada:%d/%m/%Y %H:%M} (el {t['fecha']} a las {t['hora']}) queda sin efecto: con los "
         "resultados corregidos de las etapas anteriores, usted ya no figura entre los candidatos convocados a la "
         "Entrevista Personal (§4.2.4)."), "",
        "Revise sus resultados en «Mis postulaciones» y en el portal de convocatorias.", ""])


@dataclass(frozen=True)
class NotificacionCitaciones:
    nuevas: int
    modificadas: int
    correos: int
    sin_correo: list[str]
    anuladas: int = 0

    @property
    def total(self) -> int:
        return self.nuevas + self.modificadas + self.anuladas


def _exigir_horario_completo(session: Session, conv: m.Convocatoria, citas: Mapping[int, m.Citacion]) -> None:
    """The timetable to notify: every shortlisted candidate has a complete slot, in the future,
    and no one else has one (D5, §4.2.4)."""
    if not citas:
        raise EtapaRechazada("Aún no hay horario de entrevistas: genérelo antes de notificar las citaciones.")
    lista = lista_corta(session, conv)
    convocados = {c.postulacion_id: c for c in lista if c.convocado}
    nombres = {c.postulacion_id: f"{c.documento} ({c.nombre})" for c in lista}
    problemas = [f"{nombres[pid]}: sin citación" for pid in convocados if pid not in citas]
    problemas += [f"{nombres.get(pid, f'#{pid}')}: tiene citación pero ya no está convocado(a)"
                  for pid in citas if pid not in convocados]
    momento = to_naive_lima(now())
    for pid, c in citas.items():
        if pid in convocados and c.duracion_minutos is None:
            problemas.append(f"{nombres[pid]}: sin duración (genere de nuevo el horario)")
        elif pid in convocados and to_naive_lima(c.fecha_hora) <= momento:
            problemas.append(f"{nombres[pid]}: la fecha {c.fecha_hora:%d/%m/%Y %H:%M} ya pasó")
    if problemas:
        raise EtapaRechazada(f"El horario de entrevistas está incompleto ({len(problemas)} observación(es)): "
                             + "; ".join(problemas[:5]) + ("…" if len(problemas) > 5 else "")
                             + ". No se notificó a nadie.")


def notificar_citaciones(session: Session, conv: m.Convocatoria, *,
                         usuario: m.Usuario | None = None) -> NotificacionCitaciones:
    """Notify each shortlisted candidate of their interview slot (G1, §4.2.5 c): an e-mail through the
    outbox (sent after commit, :mod:`casadmin.mailer`) and the notice in "Mis postulaciones", with the
    date, Lima time, duration, place or link, the call and what the bases ask (§4.2.5 c, d, e).

    Only slots never notified or changed since their notice are sent; each sending is audited.
    Refused while the Evaluación Curricular is not published: its result and the interview timetable
    are published together (§4.2.4, last paragraph), so no one is told before the list is public."""
    exigir_editable(session, conv, "entrevista")
    if not publicada(session, conv, "curricular"):
        raise EtapaRechazada("Publique primero los resultados de la Evaluación Curricular: según las bases, su "
                             "resultado y la programación de Entrevistas Personales se publican juntos (§4.2.4). "
                             "No se notificó a nadie.")
    todas = etapas(conv)
    exigir_al_dia(session, conv, todas[: todas.index("entrevista")])  # never a shortlist from stale results
    citas = citaciones(session, conv)
    _exigir_horario_completo(session, conv, citas)
    pendientes = {pid: c for pid, c in citas.items() if estado_notificacion(c) not in AL_DIA}
    pendientes.update({pid: c for pid, c in citaciones(session, conv, anuladas=True).items()
                       if estado_notificacion(c) not in AL_DIA})
    if not pendientes:
        return NotificacionCitaciones(0, 0, 0, [])
    P, Q = m.Postulacion, m.Postulante
    personas = {r.id: r for r in session.execute(
        sa.select(P.id, Q.numero_documento, Q.nombres, Q.email, Q.usuario_id).join(Q, Q.id == P.postulante_id)
        .where(P.id.in_(list(pendientes))))}
    momento = now()
    cuenta = {"nueva": 0, "modificada": 0, "anulada": 0}
    correos = 0
    sin_correo = []
    try:
        for pid, c in sorted(pendientes.items(), key=lambda x: x[1].fecha_hora):
            persona = personas[pid]
            previa, estado = c.notificada_en, estado_notificacion(c)
            # Called again after being told their citation no longer stood: a new citation, not a change.
            aviso_previo = None if estado != "anulada" and aviso_de_anulacion(c) else previa
            if estado == "anulada":
                datos = {"anulada": True, "previo": c.notificado}
                asunto = f"Citación sin efecto: Entrevista Personal – {conv.codigo}"
                cuerpo = _cuerpo_anulacion(conv, persona.nombres, c.notificado, previa)
            else:
                datos = datos_citacion(c)
                asunto = (f"{'Cambio en su citación' if aviso_previo else 'Citación'} a la Entrevista Personal – "
                          f"{conv.codigo}")
                cuerpo = _cuerpo_citacion(conv, persona.nombres, datos, aviso_previo)
            correo = None
            if persona.email and not persona.email.lower().endswith("@" + engine_db.DOMINIO_SIN_CORREO):
                correo = mailer.encolar(session, tipo=TipoCorreo.citacion, destinatario=persona.email,
                                        asunto=asunto[:300], cuerpo=cuerpo, entidad_id=conv.entidad_id,
                                        convocatoria_id=conv.id, usuario_id=persona.usuario_id)
                correos += 1
            else:
                sin_correo.append(persona.numero_documento)
            antes = {"notificada_en": previa.strftime("%Y-%m-%d %H:%M"), **(c.notificado or {})} if previa else None
            c.notificada_en, c.notificado = momento, datos
            session.flush()
            audit.record(session, accion="anular_citacion" if estado == "anulada" else "notificar_citacion",
                         objeto=c, antes=antes,
                         despues={**datos, "renotificacion": previa is not None,
                                  "destinatario": correo.destinatario if correo else None,
                                  "correo_id": correo.id if correo else None},
                         entidad_id=conv.entidad_id, convocatoria_id=conv.id, postulacion_id=pid, **_quien(usuario))
            cuenta["anulada" if estado == "anulada" else "nueva" if aviso_previo is None else "modificada"] += 1
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return NotificacionCitaciones(cuenta["nueva"], cuenta["modificada"], correos, sin_correo, cuenta["anulada"])


def citaciones_notificadas(session: Session, postulacion_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The interview notice each application got (what it was told, :func:`texto_citacion`, and the
    bases' indications), for "Mis postulaciones"; only notified slots, as notified. A citation whose
    annulment was notified is shown as such (``anulada``), with the slot it had been given."""
    if not postulacion_ids:
        return {}
    C = m.Citacion
    out = {}
    for c in session.scalars(sa.select(C).where(C.postulacion_id.in_(list(postulacion_ids)),
                                                C.etapa == Etapa.entrevista, C.notificada_en.is_not(None))):
        anulada = aviso_de_anulacion(c)
        out[c.postulacion_id] = {**texto_citacion(lo_notificado(c)),
                                 "notificada_en": f"{c.notificada_en:%d/%m/%Y %H:%M}", "anulada": anulada,
                                 "indicaciones": () if anulada else indicaciones_entrevista(c.postulacion.convocatoria)}
    return out


# --- the stage overview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EstadoEtapa:
    etapa: Etapa
    candidatos: int
    conteo: dict[Resultado, int]
    publicada: bool
    previa_pendiente: str | None
    #: out-of-date results (an earlier stage changed after this one was evaluated), or None
    desactualizada: Desactualizada | None = None

    @property
    def evaluados(self) -> int:
        return sum(n for r, n in self.conteo.items() if r is not Resultado.pendiente)


def resumen_etapas(session: Session, conv: m.Convocatoria) -> list[EstadoEtapa]:
    """Each stage of the call with its candidates, results by kind and whether it is published."""
    todas = etapas(conv)
    R = m.ResultadoEtapa
    conteos: dict[tuple[Etapa, Resultado], int] = {
        (e, r): n for e, r, n in session.execute(
            sa.select(R.etapa, R.resultado, sa.func.count()).where(R.convocatoria_id == conv.id,
                                                                  R.evaluado_en.is_not(None))
            .group_by(R.etapa, R.resultado))}
    out = []
    for i, e in enumerate(todas):
        previa = _previas_evaluadas(session, conv, todas[:i])
        out.append(EstadoEtapa(
            etapa=Etapa[e], candidatos=0 if previa else len(ids_en_etapa(session, conv, e)),
            conteo={r: n for (et, r), n in conteos.items() if et is Etapa[e]},
            publicada=publicada(session, conv, e), previa_pendiente=previa,
            desactualizada=None if previa else desactualizacion(session, conv, e)))
    return out


# --- later stages never silently stale (issue 5 item 3; §4.6 "etapas ... de carácter ELIMINATORIO") ---------


@dataclass(frozen=True)
class Desactualizada:
    """A stage whose stored results no longer follow from the earlier stages or from its own inputs.

    Who takes part in a stage depends on the earlier ones (§4.6: Ficha, exam, curricular and interview
    are eliminatory; the psychological test must be attended; only those Apto / Asistió in every earlier
    stage continue; the interview's shortlist follows the accumulated scores, §4.2.4). Derived, never
    stored: the candidates the stage would have now are compared with the ones it has results for."""

    etapa: str
    #: the earlier stage that changed most recently (None: only this stage's own inputs changed)
    causa: str | None
    #: evaluated here but no longer candidates of the stage
    fuera: int
    #: candidates now, without any row of the stage
    nuevos: int
    #: candidates now whose result is pending (their inputs changed after the evaluation)
    pendientes: int

    @property
    def nombre(self) -> str:
        """The stage's name as the screens show it."""
        return _nombre(self.etapa)

    @property
    def porque(self) -> str:
        if self.causa is not None:
            return f"la etapa «{_nombre(self.causa)}» cambió después de evaluarla"
        return f"se modificaron los datos de {self.pendientes} candidato(s) después de evaluarla"

    @property
    def mensaje(self) -> str:
        """What the stages screen and the stage page show."""
        if self.causa is not None:
            return (f"Resultados desactualizados: la etapa «{_nombre(self.causa)}» cambió después de evaluar esta "
                    "etapa. Vuelva a evaluar.")
        return (f"Resultados desactualizados: se modificaron los datos de {self.pendientes} candidato(s) después "
                "de evaluar esta etapa. Vuelva a evaluar.")

    @property
    def detalle(self) -> str:
        partes = []
        if self.fuera:
            partes.append(f"{self.fuera} candidato(s) evaluado(s) ya no siguen en el proceso")
        if self.nuevos:
            partes.append(f"{self.nuevos} candidato(s) nuevo(s) sin resultado")
        if self.pendientes:
            partes.append(f"{self.pendientes} resultado(s) pendiente(s) de calcular")
        return "; ".join(partes)

    def rechazo(self, despues: str) -> str:
        """The refusal's text: which stage, why, what to do (``despues``: what was refused)."""
        return (f"La {_nombre(self.etapa)} tiene resultados desactualizados: {self.porque} ({self.detalle}). "
                f"Vuelva a evaluarla {despues}; no se hizo ningún cambio.")


def _actuales(session: Session, conv: m.Convocatoria, todas: Sequence[str], etapa: str) -> sa.Select | list[int]:
    """The stage's candidates now, as a subquery (or a short list for the interview's shortlist)."""
    previas = todas[: todas.index(etapa)]
    if etapa == "entrevista":
        return [c.postulacion_id for c in lista_corta(session, conv) if c.convocado]
    if _previas_evaluadas(session, conv, previas) is not None:
        return []
    solo = _siguen_stmt(conv, previas)
    if solo is not None:
        return solo
    return sa.select(m.Postulacion.id).where(m.Postulacion.convocatoria_id == conv.id)


def _comparar(session: Session, de_etapa: Sequence[Any], actuales: sa.Select | list[int]) -> tuple[int, int, int]:
    """(evaluated rows outside ``actuales``, candidates of ``actuales`` without a row, their rows
    not evaluated): one FULL OUTER JOIN of the two sets (a shortlist: three small counts)."""
    R = m.ResultadoEtapa
    if isinstance(actuales, list):
        def contar(*condiciones: Any) -> int:
            return session.scalar(sa.select(sa.func.count()).where(*de_etapa, *condiciones)) or 0
        con_fila = set(session.scalars(sa.select(R.postulacion_id).where(*de_etapa, R.postulacion_id.in_(actuales))))
        return (contar(R.evaluado_en.is_not(None), R.postulacion_id.not_in(actuales)), len(set(actuales) - con_fila),
                contar(R.evaluado_en.is_(None), R.postulacion_id.in_(actuales)))
    a = actuales.subquery()
    st = sa.select(R.postulacion_id.label("pid"), R.evaluado_en).where(*de_etapa).subquery()
    actual = a.c[0]

    def suma(condicion: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condicion, 1), else_=0)), 0)

    fila = session.execute(sa.select(
        suma(sa.and_(actual.is_(None), st.c.evaluado_en.is_not(None))),
        suma(st.c.pid.is_(None)),
        suma(sa.and_(actual.is_not(None), st.c.pid.is_not(None), st.c.evaluado_en.is_(None))),
    ).select_from(a.join(st, actual == st.c.pid, full=True))).one()
    return int(fila[0]), int(fila[1]), int(fila[2])


def desactualizacion(session: Session, conv: m.Convocatoria, etapa: str) -> Desactualizada | None:
    """Whether the stage's results are out of date (:class:`Desactualizada`), ``None`` when they are
    current or the stage has no results yet. A few counting queries (the interview: its shortlist)."""
    todas = _exigir_etapa(conv, etapa)
    R = m.ResultadoEtapa
    de_etapa = (R.convocatoria_id == conv.id, R.etapa == Etapa[etapa])
    evaluada = session.scalar(sa.select(sa.func.max(R.evaluado_en)).where(*de_etapa))
    if evaluada is None:
        return None
    fuera, nuevos, pendientes = _comparar(session, de_etapa, _actuales(session, conv, todas, etapa))
    if not (fuera or nuevos or pendientes):
        return None
    causa = None
    previas = todas[: todas.index(etapa)]
    if (fuera or nuevos) and previas:
        cambios = dict(session.execute(
            sa.select(R.etapa, sa.func.max(R.modificado_en))
            .where(R.convocatoria_id == conv.id, R.etapa.in_([Etapa[e] for e in previas])).group_by(R.etapa)).all())
        con_fecha = [e for e in previas if cambios.get(Etapa[e]) is not None]
        causa = max(con_fecha, key=lambda e: (cambios[Etapa[e]], todas.index(e))) if con_fecha else previas[-1]
    return Desactualizada(etapa=etapa, causa=causa, fuera=fuera, nuevos=nuevos, pendientes=pendientes)


def desactualizadas(session: Session, conv: m.Convocatoria, etapas_: Sequence[str] | None = None
                    ) -> dict[str, Desactualizada]:
    """The call's stages (or ``etapas_``) whose results are out of date, in stage order."""
    out = {}
    for e in etapas(conv) if etapas_ is None else etapas_:
        d = desactualizacion(session, conv, e)
        if d is not None:
            out[e] = d
    return out


def exigir_al_dia(session: Session, conv: m.Convocatoria, etapas_: Sequence[str] | None = None, *,
                  error: type[Exception] = EtapaRechazada) -> None:
    """Refuse (``error`` with the Spanish message) when a stage of the call (or of ``etapas_``) has
    out-of-date results: nothing is published or computed from them (issue 5 item 3)."""
    try:
        malas = desactualizadas(session, conv, etapas_)
    except EtapaRechazada as exc:
        raise error(exc.mensaje) from None
    if malas:
        otras = [f"«{_nombre(e)}»" for e in list(malas)[1:]]
        raise error(next(iter(malas.values())).rechazo("antes de publicar o calcular resultados con ella")
                    + (f" También están desactualizadas: {', '.join(otras)}." if otras else ""))


def previa_desactualizada(session: Session, conv: m.Convocatoria, etapa: str) -> Desactualizada | None:
    """The first stage before ``etapa`` whose results are out of date, if any: a stage is not evaluated
    on it (:func:`_exigir_previas_al_dia`), nor is the interview's score formed (:func:`casadmin.comite.formar`)."""
    todas = _exigir_etapa(conv, etapa)
    for e in todas[: todas.index(etapa)]:
        d = desactualizacion(session, conv, e)
        if d is not None:
            return d
    return None


def _exigir_previas_al_dia(session: Session, conv: m.Convocatoria, etapa: str) -> None:
    """A stage is not evaluated on earlier results that are themselves out of date."""
    d = previa_desactualizada(session, conv, etapa)
    if d is not None:
        raise EtapaRechazada(d.rechazo(f"antes de evaluar la {_nombre(etapa)}"))


def quitar_fuera_de_etapa(session: Session, conv: m.Convocatoria, etapa: str, *, usuario: m.Usuario | str | None,
                           motivo: str | None = None, actuales: sa.Select | list[int] | None = None) -> int:
    """Before the stage is evaluated again: the results of candidates who no longer take part in it
    (an earlier eliminatory stage changed, §4.6) are removed with their inputs, an evaluator's override
    of this stage included; what is removed is kept in the audit trail. Rows that were never evaluated
    stay: inputs recorded (or imported) for someone an earlier stage did not let through are no result,
    and are there if a correction lets them through after all. Not committed: the caller's
    evaluation commits it with its results, or rolls it back. ``engine_db.evaluar`` calls it with the
    candidates it judges (``actuales``: ids, or a subquery of them); without them they are read here."""
    R, V = m.ResultadoEtapa, m.ItemVerificacion
    if actuales is None:
        actuales = _actuales(session, conv, _exigir_etapa(conv, etapa), etapa)
    filas = session.execute(sa.select(R.id, R.postulacion_id, R.resultado, R.puntaje, R.override, R.motivo_override,
                                      R.evaluado_en).where(R.convocatoria_id == conv.id, R.etapa == Etapa[etapa],
                                                           R.postulacion_id.not_in(actuales),
                                                           sa.or_(R.evaluado_en.is_not(None), R.override.is_(True)))
                          ).all()
    if not filas:
        return 0
    ids = [f.id for f in filas]
    entradas: dict[int, dict[str, Any]] = {}
    for lote in _lotes(ids):
        for it in session.execute(sa.select(V.resultado_etapa_id, V.codigo, V.cumple, V.puntaje)
                                  .where(V.resultado_etapa_id.in_(lote))):
            entradas.setdefault(it.resultado_etapa_id, {})[it.codigo] = _json({"cumple": it.cumple,
                                                                                "puntaje": it.puntaje})
    antes = {str(f.postulacion_id): {"resultado": f.resultado.name if f.evaluado_en else None,
                                     "puntaje": str(f.puntaje) if f.puntaje is not None else None,
                                     "override": f.override, "motivo_override": f.motivo_override,
                                     "entradas": entradas.get(f.id, {})} for f in filas}
    for lote in _lotes(ids):
        session.execute(sa.delete(V).where(V.resultado_etapa_id.in_(lote)))
        session.execute(sa.delete(R).where(R.id.in_(lote)))
    quien_id, quien = audit.quien(usuario, consola=True)
    audit.record(session, accion="quitar_resultados_fuera_de_etapa", objeto=conv, motivo=motivo,
                 antes={"etapa": etapa, "resultados": antes},
                 despues={"etapa": etapa, "quitados": len(filas),
                          "razon": "Ya no siguen en el proceso: una etapa anterior eliminatoria cambió (§4.6)."},
                 entidad_id=conv.entidad_id, convocatoria_id=conv.id, usuario_id=quien_id, usuario=quien)
    return len(filas)
