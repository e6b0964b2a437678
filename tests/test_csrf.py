"""CSRF on every state-changing request: every POST route of the portal and of the back
office (Flask-Admin list actions, delete and uploads included), generated from the URL
map, refuses a post without a token and one with a wrong token, and changes nothing."""
import pytest
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_portal_user, make_staff
from models.audit import AuditEntry
from models.outbox import OutgoingEmail


def _post_rules(app, admin: bool):
    for rule in app.url_map.iter_rules():
        # The JSON API takes no cookie, so no CSRF token either (tests/test_api.py: a session there is a 401).
        if "POST" in rule.methods and not rule.rule.startswith("/api/") and rule.rule.startswith("/admin") == admin:
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
            yield rule.endpoint, url


def _counts():
    return (db.session.scalar(select(func.count(AuditEntry.id))), db.session.scalar(select(func.count(OutgoingEmail.id))))


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_every_portal_post_needs_the_token(app, client, token):
    user = make_portal_user(email="csrf@example.com")
    client.sign_in(user.email, PASSWORD)
    before = _counts()
    for endpoint, url in _post_rules(app, admin=False):
        data = {"csrf_token": token} if token else {}
        response = client.post(url, data={**data, "body": "x", "email": user.email, "password": PASSWORD})
        assert response.status_code == 400, f"POST {url} ({endpoint}) without a valid token answered {response.status_code}"
    assert _counts() == before


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_every_back_office_post_needs_the_token(app, client, token):
    make_staff("administrator", email="admin.csrf@example.com")
    client.staff_sign_in("admin.csrf@example.com", PASSWORD)
    before = _counts()
    checked = 0
    for endpoint, url in _post_rules(app, admin=True):
        if endpoint == "admin.sign_in":
            continue
        data = {"csrf_token": token} if token else {}
        response = client.post(url, data={**data, "id": "1", "rowid": "1", "action": "delete", "name": "x"})
        assert response.status_code == 400, f"POST {url} ({endpoint}) without a valid token answered {response.status_code}"
        checked += 1
    assert checked > 50  # every create, edit, delete, action and custom page of the back office
    assert _counts() == before


def test_sign_in_forms_need_the_token_too(client):
    make_portal_user(email="login.csrf@example.com")
    assert client.post("/sign-in", data={"email": "login.csrf@example.com", "password": PASSWORD}).status_code == 400
    make_staff("clerk", email="staff.csrf@example.com")
    assert client.post("/admin/sign-in", data={"email": "staff.csrf@example.com", "password": PASSWORD}).status_code == 400
