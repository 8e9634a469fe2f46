"""Thin base classes for every screen and API: scoping, Spanish errors, CSV export.

Views only translate between HTTP and the domain (STYLE §5). What a user may
see is decided in :mod:`casadmin.scoping`; here we wire it into FAB's list,
show, edit, delete, related-field queries, form writes and API writes
(FAB-NOTES: ``base_filters`` alone do not cover actions or downloads).
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, request
from flask_wtf import FlaskForm
from flask_appbuilder import ModelView
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.baseviews import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import defer, selectinload
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement
from wtforms import BooleanField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Optional

from casadmin import scoping
from casadmin.extensions import db
from casadmin.views.labels import LABELS


class FilterScoped(BaseFilter):
    """FAB filter that applies :func:`casadmin.scoping.condition` to its model."""

    name = "Ámbito del usuario"
    arg_name = None

    def apply(self, query: Any, value: Any) -> Any:
        return query.filter(scoping.condition(self.model))


SCOPE_FILTER = [["id", FilterScoped, None]]


class DomainError(Exception):
    """A refusal to show at one form field (``field``) or for the whole form (``None``)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ScopeViolation(DomainError):
    """A write that points at a row the user may not see."""


#: Unique and check constraints → (field, Spanish message) shown at the field.
CONSTRAINT_MESSAGES: dict[str, tuple[str | None, str]] = {
    "uq_convocatoria_numero": ("numero", "Ya existe una convocatoria con este número y año en la entidad."),
    "convocatoria.codigo": ("codigo", "Ya existe una convocatoria con este código."),
    "uq_postulante_documento": ("numero_documento", "Ya existe un postulante con este documento."),
    "postulante.email": ("email", "Ya existe un postulante con este correo electrónico."),
    "uq_hito_convocatoria_tipo": ("tipo", "Esta etapa ya figura en el cronograma de la convocatoria."),
    "uq_miembro_comite": ("usuario", "Este usuario ya integra el comité de la convocatoria."),
    "uq_ofimatica_programa": ("programa", "Ya declaró su nivel en este programa."),
    "uq_postulacion_unica": (None, "Ya postuló a esta convocatoria."),
    "uq_version_bases_entidad_codigo": ("codigo", "La entidad ya tiene una versión de bases con este código."),
    "uq_plugin_entidad": ("plugin", "Este plugin ya está registrado para la entidad."),
    "entidad.siglas": ("siglas", "Ya existe una entidad con estas siglas."),
    "entidad.nombre": ("nombre", "Ya existe una entidad con este nombre."),
    "entidad.ruc": ("ruc", "Ya existe una entidad con este RUC."),
    "ck_hito_ventana": ("fin", "El fin debe ser posterior al inicio."),
    "ck_experiencia_periodo": ("fecha_fin", "La fecha de término no puede ser anterior a la de inicio."),
    "ck_capacitacion_periodo": ("fecha_fin", "La fecha de término no puede ser anterior a la de inicio."),
    "uq_citacion": ("etapa", "El candidato ya tiene una citación para esta etapa."),
    "uq_hoja_entrevista": (None, "Ya existe su hoja de entrevista para este candidato."),
}


def constraint_key(exc: IntegrityError) -> str | None:
    """The violated constraint as a key of :data:`CONSTRAINT_MESSAGES`, on PostgreSQL or SQLite.

    Named constraints keep their name; a single-column UNIQUE becomes ``table.column``.
    """
    from flask_appbuilder import Model

    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:  # PostgreSQL names the constraint; its own names for column UNIQUEs are table_col_key
        table = getattr(diag, "table_name", None) or ""
        if table and name.startswith(f"{table}_") and name.endswith("_key"):
            return f"{table}.{name[len(table) + 1:-4]}"
        return name
    text = str(exc.orig)
    found = re.search(r"(UNIQUE|CHECK) constraint failed: (.+)$", text, re.M)
    if not found:
        return None
    if found.group(1) == "CHECK":
        return found.group(2).strip()
    cols = [c.strip() for c in found.group(2).split(",")]
    table = cols[0].split(".")[0]
    names = {c.split(".", 1)[1] for c in cols}
    if len(names) == 1:
        return cols[0]
    for const in Model.metadata.tables[table].constraints:
        if isinstance(const, sa.UniqueConstraint) and {c.name for c in const.columns} == names:
            return const.name
    return None


def integrity_message(exc: IntegrityError) -> tuple[str | None, str]:
    """Map a database refusal to the field and Spanish message that explain it."""
    return CONSTRAINT_MESSAGES.get(
        constraint_key(exc) or "", (None, "No se pudo guardar: los datos contradicen una regla de integridad.")
    )


def _related_models(model: type) -> dict[str, type]:
    return {rel.key: rel.mapper.class_ for rel in sa.inspect(model).relationships if not rel.viewonly}


