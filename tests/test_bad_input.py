"""What a browser can send that the database cannot take answers 404 or 400, never 500, on
SQLite and PostgreSQL alike: ids beyond the id columns, page numbers beyond OFFSET, NUL
characters, and (the last net) any value the database rejects for its type."""
import pytest
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff
from models.changes import ChangeRequest

BIG = "99999999999"  # beyond a 32-bit INTEGER column
HUGE = "99999999999999999999999"  # beyond 64 bits


@pytest.fixture
def customer_client(client):
    make_portal_user(email="bad.input@example.com")
    client.sign_in("bad.input@example.com", PASSWORD)
    return client


@pytest.fixture
def staff_client(client):
    make_staff("administrator", email="bad.input.staff@example.com")
    client.staff_sign_in("bad.input.staff@example.com", PASSWORD)
    return client


@pytest.mark.parametrize("number", [BIG, HUGE])
def test_ids_no_record_can_have_are_not_found(customer_client, number):
    for url in (f"/invoices/{number}", f"/service/{number}", f"/supply-points/{number}", f"/messages/{number}",
                f"/readings/{number}", f"/changes/{number}", f"/documents/{number}", f"/invoices/{number}/pdf"):
        assert customer_client.get(url).status_code == 404, url


def test_page_numbers_beyond_any_list_show_an_empty_page(customer_client):
    for url in (f"/invoices/?page={HUGE}", f"/service/?page={HUGE}", f"/requests/?page={BIG}",
                f"/messages/?page={HUGE}", f"/documents/?page={HUGE}", "/invoices/?page=-5", "/invoices/?page=x"):
        assert customer_client.get(url).status_code == 200, url


def test_the_back_office_treats_impossible_ids_and_pages_as_missing(staff_client):
    for url in (f"/admin/customers/details/?id={BIG}", f"/admin/customers/edit/?id={HUGE}"):
        response = staff_client.get(url)
        assert response.status_code == 302 and "/admin/customers/" in response.headers["Location"], url
    for url in (f"/admin/desk/ticket/{BIG}", f"/admin/customer-overview/{HUGE}", f"/admin/change-queue/{BIG}"):
        assert staff_client.get(url).status_code == 404, url
    for url in (f"/admin/customers/?page={HUGE}", f"/admin/message-desk/?page={HUGE}", f"/admin/audit/?page={BIG}"):
        assert staff_client.get(url).status_code == 200, url


def test_the_bulk_delete_works_on_postgresql_and_ignores_impossible_ids(staff_client):
    """psycopg 3 sends Flask-Admin's row ids as text; PostgreSQL refused integer = varchar."""
    from models.customers import Customer

    keep, remove = make_customer(name="Zůstane"), make_customer(name="Smazat")
    token = staff_client.csrf_token("/admin/customers/")
    response = staff_client.post("/admin/customers/action/", data={
        "action": "delete", "rowid": [str(remove.id), HUGE, "x"], "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Customer.name).order_by(Customer.id)).all() == [keep.name]


def test_a_value_the_database_rejects_is_a_bad_request(make_app):
    """The last net, under a route that hands an impossible number straight to a query."""
    from flask import request

    from conftest import PortalClient
    from models.customers import Customer

    app = make_app()

    @app.route("/probe-number")
    def probe_number():
        return str(db.session.scalar(select(func.count(Customer.id)).where(Customer.id == int(request.args["n"]))))

    with app.app_context():
        client = PortalClient(app)
        assert client.get("/probe-number?n=5").status_code == 200
        response = client.get(f"/probe-number?n={HUGE}")
        assert response.status_code == 400 and "The request could not be understood" in response.get_data(as_text=True)
        assert client.get("/probe-number?n=5").status_code == 200  # the session was rolled back
        db.session.remove()


def test_a_nul_character_in_a_search_or_form_is_a_bad_request(client):
    """PostgreSQL cannot take text with NUL characters: such input is refused before any
    query, on the portal and in the back office, and stores nothing."""
    make_portal_user(email="nul@example.com")
    client.sign_in("nul@example.com", PASSWORD)
    for url in ("/service/?search=%00", "/requests/?search=a%00b", "/documents/?q=%00", "/invoices/?year=%00"):
        assert client.get(url).status_code == 400, url
    assert client.post_form("/changes/new/other", {"reason": "a\x00b"}).status_code == 400
    assert db.session.scalar(select(func.count(ChangeRequest.id))) == 0
    client.post_form("/sign-out", page="/")
    make_staff("administrator", email="nul.staff@example.com")
    client.staff_sign_in("nul.staff@example.com", PASSWORD)
    assert client.get("/admin/customers/?search=%00").status_code == 400


def test_numbers_beyond_their_columns_get_a_message_next_to_the_field(staff_client):
    from datetime import date

    from models.billing import Payment

    page = staff_client.post_form("/admin/payments/new/", {
        "customer_id": BIG, "received_on": date.today().isoformat(), "amount": "99999999999999",
        "variable_symbol": "2026000001", "reference": "Převod"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Enter a smaller number." in html and "Enter a smaller amount." in html
    assert db.session.scalars(select(Payment)).all() == []
