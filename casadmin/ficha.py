"""The Ficha de Postulante as a frozen document (C3: frozen at the moment of applying).

:func:`snapshot` turns an applicant's ten sections into plain JSON; :func:`digest`
is its SHA-256 over a canonical encoding, so any later change is detectable.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from decimal import Decimal
from typing import Any

from casadmin import models as m

FICHA_VERSION = 1


def _value(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.name
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def _row(obj: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {c: _value(getattr(obj, c)) for c in columns}


PERSONALES = (
    "nacionalidad", "tipo_documento", "numero_documento", "apellido_paterno", "apellido_materno", "nombres",
    "lugar_nacimiento", "fecha_nacimiento", "sexo", "estado_civil", "ubigeo", "urbanizacion", "via",
    "direccion", "telefono", "celular", "email",
)
ADICIONAL = ("email_alterno", "discapacidad", "registro_conadis", "ajustes_razonables", "licenciado_ffaa", "deportista_nivel")
SECCIONES: dict[str, tuple[str, tuple[str, ...]]] = {
    "formacion_academica": ("formaciones", ("nivel", "condicion", "carrera", "anio", "fecha_egreso", "fecha_diploma", "institucion")),
    "colegiatura": ("colegiaturas", ("colegio", "numero", "habilitado", "habilitado_hasta")),
    "idiomas": ("idiomas", ("idioma", "nivel")),
    "ofimatica": ("ofimatica", ("programa", "nivel")),
    "capacitaciones": ("capacitaciones", ("tipo", "tema", "horas", "creditos", "institucion", "fecha_inicio", "fecha_fin", "ente_rector")),
    "experiencia_laboral": ("experiencias", ("empleador", "sector", "puesto", "funciones", "tipo", "fecha_inicio", "fecha_fin", "actual")),
    "otros_requisitos": ("otros_requisitos", ("descripcion", "detalle")),
}


def snapshot(postulante: m.Postulante) -> dict[str, Any]:
    """The applicant's Ficha, all ten sections, as JSON-ready data (rows in id order)."""
    ficha: dict[str, Any] = {
        "version": FICHA_VERSION,
        "datos_personales": _row(postulante, PERSONALES),
        "informacion_adicional": _row(postulante, ADICIONAL),
        "firma_archivo_id": postulante.firma_archivo_id,
    }
    for key, (attr, columns) in SECCIONES.items():
        rows = sorted(getattr(postulante, attr), key=lambda r: r.id or 0)
        ficha[key] = [_row(r, columns) for r in rows]
    return ficha


def digest(ficha: dict[str, Any]) -> str:
    canonical = json.dumps(ficha, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
