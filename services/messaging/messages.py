"""Messages to customers: recipients resolved in the database, an e-mail notice to each of
their users who read messages (services.messaging.notices) written in the same transaction
(sent later by the outbox), and the
delivered/read records as an append-only hash chain per recipient."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update

from extensions import db
from models.base import utcnow
from models.customers import Customer
from models.messaging import Message, MessageAudience, MessageEvent, MessageRecipient
from models.outbox import OutgoingEmail
from services import audit
from services.api import feed
from services.messaging import notices
from services.outbox import DELIVERY_LISTENERS

TOPIC = notices.MESSAGE_TOPIC
GENESIS = "0" * 64
NUMBER = re.compile(r"\d{7}")
CHUNK = 1000


class UnknownCustomers(Exception):
    def __init__(self, numbers: list[str]):
        super().__init__(numbers)
        self.numbers = numbers


def parse_numbers(text: str) -> tuple[list[str], list[str]]:
    """(customer numbers, tokens that are not customer numbers) from a pasted list."""
    tokens = [t for t in re.split(r"[\s,;]+", text or "") if t]
    numbers = list(dict.fromkeys(t for t in tokens if NUMBER.fullmatch(t)))
    return numbers, [t for t in tokens if not NUMBER.fullmatch(t)]


def recipient_ids(audience: str, *, customer_number: str | None = None, segment: str | None = None,
                  numbers: list[str] | None = None) -> list[int]:
    if audience == MessageAudience.SEGMENT:
        return list(db.session.scalars(select(Customer.id).where(Customer.segment == segment).order_by(Customer.id)))
    wanted = [customer_number] if audience == MessageAudience.CUSTOMER else numbers or []
    found: dict[str, int] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        found.update(db.session.execute(select(Customer.number, Customer.id).where(Customer.number.in_(chunk))).all())
    missing = [n for n in wanted if n not in found]
    if missing:
        raise UnknownCustomers(missing)
    return [found[n] for n in wanted]


def send(message: Message, customer_ids: list[int]) -> int:
    """Store the message for its recipients and queue the notice e-mails (without the
    attachment: services.messaging.notices), all in the caller's transaction: a few bulk
    statements, whatever the count."""
    message.sent_at = utcnow()
    db.session.add(message)
    db.session.flush()
    if customer_ids:
        db.session.execute(insert(MessageRecipient), [{"message_id": message.id, "customer_id": c} for c in customer_ids])
    notices.announce_message(message)
    audit.record("message_sent", message, details={"audience": message.audience, "segment": message.segment,
                                                   "recipients": len(customer_ids)})
    return len(customer_ids)


def _append(recipient: MessageRecipient, kind: str, at: datetime, via: str | None) -> MessageEvent:
    previous = db.session.scalar(select(MessageEvent.record_hash).where(MessageEvent.recipient_id == recipient.id)
                                 .order_by(MessageEvent.id.desc()).limit(1))
    event = MessageEvent(recipient_id=recipient.id, kind=kind, at=at, via=via,
                         message_hash=recipient.message.content_hash, previous_hash=previous or GENESIS)
    event.record_hash = event.compute_hash()
    db.session.add(event)
    feed.changed(feed.MESSAGE_RECEIPTS, event)
    return event


def record_delivered(recipient: MessageRecipient, via: str, at: datetime | None = None) -> bool:
    """The first delivery only: the conditional UPDATE makes two at once record one."""
    now = at or utcnow()
    done = db.session.execute(update(MessageRecipient).where(
        MessageRecipient.id == recipient.id, MessageRecipient.delivered_at.is_(None))
        .values(delivered_at=now, delivered_via=via)).rowcount
    if done:
        _append(recipient, "delivered", now, via)
        db.session.refresh(recipient)
    return bool(done)


def record_read(recipient: MessageRecipient, at: datetime | None = None) -> bool:
    if recipient.delivered_at is None:
        record_delivered(recipient, "portal", at)
    now = at or utcnow()
    done = db.session.execute(update(MessageRecipient).where(
        MessageRecipient.id == recipient.id, MessageRecipient.read_at.is_(None)).values(read_at=now)).rowcount
    if done:
        _append(recipient, "read", now, "portal")
        db.session.refresh(recipient)
    return bool(done)


def mark_listed_delivered(recipients: list[MessageRecipient]) -> None:
    """Shown in the recipient's portal inbox: delivered, if the e-mail did not get there first."""
    for recipient in recipients:
        if recipient.delivered_at is None:
            record_delivered(recipient, "portal")


def _delivered_by_email(email: OutgoingEmail) -> None:
    recipient = db.session.get(MessageRecipient, email.topic_id)
    if recipient is not None:
        record_delivered(recipient, "email")


DELIVERY_LISTENERS[TOPIC] = _delivered_by_email


@dataclass
class ChainCheck:
    events: list[MessageEvent]
    intact: bool


def verify(recipient: MessageRecipient) -> ChainCheck:
    """Recompute every record's hash and link: any edited, removed or reordered record breaks it,
    and so does a change of the message after it was delivered."""
    events = db.session.scalars(select(MessageEvent).where(MessageEvent.recipient_id == recipient.id)
                                .order_by(MessageEvent.id)).all()
    previous, intact = GENESIS, True
    for event in events:
        intact &= (event.previous_hash == previous and event.record_hash == event.compute_hash()
                   and event.message_hash == recipient.message.content_hash)
        previous = event.record_hash
    return ChainCheck(events, intact)


def counts(message: Message) -> dict[str, int]:
    total, delivered, read = db.session.execute(
        select(func.count(MessageRecipient.id), func.count(MessageRecipient.delivered_at), func.count(MessageRecipient.read_at))
        .where(MessageRecipient.message_id == message.id)).one()
    return {"total": total, "delivered": delivered, "read": read, "not_delivered": total - delivered}


def unread_count(scope) -> int:
    return db.session.scalar(select(func.count(MessageRecipient.id)).where(
        MessageRecipient.customer_id == scope.customer_id, MessageRecipient.read_at.is_(None))) or 0
