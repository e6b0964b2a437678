"""The invoice list and the invoice PDF with a million invoices in the database.

    .venv/bin/python bench/invoices.py [N_INVOICES] [--database-url URL]

Default: 1,000,000 invoices in a scratch SQLite database (10,000 customers × 100 invoices;
the measured customer has 100 like everybody else). With --database-url (e.g. an empty
PostgreSQL database) the tables are created there and dropped at the end.

Only the measured customer's invoices get lines: the list reads no lines, and a million
invoices' lines would only make the set-up slower. Prints the set-up time, then for each
list page the number of SQL statements and the median time of the whole request
(queries and template) over 20 requests, and the median time to render one invoice PDF."""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arguments import command_line  # noqa: E402
from sqlalchemy import event, insert, select  # noqa: E402

from extensions import db  # noqa: E402
from models.billing import Invoice, InvoiceLine  # noqa: E402
from models.customers import Customer  # noqa: E402
from models.users import PortalUser, PortalUserState  # noqa: E402
from portal import create_app  # noqa: E402

PER_CUSTOMER = 100
BATCH = 20_000
PASSWORD = "Bench-Password-2026!"
RUNS = 20


def _invoice_rows(customer_ids: list[int], first_number: int):
    n = first_number
    for customer_id in customer_ids:
        for k in range(PER_CUSTOMER):
            issued = date(2018, 1, 10) + timedelta(days=30 * k)
            total = Decimal(1000 + (n % 5000)) + Decimal("0.21")
            yield {"number": f"B{n:09d}", "kind": "advance" if k % 12 else "settlement", "customer_id": customer_id,
                   "issued_on": issued, "taxable_supply_on": issued, "due_on": issued + timedelta(days=14),
                   "variable_symbol": f"{n:010d}", "bank_account": "2001234588/2010",
                   "iban": "CZ6220100000002001234588", "total_without_vat": (total / Decimal("1.21")).quantize(Decimal("0.01")),
                   "total_vat": total - (total / Decimal("1.21")).quantize(Decimal("0.01")), "total": total,
                   "amount_paid": total if k < PER_CUSTOMER - 2 else Decimal(0),
                   "state": "paid" if k < PER_CUSTOMER - 2 else "unpaid"}
            n += 1


def populate(n_invoices: int) -> tuple[int, float]:
    start = time.perf_counter()
    n_customers = max(n_invoices // PER_CUSTOMER, 1)
    for offset in range(0, n_customers, BATCH):
        db.session.execute(insert(Customer), [
            {"number": f"{3000000 + i}", "name": f"Zákazník Žluťoučký {i}", "email": f"c{i}@example.com",
             "street": f"Dlouhá {i}", "city": "Praha", "postcode": "11000"}
            for i in range(offset, min(offset + BATCH, n_customers))])
    ids = db.session.scalars(select(Customer.id).order_by(Customer.id)).all()
    rows = _invoice_rows(ids, 1)
    while True:
        batch = [row for _, row in zip(range(BATCH), rows, strict=False)]
        if not batch:
            break
        db.session.execute(insert(Invoice), batch)
    measured = ids[len(ids) // 2]
    for invoice_id in db.session.scalars(select(Invoice.id).where(Invoice.customer_id == measured)):
        db.session.execute(insert(InvoiceLine), [
            {"invoice_id": invoice_id, "position": 1, "kind": "consumption", "description": "Dodávka – spotřeba",
             "quantity": Decimal("0.250"), "unit": "MWh", "unit_price": Decimal("2890"), "vat_rate": Decimal("21"),
             "amount_without_vat": Decimal("722.50"), "vat": Decimal("151.73")},
            {"invoice_id": invoice_id, "position": 2, "kind": "fee", "description": "Stálý plat",
             "quantity": Decimal("1"), "unit": "měsíc", "unit_price": Decimal("149"), "vat_rate": Decimal("21"),
             "amount_without_vat": Decimal("149.00"), "vat": Decimal("31.29")}])
    user = PortalUser(customer_id=measured, email="bench@example.com", name="Bench", state=PortalUserState.ACTIVE,
                      locale="cs", is_account_admin=True)  # an administrator has every module
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return measured, time.perf_counter() - start


def measure(app, client, url: str) -> tuple[int, float, int]:
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    times = []
    client.get(url)  # warm-up: the first request of a session loads and caches more
    for run in range(RUNS):
        if run == 0:
            event.listen(db.engine, "before_cursor_execute", count)
        begin = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - begin)
        if run == 0:
            event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
    return len(statements), statistics.median(times) * 1000, len(response.data)


def main(n_invoices: int, database_url: str | None) -> None:
    url = database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b" * 40, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        try:
            measured, seconds = populate(n_invoices)
            total = db.session.scalar(select(db.func.count(Invoice.id)))
            print(f"database: {db.engine.url.get_backend_name()}, invoices: {total:,}, set-up {seconds:.0f} s")
            client = app.test_client()
            response = client.post("/sign-in", data={"email": "bench@example.com", "password": PASSWORD})
            assert response.status_code == 302, "sign-in failed"
            year = date(2018, 1, 10).year + 3
            for label, page in (("list, page 1", "/invoices/"), ("list, page 5", "/invoices/?page=5"),
                                (f"list, year {year}", f"/invoices/?year={year}"),
                                ("list, unpaid, oldest first", "/invoices/?state=unpaid&sort=oldest"),
                                ("CSV export", "/invoices/export.csv")):
                queries, ms, size = measure(app, client, page)
                print(f"{label:28} {queries:3d} SQL statements, median {ms:6.1f} ms, {size / 1024:.0f} KiB")
            invoice = db.session.scalars(select(Invoice).where(Invoice.customer_id == measured).limit(1)).one()
            from services.billing.invoice_pdf import render

            with app.test_request_context():
                render(invoice)  # fonts registered once, as in a running process
                times = []
                for _ in range(RUNS):
                    begin = time.perf_counter()
                    content = render(invoice)
                    times.append(time.perf_counter() - begin)
            print(f"{'invoice PDF render':28} median {statistics.median(times) * 1000:6.1f} ms, "
                  f"{len(content) / 1024:.0f} KiB")
        finally:
            if database_url:
                db.session.rollback()
                db.drop_all()


if __name__ == "__main__":
    args = command_line("invoices", 1_000_000)
    main(args.count, args.database_url)
