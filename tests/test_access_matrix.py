"""The access matrix, generated from the URL map: every portal endpoint is declared here
with who may use it. A new endpoint that is not declared fails the first test, so later
work cannot skip the question. For every endpoint that shows a customer's record, a user
of another customer gets 404 (GET and POST alike), and the owner gets the page."""

from datetime import date

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_portal_user
from models.billing import AdvanceSchedule, Invoice
from models.changes import ChangeRequest, ChangeRequestField
from models.contracts import Contract
from models.customers import Customer
from models.files import StoredFile
from models.interval_data import IntervalDay
from models.messaging import Message, MessageRecipient
from models.metering import MeterReading, SupplyPoint
from models.sessions import SignInSession
from models.tickets import Ticket, TicketAttachment
from models.users import PortalUser
from services.demo_data import PORTAL_PASSWORD, load_demo_data
from services.messaging import messages
from test_access import PUBLIC_ENDPOINTS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

# Signed-in pages without a record in the URL (each is scoped by its module right and customer).
SIGNED_IN = {
    "dashboard.index", "auth.sign_out", "profile.index", "profile.sign_out_everywhere", "profile.switch_account",
    "profile.two_factor_off", "profile.two_factor_setup", "profile.notices", "account.index", "account.my_data_download",
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
    # Every record of one supply point (the customer's first), so that a colleague limited to
    # another supply point must be refused all of them (test_a_user_limited_to_another_supply_point…).
    point = _first(select(SupplyPoint).where(SupplyPoint.customer_id == customer_id, SupplyPoint.self_readings_allowed)
                   .order_by(SupplyPoint.id))
    contract = _first(select(Contract).where(Contract.supply_points.any(SupplyPoint.id == point.id)))
    invoice = _first(select(Invoice).where(Invoice.customer_id == customer_id, Invoice.supply_point_id == point.id))
    schedule = _first(select(AdvanceSchedule).where(AdvanceSchedule.customer_id == customer_id,
                                                    AdvanceSchedule.supply_point_id == point.id))
    reading = _first(select(MeterReading).where(MeterReading.supply_point_id == point.id, MeterReading.photo_id.is_not(None)))
    change = _first(select(ChangeRequest).where(ChangeRequest.customer_id == customer_id,
                                                ChangeRequest.attachment_id.is_not(None),
                                                ChangeRequest.advance_schedule_id == schedule.id))
    recipient = _first(select(MessageRecipient).join(Message).where(MessageRecipient.customer_id == customer_id,
                                                                     Message.attachment_id.is_not(None)))
    user = _first(select(PortalUser).where(PortalUser.customer_id == customer_id, PortalUser.is_account_admin.is_(False)))
    # A session of the customer's user: "sign out this one" must not end somebody else's.
    sign_in_session = _first(select(SignInSession).join(PortalUser, PortalUser.id == SignInSession.portal_user_id)
                             .where(PortalUser.customer_id == customer_id))
    args = {
        "invoices.detail": {"invoice_id": invoice.id}, "invoices.pdf": {"invoice_id": invoice.id},
        "invoices.advance_calendar": {"schedule_id": schedule.id},
        "invoices.advance_calendar_pdf_download": {"schedule_id": schedule.id},
        "invoices.change_advance": {"schedule_id": schedule.id},
        "supply_points.detail": {"point_id": point.id},
        "supply_points.contract_document": {"point_id": point.id, "contract_id": contract.id},
        "supply_points.consumption": {"point_id": point.id},
        "supply_points.consumption_month_csv": {"point_id": point.id, "month": "2026-11"},
        "supply_points.consumption_day_csv": {"point_id": point.id, "day": "2026-11-01"},
        "readings.history": {"point_id": point.id},
        "readings.new": {"point_id": point.id, "meter_id": point.meters[0].id},
        "readings.photo": {"reading_id": reading.id},
        "changes.detail": {"request_id": change.id}, "changes.attachment": {"request_id": change.id},
        "changes.withdraw": {"request_id": change.id},
        "messages.detail": {"recipient_id": recipient.id}, "messages.attachment": {"recipient_id": recipient.id},
        "messages.reply": {"recipient_id": recipient.id},
        "users.edit": {"user_id": user.id}, "users.disable": {"user_id": user.id},
        "profile.end_one_session": {"session_id": sign_in_session.id},
    }
    for module, kind in (("requests", "request"), ("service", "service")):
        ticket = _first(select(Ticket).where(Ticket.customer_id == customer_id, Ticket.kind == kind,
                                             Ticket.supply_point_id == point.id).order_by(Ticket.id))
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
    point = db.session.scalars(select(SupplyPoint).where(SupplyPoint.customer_id == bakery.id)
                               .order_by(SupplyPoint.id)).first()
    reading = db.session.scalars(select(MeterReading).where(MeterReading.supply_point_id == point.id)).first()
    reading.photo = photo
    smart_meter_day = IntervalDay(supply_point_id=point.id, day=date(2026, 11, 1))
    smart_meter_day.set_values(15, [125] * 96)
    db.session.add(smart_meter_day)
    schedule = db.session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.supply_point_id == point.id)).first()
    db.session.add(ChangeRequest(customer=bakery, kind="advance_amount", reason="Příloha", state="in_review",
                                 advance_schedule=schedule, effective_from=date.today(),
                                 fields=[ChangeRequestField(field="amount", old_value=str(schedule.amount),
                                                            new_value="1000.00")],
                                 attachment=StoredFile.from_bytes("doklad.pdf", "application/pdf", b"%PDF-1.4")))
    message = Message(subject="S přílohou", body="Text", audience="customer",
                      attachment=StoredFile.from_bytes("priloha.pdf", "application/pdf", b"%PDF-1.4"))
    messages.send(message, [bakery.id])
    for ticket in db.session.scalars(select(Ticket).where(Ticket.customer_id == bakery.id)):
        db.session.add(TicketAttachment(ticket=ticket, file=StoredFile.from_bytes("foto.png", "image/png", PNG)))
    db.session.add(Ticket(kind="request", customer=bakery, supply_point=point, subject="Dotaz pekárny", text="?",
                          state="assigned"))
    db.session.flush()
    ticket = db.session.scalars(select(Ticket).where(Ticket.subject == "Dotaz pekárny")).one()
    db.session.add(TicketAttachment(ticket=ticket, file=StoredFile.from_bytes("foto.png", "image/png", PNG)))
    tomas = db.session.scalars(select(PortalUser).where(PortalUser.email == "tomas.dvorak@example.com",
                                                        PortalUser.customer_id == bakery.id)).one()
    db.session.add(SignInSession(token_hash="0" * 64, portal_user_id=tomas.id))
    db.session.commit()
    return bakery


