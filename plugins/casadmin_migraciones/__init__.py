"""Superintendencia Nacional de Migraciones: the "Sistema CAS Online – Postulante" bases (F1, seed 000).

The source is the applicant's user manual (cited "Mig. n", n being the manual's
numbered step). It describes the application flow only; it says nothing about
stages, scores, bonuses or ties. This package therefore declares the bases
version ``migraciones-2020`` as:

* **its own document flow** (C3, ``flujo_documentos="por_documento"``): one PDF
  per document type, each with its number of pages (Mig. 7, "N° DE PÁGINAS")
  and a "Validar Documento" tick (Mig. 8). The check is the plugin
  ``migraciones.documentos`` (:mod:`casadmin_migraciones.documentos`), which
  replaces SUNEDU's ``sunedu.anexos`` (annexes 11–13 in one PDF);
* **the national CAS framework for everything else** (D.L. N° 1057 and its
  Reglamento; the bonus laws): the same stage plugins SUNEDU's 2026 bases apply
  (``sunedu.ficha``, ``sunedu.examen``, ``sunedu.psicologica``,
  ``sunedu.curricular``, ``sunedu.convocatoria_entrevista``,
  ``sunedu.entrevista``, the three bonus plugins, ``sunedu.orden_merito`` and
  ``sunedu.desierto``), run with this package's own ``parametros.yaml`` (values
  copied from SUNEDU's where the national framework applies, each with its
  reference, all dated 2020-09-01).

Documented choices
------------------
* **ANEXO03_CAS is required.** The manual's screenshots list ANEXO01, 02 and
  04 (Mig. 8) and ANEXO01, 02, 04 and 05 (Mig. 9), but its text says three
  times that the annexes are 01 to 05: "Descargar los anexos del 01 al 05"
  (Mig. 4), "incluidos los Anexos del 01 al 05" (Mig. 7) and the declaration
  "LA FICHA CURRICULAR Y ANEXOS DEL 1 AL 5" (Mig. 9). The screenshots are
  examples of one applicant's screen (the first one also omits ANEXO05), so the
  text governs: ANEXO01_CAS to ANEXO05_CAS are all required.
* **Conditional documents.** SUSTENTO DE DISCAPACIDAD (CONADIS) is required
  only from candidates who declare a disability, and SUSTENTO DE LICENCIADO(A)
  DE LAS FUERZAS ARMADAS only from those who declare that condition (Ficha
  section 9; they ground the bonuses of Ley N° 29973 and Ley N° 29248). A
  candidate who declares neither is not asked for them.
* **A document counts** when it is attached, has at least one page, was
  ticked in "Validar Documento" and was loaded within the application window;
  each failure is its own reason (``Motivo``) with the document's name.
* **Parameters** are dated 2020-09-01, the version's start. Open point: the
  Ley N° 31533 values are later law; calls opened before it was in force would
  need them re-dated from its entry into force (to be confirmed by the legal
  team). Dating them is data only: a rate of 0, or an empty table, before that
  date gives no bonus (``rules.scores``), and ``ley31533.edad_maxima`` of 0 asks
  nobody for the DNI of §4.3.2.
* **Document codes.** In the interchange format ``documentos[].tipo`` is the
  code below (``anexo03_cas``), as the application screen stores it; the
  manual's label (``ANEXO03_CAS``) is refused at its path, naming the codes.
  The plugin still finds a document by its label, accents and case ignored,
  for candidates built in code (``documentos.buscar``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from casadmin.engine.bases import BasesVersion, TipoDocumento, parametros_de_paquete
from casadmin.hookspecs import hookimpl

BASES_ID = "migraciones-2020"

#: Plugin names (entry point names) that make up the Migraciones bases: the national-framework
#: stages as SUNEDU's bases apply them, with Migraciones' own per-document check instead of
#: ``sunedu.anexos``.
PLUGINS: tuple[str, ...] = (
    "sunedu.ficha",
    "migraciones.documentos",
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

#: The document types of Mig. 8–9, in the manual's order; annexes 01–05 per Mig. 4 and 7.
DOCUMENTOS: tuple[TipoDocumento, ...] = (
    # The DNI's copy is uploaded here, so it is the document of Ley 31533's bonuses too (§4.3.2 «copia … del
    # DNI»); not the academic supports, which for a secundaria-only profile prove the secundaria (§4.2.4)
    TipoDocumento("documento_identidad", "DOCUMENTO DE IDENTIDAD",
                  descripcion="Copia del documento de identidad.", clausula="Mig. 7–8", acredita="dni_31533"),
    TipoDocumento("ficha_curricular", "FICHA CURRICULAR",
                  descripcion="Ficha curricular en el formato descargado de la convocatoria.", clausula="Mig. 8–9"),
    TipoDocumento("sustentos_formacion", "SUSTENTOS DE FORMACIÓN ACADÉMICA",
                  descripcion="Grados, títulos o constancias de estudios declarados.", clausula="Mig. 8"),
    TipoDocumento("sustentos_cursos", "SUSTENTOS DE CURSOS Y CAPACITACIONES",
                  descripcion="Certificados o constancias de cursos y programas declarados.", clausula="Mig. 8"),
    TipoDocumento("sustentos_experiencia", "SUSTENTOS DE EXPERIENCIA LABORAL",
                  descripcion="Certificados, constancias o contratos de la experiencia declarada.",
                  clausula="Mig. 8"),
    # Listed, and required, only for who declares the condition in the Ficha (section 9): the application
    # screen asks for it as it asks for the others, and the Ficha stage finds it (documentos.requerido).
    TipoDocumento("sustento_discapacidad", "SUSTENTO DE DISCAPACIDAD (CONADIS)", requerido_si="discapacidad",
                  descripcion="Declaró discapacidad en su Ficha: certificado o inscripción en el CONADIS.",
                  clausula="Mig. 8–9; Ley N° 29973", acredita="doc_discapacidad"),
    TipoDocumento("sustento_ffaa", "SUSTENTO DE LICENCIADO(A) DE LAS FUERZAS ARMADAS", requerido_si="licenciado_ffaa",
                  descripcion="Declaró ser licenciado/a de las FF.AA. en su Ficha: documento que lo acredite.",
                  clausula="Mig. 9; Ley N° 29248", acredita="doc_ffaa"),
    *(
        TipoDocumento(f"anexo0{n}_cas", f"ANEXO0{n}_CAS",
                      descripcion=f"Anexo 0{n} descargado de la convocatoria, con todos sus datos.",
                      clausula="Mig. 4, 7")
        for n in range(1, 6)
    ),
)

#: Conditional documents: document code → the candidate attribute (Ficha section 9) that makes it required.
CONDICIONALES: dict[str, str] = {d.codigo: d.requerido_si for d in DOCUMENTOS if d.requerido_si}


def bases_migraciones_2020() -> BasesVersion:
    """The Migraciones bases version (manual of the Sistema CAS Online, September 2020)."""
    return BasesVersion(
        id=BASES_ID,
        nombre="Migraciones – Sistema CAS Online (postulación con un PDF por tipo de documento)",
        entidad="MIGRACIONES",
        vigente_desde=dt.date(2020, 9, 1),
        etapas=("ficha", "examen", "psicologica", "curricular", "entrevista"),
        plugins=PLUGINS,
        parametros=parametros_de_paquete("casadmin_migraciones"),
        documentos=DOCUMENTOS,
        flujo_documentos="por_documento",
        fuente="seeds/000_cc7c7e4d22418974.txt",
        # the stages' reasons cite SUNEDU's clauses, where the rule they apply is written: said so
        clausulas_de="Bases SUNEDU 2026",
        # Mig. 9, the manual's words (written there in capitals)
        declaracion=("Declaro haber leído con detenimiento las bases de la presente convocatoria, haber tomado "
                     "conocimiento del cronograma establecido, y haber descargado del enlace de Oportunidades "
                     "Laborales (www.migraciones.gob.pe), la ficha curricular y anexos del 1 al 5, necesarios para "
                     "completar mi postulación."),
        notas=(
            "ANEXO03_CAS es obligatorio: el manual indica los anexos «del 01 al 05» (Mig. 4, 7 y 9); "
            "las capturas de pantalla son ejemplos.",
            "Los sustentos de discapacidad (CONADIS) y de licenciado/a de las FF.AA. solo se exigen a quien "
            "declara esa condición.",
            "Etapas, puntajes y bonificaciones: el marco nacional CAS tal como lo aplican las bases de la "
            "SUNEDU 2026 (el manual no los regula).",
        ),
    )


@hookimpl
def casadmin_bases_versions() -> Sequence[BasesVersion]:
    """Declare ``migraciones-2020``."""
    return [bases_migraciones_2020()]
