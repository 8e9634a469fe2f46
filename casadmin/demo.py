"""Demo data: two institutions with a published call each, staff of every role and ~30
applicants with complete Fichas at different stages. Idempotent: every row is found by
its natural key (acronym, call code, username, document number) before it is created.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import unicodedata
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from fpdf import FPDF
from PIL import Image, ImageDraw

from casadmin import etapas, resultados
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.buscar_o_crear import buscar_o_crear
from casadmin.commands.postular import Adjunto, postular, tipos_documento
from casadmin.engine_db import ESPECIFICA
from casadmin.extensions import db
from casadmin.models.enums import (
    CondicionFormacion,
    EstadoCivil,
    EstadoConvocatoria,
    Etapa,
    ModalidadFirma,
    NivelAcademico,
    NivelConocimiento,
    NivelFormacion,
    ProgramaOfimatica,
    Resultado,
    RolComite,
    Sector,
    Sexo,
    TipoCapacitacion,
    TipoConocimiento,
    TipoDocumento,
    TipoExperiencia,
    TipoHito,
)
from casadmin.peru.clock import LIMA, now
from casadmin.portal import guardar_firma
from casadmin.roles import COMITE, ORH, POSTULANTE, VEEDOR
from casadmin.storage import get_storage
from casadmin.uploads import FIRMA_TAMANO

DEMO_PASSWORD = "demo12345"

#: In each call, the first applicants fall short of the specific experience: the engine finds them
#: No Apto in the Ficha stage (§4.2.1 w), the rest Apto.
NO_APTOS = 3

ENTIDADES = [
    {
        "siglas": "SUNEDU",
        "nombre": "Superintendencia Nacional de Educación Superior Universitaria",
        "ruc": "20600044975",
        "email_contacto": "seleccioncas@sunedu.gob.pe",
        "portal_url": "https://talento.sunedu.gob.pe/",
        "bases": ("sunedu-2026", "Bases CAS SUNEDU 2026", dt.date(2026, 1, 1), "sunedu"),
        "convocatoria": {
            "numero": 140, "anio": 2026, "nombre_puesto": "Especialista en Supervisión Universitaria",
            "organo": "Dirección de Supervisión", "unidad_organica": "Subdirección de Fiscalización",
            "remuneracion": Decimal("7500.00"), "lugar": "Sede central, Lima", "duracion_contrato": "3 meses renovables",
            "incluye_examen": True, "incluye_psicologica": True, "modalidad_firma": ModalidadFirma.virtual,
        },
    },
    {
        "siglas": "MIGRACIONES",
        "nombre": "Superintendencia Nacional de Migraciones",
        "ruc": "20551239692",
        "email_contacto": "convocatorias@migraciones.gob.pe",
        "portal_url": "https://cas.migraciones.gob.pe/cas_postulacion/",
        "bases": ("migraciones-2020", "Sistema CAS Online Migraciones", dt.date(2020, 9, 1), "migraciones"),
        "convocatoria": {
            "numero": 27, "anio": 2026, "nombre_puesto": "Asistente de Control Migratorio",
            "organo": "Dirección de Control Migratorio", "unidad_organica": "Puesto de Control Fronterizo",
            "remuneracion": Decimal("3200.00"), "lugar": "Aeropuerto Internacional Jorge Chávez, Callao",
            "duracion_contrato": "Hasta el 31 de diciembre de 2026",
            "incluye_examen": False, "incluye_psicologica": False, "modalidad_firma": ModalidadFirma.presencial,
        },
    },
]

NOMBRES = ["ANA", "LUIS", "MARÍA", "JORGE", "ROSA", "CARLOS", "LUCÍA", "PEDRO", "CARMEN", "JOSÉ", "ELENA", "MIGUEL"]
APELLIDOS = ["QUISPE", "FLORES", "SÁNCHEZ", "RAMÍREZ", "TORRES", "MENDOZA", "CHÁVEZ", "ROJAS", "VARGAS", "CASTILLO",
             "HUAMÁN", "MAMANI", "GUTIÉRREZ", "ESPINOZA", "PAREDES"]
DISTRITOS = ["150130", "150101", "150122", "070101", "040101", "130101"]  # San Borja, Lima, Miraflores, Callao, Arequipa, Trujillo


def _get_or_create(model: type, where: dict[str, Any], **values: Any) -> tuple[Any, bool]:
    return buscar_o_crear(db.session, model, where, **values)


def _user(username: str, first: str, last: str, email: str, role: str, entidad_id: int | None) -> m.Usuario:
    sm = current_app.appbuilder.sm
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(username, first, last, email, sm.find_role(role), DEMO_PASSWORD)
        if not user:
            raise RuntimeError(f"No se pudo crear el usuario {username}")
    if user.entidad_id != entidad_id:
        user.entidad_id = entidad_id
    return user


def _cronograma(conv: m.Convocatoria, start: dt.date) -> None:
    def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(start + dt.timedelta(days=day), dt.time(hour, minute), tzinfo=LIMA)

    plan = [
        (TipoHito.publicacion, at(0, 0), at(13, 23, 59)),
        (TipoHito.postulacion, at(14, 8, 30), at(14, 16, 30)),
        (TipoHito.evaluacion_ficha, at(15, 8, 30), at(16, 17, 30)),
        (TipoHito.resultados_ficha, at(17, 8, 30), at(17, 20, 0)),
    ]
    if conv.incluye_examen:
        plan += [(TipoHito.examen, at(20, 9), at(20, 12)), (TipoHito.resultados_examen, at(21, 18), at(21, 20))]
    if conv.incluye_psicologica:
        plan += [(TipoHito.psicologica, at(22, 9), at(22, 13))]
    plan += [
        (TipoHito.expediente, at(23, 8, 30), at(23, 16, 30)),
        (TipoHito.evaluacion_curricular, at(24, 8, 30), at(27, 17, 30)),
        (TipoHito.resultados_curricular, at(28, 18), at(28, 20)),
        (TipoHito.entrevista, at(30, 9), at(31, 17)),
        (TipoHito.resultados_finales, at(32, 18), at(32, 20)),
        (TipoHito.suscripcion, at(33, 8, 30), at(39, 17, 30)),
    ]
    for tipo, inicio, fin in plan:
        _get_or_create(m.HitoCronograma, {"convocatoria_id": conv.id, "tipo": tipo}, inicio=inicio, fin=fin,
                       responsable="Oficina de Recursos Humanos")


def _perfil(conv: m.Convocatoria, sunedu: bool) -> None:
    perfil, created = _get_or_create(
        m.PerfilPuesto, {"convocatoria_id": conv.id},
        nivel_academico=NivelAcademico.titulo if sunedu else NivelAcademico.tecnico,
        carreras="Derecho, Educación, Administración" if sunedu else "Administración, Turismo",
        acepta_afines=True, requiere_colegiatura=sunedu, requiere_habilitacion=sunedu,
        experiencia_general_meses=48 if sunedu else 12,
        experiencia_especifica_meses=24 if sunedu else 6,
        experiencia_especifica_detalle="Supervisión o fiscalización en educación superior" if sunedu else "Atención al público",
        experiencia_publica_meses=12 if sunedu else None,
        funciones="Supervisar el cumplimiento de las condiciones básicas de calidad." if sunedu
        else "Verificar documentos de viaje y registrar el control migratorio.",
        requiere_deportista=False,
    )
    if created:
        perfil.capacitaciones = [
            m.RequisitoCapacitacion(tipo=TipoCapacitacion.curso, tema="Gestión pública", horas_minimas=60),
            m.RequisitoCapacitacion(tipo=TipoCapacitacion.programa_especializacion, tema="Supervisión", horas_minimas=90)
            if sunedu else m.RequisitoCapacitacion(tipo=TipoCapacitacion.curso, tema="Atención al ciudadano", horas_minimas=24),
        ]
        perfil.conocimientos = [
            m.RequisitoConocimiento(tipo=TipoConocimiento.ofimatica, nombre="Procesador de textos", nivel=NivelConocimiento.intermedio),
            m.RequisitoConocimiento(tipo=TipoConocimiento.ofimatica, nombre="Hojas de cálculo", nivel=NivelConocimiento.intermedio),
            m.RequisitoConocimiento(tipo=TipoConocimiento.idioma, nombre="Inglés", nivel=NivelConocimiento.basico),
        ]
        if not sunedu:
            perfil.otros = [m.RequisitoOtro(descripcion="Disponibilidad para trabajar en turnos rotativos")]


def _dni(rng: random.Random) -> str:
    return f"{rng.randint(10_000_000, 79_999_999):08d}"


def _postulante(n: int, entidad_siglas: str, *, sunedu: bool, falla: bool, registro: dt.date) -> m.Postulante:
    """A demo applicant with a complete Ficha written for the call it applies to: it meets that
    profile (D1) unless ``falla``, whose specific experience is too short (§4.2.1 w). Dates are
    counted back from ``registro``, the day of the application."""
    # One generator per applicant, so a second run draws the same values whatever exists already.
    rng = random.Random(f"casadmin-demo-{n}")
    dni = _dni(rng)
    nombre = rng.choice(NOMBRES)
    ap, am = rng.choice(APELLIDOS), rng.choice(APELLIDOS)
    nacimiento = dt.date(rng.randint(1975, 2002), rng.randint(1, 12), rng.randint(1, 28))
    email = f"postulante{n:02d}.{entidad_siglas.lower()}@demo.casadmin.pe"
    user = _user(dni, nombre.title(), f"{ap.title()} {am.title()}", email, POSTULANTE, None)
    post, created = _get_or_create(
        m.Postulante, {"usuario_id": user.id},
        nacionalidad="Peruana", tipo_documento=TipoDocumento.DNI, numero_documento=dni,
        apellido_paterno=ap, apellido_materno=am, nombres=nombre, lugar_nacimiento="LIMA",
        fecha_nacimiento=nacimiento, sexo=rng.choice(list(Sexo)), estado_civil=rng.choice(list(EstadoCivil)),
        ubigeo=rng.choice(DISTRITOS), via="Av.", direccion=f"Los Próceres {100 + n}",
        celular=f"9{rng.randint(10_000_000, 99_999_999)}", email=email,
        discapacidad=(n % 11 == 0), licenciado_ffaa=(n % 7 == 0),
        registro_conadis=f"{400_000 + n}" if n % 11 == 0 else None,
    )
    if post.discapacidad and not post.registro_conadis:  # demo data loaded before the number was set
        post.registro_conadis = f"{400_000 + n}"
    if created:
        (_ficha_sunedu if sunedu else _ficha_migraciones)(post, rng, n, falla, registro)
        post.idiomas = [m.Idioma(idioma="Inglés", nivel=rng.choice(list(NivelConocimiento)))]
        post.ofimatica = [m.Ofimatica(programa=p, nivel=rng.choice([NivelConocimiento.intermedio,
                                                                    NivelConocimiento.avanzado]))
                          for p in ProgramaOfimatica]
    _firmar(post)
    return post


def _dias(rng: random.Random, desde: int, hasta: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(desde, hasta))


def _ficha_sunedu(post: m.Postulante, rng: random.Random, n: int, falla: bool, registro: dt.date) -> None:
    """For the SUNEDU profile: título in Derecho with colegiatura (§4.2.1 f, g); four years and more
    in a law firm from the egreso (general experience, §4.2.1 p); supervision in the Ministry of
    Education as specific and public-sector experience, from years back (or, with ``falla``, from
    under a year back: short of the 2 and 1 years the profile asks); the course hours and the
    programa de especialización (80 h when a governing body organizes it, §4.2.1 k)."""
    egreso = dt.date(rng.randint(2008, 2015), rng.randint(1, 12), 15)
    uni = "Universidad Nacional Mayor de San Marcos"
    post.formaciones = [
        m.FormacionAcademica(nivel=NivelFormacion.universitario, condicion=CondicionFormacion.egresado,
                             carrera="Derecho", anio=egreso.year, fecha_egreso=egreso, institucion=uni),
        m.FormacionAcademica(nivel=NivelFormacion.universitario, condicion=CondicionFormacion.titulado,
                             carrera="Derecho", anio=egreso.year + 1, fecha_diploma=egreso + dt.timedelta(days=400),
                             institucion=uni),
    ]
    post.colegiaturas = [m.Colegiatura(colegio="Colegio de Abogados de Lima", numero=str(50_000 + n), habilitado=True)]
    rector = n % 5 == 0
    post.capacitaciones = [
        m.Capacitacion(tipo=TipoCapacitacion.curso, tema="Gestión pública", horas=Decimal(rng.choice([60, 80, 120])),
                       institucion="ENAP - SERVIR", fecha_fin=dt.date(2023, 6, 30)),
        m.Capacitacion(tipo=TipoCapacitacion.programa_especializacion, tema="Supervisión y fiscalización",
                       horas=Decimal(80 if rector else rng.choice([90, 120])), fecha_fin=dt.date(2024, 3, 15),
                       institucion="SUNEDU" if rector else "PUCP", ente_rector=rector),
    ]
    inicio = egreso + _dias(rng, 30, 200)
    fin = inicio + _dias(rng, 1500, 1800)
    publica = registro - _dias(rng, 200, 300) if falla else fin + _dias(rng, 30, 120)
    post.experiencias = [
        m.ExperienciaLaboral(empleador="Estudio Jurídico Andino S.A.C.", sector=Sector.privado, puesto="Asistente legal",
                             funciones="Revisión de expedientes administrativos y proyección de escritos.",
                             tipo=TipoExperiencia.empleo, fecha_inicio=inicio, fecha_fin=fin),
        m.ExperienciaLaboral(empleador="Ministerio de Educación", sector=Sector.publico, puesto="Especialista en supervisión",
                             funciones="Supervisión y fiscalización de las condiciones básicas de calidad de "
                                       "instituciones de educación superior.",
                             tipo=TipoExperiencia.locacion, fecha_inicio=publica, fecha_fin=None, actual=True),
    ]


def _ficha_migraciones(post: m.Postulante, rng: random.Random, n: int, falla: bool, registro: dt.date) -> None:
    """For the Migraciones profile: técnico egresado in Administración or Turismo; a year and more of
    attention to the public, private and then public (or, with ``falla``, a warehouse job that is not
    specific and only months of attention to the public: short of the 6 months asked); both courses,
    and the availability for rotating shifts the profile asks (Ficha section 8)."""
    egreso = dt.date(rng.randint(2012, 2020), rng.randint(1, 12), 20)
    post.formaciones = [
        m.FormacionAcademica(nivel=NivelFormacion.tecnico, condicion=CondicionFormacion.egresado,
                             carrera=rng.choice(["Administración", "Turismo"]), anio=egreso.year, fecha_egreso=egreso,
                             institucion="Instituto de Educación Superior Tecnológico Público «Argentina»"),
    ]
    post.capacitaciones = [
        m.Capacitacion(tipo=TipoCapacitacion.curso, tema="Gestión pública", horas=Decimal(rng.choice([60, 80])),
                       institucion="ENAP - SERVIR", fecha_fin=dt.date(2023, 6, 30)),
        m.Capacitacion(tipo=TipoCapacitacion.curso, tema="Atención al ciudadano", horas=Decimal(rng.choice([24, 40])),
                       institucion="Secretaría de Gestión Pública - PCM", fecha_fin=dt.date(2024, 8, 31)),
    ]
    inicio = egreso + _dias(rng, 30, 200)
    fin = inicio + _dias(rng, 400, 700)
    primera = (("Almacenes del Sur S.A.", "Auxiliar de almacén", "Control de inventarios y despacho de mercadería.")
               if falla else ("Inca Tours S.A.C.", "Counter de atención al cliente",
                              "Atención al público, emisión de boletos y orientación a pasajeros."))
    publica = registro - _dias(rng, 60, 120) if falla else fin + _dias(rng, 30, 120)
    post.experiencias = [
        m.ExperienciaLaboral(empleador=primera[0], sector=Sector.privado, puesto=primera[1], funciones=primera[2],
                             tipo=TipoExperiencia.empleo, fecha_inicio=inicio, fecha_fin=fin),
        m.ExperienciaLaboral(empleador="Municipalidad Distrital de San Borja", sector=Sector.publico,
                             puesto="Orientador de la plataforma de atención al ciudadano",
                             funciones="Atención al público y orientación sobre trámites municipales.",
                             tipo=TipoExperiencia.empleo, fecha_inicio=publica, fecha_fin=None, actual=True),
    ]
    post.otros_requisitos = [m.OtroRequisitoDeclarado(descripcion="Disponibilidad para trabajar en turnos rotativos")]


#: Which declared experiences the evaluator judges specific (§4.2.1 x), by what each was written for:
#: the law firm's and the warehouse's are not in the function or subject of either position.
_NO_ESPECIFICAS = ("Estudio Jurídico Andino S.A.C.", "Almacenes del Sur S.A.")


def firma_png(nombre: str, apellido: str, semilla: int | str) -> bytes:
    """A handwritten-looking signature, 200 × 150 px PNG on white (§4.1 Ficha, section 10:
    "jpg o png ... 200px (ancho) y 150px (alto)", "de preferencia en fondo blanco")."""
    rng = random.Random(f"firma-{semilla}")
    ancho, alto = FIRMA_TAMANO
    img = Image.new("RGB", (ancho, alto), "white")
    tinta = (20, 40, 120)
    dibujo = ImageDraw.Draw(img)
    # One looping stroke (a prolate cycloid: loops like joined handwriting), as many loops as the
    # name has letters up to seven, slightly tilted; then the underline and the printed name.
    lazos = min(max(len(nombre), 3), 7)
    paso, radio, inclinacion = 150 / (lazos * 2 * math.pi), rng.uniform(15, 22), rng.uniform(-0.12, 0.05)
    trazo = []
    for i in range(0, 241):
        t = lazos * 2 * math.pi * i / 240
        x = 22 + paso * t - 0.55 * radio * math.sin(t)
        y = 68 - radio * math.cos(t) * (1 - 0.35 * i / 240) + inclinacion * (x - 22)
        trazo.append((x, y))
    dibujo.line(trazo, fill=tinta, width=2, joint="curve")
    dibujo.line([(18, 108), (100, 102 + rng.uniform(-3, 3)), (184, 107)], fill=tinta, width=2, joint="curve")
    # The default font has ASCII only: the name without accents (Pérez → Perez).
    rotulo = unicodedata.normalize("NFKD", f"{nombre[:1]}. {apellido}").encode("ascii", "ignore").decode()
    dibujo.text((22, 118), rotulo[:28], fill=tinta)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _firmar(post: m.Postulante) -> None:
    """Section 10 of the Ficha: the applicant's signature, stored as the portal stores it (C2), so a
    demo applicant can apply through the screens. Kept when it is there; drawn again when its row
    or its file is missing (e.g. a storage directory emptied by hand)."""
    if post.firma_archivo_id is not None:
        archivo = db.session.get(m.Archivo, post.firma_archivo_id)
        if archivo is not None and get_storage().exists(archivo.clave):
            return
    data = firma_png(post.nombres.title(), post.apellido_paterno.title(), post.numero_documento)
    # guardar_firma checks the image (JPG/PNG, 200 × 150) and commits: the rows made so far are kept,
    # and a second run finds them (idempotent).
    guardar_firma(db.session, post, nombre="firma.png", data=data)


def _documento_pdf(titulo: str, post: m.Postulante, conv: m.Convocatoria) -> bytes:
    """The PDF an applicant uploads for one document type of the bases (§4.1): one page with the
    document's title, this call's number and position (§4.2.1 b) and the signature's name."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    nombre = f"{post.nombres} {post.apellido_paterno} {post.apellido_materno}"
    pdf.multi_cell(0, 8, f"{titulo}\n\nConvocatoria {conv.codigo}: {conv.nombre_puesto} ({conv.organo})\n"
                         f"Postulante: {nombre}, DNI {post.numero_documento}\n\n"
                         f"Firma: {post.nombres.title()} {post.apellido_paterno.title()}")
    return bytes(pdf.output())


