"""Telling customers what arrived: a new invoice, advance schedule, price list or message e-mails
each portal user who would see it (module right, supply points, the person's choice in the
profile), once, in their language, with a link that opens the document, no secret, and the
invoice PDF attached for those who asked. Sent through the outbox to a real SMTP server."""
import io
import re
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from email.header import decode_header, make_header
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff, make_supply_point
from helpers import PortalClient, count_queries
from models.billing import AdvanceSchedule, Invoice, InvoiceLine
from models.contracts import Contract
from models.customers import Customer
from models.messaging import MessageRecipient
from models.outbox import EmailState, OutgoingEmail
from models.price_lists import PriceList, Product
from models.users import Module, PortalUser, PortalUserState, Team
from services.billing import invoicing
from services.messaging import notices
from services.outbox import send_due

TODAY = date.today()
PDF = b"%PDF-1.4\n% cenik\n"


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _parts(message):
    return [part for part in message.walk() if not part.is_multipart()]


def _text(message) -> str:
    return next(p for p in _parts(message) if p.get_content_type() == "text/plain").get_payload(decode=True).decode()


def _pdfs(message) -> list[bytes]:
    return [p.get_payload(decode=True) for p in _parts(message) if p.get_content_type() == "application/pdf"]


def _link(message, path: str) -> str:
    """The link of the e-mail into the portal, as a path for the test client."""
    [url] = re.findall(rf"http://localhost{path}\S*", _text(message))
    assert not urlsplit(url).query, f"a token-like query in the link: {url}"
    return urlsplit(url).path


def _by_recipient(smtp_server) -> dict:
    counts = Counter(m["To"] for m in smtp_server.messages)
    assert set(counts.values()) <= {1}, f"someone got a notice twice: {counts}"
    return {m["To"]: m for m in smtp_server.messages}


def _sent(smtp_server) -> dict:
    db.session.commit()
    sent, failed = send_due()
    assert failed == 0
    return _by_recipient(smtp_server)


def _checked(page: str, input_id: str) -> bool:
    [tag] = re.findall(rf'<input [^>]*id="{input_id}"[^>]*>', page)
    return " checked" in tag


def _invoice(customer, point, number="2026000101", *, issued=True) -> Invoice:
    invoice = Invoice(number=number, kind="settlement", customer=customer, supply_point=point, issued_on=TODAY,
                      taxable_supply_on=TODAY, due_on=TODAY + timedelta(days=14), variable_symbol=number,
                      bank_account="2800000001/2010", iban="CZ6520100000002800000001",
                      total_without_vat=Decimal("1000.00"), total_vat=Decimal("210.00"), total=Decimal("1210.00"),
                      lines=[InvoiceLine(position=1, kind="consumption", description="Silová elektřina",
                                         quantity=Decimal("0.400"), unit="MWh", unit_price=Decimal("2500.0000"),
                                         vat_rate=Decimal("21.00"), amount_without_vat=Decimal("1000.00"),
                                         vat=Decimal("210.00"))])
    if issued:
        invoicing.issue(invoice)  # with its PDF, as the back office issues
    else:
        db.session.add(invoice)  # as the import writes one without a PDF
    db.session.flush()
    return invoice


@pytest.fixture
def household(mail_app):
    """A customer with two supply points and users of every kind, and a stranger of another customer."""
    customer = make_customer(name="Novákovi")
    first = make_supply_point(customer, identifier="859182400100000016")
    second = make_supply_point(customer, identifier="859182400100000023")
    users = {
        "admin": make_portal_user(customer, email="jana@example.com", locale="en"),
        "czech": make_portal_user(customer, email="karel@example.com", modules=[Module.INVOICES], locale="cs"),
        "no_right": make_portal_user(customer, email="bez.prava@example.com", modules=[Module.MESSAGES], locale="cs"),
        "first_only": make_portal_user(customer, email="prvni@example.com", modules=[Module.INVOICES]),
        "second_only": make_portal_user(customer, email="druhe@example.com", modules=[Module.INVOICES]),
        "none": make_portal_user(customer, email="nechce@example.com", modules=[Module.INVOICES]),
        "invited": make_portal_user(customer, email="pozvany@example.com", modules=[Module.INVOICES],
                                    state=PortalUserState.INVITED, password=None),
    }
    users["first_only"].supply_points.append(first)
    users["second_only"].supply_points.append(second)
    users["none"].document_notices = "none"
    stranger = make_portal_user(email="cizi@example.com")
    db.session.commit()
    return customer, first, second, users, stranger


