"""Payments: matched to invoices and advances by variable symbol, their undecided rest queued,
and reversed when wrong."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update

from extensions import db
from models.banking import BankTransactionState, RefundOrder, UnmatchedBankTransaction
from models.base import ZERO, utcnow
from models.billing import Advance, Invoice, InvoiceState, Payment, PaymentAllocation
from models.users import StaffUser
from services import audit


def invoice_state(invoice: Invoice, today: date) -> str:
    """The state that follows from the amounts and the due date."""
    if invoice.state == InvoiceState.CANCELLED:
        return invoice.state
    if invoice.amount_due <= ZERO:
        return InvoiceState.PAID
    if invoice.due_on < today:
        return InvoiceState.OVERDUE
    return InvoiceState.PARTLY_PAID if invoice.amount_paid > ZERO else InvoiceState.UNPAID


def allocate(payment: Payment, target: Invoice | Advance, share: Decimal, today: date) -> None:
    """`share` of the payment pays the invoice or advance; its state follows."""
    if isinstance(target, Invoice):
        payment.allocations.append(PaymentAllocation(invoice=target, amount=share))
        target.amount_paid += share
        target.state = invoice_state(target, today)
    else:
        payment.allocations.append(PaymentAllocation(advance=target, amount=share))
        target.amount_paid += share
        if target.amount_paid >= target.amount:
            target.paid_on = payment.received_on


def open_share(target: Invoice | Advance) -> Decimal:
    """What is still to pay on the invoice or advance."""
    if isinstance(target, Invoice):
        return target.amount_due
    return max(target.amount - target.amount_paid, ZERO)


def match(payment: Payment, today: date | None = None) -> Decimal:
    """Allocate the payment to the customer's open invoices and advances with its
    variable symbol, oldest due first. Returns what is left over: it waits in the back
    office's "to decide" queue (queue_rest) to be assigned, refunded or kept as credit."""
    today = today or date.today()
    if payment.is_reversed:
        return ZERO
    # Not what was refunded or kept as credit from it: staff decided about that part.
    left = undecided(payment)
    if payment.variable_symbol and left > ZERO:
        invoices = db.session.scalars(
            select(Invoice).where(Invoice.customer_id == payment.customer_id,
                                  Invoice.variable_symbol == payment.variable_symbol,
                                  Invoice.state != InvoiceState.CANCELLED)
            .order_by(Invoice.due_on, Invoice.id)
        ).all()
        advances = db.session.scalars(
            select(Advance).where(Advance.customer_id == payment.customer_id,
                                  Advance.variable_symbol == payment.variable_symbol)
            .order_by(Advance.due_on, Advance.id)
        ).all()
        for target in [*invoices, *advances]:
            if left <= ZERO:
                break
            share = min(left, open_share(target))
            if share > ZERO:
                allocate(payment, target, share, today)
                left -= share
        audit.record("payment_matched", payment, customer_id=payment.customer_id,
                     details={"allocated": str(payment.amount - left), "left": str(left)})
    queue_rest(payment)
    return left


def undecided(payment: Payment) -> Decimal:
    """The part of the payment that paid nothing and nobody decided about yet: the amount less
    what it paid and what was refunded or kept as credit from it."""
    db.session.flush()
    decided = db.session.scalar(
        select(func.coalesce(func.sum(UnmatchedBankTransaction.amount), 0))
        .where(UnmatchedBankTransaction.payment_id == payment.id, UnmatchedBankTransaction.customer_id.is_not(None),
               UnmatchedBankTransaction.state.in_((BankTransactionState.REFUNDED, BankTransactionState.CREDIT))))
    return payment.amount - payment.allocated - Decimal(decided)


