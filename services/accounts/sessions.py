"""The sign-in sessions of an account, as rows: ending them (all of an account, of many
accounts, all but one), listing the open ones and naming their devices. The cookie that
points at a row, and the timeouts checked on each request, are web/sessions.py."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update
from ua_parser import parse as parse_user_agent

from extensions import db
from models.base import utcnow
from models.sessions import SessionEnd, SignInSession
from models.users import PortalUser, StaffUser

OWNER_COLUMN = {PortalUser: SignInSession.portal_user_id, StaffUser: SignInSession.staff_user_id}


def end_sessions_of(user, reason: SessionEnd, *, keep: SignInSession | None = None) -> int:
    """End every open session of the account (but `keep`), in the caller's transaction."""
    return end_sessions_of_ids(type(user), [user.id], reason, keep=keep)


def end_sessions_of_ids(model, user_ids: list[int], reason: SessionEnd, *, keep: SignInSession | None = None) -> int:
    if not user_ids:
        return 0
    statement = (update(SignInSession)
                 .where(OWNER_COLUMN[model].in_(user_ids), SignInSession.ended_at.is_(None))
                 .values(ended_at=utcnow(), end_reason=reason)
                 .execution_options(synchronize_session=False))
    if keep is not None and keep.id is not None:
        statement = statement.where(SignInSession.id != keep.id)
    return db.session.execute(statement).rowcount


def open_sessions(user) -> list[SignInSession]:
    """The account's open sessions, the most recently used first."""
    column = OWNER_COLUMN[type(user)]
    return db.session.scalars(
        select(SignInSession).where(column == user.id, SignInSession.ended_at.is_(None))
        .order_by(SignInSession.last_seen_at.desc(), SignInSession.id.desc()).limit(100)
    ).all()


def own_open_session_or_none(user, session_id: int) -> SignInSession | None:
    """One of the account's own open sessions; somebody else's is simply not there."""
    column = OWNER_COLUMN[type(user)]
    return db.session.scalars(select(SignInSession).where(
        SignInSession.id == session_id, column == user.id, SignInSession.ended_at.is_(None))).first()


def device_label(user_agent: str | None) -> str:
    """ "Chrome 156 on Android (Pixel 7)": what a person recognises their own device by."""
    parsed = parse_user_agent(user_agent or "")
    browser = parsed.user_agent.family if parsed.user_agent and parsed.user_agent.family != "Other" else None
    if browser and parsed.user_agent.major:
        browser = f"{browser} {parsed.user_agent.major}"
    system = parsed.os.family if parsed.os and parsed.os.family != "Other" else None
    device = parsed.device.family if parsed.device and parsed.device.family not in ("Other", "Mac", "Spider") else None
    if not (browser or system):
        return _("Unknown device")
    label = _("%(browser)s on %(system)s", browser=browser, system=system) if browser and system else (browser or system)
    return f"{label} ({device})" if device and device != system else label