def test_a_new_invoice_tells_each_user_who_sees_it_once_in_their_language_with_a_working_link(household, smtp_server,
                                                                                             mail_app):
    customer, first, _second, users, _stranger = household
    invoice = _invoice(customer, first)
    assert notices.announce_invoice(invoice) == 3
    mails = _sent(smtp_server)
    # Not: without the invoices right, limited to the other supply point, "none" in the profile,
    # not yet activated, another customer's.
    assert set(mails) == {"jana@example.com", "karel@example.com", "prvni@example.com"}

    english, czech = mails["jana@example.com"], mails["karel@example.com"]
    assert _subject(english) == f"New document: Invoice {invoice.number}"
    assert _text(english).startswith("Hello,") and "is in your customer portal" in _text(english)
    assert _text(czech).startswith("Dobrý den,")  # the Czech user's e-mail is in Czech
    for message in mails.values():
        body = _text(message)
        assert "1,210" not in body and "1 210" not in body and "1210" not in body  # no amount
        assert _pdfs(message) == []  # nobody asked for the PDF
    assert {e.secret_values for e in db.session.scalars(select(OutgoingEmail))} == {None}

    client = PortalClient(mail_app)
    for email, message in (("jana@example.com", english), ("karel@example.com", czech)):
        client.sign_in(email, PASSWORD)
        link = _link(message, "/invoices/")
        page = client.get(link)
        assert link == f"/invoices/{invoice.id}" and page.status_code == 200 and invoice.number in page.get_data(as_text=True)
        client.post_form("/sign-out", page="/")


def test_the_invoice_pdf_is_attached_for_who_asked_even_for_an_invoice_imported_without_one(household, smtp_server):
    customer, first, _second, users, _stranger = household
    users["czech"].invoice_pdf_by_email = True
    db.session.commit()
    invoice = _invoice(customer, first, "2026000202", issued=False)
    assert invoice.pdf_id is None
    notices.announce_invoices([invoice.id])  # what the invoice import calls for a batch
    mails = _sent(smtp_server)
    [attached] = _pdfs(mails["karel@example.com"])
    assert invoice.number in PdfReader(io.BytesIO(attached)).pages[0].extract_text()
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).pdf.content == attached  # the one the portal serves from now on
    assert _pdfs(mails["jana@example.com"]) == []


def test_a_credit_note_from_the_back_office_is_announced(household, smtp_server):
    customer, first, _second, _users, _stranger = household
    invoice = _invoice(customer, first, "2026000303")
    db.session.commit()
    note = invoicing.cancel_by_credit_note(invoice, make_staff("billing"), "Chybný odečet")
    mails = _sent(smtp_server)
    assert _subject(mails["jana@example.com"]) == f"New document: Credit note {note.number}"
    assert "due on" not in _text(mails["jana@example.com"])


def test_a_new_advance_schedule_is_announced_to_who_sees_it(household, smtp_server, mail_app):
    customer, _first, second, _users, _stranger = household
    schedule = AdvanceSchedule(customer_id=customer.id, supply_point_id=second.id, valid_from=TODAY,
                               amount=Decimal("1500.00"), frequency_months=1, variable_symbol="7700001")
    db.session.add(schedule)
    assert notices.announce_advance_schedule(schedule) == 3
    mails = _sent(smtp_server)
    assert set(mails) == {"jana@example.com", "karel@example.com", "druhe@example.com"}
    client = PortalClient(mail_app)
    client.sign_in("druhe@example.com", PASSWORD)
    assert client.get(_link(mails["druhe@example.com"], "/invoices/advances")).status_code == 200


def test_the_choice_in_the_profile_is_validated_saved_and_obeyed(household, smtp_server, mail_app):
    customer, first, _second, users, _stranger = household
    client = PortalClient(mail_app)
    client.sign_in("karel@example.com", PASSWORD)
    page = client.get("/profile/").get_data(as_text=True)
    assert _checked(page, "document_notices-0") and not _checked(page, "invoice_pdf_by_email")  # the defaults

    refused = client.post_form("/profile/notices", {"document_notices": "none", "invoice_pdf_by_email": "y"},
                               page="/profile/").get_data(as_text=True)
    assert "abyste ji dostávali, zvolte e-mail o každém novém dokladu" in refused  # Karel reads Czech
    refused = client.post_form("/profile/notices", {"document_notices": "sometimes"}, page="/profile/")
    assert refused.status_code == 200 and "Vyberte, zda chcete tyto e-maily dostávat." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (users["czech"].document_notices, users["czech"].invoice_pdf_by_email) == ("every", False)

    saved = client.post_form("/profile/notices", {"document_notices": "none"}, page="/profile/")
    assert saved.status_code == 302
    assert "je uložena" in client.get("/profile/").get_data(as_text=True)
    notices.announce_invoice(_invoice(customer, first, "2026000404"))
    assert "karel@example.com" not in _sent(smtp_server)

    client.post_form("/profile/notices", {"document_notices": "every", "invoice_pdf_by_email": "y"}, page="/profile/")
    page = client.get("/profile/").get_data(as_text=True)
    assert _checked(page, "document_notices-0") and _checked(page, "invoice_pdf_by_email")
    smtp_server.messages.clear()
    notices.announce_invoice(_invoice(customer, first, "2026000505"))
    assert len(_pdfs(_sent(smtp_server)["karel@example.com"])) == 1


