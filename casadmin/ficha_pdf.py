"""The frozen Ficha de Postulante as a PDF: the applicant's only proof of application (C4, §4.1).

Rendered from the snapshot stored with the application (never from the live
profile), with the call's number and position, the registration time and the
snapshot's SHA-256, so the printed proof can be matched to the stored record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fpdf import FPDF

from casadmin.peru import ubigeo
from casadmin.peru.clock import to_lima

ETIQUETAS = {
    "formacion_academica": ("2. Formación académica", ("nivel", "condicion", "carrera", "fecha_egreso", "fecha_diploma", "institucion")),
    "colegiatura": ("3. Colegiatura", ("colegio", "numero", "habilitado", "habilitado_hasta")),
    "idiomas": ("4. Idiomas y dialectos", ("idioma", "nivel")),
    "ofimatica": ("5. Ofimática", ("programa", "nivel")),
    "capacitaciones": ("6. Cursos, programas de especialización y diplomados", ("tipo", "tema", "horas", "creditos", "institucion", "fecha_fin")),
    "experiencia_laboral": ("7. Experiencia laboral", ("empleador", "sector", "puesto", "tipo", "fecha_inicio", "fecha_fin", "actual")),
    "otros_requisitos": ("8. Otros requisitos", ("descripcion", "detalle")),
}


def texto_pdf(value: Any) -> str:
    """Text the PDF core font can print (Latin-1), keeping Spanish letters."""
    if value is None or value == "":
        return "—".encode("latin-1", "replace").decode("latin-1").replace("?", "-")
    if isinstance(value, bool):
        value = "Sí" if value else "No"
    text = str(value).replace("–", "-").replace("—", "-").replace("’", "'").replace("“", '"').replace("”", '"')
    return text.encode("latin-1", "replace").decode("latin-1")


_t = texto_pdf


def _fecha(value: str | None) -> str:
    if not value:
        return "-"
    try:
        return dt.date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return value


class _Doc(FPDF):
    def __init__(self, pie: str) -> None:
        super().__init__(format="A4")
        self._pie = pie
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=7)
        self.cell(0, 5, _t(f"{self._pie} - página {self.page_no()}/{{nb}}"), align="C")


def generar(ficha: dict[str, Any], *, codigo: str, puesto: str, entidad: str, registrada_en: dt.datetime,
            sha256: str) -> bytes:
    """The PDF bytes of one frozen Ficha."""
    doc = _Doc(pie=f"{codigo} - Ficha de Postulante - SHA-256 {sha256[:16]}…")
    doc.alias_nb_pages()
    doc.add_page()
    doc.set_font("Helvetica", "B", 14)
    doc.multi_cell(0, 7, _t(f"{entidad}\nFicha de Postulante"), align="C")
    doc.ln(2)
    doc.set_font("Helvetica", size=10)
    doc.multi_cell(0, 5, _t(
        f"Convocatoria: {codigo}\nPuesto: {puesto}\n"
        f"Postulación registrada el {to_lima(registrada_en):%d/%m/%Y a las %H:%M} (hora de Lima)\n"
        "Constancia de postulación: la información declarada tiene carácter de declaración jurada y no es subsanable."
    ))
    p = ficha.get("datos_personales", {})
    _seccion(doc, "1. Datos personales", [
        ("Apellidos y nombres", f"{p.get('apellido_paterno', '')} {p.get('apellido_materno') or ''}, {p.get('nombres', '')}"),
        ("Documento", f"{p.get('tipo_documento', '')} {p.get('numero_documento', '')}"),
        ("Nacionalidad", p.get("nacionalidad")),
        ("Fecha de nacimiento", _fecha(p.get("fecha_nacimiento"))),
        ("Domicilio", f"{p.get('via') or ''} {p.get('direccion', '')} - {ubigeo.label(p.get('ubigeo', '') or '')}"),
        ("Celular / correo", f"{p.get('celular', '')} / {p.get('email', '')}"),
    ])
    for clave, (titulo, columnas) in ETIQUETAS.items():
        filas = ficha.get(clave) or []
        doc.set_font("Helvetica", "B", 11)
        doc.ln(3)
        doc.cell(0, 6, _t(titulo), new_x="LMARGIN", new_y="NEXT")
        doc.set_font("Helvetica", size=9)
        if not filas:
            doc.cell(0, 5, _t("No declara."), new_x="LMARGIN", new_y="NEXT")
        for fila in filas:
            partes = [f"{c.replace('_', ' ')}: {_fecha(fila.get(c)) if c.startswith('fecha') else fila.get(c)}"
                      for c in columnas if fila.get(c) not in (None, "")]
            doc.multi_cell(0, 4.5, _t("• " + "; ".join(partes)), new_x="LMARGIN", new_y="NEXT")
    a = ficha.get("informacion_adicional", {})
    _seccion(doc, "9. Información adicional", [
        ("Persona con discapacidad (CONADIS)", a.get("discapacidad")),
        ("Licenciado(a) de las FF.AA.", a.get("licenciado_ffaa")),
        ("Deportista calificado (nivel)", a.get("deportista_nivel")),
        ("Correo alterno", a.get("email_alterno")),
    ])
    _seccion(doc, "10. Firma digitalizada", [("Firma", "adjunta" if ficha.get("firma_archivo_id") else "no adjunta")])
    return bytes(doc.output())


def _seccion(doc: FPDF, titulo: str, filas: list[tuple[str, Any]]) -> None:
    doc.ln(3)
    doc.set_font("Helvetica", "B", 11)
    doc.cell(0, 6, _t(titulo), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", size=9)
    for etiqueta, valor in filas:
        doc.cell(60, 5, _t(etiqueta))
        doc.multi_cell(0, 5, _t(valor), new_x="LMARGIN", new_y="NEXT")
