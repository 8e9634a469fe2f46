"""The closed lists of the domain, named as the bases name them.

Each enum is stored by member name; its value is the Spanish label users see.
"""

from __future__ import annotations

from casadmin.models.base import LabeledEnum


class EstadoConvocatoria(LabeledEnum):
    """Life cycle of a call (B4, §4.5)."""

    borrador = "Borrador"
    publicada = "Publicada"
    postulacion = "En postulación"
    evaluacion = "En evaluación"
    finalizada = "Finalizada"
    desierta = "Desierta"
    cancelada = "Cancelada"


class CausaDesierto(LabeledEnum):
    """§4.5: the four causes for declaring a call void (desierto)."""

    sin_postulantes = "No se presentaron postulantes"
    sin_requisitos = "Ningún postulante cumple los requisitos mínimos"
    sin_puntaje_minimo = "Ningún candidato obtuvo el puntaje mínimo o asistió"
    desistimiento = "El ganador y los accesitarios desistieron de suscribir contrato"


class CausaCancelacion(LabeledEnum):
    """§4.5: the three causes for cancelling a call, only before the interview."""

    desaparicion_necesidad = "Desaparición de la necesidad del servicio"
    restriccion_presupuestal = "Restricciones presupuestales"
    otros_justificados = "Otros supuestos debidamente justificados"


class ModalidadFirma(LabeledEnum):
    presencial = "Presencial"
    virtual = "Virtual"


class NivelAcademico(LabeledEnum):
    """Academic levels of a profile (B2), lowest first."""

    secundaria = "Secundaria completa"
    tecnico = "Técnico"
    bachiller = "Bachiller"
    titulo = "Título profesional"
    maestria = "Maestría"
    doctorado = "Doctorado"


class NivelFormacion(LabeledEnum):
    """Kind of study declared in Ficha section 2."""

    secundaria = "Secundaria"
    tecnico = "Técnico"
    universitario = "Universitario"
    maestria = "Maestría"
    doctorado = "Doctorado"


class CondicionFormacion(LabeledEnum):
    """Grade or condition reached (Ficha section 2, §4.2.1 e)."""

    en_curso = "En curso"
    egresado = "Egresado"
    bachiller = "Bachiller"
    titulado = "Titulado"
    graduado = "Grado obtenido"


class NivelConocimiento(LabeledEnum):
    """Level of office software and languages (§4.2.1 n)."""

    basico = "Básico"
    intermedio = "Intermedio"
    avanzado = "Avanzado"


class TipoConocimiento(LabeledEnum):
    ofimatica = "Ofimática"
    idioma = "Idioma o dialecto"


class ProgramaOfimatica(LabeledEnum):
    procesador_texto = "Procesador de textos"
    hoja_calculo = "Hojas de cálculo"
    presentaciones = "Programa de presentaciones"


class TipoCapacitacion(LabeledEnum):
    """Kinds of courses and programmes (Ficha section 6, §4.2.1 i–m)."""

    curso = "Curso"
    taller = "Taller"
    seminario = "Seminario"
    conferencia = "Conferencia"
    curso_especializacion = "Curso de especialización"
    programa_especializacion = "Programa de especialización"
    diplomado = "Diplomado de posgrado"
    maestria = "Maestría"
    doctorado = "Doctorado"


class Sector(LabeledEnum):
    publico = "Público"
    privado = "Privado"


class TipoExperiencia(LabeledEnum):
    """Kinds of work experience (Ficha section 7, §4.2.1 q–u)."""

    empleo = "Vínculo laboral"
    locacion = "Locación de servicios"
    practicas_preprofesionales = "Prácticas preprofesionales"
    practicas_profesionales = "Prácticas profesionales"
    secigra = "SECIGRA"
    serums = "SERUMS"
    residentado = "Residentado"
    ad_honorem = "Ad honorem"
    voluntariado = "Voluntariado"


class TipoDocumento(LabeledEnum):
    DNI = "DNI"
    CE = "Carné de extranjería"
    PASAPORTE = "Pasaporte"


class Sexo(LabeledEnum):
    femenino = "Femenino"
    masculino = "Masculino"


class EstadoCivil(LabeledEnum):
    soltero = "Soltero(a)"
    casado = "Casado(a)"
    conviviente = "Conviviente"
    divorciado = "Divorciado(a)"
    viudo = "Viudo(a)"


