"""The back office's "to decide" queue. An incoming bank transaction that matched nothing billing
staff assign to a customer by customer number (it becomes the customer's payment) or mark as
returned to its sender; the rest of a customer's payment (it paid nothing, or more than was due)
they assign to an invoice or advance, refund to the customer's account, or keep as credit."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import format_date, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from admin_views.base import ReadOnlyModelView
from extensions import db
from forms.billing import AssignBankTransactionForm, AssignRestForm, ReturnBankTransactionForm
from forms.common import ConfirmForm
from models.banking import BankTransactionState, RefundOrder, UnmatchedBankTransaction
from models.billing import Invoice
from models.users import StaffRole
from services import labels
from services.billing import bank_transactions
from services.i18n import money


def _money(view, context, model, name):
    return money(getattr(model, name))


def _state(view, context, model, name):
    return state_label(model)


def state_label(item) -> str:
    if item.is_rest and item.state == BankTransactionState.ASSIGNED:
        return _("assigned to an invoice or advance")
    return labels.BANK_TRANSACTION_STATES.get(item.state, item.state)


def _customer(view, context, model, name):
    return str(model.customer) if model.customer is not None else "—"


class UnmatchedBankTransactionView(ReadOnlyModelView):
    """Open transactions first, the longest waiting on top; each row leads to the page that
    assigns or returns it."""

    roles = (StaffRole.BILLING,)
    column_list = ("received_on", "amount", "customer", "variable_symbol", "counter_account", "counter_name", "message",
                   "state")
    column_details_list = ("reference", "customer", "received_on", "amount", "variable_symbol", "counter_account",
                           "counter_name", "message", "state", "payment", "resolved_by", "resolved_at", "return_reason")
    column_labels = {"received_on": _l("Received"), "amount": _l("Amount"), "variable_symbol": _l("VS"),
                     "counter_account": _l("Counter account"), "counter_name": _l("Payer"),
                     "message": _l("Message"), "state": _l("State"), "reference": _l("Bank reference"),
                     "payment": _l("Payment"), "resolved_by": _l("Resolved by"), "resolved_at": _l("Resolved at"),
                     "return_reason": _l("Why returned"), "customer": _l("Customer's payment")}
    column_formatters = {"amount": _money, "state": _state, "customer": _customer}
    column_formatters_detail = column_formatters
    column_searchable_list = ("reference", "variable_symbol", "counter_account", "counter_name", "message")
    column_filters = ("state", "received_on", "amount")
    column_extra_row_actions = [EndpointLinkRowAction("fa fa-check", ".resolve_view",
                                                      title=_l("Decide"))]

    def _get_default_order(self):
        for expression in bank_transactions.open_first():
            yield expression, [], False

    @expose("/resolve/", methods=("GET", "POST"))
    def resolve_view(self):
        transaction = self.get_one(request.args.get("id", "")) or abort(404)
        if transaction.is_rest:
            return self._decide_rest(transaction)
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

    def _decide_rest(self, item):
        """The rest of a customer's payment: assign it, refund it or keep it as credit."""
        targets = {_target_key(t): t for t in bank_transactions.payment_targets(item)} if item.is_open else {}
        assign_form, confirm = AssignRestForm(), ConfirmForm()
        assign_form.target.choices = [(key, _target_label(t)) for key, t in targets.items()]
        action = request.form.get("action")
        staff = current_user._get_current_object()
        try:
            if action == "assign" and assign_form.validate_on_submit():
                left = bank_transactions.assign_rest(item, targets[assign_form.target.data], staff)
                db.session.commit()
                flash(_("The amount pays %(target)s.", target=_target_label(targets[assign_form.target.data])),
                      "success")
                if left > 0:
                    flash(_("%(amount)s of the payment could not be matched and waits for a decision.",
                            amount=money(left)), "warning")
                return redirect(url_for(".index_view"))
            if action == "refund" and confirm.validate_on_submit():
                order = bank_transactions.refund(item, staff)
                db.session.commit()
                flash(_("A refund order of %(amount)s to the account %(account)s is made.", amount=money(order.amount),
                        account=order.bank_account), "success")
                return redirect(url_for(".index_view"))
            if action == "credit" and confirm.validate_on_submit():
                bank_transactions.keep_as_credit(item, staff)
                db.session.commit()
                flash(_("The amount stays the customer's credit."), "success")
                return redirect(url_for(".index_view"))
        except bank_transactions.AlreadyResolved:
            return self._already_resolved(item)
        except bank_transactions.NothingToPay:
            db.session.rollback()
            assign_form.target.errors = [_("Choose one of the customer's open invoices or advances.")]
        except bank_transactions.NoAccount:
            db.session.rollback()
            flash(_("Customer %(number)s has no bank account in their data: add it to the customer first, or keep "
                    "the amount as credit.", number=item.customer.number), "error")
        return self.render("admin/payment_rest.html", item=item, assign_form=assign_form, confirm=confirm,
                           state=state_label(item), refund=_refund_of(item))

    def _already_resolved(self, transaction):
        db.session.rollback()
        flash(_("Someone has already assigned or returned this transaction."), "error")
        return redirect(url_for(".resolve_view", id=transaction.id))


def _target_key(target) -> str:
    return f"{'invoice' if isinstance(target, Invoice) else 'advance'}-{target.id}"


def _target_label(target) -> str:
    if isinstance(target, Invoice):
        return _("invoice %(number)s (VS %(symbol)s), due %(due)s, %(amount)s to pay", number=target.number,
                 symbol=target.variable_symbol, due=format_date(target.due_on), amount=money(target.amount_due))
    return _("advance (VS %(symbol)s), due %(due)s, %(amount)s to pay", symbol=target.variable_symbol,
             due=format_date(target.due_on), amount=money(target.amount - target.amount_paid))


def _refund_of(item):
    return db.session.scalars(select(RefundOrder).where(RefundOrder.queue_item_id == item.id)).one_or_none()


class RefundOrderView(ReadOnlyModelView):
    """Refunds ordered from the rests of payments, for the bank."""

    roles = (StaffRole.BILLING,)
    column_list = ("ordered_on", "customer", "amount", "bank_account", "ordered_by")
    column_details_list = ("ordered_on", "customer", "amount", "bank_account", "payment", "ordered_by", "created_at")
    column_labels = {"ordered_on": _l("Ordered on"), "customer": _l("Customer"), "amount": _l("Amount"),
                     "bank_account": _l("Account"), "ordered_by": _l("Ordered by"), "payment": _l("Payment"),
                     "created_at": _l("Recorded")}
    column_formatters = {"amount": _money}
    column_formatters_detail = column_formatters
    column_searchable_list = ("bank_account",)
    column_filters = ("ordered_on",)
    column_default_sort = ("ordered_on", True)


def register(admin, db_):
    admin.add_view(UnmatchedBankTransactionView(UnmatchedBankTransaction, name=_l("Payments to decide"),
                                                endpoint="bo_unmatched_bank_transactions",
                                                url="unmatched-bank-transactions", category=_l("Billing")))
    admin.add_view(RefundOrderView(RefundOrder, name=_l("Refund orders"), endpoint="bo_refund_orders",
                                   url="refund-orders", category=_l("Billing")))
