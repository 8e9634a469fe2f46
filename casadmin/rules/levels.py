"""Levels: office software and languages (§4.2.1 n) and academic level (§4.2.1 e–h, B2).

Interpretations (short and explicit)
------------------------------------
* Knowledge: the declared level must be at least the required one
  (básico < intermedio < avanzado); not declaring it is "No apto" (§4.2.1 n).
  Names are compared case- and accent-insensitively ("Inglés" = "ingles").
  The Ficha declares three office programs by fixed names; what a profile or
  a file may call each («Excel», «Procesador de Texto»…) is the same program
  (:data:`OFIMATICA`, :func:`clave_conocimiento`).
* Academic level: one ladder, :class:`Grado`, from the brief and B2:
  secundaria completa < técnico (egresado < bachiller < titulado) < universitario egresado
  < bachiller < título < maestría (estudios < egresado < grado) < doctorado
  (estudios < egresado < grado). A higher rung meets a lower requirement.
  Studies in progress (técnico or universitario ``en_curso``) rank just above
  secundaria completa and meet no higher requirement; secundaria in progress
  ranks nowhere. "Estudios de maestría" in progress meet a requirement of
  estudios de maestría (§4.2.4 a admits a constancia of studies in progress).
  The undergraduate «grado» is the bachiller (bachiller técnico for a técnico
  study), never the título. A maestría or doctorado meets no undergraduate
  requirement naming careers (unless the evaluator lists it among the afines,
  g), and one naming none only as the bachiller it requires (Ley N° 30220,
  art. 45.4).
* The same declared row must meet both the rung and the career, which the
  declared name must *name* (:func:`nombra_carrera`); with "o afines" the
  evaluator lists the careers accepted as directly related to the functions
  in ``carreras_afines`` (§4.2.1 g).
* Secundaria completa must be declared with its end date (§4.2.1 f); a
  degree or egreso dated after the application date does not count (§4.2.1 e).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from enum import IntEnum
from functools import lru_cache
from typing import Any

from casadmin.rules.courses import normalizar
from casadmin.rules.reasons import Motivo, estudio, etiqueta, fecha
from casadmin.rules.types import (
    Condicion,
    Formacion,
    Nivel,
    NivelEstudios,
    RequisitoFormacion,
)

# --- office software and languages (§4.2.1 n) ----------------------------------


# Memoized, like evaluar_colegiatura below: a few combinations recur across every applicant of a
# call, and a Motivo is immutable, so candidates can share the same one.
@lru_cache(maxsize=1024)
def cumple_nivel(requerido: Nivel, declarado: Nivel | None, *, conocimiento: str) -> Motivo:
    """Declared level ≥ required level (§4.2.1 n)."""
    cumple = declarado is not None and declarado >= requerido
    pedido = etiqueta(requerido.value)
    tiene = "—" if declarado is None else etiqueta(declarado.value)
    if declarado is None:
        mensaje = f"No declaró conocimiento de {conocimiento}."
    elif cumple:
        mensaje = f"Declara {conocimiento} en nivel {tiene}; se requiere {pedido}."
    else:
        mensaje = f"Declara {conocimiento} en nivel {tiene}, inferior al nivel {pedido} requerido."
    return Motivo(requisito=f"{conocimiento} (nivel {pedido})", declarado=tiene, computado=tiene,
                  cumple=cumple, clausula="§4.2.1 n", mensaje=mensaje)


#: §4.2.1 n: the three office programs the Ficha declares, by their Ficha names («Procesador de Texto, Hojas de
#: Cálculo y Programas de Presentaciones» in the bases; ``ProgramaOfimatica``), and what else may name each:
#: normalized name (:func:`normalizar`) → the Ficha's name.
OFIMATICA: dict[str, str] = {
    alias: programa
    for programa, aliases in (
        ("Procesador de textos", ("procesador de textos", "procesador de texto", "procesadores de texto",
                                  "procesadores de textos", "word", "microsoft word")),
        ("Hojas de cálculo", ("hojas de calculo", "hoja de calculo", "excel", "microsoft excel")),
        ("Programa de presentaciones", ("programa de presentaciones", "programas de presentaciones",
                                        "programa de presentacion", "programas de presentacion", "presentaciones",
                                        "powerpoint", "power point", "microsoft powerpoint")),
    )
    for alias in aliases
}


def programa_ofimatica(nombre: str) -> str | None:
    """The Ficha's name of the office program ``nombre`` names (any case, accents, spacing), else ``None``
    (a language, or a program the Ficha cannot declare)."""
    return OFIMATICA.get(normalizar(nombre))


def clave_conocimiento(nombre: str) -> str:
    """What a declared or required office program or language is compared by: its normalized name, one
    for all the names of an office program (a profile's «Excel» is the Ficha's «Hojas de cálculo»)."""
    k = normalizar(nombre)
    programa = OFIMATICA.get(k)
    return k if programa is None else normalizar(programa)


def niveles_mas_altos(pares: Iterable[tuple[str, Any]], clave: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Each declared name with its highest level, whatever their order (§4.2.1 n): a Ficha may list a
    language twice. Levels as :class:`Nivel` or as their values («basico»), kept as given; with
    ``clave`` (``normalizar``: case, accents, spacing) names it makes equal are one, keyed by it."""
    out: dict[str, Any] = {}
    for nombre, nivel in pares:
        k = nombre if clave is None else clave(nombre)
        antes = out.get(k)
        if antes is None or Nivel(nivel) > Nivel(antes):
            out[k] = nivel
    return out


