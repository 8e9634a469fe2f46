"""Input types of the CAS rules: what the Ficha de Postulante declares and
what the position profile (perfil del puesto) requires.

Everything here is a frozen dataclass or an enum, so that rule functions stay
pure: they take these values and return results plus their reasons
(:class:`casadmin.rules.reasons.Motivo`). Enum values are the lower-case
Spanish words used in the Ficha, so YAML cases and forms can use them as-is.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from functools import total_ordering
from types import MemberDescriptorType
from typing import Any, TypeVar

from casadmin.rules.decimales import como_decimal

T = TypeVar("T")


def constructor(cls: type[T]) -> Callable[..., T]:
    """A constructor of the frozen dataclass ``cls`` for building many of them: every field by keyword.

    ``constructor(Experiencia)(empleador=…, …)`` equals ``Experiencia(empleador=…, …)`` and runs its
    ``__post_init__`` checks, but stores the fields straight into the instance's ``__dict__`` (or,
    for a class with slots, through each slot's descriptor) instead of through
    ``object.__setattr__`` once per field, as a frozen dataclass's ``__init__`` must: about a third
    of the time per object (:func:`casadmin.engine.interchange.candidato`,
    ``engine_db._candidato_rapido``, each stage's results). Without slots an object takes about 60
    bytes more (the ``__dict__`` is made, sharing the class's keys, where ``__init__`` leaves the
    values inline). Every field must be given, even one with a default; a missing or unknown one
    is a ``TypeError``.
    """
    campos = fields(cls)
    nombres = [f.name for f in campos]
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init \
            or list(inspect.signature(cls).parameters) != nombres or any(n.startswith("_casadmin_") for n in nombres):
        raise TypeError(f"{cls.__name__}: only a frozen dataclass whose __init__ takes its fields")
    validar = "    _casadmin_post(_casadmin_o)\n" if hasattr(cls, "__post_init__") else ""
    espacio: dict[str, Any] = {"_casadmin_new": object.__new__, "_casadmin_cls": cls,
                               "_casadmin_post": getattr(cls, "__post_init__", None)}
    # A field kept in a slot (the class's or a parent's) is set through the slot's descriptor; any other
    # goes into the instance's __dict__, in field order (the class's shared keys).
    en_slot = [isinstance(inspect.getattr_static(cls, n, None), MemberDescriptorType) for n in nombres]
    espacio.update({f"_casadmin_set_{n}": getattr(cls, n).__set__ for n, slot in zip(nombres, en_slot) if slot})
    guardar = "    _casadmin_d = _casadmin_o.__dict__\n" if not all(en_slot) else ""
    guardar += "".join(f"    _casadmin_set_{n}(_casadmin_o, {n})\n" if slot else f"    _casadmin_d[{n!r}] = {n}\n"
                       for n, slot in zip(nombres, en_slot))
    codigo = (f"def nuevo(*, {', '.join(nombres)}):\n"
              f"    _casadmin_o = _casadmin_new(_casadmin_cls)\n"
              + guardar + f"{validar}    return _casadmin_o\n")
    exec(codigo, espacio)  # noqa: S102 - generated from the class's own field names, as dataclasses does
    nuevo = espacio["nuevo"]
    nuevo.__name__ = nuevo.__qualname__ = f"{cls.__name__}_"
    return nuevo


class Sector(StrEnum):
    """Sector of the employer (Ficha section 7)."""

    PUBLICO = "publico"
    PRIVADO = "privado"


class TipoExperiencia(StrEnum):
    """Kind of a declared experience (Ficha section 7, §4.2.1 q–u)."""

    EMPLEO = "empleo"
    LOCACION = "locacion"
    PRACTICAS_PREPROFESIONALES = "practicas_preprofesionales"
    PRACTICAS_PROFESIONALES = "practicas_profesionales"
    SECIGRA = "secigra"
    SERUMS = "serums"
    RESIDENTADO = "residentado"
    AD_HONOREM = "ad_honorem"
    VOLUNTARIADO = "voluntariado"


class NivelEstudios(StrEnum):
    """Level of a declared or required formal education (§4.2.1 e–h)."""

    SECUNDARIA = "secundaria"
    TECNICO = "tecnico"
    UNIVERSITARIO = "universitario"
    MAESTRIA = "maestria"
    DOCTORADO = "doctorado"


class Condicion(StrEnum):
    """Condition reached in that education (Ficha section 2)."""

    EN_CURSO = "en_curso"
    EGRESADO = "egresado"
    BACHILLER = "bachiller"
    TITULADO = "titulado"
    GRADO = "grado"


class TipoCapacitacion(StrEnum):
    """Modality of a declared training (Ficha section 6, §4.2.1 i–m, §4.2.4 c)."""

    CURSO = "curso"
    TALLER = "taller"
    SEMINARIO = "seminario"
    CONFERENCIA = "conferencia"
    CURSO_ESPECIALIZACION = "curso_especializacion"
    PROGRAMA_ESPECIALIZACION = "programa_especializacion"
    DIPLOMADO = "diplomado"
    MAESTRIA = "maestria"
    DOCTORADO = "doctorado"


@total_ordering
class Nivel(Enum):
    """Level of office software or language knowledge: básico < intermedio < avanzado (§4.2.1 n)."""

    BASICO = "basico"
    INTERMEDIO = "intermedio"
    AVANZADO = "avanzado"

    @property
    def rango(self) -> int:
        """Position in the order básico < intermedio < avanzado."""
        return list(Nivel).index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Nivel):
            return NotImplemented
        return self.rango < other.rango


@dataclass(frozen=True, order=True, slots=True)
class Periodo:
    """A period of calendar days; both ``inicio`` and ``fin`` are included."""

    inicio: date
    fin: date

    def __post_init__(self) -> None:
        if self.fin < self.inicio:
            raise ValueError(f"Periodo con fin {self.fin} anterior al inicio {self.inicio}")

    @property
    def dias(self) -> int:
        """Number of calendar days, both ends included."""
        return (self.fin - self.inicio).days + 1


@dataclass(frozen=True, kw_only=True, slots=True)
class Experiencia:
    """One row of Ficha section 7.

    ``fin=None`` means the job is current (§4.2.1 z). ``especifica`` is the
    evaluator's finding that the declared functions match the position's
    function or subject (§4.2.1 x); the rules never guess it from text.
    ``None``: not judged yet, which counts as not specific, and the reason says so.
    """

    empleador: str
    sector: Sector
    puesto: str
    inicio: date
    fin: date | None = None
    funciones: str = ""
    tipo: TipoExperiencia = TipoExperiencia.EMPLEO
    especifica: bool | None = False

    def __post_init__(self) -> None:
        if self.fin is not None and self.fin < self.inicio:
            raise ValueError(f"Experiencia en {self.empleador}: fin anterior al inicio")


@dataclass(frozen=True, kw_only=True, slots=True)
class Formacion:
    """One row of Ficha section 2 (§4.2.1 e–h, p)."""

    nivel: NivelEstudios
    condicion: Condicion
    carrera: str = ""
    fecha_egreso: date | None = None
    fecha_diploma: date | None = None
    centro: str = ""


#: A study row built without its __init__ (:func:`constructor`): the engine's readers and
#: ``experience.con_egreso`` build many.
crear_formacion = constructor(Formacion)


@dataclass(frozen=True, kw_only=True, slots=True)
class Capacitacion:
    """One row of Ficha section 6 (§4.2.1 i–m, §4.2.4 c).

    ``fecha_fin=None`` means not finished; ``inicio`` is needed only for
    diplomados (§4.2.1 l, Ley 30220 from 2014-07-10).
    """

    tema: str
    tipo: TipoCapacitacion
    horas: Decimal
    creditos: Decimal | None = None
    fecha_fin: date | None = None
    inicio: date | None = None
    ente_rector: bool = False
    institucion: str = ""

    def __post_init__(self) -> None:
        # Hours and credits are legal quantities: Decimal only, never float.
        object.__setattr__(self, "horas", como_decimal(self.horas))
        if self.creditos is not None:
            object.__setattr__(self, "creditos", como_decimal(self.creditos))


@dataclass(frozen=True, kw_only=True)
class RequisitoCapacitacion:
    """A training requirement of the profile (B2).

    ``tipo`` is ``CURSO`` (hours of any modality add up, §4.2.4 c),
    ``PROGRAMA_ESPECIALIZACION`` (§4.2.1 k) or ``DIPLOMADO`` (§4.2.1 l).
    ``afines`` is true when the profile says "o afines" (§4.2.1 m);
    ``temas_afines`` are the other names the evaluator accepts as similar.
    """

    tema: str
    tipo: TipoCapacitacion = TipoCapacitacion.CURSO
    horas: Decimal = Decimal(0)
    afines: bool = False
    temas_afines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.tipo not in _TIPOS_REQUISITO:
            raise ValueError(f"Tipo de requisito de capacitación no soportado: {self.tipo}")
        object.__setattr__(self, "horas", como_decimal(self.horas))


_TIPOS_REQUISITO = frozenset(
    {
        TipoCapacitacion.CURSO,
        TipoCapacitacion.PROGRAMA_ESPECIALIZACION,
        TipoCapacitacion.DIPLOMADO,
    }
)


@dataclass(frozen=True, kw_only=True)
class RequisitoFormacion:
    """The academic requirement of the profile (B2, §4.2.1 e–h).

    ``carreras`` empty means any career; ``afines`` is true when the profile
    says "o afines" and ``carreras_afines`` lists those the evaluator accepts
    as directly related to the functions (§4.2.1 g).
    """

    nivel: NivelEstudios
    condicion: Condicion
    carreras: tuple[str, ...] = ()
    afines: bool = False
    carreras_afines: tuple[str, ...] = ()
