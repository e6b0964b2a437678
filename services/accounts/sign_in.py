"""Signing in, the same way for portal users and staff: the password check, the counts of
wrong passwords and wrong second-factor codes, the rest that follows too many, and the
completed sign-in that opens a session.

The counts live in the account's row (SignInGuardMixin), so a stranger cannot reset them by
changing address and a replayed cookie cannot reset them at all. A rest is short
(SIGN_IN_LOCK_MINUTES): it slows guessing down without locking the owner out for long, and
the owner is told by e-mail."""
from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select

from extensions import db
from models.base import utcnow
from models.users import StaffUser
from services import audit
from services.links import portal_url
from services.outbox import queue_email

# Wrong second-factor codes in a row before the account rests (the password is asked again then).
SECOND_FACTOR_TRIES = 5


@cache
def _dummy(model):
    """A hash to check against when the e-mail is unknown, so that the answer takes
    the same time whether or not an account exists (no user enumeration by timing)."""
    user = model()
    user.set_password("not a real password, only for constant timing")
    return user


def check_password(model, email: str, password: str, *criteria):
    """(the account with this e-mail or None, whether the password matches it)."""
    user = db.session.scalars(select(model).where(func.lower(model.email) == email, *criteria)).first()
    return user, (user or _dummy(model)).check_password(password)


def _action(user, name: str) -> str:
    """Audit actions of staff sign-ins carry a prefix of their own (the back office's log filter)."""
    return f"staff_{name}" if isinstance(user, StaffUser) else name


def may_sign_in(user, now=None) -> bool:
    return user.is_active and not user.is_resting(now or utcnow())


def password_failed(user) -> None:
    """Count a wrong password for an existing account (not while it rests: the rest would
    only grow). After SIGN_IN_MAX_FAILURES in a row the account rests."""
    now = utcnow()
    if user.is_resting(now):
        return
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= current_app.config["SIGN_IN_MAX_FAILURES"]:
        _rest(user, now, "passwords")


def code_failed(user) -> bool:
    """Count a wrong second-factor code (audited). False once there were too many in a row:
    the account rests and the password must be entered again after it."""
    now = utcnow()
    user.failed_codes += 1
    audit.record(_action(user, "second_factor_failed"), user, actor=user.email)
    if user.failed_codes >= SECOND_FACTOR_TRIES:
        _rest(user, now, "codes")
    db.session.commit()
    return not user.is_resting(now)


def password_right(user) -> None:
    """A right password ends the run of wrong ones (wrong codes keep counting: the password
    alone must not buy new tries at the code)."""
    user.failed_sign_ins = 0


def _rest(user, now, cause: str) -> None:
    minutes = current_app.config["SIGN_IN_LOCK_MINUTES"]
    user.locked_until = now + timedelta(minutes=minutes)
    user.failed_sign_ins = 0
    user.failed_codes = 0
    audit.record(_action(user, "account_locked"), user, actor="system", details={"after": cause, "minutes": minutes})
    _tell_the_owner(user, minutes)


def _tell_the_owner(user, minutes: int) -> None:
    if isinstance(user, StaffUser):
        locale, link = current_app.config["BACKOFFICE_LOCALE"], portal_url("admin.sign_in")
    else:
        locale, link = user.locale or "cs", portal_url("auth.forgotten_password")
    with force_locale(locale):
        text = _("Someone has just entered a wrong password or code for your account several times in a row, "
                 "so sign-in is paused for %(minutes)s minutes.", minutes=minutes)
        if_not_you = _("If it was not you, someone may be trying to guess your password: set a new one "
                       "and tell us.") if not isinstance(user, StaffUser) else _(
                       "If it was not you, tell the administrator at once.")
        queue_email(user.email, _("Sign-in to your account paused"), "notice", text=f"{text}\n\n{if_not_you}",
                    link=link)


def record_sign_in(user) -> None:
    """Both factors are right: clear the counts and record it (the caller opens the session
    and commits: web.sessions.complete_sign_in)."""
    user.last_sign_in_at = utcnow()
    user.failed_sign_ins = 0
    user.failed_codes = 0
    user.locked_until = None
    audit.record(_action(user, "sign_in"), user, actor=user)


def failed_sign_in(model, email: str, user) -> None:
    """Record a refused sign-in: the e-mail that was typed, and the account if there is one."""
    details = {"email": email[:254]}
    if user is not None:
        details["resting"] = user.is_resting(utcnow())
    audit.record("staff_sign_in_failed" if model is StaffUser else "sign_in_failed", details=details,
                 actor=email[:254], customer_id=getattr(user, "customer_id", None))
    db.session.commit()
