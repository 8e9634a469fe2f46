"""Interview shortlist (§4.2.4), merit order, winners and accesitarios (§4.2.6).

Interpretations (short and explicit)
------------------------------------
* Shortlist with exam: the Aptos with the five highest accumulated scores,
  plus two per additional position (§4.2.4 "podrá incorporarse", applied as
  the rule), plus everyone tied with the last place of that quota. Without
  exam: every Apto. The result keeps merit order; equal scores keep the input
  order.
* Merit order (§4.2.6 c): higher final score, then higher interview score
  (as published, Ley 31533 bonus included), then higher exam score. A tie
  that survives these criteria stays a group: the committee decides it
  (the user area has the casting vote). The caller passes the committee's
  decisions as ``decisiones``, each the order (ids) it chose for one tie; a
  group is settled only by a decision naming every member of that group, the
  last such (two decisions on other ties, each naming part of it, settle
  nothing: the committee never chose between them).
* Winners are the first N places; accesitarios the next two (§4.2.6 b,
  §4.4 f). A tied group that crosses one of those limits is returned in
  ``empates_comite`` and its members are in neither list until the committee
  settles it. A tied group inside the accesitarios is listed there (all are
  accesitarios) and also in ``empates_comite``, since first and second
  accesitario differ (§4.4 f). Ties among winners, or after the
  accesitarios, need no decision.
* Each candidate's own reasons for their place (D8, ``ResultadoFinal.motivos_por_candidato``):
  a tie on the final score broken by a criterion, a committee decision, or a tie still open.
  They name no other candidate, since the applicant sees them where the final results are
  published; ``motivos`` keeps the same reasons for the whole order, with the ids, for ORH.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from casadmin.rules.decimales import como_decimal
from casadmin.rules.reasons import Motivo

CUPO_ENTREVISTA = 5  # §4.2.4
ADICIONALES_POR_POSICION = 2  # §4.2.4
ACCESITARIOS = 2  # §4.2.6 b, §4.4 f


@dataclass(frozen=True, kw_only=True)
class Acumulado:
    """A candidate after the curricular evaluation, with the accumulated score (§4.2.4)."""

    id: str
    puntaje: Decimal
    apto: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "puntaje", como_decimal(self.puntaje))


def cupo_entrevista(posiciones: int = 1, *, base: int = CUPO_ENTREVISTA,
                    por_posicion: int = ADICIONALES_POR_POSICION) -> int:
    """Five, plus two per additional position (§4.2.4); a bases version may pass its own numbers."""
    if posiciones < 1:
        raise ValueError("Debe haber al menos una posición")
    return base + por_posicion * (posiciones - 1)


def convocados_entrevista(candidatos: Sequence[Acumulado], *, con_examen: bool, posiciones: int = 1,
                          base: int = CUPO_ENTREVISTA, por_posicion: int = ADICIONALES_POR_POSICION) -> list[Acumulado]:
    """Candidates called to the interview, in merit order (§4.2.4)."""
    aptos = sorted((c for c in candidatos if c.apto), key=lambda c: c.puntaje, reverse=True)
    if not con_examen:
        return aptos
    cupo = cupo_entrevista(posiciones, base=base, por_posicion=por_posicion)
    if len(aptos) <= cupo:
        return aptos
    corte = aptos[cupo - 1].puntaje  # §4.2.4: everyone tied with the last place of the quota is called
    return [c for c in aptos if c.puntaje >= corte]


@dataclass(frozen=True, kw_only=True)
class Finalista:
    """A candidate Apto in every stage, with the scores used to rank (§4.2.6)."""

    id: str
    puntaje_final: Decimal
    entrevista: Decimal
    examen: Decimal | None = None
    apto: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "puntaje_final", como_decimal(self.puntaje_final))
        object.__setattr__(self, "entrevista", como_decimal(self.entrevista))
        if self.examen is not None:
            object.__setattr__(self, "examen", como_decimal(self.examen))


_CRITERIOS = (
    ("puntaje final", "§4.2.6 a"),
    ("puntaje en la Entrevista Personal", "§4.2.6 c"),
    ("puntaje en la Evaluación de Conocimientos Técnicos", "§4.2.6 c"),
)


_SIN_EXAMEN = Decimal(-1)  # below every exam score: a finalist without one comes after those with one


def _clave(f: Finalista) -> tuple[Decimal, Decimal, Decimal]:
    return (f.puntaje_final, f.entrevista, f.examen if f.examen is not None else _SIN_EXAMEN)


def _mostrar(valor: Decimal) -> str:
    """A criterion's value as the reasons write it (no exam score: "sin puntaje", not -1)."""
    return "sin puntaje" if valor == _SIN_EXAMEN else str(valor)


