"""Import rates: rows per second of `flask --app portal import` for customers and invoices.

    .venv/bin/python bench/imports.py [INVOICE_ROWS] [--database-url URL]

Default: 200,000 invoice rows (40,000 invoices of 5 lines for 10,000 customers) into a scratch
SQLite database; with --database-url (e.g. postgresql://postgres@127.0.0.1:5432/test) the
tables are created there and dropped at the end. The files are made in memory in the import
format (docs/import/) and go the whole way: CSV reading, parsing and checking every cell, the
batched key lookups, the inserts and the commit. Prints rows per second for the first import
(everything created) and for the same file again (everything unchanged). Target: at least
20,000 invoice rows per second on SQLite and PostgreSQL."""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arguments import command_line  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from extensions import db  # noqa: E402
from models.billing import Invoice, InvoiceLine  # noqa: E402
from portal import create_app  # noqa: E402
from services.imports import records_of, run_import  # noqa: E402

LINES = 5
INVOICES_PER_CUSTOMER = 4
INVOICE_HEADER = ("number;kind;customer_number;issued_on;due_on;period_from;period_to;variable_symbol;"
                  "line_kind;description;quantity;unit;unit_price;vat_rate\n")
LINE_TEXTS = (("consumption", "Dodávka – silová elektřina", "MWh", "2 890,0000"),
              ("distribution", "Distribuce – pohyblivá složka", "MWh", "1 710,5000"),
              ("fee", "Stálý plat", "měsíc", "149,0000"),
              ("fee", "Cena za činnost operátora trhu", "měsíc", "4,3000"),
              ("other", "Daň z elektřiny", "MWh", "28,3000"))


def customers_file(n: int) -> bytes:
    rows = ["number;name;email;street;city;postcode"]
    rows += [f"{4000000 + i};Zákazník Žluťoučký {i};c{i}@example.com;Dlouhá {i};Praha;110 00" for i in range(n)]
    return ("\n".join(rows) + "\n").encode("utf-8")


def invoices_file(n_rows: int) -> bytes:
    parts = [INVOICE_HEADER]
    for k in range(n_rows // LINES):
        customer = 4000000 + k // INVOICES_PER_CUSTOMER
        number = f"FB{k:010d}"
        head = f"{number};settlement;{customer};20. 1. 2026;3. 2. 2026;1. 1. 2025;31. 12. 2025;{k:010d};"
        parts.extend(f"{head}{kind};{text};{(k % 7) + 1},{k % 1000:03d};{unit};{price};21\n"
                     for kind, text, unit, price in LINE_TEXTS)
    return "".join(parts).encode("utf-8")


def timed_import(kind: str, data: bytes) -> tuple[float, object]:
    begin = time.perf_counter()
    report = run_import(kind, records_of(kind, data, f"{kind}.csv"))
    return time.perf_counter() - begin, report


def main(invoice_rows: int, database_url: str | None) -> None:
    url = database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b" * 40})
    n_customers = max(invoice_rows // LINES // INVOICES_PER_CUSTOMER, 1)
    with app.app_context(), app.test_request_context():
        db.create_all()
        try:
            print(f"database: {db.engine.url.get_backend_name()}")
            print(f"{'kind':12} {'rows':>9} {'first import':>16} {'same file again':>18}")
            for kind, data, rows in (("customers", customers_file(n_customers), n_customers),
                                     ("invoices", invoices_file(invoice_rows), invoice_rows)):
                first, report = timed_import(kind, data)
                assert report.written and not report.errors and report.created, report.errors[:3]
                again, report = timed_import(kind, data)
                assert report.written and report.unchanged == report.records, (report.created, report.updated)
                print(f"{kind:12} {rows:9,} {rows / first:10,.0f} rows/s {rows / again:12,.0f} rows/s")
            stored = db.session.scalar(select(func.count()).select_from(InvoiceLine))
            assert stored == invoice_rows // LINES * LINES, stored
            assert db.session.scalar(select(func.count()).select_from(Invoice)) == invoice_rows // LINES
        finally:
            if database_url:
                db.session.rollback()
                db.drop_all()


if __name__ == "__main__":
    args = command_line("invoice rows", 200_000)
    main(args.count, args.database_url)
