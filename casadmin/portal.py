"""The applicant's side of the process, without HTTP: Ficha completeness, the signature, the
application draft, the final submission and what "Mis postulaciones" may show (C2, C3, C5, C6).

The screens in :mod:`casadmin.views.portal` only translate between HTTP and these functions;
the application itself is written by :func:`casadmin.commands.postular.postular` (one
transaction, the Ficha frozen, the proof queued by e-mail).

The draft (Mig. 6–9: documents uploaded one by one, each with its page count and its
"validar documento" tick, removable until the application is finalized) lives in the
applicant's session, keyed by call: each entry names a file stored under a random key
in :mod:`casadmin.storage`, with no database row. An abandoned draft therefore never
shows as an application anywhere, and its files are orphans that
:func:`casadmin.commands.postular.limpiar_huerfanos` removes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casadmin import models as m
from casadmin import plugins as pl
from casadmin.commands.postular import (
    Adjunto,
    ELIMINATORIOS,
    PostulacionRechazada,
    abierta,
    postular,
    tipos_documento,
    ventana,
)
from casadmin.models.enums import EstadoPostulacion, Etapa, TipoCorreo
from casadmin.peru import ubigeo
from casadmin.peru.clock import now, to_lima
from casadmin.storage import get_storage
from casadmin.uploads import revisar_firma, revisar_pdf

# --- C2: the ten sections and how complete they are ----------------------------------------


@dataclass(frozen=True)
class Seccion:
    """A section of the Ficha de Postulante (§4.1 "Ficha de Postulante", Mig. 2)."""

    clave: str
    numero: int
    titulo: str
    #: Required to apply; the other sections are declared only when the applicant has something to declare.
    requerida: bool
    #: The :class:`~casadmin.models.Postulante` relationship holding a repeatable section's rows.
    filas: str | None = None
    ayuda: str = ""

    @property
    def nombre(self) -> str:
        return f"{self.numero}. {self.titulo}"


SECCIONES: tuple[Seccion, ...] = (
    Seccion("datos_personales", 1, "Datos personales", True,
            ayuda="Sus datos de identidad, domicilio y contacto, tal como figuran en su documento de identidad."),
    Seccion("formacion_academica", 2, "Formación académica", True, "formaciones",
            "Grado o condición alcanzada, carrera, año, fecha de egreso o de expedición del diploma e institución."),
    Seccion("colegiatura", 3, "Colegiatura", False, "colegiaturas",
            "Solo si el perfil del puesto la pide: colegio profesional, número y habilitación."),
    Seccion("idiomas", 4, "Idiomas y dialectos", False, "idiomas", "Cada idioma o dialecto con su nivel."),
    Seccion("ofimatica", 5, "Ofimática", False, "ofimatica",
            "Procesador de textos, hojas de cálculo y programa de presentaciones, con su nivel."),
    Seccion("capacitaciones", 6, "Estudios de especialización, diplomados, cursos u otros", False, "capacitaciones",
            "Tema, tipo, horas lectivas, créditos, institución y fecha de término (solo estudios concluidos)."),
    Seccion("experiencia_laboral", 7, "Experiencia laboral", False, "experiencias",
            "Empleador, sector, puesto, funciones, tipo de vínculo y periodo (o «trabajo actual»)."),
    Seccion("otros_requisitos", 8, "Otros requisitos solicitados", False, "otros_requisitos",
            "Otros requisitos que pida el perfil (certificación OSCE, licencia de conducir…)."),
    Seccion("informacion_adicional", 9, "Información adicional", True,
            ayuda="Discapacidad (CONADIS) y ajustes razonables, licenciado(a) de las FF.AA., deportista calificado(a) "
                  "y correo alterno."),
    Seccion("firma", 10, "Firma digitalizada", True,
            ayuda="Imagen JPG o PNG de 200 × 150 píxeles, tal cual figura en su documento de identidad, de "
                  "preferencia en fondo blanco."),
)
POR_CLAVE = {s.clave: s for s in SECCIONES}
#: Section 10 where the bases do not ask for the signature (``ficha.firma_digitalizada``: Migraciones,
#: Mig. 2, 7–9): it may still be loaded, and applying does not wait for it.
FIRMA_OPCIONAL = replace(POR_CLAVE["firma"], requerida=False,
                         ayuda=POR_CLAVE["firma"].ayuda + " Las bases de las convocatorias en curso no la piden.")

#: Section 1: the columns an applicant must fill, with the label to name what is missing.
PERSONALES_REQUERIDOS = (
    ("nacionalidad", "nacionalidad"), ("numero_documento", "número de documento"),
    ("apellido_paterno", "apellido paterno"), ("nombres", "nombres"), ("lugar_nacimiento", "lugar de nacimiento"),
    ("fecha_nacimiento", "fecha de nacimiento"), ("sexo", "sexo"), ("estado_civil", "estado civil"),
    ("ubigeo", "distrito del domicilio"), ("direccion", "dirección"), ("celular", "celular"),
    ("email", "correo electrónico"),
)


@dataclass(frozen=True)
class EstadoSeccion:
    seccion: Seccion
    completa: bool
    #: Rows of a repeatable section (``None`` for sections 1, 9 and 10).
    filas: int | None
    faltantes: tuple[str, ...] = ()

    @property
    def etiqueta(self) -> str:
        if self.completa:
            return "Completa"
        if self.seccion.requerida:
            return "Incompleta"
        return "Opcional: no cargada" if self.seccion.clave == "firma" else "Opcional: sin registros"


@dataclass(frozen=True)
class Completitud:
    secciones: tuple[EstadoSeccion, ...]

    @property
    def porcentaje(self) -> int:
        """Sections complete out of ten (an optional section counts once it has a row)."""
        return round(100 * sum(1 for e in self.secciones if e.completa) / len(self.secciones))

    @property
    def faltantes(self) -> list[str]:
        """What keeps the applicant from applying: the required sections not yet complete."""
        return [f"{e.seccion.nombre}: {'; '.join(e.faltantes)}" for e in self.secciones
                if e.seccion.requerida and not e.completa]

    @property
    def puede_postular(self) -> bool:
        return not self.faltantes

    def __getitem__(self, clave: str) -> EstadoSeccion:
        return next(e for e in self.secciones if e.seccion.clave == clave)


def completitud(postulante: m.Postulante, *, firma: bool = True) -> Completitud:
    """How complete each section of the applicant's Ficha is, and what is missing (C2). ``firma``: whether
    the calls in view ask for the digitized signature (:func:`pide_firma`); if not, section 10 is optional."""
    estados = []
    for sec in SECCIONES if firma else tuple(FIRMA_OPCIONAL if s.clave == "firma" else s for s in SECCIONES):
        faltan: list[str] = []
        filas = None
        if sec.filas:
            filas = len(getattr(postulante, sec.filas))
            if not filas:
                faltan.append("registre al menos un estudio (grado o condición alcanzada)"
                              if sec.clave == "formacion_academica" else "sin registros")
        elif sec.clave == "datos_personales":
            vacios = [label for col, label in PERSONALES_REQUERIDOS if getattr(postulante, col) in (None, "")]
            if postulante.ubigeo and not ubigeo.is_valid(postulante.ubigeo):
                vacios.append("distrito del domicilio")
            if vacios:
                faltan.append("complete " + ", ".join(dict.fromkeys(vacios)))
        elif sec.clave == "informacion_adicional":
            if postulante.discapacidad and not (postulante.registro_conadis or "").strip():
                faltan.append("indique su N° de inscripción en el registro del CONADIS")
        elif sec.clave == "firma":
            if postulante.firma_archivo_id is None:
                faltan.append("cargue la imagen de su firma")
        estados.append(EstadoSeccion(sec, completa=not faltan, filas=filas, faltantes=tuple(faltan)))
    return Completitud(tuple(estados))


# --- Section 10: the digitized signature -------------------------------------------------------


def pide_firma(session: Session, convocatorias: Iterable[m.Convocatoria],
               ventanas: Mapping[int, tuple[dt.datetime, dt.datetime] | None] | None = None) -> bool:
    """Whether any of these calls' bases asks for the digitized signature (``ficha.firma_digitalizada``
    on the first day of its application period, Lima time: SUNEDU's §4.1 Ficha de Postulante (10) does,
    Migraciones' manual does not, Mig. 2, 7–9). A call whose bases no installed plugin provides asks
    for it, as the Ficha stage would. With no call in view the Ficha keeps it required, as the
    Ficha de Postulante's format (section 10) has it. ``ventanas``: their application periods by call id,
    when the caller read them already (:func:`casadmin.commands.postular.ventana`)."""
    pm, alguna = pl.get_plugin_manager(), False
    for conv in convocatorias:
        alguna = True
        try:
            bases = pl.get_bases(pm, conv.version_bases.codigo)
        except pl.BasesDesconocida:
            return True
        win = ventanas[conv.id] if ventanas is not None and conv.id in ventanas else ventana(session, conv)
        if bases.pide_firma(to_lima(win[0]).date() if win else now().date()):
            return True
    return not alguna



def guardar_firma(session: Session, postulante: m.Postulante, *, nombre: str, data: bytes) -> m.Archivo:
    """Replace the applicant's signature image (checked by content: JPG or PNG, 200×150 px).

    The previous image is removed only when no frozen Ficha points to it: an application's
    snapshot keeps the signature it was made with (C3).
    """
    mime = revisar_firma(data)  # ArchivoRechazado: nothing stored
    storage = get_storage()
    stored = storage.save(data)
    anterior = session.get(m.Archivo, postulante.firma_archivo_id) if postulante.firma_archivo_id else None
    try:
        archivo = m.Archivo(clave=stored.clave, nombre_original=(nombre or "")[:255] or "firma",
                            tipo_mime=mime, tamano=stored.tamano, sha256=stored.sha256,
                            propietario_id=postulante.usuario_id)
        session.add(archivo)
        session.flush()
        postulante.firma_archivo_id = archivo.id
        session.commit()
    except BaseException:
        session.rollback()
        storage.delete(stored.clave)
        raise
    if anterior is not None and not _firma_congelada(session, postulante.id, anterior.id):
        clave = anterior.clave
        session.delete(anterior)
        session.commit()
        storage.delete(clave)
    return archivo


def _firma_congelada(session: Session, postulante_id: int, archivo_id: int) -> bool:
    fichas = session.scalars(sa.select(m.Postulacion.ficha).where(m.Postulacion.postulante_id == postulante_id))
    return any((f or {}).get("firma_archivo_id") == archivo_id for f in fichas)


# --- C3: the application draft -----------------------------------------------------------------


@dataclass
class DocBorrador:
    """A PDF uploaded for one document type, waiting for the application to be finalized."""

    tipo: str
    clave: str
    nombre: str
    paginas: int
    tamano: int
    cargado_en: str
    validado: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"c": self.clave, "n": self.nombre, "p": self.paginas, "t": self.tamano, "f": self.cargado_en,
                "v": self.validado}

    @classmethod
    def from_json(cls, tipo: str, d: dict[str, Any]) -> DocBorrador:
        return cls(tipo=tipo, clave=d["c"], nombre=d["n"], paginas=d["p"], tamano=d["t"], cargado_en=d["f"],
                   validado=bool(d.get("v")))

    @property
    def cargado(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.cargado_en)


class Borrador:
    """The pending uploads of one applicant for one call, kept in ``store`` (the session).

    ``store`` is any mutable mapping; with Flask's session, set ``session.modified`` is
    handled by reassigning the top-level key on every change.
    """

    KEY = "casadmin_borradores"
    #: Drafts kept at once per browser: the session is a cookie (4 KB); starting a third
    #: draft discards the oldest one and its files.
    MAXIMO = 2

    def __init__(self, store: MutableMapping[str, Any], convocatoria_id: int, usuario_id: int) -> None:
        self.store = store
        # Keyed by user too: a shared browser never mixes two applicants' drafts.
        self.key = f"{usuario_id}:{convocatoria_id}"

    def _todos(self) -> dict[str, dict[str, Any]]:
        return dict(self.store.get(self.KEY) or {})

    def _guardar(self, docs: dict[str, DocBorrador]) -> None:
        todos = self._todos()
        todos.pop(self.key, None)  # re-inserted last: the most recently used draft
        if docs:
            todos[self.key] = {t: d.to_json() for t, d in docs.items()}
        storage = get_storage()
        while len(todos) > self.MAXIMO:
            viejo = todos.pop(next(iter(todos)))
            for d in viejo.values():
                storage.delete(d["c"])
        self.store[self.KEY] = todos

    @property
    def documentos(self) -> dict[str, DocBorrador]:
        raw = self._todos().get(self.key) or {}
        return {t: DocBorrador.from_json(t, d) for t, d in raw.items()}

    def vigentes(self) -> tuple[dict[str, DocBorrador], list[str]]:
        """The draft's documents whose files still exist, and the types whose file was removed
        (an orphan cleanup of a draft left for a long time): those are dropped from the draft."""
        docs = self.documentos
        storage = get_storage()
        perdidos = []
        for t, d in docs.items():
            try:
                # A draft in use is not an orphan: the cleanup removes only files left
                # untouched for its age (the file's time is the only one storage keeps).
                os.utime(storage._path(d.clave))
            except FileNotFoundError:
                perdidos.append(t)
        if perdidos:
            for t in perdidos:
                docs.pop(t)
            self._guardar(docs)
        return docs, perdidos

    def cargar(self, tipo: str, *, nombre: str, data: bytes) -> DocBorrador:
        """Check the PDF (content, 5 MB, readable) and keep it; a new upload replaces the previous one."""
        rev = revisar_pdf(data)  # ArchivoRechazado: nothing stored
        storage = get_storage()
        stored = storage.save(data)
        docs = self.documentos
        anterior = docs.get(tipo)
        docs[tipo] = DocBorrador(tipo=tipo, clave=stored.clave, nombre=(nombre or "documento.pdf")[-80:],
                                 paginas=rev.paginas, tamano=rev.tamano, cargado_en=now().isoformat(timespec="seconds"))
        self._guardar(docs)
        if anterior is not None:
            storage.delete(anterior.clave)
        return docs[tipo]

    def quitar(self, tipo: str) -> bool:
        docs = self.documentos
        doc = docs.pop(tipo, None)
        if doc is None:
            return False
        self._guardar(docs)
        get_storage().delete(doc.clave)
        return True

    def validar(self, tipo: str, valor: bool) -> bool:
        docs = self.documentos
        if tipo not in docs:
            return False
        docs[tipo].validado = valor
        self._guardar(docs)
        return True

    def abrir(self, tipo: str):
        doc = self.documentos.get(tipo)
        return None if doc is None else get_storage().open(doc.clave)

    def descartar(self) -> None:
        storage = get_storage()
        for doc in self.documentos.values():
            storage.delete(doc.clave)
        self._guardar({})

    def adjuntos(self) -> list[Adjunto]:
        """The draft's files as already checked attachments: :func:`postular` gives each its own
        key without checking or writing the bytes again (issue 4: they were checked with the
        same limits and stored when uploaded, and a stored file never changes). The SHA-256 to
        record is computed here from the stored bytes (about 1 ms per MB; kept out of the
        session cookie, which has room for little more than the draft)."""
        out = []
        storage = get_storage()
        for doc in self.documentos.values():
            digest, tamano = hashlib.sha256(), 0
            try:
                with storage.open(doc.clave) as fh:
                    while chunk := fh.read(1 << 20):
                        digest.update(chunk)
                        tamano += len(chunk)
            except FileNotFoundError:
                tamano = -1  # postular() refuses it: the file is no longer available
            out.append(Adjunto(tipo=doc.tipo, nombre=doc.nombre, validado=doc.validado, clave=doc.clave,
                               paginas=doc.paginas, tamano=tamano, sha256=digest.hexdigest(),
                               cargado_en=dt.datetime.fromisoformat(doc.cargado_en) if doc.cargado_en else None))
        return out


def ya_postulo(session: Session, postulante: m.Postulante, convocatoria: m.Convocatoria) -> m.Postulacion | None:
    return session.scalar(sa.select(m.Postulacion).filter_by(convocatoria_id=convocatoria.id,
                                                              postulante_id=postulante.id))


def revisar_envio(session: Session, *, postulante: m.Postulante, convocatoria: m.Convocatoria, borrador: Borrador,
                  declaracion: bool, momento: dt.datetime | None = None) -> list[tuple[str | None, str]]:
    """Everything that keeps this draft from being sent, as (field, Spanish message), in page order.

    The same checks :func:`postular` makes (it makes them again when the application is
    written), plus the Ficha's completeness, so the confirmation step shows only what can be sent.
    """
    errores: list[tuple[str | None, str]] = []
    if ya_postulo(session, postulante, convocatoria) is not None:
        return [(None, "Ya postuló a esta convocatoria: la postulación no puede modificarse.")]
    if not abierta(session, convocatoria, momento):
        return [(None, "La postulación a esta convocatoria no está abierta en este momento (hora de Lima).")]
    comp = completitud(postulante, firma=pide_firma(session, [convocatoria]))
    if not comp.puede_postular:
        errores.append((None, "Complete su Ficha de Postulante antes de postular. Falta: " + " · ".join(comp.faltantes)))
    bases, tipos = tipos_documento(convocatoria, postulante)
    docs, _ = borrador.vigentes()
    for t in tipos:
        doc = docs.get(t.codigo)
        if doc is None:
            if t.obligatorio:
                errores.append((f"documento_{t.codigo}", f"Adjunte {t.nombre}."))
        elif bases.flujo_documentos == "por_documento" and not doc.validado:
            errores.append((f"documento_{t.codigo}", f"Marque «Validar documento» para {t.nombre}."))
    if not declaracion:
        errores.append(("declaracion", "Debe aceptar la declaración para postular."))
    return errores


def finalizar(session: Session, *, postulante: m.Postulante, convocatoria: m.Convocatoria, borrador: Borrador,
              declaracion: bool, momento: dt.datetime | None = None) -> m.Postulacion:
    """Send the draft: :func:`postular` writes the application; then the draft's files are removed."""
    errores = revisar_envio(session, postulante=postulante, convocatoria=convocatoria, borrador=borrador,
                            declaracion=declaracion, momento=momento)
    if errores:
        campo, mensaje = errores[0]
        raise PostulacionRechazada(mensaje, campo)
    postulacion = postular(session, postulante=postulante, convocatoria=convocatoria, adjuntos=borrador.adjuntos(),
                           declaracion=declaracion, momento=momento)
    borrador.descartar()
    return postulacion


