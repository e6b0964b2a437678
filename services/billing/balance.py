"""The customer's account balance: one definition for the statement of account, the invoices'
overview and the back office.

The balance is what was charged (invoices, with the negative totals of credit notes and of
settlements in the customer's favour; advances from their due day; refunds sent to the customer)
less what the customer paid (every payment not reversed, whether it paid an invoice or nothing
yet). Positive: the customer owes. Negative: the customer's credit — an overpayment, a payment
that paid nothing yet, a settlement or a paid-and-cancelled invoice in the customer's favour.
A portal user limited to some supply points sees only their part (the payments' parts that paid
those supply points' invoices and advances)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select

from extensions import db
from models.banking import RefundOrder
from models.base import ZERO
from models.billing import Advance, Invoice, Payment, PaymentAllocation
from services.access import current_scope, visible

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Ledger:
    """The SELECTs of the records that move the balance."""

    invoices: Select
    advances: Select
    payments: Select
    refunds: Select
    # The portal user's supply-point limit (None: the whole customer).
    limit: frozenset[int] | None = None


# The day each kind of record counts from.
_DAY = {"invoices": Invoice.issued_on, "advances": Advance.due_on, "payments": Payment.received_on,
        "refunds": RefundOrder.ordered_on}


def ledger(customer_id: int | None = None) -> Ledger:
    """The records of the signed-in portal user's customer (as far as the user sees them), or,
    given `customer_id` (the back office), of that whole customer."""
    not_reversed = Payment.reversed_at.is_(None)
    if customer_id is None:
        return Ledger(visible(Invoice), visible(Advance), visible(Payment, not_reversed), visible(RefundOrder),
                      current_scope().supply_point_ids)
    return Ledger(
        select(Invoice).where(Invoice.customer_id == customer_id),
        select(Advance).where(Advance.customer_id == customer_id),
        select(Payment).where(Payment.customer_id == customer_id, not_reversed),
        select(RefundOrder).where(RefundOrder.customer_id == customer_id))


def within(book: Ledger, *, since: date | None = None, until: date | None = None,
           before: date | None = None) -> Ledger:
    """The ledger's records of days from `since`, to `until` (inclusive) and before `before`."""
    changed = {}
    for name, day in _DAY.items():
        query = getattr(book, name)
        if since:
            query = query.where(day >= since)
        if until:
            query = query.where(day <= until)
        if before:
            query = query.where(day < before)
        changed[name] = query
    return replace(book, **changed)


def _parts(limit: frozenset[int]):
    return (select(PaymentAllocation.payment_id, func.sum(PaymentAllocation.amount).label("amount"))
            .where(PaymentAllocation.concerns_supply_points(limit)).group_by(PaymentAllocation.payment_id).subquery())


def credited(book: Ledger) -> list[tuple[Payment, Decimal]]:
    """(payment, the amount it credits): all of it, or for a limited user the part that paid
    their supply points' invoices and advances."""
    if book.limit is None:
        return [(payment, payment.amount) for payment in db.session.scalars(book.payments)]
    part = _parts(book.limit)
    return db.session.execute(book.payments.join(part, part.c.payment_id == Payment.id)
                              .add_columns(part.c.amount)).all()


def _sum(query: Select, column):
    return query.with_only_columns(func.coalesce(func.sum(column), 0)).scalar_subquery()


def total(book: Ledger) -> Decimal:
    """The ledger's balance, in one aggregate query (no rows loaded)."""
    if book.limit is None:
        paid = _sum(book.payments, Payment.amount)
    else:
        part = _parts(book.limit)
        paid = _sum(book.payments.join(part, part.c.payment_id == Payment.id), part.c.amount)
    sums = db.session.execute(select(_sum(book.invoices, Invoice.total), _sum(book.advances, Advance.amount),
                                     _sum(book.refunds, RefundOrder.amount), paid)).one()
    invoiced, advanced, refunded, paid = (Decimal(str(value or 0)) for value in sums)
    return (invoiced + advanced + refunded - paid).quantize(CENT)


def balance(*, until: date | None = None, before: date | None = None, customer_id: int | None = None) -> Decimal:
    """The balance on a day (`until` it inclusive, or `before` it), of the portal user's customer
    or of `customer_id`."""
    return total(within(ledger(customer_id), until=until, before=before))


def credit(value: Decimal) -> Decimal:
    """The customer's credit (overpayment) a balance means: what is in the customer's favour."""
    return max(-value, ZERO)
