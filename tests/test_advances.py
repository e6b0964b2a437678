"""Advance payments: the recommended amount, the request to change it and its review,
and the advance calendar PDF with a QR Platba code per payment."""
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff, make_supply_point
from helpers import assert_only_owner_sees, decide_change
from models.audit import AuditEntry
from models.billing import Advance, AdvanceSchedule
from models.changes import ChangeKind, ChangeRequest, ChangeState
from models.metering import Meter, MeterReading, ReadingState, Register
from models.price_lists import PriceItem, PriceList, Product
from services.billing import advances

TODAY = date.today()


@pytest.fixture
def household(app):
    """A customer with a year of readings (3 MWh), a simple price list and a monthly schedule
    whose next advance is too close to change and the one after is not."""
    product = Product(code="E-TEST", name="Elektřina Test", commodity="electricity")
    price_list = PriceList(name="Ceník Test", commodity="electricity", product=product, segment="household",
                           valid_from=TODAY - timedelta(days=500))
    price_list.items = [PriceItem(component="Silová elektřina", unit="Kč/MWh", price_without_vat=Decimal("1000"),
                                  vat_rate=Decimal("21")),
                        PriceItem(component="Stálý plat", unit="Kč/měsíc", price_without_vat=Decimal("100"),
                                  vat_rate=Decimal("21"))]
    customer = make_customer(name="Jana Testová")
    user = make_portal_user(customer, email="jana.testova@example.com")
    point = make_supply_point(customer, product=product, annual_consumption_kwh=9000)
    meter = Meter(supply_point=point, serial_number="EM1", installed_on=TODAY - timedelta(days=1000))
    register = Register(meter=meter, code="T", unit="kWh")
    db.session.add_all([price_list, meter, register])
    db.session.flush()
    for days_ago, value in ((370, 1000), (200, 2500), (5, 4000)):
        db.session.add(MeterReading(register=register, supply_point_id=point.id, read_on=TODAY - timedelta(days=days_ago),
                                    value=value, kind="actual", state=ReadingState.ACCEPTED))
    schedule = AdvanceSchedule(customer_id=customer.id, supply_point=point, valid_from=TODAY - timedelta(days=60),
                               amount=Decimal("300.00"), variable_symbol="5590000001")
    for due_in, paid in ((-25, True), (5, False), (35, False), (65, False)):
        schedule.advances.append(Advance(customer_id=customer.id, due_on=TODAY + timedelta(days=due_in),
                                         amount=Decimal("300.00"), variable_symbol="5590000001",
                                         amount_paid=Decimal("300.00") if paid else Decimal(0)))
    db.session.add(schedule)
    db.session.commit()
    return user, schedule


def test_the_recommendation_comes_from_a_years_readings_and_todays_prices(household):
    _, schedule = household
    recommendation = advances.recommend(schedule)
    # 3 000 kWh over 365 days; 3 MWh × 1 210 + 12 × 121 = 5 082 a year = 423.50 a month, up to tens.
    assert recommendation.from_readings and recommendation.consumption_mwh == Decimal("3.000")
    assert recommendation.yearly_cost == Decimal("5082.00")
    assert recommendation.recommended == Decimal("430") and recommendation.minimum == Decimal("121")
    assert recommendation.effective_from == TODAY + timedelta(days=35)


def test_without_a_years_readings_the_contracted_consumption_is_used(household):
    _, schedule = household
    db.session.execute(MeterReading.__table__.delete())
    recommendation = advances.recommend(schedule)
    assert not recommendation.from_readings and recommendation.consumption_mwh == Decimal("9.000")
    assert recommendation.recommended == Decimal("1030")  # (9 × 1210 + 1452) / 12 = 1 028.50


def test_a_quarterly_schedule_asks_for_three_months_at_a_time(household):
    _, schedule = household
    schedule.frequency_months = 3
    recommendation = advances.recommend(schedule)
    assert recommendation.recommended == Decimal("1280") and recommendation.minimum == Decimal("363")


