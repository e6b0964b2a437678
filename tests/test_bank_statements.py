"""Payments from the bank's statement files (`flask --app portal import bank-statement FILE`):
camt.053 and ABO/GPC matched by variable symbol, idempotent by the bank's reference, and what
matches nothing in the back office's queue (Billing → Unmatched bank transactions)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_customer, make_staff
from models.audit import AuditEntry
from models.banking import UnmatchedBankTransaction
from models.billing import Advance, AdvanceSchedule, Invoice, InvoiceState, Payment, PaymentAllocation
from services.i18n import money
from services.imports import UnreadableFile, records_of, run_import

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "import"
CAMT = SAMPLES / "bank-statement.camt053.xml"
GPC = SAMPLES / "bank-statement.gpc"
QUEUE = "/admin/unmatched-bank-transactions/"


def _invoice(customer, symbol: str, total: str) -> Invoice:
    invoice = Invoice(number=f"FA{symbol}", kind="settlement", customer_id=customer.id, issued_on=date(2026, 2, 1),
                      taxable_supply_on=date(2026, 1, 31), due_on=date(2026, 3, 16), variable_symbol=symbol,
                      bank_account="2001234588/2010", iban="CZ6220100000002001234588",
                      total_without_vat=Decimal(total), total_vat=Decimal(0), total=Decimal(total))
    db.session.add(invoice)
    db.session.commit()
    return invoice


def _advance(customer, symbol: str, amount: str) -> Advance:
    schedule = AdvanceSchedule(customer_id=customer.id, valid_from=date(2026, 1, 1), amount=Decimal(amount),
                               frequency_months=1, variable_symbol=symbol)
    advance = Advance(customer_id=customer.id, due_on=date(2026, 3, 15), amount=Decimal(amount),
                      variable_symbol=symbol)
    schedule.advances.append(advance)
    db.session.add(schedule)
    db.session.commit()
    return advance


@pytest.fixture
def billed(app):
    """Two customers as the demo data has them: a household with settlement invoices, a bakery
    with monthly advances; the samples pay them by variable symbol."""
    alena = make_customer(number="2000101", name="Alena Dvořáková")
    bakery = make_customer(number="2000102", name="Pekárna U Mlýna s.r.o.")
    return {
        "alena": alena, "bakery": bakery,
        "camt_invoice": _invoice(alena, "2025000101", "1452.00"),
        "gpc_invoice": _invoice(alena, "2025000102", "2310.50"),
        "camt_advance": _advance(bakery, "5520001021", "1800.00"),
        "gpc_advance": _advance(bakery, "5520001031", "2100.00"),
    }


def _cli(app, path, *options):
    return app.test_cli_runner().invoke(args=["import", "bank-statement", str(path), *options])


def _database() -> dict:
    """What an import may change, in a form two states can be compared by."""
    db.session.expire_all()
    return {
        "payments": db.session.execute(select(Payment.reference, Payment.customer_id, Payment.received_on,
                                              Payment.amount, Payment.variable_symbol)
                                       .order_by(Payment.reference)).all(),
        "allocations": db.session.execute(select(PaymentAllocation.payment_id, PaymentAllocation.invoice_id,
                                                 PaymentAllocation.advance_id, PaymentAllocation.amount)
                                          .order_by(PaymentAllocation.id)).all(),
        "queue": db.session.execute(select(UnmatchedBankTransaction.reference, UnmatchedBankTransaction.state,
                                           UnmatchedBankTransaction.amount)
                                    .order_by(UnmatchedBankTransaction.reference)).all(),
        "invoices": db.session.execute(select(Invoice.number, Invoice.amount_paid, Invoice.state)
                                       .order_by(Invoice.number)).all(),
        "advances": db.session.execute(select(Advance.variable_symbol, Advance.amount_paid, Advance.paid_on)
                                       .order_by(Advance.variable_symbol)).all(),
    }


def _payment(reference: str) -> Payment:
    return db.session.scalars(select(Payment).where(Payment.reference == reference)).one()


def _queued(reference: str) -> UnmatchedBankTransaction:
    return db.session.scalars(select(UnmatchedBankTransaction)
                              .where(UnmatchedBankTransaction.reference == reference)).one()


def test_the_camt053_sample_pays_by_variable_symbol_and_twice_changes_nothing(app, billed):
    first = _cli(app, CAMT)
    assert first.exit_code == 0, first.output
    assert "3 created, 0 updated, 0 unchanged, 0 refused; written" in first.output
    after = _database()
    db.session.expire_all()
    invoice = db.session.get(Invoice, billed["camt_invoice"].id)
    assert (invoice.state, invoice.amount_paid) == (InvoiceState.PAID, Decimal("1452.00"))
    advance = db.session.get(Advance, billed["camt_advance"].id)
    assert (advance.amount_paid, advance.paid_on) == (Decimal("1800.00"), date(2026, 3, 2))
    paid = _payment("CAMT-20260302-0001")
    assert (paid.customer_id, paid.amount, paid.variable_symbol, paid.received_on) == (
        billed["alena"].id, Decimal("1452.00"), "2025000101", date(2026, 3, 2))
    assert [(a.invoice_id, a.amount) for a in paid.allocations] == [(invoice.id, Decimal("1452.00"))]
    assert _payment("CAMT-20260302-0002").customer_id == billed["bakery"].id
    # The one whose symbol names nothing waits in the queue, with what the bank said of it.
    queued = _queued("CAMT-20260302-0003")
    assert (queued.state, queued.received_on, queued.amount, queued.variable_symbol, queued.counter_account,
            queued.counter_name, queued.message) == (
        "open", date(2026, 3, 2), Decimal("999.00"), "1234567890", "CZ2720100000002800000001", "Karel Neznámý",
        "Platba za elektřinu, zákaznické číslo nevím")
    # Our own payment to the distributor (a debit) is nobody's payment and nobody's question.
    assert [p.reference for p in db.session.scalars(select(Payment))] == ["CAMT-20260302-0001", "CAMT-20260302-0002"]
    assert db.session.scalar(select(func.count()).select_from(UnmatchedBankTransaction)) == 1

    second = _cli(app, CAMT)
    assert second.exit_code == 0, second.output
    assert "0 created, 0 updated, 3 unchanged, 0 refused; written" in second.output
    assert _database() == after
    assert len(after["payments"]) == 2 and len(after["allocations"]) == 2 and len(after["queue"]) == 1


def test_the_gpc_sample_pays_by_variable_symbol_and_twice_changes_nothing(app, billed):
    first = _cli(app, GPC)
    assert first.exit_code == 0, first.output
    assert "3 created, 0 updated, 0 unchanged, 0 refused; written" in first.output
    after = _database()
    db.session.expire_all()
    invoice = db.session.get(Invoice, billed["gpc_invoice"].id)
    assert (invoice.state, invoice.amount_paid) == (InvoiceState.PAID, Decimal("2310.50"))
    advance = db.session.get(Advance, billed["gpc_advance"].id)
    assert (advance.amount_paid, advance.paid_on) == (Decimal("2100.00"), date(2026, 3, 2))
    assert (_payment("2603020000101").amount, _payment("2603020000101").customer_id) == (
        Decimal("2310.50"), billed["alena"].id)
    assert (_payment("2603020000102").amount, _payment("2603020000102").customer_id) == (
        Decimal("2100.00"), billed["bakery"].id)
    # windows-1250 read as such; the counter-account in its Czech form, the leading zeros gone.
    queued = _queued("2603020000103")
    assert (queued.amount, queued.variable_symbol, queued.counter_account, queued.counter_name) == (
        Decimal("750.00"), "9999999999", "1234567890/2010", "Jiří Šťastný")
    # The debit (accounting code 1) is skipped.
    assert db.session.scalars(select(Payment).where(Payment.reference == "2603020000104")).all() == []
    assert len(after["payments"]) == 2 and len(after["allocations"]) == 2 and len(after["queue"]) == 1

    second = _cli(app, GPC)
    assert "0 created, 0 updated, 3 unchanged, 0 refused; written" in second.output
    assert _database() == after


def _camt(version: str, entry: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.{version}">'
            f"<BkToCstmrStmt><Stmt><Id>S1</Id>\n{entry}\n</Stmt></BkToCstmrStmt></Document>").encode()


ENTRY_08 = """<Ntry><Amt Ccy="CZK">1452.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><DtTm>2026-03-02T09:15:00+01:00</DtTm></BookgDt><AcctSvcrRef>R-{version}</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><EndToEndId>/VS2025000101/SS/KS0308</EndToEndId></Refs>
<RltdPties><Dbtr><Pty><Nm>Alena Dvořáková</Nm></Pty></Dbtr>
<DbtrAcct><Id><Othr><Id>19-2000145399/0800</Id></Othr></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>Vyúčtování</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""


