"""Entrevista Personal (§4.2.5, D6).

The stage score is the average of the committee members' totals, truncated to
two decimals (§4.2.5 g); pass mark 20 of 40 with exam, 30 of 50 without;
absence eliminates. Young técnicos and profesionales (Ley 31533, 29 or less at
the start of the application period) who pass get +10 % of the interview score.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from casadmin.engine.model import Candidato, Contexto, Resultado
from casadmin.hookspecs import hookimpl
from casadmin.rules.age import edad
from casadmin.rules.decimales import sin_ceros
from casadmin.rules.reasons import Motivo
from casadmin.rules.scores import aprueba_entrevista, bonificacion_entrevista_31533, promedio_entrevista
from casadmin_sunedu.acreditacion import acredita_31533


#: A candidate who came but could not take the interview (the committee's sheets record why): what the
#: reason says and the clause. «no_se_presento» (did not come, §4.6) keeps its own result.
NO_RINDIO = {
    "sin_documento": ("sin documento de identidad", "§4.2.5 d",
                      "No presentó su DNI, carné de extranjería, licencia de conducir o pasaporte vigente y original "
                      "(ni la denuncia o el certificado C4 del RENIEC): no pudo rendir la Entrevista Personal. "
                      "No Apto/a."),
    "incumplio_indicaciones": ("incumplió las indicaciones", "§4.2.5 c",
                               "Incumplió las indicaciones comunicadas por correo electrónico o en la sala virtual "
                               "antes del inicio de la Entrevista Personal: No Apto/a, sin lugar a reclamo."),
}


def es_joven(ctx: Contexto, cand: Candidato) -> bool:
    """Ley 31533: 29 years or less at the start of the application period."""
    return edad(cand.fecha_nacimiento, ctx.fecha_postulacion) <= int(ctx.parametros["ley31533.edad_maxima"])


@hookimpl
def casadmin_evaluar_entrevista(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado]:
    con_examen = ctx.convocatoria.incluye_examen
    clave = "entrevista.marcas_con_examen" if con_examen else "entrevista.marcas_sin_examen"
    minimo, maximo = ctx.parametros[clave]
    tasa = ctx.parametros["entrevista.bonificacion_31533"]
    out = []
    for cand in candidatos:
        e = cand.entradas
        if not e.entrevista_asistio or not e.hojas:
            causa = e.entrevista_causa if not e.entrevista_asistio else None
            if causa in NO_RINDIO:  # present, but the interview could not be taken (§4.2.5 c, d)
                declarado, clausula, mensaje = NO_RINDIO[causa]
                motivo = Motivo(requisito="Asistencia", declarado=declarado, computado="", cumple=False,
                                clausula=clausula, mensaje=mensaje)
                out.append(Resultado(candidato=cand.id, etapa="entrevista", resultado="no_apto", motivos=(motivo,)))
                continue
            motivo = Motivo(requisito="Asistencia", declarado="no asistió", computado="", cumple=False,
                            clausula="§4.6", mensaje="No se presentó a la Entrevista Personal: No Apto/a.")
            out.append(Resultado(candidato=cand.id, etapa="entrevista", resultado="no_se_presento", motivos=(motivo,)))
            continue
        totales = [h.total for h in e.hojas]
        promedio = promedio_entrevista(totales)
        for t in totales:
            if not Decimal(0) <= t <= maximo:
                raise ValueError(f"Puntaje de entrevista fuera de rango para {cand.id}: {t} (0 a {maximo})")
        ok = aprueba_entrevista(promedio, con_examen=con_examen, marcas=(minimo, maximo))
        motivos = [Motivo(requisito=f"Puntaje mínimo aprobatorio {minimo} de {maximo}",
                          # «7.0» in a file is 7 in a table: the same reason either way
                          declarado=" / ".join(sin_ceros(t) for t in totales), computado=str(promedio), cumple=ok,
                          clausula=f"§4.2.5 g, {'i' if con_examen else 'j'}",  # the average (g), its pass mark (i, j)
                          mensaje=f"Promedio de los integrantes del Comité (truncado): {promedio}; "
                                  + (f"alcanza el mínimo aprobatorio de {minimo}." if ok else
                                     f"no alcanza el mínimo aprobatorio de {minimo}: No Apto/a."))]
        puntaje = promedio
        detalle: dict[str, str] = {"promedio": str(promedio)}
        # §4.2.5 h: "acreditar su edad y formación técnica o profesional": the DNI presented at the curricular
        # stage (§4.3.2), and the training's document where the profile does not ask for it
        bono = bonificacion_entrevista_31533(promedio, joven=es_joven(ctx, cand) and acredita_31533(ctx, cand),
                                             tecnico_o_profesional=cand.tecnico_o_profesional,
                                             con_examen=con_examen, tasa=tasa, marcas=(minimo, maximo))
        if bono is not None:
            puntaje = promedio + bono.monto
            detalle["bonificacion_31533"] = str(bono.monto)
            motivos.append(Motivo(requisito=bono.concepto, declarado="", computado=f"+{bono.monto}", cumple=True,
                                  clausula="§4.2.5 h", mensaje=f"{bono.concepto}: +{bono.monto} ({bono.base_legal})."))
        out.append(Resultado(candidato=cand.id, etapa="entrevista", resultado="apto" if ok else "no_apto",
                             puntaje=puntaje, motivos=tuple(motivos), detalle=detalle))
    return out
