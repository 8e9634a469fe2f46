"""Adapters between the YAML legal cases (tests/rules/cases) and the rule functions.

Each adapter takes a case's ``input`` mapping (plain YAML: dates, ints,
strings, booleans) and returns a mapping of results; the case's ``output``
lists the results it checks. Numbers that are not whole must be written as
quoted strings ("38.66"): YAML floats are refused, as in the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from casadmin.rules import age, courses, experience, levels, ranking, scores
from casadmin.rules.periods import anios_completos, meses
from casadmin.rules.types import (
    Capacitacion,
    Condicion,
    Experiencia,
    Formacion,
    Nivel,
    NivelEstudios,
    RequisitoCapacitacion,
    RequisitoFormacion,
    Sector,
    TipoCapacitacion,
    TipoExperiencia,
)

Entrada = Mapping[str, Any]
Adaptador = Callable[[Entrada], dict[str, Any]]


class DatoInvalido(ValueError):
    """A YAML case is malformed (not a rule failure)."""


def decimal(valor: Any) -> Decimal:
    """A YAML number written exactly: int or quoted string; floats are refused."""
    if isinstance(valor, bool) or isinstance(valor, float):
        raise DatoInvalido(f"Escriba {valor!r} entre comillas: los números con decimales se escriben como texto")
    if isinstance(valor, int):
        return Decimal(valor)
    if isinstance(valor, str):
        return Decimal(valor)
    raise DatoInvalido(f"Número inválido: {valor!r}")


def _fecha(valor: Any) -> date | None:
    if valor is None or isinstance(valor, date):
        return valor
    raise DatoInvalido(f"Fecha inválida (use AAAA-MM-DD): {valor!r}")


def _fecha_requerida(valor: Any) -> date:
    fecha = _fecha(valor)
    if fecha is None:
        raise DatoInvalido("Falta una fecha obligatoria")
    return fecha


def _experiencia(d: Entrada) -> Experiencia:
    return Experiencia(
        empleador=d.get("empleador", "—"),
        sector=Sector(d.get("sector", "privado")),
        puesto=d.get("puesto", "—"),
        funciones=d.get("funciones", ""),
        inicio=_fecha_requerida(d["inicio"]),
        fin=_fecha(d.get("fin")),
        tipo=TipoExperiencia(d.get("tipo", "empleo")),
        especifica=bool(d.get("especifica", False)),
    )


def _formacion(d: Entrada) -> Formacion:
    return Formacion(
        nivel=NivelEstudios(d["nivel"]),
        condicion=Condicion(d["condicion"]),
        carrera=d.get("carrera", ""),
        fecha_egreso=_fecha(d.get("fecha_egreso")),
        fecha_diploma=_fecha(d.get("fecha_diploma")),
    )


def _capacitacion(d: Entrada) -> Capacitacion:
    return Capacitacion(
        tema=d["tema"],
        tipo=TipoCapacitacion(d.get("tipo", "curso")),
        horas=decimal(d["horas"]),
        creditos=None if d.get("creditos") is None else decimal(d["creditos"]),
        fecha_fin=_fecha(d.get("fecha_fin")),
        inicio=_fecha(d.get("inicio")),
        ente_rector=bool(d.get("ente_rector", False)),
    )


def _requisito_capacitacion(d: Entrada) -> RequisitoCapacitacion:
    return RequisitoCapacitacion(
        tema=d["tema"],
        tipo=TipoCapacitacion(d.get("tipo", "curso")),
        horas=decimal(d.get("horas", 0)),
        afines=bool(d.get("afines", False)),
        temas_afines=tuple(d.get("temas_afines", ())),
    )


def _clausulas_excluidas(computo: experience.Computo) -> list[str]:
    return [m.clausula for m in computo.motivos if not m.cumple]


def experiencia(entrada: Entrada) -> dict[str, Any]:
    """§4.2.1 p–z: general, specific and public-sector experience in days."""
    experiencias = [_experiencia(e) for e in entrada["experiencias"]]
    formacion = _formacion(entrada["formacion"]) if entrada.get("formacion") else None
    postulacion = _fecha_requerida(entrada["fecha_postulacion"])
    secundaria = bool(entrada.get("solo_secundaria"))
    general = experience.experiencia_general(experiencias, formacion, postulacion, secundaria)
    especifica = experience.experiencia_especifica(experiencias, formacion, postulacion, secundaria)
    publica = experience.experiencia_publica(experiencias, formacion, postulacion, secundaria)
    publica_total = experience.experiencia_publica(experiencias, formacion, postulacion, secundaria, especifica=False)
    # The Ficha stage counts with the one-pass function: every case holds for it too.
    rapida = experience.dias_experiencia(experiencias, formacion, postulacion, secundaria)
    assert rapida == (general.dias, especifica.dias, publica.dias), rapida
    return {
        "general": general.dias,
        "general_meses": meses(general.dias),
        "especifica": especifica.dias,
        "publica": publica.dias,
        "publica_total": publica_total.dias,
        "anios_publica_total": anios_completos(publica_total.dias),
        "excluidas_general": _clausulas_excluidas(general),
        "excluidas_especifica": _clausulas_excluidas(especifica),
    }


def cursos(entrada: Entrada) -> dict[str, Any]:
    """§4.2.1 i–m, §4.2.4 c: one verdict per requirement."""
    motivos = courses.evaluar_cursos(
        [_requisito_capacitacion(r) for r in entrada["requisitos"]],
        [_capacitacion(c) for c in entrada["capacitaciones"]],
        fecha_postulacion=_fecha(entrada.get("fecha_postulacion")),
    )
    return {"cumple": [m.cumple for m in motivos], "clausulas": [m.clausula for m in motivos]}


def formacion(entrada: Entrada) -> dict[str, Any]:
    """§4.2.1 e–h: academic level and career."""
    r = entrada["requisito"]
    requisito = RequisitoFormacion(
        nivel=NivelEstudios(r["nivel"]), condicion=Condicion(r["condicion"]),
        carreras=tuple(r.get("carreras", ())), afines=bool(r.get("afines", False)),
        carreras_afines=tuple(r.get("carreras_afines", ())),
    )
    motivo = levels.evaluar_formacion(requisito, [_formacion(f) for f in entrada["formaciones"]],
                                      fecha_postulacion=_fecha(entrada.get("fecha_postulacion")))
    return {"cumple": motivo.cumple, "clausula": motivo.clausula}


def conocimientos(entrada: Entrada) -> dict[str, Any]:
    """§4.2.1 n: office software and languages."""
    requeridos = {k: Nivel(v) for k, v in entrada["requeridos"].items()}
    declarados = {k: Nivel(v) for k, v in entrada.get("declarados", {}).items()}
    return {"cumple": [m.cumple for m in levels.evaluar_conocimientos(requeridos, declarados)]}


def entrevista(entrada: Entrada) -> dict[str, Any]:
    """§4.2.5 g–j: average truncated, pass mark, Ley 31533 +10 %."""
    con_examen = bool(entrada["con_examen"])
    promedio = scores.promedio_entrevista([decimal(t) for t in entrada["totales"]], con_examen=con_examen)
    bono = scores.bonificacion_entrevista_31533(promedio, joven=bool(entrada.get("joven", False)),
                                                tecnico_o_profesional=bool(entrada.get("tecnico_o_profesional", False)),
                                                con_examen=con_examen)
    return {
        "promedio": promedio,
        "aprueba": scores.aprueba_entrevista(promedio, con_examen=con_examen),
        "bonificacion": None if bono is None else bono.monto,
        "puntaje_entrevista": promedio + (bono.monto if bono else 0),
    }


def curricular(entrada: Entrada) -> dict[str, Any]:
    """§4.2.4: points per factor."""
    resultado = scores.evaluar_curricular(
        {scores.Factor(k): bool(v) for k, v in entrada["cumplimiento"].items()},
        con_examen=bool(entrada["con_examen"]),
        pide_experiencia_publica=bool(entrada.get("pide_experiencia_publica", True)),
    )
    return {"puntos": {f.value: p for f, p in resultado.puntos.items()}, "total": resultado.total,
            "apto": resultado.apto}


def bonificaciones(entrada: Entrada) -> dict[str, Any]:
    """§4.2.6, §4.3: bonuses on the final score."""
    puntaje = decimal(entrada["puntaje_final"])
    lista = scores.bonificaciones_finales(
        puntaje,
        licenciado_ffaa=bool(entrada.get("licenciado_ffaa", False)),
        discapacidad=bool(entrada.get("discapacidad", False)),
        nivel_deportista=entrada.get("nivel_deportista"),
        perfil_exige_deportista=bool(entrada.get("perfil_exige_deportista", False)),
        anios_experiencia_publica=int(entrada.get("anios_experiencia_publica", 0)),
        joven_31533=bool(entrada.get("joven_31533", False)),
        tecnico_o_profesional=bool(entrada.get("tecnico_o_profesional", False)),
    )
    return {
        "porcentajes": [b.porcentaje for b in lista],
        "montos": [b.monto for b in lista],
        "total": scores.total_con_bonificaciones(puntaje, lista),
    }


def convocados_entrevista(entrada: Entrada) -> dict[str, Any]:
    """§4.2.4: who is called to the interview; rows as in the bases' tables."""
    candidatos = [
        ranking.Acumulado(id=fila["candidato"], puntaje=decimal(fila["puntaje_acumulado"]),
                          apto=fila["resultado"] == "APTO")
        for fila in entrada["candidatos"]
    ]
    convocados = ranking.convocados_entrevista(candidatos, con_examen=bool(entrada["con_examen"]),
                                               posiciones=int(entrada.get("posiciones", 1)))
    return {"convocados": [c.id for c in convocados]}


