"""The JSON interchange format of a whole call (``docs/interchange.md``, schema in
``convocatoria.schema.json``): read, validate with every error's JSON path, write."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, partial
from importlib import resources
from typing import Any

import msgspec
from jsonschema import Draft202012Validator

try:  # a compiled validator, ~7× faster on a valid file (see validar); optional
    import fastjsonschema
except ImportError:  # pragma: no cover - declared in pyproject.toml
    fastjsonschema = None

from casadmin.engine.bases import BasesVersion
from casadmin.engine.model import (
    Candidato,
    Convocatoria,
    Entradas,
    Hoja,
    Perfil,
    crear_candidato,
    crear_capacitacion,
    crear_documento,
    crear_experiencia,
    crear_formacion,
)
from casadmin.engine.params import ParametroDesconocido
from casadmin.peru.clock import LIMA
from casadmin.peru.documentos import DocumentoInvalido, validar_documento
from casadmin.rules.courses import sin_palabras
from casadmin.rules.decimales import en_llano
from casadmin.rules.experience import meses_incoherentes
from casadmin.rules.levels import clave_conocimiento, grado, programa_ofimatica
from casadmin.rules.scores import Factor
from casadmin.rules.types import (
    Condicion,
    Nivel,
    NivelEstudios,
    RequisitoCapacitacion,
    RequisitoFormacion,
    Sector,
    TipoCapacitacion,
    TipoExperiencia,
)

FORMATO = "casadmin-convocatoria/1"
#: Committee members whose interview sheets a call may carry: a representative of the Oficina de Recursos
#: Humanos and one of the user area; the Veedor/a observes and never scores (§4.2.5 b; the committee
#: screens hold the same seats, ``casadmin.comite.CALIFICADORES``).
CALIFICAN = 2

#: The domain of the e-mail an import gives an applicant or committee member the file names without one
#: (``.invalid`` never receives mail, RFC 2606); a file's own e-mail cannot be at it.
DOMINIO_SIN_CORREO = "importado.casadmin.invalid"


class ArchivoInvalido(ValueError):
    """An interchange file that fails validation: ``errores`` lists (JSON path, Spanish message)."""

    def __init__(self, errores: list[tuple[str, str]], *, esquema: bool = True) -> None:
        self.errores = errores
        #: whether the file passed the schema (the checks that need its shapes could run)
        self.esquema = esquema
        super().__init__("\n".join(f"{ruta}: {msg}" for ruta, msg in errores))


@cache
def schema() -> dict[str, Any]:
    return json.loads(resources.files("casadmin.engine").joinpath("convocatoria.schema.json").read_text("utf-8"))


def _ruta(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


_MENSAJES = {
    "required": "falta el campo obligatorio",
    "additionalProperties": "campo no reconocido",
    "enum": "valor no permitido",
    "const": "valor no permitido",
    "type": "tipo de dato incorrecto",
    "pattern": "formato incorrecto",
    "minimum": "valor por debajo del mínimo",
    "maximum": "valor por encima del máximo",
    "minLength": "texto demasiado corto",
    "maxLength": "texto demasiado largo",
    "minItems": "faltan elementos",
    "oneOf": "valor con formato incorrecto",
}

#: Messages for the schema's patterns: a text that must not be blank, or the format to follow.
_PATRONES = {
    r"^\S": "texto en blanco o que empieza con un espacio (primero va el apellido paterno)",
    r"\S": "texto en blanco",
    r"^\S(.*\S)?(?![\s\S])": "texto en blanco o con espacios al inicio o al final",
}
#: What the schema's format patterns ask for («formato incorrecto (…)»).
_FORMATOS = {
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "se espera una fecha AAAA-MM-DD",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:[0-9]{2}|Z)?$":
        "se espera fecha y hora AAAA-MM-DDTHH:MM, con segundos y zona horaria si los tiene, "
        "como 2026-03-02T08:30:00-05:00",
    r"^[0-9]{1,6}(\.[0-9]+)?$": "se espera un número con punto decimal, como 26.5",
    r"^[A-Z0-9-]{2,20}$": "de 2 a 20 mayúsculas, cifras o guiones",
    r"^[0-9A-Za-z]{6,12}$": "de 6 a 12 letras o cifras",
}

#: JSON's types, as the messages name them.
_TIPOS = {"integer": "un número entero", "number": "un número", "string": "un texto", "boolean": "true o false",
          "array": "una lista", "object": "un objeto", "null": "null"}


def _valor(v: Any) -> str:
    """A value as a message quotes it (short)."""
    if isinstance(v, str):
        texto = v
    elif isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        texto = str(v)  # a number as written (a Decimal through json.dumps would be quoted, as a text)
    else:
        texto = json.dumps(v, ensure_ascii=False, default=float)
    return f"«{texto if len(texto) <= 40 else texto[:37] + '...'}»"


def _mensaje(err: Any) -> str:
    """A schema error in Spanish (jsonschema's own messages are English)."""
    detalle = _MENSAJES.get(err.validator, "valor inválido")
    v, valor = err.validator_value, err.instance
    if err.validator == "maxLength":  # not the whole text, which may be long
        return f"{detalle} ({len(valor)} caracteres; el máximo es {v})"
    if err.validator == "pattern" and v in _PATRONES:
        return _PATRONES[v]
    if err.validator == "pattern":
        return f"{detalle} ({_FORMATOS[v] + '; ' if v in _FORMATOS else ''}se recibió {_valor(valor)})"
    if err.validator == "type":
        tipos = [v] if isinstance(v, str) else list(v)
        return f"{detalle} (se espera {' o '.join(_TIPOS.get(t, t) for t in tipos)}; se recibió {_valor(valor)})"
    if err.validator in ("enum", "const"):
        admitidos = [v] if err.validator == "const" else list(v)
        lista = ", ".join(map(_valor, admitidos[:12])) + (", …" if len(admitidos) > 12 else "")
        return f"{detalle} ({_valor(valor)}; se admite {lista})"
    if err.validator in ("minimum", "maximum"):
        return f"{detalle} ({'mínimo' if err.validator == 'minimum' else 'máximo'} {v}; se recibió {_valor(valor)})"
    if err.validator == "minLength":
        return f"{detalle} (mínimo {v} caracteres)"
    if err.validator == "minItems":
        return f"{detalle} (mínimo {v})"
    if err.validator == "additionalProperties" and isinstance(valor, Mapping):
        conocidos = set(err.schema.get("properties", {}))
        return f"{detalle} ({', '.join(map(_valor, sorted(k for k in valor if k not in conocidos)))})"
    return detalle


@cache
def _validador() -> Draft202012Validator:
    return Draft202012Validator(schema())


#: Keywords for which fastjsonschema's checks are the same as, or stricter than, jsonschema's
#: Draft 2020-12 ones (``format`` is not checked by either: see ``use_formats=False``).
_PALABRAS_RAPIDAS = frozenset({
    "$schema", "$id", "$ref", "$defs", "title", "description", "type", "required", "properties",
    "additionalProperties", "items", "minItems", "const", "enum", "pattern", "format", "minLength",
    "maxLength", "minimum", "maximum", "oneOf",
})


def _solo_palabras_rapidas(nodo: Any) -> bool:
    if not isinstance(nodo, dict):
        return True
    if not _PALABRAS_RAPIDAS.issuperset(nodo):
        return False
    hijos = [*nodo.get("properties", {}).values(), *nodo.get("$defs", {}).values(), *nodo.get("oneOf", ()),
             nodo.get("items"), nodo.get("additionalProperties")]
    return all(_solo_palabras_rapidas(h) for h in hijos)


def _sin_referencias(nodo: Any, defs: Mapping[str, Any], dentro: tuple[str, ...] = ()) -> Any:
    """``nodo`` with every ``{"$ref": "#/$defs/x"}`` replaced by a copy of ``x`` (a recursive one is kept).

    The same checks, written out where they apply: fastjsonschema calls a function for each
    ``$ref``, and inside an array it formats the item's path for that call even when the item
    is valid (``str.format(**locals())``, about 50 times per applicant). Written out, a valid
    file pays for no message at all. Only references into the root's ``$defs`` are written out:
    the schema has no ``$id`` below its root that would make them resolve elsewhere.
    """
    if isinstance(nodo, list):
        return [_sin_referencias(x, defs, dentro) for x in nodo]
    if not isinstance(nodo, dict):
        return nodo
    ref = nodo.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and set(nodo) <= {"$ref", "description", "title"}:
        nombre = ref.removeprefix("#/$defs/")
        if nombre in defs and nombre not in dentro:
            return _sin_referencias(defs[nombre], defs, (*dentro, nombre))
    return {k: _sin_referencias(v, defs, dentro) for k, v in nodo.items()}


@cache
def _validador_rapido() -> Any:
    """The schema compiled by fastjsonschema (every ``$ref`` written out: :func:`_sin_referencias`), or
    None when it is not installed or the schema uses a keyword it might check differently (then every
    file goes through jsonschema)."""
    if fastjsonschema is None or not _solo_palabras_rapidas(schema()):
        return None
    # A copy (fastjsonschema annotates the schema it compiles, and schema() is shared).
    return fastjsonschema.compile(_sin_referencias(schema(), schema().get("$defs", {})),
                                  use_default=False, use_formats=False)


def _es_valido_rapido(data: Any) -> bool:
    """True only when the fast validator accepts ``data``; False means "ask jsonschema"."""
    rapido = _validador_rapido()
    if rapido is None:
        return False
    try:
        rapido(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def validar(data: Any) -> list[tuple[str, str]]:
    """Every schema error as (JSON path, Spanish message), in path order.

    jsonschema (Draft 2020-12) is the reference and lists the errors. A large valid
    file is first checked by fastjsonschema's compiled validator, which is much faster
    and stops at the first error: when it accepts the data the answer is ``[]``,
    otherwise jsonschema lists every error as before. On JSON data (what :func:`leer`
    returns) fastjsonschema is never laxer than jsonschema for the keywords the schema
    uses (``_PALABRAS_RAPIDAS``): its ``integer`` and ``number`` refuse booleans, its
    patterns anchor ``$`` at the very end. The one difference is outside JSON: it takes a
    Python tuple for an array, which jsonschema does not.
    """
    if _es_valido_rapido(data):
        return []
    errores = []
    for err in _validador().iter_errors(data):
        path = list(err.absolute_path)
        if err.validator == "required":
            faltante = err.message.split("'")[1] if "'" in err.message else ""
            path.append(faltante)
        errores.append((_ruta(path), _mensaje(err)))
    return en_orden(errores)


class _NoEsNumero(ValueError):
    pass


def _sin_constantes(nombre: str) -> Any:
    raise _NoEsNumero(nombre)


#: A JSON escape of half a UTF-16 surrogate pair without its other half (``\ud800`` alone; ``\ud83d\ude00``
#: is one character): only then are the strings walked for the lone one.
_SUSTITUTO = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                        r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")
#: Any half of a pair: a quick first look (the look-behind above makes a search of 500 MB take seconds).
_MITAD = re.compile(r"\\u[dD][89a-fA-F]")


#: The JSON parser's messages (English) by their start, in Spanish.
_ERRORES_JSON = (
    ("Expecting value", "falta un valor (o el archivo está vacío o cortado)"),
    ("Expecting property name", "se espera el nombre de un campo entre comillas dobles (¿una coma de más?)"),
    ("Expecting ':'", "falta «:» después del nombre del campo"),
    ("Expecting ','", "falta una coma entre dos elementos (o el archivo está cortado)"),
    ("Unterminated string", "un texto sin comillas de cierre"),
    ("Invalid control character", "un carácter de control dentro de un texto (un salto de línea se escribe \\n)"),
    ("Invalid \\escape", "una secuencia de escape inválida dentro de un texto"),
    ("Invalid \\uXXXX", "una secuencia \\uXXXX inválida dentro de un texto"),
    ("Extra data", "hay texto después del final del JSON"),
)


#: Below this many characters :func:`leer` looks for keys written twice in an object.
REVISAR_CLAVES_HASTA = 64 * 2**20


def leer(texto: str | bytes) -> dict[str, Any]:
    """Parse JSON with exact decimals (never floats). Refused with a message, never a traceback: a file
    not in UTF-8 (RFC 8259 §8.1; a byte order mark is allowed), ``NaN`` or ``Infinity`` (not JSON numbers,
    and no score can be one), a lone UTF-16 surrogate (``\\ud800``) or a NUL character (``\\u0000``),
    which no database or page can hold, and, in a file under :data:`REVISAR_CLAVES_HASTA`, a key written
    twice in one object (json keeps the last one: «"puntaje": 15, "puntaje": 26» was read as 26), each at
    its path."""
    if isinstance(texto, bytes):
        try:
            texto = texto.decode("utf-8-sig")  # a byte order mark, as Windows editors write, is dropped
        except UnicodeDecodeError as exc:
            mensaje = f"el archivo no está codificado en UTF-8 (byte 0x{exc.object[exc.start]:02x}); guárdelo como UTF-8"
            raise ArchivoInvalido([(f"byte {exc.start + 1}", mensaje)]) from None
    repetidas: list[tuple[dict[str, Any], list[str]]] = []  # the objects held: their ids stay theirs

    def objeto(pares: list[tuple[str, Any]]) -> dict[str, Any]:
        d = dict(pares)
        if len(d) != len(pares):  # a key written twice: json keeps the last one without a word
            vistas: set[str] = set()
            repetidas.append((d, [k for k, _ in pares if k in vistas or vistas.add(k)]))
        return d

    # A key written twice is a hand-edited file's mistake; a file of 64 MiB or more (some 19,000 applicants)
    # is written by a program, and looking costs its reading a Python call per object (+40 % on 150,000).
    revisar = len(texto) < REVISAR_CLAVES_HASTA
    try:
        datos = json.loads(texto, parse_float=Decimal, parse_constant=_sin_constantes,
                           object_pairs_hook=objeto if revisar else None)
    except json.JSONDecodeError as exc:
        motivo = next((es for en, es in _ERRORES_JSON if exc.msg.startswith(en)), "texto que no es JSON")
        raise ArchivoInvalido([(f"línea {exc.lineno}, columna {exc.colno}", f"JSON mal formado: {motivo}")]) from None
    except _NoEsNumero as exc:
        raise ArchivoInvalido([("$", f"JSON mal formado: {exc} no es un número válido")]) from None
    except ValueError:  # an integer of thousands of digits (Python's limit on int conversion)
        raise ArchivoInvalido([("$", f"JSON mal formado: un número entero de más de {sys.get_int_max_str_digits()} "
                                     "cifras")]) from None
    except RecursionError:
        raise ArchivoInvalido([("$", "JSON mal formado: listas u objetos anidados a demasiada profundidad")]) from None
    errores = []
    if repetidas:  # rare: where they are is looked for only then
        claves = {id(d): repetida for d, repetida in repetidas}
        errores += [(f"{ruta}.{clave}", "la clave figura más de una vez en el mismo objeto; déjela una vez")
                    for ruta, d in _objetos(datos, "$") if id(d) in claves for clave in dict.fromkeys(claves[id(d)])]
    if _MITAD.search(texto) and _SUSTITUTO.search(texto):
        errores += [(ruta.encode("utf-8", "backslashreplace").decode("utf-8"),
                     "el texto contiene un carácter inválido (un sustituto UTF-16 suelto)")
                    for ruta, valor in _textos(datos, "$") if not _codificable(valor)]
    if "\\u0000" in texto:  # JSON carries a NUL only escaped; no database column keeps one (PostgreSQL)
        errores += [(ruta, "el texto contiene un carácter nulo (\\u0000), que no se puede guardar")
                    for ruta, valor in _textos(datos, "$") if "\x00" in valor]
    if errores:
        raise ArchivoInvalido(errores)
    return datos


def _objetos(nodo: Any, ruta: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every object of a parsed JSON value with its JSON path."""
    if isinstance(nodo, Mapping):
        yield ruta, nodo
        for clave, valor in nodo.items():
            yield from _objetos(valor, f"{ruta}.{clave}")
    elif isinstance(nodo, list):
        for i, valor in enumerate(nodo):
            yield from _objetos(valor, f"{ruta}[{i}]")


def _textos(nodo: Any, ruta: str) -> Iterator[tuple[str, str]]:
    """Every string of a parsed JSON value (keys too) with its JSON path."""
    if isinstance(nodo, str):
        yield ruta, nodo
    elif isinstance(nodo, Mapping):
        for clave, valor in nodo.items():
            yield f"{ruta}.{clave}", clave
            yield from _textos(valor, f"{ruta}.{clave}")
    elif isinstance(nodo, list):
        for i, valor in enumerate(nodo):
            yield from _textos(valor, f"{ruta}[{i}]")


def _codificable(texto: str) -> bool:
    try:
        texto.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- JSON → engine model -------------------------------------------------------------


def _dec(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _fecha(v: str | None) -> dt.date | None:
    return None if v is None else dt.date.fromisoformat(v)


#: The moments a file may name (Lima time): from 1909, when Lima's offset is the whole hours it has kept
#: since (before 1908 it was local mean time, «-05:08:12», which the format's pattern refuses), to the end
#: of 9998 (a moment of 9999 in Lima may be of the year 10000 in UTC).
FECHAHORA_MINIMA = dt.datetime(1909, 1, 1, tzinfo=LIMA)
FECHAHORA_MAXIMA = dt.datetime(9998, 12, 31, 23, 59, 59, tzinfo=LIMA)


def fechahora(v: str) -> dt.datetime:
    """ISO datetime; without an offset it is Lima time. A moment outside ``FECHAHORA_MINIMA``–``FECHAHORA_MAXIMA``
    raises ``OverflowError``, as one beyond the calendar does: stored, it could not be written back in the format
    (export) nor read again (evaluate)."""
    d = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    d = d.replace(tzinfo=LIMA) if d.tzinfo is None else d.astimezone(LIMA)
    if not FECHAHORA_MINIMA <= d <= FECHAHORA_MAXIMA:
        raise OverflowError(v)
    return d


def _perfil(p: Mapping[str, Any]) -> Perfil:
    f = p["formacion"]
    return Perfil(
        formacion=RequisitoFormacion(
            nivel=NivelEstudios(f["nivel"]), condicion=Condicion(f["condicion"]), carreras=tuple(f.get("carreras", ())),
            afines=f.get("afines", False), carreras_afines=tuple(f.get("carreras_afines", ())),
        ),
        colegiatura=p.get("colegiatura", False),
        habilitacion=p.get("habilitacion", False),
        experiencia_general_meses=p.get("experiencia_general_meses", 0),
        experiencia_especifica_meses=p.get("experiencia_especifica_meses", 0),
        experiencia_publica_meses=p.get("experiencia_publica_meses"),
        capacitaciones=tuple(
            RequisitoCapacitacion(tema=c["tema"], tipo=TipoCapacitacion(c["tipo"]), horas=_dec(c.get("horas", 0)),
                                  afines=c.get("afines", False), temas_afines=tuple(c.get("temas_afines", ())))
            for c in p.get("capacitaciones", ())
        ),
        # An office program by the Ficha's name, as the profile form and import store it (§4.2.1 n).
        conocimientos={programa_ofimatica(k) or k: Nivel(v) for k, v in p.get("conocimientos", {}).items()},
        otros=tuple(p.get("otros", ())),
        requiere_deportista=p.get("requiere_deportista", False),
    )


def _entradas(e: Mapping[str, Any]) -> Entradas:
    ex, ps, cu, en = (e.get(k) or {} for k in ("examen", "psicologica", "curricular", "entrevista"))
    ov = e.get("ficha_override")
    return Entradas(
        examen_asistio=ex.get("asistio"),
        examen_puntaje=_dec(ex.get("puntaje")),
        psicologica_asistio=ps.get("asistio"),
        expediente_presentado=cu.get("expediente"),
        expediente_en_plazo=cu.get("en_plazo", True),
        factores_curriculares=dict(cu.get("factores", {})),
        lista_curricular=dict(cu.get("lista", {})),
        entrevista_asistio=en.get("asistio"),
        entrevista_causa=en.get("causa"),
        hojas=tuple(
            Hoja(miembro=h["miembro"], factores={k: Decimal(str(v)) for k, v in h["factores"].items()})
            for h in en.get("hojas", ())
        ),
        ficha_override=(ov["resultado"], ov["sustento"]) if ov else None,
        verificacion_manual=dict(e.get("verificacion_manual", {})),
    )


def candidato(p: Mapping[str, Any]) -> Candidato:
    f = p["ficha"]
    return crear_candidato(
        id=p["id"],
        tipo_documento=p["documento"]["tipo"],
        numero_documento=p["documento"]["numero"],
        apellidos=p["apellidos"],
        nombres=p["nombres"],
        fecha_nacimiento=dt.date.fromisoformat(p["fecha_nacimiento"]),
        registrada_en=fechahora(p["registrada_en"]),
        formaciones=tuple(
            crear_formacion(nivel=NivelEstudios(x["nivel"]), condicion=Condicion(x["condicion"]),
                            carrera=x.get("carrera", ""), fecha_egreso=_fecha(x.get("fecha_egreso")),
                            fecha_diploma=_fecha(x.get("fecha_diploma")), centro=x.get("centro", ""))
            for x in f.get("formacion", ())
        ),
        experiencias=tuple(
            crear_experiencia(empleador=x["empleador"], sector=Sector(x["sector"]), puesto=x["puesto"],
                              inicio=dt.date.fromisoformat(x["inicio"]), fin=_fecha(x.get("fin")),
                              funciones=x.get("funciones", ""), tipo=TipoExperiencia(x.get("tipo", "empleo")),
                              especifica=x.get("especifica"))
            for x in f.get("experiencias", ())
        ),
        capacitaciones=tuple(
            crear_capacitacion(tema=x["tema"], tipo=TipoCapacitacion(x["tipo"]), horas=Decimal(str(x["horas"])),
                               creditos=_dec(x.get("creditos")), fecha_fin=_fecha(x.get("fecha_fin")),
                               inicio=_fecha(x.get("inicio")), ente_rector=x.get("ente_rector", False),
                               institucion=x.get("institucion", ""))
            for x in f.get("capacitaciones", ())
        ),
        conocimientos={k: Nivel(v) for k, v in f.get("conocimientos", {}).items()},
        colegiado=f.get("colegiado", False),
        habilitado=f.get("habilitado", False),
        otros=tuple(f.get("otros", ())),
        licenciado_ffaa=f.get("licenciado_ffaa", False),
        discapacidad=f.get("discapacidad", False),
        deportista_nivel=f.get("deportista_nivel"),
        firma=f.get("firma", False),  # §4.1 Ficha de Postulante (10): no signature declared, none
        documentos=tuple(
            crear_documento(tipo=d["tipo"], paginas=d.get("paginas", 1), validado=d.get("validado", False),
                            en_plazo=d.get("en_plazo", True))
            for d in p.get("documentos", ())
        ),
        entradas=_entradas(p.get("entradas", {})),
    )


#: Where the format has dates (``fecha``) and date-times (``fechahora``): the schema checks their shape,
#: not that they exist. The call's, then an applicant's (``[]``: every row of a list).
_FECHAS_CONVOCATORIA = (("inicio_postulacion", "fechahora"), ("cierre_postulacion", "fechahora"),
                        ("cronograma[].inicio", "fechahora"), ("cronograma[].fin", "fechahora"))
_FECHAS_POSTULANTE = (("fecha_nacimiento", "fecha"), ("registrada_en", "fechahora"),
                      ("ficha.formacion[].fecha_egreso", "fecha"), ("ficha.formacion[].fecha_diploma", "fecha"),
                      ("ficha.capacitaciones[].inicio", "fecha"), ("ficha.capacitaciones[].fecha_fin", "fecha"),
                      ("ficha.experiencias[].inicio", "fecha"), ("ficha.experiencias[].fin", "fecha"))


def _valores(nodo: Any, camino: str, ruta: str) -> Iterator[tuple[str, Any]]:
    """(JSON path, value) of every ``camino`` (``a.b[].c``) below ``nodo``; absent ones are skipped."""
    if not camino:
        yield ruta, nodo
        return
    paso, _, resto = camino.partition(".")
    clave = paso.removesuffix("[]")
    if not isinstance(nodo, Mapping) or nodo.get(clave) is None:
        return
    if paso.endswith("[]"):
        if not isinstance(nodo[clave], list):  # not the schema's type: the schema reports it
            return
        for i, x in enumerate(nodo[clave]):
            yield from _valores(x, resto, f"{ruta}.{clave}[{i}]")
    else:
        yield from _valores(nodo[clave], resto, f"{ruta}.{clave}")


#: (list, its start, its end): periods that cannot end before they start, in a call and in an applicant.
_PERIODOS_CONVOCATORIA = (("cronograma[]", "inicio", "fin"),)
_PERIODOS_POSTULANTE = (("ficha.experiencias[]", "inicio", "fin"), ("ficha.capacitaciones[]", "inicio", "fecha_fin"))


def _imposibles(nodo: Mapping[str, Any], ruta: str, fechas: tuple[tuple[str, str], ...] = _FECHAS_POSTULANTE,
                periodos: tuple[tuple[str, str, str], ...] = _PERIODOS_POSTULANTE) -> list[tuple[str, str]]:
    """What the schema lets through but cannot be built, with its JSON path: a date or time that does not
    exist (``2025-02-30``, ``T25:00``), and a period that ends before it starts (a job, a course, a line
    of the schedule; the Ficha's forms refuse them too)."""
    leer = {"fecha": dt.date.fromisoformat, "fechahora": fechahora}
    errores, leidas = [], {}
    for camino, tipo in fechas:
        for donde, valor in _valores(nodo, camino, ruta):
            if not isinstance(valor, str):  # not the schema's type: the schema reports it
                continue
            try:
                leidas[donde] = leer[tipo](valor)
            except ValueError:
                errores.append((donde, f"fecha u hora que no existe: «{valor}»"))
            except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00, before the first day in Lima time
                errores.append((donde, f"fecha u hora fuera del rango admitido: «{valor}»"))
    for lista, desde, hasta in periodos:
        for donde, _ in _valores(nodo, lista, ruta):
            inicio, fin = leidas.get(f"{donde}.{desde}"), leidas.get(f"{donde}.{hasta}")
            if inicio is not None and fin is not None and fin < inicio:
                errores.append((f"{donde}.{hasta}", "el fin es anterior al inicio"))
    return errores


def _formacion_sin_grado(perfil: Any) -> list[tuple[str, str]]:
    """An academic requirement that is no rung of the ladder the Ficha stage compares with (§4.2.1 e):
    secundaria «en curso» (the plugin stopped on it, exit 3, where an invalid file exits 2)."""
    f = perfil.get("formacion") if isinstance(perfil, Mapping) else None
    if not isinstance(f, Mapping):
        return []
    try:
        nivel, condicion = NivelEstudios(f.get("nivel")), Condicion(f.get("condicion"))
    except ValueError:  # not the schema's values: the schema reports them
        return []
    if grado(nivel, condicion) is not None:
        return []
    return [("$.convocatoria.perfil.formacion",
             f"el perfil no puede pedir {nivel.value} {condicion.value.replace('_', ' ')}: el requisito mínimo de "
             "formación es la secundaria completa (condición egresado)")]


def _incoherencias(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the schema cannot say, outside the applicants' own data: the call's dates and times that do
    not exist, a close before the opening, a schedule line given twice or an application line other than
    the call's period, repeated applicant ids and committee decisions (D8) naming
    an applicant the file does not have, or one twice. Looks only where the shapes are right (the schema
    reports the rest)."""
    if not isinstance(data, Mapping):
        return []
    c = data.get("convocatoria")
    errores = _imposibles(c, "$.convocatoria", _FECHAS_CONVOCATORIA, _PERIODOS_CONVOCATORIA) \
        if isinstance(c, Mapping) else []
    if isinstance(c, Mapping) and not any(donde.endswith("_postulacion") for donde, _ in errores):
        inicio, cierre = c.get("inicio_postulacion"), c.get("cierre_postulacion")
        if isinstance(inicio, str) and isinstance(cierre, str) and fechahora(cierre) < fechahora(inicio):
            errores.append(("$.convocatoria.cierre_postulacion", "el cierre es anterior al inicio"))
    # The application line is compared with the call's period only once that period is right.
    errores.extend(_cronograma_incoherente(c, periodo=not any(d.endswith("_postulacion") for d, _ in errores)))
    perfil = c.get("perfil") if isinstance(c, Mapping) else None
    errores.extend(_formacion_sin_grado(perfil))
    errores.extend(_afines_sin_afines(perfil))
    errores.extend(_temas_sin_palabras(perfil))
    errores.extend(_meses_incoherentes(perfil))
    conocimientos = perfil.get("conocimientos") if isinstance(perfil, Mapping) else None
    errores.extend(_nombres_en_blanco(conocimientos, "$.convocatoria.perfil.conocimientos"))
    vistos: dict[str, str] = {}
    for nombre in conocimientos if isinstance(conocimientos, Mapping) else ():
        # §4.2.1 n: «Excel» and «Hojas de cálculo» are one program; «Inglés» and «inglés» one language.
        otro = vistos.setdefault(clave_conocimiento(nombre), nombre)
        if otro != nombre:
            errores.append((f"$.convocatoria.perfil.conocimientos.{nombre}",
                            f"«{nombre}» es lo mismo que «{otro}», que ya figura: indíquelo una vez, con el nivel "
                            "requerido (§4.2.1 n)"))
    postulantes = data.get("postulantes")
    #: position of each applicant's id (only ids that are strings: the schema reports the others)
    posiciones = [(i, p["id"]) for i, p in enumerate(postulantes if isinstance(postulantes, list) else ())
                  if isinstance(p, Mapping) and isinstance(p.get("id"), str)]
    conocidos = {pid for _, pid in posiciones}
    if len(conocidos) != len(posiciones):
        veces = Counter(pid for _, pid in posiciones)
        primera = {pid: i for i, pid in reversed(posiciones)}
        errores.extend((f"$.postulantes[{primera[pid]}].id", f"id repetido: {pid}")
                       for pid in sorted(pid for pid, n in veces.items() if n > 1))
    decisiones = data.get("decisiones_comite")
    for k, d in enumerate(decisiones if isinstance(decisiones, list) else ()):
        orden = d.get("orden") if isinstance(d, Mapping) else None
        if not isinstance(orden, list):
            continue
        for j, pid in enumerate(orden):
            if isinstance(pid, str) and pid not in conocidos:
                errores.append((f"$.decisiones_comite[{k}].orden[{j}]", f"no hay un postulante con id {pid}"))
        if len(set(map(str, orden))) != len(orden):
            errores.append((f"$.decisiones_comite[{k}].orden", "un postulante figura dos veces"))
    errores.extend(_incoherencias_postulantes(c, postulantes))
    return errores


def _cronograma_incoherente(c: Any, *, periodo: bool) -> list[tuple[str, str]]:
    """A line of the schedule given twice (the call has one date for each, A2), and, with ``periodo``, an
    application line other than the call's application period (``inicio_postulacion``,
    ``cierre_postulacion``: the dates the Ficha stage judges by, §4.2.1 a; the published schedule must
    say the same)."""
    cronograma = c.get("cronograma") if isinstance(c, Mapping) else None
    if not isinstance(cronograma, list):
        return []
    errores, vistos = [], set()
    for i, h in enumerate(cronograma):
        tipo = h.get("tipo") if isinstance(h, Mapping) else None
        if not isinstance(tipo, str):  # not the schema's type: the schema reports it
            continue
        if tipo in vistos:
            errores.append((f"$.convocatoria.cronograma[{i}].tipo", f"hito repetido: {tipo}"))
            continue
        vistos.add(tipo)
        if periodo and tipo == "postulacion" and any(_otra_fechahora(h.get(a), c.get(b)) for a, b in (
                ("inicio", "inicio_postulacion"), ("fin", "cierre_postulacion"))):
            errores.append((f"$.convocatoria.cronograma[{i}]",
                            "el hito de postulación debe coincidir con inicio_postulacion y cierre_postulacion"))
    return errores


def _otra_fechahora(a: Any, b: Any) -> bool:
    """Two date-times of the file that name different moments; False when either is not one (the schema
    or :func:`_imposibles` reports it)."""
    try:
        return isinstance(a, str) and isinstance(b, str) and fechahora(a) != fechahora(b)
    except (ValueError, OverflowError):
        return False


def _afines_sin_afines(perfil: Any) -> list[tuple[str, str]]:
    """A list of accepted careers or topics where the profile does not accept «afines» (§4.2.1 g, m): the
    evaluation would not read it, and the profile form refuses it."""
    if not isinstance(perfil, Mapping):
        return []
    errores = []
    f = perfil.get("formacion")
    if isinstance(f, Mapping) and f.get("carreras_afines") and f.get("afines") is not True:
        errores.append(("$.convocatoria.perfil.formacion.carreras_afines",
                        "solo un perfil que acepta afines («afines»: true) admite otras carreras (§4.2.1 g)"))
    capacitaciones = perfil.get("capacitaciones")
    for i, cap in enumerate(capacitaciones if isinstance(capacitaciones, list) else ()):
        if isinstance(cap, Mapping) and cap.get("temas_afines") and cap.get("afines") is not True:
            errores.append((f"$.convocatoria.perfil.capacitaciones[{i}].temas_afines",
                            "solo un requisito que acepta afines («afines»: true) admite otros temas (§4.2.1 m)"))
    return errores


def _meses_incoherentes(perfil: Any) -> list[tuple[str, str]]:
    """A specific experience longer than the general one, or a public-sector one longer than the specific
    (:func:`experience.meses_incoherentes`, §4.2.1 w): the profile forms refuse them."""
    if not isinstance(perfil, Mapping):
        return []
    meses = [perfil.get(k, 0) for k in ("experiencia_general_meses", "experiencia_especifica_meses")]
    publica = perfil.get("experiencia_publica_meses")
    if not all(type(x) is int for x in meses) or not (publica is None or type(publica) is int):
        return []  # the schema reports them
    return [(f"$.convocatoria.perfil.{campo}", motivo) for campo, motivo in meses_incoherentes(*meses, publica)]


def _temas_sin_palabras(perfil: Any) -> list[tuple[str, str]]:
    """A required topic, or an accepted similar one, with no letter or digit (:func:`courses.sin_palabras`):
    no course could meet it, and the profile form refuses it."""
    capacitaciones = perfil.get("capacitaciones") if isinstance(perfil, Mapping) else None
    errores = []
    for i, cap in enumerate(capacitaciones if isinstance(capacitaciones, list) else ()):
        if not isinstance(cap, Mapping):
            continue
        ruta = f"$.convocatoria.perfil.capacitaciones[{i}]"
        temas = [("tema", cap.get("tema"))]
        afines = cap.get("temas_afines")
        temas += [(f"temas_afines[{j}]", t) for j, t in enumerate(afines if isinstance(afines, list) else ())]
        errores += [(f"{ruta}.{campo}", motivo) for campo, tema in temas
                    if isinstance(tema, str) and (motivo := sin_palabras(tema)) is not None]
    return errores


def _incoherencias_postulantes(c: Any, postulantes: Any) -> list[tuple[str, str]]:
    """:func:`_incoherencias` of each applicant: a document number its type does not allow (C1: a DNI has
    8 digits), the same document or e-mail as an applicant before (one person applies once), born after
    the application period opens (an age is reckoned on that day, §4.2.5 Ley 31533), a blank office
    program or language name, a habilitación without colegiatura (§4.2.1 h), stage inputs the screens
    would not take (:func:`_entradas_imposibles`) or would ask for (:func:`_factores_faltantes`), an
    interview attended with no committee sheet, or without one of its scoring members' (§4.2.5 g), a member code the database cannot keep, two interview
    sheets of the same committee member (§4.2.5 g averages one per member), and sheets of more members
    than score on the committee (:data:`CALIFICAN`, §4.2.5 b)."""
    errores = []
    #: the committee's scoring members, the first :data:`CALIFICAN` the file names (the first is taken
    #: as ORH's representative on import)
    comite: list[str] = []
    #: each member code as first written, by its lower case: an import makes one account per code, whose
    #: user name and e-mail ignore case
    escritos: dict[str, str] = {}
    #: where each document (type, number) and e-mail first appears: one person applies once
    documentos: dict[tuple[str, str], int] = {}
    correos: dict[str, int] = {}
    #: (position, sheets) of each applicant who attended the interview with sheets
    calificados: list[tuple[int, list[Any]]] = []
    inicio = c.get("inicio_postulacion") if isinstance(c, Mapping) else None
    try:
        apertura = fechahora(inicio).date().isoformat() if isinstance(inicio, str) else None
    except (ValueError, OverflowError):  # reported by _imposibles
        apertura = None
    for i, p in enumerate(postulantes if isinstance(postulantes, list) else ()):
        if not isinstance(p, Mapping):
            continue
        documento = p.get("documento")
        if isinstance(documento, Mapping) and isinstance(documento.get("tipo"), str) \
                and isinstance(documento.get("numero"), str):
            try:  # C1: a DNI has 8 digits, …
                normal = validar_documento(documento["tipo"], documento["numero"])
            except DocumentoInvalido as exc:
                errores.append((f"$.postulantes[{i}].documento.numero", str(exc)))
            else:
                if normal != documento["numero"]:  # stored as written: one person, one number (C1)
                    errores.append((f"$.postulantes[{i}].documento.numero",
                                    f"escriba el número como lo guarda el portal: «{normal}»"))
            clave = (documento["tipo"], documento["numero"])
            if documentos.setdefault(clave, i) != i:  # the same person twice would be ranked twice
                errores.append((f"$.postulantes[{i}].documento", f"el documento ya figura en $.postulantes[{documentos[clave]}]"))
        paterno = p.get("apellido_paterno")
        if isinstance(paterno, str) and isinstance(p.get("apellidos"), str) \
                and " ".join(x for x in (paterno, p.get("apellido_materno") or "") if x) != p["apellidos"]:
            errores.append((f"$.postulantes[{i}].apellido_paterno",
                            "apellidos debe ser el apellido paterno, un espacio y el materno: no coinciden"))
        elif "apellido_materno" in p and paterno is None:
            errores.append((f"$.postulantes[{i}].apellido_materno", "va con apellido_paterno"))
        correo = p.get("email")
        if isinstance(correo, str) and correo.strip():  # a blank one is no e-mail
            correo = correo.strip().lower()
            if correo.endswith("@" + DOMINIO_SIN_CORREO):  # it could be another applicant's, given on import
                errores.append((f"$.postulantes[{i}].email", f"el dominio {DOMINIO_SIN_CORREO} lo reserva CAS Admin "
                                                             "para quien no tiene correo: deje el correo vacío"))
            elif not _CORREO.match(correo):  # the account's e-mail: activation and every notice go to it (G1)
                errores.append((f"$.postulantes[{i}].email", "no es un correo electrónico válido"))
            elif correos.setdefault(correo, i) != i:
                errores.append((f"$.postulantes[{i}].email", f"el correo ya figura en $.postulantes[{correos[correo]}]"))
        nacimiento = p.get("fecha_nacimiento")
        if apertura is not None and isinstance(nacimiento, str) and nacimiento > apertura:  # ISO dates sort as text
            errores.append((f"$.postulantes[{i}].fecha_nacimiento",
                            "la fecha de nacimiento es posterior al inicio de la postulación"))
        ficha = p.get("ficha")
        if isinstance(ficha, Mapping):
            errores.extend(_nombres_en_blanco(ficha.get("conocimientos"), f"$.postulantes[{i}].ficha.conocimientos"))
            if ficha.get("habilitado") is True and ficha.get("colegiado") is not True:
                # §4.2.1 h: the habilitación is the colegiatura's (the Ficha records it on its row)
                errores.append((f"$.postulantes[{i}].ficha.habilitado",
                                "la habilitación se declara con la colegiatura («colegiado»: true)"))
        entradas = p.get("entradas")
        errores.extend(_entradas_imposibles(entradas, f"$.postulantes[{i}].entradas"))
        errores.extend(_factores_faltantes(c, entradas, f"$.postulantes[{i}].entradas"))
        entrevista = entradas.get("entrevista") if isinstance(entradas, Mapping) else None
        hojas = entrevista.get("hojas") if isinstance(entrevista, Mapping) else None
        if isinstance(entrevista, Mapping) and entrevista.get("asistio") is True and not hojas:
            # §4.2.5 g: the score is the members' average; D6 counts only submitted sheets, so the
            # database cannot evaluate this either (comite.faltantes) and never exports it.
            errores.append((f"$.postulantes[{i}].entradas.entrevista.hojas",
                            "asistió a la entrevista: faltan las hojas de calificación del Comité (§4.2.5 g)"))
        miembros: set[str] = set()
        antes = len(errores)
        for j, hoja in enumerate(hojas if isinstance(hojas, list) else ()):
            miembro = hoja.get("miembro") if isinstance(hoja, Mapping) else None
            if isinstance(miembro, str) and not _codigo_de_miembro(miembro):
                errores.append((f"$.postulantes[{i}].entradas.entrevista.hojas[{j}].miembro",
                                "código de miembro de 1 a 40 caracteres, sin espacios"))
            elif isinstance(miembro, str) and escritos.setdefault(miembro.lower(), miembro) != miembro:
                errores.append((f"$.postulantes[{i}].entradas.entrevista.hojas[{j}].miembro",
                                f"«{miembro}» es el integrante «{escritos[miembro.lower()]}» escrito de otra forma: "
                                "escriba su código igual en todas las hojas"))
            elif isinstance(miembro, str):
                if miembro in miembros:
                    errores.append((f"$.postulantes[{i}].entradas.entrevista.hojas[{j}].miembro",
                                    f"miembro repetido: {miembro} (una hoja por integrante del comité)"))
                miembros.add(miembro)
                if miembro not in comite:
                    if len(comite) < CALIFICAN:
                        comite.append(miembro)
                    else:
                        errores.append((f"$.postulantes[{i}].entradas.entrevista.hojas[{j}].miembro", (
                            f"{miembro} sería otro integrante que califica, además de {' y '.join(comite)}: "
                            "el Comité de Entrevista lo integran un representante de la Oficina de Recursos Humanos "
                            "y uno del área usuaria; el/la Veedor/a no califica (§4.2.5 b)")))
        if isinstance(entrevista, Mapping) and entrevista.get("asistio") is True and isinstance(hojas, list) \
                and len(errores) == antes and all(isinstance(h, Mapping) and isinstance(h.get("miembro"), str)
                                                  for h in hojas):
            # a sheet refused above, or of the wrong shape (the schema's), is reported once, not as missing too
            calificados.append((i, hojas))
    if len(comite) == CALIFICAN:
        # §4.2.5 g: the score is the average of every scoring member's; one member's sheet alone would be
        # taken for it (the committee's screen forms no score until each member has submitted theirs)
        for i, hojas in calificados:
            dadas = {h["miembro"] for h in hojas}
            if faltan := [x for x in comite if x not in dadas]:
                errores.append((f"$.postulantes[{i}].entradas.entrevista.hojas",
                                f"asistió a la entrevista: falta la hoja de {' y '.join(faltan)}; el puntaje es el "
                                "promedio de los integrantes del Comité que califican (§4.2.5 g)"))
    return errores


def _factores_faltantes(c: Any, e: Any, ruta: str) -> list[tuple[str, str]]:
    """An exam attended with no score, and an expediente presented on time with a factor left unjudged: the
    screens refuse both (a score, or each factor's Cumple or No cumple, §4.2.2 l, §4.2.4); the stages
    would read them as an absence and a factor not met."""
    if not isinstance(e, Mapping):
        return []
    errores = []
    examen = e.get("examen")
    if isinstance(examen, Mapping) and examen.get("asistio") is True and examen.get("puntaje") is None:
        errores.append((f"{ruta}.examen.puntaje", "asistió al examen: falta su puntaje (§4.2.2 l)"))
    curricular = e.get("curricular")
    presentado = isinstance(curricular, Mapping) and curricular.get("expediente") is True
    if presentado and curricular.get("en_plazo") is not False:
        perfil = c.get("perfil") if isinstance(c, Mapping) else None
        publica = isinstance(perfil, Mapping) and bool(perfil.get("experiencia_publica_meses"))
        factores = curricular.get("factores")
        dados = factores if isinstance(factores, Mapping) else {}
        if faltan := [f.value for f in Factor
                      if (publica or f is not Factor.EXPERIENCIA_PUBLICA) and f.value not in dados]:
            errores.append((f"{ruta}.curricular.factores", "presentó el expediente: falta calificar (Cumple o No "
                            f"cumple) {', '.join(faltan)} (§4.2.4)"))
    return errores


def _nombres_en_blanco(conocimientos: Any, ruta: str) -> list[tuple[str, str]]:
    """An office program or language named by a blank key (it would be stored as a language with no name)."""
    return [(f"{ruta}.{nombre}", "nombre de programa o idioma en blanco")
            for nombre in (conocimientos if isinstance(conocimientos, Mapping) else ()) if not nombre.strip()]


def _codigo_de_miembro(miembro: str) -> bool:
    """A committee member's code as the database keeps it (the user name without the institution)."""
    return 1 <= len(miembro) <= 40 and not any(ch.isspace() for ch in miembro)


def _dos_decimales(valor: Any) -> bool:
    """A score as the screens take it and the tables keep it: at most two decimals (a value that is not a
    number is the schema's to report)."""
    d = _numero(valor)
    if d is None:
        return True
    try:
        return d == d.quantize(Decimal("0.01"))
    except ArithmeticError:  # too large to have decimals at all: the schema's maximum reports it
        return True


#: An e-mail address's shape: one «@», no spaces, a dot in the domain (what the registration form's check
#: refuses most often, without its cost per applicant of a large file).
_CORREO = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+\Z")


def a_json(valor: Any) -> str:
    """The format's text of what ``json`` cannot write: a ``Decimal`` in plain notation («7500», not the
    «7.5E+3» its ``str`` gives for a number read as ``7.5E3``, which the format's decimals refuse); anything
    else as ``str`` writes it."""
    return en_llano(valor) if isinstance(valor, Decimal) else str(valor)


#: The items of the expediente's checklist (§4.2.4, §4.3), ``entradas.curricular.lista``'s keys: the codes of
#: the curricular screen's list (``casadmin.etapas.LISTA_CURRICULAR``, there with «lista:»).
CODIGOS_LISTA_CURRICULAR = ("un_pdf", "foliado_firmado", "legible_coincide", "traduccion", "otros_requisitos",
                            "doc_deportista", "dni_31533", "formacion_31533", "doc_discapacidad", "doc_ffaa")


def _entradas_imposibles(e: Any, ruta: str) -> list[tuple[str, str]]:
    """Stage inputs the screens would not take: a manual check's code with «:» (it separates the codes the
    stages keep) or over 60 characters, an expediente checklist item the list does not have, an exam score or interview factor with more than two decimals or a
    negative factor (the schema's shapes aside)."""
    if not isinstance(e, Mapping):
        return []
    errores = []
    manual = e.get("verificacion_manual")
    for codigo in manual if isinstance(manual, Mapping) else ():
        if ":" in codigo or len(codigo) > 60:
            errores.append((f"{ruta}.verificacion_manual.{codigo}",
                            "el código de verificación no lleva «:» y tiene hasta 60 caracteres"))
    curricular = e.get("curricular")
    lista = curricular.get("lista") if isinstance(curricular, Mapping) else None
    for codigo in lista if isinstance(lista, Mapping) else ():
        if codigo not in CODIGOS_LISTA_CURRICULAR:  # a typo would leave the item unrecorded, and its «No cumple» unread
            errores.append((f"{ruta}.curricular.lista.{codigo}", "no es un ítem de la lista del expediente; los ítems son: "
                            + ", ".join(CODIGOS_LISTA_CURRICULAR)))
    examen = e.get("examen")
    if isinstance(examen, Mapping) and not _dos_decimales(examen.get("puntaje")):
        errores.append((f"{ruta}.examen.puntaje", "el puntaje admite hasta dos decimales"))
    elif isinstance(examen, Mapping) and examen.get("asistio") is False and examen.get("puntaje") is not None:
        # as the exam's screen refuses it
        errores.append((f"{ruta}.examen.puntaje", "quien no se presentó no tiene puntaje: quítelo (§4.2.2 k)"))
    entrevista = e.get("entrevista")
    if isinstance(entrevista, Mapping) and entrevista.get("causa") is not None and entrevista.get("asistio") is not False:
        errores.append((f"{ruta}.entrevista.causa", "la causa es de quien no rindió la entrevista (asistio: false)"))
    hojas = entrevista.get("hojas") if isinstance(entrevista, Mapping) else None
    ausente = isinstance(entrevista, Mapping) and entrevista.get("asistio") is False
    for i, hoja in enumerate(hojas if isinstance(hojas, list) else ()):
        factores = hoja.get("factores") if isinstance(hoja, Mapping) else None
        for factor, valor in factores.items() if isinstance(factores, Mapping) else ():
            numero = _numero(valor)
            if numero is not None and (numero < 0 or not _dos_decimales(numero)):
                errores.append((f"{ruta}.entrevista.hojas[{i}].factores.{factor}",
                                "el puntaje es un número no negativo con hasta dos decimales"))
            elif numero and ausente:
                # A member who marks the candidate absent gives no scores (comite.validar_datos: zeros).
                errores.append((f"{ruta}.entrevista.hojas[{i}].factores.{factor}",
                                "no se presentó a la entrevista: su hoja no lleva puntajes (§4.6)"))
    return errores


def _imposibles_postulantes(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """:func:`_imposibles` of every applicant (only when the file is refused, or will be)."""
    postulantes = data.get("postulantes") if isinstance(data, Mapping) else None
    return [e for i, p in enumerate(postulantes if isinstance(postulantes, list) else ())
            if isinstance(p, Mapping) for e in _imposibles(p, f"$.postulantes[{i}]")]


def fuera_de_bases(arch: Archivo, bases: BasesVersion) -> list[tuple[str, str]]:
    """Stage inputs of a loaded file (:func:`cargar`) beyond what the call's bases version allows, with
    their JSON path: a call that opens before the version is in force (``vigente_desde``; then only
    that is reported, F3), an exam score above the exam's maximum (``examen.puntaje_maximo``: 30 in SUNEDU's,
    §4.2.2 l) and an interview factor above its maximum (``entrevista.factores``: 8 each with the
    exam, 10 without, §4.2.5 f, i, j), a document of a type the bases do not have (C3: the
    application screen refuses it), and one without its number of pages where the bases judge each
    document with it (``flujo_documentos="por_documento"``: Migraciones, Mig. 7). The score entry
    screens refuse the same values; a bases version that does not define one of these parameters is
    not checked for it."""
    conv = arch.convocatoria
    return _fuera_de_bases(arch.datos, bases, conv.inicio_postulacion.date(), conv.incluye_examen)


def con_fuera_de_bases(exc: ArchivoInvalido, datos: Any, bases: BasesVersion | None) -> ArchivoInvalido:
    """A file :func:`cargar` refused, with what :func:`fuera_de_bases` finds in it too, so that one run
    reports every mistake (an exam score above the maximum beside a schema error elsewhere). The
    checks run on what has the right shape, and not at all without the call's start date and
    ``incluye_examen`` or without the bases version (``bases`` None: its id is among the mistakes);
    a path already reported keeps its message."""
    if bases is None or not isinstance(datos, Mapping):
        return exc
    try:
        c = datos["convocatoria"]
        inicio, con_examen = fechahora(c["inicio_postulacion"]).date(), c["incluye_examen"]
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
        return exc
    if not isinstance(con_examen, bool):
        return exc
    rutas = {ruta for ruta, _ in exc.errores}
    extra = [e for e in _fuera_de_bases(datos, bases, inicio, con_examen) if e[0] not in rutas]
    return ArchivoInvalido(exc.errores + extra, esquema=exc.esquema) if extra else exc


def _numero(valor: Any) -> Decimal | None:
    """A score as the schema allows it (a number or a numeric string), else None (the schema reports it)."""
    if isinstance(valor, bool) or not isinstance(valor, (int, float, str, Decimal)):
        return None
    try:
        numero = Decimal(str(valor))
    except ArithmeticError:
        return None
    return numero if numero.is_finite() else None


def _fuera_de_bases(datos: Mapping[str, Any], bases: BasesVersion, inicio: dt.date,
                    con_examen: bool) -> list[tuple[str, str]]:
    if (motivo := bases.fuera_de_vigencia(inicio)) is not None:  # no parameter has a value then (F3)
        return [("$.convocatoria.inicio_postulacion", motivo)]
    vigentes = bases.parametros.para(inicio)
    try:
        examen: tuple[Decimal, str] | None = (Decimal(str(vigentes["examen.puntaje_maximo"])),
                                              vigentes.referencia("examen.puntaje_maximo"))
    except ParametroDesconocido:
        examen = None
    try:
        clave = "con_examen" if con_examen else "sin_examen"
        factores = {codigo: Decimal(str(spec[clave])) for codigo, spec in vigentes["entrevista.factores"].items()}
        clausula_factores = vigentes.referencia("entrevista.factores")
    except (ParametroDesconocido, AttributeError, KeyError, TypeError):
        factores, clausula_factores = {}, ""
    errores = []
    #: the bases' document codes, as the application screen stores them and export writes them; another
    #: type would be judged «no adjuntó» (the screen refuses it)
    tipos = {t.codigo for t in bases.documentos}
    por_documento = bases.flujo_documentos == "por_documento"
    postulantes = datos.get("postulantes")
    for i, p in enumerate(postulantes if isinstance(postulantes, list) else ()):
        documentos = p.get("documentos") if isinstance(p, Mapping) else None
        vistos: set[str] = set()
        for j, doc in enumerate(documentos if isinstance(documentos, list) else ()):
            tipo = doc.get("tipo") if isinstance(doc, Mapping) else None
            if isinstance(tipo, str):
                if tipo in vistos:
                    # an application holds one document of each type (the screen replaces it); simulate judged
                    # the last one given and import refused the file
                    errores.append((f"$.postulantes[{i}].documentos[{j}].tipo", f"documento repetido: {tipo}"))
                vistos.add(tipo)
                if tipos and tipo not in tipos:
                    errores.append((f"$.postulantes[{i}].documentos[{j}].tipo",
                                    f"tipo de documento no reconocido por las bases «{bases.id}»; sus tipos son: "
                                    f"{', '.join(t.codigo for t in bases.documentos)}"))
            if por_documento and isinstance(doc, Mapping) and "paginas" not in doc:
                # each document is judged with its number of pages (Migraciones: «N° DE PÁGINAS», Mig. 7); a
                # missing one was taken as 1 and the document counted
                errores.append((f"$.postulantes[{i}].documentos[{j}].paginas",
                                f"indique el número de páginas: las bases «{bases.id}» lo piden por documento"))
        e = p.get("entradas") if isinstance(p, Mapping) else None
        e = e if isinstance(e, Mapping) else {}
        ex, en = e.get("examen"), e.get("entrevista")
        puntaje = _numero(ex.get("puntaje")) if isinstance(ex, Mapping) else None
        if examen is not None and puntaje is not None and puntaje > examen[0]:
            errores.append((f"$.postulantes[{i}].entradas.examen.puntaje",
                            f"el puntaje del examen va de 0 a {examen[0]} ({examen[1]})"))
        hojas = en.get("hojas") if isinstance(en, Mapping) else None
        for j, hoja in enumerate(hojas if isinstance(hojas, list) else ()):
            valores = hoja.get("factores") if isinstance(hoja, Mapping) else None
            for factor, valor in (valores.items() if isinstance(valores, Mapping) else ()):
                tope, valor = factores.get(factor), _numero(valor)
                if tope is not None and valor is not None and valor > tope:
                    errores.append((f"$.postulantes[{i}].entradas.entrevista.hojas[{j}].factores.{factor}",
                                    f"el puntaje de este factor va de 0 a {tope} ({clausula_factores})"))
    return errores


def _sin_repetir(errores: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The errors in their order, each once."""
    return list(dict.fromkeys(errores))


def _clave_ruta(error: tuple[str, str]) -> tuple[Any, ...]:
    """An error's place in the file: its path with the indices as numbers («[4]» before «[12]»)."""
    ruta, mensaje = error
    return ([(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", ruta)], mensaje)


def en_orden(errores: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Errors in the order of the file's paths, the applicants by their index (not «[12]» before «[4]»)."""
    return sorted(errores, key=_clave_ruta)


@dataclass(frozen=True)
class Archivo:
    """A parsed interchange file."""

    datos: Mapping[str, Any]
    convocatoria: Convocatoria
    candidatos: list[Candidato]
    decisiones: list[tuple[str, ...]]


def cargar(data: Mapping[str, Any]) -> Archivo:
    """Validate (every error, with its path) and build the engine model; raises :class:`ArchivoInvalido`.

    A refused file is refused with every mistake found in it, not only those of the first check
    that failed: the schema's, dates and times that do not exist, jobs that end before they start,
    repeated applicant ids, a close before the opening, committee decisions naming no applicant."""
    errores = validar(data)
    if errores:
        # At the paths the schema already reported, its message is the one that says what is wrong.
        rutas = {ruta for ruta, _ in errores}
        raise ArchivoInvalido(_sin_repetir(errores + [e for e in _incoherencias(data) + _imposibles_postulantes(data)
                                                      if e[0] not in rutas]), esquema=False)
    c = data["convocatoria"]
    errores = _incoherencias(data)
    if errores:
        raise ArchivoInvalido(_sin_repetir(errores + _imposibles_postulantes(data)))
    conv = Convocatoria(
        codigo=c["codigo"], entidad=data["entidad"]["siglas"], bases=data["bases"], nombre_puesto=c["nombre_puesto"],
        organo=c["organo"], posiciones=c["posiciones"], incluye_examen=c["incluye_examen"],
        incluye_psicologica=c["incluye_psicologica"], inicio_postulacion=fechahora(c["inicio_postulacion"]),
        cierre_postulacion=fechahora(c["cierre_postulacion"]), perfil=_perfil(c["perfil"]), numero=c["numero"],
        anio=c["anio"], remuneracion=_dec(c.get("remuneracion")),
    )
    try:
        candidatos = [candidato(p) for p in data["postulantes"]]
    except (ValueError, OverflowError) as exc:  # looked for only now, so that a valid file pays nothing for it
        raise ArchivoInvalido(_imposibles_postulantes(data) or [("$.postulantes", str(exc))]) from None
    if any(c.inicio is not None and c.fecha_fin is not None and c.fecha_fin < c.inicio
           for cand in candidatos for c in cand.capacitaciones):
        # The Ficha's course form refuses it. The engine's model takes it (a Ficha stored with one still
        # evaluates: its start matters to diplomados only, §4.2.1 l), so a file is checked here.
        raise ArchivoInvalido(_imposibles_postulantes(data))
    decisiones = [tuple(d["orden"]) for d in data.get("decisiones_comite", ())]
    return Archivo(datos=data, convocatoria=conv, candidatos=candidatos, decisiones=decisiones)


#: From how large a file (bytes) :func:`ayudante_para` gives a helper: about 19,000 applicants of the
#: generated benchmark call (3.5 KB each as compact JSON; fewer in an indented file). Below it, forking
#: and reading the file twice cost more than half a Ficha stage saves.
AYUDANTE_DESDE = 64 * 2**20


class _SoloPostulantes(msgspec.Struct):
    """A file's applicants, each left as its JSON text (the rest of the file is skipped)."""

    postulantes: list[msgspec.Raw]


def ultima_parte(texto: str | bytes, parte_padre: float) -> list[Candidato]:
    """The candidates of a file's applicants after its first ``parte_padre`` (a fraction), built as
    :func:`cargar` builds them, without its checks: what a :class:`casadmin.engine.run.Ayudante`
    holds. Whatever is wrong with the file raises; the process loading it reports it.

    Only those applicants are decoded: msgspec skips the others as text, about a tenth of the time
    :func:`leer` takes over the whole file. The values are :func:`leer`'s: exact decimals from the
    literal's text, and a repeated key's last value, as ``json`` gives."""
    datos = texto.encode("utf-8") if isinstance(texto, str) else texto.removeprefix(b"\xef\xbb\xbf")
    postulantes = msgspec.json.decode(datos, type=_SoloPostulantes).postulantes
    decodificar = msgspec.json.Decoder(float_hook=Decimal).decode
    return [candidato(decodificar(p)) for p in postulantes[round(len(postulantes) * parte_padre):]]


def ayudante_para(pm: Any, texto: str | bytes, *, desde: int | None = None) -> AbstractContextManager[Any]:
    """A helper process for ``casadmin simulate`` on this file (:class:`casadmin.engine.run.Ayudante`),
    as a context manager: forked now, it builds the last part of the applicants while this process
    parses and checks the whole file, then judges the Ficha stage over its part. ``None`` for a file
    under ``desde`` bytes (:data:`AYUDANTE_DESDE`), on one CPU core, or where no process can be forked.
    Nothing here keeps a reference to ``texto``: the caller can free it once parsed."""
    from casadmin.engine import run

    desde = AYUDANTE_DESDE if desde is None else desde
    if len(texto) < desde or run.procesos_disponibles() < 2 or "fork" not in mp.get_all_start_methods():
        return nullcontext(None)
    try:
        return run.Ayudante(pm, partial(ultima_parte, texto, run.PARTE_PADRE))
    except OSError:  # no process could be forked (memory, process limits): this process does it all
        return nullcontext(None)