@dataclass(frozen=True, kw_only=True)
class ResultadoFinal:
    """Merit order as tied groups, winners, accesitarios and the ties the committee must decide."""

    orden: tuple[tuple[Finalista, ...], ...]
    ganadores: tuple[Finalista, ...]
    accesitarios: tuple[Finalista, ...]
    empates_comite: tuple[tuple[Finalista, ...], ...]
    motivos: tuple[Motivo, ...]
    #: id → the reasons for that candidate's own place (§4.2.6 a–c), naming no other candidate
    motivos_por_candidato: Mapping[str, tuple[Motivo, ...]] = field(default_factory=dict, hash=False)
    #: id → the committee decision (its index in ``ctx.decisiones_comite``) that placed that candidate
    #: in a tie it settled (§4.2.6 c); the decision's sustento is recorded for them only
    decisiones_aplicadas: Mapping[str, int] = field(default_factory=dict, hash=False)


def _agrupar(finalistas: Sequence[Finalista]) -> list[list[Finalista]]:
    ordenados = sorted(finalistas, key=_clave, reverse=True)
    grupos: list[list[Finalista]] = []
    for f in ordenados:
        if grupos and _clave(grupos[-1][0]) == _clave(f):
            grupos[-1].append(f)
        else:
            grupos.append([f])
    return grupos


def decision_del_grupo(ids: Iterable[str], decisiones: Sequence[Sequence[str]]) -> int | None:
    """Which committee decision settles the tie of these candidates (§4.2.6 c): the last one that names
    every one of them (each decision orders the tie it was taken on). Two decisions about other ties,
    each naming some of them, settle nothing: the committee never chose between them."""
    grupo = set(ids)
    return next((k for k in range(len(decisiones) - 1, -1, -1) if grupo <= set(decisiones[k])), None)


def _aplicar_comite(grupos: list[list[Finalista]], decisiones: Sequence[Sequence[str]],
                    aplicadas: dict[str, int]) -> list[list[Finalista]]:
    """The tied groups a decision settles, split in its order; records in ``aplicadas`` the decision
    (its index) that placed each of their members."""
    resultado: list[list[Finalista]] = []
    for grupo in grupos:
        k = decision_del_grupo((f.id for f in grupo), decisiones) if len(grupo) > 1 else None
        if k is None:
            resultado.append(grupo)
            continue
        posicion = {id_: i for i, id_ in enumerate(decisiones[k])}
        resultado.extend([f] for f in sorted(grupo, key=lambda f: posicion[f.id]))
        aplicadas.update((f.id, k) for f in grupo)
    return resultado


def _todas(decision_comite: Sequence[str], decisiones: Sequence[Sequence[str]]) -> list[Sequence[str]]:
    """The committee's decisions, each on one tie; ``decision_comite``, a single list, is one more (the
    older form of the argument)."""
    return [*decisiones, *([decision_comite] if decision_comite else [])]


def orden_merito(finalistas: Sequence[Finalista], *, decision_comite: Sequence[str] = (),
                 decisiones: Sequence[Sequence[str]] = ()) -> list[list[Finalista]]:
    """Groups in merit order; a group of more than one is a tie left to the committee (§4.2.6 c). A tie
    is settled only by a decision naming all of its members (:func:`decision_del_grupo`)."""
    return _aplicar_comite(_agrupar([f for f in finalistas if f.apto]), _todas(decision_comite, decisiones), {})


def lugares(orden: Sequence[Sequence[Finalista]]) -> list[tuple[int, Sequence[Finalista]]]:
    """Each group of a merit order with its place (1 = first): a tied group shares its first place, and
    the next group's counts the members before it (1, 2, 2, 4), in the stored results as in ``simulate``."""
    out, lugar = [], 1
    for grupo in orden:
        out.append((lugar, grupo))
        lugar += len(grupo)
    return out


def _desempate(anterior: Finalista, siguiente: Finalista) -> tuple[Motivo, Motivo, Motivo] | None:
    """Which criterion put ``anterior`` before ``siguiente``, when their final scores are equal: the
    reason for the whole order (with both ids), then each one's own (naming no other candidate)."""
    if anterior.puntaje_final != siguiente.puntaje_final:
        return None
    a, b = _clave(anterior), _clave(siguiente)
    pareja = f"{anterior.id} / {siguiente.id}"
    empate = f"Empató en puntaje final ({anterior.puntaje_final})"
    for i, (criterio, clausula) in enumerate(_CRITERIOS):
        if a[i] != b[i]:
            x, y = _mostrar(a[i]), _mostrar(b[i])
            computado = f"{x} > {y}"
            return (Motivo(requisito="Desempate", declarado=pareja, computado=computado, cumple=True, clausula=clausula,
                           mensaje=f"Empate en puntaje final entre {anterior.id} y {siguiente.id}: "
                                   f"se prefiere a {anterior.id} por mayor {criterio}."),
                    Motivo(requisito="Desempate", declarado=f"{criterio}: {x}", computado=computado, cumple=True,
                           clausula=clausula, mensaje=f"{empate} con quien le sigue en el orden de mérito; queda "
                                                      f"antes por mayor {criterio} ({x} frente a {y})."),
                    Motivo(requisito="Desempate", declarado=f"{criterio}: {y}", computado=computado, cumple=False,
                           clausula=clausula, mensaje=f"{empate} con quien le precede en el orden de mérito; queda "
                                                      f"después por menor {criterio} ({y} frente a {x})."))
    comite = "Empató en puntaje final y en los criterios de desempate de las bases con quien le {}; el orden lo " \
             "decidió el Comité de Entrevista."
    return (Motivo(requisito="Desempate", declarado=pareja, computado="decisión del comité", cumple=True,
                   clausula="§4.2.6 c",
                   mensaje=f"Empate persistente entre {anterior.id} y {siguiente.id}: decidió el Comité de Entrevista."),
            Motivo(requisito="Desempate", declarado="decisión del comité", computado="antes", cumple=True,
                   clausula="§4.2.6 c", mensaje=comite.format("sigue")),
            Motivo(requisito="Desempate", declarado="decisión del comité", computado="después", cumple=False,
                   clausula="§4.2.6 c", mensaje=comite.format("precede")))


