"""Headers, error pages and the per-page SQL budget."""
import io
import logging

import pytest
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user
from helpers import count_queries
from models.audit import AuditEntry


def test_security_headers_on_portal_pages(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Request-Id"]


def test_signed_in_pages_are_not_cached_and_vary_by_cookie(client):
    """A shared proxy or the browser's back button must not show one person's page to another
    (SECURITY.md #8); there is no debugger console (#21)."""
    from factories import PASSWORD, make_portal_user

    make_portal_user(email="cache@example.com")
    client.sign_in("cache@example.com", PASSWORD)
    response = client.get("/invoices/")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"] and "Cookie" in response.headers["Vary"]
    assert client.get("/console").status_code == 404


def test_not_found_page_in_both_languages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    response = client.get("/no-such-page", headers={"Accept-Language": "cs"})
    assert "Stránka nenalezena" in response.get_data(as_text=True)


def test_a_failing_request_shows_a_reference_and_no_trace(make_app, caplog):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    with app.app_context(), caplog.at_level(logging.ERROR, logger="portal"):
        response = app.test_client().get("/boom", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internal detail" not in page and "Traceback" not in page
    request_id = response.headers["X-Request-Id"]
    assert request_id in page
    assert request_id in caplog.text


def _assert_method_not_allowed_page(response):
    page = response.get_data(as_text=True)
    assert response.status_code == 405, page[-1500:]
    assert response.mimetype == "text/html"
    assert "This action is not allowed here" in page and "Please go back and use the buttons on the page." in page
    assert f"Reference for our support: {response.headers['X-Request-Id']}" in page
    assert '<a class="btn btn-primary" href="/">Go to the home page</a>' in page
    assert "Traceback" not in page and "Method Not Allowed" not in page  # ours, not Werkzeug's page


def test_a_post_to_a_page_that_only_shows_answers_405_and_changes_nothing(client):
    """The dashboard takes GET only. A POST to it (a stale form, a script) is refused by the
    routing before any guard, CSRF check or view runs: 405 with the portal's own page, for a
    visitor (not a redirect to sign-in) as for a signed-in user (not a CSRF 400), whose session
    and data stay as they were."""
    make_portal_user(email="post@example.com")
    _assert_method_not_allowed_page(client.post("/"))
    client.sign_in("post@example.com", PASSWORD)
    audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    _assert_method_not_allowed_page(client.post("/", data={"csrf_token": client.csrf_token("/")}))
    _assert_method_not_allowed_page(client.post("/"))  # without a token: still 405, not 400
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before
    still = client.get("/")
    assert still.status_code == 200 and "/sign-out" in still.get_data(as_text=True)  # still signed in


@pytest.mark.parametrize("extra_records", [0, 30])
def test_dashboard_query_count_does_not_grow_with_data(app, client, extra_records):
    user = make_portal_user(email="jana@example.com")
    for _ in range(extra_records):
        make_customer()
        db.session.add(AuditEntry(actor_kind="system", actor="system", action="x", customer_id=user.customer_id))
    db.session.commit()
    client.sign_in("jana@example.com", PASSWORD)
    client.get("/")
    with count_queries(app) as statements:
        assert client.get("/").status_code == 200
    assert len(statements) <= 7, statements  # one of them counts the unread messages for the badge


def test_the_back_office_csp_has_a_nonce_instead_of_inline_scripts(client):
    from factories import make_staff

    make_staff("administrator", email="csp@example.com")
    client.staff_sign_in("csp@example.com", PASSWORD)
    response = client.get("/admin/customers/")
    script_src = next(part for part in response.headers["Content-Security-Policy"].split(";") if "script-src" in part)
    assert "'unsafe-inline'" not in script_src and "'nonce-" in script_src
    page = response.get_data(as_text=True)
    assert ' onclick="' not in page and "/static/admin/admin.js" in page


@pytest.mark.parametrize("language, titles", [
    ("en", {400: "could not be understood", 403: "may not do this", 405: "not allowed here", 413: "too large"}),
    ("cs", {400: "Požadavku nebylo možné porozumět", 403: "K této akci nemáte oprávnění", 405: "Tato akce zde není povolena",
            413: "Soubor je příliš velký"}),
])
def test_error_pages_in_both_languages(app, client, language, titles):
    from factories import make_staff

    headers = {"Accept-Language": language}
    pages = {400: client.post("/sign-in", headers=headers),  # no CSRF token
             405: client.put("/sign-in", headers=headers),
             413: client.post("/sign-in", headers=headers,
                              data={"f": (io.BytesIO(b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)), "a.pdf")})}
    make_staff("clerk", email=f"clerk.{language}@example.com")
    client.staff_sign_in(f"clerk.{language}@example.com", PASSWORD)
    pages[403] = client.get("/admin/desk/breaches", headers=headers)  # supervisors only
    for code, response in pages.items():
        page = response.get_data(as_text=True)
        assert response.status_code == code, (code, response.status_code)
        assert titles[code].lower() in page.lower(), (code, page[:300])
        assert response.headers["X-Request-Id"] in page and "Traceback" not in page


@pytest.mark.parametrize("language, too_many, broken", [
    ("en", "Too many attempts", "Something went wrong on our side"),
    ("cs", "Příliš mnoho pokusů", "Na naší straně se něco pokazilo"),
])
def test_throttled_and_failing_requests_have_pages_in_both_languages(make_app, language, too_many, broken):
    from helpers import PortalClient

    app = make_app(RATELIMIT_ENABLED=True, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    headers = {"Accept-Language": language}
    with app.app_context():
        client = PortalClient(app)
        token = client.csrf_token()
        for i in range(21):
            response = client.post("/sign-in", headers=headers, data={"email": f"x{i}@example.com", "password": "x",
                                                                      "csrf_token": token})
        assert response.status_code == 429 and too_many in response.get_data(as_text=True)
        failed = app.test_client().get("/boom", headers=headers)
        assert failed.status_code == 500 and broken in failed.get_data(as_text=True)
        assert "secret internal detail" not in failed.get_data(as_text=True)

