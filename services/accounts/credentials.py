"""First credentials in two parts: part 1 goes in a letter, part 2 in an e-mail.

Only HMACs of the parts are stored. An issue expires, allows a bounded number of
wrong tries, is single-use, and a new issue voids the previous one. Codes use an
alphabet without look-alike characters and are accepted in any case, with spaces or
dashes."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from extensions import db
from models.base import utcnow
from models.credentials import CredentialIssue
from models.customers import Customer
from models.users import PortalUser, PortalUserState
from services import audit
from services.links import portal_url
from services.outbox import queue_email

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
GROUPS, GROUP_LENGTH = 3, 4


@dataclass(frozen=True)
class IssuedCredentials:
    """What goes out: part 1 for the letter (part 2 is already in the outbox)."""

    user: PortalUser
    issue: CredentialIssue
    part1: str


def new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(chars[i:i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH))


def normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str, part: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{part}:{normalize(code)}".encode(), hashlib.sha256).hexdigest()


def activation_url() -> str:
    return portal_url("activation.activate")


def void_open_issues(user_ids: list[int]) -> None:
    """A new issue voids the earlier ones: one statement for a whole selection."""
    db.session.execute(
        update(CredentialIssue)
        .where(CredentialIssue.portal_user_id.in_(user_ids), CredentialIssue.used_at.is_(None),
               CredentialIssue.voided_at.is_(None))
        .values(voided_at=utcnow())
    )


def issue_credentials(user: PortalUser, staff=None, *, void_previous: bool = True) -> IssuedCredentials:
    """Void the user's earlier issues, create a new one and queue the e-mail with part 2.
    The caller commits; the letter with part 1 is printed from the returned value."""
    now = utcnow()
    if void_previous:
        void_open_issues([user.id])
    part1, part2 = new_code(), new_code()
    issue = CredentialIssue(
        portal_user=user,
        part1_hash=code_hash(part1, 1),
        part2_hash=code_hash(part2, 2),
        expires_at=now + timedelta(days=current_app.config["CREDENTIALS_VALID_DAYS"]),
        max_attempts=current_app.config["CREDENTIALS_MAX_ATTEMPTS"],
        created_by_id=getattr(staff, "id", None),
    )
    db.session.add(issue)
    if user.state != PortalUserState.ACTIVE:
        user.state = PortalUserState.INVITED
    queue_email(
        user.email,
        _("Your access to the customer portal – part 2"),
        "credentials_part2",
        customer_number=user.customer.number,
        part2=part2,
        link=activation_url(),
        valid_days=current_app.config["CREDENTIALS_VALID_DAYS"],
        secret_values=[part2],  # with the letter it opens the account: not for the back office's eyes
    )
    audit.record("credentials_issued", user, actor=staff, customer_id=user.customer_id)
    return IssuedCredentials(user=user, issue=issue, part1=part1)


def issue_for_customers(customers: list[Customer], staff=None) -> list[IssuedCredentials]:
    """Credentials for every portal user of the customers who is not active yet."""
    # Accesses linked to another login sign in through that login: they get no credentials.
    waiting = [user for customer in customers for user in customer.portal_users if user.login_id is None
               and (user.state in (PortalUserState.INVITED, PortalUserState.LOCKED) or not user.password_hash)]
    if waiting:
        void_open_issues([user.id for user in waiting])
    return [issue_credentials(user, staff, void_previous=False) for user in waiting]


def verify(customer_number: str, part1: str, part2: str) -> CredentialIssue | None:
    """The usable issue that both parts belong to, or None.

    A miss counts as a try against every open issue of that customer number; every
    CREDENTIALS_MAX_ATTEMPTS tries the issues rest for CREDENTIALS_REST_MINUTES (audited), and
    while they rest even the right parts are refused. So guessing stays bounded, yet a
    stranger who types wrong codes against a (sequential) customer number only delays the
    customer, and never spoils the letter on its way. The address is bounded too (the
    activation route's rate limit)."""
    now = utcnow()
    candidates = db.session.scalars(
        select(CredentialIssue)
        .join(PortalUser, PortalUser.id == CredentialIssue.portal_user_id)
        .join(Customer, Customer.id == PortalUser.customer_id)
        .where(Customer.number == (customer_number or "").strip(), CredentialIssue.used_at.is_(None),
               CredentialIssue.voided_at.is_(None), CredentialIssue.expires_at > now)
        .with_for_update()
    ).all()
    h1, h2 = code_hash(part1, 1), code_hash(part2, 2)
    usable = [c for c in candidates if c.is_usable(now)]
    for issue in usable:
        if hmac.compare_digest(issue.part1_hash, h1) and hmac.compare_digest(issue.part2_hash, h2):
            return issue
    for issue in usable:
        issue.attempts += 1
        if issue.attempts % issue.max_attempts == 0:
            minutes = current_app.config["CREDENTIALS_REST_MINUTES"]
            issue.resting_until = now + timedelta(minutes=minutes)
            audit.record("credentials_resting", issue.portal_user, actor="system",
                         details={"attempts": issue.attempts, "minutes": minutes},
                         customer_id=issue.portal_user.customer_id)
    return None
