"""The forms work with the keyboard alone: Petr signs in and asks for a new phone number
using only Tab, typing and Enter; an error is announced next to its field. And on every
customer page, Tab reaches every control of its forms, each with a visible focus ring."""
from playwright.sync_api import expect

from helpers import browser_sign_in, customer_page_urls


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


# Every control of a page's forms that a mouse user can use, numbered in page order; of a
# radio group only the first counts (Tab enters a group once, the arrow keys move within it).
MARK_CONTROLS = """() => {
  const seen = new Set();
  let n = 0;
  for (const el of document.querySelectorAll('main form :is(input, select, textarea, button)')) {
    if (el.type === 'hidden' || el.disabled || !el.getClientRects().length) continue;
    if (el.type === 'radio') { if (seen.has(el.name)) continue; seen.add(el.name); }
    el.dataset.keyboard = String(n++);
  }
  return n;
}"""
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el.dataset.keyboard === undefined) return null;
  const style = getComputedStyle(el);
  const shown = style.outlineStyle !== 'none' || style.boxShadow !== 'none';
  return [el.type === 'radio' ? [...document.querySelectorAll(`[name="${el.name}"]`)]
          .find(r => r.dataset.keyboard !== undefined).dataset.keyboard : el.dataset.keyboard, shown];
}"""


def _unreachable_controls(page, url: str) -> list[str]:
    """Tab from the top of the page through everything; say which form controls were never
    focused, or were focused without a visible focus ring."""
    response = page.goto(url)
    assert response.status == 200, url
    controls = page.evaluate(MARK_CONTROLS)
    reached, problems = set(), []
    for _ in range(controls + 120):
        if len(reached) == controls:
            break
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused:
            number, shown = focused
            if not shown and number not in reached:
                problems.append(f"{url}: control {number} shows no focus")
            reached.add(number)
    missing = [page.evaluate(f"document.querySelector('[data-keyboard=\"{n}\"]').outerHTML.slice(0, 120)")
               for n in map(str, range(controls)) if n not in reached]
    return problems + [f"{url}: not reachable with Tab: {html}" for html in missing]


def test_every_control_of_every_customer_form_is_reached_with_tab(browser, live_app, live_server):
    page = browser.new_context(locale="cs-CZ").new_page()
    problems = []
    for url in ("/sign-in", "/forgotten-password", "/activate"):
        problems += _unreachable_controls(page, f"{live_server}{url}")
    browser_sign_in(page, live_server, "tomas.dvorak@example.com", "Demo-Portal-2026!")
    for url in customer_page_urls(live_app) + ["/changes/new/phone", "/profile/two-factor"]:
        problems += _unreachable_controls(page, f"{live_server}{url}")
    page.context.close()
    assert problems == [], "\n".join(problems)
