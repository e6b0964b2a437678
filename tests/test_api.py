"""The JSON API's door: bearer tokens only, each operation's scope, revoked and expired tokens,
sessions and tokens kept apart, problem documents, the rate limit per client, the audit log, the
CLI and the back office that make clients, and the OpenAPI document with its page."""
import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_portal_user, make_staff
from helpers import ApiCaller, PortalClient, api_token
from models.api import ApiClient, ApiToken
from models.audit import AuditEntry
from models.base import utcnow
from services.api import clients
from services.api.feed import TOPICS
from services.imports import KINDS
from test_access import PUBLIC_ENDPOINTS

PROBLEM = "application/problem+json"
# Pages that answer anybody: the portal's public ones and the back office's sign-in steps.
OPEN_TO_ANYONE = PUBLIC_ENDPOINTS | {"admin.sign_in", "admin.second_factor", "admin.enrol_two_factor", "admin.static"}


def _operations(app) -> list[tuple[str, str, str]]:
    """(method, path, scope) of every operation the OpenAPI document lists."""
    document = ApiCaller(app).get("/api/v1/openapi.json").get_json()
    return [(method.upper(), path, operation["security"][0]["bearer"][0])
            for path, operations in document["paths"].items() for method, operation in operations.items()]


def _call(api, method, path, token):
    return api.post(path, {"records": []}, token) if method == "POST" else api.get(path, token)


def _api_audit(**criteria):
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "api_request").order_by(AuditEntry.id))
    return [row for row in rows if all(row.data.get(k) == v for k, v in criteria.items())]


def test_the_document_has_one_push_per_import_kind_and_one_pull_per_topic(app):
    operations = _operations(app)
    assert sorted(p for m, p, _ in operations if m == "POST") == sorted(f"/api/v1/{kind}" for kind in KINDS)
    assert sorted(p for m, p, _ in operations if m == "GET") == sorted(f"/api/v1/{topic}" for topic in TOPICS)
    assert {scope for _, _, scope in operations} == set(clients.known_scopes())
    document = ApiCaller(app).get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    fields = document["components"]["schemas"]["CustomersRecord"]["properties"]
    assert sorted(fields) == sorted(KINDS["customers"].FIELDS)


def test_each_operation_needs_its_own_scope(app):
    api = ApiCaller(app)
    every = clients.known_scopes()
    for method, path, scope in _operations(app):
        lacking = api_token(*[s for s in every if s != scope])
        response = _call(api, method, path, lacking)
        assert response.status_code == 403, f"{method} {path} without {scope}: {response.status_code}"
        assert response.mimetype == PROBLEM
        problem = response.get_json()
        assert problem["status"] == 403 and scope in problem["detail"]
        assert f'scope="{scope}"' in response.headers["WWW-Authenticate"]
        only = api_token(scope)
        assert _call(api, method, path, only).status_code == 200, f"{method} {path} with only {scope}"


def test_no_token_or_a_wrong_scheme_is_401_with_a_problem_document(app):
    api = ApiCaller(app)
    secret = api_token("tickets:read")
    for headers in ({}, {"Authorization": secret}, {"Authorization": f"Basic {secret}"},
                    {"Authorization": "Bearer "}, {"Authorization": "Bearer zpapi_" + "x" * 43},
                    {"Authorization": "Bearer " + "x" * 5000}):
        response = api.call("GET", "/api/v1/tickets", headers=headers)
        assert response.status_code == 401, headers
        assert response.mimetype == PROBLEM
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="api"')
        assert set(response.get_json()) >= {"type", "title", "status", "detail"}
    assert api.get("/api/v1/tickets", secret).status_code == 200