def check_scope(item: Any) -> None:
    """Refuse a write whose row, or any row it points to, lies outside the user's scope.

    Also catches an edit that moves a row out of scope (e.g. to another institution).
    """
    for key, rel_model in _related_models(type(item)).items():
        rel = sa.inspect(type(item)).relationships[key]
        if rel.uselist or rel.direction.name != "MANYTOONE":
            continue
        fk_cols = [c.key for c in rel.local_columns]
        target = getattr(item, key)
        pk = target.id if target is not None else (getattr(item, fk_cols[0]) if fk_cols else None)
        if pk is None or rel_model not in scoping.RULES:
            continue
        if not scoping.visible(rel_model, pk, db.session):
            raise ScopeViolation("No tiene acceso al registro seleccionado.", field=key)


class ScopedWrites:
    """What screens and APIs share: scoped select boxes, and writes that validate then check scope."""

    def _scope_related(self, *attrs: str) -> None:
        """Limit every related-field query (select boxes, the API's ``_info``) to the user's scope."""
        rels = list(_related_models(self.datamodel.obj))  # type: ignore[attr-defined]
        for attr in attrs:
            setattr(self, attr, {**{r: SCOPE_FILTER for r in rels}, **(getattr(self, attr) or {})})

    def validate_item(self, item: Any) -> None:
        """Domain validation hook: raise :class:`DomainError` with the field to blame."""

    def pre_add(self, item: Any) -> None:
        self.validate_item(item)
        check_scope(item)

    def pre_update(self, item: Any) -> None:
        self.validate_item(item)
        check_scope(item)


#: Column types a list page never needs unless it shows them (the frozen Ficha, reasons, texts).
_HEAVY_TYPES = (sa.JSON, sa.Text, sa.LargeBinary)


def _heavy_columns(model: type, shown: set[str]) -> list[Any]:
    return [getattr(model, c.key) for c in sa.inspect(model).column_attrs
            if c.key not in shown and isinstance(c.columns[0].type, _HEAVY_TYPES)]


def _many_to_one(model: type) -> list[Any]:
    return [r for r in sa.inspect(model).relationships if r.direction.name == "MANYTOONE"]


def list_load_options(model: type, columns: list[str] | tuple[str, ...]) -> list[Any]:
    """Loader options for one list page (issue 5, docs/performance.md).

    Big columns the page does not show are deferred (a page of applications must not read 25
    frozen Fichas); each related row the page shows (``str()`` of a many-to-one column, which
    may itself name its own related rows, e.g. ``Postulacion`` → call code and applicant) is
    loaded with one ``SELECT … IN`` per relation instead of one query per row. Deferred columns
    still load on access, so nothing shown can go missing.
    """
    shown = set(columns)
    opts: list[Any] = [defer(c) for c in _heavy_columns(model, shown)]
    for rel in _many_to_one(model):
        if rel.key not in shown:
            continue
        target = rel.mapper.class_
        nested = [defer(c) for c in _heavy_columns(target, set())]
        nested += [selectinload(getattr(target, r.key)).options(
            *[defer(c) for c in _heavy_columns(r.mapper.class_, set())]) for r in _many_to_one(target)]
        opts.append(selectinload(getattr(model, rel.key)).options(*nested))
    return opts


#: Above this many rows (as PostgreSQL's planner estimates them) a list shows «≈ N» instead of counting
#: every row on every page: counting 320,000 scoped rows costs more than the whole page (issue 5).
EXACT_COUNT_UP_TO = 10_000


class ApproximateCount(int):
    """A row count from the planner's statistics; FAB's pager computes with it like any number and the
    page shows it as «≈ 320 000»."""

    def __str__(self) -> str:
        return "≈ " + f"{int(self):,}".replace(",", "\u00a0")

    def __html__(self) -> str:
        return str(self)


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a select, with its parameters bound as usual."""

    inherit_cache = False

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.stmt, **kw)


def _estimated_rows(session: Any, stmt: Any) -> int | None:
    """The planner's estimate of how many rows ``stmt`` returns (PostgreSQL), else None."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    plan = session.execute(_Explain(stmt)).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class ListInterface(SQLAInterface):
    """FAB's interface with list pages that stay fast on 150,000 rows (issue 5).

    FAB counts a list as ``SELECT count(*) FROM (SELECT every column …)`` on every page and then
    loads each related row of the page one query at a time. Here a list the planner expects to
    hold more than :data:`EXACT_COUNT_UP_TO` rows shows the estimate (PostgreSQL), a smaller one
    is counted from an index (``count(*)``), and the page rows come with
    :func:`list_load_options`. The REST API (``select_columns``) keeps FAB's own exact count.
    """

    def __init__(self, obj: type, session: Any = None, list_columns: Any = ()) -> None:
        super().__init__(obj, session)
        self.page_columns = list(list_columns)

    def query_count(self, query: Any, filters: Any = None, select_columns: Any = None) -> int:
        if select_columns:
            return super().query_count(query, filters, select_columns)
        q = self._apply_inner_all(query, filters, aliases_mapping={}).order_by(None)
        estimado = _estimated_rows(self.session, q.with_entities(sa.literal_column("1")).statement)
        if estimado is not None and estimado > current_app.config.get("LISTA_CONTEO_EXACTO_HASTA", EXACT_COUNT_UP_TO):
            return ApproximateCount(estimado)
        return q.with_entities(sa.func.count()).scalar() or 0  # count(*): answered from an index

    def query(self, filters: Any = None, order_column: str = "", order_direction: str = "",
              page: int | None = None, page_size: int | None = None, select_columns: Any = None,
              outer_default_load: bool = False) -> tuple[int, list[Any]]:
        if select_columns:
            return super().query(filters, order_column, order_direction, page, page_size, select_columns,
                                 outer_default_load)
        query = self.session.query(self.obj)
        count = self.query_count(query, filters)
        query = query.options(*list_load_options(self.obj, self.page_columns))
        query = self.apply_all(query, filters, order_column, order_direction, page, page_size)
        return count, query.all()


