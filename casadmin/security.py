"""Security manager: FAB's, with our user model (staff belong to an institution), applicants'
login by document number (C1, Mig. step 3) and rate limits on every way in."""

from __future__ import annotations

import logging

from flask import current_app, flash, g, has_request_context, jsonify, redirect, render_template, request, session
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.utils import is_null_password
from flask_appbuilder.security.views import AuthDBView, UserDBModelView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_login import current_user, login_user
from werkzeug.security import check_password_hash

from casadmin import cuenta
from casadmin.models.usuario import Usuario

log = logging.getLogger(__name__)

MSG_DEMASIADOS_INTENTOS = "Demasiados intentos en poco tiempo. Espere unos minutos y vuelva a intentarlo."
MSG_CUENTA_SIN_ACTIVAR = (
    "Su cuenta aún no está activada. Abra el enlace que le enviamos por correo electrónico o pida uno "
    "nuevo en «Reenviar enlace de activación»."
)
#: Set on ``g`` by :meth:`CasSecurityManager.auth_user_db` when the password was right but the
#: account is waiting for activation: only then is the applicant told so.
_SIN_ACTIVAR = "casadmin_cuenta_sin_activar"
#: The session's copy of the account's password fingerprint (:func:`casadmin.cuenta.huella_sesion`).
HUELLA = "casadmin_huella"


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


class CasAuthDBView(AuthDBView):
    """FAB's ``/login/`` with our page: Spanish, phone-sized, with the links of the manual's login
    screen ("crear nuevo usuario", "¿olvidó contraseña?") and a clear word for unactivated accounts."""

    login_template = "casadmin/cuenta/login.html"
    title = "Iniciar sesión"

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        # FAB's AuthDBView.login, with the message for accounts waiting for activation.
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = get_safe_redirect(request.args.get("next", ""))
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                sin_activar = g.pop(_SIN_ACTIVAR, False)
                flash(MSG_CUENTA_SIN_ACTIVAR if sin_activar else self.invalid_login_message, "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            login_user(user, remember=False)
            session[HUELLA] = cuenta.huella_sesion(user)
            return redirect(next_url)
        return self.render_template(self.login_template, title=self.title, form=form, appbuilder=self.appbuilder)


class CasSecurityManager(SecurityManager):
    user_model = Usuario
    userdbmodelview = UsuarioView
    authdbview = CasAuthDBView

    # --- login ------------------------------------------------------------------------------

    def auth_user_db(self, username, password):
        """FAB's check, where an applicant's document number works as typed (Mig. step 3: "ingresando
        su número de documento y contraseña"); staff keep their username. Used by the browser login
        and by the API login alike."""
        user = None
        if username:
            user = self.find_user(username=username) or self.find_user(email=username)
            if user is None:
                user = cuenta.usuario_por_documento(self.session, username)
        if user is not None and not user.is_active:
            # FAB refuses inactive accounts; tell an applicant who has not activated yet why, and
            # only when the password is right. One hash check, as FAB's own balanced refusal does,
            # so the answer takes as long either way.
            correcta = (
                not is_null_password(password) and bool(user.password)
                and check_password_hash(user.password, password)
            )
            if correcta and has_request_context() and cuenta.espera_activacion(self.session, user):
                setattr(g, _SIN_ACTIVAR, True)
            log.info("Inicio de sesión rechazado: cuenta inactiva %s", user.id)
            return None
        return super().auth_user_db(user.username if user is not None else username, password)

    # --- sessions end when the password changes ------------------------------------------------------

    def load_user(self, pk):
        """The session's user, unless the account's password changed since it signed in: a session copied
        before a reset (the reason to reset) went on working. Sessions are signed cookies, so the check is
        against the fingerprint the login wrote into it."""
        user = super().load_user(pk)
        if user is not None and has_request_context() and session.get(HUELLA) != cuenta.huella_sesion(user):
            log.info("Sesión anterior al cambio de contraseña del usuario %s: se cierra", user.id)
            return None
        return user

    def load_user_jwt(self, _jwt_header, jwt_data):
        # An API token carries no session: FAB's own check.
        user = SecurityManager.load_user(self, jwt_data["sub"])
        if user is not None:
            g.user = user
        return user

    def reset_password(self, userid, password):
        """FAB's change of a password; the session of whoever changed their own stays open."""
        super().reset_password(userid, password)
        if has_request_context() and getattr(current_user, "id", None) == userid:
            session[HUELLA] = cuenta.huella_sesion(self.get_user_by_id(userid))

    # --- permissions of the built-in roles (issue 5: list pages) ------------------------------------

    def _has_access_builtin_roles(self, role, permission_name: str, view_name: str) -> bool:
        """FAB matches every (view, permission) regex pair of the role on each check, and a page asks
        some 50 checks (one per menu entry): about 2,000 ``re.match`` calls per page. The roles are fixed
        in code (:func:`casadmin.roles.fab_roles`), so each answer is remembered for the process."""
        key = (role.name, permission_name, view_name)
        cache = self.__dict__.setdefault("_builtin_access_cache", {})
        if key not in cache:
            cache[key] = super()._has_access_builtin_roles(role, permission_name, view_name)
        return cache[key]

    # --- rate limits (FAB-NOTES: FAB limits only the browser /login/) -------------------------------

    def create_limiter(self, app):
        limiter = super().create_limiter(app)
        app.register_error_handler(429, _demasiados_intentos)
        return limiter

    def register_views(self):
        super().register_views()
        if not current_app.config.get("FAB_ADD_SECURITY_VIEWS", True):
            return
        # The API login (/api/v1/security/login) with the same limit as the browser's.
        for view in self.appbuilder.baseviews:
            if isinstance(view, self.security_api) and getattr(view, "blueprint", None) is not None:
                self.limiter.limit(lambda: current_app.config["AUTH_RATE_LIMIT"], methods=["POST"])(view.blueprint)


def _demasiados_intentos(exc):
    """429 in Spanish: JSON for the API, a page for the browser (with Retry-After, from Flask-Limiter)."""
    if request.path.startswith("/api/"):
        return jsonify(message=MSG_DEMASIADOS_INTENTOS), 429
    g.user = current_user  # the limiter answers before FAB's before_request has set it
    appbuilder = current_app.appbuilder
    html = render_template(
        "casadmin/cuenta/demasiados_intentos.html", mensaje=MSG_DEMASIADOS_INTENTOS,
        appbuilder=appbuilder, base_template=appbuilder.base_template,
    )
    return html, 429
