"""The extension objects shared by the whole app (created once, bound in ``create_app``)."""

from flask_appbuilder import AppBuilder, Model
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

# FAB-NOTES: the model class must be FAB's, or autogenerate sees neither the ab_* tables nor ours.
SQLA = get_sqla_class()
db = SQLA(model_class=Model)
appbuilder = AppBuilder(update_perms=False)
migrate = Migrate()
csrf = CSRFProtect()
