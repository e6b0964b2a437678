"""E-mails that tell a person at once that something guarding the account has changed
(SECURITY.md #5): the password, two-factor sign-in, the contact e-mail. If it was not them,
the message says what to do. Queued in the change's transaction like every e-mail, in the
user's language."""
from __future__ import annotations

from flask_babel import force_locale, gettext as _, lazy_gettext as _l

from services.links import portal_url
from services.outbox import queue_email

WHAT_CHANGED = {
    "password_changed": _l("The password of your customer portal account has just been changed."),
    "password_reset": _l("A new password has just been set for your customer portal account through the "
                         "forgotten-password link."),
    "two_factor_enabled": _l("Two-factor sign-in has just been turned on for your customer portal account."),
    "two_factor_disabled": _l("Two-factor sign-in has just been turned off for your customer portal account."),
}
IF_NOT_YOU = _l("If it was not you, set a new password through the link below at once and call our customer "
                "line: someone else may know your password.")


def notify(user, event: str) -> None:
    """Tell the portal user that `event` (a key of WHAT_CHANGED) happened to its account."""
    with force_locale(user.locale or "cs"):
        queue_email(user.email, _("A change of your customer portal account"), "notice",
                    text=f"{WHAT_CHANGED[event]}\n\n{IF_NOT_YOU}", link=portal_url("auth.forgotten_password"))


def notify_old_email(old_email: str, new_email: str, customer_number: str, locale: str | None) -> None:
    """The contact e-mail has moved: the old address hears of it, since the new one is the
    one someone else could have chosen."""
    if not old_email or old_email.lower() == new_email.lower():
        return
    with force_locale(locale or "cs"):
        what = _("The contact e-mail of customer %(number)s has just been changed from this address to %(new)s.",
                 number=customer_number, new=new_email)
        if_not_you = _("If you did not ask for it, call our customer line at once.")
        queue_email(old_email, _("A change of your customer portal account"), "notice",
                    text=f"{what}\n\n{if_not_you}", link=None)
