"""Reasons (motivos) returned with every automatic decision.

A :class:`Motivo` says which requirement or rule was applied, what the
applicant declared, what the rule computed, whether the declared item meets
the rule named in ``clausula``, and a message in Spanish for the applicant and
the evaluator (D1: "the reason for each failure").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import NamedTuple


class Motivo(NamedTuple):
    """One reason: ``cumple`` is true when the declared item meets the rule in ``clausula``.

    An immutable named tuple (it was a frozen dataclass until 2026-12-03, with the same
    fields and keyword construction): a call of 150,000 applicants builds about a million
    of them, and a tuple is built in a fraction of the time and pickled compactly when a
    stage is split over processes (``casadmin.engine.run``). Build it with keywords.
    """

    requisito: str
    declarado: str
    computado: str
    cumple: bool
    clausula: str
    mensaje: str


def todos_cumplen(motivos: Iterable[Motivo]) -> bool:
    """True when every reason is met (an empty list is met)."""
    return all(motivo.cumple for motivo in motivos)


def incumplidos(motivos: Iterable[Motivo]) -> list[Motivo]:
    """The reasons that are not met, in order."""
    return [motivo for motivo in motivos if not motivo.cumple]


#: How the reasons write the codes of levels, conditions and kinds of training (the format's values
#: have no accents or spaces: ``tecnico``, ``programa_especializacion``).
ETIQUETAS = {"curso_especializacion": "curso de especialización",
             "programa_especializacion": "programa de especialización"}
_PALABRAS = {"basico": "básico", "tecnico": "técnico", "maestria": "maestría", "titulo": "título"}


@lru_cache(maxsize=256)  # a handful of codes, described for every course of every applicant
def etiqueta(codigo: str) -> str:
    """A code as the reasons write it: ``programa_especializacion`` → "programa de especialización",
    ``tecnico_egresado`` → "técnico egresado"."""
    return ETIQUETAS.get(codigo) or " ".join([_PALABRAS.get(p, p) for p in codigo.split("_")])


def como_frase(clausula: str) -> str:
    """A rule's reason written as a clause («la experiencia específica no puede …», as files' errors give it)
    as a form's sentence: capital first, period last."""
    return f"{clausula[0].upper()}{clausula[1:]}."


def estudio(nivel: str, condicion: str, carrera: str = "") -> str:
    """A declared or required study as the reasons write it: level, condition, career (if any)."""
    return f"{etiqueta(nivel)} {etiqueta(condicion)} {carrera}".strip()


@lru_cache(maxsize=2**16, typed=True)  # pure; the same dates recur in every reason of a large call
def fecha(valor: date | None) -> str:
    """A date as written in Peruvian documents (dd/mm/aaaa); ``None`` as "—"."""
    return "—" if valor is None else valor.strftime("%d/%m/%Y")
