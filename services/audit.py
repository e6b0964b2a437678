"""Writing audit entries: the caller's transaction carries them, so a change and
its audit entry commit or roll back together."""
from __future__ import annotations

import json

from flask import has_request_context, request
from flask_login import current_user

from extensions import db
from models.api import ApiClient
from models.audit import ActorKind, AuditEntry
from models.users import PortalUser, StaffUser


def record(action: str, subject=None, *, details=None, customer_id=None, actor=None) -> AuditEntry:
    """Add an audit entry for `action` on `subject` (the record acted on, if any) to the current
    session (not committed)."""
    who = actor
    if who is None and has_request_context() and current_user.is_authenticated:
        who = current_user._get_current_object()
    entry = AuditEntry(action=action, ip_address=_client_address())
    if isinstance(who, PortalUser):
        entry.actor_kind, entry.actor, entry.portal_user_id = ActorKind.CUSTOMER, who.email, who.id
        entry.customer_id = who.customer_id
    elif isinstance(who, StaffUser):
        entry.actor_kind, entry.actor, entry.staff_user_id = ActorKind.STAFF, who.email, who.id
    elif isinstance(who, ApiClient):
        entry.actor_kind, entry.actor = ActorKind.API, who.name
    elif isinstance(who, str):
        entry.actor_kind, entry.actor = ActorKind.ANONYMOUS, who
    else:
        entry.actor_kind, entry.actor = ActorKind.SYSTEM, "system"
    if subject is not None:
        entry.record_type = type(subject).__name__
        entry.record_id = str(getattr(subject, "id", "") or "")
        owner = getattr(subject, "customer_id", None)
        if owner is None and type(subject).__name__ == "Customer":
            owner = subject.id
        entry.customer_id = customer_id or owner or entry.customer_id
    elif customer_id:
        entry.customer_id = customer_id
    if details is not None:
        entry.details = details if isinstance(details, str) else json.dumps(details, default=str, ensure_ascii=False)
    db.session.add(entry)
    return entry


def _client_address() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr
