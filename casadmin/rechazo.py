"""The base of a domain command's refusal that names the form field it concerns."""

from __future__ import annotations


class Rechazo(ValueError):
    """A refusal with its Spanish message (and the form field it concerns); nothing was changed."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        # the Spanish names some callers use
        self.mensaje = message
        self.campo = field
