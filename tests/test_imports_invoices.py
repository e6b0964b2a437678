"""Invoices from the billing system: `flask --app portal import invoices FILE`, one row per line."""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_supply_point
from models.billing import Invoice, InvoiceLine, InvoiceState
from services.imports import records_of, run_import, runner
from services.pdf import simple_document

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "import"
SAMPLE = (SAMPLES / "invoices.csv").read_text("utf-8")
HEADER = SAMPLE.split("\n", 1)[0]


def _import(text: str, name: str = "invoices.csv", **options):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return run_import("invoices", records_of("invoices", data, name), **options)


def _customers():
    run_import("customers", records_of("customers", (SAMPLES / "customers.csv").read_bytes(), "customers.csv"))


def _invoices() -> list[tuple]:
    rows = db.session.scalars(select(Invoice).order_by(Invoice.number)).all()
    return [(i.number, i.kind, i.customer.number, i.issued_on, i.due_on, i.variable_symbol, i.total_without_vat,
             i.total_vat, i.total, i.state, i.cancels.number if i.cancels else None,
             [(line.position, line.kind, line.description, Decimal(str(line.quantity)), line.amount_without_vat,
               line.vat) for line in i.lines]) for i in rows]


def test_the_sample_imported_twice_gives_the_same_invoices(app):
    _customers()
    first = _import(SAMPLE)
    assert (first.created, first.updated, first.unchanged, first.errors) == (4, 0, 0, [])
    invoices = _invoices()
    settlement = next(i for i in invoices if i[0] == "FA2026000101")
    assert settlement[6:9] == (Decimal("601.08"), Decimal("126.23"), Decimal("727.31"))
    assert settlement[11][0] == (1, "consumption", "Dodávka – silová elektřina", Decimal("2.760"),
                                 Decimal("7976.40"), Decimal("1675.04"))
    assert settlement[11][3][4:] == (Decimal("-13884.30"), Decimal("-2915.70"))
    by_number = {i[0]: i for i in invoices}
    assert by_number["FA2026000102"][9] == InvoiceState.CANCELLED
    assert by_number["DBFA2026000102"][10] == "FA2026000102"
    assert by_number["DBFA2026000102"][8] == -by_number["FA2026000102"][8]

    second = _import(SAMPLE)
    assert (second.created, second.updated, second.unchanged, second.errors) == (0, 0, 4, [])
    db.session.expire_all()
    assert _invoices() == invoices
    assert db.session.scalar(select(func.count()).select_from(InvoiceLine)) == 10


def test_batches_of_any_size_give_the_same_result(app, monkeypatch):
    """A credit note in another batch than its invoice, the same invoice twice in one batch."""
    _customers()
    monkeypatch.setattr(runner, "BATCH_SIZE", 1)
    lines = SAMPLE.splitlines()
    twice = "\n".join(lines + lines[1:5]) + "\n"
    report = _import(twice)
    assert (report.created, report.unchanged, report.errors) == (4, 1, [])
    monkeypatch.setattr(runner, "BATCH_SIZE", 1000)
    by_size_one = _invoices()
    db.session.execute(InvoiceLine.__table__.delete())
    db.session.execute(Invoice.__table__.update().values(cancels_invoice_id=None))
    db.session.execute(Invoice.__table__.delete())
    db.session.commit()
    _import(SAMPLE)
    assert _invoices() == by_size_one


def test_an_issued_invoice_never_changes(app):
    _customers()
    _import(SAMPLE)
    before = _invoices()
    changed = SAMPLE.replace("12;měsíc;149,0000", "12;měsíc;159,0000")
    report = _import(changed)
    assert report.errors == [(2, "number", "Faktura FA2026000101 byla vystavena s jinými hodnotami; vystavená "
                                           "faktura se nemění (oprava je dobropis a nová faktura).")]
    assert report.unchanged == 3
    db.session.expire_all()
    assert _invoices() == before


def test_bad_records_are_named_and_nothing_of_them_is_written(app):
    _customers()
    rows = [
        HEADER,
        # line 2: unknown customer
        "FA1;settlement;2999999;;;1. 2. 2026;;15. 2. 2026;;;11;;;;;fee;Plat;1;ks;100;21;;",
        # line 3: not a quantity
        "FA2;settlement;2000001;;;1. 2. 2026;;15. 2. 2026;;;12;;;;;fee;Plat;jedna;ks;100;21;;",
        # line 4-5: the rows of one invoice name different customers (line 5 says it)
        "FA3;settlement;2000001;;;1. 2. 2026;;15. 2. 2026;;;13;;;;;fee;Plat;1;ks;100;21;;",
        "FA3;settlement;2000002;;;;;;;;;;;;;fee;Plat;1;ks;100;21;;",
        # line 6: the total is not the sum of the lines
        "FA4;settlement;2000001;;;1. 2. 2026;;15. 2. 2026;;;14;;;999,00;;fee;Plat;1;ks;100;21;;",
        # line 7: a credit note without the invoice it corrects
        "DB5;credit_note;2000001;;;1. 2. 2026;;1. 2. 2026;;;15;;Oprava;;;fee;Plat;-1;ks;100;21;;",
        # line 8: due before issue
        "FA6;settlement;2000001;;;1. 2. 2026;;15. 1. 2026;;;16;;;;;fee;Plat;1;ks;100;21;;",
        # line 9: good
        "FA7;settlement;2000001;;;1. 2. 2026;;15. 2. 2026;;;17;;;121,00;;fee;Plat;1;ks;100;21;;",
    ]
    report = _import("\n".join(rows) + "\n")
    assert [(line, field) for line, field, _ in report.errors] == [
        (2, "customer_number"), (3, "quantity"), (5, "customer_number"), (6, "total"), (7, "cancels"),
        (8, "due_on")]
    assert report.errors[0][2] == "Žádný zákazník nemá číslo 2999999."
    assert [i[0] for i in _invoices()] == ["FA7"]
    assert _invoices()[0][8] == Decimal("121.00")

    nothing = _import("\n".join(rows).replace("FA7;", "FA8;") + "\n", all_or_nothing=True)
    assert not nothing.written and len(nothing.errors) == 6
    assert [i[0] for i in _invoices()] == ["FA7"]


