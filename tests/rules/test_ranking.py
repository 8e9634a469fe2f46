"""Interview shortlist (§4.2.4), winners, accesitarios and ties (§4.2.6)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casadmin.rules.ranking import (
    Acumulado,
    Finalista,
    convocados_entrevista,
    cupo_entrevista,
    lugares,
    orden_merito,
    resultado_final,
)

X = Decimal


def acumulados(*puntajes: int) -> list[Acumulado]:
    return [Acumulado(id=f"C{i}", puntaje=X(p)) for i, p in enumerate(puntajes, start=1)]


def ids(candidatos) -> list[str]:
    return [c.id for c in candidatos]


def test_cupo_cinco_mas_dos_por_posicion_adicional_4_2_4() -> None:
    assert [cupo_entrevista(n) for n in (1, 2, 3)] == [5, 7, 9]
    with pytest.raises(ValueError):
        cupo_entrevista(0)


def test_tabla_de_las_bases_dos_posiciones_4_2_4() -> None:
    """First example table of §4.2.4: two positions, seven candidates, all called."""
    tabla = acumulados(60, 60, 58, 58, 56, 54, 52)
    assert ids(convocados_entrevista(tabla, con_examen=True, posiciones=2)) == ids(tabla)
    # With one position the sixth and seventh would not be called.
    assert ids(convocados_entrevista(tabla, con_examen=True, posiciones=1)) == ["C1", "C2", "C3", "C4", "C5"]


def test_tabla_de_las_bases_empate_en_el_quinto_puntaje_4_2_4() -> None:
    """Second example table of §4.2.4: one position, tie at 54 in 5th–7th place, 8th (52) not called."""
    tabla = acumulados(60, 58, 58, 56, 54, 54, 54, 52)
    assert ids(convocados_entrevista(tabla, con_examen=True)) == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]


def test_no_aptos_nunca_se_convocan_4_2_4() -> None:
    tabla = [*acumulados(50, 49), Acumulado(id="NA", puntaje=X(60), apto=False)]
    assert ids(convocados_entrevista(tabla, con_examen=True)) == ["C1", "C2"]
    assert ids(convocados_entrevista(tabla, con_examen=False)) == ["C1", "C2"]


def test_sin_examen_todos_los_aptos_4_2_4() -> None:
    tabla = acumulados(*range(50, 30, -2))
    assert len(convocados_entrevista(tabla, con_examen=False)) == 10
    assert len(convocados_entrevista(tabla, con_examen=True)) == 5


@settings(max_examples=200)
@given(st.lists(st.integers(0, 60), max_size=15), st.integers(1, 4))
def test_propiedades_de_la_convocatoria(puntajes: list[int], posiciones: int) -> None:
    tabla = acumulados(*puntajes)
    convocados = convocados_entrevista(tabla, con_examen=True, posiciones=posiciones)
    cupo = cupo_entrevista(posiciones)
    assert len(convocados) == len(tabla) or len(convocados) >= cupo
    if convocados:
        corte = min(c.puntaje for c in convocados)
        # Everyone at or above the cut is called; nobody below it is.
        assert {c.id for c in tabla if c.puntaje >= corte} == set(ids(convocados))
        # Without the tie at the cut the list would be shorter than the quota.
        assert sum(1 for c in tabla if c.puntaje > corte) < cupo


def fin(id_: str, final: str, entrevista: str, examen: str | None = None) -> Finalista:
    return Finalista(id=id_, puntaje_final=X(final), entrevista=X(entrevista),
                     examen=None if examen is None else X(examen))


def test_ganador_y_dos_accesitarios_4_2_6_a_b() -> None:
    r = resultado_final([fin("A", "70", "20"), fin("B", "90", "40"), fin("C", "80", "30"), fin("D", "75", "25"),
                         fin("E", "85", "35")])
    assert ids(r.ganadores) == ["B"] and ids(r.accesitarios) == ["E", "C"] and r.empates_comite == ()


def test_no_aptos_no_ganan_4_2_6_a() -> None:
    r = resultado_final([Finalista(id="X", puntaje_final=X(99), entrevista=X(40), apto=False), fin("A", "80", "30")])
    assert ids(r.ganadores) == ["A"] and r.accesitarios == ()


def test_desempate_por_entrevista_y_luego_examen_4_2_6_c() -> None:
    r = resultado_final([fin("A", "85", "30", "25"), fin("B", "85", "31", "21"), fin("C", "85", "30", "26")])
    assert ids(r.ganadores) == ["B"] and ids(r.accesitarios) == ["C", "A"]
    mensajes = [m.mensaje for m in r.motivos]
    assert any("Entrevista Personal" in m for m in mensajes)
    assert any("Conocimientos Técnicos" in m for m in mensajes)


def test_cada_candidato_recibe_el_motivo_de_su_lugar_sin_nombrar_a_otro_4_2_6_c() -> None:
    """D8: the reasons a candidate sees for their own place; a candidate without a tie has none."""
    r = resultado_final([fin("Q1", "85", "30", "25"), fin("Q2", "85", "31", "21"), fin("Q3", "85", "30", "26"),
                         fin("Q4", "70", "20")])
    propios = {i: [m.mensaje for m in ms] for i, ms in r.motivos_por_candidato.items()}
    assert propios["Q2"] == ["Empató en puntaje final (85) con quien le sigue en el orden de mérito; queda antes "
                            "por mayor puntaje en la Entrevista Personal (31 frente a 30)."]
    assert propios["Q3"][0].endswith("queda después por menor puntaje en la Entrevista Personal (30 frente a 31).")
    assert propios["Q3"][1].endswith("queda antes por mayor puntaje en la Evaluación de Conocimientos Técnicos "
                                    "(26 frente a 25).")
    assert len(propios["Q1"]) == 1 and "después" in propios["Q1"][0] and "Q4" not in propios
    assert all(o not in m for ms in propios.values() for m in ms for o in ("Q1", "Q2", "Q3", "Q4"))
    assert [m.clausula for m in r.motivos_por_candidato["Q3"]] == ["§4.2.6 c", "§4.2.6 c"]
    assert [m.cumple for m in r.motivos_por_candidato["Q3"]] == [False, True]


def test_en_un_grupo_empatado_cada_miembro_recibe_los_motivos_de_su_lugar_4_2_6_c() -> None:
    """Members of a group share every criterion: each is told why the group is after the one before and
    before the one after, and that the place is shared; without an exam score, «sin puntaje», not -1."""
    r = resultado_final([fin("Q1", "85", "31"), fin("Q2", "85", "30"), fin("Q3", "85", "30"), fin("Q4", "85", "29")],
                        posiciones=4)
    assert r.empates_comite == () and [ids(g) for g in r.orden] == [["Q1"], ["Q2", "Q3"], ["Q4"]]
    for i in ("Q2", "Q3"):
        mensajes = [m.mensaje for m in r.motivos_por_candidato[i]]
        assert len(mensajes) == 3 and "comparte el lugar" in mensajes[0]
        assert mensajes[1].endswith("después por menor puntaje en la Entrevista Personal (30 frente a 31).")
        assert mensajes[2].endswith("antes por mayor puntaje en la Entrevista Personal (30 frente a 29).")
    sin_examen = resultado_final([fin("Q1", "80", "20", "18"), fin("Q2", "80", "20")])
    (antes,) = sin_examen.motivos_por_candidato["Q1"]
    assert antes.mensaje.endswith("Conocimientos Técnicos (18 frente a sin puntaje).") and "-1" not in antes.computado


def test_el_empate_abierto_y_la_decision_del_comite_en_los_motivos_de_cada_uno_4_2_6_c() -> None:
    finalistas = [fin("A", "90", "40"), fin("B", "85", "30"), fin("C", "85", "30")]
    abierto = resultado_final(finalistas, posiciones=2)
    for i in ("B", "C"):
        (m,) = abierto.motivos_por_candidato[i]
        assert not m.cumple and m.declarado == "2 candidatos con 85 puntos" and "Comité de Entrevista" in m.mensaje
    assert "A" not in abierto.motivos_por_candidato
    decidido = resultado_final(finalistas, posiciones=2, decision_comite=["C", "B"])
    assert "le sigue" in decidido.motivos_por_candidato["C"][0].mensaje
    assert "le precede" in decidido.motivos_por_candidato["B"][0].mensaje
    assert all("decidió el Comité" in ms[0].mensaje for ms in decidido.motivos_por_candidato.values())


def test_empate_que_cruza_el_limite_de_ganadores_queda_para_el_comite_4_2_6_c() -> None:
    r = resultado_final([fin("A", "90", "40"), fin("B", "85", "30"), fin("C", "85", "30"), fin("D", "70", "20")],
                        posiciones=2)
    assert ids(r.ganadores) == ["A"]
    assert [ids(g) for g in r.empates_comite] == [["B", "C"]]
    assert ids(r.accesitarios) == ["D"]
    assert any(not m.cumple and "Comité" in m.mensaje for m in r.motivos)


def test_empate_entre_ganadores_no_requiere_decision_4_2_6_c() -> None:
    r = resultado_final([fin("A", "90", "40"), fin("B", "90", "40"), fin("C", "80", "30")], posiciones=2)
    assert ids(r.ganadores) == ["A", "B"] and r.empates_comite == () and ids(r.accesitarios) == ["C"]


def test_empate_entre_accesitarios_requiere_orden_del_comite_4_4_f() -> None:
    r = resultado_final([fin("A", "90", "40"), fin("B", "80", "30"), fin("C", "80", "30"), fin("D", "70", "20")])
    assert ids(r.ganadores) == ["A"] and sorted(ids(r.accesitarios)) == ["B", "C"]
    assert [ids(g) for g in r.empates_comite] == [["B", "C"]]


def test_empate_que_cruza_el_limite_de_accesitarios_queda_para_el_comite_4_4_f() -> None:
    r = resultado_final([fin("A", "90", "40"), fin("B", "85", "35"), fin("C", "80", "30"), fin("D", "80", "30")])
    assert ids(r.ganadores) == ["A"] and ids(r.accesitarios) == ["B"]
    assert [ids(g) for g in r.empates_comite] == [["C", "D"]]


def test_empate_despues_de_los_accesitarios_no_importa() -> None:
    r = resultado_final([fin("A", "90", "40"), fin("B", "85", "35"), fin("C", "80", "30"), fin("D", "70", "20"),
                         fin("E", "70", "20")])
    assert r.empates_comite == ()


def test_decision_del_comite_debe_nombrar_a_todo_el_grupo_4_2_6_c() -> None:
    finalistas = [fin("A", "85", "30"), fin("B", "85", "30"), fin("C", "85", "30")]
    parcial = resultado_final(finalistas, decision_comite=["C"])
    assert parcial.ganadores == () and [sorted(ids(g)) for g in parcial.empates_comite] == [["A", "B", "C"]]
    completa = resultado_final(finalistas, decision_comite=["C", "A", "B"])
    assert ids(completa.ganadores) == ["C"] and ids(completa.accesitarios) == ["A", "B"]
    assert any("decidió el Comité" in m.mensaje for m in completa.motivos)


def test_dos_decisiones_sobre_otros_empates_no_deciden_entre_quienes_nombran_4_2_6_c() -> None:
    """§4.2.6 c: the committee «delibera y elige» in a tie. S1 and S2 tie on everything; one decision put
    S1 before S3, another S4 before S2 (other ties, of an earlier computation): neither chose between
    S1 and S2, whose tie stays open. Merged into one list, they used to place S1 before S2."""
    finalistas = [fin("S1", "93", "40", "27"), fin("S2", "93", "40", "27"), fin("S3", "92", "40", "27")]
    r = resultado_final(finalistas, posiciones=1, decisiones=[("S1", "S3"), ("S4", "S2")])
    assert r.ganadores == () and [ids(g) for g in r.empates_comite] == [["S1", "S2"]]
    assert r.decisiones_aplicadas == {}
    # one naming both settles it, even listing others too; the last of those counts
    decidido = resultado_final(finalistas, posiciones=1, decisiones=[("S1", "S2"), ("S3", "S2", "S1")])
    assert ids(decidido.ganadores) == ["S2"] and ids(decidido.accesitarios) == ["S1", "S3"]
    assert decidido.decisiones_aplicadas == {"S1": 1, "S2": 1}


def test_un_grupo_empatado_comparte_su_lugar_y_el_siguiente_cuenta_sus_miembros() -> None:
    """The places simulate prints are those the database stores (1, 2, 2, 4): it printed 1, 2, 3."""
    r = resultado_final([fin("A", "90", "40"), fin("B", "85", "30"), fin("C", "85", "30"), fin("D", "80", "30")])
    assert [(lugar, ids(g)) for lugar, g in lugares(r.orden)] == [(1, ["A"]), (2, ["B", "C"]), (4, ["D"])]
    (abierto,) = [m for m in r.motivos if not m.cumple]
    assert abierto.mensaje.startswith("Persiste el empate entre B, C tras los criterios de las bases")


def test_orden_merito_agrupa_empates() -> None:
    grupos = orden_merito([fin("A", "80", "30"), fin("B", "90", "30"), fin("C", "80", "30")])
    assert [sorted(ids(g)) for g in grupos] == [["B"], ["A", "C"]]


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(70, 75), st.integers(20, 22), st.integers(21, 22)), max_size=8),
       st.integers(1, 3))
def test_ganadores_y_accesitarios_son_disjuntos_y_ordenados(filas, posiciones: int) -> None:
    finalistas = [fin(f"C{i}", str(f), str(e), str(x)) for i, (f, e, x) in enumerate(filas)]
    r = resultado_final(finalistas, posiciones=posiciones)
    ganadores, accesitarios = set(ids(r.ganadores)), set(ids(r.accesitarios))
    assert not ganadores & accesitarios
    assert len(ganadores) <= posiciones and len(accesitarios) <= 2
    pendientes = {f.id for g in r.empates_comite for f in g}
    # Nobody outside the winners outranks a winner.
    for g in r.ganadores:
        assert all((o.puntaje_final, o.entrevista, o.examen) <= (g.puntaje_final, g.entrevista, g.examen)
                   for o in finalistas if o.id not in ganadores)
    if not pendientes:
        assert len(ganadores) == min(posiciones, len(finalistas))
