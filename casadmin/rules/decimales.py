"""Decimal helpers shared by the rules: one number type for scores, hours and credits.

Floats are refused everywhere (``TypeError``): a score such as 35.55 must be
exact. Truncation is exact too: divisions are done in a context that rounds
toward zero, so truncating afterwards never sees a value rounded up.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, localcontext
from functools import lru_cache

Numero = Decimal | int


def como_decimal(valor: object) -> Decimal:
    """Return ``valor`` as a Decimal; ints are exact and accepted, floats, bools and strings are not."""
    if isinstance(valor, bool) or not isinstance(valor, (Decimal, int)):
        raise TypeError(f"Se esperaba Decimal (o int), se recibió {type(valor).__name__}: {valor!r}")
    return valor if isinstance(valor, Decimal) else Decimal(valor)


def en_llano(valor: Decimal) -> str:
    """A decimal in plain notation, as the format writes its decimals: «7500» for 7.5E+3, and a zero read as
    «-0.0» without its sign («0.0»), since they have none."""
    return format(valor.copy_abs() if valor.is_zero() else valor, "f")


@lru_cache(maxsize=4096)  # the same few hours and scores recur over a call
def sin_ceros(valor: Decimal) -> str:
    """A decimal written exactly, without trailing zeros or an exponent: 26, 7.5, 40 (for 40.0 or 4E+1); 0 for
    a zero read as «-0.0» (:func:`en_llano`)."""
    texto = en_llano(valor)
    return texto.rstrip("0").rstrip(".") if "." in texto else texto


def dos_decimales(valor: Decimal) -> str:
    """A score as the interchange format writes it in results: always two decimals, 26.00, 30.33 (the
    precision the bases compute scores to, §4.2.5 g); inputs and percentages are written :func:`sin_ceros`."""
    if valor != valor.quantize(Decimal("0.01"), rounding=ROUND_DOWN) or valor < 0:  # never rounded, never «-0.00»
        raise ValueError(f"un puntaje se escribe con dos decimales como máximo y no es negativo: {valor}")
    return f"{abs(valor) if valor == 0 else valor:.2f}"


def truncar(valor: Numero, decimales: int = 2) -> Decimal:
    """Truncate (never round) to ``decimales`` places, as §4.2.5 g requires for scores."""
    numero = como_decimal(valor)
    if decimales < 0:
        raise ValueError("decimales debe ser 0 o más")
    return numero.quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_DOWN)


def dividir(dividendo: Numero, divisor: Numero, decimales: int = 2) -> Decimal:
    """Divide and truncate to ``decimales`` places without any intermediate rounding up."""
    a, b = como_decimal(dividendo), como_decimal(divisor)
    with localcontext() as contexto:
        contexto.prec = 60
        contexto.rounding = ROUND_DOWN
        return truncar(a / b, decimales)


def porcentaje(base: Numero, por_ciento: Numero, decimales: int = 2) -> Decimal:
    """``por_ciento`` % of ``base``, truncated to ``decimales`` places."""
    return dividir(como_decimal(base) * como_decimal(por_ciento), 100, decimales)