def test_a_person_acting_for_several_customers_is_told_by_their_own_choice_and_address(household, smtp_server):
    """An access linked to a login has no settings of its own: the person's hold."""
    customer, first, _second, users, stranger = household
    linked = PortalUser(customer_id=customer.id, email=stranger.email, name="Cizí", login_id=stranger.id,
                        state=PortalUserState.ACTIVE, locale=None)
    linked.grant(Module.INVOICES)
    db.session.add(linked)
    stranger.locale = "en"
    db.session.commit()
    # Given to another person, who has not taken it up yet: not told.
    waiting = make_portal_user(email="ceka@example.com")
    offered = PortalUser(customer_id=customer.id, email=waiting.email, name="Čeká", login_id=waiting.id,
                         state=PortalUserState.INVITED)
    offered.grant(Module.INVOICES)
    db.session.add(offered)
    db.session.commit()
    notices.announce_invoice(_invoice(customer, first, "2026000606"))
    mails = _sent(smtp_server)
    assert _text(mails["cizi@example.com"]).startswith("Hello,") and "ceka@example.com" not in mails
    smtp_server.messages.clear()
    stranger.document_notices = "none"
    db.session.commit()
    notices.announce_invoice(_invoice(customer, first, "2026000707"))
    assert "cizi@example.com" not in _sent(smtp_server)


@pytest.fixture
def desk(mail_app):
    team = Team(name="Podpora", is_default=True, members=[make_staff("clerk", email="clerk.notices@example.com")])
    db.session.add(team)
    db.session.commit()
    client = PortalClient(mail_app)
    client.staff_sign_in("clerk.notices@example.com", PASSWORD)
    return client, team


def test_a_message_from_the_back_office_tells_the_users_who_read_messages(household, desk, smtp_server, mail_app):
    customer, _first, _second, _users, _stranger = household
    client, team = desk
    response = client.post_form("/admin/message-desk/new", {
        "subject": "Odstávka", "body": "V sobotu bude odstávka.", "audience": "customer",
        "customer_number": customer.number, "segment": "household", "numbers": "", "team": str(team.id)})
    assert response.status_code == 302
    mails = _sent(smtp_server)
    # Messages are of the whole customer: limited users read them too; "none" and the invited do not.
    assert set(mails) == {"jana@example.com", "bez.prava@example.com"}
    assert _subject(mails["jana@example.com"]) == "New message: Odstávka"
    assert _subject(mails["bez.prava@example.com"]) == "Nová zpráva: Odstávka"  # the default language
    recipient = db.session.scalars(select(MessageRecipient).where(MessageRecipient.customer_id == customer.id)).one()
    assert recipient.delivered_via == "email"
    portal = PortalClient(mail_app)
    portal.sign_in("jana@example.com", PASSWORD)
    page = portal.get(_link(mails["jana@example.com"], "/messages/"))
    assert page.status_code == 200 and "V sobotu bude odstávka." in page.get_data(as_text=True)


