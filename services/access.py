"""The one place where portal requests are scoped to the signed-in user's customer.

Every portal view gets its records through `visible()` / `visible_or_404()`, which
apply the model's own `portal_scope` rule to the current user's `Scope`. A record of
another customer (or outside the user's rights) therefore simply does not exist for
the view: it answers 404, whatever the URL or the form says."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import abort, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import select

from extensions import db
from models.users import PortalUser, PortalUserState, StaffUser

log = logging.getLogger("portal")


@dataclass(frozen=True)
class Scope:
    customer_id: int
    segment: str
    modules: frozenset[str]
    # None: every supply point of the customer; otherwise only these.
    supply_point_ids: frozenset[int] | None
    # The access acting now and the person signed in (the same row unless they switched
    # to another customer's access linked to their login): their own records are theirs.
    user_id: int = 0
    person_id: int = 0
    # The account administrator manages the account's users; without a supply-point limit
    # they also see the whole account's trail (what the other users did, from where).
    account_admin: bool = False
    whole_account: bool = False
    # After the last contract ended: look, but change nothing (see services.accounts.contract_end).
    read_only: bool = False
    # The read-only period is over too: the user is signed out.
    closed: bool = False

    def may(self, module: str) -> bool:
        return module in self.modules


def is_portal_user() -> bool:
    # Outside a request (e-mails rendered by jobs) nobody is signed in.
    return has_request_context() and current_user.is_authenticated and isinstance(current_user._get_current_object(), PortalUser)


def is_staff_user() -> bool:
    return has_request_context() and current_user.is_authenticated and isinstance(current_user._get_current_object(), StaffUser)


def acting_user() -> PortalUser:
    """The access the signed-in person acts through now: their own, or the access to
    another customer they switched to (a row linked to their login)."""
    person = current_user._get_current_object()
    acting_id = session.get("acting_user_id")
    if acting_id and acting_id != person.id:
        access = db.session.get(PortalUser, acting_id)
        if access is not None and access.login_id == person.id and access.state == PortalUserState.ACTIVE:
            return access
    return person


def accounts_of(person: PortalUser) -> list[PortalUser]:
    """The person's own access first, then the accesses linked to it: active, or invited and
    not taken up yet (the first switch to one takes it up, see services.accounts.invitations)."""
    offered = (PortalUserState.ACTIVE, PortalUserState.INVITED)
    return [person] + sorted((a for a in person.linked_accesses if a.state in offered),
                             key=lambda a: a.customer.number)


def current_scope() -> Scope:
    """The current portal user's scope, computed once per request."""
    if not is_portal_user():
        abort(404)
    user = acting_user()
    cached = getattr(request, "_portal_scope", None)
    if cached is None:
        limited = None
        if user.supply_points:
            limited = frozenset(sp.id for sp in user.supply_points)
        from services.accounts.contract_end import READ_ONLY_MODULES, AccessAfterContract, access_after_contracts

        after_contract = access_after_contracts(user.customer_id)
        modules = frozenset(user.modules)
        if after_contract == AccessAfterContract.READ_ONLY:
            modules &= READ_ONLY_MODULES
        elif after_contract == AccessAfterContract.CLOSED:
            modules = frozenset()
        cached = Scope(
            customer_id=user.customer_id,
            segment=user.customer.segment,
            modules=modules,
            supply_point_ids=limited,
            user_id=user.id,
            person_id=current_user.id,
            account_admin=user.is_account_admin,
            whole_account=user.is_account_admin and limited is None,
            read_only=after_contract != AccessAfterContract.FULL,
            closed=after_contract == AccessAfterContract.CLOSED,
        )
        request._portal_scope = cached
    return cached


def visible(model, *criteria):
    """A SELECT of the model limited to what the current portal user may see."""
    return model.portal_scope(select(model), current_scope()).where(*criteria)


def visible_or_404(model, record_id, *criteria):
    record = db.session.scalars(visible(model, model.id == record_id, *criteria)).first()
    if record is None:
        # Only on this path: does it exist for somebody else? Then it is a denial worth a trace
        # (not naming the owner: the prober's own data export includes its audit entries).
        if db.session.get(model, record_id) is None:
            abort(404)
        deny("not_visible", record=f"{model.__name__}#{record_id}")
    return record


def deny(reason: str, code: int = 404, **details):
    """Refuse the request and leave a trace in the audit log: who tried what, from where
    (SECURITY.md #22). The entry is written by the error page (`record_denial`) after the
    request's own unfinished changes are rolled back."""
    g.access_denied = {"reason": reason, "method": request.method, "path": request.path[:300], **details}
    abort(code)


def record_denial() -> None:
    details = g.pop("access_denied", None)
    if details is None:
        return
    from services import audit

    try:
        db.session.rollback()
        audit.record("access_denied", details=details)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the error page must still be shown
        db.session.rollback()
        log.exception("could not record an access denial: %s", details)
