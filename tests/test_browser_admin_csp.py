"""The back office under a Content-Security-Policy without inline scripts: its pages run
without CSP violations, and deleting a record still asks for confirmation."""
import re

from playwright.sync_api import expect

from helpers import browser_sign_in


def test_back_office_pages_run_without_csp_violations_and_delete_asks_first(browser, live_server):
    page = browser.new_context(locale="cs-CZ").new_page()
    violations = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text[:120]}")
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    browser_sign_in(page, live_server, "admin@example.com", "Demo-Back-Office-2026", staff=True)
    for path in ("/admin/", "/admin/customers/", "/admin/supply-points/new/", "/admin/invoices/", "/admin/desk/",
                 "/admin/message-desk/new", "/admin/document-categories/"):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, path
        csp = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in re.search(r"script-src[^;]*", csp).group(0)
    assert violations == [], "\n".join(violations)

    page.goto(f"{live_server}/admin/document-categories/")
    rows = page.locator("table tbody tr")
    count = rows.count()
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    rows.first.locator("button[title]").last.click()
    assert dialogs, "deleting did not ask for confirmation"
    expect(page.locator("table tbody tr")).to_have_count(count)

    # Inline rows (the items of a price list) are still added by their button.
    page.goto(f"{live_server}/admin/price-lists/new/")
    rows_before = page.locator("input[name$='-component']").count()
    page.locator("#items-button").click()
    expect(page.locator("input[name$='-component']")).to_have_count(rows_before + 1)
    assert violations == [], "\n".join(violations)
    page.context.close()
