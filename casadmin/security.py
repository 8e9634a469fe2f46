"""Security manager: FAB's, with our user model (staff belong to an institution)."""

from __future__ import annotations

from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import UserDBModelView

from casadmin.models.usuario import Usuario


class UsuarioView(UserDBModelView):
    """FAB's user screen plus the institution a staff member works for (A1)."""

    list_columns = ["first_name", "last_name", "username", "email", "entidad", "active", "roles"]
    add_columns = [*UserDBModelView.add_columns, "entidad"]
    edit_columns = [*UserDBModelView.edit_columns, "entidad"]
    show_fieldsets = [
        *UserDBModelView.show_fieldsets[:1],
        ("Datos personales", {"fields": ["first_name", "last_name", "email", "entidad"], "expanded": True}),
        *UserDBModelView.show_fieldsets[2:],
    ]
    label_columns = {**UserDBModelView.label_columns, "entidad": "Entidad"}
    search_columns = ["first_name", "last_name", "username", "email", "entidad", "active", "roles"]


class CasSecurityManager(SecurityManager):
    user_model = Usuario
    userdbmodelview = UsuarioView
