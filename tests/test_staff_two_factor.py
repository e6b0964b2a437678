"""Staff sign in with a code from an authenticator app where it is required (production by
default, SECURITY.md #13): set up at the first sign-in, asked at every later one, a few wrong
codes send them back to the password; an administrator resets it for a lost phone."""
import re

import pyotp
import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_staff
from helpers import PortalClient
from models.audit import AuditEntry
from models.users import StaffUser


@pytest.fixture
def required(make_app):
    app = make_app(STAFF_TWO_FACTOR_REQUIRED=True)
    with app.app_context():
        yield app
        db.session.remove()


def _staff(email: str) -> StaffUser:
    db.session.expire_all()
    return db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one()


def _wrong_code(secret: str) -> str:
    right = pyotp.TOTP(secret)
    return next(c for c in ("000000", "111111", "222222") if not right.verify(c, valid_window=1))


def test_the_first_sign_in_sets_up_the_app_and_later_ones_ask_for_its_code(required):
    make_staff("clerk", email="clerk@example.com")
    client = PortalClient(required)
    response = client.staff_sign_in("clerk@example.com", PASSWORD)
    assert response.headers["Location"] == "/admin/sign-in/set-up-code"
    assert client.get("/admin/").status_code == 302  # not in yet
    page = client.get("/admin/sign-in/set-up-code").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'<code class="user-select-all">([A-Z2-7]+)</code>', page).group(1)

    refused = client.post_form("/admin/sign-in/set-up-code", {"code": _wrong_code(secret)}).get_data(as_text=True)
    assert 'id="code-error"' in refused and "The code is not right" in refused
    assert _staff("clerk@example.com").totp_secret is None
    response = client.post_form("/admin/sign-in/set-up-code", {"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert _staff("clerk@example.com").totp_secret == secret
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff_two_factor_enabled")).one()

    client.post_form("/admin/sign-out", page="/admin/")
    assert client.staff_sign_in("clerk@example.com", PASSWORD).headers["Location"] == "/admin/sign-in/code"
    assert client.get("/admin/").status_code == 302
    assert client.post_form("/admin/sign-in/code", {"code": pyotp.TOTP(secret).now()}).headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_send_the_person_back_to_the_password(required):
    secret = pyotp.random_base32()
    make_staff("clerk", email="clerk@example.com", totp_secret=secret)
    client = PortalClient(required)
    client.staff_sign_in("clerk@example.com", PASSWORD)
    for _ in range(4):
        page = client.post_form("/admin/sign-in/code", {"code": _wrong_code(secret)})
        assert page.status_code == 200 and "The code is not right" in page.get_data(as_text=True)
    assert client.post_form("/admin/sign-in/code", {"code": _wrong_code(secret)}).headers["Location"] == "/admin/sign-in"
    # Even the right code does not help now: the password comes first again.
    response = client.post("/admin/sign-in/code", data={"code": pyotp.TOTP(secret).now(),
                                                         "csrf_token": client.csrf_token("/admin/sign-in")})
    assert response.headers["Location"] == "/admin/sign-in" and client.get("/admin/").status_code == 302
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff_second_factor_failed")).all()) == 5


def test_the_code_pages_without_a_password_first_go_back_to_sign_in(required):
    client = PortalClient(required)
    for url in ("/admin/sign-in/code", "/admin/sign-in/set-up-code"):
        assert client.get(url).headers["Location"] == "/admin/sign-in"


def test_where_not_required_a_person_who_set_it_up_is_still_asked(make_app):
    app = make_app()  # not production: STAFF_TWO_FACTOR_REQUIRED follows it
    with app.app_context():
        assert app.config["STAFF_TWO_FACTOR_REQUIRED"] is False
        make_staff("clerk", email="plain@example.com")
        make_staff("clerk", email="careful@example.com", totp_secret=pyotp.random_base32())
        client = PortalClient(app)
        assert client.staff_sign_in("plain@example.com", PASSWORD).headers["Location"] == "/admin/"
        client.post_form("/admin/sign-out", page="/admin/")
        assert client.staff_sign_in("careful@example.com", PASSWORD).headers["Location"] == "/admin/sign-in/code"
        db.session.remove()


def test_an_administrator_resets_it_for_a_lost_phone(required):
    admin_secret, lost = pyotp.random_base32(), pyotp.random_base32()
    make_staff("administrator", email="admin@example.com", totp_secret=admin_secret)
    clerk = make_staff("clerk", email="clerk@example.com", totp_secret=lost)
    client = PortalClient(required)
    client.staff_sign_in("admin@example.com", PASSWORD)
    client.post_form("/admin/sign-in/code", {"code": pyotp.TOTP(admin_secret).now()})
    assert "Two-factor sign-in" in client.get("/admin/staff/").get_data(as_text=True)
    response = client.post("/admin/staff/action/", data={
        "action": "reset_two_factor", "rowid": [str(clerk.id)], "csrf_token": client.csrf_token("/admin/staff/")})
    assert response.status_code == 302
    assert _staff("clerk@example.com").totp_secret is None
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff_two_factor_reset")).one()
    client.post_form("/admin/sign-out", page="/admin/")
    assert client.staff_sign_in("clerk@example.com", PASSWORD).headers["Location"] == "/admin/sign-in/set-up-code"
