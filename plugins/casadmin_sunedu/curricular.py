"""Evaluación Curricular (§4.2.4, D4): expediente present and on time; each factor Cumple / No cumple."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from casadmin.engine.model import Candidato, Contexto, Resultado
from casadmin.hookspecs import hookimpl
from casadmin.rules.reasons import Motivo
from casadmin.rules.scores import Factor, evaluar_curricular
from casadmin_sunedu.acreditacion import acreditado, pide_formacion_31533, sin_acreditar
from casadmin_sunedu.entrevista import es_joven


#: The evaluator's checklist items whose failure alone makes the candidate No Apto/a (§4.2.4
#: "Presentación del Expediente Curricular": one PDF, and "cada una de las páginas que contengan
#: información, debe estar foliada (en número) de forma continua, de inicio a fin y dicho folio
#: acompañado por la firma o visto bueno (en ambos casos, manuscritos) de inicio a fin, de lo
#: contrario el/la candidato/a será considerado/a No Apto/a"; Criterios de Evaluación: "No Apto/a:
#: ... no cumple con la presentación del Expediente Curricular según los criterios indicados").
#: The other items (legible and matching the Ficha, translations) only keep a document from counting (§4.2.4
#: Consideraciones específicas, §4.6): the factors say it. The documents of the profile's other requirements
#: and of a required athlete condition decide a requirement (:func:`_otros_sin_acreditar`,
#: :func:`_deportista_sin_acreditar`: No Apto/a with the factors' points); those of a bonus, the bonus.
ELIMINATORIOS = {
    "un_pdf": ("Expediente en un (01) solo archivo PDF", "§4.2.4 Presentación del Expediente Curricular"),
    "foliado_firmado": ("Cada página con información foliada (en número) y con firma o visto bueno manuscritos",
                        "§4.2.4 Presentación del Expediente Curricular"),
}


def _tabla(ctx: Contexto) -> dict[Factor, Decimal]:
    clave = "curricular.puntos_con_examen" if ctx.convocatoria.incluye_examen else "curricular.puntos_sin_examen"
    return {Factor(k): Decimal(v) for k, v in ctx.parametros[clave].items()}


@hookimpl
def casadmin_evaluar_curricular(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado]:
    conv = ctx.convocatoria
    pide_publica = bool(conv.perfil.experiencia_publica_meses)
    tabla = _tabla(ctx)
    out = []
    for cand in candidatos:
        e = cand.entradas
        if not e.expediente_presentado or not e.expediente_en_plazo:
            motivo = Motivo(requisito="Expediente Curricular", declarado="no presentado" if not e.expediente_presentado
                            else "fuera de plazo", computado="", cumple=False, clausula="§4.2.4 Criterios",
                            mensaje="No adjuntó el Expediente Curricular en la fecha y horario establecidos: No Apto/a.")
            out.append(Resultado(candidato=cand.id, etapa="curricular", resultado="no_apto", puntaje=Decimal(0),
                                 motivos=(motivo,)))
            continue
        fallas = tuple(Motivo(requisito=texto, declarado="no conforme", computado="verificado por el evaluador",
                              cumple=False, clausula=clausula,
                              mensaje=f"{texto}: no conforme. No cumple la presentación del Expediente Curricular: "
                                      "No Apto/a.")
                       for codigo, (texto, clausula) in ELIMINATORIOS.items() if e.lista_curricular.get(codigo) is False)
        if fallas:
            out.append(Resultado(candidato=cand.id, etapa="curricular", resultado="no_apto", puntaje=Decimal(0),
                                 motivos=fallas))
            continue
        cumplimiento = {f: bool(e.factores_curriculares.get(f.value, False)) for f in Factor}
        if not pide_publica:  # §4.2.4 Observación: its points move to specific experience
            cumplimiento.pop(Factor.EXPERIENCIA_PUBLICA)
        r = evaluar_curricular(cumplimiento, con_examen=conv.incluye_examen, pide_experiencia_publica=pide_publica,
                               puntos=tabla)
        # §4.3: a bonus declared whose document was recorded as not presented is not given; said here,
        # where the expediente is judged (the score does not change)
        bonos = sin_acreditar(ctx, cand, {
            "doc_deportista": cand.deportista_nivel is not None and conv.perfil.requiere_deportista,
            "dni_31533": cand.tecnico_o_profesional and es_joven(ctx, cand),
            "formacion_31533": cand.tecnico_o_profesional and es_joven(ctx, cand) and pide_formacion_31533(ctx),
            "doc_discapacidad": cand.discapacidad, "doc_ffaa": cand.licenciado_ffaa})
        requisitos = tuple(filter(None, (_otros_sin_acreditar(ctx, cand), _deportista_sin_acreditar(ctx, cand))))
        out.append(Resultado(candidato=cand.id, etapa="curricular",
                             resultado="apto" if r.apto and not requisitos else "no_apto",
                             puntaje=r.total, motivos=(*r.motivos, *bonos, *requisitos),
                             detalle={"puntos": {f.value: str(v) for f, v in r.puntos.items()}}))
    return out


def _otros_sin_acreditar(ctx: Contexto, cand: Candidato) -> Motivo | None:
    """The profile's other requirements (a certification, a driving licence: §4.2.1 Otros requisitos, «presentar
    el documento sustentatorio en la etapa de Evaluación Curricular») whose documents the evaluator recorded
    as not presented («No cumple» on ``otros_requisitos``): the candidate «no acredita mediante la
    documentación correspondiente uno (01) o más requisitos exigidos en el perfil del puesto», No Apto/a
    (§4.2.4 Criterios de Evaluación). Not recorded, nothing is said: the Ficha stage read them declared."""
    otros = ctx.convocatoria.perfil.otros
    if not otros or cand.entradas.lista_curricular.get("otros_requisitos") is not False:
        return None
    cuales = "uno o más de los otros requisitos" if len(otros) > 1 else "el otro requisito"  # the item is one for all
    return Motivo(requisito="Otros requisitos del perfil", declarado="; ".join(otros), computado="no acreditados",
                  cumple=False, clausula="§4.2.4 Criterios de Evaluación; §4.2.1 Otros requisitos",
                  mensaje=f"No acredita con documentos {cuales} del perfil ({'; '.join(otros)}): No Apto/a.")


def _deportista_sin_acreditar(ctx: Contexto, cand: Candidato) -> Motivo | None:
    """A profile that requires the condition of Deportista Calificado de Alto Nivel makes it a requirement
    (§4.3.1: "el perfil del puesto … exija como requisito"), met in the Ficha by declaring it (§4.2.1) and
    here by its documents: without them recorded as presented, the candidate «no acredita mediante la
    documentación correspondiente uno (01) o más requisitos exigidos en el perfil del puesto» and is No
    Apto/a (§4.2.4 Criterios de Evaluación), besides losing the bonus (the reason above)."""
    if not ctx.convocatoria.perfil.requiere_deportista or acreditado(ctx, cand, "doc_deportista"):
        return None
    return Motivo(requisito="Condición de Deportista Calificado(a) de Alto Nivel (requisito del perfil)",
                  declarado="condición declarada en la Ficha", computado="no acreditada", cumple=False,
                  clausula="§4.2.4 Criterios de Evaluación; §4.3.1",
                  mensaje="No acredita con los documentos del Instituto Peruano del Deporte la condición de "
                          "deportista calificado(a) de alto nivel que el perfil exige como requisito: No Apto/a.")
