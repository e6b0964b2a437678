"""Flows a person does, in a real browser (Debian's Chromium)."""
import re

from playwright.sync_api import expect

from helpers import browser_sign_in


def test_jana_signs_in_and_sees_her_dashboard(page, live_server):
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.get_by_label("E-mail").fill("jana.novakova@example.com")
    page.get_by_label("Heslo").fill("Demo-Portal-2026!")
    page.get_by_role("button", name="Přihlásit se").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jana Nováková")
    expect(page.get_by_role("link", name="Faktury a zálohy").first).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_the_navigation_collapses_into_a_menu_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="cs-CZ")
    page = context.new_page()
    browser_sign_in(page, live_server, "jana.novakova@example.com", "Demo-Portal-2026!")
    menu = page.get_by_role("button", name="Nabídka")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("link", name="Odběrná místa").first).to_be_visible()
    context.close()


def test_staff_sign_in_to_the_back_office(page, live_server):
    browser_sign_in(page, live_server, "admin@example.com", "Demo-Back-Office-2026", staff=True)
    expect(page.get_by_role("heading", name="Co na mě čeká")).to_be_visible()
