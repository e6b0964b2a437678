"""The first access in a real browser: staff print the letters, the person activates."""
import re

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from extensions import db
from helpers import browser_sign_in
from models.customers import Customer
from models.outbox import OutgoingEmail
from models.users import PortalUser, PortalUserState

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def test_staff_issue_the_letter_and_the_customer_activates(browser, live_app, tmp_path):
    with live_app.app_context():
        customer = Customer(number="5550001", name="Růžena Dvořáková", email="ruzena@example.com",
                            street="Zahradní 7", city="Plzeň", postcode="30100")
        db.session.add(customer)
        db.session.add(PortalUser(customer=customer, email="ruzena@example.com", name="Růžena Dvořáková",
                                  state=PortalUserState.INVITED))
        db.session.commit()
        customer_id = customer.id
        db.session.remove()

    staff = browser.new_context(locale="cs-CZ", accept_downloads=True)
    page = staff.new_page()
    browser_sign_in(page, live_app.url, "clerk@example.com", "Demo-Back-Office-2026", staff=True)
    page.goto(f"{live_app.url}/admin/customers/?search=5550001")
    page.locator(f"input.action-checkbox[value='{customer_id}']").check()
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("a.dropdown-toggle", has_text=re.compile("S vybranými|With selected")).click()
    with page.expect_download() as download_info:
        page.get_by_text(re.compile("Vydat první přístupové údaje|Issue first credentials")).click()
    pdf = tmp_path / "letters.pdf"
    download_info.value.save_as(pdf)
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Růžena Dvořáková" in text and "Plzeň" in text
    part1 = CODE.search(text).group(0)
    staff.close()

    with live_app.app_context():
        body = db.session.scalars(select(OutgoingEmail.body_text).where(OutgoingEmail.recipient == "ruzena@example.com")
                                  .order_by(OutgoingEmail.id.desc())).first()
        db.session.remove()
    part2 = CODE.search(body).group(0)

    person = browser.new_context(locale="cs-CZ")
    page = person.new_page()
    page.goto(f"{live_app.url}/sign-in")
    page.get_by_role("link", name="První přihlášení s kódem z dopisu").click()
    page.get_by_label("Zákaznické číslo").fill("5550001")
    page.get_by_label("1. část kódu (z dopisu)").fill(part1.lower())
    page.get_by_label("2. část kódu (z e-mailu)").fill(part2)
    page.get_by_label("Nové heslo", exact=True).fill("Zelena-Louka-Za-Domem-7")
    page.get_by_label("Nové heslo znovu").fill("Zelena-Louka-Za-Domem-7")
    page.get_by_role("button", name="Aktivovat a přihlásit se").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Růžena Dvořáková")
    person.close()
