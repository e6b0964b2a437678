"""The change feed: every change the supplier's systems pull (a self-reading, an approved change
request, a ticket's state or reply, a message's delivery or read record, a new or disabled portal
user) is noted by one call, `changed(topic, record)`, in the transaction of the change.

The entries get their numbers when that transaction commits, under the lock of the one counter
row, which is held until the commit ends. So a transaction numbers its changes only after every
earlier-numbered transaction has committed: numbers become visible in their own order, and
"the changes after N" never later grows a number below one already served. That closes the
classic gap of a sequence, where a higher number commits before a lower one and a client whose
cursor passed it never sees the lower one. (SQLite serialises writers anyway; on PostgreSQL the
counter row's lock does it.) The lock is held only from the numbering to the end of the commit,
not for the transaction's work."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from extensions import db
from models.api import ApiChange, ApiChangeCounter
from models.base import utcnow

SELF_READINGS = "self-readings"
CHANGE_REQUESTS = "change-requests"
TICKETS = "tickets"
MESSAGE_RECEIPTS = "message-receipts"
PORTAL_USERS = "portal-users"
TOPICS = (SELF_READINGS, CHANGE_REQUESTS, TICKETS, MESSAGE_RECEIPTS, PORTAL_USERS)

_PENDING = "api_feed_pending"


def changed(topic: str, record) -> None:
    """Note that `record` (a model instance, flushed or not, or its id) of `topic` changed in the
    current transaction. Several notes of one record in one transaction make one entry."""
    if topic not in TOPICS:
        raise ValueError(f"unknown change feed topic {topic!r}")
    db.session.info.setdefault(_PENDING, []).append((topic, record))


def changed_ids(topic: str, ids) -> None:
    """The same for many records at once (a bulk update)."""
    for record_id in ids:
        changed(topic, int(record_id))


@dataclass
class Page:
    entries: list[ApiChange]
    next_cursor: int
    has_more: bool


def read(topic: str, after: int, limit: int) -> Page:
    """The entries of `topic` numbered above `after`, oldest first, at most `limit`."""
    rows = list(db.session.scalars(select(ApiChange).where(ApiChange.topic == topic, ApiChange.number > after)
                                   .order_by(ApiChange.number).limit(limit + 1)))
    entries = rows[:limit]
    return Page(entries, entries[-1].number if entries else after, len(rows) > limit)


def _record_id(record) -> int | None:
    if isinstance(record, int):
        return record
    state = inspect(record)
    # Rolled back with a savepoint, or deleted in the same transaction: nothing to pull.
    if not state.persistent or state.deleted:
        return None
    return state.identity[0]


def _allocate(session: Session, count: int) -> int:
    """Reserve `count` numbers; the last one. The upsert takes the counter row's lock, which the
    transaction keeps until it ends (and creates the row the first time)."""
    table = ApiChangeCounter.__table__
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(id=1, last=count)
    statement = statement.on_conflict_do_update(index_elements=[table.c.id], set_={"last": table.c.last + count})
    return session.execute(statement.returning(table.c.last)).scalar_one()


@event.listens_for(Session, "before_commit")
def _number_the_changes(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the ids of records added in this transaction
    entries = {}
    for topic, record in pending:
        record_id = _record_id(record)
        if record_id is not None:
            entries.setdefault((topic, record_id), None)
    if not entries:
        return
    last = _allocate(session, len(entries))
    first = last - len(entries) + 1
    now = utcnow()
    session.execute(insert(ApiChange), [{"number": first + n, "topic": topic, "record_id": record_id, "changed_at": now}
                                        for n, (topic, record_id) in enumerate(entries)])


@event.listens_for(Session, "after_transaction_end")
def _forget_on_rollback(session: Session, transaction) -> None:
    # A rolled-back transaction's notes go with it (a committed one took them already).
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
