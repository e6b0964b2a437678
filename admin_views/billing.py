"""Invoices (read only: an issued invoice never changes), advances and payments."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from admin_views.base import ReadOnlyModelView, StaffModelView
from extensions import db
from forms.billing import CancelInvoiceForm
from models.billing import Advance, AdvanceSchedule, Invoice, InvoiceLine, Payment
from models.users import StaffRole
from services.billing import invoicing, payments
from services.i18n import money

BILLING = (StaffRole.BILLING,)


class InvoiceView(ReadOnlyModelView):
    """Issued invoices are never edited; billing staff cancel one by issuing a credit note."""

    roles = BILLING + (StaffRole.CLERK,)
    column_extra_row_actions = [EndpointLinkRowAction("fa fa-ban", ".cancel_view",
                                                      title=_l("Cancel by a credit note"))]
    column_list = ("number", "customer", "kind", "issued_on", "due_on", "total", "amount_paid", "state")
    column_searchable_list = ("number", "variable_symbol")
    column_filters = ("kind", "state", "issued_on", "due_on")
    column_default_sort = ("issued_on", True)
    column_details_list = ("number", "kind", "customer", "supply_point", "contract", "issued_on", "taxable_supply_on",
                           "due_on", "period_from", "period_to", "variable_symbol", "total_without_vat", "total_vat",
                           "total", "amount_paid", "state", "cancels", "correction_reason", "lines")

    @expose("/cancel/", methods=("GET", "POST"))
    def cancel_view(self):
        if not current_user.has_role(*BILLING):
            abort(403)
        invoice = db.session.get(Invoice, request.args.get("id", type=int) or 0) or abort(404)
        form = CancelInvoiceForm()
        if form.validate_on_submit():
            try:
                note = invoicing.cancel_by_credit_note(invoice, current_user._get_current_object(),
                                                       form.reason.data.strip())
            except invoicing.CannotCancel:
                flash(_("This invoice is a credit note or already cancelled."), "error")
            else:
                db.session.commit()
                flash(_("Invoice %(number)s is cancelled by credit note %(note)s.", number=invoice.number,
                        note=note.number), "success")
                return redirect(url_for(".details_view", id=note.id))
        return self.render("admin/cancel_invoice.html", invoice=invoice, form=form)


class InvoiceLineView(ReadOnlyModelView):
    # The lines are part of the invoice: whoever reads invoices reads their lines, nobody else
    # (a technician has no business with prices and amounts).
    roles = InvoiceView.roles


class AdvanceScheduleView(StaffModelView):
    roles = BILLING
    column_list = ("customer_id", "supply_point", "valid_from", "amount", "frequency_months", "variable_symbol")
    column_searchable_list = ("variable_symbol",)
    form_excluded_columns = StaffModelView.form_excluded_columns + ("advances",)


class AdvanceView(StaffModelView):
    roles = BILLING
    can_create = False
    can_delete = False
    column_list = ("due_on", "schedule", "amount", "amount_paid", "paid_on", "variable_symbol")
    column_filters = ("due_on", "paid_on")
    column_default_sort = ("due_on", True)


class PaymentView(StaffModelView):
    """A payment recorded here is matched by its variable symbol to the customer's
    invoices and advances, whose states follow."""

    roles = BILLING
    can_delete = False
    can_edit = False
    form_columns = ("customer_id", "received_on", "amount", "variable_symbol", "reference")
    column_list = ("received_on", "customer_id", "amount", "variable_symbol", "reference")
    column_searchable_list = ("variable_symbol", "reference")
    column_filters = ("received_on",)
    column_default_sort = ("received_on", True)

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if is_created:
            left = payments.match(model)
            if left > 0:
                flash(_("%(amount)s of the payment could not be matched and waits for a decision.",
                        amount=money(left)), "warning")


def register(admin, db):
    category = _l("Billing")
    admin.add_view(InvoiceView(Invoice, name=_l("Invoices"), endpoint="bo_invoices", url="invoices", category=category))
    admin.add_view(InvoiceLineView(InvoiceLine, name=_l("Invoice lines"), endpoint="bo_invoice_lines", url="invoice-lines",
                                   category=category))
    admin.add_view(AdvanceScheduleView(AdvanceSchedule, name=_l("Advance schedules"), endpoint="bo_advance_schedules",
                                       url="advance-schedules", category=category))
    admin.add_view(AdvanceView(Advance, name=_l("Advances"), endpoint="bo_advances", url="advances", category=category))
    admin.add_view(PaymentView(Payment, name=_l("Payments"), endpoint="bo_payments", url="payments", category=category))
