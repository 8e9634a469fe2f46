"""The domain model: every table of CAS Admin, in the bases' words.

Importing this package registers every model on ``flask_appbuilder.Model.metadata``.
"""

from casadmin.models.base import LabeledEnum, LimaDateTime  # noqa: F401
from casadmin.models.contrato import Contrato, Impugnacion
from casadmin.models.convocatoria import (
    Comunicado,
    Convocatoria,
    DocumentoConvocatoria,
    HitoCronograma,
    PerfilPuesto,
    RequisitoCapacitacion,
    RequisitoConocimiento,
    RequisitoOtro,
)
from casadmin.models.entidad import Entidad, PluginEntidad, VersionBases
from casadmin.models.evaluacion import (
    Bonificacion,
    Citacion,
    HojaEntrevista,
    ItemVerificacion,
    MiembroComite,
    PublicacionEtapa,
    ResultadoEtapa,
    ResultadoFinal,
)
from casadmin.models.postulacion import DocumentoPostulacion, Postulacion
from casadmin.models.postulante import (
    Capacitacion,
    Colegiatura,
    ExperienciaLaboral,
    FormacionAcademica,
    Idioma,
    Ofimatica,
    OtroRequisitoDeclarado,
    Postulante,
)
from casadmin.models.sistema import Archivo, CorreoSaliente, RegistroAuditoria, Tarea
from casadmin.models.usuario import Usuario

__all__ = [
    "Archivo",
    "Bonificacion",
    "Capacitacion",
    "Citacion",
    "Colegiatura",
    "Comunicado",
    "Contrato",
    "Convocatoria",
    "CorreoSaliente",
    "DocumentoConvocatoria",
    "DocumentoPostulacion",
    "Entidad",
    "ExperienciaLaboral",
    "FormacionAcademica",
    "HitoCronograma",
    "HojaEntrevista",
    "Idioma",
    "Impugnacion",
    "ItemVerificacion",
    "MiembroComite",
    "Ofimatica",
    "OtroRequisitoDeclarado",
    "PerfilPuesto",
    "PluginEntidad",
    "Postulacion",
    "Postulante",
    "PublicacionEtapa",
    "RegistroAuditoria",
    "Tarea",
    "RequisitoCapacitacion",
    "RequisitoConocimiento",
    "RequisitoOtro",
    "ResultadoEtapa",
    "ResultadoFinal",
    "Usuario",
    "VersionBases",
]
