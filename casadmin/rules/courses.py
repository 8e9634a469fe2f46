"""Courses, specialization programs and diplomados (§4.2.1 i–m, §4.2.4 c).

:func:`evaluar_cursos` returns one :class:`Motivo` per requirement, in the
profile's order; ``cumple`` is the verdict for that requirement and the
message lists what counted and what was set aside, with the clause.

Interpretations (short and explicit)
------------------------------------
* Topic matching is pluggable (``criterio``). The default,
  :func:`coincide_tema`, is case- and accent-insensitive containment: the
  required topic must appear inside the declared topic, in whole words and
  not after a phrase of its clause that leaves it out («no incluye»,
  «excepto»: :func:`nombra`).
  When the profile says "o afines" (§4.2.1 m) the evaluator lists in
  ``temas_afines`` the other names accepted; the code never judges
  similarity by itself.
* Only trainings finished on or before the application date count
  (§4.2.4 c: "deben estar concluidos a la fecha de postulación").
* A training declared without hours (0) is set aside for every kind of
  requirement, even one that states no hours: the applicant "deberá declarar
  la cantidad de horas" (§4.2.1 i), and a document that does not give "el
  número de horas lectivas" is not considered (§4.2.4 c).
* ``CURSO`` requirements: the hours of every finished, matching training of
  any modality add up (§4.2.4 c "Las horas de capacitación son acumulativas").
* ``PROGRAMA_ESPECIALIZACION`` requirements need one programa of at least 90
  hours, 80 when a governing body (ente rector) organizes it, and at least
  the hours the profile asks, except that a profile stating exactly "90
  horas" restates the general minimum (§4.2.1 k), so a governing body's
  programme of 80 still counts. A "curso de especialización" never replaces
  it, whatever its hours (k).
* ``DIPLOMADO`` requirements need one diplomado; if it started on or after
  2014-07-10 (Ley 30220) it needs 24 credits or, when no credits are
  declared, 384 hours (§4.2.1 l). Without a start date the end date decides:
  one that ended before 2014-07-10 certainly started before.
* A finished maestría or doctorado matching the topic can satisfy any of the
  three kinds, but each one satisfies at most one requirement (§4.2.1 j).
  Other trainings may serve several requirements. The assignment of
  postgraduate studies maximizes the number of requirements met, preferring
  the earlier requirements and the earlier-declared studies on ties.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from casadmin.rules.decimales import sin_ceros
from casadmin.rules.reasons import Motivo, como_frase, etiqueta, fecha
from casadmin.rules.types import Capacitacion, RequisitoCapacitacion, TipoCapacitacion

HORAS_PROGRAMA = Decimal(90)  # §4.2.1 k
HORAS_PROGRAMA_ENTE_RECTOR = Decimal(80)  # §4.2.1 k
VIGENCIA_LEY_30220 = date(2014, 7, 10)  # §4.2.1 l
CREDITOS_DIPLOMADO = Decimal(24)  # §4.2.1 l
HORAS_POR_CREDITO = Decimal(16)  # §4.2.1 l
HORAS_DIPLOMADO = CREDITOS_DIPLOMADO * HORAS_POR_CREDITO  # 384 h, §4.2.1 l

POSGRADOS = frozenset({TipoCapacitacion.MAESTRIA, TipoCapacitacion.DOCTORADO})

Criterio = Callable[[RequisitoCapacitacion, Capacitacion], bool]
"""Decides whether a declared training is on the requirement's topic."""

_NOMBRES = {
    TipoCapacitacion.CURSO: "Curso",
    TipoCapacitacion.PROGRAMA_ESPECIALIZACION: "Programa de especialización",
    TipoCapacitacion.DIPLOMADO: "Diplomado",
}


@lru_cache(maxsize=2**16)
def normalizar(texto: str) -> str:
    """Lower-case, accent-free, single-spaced text for topic comparison.

    Memoized: a pure function of an immutable string, called for the same few topic,
    career and software names over and over when a call has many applicants.
    """
    sin_tildes = "".join(c for c in unicodedata.normalize("NFKD", texto) if not unicodedata.combining(c))
    return " ".join(sin_tildes.casefold().split())


#: A word, «#» and «+» kept in it: «C#» and «C++» are not «C».
_PALABRA = re.compile(r"[\w#+]+")


