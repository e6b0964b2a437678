"""Sessions end on the server (issue 14): sign-out, timeouts, a password change and "sign out
this one" make a copied cookie worthless; staff are locked out after wrong passwords like
customers; wrong second-factor codes are counted in the account, not in the cookie; and a
stranger cannot spoil a customer's first credentials."""
from datetime import timedelta

import pyotp
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_portal_user, make_staff
from helpers import PortalClient
from models.audit import AuditEntry
from models.base import utcnow
from models.credentials import CredentialIssue
from models.outbox import OutgoingEmail
from models.sessions import SessionEnd, SignInSession
from models.users import PortalUser, PortalUserState, StaffUser
from services.accounts import credentials

COOKIE = "portal_session"
CHROME_ON_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "Chrome/131.0.0.0 Mobile Safari/537.36")


def _copy(client) -> str:
    return client.get_cookie(COOKIE).value


def _replay(client, value: str) -> None:
    client.set_cookie(COOKIE, value)


def _device(app, user_agent: str | None = None) -> PortalClient:
    device = PortalClient(app)
    if user_agent:
        device.client.environ_base["HTTP_USER_AGENT"] = user_agent
    return device


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(client):
    make_portal_user(email="jana@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    assert client.get("/invoices/").status_code == 200
    copied = _copy(client)
    client.post_form("/sign-out", page="/")
    _replay(client, copied)
    response = client.get("/invoices/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert db.session.scalars(select(SignInSession.end_reason)).one() == SessionEnd.SIGNED_OUT


def test_a_staff_cookie_copied_before_sign_out_opens_nothing_after_it(client):
    make_staff("administrator", email="admin@example.com")
    client.staff_sign_in("admin@example.com", PASSWORD)
    assert client.get("/admin/staff/").status_code == 200
    copied = _copy(client)
    client.post_form("/admin/sign-out", page="/admin/")
    _replay(client, copied)
    response = client.get("/admin/staff/")
    assert response.status_code == 302 and "/admin/sign-in" in response.headers["Location"]


def test_signing_out_ends_only_this_devices_session(app, client):
    make_portal_user(email="jana@example.com")
    phone = _device(app, CHROME_ON_ANDROID)
    client.sign_in("jana@example.com", PASSWORD)
    phone.sign_in("jana@example.com", PASSWORD)
    client.post_form("/sign-out", page="/")
    assert client.get("/").status_code == 302
    assert phone.get("/invoices/").status_code == 200


def test_a_password_change_ends_the_other_sessions_and_the_old_cookie_of_this_one(app, client):
    make_portal_user(email="jana@example.com")
    phone = _device(app)
    client.sign_in("jana@example.com", PASSWORD)
    phone.sign_in("jana@example.com", PASSWORD)
    before = _copy(client)
    new = "Another-Long-Passphrase-77"
    response = client.post_form("/profile/", {"current_password": PASSWORD, "new_password": new,
                                              "confirm_password": new})
    assert response.status_code == 302
    assert client.get("/invoices/").status_code == 200  # this device goes on, in a new session
    assert phone.get("/invoices/").status_code == 302
    _replay(client, before)
    assert client.get("/invoices/").status_code == 302


def test_the_profile_lists_the_sessions_and_signs_out_another_device(app, client):
    jana = make_portal_user(email="jana@example.com")
    phone = _device(app, CHROME_ON_ANDROID)
    phone.sign_in("jana@example.com", PASSWORD)
    client.sign_in("jana@example.com", PASSWORD)
    page = client.get("/profile/").get_data(as_text=True)
    assert "Chrome Mobile 131 on Android (Pixel 7)" in page
    assert page.count("Sign out this one") == 2 and "This device" in page
    assert "127.0.0.1" in page
    phone_session = db.session.scalars(select(SignInSession).where(
        SignInSession.user_agent == CHROME_ON_ANDROID)).one()
    assert client.post_form(f"/profile/sessions/{phone_session.id}/end", page="/profile/").status_code == 302
    assert phone.get("/").status_code == 302
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert phone_session.end_reason == SessionEnd.ENDED_ELSEWHERE
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session_ended",
                                                       AuditEntry.portal_user_id == jana.id)).one()


def test_another_persons_session_cannot_be_ended(app, client):
    make_portal_user(email="jana@example.com")
    make_portal_user(email="petr@example.com")
    petr = _device(app)
    petr.sign_in("petr@example.com", PASSWORD)
    petrs = db.session.scalars(select(SignInSession)).one()
    client.sign_in("jana@example.com", PASSWORD)
    assert client.post_form(f"/profile/sessions/{petrs.id}/end", page="/profile/").status_code == 404
    assert petr.get("/").status_code == 200
    page = client.get("/profile/").get_data(as_text=True)
    assert page.count("Sign out this one") == 1


def test_sign_out_everywhere_ends_every_session(app, client):
    make_portal_user(email="jana@example.com")
    phone = _device(app)
    phone.sign_in("jana@example.com", PASSWORD)
    client.sign_in("jana@example.com", PASSWORD)
    client.post_form("/profile/sign-out-everywhere", page="/profile/")
    assert phone.get("/").status_code == 302 and client.get("/").status_code == 302
    assert db.session.scalars(select(SignInSession).where(SignInSession.ended_at.is_(None))).all() == []


