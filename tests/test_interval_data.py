"""Smart-meter interval data: the import (a day checked and written whole), its storage on the
days the clocks change, the customer's consumption page with its charts, tables and CSV
downloads, and the monthly billing information (vyhláška 207/2021 Sb. §18a)."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_supply_point
from helpers import assert_only_owner_sees, count_queries
from models.billing import Advance, AdvanceSchedule, Payment, PaymentAllocation
from models.documents import Document
from models.interval_data import BillingInformation, IntervalDay, intervals_in_day
from models.outbox import OutgoingEmail
from models.price_lists import PriceItem, PriceList, Product
from services.imports import records_of, run_import
from services.outbox import send_due

SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "import" / "interval-data.csv"
JANA_EAN, BAKERY_EAN = "859182400102993847", "859182400102646743"
NOVEMBER = date(2026, 11, 1)


def _rows() -> list[tuple]:
    return [(r.supply_point_id, r.day, r.resolution_minutes, r.packed_wh, r.total_wh)
            for r in db.session.scalars(select(IntervalDay).order_by(IntervalDay.supply_point_id, IntervalDay.day))]


def _import(text: str, name: str = "interval.csv"):
    return run_import("interval-data", records_of("interval-data", text.encode("utf-8"), name))


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _quarter_hours(ean: str, day: date, kwh=lambda i: Decimal("0.125")) -> list[str]:
    """`ean;from;value_kwh` rows of an ordinary day, one per quarter-hour, local start times."""
    start = datetime.combine(day, datetime.min.time())
    return [f"{ean};{start + timedelta(minutes=15 * i):%Y-%m-%d %H:%M};{str(kwh(i)).replace('.', ',')}"
            for i in range(96)]


@pytest.fixture
def points(app):
    """Jana with a smart meter on her EAN, the bakery on its own, as in the sample file."""
    jana = make_customer(name="Jana Nováková")
    bakery = make_customer(name="Pekárna U Mlýna s.r.o.", kind="business", company_id="25596641", segment="vip")
    return {"jana": make_supply_point(jana, JANA_EAN), "bakery": make_supply_point(bakery, BAKERY_EAN)}


# --- import ----------------------------------------------------------------------------------

def test_the_sample_imported_twice_gives_the_same_rows(app, points):
    first = _cli(app, "import", "interval-data", str(SAMPLE))
    assert first.exit_code == 0, first.output
    assert "3 created, 0 updated, 0 unchanged, 0 refused; written" in first.output
    stored = _rows()
    jana, bakery = points["jana"].id, points["bakery"].id
    assert [(r[0], r[1], r[2], len(r[3]) // 4) for r in stored] == [
        (jana, date(2026, 11, 1), 15, 96), (jana, date(2026, 11, 2), 15, 96), (bakery, date(2026, 11, 1), 60, 24)]
    # The first quarter-hours of the sample, 0,06 and 0,109 kWh, are 60 and 109 Wh; the total is their sum.
    first_day = db.session.get(IntervalDay, (jana, date(2026, 11, 1)))
    assert first_day.values_wh[:2] == [60, 109]
    assert first_day.total_wh == sum(first_day.values_wh)
    second = _cli(app, "import", "interval-data", str(SAMPLE))
    assert "0 created, 0 updated, 3 unchanged, 0 refused; written" in second.output
    db.session.expire_all()
    assert _rows() == stored


def test_a_corrected_day_replaces_that_days_values(app, points):
    text = SAMPLE.read_text("utf-8")
    _import(text)
    before = {r[1]: r for r in _rows() if r[0] == points["jana"].id}
    corrected = re.sub(r"(?m)^(859182400102993847;2026-11-02 10:00;).*$", r"\g<1>9,5", text)
    assert corrected != text
    report = _import(corrected)
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 1, 2, [])
    db.session.expire_all()
    day = db.session.get(IntervalDay, (points["jana"].id, date(2026, 11, 2)))
    assert day.values_wh[40] == 9500  # 10:00 is the 41st quarter-hour
    assert day.total_wh == sum(day.values_wh) != before[date(2026, 11, 2)][4]
    assert db.session.get(IntervalDay, (points["jana"].id, date(2026, 11, 1))).packed_wh == before[date(2026, 11, 1)][3]


def test_a_bad_row_names_its_line_and_field_and_nothing_of_its_day_is_written(app, points):
    good = _quarter_hours(JANA_EAN, date(2026, 11, 3))
    not_a_number = _quarter_hours(JANA_EAN, date(2026, 11, 4))
    not_a_number[20] = f"{JANA_EAN};2026-11-04 05:00;dvanáct"
    nobodys = _quarter_hours("859182400199999999", date(2026, 11, 3))
    incomplete = _quarter_hours(JANA_EAN, date(2026, 11, 5))[:-1]  # 23:45 missing
    negative = _quarter_hours(JANA_EAN, date(2026, 11, 6))
    negative[7] = f"{JANA_EAN};2026-11-06 01:45;-0,5"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("ean;from;value_kwh\n" + "\n".join(good + not_a_number + nobodys + incomplete + negative) + "\n")
    # Line 1 is the header: 3 Nov is on lines 2–97, 4 Nov on 98–193, nobody's day on 194–289,
    # 5 Nov on 290–384 and 6 Nov on 385–480.
    assert [(line, field) for line, field, _ in report.errors] == [
        (98 + 20, "value_kwh"), (194, "ean"), (290, "from"), (385 + 7, "value_kwh")]
    reasons = [reason for _, _, reason in report.errors]
    assert reasons[0] == "Not a number: dvanáct."
    assert reasons[1] == "No supply point has the EAN 859182400199999999."
    assert "has 95 of its 96 intervals; the first missing starts at 23:45" in reasons[2]
    assert reasons[3] == "Consumption cannot be below zero."
    assert report.created == 1 and report.written
    assert [r[1] for r in _rows()] == [date(2026, 11, 3)]


def test_a_bad_time_and_a_repeated_interval_are_refused(app, points):
    day = _quarter_hours(JANA_EAN, date(2026, 11, 7))
    twice = list(day)
    twice[10] = twice[9]  # 02:15 twice, 02:30 missing
    wrong = list(day)
    wrong[3] = f"{JANA_EAN};2026-11-07 00:50;0,1"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("ean;from;value_kwh\n" + "\n".join(twice) + "\n")
        assert report.errors == [(12, "from", "This interval is already on line 11.")]
        report = _import("ean;from;value_kwh\n" + "\n".join(wrong) + "\n")
        assert report.errors == [(5, "from", "A quarter-hour starts at :00, :15, :30 or :45.")]
    assert _rows() == []


def test_reasons_are_in_czech_for_a_czech_operator(app, points):
    with app.test_request_context(headers={"Accept-Language": "cs"}):
        report = _import("ean;from;value_kwh\n" + f"{JANA_EAN};2026-11-07 00:00;\n")
    assert report.errors == [(2, "value_kwh", "Tato hodnota je povinná.")]


def test_a_day_split_across_the_file_and_a_file_without_the_columns_are_refused(app, points):
    day = _quarter_hours(JANA_EAN, date(2026, 11, 8))
    other = _quarter_hours(BAKERY_EAN, date(2026, 11, 8))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("ean;from;value_kwh\n" + "\n".join(day[:50] + other + day[50:]) + "\n")
    # Jana's first half lacks its second half; the second half comes back later: both refused.
    assert [(line, field) for line, field, _ in report.errors] == [(2, "from"), (148, "from")]
    assert "are not together in the file" in report.errors[1][2]
    assert [r[0] for r in _rows()] == [points["bakery"].id]
    path = Path(app.instance_path) / "interval-bad-header.csv"
    path.write_text("EAN;Od;Hodnota\n859182400102993847;2026-11-08 00:00;0,1\n", "utf-8")
    result = _cli(app, "import", "interval-data", str(path))
    assert result.exit_code == 1
    assert "The file needs the columns ean, from and value_kwh" in result.output


def test_the_wide_form_one_row_per_day_is_read_too(app, points):
    hourly = ";".join(str(h + 1) for h in range(24))
    values = ";".join(f"{h},5" for h in range(24))
    report = _import(f"ean;day;{hourly}\n{BAKERY_EAN};2. 11. 2026;{values}\n")
    assert (report.created, report.errors) == (1, [])
    stored = db.session.get(IntervalDay, (points["bakery"].id, date(2026, 11, 2)))
    assert stored.resolution_minutes == 60 and stored.values_wh[:3] == [500, 1500, 2500]
    # A day of 23 hours fills 23 columns; a gap before the last value, or the same day twice, is refused.
    short = ";".join(f"{h},5" for h in range(23))
    gap = ";".join("" if h == 3 else f"{h},5" for h in range(24))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import(f"ean;day;{hourly}\n{BAKERY_EAN};2026-03-29;{short};\n{BAKERY_EAN};2026-03-30;{gap}\n"
                         f"{BAKERY_EAN};2026-03-29;{short};\n")
    assert report.created == 1
    assert [(line, field) for line, field, _ in report.errors] == [(3, "4"), (4, "day")]
    assert report.errors[0][2] == "A value is missing before column 5."
    assert "are not together in the file" in report.errors[1][2]
    assert len(db.session.get(IntervalDay, (points["bakery"].id, date(2026, 3, 29))).values_wh) == 23


# --- the days the clocks change ----------------------------------------------------------------

def _local_rows(ean: str, times: list[str], first_value: int = 1) -> str:
    """Rows at the given local times with values 0,001, 0,002, … kWh (their order is visible)."""
    return "ean;from;value_kwh\n" + "".join(f"{ean};{t};0,{first_value + i:03d}\n" for i, t in enumerate(times))


def _day_times(day: date, hours: list[int], step: int = 15) -> list[str]:
    return [f"{day} {h:02d}:{m:02d}" for h in hours for m in range(0, 60, step)]


def test_daylight_saving_days_have_92_and_100_quarter_hours(app, points, client):
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    assert (intervals_in_day(spring, 15), intervals_in_day(autumn, 15), intervals_in_day(autumn, 60)) == (92, 100, 25)
    spring_times = _day_times(spring, [0, 1] + list(range(3, 24)))  # 02:00–02:59 does not exist
    autumn_times = _day_times(autumn, [0, 1, 2, 2] + list(range(3, 24)))  # 02:00–02:59 twice
    report = _import(_local_rows(JANA_EAN, spring_times) + _local_rows(JANA_EAN, autumn_times, 101)[len("ean;from;value_kwh\n"):])
    assert (report.created, report.errors) == (2, [])
    jana = points["jana"].id
    spring_day, autumn_day = db.session.get(IntervalDay, (jana, spring)), db.session.get(IntervalDay, (jana, autumn))
    assert len(spring_day.values_wh) == 92 and spring_day.values_wh[8] == 9  # 03:00 follows 01:45
    assert len(autumn_day.values_wh) == 100 and autumn_day.values_wh[8:16] == list(range(109, 117))
    # Hourly: 25 hours on the autumn day, the second 2:00 winter time.
    report = _import(_local_rows(BAKERY_EAN, _day_times(autumn, [0, 1, 2, 2] + list(range(3, 24)), 60)))
    assert (report.created, report.errors) == (1, [])
    assert db.session.get(IntervalDay, (points["bakery"].id, autumn)).resolution_minutes == 60
    # The page names the zone of the hour that comes twice.
    owner = make_portal_user(points["jana"].customer, email="jana.dst@example.com")
    client.sign_in(owner.email, PASSWORD)
    page = client.get(f"/supply-points/{jana}/consumption?day=2026-10-25").get_data(as_text=True)
    assert "02:00–02:15 CEST" in page and "02:00–02:15 CET" in page and "02:45–02:00 CEST" in page
    csv_text = client.get(f"/supply-points/{jana}/consumption/day.csv?day=2026-10-25").data.decode("utf-8-sig")
    assert csv_text.count("\r\n") == 101
    assert f"{JANA_EAN};2026-10-25 02:00 CET;2026-10-25 02:15;0,113" in csv_text


def test_a_time_that_does_not_exist_is_refused(app, points):
    times = _day_times(date(2026, 3, 29), [0, 1, 2] + list(range(4, 24)))  # 02:xx instead of 03:xx
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import(_local_rows(JANA_EAN, times))
    assert report.errors == [(10, "from", "2:00 does not exist that day: the clocks go forward from 2:00 to 3:00.")]
    assert _rows() == []


# --- the consumption page ----------------------------------------------------------------------

@pytest.fixture
def november(app, points):
    """Jana's November: 1–3 with 0,125 kWh a quarter-hour (12 kWh a day), 10:00–10:15 on the 3rd 1,5 kWh."""
    rows = _quarter_hours(JANA_EAN, date(2026, 11, 1)) + _quarter_hours(JANA_EAN, date(2026, 11, 2))
    rows += _quarter_hours(JANA_EAN, date(2026, 11, 3), lambda i: Decimal("1.5") if i == 40 else Decimal("0.125"))
    assert _import("ean;from;value_kwh\n" + "\n".join(rows) + "\n").errors == []
    return points["jana"]


