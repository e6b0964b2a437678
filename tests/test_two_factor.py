"""Optional two-factor sign-in with an authenticator app and recovery codes."""
import re

import pyotp
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_portal_user
from models.audit import AuditEntry
from models.outbox import OutgoingEmail
from models.users import PortalUser


def _enable(client):
    page = client.get("/profile/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'<code class="user-select-all">([A-Z2-7]+)</code>', page).group(1)
    wrong_code = next(c for c in ("000000", "111111", "222222") if not pyotp.TOTP(secret).verify(c, valid_window=1))
    wrong = client.post_form("/profile/two-factor", {"code": wrong_code, "password": PASSWORD}).get_data(as_text=True)
    assert "The code is not right." in wrong
    # The password is asked again, so a signed-in computer left alone cannot lock the owner out.
    wrong = client.post_form("/profile/two-factor", {"code": pyotp.TOTP(secret).now(), "password": "nope"})
    assert "The password is not right." in wrong.get_data(as_text=True)
    assert not db.session.scalars(select(PortalUser)).one().has_two_factor
    page = client.post_form("/profile/two-factor", {"code": pyotp.TOTP(secret).now(), "password": PASSWORD}
                            ).get_data(as_text=True)
    codes = re.findall(r"<li>([0-9A-F]{6}-[0-9A-F]{6})</li>", page)
    assert len(codes) == 10
    return secret, codes


def test_enrol_then_sign_in_needs_the_code(client):
    make_portal_user(email="jana@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    secret, codes = _enable(client)
    client.post_form("/sign-out", page="/")
    response = client.sign_in("jana@example.com", PASSWORD)
    assert response.headers["Location"] == "/sign-in/code"
    assert client.get("/").status_code == 302  # not signed in before the code
    page = client.post_form("/sign-in/code", {"code": "123456"}).get_data(as_text=True)
    assert "The code is not right." in page
    assert client.post_form("/sign-in/code", {"code": pyotp.TOTP(secret).now()}).headers["Location"] == "/"
    assert client.get("/").status_code == 200
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"two_factor_enabled", "second_factor_failed"} <= actions


def test_a_recovery_code_works_once(client):
    make_portal_user(email="jana@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    _, codes = _enable(client)
    client.post_form("/sign-out", page="/")
    client.sign_in("jana@example.com", PASSWORD)
    assert client.post_form("/sign-in/code", {"code": codes[0].lower()}).headers["Location"] == "/"
    client.post_form("/sign-out", page="/")
    client.sign_in("jana@example.com", PASSWORD)
    assert "The code is not right." in client.post_form("/sign-in/code", {"code": codes[0]}).get_data(as_text=True)


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"


def test_turning_it_off_needs_the_password(client):
    make_portal_user(email="jana@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    _enable(client)
    page = client.post_form("/profile/two-factor/off", {"password": "nope"}, page="/profile/two-factor").get_data(as_text=True)
    assert "The password is not right." in page
    client.post_form("/profile/two-factor/off", {"password": PASSWORD}, page="/profile/two-factor")
    user = db.session.scalars(select(PortalUser)).one()
    db.session.refresh(user)
    assert not user.has_two_factor and user.recovery_codes == []
    notices = db.session.scalars(select(OutgoingEmail.body_text).where(OutgoingEmail.recipient == "jana@example.com")
                                 .order_by(OutgoingEmail.id)).all()
    assert [("turned on" in text, "turned off" in text) for text in notices] == [(True, False), (False, True)]
