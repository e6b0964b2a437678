"""Invoices: list with filters, detail, the Czech PDF with its QR Platba code."""
import hashlib
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_portal_user
from helpers import assert_only_owner_sees, count_queries
from models.billing import Invoice
from models.customers import Customer
from services.demo_data import PORTAL_PASSWORD, load_demo_data
from web.paging import Page, paginate


@pytest.fixture
def demo(app):
    load_demo_data()
    return app


def _petr_invoices():
    petr = db.session.scalars(select(Customer).where(Customer.number == "1000003")).one()
    return db.session.scalars(select(Invoice).where(Invoice.customer_id == petr.id).order_by(Invoice.issued_on)).all()


def test_the_list_filters_by_year_and_shows_overdue(demo, client):
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    invoices = _petr_invoices()
    page = client.get("/invoices/").get_data(as_text=True)
    assert all(i.number in page for i in invoices)
    assert 'class="overdue"' in page
    year = invoices[0].issued_on.year
    table = client.get(f"/invoices/?year={year}").get_data(as_text=True).split("<tbody>")[1]
    assert invoices[0].number in table and invoices[1].number not in table
    page = client.get("/invoices/?year=1800").get_data(as_text=True)  # Petr reads the portal in Czech
    assert "Zadejte rok, např. 2025." in page


def test_the_csv_export_follows_the_filter(demo, client):
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    invoices = _petr_invoices()
    response = client.get(f"/invoices/export.csv?year={invoices[0].issued_on.year}")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert invoices[0].number in text and invoices[1].number not in text


def test_the_detail_explains_the_total(demo, client):
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    invoice = _petr_invoices()[-1]
    page = client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert "Jak vznikla celková částka" in page and "Odečítají se zálohy" in page
    assert "Rekapitulace DPH" in page


def test_list_query_count_does_not_grow_with_invoices(demo, client, app):
    client.sign_in("jana.novakova@example.com", PORTAL_PASSWORD)
    client.get("/invoices/")
    with count_queries(app) as few:
        client.get("/invoices/")
    jana = db.session.scalars(select(Customer).where(Customer.number == "1000001")).one()
    template = db.session.scalars(select(Invoice).where(Invoice.customer_id == jana.id)).first()
    for n in range(40):
        db.session.add(Invoice(number=f"FX{n:08d}", kind="advance", customer_id=jana.id, issued_on=date(2025, 1, 1),
                               taxable_supply_on=date(2025, 1, 1), due_on=date(2025, 1, 15), variable_symbol="1",
                               bank_account=template.bank_account, iban=template.iban, total_without_vat=1,
                               total_vat=0, total=1, amount_paid=1, state="paid"))
    db.session.commit()
    with count_queries(app) as many:
        client.get("/invoices/")
    assert len(many) == len(few)


