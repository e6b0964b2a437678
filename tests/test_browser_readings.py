"""The V.I.P. customer reads both registers of its electricity meter and sees the reading
in the history and the chart; Jana, without the self-reading right, has no form."""
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from helpers import browser_sign_in
from models.metering import MeterReading, SupplyPoint

EAN = "859182400102646743"


def _last_values(live_app) -> dict[str, int]:
    with live_app.app_context():
        point = db.session.scalars(select(SupplyPoint).where(SupplyPoint.identifier == EAN)).one()
        values = {}
        for register in point.meters[0].registers:
            values[register.code] = db.session.scalars(
                select(MeterReading.value).where(MeterReading.register_id == register.id, MeterReading.state == "accepted")
                .order_by(MeterReading.read_on.desc())).first()
        return values


def test_the_vip_customer_enters_a_reading_and_jana_cannot(browser, live_app, live_server):
    last = _last_values(live_app)
    context = browser.new_context(locale="cs-CZ", viewport={"width": 390, "height": 844})
    page = context.new_page()
    browser_sign_in(page, live_server, "lucie.mala@example.com", "Demo-Portal-2026!")
    page.goto(f"{live_server}/readings/")
    page.get_by_role("link", name=EAN).click()
    page.get_by_role("link", name="Zadat odečet měřidla").click()
    page.get_by_label("Stav vysoký tarif (VT) (kWh)").fill(str(last["VT"] + 55))
    page.get_by_label("Stav nízký tarif (NT) (kWh)").fill(str(last["NT"] + 21))
    page.get_by_role("button", name="Odeslat odečet").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text("odečet je přijat")
    today = date.today()
    history = page.locator("table").last
    expect(history.locator("tbody tr").first).to_contain_text(f"{today.day}. {today.month}. {today.year}")
    expect(history).to_contain_text(f"{last['VT'] + 55:,}".replace(",", "\xa0"))
    expect(page.locator("figure svg rect").first).to_be_visible()
    expect(page.get_by_role("img", name="Měsíční spotřeba")).to_be_visible()
    context.close()

    context = browser.new_context(locale="cs-CZ")
    page = context.new_page()
    browser_sign_in(page, live_server, "jana.novakova@example.com", "Demo-Portal-2026!")
    page.goto(f"{live_server}/readings/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Odečty a spotřeba")
    expect(page.get_by_role("link", name="Zadat odečet měřidla")).to_have_count(0)
    context.close()
