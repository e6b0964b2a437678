"""Words, not codes, on every back-office screen: column and field labels in the staff member's
language, the labels of stored codes (services/labels.py), Prague local times and dates in the
locale's format, money with services.i18n.money, yes/no instead of True/False, and Flask-Admin's
own words with the right plural forms. Every model view gets it through StaffModelView."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask_admin import babel as admin_babel
from flask_admin.contrib.sqla.filters import FilterEmpty, FilterEqual, FilterNotEqual
from flask_admin.contrib.sqla.typefmt import DEFAULT_FORMATTERS
from flask_babel import format_date, format_decimal, format_time, gettext as _, lazy_gettext as _l, ngettext
from markupsafe import Markup

from models.base import Money
from services import labels
from services.i18n import money

# Column (and form field) name → label, for every view; a view's own column_labels win.
COLUMN_LABELS = {
    "absent": _l("Absent"), "action": _l("Action"), "active": _l("Active"), "actor": _l("Who"),
    "actor_kind": _l("Kind of actor"), "amount": _l("Amount"), "amount_paid": _l("Paid"),
    "amount_without_vat": _l("Amount without VAT"), "announced_at": _l("Customers told at"),
    "annual_consumption_kwh": _l("Annual consumption (kWh)"), "assignee": _l("Assignee"), "at": _l("Time"),
    "attachment": _l("Attachment"), "attempts": _l("Attempts"), "audience": _l("Recipients"), "author": _l("Author"),
    "bank_account": _l("Bank account"), "body": _l("Text"), "body_html": _l("Text (HTML)"),
    "body_text": _l("Text (plain)"), "cancels": _l("Cancels invoice"), "category": _l("Category"),
    "circuit_breaker": _l("Circuit breaker"), "city": _l("City"), "client": _l("API client"),
    "client.name": _l("API client"), "closed_at": _l("Closed at"), "code": _l("Code"),
    "commodity": _l("Commodity"), "company_id": _l("IČO"), "component": _l("Price component"),
    "contract": _l("Contract"), "correction_reason": _l("Reason for the correction"),
    "correspondence_city": _l("Correspondence city"), "correspondence_name": _l("Name on the envelope"),
    "correspondence_postcode": _l("Correspondence postcode"),
    "correspondence_street": _l("Correspondence street and number"), "counter_account": _l("Counter-account"),
    "counter_name": _l("Counter-account name"), "created_at": _l("Created"), "created_by": _l("Created by"),
    "customer": _l("Customer"), "customer_id": _l("Customer"), "decided_at": _l("Decided at"),
    "delivered_at": _l("Delivered"), "delivered_via": _l("Delivered via"), "description": _l("Description"),
    "details": _l("Details"), "distribution_tariff": _l("Distribution tariff"),
    "document_notices": _l("E-mails about new documents"), "done_at": _l("Done at"), "due_at": _l("Due"),
    "due_on": _l("Due date"), "email": _l("E-mail"), "event": _l("Event"), "expires_at": _l("Expires"),
    "failed_codes": _l("Wrong codes"), "failed_sign_ins": _l("Failed sign-ins"), "fields": _l("Changed fields"),
    "file": _l("File"), "final_value": _l("Final reading"), "frequency_months": _l("Every (months)"),
    "from_state": _l("From state"), "gas_band": _l("Gas consumption band"),
    "has_two_factor": _l("Two-factor sign-in"), "id": _l("Number"), "identifier": _l("EAN / EIC"),
    "installed_on": _l("Installed on"), "invoice": _l("Invoice"), "invoice_pdf_by_email": _l("Invoice PDF by e-mail"),
    "ip_address": _l("IP address"), "is_account_admin": _l("Account administrator"), "is_default": _l("Default"),
    "is_supervisor": _l("Supervisor"), "issued_on": _l("Issued on"), "items": _l("Price items"), "kind": _l("Kind"),
    "last_error": _l("Last error"), "last_sign_in_at": _l("Last sign-in"), "last_used_at": _l("Last used"),
    "letter_printed_at": _l("Letter printed"), "lines": _l("Invoice lines"), "linked_accesses": _l("Linked accesses"),
    "locale": _l("Language"), "locked_until": _l("Locked until"), "login": _l("Sign-in of"), "members": _l("Members"),
    "message": _l("Message"), "message_hash": _l("Hash of the message"), "meter": _l("Meter"),
    "module_rights": _l("Module rights"), "name": _l("Name"), "next_attempt_at": _l("Next attempt"),
    "number": _l("Number"), "paid_on": _l("Paid on"), "payment": _l("Payment"), "pdf": _l("PDF"),
    "period_from": _l("Period from"), "period_to": _l("Period to"), "phone": _l("Phone"), "photo": _l("Photo"),
    "portal_user": _l("Portal user"), "position": _l("Position"), "postcode": _l("Postcode"),
    "previous_hash": _l("Hash of the previous record"), "price_without_vat": _l("Price without VAT"),
    "priority": _l("Priority"), "product": _l("Product"), "quantity": _l("Quantity"), "read_at": _l("Read"),
    "read_on": _l("Read on"), "reason": _l("Reason"), "received_on": _l("Received on"), "recipient": _l("Recipient"),
    "record_hash": _l("Hash of the record"), "record_id": _l("Record"), "record_type": _l("Kind of record"),
    "reference": _l("Reference"), "register": _l("Register"), "rejection_reason": _l("Reason for the rejection"),
    "removed_on": _l("Removed on"), "request_type": _l("Request type"), "resolved_at": _l("Resolved at"),
    "resolved_by": _l("Resolved by"), "return_reason": _l("Reason for the return"),
    "reversal_reason": _l("Reason for the reversal"), "reversed_at": _l("Reversed at"),
    "reversed_by": _l("Reversed by"), "reviewed_at": _l("Reviewed at"), "reviewer": _l("Reviewer"),
    "revoked_at": _l("Revoked"), "role": _l("Role"), "schedule": _l("Advance schedule"), "scopes": _l("Scopes"),
    "segment": _l("Segment"), "self_readings_allowed": _l("Self-readings allowed"), "sent_at": _l("Sent"),
    "serial_number": _l("Serial number"), "service_category": _l("Service category"),
    "signed_document": _l("Signed document"), "staff_user": _l("Staff member"), "state": _l("State"),
    "street": _l("Street and number"), "subject": _l("Subject"), "submitted_at": _l("Submitted"),
    "submitted_by": _l("Submitted by"), "supply_point": _l("Supply point"), "supply_points": _l("Supply points"),
    "taxable_supply_on": _l("Date of taxable supply"), "team": _l("Team"), "teams": _l("Teams"), "text": _l("Text"),
    "ticket": _l("Ticket"), "ticket_kind": _l("Kind of ticket"), "title": _l("Title"), "to_state": _l("To state"),
    "topic": _l("Topic"), "topic_id": _l("Topic number"), "total": _l("Total"), "total_vat": _l("VAT"),
    "total_without_vat": _l("Total without VAT"), "totp_enabled_at": _l("Two-factor sign-in since"),
    "unit": _l("Unit"), "unit_price": _l("Unit price"), "updated_at": _l("Changed"), "upload": _l("File"),
    "used_at": _l("Used"), "valid_from": _l("Valid from"), "valid_to": _l("Valid to"), "value": _l("Reading"),
    "variable_symbol": _l("Variable symbol"), "vat": _l("VAT"), "vat_id": _l("DIČ"), "vat_rate": _l("VAT rate (%)"),
    "versions": _l("Earlier versions"), "via": _l("Via"), "visibility": _l("Visible to"),
    "visible_to_customer": _l("Visible to the customer"), "voided_at": _l("Voided"),
}


def local_datetime(value: datetime) -> str:
    """A moment in the portal's time zone (Prague), in the locale's format: 7. 12. 2026 10:05."""
    return f"{format_date(value, 'medium')} {format_time(value, 'short')}"


def yes_no(value: bool) -> Markup:
    icon = "fa-check-circle text-success" if value else "fa-minus-circle text-muted"
    return Markup('<span class="fa {}" aria-hidden="true"></span><span class="sr-only">{}</span>').format(
        icon, _("yes") if value else _("no"))


def _code(value):
    return value.value if isinstance(value, Enum) else value


DISPLAY_FORMATTERS = {
    type(None): lambda view, value, name: "",
    bool: lambda view, value, name: yes_no(value),
    datetime: lambda view, value, name: local_datetime(value),  # before date: a datetime is a date
    date: lambda view, value, name: format_date(value, "medium"),
    Decimal: lambda view, value, name: format_decimal(value),
    **{t: f for t, f in DEFAULT_FORMATTERS.items() if t not in (type(None), bool)},
}


def _money(view, context, model, name):
    return money(getattr(model, name))


class _CodeFilters:
    """A filter on a column of codes offers their labels (equal, not equal, empty), not free text."""

    def __init__(self, converter):
        self.converter = converter

    def convert(self, type_name, column, name, options=None, **kwargs):
        if options and type_name in ("String", "Unicode", "Text"):
            return [FilterEqual(column, name, options), FilterNotEqual(column, name, options),
                    FilterEmpty(column, name)]
        return self.converter.convert(type_name, column, name, options=options, **kwargs)


_ITEMS = re.compile(r"^(\d+) items?$")


# Flask-Admin's words that its Czech catalog gets wrong: "20 položky" after the page size (and
# no plural at all in the menu, whose msgids have the number baked in), "model" for a record.
OWN_WORDS = {"items": _l("items per page"),
             "Please select at least one record.": _l("Please select at least one record.")}


def admin_gettext(string: str, **variables) -> str:
    """Flask-Admin's own words in its templates: from its catalog, but OWN_WORDS from ours."""
    if string in OWN_WORDS:
        return str(OWN_WORDS[string]) % variables if variables else str(OWN_WORDS[string])
    return admin_babel.gettext(string, **variables)


