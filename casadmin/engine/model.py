"""What the engine works on: the call, its profile, the candidates and their stage inputs.

Built from the JSON interchange format (:mod:`.interchange`) or from the database;
the rule types themselves come from :mod:`casadmin.rules.types`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from casadmin.engine.bases import BasesVersion
from casadmin.engine.params import Vigentes
from casadmin.rules.reasons import Motivo
from casadmin.rules.types import (
    Capacitacion,
    Experiencia,
    Formacion,
    Nivel,
    RequisitoCapacitacion,
    RequisitoFormacion,
    constructor,
    crear_formacion,  # noqa: F401 - the engine's readers build study rows as they build the rest
)

if TYPE_CHECKING:
    import pluggy


#: The desierto causes of §4.5 a hook may propose (``casadmin_detectar_desierto``), as the format writes them.
CAUSAS_DESIERTO = {
    "sin_postulantes": "§4.5 a: no se presentaron postulantes",
    "sin_requisitos": "§4.5 b: ningún postulante cumple los requisitos mínimos",
    "sin_puntaje_minimo": "§4.5 c: ningún candidato obtuvo el puntaje mínimo o asistió",
    "desistimiento": "§4.5 d: el ganador y los accesitarios desistieron",
}


@dataclass(frozen=True, kw_only=True)
class Perfil:
    """The position profile (B2) in the terms the rules use."""

    formacion: RequisitoFormacion
    colegiatura: bool = False
    habilitacion: bool = False
    experiencia_general_meses: int = 0
    experiencia_especifica_meses: int = 0
    #: None when the profile asks no public-sector experience (§4.2.4 Observación).
    experiencia_publica_meses: int | None = None
    capacitaciones: tuple[RequisitoCapacitacion, ...] = ()
    conocimientos: Mapping[str, Nivel] = field(default_factory=dict)
    otros: tuple[str, ...] = ()
    requiere_deportista: bool = False

    @property
    def solo_secundaria(self) -> bool:
        return self.formacion.nivel.value == "secundaria"


@dataclass(frozen=True, kw_only=True)
class Convocatoria:
    codigo: str
    entidad: str
    bases: str
    nombre_puesto: str
    organo: str
    posiciones: int
    incluye_examen: bool
    incluye_psicologica: bool
    inicio_postulacion: dt.datetime
    cierre_postulacion: dt.datetime
    perfil: Perfil
    numero: int | None = None
    anio: int | None = None
    remuneracion: Decimal | None = None
    #: Anything else of the call carried through import/export untouched.
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Documento:
    tipo: str
    paginas: int = 1
    validado: bool = False
    en_plazo: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class Hoja:
    """One committee member's interview sheet: five factors (D6)."""

    miembro: str
    factores: Mapping[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.factores.values(), Decimal(0))


@dataclass(frozen=True, kw_only=True, slots=True)
class Entradas:
    """What evaluators recorded for one candidate (stage inputs)."""

    examen_asistio: bool | None = None
    examen_puntaje: Decimal | None = None
    psicologica_asistio: bool | None = None
    expediente_presentado: bool | None = None
    expediente_en_plazo: bool = True
    factores_curriculares: Mapping[str, bool] = field(default_factory=dict)
    entrevista_asistio: bool | None = None
    #: With the interview not taken, why (``CAUSAS_INASISTENCIA``): ``None`` is «no se presentó».
    entrevista_causa: str | None = None
    hojas: tuple[Hoja, ...] = ()
    #: D1: an evaluator's override of the automatic Ficha result, with its written reason.
    ficha_override: tuple[str, str] | None = None
    #: D1 manual checklist (annexes filled with this call's data, signed as in the DNI…).
    verificacion_manual: Mapping[str, bool] = field(default_factory=dict)
    #: D4 the evaluator's checklist of the expediente, item → conforme (§4.2.4 Presentación).
    lista_curricular: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class Candidato:
    id: str
    tipo_documento: str
    numero_documento: str
    apellidos: str
    nombres: str
    fecha_nacimiento: dt.date
    registrada_en: dt.datetime
    formaciones: tuple[Formacion, ...] = ()
    experiencias: tuple[Experiencia, ...] = ()
    capacitaciones: tuple[Capacitacion, ...] = ()
    conocimientos: Mapping[str, Nivel] = field(default_factory=dict)
    colegiado: bool = False
    habilitado: bool = False
    otros: tuple[str, ...] = ()
    licenciado_ffaa: bool = False
    discapacidad: bool = False
    deportista_nivel: int | None = None
    firma: bool = True
    documentos: tuple[Documento, ...] = ()
    entradas: Entradas = field(default_factory=Entradas)

    @property
    def nombre_completo(self) -> str:
        return f"{self.apellidos}, {self.nombres}"

    @property
    def tecnico_o_profesional(self) -> bool:
        """Ley 31533 covers técnicos and profesionales: a completed técnico or university study."""
        return any(f.nivel.value != "secundaria" and f.condicion.value != "en_curso" for f in self.formaciones)


@dataclass(frozen=True, kw_only=True, slots=True)
class Resultado:
    """One candidate's result in one stage, with its reasons and the rule that produced it."""

    candidato: str
    etapa: str
    resultado: str  # apto | no_apto | no_se_presento | asistio
    puntaje: Decimal | None = None
    motivos: tuple[Motivo, ...] = ()
    detalle: Mapping[str, Any] = field(default_factory=dict)
    regla: str = ""

    @property
    def sigue(self) -> bool:
        """Whether the candidate continues to the next stage."""
        return self.resultado in ("apto", "asistio")


@dataclass(frozen=True)
class Contexto:
    """What every hook receives: the call, its bases version and the parameters in force."""

    convocatoria: Convocatoria
    bases: BasesVersion
    parametros: Vigentes
    #: Committee decisions for ties still standing after the criteria (D8): groups of ids in order.
    decisiones_comite: tuple[tuple[str, ...], ...] = ()
    #: The plugin manager running the stage (set by :func:`casadmin.engine.run.evaluar_etapa`): a
    #: plugin that consults another hook, as the Ficha stage consults each bases' documents check
    #: (D1), asks this one, so the plugins consulted are those the results name (F3).
    pm: pluggy.PluginManager | None = field(default=None, compare=False, repr=False)

    @property
    def fecha_postulacion(self) -> dt.date:
        return self.convocatoria.inicio_postulacion.date()


#: The engine model built many at a time by the readers of a whole call (:func:`constructor`).
crear_candidato, crear_experiencia, crear_capacitacion, crear_documento = map(
    constructor, (Candidato, Experiencia, Capacitacion, Documento))
#: Each stage's results, built one per candidate by the stage's plugin and again by the engine with
#: the rule that produced them (:func:`casadmin.engine.run.evaluar_etapa`).
crear_resultado = constructor(Resultado)