@lru_cache(maxsize=2**16)
def palabras(texto: str) -> str:
    """The text's words (:func:`normalizar`, punctuation dropped), each with a space on either side:
    « curso de excel avanzado ». A topic is looked for in a declared one in this form, so that it matches
    whole words only."""
    return " " + " ".join(_PALABRA.findall(normalizar(texto))) + " "


def sin_palabras(tema: str) -> str | None:
    """Why a profile's topic cannot be a requirement's, or ``None``: one with no letter or digit («—», «…»,
    «___», «+++») names nothing a course could be on, so nobody would ever meet it (§4.2.1 i)."""
    if any(c.isalnum() for c in tema):
        return None
    return "la temática debe tener letras o números: una sin ellos no la puede nombrar ningún curso (§4.2.1 i)"


def tema_sin_palabras(temas: Sequence[str]) -> str | None:
    """:func:`sin_palabras` of the first of ``temas`` that has no word, as a form's sentence; ``None`` if none."""
    motivo = next(filter(None, map(sin_palabras, temas)), None)
    return None if motivo is None else como_frase(motivo)


@lru_cache(maxsize=1024)
def _temas_normalizados(tema: str, temas_afines: tuple[str, ...]) -> tuple[str, ...]:
    """The required topic and the accepted similar ones as :func:`palabras`, blanks left out (memoized per
    requirement)."""
    return tuple(p for p in map(palabras, (tema, *temas_afines)) if p.strip())


#: Phrases that, before a topic in the same clause of a declared title, leave it out of the course: «Gestión
#: pública (no incluye SIAF)», «… a excepción del módulo SIAF». Only such phrases: a «no» alone is part of
#: many titles («No a la violencia contra la mujer» is a course on it), and «salvo» too («Escuelas a salvo»).
_EXCLUYEN = (" no incluye ", " no incluyen ", " no incluido ", " no incluida ", " no incluidos ", " no incluidas ",
             " no comprende ", " sin incluir ", " excepto ", " a excepcion de ", " a excepcion del ", " excluye ",
             " excluyen ", " excluyendo ", " excluido ", " excluida ", " excluidos ", " excluidas ")
#: Where a declared title's clauses part: «Word, Excel (excepto Access), PowerPoint». Not at «:» nor «/», which
#: join a phrase to what it leaves out: «(no incluye: SIAF)», «(excepto SIAF/SIGA)».
_CLAUSULAS_TITULO = re.compile(r"[,;.()\[\]{}«»\"]")


def clausulas_que_nombran(texto: str, buscado: str, separador: re.Pattern[str] = _CLAUSULAS_TITULO) -> list[str]:
    """The clauses of ``texto`` (split at ``separador``, each as :func:`palabras`) that hold ``buscado`` (as
    :func:`palabras`): none when the text does not hold it, the whole text when it does only across a
    separator (a requirement or topic that itself holds a comma)."""
    todo = palabras(texto)
    if buscado not in todo:
        return []
    return [c for c in map(palabras, separador.split(normalizar(texto))) if buscado in c] or [todo]


#: A bracketed part of a title, to its closing bracket or the title's end: «(no incluye SIAF, SIGA)».
_ENTRE_CORCHETES = re.compile(r"\([^()]*(?:\)|$)|\[[^\[\]]*\]|\{[^{}]*\}|«[^«»]*»")
#: Where a bracketed part's lists end (kept by the split, to be joined back).
_FRASES_EN_CORCHETES = re.compile(r"([;.])")


def _lista_excluida(corchetes: re.Match[str]) -> str:
    """A bracketed part with each of its «;»- or «.»-parts that opens with a phrase of :data:`_EXCLUYEN` read
    as the list it leaves out, commas and all, up to an item that includes again: «(no incluye SIAF, SIGA)»
    leaves out both, «[Word; excepto Access, Outlook]» both of those, «(excepto SIAF; incluye SIGA)» and «(no
    incluye SIAF, incluye SIGA)» only SIAF. A phrase after other items of its part reads as outside
    brackets, a comma ends it: «(Word, Excel excepto macros, PowerPoint)» names PowerPoint."""
    trozos = _FRASES_EN_CORCHETES.split(corchetes.group(0))
    for k in range(0, len(trozos), 2):  # the parts; the odd ones are their «;» and «.»
        partes = trozos[k].split(",")
        if any(palabras(partes[0]).startswith(frase) for frase in _EXCLUYEN):
            n = next((i for i, parte in enumerate(partes) if i and palabras(parte).startswith(" incluye ")),
                     len(partes))
            trozos[k] = ",".join([" ".join(partes[:n]), *partes[n:]])
    return "".join(trozos)


