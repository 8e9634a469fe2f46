"""Bonus for Licenciados de las FF.AA. (10 %, §4.3.4) and persons with disability (15 %, §4.3.3); both 25 %."""

from __future__ import annotations

from decimal import Decimal

from casadmin.engine.model import Candidato, Contexto
from casadmin.hookspecs import hookimpl
from casadmin.rules.scores import bonificacion_ffaa_discapacidad
from casadmin_sunedu.acreditacion import acreditado


@hookimpl
def casadmin_bonificaciones(ctx: Contexto, candidato: Candidato, puntaje: Decimal):
    b = bonificacion_ffaa_discapacidad(
        # §4.3: each condition declared, and its document presented at the curricular stage (§4.3.3, §4.3.4)
        puntaje, licenciado_ffaa=candidato.licenciado_ffaa and acreditado(ctx, candidato, "doc_ffaa"),
        discapacidad=candidato.discapacidad and acreditado(ctx, candidato, "doc_discapacidad"),
        tasa_ffaa=ctx.parametros["bonificacion.ffaa"], tasa_discapacidad=ctx.parametros["bonificacion.discapacidad"],
    )
    return [b] if b else []
