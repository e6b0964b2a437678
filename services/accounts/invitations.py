"""An account administrator invites a colleague to the customer's account.

The inviter learns nothing about other customers' users (issue 14, item 8): whatever the
address, the invitation is accepted with the same answer, shows as "invited" in the list of
users, and does the same work (one access row, its rights, an audit entry, one e-mail).

- A new address gets its own login, waiting for the two-part first credentials (the letter
  to the customer's correspondence address, part 2 by e-mail), as before.
- An address that already signs in (for another customer) gets no second login, which it
  could never use (the e-mail signs in once): the access is linked to the existing login,
  and the person is told by e-mail. It is offered in the account switch in the header,
  and the first switch to it takes it up (then the inviter sees it active), as a new user
  takes up an invitation by activating it.
Only a user of the inviter's own customer is refused, with a message that says so."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import Integer, bindparam, func, or_, select

from extensions import db
from models.users import PortalUser, PortalUserState
from services.api import feed
from services.links import portal_url
from services.outbox import queue_email


def _login_for(email: str):
    """The id and language of the login that the person with this address signs in with: the
    login with this e-mail, or the login of an access that carries it; or None. One statement
    either way, and no other customer's user is loaded."""
    first = (select(func.coalesce(PortalUser.login_id, PortalUser.id))
             .where(func.lower(PortalUser.email) == email)
             .order_by(PortalUser.login_id.is_not(None), PortalUser.id).limit(1).scalar_subquery())
    return db.session.execute(select(PortalUser.id, PortalUser.locale).where(PortalUser.id == first)).first()


def already_in_account(customer_id: int, email: str, login_id: int | None) -> bool:
    """The address, or the person behind it, is already a user of this customer."""
    # A bound NULL matches nothing: the statement is the same whether or not there is a login.
    login = bindparam("login_id", login_id, type_=Integer)
    same = or_(func.lower(PortalUser.email) == email, PortalUser.id == login, PortalUser.login_id == login)
    return bool(db.session.scalar(select(func.count(PortalUser.id)).where(PortalUser.customer_id == customer_id, same)))


def invite(inviter: PortalUser, email: str, name: str) -> PortalUser | None:
    """The new access (not flushed; its rights are the caller's), or None when the address
    already belongs to a user of the inviter's customer."""
    added = add_access(inviter.customer_id, email, name)
    if added is None:
        return None
    user, login = added
    _tell_the_invited(user, inviter, existing=login is not None, locale=login.locale if login else None)
    return user


def add_access(customer_id: int, email: str, name: str, *, account_admin: bool = False):
    """(the new invited access, the login it belongs to or None), not flushed; or None when the
    address already belongs to a user of the customer. A person who already signs in for
    another customer gets an access under that login, not a second login."""
    email = email.strip().lower()
    login = _login_for(email)
    login_id = login.id if login else None
    if already_in_account(customer_id, email, login_id):
        return None
    user = PortalUser(customer_id=customer_id, email=email, name=name, state=PortalUserState.INVITED,
                      login_id=login_id, is_account_admin=account_admin)
    db.session.add(user)
    feed.changed(feed.PORTAL_USERS, user)
    return user, login


def _tell_the_invited(user: PortalUser, inviter: PortalUser, *, existing: bool, locale: str | None) -> None:
    customer = inviter.customer
    names = {"inviter": inviter.name, "number": customer.number, "customer": customer.name}
    with force_locale(locale or inviter.locale or "cs"):
        if existing:
            subject = _("You have been given access to another customer account")
            text = _("%(inviter)s has given you access to the account of customer %(number)s (%(customer)s) in the "
                     "customer portal. Sign in as usual and choose the account in the switch at the top of the page. "
                     "If you do not want it, you need not do anything.", **names)
            link = portal_url("auth.sign_in")
        else:
            subject = _("You have been invited to the customer portal")
            text = _("%(inviter)s has invited you to the account of customer %(number)s (%(customer)s) in the "
                     "customer portal of %(supplier)s. You will get your first credentials in two parts: a letter "
                     "with part 1 to the customer's correspondence address and part 2 by e-mail to this address.",
                     supplier=current_app.config["SUPPLIER_NAME"], **names)
            link = None
        queue_email(user.email, subject, "notice", text=text, link=link)
