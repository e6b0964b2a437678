"""Matching received payments to invoices and advances by variable symbol."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.base import ZERO
from models.billing import Advance, Invoice, InvoiceState, Payment, PaymentAllocation
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


def match(payment: Payment, today: date | None = None) -> Decimal:
    """Allocate the payment to the customer's open invoices and advances with its
    variable symbol, oldest due first. Returns what is left over (an overpayment,
    kept on the payment for the back office to refund or carry forward)."""
    today = today or date.today()
    left = payment.amount - sum((a.amount for a in payment.allocations), ZERO)
    if not payment.variable_symbol or left <= ZERO:
        return left
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
    for invoice in invoices:
        if left <= ZERO:
            break
        share = min(left, invoice.amount_due)
        if share > ZERO:
            payment.allocations.append(PaymentAllocation(invoice=invoice, amount=share))
            invoice.amount_paid += share
            invoice.state = invoice_state(invoice, today)
            left -= share
    for advance in advances:
        if left <= ZERO:
            break
        share = min(left, advance.amount - advance.amount_paid)
        if share > ZERO:
            payment.allocations.append(PaymentAllocation(advance=advance, amount=share))
            advance.amount_paid += share
            if advance.amount_paid >= advance.amount:
                advance.paid_on = payment.received_on
            left -= share
    audit.record("payment_matched", payment, customer_id=payment.customer_id,
                 details={"allocated": str(payment.amount - left), "left": str(left)})
    return left


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
