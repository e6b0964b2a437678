"""Invoices (read only: an issued invoice never changes), advances and payments."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import format_date, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from admin_views.base import ReadOnlyModelView, StaffModelView
from admin_views.pickers import pickers
from extensions import db
from forms.billing import CancelInvoiceForm, PaymentForm, ReversePaymentForm
from models.billing import Advance, AdvanceSchedule, Invoice, InvoiceLine, Payment
from models.users import StaffRole
from services import audit
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
    form_ajax_refs = pickers(AdvanceSchedule, "supply_point", "contract")


class AdvanceView(StaffModelView):
    roles = BILLING
    can_create = False
    can_delete = False
    column_list = ("due_on", "schedule", "amount", "amount_paid", "paid_on", "variable_symbol")
    column_filters = ("due_on", "paid_on")
    column_default_sort = ("due_on", True)
    form_ajax_refs = pickers(Advance, "schedule")
    # What paid an advance is the payments' business (Billing → Payments), not typed here.
    form_excluded_columns = StaffModelView.form_excluded_columns + ("allocations",)


def _payment_amount(view, context, model, name):
    return money(getattr(model, name))


def _payment_allocations(view, context, model, name):
    paid = [f"{a.invoice.number if a.invoice else _('advance due %(day)s', day=format_date(a.advance.due_on))}: "
            f"{money(a.amount)}" for a in model.allocations]
    return "; ".join(paid) or "—"


def _payment_state(view, context, model, name):
    if model.is_reversed:
        return _("reversed: %(reason)s", reason=model.reversal_reason)
    return _("received")


class PaymentView(StaffModelView):
    """Payments billing staff enter (by customer number or variable symbol) and the bank's: each
    is matched by its variable symbol to the customer's invoices and advances, its rest waits in
    the "to decide" queue. Never edited nor deleted: a wrong payment is reversed."""

    roles = BILLING
    can_delete = False
    can_edit = False
    column_list = ("received_on", "customer", "amount", "variable_symbol", "reference", "reversed_at")
    column_details_list = ("customer", "received_on", "amount", "variable_symbol", "reference", "allocations",
                           "reversed_at", "reversed_by", "reversal_reason", "created_at")
    column_labels = {"received_on": _l("Received"), "customer": _l("Customer"), "amount": _l("Amount"),
                     "variable_symbol": _l("VS"), "reference": _l("Bank reference"), "reversed_at": _l("State"),
                     "allocations": _l("Paid"), "reversed_by": _l("Reversed by"),
                     "reversal_reason": _l("Why reversed"), "created_at": _l("Recorded")}
    column_formatters = {"amount": _payment_amount, "reversed_at": _payment_state}
    column_formatters_detail = {**column_formatters, "allocations": _payment_allocations}
    column_searchable_list = ("variable_symbol", "reference")
    column_filters = ("received_on", "amount")
    column_default_sort = ("received_on", True)
    column_extra_row_actions = [EndpointLinkRowAction("fa fa-undo", ".reverse_view", title=_l("Reverse"))]

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        form = PaymentForm()
        if form.validate_on_submit():
            customer = form.customer
            payment = Payment(customer_id=customer.id, received_on=form.received_on.data, amount=form.amount.data,
                              variable_symbol=(form.variable_symbol.data or "").strip() or None,
                              reference=form.reference.data)
            db.session.add(payment)
            try:
                db.session.flush()
                audit.record("payment_recorded", payment, customer_id=customer.id,
                             details={"amount": str(payment.amount), "received_on": payment.received_on,
                                      "variable_symbol": payment.variable_symbol, "reference": payment.reference})
                left = payments.match(payment)
                db.session.commit()
            except IntegrityError:  # the same bank reference recorded a moment ago by someone else
                db.session.rollback()
                form.reference.errors = [_("A payment or bank transaction with this reference is already recorded.")]
            else:
                flash(_("The payment of %(amount)s of customer %(number)s is recorded.", amount=money(payment.amount),
                        number=customer.number), "success")
                if left > 0:
                    flash(_("%(amount)s of the payment could not be matched and waits for a decision.",
                            amount=money(left)), "warning")
                return redirect(url_for(".details_view", id=payment.id))
        return self.render("admin/payment_new.html", form=form)

    @expose("/reverse/", methods=("GET", "POST"))
    def reverse_view(self):
        payment = self.get_one(request.args.get("id", "")) or abort(404)
        form = ReversePaymentForm()
        if not payment.is_reversed and form.validate_on_submit():
            try:
                requeued = payments.reverse(payment, current_user._get_current_object(), form.reason.data.strip())
                db.session.commit()
            except payments.CannotReverse:
                db.session.rollback()
                flash(_("This payment is already reversed, or part of it was refunded: it cannot be reversed."),
                      "error")
            else:
                flash(_("The payment is reversed; what it paid is due again."), "success")
                if requeued is not None:
                    flash(_("The bank transaction %(reference)s waits in the queue to be assigned or returned.",
                            reference=requeued.reference), "info")
                return redirect(url_for(".details_view", id=payment.id))
        return self.render("admin/payment_reverse.html", payment=payment, form=form)


def register(admin, db):
    category = _l("Billing")
    admin.add_view(InvoiceView(Invoice, name=_l("Invoices"), endpoint="bo_invoices", url="invoices", category=category))
    admin.add_view(InvoiceLineView(InvoiceLine, name=_l("Invoice lines"), endpoint="bo_invoice_lines", url="invoice-lines",
                                   category=category))
    admin.add_view(AdvanceScheduleView(AdvanceSchedule, name=_l("Advance schedules"), endpoint="bo_advance_schedules",
                                       url="advance-schedules", category=category))
    admin.add_view(AdvanceView(Advance, name=_l("Advances"), endpoint="bo_advances", url="advances", category=category))
    admin.add_view(PaymentView(Payment, name=_l("Payments"), endpoint="bo_payments", url="payments", category=category))