@pytest.mark.parametrize("version", ["001.02", "001.04", "001.06", "001.08"])
def test_every_camt053_version_from_02_to_08_is_read(app, version):
    records = list(records_of("bank-statement", _camt(version, ENTRY_08.format(version=version))))
    assert records == [(3, {"reference": f"R-{version}", "received_on": "2026-03-02", "amount": "1452.00",
                            "currency": "CZK", "variable_symbol": "2025000101", "counter_account": "19-2000145399/0800",
                            "counter_name": "Alena Dvořáková", "message": "Vyúčtování"})]


def test_pending_entries_reversals_and_foreign_currencies_are_not_payments(app, billed):
    pending = ENTRY_08.format(version="P").replace("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>")
    reversal = ENTRY_08.format(version="R").replace("<CdtDbtInd>CRDT</CdtDbtInd>",
                                                    "<CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd>")
    euro = ENTRY_08.format(version="E").replace('Ccy="CZK"', 'Ccy="EUR"')
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = run_import("bank-statement", records_of("bank-statement", _camt("001.08", pending + reversal + euro)))
    euro_line = 3 + 2 * ENTRY_08.count("\n")  # the third entry's first line: entries' own lines are named
    assert report.errors == [(euro_line, "amount", "The payment is in EUR; only payments in CZK are taken.")]
    assert db.session.scalars(select(Payment)).all() == []


