"""Identity documents accepted by C1: DNI, carné de extranjería and passport.

* DNI: 8 digits. When it is typed with its check digit (the CUI of the card, e.g.
  ``10117410-2``), python-stdnum's :mod:`stdnum.pe.cui` validates the check digit
  (a digit or a letter) and the 8-digit number is kept, so one person is always
  stored under one number.
* Carné de extranjería: python-stdnum has nothing for it (only ``pe.cui`` and
  ``pe.ruc``). Cards issued by Migraciones carry 9 digits, older ones up to 12
  characters, so 9 to 12 letters or digits are accepted, upper-cased.
* Passport: 6 to 12 letters or digits, upper-cased.

Spaces, dots and hyphens are dropped before checking. Errors raise
:class:`DocumentoInvalido` with a message for the applicant, in Spanish.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.pe import cui

TIPOS_DOCUMENTO: dict[str, str] = {
    "DNI": "DNI",
    "CE": "Carné de extranjería",
    "PASAPORTE": "Pasaporte",
}

_ALFANUMERICO = re.compile(r"[A-Z0-9]+")
_OCHO_DIGITOS = re.compile(r"[0-9]{8}")


class DocumentoInvalido(ValueError):
    """An identity document number that fails its check; the message is for the applicant."""


def _compact(numero: str | None) -> str:
    return re.sub(r"[\s.\-]", "", numero or "").upper()


def validar_dni(numero: str) -> str:
    """The 8-digit DNI, also when typed with its check digit; else :class:`DocumentoInvalido`."""
    value = _compact(numero)
    if len(value) == 9 and _OCHO_DIGITOS.fullmatch(value[:8]):
        try:
            return cui.validate(value)[:8]
        except InvalidChecksum:
            raise DocumentoInvalido("El dígito de verificación del DNI no es correcto.") from None
        except ValidationError:
            pass
    if not _OCHO_DIGITOS.fullmatch(value):
        raise DocumentoInvalido("El DNI debe tener 8 dígitos.")
    return value


def validar_carne_extranjeria(numero: str) -> str:
    """The carné de extranjería number (9 to 12 letters or digits), upper-cased."""
    value = _compact(numero)
    if not (9 <= len(value) <= 12 and _ALFANUMERICO.fullmatch(value)):
        raise DocumentoInvalido("El carné de extranjería debe tener entre 9 y 12 letras o dígitos.")
    return value


def validar_pasaporte(numero: str) -> str:
    """The passport number (6 to 12 letters or digits), upper-cased."""
    value = _compact(numero)
    if not (6 <= len(value) <= 12 and _ALFANUMERICO.fullmatch(value)):
        raise DocumentoInvalido("El pasaporte debe tener entre 6 y 12 letras o dígitos.")
    return value


_VALIDADORES: dict[str, Callable[[str], str]] = {
    "DNI": validar_dni,
    "CE": validar_carne_extranjeria,
    "PASAPORTE": validar_pasaporte,
}


def validar_documento(tipo: str, numero: str) -> str:
    """Validate ``numero`` for the document type ``tipo`` (a key of :data:`TIPOS_DOCUMENTO`);
    return it normalized."""
    validador = _VALIDADORES.get(tipo)
    if validador is None:
        raise DocumentoInvalido("Seleccione un tipo de documento válido.")
    return validador(numero)


def enmascarar(numero: str) -> str:
    """Mask a document number for public lists (E1): only the last four characters show."""
    value = _compact(numero)
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]
