"""Who is signed in: loading the user from the session cookie, and the idle and
absolute session timeouts."""
from __future__ import annotations

import time

from flask import current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from extensions import db
from models.users import PortalUser, StaffUser

USER_KINDS = {"portal": PortalUser, "staff": StaffUser}


def load_user(user_id: str):
    """Session ids look like "portal:12:3": kind, id and the user's session version,
    so bumping the version ends every session of that user at once."""
    try:
        kind, pk, version = user_id.split(":")
        model = USER_KINDS[kind]
        user = db.session.get(model, int(pk))
    except (ValueError, KeyError):
        return None
    if user is None or str(user.session_version) != version or not user.is_active:
        return None
    return user


def start_session(user) -> None:
    """Sign in with a brand-new session (no fixation) and stamp its start."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    session.permanent = True
    now = int(time.time())
    session["started"] = now
    session["seen"] = now


def end_session() -> None:
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale


def _enforce_timeouts():
    if "_user_id" not in session:
        return None
    now = int(time.time())
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if now - session.get("seen", 0) > idle or now - session.get("started", 0) > absolute:
        end_session()
        return None
    # Touch at most once a minute so that static files do not rewrite the cookie.
    if now - session.get("seen", 0) > 60:
        session["seen"] = now
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
