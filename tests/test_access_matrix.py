"""The access matrix, generated from the URL map: every portal endpoint is declared here
with who may use it. A new endpoint that is not declared fails the first test, so later
work cannot skip the question. For every endpoint that shows a customer's record, a user
of another customer gets 404 (GET and POST alike), and the owner gets the page."""

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_portal_user
from models.billing import AdvanceSchedule, Invoice
from models.changes import ChangeRequest
from models.contracts import Contract
from models.customers import Customer
from models.files import StoredFile
from models.messaging import Message, MessageRecipient
from models.metering import MeterReading, SupplyPoint
from models.tickets import Ticket, TicketAttachment
from models.users import PortalUser
from services import messages
from services.demo_data import PORTAL_PASSWORD, load_demo_data
from test_access import PUBLIC_ENDPOINTS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

# Signed-in pages without a record in the URL (each is scoped by its module right and customer).
SIGNED_IN = {
    "dashboard.index", "auth.sign_out", "profile.index", "profile.sign_out_everywhere", "profile.switch_account",
    "profile.two_factor_off", "profile.two_factor_setup", "account.index", "account.my_data_download",
    "users.index", "users.invite", "changes.index", "changes.new", "invoices.index", "invoices.export",
    "invoices.advances", "invoices.statement", "invoices.statement_pdf", "supply_points.index", "readings.index",
    "requests.index", "requests.new", "service.index", "service.new", "messages.index", "documents.index",
    "price_lists.index",
}


def _first(query):
    record = db.session.scalars(query.limit(1)).first()
    assert record is not None, f"the matrix needs a record for {query}"
    return record


def _owned(customer_id: int) -> dict:
    """Endpoint -> URL arguments pointing at records of the given customer."""
    point = _first(select(SupplyPoint).where(SupplyPoint.customer_id == customer_id, SupplyPoint.self_readings_allowed))
    contract = _first(select(Contract).where(Contract.supply_points.any(SupplyPoint.id == point.id)))
    invoice = _first(select(Invoice).where(Invoice.customer_id == customer_id))
    schedule = _first(select(AdvanceSchedule).where(AdvanceSchedule.customer_id == customer_id))
    reading = _first(select(MeterReading).where(MeterReading.supply_point_id == point.id, MeterReading.photo_id.is_not(None)))
    change = _first(select(ChangeRequest).where(ChangeRequest.customer_id == customer_id,
                                                ChangeRequest.attachment_id.is_not(None)))
    recipient = _first(select(MessageRecipient).join(Message).where(MessageRecipient.customer_id == customer_id,
                                                                     Message.attachment_id.is_not(None)))
    user = _first(select(PortalUser).where(PortalUser.customer_id == customer_id, PortalUser.is_account_admin.is_(False)))
    args = {
        "invoices.detail": {"invoice_id": invoice.id}, "invoices.pdf": {"invoice_id": invoice.id},
        "invoices.advance_calendar": {"schedule_id": schedule.id},
        "invoices.advance_calendar_pdf_download": {"schedule_id": schedule.id},
        "invoices.change_advance": {"schedule_id": schedule.id},
        "supply_points.detail": {"point_id": point.id},
        "supply_points.contract_document": {"point_id": point.id, "contract_id": contract.id},
        "readings.history": {"point_id": point.id},
        "readings.new": {"point_id": point.id, "meter_id": point.meters[0].id},
        "readings.photo": {"reading_id": reading.id},
        "changes.detail": {"request_id": change.id}, "changes.attachment": {"request_id": change.id},
        "changes.withdraw": {"request_id": change.id},
        "messages.detail": {"recipient_id": recipient.id}, "messages.attachment": {"recipient_id": recipient.id},
        "messages.reply": {"recipient_id": recipient.id},
        "users.edit": {"user_id": user.id}, "users.disable": {"user_id": user.id},
    }
    for module, kind in (("requests", "request"), ("service", "service")):
        ticket = _first(select(Ticket).where(Ticket.customer_id == customer_id, Ticket.kind == kind))
        attachment = _first(select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id))
        for action in ("detail", "reply", "close", "reopen"):
            args[f"{module}.{action}"] = {"ticket_id": ticket.id}
        args[f"{module}.attachment"] = {"ticket_id": ticket.id, "attachment_id": attachment.id}
    return args


