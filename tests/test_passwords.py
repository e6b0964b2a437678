"""Forgotten and changed passwords, lock-out after wrong passwords, signing out everywhere."""
import re
from datetime import timedelta

from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_portal_user
from helpers import PortalClient
from models.base import utcnow
from models.outbox import OutgoingEmail
from models.users import PortalUser
from services.accounts.passwords import password_problems

NEW = "Zelena-Louka-Za-Domem-7"


def _reset_link(email):
    mail = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == email)).one()
    return re.search(r"http://localhost(/reset-password/\S+)", mail.body_text).group(1)


def test_password_rules_say_why():
    assert password_problems(NEW) == []
    assert "at least 12" in str(password_problems("short")[0])
    assert "too common" in str(password_problems("password1234")[0])
    assert "name" in str(password_problems("NovakovaJana-2026", name="Jana Novakova")[0])
    assert password_problems("jana.novakova-2026!x", email="jana.novakova@example.com")


def test_forgotten_password_by_an_emailed_single_use_link(client):
    make_portal_user(email="jana@example.com")
    response = client.post_form("/forgotten-password", {"email": "jana@example.com"})
    assert response.status_code == 302
    link = _reset_link("jana@example.com")
    page = client.post_form(link, {"new_password": "short", "confirm_password": "short"}).get_data(as_text=True)
    assert "Use at least 12 characters." in page
    response = client.post_form(link, {"new_password": NEW, "confirm_password": NEW})
    assert response.headers["Location"] == "/sign-in"
    assert client.sign_in("jana@example.com", NEW).status_code == 302
    [notice] = _account_notices("jana@example.com")
    assert "A new password has just been set" in notice.body_text
    # The link works once only.
    assert client.get(link).headers["Location"] == "/forgotten-password"


def test_unknown_address_gets_the_same_answer_and_an_email_without_a_link(client):
    response = client.post_form("/forgotten-password", {"email": "nobody@example.com"}, follow_redirects=True)
    assert "If the address belongs to an account" in response.get_data(as_text=True)
    [mail] = db.session.scalars(select(OutgoingEmail)).all()
    assert mail.recipient == "nobody@example.com" and mail.subject == "Setting a new password"
    assert "no active customer portal account signs in with it" in mail.body_text
    assert "/reset-password/" not in mail.body_text and mail.secret_values is None


def test_forgotten_password_does_the_same_work_for_every_address(app, client):
    """Issue 14, item 8: the answer and the work behind it (the same SQL statements, an e-mail
    rendered and queued, an audit entry, a commit) do not tell whether an address has an
    account; before, only an existing one did all that, and took twice as long."""
    from helpers import count_queries
    from models.audit import AuditEntry
    from models.users import PortalUserState

    make_portal_user(email="jana@example.com")
    make_portal_user(email="invited@example.com", state=PortalUserState.INVITED)
    answers = {}
    for email in ("jana@example.com", "nobody@example.com", "invited@example.com", "JANA@example.com"):
        token = client.csrf_token("/forgotten-password")
        with count_queries(app) as statements:
            response = client.post("/forgotten-password", data={"email": email, "csrf_token": token})
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
        answers[email] = (response.status_code, response.headers["Location"], response.get_data(),
                          re.search(r'<div class="alert.*?</div>', shown).group(0),
                          [re.sub(r"\s+", " ", s) for s in statements])
    first = answers["jana@example.com"]
    assert first[4], "no SQL counted"
    for email, answer in answers.items():
        assert answer == first, email
    recipients = sorted(db.session.scalars(select(OutgoingEmail.recipient)))
    assert recipients == ["invited@example.com", "jana@example.com", "jana@example.com", "nobody@example.com"]
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("password_reset%"))).all()) == 4


def test_a_tampered_reset_link_is_refused(client):
    assert client.get("/reset-password/not-a-token").headers["Location"] == "/forgotten-password"


def test_wrong_passwords_lock_the_account_for_a_while(client, app):
    make_portal_user(email="jana@example.com")
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"]):
        client.sign_in("jana@example.com", "wrong password")
    page = client.sign_in("jana@example.com", PASSWORD).get_data(as_text=True)
    assert "not right" in page  # the right password does not help while locked
    user = db.session.scalars(select(PortalUser)).one()
    db.session.refresh(user)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.sign_in("jana@example.com", PASSWORD).status_code == 302


def test_change_password_checks_the_current_one(client):
    make_portal_user(email="jana@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    page = client.post_form("/profile/", {"current_password": "nope", "new_password": NEW,
                                          "confirm_password": NEW}).get_data(as_text=True)
    assert "The current password is not right." in page
    page = client.post_form("/profile/", {"current_password": PASSWORD, "new_password": NEW,
                                          "confirm_password": "different"}).get_data(as_text=True)
    assert "The two passwords are not the same." in page
    assert _account_notices("jana@example.com") == []  # refused changes tell nobody
    response = client.post_form("/profile/", {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    # The owner hears of it, with what to do if it was not them.
    [notice] = _account_notices("jana@example.com")
    assert "password of your customer portal account has just been changed" in notice.body_text
    assert "If it was not you" in notice.body_text and "/forgotten-password" in notice.body_text


def _account_notices(recipient: str) -> list[OutgoingEmail]:
    return db.session.scalars(select(OutgoingEmail).where(
        OutgoingEmail.recipient == recipient, OutgoingEmail.subject == "A change of your customer portal account")).all()


def test_sign_out_everywhere_ends_other_sessions(app, client):
    make_portal_user(email="jana@example.com")
    other_device = PortalClient(app)
    other_device.sign_in("jana@example.com", PASSWORD)
    client.sign_in("jana@example.com", PASSWORD)
    assert other_device.get("/").status_code == 200
    client.post_form("/profile/sign-out-everywhere", page="/profile/")
    assert other_device.get("/").status_code == 302
    assert client.get("/").status_code == 302
