"""The base of every back-office model view: role checks, CSRF through Flask-WTF,
and an audit entry for every create, update and delete."""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal

from flask import flash, g, request
from flask_admin.actions import action
from flask_admin.babel import lazy_gettext as admin_gettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterConverter
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.model.form import converts
from flask_babel import get_timezone, gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from wtforms import fields as wtf_fields
from wtforms.validators import NumberRange, ValidationError

from admin_views import db_errors
from admin_views.display import DisplayMixin
from admin_views.security import StaffAccessMixin
from extensions import db
from forms.validators import CHECKS
from services import audit, labels
from web.bad_input import MAX_ID, MAX_PAGE, is_record_id
from web.safe_redirect import safe_next
from web.uploads import stored_file_from_upload

log = logging.getLogger("portal")


class StaffForm(FlaskForm):
    """Flask-WTF's form, so that every back-office form, list action and delete
    button carries the same CSRF token that the global CSRFProtect checks."""

    def __init__(self, formdata=_Auto, obj=None, prefix="", **kwargs):
        # Flask-Admin's validators (e.g. Unique) compare against the edited object.
        self._obj = obj
        super().__init__(formdata=formdata, obj=obj, prefix=prefix, **kwargs)


def changed_fields(model) -> dict:
    state = inspect(model)
    changes = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes() and attr.key not in {"updated_at", "password_hash", "content"}:
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[attr.key] = [old, new]
    return changes


def _aware(value: datetime) -> datetime:
    """A time typed into a filter, read in the portal's time zone. One that UTC cannot hold
    (0001-01-01 00:00 in Prague is still year 0 in UTC) becomes the first or last moment there is."""
    try:
        return value.replace(tzinfo=get_timezone()).astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year == datetime.min.year else datetime.max).replace(tzinfo=UTC)


class _AwareDateTimeFilter:
    """Flask-Admin's date-time filters give a naive time, which the UTCDateTime columns refuse:
    every such filter answered 500."""

    def clean(self, value):
        cleaned = super().clean(value)
        return [_aware(v) for v in cleaned] if isinstance(cleaned, list) else _aware(cleaned)


AWARE_DATETIME_FILTERS = tuple(type(f"Aware{f.__name__}", (_AwareDateTimeFilter, f), {})
                               for f in FilterConverter.datetime_filters)


class StaffFilterConverter(FilterConverter):
    """Filters for the project's own column types (timestamps and money)."""

    def convert(self, type_name, column, name, **kwargs):
        if type_name.lower() == "utcdatetime":
            return [f(column, name, **kwargs) for f in AWARE_DATETIME_FILTERS]
        alias = {"money": "numeric"}.get(type_name.lower(), type_name)
        return super().convert(alias, column, name, **kwargs)


MAX_MONEY = Decimal("9999999999.99")  # NUMERIC(12, 2)


class StaffModelConverter(AdminModelConverter):
    @converts("UTCDateTime")
    def convert_utc_datetime(self, field_args, **extra):
        return self.convert_datetime(field_args, **extra)

    # A number beyond what the column holds is a message next to the field, not a database error.
    @converts("Integer")
    def handle_integer_types(self, column, field_args, **extra):
        field_args["validators"].append(NumberRange(-MAX_ID, MAX_ID, _l("Enter a smaller number.")))
        return super().handle_integer_types(column, field_args, **extra)

    def _model_select_field(self, prop, multiple, remote_model, **kwargs):
        # An empty choice of a related record: wtforms shows a choice without a label by its
        # value, which for Flask-Admin's is "__None".
        if not multiple and prop.key not in getattr(self.view, "_form_ajax_refs", {}):
            kwargs.setdefault("blank_text", "—")
        return super()._model_select_field(prop, multiple, remote_model, **kwargs)

    @converts("Money")
    def convert_money(self, field_args, **extra):
        field_args.setdefault("places", 2)
        field_args["validators"].append(NumberRange(-MAX_MONEY, MAX_MONEY, _l("Enter a smaller amount.")))
        return wtf_fields.DecimalField(**field_args)


def keep_return_url_on_site() -> None:
    """Flask-Admin sends staff back to the `url` parameter (query string or form) after
    create, edit, details, delete and list actions, and links to it as "Cancel". It checks it
    with its own is_safe_url, which lets `http:evil.example` through (browsers go to
    http://evil.example) and a line break into the Location header (a 500). Every one of those
    views reads it through flask_admin.helpers.get_redirect_target() from request.values, with
    no hook to override: so before a view runs, `url` becomes what the portal's own rule keeps,
    or goes (and Flask-Admin falls back to the list)."""
    target = request.values.get("url")
    if target is None or safe_next(target) == target:
        return
    values = MultiDict(request.values)
    values.poplist("url")
    if safe := safe_next(target):
        values["url"] = safe
    request.values = ImmutableMultiDict(values)