# Shared by segment rather than owned: another segment's record answers 404.
SHARED = {"documents.download", "price_lists.pdf"}


@pytest.fixture
def world(app):
    """The demo data plus the records some URLs need: a reading photo, attachments of a
    change request, a message and tickets, all of the bakery (customer 1000002)."""
    load_demo_data()
    bakery = db.session.scalars(select(Customer).where(Customer.number == "1000002")).one()
    photo = StoredFile.from_bytes("stav.png", "image/png", PNG)
    reading = db.session.scalars(select(MeterReading).join(SupplyPoint).where(SupplyPoint.customer_id == bakery.id)).first()
    reading.photo = photo
    db.session.add(ChangeRequest(customer=bakery, kind="other", reason="Příloha", state="in_review",
                                 attachment=StoredFile.from_bytes("doklad.pdf", "application/pdf", b"%PDF-1.4")))
    message = Message(subject="S přílohou", body="Text", audience="customer",
                      attachment=StoredFile.from_bytes("priloha.pdf", "application/pdf", b"%PDF-1.4"))
    messages.send(message, [bakery.id])
    for ticket in db.session.scalars(select(Ticket).where(Ticket.customer_id == bakery.id)):
        db.session.add(TicketAttachment(ticket=ticket, file=StoredFile.from_bytes("foto.png", "image/png", PNG)))
    db.session.add(Ticket(kind="request", customer=bakery, subject="Dotaz pekárny", text="?", state="assigned"))
    db.session.flush()
    ticket = db.session.scalars(select(Ticket).where(Ticket.subject == "Dotaz pekárny")).one()
    db.session.add(TicketAttachment(ticket=ticket, file=StoredFile.from_bytes("foto.png", "image/png", PNG)))
    db.session.commit()
    return bakery


