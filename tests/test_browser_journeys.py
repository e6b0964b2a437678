"""Each kind of user walks through its day, in Czech and in English, on a phone-sized
screen for customers and a desktop for staff, saving screenshots (into PORTAL_SCREENSHOTS
if set — the README's pictures come from there — else into the test's temporary folder)."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from helpers import browser_sign_in, leave_sign_in

PORTAL, STAFF = "Demo-Portal-2026!", "Demo-Back-Office-2026"
JOURNEYS = {
    "household": ("jana.novakova@example.com", False, ["/", "/invoices/", "/invoices/advances", "/readings/",
                                                       "/messages/", "/changes/new/address", "/price-lists/"]),
    "vip": ("tomas.dvorak@example.com", False, ["/", "/supply-points/", "/readings/", "/service/", "/service/new",
                                                "/account/users/", "/documents/"]),
    "clerk": ("clerk@example.com", True, ["/admin/", "/admin/desk/team", "/admin/change-queue/",
                                          "/admin/message-desk/new", "/admin/customers/"]),
    "technician": ("technician@example.com", True, ["/admin/desk/", "/admin/reading-review/", "/admin/meters/"]),
    "administrator": ("admin@example.com", True, ["/admin/", "/admin/desk/breaches", "/admin/routing-rules/",
                                                  "/admin/audit/", "/admin/outbox/"]),
}


@pytest.mark.parametrize("locale", ["cs-CZ", "en-GB"])
@pytest.mark.parametrize("who", list(JOURNEYS))
def test_a_day_of_each_kind_of_user(browser, live_server, tmp_path, who, locale):
    email, staff, paths = JOURNEYS[who]
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    viewport = {"width": 1280, "height": 900} if staff else {"width": 390, "height": 844}
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    if locale.startswith("cs"):
        browser_sign_in(page, live_server, email, STAFF if staff else PORTAL, staff=staff)
    else:
        page.goto(f"{live_server}{'/admin/sign-in' if staff else '/sign-in'}")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(STAFF if staff else PORTAL)
        page.get_by_role("button", name="Sign in").click()
        leave_sign_in(page)
    if not staff and locale.startswith("en"):
        # Demo customers prefer Czech; the switch in the (phone-collapsed) header changes it.
        page.get_by_role("button", name=re.compile("Menu|Nabídka")).click()
        english = page.get_by_role("button", name="English")
        expect(english).to_be_visible()
        english.click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).not_to_have_url(re.compile("sign-in"))
    for number, path in enumerate(paths, start=1):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, f"{who} could not open {path}"
        expect(page.get_by_role("heading").first).to_be_visible()
        page.screenshot(path=str(folder / f"{who}-{locale[:2]}-{number}.png"), full_page=not staff)
    context.close()
