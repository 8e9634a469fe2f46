"""SUNEDU "Bases de los Procesos CAS" (from CAS 001-2026-SUNEDU) as rule plugins (F1, seed 003).

This module declares the bases version; each stage, bonus, the shortlist, the
tie-break and the desierto detection is its own plugin module, registered by
its own entry point (``pyproject.toml``, group ``casadmin``).
"""

from __future__ import annotations

import datetime as dt

from casadmin.engine.bases import BasesVersion, TipoDocumento, parametros_de_paquete
from casadmin.hookspecs import hookimpl

#: Plugin names (entry point names) that make up the SUNEDU 2026 bases.
PLUGINS = (
    "sunedu.ficha",
    "sunedu.anexos",
    "sunedu.examen",
    "sunedu.psicologica",
    "sunedu.curricular",
    "sunedu.convocatoria_entrevista",
    "sunedu.entrevista",
    "sunedu.bonificacion_ffaa_discapacidad",
    "sunedu.bonificacion_deportista",
    "sunedu.bonificacion_31533",
    "sunedu.orden_merito",
    "sunedu.desierto",
)

DOCUMENTOS = (
    TipoDocumento(
        "anexos_11_12_13",
        "Anexos N° 11, 12 y 13 (un solo PDF)",
        descripcion="Carta de presentación, declaración jurada del postulante y de antecedentes.",
        clausula="§4.1, §4.2.1 b",
    ),
)


def bases_sunedu_2026() -> BasesVersion:
    return BasesVersion(
        id="sunedu-2026",
        nombre="Bases de los Procesos CAS de la Sunedu (desde el CAS 001-2026-SUNEDU)",
        entidad="SUNEDU",
        vigente_desde=dt.date(2026, 1, 1),
        etapas=("ficha", "examen", "psicologica", "curricular", "entrevista"),
        plugins=PLUGINS,
        parametros=parametros_de_paquete("casadmin_sunedu"),
        documentos=DOCUMENTOS,
        flujo_documentos="anexo_unico",
        fuente="seeds/003_d4d03cb25564966e.txt",
    )


@hookimpl
def casadmin_bases_versions():
    return [bases_sunedu_2026()]
