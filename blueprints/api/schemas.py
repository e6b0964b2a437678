"""The JSON documents of the API, as marshmallow schemas: the pull records are dumped with them
and the OpenAPI document (blueprints/api/openapi.py) is generated from them, so what is served
is what is documented. Each schema's `pre_dump` says where its values come from."""
from __future__ import annotations

from marshmallow import Schema, fields, pre_dump
from marshmallow.validate import OneOf

from models.changes import ChangeKind
from models.metering import ReadingReason, ReadingState
from models.tickets import EntryKind, Priority, TicketKind, TicketState
from models.users import PortalUserState
from services.api import feed
from services.tickets.workflow import customer_entries


def _values(enum_cls) -> OneOf:
    return OneOf([member.value for member in enum_cls])


def text(**kwargs):
    return fields.String(required=True, **kwargs)


def maybe_text(**kwargs):
    return fields.String(required=True, allow_none=True, **kwargs)


def moment(nullable: bool = False):
    return fields.AwareDateTime(required=True, allow_none=nullable, format="iso")


class SelfReadingSchema(Schema):
    """A meter reading the customer entered in the portal, with its check by staff."""

    id = fields.Integer(required=True)
    customer_number = text()
    supply_point = text(metadata={"description": "EAN (electricity) or EIC (gas)"})
    meter = text(metadata={"description": "the meter's serial number"})
    register = text(validate=OneOf(["T", "VT", "NT"]))
    unit = text(validate=OneOf(["kWh", "m3"]))
    read_on = fields.Date(required=True)
    value = fields.Integer(required=True, metadata={"description": "whole units"})
    reason = maybe_text(validate=_values(ReadingReason))
    state = text(validate=_values(ReadingState), metadata={
        "description": "submitted: waits for staff (unusual); accepted; rejected (see rejection_reason)"})
    rejection_reason = maybe_text()
    submitted_at = moment()
    submitted_by = maybe_text(metadata={"description": "the portal user's e-mail"})
    reviewed_at = moment(nullable=True)
    has_photo = fields.Boolean(required=True)

    @pre_dump
    def flatten(self, reading, **_):
        point = reading.supply_point
        return {"id": reading.id, "customer_number": point.customer.number, "supply_point": point.identifier,
                "meter": reading.register.meter.serial_number, "register": reading.register.code,
                "unit": reading.register.unit, "read_on": reading.read_on, "value": reading.value,
                "reason": reading.reason, "state": reading.state, "rejection_reason": reading.rejection_reason,
                "submitted_at": reading.created_at,
                "submitted_by": reading.submitted_by.email if reading.submitted_by else None,
                "reviewed_at": reading.reviewed_at, "has_photo": reading.photo_id is not None}


class ChangedFieldSchema(Schema):
    field = text()
    old_value = maybe_text(metadata={"description": "as it was when the customer asked"})
    new_value = maybe_text()


class ChangeRequestSchema(Schema):
    """A change of the customer's data that staff approved and applied."""

    id = fields.Integer(required=True)
    customer_number = text()
    kind = text(validate=_values(ChangeKind))
    state = text(validate=OneOf(["approved"]))
    reason = maybe_text()
    submitted_at = moment()
    decided_at = moment(nullable=True)
    advance_schedule = maybe_text(metadata={"description": "the schedule's number (advance_amount)"})
    effective_from = fields.Date(required=True, allow_none=True)
    fields_ = fields.List(fields.Nested(ChangedFieldSchema), required=True, data_key="fields")

    @pre_dump
    def flatten(self, change, **_):
        schedule = change.advance_schedule
        return {"id": change.id, "customer_number": change.customer.number, "kind": change.kind,
                "state": change.state, "reason": change.reason, "submitted_at": change.submitted_at,
                "decided_at": change.decided_at, "advance_schedule": schedule.number if schedule else None,
                "effective_from": change.effective_from,
                "fields_": [{"field": f.field, "old_value": f.old_value, "new_value": f.new_value}
                            for f in sorted(change.fields, key=lambda f: f.id)]}


class TicketEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = moment()
    kind = text(validate=OneOf([EntryKind.REPLY.value, EntryKind.EVENT.value]),
                metadata={"description": "reply: the conversation; event: a state change or assignment"})
    author = maybe_text(validate=OneOf(["customer", "staff"]))
    event = maybe_text()
    from_state = maybe_text()
    to_state = maybe_text()
    body = maybe_text()

    @pre_dump
    def flatten(self, entry, **_):
        author = "customer" if entry.author_portal_user_id else "staff" if entry.author_staff_id else None
        return {"id": entry.id, "at": entry.created_at, "kind": entry.kind, "author": author, "event": entry.event,
                "from_state": entry.from_state, "to_state": entry.to_state, "body": entry.body}


