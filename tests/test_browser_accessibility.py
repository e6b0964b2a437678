"""axe-core (npm, node_modules/axe-core/axe.min.js) on every customer page and on the
back-office pages staff use most: no serious or critical violations."""
from pathlib import Path

import pytest
from sqlalchemy import select

from extensions import db
from helpers import browser_sign_in, customer_page_urls
from models.customers import Customer
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


def test_customer_pages_have_no_serious_accessibility_problems(browser, live_app, live_server):
    urls = customer_page_urls(live_app)
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
