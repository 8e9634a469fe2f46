"""The PDFs the tests upload (C3, C5): real documents made with fpdf2, one place for all modules.

``pdf_de_paginas(n)`` is a readable PDF of ``n`` pages (what an applicant scans: annexes 11–13,
the expediente); ``pdf_grande(tamano)`` is a readable PDF padded to exactly ``tamano`` bytes,
for the 5 MB limit (Mig. 7 "TAMAÑO MÁXIMO 5MB"; MISSION C3). Import them as
``from pdfs import pdf_de_paginas, pdf_grande`` (pytest puts ``tests/`` on the path).
"""

from __future__ import annotations

from fpdf import FPDF

#: What each page says; ``{anexo}`` counts from annex 11, ``{pagina}`` from 1.
TEXTO = "Anexo N° {anexo} - página {pagina}"


def pdf_de_paginas(n: int = 3, texto: str = TEXTO) -> bytes:
    """A real PDF of ``n`` pages, each with one line of text (pypdf counts them)."""
    if n < 1:
        raise ValueError("un PDF tiene al menos una página")
    doc = FPDF()
    doc.set_font("Helvetica", size=12)
    for i in range(n):
        doc.add_page()
        doc.cell(text=texto.format(anexo=11 + i, pagina=i + 1))
    return bytes(doc.output())


def pdf_grande(tamano: int = 6 * 1024 * 1024, paginas: int = 1) -> bytes:
    """A real PDF of exactly ``tamano`` bytes: the document, then a comment line as padding."""
    data = pdf_de_paginas(paginas)
    if tamano < len(data) + 2:
        raise ValueError(f"un PDF de {paginas} página(s) ocupa {len(data)} bytes")
    return data + b"%" + b"0" * (tamano - len(data) - 2) + b"\n"