def test_the_consumption_page_shows_the_owner_the_days_total_and_charts(november, client):
    owner = make_portal_user(november.customer, email="jana.page@example.com")
    client.sign_in(owner.email, PASSWORD)
    detail = client.get(f"/supply-points/{november.id}").get_data(as_text=True)
    assert f'href="/supply-points/{november.id}/consumption"' in detail
    page = client.get(f"/supply-points/{november.id}/consumption").get_data(as_text=True)
    # The latest day with data is shown: 95 × 0,125 + 1,5 = 13,375 kWh; the month 37,375 kWh.
    assert "Daily consumption, November 2026" in page
    assert "In total 37.375 kWh on 3 days with data." in page
    assert "Consumption on Nov 3, 2026 by quarter-hour" in page and "In total 13.375 kWh." in page
    assert page.count('<svg viewBox="0 0 720 240"') == 2 and 'role="img"' in page and "<desc id=" in page
    assert "<title>Nov 3, 2026: 13.375 kWh</title>" in page and "<title>10:00–10:15: 1.500 kWh</title>" in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # the strict CSP allows none
    day = client.get(f"/supply-points/{november.id}/consumption?day=2026-11-01").get_data(as_text=True)
    assert "Consumption on Nov 1, 2026 by quarter-hour" in day and "In total 12.000 kWh." in day


