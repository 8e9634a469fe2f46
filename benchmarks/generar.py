"""A large, deterministic call in the JSON interchange format (``casadmin-convocatoria/1``).

The call is the example CAS N° 140-2026-SUNEDU (``docs/examples/cas-140-2026-sunedu.json``)
with ``n`` synthetic applicants: on average 6 experiences and 5 trainings each,
and the variety a real call has — studies of every level (some in progress, some
without dates), careers outside the profile, prácticas, SECIGRA, SERUMS,
voluntariado, current jobs and overlapping periods, unfinished trainings,
maestrías, accented and unaccented topics and knowledge names, missing
signature or annexes, late registrations, evaluator overrides and manual
checks; then exam absences and scores, psychological test absences, missing
or late expedientes and interview sheets.

The same ``n`` and ``seed`` always give the same bytes::

    .venv/bin/python benchmarks/generar.py --n 150000 -o /tmp/cas-150k.json
    .venv/bin/python benchmarks/generar.py --n 10000 -o /tmp/cas-10k.json  # casadmin import takes it too
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EJEMPLO = ROOT / "docs" / "examples" / "cas-140-2026-sunedu.json"
POSTULACION = dt.date(2026, 3, 2)

APELLIDOS = ["QUISPE", "MAMANI", "FLORES", "RAMÍREZ", "SÁNCHEZ", "TORRES", "MENDOZA", "CHÁVEZ", "ROJAS", "VARGAS",
             "CASTILLO", "HUAMÁN", "GUTIÉRREZ", "ESPINOZA", "PAREDES", "DÍAZ", "LÓPEZ", "GARCÍA", "RODRÍGUEZ", "CRUZ"]
NOMBRES = ["ANA", "LUIS", "MARÍA", "JORGE", "ROSA", "CARLOS", "LUCÍA", "PEDRO", "CARMEN", "JOSÉ", "ELENA", "RAÚL"]
CARRERAS = ["Derecho", "Derecho", "Educación", "Educación", "Economía", "Administración", "Contabilidad",
            "Ingeniería Industrial", "Sociología", "Ciencia Política"]
CENTROS = ["Universidad Nacional Mayor de San Marcos", "Pontificia Universidad Católica del Perú",
           "Universidad Nacional de San Agustín", "Universidad de Lima", "Instituto Superior Tecnológico Público"]
EMPLEADORES = [("Ministerio de Educación", "publico"), ("SUNARP", "publico"), ("Contraloría General", "publico"),
               ("Municipalidad de Lima", "publico"), ("Gobierno Regional de Cusco", "publico"),
               ("Estudio Jurídico Andino S.A.C.", "privado"), ("Consultora Educativa Perú S.A.C.", "privado"),
               ("Universidad Privada del Norte", "privado"), ("Banco de Crédito del Perú", "privado")]
PUESTOS = ["Asistente legal", "Especialista en supervisión", "Analista", "Abogado", "Coordinador académico",
           "Auxiliar administrativo", "Practicante"]
TIPOS_EXPERIENCIA = (["empleo"] * 50 + ["locacion"] * 25 + ["practicas_profesionales"] * 8
                     + ["practicas_preprofesionales"] * 8 + ["secigra"] * 3 + ["serums"] * 2
                     + ["voluntariado"] * 2 + ["ad_honorem"] * 1 + ["residentado"] * 1)
TEMAS = ["Gestión pública", "Gestion Publica por resultados", "GESTIÓN PÚBLICA y modernización del Estado",
         "Supervisión y fiscalización", "Supervision universitaria", "Contrataciones del Estado", "Ofimática",
         "Derecho administrativo", "Procedimiento administrativo general", "Control gubernamental",
         "Ética en la función pública", "Redacción jurídica"]
TIPOS_CAPACITACION = (["curso"] * 40 + ["taller"] * 15 + ["seminario"] * 10 + ["conferencia"] * 5
                      + ["curso_especializacion"] * 8 + ["programa_especializacion"] * 12 + ["diplomado"] * 6
                      + ["maestria"] * 3 + ["doctorado"] * 1)
CONOCIMIENTOS = [("Procesador de textos", ["Procesador de textos", "procesador de textos"]),
                 ("Hojas de cálculo", ["Hojas de cálculo", "Hojas de calculo", "HOJAS DE CÁLCULO"]),
                 ("Inglés", ["Inglés", "Ingles", "inglés"])]
NIVELES = ["basico", "intermedio", "avanzado"]


def _fecha(d: dt.date) -> str:
    return d.isoformat()


def _dia(r: random.Random, desde: dt.date, hasta: dt.date) -> dt.date:
    return desde + dt.timedelta(days=r.randrange(max(1, (hasta - desde).days)))


def _formacion(r: random.Random, nacimiento: dt.date, fuerte: bool) -> tuple[list[dict[str, Any]], dt.date]:
    """Section 2 rows and a typical egreso date (experiences are drawn around it)."""
    egreso = _dia(r, nacimiento + dt.timedelta(days=21 * 365), min(POSTULACION, nacimiento + dt.timedelta(days=30 * 365)))
    carrera = r.choice(CARRERAS[:4] if fuerte else CARRERAS)
    centro = r.choice(CENTROS)
    filas: list[dict[str, Any]] = []
    tipo = 1.0 if fuerte else r.random()
    if tipo < 0.04:  # secundaria only
        filas.append({"nivel": "secundaria", "condicion": "egresado", "fecha_egreso": _fecha(egreso - dt.timedelta(days=5 * 365)), "centro": "I.E. N° 1234"})
    elif tipo < 0.10:  # técnico
        filas.append({"nivel": "tecnico", "condicion": r.choice(["egresado", "titulado"]), "carrera": "Computación",
                      "fecha_egreso": _fecha(egreso), "centro": CENTROS[-1]})
    elif tipo < 0.16:  # still studying
        filas.append({"nivel": "universitario", "condicion": "en_curso", "carrera": carrera, "centro": centro})
    else:
        filas.append({"nivel": "universitario", "condicion": "egresado", "carrera": carrera,
                      "fecha_egreso": _fecha(egreso), "centro": centro})
        if fuerte or r.random() < 0.75:
            diploma = min(egreso + dt.timedelta(days=r.randrange(60, 900)), POSTULACION - dt.timedelta(days=1))
            filas.append({"nivel": "universitario", "condicion": "titulado" if fuerte else r.choice(["titulado", "bachiller"]),
                          "carrera": carrera, "fecha_diploma": _fecha(diploma), "centro": centro})
        if r.random() < 0.12:
            filas.append({"nivel": "maestria", "condicion": r.choice(["en_curso", "egresado", "grado"]),
                          "carrera": "Gestión Pública", "centro": r.choice(CENTROS[:4])})
        if not fuerte and r.random() < 0.05:  # no dates at all: experience cannot be counted (§4.2.1 p)
            for fila in filas:
                fila.pop("fecha_egreso", None)
                fila.pop("fecha_diploma", None)
    return filas, egreso


def _experiencias(r: random.Random, egreso: dt.date, fuerte: bool) -> list[dict[str, Any]]:
    out = []
    cursor = egreso + dt.timedelta(days=r.randrange(10, 200)) if fuerte else egreso - dt.timedelta(days=r.randrange(0, 700))
    for _ in range(r.choice([4, 5, 6, 7, 8]) if fuerte else r.choice([0, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 12])):
        tipo = r.choice(TIPOS_EXPERIENCIA[:75] if fuerte else TIPOS_EXPERIENCIA)
        empleador, sector = r.choice(EMPLEADORES[:5] if fuerte and r.random() < 0.5 else EMPLEADORES)
        inicio = cursor + dt.timedelta(days=r.randrange(-120, 200))  # some overlap the previous one
        if inicio > POSTULACION - dt.timedelta(days=30) and r.random() < 0.9:
            inicio = _dia(r, egreso - dt.timedelta(days=700), POSTULACION - dt.timedelta(days=60))  # a parallel job
        dias = r.choice([45, 90, 120, 200, 365, 400, 730, 1100])
        fin: dt.date | None = inicio + dt.timedelta(days=dias + r.randrange(0, 60))
        if fin >= POSTULACION or r.random() < 0.04:
            fin = None if r.random() < 0.7 else fin  # a current job, or one declared past the application date
        out.append({"empleador": empleador, "sector": sector, "puesto": r.choice(PUESTOS),
                    "funciones": "Funciones relacionadas con " + r.choice(TEMAS).lower() + ".", "tipo": tipo,
                    "inicio": _fecha(inicio), "fin": None if fin is None else _fecha(fin),
                    "especifica": r.random() < (0.8 if fuerte else 0.5)})
        cursor = (fin or POSTULACION) + dt.timedelta(days=1)
    r.shuffle(out)  # declared in any order
    return out


def _capacitaciones(r: random.Random, fuerte: bool) -> list[dict[str, Any]]:
    out = []
    if fuerte:
        out.append({"tipo": "curso", "tema": "Gestión pública", "horas": r.choice([40, 60, 80]),
                    "fecha_fin": "2022-06-30", "institucion": "ENAP"})
        out.append({"tipo": "programa_especializacion", "tema": "Supervisión y fiscalización", "horas": 96,
                    "fecha_fin": "2024-02-20", "institucion": "PUCP"})
    for _ in range(r.choice([1, 2, 3, 4, 5]) if fuerte else r.choice([0, 2, 3, 4, 5, 5, 6, 7, 8, 10])):
        tipo = r.choice(TIPOS_CAPACITACION)
        horas = {"programa_especializacion": r.choice([80, 90, 96, 120]), "diplomado": r.choice([120, 384, 400]),
                 "maestria": 600, "doctorado": 900}.get(tipo, r.choice([8, 12, 20, 24, 40, 60, 80]))
        fila: dict[str, Any] = {"tipo": tipo, "tema": r.choice(TEMAS), "horas": horas,
                                "institucion": r.choice(["ENAP", "SERVIR", "PUCP", "ESAN", "Colegio de Abogados"])}
        if r.random() < 0.93:
            fila["fecha_fin"] = _fecha(_dia(r, dt.date(2010, 1, 1), POSTULACION + dt.timedelta(days=90)))
        if tipo == "diplomado":
            inicio = _dia(r, dt.date(2010, 1, 1), dt.date(2025, 1, 1))
            # not after its end (import and simulate refuse that); no other draw, so every applicant stays the same
            fila["inicio"] = min(fila.get("fecha_fin", "9999-12-31"), _fecha(inicio))
            if r.random() < 0.5:
                fila["creditos"] = r.choice([12, 24, 26])
        if tipo == "programa_especializacion" and r.random() < 0.2:
            fila["ente_rector"] = True
        out.append(fila)
    return out


def _entradas(r: random.Random, i: int) -> dict[str, Any]:
    e: dict[str, Any] = {}
    if r.random() < 0.004:
        e["ficha_override"] = {"resultado": r.choice(["apto", "no_apto"]),
                               "sustento": "Revisión manual del evaluador según constancia adjunta."}
    if r.random() < 0.05:
        e["verificacion_manual"] = {"anexos_firmados": r.random() < 0.8, "anexos_datos_convocatoria": True}
    if r.random() < 0.88:
        # Two decimals, so the top of a 150k-applicant call is not one huge tie.
        e["examen"] = {"asistio": True, "puntaje": f"{r.randrange(800, 3001) / 100:.2f}"}
    else:
        e["examen"] = {"asistio": False}
    e["psicologica"] = {"asistio": r.random() < 0.95}
    if r.random() < 0.9:
        e["curricular"] = {"expediente": True, "en_plazo": r.random() < 0.97,
                           "factores": {k: r.random() < 0.85 for k in ("experiencia_general", "experiencia_especifica",
                                                                        "experiencia_publica", "formacion", "cursos")}}
    else:
        e["curricular"] = {"expediente": False}
    if r.random() < 0.9:
        # The committee's two scoring members (§4.2.5 b). A third sheet is still drawn and dropped, so that
        # the random stream, and every applicant after this one, stays as benchmarked since 2026-11-23.
        e["entrevista"] = {"asistio": True, "hojas": [
            {"miembro": f"M{m}", "factores": {k: str(r.randrange(3, 9)) for k in (
                "desenvolvimiento", "idoneidad", "orientacion_resultados", "trabajo_equipo", "vocacion_servicio")}}
            for m in (1, 2, 3)][:2]}
    else:
        e["entrevista"] = {"asistio": False}
    return e


def postulante(r: random.Random, i: int) -> dict[str, Any]:
    fuerte = r.random() < 0.4  # a profile close to the one asked (so that later stages are not empty)
    nacimiento = _dia(r, dt.date(1962, 1, 1), dt.date(1996 if fuerte else 2003, 12, 31))
    formacion, egreso = _formacion(r, nacimiento, fuerte)
    conocimientos = {}
    for _, variantes in CONOCIMIENTOS:
        if fuerte or r.random() < 0.93:
            conocimientos[r.choice(variantes)] = r.choice(NIVELES[1:] if fuerte or r.random() < 0.8 else NIVELES)
    registrada = dt.datetime(2026, 3, 2, 8, 30) + dt.timedelta(minutes=r.randrange(0, 480))
    if r.random() < 0.01:
        registrada += dt.timedelta(hours=9)  # after the deadline (§4.2.1 a)
    colegiado = r.random() < (0.98 if fuerte else 0.8)
    # Drawn for everyone, so that each Ficha is the same as before; declared only with the colegiatura
    # (§4.2.1 h: habilitación is the colegiatura's; simulate and import refuse one without the other).
    habilitado = r.random() < (0.97 if fuerte else 0.75) and colegiado
    ficha: dict[str, Any] = {
        "formacion": formacion,
        "colegiado": colegiado,
        "habilitado": habilitado,
        "conocimientos": conocimientos,
        "capacitaciones": _capacitaciones(r, fuerte),
        "experiencias": _experiencias(r, egreso, fuerte),
        "otros": ["Disponibilidad para viajar"] if r.random() < 0.9 else r.choice([[], ["Licencia de conducir A-I"]]),
        "licenciado_ffaa": r.random() < 0.03,
        "discapacidad": r.random() < 0.02,
        "deportista_nivel": r.choice([None] * 60 + [1, 2, 3, 4, 5]),
        "firma": r.random() < 0.98,
    }
    documentos = [] if r.random() < 0.03 else [
        {"tipo": "anexos_11_12_13", "paginas": r.randrange(2, 6), "validado": r.random() < 0.9,
         "en_plazo": r.random() < 0.99}]
    apellidos, nombres = f"{r.choice(APELLIDOS)} {r.choice(APELLIDOS)}", r.choice(NOMBRES)  # drawn before the inputs
    entradas = _entradas(r, i)
    curricular = entradas["curricular"]
    if curricular["expediente"]:
        # §4.3: the documents of the declared conditions, recorded as presented (the DNI of Ley 31533 by
        # everyone: it counts only for who is 29 or younger); no draw, so every applicant stays the same
        curricular["lista"] = {"dni_31533": True, **{doc: True for doc, si in (
            ("doc_ffaa", ficha["licenciado_ffaa"]), ("doc_discapacidad", ficha["discapacidad"]),
            ("doc_deportista", ficha["deportista_nivel"] is not None)) if si}}
    return {
        "id": f"P{i:06d}",
        "documento": {"tipo": "DNI", "numero": f"{40000000 + i:08d}"},
        "apellidos": apellidos,
        "nombres": nombres,
        "fecha_nacimiento": _fecha(nacimiento),
        "registrada_en": registrada.strftime("%Y-%m-%dT%H:%M:%S") + "-05:00",
        "ficha": ficha,
        "documentos": documentos,
        "entradas": entradas,
    }


def generar(n: int, seed: int = 20260302) -> dict[str, Any]:
    """The example call with ``n`` synthetic applicants (always the same for the same ``n`` and ``seed``)."""
    datos = json.loads(EJEMPLO.read_text("utf-8"))
    datos["convocatoria"]["perfil"]["otros"] = ["Disponibilidad para viajar"]
    r = random.Random(seed)
    datos["postulantes"] = [postulante(r, i) for i in range(1, n + 1)]
    datos["decisiones_comite"] = []
    return datos


def escribir(datos: dict[str, Any], path: Path) -> int:
    texto = json.dumps(datos, ensure_ascii=False, separators=(",", ":"))
    path.write_text(texto, "utf-8")
    return len(texto.encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=150_000, help="number of applicants (default 150000)")
    ap.add_argument("--seed", type=int, default=20260302)
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args(argv)
    datos = generar(args.n, args.seed)
    size = escribir(datos, args.output)
    print(f"{args.output}: {args.n} postulantes, {size / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
