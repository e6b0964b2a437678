"""A script payload stored in the free-text fields customers and staff fill in (names,
addresses, ticket texts and replies, messages, notes, file names, reasons) is shown as
text on every page that shows it, in the portal and the back office: no script runs,
no dialog opens. E-mails are plain text and PDFs print it literally.

It changes the shared demo data of the live server, so it runs after every other test
(the `changes_live_data` mark, ordered in conftest)."""
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from extensions import db
from helpers import browser_sign_in, customer_page_urls
from models.changes import ChangeRequest
from models.customers import Customer
from models.documents import Document
from models.files import StoredFile
from models.messaging import Message, MessageRecipient
from models.metering import MeterReading, SupplyPoint
from models.tickets import EntryKind, Ticket, TicketAttachment, TicketEntry

pytestmark = pytest.mark.changes_live_data

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert("xss")>'


def _plant(live_app) -> dict:
    """Put the payload into every free-text field of the bakery's records."""
    with live_app.app_context():
        bakery = db.session.scalars(select(Customer).where(Customer.number == "1000002")).one()
        bakery.correspondence_name = f"Pekárna {PAYLOAD}"
        bakery.street = f"Náměstí {PAYLOAD}"
        point = db.session.scalars(select(SupplyPoint).where(SupplyPoint.customer_id == bakery.id)).first()
        point.street = f"Ulice {PAYLOAD}"
        ticket = db.session.scalars(select(Ticket).where(Ticket.customer_id == bakery.id, Ticket.kind == "service")).first()
        ticket.subject, ticket.text = f"Porucha {PAYLOAD}", f"Popis {PAYLOAD}"
        ticket.entries.append(TicketEntry(kind=EntryKind.REPLY, body=f"Odpověď {PAYLOAD}"))
        ticket.entries.append(TicketEntry(kind=EntryKind.NOTE, visible_to_customer=False, body=f"Poznámka {PAYLOAD}"))
        db.session.add(TicketAttachment(ticket=ticket, file=StoredFile.from_bytes(
            f'foto{PAYLOAD}.png'[:200], "image/png", b"\x89PNG\r\n\x1a\n")))
        message = Message(subject=f"Zpráva {PAYLOAD}", body=f"Text {PAYLOAD}", audience="customer")
        db.session.add(message)
        db.session.flush()
        db.session.add(MessageRecipient(message=message, customer=bakery))
        db.session.add(ChangeRequest(customer=bakery, kind="other", reason=f"Důvod {PAYLOAD}", state="in_review"))
        reading = db.session.scalars(select(MeterReading).where(MeterReading.supply_point_id == point.id)
                                     .order_by(MeterReading.read_on.desc())).first()
        reading.state, reading.rejection_reason = "rejected", f"Zamítnuto {PAYLOAD}"
        document = db.session.scalars(select(Document)).first()
        document.title, document.description = f"Dokument {PAYLOAD}", f"Popis {PAYLOAD}"
        db.session.commit()
        change = db.session.scalars(select(ChangeRequest).where(ChangeRequest.reason.contains("Důvod"))).one()
        return {"customer": bakery.id, "ticket": ticket.id, "message": message.id, "change": change.id}


def _visit(page, url, dialogs):
    response = page.goto(url)
    assert response.status == 200, url
    assert dialogs == [], f"a script ran on {url}"
    assert page.locator("img[src=x]").count() == 0, f"the payload became markup on {url}"


def test_stored_payloads_are_shown_as_text_everywhere(browser, live_app, live_server):
    ids = _plant(live_app)
    dialogs = []
    customer = browser.new_context(locale="cs-CZ").new_page()
    customer.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    browser_sign_in(customer, live_server, "tomas.dvorak@example.com", "Demo-Portal-2026!")
    for url in customer_page_urls(live_app):
        _visit(customer, f"{live_server}{url}", dialogs)
    customer.goto(f"{live_server}/service/{ids['ticket']}")
    expect(customer.get_by_text(f"Odpověď {PAYLOAD}")).to_be_visible()  # shown, as text
    assert "Poznámka" not in customer.content()
    customer.context.close()

    staff = browser.new_context(locale="cs-CZ").new_page()
    staff.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    browser_sign_in(staff, live_server, "admin@example.com", "Demo-Back-Office-2026", staff=True)
    for url in (f"/admin/customer-overview/{ids['customer']}", "/admin/customers/", "/admin/tickets/",
                f"/admin/desk/ticket/{ids['ticket']}", f"/admin/message-desk/{ids['message']}", "/admin/message-desk/",
                f"/admin/change-queue/{ids['change']}", "/admin/change-queue/", "/admin/documents/", "/admin/readings/",
                "/admin/supply-points/", "/admin/audit/"):
        _visit(staff, f"{live_server}{url}", dialogs)
    staff.goto(f"{live_server}/admin/desk/ticket/{ids['ticket']}")
    expect(staff.get_by_text(f"Poznámka {PAYLOAD}")).to_be_visible()
    staff.context.close()


def test_pdfs_and_emails_print_the_payload_literally(app):
    from models.outbox import OutgoingEmail
    from services.outbox import queue_email
    from services.pdf import simple_document

    text = PdfReader(io.BytesIO(simple_document(f"Název {PAYLOAD}", [f"Odstavec {PAYLOAD}"]))).pages[0].extract_text()
    assert '<script>alert("xss")</script>' in text
    with app.test_request_context():
        email = queue_email("x@example.com", f"Předmět {PAYLOAD}", "notice", text=f"Text {PAYLOAD}", link="http://localhost/")
        db.session.commit()
    stored = db.session.get(OutgoingEmail, email.id)
    assert stored.body_html is None and PAYLOAD in stored.body_text  # plain text only: no markup to inject into
