"""A stage's result documents, as published (E2, §4.2: "Publicación de resultados").

The list a call publishes after each stage: order, the candidate's name, the document
number masked (E1: personal data limited to name and a masked number), the score when the
stage gives one, and the result (Apto / No apto / No se presentó). One PDF and one Excel
workbook, in the same order, built from rows read in batches so that a stage of 150,000
applications never has to fit in memory twice (``benchmarks/resultados.py``).

Order: those who continue first (by score, highest first, when the stage gives one), then
the rest; ties and unscored stages by surname and name, as public lists are read.

The final results (the "cuadro de méritos" of §4.2.6) are published in the same format by
:func:`pdf_final` and :func:`xlsx_final`: the same heading and footer, one row per finalist in
merit order with the score of each stage, each bonus with its amount and legal basis (§4.3), the
final score, the result (ganador(a), accesitario(a) 1 and 2, §4.2.6 b) and the Interview
Committee's reasoned decision when it settled a tie (§4.2.6 c).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from casadmin import models as m
from casadmin.ficha_pdf import texto_pdf
from casadmin.models.enums import Etapa, Resultado
from casadmin.peru.clock import now, to_lima
from casadmin.peru.documentos import enmascarar
from casadmin.rules.ranking import ACCESITARIOS

#: Called with (rows done, total rows) now and then; the background job stores it as progress.
Progreso = Callable[[int, int], None]

SIGUEN = (Resultado.apto, Resultado.asistio)
#: The final results' documents (§4.2.6: "El resultado final será publicado …").
TITULO_FINAL = "Resultado final – Cuadro de méritos"


@dataclass(frozen=True)
class Encabezado:
    entidad: str
    codigo: str
    puesto: str
    etapa: Etapa | None  # None: the final results (§4.2.6)
    publicado_en: dt.datetime
    con_puntaje: bool

    @property
    def titulo(self) -> str:
        return f"Resultados de la {self.etapa.value}" if self.etapa else TITULO_FINAL


@dataclass(frozen=True, slots=True)
class Fila:
    orden: int
    candidato: str  # "APELLIDOS, Nombres"
    documento: str  # masked (E1)
    puntaje: Decimal | None
    resultado: str  # the Spanish label


def encabezado(session: Session, convocatoria_id: int, etapa: Etapa) -> Encabezado:
    conv = session.get(m.Convocatoria, convocatoria_id)
    con_puntaje = session.scalar(  # one probe of the index ix_resultado_puntaje
        sa.select(sa.func.max(m.ResultadoEtapa.puntaje)).where(m.ResultadoEtapa.convocatoria_id == convocatoria_id,
                                                               m.ResultadoEtapa.etapa == etapa)
    ) is not None
    return Encabezado(entidad=conv.entidad.nombre, codigo=conv.codigo, puesto=conv.nombre_puesto, etapa=etapa,
                      publicado_en=now(), con_puntaje=con_puntaje)


def contar(session: Session, convocatoria_id: int, etapa: Etapa) -> int:
    return session.scalar(sa.select(sa.func.count()).where(
        m.ResultadoEtapa.convocatoria_id == convocatoria_id, m.ResultadoEtapa.etapa == etapa))


def _orden(r, p) -> tuple:
    """The publication order (see the module docstring), as ``ORDER BY`` terms."""
    sigue = sa.case((r.resultado.in_(SIGUEN), 0), else_=1)
    return sigue, r.puntaje.desc().nulls_last(), p.apellido_paterno, p.apellido_materno, p.nombres, r.id


def _base(convocatoria_id: int, etapa: Etapa) -> sa.Select:
    r, p = m.ResultadoEtapa, m.Postulante
    return (
        sa.select(r.resultado, r.puntaje, p.apellido_paterno, p.apellido_materno, p.nombres, p.numero_documento)
        .join(m.Postulacion, m.Postulacion.id == r.postulacion_id)
        .join(p, p.id == m.Postulacion.postulante_id)
        .where(r.convocatoria_id == convocatoria_id, r.etapa == etapa)
    )


def persona(paterno: str, materno: str | None, nombres: str, numero: str) -> tuple[str, str]:
    """How a public list names a candidate (E1): "APELLIDOS, Nombres" and the masked document number."""
    apellidos = f"{paterno} {materno}" if materno else paterno
    return f"{apellidos}, {nombres}", enmascarar(numero)


def _fila(orden: int, resultado: Resultado, puntaje: Decimal | None, paterno: str, materno: str | None, nombres: str,
          numero: str) -> Fila:
    candidato, documento = persona(paterno, materno, nombres, numero)
    return Fila(orden=orden, candidato=candidato, documento=documento, puntaje=puntaje, resultado=resultado.value)


def filas(session: Session, convocatoria_id: int, etapa: Etapa, *, lote: int = 5000, desde: int = 0,
          limite: int | None = None) -> Iterator[Fila]:
    """The stage's rows in publication order, read ``lote`` at a time (a server-side cursor on PostgreSQL).

    ``desde`` and ``limite`` give one page; ``orden`` stays the position in the whole list. This
    sorts the whole stage; a published stage is read by its stored order (:func:`filas_publicadas`).
    """
    r, p = m.ResultadoEtapa, m.Postulante
    stmt = (_base(convocatoria_id, etapa).order_by(*_orden(r, p)).offset(desde).limit(limite)
            .execution_options(yield_per=lote))
    for orden, fila in enumerate(session.execute(stmt), start=desde + 1):
        yield _fila(orden, *fila)


def numerar(session: Session, convocatoria_id: int, etapa: Etapa, *, publicar: bool = False) -> None:
    """Store each result's position in the stage's list (``orden_publicacion`` 1…N), in one statement.

    The list published under §4.2 ("Publicación de resultados") is the one the public portal
    pages through: numbering it once when the stage is published (``publicar=True`` also marks
    every row published, in the same ``UPDATE … FROM``) and again after an audited
    recalculation means a page of 100 is a range of an index, not a sort of the whole stage
    (issue 5, p95 ≤ 150 ms over 150,000 results). ``ROW_NUMBER()`` runs in the database on
    PostgreSQL and SQLite alike; the rows never pass through Python.
    """
    r, p = m.ResultadoEtapa, m.Postulante
    numerados = (
        sa.select(r.id.label("id"), sa.func.row_number().over(order_by=_orden(r, p)).label("orden"))
        .join(m.Postulacion, m.Postulacion.id == r.postulacion_id)
        .join(p, p.id == m.Postulacion.postulante_id)
        .where(r.convocatoria_id == convocatoria_id, r.etapa == etapa, r.resultado != Resultado.pendiente)
        .subquery()
    )
    t = r.__table__
    valores = {"orden_publicacion": numerados.c.orden, **({"publicado": True} if publicar else {})}
    session.execute(sa.update(t).where(t.c.id == numerados.c.id).values(**valores))
    # A pending row of a published stage belongs to an application that is not a candidate of it (inputs
    # recorded or imported for it, or a result taken back when an earlier stage changed; a candidate's holds
    # the publication back, etapas.pendientes): outside the list, as position 0 (below every page's range,
    # and not a missing position: :func:`_ultimo`), and unpublished.
    session.execute(sa.update(t).where(t.c.convocatoria_id == convocatoria_id, t.c.etapa == etapa,
                                       t.c.resultado == Resultado.pendiente).values(orden_publicacion=0, publicado=False))


def _ultimo(session: Session, convocatoria_id: int, etapa: Etapa) -> int | None:
    """The last stored position of the stage, or None when a row has none (or there are no rows).

    One probe of ``ix_resultado_orden_publicacion`` read backwards with NULLs first: the first
    entry is a NULL if any row lacks its position, else the last position (0 when no row is in the
    list: a pending row, outside it, has position 0, :func:`numerar`).
    """
    r = m.ResultadoEtapa
    return session.scalar(sa.select(r.orden_publicacion).where(r.convocatoria_id == convocatoria_id, r.etapa == etapa)
                          .order_by(r.orden_publicacion.desc().nulls_first()).limit(1))


def contar_publicados(session: Session, convocatoria_id: int, etapa: Etapa) -> int:
    """:func:`contar` for a published stage: its last stored position (the order is 1…N), read from the index."""
    ultimo = _ultimo(session, convocatoria_id, etapa)
    return contar(session, convocatoria_id, etapa) if ultimo is None else ultimo


def filas_publicadas(session: Session, convocatoria_id: int, etapa: Etapa, *, desde: int = 0,
                     limite: int | None = None, lote: int = 5000) -> Iterator[Fila]:
    """The rows of a published stage in its stored order (:func:`numerar`), rows ``desde+1 … desde+limite``.

    The order is 1…N without gaps, so a page is the index range ``orden_publicacion BETWEEN …``
    (as fast on page 500 as on page 1). A stage published before the order was stored (a
    row without it) is read with :func:`filas`, which gives the same list.
    """
    r = m.ResultadoEtapa
    if _ultimo(session, convocatoria_id, etapa) is None:
        yield from filas(session, convocatoria_id, etapa, lote=lote, desde=desde, limite=limite)
        return
    rango = [r.orden_publicacion > desde]
    if limite is not None:
        rango.append(r.orden_publicacion <= desde + limite)
    stmt = (_base(convocatoria_id, etapa).add_columns(r.orden_publicacion).where(*rango)
            .order_by(r.orden_publicacion).execution_options(yield_per=lote))
    for *fila, orden in session.execute(stmt):
        yield _fila(orden, *fila)


def _cada(progreso: Progreso | None, total: int, paso: int = 5000) -> Callable[[int], None]:
    def avisar(hechas: int) -> None:
        if progreso is not None and (hechas % paso == 0 or hechas == total):
            progreso(hechas, total)
    return avisar


# --- PDF --------------------------------------------------------------------------------

#: Columns of the PDF table: (title, x in mm, right-aligned).
_COLUMNAS = (("N°", 12, True), ("Apellidos y nombres", 16, False), ("Documento", 128, False),
             ("Puntaje", 164, True), ("Resultado", 170, False))
_ALTO_FILA = 4.6
_TOTAL = "{total_pags}"  # replaced by the page count; long enough for 5 digits


class _Documento(FPDF):
    """The institution's result document: heading (entity, call, title, columns) and footer (date, pages)."""

    def __init__(self, enc: Encabezado, columnas: tuple[tuple[str, float, bool], ...] = _COLUMNAS,
                 orientacion: str = "P") -> None:
        super().__init__(orientation=orientacion, unit="mm", format="A4")
        self.enc = enc
        self.columnas = columnas
        self.fin_pagina = self.h - 15  # 282 mm on a portrait page
        self.set_auto_page_break(False)
        self.set_title(f"{enc.titulo} - {enc.codigo}")
        self.set_author(enc.entidad)
        self.set_creator("CAS Admin")

    def header(self) -> None:
        enc = self.enc
        self.set_font("Helvetica", "B", 11)
        self.set_xy(10, 10)
        self.cell(0, 5, texto_pdf(enc.entidad), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9)
        self.cell(0, 5, texto_pdf(f"{enc.codigo} – {enc.puesto}"), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "B", 10)
        self.cell(0, 6, texto_pdf(enc.titulo.upper()), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "B", 8)
        y = 32
        for titulo, x, derecha in self.columnas:
            if titulo == "Puntaje" and not enc.con_puntaje:
                continue
            self.text(x - self.get_string_width(titulo) if derecha else x, y, titulo)
        self.line(10, y + 1.5, self.w - 10, y + 1.5)
        self.set_font("Helvetica", "", 8)

    def footer(self) -> None:
        self.set_font("Helvetica", "", 7)
        self.set_xy(10, self.h - 10)
        fecha = to_lima(self.enc.publicado_en)
        self.cell(0, 4, f"Publicado el {fecha:%d/%m/%Y %H:%M} (hora de Lima) - Página {self.page_no()}/{_TOTAL}",
                  align="C")
        self.set_font("Helvetica", "", 8)