def test_a_batch_booking_gives_one_payment_per_transfer(app, billed):
    entry = """<Ntry><Amt Ccy="CZK">3252.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-03-02</Dt></BookgDt><AcctSvcrRef>BATCH-1</AcctSvcrRef><NtryDtls>
<TxDtls><AmtDtls><TxAmt><Amt Ccy="CZK">1452.00</Amt></TxAmt></AmtDtls>
  <RmtInf><Strd><CdtrRefInf><Ref>VS:2025000101</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>
<TxDtls><AmtDtls><TxAmt><Amt Ccy="CZK">1800.00</Amt></TxAmt></AmtDtls>
  <RmtInf><Ustrd>zaloha VS 5520001021</Ustrd></RmtInf></TxDtls>
</NtryDtls></Ntry>"""
    report = run_import("bank-statement", records_of("bank-statement", _camt("001.02", entry)))
    assert (report.created, report.errors) == (2, [])
    assert [(p.reference, p.amount, p.customer_id) for p in db.session.scalars(select(Payment).order_by(Payment.id))] == [
        ("BATCH-1/1", Decimal("1452.00"), billed["alena"].id), ("BATCH-1/2", Decimal("1800.00"), billed["bakery"].id)]


def test_a_known_reference_with_other_values_is_refused_and_changes_nothing(app, billed):
    _cli(app, CAMT)
    before = _database()
    text = CAMT.read_text("utf-8")
    changed = text.replace('<Amt Ccy="CZK">1452.00</Amt>', '<Amt Ccy="CZK">1400.00</Amt>').replace(
        '<Amt Ccy="CZK">999.00</Amt>', '<Amt Ccy="CZK">990.00</Amt>')
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = run_import("bank-statement", records_of("bank-statement", changed.encode()))
    reason = "The bank reported a transaction with this reference with other values; a received payment is not changed."
    assert report.errors == [(30, "reference", reason), (79, "reference", reason)]
    assert report.unchanged == 1
    assert _database() == before


def test_a_dry_run_writes_nothing(app, billed):
    result = _cli(app, GPC, "--dry-run")
    assert "3 created, 0 updated, 0 unchanged, 0 refused; nothing written" in result.output
    assert _database()["payments"] == [] and _database()["queue"] == []


def _broken_gpc(line_number: int, change) -> bytes:
    lines = GPC.read_bytes().decode("cp1250").split("\r\n")
    lines[line_number - 1] = change(lines[line_number - 1])
    return "\r\n".join(lines).encode("cp1250")


