"""Contracts with their signed PDFs, products, price lists and advance schedules from the
supplier's systems (`flask --app portal import KIND FILE`), and the ZIP their PDFs come in."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_supply_point
from models.billing import Advance, AdvanceSchedule, Payment, PaymentAllocation
from models.contracts import Contract, contract_supply_points
from models.customers import Customer
from models.files import StoredFile
from models.metering import SupplyPoint
from models.price_lists import PriceItem, PriceList, Product
from services.imports import UnreadableFile, archive, records_of, run_import
from services.imports.cells import RecordError
from services.pdf import simple_document

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "import"
SIGNED = (SAMPLES / "signed" / "SM-2026-0001.pdf").read_bytes()
TABLES = (Product, Contract, contract_supply_points, StoredFile, PriceList, PriceItem, AdvanceSchedule, Advance,
          Payment, PaymentAllocation)
POINTS = {"2000001": ["859182400102993847"], "2000002": ["859182400200000010", "859182400200000027"]}


def _zip(files: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, content in files.items():
            zipped.writestr(name, content)
    return out.getvalue()


def _contracts_zip(csv: str | None = None, **extra) -> bytes:
    """The sample as an operator packs it: contracts.csv and signed/…pdf."""
    return _zip({"contracts.csv": csv or (SAMPLES / "contracts.csv").read_text("utf-8"),
                 "signed/SM-2026-0001.pdf": SIGNED, **extra})


def _import(kind: str, data: bytes | str, name: str = "file.csv", **options):
    data = data.encode("utf-8") if isinstance(data, str) else data
    return run_import(kind, records_of(kind, data, name), **options)


def _sample(kind: str, name: str | None = None):
    report = _import(kind, (SAMPLES / (name or f"{kind}.csv")).read_bytes(), name or f"{kind}.csv")
    assert report.errors == []
    return report


def _outcome(report) -> tuple:
    return report.created, report.updated, report.unchanged, [(line, field) for line, field, _ in report.errors]


def _rows() -> dict:
    """Every row of every table these imports write, all columns, in id order."""
    db.session.expire_all()
    tables = [getattr(t, "__table__", t) for t in TABLES]
    return {table.name: db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            for table in tables}


@pytest.fixture
def catalog(app):
    """The customers of the customer sample with the supply points the samples name, and the products."""
    _sample("customers")
    _sample("products")
    for number, identifiers in POINTS.items():
        customer = db.session.scalars(select(Customer).where(Customer.number == number)).one()
        for identifier in identifiers:
            make_supply_point(customer, identifier=identifier, distribution_tariff="D02d",
                              product=db.session.scalars(select(Product).where(Product.code == "E-STANDARD")).one())
    return app


def _point(identifier: str) -> SupplyPoint:
    return db.session.scalars(select(SupplyPoint).where(SupplyPoint.identifier == identifier)).one()


def test_each_sample_imported_twice_gives_the_same_database(catalog):
    kinds = [("products", (SAMPLES / "products.csv").read_bytes(), "products.csv"),
             ("contracts", _contracts_zip(), "contracts.zip"),
             ("price-lists", (SAMPLES / "price-lists.csv").read_bytes(), "price-lists.csv"),
             ("advance-schedules", (SAMPLES / "advance-schedules.csv").read_bytes(), "advance-schedules.csv")]
    first = [_outcome(_import(kind, data, name)) for kind, data, name in kinds]
    assert first == [(0, 0, 3, []), (2, 0, 0, []), (2, 0, 0, []), (2, 0, 0, [])]
    after_first = _rows()
    second = [_outcome(_import(kind, data, name)) for kind, data, name in kinds]
    assert second == [(0, 0, 3, []), (0, 0, 2, []), (0, 0, 2, []), (0, 0, 2, [])]
    assert _rows() == after_first

    contract = db.session.scalars(select(Contract).where(Contract.number == "SM-2026-0002")).one()
    assert (contract.customer.number, contract.product.code, contract.valid_from, contract.valid_to,
            sorted(p.identifier for p in contract.supply_points), contract.signed_document) == (
        "2000002", "E-PODNIKATEL", date(2026, 2, 1), date(2027, 1, 31), POINTS["2000002"], None)
    assert db.session.scalars(select(Contract).where(Contract.number == "SM-2026-0001")).one() \
        .signed_document.content == SIGNED
    standard = db.session.scalars(select(PriceList).where(PriceList.code == "C-E-STD-2026")).one()
    assert (standard.name, standard.product.code, standard.distribution_tariff, standard.segment,
            standard.valid_to) == ("Elektřina Standard 2026 (D02d)", "E-STANDARD", "D02d", "household",
                                   date(2026, 12, 31))
    assert [(i.component, i.unit, Decimal(str(i.price_without_vat)), Decimal(str(i.vat_rate)), i.price_with_vat)
            for i in standard.items] == [
        ("Silová elektřina", "Kč/MWh", Decimal("2490"), Decimal("21"), Decimal("3012.90")),
        ("Stálý plat", "Kč/měsíc", Decimal("125"), Decimal("21"), Decimal("151.25")),
        ("Distribuce – pohyblivá složka", "Kč/MWh", Decimal("1710.5"), Decimal("21"), Decimal("2069.70"))]
    monthly = db.session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.number == "ZK-2026-0001")).one()
    assert (monthly.supply_point.identifier, monthly.amount, monthly.frequency_months, monthly.variable_symbol) == (
        "859182400102993847", Decimal("1450.00"), 1, "2000001")
    assert [(a.due_on, a.amount, a.variable_symbol) for a in monthly.advances][::11] == [
        (date(2026, 1, 15), Decimal("1450.00"), "2000001"), (date(2026, 12, 15), Decimal("1520.00"), "2000001")]
    quarterly = db.session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.number == "ZK-2026-0002")).one()
    assert (quarterly.contract.number, quarterly.frequency_months, [a.due_on.month for a in quarterly.advances]) == (
        "SM-2026-0002", 3, [2, 5, 8, 11])


def test_a_changed_product_row_updates_it(catalog):
    changed = (SAMPLES / "products.csv").read_text("utf-8").replace("Plyn Standard", "Plyn Komfort")
    assert _outcome(_import("products", changed)) == (0, 1, 2, [])
    assert db.session.scalars(select(Product.name).where(Product.code == "P-STANDARD")).one() == "Plyn Komfort"
    with catalog.test_request_context(headers={"Accept-Language": "en"}):
        refused = _import("products", "code;name;commodity\nE-STANDARD;Elektřina Standard;gas\nX-1;Nový;water\n")
    assert refused.errors == [(2, "commodity", "Supply points or price lists use this product: its commodity "
                                               "does not change."),
                              (3, "commodity", "One of: electricity, gas.")]
    assert db.session.scalars(select(Product.commodity).where(Product.code == "E-STANDARD")).one() == "electricity"
    assert db.session.scalar(select(func.count()).select_from(Product)) == 3


def test_a_changed_contract_row_updates_it_and_other_signed_bytes_replace_the_pdf(catalog):
    _import("contracts", _contracts_zip(), "contracts.zip")
    contract = db.session.scalars(select(Contract).where(Contract.number == "SM-2026-0002")).one()
    moved = (SAMPLES / "contracts.csv").read_text("utf-8").replace(
        "2026-02-01;2027-01-31;859182400200000010, 859182400200000027", "2026-02-01;;859182400200000027")
    assert _outcome(_import("contracts", _contracts_zip(moved), "c.zip")) == (0, 1, 1, [])
    db.session.expire_all()
    assert (contract.valid_to, [p.identifier for p in contract.supply_points]) == (None, ["859182400200000027"])

    signed = db.session.scalars(select(Contract).where(Contract.number == "SM-2026-0001")).one()
    old_file = signed.signed_document_id
    amended = simple_document("Smlouva SM-2026-0001 – dodatek č. 1", ["Podepsáno 1. 6. 2026."])
    assert _outcome(_import("contracts", _contracts_zip(moved, **{"signed/SM-2026-0001.pdf": amended}),
                            "c.zip")) == (0, 1, 1, [])
    db.session.expire_all()
    assert signed.signed_document.content == amended
    assert db.session.get(StoredFile, old_file) is None  # replaced, not left behind
    # The plain CSV without the ZIP keeps the stored PDF.
    without = moved.replace("signed/SM-2026-0001.pdf", "")
    assert _outcome(_import("contracts", without)) == (0, 0, 2, [])
    db.session.expire_all()
    assert signed.signed_document.content == amended


def test_a_changed_price_list_replaces_its_items(catalog):
    _sample("price-lists")
    standard = db.session.scalars(select(PriceList).where(PriceList.code == "C-E-STD-2026")).one()
    old_ids = [item.id for item in standard.items]
    text = (SAMPLES / "price-lists.csv").read_text("utf-8")
    cheaper = text.replace("Stálý plat;Kč/měsíc;125,0000", "Stálý plat;Kč/měsíc;119,5")
    assert _outcome(_import("price-lists", cheaper)) == (0, 1, 1, [])
    db.session.expire_all()
    assert [(i.component, Decimal(str(i.price_without_vat))) for i in standard.items] == [
        ("Silová elektřina", Decimal("2490")), ("Stálý plat", Decimal("119.5")),
        ("Distribuce – pohyblivá složka", Decimal("1710.5"))]
    assert not {item.id for item in standard.items} & set(old_ids)
    assert db.session.scalar(select(func.count()).select_from(PriceItem)) == 5
    renamed = cheaper.replace("Elektřina Standard 2026 (D02d)", "Elektřina Standard 2026")
    assert _outcome(_import("price-lists", renamed)) == (0, 1, 1, [])
    assert _outcome(_import("price-lists", renamed)) == (0, 0, 2, [])


def _links(html: str, pattern: str) -> list[str]:
    return re.findall(rf'href="({pattern})"', html)


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_signed_contract_from_the_zip_is_downloaded_from_the_supply_point_page(catalog, client):
    assert _outcome(_import("contracts", _contracts_zip(), "contracts.zip")) == (2, 0, 0, [])
    alena = db.session.scalars(select(Customer).where(Customer.number == "2000001")).one()
    user = make_portal_user(alena)
    client.sign_in(user.email, PASSWORD)
    point = _point("859182400102993847")
    page = client.get(f"/supply-points/{point.id}").get_data(as_text=True)
    assert "Contract SM-2026-0001" in page
    [link] = _links(page, r"/supply-points/\d+/contracts/\d+/document")
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Smlouva o sdruzenych sluzbach dodavky elektriny SM-2026-0001" in _pdf_text(response.data)
    # The other customer's contract is no link of hers, and its supply point is not hers to open.
    assert client.get(f"/supply-points/{_point('859182400200000010').id}").status_code == 404


def test_the_price_list_pdf_from_the_zip_is_downloaded_from_the_price_list_page(catalog, client):
    today = date.today()
    header = (SAMPLES / "price-lists.csv").read_text("utf-8").split("\n", 1)[0]
    csv = (f"{header}\nC-E-STD-X;Elektřina Standard letos;electricity;E-STANDARD;D02d;household;"
           f"{today - timedelta(days=30):%Y-%m-%d};;pdf/cenik.pdf;Silová elektřina;Kč/MWh;2 490,0000;21\n")
    printed = simple_document("Ceník Elektřina Standard – účinný od 1. 1.", ["Silová elektřina 2 490 Kč/MWh"])
    assert _outcome(_import("price-lists", _zip({"price-lists.csv": csv, "pdf/cenik.pdf": printed}),
                            "ceniky.zip")) == (1, 0, 0, [])
    alena = db.session.scalars(select(Customer).where(Customer.number == "2000001")).one()
    client.sign_in(make_portal_user(alena).email, PASSWORD)
    page = client.get("/price-lists/").get_data(as_text=True)
    assert "Elektřina Standard letos" in page and "CZK3,012.90" in page
    [link] = _links(page, r"/price-lists/\d+/pdf")
    response = client.get(link)
    assert response.status_code == 200
    assert "Ceník Elektřina Standard – účinný od 1. 1." in _pdf_text(response.data)


def test_bad_contracts_are_named_by_line_and_field_and_nothing_of_them_is_written(catalog):
    _import("contracts", _contracts_zip(), "contracts.zip")
    before = _rows()
    other = make_customer(number="2000003")
    make_supply_point(other, identifier="859182400110224391")
    header = (SAMPLES / "contracts.csv").read_text("utf-8").split("\n", 1)[0]
    rows = [
        "SM-1;9999999;E-STANDARD;1. 1. 2026;;859182400102993847;",
        "SM-2;2000001;E-NEZNAMY;1. 1. 2026;;859182400102993847;",
        "SM-3;2000001;E-STANDARD;1. 1. 2026;;859182400102993847;signed/chybi.pdf",
        "SM-4;2000001;E-STANDARD;1. 1. 2026;;859182400102993847;signed/obrazek.pdf",
        "SM-5;2000001;E-STANDARD;1. 1. 2026;;859182400102993847;../signed/SM-2026-0001.pdf",
        "SM-6;2000001;E-STANDARD;1. 1. 2026;;859182400102993847;/etc/passwd",
        "SM-7;2000001;E-STANDARD;1. 1. 2026;;859182400102993847 859182400110224391;",
        "SM-2026-0002;2000001;E-STANDARD;1. 1. 2026;;859182400102993847;",
        "SM-8;2000001;P-STANDARD;1. 1. 2026;;859182400102993847;",
        "SM-9;2000001;E-STANDARD;1. 2. 2026;1. 1. 2026;859182400102993847;",
    ]
    upload = _contracts_zip("\n".join([header, *rows]) + "\n", **{"signed/obrazek.pdf": b"\x89PNG\r\n\x1a\n"})
    with catalog.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("contracts", upload, "contracts.zip")
    assert report.errors == [
        (2, "customer_number", "No customer has the number 9999999."),
        (3, "product_code", "No product has the code E-NEZNAMY."),
        (4, "signed_pdf", "The ZIP holds no file signed/chybi.pdf."),
        (5, "signed_pdf", "signed/obrazek.pdf is not a PDF."),
        (6, "signed_pdf", "Name a file by its path inside the ZIP, without “..” or a leading “/”."),
        (7, "signed_pdf", "Name a file by its path inside the ZIP, without “..” or a leading “/”."),
        (8, "supply_points", "Supply point 859182400110224391 belongs to another customer."),
        (9, "number", "Contract SM-2026-0002 belongs to another customer."),
        (10, "supply_points", "Supply point 859182400102993847 is for another commodity than the product."),
        (11, "valid_to", "The contract ends before it starts."),
    ]
    assert (report.created, report.updated, report.written) == (0, 0, True)
    assert _rows() == before


def test_a_file_named_in_a_plain_csv_is_refused(catalog):
    with catalog.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("contracts", (SAMPLES / "contracts.csv").read_bytes(), "contracts.csv")
    assert report.errors == [(2, "signed_pdf", "A file named here comes in a ZIP together with the CSV file; "
                                               "this upload is not a ZIP.")]
    assert report.created == 1  # the contract without a signed PDF


def test_a_bad_price_item_names_its_own_row_and_writes_nothing_of_its_price_list(catalog):
    text = (SAMPLES / "price-lists.csv").read_text("utf-8")
    bad = (text.replace("Distribuce – pohyblivá složka;Kč/MWh;1 710,5000", "Distribuce – pohyblivá složka;Kč/MWh;1,71050")
           .replace(";E-PODNIKATEL;", ";E-NEZNAMY;"))
    with catalog.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("price-lists", bad)
    assert report.errors == [(4, "price_without_vat", "A number with at most 4 decimals."),
                             (5, "product_code", "No product has the code E-NEZNAMY.")]
    assert db.session.scalar(select(func.count()).select_from(PriceList)) == 0
    assert db.session.scalar(select(func.count()).select_from(PriceItem)) == 0
    # A later row of the code that differs in the list's own fields names that row.
    report = _import("price-lists", text + "C-E-STD-2026;Jiný název;;;;;;;;Daň;Kč/MWh;28,3;21\n")
    assert _outcome(report) == (1, 0, 0, [(7, "name")])


def _schedules():
    _import("contracts", _contracts_zip(), "contracts.zip")  # ZK-2026-0002 names contract SM-2026-0002
    _sample("advance-schedules")
    return db.session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.number == "ZK-2026-0001")).one()


def test_a_changed_schedule_updates_its_unpaid_advances(catalog):
    schedule = _schedules()
    kept = {a.due_on: a.id for a in schedule.advances}
    text = (SAMPLES / "advance-schedules.csv").read_text("utf-8")
    changed = (text.replace("15. 12. 2026;1 520,00", "15. 12. 2026;1 600,00")
               .replace("ZK-2026-0001;;;;;;;;15. 11. 2026;\n", "")
               + "ZK-2026-0001;;;;;;;;15. 1. 2027;\n")
    assert _outcome(_import("advance-schedules", changed)) == (0, 1, 1, [])
    db.session.expire_all()
    advances = [(a.due_on, a.amount) for a in schedule.advances]
    assert advances[-3:] == [(date(2026, 10, 15), Decimal("1450.00")), (date(2026, 12, 15), Decimal("1600.00")),
                             (date(2027, 1, 15), Decimal("1450.00"))]
    assert len(advances) == 12
    assert {a.due_on: a.id for a in schedule.advances if a.due_on < date(2026, 11, 1)} == \
        {due: i for due, i in kept.items() if due < date(2026, 11, 1)}
    assert _outcome(_import("advance-schedules", changed)) == (0, 0, 2, [])


def test_a_payment_that_came_before_its_schedule_pays_its_first_advance(catalog):
    _sample("payments")  # 1 450,00 with variable symbol 2000001, nothing to pay yet
    payment = db.session.scalars(select(Payment).where(Payment.reference == "BANK-2026-000101")).one()
    assert payment.allocations == []
    schedule = _schedules()
    db.session.expire_all()
    first = schedule.advances[0]
    assert (first.due_on, first.amount_paid, first.paid_on) == (date(2026, 1, 15), Decimal("1450.00"),
                                                               date(2026, 3, 2))
    assert [(a.advance_id, a.amount) for a in payment.allocations] == [(first.id, Decimal("1450.00"))]
    assert sum(a.amount_paid for a in schedule.advances) == Decimal("1450.00")
    assert _outcome(_import("advance-schedules", (SAMPLES / "advance-schedules.csv").read_bytes())) == (0, 0, 2, [])
    db.session.expire_all()
    assert len(payment.allocations) == 1


def test_an_advance_paid_in_part_is_not_changed_and_the_refusal_names_it(catalog):
    schedule = _schedules()
    text = ("reference;customer_number;received_on;amount;variable_symbol\n"
            "BANK-7;2000001;10. 1. 2026;1 000,00;2000001\n")
    assert _import("payments", text).errors == []
    assert schedule.advances[0].amount_paid == Decimal("1000.00")
    before = _rows()
    sample = (SAMPLES / "advance-schedules.csv").read_text("utf-8")
    cases = [
        (sample.replace("2000001;1 450,00;15. 1. 2026;", "2000001;1 450,00;15. 1. 2026;1 300,00")
         .replace("15. 12. 2026;1 520,00", "15. 12. 2026;1 700,00"),
         (2, "advance_amount", "The advance due on Jan 15, 2026 is paid (in part); its amount does not change.")),
        (sample.replace("1. 1. 2026;1;2000001;1 450,00;15. 1. 2026;", "1. 1. 2026;1;2000001;1 450,00;15. 2. 2026;")
         .replace("ZK-2026-0001;;;;;;;;15. 2. 2026;\n", ""),
         (2, "due_on", "The advance due on Jan 15, 2026 is paid (in part); it stays in the schedule.")),
        (sample.replace(";2000001;1 450,00;", ";2000009;1 450,00;"),
         (2, "variable_symbol", "The advance due on Jan 15, 2026 is paid (in part); its variable symbol does not "
                                "change.")),
    ]
    for text, error in cases:
        with catalog.test_request_context(headers={"Accept-Language": "en"}):
            report = _import("advance-schedules", text)
        assert (report.errors, report.unchanged) == ([error], 1)
        assert _rows() == before


def test_bad_schedules_are_named_by_line_and_field(catalog):
    sample = (SAMPLES / "advance-schedules.csv").read_text("utf-8")
    other = make_customer(number="2000003")
    make_supply_point(other, identifier="859182400110224391")
    bad = (sample.replace(";2000002;;SM-2026-0002;", ";2000009;;SM-2026-0002;")
           .replace("ZK-2026-0001;;;;;;;;15. 5. 2026;", "ZK-2026-0001;;;;;;;;15. 4. 2026;")
           + "ZK-3;2000001;859182400110224391;;1. 1. 2026;1;3;100;15. 1. 2026;\n"
           + "ZK-4;2000001;;;1. 1. 2026;2;4;100;15. 1. 2026;\n"
           + "ZK-5;2000001;;;1. 1. 2026;1;5;100;15. 12. 2025;\n"
           + "ZK-6;2000001;;SM-2026-0002;1. 1. 2026;1;6;100;15. 1. 2026;\n")
    with catalog.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("advance-schedules", bad)
    assert report.errors == [
        (6, "due_on", "The schedule has another advance due on this day."),
        (14, "customer_number", "No customer has the number 2000009."),
        (18, "supply_point", "This belongs to another customer."),
        (19, "frequency_months", "One of: 1, 3, 6, 12."),
        (20, "due_on", "The advance is due before the schedule is valid."),
        (21, "contract_number", "No contract has the number SM-2026-0002."),
    ]
    assert db.session.scalar(select(func.count()).select_from(AdvanceSchedule)) == 0
    assert db.session.scalar(select(func.count()).select_from(Advance)) == 0


def test_the_cli_imports_contracts_from_a_zip(catalog):
    path = Path(catalog.instance_path) / "contracts.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_contracts_zip())
    result = catalog.test_cli_runner().invoke(args=["import", "contracts", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged, 0 refused; written" in result.output
    path.write_bytes(_zip({"a.csv": "x", "b.csv": "y"}))
    result = catalog.test_cli_runner().invoke(args=["import", "contracts", str(path)])
    assert result.exit_code == 1
    assert "(a.csv, b.csv)" in result.output  # the reason in the operator's language, Czech by default


# The archive itself.

def _records(data: bytes, name: str = "upload.zip") -> list[tuple[int, dict]]:
    return list(archive.read(data, name))


def test_a_zip_is_known_by_its_bytes_and_its_records_stay_text(app):
    data = _zip({"__MACOSX/._rows.csv": "clutter", "rows.csv": "a;pdf\n1;x.pdf\n", "x.pdf": SIGNED})
    [(line, record)] = _records(data, "rows.csv")  # named .csv, a ZIP by its bytes
    assert line == 2 and all(isinstance(value, str) for value in record.values())
    assert (record["a"], archive.attachment(record, "pdf")) == ("1", SIGNED)
    assert archive.attachment({**record, "pdf": " "}, "pdf") is None
    assert archive.attachment({**record, "pdf": "./x.pdf"}, "pdf") == SIGNED
    assert _records(b"a;b\n1;2\n", "rows.csv") == [(2, {"a": "1", "b": "2"})]
    assert _records(b'{"a": "1"}\n', "rows.jsonl") == [(1, {"a": "1"})]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"a;b\n1;2\n", "upload.zip", "The file is not a ZIP archive."),
    (b"PK\x03\x04 broken", "upload.zip", "The ZIP archive is damaged."),
    (_zip({"x.pdf": b"%PDF-1.4"}), "upload.zip", "The ZIP holds no CSV or JSON Lines file."),
    (_zip({"a.csv": "a\n1\n", "b.jsonl": "{}\n"}), "upload.zip",
     "The ZIP holds several CSV or JSON Lines files (a.csv, b.jsonl); it must hold one."),
])
def test_an_unreadable_zip_is_refused_whole(app, data, name, message):
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(UnreadableFile) as refused:
        _records(data, name)
    with app.test_request_context(headers={"Accept-Language": "en"}):  # the reason is read in its language
        assert str(refused.value) == message


def test_a_zip_bomb_is_refused_by_its_header_and_by_what_is_read(app, monkeypatch):
    bomb = b"%PDF-" + bytes(archive.MAX_ATTACHMENT)  # 20 MB of zeros: deflated to some 20 kB
    data = _zip({"rows.csv": "pdf\nbomb.pdf\n", "bomb.pdf": bomb})
    assert len(data) < 100_000
    [(_, record)] = _records(data)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(RecordError) as refused:
        archive.attachment(record, "pdf")
    assert (refused.value.field, str(refused.value.reason)) == ("pdf", "bomb.pdf is larger than 20 MB.")
    # A header that claims less than the member holds: the reading stops at the claim, and refuses
    # what it read (its checksum is wrong).
    liar = _lie_about_size(data, "bomb.pdf", 1000)
    [(_, record)] = _records(liar)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(RecordError) as refused:
        archive.attachment(record, "pdf")
    assert str(refused.value.reason) == "bomb.pdf in the ZIP cannot be read (damaged or encrypted)."
    monkeypatch.setattr(archive, "MAX_RECORDS_FILE", 2**20)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(UnreadableFile) as unread:
        _records(_zip({"rows.csv": "pdf\n" + "x.pdf\n" * 200_000}))
    assert str(unread.value) == "rows.csv in the ZIP is larger than 1 MB."


def _lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """The ZIP with the uncompressed size of `name` in its central directory set to `size`."""
    raw = bytearray(data)
    entry = raw.index(b"PK\x01\x02")
    while raw[entry + 46:entry + 46 + len(name)] != name.encode():
        entry = raw.index(b"PK\x01\x02", entry + 4)
    raw[entry + 24:entry + 28] = size.to_bytes(4, "little")
    assert zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo(name).file_size == size
    return bytes(raw)


def test_a_zip_with_a_name_twice_is_refused(app):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped, pytest.warns(UserWarning):
        zipped.writestr("rows.csv", "a\n1\n")
        zipped.writestr("x.pdf", SIGNED)
        zipped.writestr("x.pdf", b"%PDF-other")
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(UnreadableFile) as refused:
        _records(out.getvalue())
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(refused.value) == "The ZIP holds x.pdf more than once."
