"""Who is called to the Entrevista Personal (§4.2.4, D5).

With the technical exam: the Aptos with the five highest accumulated scores,
everyone tied with the fifth included, plus two per additional position.
Without it: every Apto of the curricular evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from casadmin.engine.model import Contexto
from casadmin.hookspecs import hookimpl
from casadmin.rules.ranking import Acumulado, convocados_entrevista


@hookimpl
def casadmin_convocar_entrevista(ctx: Contexto, acumulados: Sequence[tuple[str, Decimal]]) -> list[str]:
    p = ctx.parametros
    elegidos = convocados_entrevista(
        [Acumulado(id=i, puntaje=s) for i, s in acumulados],
        con_examen=ctx.convocatoria.incluye_examen,
        posiciones=ctx.convocatoria.posiciones,
        base=int(p["entrevista.cupo_base"]),
        por_posicion=int(p["entrevista.cupo_por_posicion_adicional"]),
    )
    return [a.id for a in elegidos]
