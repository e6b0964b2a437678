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
    request = ChangeRequest(customer=customer, author=author, kind=kind, reason=_value(reason),
                            state=ChangeState.IN_REVIEW, submitted_at=utcnow(),
                            advance_schedule=advance_schedule, effective_from=effective_from)
    request.fields = [ChangeRequestField(field=f, old_value=old, new_value=new)
                      for f, old, new in differences(request.target, kind, new_values)]
    db.session.add(request)
    db.session.flush()
    if kind == ChangeKind.EMAIL:
        request.state = ChangeState.CONFIRMING_EMAIL
        _send_email_confirmation(request)
    else:
        _create_review_task(request)
    audit.record("change_requested", request, customer_id=customer.id,
                 details={f.field: [f.old_value, f.new_value] for f in request.fields} | {"kind": kind})
    return request


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_SALT)


def _send_email_confirmation(request: ChangeRequest) -> None:
    new_email = request.fields[0].new_value
    token = _serializer().dumps({"r": request.id, "e": new_email})
    link = portal_url("changes.confirm_email", token=token)
    queue_email(new_email, _("Confirm your new contact e-mail"), "notice",
                text=_("Open this link within 3 days to confirm that this address should become the contact "
                       "e-mail of customer %(number)s.", number=request.customer.number), link=link,
                secret_values=[token])


def confirm_email(token: str) -> ChangeRequest | None:
    try:
        data = _serializer().loads(token, max_age=3 * 24 * 3600)
    except (BadSignature, SignatureExpired):
        return None
    request = db.session.get(ChangeRequest, data.get("r"))
    if request is None or request.state != ChangeState.CONFIRMING_EMAIL or request.fields[0].new_value != data.get("e"):
        return None
    request.state = ChangeState.IN_REVIEW
    request.email_confirmed_at = utcnow()
    _create_review_task(request)
    audit.record("change_email_confirmed", request, actor="system", customer_id=request.customer_id)
    return request


def _create_review_task(request: ChangeRequest) -> None:
    with force_locale(current_app.config["BACKOFFICE_LOCALE"]):  # a title staff read, stored once
        title = _("Change request #%(id)s: %(kind)s", id=request.id, kind=labels.CHANGE_KINDS[ChangeKind(request.kind)])
    routing.delegate(title, TaskTopic.CHANGE_REQUEST, request.id, due_at=utcnow() + timedelta(days=REVIEW_DAYS))


def conflicts(request: ChangeRequest) -> list[str]:
    """Fields whose current value is no longer what the customer saw when asking."""
    return [f.field for f in request.fields if _value(getattr(request.target, f.field)) != f.old_value]


def _decide(request: ChangeRequest, staff, version: int, state: str) -> None:
    if request.version_id != version or not request.is_open:
        raise AlreadyDecided()
    request.state = state
    request.reviewer = staff
    request.decided_at = utcnow()
    for task in db.session.scalars(select(Task).where(Task.topic == TaskTopic.CHANGE_REQUEST,
                                                      Task.topic_id == request.id, Task.state == TaskState.OPEN)):
        task.state, task.done_at = TaskState.DONE, utcnow()


def approve(request: ChangeRequest, staff, version: int, *, confirm_conflicts: bool = False) -> None:
    """Apply the requested values. The caller commits: the optimistic lock on the
    request's version makes a second, concurrent decision fail at commit."""
    if conflicts(request) and not confirm_conflicts:
        raise ChangeConflict()
    _decide(request, staff, version, ChangeState.APPROVED)
    customer = request.customer
    if request.kind == ChangeKind.ADVANCE_AMOUNT:
        _apply_advance_amount(request, staff)
    else:
        _apply_customer_fields(request, staff)
    if request.kind == ChangeKind.EMAIL:
        field = request.fields[0]
        account_notices.notify_old_email(field.old_value, field.new_value, customer.number,
                                         getattr(request.author, "locale", None))
    audit.record("change_approved", request, actor=staff, customer_id=customer.id)
    _notify(request)


def _apply_advance_amount(request: ChangeRequest, staff) -> None:
    field = request.fields[0]
    changed = advances.apply(request.advance_schedule, Decimal(field.new_value), request.effective_from)
    audit.record("advance_amount_changed", request.advance_schedule, actor=staff, customer_id=request.customer_id,
                 details={"old": field.old_value, "new": field.new_value, "from": str(request.effective_from),
                          "advances_changed": changed, "change_request": request.id})


def _apply_customer_fields(request: ChangeRequest, staff) -> None:
    customer = request.customer
    for field in request.fields:
        setattr(customer, field.field, field.new_value)
        audit.record("customer_changed", customer, actor=staff, details={
            "field": field.field, "old": field.old_value, "new": field.new_value, "change_request": request.id})


def reject(request: ChangeRequest, staff, version: int, reason: str) -> None:
    _decide(request, staff, version, ChangeState.REJECTED)
    request.rejection_reason = reason
    audit.record("change_rejected", request, actor=staff, customer_id=request.customer_id, details={"reason": reason})
    _notify(request)


def withdraw(request: ChangeRequest, author) -> None:
    request.state = ChangeState.WITHDRAWN
    request.decided_at = utcnow()
    audit.record("change_withdrawn", request, actor=author)


def _notify(request: ChangeRequest) -> None:
    # In the customer's language, not the deciding clerk's.
    with force_locale(getattr(request.author, "locale", None) or "cs"):
        _queue_decision_email(request)


def _queue_decision_email(request: ChangeRequest) -> None:
    approved = request.state == ChangeState.APPROVED
    text = (_("Your change request #%(id)s (%(kind)s) has been approved and the change applied.",
              id=request.id, kind=labels.CHANGE_KINDS[ChangeKind(request.kind)]) if approved else
            _("Your change request #%(id)s (%(kind)s) has been rejected: %(reason)s",
              id=request.id, kind=labels.CHANGE_KINDS[ChangeKind(request.kind)], reason=request.rejection_reason))
    link = portal_url("changes.detail", request_id=request.id)
    queue_email(request.customer.email, _("Your change request has been decided"), "notice", text=text, link=link)
