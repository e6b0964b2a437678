"""Access after the customer's last contract has ended: invoices, documents and
messages stay readable for a while (6 months by default); then the portal users
are disabled by `flask --app portal close-ended-accounts` (run daily from cron)."""
from __future__ import annotations

import enum
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Select, func, select, update

from extensions import db
from models.contracts import Contract
from models.sessions import SessionEnd
from models.users import Module, PortalUser, PortalUserState
from services import audit
from services.accounts.sessions import end_sessions_of_ids
from services.api import feed

READ_ONLY_MODULES = frozenset({Module.INVOICES, Module.DOCUMENTS, Module.MESSAGES})


class AccessAfterContract(enum.StrEnum):
    """How much of the portal a customer's users keep, by its contracts."""

    FULL = "full"  # a contract runs (or none was ever made)
    READ_ONLY = "read_only"  # the grace period after the last one ended: READ_ONLY_MODULES, no changes
    CLOSED = "closed"  # the grace period is over too: nothing (the users are signed out)


def _grace() -> timedelta:
    return timedelta(days=30 * current_app.config["READ_ONLY_MONTHS_AFTER_CONTRACT"])


def access_after_contracts(customer_id: int, today: date | None = None) -> AccessAfterContract:
    """FULL while a contract runs (or none was ever made), READ_ONLY within the grace
    period after the last one ended, CLOSED after it."""
    today = today or date.today()
    count, running, last_end = db.session.execute(
        select(
            func.count(Contract.id),
            func.count(Contract.id).filter(~Contract.ended_before(today)),
            func.max(Contract.valid_to),
        ).where(Contract.customer_id == customer_id)
    ).one()
    if count == 0 or running:
        return AccessAfterContract.FULL
    return AccessAfterContract.READ_ONLY if last_end + _grace() >= today else AccessAfterContract.CLOSED


def ended_customers(today: date, *, grace_over: bool) -> Select:
    """SQL: the ids of the customers whose last contract has ended (READ_ONLY or CLOSED), or
    with `grace_over` only those whose read-only period is over too (CLOSED) — the rule of
    `access_after_contracts`, for work on many customers at once."""
    ended = (select(Contract.customer_id).group_by(Contract.customer_id)
             .having(func.count(Contract.id).filter(~Contract.ended_before(today)) == 0))
    return ended.having(func.max(Contract.valid_to) < today - _grace()) if grace_over else ended


def customers_without(module: str, today: date) -> Select:
    """SQL: the ids of the customers whose users have lost the module after their contracts."""
    return ended_customers(today, grace_over=module in READ_ONLY_MODULES)


def close_ended_accounts(today: date | None = None) -> int:
    """Disable the portal users of customers whose read-only period is over."""
    today = today or date.today()
    ended = ended_customers(today, grace_over=True)
    users = db.session.scalars(
        select(PortalUser).where(PortalUser.customer_id.in_(ended), PortalUser.state != PortalUserState.DISABLED)
    ).all()
    for user in users:
        audit.record("user_disabled_after_contract_end", user, customer_id=user.customer_id)
    if users:
        db.session.execute(
            update(PortalUser).where(PortalUser.id.in_([u.id for u in users]))
            .values(state=PortalUserState.DISABLED)
        )
        feed.changed_ids(feed.PORTAL_USERS, [u.id for u in users])
        end_sessions_of_ids(PortalUser, [u.id for u in users], SessionEnd.ACCOUNT_CHANGED)
    db.session.commit()
    return len(users)