def pdf(enc: Encabezado, datos: Iterable[Fila], total: int, progreso: Progreso | None = None) -> bytes:
    """The result list as PDF. Rows are drawn with ``text()`` at fixed columns (cells are 4× slower)."""
    doc = _Documento(enc)
    doc.alias_nb_pages(_TOTAL)
    doc.add_page()
    y = 32 + _ALTO_FILA + 1
    avisar = _cada(progreso, total)
    hechas = 0
    for fila in datos:
        if y > doc.fin_pagina:
            doc.add_page()
            y = 32 + _ALTO_FILA + 1
        orden = str(fila.orden)
        doc.text(12 - doc.get_string_width(orden), y, orden)
        doc.text(16, y, texto_pdf(fila.candidato[:70]))
        doc.text(128, y, fila.documento)
        if enc.con_puntaje and fila.puntaje is not None:
            puntaje = f"{fila.puntaje:.2f}"
            doc.text(164 - doc.get_string_width(puntaje), y, puntaje)
        doc.text(170, y, fila.resultado.upper())
        y += _ALTO_FILA
        hechas += 1
        avisar(hechas)
    if hechas == 0:
        doc.text(16, y, "No hay resultados registrados para esta etapa.")
    return bytes(doc.output())


# --- Excel ------------------------------------------------------------------------------