def _url(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def test_every_portal_endpoint_is_in_the_matrix(app):
    owned = {"invoices.detail", "invoices.pdf", "invoices.advance_calendar", "invoices.advance_calendar_pdf_download",
             "invoices.change_advance", "supply_points.detail", "supply_points.contract_document", "supply_points.consumption",
             "supply_points.consumption_month_csv", "supply_points.consumption_day_csv", "readings.history",
             "readings.new", "readings.photo", "changes.detail", "changes.attachment", "changes.withdraw",
             "messages.detail", "messages.attachment", "messages.reply", "users.edit", "users.disable",
             "profile.end_one_session",
             *[f"{m}.{a}" for m in ("requests", "service") for a in ("detail", "reply", "close", "reopen", "attachment")]}
    declared = PUBLIC_ENDPOINTS | SIGNED_IN | SHARED | owned
    portal = {r.endpoint for r in app.url_map.iter_rules() if not r.rule.startswith(("/admin", "/api/"))}
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


# Records of the whole customer, not of a supply point: a colleague limited to another
# supply point reaches them too. Every other record URL of the matrix is of the first
# supply point (see _owned) and answers that colleague 404.
LIMITED_REACHES = {"messages.detail", "messages.attachment", "messages.reply"}


def _limited_colleague(bakery: Customer) -> PortalUser:
    """A bakery user with every module, limited to its second supply point (not the one _owned uses)."""
    first, second = db.session.scalars(select(SupplyPoint).where(SupplyPoint.customer_id == bakery.id)
                                       .order_by(SupplyPoint.id)).all()[:2]
    user = make_portal_user(bakery, email="omezena@example.com", admin=False)
    user.supply_points.append(second)
    db.session.commit()
    return user


def test_a_user_limited_to_another_supply_point_reaches_none_of_its_records(world, app, client):
    owned = _owned(world.id)
    _limited_colleague(world)
    client.sign_in("omezena@example.com", PASSWORD)
    for endpoint, values in owned.items():
        url = _url(app, endpoint, values)
        methods = next(r.methods for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        if endpoint in LIMITED_REACHES:
            if "GET" in methods:
                assert client.get(url).status_code == 200, f"GET {url} ({endpoint}) refused a limited colleague"
            continue
        if "GET" in methods:
            assert client.get(url).status_code == 404, f"GET {url} ({endpoint}) reached another supply point"
        if "POST" in methods:
            response = client.post_form(url, {"body": "x", "amount": "1000", "reason": "x"}, page="/")
            assert response.status_code == 404, f"POST {url} ({endpoint}) reached another supply point"
    # Nothing was changed by the refused POSTs: the advance change is still open.
    change = db.session.get(ChangeRequest, owned["changes.withdraw"]["request_id"])
    db.session.refresh(change)
    assert change.state == "in_review"


def _of_first_point(bakery: Customer) -> dict:
    """What the statement and the data export must not show a user limited to the second point."""
    from models.billing import Advance, Payment, PaymentAllocation

    first = db.session.scalars(select(SupplyPoint).where(SupplyPoint.customer_id == bakery.id)
                               .order_by(SupplyPoint.id)).first()
    invoices = db.session.scalars(select(Invoice).where(Invoice.supply_point_id == first.id)).all()
    schedules = db.session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.supply_point_id == first.id)).all()
    advance_ids = select(Advance.id).where(Advance.schedule_id.in_([s.id for s in schedules]))
    payments = db.session.scalars(select(Payment).join(PaymentAllocation).where(
        (PaymentAllocation.advance_id.in_(advance_ids)) | PaymentAllocation.invoice_id.in_([i.id for i in invoices]))).all()
    assert invoices and schedules and payments
    return {"point": first, "invoices": invoices, "schedules": schedules, "payments": payments}


