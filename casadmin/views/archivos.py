"""File downloads through one endpoint that checks role and ownership (A2, FAB-NOTES).

FAB's own ``ModelView.download`` serves any file to anyone with ``can_download``,
so stored files are served only here, scoped like the ``Archivo`` rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from casadmin import models as m
from casadmin.extensions import db
from casadmin.scoping import condition, current_viewer
from casadmin.storage import get_storage
from casadmin.roles import ORH, COMITE, VEEDOR


def _reachable_through_application(archivo_id: int) -> bool:
    """Committee members and Veedores reach the documents of the candidates they evaluate."""
    viewer = current_viewer()
    if not viewer.has(ORH, COMITE, VEEDOR):
        return False
    stmt = sa.select(sa.literal(1)).where(
        m.DocumentoPostulacion.archivo_id == archivo_id, condition(m.DocumentoPostulacion)
    )
    return db.session.execute(stmt).first() is not None


class ArchivoDescargaView(BaseView):
    route_base = "/archivos"
    default_view = "descargar"
    class_permission_name = "ArchivoDescargaView"
    method_permission_name = {"descargar": "read"}
    base_permissions = ["can_read"]

    @expose("/<int:archivo_id>")
    @has_access
    def descargar(self, archivo_id: int):
        archivo = db.session.scalar(
            sa.select(m.Archivo).where(m.Archivo.id == archivo_id, condition(m.Archivo))
        )
        if archivo is None and _reachable_through_application(archivo_id):
            archivo = db.session.get(m.Archivo, archivo_id)
        if archivo is None:
            abort(404)
        stream = get_storage().open(archivo.clave)
        return send_file(
            stream, mimetype=archivo.tipo_mime, download_name=archivo.nombre_original, as_attachment=False
        )