def evaluar_conocimientos(requeridos: Mapping[str, Nivel], declarados: Mapping[str, Nivel]) -> list[Motivo]:
    """One reason per required office program or language, in the profile's order (§4.2.1 n). A name
    declared twice (as the same name without accents, case or extra spaces, or another name of the same
    office program: :func:`clave_conocimiento`) counts at its higher level, whatever their order."""
    por_nombre = niveles_mas_altos(declarados.items(), clave_conocimiento)
    return [cumple_nivel(nivel, por_nombre.get(clave_conocimiento(nombre)), conocimiento=nombre)
            for nombre, nivel in requeridos.items()]


# --- academic level (§4.2.1 e–h) -------------------------------------------------


class Grado(IntEnum):
    """The academic ladder; a higher value meets a lower requirement."""

    SECUNDARIA_COMPLETA = 1
    ESTUDIOS_SUPERIORES = 2
    TECNICO_EGRESADO = 3
    TECNICO_BACHILLER = 4
    TECNICO_TITULADO = 5
    UNIVERSITARIO_EGRESADO = 6
    BACHILLER = 7
    TITULO = 8
    ESTUDIOS_MAESTRIA = 9
    MAESTRIA_EGRESADO = 10
    MAESTRO = 11
    ESTUDIOS_DOCTORADO = 12
    DOCTORADO_EGRESADO = 13
    DOCTOR = 14


#: Undergraduate (pregrado) and postgraduate levels (§4.2.1 e, g).
PREGRADO = frozenset({NivelEstudios.TECNICO, NivelEstudios.UNIVERSITARIO})
POSGRADO = frozenset({NivelEstudios.MAESTRIA, NivelEstudios.DOCTORADO})