def test_the_list_pages_in_the_database_and_keeps_its_filters(demo, client, app):
    """45 invoices of one year: pages of 20, the filter kept in the pager's links, a page
    number out of range shows page 1 (below it) or an empty page (past the last one)."""
    client.sign_in("jana.novakova@example.com", PORTAL_PASSWORD)
    jana = db.session.scalars(select(Customer).where(Customer.number == "1000001")).one()
    template = db.session.scalars(select(Invoice).where(Invoice.customer_id == jana.id)).first()
    for n in range(45):
        day = date(2001, 1, 1 + n % 28)
        db.session.add(Invoice(number=f"FP{n:08d}", kind="advance", customer_id=jana.id, issued_on=day,
                               taxable_supply_on=day, due_on=day, variable_symbol="1", bank_account=template.bank_account,
                               iban=template.iban, total_without_vat=1, total_vat=0, total=1, amount_paid=1, state="paid"))
    db.session.commit()

    def shown(query: str) -> list[str]:
        response = client.get(f"/invoices/?year=2001&sort=oldest&{query}")
        assert response.status_code == 200
        table = response.get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
        return [f"FP{n:08d}" for n in range(45) if f"FP{n:08d}" in table]

    first, second, third = shown("page=1"), shown("page=2"), shown("page=3")
    assert len(first) == len(second) == 20 and len(third) == 5 and not set(first) & set(second)
    assert sorted(first + second + third) == [f"FP{n:08d}" for n in range(45)]
    assert shown("") == shown("page=0") == shown("page=-3") == shown("page=abc") == first
    assert shown("page=4") == [] and shown(f"page={10**12}") == []
    page = client.get("/invoices/?year=2001&sort=oldest&page=2").get_data(as_text=True)
    assert "45 invoices" in page or "45 faktur" in page
    assert 'href="/invoices/?page=3&amp;year=2001&amp;sort=oldest"' in page and 'aria-current="page">2<' in page
    # The page is cut in the database: one COUNT and one SELECT … LIMIT … OFFSET.
    query = select(Invoice).where(Invoice.customer_id == jana.id, Invoice.number.startswith("FP")).order_by(Invoice.number)
    with count_queries(app) as statements:
        listing = paginate(query, 3, 20)
    assert [i.number for i in listing.items] == [f"FP{n:08d}" for n in range(40, 45)]
    assert (listing.page, listing.pages, listing.total) == (3, 3, 45)
    assert len(statements) == 2 and "count(*)" in statements[0] and "LIMIT" in statements[1] and "OFFSET" in statements[1]
    assert paginate(query.where(Invoice.id < 0), 1, 20) == Page([], 1, 1, 0)


def test_the_pdf_has_the_tax_items_and_stays_the_same(demo, client, tmp_path):
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    invoice = _petr_invoices()[-1]
    first = client.get(f"/invoices/{invoice.id}/pdf")
    assert first.mimetype == "application/pdf" and "attachment" in first.headers["Content-Disposition"]
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    customer = db.session.get(Customer, invoice.customer_id)
    customer.street = "Úplně Jiná 99"
    db.session.commit()
    second = client.get(f"/invoices/{invoice.id}/pdf")
    assert hashlib.sha256(first.data).hexdigest() == hashlib.sha256(second.data).hexdigest()
    import io

    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(first.data)).pages[0].extract_text()
    assert invoice.number in text and "Petr Svoboda" in text and "Štefánikova" in text
    assert "IČO 27376516" in text and "DIČ CZ27376516" in text and "Variabilní symbol" in text
    total = f"{invoice.total:,.2f}".replace(",", " ").replace(".", ",")
    assert total in text.replace("\xa0", " ")
    assert "Úplně Jiná" not in PdfReader(io.BytesIO(second.data)).pages[0].extract_text()


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
                    reason="needs poppler-utils and zbar-tools (apt-get install -y poppler-utils zbar-tools)")
def test_the_qr_platba_code_decodes_to_the_invoice(demo, client, tmp_path):
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    invoice = _petr_invoices()[-1]
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(client.get(f"/invoices/{invoice.id}/pdf").data)
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    payload = subprocess.run(["zbarimg", "--quiet", "--raw", *map(str, pages)], capture_output=True, text=True).stdout
    fields = dict(part.split(":", 1) for part in payload.strip().split("*")[2:])
    assert payload.startswith("SPD*1.0*")
    assert fields["ACC"] == invoice.iban and fields["AM"] == f"{invoice.amount_due:.2f}"
    assert fields["CC"] == "CZK" and fields["X-VS"] == invoice.variable_symbol
    assert fields["DT"] == f"{invoice.due_on:%Y%m%d}" and invoice.number in fields["MSG"]


def test_another_customers_invoice_answers_404(demo, client):
    invoice = _petr_invoices()[0]
    petr = db.session.scalars(select(Customer).where(Customer.number == "1000003")).one().portal_users[0]
    other = make_portal_user(email="cizi@example.com")
    other.set_password(PASSWORD)
    petr.set_password(PASSWORD)
    db.session.commit()
    for url in (f"/invoices/{invoice.id}", f"/invoices/{invoice.id}/pdf"):
        assert_only_owner_sees(client, url, petr, other, PASSWORD)