def _postular(conv: m.Convocatoria, post: m.Postulante, when: dt.datetime) -> m.Postulacion:
    """Apply as the portal does (C3): every document the bases ask of this applicant uploaded (and,
    where the bases ask it, validated), the Ficha frozen, the proof queued by e-mail."""
    existing = db.session.scalar(
        sa.select(m.Postulacion).filter_by(convocatoria_id=conv.id, postulante_id=post.id)
    )
    if existing is not None:
        return existing
    db.session.refresh(post)
    conv.estado = EstadoConvocatoria.postulacion  # the window the application was made in (load_demo ends it)
    _, tipos = tipos_documento(conv, post)
    adjuntos = [Adjunto(tipo=t.codigo, nombre=f"{t.codigo}.pdf", data=_documento_pdf(t.nombre, post, conv),
                        validado=True) for t in tipos]
    return postular(db.session, postulante=post, convocatoria=conv, adjuntos=adjuntos, declaracion=True, momento=when)


def _fabricados(conv: m.Convocatoria) -> bool:
    """Whether the call keeps results an earlier demo wrote by hand (rule ``{"demo": "1"}``, before
    the engine made them): its applications have no documents, so they cannot be evaluated again."""
    return any(reglas == {"demo": "1"} for reglas in db.session.scalars(
        sa.select(m.ResultadoEtapa.reglas).where(m.ResultadoEtapa.convocatoria_id == conv.id)))


