"""A FICTIONAL institution's own bonus: "bonificación por servicio en zona de frontera".

Example only, not a rule of any Peruvian institution. A candidate Apto in every
stage who declares (Ficha section 7) at least ``ejemplo.frontera.meses_minimos``
months (12) of employment or service contracts with employers whose name
contains one of ``ejemplo.frontera.palabras_clave`` (``"frontera"``, accents and
case ignored) receives ``ejemplo.frontera.porcentaje`` % (5 %) of the final score
before bonuses, truncated to two decimals, like the bonuses of §4.3: every
bonus is a percentage of the same base, not compounded (``casadmin.rules.scores``).

Periods are counted with the project's convention (:mod:`casadmin.rules.periods`):
calendar days of the union of periods, 30-day months, a current job up to the
first day of the application period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from casadmin.engine.model import Candidato, Contexto
from casadmin.hookspecs import hookimpl
from casadmin.rules.courses import normalizar
from casadmin.rules.decimales import porcentaje
from casadmin.rules.periods import alcanza, describir, total_dias
from casadmin.rules.scores import Bonificacion
from casadmin.rules.types import Experiencia, Periodo, TipoExperiencia

BASE_LEGAL = ("Ejemplo ficticio del plugin casadmin-ejemplo (no es una norma vigente); "
              "parámetro ejemplo.frontera.porcentaje")
#: Only work counts: employment and service contracts (prácticas, SERUMS, voluntariado… do not).
TIPOS = (TipoExperiencia.EMPLEO, TipoExperiencia.LOCACION)


def dias_en_frontera(experiencias: Sequence[Experiencia], palabras: Sequence[str], hasta: dt.date) -> int:
    """Days (each counted once) of employment at a border-zone employer, up to ``hasta``."""
    claves = [normalizar(p) for p in palabras]
    periodos = []
    for exp in experiencias:
        if exp.tipo not in TIPOS or exp.inicio > hasta:
            continue
        if any(clave in normalizar(exp.empleador) for clave in claves):
            periodos.append(Periodo(exp.inicio, min(exp.fin or hasta, hasta)))
    return total_dias(periodos)


@hookimpl
def casadmin_bonificaciones(ctx: Contexto, candidato: Candidato, puntaje: Decimal) -> list[Bonificacion]:
    """+5 % of the final score for 12 months or more at border-zone employers (fictional example)."""
    p = ctx.parametros
    dias = dias_en_frontera(candidato.experiencias, p["ejemplo.frontera.palabras_clave"], ctx.fecha_postulacion)
    if not dias or not alcanza(dias, meses=p["ejemplo.frontera.meses_minimos"]):
        return []
    tasa = p["ejemplo.frontera.porcentaje"]
    return [Bonificacion(
        concepto=f"Bonificación por servicio en zona de frontera ({describir(dias)}; ejemplo ficticio)",
        porcentaje=tasa, base=puntaje, monto=porcentaje(puntaje, tasa), base_legal=BASE_LEGAL,
    )]