def test_the_statement_of_a_limited_user_lists_only_their_supply_points(world, app, client):
    import io

    from pypdf import PdfReader

    other = _of_first_point(world)
    _limited_colleague(world)
    client.sign_in("omezena@example.com", PASSWORD)
    period = "start=2020-01-01&end=2030-12-31"
    page = client.get(f"/invoices/statement?{period}").get_data(as_text=True)
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(f"/invoices/statement.pdf?{period}").data)).pages)
    for shown in (page, pdf):
        for invoice in other["invoices"]:
            assert invoice.number not in shown
        for schedule in other["schedules"]:
            assert schedule.variable_symbol not in shown
    own = db.session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.customer_id == world.id,
                                                           AdvanceSchedule.supply_point_id != other["point"].id)).first()
    assert own.variable_symbol in page and own.variable_symbol in pdf
    # The whole account's administrator still sees both.
    client.post_form("/sign-out", page="/")
    client.sign_in("tomas.dvorak@example.com", PORTAL_PASSWORD)
    page = client.get(f"/invoices/statement?{period}").get_data(as_text=True)
    assert other["invoices"][0].number in page and other["schedules"][0].variable_symbol in page


def test_the_data_export_of_a_limited_user_holds_only_what_they_may_see(world, app, client):
    import io
    import json
    import zipfile

    other = _of_first_point(world)
    client.sign_in("tomas.dvorak@example.com", PORTAL_PASSWORD)  # a colleague's sign-in, with his address
    client.post_form("/sign-out", page="/")
    limited = _limited_colleague(world)
    client.sign_in("omezena@example.com", PASSWORD)
    response = client.get("/account/my-data.zip")
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("my-data.json"))
    own_point = limited.supply_points[0].id
    assert [p["id"] for p in data["supply_points"]] == [own_point]
    assert data["invoices"] and {i["supply_point_id"] for i in data["invoices"]} == {own_point}
    assert {line["invoice_id"] for line in data["invoice_lines"]} <= {i["id"] for i in data["invoices"]}
    assert data["meter_readings"] and {r["supply_point_id"] for r in data["meter_readings"]} == {own_point}
    assert {t["supply_point_id"] for t in data["tickets"]} <= {own_point, None}
    assert not {a["schedule_id"] for a in data["advances"]} & {s.id for s in other["schedules"]}
    assert not {p["id"] for p in data["payments"]} & {p.id for p in other["payments"]}
    assert not [c for c in data["contracts"] if c["id"] in {c.id for c in other["point"].contracts}
                and own_point not in {p.id for p in db.session.get(Contract, c["id"]).supply_points}]
    assert [u["email"] for u in data["portal_users"]] == ["omezena@example.com"]
    assert data["audit_log"] and {e["portal_user_id"] for e in data["audit_log"]} <= {limited.id, None}
    assert "tomas.dvorak@example.com" not in json.dumps(data["audit_log"])
    # The account administrator's export is the whole account's.
    client.post_form("/sign-out", page="/")
    client.sign_in("tomas.dvorak@example.com", PORTAL_PASSWORD)
    data = json.loads(zipfile.ZipFile(io.BytesIO(client.get("/account/my-data.zip").data)).read("my-data.json"))
    assert len(data["supply_points"]) == 2 and len(data["portal_users"]) >= 3
    assert any(e["action"] == "sign_in" and e["actor"] == "omezena@example.com" for e in data["audit_log"])


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


def test_staff_never_reach_any_portal_page(app, client):
    from factories import make_staff

    make_staff("administrator", email="admin.portal@example.com")
    client.staff_sign_in("admin.portal@example.com", PASSWORD)
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/admin", "/api/")) or rule.endpoint in PUBLIC_ENDPOINTS or "GET" not in rule.methods:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
        assert client.get(url).status_code == 404, f"staff reached {url}"
