"""Redirects stay on this site (SECURITY.md #14): Flask-Admin's `url=` after edit, details,
delete and list actions in every back-office model view, the staff sign-in's `next=`, and
the portal's `next=` (sign-in, language switch). Each bad target lands on the page the view
falls back to, never off-site and never a 500."""
from urllib.parse import quote

import pytest
from flask import url_for
from flask_admin.model import BaseModelView

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff
from models.customers import Customer

# Each of these takes a browser off-site, runs script, or cannot go into a header.
OFF_SITE = [
    "http:evil.example",  # Flask-Admin's own is_safe_url took this; browsers read http://evil.example
    "https:evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",  # /%09/ in the URL: browsers drop the tab
    "https://evil.example/x",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "/admin/\r\nSet-Cookie: planted=1",  # %0d%0a: header injection, a 500 before
    "/\r\n/evil.example",
]
IDS = ["http-colon", "https-colon", "scheme-relative", "slash-backslash", "backslashes", "tab", "absolute",
       "javascript", "space-javascript", "crlf-header", "crlf-slashes"]


def q(target: str) -> str:
    return quote(target, safe="")


@pytest.fixture
def staff_client(client):
    make_staff("administrator", email="redirects.staff@example.com")
    client.staff_sign_in("redirects.staff@example.com", PASSWORD)
    return client


def assert_redirects_to(response, expected: str):
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == expected
    assert "Set-Cookie" not in str(response.headers.get("Location"))


@pytest.mark.parametrize("target", OFF_SITE, ids=IDS)
def test_flask_admin_return_urls_stay_on_the_site(staff_client, target):
    customer = make_customer()
    customers = "/admin/customers/"
    # A record that is not there: edit and details go straight back to `url`.
    assert_redirects_to(staff_client.get(f"{customers}edit/?id=999999&url={q(target)}"), customers)
    assert_redirects_to(staff_client.get(f"{customers}details/?id=999999&url={q(target)}"), customers)
    # Delete and list actions (POST with the form's hidden `url`).
    assert_redirects_to(staff_client.post_form(f"{customers}delete/", {"id": "999999", "url": target},
                                               page=customers), customers)
    assert_redirects_to(staff_client.post_form(f"{customers}action/", {"action": "delete", "rowid": ["999999"],
                                                                       "url": target}, page=customers), customers)
    # The portal's own action (credential letters) with nobody to issue to returns the same way
    # (it used to follow the Referer header).
    assert_redirects_to(staff_client.post_form(f"{customers}action/", {
        "action": "issue_credentials", "rowid": [str(customer.id)], "url": target}, page=customers,
        headers={"Referer": "https://evil.example/"}), customers)
    # An existing record: the "Cancel" link and the saved form go back to the list, not `url`.
    edit = f"{customers}edit/?id={customer.id}&url={q(target)}"
    page = staff_client.get(edit).get_data(as_text=True)
    for trace in ("evil.example", "alert(1)", "planted"):
        assert trace not in page, trace
    response = staff_client.post_form(edit, {
        "number": customer.number, "name": "Nové jméno", "email": customer.email, "street": customer.street,
        "city": customer.city, "postcode": customer.postcode, "kind": str(customer.kind), "active": "y",
    })
    assert_redirects_to(response, customers)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).name == "Nové jméno"


def test_a_return_url_within_the_back_office_is_kept(staff_client):
    """The rule does not simply drop `url`: staff come back to the filtered list they left."""
    customer = make_customer()
    back = "/admin/customers/?search=Praha&page=0"
    assert_redirects_to(staff_client.get(f"/admin/customers/edit/?id=999999&url={q(back)}"), back)
    assert_redirects_to(staff_client.post_form("/admin/customers/delete/", {"id": "999999", "url": back},
                                               page="/admin/customers/"), back)
    assert_redirects_to(staff_client.post_form("/admin/customers/action/", {
        "action": "issue_credentials", "rowid": [str(customer.id)], "url": back}, page="/admin/customers/"), back)
    # Leading blanks are trimmed, as a browser does.
    assert_redirects_to(staff_client.get(f"/admin/customers/details/?id=999999&url={q('  ' + back)}"), back)


def test_every_back_office_model_view_keeps_its_return_url_on_the_site(app, staff_client):
    """Central, not per view: each registered model view, whatever it overrides."""
    views = [view for view in app.extensions["admin"][0]._views if isinstance(view, BaseModelView)]
    assert len(views) >= 25
    for view in views:
        with app.test_request_context():
            index = url_for(f"{view.endpoint}.index_view")
        for kind in ("edit", "details"):
            url = f"{index}{kind}/?id=999999&url={q('http:evil.example')}"
            response = staff_client.get(url)
            assert response.status_code == 302 and response.headers["Location"] == index, url


@pytest.mark.parametrize("target", OFF_SITE, ids=IDS)
def test_the_staff_sign_in_next_stays_on_the_site(client, target):
    make_staff("clerk", email="redirects.clerk@example.com")
    response = client.post_form(f"/admin/sign-in?next={q(target)}",
                                {"email": "redirects.clerk@example.com", "password": PASSWORD}, page="/admin/sign-in")
    assert_redirects_to(response, "/admin/")


def test_the_staff_sign_in_next_within_the_back_office_is_kept(client):
    make_staff("clerk", email="redirects.clerk@example.com")
    response = client.post_form(f"/admin/sign-in?next={q('/admin/customers/?page=1')}",
                                {"email": "redirects.clerk@example.com", "password": PASSWORD}, page="/admin/sign-in")
    assert_redirects_to(response, "/admin/customers/?page=1")


@pytest.mark.parametrize("target", OFF_SITE, ids=IDS)
def test_the_portal_sign_in_next_stays_on_the_site(client, target):
    make_portal_user(email="redirects.customer@example.com")
    response = client.post_form(f"/sign-in?next={q(target)}",
                                {"email": "redirects.customer@example.com", "password": PASSWORD}, page="/sign-in")
    assert_redirects_to(response, "/")


@pytest.mark.parametrize("target", OFF_SITE, ids=IDS)
def test_the_language_switch_next_stays_on_the_site(client, target):
    assert_redirects_to(client.post_form("/language/cs", {"next": target}, page="/sign-in"), "/")
    assert_redirects_to(client.post_form("/language/en", {"next": "/invoices/?year=2026"}, page="/sign-in"),
                        "/invoices/?year=2026")