def test_the_consumption_page_reads_as_many_statements_for_three_days_as_for_thirty(november, client, app):
    owner = make_portal_user(november.customer, email="jana.sql@example.com")
    client.sign_in(owner.email, PASSWORD)
    url = f"/supply-points/{november.id}/consumption?month=2026-11"
    client.get(url)
    with count_queries(app) as few:
        assert client.get(url).status_code == 200
    _hourly_month(november, date(2026, 9, 1))
    _hourly_month(november, date(2026, 8, 1))  # and more data beside
    with count_queries(app) as many:
        assert client.get(url.replace("2026-11", "2026-09")).status_code == 200
    assert len(many) == len(few) <= 12


def test_the_consumption_page_in_czech_formats_numbers_the_czech_way(november, client):
    owner = make_portal_user(november.customer, email="jana.cs@example.com", locale="cs")
    client.sign_in(owner.email, PASSWORD)
    page = client.get(f"/supply-points/{november.id}/consumption?month=2026-11",
                      headers={"Accept-Language": "cs"}).get_data(as_text=True)
    assert "37,375" in page and "13,375" in page and "listopad 2026" in page


def test_another_customers_or_another_supply_points_consumption_answers_404(november, client):
    owner = make_portal_user(november.customer, email="jana.owner@example.com")
    other = make_portal_user(email="cizi.spotreba@example.com")
    for url in (f"/supply-points/{november.id}/consumption", f"/supply-points/{november.id}/consumption/month.csv",
                f"/supply-points/{november.id}/consumption/day.csv?day=2026-11-01"):
        assert_only_owner_sees(client, url, owner, other, PASSWORD)
    second = make_supply_point(november.customer, identifier="859182400110224391")
    limited = make_portal_user(november.customer, email="omezena.spotreba@example.com", admin=False)
    limited.supply_points.append(second)
    db.session.commit()
    client.sign_in(limited.email, PASSWORD)
    assert client.get(f"/supply-points/{november.id}/consumption").status_code == 404
    assert client.get(f"/supply-points/{november.id}/consumption/month.csv").status_code == 404
    assert client.get(f"/supply-points/{second.id}/consumption").status_code == 200