def _url(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def test_every_portal_endpoint_is_in_the_matrix(app):
    owned = {"invoices.detail", "invoices.pdf", "invoices.advance_calendar", "invoices.advance_calendar_pdf_download",
             "invoices.change_advance", "supply_points.detail", "supply_points.contract_document", "readings.history",
             "readings.new", "readings.photo", "changes.detail", "changes.attachment", "changes.withdraw",
             "messages.detail", "messages.attachment", "messages.reply", "users.edit", "users.disable",
             *[f"{m}.{a}" for m in ("requests", "service") for a in ("detail", "reply", "close", "reopen", "attachment")]}
    declared = PUBLIC_ENDPOINTS | SIGNED_IN | SHARED | owned
    portal = {r.endpoint for r in app.url_map.iter_rules() if not r.rule.startswith("/admin")}
    assert portal - declared == set(), "new endpoints: declare who may use them in tests/test_access_matrix.py"
    assert declared - portal == set(), "the matrix names endpoints that no longer exist"


def test_another_customers_records_answer_404_to_every_method(world, app, client):
    owned = _owned(world.id)
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    for endpoint, values in owned.items():
        url = _url(app, endpoint, values)
        methods = next(r.methods for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        if "GET" in methods:
            assert client.get(url).status_code == 404, f"GET {url} ({endpoint}) reached another customer's record"
        if "POST" in methods:
            response = client.post_form(url, {"body": "x", "amount": "1000", "reason": "x"}, page="/")
            assert response.status_code == 404, f"POST {url} ({endpoint}) reached another customer's record"


def test_the_owner_reaches_every_record_page(world, app, client):
    owned = _owned(world.id)
    client.sign_in("tomas.dvorak@example.com", PORTAL_PASSWORD)
    for endpoint, values in owned.items():
        methods = next(r.methods for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        if "GET" in methods:
            url = _url(app, endpoint, values)
            assert client.get(url).status_code == 200, f"GET {url} ({endpoint}) refused to its owner"


def test_a_user_without_the_module_right_gets_404_everywhere_in_that_module(world, app, client):
    """Lucie has invoices, supply points and readings only."""
    owned = _owned(world.id)
    client.sign_in("lucie.mala@example.com", PORTAL_PASSWORD)
    modules_without = ("requests", "service", "messages", "changes", "documents", "price_lists", "users")
    for rule in app.url_map.iter_rules():
        module = rule.endpoint.split(".")[0]
        if module not in modules_without or rule.endpoint in PUBLIC_ENDPOINTS or "GET" not in rule.methods:
            continue
        values = owned.get(rule.endpoint, dict.fromkeys(rule.arguments, 1))
        if "kind" in rule.arguments:
            values = {"kind": "address"}
        url = _url(app, rule.endpoint, values)
        assert client.get(url).status_code == 404, f"{url} answered without the {module} right"


def test_another_segments_shared_records_answer_404(world, app, client):
    from models.documents import Document
    from models.price_lists import PriceList

    vip_document = _first(select(Document).where(Document.segment == "vip"))
    vip_price_list = _first(select(PriceList).where(PriceList.segment == "vip", PriceList.pdf_id.is_not(None)))
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)  # a household
    assert client.get(f"/documents/{vip_document.id}/file").status_code == 404
    assert client.get(f"/price-lists/{vip_price_list.id}/pdf").status_code == 404
    client.post_form("/sign-out", page="/")
    client.sign_in("tomas.dvorak@example.com", PORTAL_PASSWORD)  # the V.I.P. bakery
    assert client.get(f"/documents/{vip_document.id}/file").status_code == 200
    assert client.get(f"/price-lists/{vip_price_list.id}/pdf").status_code == 200


def _admin_views(app):
    """(view, its index URL) for every back-office view, from Flask-Admin's own registry."""
    admin = app.extensions["admin"][0]
    with app.test_request_context():
        from flask import url_for

        for view in admin._views:
            if view.endpoint in ("admin",):
                continue
            yield view, url_for(f"{view.endpoint}.index" if "index" in _methods(view) else f"{view.endpoint}.index_view")


def _methods(view):
    return {name for name in dir(type(view)) if name in ("index", "index_view")}


def test_every_back_office_view_answers_only_its_roles(app, client):
    """Each view declares its roles; a staff member with another role gets 403, with the
    role (or as an administrator) the page; customers and visitors never get it."""
    from factories import make_staff
    from models.users import StaffRole

    staff = {role: make_staff(role, email=f"{role}.matrix@example.com") for role in StaffRole}
    views = list(_admin_views(app))
    assert len(views) > 25
    for role, person in staff.items():
        client.staff_sign_in(person.email, PASSWORD)
        for view, url in views:
            allowed = role == StaffRole.ADMINISTRATOR or not view.roles or role in view.roles
            status = client.get(url).status_code
            # 302: a page that needs a record to show (the customer overview) sends to the list.
            assert (status in (200, 302)) if allowed else status == 403, f"{role} got {status} on {url}"
        client.post_form("/admin/sign-out", page="/admin/")
    # Every other route of the back office (create, edit, details, delete, actions, exports,
    # custom pages) belongs to a view and answers to the same roles.
    by_endpoint = {view.endpoint: view for view, _ in views}
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin") and r.endpoint.split(".")[0] in by_endpoint]
    assert len(rules) > 150
    for role in (StaffRole.CLERK, StaffRole.TECHNICIAN, StaffRole.BILLING):
        client.staff_sign_in(staff[role].email, PASSWORD)
        for rule in rules:
            view = by_endpoint[rule.endpoint.split(".")[0]]
            if not view.roles or role in view.roles or "GET" not in rule.methods:
                continue
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "csv")
            assert client.get(url).status_code == 403, f"{role} reached {url}"
        client.post_form("/admin/sign-out", page="/admin/")
    for _view, url in views:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/sign-in" in response.headers["Location"], url
    customer = make_portal_user(email="customer.matrix@example.com")
    client.sign_in(customer.email, PASSWORD)
    for _view, url in views:
        assert client.get(url).status_code == 404, f"a customer reached {url}"


def test_staff_never_reach_any_portal_page(app, client):
    from factories import make_staff

    make_staff("administrator", email="admin.portal@example.com")
    client.staff_sign_in("admin.portal@example.com", PASSWORD)
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin") or rule.endpoint in PUBLIC_ENDPOINTS or "GET" not in rule.methods:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
        assert client.get(url).status_code == 404, f"staff reached {url}"