_GRADOS: dict[NivelEstudios, dict[Condicion, Grado]] = {
    NivelEstudios.SECUNDARIA: {c: Grado.SECUNDARIA_COMPLETA for c in Condicion if c is not Condicion.EN_CURSO},
    NivelEstudios.TECNICO: {
        Condicion.EN_CURSO: Grado.ESTUDIOS_SUPERIORES,
        Condicion.EGRESADO: Grado.TECNICO_EGRESADO,
        # The grado a técnico study gives is the bachiller técnico, below the título (Ley N° 30512)
        Condicion.BACHILLER: Grado.TECNICO_BACHILLER,
        Condicion.TITULADO: Grado.TECNICO_TITULADO,
        Condicion.GRADO: Grado.TECNICO_BACHILLER,
    },
    NivelEstudios.UNIVERSITARIO: {
        Condicion.EN_CURSO: Grado.ESTUDIOS_SUPERIORES,
        Condicion.EGRESADO: Grado.UNIVERSITARIO_EGRESADO,
        Condicion.BACHILLER: Grado.BACHILLER,
        Condicion.TITULADO: Grado.TITULO,
        # The academic grado of an undergraduate study is the bachiller; the título is not a grado (§4.2.1 e)
        Condicion.GRADO: Grado.BACHILLER,
    },
    NivelEstudios.MAESTRIA: {
        Condicion.EN_CURSO: Grado.ESTUDIOS_MAESTRIA,
        Condicion.EGRESADO: Grado.MAESTRIA_EGRESADO,
        Condicion.BACHILLER: Grado.MAESTRIA_EGRESADO,
        Condicion.TITULADO: Grado.MAESTRO,
        Condicion.GRADO: Grado.MAESTRO,
    },
    NivelEstudios.DOCTORADO: {
        Condicion.EN_CURSO: Grado.ESTUDIOS_DOCTORADO,
        Condicion.EGRESADO: Grado.DOCTORADO_EGRESADO,
        Condicion.BACHILLER: Grado.DOCTORADO_EGRESADO,
        Condicion.TITULADO: Grado.DOCTOR,
        Condicion.GRADO: Grado.DOCTOR,
    },
}

_FECHA_CLAVE_DIPLOMA = frozenset({Condicion.BACHILLER, Condicion.TITULADO, Condicion.GRADO})


def grado(nivel: NivelEstudios, condicion: Condicion) -> Grado | None:
    """Rung of a level and condition; ``None`` for secundaria in progress."""
    return _GRADOS[nivel].get(condicion)


def la_mas_alta(formaciones: Sequence[Formacion]) -> Formacion | None:
    """§4.2.1 p when no declared study meets the profile: the highest one with a date (the first of
    equals), which experience then counts from."""
    mejor: Formacion | None = None
    rango = -1
    for f in formaciones:
        if f.fecha_egreso is None and f.fecha_diploma is None:
            continue
        g = grado(f.nivel, f.condicion)
        valor = 0 if g is None else int(g)
        if valor > rango:
            mejor, rango = f, valor
    return mejor


def _fecha_clave(formacion: Formacion) -> date | None:
    """The date that proves the condition: diploma for degrees, egreso otherwise."""
    if formacion.condicion in _FECHA_CLAVE_DIPLOMA and formacion.fecha_diploma is not None:
        return formacion.fecha_diploma
    return formacion.fecha_egreso


#: Words after which a declared career's name may name the career asked for: «Ciencias de la Comunicación»,
#: «Escuela Profesional de Derecho», «Derecho y Ciencias Políticas», «Sistemas e Informática», «Contabilidad
#: y/o Administración», and the words that only say it is a career or a degree («EAP Administración»,
#: «Licenciatura en …», «Bachiller en …»).
_ENLACES = frozenset({"de", "del", "la", "las", "los", "el", "en", "y", "e", "o", "u", "eap", "ep", "lic",
                      "licenciado", "licenciada", "licenciatura", "bachiller", "titulo", "carrera", "profesional",
                      "escuela", "facultad"})
#: What separates the careers of a name that lists more than one: «Economía / Administración»,
#: «Administración - Contabilidad», «Carrera Profesional: Derecho», «Administración (Contabilidad)».
_SEPARADORES = re.compile(r"[,;:/()\[\]\-–—.]")


@lru_cache(maxsize=4096)  # the same few careers recur over a call
def nombra_carrera(declarada: str, pedida: str) -> bool:
    """Whether the declared career's name names the career asked for (§4.2.1 g: "únicamente serán
    consideradas las carreras profesionales … solicitados o los que pudieran tener otros nombres"):
    its words, compared without accents or case, at the start of the declared name or of one of its parts
    (:data:`_SEPARADORES`), or after a linking word (:data:`_ENLACES`). So «Derecho y Ciencias Políticas»,
    «Ciencias de la Comunicación» and «Economía / Administración» name Derecho, Comunicación and
    Administración, while «Educación Física» does not name Física, nor «Ingeniería Química» Química: there
    the asked-for name only qualifies another career."""
    pedidas = re.findall(r"\w+", normalizar(pedida))
    n = len(pedidas)
    if not n:
        return False
    for parte in _SEPARADORES.split(normalizar(declarada)):
        palabras = re.findall(r"\w+", parte)
        if any(palabras[i:i + n] == pedidas and (i == 0 or palabras[i - 1] in _ENLACES)
               for i in range(len(palabras) - n + 1)):
            return True
    return False