def nombra(titulo: str, tema: str) -> bool:
    """Whether the declared title names the topic (:func:`palabras`) other than to leave it out: the topic is
    among its words, and some clause of the title that holds it (split at «,», «;», «.», brackets and
    quotes: :func:`clausulas_que_nombran`) has none of :data:`_EXCLUYEN` before it. A bracketed part that
    opens with such a phrase is the list it leaves out, commas and all (:func:`_lista_excluida`): «Gestión
    pública (no incluye SIAF, SIGA)» names neither; elsewhere a comma still ends it, «Word, Excel excepto
    Access, PowerPoint» names PowerPoint."""
    declarado = palabras(titulo)
    if tema not in declarado:
        return False
    if not any(frase in declarado for frase in _EXCLUYEN):  # the usual case
        return True
    for clausula in clausulas_que_nombran(_ENTRE_CORCHETES.sub(_lista_excluida, titulo), tema):
        inicio = clausula.find(tema)
        while inicio >= 0:
            antes = clausula[:inicio + 1]
            if not any(frase in antes for frase in _EXCLUYEN):
                return True
            inicio = clausula.find(tema, inicio + 1)
    return False


def coincide_tema(requisito: RequisitoCapacitacion, capacitacion: Capacitacion) -> bool:
    """Default criterion: the declared topic names the required topic (or an accepted similar one), word for
    word (§4.2.1 i: the course is «en la temática requerida»): «Curso de Excel avanzado» and «MS-Excel» name
    Excel, «Excelencia en la atención al ciudadano» does not, nor does «Gestión pública (no incluye Excel)»
    (:func:`nombra`)."""
    temas = _temas_normalizados(requisito.tema, requisito.temas_afines if requisito.afines else ())
    return any(nombra(capacitacion.tema, tema) for tema in temas)


def concluida(capacitacion: Capacitacion, fecha_postulacion: date | None) -> bool:
    """Finished, and on or before the application date when one is given (§4.2.4 c)."""
    if capacitacion.fecha_fin is None:
        return False
    return fecha_postulacion is None or capacitacion.fecha_fin <= fecha_postulacion


def horas_minimas_programa(capacitacion: Capacitacion) -> Decimal:
    """90 hours, or 80 when organized by a governing body (§4.2.1 k)."""
    return HORAS_PROGRAMA_ENTE_RECTOR if capacitacion.ente_rector else HORAS_PROGRAMA


def diplomado_cumple_ley_30220(capacitacion: Capacitacion) -> bool:
    """A diplomado started from 2014-07-10 needs 24 credits, or 384 hours if no credits are declared (§4.2.1 l)."""
    referencia = capacitacion.inicio or capacitacion.fecha_fin
    if referencia is not None and referencia < VIGENCIA_LEY_30220:
        return True
    if capacitacion.creditos is not None:
        return capacitacion.creditos >= CREDITOS_DIPLOMADO
    return capacitacion.horas >= HORAS_DIPLOMADO


def _describir(capacitacion: Capacitacion) -> str:
    return f"{capacitacion.tema} ({etiqueta(capacitacion.tipo)}, {sin_ceros(capacitacion.horas)} h)"


class _Analisis(NamedTuple):
    """What the non-postgraduate studies give a requirement, and what was set aside."""

    requisito: RequisitoCapacitacion
    horas: Decimal  # CURSO: accumulated hours
    valido: Capacitacion | None  # PROGRAMA / DIPLOMADO: a qualifying study
    posgrados: tuple[int, ...]  # indices of finished postgraduate studies on the topic
    descartes: tuple[str, ...]  # "reason (clause)" for studies set aside
    usados: tuple[str, ...]