def test_the_csv_downloads_have_the_values_with_a_decimal_comma(november, client):
    owner = make_portal_user(november.customer, email="jana.csv@example.com")
    client.sign_in(owner.email, PASSWORD)
    month = client.get(f"/supply-points/{november.id}/consumption/month.csv?month=2026-11")
    assert month.status_code == 200 and month.mimetype == "text/csv"
    assert month.data.startswith("\ufeff".encode())
    assert "attachment" in month.headers["Content-Disposition"]
    lines = month.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Supply point;Day;Consumption (kWh)"
    assert lines[1:4] == [f"{JANA_EAN};2026-11-01;12,000", f"{JANA_EAN};2026-11-02;12,000",
                          f"{JANA_EAN};2026-11-03;13,375"]
    assert lines[4] == f"{JANA_EAN};2026-11-04;" and len(lines) == 31
    day = client.get(f"/supply-points/{november.id}/consumption/day.csv?day=2026-11-03").data \
        .decode("utf-8-sig").splitlines()
    assert day[0] == "Supply point;From;To;Consumption (kWh)"
    assert day[41] == f"{JANA_EAN};2026-11-03 10:00;2026-11-03 10:15;1,500" and len(day) == 97


def test_a_bad_month_or_day_gets_a_message_and_no_error(november, client):
    owner = make_portal_user(november.customer, email="jana.bad@example.com")
    client.sign_in(owner.email, PASSWORD)
    for query, message in (("month=listopad", "Not a valid"), ("month=9999-01", "Choose a month between 2000 and 2100."),
                           ("day=2026-02-30", "Not a valid"), ("day=0001-01-01", "Choose a day between 2000 and 2100.")):
        response = client.get(f"/supply-points/{november.id}/consumption?{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert message in page and "Daily consumption, November 2026" in page, query
    response = client.get(f"/supply-points/{november.id}/consumption/day.csv?day=2026-11-20")
    assert response.status_code == 302 and "day=2026-11-20" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "There is no consumption to download for this choice." in page
    assert "No consumption has arrived for Nov 20, 2026." in page


def test_a_supply_point_without_interval_data_says_so_and_has_no_link(points, client):
    owner = make_portal_user(points["bakery"].customer, email="pekarna.none@example.com")
    client.sign_in(owner.email, PASSWORD)
    assert "/consumption" not in client.get(f"/supply-points/{points['bakery'].id}").get_data(as_text=True)
    page = client.get(f"/supply-points/{points['bakery'].id}/consumption").get_data(as_text=True)
    assert "No consumption from a smart meter has arrived for this supply point yet." in page


# --- the monthly billing information -----------------------------------------------------------

def _priced_point(customer, identifier: str):
    product = db.session.scalars(select(Product).where(Product.code == "SMART")).first() or Product(
        code="SMART", name="Elektřina Smart", commodity="electricity")
    if product.id is None:
        db.session.add(PriceList(name="Ceník Smart 2026", commodity="electricity", product=product,
                                 valid_from=date(2026, 1, 1), items=[
                                     PriceItem(component="Silová elektřina", unit="Kč/MWh",
                                               price_without_vat=Decimal("2890"), vat_rate=Decimal("21")),
                                     PriceItem(component="Stálý měsíční plat", unit="Kč/měsíc",
                                               price_without_vat=Decimal("149"), vat_rate=Decimal("21"))]))
    point = make_supply_point(customer, identifier=identifier, product=product)
    return point


def _hourly_month(point, month: date, wh_per_hour: int = 1000):
    for day in range(1, 31):
        row = IntervalDay(supply_point_id=point.id, day=month.replace(day=day))
        row.set_values(60, [wh_per_hour] * 24)
        db.session.add(row)
    db.session.commit()


def _paid_advance(point, received_on: date, amount: str):
    schedule = AdvanceSchedule(customer_id=point.customer_id, supply_point_id=point.id, valid_from=date(2026, 1, 1),
                               amount=Decimal(amount), variable_symbol="7700112233")
    advance = Advance(schedule=schedule, customer_id=point.customer_id, due_on=received_on, amount=Decimal(amount),
                      variable_symbol="7700112233", amount_paid=Decimal(amount), paid_on=received_on)
    payment = Payment(customer_id=point.customer_id, received_on=received_on, amount=Decimal(amount),
                      reference=f"BANK-{received_on}", allocations=[PaymentAllocation(advance=advance,
                                                                                      amount=Decimal(amount))])
    db.session.add_all([schedule, payment])
    db.session.commit()


@pytest.fixture
def remotely_read(mail_app):
    """Jana reads remotely (30 days of 24 kWh in November, an advance of 1 500 Kč paid on 15 Nov);
    Petr's meter is read once a year; the bakery's smart meter sent October only."""
    jana = make_customer(name="Jana Nováková")
    point = _priced_point(jana, JANA_EAN)
    _hourly_month(point, NOVEMBER)
    _paid_advance(point, date(2026, 11, 15), "1500")
    _paid_advance(point, date(2026, 10, 15), "1500")  # October's: not of this month
    petr = make_customer(name="Petr Svoboda")
    _priced_point(petr, "859182400110224391")
    bakery = make_customer(name="Pekárna", kind="business", company_id="25596641")
    _hourly_month(_priced_point(bakery, BAKERY_EAN), date(2026, 10, 1))
    cottage = _priced_point(jana, "859182400105551239")
    users = {
        "jana": make_portal_user(jana, email="jana.info@example.com"),
        "no_documents": make_portal_user(jana, email="jen.faktury@example.com", modules=["invoices"]),
        "no_notices": make_portal_user(jana, email="bez.upozorneni@example.com", document_notices="none"),
        "other_point": make_portal_user(jana, email="jina.chata@example.com", admin=False),
        "petr": make_portal_user(petr, email="petr.info@example.com"),
        "bakery": make_portal_user(bakery, email="pekarna.info@example.com"),
    }
    users["other_point"].supply_points.append(cottage)
    db.session.commit()
    return point, users


def _pdf_text(document: Document) -> str:
    """The PDF's text with every run of white space (line breaks, no-break spaces) as one space."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(document.file.content)).pages).split())


def test_the_monthly_billing_information_reaches_only_remotely_read_customers(remotely_read, mail_app, smtp_server):
    point, users = remotely_read
    result = _cli(mail_app, "billing-information", "--month", "2026-11")
    assert result.exit_code == 0, result.output
    assert "1 billing information made, 0 made before" in result.output
    [information] = db.session.scalars(select(BillingInformation)).all()
    assert (information.supply_point_id, information.month, information.days_with_data) == (point.id, NOVEMBER, 30)
    # 720 kWh: 0,72 MWh × 2 890 = 2 080,80 + 149,00 a month; VAT 21 % line by line 436,97 + 31,29.
    assert information.consumption_wh == 720_000
    assert information.estimated_amount == Decimal("2698.06")
    assert information.advances_paid == Decimal("1500.00")
    [document] = db.session.scalars(select(Document)).all()
    assert (document.customer_id, document.supply_point_id, document.visibility) == (point.customer_id, point.id,
                                                                                    "customer")
    text = _pdf_text(document)
    for shown in ("Vyúčtovací informace za listopad 2026", "§ 18a vyhlášky č. 207/2021 Sb.", JANA_EAN,
                  "Jana Nováková", "1. 11. 2026 – 30. 11. 2026", "720,000 kWh (0,720 MWh)", "naměřeno 30 z 30 dní",
                  "Silová elektřina", "2 080,80 Kč", "Odhad ceny s DPH 2 698,06 Kč", "Zálohy zaplacené v období 1 500,00 Kč",
                  "1 198,06 Kč", "24,000"):
        assert shown in text, shown
    # One notice, to the user who sees documents of this supply point and wants notices; sent
    # through a real SMTP server.
    assert send_due() == (1, 0)
    [message] = smtp_server.messages
    assert message["To"] == users["jana"].email
    assert str(make_header(decode_header(message["Subject"]))) == "Your billing information for November 2026"
    body = (message.get_payload(0) if message.is_multipart() else message).get_payload(decode=True).decode()
    assert "http://localhost/documents/" in body and JANA_EAN in body
    assert "2 698" not in body and "720" not in body  # no figures in an e-mail


def test_running_the_month_again_adds_nothing(remotely_read, mail_app):
    assert "1 billing information made" in _cli(mail_app, "billing-information", "--month", "2026-11").output
    again = _cli(mail_app, "billing-information", "--month", "2026-11")
    assert again.exit_code == 0 and "0 billing information made, 1 made before" in again.output
    assert db.session.scalar(select(func.count(BillingInformation.id))) == 1
    assert db.session.scalar(select(func.count(Document.id))) == 1
    assert db.session.scalar(select(func.count(OutgoingEmail.id))) == 1


def test_a_month_not_over_or_not_a_month_is_refused(remotely_read, mail_app):
    this_month = date.today().strftime("%Y-%m")
    for month, message in ((this_month, f"Měsíc {this_month} ještě neskončil."),
                           ("listopad", "Zadejte měsíc jako RRRR-MM, např. 2026-11.")):
        result = _cli(mail_app, "billing-information", "--month", month)
        assert result.exit_code == 1 and message in result.output
    assert db.session.scalars(select(BillingInformation)).all() == []


def test_the_billing_information_document_is_its_customers_alone(remotely_read, mail_app):
    from helpers import PortalClient

    point, users = remotely_read
    _cli(mail_app, "billing-information", "--month", "2026-11")
    document = db.session.scalars(select(Document)).one()
    client = PortalClient(mail_app)
    assert_only_owner_sees(client, f"/documents/{document.id}/file", users["jana"], users["petr"], PASSWORD)
    client.sign_in(users["jana"].email, PASSWORD)
    assert document.title in client.get("/documents/").get_data(as_text=True)
    page = client.get(f"/supply-points/{point.id}/consumption").get_data(as_text=True)
    assert f'href="/documents/{document.id}/file"' in page
    client.post_form("/sign-out", page="/")
    client.sign_in(users["bakery"].email, PASSWORD)
    assert document.title not in client.get("/documents/").get_data(as_text=True)