# --- C6: what "Mis postulaciones" may show ---------------------------------------------------


@dataclass
class ResultadoVisible:
    etapa: Etapa
    resultado: m.ResultadoEtapa
    publicado_en: dt.datetime | None
    motivos: list[dict[str, Any]] = field(default_factory=list)


def resultados_publicados(session: Session, postulacion: m.Postulacion,
                          condicion: Any = sa.true()) -> list[ResultadoVisible]:
    """The application's stage results that ORH published: the result is marked published
    *and* the stage's results were published for the call (:class:`~casadmin.models.PublicacionEtapa`).
    Anything else, even an evaluated result, is not shown (E1, C6)."""
    pubs = {p.etapa: p for p in session.scalars(
        sa.select(m.PublicacionEtapa).where(m.PublicacionEtapa.convocatoria_id == postulacion.convocatoria_id))}
    filas = session.scalars(
        sa.select(m.ResultadoEtapa).where(m.ResultadoEtapa.postulacion_id == postulacion.id,
                                          m.ResultadoEtapa.publicado.is_(True), condicion)
    ).all()
    orden = list(Etapa)
    out = [ResultadoVisible(etapa=r.etapa, resultado=r, publicado_en=pubs[r.etapa.name].publicado_en,
                            motivos=list(r.motivos or []))
           for r in filas if r.etapa.name in pubs]
    return sorted(out, key=lambda v: orden.index(v.etapa))


