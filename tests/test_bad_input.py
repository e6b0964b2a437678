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

    from helpers import PortalClient
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
        "customer_number": BIG, "received_on": date.today().isoformat(), "amount": "99999999999999",
        "variable_symbol": "2026000001", "reference": "Převod"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "A customer number has digits only, at most 10." in html and "Enter a smaller amount." in html
    assert db.session.scalars(select(Payment)).all() == []


# --- dates far in the past or the future, line breaks where a header is made (issue 14, item 10) ---

FAR_DATES = ["0001-01-01", "9999-12-31"]


@pytest.mark.parametrize("day", FAR_DATES)
def test_a_statement_for_any_period_a_date_field_takes(customer_client, day):
    """0001-01-01 as the start asked for the balance "until the day before": a 500."""
    for url in (f"/invoices/statement?start={day}", f"/invoices/statement?end={day}",
                f"/invoices/statement?start={day}&end={day}", "/invoices/statement?start=0001-01-01&end=9999-12-31"):
        response = customer_client.get(url)
        assert response.status_code == 200 and "Statement" in response.get_data(as_text=True), url
        response = customer_client.get(url.replace("/statement?", "/statement.pdf?"))
        assert response.status_code == 200 and response.mimetype == "application/pdf", url


def test_a_statement_from_the_first_day_there_is_keeps_everything_in_the_period(customer_client):
    from datetime import date

    from models.billing import Payment
    from models.users import PortalUser

    user = db.session.scalars(select(PortalUser).where(PortalUser.email == "bad.input@example.com")).one()
    db.session.add(Payment(customer_id=user.customer_id, received_on=date(2020, 5, 4), amount=1234,
                           variable_symbol="2020000001", reference="Převod"))
    db.session.commit()
    page = customer_client.get("/invoices/statement?start=0001-01-01&end=9999-12-31").get_data(as_text=True)
    assert "2020000001" in page  # in the period, not in the balance brought forward


def test_a_reading_dated_far_in_the_past_or_future_gets_a_message_next_to_the_date(client):
    from sqlalchemy import update

    from models.metering import SupplyPoint
    from models.users import PortalUser
    from services.demo_data import PORTAL_PASSWORD, load_demo_data

    load_demo_data()
    db.session.execute(update(PortalUser).values(locale="en"))
    db.session.commit()
    point = db.session.scalars(select(SupplyPoint).where(SupplyPoint.identifier == "859182400102646743")).one()
    meter = point.meters[0]
    client.sign_in("lucie.mala@example.com", PORTAL_PASSWORD)
    url = f"/readings/{point.id}/meters/{meter.id}/new"
    values = {f"register_{register.id}": "999999" for register in meter.registers}
    expected = {"0001-01-01": "The date is before the meter was installed", "9999-12-31": "cannot be in the future"}
    for day, message in expected.items():
        response = client.post_form(url, {"read_on": day, "reason": "periodic", **values}, page=url)
        assert response.status_code == 200, day  # 0001-01-01 was a 400 page (the history window overflowed)
        assert message in response.get_data(as_text=True), day