class ScopedModelView(ScopedWrites, ModelView):
    """A CRUD screen limited to the current user's scope, with field-level Spanish errors."""

    base_filters = SCOPE_FILTER
    # No ``can_download``: FAB's download serves any uploaded file (FAB-NOTES); files go
    # through /archivos/<id>, which checks ownership.
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete", "can_export"]
    page_size = 25
    list_template = "casadmin/list.html"
    #: Spanish titles: plural for the list, singular for the other pages.
    plural: str = ""
    singular: str = ""
    #: Columns the form may leave blank although the table requires them (filled in validate_item).
    optional_columns: tuple[str, ...] = ()
    #: The institution field: only administrators choose it; everyone else works for their own.
    owner_field: str | None = None

    def _init_forms(self) -> None:
        """FAB makes every NOT NULL column required, booleans included (an unticked box would
        then be an error); relax those, and the columns we fill in ourselves."""
        super()._init_forms()
        for form_cls in (self.add_form, self.edit_form):
            for name in list(vars(form_cls)):
                unbound = getattr(form_cls, name)
                if not isinstance(unbound, UnboundField):
                    continue
                is_bool = issubclass(unbound.field_class, BooleanField)
                if is_bool or name in self.optional_columns:
                    kept = [v for v in unbound.kwargs.get("validators", []) if not isinstance(v, (InputRequired, DataRequired))]
                    unbound.kwargs["validators"] = kept if is_bool else [Optional(), *kept]

    def _owner_hidden(self) -> bool:
        return bool(self.owner_field) and not scoping.current_viewer().is_admin

    def __init__(self, **kwargs: Any) -> None:
        self.label_columns = {**LABELS, **(self.label_columns or {})}
        self.formatters_columns = {**_date_formatters(self.datamodel.obj), **(self.formatters_columns or {})}
        if self.plural:
            self.list_title = self.plural
            self.show_title = f"Detalle: {self.singular}"
            self.add_title = f"Agregar: {self.singular}"
            self.edit_title = f"Editar: {self.singular}"
        self._scope_related("add_form_query_rel_fields", "edit_form_query_rel_fields", "search_form_query_rel_fields")
        super().__init__(**kwargs)
        if type(self.datamodel) is SQLAInterface:  # issue 5: fast count and page loads (ListInterface)
            self.datamodel = ListInterface(self.datamodel.obj, self.datamodel._session, self.list_columns)

    # --- writes: validate, check scope, one transaction, errors at the field -------

    def _save_with_form_errors(self, form: Any, item: Any, add: bool) -> bool:
        try:
            form.populate_obj(item)
            self.pre_add(item) if add else self.pre_update(item)
            if add:
                db.session.add(item)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            self._form_error(form, exc.field, exc.message)
            return False
        except IntegrityError as exc:
            db.session.rollback()
            field, message = integrity_message(exc)
            self._form_error(form, field, message)
            return False
        self.post_add(item) if add else self.post_update(item)
        flash(self.add_row_message if add else self.edit_row_message, "success")
        return True

    @staticmethod
    def _form_error(form: Any, field: str | None, message: str) -> None:
        target = getattr(form, field, None) if field else None
        if target is not None:
            target.errors = [*list(target.errors or []), message]
        else:
            flash(message, "danger")

    def _add(self) -> Any:
        is_valid_form = True
        # As FAB's own _add/_edit: the filters are per view instance, shared by every request; set them from
        # this request's arguments, or a filtered list someone opened earlier would pre-fill this form.
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        hidden = []
        if self._owner_hidden():
            del form[self.owner_field]
            hidden = [self.owner_field]
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                item = self.datamodel.obj()
                if self._save_with_form_errors(form, item, add=True):
                    return None
            is_valid_form = False
        if is_valid_form:
            self.update_redirect()
        return {
            "add": self.add_widget(
                form=form,
                include_cols=[c for c in self.add_columns if c not in hidden],
                exclude_cols=exclude_cols,
                fieldsets=self.add_fieldsets,
            )
        }

    def _edit(self, pk: Any) -> Any:
        is_valid_form = True
        # As FAB's own _add/_edit: the filters are per view instance, shared by every request; set them from
        # this request's arguments, or a filtered list someone opened earlier would pre-fill this form.
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk
            if form.validate():
                self.process_form(form, False)
                if self._save_with_form_errors(form, item, add=False):
                    return None
                db.session.refresh(item) if sa.inspect(item).persistent else None
            is_valid_form = False
        else:
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        widgets = self._get_related_views_widgets(
            item, filters={}, orders={}, pages={}, page_sizes={}, widgets=widgets
        )
        if is_valid_form:
            self.update_redirect()
        return widgets

    # --- A3: CSV export of the (scoped, filtered) list ---------------------------

    @expose("/export/")
    @has_access
    def export(self) -> Response:
        """Download the current list (with its search filters) as CSV, in the user's scope."""
        from flask_appbuilder.urltools import get_filter_args, get_order_args

        get_filter_args(self._filters)
        joined = self._filters.get_joined_filters(self._base_filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("", ""))
        columns = list(self.list_columns)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([str(self.label_columns.get(c, c)) for c in columns])
        _, items = self.datamodel.query(joined, order_column, order_direction, page=None, page_size=None)
        for item in items:
            writer.writerow([_csv_value(getattr(item, c, "")) for c in columns])
        name = self.datamodel.obj.__tablename__
        return Response(
            "\ufeff" + out.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={name}.csv"},
        )


