"""What each pull topic serves: the records its feed entries name, loaded together (one query
per topic and page, their parts eagerly)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from extensions import db
from models.changes import ChangeRequest, ChangeState
from models.messaging import MessageEvent, MessageRecipient
from models.metering import Meter, MeterReading, ReadingKind, Register
from models.tickets import Ticket
from models.users import PortalUser
from services.api import feed


def _self_readings(ids):
    return select(MeterReading).where(MeterReading.id.in_(ids), MeterReading.kind == ReadingKind.SELF).options(
        joinedload(MeterReading.register).joinedload(Register.meter).joinedload(Meter.supply_point),
        joinedload(MeterReading.submitted_by), joinedload(MeterReading.supply_point))


def _change_requests(ids):
    return select(ChangeRequest).where(ChangeRequest.id.in_(ids), ChangeRequest.state == ChangeState.APPROVED).options(
        joinedload(ChangeRequest.customer), joinedload(ChangeRequest.advance_schedule),
        selectinload(ChangeRequest.fields))


def _tickets(ids):
    return select(Ticket).where(Ticket.id.in_(ids)).options(
        joinedload(Ticket.customer), joinedload(Ticket.supply_point), joinedload(Ticket.request_type),
        joinedload(Ticket.service_category), selectinload(Ticket.entries))


def _message_receipts(ids):
    return select(MessageEvent, MessageRecipient).join(MessageRecipient, MessageRecipient.id == MessageEvent.recipient_id) \
        .where(MessageEvent.id.in_(ids)).options(joinedload(MessageRecipient.message),
                                                 joinedload(MessageRecipient.customer))


def _portal_users(ids):
    return select(PortalUser).where(PortalUser.id.in_(ids)).options(joinedload(PortalUser.customer))


QUERIES = {feed.SELF_READINGS: _self_readings, feed.CHANGE_REQUESTS: _change_requests, feed.TICKETS: _tickets,
           feed.MESSAGE_RECEIPTS: _message_receipts, feed.PORTAL_USERS: _portal_users}
if set(QUERIES) != set(feed.TOPICS):
    raise RuntimeError("every change feed topic needs its query here")


def load(topic: str, ids: list[int]) -> dict[int, object]:
    """id -> record of the topic; a record since deleted is missing. A message receipt comes as
    (event, its recipient)."""
    if not ids:
        return {}
    result = db.session.execute(QUERIES[topic](sorted(set(ids)))).unique()
    if topic == feed.MESSAGE_RECEIPTS:
        return {event.id: (event, recipient) for event, recipient in result}
    return {record.id: record for record in result.scalars()}