def test_a_supply_point_of_another_customer_is_refused(app):
    _customers()
    stranger = make_customer()
    make_supply_point(stranger, identifier="859182400102993847")
    row = "FA9;settlement;2000001;859182400102993847;;1. 2. 2026;;15. 2. 2026;;;19;;;;;fee;Plat;1;ks;100;21;;"
    report = _import(f"{HEADER}\n{row}\n")
    assert report.errors == [(2, "supply_point", "Patří jinému zákazníkovi.")]
    assert _invoices() == []


def test_an_imported_invoice_without_a_pdf_gets_one_with_its_figures(app, client):
    customer = make_customer(number="2000001")
    point = make_supply_point(customer, identifier="859182400102993847")
    user = make_portal_user(customer)
    row = (f"FA10;settlement;2000001;{point.identifier};;1. 2. 2026;;15. 2. 2026;1. 1. 2025;31. 12. 2025;20;;;;;"
           "consumption;Dodávka – silová elektřina;2,760;MWh;2 890,0000;21;;")
    assert _import(f"{HEADER}\n{row}\n").created == 1
    invoice = db.session.scalars(select(Invoice).where(Invoice.number == "FA10")).one()
    assert invoice.supply_point_id == point.id
    client.sign_in(user.email, PASSWORD)
    response = client.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "FA10" in text and "9 651,44" in text  # 7 976,40 + 21 % VAT


def _zip(rows: str, files: dict[str, bytes]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("invoices.csv", f"{HEADER}\n{rows}\n")
        for name, content in files.items():
            zipped.writestr(name, content)
    return archive.getvalue()


def test_the_pdf_issued_by_the_billing_system_comes_in_a_zip(app, client):
    customer = make_customer(number="2000001")
    user = make_portal_user(customer)
    issued = simple_document("Faktura FA11 vystavená fakturačním systémem", ["Celkem 121,00 Kč"])
    row = "FA11;settlement;2000001;;;1. 2. 2026;;15. 2. 2026;;;21;;;;pdf/FA11.pdf;fee;Plat;1;ks;100;21;;"
    report = _import(_zip(row, {"pdf/FA11.pdf": issued}), "invoices.zip")
    assert (report.created, report.errors) == (1, [])
    invoice = db.session.scalars(select(Invoice).where(Invoice.number == "FA11")).one()
    client.sign_in(user.email, PASSWORD)
    assert client.get(f"/invoices/{invoice.id}/pdf").data == issued
    missing = _import(_zip(row.replace("FA11", "FA12"), {"pdf/FA11.pdf": issued}), "invoices.zip")
    assert [(line, field) for line, field, _ in missing.errors] == [(2, "pdf")]
    not_pdf = _import(_zip(row.replace("FA11", "FA13"), {"pdf/FA13.pdf": b"MZ\x90"}), "invoices.zip")
    assert [(line, field) for line, field, _ in not_pdf.errors] == [(2, "pdf")]
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 1


def test_the_cli_imports_invoices_with_a_progress_bar(app):
    _customers()
    result = app.test_cli_runner().invoke(args=["import", "invoices", str(SAMPLES / "invoices.csv")])
    assert result.exit_code == 0, result.output
    assert "4 created, 0 updated, 0 unchanged, 0 refused; written" in result.output


@pytest.mark.parametrize("cell", ["1,5,0", "1e400", "NaN"])
def test_a_number_that_is_not_one_is_refused(app, cell):
    _customers()
    row = f"FA13;settlement;2000001;;;1. 2. 2026;;15. 2. 2026;;;23;;;;;fee;Plat;1;ks;{cell};21;;"
    assert [e[1] for e in _import(f"{HEADER}\n{row}\n").errors] == ["unit_price"]


def test_a_new_invoice_is_announced_and_a_loaded_history_is_not(app):
    from datetime import date, timedelta

    from models.outbox import OutgoingEmail

    customer = make_customer(number="2000001")
    user = make_portal_user(customer)
    today, old = date.today(), date.today() - timedelta(days=400)
    rows = [f"FA20;settlement;2000001;;;{today:%Y-%m-%d};;{today + timedelta(days=14):%Y-%m-%d};;;30;;;;;fee;Plat;1;ks;100;21;;",
            f"FA21;settlement;2000001;;;{old:%Y-%m-%d};;{old + timedelta(days=14):%Y-%m-%d};;;31;;;;;fee;Plat;1;ks;100;21;;"]
    assert _import(HEADER + "\n" + "\n".join(rows) + "\n").created == 2
    told = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == user.email)).all()
    assert len(told) == 1 and "FA20" in told[0].subject + told[0].body_text
    _import(HEADER + "\n" + "\n".join(rows) + "\n")
    assert db.session.scalar(select(func.count()).select_from(OutgoingEmail)) == 1
