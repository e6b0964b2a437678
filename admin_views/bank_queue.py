"""The back office's queue of incoming bank transactions that matched nothing: billing staff
assign one to a customer by customer number (it becomes the customer's payment) or mark it as
returned to its sender."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from admin_views.base import ReadOnlyModelView
from extensions import db
from forms.billing import AssignBankTransactionForm, ReturnBankTransactionForm
from models.banking import UnmatchedBankTransaction
from models.users import StaffRole
from services import labels
from services.billing import bank_transactions
from services.i18n import money


def _money(view, context, model, name):
    return money(getattr(model, name))


def _state(view, context, model, name):
    return labels.BANK_TRANSACTION_STATES.get(model.state, model.state)


class UnmatchedBankTransactionView(ReadOnlyModelView):
    """Open transactions first, the longest waiting on top; each row leads to the page that
    assigns or returns it."""

    roles = (StaffRole.BILLING,)
    column_list = ("received_on", "amount", "variable_symbol", "counter_account", "counter_name", "message", "state")
    column_details_list = ("reference", "received_on", "amount", "variable_symbol", "counter_account", "counter_name",
                           "message", "state", "payment", "resolved_by", "resolved_at", "return_reason")
    column_labels = {"received_on": _l("Received"), "amount": _l("Amount"), "variable_symbol": _l("VS"),
                     "counter_account": _l("Counter account"), "counter_name": _l("Payer"),
                     "message": _l("Message"), "state": _l("State"), "reference": _l("Bank reference"),
                     "payment": _l("Payment"), "resolved_by": _l("Resolved by"), "resolved_at": _l("Resolved at"),
                     "return_reason": _l("Why returned")}
    column_formatters = {"amount": _money, "state": _state}
    column_formatters_detail = column_formatters
    column_searchable_list = ("reference", "variable_symbol", "counter_account", "counter_name", "message")
    column_filters = ("state", "received_on", "amount")
    column_extra_row_actions = [EndpointLinkRowAction("fa fa-check", ".resolve_view",
                                                      title=_l("Assign to a customer or return"))]

    def _get_default_order(self):
        for expression in bank_transactions.open_first():
            yield expression, [], False

    @expose("/resolve/", methods=("GET", "POST"))
    def resolve_view(self):
        transaction = self.get_one(request.args.get("id", "")) or abort(404)
        assign_form, return_form = AssignBankTransactionForm(), ReturnBankTransactionForm()
        action = request.form.get("action")
        if action == "assign" and assign_form.validate_on_submit():
            return self._assign(transaction, assign_form)
        if action == "return" and return_form.validate_on_submit():
            return self._return(transaction, return_form.reason.data.strip())
        return self.render("admin/bank_transaction.html", transaction=transaction, assign_form=assign_form,
                           return_form=return_form, state_labels=labels.BANK_TRANSACTION_STATES,
                           customer=bank_transactions.assigned_customer(transaction))

    def _assign(self, transaction, form):
        customer = form.customer
        try:
            payment, left = bank_transactions.assign(transaction, customer, current_user._get_current_object(),
                                                     (form.variable_symbol.data or "").strip() or None)
            db.session.commit()
        except bank_transactions.AlreadyResolved:
            return self._already_resolved(transaction)
        except IntegrityError:
            db.session.rollback()
            flash(_("A payment with this bank reference already exists; the transaction was not assigned."), "error")
            return redirect(url_for(".resolve_view", id=transaction.id))
        flash(_("The payment of %(amount)s is now customer %(number)s's.", amount=money(payment.amount),
                number=customer.number), "success")
        if left > 0:
            flash(_("%(amount)s of the payment could not be matched and waits for a decision.", amount=money(left)),
                  "warning")
        return redirect(url_for(".index_view"))

    def _return(self, transaction, reason: str):
        try:
            bank_transactions.return_to_sender(transaction, current_user._get_current_object(), reason)
            db.session.commit()
        except bank_transactions.AlreadyResolved:
            return self._already_resolved(transaction)
        flash(_("The transaction is marked as returned to its sender."), "success")
        return redirect(url_for(".index_view"))

    def _already_resolved(self, transaction):
        db.session.rollback()
        flash(_("Someone has already assigned or returned this transaction."), "error")
        return redirect(url_for(".resolve_view", id=transaction.id))


def register(admin, db_):
    admin.add_view(UnmatchedBankTransactionView(UnmatchedBankTransaction, name=_l("Unmatched bank transactions"),
                                                endpoint="bo_unmatched_bank_transactions",
                                                url="unmatched-bank-transactions", category=_l("Billing")))