def _valida_para(requisito: RequisitoCapacitacion, cap: Capacitacion) -> str | None:
    """``None`` when ``cap`` alone can serve a PROGRAMA or DIPLOMADO requirement, else why not."""
    if requisito.tipo is TipoCapacitacion.PROGRAMA_ESPECIALIZACION:
        if cap.tipo is TipoCapacitacion.CURSO_ESPECIALIZACION:
            return f"«{cap.tema}» es un curso de especialización y no suple un programa de especialización (§4.2.1 k)"
        if cap.tipo is not TipoCapacitacion.PROGRAMA_ESPECIALIZACION:
            return f"«{cap.tema}» no es un programa de especialización (§4.2.1 k)"
        # A profile that states the general 90 h asks for a programa, not for more hours: one organized by
        # a governing body still counts from 80 h. Other hours are the profile's own, for every programa.
        minimo = horas_minimas_programa(cap) if requisito.horas == HORAS_PROGRAMA \
            else max(horas_minimas_programa(cap), requisito.horas)
        if cap.horas < minimo:
            return f"«{cap.tema}» tiene {sin_ceros(cap.horas)} h; el programa requiere al menos {sin_ceros(minimo)} h (§4.2.1 k)"
        return None
    if cap.tipo is not TipoCapacitacion.DIPLOMADO:
        return f"«{cap.tema}» no es un diplomado (§4.2.1 l)"
    if not diplomado_cumple_ley_30220(cap):
        if cap.inicio is None:  # what was declared, and the reading of it, not a start nobody gave
            return (f"«{cap.tema}», sin fecha de inicio y concluido el {fecha(cap.fecha_fin)}, se considera iniciado "
                    f"desde el {fecha(VIGENCIA_LEY_30220)} y no alcanza 24 créditos (384 horas lectivas) (§4.2.1 l)")
        return (f"«{cap.tema}» iniciado desde el {fecha(VIGENCIA_LEY_30220)} no alcanza 24 créditos "
                "(384 horas lectivas) (§4.2.1 l)")
    if cap.horas < requisito.horas:
        return f"«{cap.tema}» tiene {sin_ceros(cap.horas)} h; se requieren {sin_ceros(requisito.horas)} h (§4.2.1 l)"
    return None


def _analizar(requisito: RequisitoCapacitacion, capacitaciones: Sequence[Capacitacion],
              fecha_postulacion: date | None, criterio: Criterio) -> _Analisis:
    return _analizar_indices(requisito, capacitaciones,
                             [i for i, cap in enumerate(capacitaciones) if criterio(requisito, cap)], fecha_postulacion)


def _analizar_indices(requisito: RequisitoCapacitacion, capacitaciones: Sequence[Capacitacion],
                      indices: Sequence[int], fecha_postulacion: date | None) -> _Analisis:
    """What the studies ``capacitaciones[i]`` for ``i`` in ``indices`` (those on its topic, in order) give ``requisito``."""
    horas, valido = Decimal(0), None
    posgrados: list[int] = []
    descartes: list[str] = []
    usados: list[str] = []
    es_curso = requisito.tipo is TipoCapacitacion.CURSO
    for indice in indices:
        cap = capacitaciones[indice]
        if not concluida(cap, fecha_postulacion):
            descartes.append(f"«{cap.tema}» no está concluido a la fecha de postulación (§4.2.4 c)")
            continue
        if cap.horas <= 0:
            descartes.append(f"«{cap.tema}» no declara sus horas lectivas (§4.2.1 i, §4.2.4 c)")
            continue
        if cap.tipo in POSGRADOS:
            posgrados.append(indice)
            continue
        if es_curso:
            horas += cap.horas
            usados.append(_describir(cap))
            continue
        motivo = _valida_para(requisito, cap)
        if motivo is not None:
            descartes.append(motivo)
        elif valido is None:
            valido = cap
            usados.append(_describir(cap))
    return _Analisis(requisito, horas, valido, tuple(posgrados), tuple(descartes), tuple(usados))


def _cumple(analisis: _Analisis, posgrados: Sequence[Capacitacion]) -> bool:
    """Whether the requirement is met with these postgraduate studies assigned to it."""
    requisito = analisis.requisito
    if requisito.tipo is TipoCapacitacion.CURSO:
        horas = analisis.horas + sum((p.horas for p in posgrados), Decimal(0))
        return bool(analisis.usados or posgrados) and horas >= requisito.horas
    if analisis.valido is not None:
        return True
    return any(p.horas >= requisito.horas for p in posgrados)


