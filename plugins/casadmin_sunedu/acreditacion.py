"""The documents that support a bonus (§4.3): "siempre y cuando el/la candidato/a haya declarado dicha
condición en su Ficha de Postulante y presentado la documentación respectiva en la etapa de Evaluación
Curricular". The curricular evaluator records each one on the expediente's checklist
(``casadmin.etapas.LISTA_CURRICULAR``, the same codes with ``lista:``; the format's
``entradas.curricular.lista``).

The bonus is given only when the evaluator recorded the document as presented («Cumple»): the clause
makes its presentation a condition, so an item recorded «No cumple», or never recorded (blank or «No
aplica»), withholds it, with a reason on the curricular result that says which. Before 0.3.0 only «No
cumple» withheld it (docs/changes.md).

A bases version whose applicants upload such a document when applying (``TipoDocumento.acredita``:
Migraciones' CONADIS and FF.AA. supports, Mig. 8–9, and the DNI's copy, Mig. 7–8) has it presented by that upload, attached with its
pages, validated and in time: an item never recorded gives the bonus then; «No cumple» still withholds it.
"""

from __future__ import annotations

from casadmin.engine.model import Candidato, Contexto
from casadmin.rules.reasons import Motivo

#: Checklist code → (document, clause, what withholding it means for the bonus it supports).
DOCUMENTOS = {
    "doc_deportista": ("Documentos del Instituto Peruano del Deporte que acreditan la condición de deportista "
                       "calificado de alto nivel, el evento y el logro", "§4.3.1",
                       "no se otorga la Bonificación por Deportista Calificado de Alto Nivel"),
    "dni_31533": ("Copia del DNI u otro documento con la fecha de nacimiento (Ley N° 31533)", "§4.3.2",
                  "no se otorgan las bonificaciones de la Ley N° 31533 (§4.2.5 h, §4.3.2)"),
    "formacion_31533": ("Documento que acredita la formación técnica o profesional (Ley N° 31533; el perfil solo "
                        "pide secundaria)", "§4.2.5 h",
                        "no se otorgan las bonificaciones de la Ley N° 31533 (§4.2.5 h, §4.3.2)"),
    "doc_discapacidad": ("Carné del CONADIS o certificado de discapacidad", "§4.3.3",
                         "no se otorga la Bonificación por Discapacidad"),
    "doc_ffaa": ("Documento oficial que acredita la condición de licenciado de las Fuerzas Armadas", "§4.3.4",
                 "no se otorga la Bonificación por Licenciado de las FF.AA."),
}
#: The article each document takes in a sentence: «No presentó el carné del CONADIS …».
_ARTICULOS = {"doc_deportista": "los", "dni_31533": "la", "formacion_31533": "el", "doc_discapacidad": "el",
              "doc_ffaa": "el"}


def acreditado(ctx: Contexto, cand: Candidato, codigo: str) -> bool:
    """Whether the bonus this document supports may be given: recorded as presented, or, never recorded,
    uploaded when applying where the bases version takes that upload for it (see above)."""
    registrado = cand.entradas.lista_curricular.get(codigo)
    if registrado is not None:
        return registrado is True
    tipos = {t.codigo for t in ctx.bases.documentos if t.acredita == codigo}
    return bool(tipos) and any(d.tipo in tipos and d.paginas >= 1 and d.validado and d.en_plazo
                               for d in cand.documentos)


def pide_formacion_31533(ctx: Contexto) -> bool:
    """Whether the Ley 31533 bonuses need a document of the técnico or professional training besides the
    DNI: §4.2.5 h asks the candidate to «acreditar su edad y formación técnica o profesional», and where
    the profile asks only secundaria no curricular factor proves that training."""
    return ctx.convocatoria.perfil.solo_secundaria


def acredita_31533(ctx: Contexto, cand: Candidato) -> bool:
    """The documents of the Ley 31533 bonuses (§4.2.5 h, §4.3.2): the DNI, or another document with the birth
    date, and, where :func:`pide_formacion_31533`, one of the técnico or professional training."""
    return acreditado(ctx, cand, "dni_31533") and (
        not pide_formacion_31533(ctx) or acreditado(ctx, cand, "formacion_31533"))


def sin_acreditar(ctx: Contexto, cand: Candidato, declarados: dict[str, bool]) -> tuple[Motivo, ...]:
    """The reasons, for the curricular stage's result, of each bonus the candidate declared (``declarados``:
    code → declared the condition) whose document the evaluator did not record as presented."""
    motivos = []
    for codigo, (texto, clausula, bono) in DOCUMENTOS.items():
        if not declarados.get(codigo) or acreditado(ctx, cand, codigo):
            continue
        documento = f"{_ARTICULOS[codigo]} {texto[0].lower()}{texto[1:]}"
        bono = bono.removesuffix(".")  # «… de las FF.AA.» ends the sentence: one period, not two
        if cand.entradas.lista_curricular.get(codigo) is False:
            computado, mensaje = "no presentado", f"No presentó {documento} en la Evaluación Curricular: {bono}."
        else:
            computado = "sin registro del evaluador"
            mensaje = (f"No consta que presentara {documento} en la Evaluación Curricular (el evaluador no lo "
                       f"registró como presentado): {bono}.")
        motivos.append(Motivo(requisito=texto, declarado="condición declarada en la Ficha", computado=computado,
                              cumple=False, clausula=clausula, mensaje=mensaje))
    return tuple(motivos)