def _resultado(postulacion_id: int, etapa: Etapa) -> Resultado | None:
    return db.session.scalar(sa.select(m.ResultadoEtapa.resultado).where(
        m.ResultadoEtapa.postulacion_id == postulacion_id, m.ResultadoEtapa.etapa == etapa))


def _evaluar_ficha(conv: m.Convocatoria, orh: m.Usuario) -> None:
    """The Ficha stage as ORH runs it (D1): the checklist of §4.2.1 b and the §4.2.1 x judgment of
    each declared experience recorded candidate by candidate, then the bases' plugins."""
    if etapas.evaluada(db.session, conv, "ficha"):
        return
    lista = etapas.lista_manual(db.session, conv)
    for pid, ficha in db.session.execute(sa.select(m.Postulacion.id, m.Postulacion.ficha)
                                         .where(m.Postulacion.convocatoria_id == conv.id)).all():
        valores = dict.fromkeys(lista, "si") | {
            f"{ESPECIFICA}{k}": "no" if x["empleador"] in _NO_ESPECIFICAS else "si"
            for k, x in enumerate(ficha["experiencia_laboral"])}
        etapas.registrar_verificacion_ficha(db.session, conv, pid, valores, usuario=orh)
    etapas.evaluar(db.session, conv, "ficha", usuario=orh)


