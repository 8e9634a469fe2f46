"""Merit order, winners and accesitarios (§4.2.6, D8): final score, then interview, then exam,
then a committee decision recorded with its reason."""

from __future__ import annotations

from collections.abc import Sequence

from casadmin.engine.model import Contexto
from casadmin.hookspecs import hookimpl
from casadmin.rules.ranking import Finalista, ResultadoFinal, resultado_final


@hookimpl
def casadmin_orden_merito(ctx: Contexto, finalistas: Sequence[Finalista]) -> ResultadoFinal:
    return resultado_final(finalistas, posiciones=ctx.convocatoria.posiciones, decisiones=ctx.decisiones_comite,
                           accesitarios=int(ctx.parametros["resultado.accesitarios"]))  # §4.4 f
