"""What the customer owes now, the next advance and the last invoice: a few
aggregate queries, independent of how many invoices there are."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func

from extensions import db
from models.billing import Advance, Invoice, InvoiceState
from services.access import visible
from services.billing import balance


@dataclass
class Overview:
    due: Decimal
    overdue: Decimal
    credit: Decimal  # overpayments and credits: what the balance says is in the customer's favour
    balance: Decimal  # as the statement of account closes today
    next_advance: Advance | None
    last_invoice: Invoice | None


def overview(today: date | None = None) -> Overview:
    today = today or date.today()
    open_states = (InvoiceState.UNPAID, InvoiceState.PARTLY_PAID, InvoiceState.OVERDUE)
    owed = Invoice.total - Invoice.amount_paid
    due, overdue = db.session.execute(
        visible(Invoice, Invoice.state.in_(open_states), owed > 0).with_only_columns(
            func.coalesce(func.sum(owed), 0),
            func.coalesce(func.sum(owed).filter(Invoice.due_on < today), 0),
        )
    ).one()
    today_balance = balance.balance(until=today)
    next_advance = db.session.scalars(
        visible(Advance, Advance.due_on >= today, Advance.amount_paid < Advance.amount)
        .order_by(Advance.due_on).limit(1)
    ).first()
    last_invoice = db.session.scalars(visible(Invoice).order_by(Invoice.issued_on.desc(), Invoice.id.desc()).limit(1)).first()
    q = lambda v: Decimal(str(v)).quantize(Decimal("0.01"))  # noqa: E731
    return Overview(q(due), q(overdue), balance.credit(today_balance), today_balance, next_advance, last_invoice)