def resultado_final(entrada: Entrada) -> dict[str, Any]:
    """§4.2.6: winners, accesitarios, ties for the committee."""
    finalistas = [
        ranking.Finalista(id=f["id"], puntaje_final=decimal(f["final"]), entrevista=decimal(f["entrevista"]),
                          examen=None if f.get("examen") is None else decimal(f["examen"]))
        for f in entrada["finalistas"]
    ]
    resultado = ranking.resultado_final(finalistas, posiciones=int(entrada.get("posiciones", 1)),
                                        decision_comite=tuple(entrada.get("decision_comite", ())))
    return {
        "ganadores": [f.id for f in resultado.ganadores],
        "accesitarios": [f.id for f in resultado.accesitarios],
        "empates_comite": [[f.id for f in grupo] for grupo in resultado.empates_comite],
    }


def edad(entrada: Entrada) -> dict[str, Any]:
    """Ley 31533: age at the start of the application period."""
    nacimiento = _fecha_requerida(entrada["fecha_nacimiento"])
    inicio = _fecha_requerida(entrada["inicio_postulacion"])
    return {"edad": age.edad(nacimiento, inicio), "joven_31533": age.es_joven_31533(nacimiento, inicio)}


ADAPTADORES: dict[str, Adaptador] = {
    "experiencia": experiencia,
    "cursos": cursos,
    "formacion": formacion,
    "conocimientos": conocimientos,
    "entrevista": entrevista,
    "curricular": curricular,
    "bonificaciones": bonificaciones,
    "convocados_entrevista": convocados_entrevista,
    "resultado_final": resultado_final,
    "edad": edad,
}