def _asignar_posgrados(analisis: Sequence[_Analisis], capacitaciones: Sequence[Capacitacion]) -> dict[int, list[int]]:
    """Give each finished postgraduate study to at most one requirement (§4.2.1 j), maximizing requirements met."""
    candidatos = sorted({i for a in analisis if a.posgrados and not _cumple(a, ()) for i in a.posgrados})
    if not candidatos:  # nothing to assign (the usual case): the search below would keep the empty assignment
        return {}
    mejor: tuple[tuple[bool, ...], dict[int, list[int]]] = (tuple(_cumple(a, ()) for a in analisis), {})

    def puntaje(asignacion: dict[int, list[int]]) -> tuple[bool, ...]:
        return tuple(_cumple(a, [capacitaciones[i] for i in asignacion.get(r, [])]) for r, a in enumerate(analisis))

    def explorar(k: int, asignacion: dict[int, list[int]]) -> None:
        nonlocal mejor
        if k == len(candidatos):
            resultado = puntaje(asignacion)
            # More requirements met first; then the earlier requirements (tuple order).
            if (sum(resultado), resultado) > (sum(mejor[0]), mejor[0]):
                mejor = (resultado, {r: list(v) for r, v in asignacion.items()})
            return
        indice = candidatos[k]
        for r, a in enumerate(analisis):
            if indice in a.posgrados and not _cumple(a, [capacitaciones[i] for i in asignacion.get(r, [])]):
                asignacion.setdefault(r, []).append(indice)
                explorar(k + 1, asignacion)
                asignacion[r].pop()
        explorar(k + 1, asignacion)

    explorar(0, {})
    return mejor[1]


def nombre_requisito(requisito: RequisitoCapacitacion) -> str:
    """Spanish name of a requirement, e.g. "Curso en SIAF (60 h)"."""
    nombre = f"{_NOMBRES[requisito.tipo]} en {requisito.tema}"
    return nombre + (f" ({sin_ceros(requisito.horas)} h)" if requisito.horas else "")


def _motivo(analisis: _Analisis, posgrados: Sequence[Capacitacion], otros_usos: Sequence[str],
            nombre: str | None = None) -> Motivo:
    requisito = analisis.requisito
    nombre = nombre or nombre_requisito(requisito)
    cumple = _cumple(analisis, posgrados)
    usados = list(analisis.usados) + [f"{_describir(p)} — estudio de posgrado (§4.2.1 j)" for p in posgrados]
    if requisito.tipo is TipoCapacitacion.CURSO:
        horas = analisis.horas + sum((p.horas for p in posgrados), Decimal(0)) if posgrados else analisis.horas
        computado = f"{sin_ceros(horas)} h acumuladas"
        clausula = "§4.2.4 c"
    else:
        computado = usados[0] if usados else "ninguno válido"
        clausula = "§4.2.1 k" if requisito.tipo is TipoCapacitacion.PROGRAMA_ESPECIALIZACION else "§4.2.1 l"
    if posgrados and analisis.valido is None and not analisis.usados:
        clausula = "§4.2.1 j"
    elif otros_usos and not cumple:  # unmet because its postgraduate study went to another requirement
        clausula += "; §4.2.1 j"
    if cumple:
        mensaje = f"Cumple con {nombre}: {'; '.join(usados)}."
    else:
        mensaje = f"No cumple con {nombre}."
        if requisito.tipo is TipoCapacitacion.CURSO and usados:
            mensaje += f" Acumula {computado.removesuffix(' acumuladas')} de {sin_ceros(requisito.horas)} h requeridas (§4.2.4 c)."
        detalle = list(analisis.descartes) + list(otros_usos)
        if detalle:
            mensaje += " Observaciones: " + "; ".join(detalle) + "."
        elif not usados:
            mensaje += f" No declaró estudios concluidos sobre {requisito.tema}."
    return Motivo(requisito=nombre, declarado="; ".join(usados) or "—", computado=computado, cumple=cumple,
                  clausula=clausula, mensaje=mensaje)


def evaluar_cursos(requisitos: Sequence[RequisitoCapacitacion], capacitaciones: Sequence[Capacitacion], *,
                   fecha_postulacion: date | None = None, criterio: Criterio = coincide_tema) -> list[Motivo]:
    """One reason per requirement: does the Ficha's section 6 meet it? (§4.2.1 i–m, §4.2.4 c)."""
    return EvaluadorCursos(requisitos, criterio)(capacitaciones, fecha_postulacion=fecha_postulacion)


#: How many declared topic texts an evaluator remembers (a call repeats a few thousand).
_MAX_TEMAS = 2**16