def estado_visible(postulacion: m.Postulacion, publicados: list[ResultadoVisible],
                   final: m.ResultadoFinal | None) -> str:
    """The application's state as the applicant may see it: derived from published results only,
    so an evaluation ORH has not published yet never shows through the state."""
    if not publicados and final is None:
        return str(EstadoPostulacion.registrada)
    if any(v.resultado.resultado in ELIMINATORIOS for v in publicados):
        return str(EstadoPostulacion.no_apto)
    if final is not None and postulacion.estado in (EstadoPostulacion.ganador, EstadoPostulacion.accesitario,
                                                    EstadoPostulacion.no_seleccionado):
        return str(postulacion.estado)
    return str(EstadoPostulacion.en_proceso)


def no_convocado(session: Session, postulacion: m.Postulacion,
                 publicados: list[ResultadoVisible]) -> tuple[Decimal, Decimal] | None:
    """D5 as the applicant sees it (§4.2.4): their accumulated score and that of the last one called,
    when they passed the stage before the interview, its result published, and the bases' rule does
    not call them; None otherwise. The list is worked out from the stored results, as ORH's screen
    (:func:`casadmin.etapas.lista_corta`) shows it."""
    from casadmin import engine_db, etapas

    conv = postulacion.convocatoria
    try:
        todas = etapas.etapas(conv)
    except etapas.EtapaRechazada:  # its plugin uninstalled: the stored results still show, not the shortlist's rule
        return None
    if "entrevista" not in todas or todas.index("entrevista") == 0:
        return None
    previa = Etapa[todas[todas.index("entrevista") - 1]]
    visto = next((v for v in publicados if v.etapa is previa), None)
    if visto is None or visto.resultado.resultado not in engine_db.SIGUEN:
        return None
    try:
        if etapas.publicada(session, conv, "entrevista"):
            # published: who was called is who has an evaluated result of the stage (comite.resultados),
            # whatever the shortlist rule installed now says (F3: a plugin upgrade told a candidate interviewed
            # and published Apto «No convocado(a)»); a pending row is no call (inputs imported, or left by a
            # shortlist that changed)
            from casadmin import comite

            llamados = comite.resultados(session, conv)
            acumulado = etapas.acumulados_para_entrevista(session, conv)
            propio = acumulado.get(postulacion.id)
            cortes = [acumulado[pid] for pid in llamados if pid in acumulado]
            if propio is None or postulacion.id in llamados or not cortes:
                return None
            return propio, min(cortes)
        lista = etapas.lista_corta(session, conv)
    except etapas.EtapaRechazada:
        return None
    propio = next((c for c in lista if c.postulacion_id == postulacion.id), None)
    ultimo = etapas.corte(lista)
    if propio is None or propio.convocado or ultimo is None:
        return None
    return propio.acumulado, ultimo