def test_a_user_without_the_invoices_right_gets_404(demo, client):
    make_portal_user(email="bez@example.com", modules=["documents"])
    client.sign_in("bez@example.com", PASSWORD)
    assert client.get("/invoices/").status_code == 404


def test_the_overview_shows_what_is_owed_and_overdue(demo, client):
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    overdue = _petr_invoices()[-1]
    page = client.get("/invoices/").get_data(as_text=True).replace("\xa0", " ")
    amount = f"{overdue.amount_due:,.2f}".replace(",", " ").replace(".", ",")
    assert "K úhradě nyní" in page and amount in page and "z toho po splatnosti" in page
    assert "Příští záloha" in page


def test_advance_schedule_calendar_and_standing_order(demo, client):
    from icalendar import Calendar

    from models.billing import AdvanceSchedule

    client.sign_in("jana.novakova@example.com", PORTAL_PASSWORD)
    page = client.get("/invoices/advances").get_data(as_text=True)
    jana = db.session.scalars(select(Customer).where(Customer.number == "1000001")).one()
    schedule = db.session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.customer_id == jana.id)).one()
    assert schedule.variable_symbol in page and 'src="data:image/svg+xml' in page
    response = client.get(f"/invoices/advances/{schedule.id}/calendar.ics")
    assert response.mimetype == "text/calendar" and "attachment" in response.headers["Content-Disposition"]
    events = list(Calendar.from_ical(response.data).walk("VEVENT"))
    unpaid_future = [a for a in schedule.advances if not a.is_paid and a.due_on >= date.today()]
    assert len(events) == len(unpaid_future) >= 3
    assert {e.decoded("dtstart") for e in events} == {a.due_on for a in unpaid_future}
    petr = db.session.scalars(select(Customer).where(Customer.number == "1000003")).one()
    petr_schedule = db.session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.customer_id == petr.id)).one()
    assert client.get(f"/invoices/advances/{petr_schedule.id}/calendar.ics").status_code == 404


def test_standing_order_payload():
    from decimal import Decimal

    from services.billing.qr_platba import spd

    payload = spd("CZ6220100000002001234588", Decimal("1800"), variable_symbol="5510000011", monthly=True,
                  message="Záloha * leden", payee="Energie Praha a.s.")
    assert payload == ("SPD*1.0*ACC:CZ6220100000002001234588*AM:1800.00*CC:CZK*X-VS:5510000011"
                       "*MSG:Zaloha %2A leden*RN:Energie Praha a.s.*FRQ:1M")


def test_statement_of_account_with_running_balance_on_screen_and_in_pdf(demo, client):
    import io

    from pypdf import PdfReader

    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    start, end = date(date.today().year, 1, 1), date.today()
    page = client.get(f"/invoices/statement?start={start}&end={end}").get_data(as_text=True)
    assert "Výpis z účtu" in page or "Statement of account" in page
    overdue = _petr_invoices()[-1]
    assert overdue.number in page
    response = client.get(f"/invoices/statement.pdf?start={start}&end={end}")
    assert response.mimetype == "application/pdf" and "attachment" in response.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Petr Svoboda" in text and overdue.number in text and "Počáteční zůstatek" in text
    assert client.get("/invoices/statement?start=nonsense").status_code == 200


def test_running_balance_adds_up(demo, app):
    from flask_login import login_user

    from models.users import PortalUser
    from services.billing.statement import entries

    petr = db.session.scalars(select(PortalUser).where(PortalUser.email == "petr.svoboda@example.com")).one()
    with app.test_request_context():
        login_user(petr)
        opening, rows = entries(date(2000, 1, 1), date.today())
        assert opening == 0
        running = Decimal(0)
        for row in rows:
            running += row.debit - row.credit
            assert row.balance == running
        overdue = _petr_invoices()[-1]
        assert rows[-1].balance == overdue.amount_due  # only the overdue settlement is still owed
