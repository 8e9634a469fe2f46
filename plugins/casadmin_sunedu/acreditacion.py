"""The documents that support a bonus (§4.3): "siempre y cuando el/la candidato/a haya declarado dicha
condición en su Ficha de Postulante y presentado la documentación respectiva en la etapa de Evaluación
Curricular". The curricular evaluator records each one on the expediente's checklist
(``casadmin.etapas.LISTA_CURRICULAR``, the same codes with ``lista:``; the format's
``entradas.curricular.lista``).

Only a document recorded as not presented («No cumple») withholds its bonus: like the rest of that
checklist, an item left unchecked («No aplica» or blank) records no observation, so a call whose
evaluators did not use these items gives the bonuses the Ficha declares, as before the items existed.
"""

from __future__ import annotations

from casadmin.engine.model import Candidato
from casadmin.rules.reasons import Motivo

#: Checklist code → (document, clause, what withholding it means for the bonus it supports).
DOCUMENTOS = {
    "doc_deportista": ("Documentos del Instituto Peruano del Deporte que acreditan la condición de deportista "
                       "calificado de alto nivel, el evento y el logro", "§4.3.1",
                       "no se otorga la Bonificación por Deportista Calificado de Alto Nivel"),
    "dni_31533": ("Copia del DNI u otro documento con la fecha de nacimiento (Ley N° 31533)", "§4.3.2",
                  "no se otorgan las bonificaciones de la Ley N° 31533 (§4.2.5 h, §4.3.2)"),
    "doc_discapacidad": ("Carné del CONADIS o certificado de discapacidad", "§4.3.3",
                         "no se otorga la Bonificación por Discapacidad"),
    "doc_ffaa": ("Documento oficial que acredita la condición de licenciado de las Fuerzas Armadas", "§4.3.4",
                 "no se otorga la Bonificación por Licenciado de las FF.AA."),
}


def acreditado(cand: Candidato, codigo: str) -> bool:
    """Whether the bonus this document supports may be given: not recorded as missing (see above)."""
    return cand.entradas.lista_curricular.get(codigo) is not False


def sin_acreditar(cand: Candidato, declarados: dict[str, bool]) -> tuple[Motivo, ...]:
    """The reasons, for the curricular stage's result, of each bonus the candidate declared (``declarados``:
    code → declared the condition) whose document the evaluator recorded as not presented."""
    return tuple(
        Motivo(requisito=texto, declarado="condición declarada en la Ficha", computado="no presentado",
               cumple=False, clausula=clausula,
               mensaje=f"No presentó {texto[0].lower() + texto[1:]} en la Evaluación Curricular: {bono}.")
        for codigo, (texto, clausula, bono) in DOCUMENTOS.items()
        if declarados.get(codigo) and not acreditado(cand, codigo)
    )