class TicketSchema(Schema):
    """A request or a service ticket, with its state and what the customer sees of it: the
    replies and the timeline (internal notes are not served)."""

    id = fields.Integer(required=True)
    reference = text()
    kind = text(validate=_values(TicketKind))
    customer_number = text()
    supply_point = maybe_text()
    request_type = maybe_text()
    service_category = maybe_text()
    priority = text(validate=_values(Priority))
    subject = text()
    text_ = text(data_key="text")
    state = text(validate=_values(TicketState))
    created_at = moment()
    resolved_at = moment(nullable=True)
    closed_at = moment(nullable=True)
    entries = fields.List(fields.Nested(TicketEntrySchema), required=True)

    @pre_dump
    def flatten(self, ticket, **_):
        return {"id": ticket.id, "reference": ticket.reference, "kind": ticket.kind,
                "customer_number": ticket.customer.number,
                "supply_point": ticket.supply_point.identifier if ticket.supply_point else None,
                "request_type": ticket.request_type.name if ticket.request_type else None,
                "service_category": ticket.service_category.name if ticket.service_category else None,
                "priority": ticket.priority, "subject": ticket.subject, "text_": ticket.text, "state": ticket.state,
                "created_at": ticket.created_at, "resolved_at": ticket.resolved_at, "closed_at": ticket.closed_at,
                "entries": customer_entries(ticket)}


class MessageReceiptSchema(Schema):
    """A delivery or read record of a message to a customer (append-only, hash-chained)."""

    id = fields.Integer(required=True)
    message_id = fields.Integer(required=True)
    subject = text()
    customer_number = text()
    kind = text(validate=OneOf(["delivered", "read"]))
    at = moment()
    via = maybe_text(validate=OneOf(["email", "portal"]))
    record_hash = text(metadata={"description": "SHA-256 of this record, chained to the previous one"})
    previous_hash = text()

    @pre_dump
    def flatten(self, pair, **_):
        event, recipient = pair
        return {"id": event.id, "message_id": recipient.message_id, "subject": recipient.message.subject,
                "customer_number": recipient.customer.number, "kind": event.kind, "at": event.at, "via": event.via,
                "record_hash": event.record_hash, "previous_hash": event.previous_hash}


class PortalUserSchema(Schema):
    """A portal user (one person's access to one customer): new ones and disabled ones."""

    id = fields.Integer(required=True)
    customer_number = text()
    email = text()
    name = text()
    state = text(validate=_values(PortalUserState))
    account_admin = fields.Boolean(required=True)
    created_at = moment()
    last_sign_in_at = moment(nullable=True)

    @pre_dump
    def flatten(self, user, **_):
        return {"id": user.id, "customer_number": user.customer.number, "email": user.email, "name": user.name,
                "state": user.state, "account_admin": user.is_account_admin, "created_at": user.created_at,
                "last_sign_in_at": user.last_sign_in_at}


TOPIC_SCHEMAS: dict[str, type[Schema]] = {
    feed.SELF_READINGS: SelfReadingSchema, feed.CHANGE_REQUESTS: ChangeRequestSchema, feed.TICKETS: TicketSchema,
    feed.MESSAGE_RECEIPTS: MessageReceiptSchema, feed.PORTAL_USERS: PortalUserSchema,
}


class RecordErrorSchema(Schema):
    record = fields.Integer(required=True, allow_none=True,
                            metadata={"description": "the record's index in `records`, from 0 (null: the request)"})
    field = text(metadata={"description": "the field (empty: the record as a whole)"})
    reason = text(metadata={"description": "in English, or in Czech with Accept-Language: cs"})


class PushReportSchema(Schema):
    kind = text()
    dry_run = fields.Boolean(required=True)
    written = fields.Boolean(required=True, metadata={
        "description": "the accepted records were written (false: a dry run, every record refused, or "
                       "all_or_nothing with one refused)"})
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    refused = fields.Integer(required=True)
    errors = fields.List(fields.Nested(RecordErrorSchema), required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    class Meta:
        # Extension members: a refused push also carries its report's counts.
        unknown = "include"

    type = text(metadata={"description": "a URI naming the kind of problem; about:blank for a plain HTTP error"})
    title = text()
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.List(fields.Nested(RecordErrorSchema))
