"""Signing in and out of the portal and the back office."""
from datetime import timedelta

from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_portal_user, make_staff
from models.audit import AuditEntry
from models.base import utcnow
from models.sessions import SessionEnd, SignInSession
from models.users import PortalUserState


def test_a_customer_signs_in_and_sees_the_dashboard(client):
    user = make_portal_user(email="jana@example.com", name="Jana Nováková")
    response = client.sign_in("Jana@Example.com", PASSWORD)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Jana Nováková" in page
    assert user.customer.number in page
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in")).one()


def test_wrong_password_and_unknown_email_get_the_same_message(client):
    make_portal_user(email="jana@example.com")
    wrong = client.sign_in("jana@example.com", "wrong password").get_data(as_text=True)
    unknown = client.sign_in("nobody@example.com", "wrong password").get_data(as_text=True)
    message = "The e-mail or password is not right, or the account is not active."
    assert message in wrong and message in unknown
    assert client.get("/").status_code == 302
    failed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in_failed")).all()
    assert len(failed) == 2


def test_an_invited_user_cannot_sign_in_yet(client):
    make_portal_user(email="new@example.com", state=PortalUserState.INVITED)
    assert "not right" in client.sign_in("new@example.com", PASSWORD).get_data(as_text=True)


def test_bad_input_gets_messages_next_to_the_fields(client):
    response = client.post_form("/sign-in", {"email": "not-an-email", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="email-error"' in page and "Enter a valid e-mail address." in page
    assert 'id="password-error"' in page and "Enter your password." in page
    assert 'aria-describedby="email-error"' in page


def test_sign_in_redirects_only_within_the_site(client):
    make_portal_user(email="jana@example.com")
    token = client.csrf_token()
    response = client.post("/sign-in?next=https://evil.example/x",
                           data={"email": "jana@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"
    client.post_form("/sign-out", page="/")
    token = client.csrf_token()
    response = client.post("/sign-in?next=/invoices/",
                           data={"email": "jana@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/invoices/"


def test_sign_out_needs_a_post_with_a_token_and_ends_the_session(client):
    make_portal_user(email="jana@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400
    assert client.get("/").status_code == 200
    client.post_form("/sign-out", page="/")
    assert client.get("/").status_code == 302


def test_a_new_session_is_issued_on_sign_in(client):
    make_portal_user(email="jana@example.com")
    client.get("/sign-in")
    before = client.get_cookie("portal_session").value
    client.sign_in("jana@example.com", PASSWORD)
    assert client.get_cookie("portal_session").value != before


def _age_the_session(started_ago: timedelta, seen_ago: timedelta) -> None:
    """Move the one open session back in time, as if the browser had been away."""
    record = db.session.scalars(select(SignInSession).where(SignInSession.ended_at.is_(None))).one()
    now = utcnow()
    record.started_at, record.last_seen_at = now - started_ago, now - seen_ago
    db.session.commit()


def test_an_idle_session_ends(client, app):
    make_portal_user(email="jana@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    assert client.get("/").status_code == 200
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    _age_the_session(idle + timedelta(minutes=5), idle - timedelta(seconds=30))
    assert client.get("/").status_code == 200  # used a moment ago: still there
    _age_the_session(idle + timedelta(minutes=5), idle + timedelta(seconds=5))
    assert client.get("/").status_code == 302
    assert db.session.scalars(select(SignInSession.end_reason)).one() == SessionEnd.IDLE


def test_session_cookie_flags(client):
    make_portal_user(email="jana@example.com")
    response = client.sign_in("jana@example.com", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_staff_sign_in_and_out(client):
    make_staff("clerk", email="clerk@example.com")
    response = client.staff_sign_in("clerk@example.com", PASSWORD)
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff_sign_in")).one()
    client.post_form("/admin/sign-out", page="/admin/")
    assert client.get("/admin/").status_code == 302


def test_staff_sign_in_with_bad_input_shows_messages(client):
    page = client.post_form("/admin/sign-in", {"email": "x", "password": ""}, page="/admin/sign-in").get_data(as_text=True)
    assert "Enter a valid e-mail address." in page and "Enter your password." in page


def test_the_language_switch(client):
    page = client.get("/sign-in", headers={"Accept-Language": "cs"}).get_data(as_text=True)
    assert "Přihlášení" in page
    client.post_form("/language/en", {"next": "/sign-in"})
    assert "Sign in to the customer portal" in client.get("/sign-in").get_data(as_text=True)
    assert client.post_form("/language/de", {}).status_code == 404


def test_a_session_ends_after_the_absolute_limit_even_when_active(client, app):
    make_portal_user(email="jana@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    limit = app.config["PERMANENT_SESSION_LIFETIME"]
    # Used a minute ago, so the idle limit does not strike...
    _age_the_session(limit - timedelta(minutes=1), timedelta(minutes=1))
    assert client.get("/").status_code == 200
    # ...but past the absolute limit the session is over.
    _age_the_session(limit + timedelta(minutes=1), timedelta(minutes=1))
    assert client.get("/").status_code == 302
    assert db.session.scalars(select(SignInSession.end_reason)).one() == SessionEnd.EXPIRED
