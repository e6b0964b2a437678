"""Who is signed in, and how a session ends.

Every sign-in opens a `SignInSession` row; the (signed) cookie carries only a random token
whose hash the row holds. The user loader accepts a cookie only while its row is open, so
sign-out, the idle and absolute timeouts, a password change and "sign out this one" end a
session on the server: a copy of the cookie made before is worth nothing afterwards. Rows
live in the database, so several processes and hosts share them and `make run` needs
nothing more."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update
from ua_parser import parse as parse_user_agent

from extensions import db
from models.base import utcnow
from models.sessions import SessionEnd, SignInSession
from models.users import PortalUser, StaffUser

USER_KINDS = {"portal": PortalUser, "staff": StaffUser}
OWNER_COLUMN = {PortalUser: SignInSession.portal_user_id, StaffUser: SignInSession.staff_user_id}
# How often the last-seen time is written: often enough for the list of sessions and the idle
# timeout, rarely enough that pages and their images do not each write a row.
TOUCH_SECONDS = 60


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _client() -> dict:
    return {"ip_address": (request.remote_addr or "")[:45] or None,
            "user_agent": (request.user_agent.string or "")[:300] or None}


def load_user(user_id: str):
    """Session ids look like "portal:12"; the account is loaded only together with the open
    session row that this cookie's token names (one query)."""
    token = session.get("sid")
    try:
        kind, pk = user_id.split(":")
        model = USER_KINDS[kind]
        pk = int(pk)
    except (ValueError, KeyError):
        return None
    if not isinstance(token, str):
        return None
    row = db.session.execute(
        select(model, SignInSession).join(SignInSession, OWNER_COLUMN[model] == model.id)
        .where(model.id == pk, SignInSession.token_hash == _token_hash(token), SignInSession.ended_at.is_(None))
    ).first()
    if row is None or not row[0].is_active:
        return None
    g.sign_in_session = row[1]
    return row[0]


def current_session() -> SignInSession | None:
    """The open session row of this request's signed-in user."""
    return g.get("sign_in_session") if current_user.is_authenticated else None


def start_session(user) -> SignInSession:
    """Sign in with a brand-new session (no fixation): a new cookie, a new row. The caller
    commits, with the sign-in's audit entry."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    token = secrets.token_urlsafe(32)
    record = SignInSession(token_hash=_token_hash(token), **{OWNER_COLUMN[type(user)].key: user.id}, **_client())
    db.session.add(record)
    session["sid"] = token
    login_user(user)
    session.permanent = True
    g.sign_in_session = record
    return record


def end_session(reason: SessionEnd = SessionEnd.SIGNED_OUT) -> None:
    """End this browser's session: its row is closed (committed here, since the person is
    leaving) and the cookie is emptied but for the language."""
    record = current_session()
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
        record.end_reason = reason
        db.session.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    g.pop("sign_in_session", None)
    if locale:
        session["locale"] = locale


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


def _timeout_reason(record: SignInSession, now) -> SessionEnd | None:
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if now - record.started_at > current_app.config["PERMANENT_SESSION_LIFETIME"]:
        return SessionEnd.EXPIRED
    if now - record.last_seen_at > idle:
        return SessionEnd.IDLE
    return None


def _enforce_timeouts():
    """Before every request of a signed-in user: end a session that was idle too long or is
    past its absolute lifetime; otherwise note that it is in use (at most once a minute)."""
    if request.endpoint == "static" or "_user_id" not in session or not current_user.is_authenticated:
        return None
    record = current_session()
    if record is None:
        return None
    now = utcnow()
    reason = _timeout_reason(record, now)
    if reason is not None:
        end_session(reason)
        return None
    if (now - record.last_seen_at).total_seconds() > TOUCH_SECONDS:
        record.last_seen_at = now
        record.ip_address = _client()["ip_address"]
        db.session.commit()
    return None


def init_app(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/admin"):
            return redirect(url_for("admin.sign_in", next=request.full_path.rstrip("?")))
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))

    app.before_request(_enforce_timeouts)
    app.jinja_env.filters["device"] = device_label