class StaffModelView(DisplayMixin, StaffAccessMixin, ModelView):
    form_base_class = StaffForm
    filter_converter = StaffFilterConverter()
    model_form_converter = StaffModelConverter
    page_size = 20
    can_set_page_size = True
    # Previous / next without the total: a COUNT(*) over a table of millions (invoices, readings,
    # the audit log) on every list page would cost more than the page itself.
    simple_list_pager = True
    can_view_details = True
    details_modal = False
    edit_modal = False
    create_modal = False
    # Never offer these in forms: hashes, secrets and the bytes of files.
    form_excluded_columns = ("password_hash", "totp_secret", "created_at", "updated_at")
    column_exclude_list = ("password_hash", "totp_secret")
    column_details_exclude_list = ("password_hash", "totp_secret")

    def on_model_change(self, form, model, is_created):
        # Recorded before Flask-Admin commits, so the change and its audit entry
        # are one transaction.
        super().on_model_change(form, model, is_created)
        if is_created:
            db.session.add(model)
            db.session.flush()
            audit.record("backoffice_created", model)
        else:
            audit.record("backoffice_updated", model, details=changed_fields(model) or None)

    def on_model_delete(self, model):
        audit.record("backoffice_deleted", model, details={"deleted": str(model)})

    def __init__(self, model, session=None, **kwargs):
        self._checks_from_columns(model)
        super().__init__(model, session or db, **kwargs)

    def _checks_from_columns(self, model) -> None:
        """Before Flask-Admin builds the forms: a column that stores an enumeration
        (`info={"enum": …}`) becomes a select of its labels, one with a format
        (`info={"check": …}`) gets the portal's own validator (forms/validators.py)."""
        choices, args = dict(self.form_choices or {}), {k: dict(v) for k, v in (self.form_args or {}).items()}
        for column in model.__table__.columns:
            if "enum" in column.info and column.key not in choices:
                choices[column.key] = labels.enum_choices(column.info["enum"])
            if "check" in column.info:
                field_args = args.setdefault(column.key, {})
                field_args["validators"] = [*field_args.get("validators", ()), CHECKS[column.info["check"]]]
        self.form_choices, self.form_args = choices or None, args or None

    # --- what the database refuses, and deleting what has history --------------------------

    def create_model(self, form):
        g.admin_form = form  # so that a refusal of the database stands next to its field
        return super().create_model(form)

    def update_model(self, form, model):
        g.admin_form = form
        return super().update_model(form, model)

    def handle_view_exception(self, exc) -> bool:
        """No exception reaches a staff screen: a refused write is a sentence, next to its field
        when the database says which; anything else is logged and said plainly."""
        if isinstance(exc, ValidationError):
            flash(str(exc), "error")
            return True
        db.session.rollback()
        if isinstance(exc, SQLAlchemyError):
            column, message = db_errors.explain(exc, self.model.__table__)
            log.warning("back office %s: the database refused a write: %s", self.endpoint, type(exc).__name__)
            form = g.get("admin_form")
            field = getattr(form, column, None) if column and form is not None else None
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, str(message)]
                flash(_("The record was not saved: see the message next to the field."), "error")
            else:
                flash(_("The record was not saved: %(reason)s", reason=message), "error")
            return True
        log.exception("back office %s: could not save", self.endpoint)
        flash(_("The record was not saved: %(reason)s", reason=db_errors.OTHER), "error")
        return True

    def delete_model(self, model) -> bool:
        """Delete a record without history. One with history (anything refers to it) is
        deactivated where it can be (`deactivate`), else kept with a message; never an error."""
        model_class, ident = type(model), inspect(model).identity
        if not _keeps_history(model):
            try:
                self.on_model_delete(model)
                db.session.delete(model)
                db.session.commit()
            except IntegrityError:  # what refers to it forbids the delete: it has history
                db.session.rollback()
            except SQLAlchemyError as error:
                self.handle_view_exception(error)
                return False
            else:
                self.after_model_delete(model)
                return True
            model = db.session.get(model_class, ident)
            if model is None:
                return False
        if self.deactivate(model):
            audit.record("backoffice_deactivated", model, details={"record": str(model)})
            db.session.commit()
            flash(_("%(record)s has history, so it was deactivated instead of deleted.", record=model), "warning")
            return True
        flash(_("%(record)s has history and cannot be deleted.", record=model), "error")
        return False

    def deactivate(self, model) -> bool:
        """Switch off a record that has history; False when it has no such switch."""
        if hasattr(model, "active"):
            model.active = False
            return True
        return False

    def _run_view(self, fn, *args, **kwargs):
        keep_return_url_on_site()
        return super()._run_view(fn, *args, **kwargs)

    @action("delete", admin_gettext("Delete"), _l("Are you sure you want to delete the selected records?"))
    def action_delete(self, ids):
        # psycopg 3 sends the checked rows' ids as text and PostgreSQL will not compare
        # integer = varchar, so Flask-Admin's bulk delete failed there for every id.
        return super().action_delete(tuple(int(i) for i in ids if is_record_id(i)))

    def get_one(self, id):
        # ?id= from the URL: a number no id column holds is simply not there (not a database error).
        return super().get_one(id) if is_record_id(id) else None

    def _get_list_extra_args(self):
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), MAX_PAGE)  # beyond this OFFSET overflows
        return args


def _keeps_history(model) -> bool:
    """Whether a record that a delete would merely unlink (a foreign key ON DELETE SET NULL: the
    audit log, readings, tickets and changes a portal user made) refers to this one. Deleting it
    would lose who did what, so such a record is history too."""
    table = model.__table__
    ident = inspect(model).identity
    if ident is None or len(table.primary_key.columns) != 1:
        return False
    for other in db.metadata.tables.values():
        for key in other.foreign_keys:
            unlinked = key.column.table is table and (key.ondelete or "").upper() == "SET NULL"
            if unlinked and db.session.scalar(select(key.parent).where(key.parent == ident[0]).limit(1)) is not None:
                return True
    return False


class ReadOnlyModelView(StaffModelView):
    can_create = False
    can_edit = False
    can_delete = False


def stored_upload(field, *, required: bool):
    """The StoredFile for a back-office upload field (typed by content, size-limited), or None."""
    upload = field.data
    if not (upload and getattr(upload, "filename", "")):
        if required:
            raise ValidationError(_("Choose the file."))
        return None
    return stored_file_from_upload(upload)