def _coincide_carrera(requisito: RequisitoFormacion, formacion: Formacion) -> bool:
    carreras = requisito.carreras + (requisito.carreras_afines if requisito.afines else ())
    if not requisito.carreras or requisito.nivel is NivelEstudios.SECUNDARIA:
        return True
    return any(nombra_carrera(formacion.carrera, carrera) for carrera in carreras if carrera.strip())


def _rechazo(requisito: RequisitoFormacion, formacion: Formacion, minimo: Grado,
             fecha_postulacion: date | None) -> tuple[str, str] | None:
    """``None`` when this row meets the requirement, else ``(clausula, reason)``."""
    alcanzado = grado(formacion.nivel, formacion.condicion)
    if alcanzado is not None and requisito.nivel in PREGRADO and formacion.nivel in POSGRADO:
        # A maestría or doctorado proves no undergraduate career (§4.2.1 g: only the careers asked for),
        # and of the undergraduate degrees only the bachiller it requires (Ley N° 30220, art. 45.4); unless
        # the profile accepts «afines» and the evaluator listed it: g's afines include «estudios de maestría
        # o doctorado, similares»
        afin = requisito.afines and any(nombra_carrera(formacion.carrera, a) for a in requisito.carreras_afines
                                        if a.strip())
        if requisito.carreras and not afin:
            return "§4.2.1 g", (f"{estudio(formacion.nivel, formacion.condicion, formacion.carrera)} es un posgrado: "
                                "no acredita la carrera de pregrado solicitada")
        if not afin:
            alcanzado = min(alcanzado, Grado.BACHILLER)
    if alcanzado is None or alcanzado < minimo:
        return "§4.2.1 e", f"{estudio(formacion.nivel, formacion.condicion)} no alcanza el nivel requerido"
    if not _coincide_carrera(requisito, formacion):
        clausula = "§4.2.1 g"
        return clausula, f"la carrera «{formacion.carrera}» no es la solicitada"
    if alcanzado is Grado.SECUNDARIA_COMPLETA and formacion.fecha_egreso is None:
        return "§4.2.1 f", "la secundaria completa debe declararse con su fecha de término"
    clave = _fecha_clave(formacion)
    if fecha_postulacion is not None and clave is not None and clave > fecha_postulacion:
        return "§4.2.1 e", f"la fecha {fecha(clave)} es posterior a la postulación"
    return None


def _minimo(requisito: RequisitoFormacion) -> Grado:
    minimo = grado(requisito.nivel, requisito.condicion)
    if minimo is None:
        raise ValueError("Un requisito de formación no puede ser secundaria en curso")
    return minimo


def cumple_formacion(requisito: RequisitoFormacion, formacion: Formacion, *,
                     fecha_postulacion: date | None = None) -> bool:
    """Whether this one declared row meets the requirement (§4.2.1 e–h).

    The same decision as ``evaluar_formacion(requisito, [formacion], ...).cumple``,
    without building the reason (used to pick the study experience counts from).
    """
    return _rechazo(requisito, formacion, _minimo(requisito), fecha_postulacion) is None


def evaluar_formacion(requisito: RequisitoFormacion, formaciones: Sequence[Formacion], *,
                      fecha_postulacion: date | None = None) -> Motivo:
    """Does any declared row meet the academic requirement? (§4.2.1 e–h)."""
    return evaluar_formacion_y_fila(requisito, formaciones, fecha_postulacion=fecha_postulacion)[0]


