"""Change requests: the customer asks, the back office decides, approval applies the
change in one transaction with its audit entries and the customer's e-mail."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from extensions import db
from models.base import utcnow
from models.changes import ChangeKind, ChangeRequest, ChangeRequestField, ChangeState
from models.tickets import Task, TaskState, TaskTopic
from services import audit, labels
from services.accounts import account_notices
from services.api import feed
from services.billing import advances
from services.links import portal_url
from services.outbox import queue_email
from services.tickets import routing

# Which customer fields each kind of request changes.
FIELDS = {
    ChangeKind.ADDRESS: ("correspondence_name", "correspondence_street", "correspondence_city",
                         "correspondence_postcode"),
    ChangeKind.PHONE: ("phone",),
    ChangeKind.EMAIL: ("email",),
    ChangeKind.BANK_ACCOUNT: ("bank_account",),
    ChangeKind.COMPANY: ("name", "company_id", "vat_id"),
    ChangeKind.ADVANCE_AMOUNT: ("amount",),  # of the advance schedule, not of the customer
    ChangeKind.OTHER: (),
}
REVIEW_DAYS = 2
EMAIL_SALT = "change-email-confirmation"


class ChangeConflict(Exception):
    """The customer's data changed since the request was made; approval needs confirmation."""


class AlreadyDecided(Exception):
    """Someone else decided the request first."""


def _value(value) -> str | None:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    return value or None


def differences(target, kind: str, new_values: dict) -> list[tuple[str, str | None, str | None]]:
    """(field, current value, requested value) for the fields of the customer (or, for
    the advance amount, of the advance schedule) that would change."""
    rows = []
    for field in FIELDS[ChangeKind(kind)]:
        old, new = _value(getattr(target, field)), _value(new_values.get(field))
        if old != new:
            rows.append((field, old, new))
    return rows


def submit(customer, author, kind: str, new_values: dict, reason: str | None, *,
           advance_schedule=None, effective_from=None) -> ChangeRequest:
    change = ChangeRequest(customer=customer, author=author, kind=kind, reason=_value(reason),
                           state=ChangeState.IN_REVIEW, submitted_at=utcnow(),
                           advance_schedule=advance_schedule, effective_from=effective_from)
    change.fields = [ChangeRequestField(field=f, old_value=old, new_value=new)
                     for f, old, new in differences(change.target, kind, new_values)]
    db.session.add(change)
    db.session.flush()
    if kind == ChangeKind.EMAIL:
        change.state = ChangeState.CONFIRMING_EMAIL
        _send_email_confirmation(change)
    else:
        _create_review_task(change)
    audit.record("change_requested", change, customer_id=customer.id,
                 details={f.field: [f.old_value, f.new_value] for f in change.fields} | {"kind": kind})
    return change


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_SALT)


def _send_email_confirmation(change: ChangeRequest) -> None:
    new_email = change.fields[0].new_value
    token = _serializer().dumps({"r": change.id, "e": new_email})
    link = portal_url("changes.confirm_email", token=token)
    queue_email(new_email, _("Confirm your new contact e-mail"), "notice",
                text=_("Open this link within 3 days to confirm that this address should become the contact "
                       "e-mail of customer %(number)s.", number=change.customer.number), link=link,
                secret_values=[token])


def confirm_email(token: str) -> ChangeRequest | None:
    try:
        data = _serializer().loads(token, max_age=3 * 24 * 3600)
    except (BadSignature, SignatureExpired):
        return None
    change = db.session.get(ChangeRequest, data.get("r"))
    if change is None or change.state != ChangeState.CONFIRMING_EMAIL or change.fields[0].new_value != data.get("e"):
        return None
    change.state = ChangeState.IN_REVIEW
    change.email_confirmed_at = utcnow()
    _create_review_task(change)
    audit.record("change_email_confirmed", change, actor="system", customer_id=change.customer_id)
    return change


