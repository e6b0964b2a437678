"""axe-core (npm, node_modules/axe-core/axe.min.js) on every customer page and on the
back-office pages staff use most: no serious or critical violations, on a desktop screen
and on a phone (many customers read their invoices on one: a table that fits a desktop
overflows there and becomes a scroll region a keyboard user must be able to reach)."""
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

# One browser context per screen, reused for every page of a test (a context per URL would
# double the run time). The phone is a real mobile context, 390×844 CSS pixels (iPhone 12–15):
# the page's <meta name="viewport"> is honoured and the layout is the one a phone gets.
SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True},
}

pytestmark = [pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm ci (make test-deps does it)"),
              pytest.mark.parametrize("screen", list(SCREENS))]


def _problems(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    page.evaluate(AXE.read_text())  # under the strict CSP a <script> tag would be blocked
    return [f"{url}: {problem}" for problem in page.evaluate(RUN)]


def _new_page(browser, screen: str):
    return browser.new_context(locale="cs-CZ", **SCREENS[screen]).new_page()


def test_customer_pages_have_no_serious_accessibility_problems(browser, live_app, live_server, screen):
    urls = customer_page_urls(live_app)
    page = _new_page(browser, screen)
    problems = []
    for url in ("/sign-in", "/forgotten-password", "/activate", "/documents/public"):
        problems += _problems(page, f"{live_server}{url}")
    browser_sign_in(page, live_server, "tomas.dvorak@example.com", "Demo-Portal-2026!")
    for url in urls:
        problems += _problems(page, f"{live_server}{url}")
    page.context.close()
    assert problems == [], "\n".join(problems)


def test_back_office_pages_staff_use_most_have_no_serious_problems(browser, live_app, live_server, screen):
    with live_app.app_context():
        ticket = db.session.scalars(select(Ticket)).first()
        customer = db.session.scalars(select(Customer).where(Customer.number == "1000002")).one()
    page = _new_page(browser, screen)
    problems = _problems(page, f"{live_server}/admin/sign-in")
    browser_sign_in(page, live_server, "admin@example.com", "Demo-Back-Office-2026", staff=True)
    for url in ("/admin/", "/admin/desk/", "/admin/desk/team", f"/admin/desk/ticket/{ticket.id}", "/admin/change-queue/",
                "/admin/reading-review/", "/admin/message-desk/", "/admin/message-desk/new", "/admin/customers/",
                f"/admin/customer-overview/{customer.id}", "/admin/payments/new/", "/admin/invoices/"):
        problems += _problems(page, f"{live_server}{url}")
    page.context.close()
    assert problems == [], "\n".join(problems)

