"""A clerk's day in the back office, in Czech, in a real browser: what waits on the home page,
the change requests to review, a customer form that refuses a bad IČO next to the field, a
customer found by typing in a picker, the customer's overview with balance and timeline.
Screenshots go into PORTAL_SCREENSHOTS if set (the README's come from there), else into the
test's temporary folder."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from helpers import browser_sign_in

# It adds a customer to the shared live server.
pytestmark = pytest.mark.changes_live_data


def test_a_clerks_day_in_czech(browser, live_server, tmp_path):
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    browser_sign_in(page, live_server, "clerk@example.com", "Demo-Back-Office-2026", staff=True)

    # The home page: what waits for me, each queue a count and a link.
    page.goto(f"{live_server}/admin/")
    expect(page.get_by_role("heading", name="Co na mě čeká")).to_be_visible()
    queue = page.get_by_role("link", name="Požadavky na změny ke schválení")
    expect(queue).to_be_visible()
    page.screenshot(path=str(folder / "backoffice-clerk-home-cs.png"))
    queue.click()
    expect(page).to_have_url(re.compile("/admin/change-queue/"))
    expect(page.get_by_role("heading").first).to_be_visible()

    # A new business customer with an IČO that fails its check digit: said next to the field, in Czech.
    page.goto(f"{live_server}/admin/customers/new/")
    page.locator("#number").fill("9400001")
    page.locator("#name").fill("Pekárna U Mostu s.r.o.")
    page.locator("#company_id").fill("12345678")
    page.locator("#email").fill("pekarna@example.com")
    page.locator("#street").fill("Mostecká 5")
    page.locator("#city").fill("Praha")
    page.locator("#postcode").fill("118 00")
    page.locator("#phone").fill("601 123 456")
    page.locator("#kind").select_option("business", force=True)  # under its select2 widget
    page.locator("form.admin-form button[type=submit], form.admin-form input[type=submit]").first.click()
    feedback = page.locator("#company_id ~ .invalid-feedback, #company_id + .invalid-feedback").first
    expect(feedback).to_contain_text("IČO")
    expect(page.get_by_text("Traceback")).to_have_count(0)
    page.screenshot(path=str(folder / "backoffice-clerk-customer-form-cs.png"))
    page.locator("#company_id").fill("27082440")
    page.locator("form.admin-form button[type=submit], form.admin-form input[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()

    # A supply point's customer is searched by typing, never picked from a list of everyone.
    page.goto(f"{live_server}/admin/supply-points/new/")
    picker = page.locator("#s2id_customer, #customer + .select2, #customer ~ .select2-container").first
    picker.click()
    page.keyboard.type("Pekárna")
    result = page.locator(".select2-results li", has_text="Pekárna U Mostu").first
    expect(result).to_be_visible()
    page.screenshot(path=str(folder / "backoffice-clerk-picker-cs.png"))
    result.click()

    # The customer's overview: balance, open items and the timeline of everything.
    page.goto(f"{live_server}/admin/customers/")
    page.get_by_role("link", name="1000001").first.click()
    expect(page.locator("#balance")).to_contain_text("Kč")
    page.screenshot(path=str(folder / "backoffice-clerk-overview-cs.png"), full_page=True)
    context.close()
