"""Payments in the back office as billing staff work with them: entered by customer number or
variable symbol with Czech dates and amounts, bad input refused next to the field, reversed (never
edited), the "to decide" queue's assign / refund / keep-as-credit, and the one balance that the
customer's statement and the invoices' overview both show."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff
from models.audit import AuditEntry
from models.banking import RefundOrder, UnmatchedBankTransaction
from models.billing import Advance, AdvanceSchedule, Invoice, InvoiceState, Payment
from services.billing import payments
from services.i18n import money

NEW = "/admin/payments/new/"
TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)


def _invoice(customer, symbol: str, total: str, *, due_in: int = 14) -> Invoice:
    issued = TODAY - timedelta(days=20)
    invoice = Invoice(number=f"FA{symbol}", kind="settlement", customer_id=customer.id, issued_on=issued,
                      taxable_supply_on=issued, due_on=TODAY + timedelta(days=due_in), variable_symbol=symbol,
                      bank_account="2001234588/2010", iban="CZ6220100000002001234588",
                      total_without_vat=Decimal(total), total_vat=Decimal(0), total=Decimal(total))
    db.session.add(invoice)
    db.session.commit()
    return invoice


def _advance(customer, symbol: str, amount: str) -> Advance:
    schedule = AdvanceSchedule(customer_id=customer.id, valid_from=TODAY - timedelta(days=40), amount=Decimal(amount),
                               frequency_months=1, variable_symbol=symbol)
    advance = Advance(customer_id=customer.id, due_on=TODAY - timedelta(days=5), amount=Decimal(amount),
                      variable_symbol=symbol)
    schedule.advances.append(advance)
    db.session.add(schedule)
    db.session.commit()
    return advance


@pytest.fixture
def billing(client):
    staff = make_staff("billing", email="billing.payments@example.com")
    client.staff_sign_in(staff.email, PASSWORD)
    return staff


def _czech(day: date, spaced: bool = True) -> str:
    return f"{day.day}. {day.month}. {day.year}" if spaced else f"{day.day}.{day.month}.{day.year}"


def _error(page: str, field: str) -> str:
    """The message shown next to the field (tied to it by aria-describedby)."""
    found = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', page)
    return html.unescape(found.group(1)) if found else ""


def _en(value: Decimal) -> str:
    from flask import current_app

    with current_app.test_request_context(headers={"Accept-Language": "en"}):
        return money(value)


def _rest(customer) -> UnmatchedBankTransaction | None:
    return db.session.scalars(select(UnmatchedBankTransaction).where(
        UnmatchedBankTransaction.customer_id == customer.id, UnmatchedBankTransaction.state == "open")).one_or_none()


def _record(client, **fields):
    data = {"customer_number": "", "variable_symbol": "", "received_on": _czech(YESTERDAY), "amount": "",
            "reference": ""}
    data.update(fields)
    return client.post_form(NEW, data)


def test_a_payment_by_customer_number_with_a_czech_date_pays_the_invoice(client, billing):
    customer = make_customer()
    invoice = _invoice(customer, "2026100001", "1234.50")
    response = _record(client, customer_number=f" {customer.number} ", variable_symbol="2026100001",
                       received_on=_czech(YESTERDAY), amount="1 234,50", reference="BANK-1")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    payment = db.session.scalars(select(Payment)).one()
    assert (payment.customer_id, payment.received_on, payment.amount, payment.reference) == (
        customer.id, YESTERDAY, Decimal("1234.50"), "BANK-1")
    assert db.session.get(Invoice, invoice.id).state == InvoiceState.PAID
    assert _rest(customer) is None
    recorded = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "payment_recorded")).one()
    assert (recorded.staff_user_id, recorded.customer_id) == (billing.id, customer.id)
    details = client.get(response.headers["Location"]).get_data(as_text=True)
    assert customer.name in details and "received" in details


def test_a_payment_by_variable_symbol_finds_the_customer_and_its_rest_waits_in_the_queue(client, billing):
    customer = make_customer()
    advance = _advance(customer, "5510000077", "1800.00")
    response = _record(client, variable_symbol="5510000077", received_on=_czech(YESTERDAY, spaced=False),
                       amount="2000")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    payment = db.session.scalars(select(Payment)).one()
    assert payment.customer_id == customer.id and payment.received_on == YESTERDAY
    assert db.session.get(Advance, advance.id).amount_paid == Decimal("1800.00")
    assert _rest(customer).amount == Decimal("200.00")
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "could not be matched and waits for a decision" in page
    queue = client.get("/admin/unmatched-bank-transactions/").get_data(as_text=True)
    assert customer.name in queue and _en(Decimal("200.00")) in queue


def test_an_iso_date_is_accepted_too(client, billing):
    customer = make_customer()
    assert _record(client, customer_number=customer.number, received_on=YESTERDAY.isoformat(),
                   amount="10.00").status_code == 302
    assert db.session.scalars(select(Payment)).one().received_on == YESTERDAY


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"customer_number": "99999"}, "customer_number", "No customer has the number 99999."),
    ({"customer_number": "12ab"}, "customer_number", "A customer number has digits only"),
    ({}, "customer_number", "Enter the customer number or the variable symbol."),
    ({"variable_symbol": "777"}, "variable_symbol", "enter the customer number"),
    ({"received_on": "32. 13. 2026"}, "received_on", "Enter the date as 7. 12. 2026"),
    ({"received_on": "včera"}, "received_on", "Enter the date as 7. 12. 2026"),
    ({"received_on": ""}, "received_on", "Enter the day the payment was received."),
    ({"received_on": "1. 1. 2999"}, "received_on", "cannot be received in the future"),
    ({"amount": "-545,89"}, "amount", "The amount must be more than zero."),
    ({"amount": "0"}, "amount", "The amount must be more than zero."),
    ({"amount": "99999999999"}, "amount", "Enter a smaller amount."),
    ({"amount": "12,345"}, "amount", "Enter the amount in CZK"),
    ({"amount": "abc"}, "amount", "Enter the amount in CZK"),
    ({"reference": "TAKEN-1"}, "reference", "with this reference is already recorded"),
])
def test_bad_input_saves_nothing_and_says_why_next_to_the_field(client, billing, fields, field, message):
    customer = make_customer()
    db.session.add(Payment(customer_id=customer.id, received_on=YESTERDAY, amount=Decimal("1.00"),
                           reference="TAKEN-1"))
    db.session.commit()
    data = {"customer_number": customer.number, "amount": "100,00"}
    if "variable_symbol" in fields or fields == {}:
        data["customer_number"] = ""
    data.update(fields)
    response = _record(client, **data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in _error(page, field), page[-3000:]
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1  # only the one made above


def test_reversing_needs_a_reason_pays_the_invoice_back_down_and_stays_listed(client, billing):
    customer = make_customer()
    invoice = _invoice(customer, "2026100002", "1000.00", due_in=-1)
    assert _record(client, customer_number=customer.number, variable_symbol="2026100002",
                   amount="1000").status_code == 302
    payment = db.session.scalars(select(Payment)).one()
    url = f"/admin/payments/reverse/?id={payment.id}"
    assert "Reverse the payment" in client.get(url).get_data(as_text=True)
    refused = client.post_form(url, {"reason": " "})
    assert "Say why the payment is reversed." in _error(refused.get_data(as_text=True), "reason")
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).reversed_at is None
    response = client.post_form(url, {"reason": "Zadáno u špatného zákazníka"})
    assert response.status_code == 302
    db.session.expire_all()
    payment = db.session.get(Payment, payment.id)
    invoice = db.session.get(Invoice, invoice.id)
    assert payment.is_reversed and payment.reversed_by_id == billing.id and payment.allocations == []
    assert (invoice.amount_paid, invoice.state) == (Decimal("0.00"), InvoiceState.OVERDUE)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "payment_reversed")).one()
    assert "Zadáno u špatného zákazníka" in entry.details and entry.staff_user_id == billing.id
    listed = client.get("/admin/payments/").get_data(as_text=True)
    assert "reversed: Zadáno u špatného zákazníka" in listed
    # Twice changes nothing more; no edit and no delete of a payment exist.
    client.post_form(url, {"reason": "Znovu"}, page=NEW)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "payment_reversed")) == 1
    assert client.get(f"/admin/payments/edit/?id={payment.id}").status_code in (302, 404)
    db.session.expire_all()
    assert db.session.get(Payment, payment.id) is not None


def test_a_reversed_bank_payment_goes_back_to_the_queue_for_the_right_customer(client, billing):
    wrong, right = make_customer(), make_customer()
    _invoice(right, "2026100003", "500.00")
    assert _record(client, customer_number=wrong.number, amount="500", reference="CAMT-REV-1").status_code == 302
    payment = db.session.scalars(select(Payment)).one()
    assert _rest(wrong).amount == Decimal("500.00")  # paid nothing of the wrong customer: to decide
    client.post_form(f"/admin/payments/reverse/?id={payment.id}", {"reason": "Patří jinému zákazníkovi"})
    db.session.expire_all()
    assert _rest(wrong) is None  # the rest left the queue with its payment
    queued = db.session.scalars(select(UnmatchedBankTransaction)
                                .where(UnmatchedBankTransaction.reference == "CAMT-REV-1")).one()
    assert queued.state == "open" and queued.customer_id is None
    response = client.post_form(f"/admin/unmatched-bank-transactions/resolve/?id={queued.id}",
                                {"action": "assign", "customer_number": right.number,
                                 "variable_symbol": "2026100003"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Payment).where(Payment.reference == "CAMT-REV-1")).one().customer_id == right.id
    assert db.session.scalars(select(Invoice).where(Invoice.customer_id == right.id)).one().state == "paid"


def _overpaid(client, *, account=None):
    customer = make_customer(bank_account=account)
    _invoice(customer, "2026200001", "1000.00")
    later = _invoice(customer, "2026200002", "300.00")
    assert _record(client, customer_number=customer.number, variable_symbol="2026200001",
                   amount="1545,89").status_code == 302
    return customer, later, _rest(customer)


def test_the_queue_assigns_a_rest_to_another_invoice_and_queues_what_is_left(client, billing):
    customer, later, rest = _overpaid(client)
    assert rest.amount == Decimal("545.89")
    url = f"/admin/unmatched-bank-transactions/resolve/?id={rest.id}"
    page = client.get(url).get_data(as_text=True)
    assert later.number in page and "Keep as credit" in page
    refused = client.post_form(url, {"action": "assign", "target": "invoice-999999"})
    assert "Choose one of the customer" in _error(refused.get_data(as_text=True), "target")
    response = client.post_form(url, {"action": "assign", "target": f"invoice-{later.id}"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invoice, later.id).state == InvoiceState.PAID
    decided = db.session.get(UnmatchedBankTransaction, rest.id)
    assert (decided.state, decided.amount, decided.resolved_by_id) == ("assigned", Decimal("300.00"), billing.id)
    assert _rest(customer).amount == Decimal("245.89")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "payment_rest_assigned")).one()
    assert entry.customer_id == customer.id and later.number in entry.details


def test_a_refund_needs_the_customers_account_and_makes_a_refund_order(client, billing):
    customer, _later, rest = _overpaid(client)
    url = f"/admin/unmatched-bank-transactions/resolve/?id={rest.id}"
    page = client.post_form(url, {"action": "refund"}, follow_redirects=True).get_data(as_text=True)
    assert "has no bank account in their data" in html.unescape(page)
    db.session.expire_all()
    assert db.session.get(UnmatchedBankTransaction, rest.id).state == "open"
    assert db.session.scalar(select(func.count()).select_from(RefundOrder)) == 0
    customer.bank_account = "19-2000145399/0800"
    db.session.commit()
    response = client.post_form(url, {"action": "refund"})
    assert response.status_code == 302
    db.session.expire_all()
    order = db.session.scalars(select(RefundOrder)).one()
    assert (order.customer_id, order.amount, order.bank_account, order.ordered_by_id) == (
        customer.id, Decimal("545.89"), "19-2000145399/0800", billing.id)
    assert db.session.get(UnmatchedBankTransaction, rest.id).state == "refunded"
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "payment_rest_refunded")).one()
    assert "19-2000145399/0800" in client.get("/admin/refund-orders/").get_data(as_text=True)
    # Refunded money cannot come back by a reversal of its payment.
    client.post_form(f"/admin/payments/reverse/?id={order.payment_id}", {"reason": "Chyba"})
    db.session.expire_all()
    assert not db.session.get(Payment, order.payment_id).is_reversed
    # The customer's account: the first invoice paid, the rest sent back: the later invoice is owed, no credit.
    assert _balance_seen(client, customer) == (_en(Decimal("300.00")), _en(Decimal("0.00")))


def test_keeping_a_rest_as_credit_closes_it_and_the_credit_stays(client, billing):
    customer, _later, rest = _overpaid(client)
    response = client.post_form(f"/admin/unmatched-bank-transactions/resolve/?id={rest.id}", {"action": "credit"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(UnmatchedBankTransaction, rest.id).state == "credit"
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "payment_rest_kept_as_credit")).one()
    assert _rest(customer) is None
    # The later invoice of 300 is issued: the balance nets it against the 545.89 kept.
    closing, credit = _balance_seen(client, customer)
    assert closing == _en(Decimal("-245.89")) and credit == _en(Decimal("245.89"))


def _balance_seen(client, customer) -> tuple[str, str]:
    """(the statement's closing balance, the overview's overpayments) as the customer's portal user sees them."""
    if "Sign out" in client.get("/admin/").get_data(as_text=True):
        client.post_form("/admin/sign-out", page="/admin/")
    user = make_portal_user(customer)
    client.sign_in(user.email, PASSWORD)
    statement = client.get("/invoices/statement").get_data(as_text=True)
    overview = client.get("/invoices/").get_data(as_text=True)
    client.post_form("/sign-out", page="/")
    balances = re.findall(r'<td class="table-money">([^<]*)</td></tr>', statement)
    credit = re.search(r'id="credit-amount">([^<]+)<', overview).group(1)
    return html.unescape(balances[-1]).strip() if balances else "", html.unescape(credit).strip()


def test_the_statement_and_the_overview_agree_on_an_unmatched_payment_and_an_overpayment(client):
    unmatched, overpaid = make_customer(), make_customer()
    invoice = _invoice(overpaid, "2026300001", "1000.00")
    for customer, amount, symbol in ((unmatched, "545.89", "123"), (overpaid, "1545.89", "2026300001")):
        payment = Payment(customer_id=customer.id, received_on=TODAY, amount=Decimal(amount), variable_symbol=symbol)
        db.session.add(payment)
        payments.match(payment)
    db.session.commit()
    assert invoice.state == InvoiceState.PAID
    for customer in (unmatched, overpaid):
        assert _balance_seen(client, customer) == (_en(Decimal("-545.89")), _en(Decimal("545.89")))