def _fmt_datetime(value: Any) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def _fmt_date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _date_formatters(model: type) -> dict[str, Any]:
    """Dates as people in Peru write them (dd/mm/aaaa, Lima time) on every list and detail page."""
    out: dict[str, Any] = {}
    for col in sa.inspect(model).columns:
        if isinstance(col.type, sa.DateTime) or getattr(col.type, "impl", None) is sa.DateTime or \
                isinstance(getattr(col.type, "impl_instance", None), sa.DateTime):
            out[col.key] = _fmt_datetime
        elif isinstance(col.type, sa.Date):
            out[col.key] = _fmt_date
    return out


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if callable(value):
        value = value()
    texto = str(value)
    # A text a spreadsheet would run as a formula (a name typed «=HYPERLINK(…)» at registration) is kept text.
    if isinstance(value, str) and texto[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + texto
    return texto


class ScopedApi(ScopedWrites, ModelRestApi):
    """A REST API limited to the current user's scope (A6), answering 403 on out-of-scope writes."""

    base_filters = SCOPE_FILTER
    base_permissions = ["can_get", "can_info", "can_post", "can_put"]
    allow_browser_login = True

    def __init__(self, **kwargs: Any) -> None:
        self.label_columns = {**LABELS, **(self.label_columns or {})}
        self._scope_related("add_query_rel_fields", "edit_query_rel_fields")
        super().__init__(**kwargs)

    def _guard(self, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except ScopeViolation:
            db.session.rollback()
            return self.response_403()
        except DomainError as exc:
            db.session.rollback()
            return self.response_422(message={exc.field or "_schema": [exc.message]})

    def post_headless(self) -> Any:
        return self._guard(super().post_headless)

    def put_headless(self, pk: Any) -> Any:
        return self._guard(super().put_headless, pk)


def interface(model: type) -> SQLAInterface:
    return SQLAInterface(model, db.session)


__all__ = ["DomainError", "FilterScoped", "ScopeViolation", "ScopedApi", "ScopedModelView", "interface"]


class FormularioConReglas(FlaskForm):
    """A form with rules between fields, each error put at the field it is about; the rules run
    even when a field's ``Optional()`` stopped its own chain (registration, the Ficha sections)."""

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        for campo, mensaje in self.reglas():
            field = getattr(self, campo)
            if mensaje not in field.errors:
                field.errors = [*field.errors, mensaje]
            ok = False
        return ok

    def reglas(self) -> list[tuple[str, str]]:
        """(field, message) for each rule between fields that the data break."""
        return []

    def rechazos(self, errores: dict[str, str]) -> None:
        """Put a service's refusals at their fields (a message without a field is flashed)."""
        for campo, mensaje in errores.items():
            field = getattr(self, campo, None)
            if field is None:
                flash(mensaje, "danger")
            elif mensaje not in field.errors:
                field.errors = [*field.errors, mensaje]