def test_back_office_date_and_time_filters_work_for_any_time(staff_client, app):
    """Every filter on a timestamp (audit log, outbox, tickets, tasks, messages …) gave Flask-Admin's
    naive time to a timezone-aware column: a 500 for any value, not only far ones."""
    from datetime import UTC, datetime
    from urllib.parse import quote

    from flask import url_for
    from flask_admin.contrib.sqla.filters import DateTimeBetweenFilter, DateTimeGreaterFilter, DateTimeNotBetweenFilter
    from flask_admin.model import BaseModelView

    from models.audit import AuditEntry

    for day, action in ((1, "probe_first"), (2, "probe_second"), (3, "probe_third")):
        db.session.add(AuditEntry(action=action, actor_kind="system", actor="system",
                                  at=datetime(2026, 3, day, 10, 0, tzinfo=UTC)))
    db.session.commit()
    [audit] = [v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", None) == "bo_audit"]
    at = [(i, f) for i, f in enumerate(audit._filters) if f.column.key == "at"]
    greater = next(i for i, f in at if isinstance(f, DateTimeGreaterFilter))
    between = next(i for i, f in at if isinstance(f, DateTimeBetweenFilter) and not isinstance(f, DateTimeNotBetweenFilter))
    # Times are typed in the portal's time zone: 10:30 in Prague on 2 March is 9:30 UTC, before the second entry.
    after = staff_client.get(f"/admin/audit/?flt0_{greater}={quote('2026-03-02 10:30:00')}")
    page = after.get_data(as_text=True)
    assert after.status_code == 200 and "probe_third" in page and "probe_second" in page and "probe_first" not in page
    everything = quote("0001-01-01 00:00:00 to 9999-12-31 23:59:59")
    page = staff_client.get(f"/admin/audit/?flt0_{between}={everything}").get_data(as_text=True)
    assert all(action in page for action in ("probe_first", "probe_second", "probe_third"))
    # Every timestamp filter of every view, at both ends of time.
    checked = 0
    for view in app.extensions["admin"][0]._views:
        if not isinstance(view, BaseModelView) or not view._filters:
            continue
        with app.test_request_context():
            url = url_for(f"{view.endpoint}.index_view")
        for i, flt in enumerate(view._filters):
            if "DateTime" in type(flt).__name__:
                value = everything if "Between" in type(flt).__name__ else quote("0001-01-01 00:00:00")
                response = staff_client.get(f"{url}?flt0_{i}={value}")
                assert response.status_code == 200, (url, type(flt).__name__)
                checked += 1
    assert checked >= 40


@pytest.mark.parametrize("path", ["/sign-in", "/language/cs", "/admin/sign-in"])
def test_a_line_break_in_next_is_ignored_not_a_500(client, path):
    make_portal_user(email="crlf@example.com")
    make_staff("clerk", email="crlf.staff@example.com")
    email = "crlf.staff@example.com" if path.startswith("/admin") else "crlf@example.com"
    data = {"email": email, "password": PASSWORD}
    if path.startswith("/language"):
        data = {"next": "/invoices/\r\nSet-Cookie: planted=1"}
        path_with_next = path
    else:
        path_with_next = f"{path}?next=/invoices/%0d%0aSet-Cookie:%20planted=1"
    response = client.post_form(path_with_next, data, page="/admin/sign-in" if path.startswith("/admin") else "/sign-in")
    assert response.status_code == 302 and "\n" not in response.headers["Location"]
    assert "planted" not in str(response.headers)


def test_a_ticket_subject_with_line_breaks_is_one_line_and_its_emails_go_out(mail_app, smtp_server):
    """A crafted POST put CR/LF into the subject; Flask-Mail refused every e-mail about the
    ticket (BadHeaderError) and they stayed failing in the outbox."""
    from email.header import decode_header, make_header

    from factories import make_supply_point
    from helpers import PortalClient
    from models.outbox import EmailState, OutgoingEmail
    from models.tickets import ServiceCategory, Ticket
    from models.users import Team
    from services.outbox import send_due

    staff = make_staff("technician", email="crlf.tech@example.com")
    db.session.add(Team(name="Podpora", is_default=True, members=[staff]))
    category = ServiceCategory(name="Porucha")
    db.session.add(category)
    user = make_portal_user(email="crlf.customer@example.com")
    point = make_supply_point(user.customer)
    client = PortalClient(mail_app)
    client.sign_in("crlf.customer@example.com", PASSWORD)
    response = client.post_form("/service/new", {
        "service_category": str(category.id), "supply_point": str(point.id), "priority": "normal",
        "subject": "Nesvítí\r\nBcc: victim@example.com\r\n\tdisplej", "text": "Od rána."})
    assert response.status_code == 302
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.subject == "Nesvítí Bcc: victim@example.com displej"
    sent, failed = send_due()
    assert failed == 0 and sent == len(smtp_server.messages) >= 2  # the technician's task and the customer's receipt
    for message in smtp_server.messages:
        subject = str(make_header(decode_header(message["Subject"])))
        assert "Nesvítí Bcc: victim@example.com displej" in subject and "\n" not in subject
        assert message["Bcc"] is None
    assert {e.state for e in db.session.scalars(select(OutgoingEmail))} == {EmailState.SENT}


def test_an_email_subject_never_keeps_a_line_break(mail_app, smtp_server):
    """Defence in depth: whatever a caller passes, queue_email writes one line."""
    from models.outbox import EmailState
    from services.outbox import queue_email, send_due

    with mail_app.test_request_context():
        email = queue_email("jana@example.com", "První\r\nBcc: victim@example.com\nřádek", "notice", text="x", link=None)
        db.session.commit()
    assert email.subject == "První Bcc: victim@example.com řádek"
    assert send_due() == (1, 0)
    db.session.refresh(email)
    assert email.state == EmailState.SENT and smtp_server.messages[0]["Bcc"] is None