class EstadoPostulacion(LabeledEnum):
    registrada = "Registrada"
    en_proceso = "En proceso"
    no_apto = "No apto"
    ganador = "Ganador"
    accesitario = "Accesitario"
    no_seleccionado = "No seleccionado"


class Etapa(LabeledEnum):
    """Evaluation stages (§4.2), in process order."""

    ficha = "Evaluación de Ficha de Postulante y Anexos"
    examen = "Evaluación de Conocimientos Técnicos"
    psicologica = "Evaluación Psicológica"
    curricular = "Evaluación Curricular"
    entrevista = "Entrevista Personal"


class Resultado(LabeledEnum):
    apto = "Apto"
    no_apto = "No apto"
    no_se_presento = "No se presentó"
    asistio = "Asistió"
    no_asistio = "No asistió"
    pendiente = "Pendiente"


class TipoHito(LabeledEnum):
    """Schedule milestones (B3)."""

    publicacion = "Publicación de la convocatoria"
    postulacion = "Postulación (registro en la plataforma)"
    evaluacion_ficha = "Evaluación de Ficha de Postulante"
    resultados_ficha = "Resultados de la Evaluación de Ficha"
    examen = "Evaluación de Conocimientos Técnicos"
    resultados_examen = "Resultados de la Evaluación de Conocimientos"
    psicologica = "Evaluación Psicológica"
    expediente = "Presentación del Expediente Curricular"
    evaluacion_curricular = "Evaluación Curricular"
    resultados_curricular = "Resultados de la Evaluación Curricular"
    entrevista = "Entrevista Personal"
    resultados_finales = "Resultados finales"
    suscripcion = "Suscripción del contrato"


class TipoDocumentoConvocatoria(LabeledEnum):
    """Downloadable documents of a call or bases version (B6)."""

    bases = "Bases"
    aviso = "Aviso de convocatoria"
    perfil = "Perfil del puesto"
    formato_anexo = "Formato de anexo"
    resultado = "Resultados"
    otro = "Otro"


class RolComite(LabeledEnum):
    """Interview committee members (§4.2.5 b)."""

    orh = "Representante de la ORH"
    area_usuaria = "Representante del área usuaria"
    veedor = "Veedor(a)"


class TipoBonificacion(LabeledEnum):
    """Bonuses on the interview or final score (§4.2.5, §4.3)."""

    joven_entrevista = "Ley 31533: 10 % de la Entrevista Personal"
    joven_especial = "Ley 31533: bonificación especial por experiencia en el sector público"
    ffaa = "Licenciado de las Fuerzas Armadas"
    discapacidad = "Persona con discapacidad"
    deportista = "Deportista calificado de alto nivel"
    otra = "Otra (plugin de la entidad)"


class CondicionFinal(LabeledEnum):
    ganador = "Ganador(a)"
    accesitario = "Accesitario(a)"
    aprobado = "Aprobado(a) no seleccionado(a)"
    no_apto = "No apto"


class EstadoContrato(LabeledEnum):
    """The contract step (§4.4)."""

    pendiente = "Pendiente de suscripción"
    suscrito = "Suscrito"
    desistio = "Desistió"
    no_suscribio = "No suscribió en el plazo"
    impedido = "Impedido (registro o antecedentes)"


class Verificacion(LabeledEnum):
    pendiente = "Pendiente"
    conforme = "Sin registro"
    observado = "Con registro u observación"
    no_aplica = "No aplica"


class TipoImpugnacion(LabeledEnum):
    """§4.8."""

    reconsideracion = "Recurso de reconsideración"
    apelacion = "Recurso de apelación"


class DecisionImpugnacion(LabeledEnum):
    pendiente = "Pendiente"
    fundado = "Fundado"
    infundado = "Infundado"
    improcedente = "Improcedente"
    derivado_servir = "Derivado a SERVIR"


class EstadoTarea(LabeledEnum):
    """A background job's state (result documents, notifications)."""

    pendiente = "En cola"
    en_curso = "En curso"
    terminada = "Terminada"
    fallida = "Fallida"


class EstadoCorreo(LabeledEnum):
    pendiente = "Pendiente"
    enviado = "Enviado"
    fallido = "Fallido"


class TipoCorreo(LabeledEnum):
    """G1."""

    activacion = "Activación de cuenta"
    recuperacion = "Recuperación de contraseña"
    confirmacion_postulacion = "Confirmación de postulación"
    resultado = "Publicación de resultados"
    citacion = "Programación de entrevista"
    otro = "Otro"