def xlsx(enc: Encabezado, datos: Iterable[Fila], total: int, progreso: Progreso | None = None) -> bytes:
    """The same list as an Excel workbook (write-only mode: rows are streamed, not kept)."""
    cabecera = ["N°", "Apellidos y nombres", "Documento", *(["Puntaje"] if enc.con_puntaje else []), "Resultado"]
    wb, ws = _libro(enc, enc.etapa.name, cabecera, (8, 48, 14, 10, 18))
    avisar = _cada(progreso, total)
    hechas = 0
    for fila in datos:
        if enc.con_puntaje:
            ws.append([fila.orden, fila.candidato, fila.documento, fila.puntaje, fila.resultado.upper()])
        else:
            ws.append([fila.orden, fila.candidato, fila.documento, fila.resultado.upper()])
        hechas += 1
        avisar(hechas)
    return _bytes(wb)


def _libro(enc: Encabezado, hoja: str, cabecera: list[str], anchos: Iterable[float]):
    """A write-only workbook with the institution's heading (entity, call, title, date) and the column titles."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(hoja[:31])
    for i, ancho in enumerate(anchos):
        ws.column_dimensions[get_column_letter(i + 1)].width = ancho
    negrita = Font(bold=True)

    def titulo(texto: str) -> list[WriteOnlyCell]:
        celda = WriteOnlyCell(ws, value=texto)
        celda.font = negrita
        return [celda]

    ws.append(titulo(enc.entidad))
    ws.append([f"{enc.codigo} – {enc.puesto}"])
    ws.append(titulo(enc.titulo.upper()))
    ws.append([f"Publicado el {to_lima(enc.publicado_en):%d/%m/%Y %H:%M} (hora de Lima)"])
    ws.append([])
    fila_cabecera = []
    for texto in cabecera:
        celda = WriteOnlyCell(ws, value=texto)
        celda.font = negrita
        celda.alignment = Alignment(horizontal="center")
        fila_cabecera.append(celda)
    ws.append(fila_cabecera)
    return wb, ws


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the final results (§4.2.6, §4.3) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BonoFinal:
    """One bonus of a finalist as published (§4.3; §4.2.5 h for the interview's)."""

    tipo: str  # the type's label (TipoBonificacion)
    concepto: str
    puntos: Decimal
    porcentaje: Decimal
    base: Decimal
    base_legal: str
    #: the stage whose score already includes it (the 10 % on the interview, §4.2.5 h), or None
    incluida_en: str | None = None


@dataclass(frozen=True, slots=True)
class FilaFinal:
    """A finalist's row of the cuadro de méritos (§4.2.6)."""

    orden: int | None
    candidato: str  # "APELLIDOS, Nombres"
    documento: str  # masked (E1)
    #: the score of each stage that enters the final score (§4.2.6 a), by Etapa
    puntajes: dict[Etapa, Decimal | None]
    puntaje_etapas: Decimal
    bonificaciones: tuple[BonoFinal, ...]
    puntaje_bonificaciones: Decimal
    puntaje_final: Decimal
    resultado: str  # GANADOR(A), ACCESITARIO(A) 1, ACCESITARIO(A) 2, … (§4.2.6 b)
    #: the Interview Committee's reasoning when it settled a tie (§4.2.6 c)
    decision_comite: str | None = None


#: Short column titles of the stages in the final document.
_CORTO = {Etapa.ficha: "Ficha", Etapa.examen: "Conocim.", Etapa.psicologica: "Psicol.",
          Etapa.curricular: "Curricular", Etapa.entrevista: "Entrevista"}
NOTA_FINAL = ("Puntaje final = suma de los puntajes de las etapas (§4.2.6 a) + bonificaciones sobre el puntaje final "
              "(§4.2.6, §4.3); la bonificación de la Ley N° 31533 en la Entrevista Personal ya está incluida en su "
              "puntaje (§4.2.5 h). Empate: mayor puntaje en la Entrevista Personal, luego en Conocimientos Técnicos y, "
              "si persiste, decide el Comité de Entrevista (§4.2.6 c). ")
_CUANTOS = {1: "un(a) accesitario(a)", 2: "dos accesitarios", 3: "tres accesitarios", 4: "cuatro accesitarios",
            5: "cinco accesitarios"}


def nota_final(accesitarios: int = ACCESITARIOS) -> str:
    """The rule of the final score printed under the cuadro de méritos, with the bases version's number of
    accesitarios (``resultado.accesitarios``: two in SUNEDU's, §4.2.6 b, §4.4 f)."""
    if accesitarios <= 0:
        return NOTA_FINAL + "Ganador(a), sin accesitarios (§4.4 f)."
    cuantos = _CUANTOS.get(accesitarios, f"{accesitarios} accesitarios")
    return NOTA_FINAL + f"Ganador(a) y hasta {cuantos} (§4.2.6 b, §4.4 f)."


def texto_bono(b: BonoFinal) -> str:
    """A bonus as the documents print it: amount, rate, basis, legal basis."""
    dentro = f"; incluida en la {b.incluida_en}" if b.incluida_en else ""
    return (f"{b.concepto or b.tipo}: +{b.puntos:.2f} ({b.porcentaje:.2f} % de {b.base:.2f}{dentro}). "
            f"Base legal: {b.base_legal}")


def texto_decision(decision: str) -> str:
    return f"Orden decidido por el Comité de Entrevista (§4.2.6 c): {decision}"


def _recortar(doc: FPDF, texto: str, ancho: float) -> str:
    texto = texto_pdf(texto)
    if doc.get_string_width(texto) <= ancho:
        return texto
    while texto and doc.get_string_width(texto + "...") > ancho:
        texto = texto[:-1]
    return texto + "..."


def pdf_final(enc: Encabezado, etapas: list[Etapa], datos: Iterable[FilaFinal], total: int,
              progreso: Progreso | None = None, *, accesitarios: int = ACCESITARIOS) -> bytes:
    """The cuadro de méritos as PDF (A4 landscape, the stage documents' heading and footer).

    One line per finalist (order, name, masked document, each stage's score, sum of stages,
    bonuses, final score, result), then one line per bonus with its legal basis and one for the
    committee's decision on a tie; the rule of the final score is noted under the table.
    """
    ancho = min(18.0, 112 / (len(etapas) + 3))  # the numeric columns' width: up to five stages fit
    xs = [122 + ancho * (i + 1) for i in range(len(etapas) + 3)]
    x_resultado = xs[-1] + 5
    columnas = (("N°", 14, True), ("Apellidos y nombres", 17, False), ("Documento", 100, False),
                *((_CORTO[e], x, True) for e, x in zip(etapas, xs, strict=False)),
                ("Etapas", xs[-3], True), ("Bonif.", xs[-2], True), ("Final", xs[-1], True),
                ("Resultado", x_resultado, False))
    doc = _Documento(enc, columnas, orientacion="L")
    doc.alias_nb_pages(_TOTAL)
    doc.add_page()
    y = 32 + _ALTO_FILA + 1
    avisar = _cada(progreso, total, paso=1)
    hechas = 0

    def linea(texto: str, x: float = 22, fuente: float = 7) -> None:
        nonlocal y
        doc.set_font("Helvetica", "", fuente)
        doc.text(x, y, _recortar(doc, texto, doc.w - 10 - x))
        doc.set_font("Helvetica", "", 8)
        y += _ALTO_FILA - 0.8

    for fila in datos:
        extra = len(fila.bonificaciones) + (1 if fila.decision_comite else 0)
        if y + extra * _ALTO_FILA > doc.fin_pagina:
            doc.add_page()
            y = 32 + _ALTO_FILA + 1
        orden = str(fila.orden or "—")
        doc.text(14 - doc.get_string_width(texto_pdf(orden)), y, texto_pdf(orden))
        doc.text(17, y, _recortar(doc, fila.candidato, 80))
        doc.text(100, y, fila.documento)
        cifras = [fila.puntajes.get(e) for e in etapas] + [fila.puntaje_etapas, fila.puntaje_bonificaciones,
                                                           fila.puntaje_final]
        for x, valor in zip(xs, cifras, strict=True):
            if valor is not None:
                texto = f"{valor:.2f}"
                doc.text(x - doc.get_string_width(texto), y, texto)
        doc.set_font("Helvetica", "B", 8)
        doc.text(x_resultado, y, texto_pdf(fila.resultado))
        doc.set_font("Helvetica", "", 8)
        y += _ALTO_FILA
        for b in fila.bonificaciones:
            linea(f"Bonificación – {texto_bono(b)}")
        if fila.decision_comite:
            linea(texto_decision(fila.decision_comite))
        hechas += 1
        avisar(hechas)
    if hechas == 0:
        doc.text(17, y, "No hay candidatos con resultado final.")
        y += _ALTO_FILA
    if y + 12 > doc.fin_pagina:
        doc.add_page()
        y = 32 + _ALTO_FILA + 1
    doc.set_xy(10, y + 2)
    doc.set_font("Helvetica", "", 7)
    doc.multi_cell(doc.w - 20, 3.5, texto_pdf(nota_final(accesitarios)))
    return bytes(doc.output())


def xlsx_final(enc: Encabezado, etapas: list[Etapa], datos: Iterable[FilaFinal], total: int,
               progreso: Progreso | None = None, *, accesitarios: int = ACCESITARIOS) -> bytes:
    """The cuadro de méritos as an Excel workbook: one row per finalist; for each kind of bonus present,
    its points and its legal basis in two columns (§4.3); the committee's decision in the last column."""
    datos = list(datos)
    tipos = list(dict.fromkeys(b.tipo for f in datos for b in f.bonificaciones))
    cabecera = ["N°", "Apellidos y nombres", "Documento", *(e.value for e in etapas), "Puntaje de las etapas"]
    for tipo in tipos:
        cabecera += [f"Bonificación: {tipo} (puntos)", f"Bonificación: {tipo} (base legal)"]
    cabecera += ["Total bonificaciones", "Puntaje final", "Resultado", "Decisión del Comité (§4.2.6 c)"]
    anchos = (8, 44, 14, *(14 for _ in etapas), 14, *(14, 50) * len(tipos), 14, 14, 22, 50)
    wb, ws = _libro(enc, "Resultado final", cabecera, anchos)
    avisar = _cada(progreso, total, paso=1)
    for hechas, fila in enumerate(datos, start=1):
        por_tipo = {b.tipo: b for b in fila.bonificaciones}
        bonos = []
        for tipo in tipos:
            b = por_tipo.get(tipo)
            bonos += [b.puntos, texto_bono(b)] if b else [None, None]
        ws.append([fila.orden, fila.candidato, fila.documento, *(fila.puntajes.get(e) for e in etapas),
                   fila.puntaje_etapas, *bonos, fila.puntaje_bonificaciones, fila.puntaje_final, fila.resultado,
                   texto_decision(fila.decision_comite) if fila.decision_comite else None])
        avisar(hechas)
    ws.append([])
    ws.append([nota_final(accesitarios)])
    return _bytes(wb)
