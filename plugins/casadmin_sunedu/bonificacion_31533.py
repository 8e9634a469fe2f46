"""Ley 31533 special bonus: 1, 2 or 3 percentage points for 1, 2 or 3+ years in the public sector (§4.3.2)."""

from __future__ import annotations

from decimal import Decimal

from casadmin.engine.model import Candidato, Contexto
from casadmin.hookspecs import hookimpl
from casadmin.rules.experience import experiencia_publica
from casadmin.rules.scores import bonificacion_especial_31533
from casadmin_sunedu.acreditacion import acredita_31533
from casadmin_sunedu.entrevista import es_joven
from casadmin_sunedu.ficha import formacion_de_referencia


@hookimpl
def casadmin_bonificaciones(ctx: Contexto, candidato: Candidato, puntaje: Decimal):
    # §4.3.2: and a copy of the DNI (or another document with the birth date) at the curricular stage; the
    # training's document where the profile does not ask for it (§4.2.5 h)
    if not (es_joven(ctx, candidato) and candidato.tecnico_o_profesional and acredita_31533(ctx, candidato)):
        return []
    computo = experiencia_publica(candidato.experiencias, formacion_de_referencia(candidato, ctx),
                                  ctx.fecha_postulacion, ctx.convocatoria.perfil.solo_secundaria, especifica=False)
    b = bonificacion_especial_31533(
        puntaje, anios_experiencia_publica=int(computo.anios), joven=True, tecnico_o_profesional=True,
        tabla={int(k): v for k, v in ctx.parametros["bonificacion.especial_31533"].items()},
    )
    return [b] if b else []
