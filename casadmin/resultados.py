"""A stage's result documents, as published (E2, §4.2: "Publicación de resultados").

The list a call publishes after each stage: order, the candidate's name, the document
number masked (E1: personal data limited to name and a masked number), the score when the
stage gives one, and the result (Apto / No apto / No se presentó). One PDF and one Excel
workbook, in the same order, built from rows read in batches so that a stage of 150,000
applications never has to fit in memory twice (``benchmarks/resultados.py``).

Order: those who continue first (by score, highest first, when the stage gives one), then
the rest; ties and unscored stages by surname and name, as public lists are read.
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
from sqlalchemy.orm import Session

from casadmin import models as m
from casadmin.ficha_pdf import texto_pdf
from casadmin.models.enums import Etapa, Resultado
from casadmin.peru.clock import now, to_lima
from casadmin.peru.documentos import enmascarar

#: Called with (rows done, total rows) now and then; the background job stores it as progress.
Progreso = Callable[[int, int], None]

SIGUEN = (Resultado.apto, Resultado.asistio)


@dataclass(frozen=True)
class Encabezado:
    entidad: str
    codigo: str
    puesto: str
    etapa: Etapa
    publicado_en: dt.datetime
    con_puntaje: bool

    @property
    def titulo(self) -> str:
        return f"Resultados de la {self.etapa.value}"


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


def _fila(orden: int, resultado: Resultado, puntaje: Decimal | None, paterno: str, materno: str | None, nombres: str,
          numero: str) -> Fila:
    apellidos = f"{paterno} {materno}" if materno else paterno
    return Fila(orden=orden, candidato=f"{apellidos}, {nombres}", documento=enmascarar(numero), puntaje=puntaje,
                resultado=resultado.value)


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
        .where(r.convocatoria_id == convocatoria_id, r.etapa == etapa)
        .subquery()
    )
    t = r.__table__
    valores = {"orden_publicacion": numerados.c.orden, **({"publicado": True} if publicar else {})}
    session.execute(sa.update(t).where(t.c.id == numerados.c.id).values(**valores))


def _ultimo(session: Session, convocatoria_id: int, etapa: Etapa) -> int | None:
    """The last stored position of the stage, or None when a row has none (or there are no rows).

    One probe of ``ix_resultado_orden_publicacion`` read backwards with NULLs first: the first
    entry is a NULL if any row lacks its position, else the last position.
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
_FIN_PAGINA = 282


class _Documento(FPDF):
    def __init__(self, enc: Encabezado) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.enc = enc
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
        for titulo, x, derecha in _COLUMNAS:
            if titulo == "Puntaje" and not enc.con_puntaje:
                continue
            self.text(x - self.get_string_width(titulo) if derecha else x, y, titulo)
        self.line(10, y + 1.5, 200, y + 1.5)
        self.set_font("Helvetica", "", 8)

    def footer(self) -> None:
        self.set_font("Helvetica", "", 7)
        self.set_xy(10, 287)
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
        if y > _FIN_PAGINA:
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
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(enc.etapa.name[:31])
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 14
    ws.column_dimensions["D"].width = 10
    ws.column_dimensions["E"].width = 18
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
    cabecera = ["N°", "Apellidos y nombres", "Documento", *(["Puntaje"] if enc.con_puntaje else []), "Resultado"]
    fila_cabecera = []
    for texto in cabecera:
        celda = WriteOnlyCell(ws, value=texto)
        celda.font = negrita
        celda.alignment = Alignment(horizontal="center")
        fila_cabecera.append(celda)
    ws.append(fila_cabecera)
    avisar = _cada(progreso, total)
    hechas = 0
    for fila in datos:
        if enc.con_puntaje:
            ws.append([fila.orden, fila.candidato, fila.documento, fila.puntaje, fila.resultado.upper()])
        else:
            ws.append([fila.orden, fila.candidato, fila.documento, fila.resultado.upper()])
        hechas += 1
        avisar(hechas)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