def test_the_customer_asks_for_a_new_amount_and_the_clerk_approves_it(household, client):
    user, schedule = household
    client.sign_in(user.email, PASSWORD)
    page = client.get(f"/invoices/advances/{schedule.id}/change").get_data(as_text=True)
    assert "CZK430.00" in page and "CZK121.00" in page and "value=\"430\"" in page
    response = client.post_form(f"/invoices/advances/{schedule.id}/change", {"amount": "500", "reason": "Tepelné čerpadlo"})
    assert response.status_code == 302
    change = db.session.scalars(select(ChangeRequest)).one()
    assert change.kind == ChangeKind.ADVANCE_AMOUNT and change.advance_schedule_id == schedule.id
    assert change.effective_from == TODAY + timedelta(days=35)
    assert [(f.field, f.old_value, f.new_value) for f in change.fields] == [("amount", "300.00", "500.00")]
    page = client.get("/invoices/advances").get_data(as_text=True)
    assert "CZK500.00" in page  # "change in review" beside the schedule
    again = client.post_form(f"/invoices/advances/{schedule.id}/change", {"amount": "600"},
                             page="/invoices/advances").get_data(as_text=True)
    assert "already asked" in again and db.session.scalar(select(db.func.count(ChangeRequest.id))) == 1

    make_staff("clerk", email="clerk.adv@example.com")
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("clerk.adv@example.com", PASSWORD)
    assert f"#{change.id}" in client.get("/admin/change-queue/").get_data(as_text=True)
    review = client.get(f"/admin/change-queue/{change.id}").get_data(as_text=True)
    assert "5590000001" in review and "Recommended" in review
    assert decide_change(client, change.id, approve="1").status_code == 302
    db.session.expire_all()
    amounts = [(a.due_on - TODAY).days for a in schedule.advances if a.amount == Decimal("500.00")]
    assert amounts == [35, 65]  # the paid one and the one due too soon keep 300
    assert db.session.get(AdvanceSchedule, schedule.id).amount == Decimal("500.00")
    assert db.session.get(ChangeRequest, change.id).state == ChangeState.APPROVED
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "advance_amount_changed")).one()


@pytest.mark.parametrize("amount, message", [
    ("100", "lower than the fixed monthly charges"), ("", "Enter the amount"), ("abc", "Not a valid decimal"),
    ("450.50", "whole crowns"), ("300", "the amount you pay now"), ("-5", "between 0 and"),
])
def test_a_bad_amount_gets_a_message_and_asks_nothing(household, client, amount, message):
    user, schedule = household
    client.sign_in(user.email, PASSWORD)
    page = client.post_form(f"/invoices/advances/{schedule.id}/change", {"amount": amount}).get_data(as_text=True)
    assert message in page and 'id="amount-error"' in page
    assert db.session.scalar(select(db.func.count(ChangeRequest.id))) == 0


def test_a_czech_user_gets_the_message_in_czech(household, client):
    user, schedule = household
    user.locale = "cs"
    db.session.commit()
    client.sign_in(user.email, PASSWORD)
    page = client.post_form(f"/invoices/advances/{schedule.id}/change", {"amount": "100"}).get_data(as_text=True)
    assert "nemůže být nižší" in page


def test_another_customers_schedule_answers_404(household, client):
    user, schedule = household
    other = make_portal_user(email="cizi.adv@example.com")
    for url in (f"/invoices/advances/{schedule.id}/change", f"/invoices/advances/{schedule.id}/calendar.pdf"):
        assert_only_owner_sees(client, url, user, other, PASSWORD)
    client.sign_in(other.email, PASSWORD)
    response = client.post_form(f"/invoices/advances/{schedule.id}/change", {"amount": "500"}, page="/invoices/")
    assert response.status_code == 404 and db.session.scalar(select(db.func.count(ChangeRequest.id))) == 0


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg") and shutil.which("pdftotext")),
                    reason="needs poppler-utils and zbar-tools (apt-get install -y poppler-utils zbar-tools)")
def test_the_advance_calendar_pdf_has_a_qr_code_for_each_unpaid_advance(household, client, tmp_path):
    user, schedule = household
    client.sign_in(user.email, PASSWORD)
    response = client.get(f"/invoices/advances/{schedule.id}/calendar.pdf")
    assert response.mimetype == "application/pdf" and "attachment" in response.headers["Content-Disposition"]
    assert "zalohovy-kalendar-5590000001.pdf" in response.headers["Content-Disposition"]
    pdf = tmp_path / "calendar.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Zálohový kalendář" in text and "Jana Testová" in text and "5590000001" in text
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(map(str, tmp_path.glob("page*.png")))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", *pages], capture_output=True, text=True).stdout
    codes = [dict(part.split(":", 1) for part in line.split("*")[2:]) for line in out.split() if line.startswith("SPD")]
    unpaid = [a for a in schedule.advances if not a.is_paid]
    assert sorted((c["DT"], c["AM"], c["X-VS"]) for c in codes) == sorted(
        (f"{a.due_on:%Y%m%d}", "300.00", "5590000001") for a in unpaid)