def queue_rest(payment: Payment) -> UnmatchedBankTransaction | None:
    """Put the payment's undecided rest in the "to decide" queue (one open item per payment, its
    amount kept up to date); None when nothing is left."""
    db.session.flush()
    item = db.session.scalars(select(UnmatchedBankTransaction).where(
        UnmatchedBankTransaction.payment_id == payment.id, UnmatchedBankTransaction.customer_id.is_not(None),
        UnmatchedBankTransaction.state == BankTransactionState.OPEN)).one_or_none()
    rest = ZERO if payment.is_reversed else undecided(payment)
    if rest <= ZERO:
        if item is not None:
            db.session.delete(item)
        return None
    if item is None:
        item = UnmatchedBankTransaction(customer_id=payment.customer_id, payment_id=payment.id,
                                        received_on=payment.received_on, variable_symbol=payment.variable_symbol)
        db.session.add(item)
    item.amount = rest
    return item


class CannotReverse(Exception):
    """Already reversed, or money of it was refunded (the refund cannot be undone here)."""


def reverse(payment: Payment, staff: StaffUser, reason: str, today: date | None = None) -> UnmatchedBankTransaction | None:
    """Take the payment back: what it paid is owed again (the invoices' and advances' states
    follow), its rest leaves the queue, and it no longer counts in the balance. A payment the bank
    received (it has the bank's reference) goes back to the queue as a bank transaction to be
    assigned to the right customer or returned; that queued transaction is returned. Audited;
    the caller commits."""
    today = today or date.today()
    if payment.is_reversed or db.session.scalar(
            select(RefundOrder.id).where(RefundOrder.payment_id == payment.id).limit(1)) is not None:
        raise CannotReverse
    undone = []
    for allocation in list(payment.allocations):
        target = allocation.invoice or allocation.advance
        target.amount_paid -= allocation.amount
        if isinstance(target, Invoice):
            target.state = invoice_state(target, today)
        elif target.amount_paid < target.amount:
            target.paid_on = None
        undone.append({"invoice": allocation.invoice.number if allocation.invoice else None,
                       "advance_id": allocation.advance_id, "amount": str(allocation.amount)})
        payment.allocations.remove(allocation)
    payment.reversed_at, payment.reversed_by_id, payment.reversal_reason = utcnow(), staff.id, reason
    db.session.execute(
        update(UnmatchedBankTransaction)
        .where(UnmatchedBankTransaction.payment_id == payment.id, UnmatchedBankTransaction.customer_id.is_not(None),
               UnmatchedBankTransaction.state == BankTransactionState.OPEN)
        .values(state=BankTransactionState.WITHDRAWN, resolved_by_id=staff.id, resolved_at=utcnow())
        .execution_options(synchronize_session="fetch"))
    requeued = _requeue_bank_transaction(payment) if payment.reference else None
    audit.record("payment_reversed", payment, customer_id=payment.customer_id, actor=staff,
                 details={"amount": str(payment.amount), "reason": reason, "undone": undone,
                          "reference": requeued.reference if requeued else None})
    return requeued


def _requeue_bank_transaction(payment: Payment) -> UnmatchedBankTransaction:
    """The bank's money of a reversed payment waits in the queue again, under the bank's
    reference (which the reversed payment gives up, so that the right customer's payment can
    carry it)."""
    reference, payment.reference = payment.reference, None
    db.session.flush()
    queued = db.session.scalars(select(UnmatchedBankTransaction)
                                .where(UnmatchedBankTransaction.reference == reference)).one_or_none()
    if queued is None:
        queued = UnmatchedBankTransaction(reference=reference, received_on=payment.received_on, amount=payment.amount,
                                          variable_symbol=payment.variable_symbol)
        db.session.add(queued)
    else:
        queued.state, queued.payment_id, queued.resolved_by_id, queued.resolved_at = (
            BankTransactionState.OPEN, None, None, None)
    db.session.flush()
    return queued


def mark_overdue(today: date | None = None) -> int:
    """Move unpaid invoices past their due date to `overdue` (daily cron). Returns how many."""
    from sqlalchemy import update

    today = today or date.today()
    result = db.session.execute(
        update(Invoice)
        .where(Invoice.state.in_([InvoiceState.UNPAID, InvoiceState.PARTLY_PAID]), Invoice.due_on < today,
               Invoice.total > Invoice.amount_paid)
        .values(state=InvoiceState.OVERDUE)
    )
    db.session.commit()
    return result.rowcount
