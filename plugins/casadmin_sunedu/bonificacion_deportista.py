"""Bonus for Deportistas Calificados de Alto Nivel, levels 1–5, when the profile requires it (§4.3.1)."""

from __future__ import annotations

from decimal import Decimal

from casadmin.engine.model import Candidato, Contexto
from casadmin.hookspecs import hookimpl
from casadmin.rules.scores import bonificacion_deportista
from casadmin_sunedu.acreditacion import acreditado


@hookimpl
def casadmin_bonificaciones(ctx: Contexto, candidato: Candidato, puntaje: Decimal):
    if not acreditado(ctx, candidato, "doc_deportista"):  # §4.3: the IPD's documents, at the curricular stage
        return []
    b = bonificacion_deportista(
        puntaje, nivel=candidato.deportista_nivel,
        perfil_exige_deportista=ctx.convocatoria.perfil.requiere_deportista,
        tasas={int(k): v for k, v in ctx.parametros["bonificacion.deportista"].items()},
    )
    return [b] if b else []