def test_a_price_list_is_announced_once_its_pdf_publishes_it_to_its_segment(mail_app, smtp_server):
    households = [make_portal_user(email=f"domacnost{i}@example.com") for i in range(3)]
    make_portal_user(email="bez.ceniku@example.com", modules=[Module.INVOICES])
    make_portal_user(make_customer(segment="vip"), email="vip@example.com")
    ended = make_portal_user(email="skoncil@example.com")
    product = _product()
    db.session.add(Contract(number="SML-END-1", customer_id=ended.customer_id, product=product,
                            valid_from=TODAY - timedelta(days=400), valid_to=TODAY - timedelta(days=10)))
    db.session.commit()
    make_staff("billing", email="billing.notices@example.com")
    client = PortalClient(mail_app)
    client.staff_sign_in("billing.notices@example.com", PASSWORD)
    fields = {"name": "Ceník 2027", "commodity": "electricity", "product": str(product.id), "segment": "household",
              "valid_from": (TODAY + timedelta(days=30)).isoformat(), "valid_to": ""}
    created = client.post_form("/admin/price-lists/new/", fields)
    assert created.status_code == 302, created.get_data(as_text=True)
    price_list = db.session.scalars(select(PriceList).where(PriceList.name == "Ceník 2027")).one()
    assert _sent(smtp_server) == {}  # no PDF: not published yet

    edit = f"/admin/price-lists/edit/?id={price_list.id}"
    assert client.post_form(edit, {**fields, "upload": (io.BytesIO(PDF), "cenik-2027.pdf")}).status_code == 302
    mails = _sent(smtp_server)
    # The household segment's users with the price-list right, whose access has not ended with a contract.
    assert set(mails) == {u.email for u in households}
    assert _subject(mails["domacnost0@example.com"]) == "New price list: Ceník 2027"
    portal = PortalClient(mail_app)
    portal.sign_in("domacnost0@example.com", PASSWORD)
    assert portal.get(_link(mails["domacnost0@example.com"], "/price-lists/")).data == PDF

    smtp_server.messages.clear()
    assert client.post_form(edit, {**fields, "name": "Ceník 2027 (oprava)"}).status_code == 302
    assert _sent(smtp_server) == {}  # announced once


def test_a_price_list_for_a_large_segment_is_a_few_statements(mail_app):
    customers = 3000
    db.session.execute(insert(Customer), [
        {"number": f"{7000000 + i}", "name": f"Zákazník {i}", "email": f"z{i}@example.com", "street": "Dlouhá 1",
         "city": "Praha", "postcode": "11000"} for i in range(customers)])
    ids = db.session.scalars(select(Customer.id).where(Customer.number.like("7%"))).all()
    db.session.execute(insert(PortalUser), [
        {"customer_id": c, "email": f"u{c}@example.com", "name": "U", "state": "active", "is_account_admin": True,
         "locale": "en" if c % 2 else "cs", "document_notices": "every", "invoice_pdf_by_email": False,
         "failed_sign_ins": 0, "failed_codes": 0} for c in ids])
    price_list = PriceList(name="Ceník velký", commodity="electricity", segment="household", valid_from=TODAY,
                           pdf=db.session.merge(_pdf_file()))
    db.session.add(price_list)
    db.session.commit()
    started = time.perf_counter()
    with count_queries(mail_app) as statements:
        assert notices.announce_price_list(price_list) == customers
        db.session.commit()
    took = time.perf_counter() - started
    assert len(statements) <= 10, f"{len(statements)} statements for {customers} users"
    greetings = Counter(body.split("\n")[0] for body in db.session.scalars(select(OutgoingEmail.body_text)))
    assert greetings == {"Hello,": customers // 2, "Dobrý den,": customers // 2}  # each in the user's language
    print(f"\nannounced a price list to {customers} users in {took * 1000:.0f} ms, {len(statements)} statements")
    assert db.session.scalar(select(db.func.count(OutgoingEmail.id)).where(
        OutgoingEmail.state == EmailState.QUEUED)) == customers


def _product() -> Product:
    product = Product(code="E-NOTICE", name="Elektřina Oznámení", commodity="electricity")
    db.session.add(product)
    return product


def _pdf_file():
    from models.files import StoredFile

    return StoredFile.from_bytes("cenik.pdf", "application/pdf", PDF)


def test_after_the_contract_invoices_still_come_but_not_once_the_access_is_closed(mail_app, smtp_server):
    read_only = make_portal_user(email="dobeh@example.com")
    closed = make_portal_user(email="zavreno@example.com")
    product = _product()
    for user, ended_days_ago in ((read_only, 10), (closed, 400)):
        db.session.add(Contract(number=f"SML-{user.id}", customer_id=user.customer_id, product=product,
                                valid_from=TODAY - timedelta(days=800), valid_to=TODAY - timedelta(days=ended_days_ago)))
    db.session.commit()
    for user in (read_only, closed):
        point = make_supply_point(user.customer, identifier=f"85918240010000{user.id:04d}")
        notices.announce_invoice(_invoice(user.customer, point, f"20269{user.id:05d}"))
    assert set(_sent(smtp_server)) == {"dobeh@example.com"}  # the final settlement reaches the read-only access
    # Read-only as the portal then is, the person may still turn these e-mails off.
    client = PortalClient(mail_app)
    client.sign_in("dobeh@example.com", PASSWORD)
    assert client.post_form("/profile/notices", {"document_notices": "none"}, page="/profile/").status_code == 302
    db.session.expire_all()
    assert db.session.get(PortalUser, read_only.id).document_notices == "none"
