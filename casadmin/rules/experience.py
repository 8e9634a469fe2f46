"""General, specific and public-sector experience (§4.2.1 p–z).

Each function returns a :class:`Computo`: the counted days (see
:mod:`casadmin.rules.periods` for how days become months and years) and the
reasons, one or more per declared experience, in declared order.

Interpretations (short and explicit)
------------------------------------
* Start date (p): the egreso date of the formation asked by the profile; if
  none is declared, the bachiller/título (diploma) date. The caller passes the
  :class:`Formacion` that matches the profile; of several declared rows that
  meet it, the one whose date comes first (:func:`la_primera`: «a partir de la
  condición de egresado», whichever order they were declared in). Without
  either date, ordinary experience cannot be counted (only SECIGRA can, clause r).
* Secundaria-only profiles (v): "todas las experiencias laborales declaradas"
  lifts the start date of p, and q's tie to an egreso: prácticas need no
  declared egreso date and pre-professional ones are not cut at one (the
  study that meets such a profile is secundaria, whose egreso is the end of
  school, before any práctica). It does not lift what the law says is
  experience at all: q's 3-month minimum and 24-month cap (Ley 31396), r's
  full SECIGRA year, and s–u (SERUMS, residentado, ad honorem and
  voluntariado are not *experiencia laboral*).
* Prácticas pre-profesionales (q): the declared practice must last at least
  3 calendar months (measured on the declared period up to the application
  date: :func:`~casadmin.rules.periods.dura_meses`), and
  only its days up to the egreso date count; it is not cut by the start date
  of p, since Ley 31396 recognises it precisely before egreso. A practice that
  starts after egreso is not pre-professional and is not counted.
* Prácticas profesionales (q): follow p, and the earliest 24 months (720 days)
  of all of them together count.
* SECIGRA (r): counts only when the declared period reaches a full calendar
  year; then all of it counts as general experience, even before egreso; it
  is never specific. With ``especifica=False``, :func:`experiencia_publica`
  (used for Ley 31533) counts it when the sector is public.
* Specific experience (w, x): the general periods of the experiences the
  evaluator marked ``especifica``; so it is included in, and never greater
  than, general experience by construction.
* Public-sector specific experience (w): specific experience whose employer is
  public, under any regime, service contracts (locación) included.
* Current job and dates after the application date (z): counted up to the
  application date; a job that starts after it is not counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from casadmin.rules.courses import normalizar, palabras
from casadmin.rules.decimales import Numero
from casadmin.rules.levels import PREGRADO
from casadmin.rules.periods import (
    anios,
    describir,
    dias_minimos,
    dura_meses,
    fin_de_meses,
    interseccion,
    meses,
    n_dias,
    primeros_dias,
    recortar,
    total_dias,
    unir,
)
from casadmin.rules.reasons import Motivo, estudio, fecha
from casadmin.rules.types import (
    Condicion,
    Experiencia,
    Formacion,
    NivelEstudios,
    Periodo,
    Sector,
    TipoExperiencia,
    crear_formacion,
)

GENERAL = "Experiencia general"
ESPECIFICA = "Experiencia específica"
PUBLICA = "Experiencia específica en el sector público"
PUBLICA_GENERAL = "Experiencia en el sector público"

MESES_MINIMOS_PREPROFESIONALES = 3  # §4.2.1 q, Ley 31396
MESES_MAXIMOS_PROFESIONALES = 24  # §4.2.1 q, Ley 31396
MESES_SECIGRA = 12  # §4.2.1 r: "solo el año completo"

#: Kinds that never count, with the clause and the reason (§4.2.1 s, t, u).
NO_COMPUTABLES: dict[TipoExperiencia, tuple[str, str]] = {
    TipoExperiencia.SERUMS: (
        "§4.2.1 s",
        "El SERUMS no se desarrolla dentro de una relación laboral; su tiempo no se contabiliza "
        "como experiencia (Informe Técnico N° 000471-2022-SERVIR-GPGSC).",
    ),
    TipoExperiencia.RESIDENTADO: (
        "§4.2.1 t",
        "El residentado médico es capacitación de posgrado (Ley N° 30453); su duración no se "
        "considera experiencia general ni específica.",
    ),
    TipoExperiencia.AD_HONOREM: (
        "§4.2.1 u",
        "Las actividades ad honorem no acreditan experiencia laboral general ni específica "
        "(Informe Técnico N° 000745-2023-SERVIR-GPGSC).",
    ),
    TipoExperiencia.VOLUNTARIADO: (
        "§4.2.1 u",
        "Los voluntariados no se consideran experiencia laboral.",
    ),
}


class Computo(NamedTuple):
    """Counted days and the reasons; unpacks as ``dias, motivos``."""

    dias: int
    motivos: list[Motivo]

    @property
    def meses(self) -> Decimal:
        """Counted time in 30-day months, truncated to two decimals."""
        return meses(self.dias)

    @property
    def anios(self) -> Decimal:
        """Counted time in 360-day years, truncated to two decimals."""
        return anios(self.dias)


@dataclass(frozen=True, slots=True)
class _Contexto:
    desde: date | None
    egreso: date | None
    fecha_postulacion: date
    solo_secundaria: bool


#: A reason of one experience before it names the requirement: (cumple, clausula, mensaje, computado).
_Nota = tuple[bool, str, str, str]


@dataclass(slots=True)
class _Tramo:
    """The periods that count for one declared experience, with its reasons.

    The periods do not depend on the requirement being counted (general, specific,
    public), so the tramos are built once and shared; the reasons are kept as notes
    and become :class:`Motivo` objects (which name the requirement and describe the
    declared experience) only when a caller asks for them (:func:`_motivos`).
    """

    experiencia: Experiencia
    periodos: list[Periodo] = field(default_factory=list)
    notas: list[_Nota] = field(default_factory=list)

    def nota(self, cumple: bool, clausula: str, mensaje: str, computado: str = "0 días") -> None:
        self.notas.append((cumple, clausula, mensaje, computado))


def _declarado(exp: Experiencia) -> str:
    hasta = "a la fecha" if exp.fin is None else fecha(exp.fin)
    return f"{exp.tipo}: {exp.puesto} en {exp.empleador} ({fecha(exp.inicio)} – {hasta})"


def _motivo(requisito: str, exp: Experiencia, cumple: bool, clausula: str, mensaje: str,
            computado: str = "0 días") -> Motivo:
    return Motivo(requisito=requisito, declarado=_declarado(exp), computado=computado,
                  cumple=cumple, clausula=clausula, mensaje=mensaje)


# --- start date (§4.2.1 p, v) -------------------------------------------------


_DIPLOMAS = (Condicion.BACHILLER, Condicion.TITULADO, Condicion.GRADO)


def meses_incoherentes(general: int, especifica: int, publica: int | None) -> list[tuple[str, str]]:
    """A profile's experience requirements in months that cannot all be asked (§4.2.1 w: the specific
    experience «se encuentra incluida en la experiencia general y no debe ser mayor a ésta», and the
    public-sector one is specific experience): (field, reason) for each, the reason as a clause without its
    capital and period, for the profile forms and the interchange format alike."""
    errores = []
    if especifica > general:
        errores.append(("experiencia_especifica_meses",
                        "la experiencia específica no puede ser mayor que la general (§4.2.1 w)"))
    if publica is not None and publica > especifica:
        errores.append(("experiencia_publica_meses",
                        "la experiencia en el sector público forma parte de la específica y no puede superarla "
                        "(§4.2.1 w)"))
    return errores


@lru_cache(maxsize=4096)
def misma_carrera(una: str, otra: str, centro: str = "", otro_centro: str = "") -> bool:
    """Whether two rows of Ficha section 2 name the same career, as an applicant writes it once on the
    egresado row and again on the titulado one: equal without accents or case; or the longer is the
    shorter followed by «y» or «e» and more («Derecho» and «Derecho y Ciencias Políticas», the name a
    faculty gives the same career), at the same centre when both rows name one. Not a career that only
    starts like another, which is another study: «Administración» and «Administración de Negocios
    Internacionales», «Ingeniería Civil» and «Ingeniería Civil Ambiental», nor «Finanzas» and
    «Contabilidad y Finanzas»."""
    una_p, otra_p = palabras(una), palabras(otra)
    if una_p == otra_p:
        return True
    corta, larga = sorted((una_p, otra_p), key=len)
    return (corta.strip() != "" and larga.startswith(corta) and larga[len(corta):].startswith(("y ", "e "))
            and (not centro.strip() or not otro_centro.strip() or palabras(centro) == palabras(otro_centro)))


def con_egreso(formacion: Formacion | None, formaciones: Sequence[Formacion]) -> Formacion | None:
    """The study experience counts from (§4.2.1 p), with the egreso of that same study when the applicant
    declared it on another row of Ficha section 2.

    Section 2 takes one row per condition reached, so an applicant who left university and then
    got the degree declares an *egresado* row with the egreso date and a *titulado* row with the
    diploma's. The row that meets the profile is the *titulado* one, but experience counts from the
    egreso, "siempre y cuando haya sido declarada" (§4.2.1 p), and the prácticas need it too
    (§4.2.1 q). The same study is the same level and career (:func:`misma_carrera`: also «Derecho» on the
    egresado row and «Derecho y Ciencias Políticas» on the titulado one), with an egreso not after this
    row's diploma (a later one is another study of the same name); of several egreso dates declared for
    it, the earliest. A row that has its own egreso date is returned as it is.

    With no egreso declared for the study, experience counts from "la fecha de Bachiller y/o Título
    Profesional, según lo declarado" (§4.2.1 p): the earliest diploma of the same study, so a *titulado*
    row that meets the profile counts from the *bachiller* row's diploma (that row is returned, and the
    reason shows it); a diploma after this row's is another study of the same name.
    """
    if formacion is None or formacion.fecha_egreso is not None:
        return formacion
    carrera = formacion.carrera
    diploma = formacion.fecha_diploma
    egresos = [f.fecha_egreso for f in formaciones
               if f.fecha_egreso is not None and f.nivel is formacion.nivel
               and misma_carrera(f.carrera, carrera, f.centro, formacion.centro)
               and (diploma is None or f.fecha_egreso <= diploma)]  # later: another study of the same name
    if not egresos:
        primera = formacion if formacion.condicion in _DIPLOMAS else None
        for f in formaciones:
            if f.fecha_diploma is not None and f.condicion in _DIPLOMAS and f.nivel is formacion.nivel \
                    and (primera is None or primera.fecha_diploma is None or f.fecha_diploma < primera.fecha_diploma) \
                    and (diploma is None or f.fecha_diploma <= diploma) \
                    and misma_carrera(f.carrera, carrera, f.centro, formacion.centro):
                primera = f
        return formacion if primera is None else primera
    # Built field by field without __init__ (crear_formacion): dataclasses.replace looks the fields up on
    # every call, and a frozen dataclass's __init__ sets each through object.__setattr__.
    return crear_formacion(nivel=formacion.nivel, condicion=formacion.condicion, carrera=formacion.carrera,
                           fecha_egreso=min(egresos), fecha_diploma=diploma, centro=formacion.centro)


def la_primera(filas: Sequence[Formacion], formaciones: Sequence[Formacion]) -> Formacion | None:
    """Of the declared rows that meet the profile (``filas``, in the Ficha's order), the study experience
    counts from (§4.2.1 p), each with its egreso declared on another row (:func:`con_egreso`): the one
    whose egreso, else bachiller or título, comes first, since experience counts "a partir de la
    condición de egresado". A row without either date only when none has one; of equal dates, the
    first declared. So a maestría declared before the bachiller that meets the profile does not move
    the start to the maestría's egreso. ``None`` when ``filas`` is empty."""
    mejor: Formacion | None = None
    desde: date | None = None
    for fila in filas:
        candidata = con_egreso(fila, formaciones)
        suya = _fecha_inicio(candidata, False)[0]
        if mejor is None or (suya is not None and (desde is None or suya < desde)):
            mejor, desde = candidata, suya
    return mejor


def de_pregrado(formaciones: Sequence[Formacion], hoy: date | None) -> Formacion | None:
    """The study experience counts from when the profile asks for a maestría or doctorado (§4.2.1 p):
    "la condición de egresado", else "la fecha de Bachiller y/o Título Profesional", which are the
    undergraduate study's, not the postgraduate degree's. Of the universitario rows (else the técnico
    ones) reached and dated on or before the application date (``hoy``), the one :func:`la_primera`
    picks; ``None`` when none is declared, and experience then counts from the postgraduate row."""
    filas = []
    for f in formaciones:
        if f.nivel in PREGRADO and f.condicion is not Condicion.EN_CURSO:
            desde = _fecha_inicio(f, False)[0]
            if desde is not None and (hoy is None or desde <= hoy):
                filas.append(f)
    universitarias = [f for f in filas if f.nivel is NivelEstudios.UNIVERSITARIO]
    return la_primera(universitarias or filas, formaciones) if filas else None


def _fecha_inicio(formacion: Formacion | None, solo_secundaria: bool) -> tuple[date | None, str]:
    """The start date of §4.2.1 p and which case gave it: "v", "egreso", "diploma" or "sin_fecha"."""
    if solo_secundaria:
        return None, "v"
    if formacion is not None and formacion.fecha_egreso is not None:
        return formacion.fecha_egreso, "egreso"
    if formacion is not None and formacion.fecha_diploma is not None and formacion.condicion in _DIPLOMAS:
        return formacion.fecha_diploma, "diploma"
    return None, "sin_fecha"


def _diploma(formacion: Formacion | None) -> str:
    """Which diploma the start date of §4.2.1 p is: «bachiller o título» as the bases say, or the
    declared one when it is another (a maestría's, when no undergraduate study is declared)."""
    if formacion is None or formacion.nivel in PREGRADO:
        return "bachiller o título"
    return estudio(formacion.nivel, formacion.condicion, formacion.carrera)


def inicio_computo(formacion: Formacion | None, solo_secundaria: bool = False,
                   requisito: str = GENERAL) -> tuple[date | None, Motivo]:
    """Date from which ordinary experience counts (§4.2.1 p), or ``None`` (§4.2.1 v or no date)."""
    desde, caso = _fecha_inicio(formacion, solo_secundaria)
    declarado = "—" if formacion is None else (
        estudio(formacion.nivel, formacion.condicion, formacion.carrera)
        + f", egreso {fecha(formacion.fecha_egreso)}, diploma {fecha(formacion.fecha_diploma)}"
    )
    if caso == "v":
        return desde, Motivo(requisito=requisito, declarado=declarado, computado="sin fecha de corte",
                             cumple=True, clausula="§4.2.1 v",
                             mensaje="El perfil requiere secundaria completa: se consideran todas las "
                                     "experiencias laborales declaradas.")
    if caso == "egreso":
        return desde, Motivo(
            requisito=requisito, declarado=declarado, computado=f"desde {fecha(desde)}",
            cumple=True, clausula="§4.2.1 p",
            mensaje=f"La experiencia se contabiliza desde la fecha de egreso ({fecha(desde)}).")
    if caso == "diploma":
        return desde, Motivo(
            requisito=requisito, declarado=declarado, computado=f"desde {fecha(desde)}",
            cumple=True, clausula="§4.2.1 p",
            mensaje="No declaró fecha de egreso: la experiencia se contabiliza desde la fecha del "
                    f"diploma de {_diploma(formacion)} ({fecha(desde)}).")
    return desde, Motivo(requisito=requisito, declarado=declarado, computado="sin fecha de inicio",
                         cumple=False, clausula="§4.2.1 p",
                         mensaje="No declaró fecha de egreso, de bachiller ni de título: no se puede "
                                 "contabilizar la experiencia.")


# --- one declared experience ---------------------------------------------------


def _hasta_postulacion(ctx: _Contexto, exp: Experiencia, tramo: _Tramo) -> Periodo | None:
    """Declared period cut at the application date (§4.2.1 z)."""
    fin = exp.fin if exp.fin is not None else ctx.fecha_postulacion
    if exp.inicio > ctx.fecha_postulacion:
        tramo.nota(False, "§4.2.1 z",
                   "La experiencia se inicia después de la fecha de postulación.")
        return None
    if fin > ctx.fecha_postulacion or exp.fin is None:
        tramo.nota(True, "§4.2.1 z",
                   "Vínculo vigente: se contabiliza hasta la fecha de postulación "
                   f"({fecha(ctx.fecha_postulacion)}).", computado="hasta la postulación")
    return Periodo(exp.inicio, min(fin, ctx.fecha_postulacion))


def _desde_inicio(ctx: _Contexto, exp: Experiencia, periodo: Periodo, tramo: _Tramo) -> None:
    """Ordinary experience: counted from the start date of §4.2.1 p (none under §4.2.1 v)."""
    if ctx.solo_secundaria:
        tramo.periodos.append(periodo)
        return
    if ctx.desde is None:
        tramo.nota(False, "§4.2.1 p",
                   "Sin fecha de egreso, bachiller o título declarada no se contabiliza.")
        return
    recortado = recortar(periodo, desde=ctx.desde)
    if recortado is None:
        tramo.nota(False, "§4.2.1 p",
                   f"Es anterior a la fecha de inicio del cómputo ({fecha(ctx.desde)}).")
        return
    if recortado != periodo:
        tramo.nota(True, "§4.2.1 p",
                   f"Se contabiliza solo desde {fecha(ctx.desde)}.",
                   computado=n_dias(recortado.dias))
    tramo.periodos.append(recortado)


def _no_completan(periodo: Periodo, meses_: int, verbo: str = "no completan") -> str:
    """A declared period short of a calendar minimum, as its reason says it (§4.2.1 q, r): where it runs and
    the day it would have had to reach, in the calendar the decision uses (not 30-day months)."""
    cuanto = "un año" if meses_ == 12 else f"{meses_} meses"
    hasta = date.fromordinal(fin_de_meses(periodo.inicio.toordinal(), meses_))
    return (f"del {fecha(periodo.inicio)} al {fecha(periodo.fin)} {verbo} {cuanto} "
            f"({'los completarían' if meses_ != 12 else 'lo completaría'} el {fecha(hasta)})")


def _preprofesionales(ctx: _Contexto, exp: Experiencia, periodo: Periodo, tramo: _Tramo) -> None:
    """Prácticas pre-profesionales: at least 3 months, counted only until egreso (§4.2.1 q; none under v)."""
    if ctx.egreso is None and not ctx.solo_secundaria:
        tramo.nota(False, "§4.2.1 q",
                   "Para considerar prácticas debe declararse la fecha de egreso.")
        return
    if not dura_meses(periodo.inicio.toordinal(), periodo.fin.toordinal(), MESES_MINIMOS_PREPROFESIONALES):
        tramo.nota(False, "§4.2.1 q",
                   f"Las prácticas preprofesionales {_no_completan(periodo, MESES_MINIMOS_PREPROFESIONALES)}; "
                   "se consideran solo si no son menores de tres meses.")
        return
    recortado = recortar(periodo, hasta=ctx.egreso)
    if recortado is None:
        tramo.nota(False, "§4.2.1 q",
                   "Se iniciaron después del egreso: no son prácticas preprofesionales.")
        return
    if recortado != periodo:
        tramo.nota(True, "§4.2.1 q",
                   f"Las prácticas preprofesionales se contabilizan hasta el egreso "
                   f"({fecha(ctx.egreso)}).", computado=n_dias(recortado.dias))
    tramo.periodos.append(recortado)


def _profesionales(ctx: _Contexto, exp: Experiencia, periodo: Periodo, tramo: _Tramo) -> None:
    """Prácticas profesionales need a declared egreso and follow §4.2.1 p; the cap is applied later."""
    if ctx.egreso is None and not ctx.solo_secundaria:
        tramo.nota(False, "§4.2.1 q",
                   "Para considerar prácticas debe declararse la fecha de egreso.")
        return
    _desde_inicio(ctx, exp, periodo, tramo)


def _secigra(ctx: _Contexto, exp: Experiencia, periodo: Periodo, tramo: _Tramo) -> None:
    """SECIGRA Derecho: only a full year, even before egreso (§4.2.1 r)."""
    if not dura_meses(periodo.inicio.toordinal(), periodo.fin.toordinal(), MESES_SECIGRA):
        tramo.nota(False, "§4.2.1 r",
                   f"El SECIGRA {_no_completan(periodo, MESES_SECIGRA, 'no completa')}: solo el año completo de "
                   "SECIGRA Derecho se reconoce como tiempo de servicios.")
        return
    tramo.periodos.append(periodo)


_REGLA_POR_TIPO: dict[TipoExperiencia, Callable[[_Contexto, Experiencia, Periodo, _Tramo], None]] = {
    TipoExperiencia.EMPLEO: _desde_inicio,
    TipoExperiencia.LOCACION: _desde_inicio,
    TipoExperiencia.PRACTICAS_PREPROFESIONALES: _preprofesionales,
    TipoExperiencia.PRACTICAS_PROFESIONALES: _profesionales,
    TipoExperiencia.SECIGRA: _secigra,
}


def _tramo(ctx: _Contexto, exp: Experiencia) -> _Tramo:
    tramo = _Tramo(exp)
    if exp.tipo in NO_COMPUTABLES:
        clausula, mensaje = NO_COMPUTABLES[exp.tipo]
        tramo.nota(False, clausula, mensaje)
        return tramo
    periodo = _hasta_postulacion(ctx, exp, tramo)
    if periodo is not None:
        _REGLA_POR_TIPO[exp.tipo](ctx, exp, periodo, tramo)
    return tramo


def _tope_profesionales(ctx: _Contexto, tramos: list[_Tramo]) -> None:
    """Keep the earliest 24 months of all prácticas profesionales together (§4.2.1 q)."""
    practicas = [t for t in tramos if t.experiencia.tipo is TipoExperiencia.PRACTICAS_PROFESIONALES]
    if not practicas:
        return
    permitidos = primeros_dias([p for t in practicas for p in t.periodos],
                               dias_minimos(meses=MESES_MAXIMOS_PROFESIONALES))
    for tramo in practicas:
        antes = total_dias(tramo.periodos)
        tramo.periodos = interseccion(tramo.periodos, permitidos)
        despues = total_dias(tramo.periodos)
        if despues < antes:
            tramo.nota(despues > 0, "§4.2.1 q",
                       "Las prácticas profesionales se consideran hasta un máximo de "
                       f"veinticuatro meses; se descuentan {n_dias(antes - despues)}.",
                       computado=n_dias(despues))


# --- assembling ------------------------------------------------------------------


Filtro = Callable[[Experiencia], tuple[str, str] | None]
"""Returns ``None`` when a counted experience also counts here, else ``(clausula, mensaje)``."""


def _clausula_conteo(ctx: _Contexto, exp: Experiencia) -> str:
    """The clause under which a counted experience counts as general experience."""
    if exp.tipo is TipoExperiencia.SECIGRA:
        return "§4.2.1 r"
    if exp.tipo in (TipoExperiencia.PRACTICAS_PREPROFESIONALES, TipoExperiencia.PRACTICAS_PROFESIONALES):
        return "§4.2.1 q"
    return "§4.2.1 v" if ctx.solo_secundaria else "§4.2.1 p"


def _egreso(formacion: Formacion | None, solo_secundaria: bool) -> date | None:
    """The egreso that ends prácticas pre-profesionales (§4.2.1 q); none under §4.2.1 v, where every
    declared experience counts (the study that meets the profile is secundaria: its egreso is the end
    of school, before any práctica)."""
    return None if solo_secundaria or formacion is None else formacion.fecha_egreso


def _preparar(experiencias: Sequence[Experiencia], formacion: Formacion | None, fecha_postulacion: date,
              solo_secundaria: bool) -> tuple[_Contexto, list[_Tramo]]:
    """What counts of each declared experience; the same for every requirement, so computed once."""
    desde, _ = _fecha_inicio(formacion, solo_secundaria)
    ctx = _Contexto(desde, _egreso(formacion, solo_secundaria), fecha_postulacion, solo_secundaria)
    tramos = [_tramo(ctx, exp) for exp in experiencias]
    _tope_profesionales(ctx, tramos)
    return ctx, tramos


def _dias(tramos: Sequence[_Tramo], filtro: Filtro | None) -> int:
    """Days of the union of the periods that count (and pass ``filtro``): overlaps count once (§4.2.1 y)."""
    return total_dias([p for t in tramos if t.periodos and (filtro is None or filtro(t.experiencia) is None)
                       for p in t.periodos])


def _computar(experiencias: Sequence[Experiencia], formacion: Formacion | None, fecha_postulacion: date,
              solo_secundaria: bool, requisito: str, filtro: Filtro | None = None,
              clausula: str | None = None) -> Computo:
    """Count the experiences; ``filtro`` narrows them and ``clausula`` is then cited for those that count."""
    ctx, tramos = _preparar(experiencias, formacion, fecha_postulacion, solo_secundaria)
    _, motivo_inicio = inicio_computo(formacion, solo_secundaria, requisito)
    motivos = [motivo_inicio]
    suma = 0
    for tramo in tramos:
        exp = tramo.experiencia
        motivos.extend(_motivo(requisito, exp, *nota) for nota in tramo.notas)
        if not tramo.periodos:
            continue
        exclusion = filtro(exp) if filtro is not None else None
        if exclusion is not None:
            motivos.append(_motivo(requisito, exp, False, *exclusion))
            continue
        dias = total_dias(tramo.periodos)
        rangos = ", ".join(f"{fecha(p.inicio)} – {fecha(p.fin)}" for p in unir(tramo.periodos))
        motivos.append(_motivo(requisito, exp, True, clausula or _clausula_conteo(ctx, exp),
                               f"Se contabiliza {rangos}.", computado=n_dias(dias)))
        suma += dias
    total = _dias(tramos, filtro)
    if suma > total:
        motivos.append(Motivo(requisito=requisito, declarado="periodos traslapados", computado=n_dias(total),
                              cumple=True, clausula="§4.2.1 y",
                              mensaje="El periodo traslapado se considera una sola vez: "
                                      f"se descuentan {n_dias(suma - total)}."))
    return Computo(total, motivos)


def _solo_especifica(exp: Experiencia) -> tuple[str, str] | None:
    """Specific experience: marked by the evaluator, and never SECIGRA (§4.2.1 r, w, x)."""
    if exp.tipo is TipoExperiencia.SECIGRA:
        return "§4.2.1 r", "El SECIGRA se considera solo como experiencia general."
    if exp.especifica is None:
        return "§4.2.1 x", ("El evaluador no ha calificado si las funciones declaradas guardan consonancia con las "
                            "del puesto: no se cuenta como experiencia específica.")
    if not exp.especifica:
        return "§4.2.1 x", ("Las funciones declaradas no guardan consonancia con las del puesto: "
                            "no es experiencia específica.")
    return None


def _solo_publica_especifica(exp: Experiencia) -> tuple[str, str] | None:
    """Public-sector specific experience: specific, in a public entity, any regime (§4.2.1 w)."""
    motivo = _solo_especifica(exp)
    if motivo is None and exp.sector is not Sector.PUBLICO:
        return "§4.2.1 w", "La experiencia no se realizó en una entidad del sector público."
    return motivo


def _solo_publica(exp: Experiencia) -> tuple[str, str] | None:
    """Any counted experience in a public entity (Ley 31533, §4.3.2)."""
    if exp.sector is not Sector.PUBLICO:
        return "§4.3.2", "La experiencia no se realizó en el sector público."
    return None


def experiencia_general(experiencias: Sequence[Experiencia], formacion: Formacion | None,
                        fecha_postulacion: date, solo_secundaria: bool = False) -> Computo:
    """General experience in days with its reasons (§4.2.1 p–v, y, z)."""
    return _computar(experiencias, formacion, fecha_postulacion, solo_secundaria, GENERAL)


def experiencia_especifica(experiencias: Sequence[Experiencia], formacion: Formacion | None,
                           fecha_postulacion: date, solo_secundaria: bool = False) -> Computo:
    """Specific experience: the general periods of experiences marked specific (§4.2.1 w, x)."""
    return _computar(experiencias, formacion, fecha_postulacion, solo_secundaria, ESPECIFICA, _solo_especifica,
                     "§4.2.1 w")


def experiencia_publica(experiencias: Sequence[Experiencia], formacion: Formacion | None,
                        fecha_postulacion: date, solo_secundaria: bool = False, *,
                        especifica: bool = True) -> Computo:
    """Public-sector experience (§4.2.1 w); ``especifica=False`` gives all public-sector experience (§4.3.2)."""
    if especifica:
        return _computar(experiencias, formacion, fecha_postulacion, solo_secundaria, PUBLICA,
                         _solo_publica_especifica, "§4.2.1 w")
    return _computar(experiencias, formacion, fecha_postulacion, solo_secundaria, PUBLICA_GENERAL, _solo_publica)


class DiasExperiencia(NamedTuple):
    """The days :func:`experiencia_general`, :func:`experiencia_especifica` and
    :func:`experiencia_publica` count, without their reasons."""

    general: int
    especifica: int
    publica: int


def dias_experiencia(experiencias: Sequence[Experiencia], formacion: Formacion | None, fecha_postulacion: date,
                     solo_secundaria: bool = False) -> DiasExperiencia:
    """General, specific and public-sector specific days in one pass, for screening many candidates (D1).

    The same counting as the three functions above — §4.2.1 p (start date), q (prácticas:
    3 months minimum, up to egreso, the earliest 24 months of professional ones), r (a full
    SECIGRA year), s–u (never counted), v (secundaria), w–x (specific, public), y (overlaps
    once), z (cut at the application date) — but on day numbers (``date.toordinal``) and
    without building any :class:`Motivo`: use those functions when the reasons are wanted.
    ``tests/rules/test_experiencia_rapida.py`` checks it against them.
    """
    fp = fecha_postulacion.toordinal()
    desde_fecha, _ = _fecha_inicio(formacion, solo_secundaria)
    desde = None if desde_fecha is None else desde_fecha.toordinal()
    egreso_fecha = _egreso(formacion, solo_secundaria)
    egreso = None if egreso_fecha is None else egreso_fecha.toordinal()
    sin_egreso = egreso is None and not solo_secundaria  # prácticas need a declared egreso (q)
    general: list[tuple[int, int]] = []
    especifica: list[tuple[int, int]] = []
    publica: list[tuple[int, int]] = []
    profesionales: list[tuple[int, int, bool, bool]] = []
    for exp in experiencias:
        tipo = exp.tipo
        a = exp.inicio.toordinal()
        if a > fp or tipo in NO_COMPUTABLES:  # z: starts after the application date; s–u
            continue
        fin = exp.fin
        b = fp if fin is None else min(fin.toordinal(), fp)  # z
        if tipo is _EMPLEO or tipo is _LOCACION or tipo is _PROFESIONALES:
            if tipo is _PROFESIONALES and sin_egreso:
                continue
            if not solo_secundaria:  # p (v: no start date)
                if desde is None:
                    continue
                if a < desde:
                    a = desde
                    if a > b:
                        continue
        elif tipo is _PREPROFESIONALES:
            if sin_egreso or not dura_meses(a, b, MESES_MINIMOS_PREPROFESIONALES):  # q
                continue
            if egreso is not None and b > egreso:  # q: only up to egreso
                b = egreso
                if a > b:
                    continue
        elif tipo is _SECIGRA:
            if not dura_meses(a, b, MESES_SECIGRA):  # r
                continue
        else:  # pragma: no cover - every kind is handled above or in NO_COMPUTABLES
            raise KeyError(tipo)
        es_especifica = exp.especifica is True and tipo is not _SECIGRA  # r, x (None: not judged)
        es_publica = es_especifica and exp.sector is Sector.PUBLICO  # w
        if tipo is _PROFESIONALES:
            profesionales.append((a, b, es_especifica, es_publica))
            continue
        par = (a, b)
        general.append(par)
        if es_especifica:
            especifica.append(par)
            if es_publica:
                publica.append(par)
    if profesionales:
        _tope_profesionales_dias(profesionales, general, especifica, publica)
    return DiasExperiencia(_dias_union(general), _dias_union(especifica), _dias_union(publica))


_EMPLEO = TipoExperiencia.EMPLEO
_LOCACION = TipoExperiencia.LOCACION
_PROFESIONALES = TipoExperiencia.PRACTICAS_PROFESIONALES
_PREPROFESIONALES = TipoExperiencia.PRACTICAS_PREPROFESIONALES
_SECIGRA = TipoExperiencia.SECIGRA
_DIAS_PROFESIONALES = dias_minimos(meses=MESES_MAXIMOS_PROFESIONALES)


def _union_dias(pares: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of day-number periods (both ends included), sorted; overlapping or adjacent ones join (y)."""
    pares.sort()
    unidos: list[tuple[int, int]] = []
    for a, b in pares:
        if unidos and a - unidos[-1][1] <= 1:
            if b > unidos[-1][1]:
                unidos[-1] = (unidos[-1][0], b)
        else:
            unidos.append((a, b))
    return unidos


def _dias_union(pares: list[tuple[int, int]]) -> int:
    """Days covered by at least one day-number period (§4.2.1 y); sorts ``pares`` in place."""
    if not pares:
        return 0
    pares.sort()
    total = 0
    a0, b0 = pares[0]
    for a, b in pares:
        if a - b0 <= 1:
            b0 = max(b0, b)
        else:
            total += b0 - a0 + 1
            a0, b0 = a, b
    return total + b0 - a0 + 1


def _tope_profesionales_dias(profesionales: list[tuple[int, int, bool, bool]], general: list[tuple[int, int]],
                             especifica: list[tuple[int, int]], publica: list[tuple[int, int]]) -> None:
    """§4.2.1 q on day numbers: only the earliest 24 months of all prácticas profesionales together count."""
    union = _union_dias([(a, b) for a, b, _, _ in profesionales])
    if sum(b - a + 1 for a, b in union) <= _DIAS_PROFESIONALES:
        permitidos = None  # within the cap: every day counts
    else:
        permitidos, restantes = [], _DIAS_PROFESIONALES
        for a, b in union:
            if restantes <= 0:
                break
            b = min(b, a + restantes - 1)
            permitidos.append((a, b))
            restantes -= b - a + 1
    for a, b, es_especifica, es_publica in profesionales:
        partes = [(a, b)] if permitidos is None else [
            (max(a, pa), min(b, pb)) for pa, pb in permitidos if max(a, pa) <= min(b, pb)]
        general.extend(partes)
        if es_especifica:
            especifica.extend(partes)
            if es_publica:
                publica.extend(partes)


def evaluar_experiencia(computo: Computo | int, *, requisito: str, anios: Numero = 0, meses: Numero = 0,
                        clausula: str = "§4.2.1 p") -> Motivo:
    """Compare counted experience (a :class:`Computo` or its days) with the profile's minimum (D1)."""
    dias = computo if isinstance(computo, int) else computo.dias
    return _evaluar_dias(dias, requisito, anios, meses, clausula)


@lru_cache(maxsize=2**16, typed=True)
def _evaluar_dias(dias: int, requisito: str, anios: Numero, meses: Numero, clausula: str) -> Motivo:
    """:func:`evaluar_experiencia` on a day count. Memoized: a pure function whose result is
    immutable, and the same day counts recur for the same requirement over a large call."""
    minimo = dias_minimos(anios=anios, meses=meses)
    cumple = dias >= minimo
    exigido = describir(minimo)
    computado = describir(dias)
    return Motivo(requisito=f"{requisito}: {exigido}", declarado="Ficha de Postulante, sección 7",
                  computado=f"{computado} ({n_dias(dias)})", cumple=cumple, clausula=clausula,
                  mensaje=(f"Cumple con {exigido} de {requisito.lower()}." if cumple
                           else f"No acredita {exigido} de {requisito.lower()}: se computan {computado}."))
