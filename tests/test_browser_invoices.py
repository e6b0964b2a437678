"""Jana filters her invoices to one year, opens one and downloads its PDF."""
from datetime import date

from playwright.sync_api import expect

from helpers import browser_sign_in


def test_filter_open_and_download(browser, live_server, tmp_path):
    context = browser.new_context(locale="cs-CZ", accept_downloads=True)
    page = context.new_page()
    browser_sign_in(page, live_server, "jana.novakova@example.com", "Demo-Portal-2026!")
    page.get_by_role("link", name="Faktury a zálohy").first.click()
    year = date.today().year
    page.get_by_label("Rok").fill(str(year))
    page.get_by_role("button", name="Filtrovat").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Faktura")
    with page.expect_download() as info:
        page.get_by_role("link", name="Stáhnout PDF").click()
    assert info.value.suggested_filename.startswith("faktura-") and info.value.suggested_filename.endswith(".pdf")
    target = tmp_path / "f.pdf"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    context.close()
