"""Migraciones' document flow (C3, Mig. 6–9): one PDF per document type, checked in D1.

For each document type of the bases version (:data:`casadmin_migraciones.DOCUMENTOS`)
that the candidate must attach, the document must be:

* attached (Mig. 7: "Adjuntar todos los documentos que se muestran en la lista,
  incluidos los Anexos del 01 al 05");
* of one page or more (Mig. 7: "N° DE PÁGINAS");
* ticked in "Validar Documento" (Mig. 8: "active la casilla de verificación de
  cada documento en la columna Validar Documento");
* loaded within the application window (Mig. 9–11: the application is saved
  and confirmed with its documents; none can be added afterwards).

Each unmet condition is its own :class:`~casadmin.rules.reasons.Motivo` naming
the document, so the candidate is No apto in the Ficha stage (§4.2.1 via
``sunedu.ficha``). The CONADIS and FF.AA. supports are required only from a
candidate who declares that condition (``TipoDocumento.requerido_si``;
:data:`casadmin_migraciones.CONDICIONALES`), and only such a candidate is asked for
them when applying.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from casadmin.engine.bases import TipoDocumento
from casadmin.engine.model import Candidato, Contexto, Documento
from casadmin.hookspecs import hookimpl
from casadmin.rules.courses import normalizar
from casadmin.rules.reasons import Motivo

#: Clauses of the manual cited by each check; a missing document cites its own type's (``TipoDocumento.clausula``:
#: the annexes' «Mig. 4, 7», the CONADIS support's «Mig. 8–9; Ley N° 29973»…), this one when it has none.
CLAUSULA_ADJUNTO = "Mig. 4, 7"
CLAUSULA_PAGINAS = "Mig. 7"
CLAUSULA_VALIDADO = "Mig. 7–8"
CLAUSULA_PLAZO = "Mig. 9–11; cronograma de la convocatoria"  # the manual states no date: the call's schedule does

#: Ficha section 9 conditions, as the reasons name them.
_CONDICION_TEXTO = {
    "discapacidad": "declara discapacidad",
    "licenciado_ffaa": "declara ser licenciado/a de las Fuerzas Armadas",
}


@lru_cache(maxsize=1024)
def _clave(texto: str) -> str:
    """Codes and labels compare without case, accents or spacing ("ANEXO03_CAS" = "anexo03_cas").

    Cached: a call has a handful of distinct document types for thousands of candidates.
    """
    return normalizar(texto).replace(" ", "_")


def requerido(tipo: TipoDocumento, candidato: Candidato) -> bool:
    """Whether ``candidato`` must attach ``tipo``: always if mandatory; a conditional one if declared
    (``TipoDocumento.pedido_a``, as the application screen asks for it: ``commands.postular.tipos_documento``)."""
    return tipo.obligatorio and tipo.pedido_a(candidato)


def indice(documentos: Iterable[Documento]) -> dict[str, Documento]:
    """The attached documents by normalized type; of two with the same type, the last one wins."""
    return {_clave(doc.tipo): doc for doc in documentos}


def buscar(tipo: TipoDocumento, adjuntos: Mapping[str, Documento]) -> Documento | None:
    """The attached document of this type, by code or by the manual's label."""
    return adjuntos.get(_clave(tipo.codigo)) or adjuntos.get(_clave(tipo.nombre))


@lru_cache(maxsize=256)
def _no_adjunto(tipo: TipoDocumento) -> Motivo:
    """The reason for a missing document, saying why a conditional one was required."""
    por_que = f" (obligatorio porque {_CONDICION_TEXTO[tipo.requerido_si]})" if tipo.requerido_si else ""
    return Motivo(
        requisito=tipo.nombre, declarado="no adjunto", computado="", cumple=False,
        clausula=tipo.clausula or CLAUSULA_ADJUNTO,
        mensaje=f"No adjuntó el documento «{tipo.nombre}»{por_que}: No Apto/a.",
    )


def verificar(tipo: TipoDocumento, candidato: Candidato, adjuntos: Mapping[str, Documento] | None = None
              ) -> list[Motivo]:
    """The reasons for one required document type: one per failure, or one met reason."""
    doc = buscar(tipo, indice(candidato.documentos) if adjuntos is None else adjuntos)
    nombre = tipo.nombre
    if doc is None:
        return [_no_adjunto(tipo)]
    if doc.paginas >= 1 and doc.validado and doc.en_plazo:
        return [_conforme(nombre, doc.paginas)]
    declarado = f"adjunto, {doc.paginas} página(s), {'validado' if doc.validado else 'sin validar'}"
    fallas = []
    if doc.paginas < 1:
        fallas.append(Motivo(
            requisito=f"{nombre}: N° de páginas", declarado=declarado, computado=str(doc.paginas), cumple=False,
            clausula=CLAUSULA_PAGINAS,
            mensaje=f"El documento «{nombre}» no tiene páginas registradas (N° de páginas: {doc.paginas}): "
                    "No Apto/a.",
        ))
    if not doc.validado:
        fallas.append(Motivo(
            requisito=f"{nombre}: Validar Documento", declarado=declarado, computado="casilla sin marcar",
            cumple=False, clausula=CLAUSULA_VALIDADO,
            mensaje=f"No activó la casilla «Validar Documento» del documento «{nombre}»: No Apto/a.",
        ))
    if not doc.en_plazo:
        fallas.append(Motivo(
            requisito=f"{nombre}: carga en plazo", declarado=declarado, computado="fuera de plazo", cumple=False,
            clausula=CLAUSULA_PLAZO,
            mensaje=f"El documento «{nombre}» se cargó fuera del plazo de postulación: No Apto/a.",
        ))
    return fallas


@lru_cache(maxsize=4096)
def _conforme(nombre: str, paginas: int) -> Motivo:
    """The met reason of a document (immutable, so shared by every candidate with the same one)."""
    return Motivo(
        requisito=nombre, declarado=f"adjunto, {paginas} página(s), validado", computado=f"{paginas} página(s)",
        cumple=True, clausula=CLAUSULA_VALIDADO, mensaje=f"Adjuntó y validó «{nombre}» ({paginas} página(s)).",
    )


@hookimpl
def casadmin_verificar_documentos(ctx: Contexto, candidato: Candidato) -> list[Motivo]:
    """Every document of the bases version the candidate must attach, in the manual's order (Mig. 7–8)."""
    adjuntos = indice(candidato.documentos)
    return [
        motivo
        for tipo in ctx.bases.documentos
        if requerido(tipo, candidato)
        for motivo in verificar(tipo, candidato, adjuntos)
    ]
