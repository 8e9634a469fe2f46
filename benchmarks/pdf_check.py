"""Time the upload check of a PDF just under 5 MB (issue 4, target ≤ 100 ms).

``casadmin.uploads.revisar_pdf`` is what every upload goes through: size cap, ``%PDF-``
header, then pypdf in a forked child with memory and CPU limits, which counts and walks the
pages, and the SHA-256 of the bytes. Two realistic files are built with fpdf2:

* ``escaneado``: pages that are each a full-page photo-like JPEG (what a phone scan of annexes is);
* ``mixto``: 300 pages of text (a long expediente exported from a word processor) and then
  scanned certificates.

Both are filled with pages to just under the 5 MB cap. Each is checked ``--repeat`` times; the median, p95 and
maximum are printed::

    .venv/bin/python benchmarks/pdf_check.py
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time

from fpdf import FPDF

from casadmin.uploads import MAX_PDF_BYTES, revisar_pdf

MARGEN = 48 * 1024  # stay this far under the cap


def _jpeg_ruido(r: random.Random, ancho: int, alto: int) -> bytes:
    """A noisy grey JPEG: compresses about as badly as a phone photo of a page."""
    from PIL import Image

    img = Image.frombytes("L", (ancho, alto), bytes(r.getrandbits(8) for _ in range(ancho * alto)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    return out.getvalue()


def _con_fotos(doc: FPDF, r: random.Random, ocupado: int) -> bytes:
    """Add photo pages until the file is just under the cap (``ocupado``: bytes already used)."""
    total = ocupado
    while True:
        foto = _jpeg_ruido(r, 420, 560)
        if total + len(foto) + 4096 > MAX_PDF_BYTES - MARGEN:
            break
        doc.add_page()
        doc.image(io.BytesIO(foto), x=0, y=0, w=210, h=297)
        total += len(foto) + 600
    return bytes(doc.output())


def escaneado(r: random.Random) -> bytes:
    """Only photo-like scanned pages, up to just under 5 MB."""
    return _con_fotos(FPDF(), r, 0)


def mixto(r: random.Random) -> bytes:
    """300 pages of text (an expediente exported from a word processor), then scanned certificates."""
    doc = FPDF()
    doc.set_font("Helvetica", size=10)
    palabras = ["experiencia", "supervision", "universitaria", "gestion", "publica", "anexo", "declaracion",
                "jurada", "Sunedu", "convocatoria", "puesto", "funciones", "certificado", "constancia"]
    for _ in range(300):
        doc.add_page()
        doc.multi_cell(0, 5, text=" ".join(r.choice(palabras) for _ in range(500)))
    return _con_fotos(doc, r, 300 * 1800)


def medir(nombre: str, data: bytes, repeat: int) -> None:
    tiempos = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        revisado = revisar_pdf(data)
        tiempos.append((time.perf_counter() - t0) * 1000)
    tiempos.sort()
    p95 = tiempos[min(len(tiempos) - 1, int(len(tiempos) * 0.95))]
    print(f"{nombre:<10} {len(data) / 1e6:5.2f} MB  {revisado.paginas:3d} págs  "
          f"mediana {statistics.median(tiempos):6.1f} ms  p95 {p95:6.1f} ms  máx {tiempos[-1]:6.1f} ms  "
          f"(objetivo ≤ 100 ms, {repeat} veces)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args(argv)
    r = random.Random(5)
    medir("escaneado", escaneado(r), args.repeat)
    medir("mixto", mixto(r), args.repeat)


if __name__ == "__main__":
    main()
