"""Scores and bonuses (§4.2.2, §4.2.4, §4.2.5, §4.2.6, §4.3). ``Decimal`` only.

Every function refuses floats (``TypeError``); ints are accepted as exact.

Interpretations (short and explicit)
------------------------------------
* Interview (§4.2.5 g): the stage score is the average of the members'
  totals, truncated (never rounded) to two decimals. Pass marks: 20 of 40
  with exam, 30 of 50 without (§4.2.5 i, j).
* Ley 31533 interview bonus (§4.2.5 h): 10 % of the interview score,
  truncated to two decimals like every score here; only when the raw
  interview score already reaches the pass mark (the bonus cannot make a
  candidate pass). The bonus becomes part of the interview stage score, so
  it counts in the final score and in the tie-break "mayor puntaje en la
  Entrevista Personal".
* Curricular evaluation (§4.2.4): each factor gives all its points when met
  and 0 otherwise; any factor not met makes the candidate No apto. When the
  profile asks no public-sector experience, that factor's points are added
  to specific experience (Observación).
* Final-score bonuses (§4.2.6, §4.3): all are percentages of the same base,
  the final score before bonuses (sum of stage scores, interview bonus
  included); they are not compounded and their order does not matter. Each
  amount is truncated to two decimals and then added. FF.AA. (10 %) and
  discapacidad (15 %) together are one bonus of 25 % ("estas se suman
  otorgando ... 25 %", §4.2.6), so the sum is truncated once.
* Athlete bonus (§4.3.1): only when the profile requires the athlete
  condition; base = the final score like the other bonuses (MISSION D7;
  §4.3.1 makes passing the curricular stage a condition, and does not name
  another base). Levels 1–5 give 20/16/12/8/4 %.
* Ley 31533 special bonus (§4.3.2): 1, 2 or 3 percentage points of the final
  score for 1, 2 or 3+ whole years of public-sector experience (360-day
  years, see :mod:`casadmin.rules.periods`), for técnicos/profesionales aged
  29 or less at the start of the application period.
* Callers apply final-score bonuses only to candidates Apto in every stage
  (§4.3); these functions do not know the stages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from casadmin.rules.decimales import Numero, como_decimal, dividir, porcentaje, truncar
from casadmin.rules.reasons import Motivo

__all__ = [
    "Bonificacion",
    "Factor",
    "ResultadoCurricular",
    "aprueba_entrevista",
    "aprueba_examen",
    "bonificacion_deportista",
    "bonificacion_entrevista_31533",
    "bonificacion_especial_31533",
    "bonificacion_ffaa_discapacidad",
    "bonificaciones_finales",
    "evaluar_curricular",
    "promedio_entrevista",
    "puntaje_final",
    "tabla_curricular",
    "total_con_bonificaciones",
    "truncar",
]

# --- technical exam (§4.2.2 l) ----------------------------------------------------

EXAMEN_MINIMO = Decimal(21)
EXAMEN_MAXIMO = Decimal(30)


def _en_rango(valor: Numero, maximo: Decimal, que: str) -> Decimal:
    numero = como_decimal(valor)
    if not Decimal(0) <= numero <= maximo:
        raise ValueError(f"{que} fuera de rango: {numero} (0 a {maximo})")
    return numero


def aprueba_examen(puntaje: Numero, *, minimo: Numero = EXAMEN_MINIMO, maximo: Numero = EXAMEN_MAXIMO) -> bool:
    """Technical exam: pass mark 21 of 30 (§4.2.2 l); a bases version may pass its own marks."""
    return _en_rango(puntaje, como_decimal(maximo), "Puntaje del examen") >= como_decimal(minimo)


# --- interview (§4.2.5) --------------------------------------------------------------

ENTREVISTA = {True: (Decimal(20), Decimal(40)), False: (Decimal(30), Decimal(50))}  # §4.2.5 i, j: (mín, máx)


def promedio_entrevista(totales: Sequence[Numero], *, con_examen: bool | None = None) -> Decimal:
    """Average of the members' totals, truncated to two decimals (§4.2.5 g).

    With ``con_examen`` given, each total is checked against the stage maximum.
    """
    if not totales:
        raise ValueError("Se requiere el puntaje de al menos un integrante del Comité")
    numeros = [como_decimal(t) for t in totales]
    if con_examen is not None:
        numeros = [_en_rango(n, ENTREVISTA[con_examen][1], "Puntaje de entrevista") for n in numeros]
    return dividir(sum(numeros, Decimal(0)), len(numeros))  # §4.2.5 g: truncate, do not round


def aprueba_entrevista(puntaje: Numero, *, con_examen: bool,
                       marcas: tuple[Numero, Numero] | None = None) -> bool:
    """Interview pass mark: 20 of 40 with exam, 30 of 50 without (§4.2.5 i, j); ``marcas`` = (min, max)."""
    minimo, maximo = (como_decimal(m) for m in marcas) if marcas else ENTREVISTA[con_examen]
    return _en_rango(puntaje, maximo, "Puntaje de entrevista") >= minimo


@dataclass(frozen=True, kw_only=True)
class Bonificacion:
    """A bonus: ``monto`` = ``porcentaje`` % of ``base``, truncated to two decimals."""

    concepto: str
    porcentaje: Decimal
    base: Decimal
    monto: Decimal
    base_legal: str


def _bonificacion(concepto: str, por_ciento: Numero, base: Numero, base_legal: str) -> Bonificacion:
    numero = como_decimal(base)
    return Bonificacion(concepto=concepto, porcentaje=como_decimal(por_ciento), base=numero,
                        monto=porcentaje(numero, por_ciento), base_legal=base_legal)


BONIFICACION_ENTREVISTA_31533 = Decimal(10)


def bonificacion_entrevista_31533(puntaje_entrevista: Numero, *, joven: bool, tecnico_o_profesional: bool,
                                  con_examen: bool, tasa: Numero = BONIFICACION_ENTREVISTA_31533,
                                  marcas: tuple[Numero, Numero] | None = None) -> Bonificacion | None:
    """+10 % of the interview score for young técnicos/profesionales who passed it (§4.2.5 h, Ley 31533).
    A rate of 0 is the law not in force on the call's date (a bases version's parameter before it): no bonus,
    rather than a «Bonificación del 0 %»."""
    if not como_decimal(tasa) or not (joven and tecnico_o_profesional
            and aprueba_entrevista(puntaje_entrevista, con_examen=con_examen, marcas=marcas)):
        return None
    return _bonificacion(f"Bonificación del {tasa} % en la Entrevista Personal (jóvenes técnicos y profesionales)",
                         tasa, puntaje_entrevista,
                         "Ley N° 31533 y su Reglamento (D.S. N° 078-2025-PCM); Bases §4.2.5 h")


# --- curricular evaluation (§4.2.4) -----------------------------------------------------


class Factor(StrEnum):
    """Curricular evaluation factors, in the order of the §4.2.4 tables."""

    EXPERIENCIA_GENERAL = "experiencia_general"
    EXPERIENCIA_ESPECIFICA = "experiencia_especifica"
    EXPERIENCIA_PUBLICA = "experiencia_publica"
    FORMACION = "formacion"
    CURSOS = "cursos"


#: Names of the factors as the §4.2.4 tables print them.
FACTORES: dict[Factor, str] = {
    Factor.EXPERIENCIA_GENERAL: "Experiencia general",
    Factor.EXPERIENCIA_ESPECIFICA: "Experiencia específica",
    Factor.EXPERIENCIA_PUBLICA: "Experiencia específica en el sector público",
    Factor.FORMACION: "Formación académica, grado académico y/o nivel de estudios",
    Factor.CURSOS: "Cursos y/o programas de especialización",
}

#: §4.2.4 tables: points of each factor with and without the technical exam.
PUNTOS_CURRICULARES: dict[bool, dict[Factor, Decimal]] = {
    True: dict(zip(Factor, map(Decimal, (4, 8, 8, 6, 4)), strict=True)),
    False: dict(zip(Factor, map(Decimal, (8, 12, 12, 10, 8)), strict=True)),
}


def tabla_curricular(*, con_examen: bool, pide_experiencia_publica: bool = True,
                     puntos: Mapping[Factor, Decimal] | None = None) -> dict[Factor, Decimal]:
    """Points per factor (§4.2.4); public-sector points move to specific experience when not asked (Observación).

    ``puntos`` replaces the §4.2.4 table (a bases version's own table).
    """
    tabla = dict(puntos if puntos is not None else PUNTOS_CURRICULARES[con_examen])
    if not pide_experiencia_publica:
        tabla[Factor.EXPERIENCIA_ESPECIFICA] += tabla.pop(Factor.EXPERIENCIA_PUBLICA)
    return tabla


@dataclass(frozen=True, kw_only=True)
class ResultadoCurricular:
    """Points per factor, total, and Apto / No apto with reasons (§4.2.4)."""

    puntos: Mapping[Factor, Decimal]
    total: Decimal
    apto: bool
    motivos: tuple[Motivo, ...]


def evaluar_curricular(cumplimiento: Mapping[Factor, bool], *, con_examen: bool,
                       pide_experiencia_publica: bool = True,
                       puntos: Mapping[Factor, Decimal] | None = None) -> ResultadoCurricular:
    """Points of the curricular evaluation; any factor not met → No apto (§4.2.4)."""
    tabla = tabla_curricular(con_examen=con_examen, pide_experiencia_publica=pide_experiencia_publica, puntos=puntos)
    if set(cumplimiento) != set(tabla):
        raise ValueError(f"Se esperaban los factores {sorted(tabla)}, se recibieron {sorted(cumplimiento)}")
    puntos = {factor: (tabla[factor] if cumplimiento[factor] else Decimal(0)) for factor in tabla}
    motivos = tuple(
        Motivo(requisito=factor.value, declarado="cumple" if cumplimiento[factor] else "no cumple",
               computado=f"{puntos[factor]} de {tabla[factor]}", cumple=cumplimiento[factor], clausula="§4.2.4",
               mensaje=(f"{FACTORES[factor]}: cumple los requisitos mínimos ({tabla[factor]} puntos)."
                        if cumplimiento[factor]
                        else f"{FACTORES[factor]}: no cumple los requisitos mínimos (0 puntos); No Apto/a."))
        for factor in tabla
    )
    return ResultadoCurricular(puntos=puntos, total=sum(puntos.values(), Decimal(0)),
                               apto=all(cumplimiento.values()), motivos=motivos)


# --- final score and bonuses (§4.2.6, §4.3) ---------------------------------------------


def puntaje_final(*, curricular: Numero, entrevista: Numero, examen: Numero | None = None) -> Decimal:
    """Sum of the stage scores (§4.2.6 a); ``entrevista`` already includes its Ley 31533 bonus."""
    partes = [curricular, entrevista] + ([] if examen is None else [examen])
    return sum((como_decimal(p) for p in partes), Decimal(0))


BONIFICACION_FFAA = Decimal(10)  # §4.3.4
BONIFICACION_DISCAPACIDAD = Decimal(15)  # §4.3.3
BONIFICACION_DEPORTISTA = {1: Decimal(20), 2: Decimal(16), 3: Decimal(12), 4: Decimal(8), 5: Decimal(4)}  # §4.3.1
BONIFICACION_ESPECIAL_31533 = {1: Decimal(1), 2: Decimal(2), 3: Decimal(3)}  # §4.3.2, percentage points

_LEGAL_FFAA = "Ley N° 29248, Ley del Servicio Militar; Bases §4.3.4"
_LEGAL_DISCAPACIDAD = "Ley N° 29973, Ley General de la Persona con Discapacidad; Bases §4.3.3"


def bonificacion_ffaa_discapacidad(base: Numero, *, licenciado_ffaa: bool, discapacidad: bool,
                                   tasa_ffaa: Numero = BONIFICACION_FFAA,
                                   tasa_discapacidad: Numero = BONIFICACION_DISCAPACIDAD) -> Bonificacion | None:
    """10 % (FF.AA.), 15 % (discapacidad) or, both, one bonus of 25 % of the final score (§4.2.6, §4.3.3, §4.3.4)."""
    ffaa, disc = como_decimal(tasa_ffaa), como_decimal(tasa_discapacidad)
    if licenciado_ffaa and discapacidad:
        return _bonificacion("Bonificación por Licenciado de las FF.AA. y por Discapacidad",
                             ffaa + disc, base, f"{_LEGAL_FFAA}; {_LEGAL_DISCAPACIDAD}; Bases §4.2.6")
    if licenciado_ffaa:
        return _bonificacion("Bonificación por Licenciado de las FF.AA.", ffaa, base, _LEGAL_FFAA)
    if discapacidad:
        return _bonificacion("Bonificación por Discapacidad", disc, base, _LEGAL_DISCAPACIDAD)
    return None


def bonificacion_deportista(base: Numero, *, nivel: int | None, perfil_exige_deportista: bool,
                            tasas: Mapping[int, Numero] = BONIFICACION_DEPORTISTA) -> Bonificacion | None:
    """Deportista Calificado de Alto Nivel, levels 1–5, only if the profile requires it (§4.3.1, Ley 27674)."""
    if nivel is None or not perfil_exige_deportista:
        return None
    if nivel not in tasas:
        raise ValueError(f"Nivel de deportista inválido: {nivel} (1 a 5)")
    return _bonificacion(f"Bonificación por Deportista Calificado de Alto Nivel (nivel {nivel})",
                         tasas[nivel], base,
                         "Ley N° 27674; Informe Técnico N° 2056-2019-SERVIR-GPGSC; Bases §4.3.1")


def bonificacion_especial_31533(base: Numero, *, anios_experiencia_publica: int, joven: bool,
                                tecnico_o_profesional: bool,
                                tabla: Mapping[int, Numero] = BONIFICACION_ESPECIAL_31533) -> Bonificacion | None:
    """1, 2 or 3 percentage points for 1, 2 or 3+ whole years in the public sector (§4.3.2, Ley 31533). An
    empty table, or 0 points, is the law not in force on the call's date: no bonus."""
    if not (joven and tecnico_o_profesional) or anios_experiencia_publica < 1 or not tabla:
        return None
    puntos = tabla[min(anios_experiencia_publica, max(tabla))]
    if not como_decimal(puntos):
        return None
    return _bonificacion(f"Bonificación especial por {anios_experiencia_publica} año(s) de experiencia en el "
                         "sector público", puntos, base, "Ley N° 31533; Bases §4.3.2")


def bonificaciones_finales(puntaje: Numero, *, licenciado_ffaa: bool = False, discapacidad: bool = False,
                           nivel_deportista: int | None = None, perfil_exige_deportista: bool = False,
                           anios_experiencia_publica: int = 0, joven_31533: bool = False,
                           tecnico_o_profesional: bool = False) -> list[Bonificacion]:
    """Every bonus on the final score, each computed on the same base (§4.2.6, §4.3)."""
    candidatas = [
        bonificacion_ffaa_discapacidad(puntaje, licenciado_ffaa=licenciado_ffaa, discapacidad=discapacidad),
        bonificacion_deportista(puntaje, nivel=nivel_deportista, perfil_exige_deportista=perfil_exige_deportista),
        bonificacion_especial_31533(puntaje, anios_experiencia_publica=anios_experiencia_publica,
                                    joven=joven_31533, tecnico_o_profesional=tecnico_o_profesional),
    ]
    return [b for b in candidatas if b is not None]


def total_con_bonificaciones(puntaje: Numero, bonificaciones: Sequence[Bonificacion]) -> Decimal:
    """Final score plus the bonus amounts (§4.2.6: it can exceed 100)."""
    return truncar(como_decimal(puntaje) + sum((b.monto for b in bonificaciones), Decimal(0)))
