"""axe-core (npm, node_modules/axe-core/axe.min.js) on every customer page and on the
back-office pages staff use most: no serious or critical violations."""
from pathlib import Path

import pytest
from sqlalchemy import select

from extensions import db
from helpers import browser_sign_in
from models.billing import AdvanceSchedule, Invoice
from models.customers import Customer
from models.messaging import MessageRecipient
from models.metering import SupplyPoint
from models.tickets import Ticket

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"""

pytestmark = pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm ci (make test-deps does it)")


def _problems(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    page.evaluate(AXE.read_text())  # under the strict CSP a <script> tag would be blocked
    return [f"{url}: {problem}" for problem in page.evaluate(RUN)]


def _customer_urls(live_app) -> list[str]:
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


def test_customer_pages_have_no_serious_accessibility_problems(browser, live_app, live_server):
    urls = _customer_urls(live_app)
    page = browser.new_context(locale="cs-CZ").new_page()
    problems = []
    for url in ("/sign-in", "/forgotten-password", "/activate", "/documents/public"):
        problems += _problems(page, f"{live_server}{url}")
    browser_sign_in(page, live_server, "tomas.dvorak@example.com", "Demo-Portal-2026!")
    for url in urls:
        problems += _problems(page, f"{live_server}{url}")
    page.context.close()
    assert problems == [], "\n".join(problems)


def test_back_office_pages_staff_use_most_have_no_serious_problems(browser, live_app, live_server):
    with live_app.app_context():
        ticket = db.session.scalars(select(Ticket)).first()
        customer = db.session.scalars(select(Customer).where(Customer.number == "1000002")).one()
    page = browser.new_context(locale="cs-CZ").new_page()
    problems = _problems(page, f"{live_server}/admin/sign-in")
    browser_sign_in(page, live_server, "admin@example.com", "Demo-Back-Office-2026", staff=True)
    for url in ("/admin/", "/admin/desk/", "/admin/desk/team", f"/admin/desk/ticket/{ticket.id}", "/admin/change-queue/",
                "/admin/reading-review/", "/admin/message-desk/", "/admin/message-desk/new", "/admin/customers/",
                f"/admin/customer-overview/{customer.id}", "/admin/payments/new/", "/admin/invoices/"):
        problems += _problems(page, f"{live_server}{url}")
    page.context.close()
    assert problems == [], "\n".join(problems)