def admin_ngettext(singular: str, plural: str, num: int, **variables) -> str:
    if _ITEMS.match(singular):
        return ngettext("%(num)d item", "%(num)d items", num)
    return admin_babel.ngettext(singular, plural, num, **variables)


class DisplayMixin:
    """Labels, codes as words and formats for a Flask-Admin ModelView (set before Flask-Admin
    caches its columns, forms and filters in ModelView.__init__)."""

    def __init__(self, model, *args, **kwargs):
        table = model.__table__
        own_choices = dict(self.column_choices or {})
        coded = {}
        for column in table.columns:
            code_labels = labels.column_labels(column)
            if code_labels and column.key not in own_choices:
                coded[column.key] = [(str(_code(code)), label) for code, label in code_labels.items()]
        self.column_choices = {**coded, **own_choices} or None
        self.column_labels = {**COLUMN_LABELS, **(self.column_labels or {})}
        own_formatters = dict(self.column_formatters or {})
        money_columns = {c.key: _money for c in table.columns if isinstance(c.type, Money)}
        self.column_formatters = {**money_columns, **own_formatters}
        if self.column_formatters_export is None:
            self.column_formatters_export = own_formatters  # exports keep plain numbers
        self.column_type_formatters = dict(DISPLAY_FORMATTERS)
        self.column_type_formatters_detail = dict(DISPLAY_FORMATTERS)
        self.filter_converter = _CodeFilters(self.filter_converter)
        super().__init__(model, *args, **kwargs)

    def _get_list_value(self, context, model, name, column_formatters, column_type_formatters):
        # With choices, Flask-Admin returns an empty coded column as None, which Jinja prints "None".
        value = super()._get_list_value(context, model, name, column_formatters, column_type_formatters)
        return "" if value is None else value

    def render(self, template, **kwargs):
        self._template_args.update(_gettext=admin_gettext, _ngettext=admin_ngettext)
        return super().render(template, **kwargs)
