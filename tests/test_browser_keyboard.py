"""The forms work with the keyboard alone: Petr signs in and asks for a new phone number
using only Tab, typing and Enter; an error is announced next to its field."""
from playwright.sync_api import expect


def _tab_to(page, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_sign_in_and_a_change_request_with_the_keyboard_only(browser, live_server):
    page = browser.new_context(locale="cs-CZ").new_page()
    page.goto(f"{live_server}/sign-in")
    _tab_to(page, "email")
    page.keyboard.type("petr.svoboda@example.com")
    _tab_to(page, "password")
    page.keyboard.type("Demo-Portal-2026!")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(f"{live_server}/sign-in")

    page.goto(f"{live_server}/changes/new/phone")
    _tab_to(page, "phone")
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    phone = page.locator("#phone")
    expect(phone).to_have_attribute("aria-invalid", "true")
    described = phone.get_attribute("aria-describedby")
    expect(page.locator(f"#{described}")).to_contain_text("telefonní číslo")

    _tab_to(page, "phone")
    page.keyboard.press("Control+A")
    page.keyboard.type("+420 603 123 456")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Odeslat požadavek")).to_be_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Odeslat požadavek":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Požadavek na změnu")
    page.context.close()