BROKEN = {
    "truncated XML": (lambda: CAMT.read_bytes()[:3000], "The XML file is not well formed (line "),
    "camt non-date": (lambda: CAMT.read_bytes().replace(b"<BookgDt><Dt>2026-03-02", b"<BookgDt><Dt>2026-02-30", 1),
                      "Line 30: 2026-02-30 is not a date."),
    "camt amount": (lambda: CAMT.read_bytes().replace(b">999.00<", b">9x9.00<", 1), "Line 79: 9x9.00 is not an amount."),
    "GPC line of wrong length": (lambda: _broken_gpc(5, lambda line: line[:-1]),
                                 "Line 5: a 075 record has 128 characters, this one has 127."),
    "GPC non-date": (lambda: _broken_gpc(5, lambda line: line[:122] + "300226"),
                     "Line 5: 300226 is not a date (DDMMYY)."),
    "neither format": (lambda: b"reference;amount\nX;1\n",
                       "This is neither a camt.053 bank statement (XML) nor an ABO/GPC statement"),
    "another XML": (lambda: b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>',
                    "This XML file is not a camt.053 bank statement"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_malformed_file_is_refused_whole_with_a_clear_message(app, billed, tmp_path, case):
    data, message = BROKEN[case]
    path = tmp_path / "statement"
    path.write_bytes(data())
    before = _database()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = _cli(app, path)
        assert result.exit_code == 1 and message in result.output, result.output
        # The good records before the broken one are not applied either: the file is read whole first.
        with pytest.raises(UnreadableFile):
            run_import("bank-statement", records_of("bank-statement", path.read_bytes()))
    assert _database() == before
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import_applied")).all() == []


def test_an_xml_with_entities_is_refused_and_reads_no_file(app, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    entry = ENTRY_08.format(version="X").replace("Alena Dvořáková", "&secret;")
    data = _camt("001.08", entry).replace(
        b"<Document", f'<!DOCTYPE Document [<!ENTITY secret SYSTEM "file://{secret}">]>\n<Document'.encode(), 1)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(UnreadableFile) as refused:
        records_of("bank-statement", data)
    assert str(refused.value) == "Bankovní výpis nemá DOCTYPE; tento soubor odmítáme."  # the operator's default language
    assert "TOP-SECRET" not in str(refused.value)


# --- The back office's queue ---------------------------------------------------------------


def _billing_signed_in(client):
    staff = make_staff("billing", email="billing.queue@example.com")
    client.staff_sign_in(staff.email, PASSWORD)
    return staff


def test_the_queue_shows_unmatched_transactions_to_billing_staff_open_first(app, client, billed):
    _cli(app, CAMT)
    _cli(app, GPC)
    # A transaction resolved earlier goes below the open ones, though it came first.
    staff = _billing_signed_in(client)
    old = UnmatchedBankTransaction(reference="OLD-1", received_on=date(2026, 1, 5), amount=Decimal("10.00"),
                                   counter_name="Vrácený Plátce", state="returned", return_reason="Neznámý plátce",
                                   resolved_by_id=staff.id, resolved_at=db.func.now())
    db.session.add(old)
    db.session.commit()
    page = client.get(QUEUE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        amounts = money(Decimal("999.00")), money(Decimal("750.00"))
    for shown in ("Karel Neznámý", "1234567890", "CZ2720100000002800000001", "Platba za elektřinu", *amounts,
                  "Jiří Šťastný", "1234567890/2010", "waiting"):
        assert shown in html, shown
    assert html.index("Karel Neznámý") < html.index("Vrácený Plátce")
    assert html.index("Jiří Šťastný") < html.index("Vrácený Plátce")
    assert "Payments to decide" in client.get("/admin/").get_data(as_text=True)
    client.post_form("/admin/sign-out", page="/admin/")
    make_staff("technician", email="tech.queue@example.com")
    client.staff_sign_in("tech.queue@example.com", PASSWORD)
    assert client.get(QUEUE).status_code == 403


def _resolve_url(transaction) -> str:
    return f"{QUEUE}resolve/?id={transaction.id}"


def test_assigning_by_customer_number_creates_the_payment_and_leaves_the_open_queue(app, client, billed):
    _cli(app, CAMT)
    alena = billed["alena"]
    forgotten = _invoice(alena, "2025000199", "999.00")  # the invoice the payer forgot to name
    transaction = _queued("CAMT-20260302-0003")
    staff = _billing_signed_in(client)
    page = client.get(_resolve_url(transaction)).get_data(as_text=True)
    assert "Karel Neznámý" in page and "Assign to the customer" in page
    response = client.post_form(_resolve_url(transaction), {"action": "assign", "customer_number": " 2000101 ",
                                                            "variable_symbol": "2025000199"})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    transaction = _queued("CAMT-20260302-0003")
    assert (transaction.state, transaction.resolved_by_id) == ("assigned", staff.id)
    assert transaction.resolved_at is not None
    payment = _payment("CAMT-20260302-0003")
    assert (transaction.payment_id, payment.customer_id, payment.amount, payment.received_on) == (
        payment.id, alena.id, Decimal("999.00"), date(2026, 3, 2))
    assert db.session.get(Invoice, forgotten.id).state == InvoiceState.PAID
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "bank_transaction_assigned")).one()
    assert (audit.customer_id, audit.staff_user_id, audit.record_id) == (alena.id, staff.id, str(transaction.id))
    assert '"customer_number": "2000101"' in audit.details
    # Out of the open queue: the list filtered to open ones no longer has it, its page offers nothing to do.
    open_only = client.get(f"{QUEUE}?flt0_0=open").get_data(as_text=True)
    assert "Karel Neznámý" not in open_only
    everything = client.get(QUEUE).get_data(as_text=True)
    assert "Karel Neznámý" in everything and "assigned to a customer" in everything
    page = client.get(_resolve_url(transaction)).get_data(as_text=True)
    assert "Assign to the customer" not in page and "Payment of customer 2000101" in page
    # The statement again: nothing new, the assigned transaction is not queued again.
    before = _database()
    assert "0 created, 0 updated, 3 unchanged" in _cli(app, CAMT).output
    assert _database() == before
    # A second assignment (a stale page in another tab) is refused and changes nothing.
    again = client.post_form(_resolve_url(transaction), {"action": "assign", "customer_number": "2000102"},
                             page="/admin/my-sessions/")
    assert again.status_code == 302
    assert "already assigned or returned" in client.get(_resolve_url(transaction)).get_data(as_text=True)
    assert _database() == before


def test_an_unknown_customer_number_is_refused_with_a_message_and_changes_nothing(app, client, billed):
    _cli(app, CAMT)
    transaction = _queued("CAMT-20260302-0003")
    _billing_signed_in(client)
    before = _database()
    for number, message in (("9999999", "No customer has the number 9999999."),
                            ("12ab", "A customer number has digits only, at most 10."),
                            ("", "Enter the customer number.")):
        response = client.post_form(_resolve_url(transaction), {"action": "assign", "customer_number": number})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert f'id="customer_number-error" class="invalid-feedback d-block">{message}' in html, number
    assert _database() == before
    assert _queued("CAMT-20260302-0003").state == "open"
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("bank_transaction_%"))).all() == []


