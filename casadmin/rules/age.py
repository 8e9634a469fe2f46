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

EDAD_MAXIMA_31533 = 29  # Ley 31533, §4.2.5 h and §4.3.2


def edad(fecha_nacimiento: date, en: date) -> int:
    """Completed years of age at ``en``."""
    if en < fecha_nacimiento:
        raise ValueError("La fecha de cálculo es anterior al nacimiento")
    cumplio = (en.month, en.day) >= (fecha_nacimiento.month, fecha_nacimiento.day)
    return en.year - fecha_nacimiento.year - (0 if cumplio else 1)


def es_joven_31533(fecha_nacimiento: date, inicio_postulacion: date) -> bool:
    """29 years old or less at the start of the application period (Ley 31533)."""
    return edad(fecha_nacimiento, inicio_postulacion) <= EDAD_MAXIMA_31533


def motivo_joven_31533(fecha_nacimiento: date, inicio_postulacion: date) -> Motivo:
    """The same decision, with its reason."""
    anos = edad(fecha_nacimiento, inicio_postulacion)
    cumple = anos <= EDAD_MAXIMA_31533
    return Motivo(
        requisito="Edad máxima de 29 años (Ley N° 31533)",
        declarado=f"nacimiento {fecha(fecha_nacimiento)}",
        computado=f"{anos} años al {fecha(inicio_postulacion)}",
        cumple=cumple,
        clausula="§4.3.2",
        mensaje=(f"Tiene {anos} años al inicio del plazo de postulación"
                 + ("." if cumple else "; supera los 29 años.")),
    )
