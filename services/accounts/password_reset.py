"""Forgotten password: a signed, expiring, single-use link sent by e-mail.

The token carries the user id and a fingerprint of the current password hash, so
it stops working as soon as the password has been changed (single use)."""
from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from extensions import db
from models.users import PortalUser, PortalUserState
from services.links import portal_url
from services.outbox import queue_email

SALT = "portal-password-reset"
MAX_AGE_SECONDS = 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: PortalUser) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def make_token(user: PortalUser) -> str:
    return _serializer().dumps({"u": user.id, "p": _fingerprint(user)})


def user_for_token(token: str) -> PortalUser | None:
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(PortalUser, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.state != PortalUserState.ACTIVE or data.get("p") != _fingerprint(user):
        return None
    return user


def send_reset_link(user: PortalUser) -> None:
    token = make_token(user)
    link = portal_url("auth.reset_password", token=token)
    queue_email(user.email, _("Setting a new password"), "notice",
                text=_("Open this link within an hour to choose a new password. If you did not ask for it, ignore this e-mail."),
                link=link, secret_values=[token])


def send_no_account_notice(email: str) -> None:
    """The answer to a request for an address without an active account: the same kind of
    e-mail, rendered and queued the same way as the link, so that neither the page nor its
    timing tells whether the address has an account; and whoever typed their own address
    learns why no link came."""
    queue_email(email, _("Setting a new password"), "notice",
                text=_("Someone, probably you, asked for a link to choose a new password for this address, but no "
                       "active customer portal account signs in with it. Perhaps you sign in with another address, "
                       "or your account is not activated yet (with the first credentials from the letter and the "
                       "e-mail). If you did not ask for it, ignore this e-mail."),
                link=portal_url("auth.sign_in"))
