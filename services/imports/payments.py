"""Received payments, keyed by the bank's transaction reference, matched by variable symbol
on arrival. A received payment never changes: a different amount under a known reference is
an error (a correction is a reversal in the back office)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models.billing import Payment
from models.customers import Customer
from services.billing.payments import match
from services.imports.cells import RecordError, day, money, optional, required

KEY = "reference"
FIELDS = ("reference", "customer_number", "received_on", "amount", "variable_symbol")


def parse(record: dict) -> dict:
    number = required(record, "customer_number", 10)
    customer_id = db.session.scalar(select(Customer.id).where(Customer.number == number))
    if customer_id is None:
        raise RecordError("customer_number", _l("No customer has the number %(number)s.", number=number))
    symbol = optional(record, "variable_symbol", 10)
    if symbol is not None and not symbol.isdigit():
        raise RecordError("variable_symbol", _l("A variable symbol has digits only."))
    return {"reference": required(record, "reference", 100), "customer_id": customer_id,
            "received_on": day(record, "received_on"), "amount": money(record, "amount"), "variable_symbol": symbol}


def apply(values: dict) -> str:
    known = db.session.scalars(select(Payment).where(Payment.reference == values["reference"])).one_or_none()
    if known is None:
        payment = Payment(**values)
        db.session.add(payment)
        db.session.flush()
        match(payment)
        return "created"
    if any(getattr(known, k) != v for k, v in values.items()):
        raise RecordError("reference", _l("A payment with this reference was received with other values; "
                                          "a received payment is not changed."))
    return "unchanged"
