"""Upload checks by content, size and structure (C2 signature, C3/C5 PDFs)."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from casadmin.uploads import ArchivoRechazado, revisar_firma, revisar_pdf
from pdfs import pdf_de_paginas, pdf_grande


def test_a_real_multipage_pdf_is_accepted_with_its_page_count():
    r = revisar_pdf(pdf_de_paginas(3))
    assert r.paginas == 3 and len(r.sha256) == 64 and r.tamano > 0


def test_over_5_mb_is_refused_before_parsing():
    with pytest.raises(ArchivoRechazado, match="supera el tamaño máximo de 5 MB"):
        revisar_pdf(pdf_grande(6 * 1024 * 1024))


def test_5_mb_is_the_limit_to_the_byte():
    """Mig. 7 "ARCHIVOS PERMITIDOS: PDF, TAMAÑO MÁXIMO 5MB": a readable PDF of exactly 5 MB is accepted."""
    assert revisar_pdf(pdf_grande(5 * 1024 * 1024, paginas=2)).paginas == 2
    with pytest.raises(ArchivoRechazado, match="supera el tamaño máximo de 5 MB"):
        revisar_pdf(pdf_grande(5 * 1024 * 1024 + 1))


def test_a_renamed_docx_is_refused_by_content():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ArchivoRechazado, match="no es un PDF"):
        revisar_pdf(buf.getvalue())


def test_empty_and_corrupt_pdfs_are_refused():
    with pytest.raises(ArchivoRechazado, match="vacío"):
        revisar_pdf(b"")
    with pytest.raises(ArchivoRechazado, match="no se puede leer|dañado|no tiene páginas"):
        revisar_pdf(b"%PDF-1.7\n" + b"\x00garbage" * 200)


def test_an_encrypted_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_de_paginas(2))).pages:
        writer.add_page(page)
    writer.encrypt("secreto")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ArchivoRechazado, match="protegido con contraseña"):
        revisar_pdf(out.getvalue())


def test_parsing_is_stopped_by_its_time_limit():
    with pytest.raises(ArchivoRechazado, match="a tiempo"):
        revisar_pdf(pdf_de_paginas(50), timeout=0.0001)


def _imagen(fmt: str, size=(200, 150)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, format=fmt)
    return buf.getvalue()


def test_signature_png_and_jpg_of_200x150_are_accepted():
    assert revisar_firma(_imagen("PNG")) == "image/png"
    assert revisar_firma(_imagen("JPEG")) == "image/jpeg"


def test_signature_of_another_size_or_format_is_refused():
    with pytest.raises(ArchivoRechazado, match="200 × 150 píxeles.*300 × 150"):
        revisar_firma(_imagen("PNG", (300, 150)))
    with pytest.raises(ArchivoRechazado, match="JPG o PNG"):
        revisar_firma(_imagen("GIF"))
    with pytest.raises(ArchivoRechazado, match="JPG o PNG"):
        revisar_firma(pdf_de_paginas(1))