def test_returning_to_the_sender_needs_a_reason_and_is_audited(app, client, billed):
    _cli(app, GPC)
    transaction = _queued("2603020000103")
    staff = _billing_signed_in(client)
    refused = client.post_form(_resolve_url(transaction), {"action": "return", "reason": "  "})
    assert 'id="reason-error" class="invalid-feedback d-block">Say why the payment is returned.' in \
        refused.get_data(as_text=True)
    assert _queued("2603020000103").state == "open"
    done = client.post_form(_resolve_url(transaction), {"action": "return", "reason": "Plátce není náš zákazník."})
    assert done.status_code == 302
    db.session.expire_all()
    transaction = _queued("2603020000103")
    assert (transaction.state, transaction.return_reason, transaction.resolved_by_id, transaction.payment_id) == (
        "returned", "Plátce není náš zákazník.", staff.id, None)
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "bank_transaction_returned")).one()
    assert audit.staff_user_id == staff.id and "Plátce není náš zákazník." in audit.details
    assert db.session.scalars(select(Payment).where(Payment.reference == "2603020000103")).all() == []


def test_a_resolve_page_of_no_transaction_is_not_found(client):
    _billing_signed_in(client)
    assert client.get(f"{QUEUE}resolve/?id=999999").status_code == 404
    assert client.get(f"{QUEUE}resolve/?id=abc").status_code == 404
    assert client.get(f"{QUEUE}resolve/").status_code == 404