def _igual(esperado: Any, obtenido: Any) -> bool:
    if isinstance(obtenido, Decimal) and not isinstance(esperado, (list, dict)) and esperado is not None:
        return decimal(esperado) == obtenido
    if isinstance(esperado, list) and isinstance(obtenido, list):
        return len(esperado) == len(obtenido) and all(_igual(e, o) for e, o in zip(esperado, obtenido, strict=True))
    if isinstance(esperado, dict) and isinstance(obtenido, dict):
        return set(esperado) == set(obtenido) and all(_igual(esperado[k], obtenido[k]) for k in esperado)
    if isinstance(esperado, float):
        raise DatoInvalido(f"Escriba {esperado!r} entre comillas")
    return type(esperado) is type(obtenido) and esperado == obtenido or (esperado is None and obtenido is None)


def comparar(esperado: Mapping[str, Any], obtenido: Mapping[str, Any]) -> list[str]:
    """Differences between the case's ``output`` and the results, one line each (empty when equal)."""
    diferencias = []
    for clave, valor in esperado.items():
        if clave not in obtenido:
            raise DatoInvalido(f"Salida desconocida «{clave}»; disponibles: {sorted(obtenido)}")
        if not _igual(valor, obtenido[clave]):
            diferencias.append(f"{clave}: se esperaba {valor!r}, se obtuvo {obtenido[clave]!r}")
    return diferencias
