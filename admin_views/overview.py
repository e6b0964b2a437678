"""Figures on the back office's home page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from extensions import db
from models.customers import Customer
from models.outbox import EmailState, OutgoingEmail


def home_figures() -> list[tuple]:
    count = lambda stmt: db.session.scalar(stmt) or 0  # noqa: E731
    return [
        (_l("Customers"), count(select(func.count(Customer.id))), "bo_customers.index_view"),
        (_l("E-mails waiting to be sent"),
         count(select(func.count(OutgoingEmail.id)).where(OutgoingEmail.state == EmailState.QUEUED)),
         "bo_outbox.index_view"),
    ]
