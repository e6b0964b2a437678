"""Jana asks for a new correspondence address; the clerk approves it; Jana sees it."""
import re

from playwright.sync_api import expect

from helpers import browser_sign_in


def test_address_change_from_request_to_approval(browser, live_server):
    jana = browser.new_context(locale="cs-CZ")
    page = jana.new_page()
    browser_sign_in(page, live_server, "jana.novakova@example.com", "Demo-Portal-2026!")
    page.goto(f"{live_server}/account/")
    page.get_by_role("link", name="Požádat o změnu").click()
    page.get_by_role("link", name="Korespondenční adresa").click()
    page.get_by_label("Ulice a číslo").fill("Vinohradská 112")
    page.get_by_label("Obec").fill("Praha 3")
    page.get_by_label("PSČ").fill("130 00")
    page.get_by_role("button", name="Zkontrolovat změnu").click()
    expect(page.get_by_role("cell", name="Vinohradská 112")).to_be_visible()
    page.get_by_role("button", name="Odeslat požadavek").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Požadavek na změnu")
    request_url = page.url
    request_id = re.search(r"/changes/(\d+)", request_url).group(1)

    clerk = browser.new_context(locale="cs-CZ")
    admin = clerk.new_page()
    browser_sign_in(admin, live_server, "clerk@example.com", "Demo-Back-Office-2026", staff=True)
    admin.goto(f"{live_server}/admin/change-queue/")
    admin.get_by_role("link", name=f"#{request_id}").click()
    expect(admin.get_by_role("cell", name="Vinohradská 112")).to_be_visible()
    admin.get_by_role("button", name="Schválit a provést").click()
    expect(admin.get_by_text("O požadavku je rozhodnuto.")).to_be_visible()
    clerk.close()

    page.goto(f"{live_server}/account/")
    expect(page.get_by_text("Vinohradská 112").first).to_be_visible()
    page.goto(request_url)
    expect(page.get_by_text("schváleno a provedeno")).to_be_visible()
    jana.close()