def _puntaje_examen(n: int) -> int:
    """The demo's exam score of the n-th applicant of a call (0–30, §4.2.2 l)."""
    return 15 + (n * 7) % 16


def _evaluar_examen(conv: m.Convocatoria, orh: m.Usuario, numeros: dict[int, int]) -> None:
    """The exam's scores entered as in the grid (§4.2.2 k, l), then the bases' plugins (D2)."""
    if etapas.evaluada(db.session, conv, "examen"):
        return
    valores = {pid: ("si", str(_puntaje_examen(numeros[pid]))) for pid in etapas.ids_en_etapa(db.session, conv, "examen")}
    etapas.registrar_examen(db.session, conv, etapas.validar_examen(db.session, conv, valores), usuario=orh)
    etapas.evaluar(db.session, conv, "examen", usuario=orh)


def _citar_entrevista(app: m.Postulacion, conv: m.Convocatoria) -> None:
    """A candidate called to the interview, with an empty sheet for each scoring member (D6)."""
    hito = db.session.scalar(
        sa.select(m.HitoCronograma).filter_by(convocatoria_id=conv.id, tipo=TipoHito.entrevista)
    )
    _get_or_create(m.Citacion, {"postulacion_id": app.id, "etapa": Etapa.entrevista},
                   fecha_hora=hito.inicio, lugar_o_enlace="Sala virtual (enlace enviado por correo)")
    miembros = db.session.scalars(
        sa.select(m.MiembroComite).where(m.MiembroComite.convocatoria_id == conv.id,
                                         m.MiembroComite.rol != RolComite.veedor)
    ).all()
    for miembro in miembros:
        _get_or_create(m.HojaEntrevista, {"postulacion_id": app.id, "miembro_id": miembro.id})