@lru_cache(maxsize=256)
def _nombre_y_minimo(requisito: RequisitoFormacion) -> tuple[str, Grado]:
    """The requirement's name in the reasons and its rung (the same for every applicant of a call)."""
    nombre = estudio(requisito.nivel, requisito.condicion)
    if requisito.carreras:
        nombre += " en " + " / ".join(requisito.carreras) + (" o afines" if requisito.afines else "")
    return nombre, _minimo(requisito)


def evaluar_formacion_y_fila(requisito: RequisitoFormacion, formaciones: Sequence[Formacion], *,
                             fecha_postulacion: date | None = None) -> tuple[Motivo, Formacion | None]:
    """:func:`evaluar_formacion` and the first declared row that meets the requirement (or ``None``).

    That row is the study from which experience counts (§4.2.1 p), so the Ficha stage asks
    both at once instead of judging every row twice.
    """
    nombre, minimo = _nombre_y_minimo(requisito)
    rechazos: list[tuple[str, str]] = []
    for formacion in formaciones:
        rechazo = _rechazo(requisito, formacion, minimo, fecha_postulacion)
        if rechazo is None:
            return _cumple_con(nombre, requisito.afines, formacion.nivel, formacion.condicion,
                               formacion.carrera), formacion
        rechazos.append(rechazo)
    if not rechazos:
        # e: the studies the position requires are declared in the Ficha; h: a maestría «es indispensable» to declare
        posgrado = requisito.nivel is NivelEstudios.MAESTRIA or requisito.nivel is NivelEstudios.DOCTORADO
        return Motivo(requisito=nombre, declarado="—", computado="—", cumple=False,
                      clausula="§4.2.1 e, h" if posgrado else "§4.2.1 e", mensaje="No declaró formación académica."), None
    clausula = rechazos[0][0]
    return Motivo(requisito=nombre,
                  declarado="; ".join(estudio(f.nivel, f.condicion, f.carrera) for f in formaciones),
                  computado="no cumple", cumple=False, clausula=clausula,
                  mensaje=f"No cumple con {nombre}: " + "; ".join(dict.fromkeys(r for _, r in rechazos)) + "."), None


@lru_cache(maxsize=4096)
def _cumple_con(nombre: str, afines: bool, nivel: NivelEstudios, condicion: Condicion, carrera: str) -> Motivo:
    """The reason of a declared row that meets the requirement (memoized: few distinct rows per call)."""
    declarado = estudio(nivel, condicion, carrera)
    alcanzado = grado(nivel, condicion)
    return Motivo(requisito=nombre, declarado=declarado, computado="—" if alcanzado is None else etiqueta(alcanzado.name.lower()),
                  cumple=True, clausula="§4.2.1 g" if afines else "§4.2.1 e",
                  mensaje=f"Cumple con {nombre}: declara {declarado}.")


def grado_nombre(formacion: Formacion) -> str:
    """Name of the rung a declared row reaches (or "—")."""
    alcanzado = grado(formacion.nivel, formacion.condicion)
    return "—" if alcanzado is None else etiqueta(alcanzado.name.lower())


@lru_cache(maxsize=64, typed=True)
def evaluar_colegiatura(*, requerida: bool, colegiado: bool, habilitado: bool, habilitacion: bool = True) -> Motivo:
    """Colegiatura, and habilitación when the profile asks for it too (``habilitacion``), must be declared
    when the profile asks for them (§4.2.1 h). The reason shows what was declared, also a habilitación
    the profile does not ask for."""
    cumple = not requerida or (colegiado and (habilitado or not habilitacion))
    que = "colegiatura y habilitación" if habilitacion else "colegiatura"
    if not requerida:
        mensaje = "El perfil no requiere colegiatura."
    elif cumple:
        mensaje = f"Declara {que} vigente{'s' if habilitacion else ''}."
    else:
        mensaje = f"No declara {que}{' profesional vigentes' if habilitacion else ''}."
    return Motivo(requisito=que.capitalize(), declarado=f"colegiado: {'sí' if colegiado else 'no'}, habilitado: {'sí' if habilitado else 'no'}",
                  computado="cumple" if cumple else "no cumple", cumple=cumple, clausula="§4.2.1 h", mensaje=mensaje)