def test_staff_see_their_sessions_and_sign_out_another_device(app, client):
    me = make_staff("clerk", email="clerk@example.com")
    make_staff("clerk", email="other@example.com")
    laptop = _device(app, CHROME_ON_ANDROID)
    laptop.staff_sign_in("clerk@example.com", PASSWORD)
    other = _device(app)
    other.staff_sign_in("other@example.com", PASSWORD)
    client.staff_sign_in("clerk@example.com", PASSWORD)
    page = client.get("/admin/my-sessions/").get_data(as_text=True)
    assert page.count("Sign out this one") == 2 and "Android" in page
    mine = db.session.scalars(select(SignInSession).where(SignInSession.staff_user_id == me.id,
                                                          SignInSession.user_agent == CHROME_ON_ANDROID)).one()
    others = db.session.scalars(select(SignInSession).where(SignInSession.staff_user_id != me.id)).one()
    assert client.post_form(f"/admin/my-sessions/{others.id}/end", page="/admin/my-sessions/").status_code == 404
    assert other.get("/admin/").status_code == 200
    assert client.post_form(f"/admin/my-sessions/{mine.id}/end", page="/admin/my-sessions/").status_code == 302
    assert laptop.get("/admin/").status_code == 302
    assert client.get("/admin/").status_code == 200


# --- staff lock-out -------------------------------------------------------------

def test_staff_accounts_rest_after_five_wrong_passwords_and_are_told(client):
    make_staff("clerk", email="clerk@example.com")
    for _ in range(12):
        client.staff_sign_in("clerk@example.com", "wrong password")
    response = client.staff_sign_in("clerk@example.com", PASSWORD)
    assert response.status_code == 200 and "not right" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff_account_locked")).all()) == 1
    notice = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == "clerk@example.com")).one()
    assert "15" in notice.body_text
    # After the rest the right password works again.
    staff = db.session.scalars(select(StaffUser)).one()
    staff.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.staff_sign_in("clerk@example.com", PASSWORD).headers["Location"] == "/admin/"


def test_a_portal_user_is_told_when_the_account_rests(client):
    make_portal_user(email="jana@example.com")
    for _ in range(5):
        client.sign_in("jana@example.com", "wrong password")
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account_locked")).one()
    assert db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == "jana@example.com")).one()
    assert "not right" in client.sign_in("jana@example.com", PASSWORD).get_data(as_text=True)


# --- wrong codes are counted on the server ----------------------------------------

def _wrong_code(secret: str) -> str:
    return next(c for c in ("000000", "111111", "222222") if not pyotp.TOTP(secret).verify(c, valid_window=1))


def test_replaying_the_cookie_after_the_password_step_buys_no_new_codes(client):
    secret = pyotp.random_base32()
    make_portal_user(email="jana@example.com", totp_secret=secret, totp_enabled_at=utcnow())
    assert client.sign_in("jana@example.com", PASSWORD).headers["Location"] == "/sign-in/code"
    after_password = _copy(client)
    token = client.csrf_token("/sign-in/code")
    for _ in range(5):
        _replay(client, after_password)  # every try from the cookie saved after the password
        client.post("/sign-in/code", data={"code": _wrong_code(secret), "csrf_token": token})
    _replay(client, after_password)
    response = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/").status_code == 302
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account_locked")).one()


def test_a_new_password_entry_does_not_reset_the_wrong_codes(client):
    secret = pyotp.random_base32()
    make_staff("clerk", email="clerk@example.com", totp_secret=secret)
    for _round in range(2):
        client.staff_sign_in("clerk@example.com", PASSWORD)
        for _ in range(3 if _round == 0 else 2):
            client.post_form("/admin/sign-in/code", {"code": _wrong_code(secret)})
    staff = db.session.scalars(select(StaffUser)).one()
    db.session.refresh(staff)
    assert staff.is_resting(utcnow())
    client.staff_sign_in("clerk@example.com", PASSWORD)
    assert client.get("/admin/").status_code == 302


# --- first credentials cannot be burnt by a stranger -------------------------------

def test_wrong_tries_rest_the_letter_but_never_spoil_it(app, client):
    user = make_portal_user(email="new@example.com", state=PortalUserState.INVITED, password=None)
    with app.test_request_context():
        issued = credentials.issue_credentials(user)
        db.session.commit()
    number = user.customer.number
    for _ in range(6):
        client.post_form("/activate", {"customer_number": number, "part1": "AAAA-BBBB-CCCC", "part2": "AAAA-BBBB-CCCC",
                                       "new_password": "Brand-New-Passphrase-1", "confirm_password": "Brand-New-Passphrase-1"})
    issue = db.session.scalars(select(CredentialIssue)).one()
    db.session.refresh(issue)
    assert issue.voided_at is None and issue.is_resting(utcnow())
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "credentials_resting")).one()
    # While it rests even the right parts do not work; afterwards they do.
    part2 = _part2_of(user)
    with app.test_request_context():
        assert credentials.verify(number, issued.part1, part2) is None
        issue.resting_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert credentials.verify(number, issued.part1, part2) is not None


def _part2_of(user: PortalUser) -> str:
    import re

    body = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == user.email)).one().body_text
    return re.search(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", body).group(0)
