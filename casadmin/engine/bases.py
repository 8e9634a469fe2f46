"""Bases versions: a named set of plugins and dated parameters that a call is pinned to (F3)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from importlib import resources

from casadmin.engine.params import ParametroDesconocido, Parametros
from casadmin.rules.age import EDAD_MAXIMA_31533

#: Stages in process order (§4.2).
ETAPAS = ("ficha", "examen", "psicologica", "curricular", "entrevista")


@dataclass(frozen=True)
class TipoDocumento:
    """A document an applicant attaches (C3): SUNEDU's single annexes PDF, Migraciones' per-document PDFs."""

    codigo: str
    nombre: str
    obligatorio: bool = True
    descripcion: str = ""
    #: Required only when the applicant declares this condition (e.g. "discapacidad", "licenciado_ffaa").
    requerido_si: str = ""
    #: Where the bases (or the law) ask for this document: shown beside it when applying.
    clausula: str = ""
    #: The bonus document (§4.3; the curricular checklist's code, e.g. "doc_discapacidad") this upload
    #: already presents: Migraciones' CONADIS and FF.AA. supports, uploaded and validated when applying
    #: (Mig. 8–9). The bonus then needs no other record; an evaluator's «No cumple» still withholds it.
    acredita: str = ""

    def pedido_a(self, persona: object) -> bool:
        """Whether ``persona`` (an applicant, or a candidate of the engine) attaches this type: every type
        but a conditional one whose condition they do not declare (``requerido_si``)."""
        return not self.requerido_si or bool(getattr(persona, self.requerido_si, False))


@dataclass(frozen=True)
class BasesVersion:
    """One institution's bases: which plugins run each hook, with which parameters.

    ``plugins`` are plugin names as registered (entry point names); the engine
    calls every hook only on these, so installing another institution's plugin
    never changes this version's results.
    """

    id: str
    nombre: str
    entidad: str
    vigente_desde: dt.date
    etapas: tuple[str, ...]
    plugins: tuple[str, ...]
    parametros: Parametros
    documentos: tuple[TipoDocumento, ...] = ()
    #: "anexo_unico" (SUNEDU: annexes 11–13 in one PDF) or "por_documento" (Migraciones).
    flujo_documentos: str = "anexo_unico"
    fuente: str = ""
    #: Filled by the registry: the plugin that declared the version, and its package version.
    proveedor: str = ""
    version: str = ""
    notas: tuple[str, ...] = field(default_factory=tuple)
    #: Whose clauses the reasons' «§…» are, when they are not this version's own: a version that applies
    #: another's plugins (Migraciones, the national framework as SUNEDU's bases write it) names that text,
    #: «Bases SUNEDU 2026», and every «§4.2.1 p» its stages give reads «Bases SUNEDU 2026 §4.2.1 p»
    #: (:func:`casadmin.engine.run.evaluar_etapa`), as «Bases §4.3.3» in a bonus's legal basis does.
    clausulas_de: str = ""
    #: The declaration the applicant accepts to apply, as the bases word it (Mig. 9); empty: the portal's own.
    declaracion: str = ""

    def citar(self, clausula: str) -> str:
        """A clause as this version's reasons cite it (:attr:`clausulas_de`)."""
        if not self.clausulas_de or clausula.startswith(self.clausulas_de):
            return clausula
        if clausula.startswith("§"):
            return f"{self.clausulas_de} {clausula}"
        return clausula.replace("Bases §", f"{self.clausulas_de} §")

    def citar_en_texto(self, texto: str) -> str:
        """A reason's message as this version cites clauses (:attr:`clausulas_de`): a «Bases §…» quoted in it
        (a bonus's legal basis) and a clause or list of clauses it cites on its own, «(§4.2.4 c)» or
        «(§4.2.5 h, §4.3.2)», the first of them named; one already named is left as it is."""
        if not self.clausulas_de or "§" not in texto:
            return texto
        texto = texto.replace("Bases §", f"{self.clausulas_de} §")
        return re.sub(rf"(?<!{re.escape(self.clausulas_de)} )(?<!, )§", f"{self.clausulas_de} §", texto)

    def derivada(self, **cambios: object) -> BasesVersion:
        """A new version built on this one (e.g. an institution's variant)."""
        return replace(self, **cambios)  # type: ignore[arg-type]

    def fuera_de_vigencia(self, inicio_postulacion: dt.date) -> str | None:
        """Why a call opening on ``inicio_postulacion`` cannot be pinned to this version: it opens before
        the version is in force (``vigente_desde``), when its parameters have no value (F3: a call is
        judged by the bases in force when it opens); ``None`` when it can."""
        if inicio_postulacion >= self.vigente_desde:
            return None
        return (f"la postulación empieza el {inicio_postulacion:%d/%m/%Y}, antes de que rijan las bases «{self.id}» "
                f"(vigentes desde el {self.vigente_desde:%d/%m/%Y}): elija una versión de bases vigente en esa fecha")

    def sin_valor_al_inicio(self) -> list[str]:
        """The parameters with no value in force on ``vigente_desde`` (each must have one, so that every
        call this version may judge finds all of them: :meth:`fuera_de_vigencia`)."""
        return [nombre for nombre, p in self.parametros.items.items() if not p.fechas or p.fechas[0] > self.vigente_desde]

    def edad_maxima_31533(self, inicio_postulacion: dt.date) -> int:
        """Ley 31533's age limit for a call opening on ``inicio_postulacion`` (``ley31533.edad_maxima``,
        §4.2.5 h, §4.3.2); the national 29 for a version that does not define it."""
        try:
            return int(self.parametros.para(inicio_postulacion)["ley31533.edad_maxima"])
        except ParametroDesconocido:
            return EDAD_MAXIMA_31533

    def pide_firma(self, inicio_postulacion: dt.date) -> bool:
        """Whether the Ficha must carry the applicant's digitized signature for a call opening on
        ``inicio_postulacion`` (``ficha.firma_digitalizada``: SUNEDU's §4.1 Ficha de Postulante (10)
        asks for it, Migraciones' manual does not, Mig. 2, 7–9); asked for by a version that does
        not define it, as the Ficha stage does (``sunedu.ficha``)."""
        try:
            return bool(self.parametros.para(inicio_postulacion)["ficha.firma_digitalizada"])
        except ParametroDesconocido:
            return True


def parametros_de_paquete(paquete: str, archivo: str = "parametros.yaml") -> Parametros:
    """Read a plugin package's parameters file (shipped inside the wheel)."""
    return Parametros.from_yaml(resources.files(paquete).joinpath(archivo).read_text("utf-8"))
