"""Bringing the supplier's data in: `flask --app portal import KIND FILE` (services/imports)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from extensions import db
from models.audit import AuditEntry
from models.billing import Invoice, InvoiceState, Payment
from models.customers import Customer
from models.users import PortalUser
from services.demo_data import load_demo_data
from services.imports import read_records, run_import

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "import"
HEADER = "number;kind;name;company_id;vat_id;email;phone;street;city;postcode;segment;bank_account\n"


def _customers() -> list[tuple]:
    rows = db.session.scalars(select(Customer).order_by(Customer.number)).all()
    return [(c.number, c.kind, c.name, c.company_id, c.vat_id, c.email, c.phone, c.street, c.city, c.postcode,
             c.segment, c.bank_account) for c in rows]


def _import(kind: str, text: str, name: str = "file.csv", **options):
    data = text.encode("utf-8")
    return run_import(kind, read_records(data, name), **options)


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["import", *args])


def test_the_customer_sample_imported_twice_gives_the_same_database(app):
    first = _cli(app, "customers", str(SAMPLES / "customers.csv"))
    assert first.exit_code == 0, first.output
    assert "2 created, 0 updated, 0 unchanged, 0 refused; written" in first.output
    after_first = _customers()
    assert ("2000002", "business", "Pekárna U Mlýna s.r.o.", "25596641", "CZ25596641", "fakturace@pekarna.example.com",
            None, "Masarykova 5", "Brno", "60200", "small_business", None) in after_first
    second = _cli(app, "customers", str(SAMPLES / "customers.csv"))
    assert "0 created, 0 updated, 2 unchanged, 0 refused; written" in second.output
    db.session.expire_all()
    assert _customers() == after_first


def test_the_customers_users_come_invited_once_and_wait_for_their_letter(app):
    _cli(app, "customers", str(SAMPLES / "customers.csv"))
    _cli(app, "customers", str(SAMPLES / "customers.csv"))
    users = db.session.execute(select(Customer.number, PortalUser.email, PortalUser.name, PortalUser.state,
                                      PortalUser.is_account_admin, PortalUser.password_hash)
                               .join(PortalUser.customer).order_by(Customer.number)).all()
    assert users == [("2000001", "alena.dvorakova@example.com", "Alena Dvořáková", "invited", True, None),
                     ("2000002", "jana.mlynarova@pekarna.example.com", "Jana Mlynářová", "invited", True, None)]
    # A person who already signs in for one customer gets an access under that login.
    again = _import("customers", HEADER.rstrip("\n") + ";user_email\n"
                    "2000009;household;Jana Mlynářová;;;jana@example.com;;Dlouhá 1;Brno;60200;household;;"
                    "jana.mlynarova@pekarna.example.com\n")
    assert again.created == 1 and again.errors == []
    access = db.session.scalars(select(PortalUser).join(PortalUser.customer).where(Customer.number == "2000009")).one()
    assert access.login.customer.number == "2000002"
    bad = _import("customers", HEADER.rstrip("\n") + ";user_email\n"
                  "2000010;household;Petr;;;petr@example.com;;Dlouhá 1;Brno;60200;household;;petr@\n")
    assert [(line, field) for line, field, _ in bad.errors] == [(2, "user_email")]


def test_json_lines_take_the_same_fields(app):
    result = _cli(app, "customers", str(SAMPLES / "customers.jsonl"))
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Customer).where(Customer.number == "2000003")).one().city == "Olomouc"


def test_a_changed_row_updates_the_customer(app):
    _import("customers", (SAMPLES / "customers.csv").read_text("utf-8"))
    changed = (SAMPLES / "customers.csv").read_text("utf-8").replace("Vinohradská 12;Praha 2", "Dlouhá 7;Praha 1")
    report = _import("customers", changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    alena = db.session.scalars(select(Customer).where(Customer.number == "2000001")).one()
    assert (alena.street, alena.city) == ("Dlouhá 7", "Praha 1")


def test_bad_records_are_named_by_line_and_field_and_nothing_of_them_is_written(app):
    text = HEADER + "\n".join([
        "2000011;household;Good One;;;good.one@example.com;;Ulice 1;Praha;11000;;",
        "2000012;household;Bad Mail;;;marie@;;Ulice 2;Praha;11000;;",
        "2000013;business;No IČO;;;firma@example.com;;Ulice 3;Praha;11000;;",
        "2000014;household;Bad Postcode;;;p@example.com;;Ulice 4;Praha;1100;;",
        "2000015;business;Bad IČO;12345678;;f@example.com;;Ulice 5;Praha;11000;;",
        "2000016;household;Bad Account;;;a@example.com;;Ulice 6;Praha;11000;;1234/0100",
        "2000017;shop;Bad Kind;;;k@example.com;;Ulice 7;Praha;11000;;",
    ]) + "\n"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("customers", text)
    assert [(line, field) for line, field, _ in report.errors] == [
        (3, "email"), (4, "company_id"), (5, "postcode"), (6, "company_id"), (7, "bank_account"), (8, "kind")]
    assert report.errors[1][2] == "A business customer needs an IČO."
    assert report.created == 1 and report.written
    assert [c[0] for c in _customers()] == ["2000011"]


def test_reasons_are_in_czech_for_a_czech_operator(app):
    with app.test_request_context(headers={"Accept-Language": "cs"}):
        report = _import("customers", HEADER + "2000012;household;Bad Mail;;;marie@;;Ulice 2;Praha;11000;;\n")
    assert report.errors == [(2, "email", "Neplatná e-mailová adresa.")]


def test_all_or_nothing_and_dry_run_write_nothing(app):
    text = HEADER + "2000011;household;Good One;;;good.one@example.com;;Ulice 1;Praha;11000;;\n" \
                    "2000012;household;Bad Mail;;;marie@;;Ulice 2;Praha;11000;;\n"
    report = _import("customers", text, all_or_nothing=True)
    assert (report.created, len(report.errors), report.written) == (1, 1, False)
    dry = _cli(app, "customers", str(SAMPLES / "customers.csv"), "--dry-run")
    assert "2 created, 0 updated, 0 unchanged, 0 refused; nothing written" in dry.output
    db.session.expire_all()
    assert _customers() == []
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import_applied")).all()


def test_a_file_with_a_bad_record_exits_non_zero_and_names_it(app):
    path = Path(app.instance_path) / "bad.csv"
    path.write_text(HEADER + "x1;household;N;;;n@example.com;;U;P;11000;;\n", "utf-8")
    result = _cli(app, "customers", str(path))
    assert result.exit_code == 1
    assert "line 2: number:" in result.output


def test_imported_payments_pay_the_invoice_with_their_variable_symbol_once(app):
    load_demo_data()
    invoice = db.session.scalars(select(Invoice).where(Invoice.state.in_([InvoiceState.UNPAID, InvoiceState.OVERDUE]))
                                 .order_by(Invoice.id)).first()
    number = invoice.customer.number
    due = invoice.amount_due
    text = ("reference,customer_number,received_on,amount,variable_symbol\n"
            f'BANK-1,{number},1. 3. 2026,"{str(due).replace(".", ",")}",{invoice.variable_symbol}\n')
    first = _import("payments", text)
    assert (first.created, first.errors) == (1, [])
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).state == InvoiceState.PAID
    again = _import("payments", text)
    assert (again.created, again.unchanged, again.errors) == (0, 1, [])
    assert db.session.scalars(select(Payment).where(Payment.reference == "BANK-1")).one().amount == Decimal(due)
    other_amount = text.replace(str(due).replace(".", ","), "1,00")
    refused = _import("payments", other_amount)
    assert [(line, field) for line, field, _ in refused.errors] == [(2, "reference")]
    assert db.session.scalars(select(Payment).where(Payment.reference == "BANK-1")).one().amount == Decimal(due)


def test_a_payment_for_an_unknown_customer_is_refused(app):
    report = _import("payments", "reference;customer_number;received_on;amount\nBANK-9;9999999;2026-03-01;10\n")
    assert [(line, field) for line, field, _ in report.errors] == [(2, "customer_number")]
    assert db.session.scalars(select(Payment)).all() == []
