"""Checks for every uploaded file: by content, size and structure (C2, C3, C5).

PDFs: refused above 5 MB before anything is parsed; the ``%PDF-`` header is
required (a renamed .docx is refused, whatever its name); then pypdf parses the
file in a child process with a wall-clock timeout and memory and CPU limits,
because hostile PDFs can exhaust memory or loop (FAB-NOTES: a pure-Python loop
cannot be stopped from a thread). Encrypted, corrupt or empty files are refused
with a Spanish message; the page count is returned.

Signatures (Ficha section 10): JPG or PNG by content, exactly 200×150 px.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing as mp
import os
import resource
import struct
from dataclasses import dataclass

# Imported here, in the parent, so that each forked checker starts with pypdf loaded
# (importing it in every child costs more than the check of a 5 MB file).
import pypdf

MAX_PDF_BYTES = 5 * 1024 * 1024
MAX_FIRMA_BYTES = 512 * 1024
FIRMA_TAMANO = (200, 150)
PARSE_TIMEOUT_S = 10.0
PARSE_MEMORY_BYTES = 768 * 1024 * 1024
PARSE_CPU_S = 8


class ArchivoRechazado(ValueError):
    """An upload refused, with the Spanish reason to show at the file field."""


@dataclass(frozen=True)
class PdfRevisado:
    paginas: int
    tamano: int
    sha256: str


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def revisar_pdf(data: bytes, *, max_bytes: int = MAX_PDF_BYTES, timeout: float = PARSE_TIMEOUT_S) -> PdfRevisado:
    """Check an uploaded PDF by content, size and structure; return its page count and hash."""
    if len(data) == 0:
        raise ArchivoRechazado("El archivo está vacío.")
    if len(data) > max_bytes:
        raise ArchivoRechazado(f"El archivo supera el tamaño máximo de {_mb(max_bytes)}.")
    if b"%PDF-" not in data[:1024]:
        raise ArchivoRechazado("El archivo no es un PDF: solo se aceptan documentos PDF (se revisa el contenido, no el nombre).")
    paginas = _contar_paginas_aislado(data, timeout)
    return PdfRevisado(paginas=paginas, tamano=len(data), sha256=hashlib.sha256(data).hexdigest())


def _contar_paginas_aislado(data: bytes, timeout: float) -> int:
    ctx = mp.get_context("fork")
    lector, escritor = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_hijo, args=(data, escritor), daemon=True)
    proc.start()
    escritor.close()
    try:
        if not lector.poll(timeout):
            raise ArchivoRechazado("El PDF no se pudo revisar a tiempo: el archivo parece dañado.")
        try:
            estado, valor = lector.recv()
        except EOFError:  # killed by its limits
            raise ArchivoRechazado("El PDF no se puede leer: el archivo parece dañado.") from None
    finally:
        lector.close()
        if proc.is_alive():
            proc.kill()
        proc.join(1)
    if estado == "ok":
        return int(valor)
    raise ArchivoRechazado(valor)


def _hijo(data: bytes, escritor) -> None:  # pragma: no cover - runs in the child process
    try:
        resource.setrlimit(resource.RLIMIT_AS, (PARSE_MEMORY_BYTES, PARSE_MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_CPU, (PARSE_CPU_S, PARSE_CPU_S))
        escritor.send(("ok", _contar_paginas(data)))
    except ArchivoRechazado as exc:
        escritor.send(("error", str(exc)))
    except BaseException:  # noqa: BLE001 - any failure of a hostile file is "not readable"
        escritor.send(("error", "El PDF no se puede leer: el archivo está dañado."))
    finally:
        escritor.close()
        os._exit(0)


def _contar_paginas(data: bytes) -> int:
    # Never run an external tool on untrusted input (FAB-NOTES).
    with pypdf.apply_configuration(jbig2dec_binary=None):
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ArchivoRechazado("El PDF está protegido con contraseña: cárguelo sin protección.")
        paginas = len(reader.pages)
        if paginas == 0:
            raise ArchivoRechazado("El PDF no tiene páginas.")
        for page in reader.pages:  # walk the page tree: a broken structure fails here
            _ = page.mediabox
        return paginas


# --- digitized signature (Ficha section 10) -----------------------------------------


def revisar_firma(data: bytes) -> str:
    """Check the signature image: JPG or PNG by content, 200×150 px; return its MIME type."""
    if not data:
        raise ArchivoRechazado("El archivo de la firma está vacío.")
    if len(data) > MAX_FIRMA_BYTES:
        raise ArchivoRechazado("La imagen de la firma supera el tamaño máximo de 512 KB.")
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        mime, (ancho, alto) = "image/png", struct.unpack(">II", data[16:24])
    elif data.startswith(b"\xff\xd8"):
        mime, (ancho, alto) = "image/jpeg", _tamano_jpeg(data)
    else:
        raise ArchivoRechazado("La firma debe ser una imagen JPG o PNG.")
    if (ancho, alto) != FIRMA_TAMANO:
        raise ArchivoRechazado(f"La firma debe medir 200 × 150 píxeles (ancho × alto); la imagen mide {ancho} × {alto}.")
    return mime


def _tamano_jpeg(data: bytes) -> tuple[int, int]:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            alto, ancho = struct.unpack(">HH", data[i + 5:i + 9])
            return ancho, alto
        i += 2 + length
    raise ArchivoRechazado("La imagen JPG de la firma está dañada.")