def _create_review_task(change: ChangeRequest) -> None:
    with force_locale(current_app.config["BACKOFFICE_LOCALE"]):  # a title staff read, stored once
        title = _("Change request #%(id)s: %(kind)s", id=change.id, kind=labels.CHANGE_KINDS[ChangeKind(change.kind)])
    routing.delegate(title, TaskTopic.CHANGE_REQUEST, change.id, due_at=utcnow() + timedelta(days=REVIEW_DAYS))


def conflicts(change: ChangeRequest) -> list[str]:
    """Fields whose current value is no longer what the customer saw when asking."""
    return [f.field for f in change.fields if _value(getattr(change.target, f.field)) != f.old_value]


def _decide(change: ChangeRequest, staff, version: int, state: str) -> None:
    if change.version_id != version or not change.is_open:
        raise AlreadyDecided()
    change.state = state
    change.reviewer = staff
    change.decided_at = utcnow()
    for task in db.session.scalars(select(Task).where(Task.topic == TaskTopic.CHANGE_REQUEST,
                                                      Task.topic_id == change.id, Task.state == TaskState.OPEN)):
        task.state, task.done_at = TaskState.DONE, utcnow()


def approve(change: ChangeRequest, staff, version: int, *, confirm_conflicts: bool = False) -> None:
    """Apply the requested values. The caller commits: the optimistic lock on the
    request's version makes a second, concurrent decision fail at commit."""
    if conflicts(change) and not confirm_conflicts:
        raise ChangeConflict()
    _decide(change, staff, version, ChangeState.APPROVED)
    customer = change.customer
    if change.kind == ChangeKind.ADVANCE_AMOUNT:
        _apply_advance_amount(change, staff)
    else:
        _apply_customer_fields(change, staff)
    if change.kind == ChangeKind.EMAIL:
        field = change.fields[0]
        account_notices.notify_old_email(field.old_value, field.new_value, customer.number,
                                         getattr(change.author, "locale", None))
    audit.record("change_approved", change, actor=staff, customer_id=customer.id)
    feed.changed(feed.CHANGE_REQUESTS, change)
    _notify(change)


def _apply_advance_amount(change: ChangeRequest, staff) -> None:
    field = change.fields[0]
    changed = advances.apply(change.advance_schedule, Decimal(field.new_value), change.effective_from)
    audit.record("advance_amount_changed", change.advance_schedule, actor=staff, customer_id=change.customer_id,
                 details={"old": field.old_value, "new": field.new_value, "from": str(change.effective_from),
                          "advances_changed": changed, "change_request": change.id})


def _apply_customer_fields(change: ChangeRequest, staff) -> None:
    customer = change.customer
    for field in change.fields:
        setattr(customer, field.field, field.new_value)
        audit.record("customer_changed", customer, actor=staff, details={
            "field": field.field, "old": field.old_value, "new": field.new_value, "change_request": change.id})


def reject(change: ChangeRequest, staff, version: int, reason: str) -> None:
    _decide(change, staff, version, ChangeState.REJECTED)
    change.rejection_reason = reason
    audit.record("change_rejected", change, actor=staff, customer_id=change.customer_id, details={"reason": reason})
    _notify(change)


def withdraw(change: ChangeRequest, author) -> None:
    change.state = ChangeState.WITHDRAWN
    change.decided_at = utcnow()
    audit.record("change_withdrawn", change, actor=author)


def _notify(change: ChangeRequest) -> None:
    # In the customer's language, not the deciding clerk's.
    with force_locale(getattr(change.author, "locale", None) or "cs"):
        _queue_decision_email(change)


def _queue_decision_email(change: ChangeRequest) -> None:
    approved = change.state == ChangeState.APPROVED
    text = (_("Your change request #%(id)s (%(kind)s) has been approved and the change applied.",
              id=change.id, kind=labels.CHANGE_KINDS[ChangeKind(change.kind)]) if approved else
            _("Your change request #%(id)s (%(kind)s) has been rejected: %(reason)s",
              id=change.id, kind=labels.CHANGE_KINDS[ChangeKind(change.kind)], reason=change.rejection_reason))
    link = portal_url("changes.detail", request_id=change.id)
    queue_email(change.customer.email, _("Your change request has been decided"), "notice", text=text, link=link)