def _version_instalada(bases_id: str) -> str:
    """The installed package version of the plugin that declares ``bases_id`` (what an administrator
    records on adopting a version), «-» when none declares it."""
    try:
        return pl.get_bases(pl.get_plugin_manager(), bases_id).version or "-"
    except pl.BasesDesconocida:
        return "-"


def load_demo() -> list[str]:
    """Load (or complete) the demo data; returns a summary for the console."""
    lines: list[str] = []
    for i, spec in enumerate(ENTIDADES):
        ent, _ = _get_or_create(m.Entidad, {"siglas": spec["siglas"]}, nombre=spec["nombre"], ruc=spec["ruc"],
                                email_contacto=spec["email_contacto"], portal_url=spec["portal_url"])
        codigo_bases, nombre_bases, vigente, plugin = spec["bases"]
        bases, _ = _get_or_create(m.VersionBases, {"entidad_id": ent.id, "codigo": codigo_bases}, nombre=nombre_bases,
                                  vigente_desde=vigente, plugin=plugin, plugin_version=_version_instalada(codigo_bases),
                                  parametros={})
        c = spec["convocatoria"]
        codigo = f"CAS N° {c['numero']:03d}-{c['anio']}-{ent.siglas}"
        conv, _ = _get_or_create(m.Convocatoria, {"codigo": codigo}, entidad_id=ent.id, version_bases_id=bases.id,
                                 estado=EstadoConvocatoria.evaluacion, publicada_en=now() - dt.timedelta(days=20), **c)
        _perfil(conv, sunedu=(i == 0))
        _cronograma(conv, (now() - dt.timedelta(days=20)).date())
        sig = ent.siglas.lower()
        orh = _user(f"orh.{sig}", "Oficina", f"RR.HH. {ent.siglas}", f"orh@{sig}.demo.casadmin.pe", ORH, ent.id)
        c1 = _user(f"comite1.{sig}", "Rep. ORH", ent.siglas, f"comite1@{sig}.demo.casadmin.pe", COMITE, ent.id)
        c2 = _user(f"comite2.{sig}", "Rep. Área usuaria", ent.siglas, f"comite2@{sig}.demo.casadmin.pe", COMITE, ent.id)
        ve = _user(f"veedor.{sig}", "Veedor", ent.siglas, f"veedor@{sig}.demo.casadmin.pe", VEEDOR, ent.id)
        for user, rol in ((c1, RolComite.orh), (c2, RolComite.area_usuaria), (ve, RolComite.veedor)):
            _get_or_create(m.MiembroComite, {"convocatoria_id": conv.id, "usuario_id": user.id}, rol=rol)
        db.session.flush()
        # The call's life replayed: applications in the schedule's window through the portal's own
        # path (C3), then each stage evaluated by the bases' plugins (F3: every result names them).
        registro = conv.publicada_en.date() + dt.timedelta(days=14)
        numeros: dict[int, int] = {}
        try:
            for n in range(15):
                post = _postulante(n + 15 * i, ent.siglas, sunedu=(i == 0), falla=n < NO_APTOS, registro=registro)
                if n >= 13:
                    continue  # two applicants with a complete Ficha who have not applied yet
                when = dt.datetime.combine(registro, dt.time(9 + n % 7, 10), tzinfo=LIMA)
                numeros[_postular(conv, post, when).id] = n
        except BaseException:
            db.session.rollback()
            raise
        finally:
            # _postular opens the call for the applications it makes; it is in evaluation again however
            # they went (a run interrupted before this point leaves it open: the next run closes it).
            if conv.estado is EstadoConvocatoria.postulacion:
                conv.estado = EstadoConvocatoria.evaluacion
                db.session.commit()
        if _fabricados(conv):
            lines.append(f"  Aviso: {conv.codigo} tiene resultados de demostración de una versión anterior, no "
                         "calculados por las reglas de las bases: borre la base de datos (instance/) y vuelva a "
                         "ejecutar «make run».")
        _evaluar_ficha(conv, orh)
        if conv.incluye_examen:
            _evaluar_examen(conv, orh, numeros)
            for pid, n in numeros.items():  # the committee's screens have sheets to fill (D6)
                if n >= 10 and _resultado(pid, Etapa.examen) is Resultado.apto:
                    _citar_entrevista(db.session.get(m.Postulacion, pid), conv)
        db.session.flush()
        for etapa, siguiente in ((Etapa.ficha, "Evaluación de Conocimientos Técnicos según cronograma."),
                                 (Etapa.examen, "Entrevista Personal de los convocados según cronograma.")):
            if etapas.evaluada(db.session, conv, etapa.name):  # the demo's results are published, as the call's schedule says (E1)
                _, nueva = _get_or_create(
                    m.PublicacionEtapa, {"convocatoria_id": conv.id, "etapa": etapa.name},
                    publicado_en=conv.publicada_en + dt.timedelta(days=16 if etapa is Etapa.ficha else 18),
                    proxima_etapa=siguiente)
                if nueva:
                    resultados.numerar(db.session, conv.id, etapa, publicar=True)
        lines.append(f"{ent.siglas}: convocatoria «{conv.codigo}» con {len(numeros)} postulaciones")
        lines.append(f"  ORH: {orh.username} · Comité: {c1.username}, {c2.username} · Veedor: {ve.username}")
    db.session.commit()
    total = db.session.scalar(sa.select(sa.func.count(m.Postulante.id)))
    lines.append(f"Postulantes: {total} (usuario = N° de DNI). Contraseña de todos los usuarios demo: {DEMO_PASSWORD}")
    return lines