def final_publicado(session: Session, postulacion: m.Postulacion) -> m.ResultadoFinal | None:
    return session.scalar(sa.select(m.ResultadoFinal).where(m.ResultadoFinal.postulacion_id == postulacion.id,
                                                            m.ResultadoFinal.publicado.is_(True)))


def constancia(session: Session, postulacion: m.Postulacion) -> m.Archivo | None:
    """The proof PDF sent by e-mail when the application was registered (C4), if it was stored."""
    correo = session.scalar(
        sa.select(m.CorreoSaliente).where(
            m.CorreoSaliente.convocatoria_id == postulacion.convocatoria_id,
            m.CorreoSaliente.usuario_id == postulacion.postulante.usuario_id,
            m.CorreoSaliente.tipo == TipoCorreo.confirmacion_postulacion,
        ).order_by(m.CorreoSaliente.id)
    )
    if correo is None or not correo.adjuntos:
        return None
    return session.get(m.Archivo, correo.adjuntos[0])


__all__ = [
    "Borrador", "Completitud", "DocBorrador", "FIRMA_OPCIONAL", "SECCIONES", "Seccion", "completitud",
    "constancia", "estado_visible", "final_publicado", "finalizar", "guardar_firma", "pide_firma",
    "resultados_publicados", "revisar_envio", "ya_postulo",
]