def _del_grupo(grupo: Sequence[Finalista], computado: str, cumple: bool, mensaje: str) -> Motivo:
    """A tied group's own reason, for each of its members (naming none of the others)."""
    return Motivo(requisito="Desempate", declarado=f"{len(grupo)} candidatos con {grupo[0].puntaje_final} puntos",
                  computado=computado, cumple=cumple, clausula="§4.2.6 c", mensaje=mensaje)


def _dar(propios: dict[str, list[Motivo]], grupo: Sequence[Finalista], motivo: Motivo) -> None:
    """Give ``motivo`` to every member of ``grupo``: they share every criterion, so they share its reasons."""
    for f in grupo:
        propios.setdefault(f.id, []).append(motivo)


def resultado_final(finalistas: Sequence[Finalista], *, posiciones: int = 1,
                    decision_comite: Sequence[str] = (), accesitarios: int = ACCESITARIOS,
                    decisiones: Sequence[Sequence[str]] = ()) -> ResultadoFinal:
    """Winners (N positions), the accesitarios (two in SUNEDU's bases, §4.4 f: the bases version's
    ``resultado.accesitarios``), and unresolved ties (§4.2.6 a–c). ``decisiones``: the committee's, each
    the order it chose for one tie (``decision_comite``: a single one)."""
    if posiciones < 1:
        raise ValueError("Debe haber al menos una posición")
    if accesitarios < 0:
        raise ValueError("El número de accesitarios no puede ser negativo")
    aplicadas: dict[str, int] = {}
    grupos = _aplicar_comite(_agrupar([f for f in finalistas if f.apto]), _todas(decision_comite, decisiones),
                             aplicadas)
    limite_accesitarios = posiciones + accesitarios
    ganadores: list[Finalista] = []
    en_espera: list[Finalista] = []  # the accesitarios
    empates: list[tuple[Finalista, ...]] = []
    motivos: list[Motivo] = []
    propios: dict[str, list[Motivo]] = {}
    inicio = 0
    for grupo in grupos:
        fin = inicio + len(grupo)  # places [inicio, fin)
        cruza = any(inicio < limite < fin for limite in (posiciones, limite_accesitarios))
        if len(grupo) > 1 and inicio < limite_accesitarios and (cruza or inicio >= posiciones):
            empates.append(tuple(grupo))
            motivos.append(Motivo(requisito="Desempate", declarado=", ".join(f.id for f in grupo),
                                  computado="empate persistente", cumple=False, clausula="§4.2.6 c",
                                  mensaje=f"Persiste el empate entre {', '.join(f.id for f in grupo)} tras los "
                                          "criterios de las bases: el Comité de Entrevista delibera y elige (el área "
                                          "usuaria tiene voto dirimente)."))
            _dar(propios, grupo, _del_grupo(
                grupo, "empate persistente", False, "Empata en puntaje final y en los criterios de desempate de "
                "las bases: el Comité de Entrevista delibera y elige (el área usuaria tiene voto dirimente)."))
        elif len(grupo) > 1:  # tied on everything, and the place they share needs no decision
            _dar(propios, grupo, _del_grupo(
                grupo, "lugar compartido", True, "Empata en puntaje final y en los criterios de desempate de las "
                "bases; comparte el lugar, que no requiere decisión del Comité de Entrevista."))
        if not cruza:
            if fin <= posiciones:
                ganadores.extend(grupo)
            elif inicio >= posiciones and fin <= limite_accesitarios:
                en_espera.extend(grupo)
        inicio = fin
    for anterior, siguiente in pairwise(grupos):
        desempate = _desempate(anterior[-1], siguiente[0])
        if desempate is not None:
            motivos.append(desempate[0])
            _dar(propios, anterior, desempate[1])  # each member is before the next group
            _dar(propios, siguiente, desempate[2])  # and after the one before
    return ResultadoFinal(orden=tuple(tuple(g) for g in grupos), ganadores=tuple(ganadores),
                          accesitarios=tuple(en_espera), empates_comite=tuple(empates), motivos=tuple(motivos),
                          motivos_por_candidato={i: tuple(ms) for i, ms in propios.items()},
                          decisiones_aplicadas=aplicadas)
