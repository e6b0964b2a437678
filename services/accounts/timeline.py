"""Everything about one customer on one line of time, newest first: change requests, tickets,
messages, sign-ins of its portal users, payments, invoices and audit entries.

The page is picked in the database: each kind gives its newest `offset + size + 1` keys
(kind, id, time) along its own index, one UNION ALL orders them and cuts the page, and the
page's records are then loaded with one query per kind on it. The number of queries is the
same for a customer with five entries and for one with fifty thousand."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, String, cast, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from extensions import db
from models.audit import AuditEntry
from models.billing import Invoice, Payment
from models.changes import ChangeRequest
from models.messaging import Message, MessageRecipient
from models.sessions import SignInSession
from models.tickets import Ticket
from models.users import PortalUser

KINDS = ("change", "ticket", "message", "sign_in", "payment", "invoice", "audit")
PAGE_SIZE = 25
MAX_PAGE = 400  # deeper than anyone reads; keeps the inner limits bounded


@dataclass
class Item:
    kind: str
    at: datetime | object  # a datetime, or the day of an invoice or payment
    record: object


@dataclass
class Page:
    items: list[Item]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _day(column):
    """A day as a time the union can order beside timestamps. SQLite keeps both as ISO text,
    which orders right as it is; PostgreSQL needs the day cast to a timestamp."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(column, DateTime(timezone=True))
    return column


def _keys(kind: str, customer_id: int):
    """(the id column, the time column, the criteria) of one kind of record of the customer."""
    if kind == "change":
        return ChangeRequest.id, ChangeRequest.submitted_at, (ChangeRequest.customer_id == customer_id,), None
    if kind == "ticket":
        return Ticket.id, Ticket.created_at, (Ticket.customer_id == customer_id,), None
    if kind == "message":
        at = func.coalesce(MessageRecipient.delivered_at, Message.sent_at, Message.created_at)
        return MessageRecipient.id, at, (MessageRecipient.customer_id == customer_id,), \
            (Message, Message.id == MessageRecipient.message_id)
    if kind == "sign_in":
        users = select(PortalUser.id).where(PortalUser.customer_id == customer_id)
        return SignInSession.id, SignInSession.started_at, (SignInSession.portal_user_id.in_(users),), None
    if kind == "payment":
        return Payment.id, _day(Payment.received_on), (Payment.customer_id == customer_id,), None
    if kind == "invoice":
        return Invoice.id, _day(Invoice.issued_on), (Invoice.customer_id == customer_id,), None
    return AuditEntry.id, AuditEntry.at, (AuditEntry.customer_id == customer_id,), None


def _branch(kind: str, customer_id: int, limit: int):
    id_, at, criteria, join = _keys(kind, customer_id)
    query = select(cast(literal(kind), String(10)).label("kind"), id_.label("id"), at.label("at")).where(*criteria)
    if join is not None:
        query = query.join(*join)
    newest = query.order_by(at.desc(), id_.desc()).limit(limit).subquery()
    return select(newest.c.kind, newest.c.id, newest.c.at)


def _load(kind: str, ids: list[int]) -> dict[int, object]:
    if kind == "change":
        query = select(ChangeRequest).where(ChangeRequest.id.in_(ids))
    elif kind == "ticket":
        query = select(Ticket).where(Ticket.id.in_(ids))
    elif kind == "message":
        query = select(MessageRecipient).where(MessageRecipient.id.in_(ids)).options(
            selectinload(MessageRecipient.message))
    elif kind == "sign_in":
        query = select(SignInSession).where(SignInSession.id.in_(ids))
    elif kind == "payment":
        query = select(Payment).where(Payment.id.in_(ids))
    elif kind == "invoice":
        query = select(Invoice).where(Invoice.id.in_(ids))
    else:
        query = select(AuditEntry).where(AuditEntry.id.in_(ids))
    return {record.id: record for record in db.session.scalars(query)}


def _time(kind: str, record) -> object:
    if kind == "message":
        return record.delivered_at or record.message.sent_at or record.message.created_at
    return {"change": lambda r: r.submitted_at, "ticket": lambda r: r.created_at, "sign_in": lambda r: r.started_at,
            "payment": lambda r: r.received_on, "invoice": lambda r: r.issued_on,
            "audit": lambda r: r.at}[kind](record)


def sign_in_users(items: list[Item]) -> dict[int, PortalUser]:
    """The portal users of the page's sign-ins, in one query."""
    ids = {item.record.portal_user_id for item in items if item.kind == "sign_in"}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(PortalUser).where(PortalUser.id.in_(ids)))}


def timeline(customer_id: int, kinds: tuple[str, ...] | list[str] = KINDS, page: int = 1,
             size: int = PAGE_SIZE) -> Page:
    """One page of the customer's timeline, of the chosen kinds, newest first."""
    kinds = [kind for kind in KINDS if kind in kinds] or list(KINDS)
    page = min(max(page, 1), MAX_PAGE)
    offset = (page - 1) * size
    union = union_all(*(_branch(kind, customer_id, offset + size + 1) for kind in kinds)).subquery()
    keys = db.session.execute(
        select(union.c.kind, union.c.id).order_by(union.c.at.desc(), union.c.kind, union.c.id.desc())
        .offset(offset).limit(size + 1)
    ).all()
    has_next = len(keys) > size
    keys = keys[:size]
    wanted: dict[str, list[int]] = {}
    for kind, id_ in keys:
        wanted.setdefault(kind, []).append(id_)
    records = {kind: _load(kind, ids) for kind, ids in wanted.items()}
    items = []
    for kind, id_ in keys:
        record = records[kind].get(id_)
        if record is not None:
            items.append(Item(kind, _time(kind, record), record))
    return Page(items, page, has_next)
