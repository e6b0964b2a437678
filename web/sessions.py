"""Who is signed in, and how a session ends: the cookie side (the rows' rules are in
services/accounts/sessions.py).

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
from flask.sessions import NullSession, SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from extensions import db
from models.base import utcnow
from models.sessions import SessionEnd, SignInSession
from models.users import PortalUser, StaffUser
from services.accounts.sessions import OWNER_COLUMN, device_label
from services.accounts.sign_in import record_sign_in

USER_KINDS = {"portal": PortalUser, "staff": StaffUser}
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


def complete_sign_in(user) -> SignInSession:
    """Both factors are right: record the sign-in, open a new session, commit."""
    record_sign_in(user)
    record = start_session(user)
    db.session.commit()
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


class PortalSessionInterface(SecureCookieSessionInterface):
    """The signed cookie, except under /api: there no session cookie is read or set, so a
    customer's or staff member's session never authorises the API (its bearer tokens do), and
    an API call never starts a session. (The session there is empty; writing to it fails.)"""

    def open_session(self, app, request):
        if request.path.startswith("/api/"):
            return self.null_session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if isinstance(session, NullSession):
            return None
        return super().save_session(app, session, response)


def init_app(app, login_manager) -> None:
    app.session_interface = PortalSessionInterface()
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
