"""A customer's open items for the back office: the invoices and the advances due by today that
are not paid yet, oldest due first, beside the balance of services.billing.balance."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.billing import Advance, Invoice, InvoiceState
from services.billing import balance

OPEN_STATES = (InvoiceState.UNPAID, InvoiceState.PARTLY_PAID, InvoiceState.OVERDUE)
SHOWN = 20


@dataclass
class OpenItem:
    kind: str  # invoice | advance
    record: Invoice | Advance
    due_on: date
    owed: Decimal
    overdue: bool


@dataclass
class Account:
    balance: Decimal  # positive: the customer owes; negative: the customer's credit
    credit: Decimal
    items: list[OpenItem]


def account(customer_id: int, today: date | None = None) -> Account:
    """The customer's balance as the statement closes today and its open items (at most SHOWN
    of each kind)."""
    today = today or date.today()
    invoices = db.session.scalars(select(Invoice).where(
        Invoice.customer_id == customer_id, Invoice.state.in_(OPEN_STATES), Invoice.total > Invoice.amount_paid)
        .order_by(Invoice.due_on, Invoice.id).limit(SHOWN)).all()
    advances = db.session.scalars(select(Advance).where(
        Advance.customer_id == customer_id, Advance.due_on <= today, Advance.amount > Advance.amount_paid)
        .order_by(Advance.due_on, Advance.id).limit(SHOWN)).all()
    items = [OpenItem("invoice", i, i.due_on, i.amount_due, i.due_on < today) for i in invoices]
    items += [OpenItem("advance", a, a.due_on, a.amount - a.amount_paid, a.due_on < today) for a in advances]
    items.sort(key=lambda item: (item.due_on, item.kind))
    now = balance.balance(until=today, customer_id=customer_id)
    return Account(now, balance.credit(now), items)
