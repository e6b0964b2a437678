"""Helpers shared by the module tests: the test client, the SQL counter, the test database's
address, and shared assertions. (Fixtures live in conftest.py, which imports from here.)"""
from __future__ import annotations

import itertools
import os
import re
import socket
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import make_url

from extensions import db

# The PostgreSQL server to test against; unset, the tests run on SQLite.
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


def pg_url(name: str) -> str:
    """The address of database `name` on the PORTAL_TEST_DATABASE_URL server."""
    url = make_url(PG_URL).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortalClient:
    """A test client that submits forms the way a browser does: it reads the CSRF
    token from the page first, so CSRF protection stays on in tests."""

    TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        # English by default so that assertions read naturally; Czech tests ask for it.
        self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def __getattr__(self, name):
        return getattr(self.client, name)

    def open(self, *args, **kwargs):
        # Each request gets its own application context, as in a real server:
        # otherwise `g` (signed-in user, CSRF token) would leak between requests.
        with self.app.app_context():
            return self.client.open(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args, **kwargs):
        return self.open(*args, method="POST", **kwargs)

    def csrf_token(self, page: str = "/sign-in") -> str:
        html = self.get(page).get_data(as_text=True)
        match = self.TOKEN.search(html)
        assert match, f"no CSRF token on {page}"
        return match.group(1) or match.group(2)

    def post_form(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(page or url))
        return self.post(url, data=data, **kwargs)

    def sign_in(self, email: str, password: str):
        return self.post_form("/sign-in", {"email": email, "password": password})

    def staff_sign_in(self, email: str, password: str):
        return self.post_form("/admin/sign-in", {"email": email, "password": password})


@contextmanager
def count_queries(app):
    """Counts SQL statements sent while the block runs (the SQL budget helper)."""
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)



def assert_only_owner_sees(client, url: str, owner, other, password: str) -> None:
    """`url` shows a record of `owner`'s customer: another customer's user gets 404
    (as if it did not exist), the owner gets 200."""
    client.sign_in(other.email, password)
    response = client.get(url)
    assert response.status_code == 404, f"{url} answered {response.status_code} to another customer"
    client.post_form("/sign-out", page="/")
    client.sign_in(owner.email, password)
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code} to its owner"
    client.post_form("/sign-out", page="/")


def browser_sign_in(page, base_url: str, email: str, password: str, *, staff: bool = False) -> None:
    """Sign in through the real form, in Czech as the portal's users do."""
    page.goto(f"{base_url}{'/admin/sign-in' if staff else '/sign-in'}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Heslo").fill(password)
    page.get_by_role("button", name="Přihlásit se").click()
    leave_sign_in(page)


def leave_sign_in(page) -> None:
    """Wait until the browser has followed the redirect away from the sign-in page: clicking
    the next thing earlier can land on the sign-in page that is being replaced (the menu
    toggler exists there too), and the click is lost."""
    page.wait_for_url(lambda url: "sign-in" not in url)
    page.wait_for_load_state("load")


def decide_change(client, request_id, **data):
    """A clerk's decision on the review page, with the version the page shows (optimistic lock)."""
    import re

    page = client.get(f"/admin/change-queue/{request_id}").get_data(as_text=True)
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1)
    return client.post_form(f"/admin/change-queue/{request_id}", {"version": version, **data},
                            page=f"/admin/change-queue/{request_id}")


def customer_page_urls(live_app) -> list[str]:
    """Every page a customer sees, for the bakery of the demo data (the customer with the most records)."""
    from sqlalchemy import select

    from extensions import db
    from models.billing import AdvanceSchedule, Invoice
    from models.customers import Customer
    from models.messaging import MessageRecipient
    from models.metering import SupplyPoint
    from models.tickets import Ticket

    with live_app.app_context():
        bakery = db.session.scalars(select(Customer).where(Customer.number == "1000002")).one()
        point = db.session.scalars(select(SupplyPoint).where(SupplyPoint.customer_id == bakery.id,
                                                             SupplyPoint.self_readings_allowed)).first()
        invoice = db.session.scalars(select(Invoice).where(Invoice.customer_id == bakery.id)).first()
        schedule = db.session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.customer_id == bakery.id)).first()
        service = db.session.scalars(select(Ticket).where(Ticket.customer_id == bakery.id, Ticket.kind == "service")).first()
        recipient = db.session.scalars(select(MessageRecipient).where(MessageRecipient.customer_id == bakery.id)).first()
        return ["/", "/account/", "/account/users/", "/account/users/invite", "/profile/", "/changes/",
                "/changes/new/address", "/changes/new/company", "/invoices/", f"/invoices/{invoice.id}",
                "/invoices/advances", f"/invoices/advances/{schedule.id}/change", "/invoices/statement",
                "/supply-points/", f"/supply-points/{point.id}", "/readings/", f"/readings/{point.id}",
                f"/readings/{point.id}/meters/{point.meters[0].id}/new", "/requests/", "/requests/new", "/service/",
                "/service/new", f"/service/{service.id}", "/messages/", f"/messages/{recipient.id}", "/documents/",
                "/price-lists/"]


_API_NAMES = itertools.count(1)


def api_token(*scopes: str, name: str | None = None, days: int = 30) -> str:
    """A new API client with a token of these scopes (committed); the token's secret."""
    from services.api import clients

    _client, secret = clients.create_client(name or f"system-{next(_API_NAMES)}", scopes, days)
    db.session.commit()
    return secret


class ApiCaller:
    """Calls the JSON API as the supplier's systems do: a bearer token, JSON, no cookies kept
    between calls unless a test lends its signed-in client (`via=`)."""

    def __init__(self, app, via=None):
        self.app = app
        self.client = via.client if via is not None else app.test_client(use_cookies=False)

    def call(self, method: str, path: str, token: str | None = None, *, headers=None, **kwargs):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        with self.app.app_context():
            return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, token: str | None = None, **kwargs):
        return self.call("GET", path, token, **kwargs)

    def post(self, path: str, body=None, token: str | None = None, **kwargs):
        if body is not None:
            kwargs["json"] = body
        return self.call("POST", path, token, **kwargs)