def test_revoked_and_expired_tokens_and_switched_off_clients_are_refused(app):
    api = ApiCaller(app)
    revoked, expired, switched_off = (api_token("tickets:read") for _ in range(3))
    tokens = {t.token_hash: t for t in db.session.scalars(select(ApiToken))}
    clients.revoke(tokens[clients.token_hash(revoked)])
    tokens[clients.token_hash(expired)].expires_at = utcnow() - timedelta(seconds=1)
    tokens[clients.token_hash(switched_off)].client.active = False
    db.session.commit()
    for secret, detail in ((revoked, "The token has been revoked."), (expired, "The token has expired."),
                           (switched_off, "The token's client has been switched off.")):
        response = api.get("/api/v1/tickets", secret)
        assert response.status_code == 401
        assert response.get_json()["detail"] == detail
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_never_opens_a_portal_or_back_office_page(app):
    """Every page answers a caller with a valid token exactly as it answers an anonymous one."""
    secret = api_token(*clients.known_scopes())
    anonymous, with_token = ApiCaller(app), ApiCaller(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or "GET" not in rule.methods or rule.endpoint in OPEN_TO_ANYONE:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x").replace(f"<path:{arg}>", "x")
        plain, carrying = anonymous.get(url), with_token.get(url, secret)
        assert (carrying.status_code, carrying.headers.get("Location")) == (plain.status_code, plain.headers.get("Location")), url
        assert carrying.status_code in (302, 404), f"{url} answered {carrying.status_code} to a token"
        checked += 1
    assert checked > 100
    assert "/admin/sign-in" in with_token.get("/admin/customers/", secret).headers["Location"]
    assert "/sign-in" in with_token.get("/invoices/", secret).headers["Location"]


@pytest.mark.parametrize("who", ["customer", "staff"])
def test_a_signed_in_session_never_opens_the_api_and_the_api_sets_no_cookie(app, who):
    browser = PortalClient(app)
    if who == "customer":
        user = make_portal_user(email="session.api@example.com")
        browser.sign_in(user.email, PASSWORD)
        assert browser.get("/invoices/").status_code == 200
    else:
        staff = make_staff("administrator", email="staff.api@example.com")
        browser.staff_sign_in(staff.email, PASSWORD)
        assert browser.get("/admin/api-clients/").status_code == 200
    api = ApiCaller(app, via=browser)
    read = api.get("/api/v1/tickets")
    pushed = api.post("/api/v1/customers", {"records": []})  # no CSRF token: the cookie counts for nothing here
    for response in (read, pushed):
        assert response.status_code == 401 and response.mimetype == PROBLEM
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
    secret = api_token("tickets:read")
    answered = api.get("/api/v1/tickets", secret)
    assert answered.status_code == 200 and "Set-Cookie" not in answered.headers


def test_errors_under_api_are_problem_documents_and_the_portal_keeps_its_pages(app):
    api = ApiCaller(app)
    secret = api_token("customers:write")
    cases = {404: api.get("/api/v1/no-such-thing", secret), 405: api.call("DELETE", "/api/v1/customers", secret),
             415: api.post("/api/v1/customers", token=secret, data="records=1"),
             400: api.post("/api/v1/customers", token=secret, data="{not json", content_type="application/json")}
    for status, response in cases.items():
        assert response.status_code == status
        assert response.mimetype == PROBLEM
        assert response.get_json()["status"] == status
    assert cases[405].headers["Allow"]
    page = PortalClient(app).get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_failure_inside_the_api_is_a_500_problem_without_a_trace(make_app, monkeypatch):
    app = make_app()
    with app.app_context():
        secret = api_token("tickets:read")
    from services.api import feed

    def broken(*args, **kwargs):
        raise RuntimeError("the secret internals")

    monkeypatch.setattr(feed, "read", broken)
    response = ApiCaller(app).get("/api/v1/tickets", secret)
    assert response.status_code == 500 and response.mimetype == PROBLEM
    assert "internals" not in response.get_data(as_text=True)


def test_the_rate_limit_counts_per_client(make_app):
    app = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    with app.app_context():
        first, second = api_token("tickets:read"), api_token("tickets:read")
    api = ApiCaller(app)
    assert [api.get("/api/v1/tickets", first).status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/api/v1/tickets", first)
    assert refused.status_code == 429 and refused.mimetype == PROBLEM
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert api.get("/api/v1/tickets", second).status_code == 200
    with app.app_context():  # refused calls are logged, not written to the audit log
        assert len(_api_audit(status=429)) == 0
        assert len(_api_audit(status=200)) == 4


def test_every_call_is_audited_with_client_operation_and_outcome(app):
    api = ApiCaller(app)
    secret = api_token("customers:write", "tickets:read", name="CRM")
    api.get("/api/v1/tickets?after=0", secret)
    api.post("/api/v1/customers", {"records": [{"number": "x"}]}, secret)
    api.get("/api/v1/self-readings", secret)
    api.get("/api/v1/tickets", "zpapi_unknown")
    db.session.expire_all()
    rows = _api_audit()
    assert [(r.actor_kind, r.actor, r.data["operation"], r.data["status"]) for r in rows] == [
        ("api", "CRM", "pull_tickets", 200), ("api", "CRM", "push_customers", 422),
        ("api", "CRM", "pull_self_readings", 403), ("anonymous", "api: no valid token", "pull_tickets", 401)]
    assert rows[0].data["changes"] == 0
    assert rows[1].data["refused"] == 1 and rows[1].data["written"] is False
    assert rows[3].data["refusal"] == "unknown"
    token = db.session.scalars(select(ApiToken).join(ApiClient).where(ApiClient.name == "CRM")).one()
    assert token.last_used_at is not None


def test_the_cli_prints_the_token_once_and_keeps_only_its_hash(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api-client", "create", "Billing", "--scope", "invoices:write",
                                 "--scope", "tickets:read", "--days", "30"])
    assert result.exit_code == 0, result.output
    secrets_printed = re.findall(r"zpapi_[A-Za-z0-9_-]{43}", result.output)
    assert len(secrets_printed) == 1
    secret = secrets_printed[0]
    token = db.session.scalars(select(ApiToken)).one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scope_list == ["invoices:write", "tickets:read"]
    assert timedelta(days=29, hours=23) < token.expires_at - utcnow() <= timedelta(days=30)
    stored = [str(getattr(row, column.key)) for row in (token, token.client) for column in row.__table__.columns]
    assert not any(secret in value or secret[6:] in value for value in stored)
    listed = runner.invoke(args=["api-client", "list"])
    assert "Billing" in listed.output and "invoices:write tickets:read" in listed.output
    assert secret not in listed.output
    api = ApiCaller(app)
    assert api.get("/api/v1/tickets", secret).status_code == 200
    again = runner.invoke(args=["api-client", "create", "Billing", "--scope", "tickets:read"])
    # The CLI speaks the operator's default language (BABEL_DEFAULT_LOCALE, Czech).
    assert again.exit_code != 0 and "Klient s názvem Billing už existuje." in again.output
    unknown = runner.invoke(args=["api-client", "create", "Other", "--scope", "tickets:write"])
    assert unknown.exit_code != 0 and "Neznámé oprávnění tickets:write" in unknown.output
    revoked = runner.invoke(args=["api-client", "revoke", "Billing"])
    assert "1 tokens revoked" in revoked.output
    assert api.get("/api/v1/tickets", secret).status_code == 401
    assert db.session.scalar(select(ApiClient).where(ApiClient.name == "Other")) is None


def test_administrators_create_a_client_see_its_token_once_and_revoke_it(app):
    make_staff("administrator", email="admin.api@example.com")
    browser = PortalClient(app)
    browser.staff_sign_in("admin.api@example.com", PASSWORD)
    assert "Name of the system" in browser.get("/admin/api-clients/new/").get_data(as_text=True)
    refused = browser.post_form("/admin/api-clients/new/", {"name": "CRM", "days": "30"})
    assert "Choose at least one scope." in refused.get_data(as_text=True)
    created = browser.post_form("/admin/api-clients/new/", {"name": "CRM", "scopes": ["tickets:read", "customers:write"],
                                                             "days": "30"}, page="/admin/api-clients/new/")
    page = created.get_data(as_text=True)
    assert created.status_code == 200 and "shown this once" in page
    secret = re.search(r"zpapi_[A-Za-z0-9_-]{43}", page).group(0)
    token = db.session.scalars(select(ApiToken)).one()
    assert token.token_hash == clients.token_hash(secret)
    for listing in ("/admin/api-clients/", "/admin/api-tokens/", f"/admin/api-tokens/details/?id={token.id}"):
        shown = browser.get(listing).get_data(as_text=True)
        assert "CRM" in shown and secret not in shown and token.token_hash not in shown, listing
    api = ApiCaller(app)
    assert api.get("/api/v1/tickets", secret).status_code == 200
    browser.post_form("/admin/api-tokens/action/", {"action": "revoke", "rowid": str(token.id)},
                      page="/admin/api-tokens/")
    assert api.get("/api/v1/tickets", secret).status_code == 401
    entries = {e.action: e for e in db.session.scalars(select(AuditEntry))}
    assert entries["api_client_created"].actor == "admin.api@example.com"
    assert entries["api_token_revoked"].actor == "admin.api@example.com"


def test_the_reference_page_is_served_by_the_app_without_scripts(app):
    response = ApiCaller(app).get("/api/v1/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<script" not in page and "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from elsewhere
    for kind in KINDS:
        assert f"POST /api/v1/{kind}" in page
    for topic in TOPICS:
        assert f"GET /api/v1/{topic}" in page
    assert 'id="invalid-records"' in page
