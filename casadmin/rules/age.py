"""Age in whole years, and the Ley 31533 young-professional condition (§4.2.5 h, §4.3.2).

Interpretation: age is counted in completed years; a person born on 29
February completes a year on 1 March in common years. "Como máximo 29 años
de edad al inicio del plazo de la postulación" means age ≤ 29 on the first
day of the application period (the caller passes that date, not the day the
person applied).
"""

from __future__ import annotations

from datetime import date

from casadmin.rules.reasons import Motivo, fecha

#: Ley 31533, §4.2.5 h and §4.3.2: the SUNEDU bases' value; a bases version sets its own
#: (``ley31533.edad_maxima``), which callers pass as ``edad_maxima``.
EDAD_MAXIMA_31533 = 29


def edad(fecha_nacimiento: date, en: date) -> int:
    """Completed years of age at ``en``."""
    if en < fecha_nacimiento:
        raise ValueError("La fecha de cálculo es anterior al nacimiento")
    cumplio = (en.month, en.day) >= (fecha_nacimiento.month, fecha_nacimiento.day)
    return en.year - fecha_nacimiento.year - (0 if cumplio else 1)


def es_joven_31533(fecha_nacimiento: date, inicio_postulacion: date, edad_maxima: int = EDAD_MAXIMA_31533) -> bool:
    """29 years old (``edad_maxima``) or less at the start of the application period (Ley 31533)."""
    return edad(fecha_nacimiento, inicio_postulacion) <= edad_maxima


def motivo_joven_31533(fecha_nacimiento: date, inicio_postulacion: date,
                       edad_maxima: int = EDAD_MAXIMA_31533) -> Motivo:
    """The same decision, with its reason."""
    anos = edad(fecha_nacimiento, inicio_postulacion)
    cumple = anos <= edad_maxima
    return Motivo(
        requisito=f"Edad máxima de {edad_maxima} años (Ley N° 31533)",
        declarado=f"nacimiento {fecha(fecha_nacimiento)}",
        computado=f"{anos} años al {fecha(inicio_postulacion)}",
        cumple=cumple,
        clausula="§4.3.2",
        mensaje=(f"Tiene {anos} años al inicio del plazo de postulación"
                 + ("." if cumple else f"; supera los {edad_maxima} años.")),
    )