class EvaluadorCursos:
    """:func:`evaluar_cursos` for one profile's requirements, prepared once for many applicants.

    What depends only on the requirements (their names, their normalized topics, the reason
    for a requirement no declared study is on) is worked out here once; with the default
    criterion, which requirements a declared topic matches is remembered per topic text (a
    call repeats the same topics over and over), and only the studies on a requirement's
    topic are looked at for it.
    """

    __slots__ = ("_coinciden", "_motivos", "_nombres", "_sin_estudios", "_temas", "_vacios", "criterio", "requisitos")

    def __init__(self, requisitos: Sequence[RequisitoCapacitacion], criterio: Criterio = coincide_tema) -> None:
        self.requisitos = tuple(requisitos)
        self.criterio = criterio
        self._nombres = [nombre_requisito(r) for r in self.requisitos]
        self._temas = [_temas_normalizados(r.tema, r.temas_afines if r.afines else ()) for r in self.requisitos]
        self._coinciden: dict[str, tuple[int, ...]] = {}
        #: The reason of each requirement by what its analysis says (:meth:`_motivo_de`).
        self._motivos: dict[tuple[int, Decimal, bool, tuple[str, ...], tuple[str, ...]], Motivo] = {}
        #: Each requirement's analysis and reason when no declared study is on its topic (immutable, shared).
        self._vacios = tuple(_analizar_indices(r, (), (), None) for r in self.requisitos)
        self._sin_estudios = tuple(_motivo(a, (), (), nombre) for a, nombre in zip(self._vacios, self._nombres))

    def _en_tema(self, tema: str) -> tuple[int, ...]:
        """The requirements (positions) the declared ``tema`` is on the topic of (:func:`coincide_tema`)."""
        coinciden = self._coinciden.get(tema)
        if coinciden is None:
            coinciden = tuple(r for r, temas in enumerate(self._temas) if any(nombra(tema, t) for t in temas))
            if len(self._coinciden) >= _MAX_TEMAS:
                self._coinciden.clear()
            self._coinciden[tema] = coinciden
        return coinciden

    def _motivo_de(self, r: int, a: _Analisis) -> Motivo:
        """``_motivo(a, (), (), nombre)`` of the r-th requirement, remembered (a Motivo is immutable).

        Without postgraduate studies the reason depends only on the hours added up, whether a
        qualifying study was found, and the texts of the studies used and set aside; over a large
        call the same few combinations recur (the same courses with the same hours)."""
        clave = (r, a.horas, a.valido is None, a.descartes, a.usados)
        motivo = self._motivos.get(clave)
        if motivo is None:
            motivo = _motivo(a, (), (), self._nombres[r])
            if len(self._motivos) >= _MAX_TEMAS:
                self._motivos.clear()
            self._motivos[clave] = motivo
        return motivo

    def __call__(self, capacitaciones: Sequence[Capacitacion], *,
                 fecha_postulacion: date | None = None) -> list[Motivo]:
        requisitos = self.requisitos
        if not requisitos:
            return []
        if self.criterio is coincide_tema:
            por_requisito: list[list[int]] | None = None
            en_tema = self._en_tema
            for i, cap in enumerate(capacitaciones):
                for r in en_tema(cap.tema):
                    if por_requisito is None:
                        por_requisito = [[] for _ in requisitos]
                    por_requisito[r].append(i)
            if por_requisito is None:  # no declared study on any required topic
                return list(self._sin_estudios)
            analisis = [_analizar_indices(requisito, capacitaciones, indices, fecha_postulacion) if indices
                        else self._vacios[r] for r, (requisito, indices) in enumerate(zip(requisitos, por_requisito))]
            if not any(a.posgrados for a in analisis):  # the usual case: nothing to share out (§4.2.1 j)
                return [self._sin_estudios[r] if a is self._vacios[r] else self._motivo_de(r, a)
                        for r, a in enumerate(analisis)]
        else:
            analisis = [_analizar(r, capacitaciones, fecha_postulacion, self.criterio) for r in requisitos]
        nombres = self._nombres
        asignacion = _asignar_posgrados(analisis, capacitaciones)
        if not asignacion:  # the usual case: no postgraduate study is shared out (§4.2.1 j)
            return [_motivo(a, (), (), nombres[r]) for r, a in enumerate(analisis)]
        duenio = {i: r for r, indices in asignacion.items() for i in indices}
        motivos = []
        for r, a in enumerate(analisis):
            propios = [capacitaciones[i] for i in asignacion.get(r, [])]
            otros = [f"«{capacitaciones[i].tema}» ya se usó para el requisito «{nombres[duenio[i]]}»; "
                     "un estudio de posgrado solo cumple un requisito (§4.2.1 j)"
                     for i in a.posgrados if i in duenio and duenio[i] != r and not _cumple(a, propios)]
            motivos.append(_motivo(a, propios, otros, nombres[r]))
        return motivos
