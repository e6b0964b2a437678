"""Payments matched by variable symbol: full, partial and over-payment; Decimal throughout."""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_staff
from models.billing import Invoice, InvoiceState, Payment
from services.billing.payments import match


def _invoice(customer, total, vs="2026000001", due_in=14):
    issued = date.today() - timedelta(days=30)
    invoice = Invoice(number=f"FA{vs}", kind="settlement", customer_id=customer.id, issued_on=issued,
                      taxable_supply_on=issued, due_on=date.today() + timedelta(days=due_in),
                      variable_symbol=vs, bank_account="2001234588/2010", iban="CZ6220100000002001234588",
                      total_without_vat=Decimal(total), total_vat=Decimal(0), total=Decimal(total))
    db.session.add(invoice)
    db.session.commit()
    return invoice


def _pay(customer, amount, vs="2026000001"):
    payment = Payment(customer_id=customer.id, received_on=date.today(), amount=Decimal(amount), variable_symbol=vs)
    db.session.add(payment)
    left = match(payment)
    db.session.commit()
    return left


def test_full_partial_and_over_payment(app):
    customer = make_customer()
    invoice = _invoice(customer, "0.30")
    assert _pay(customer, "0.10") == Decimal("0.00")
    assert invoice.state == InvoiceState.PARTLY_PAID and invoice.amount_due == Decimal("0.20")
    assert _pay(customer, "0.20") == Decimal("0.00")
    db.session.refresh(invoice)
    assert invoice.amount_paid == Decimal("0.30") and invoice.state == InvoiceState.PAID
    assert isinstance(invoice.amount_paid, Decimal)
    assert _pay(customer, "5.00") == Decimal("5.00")  # nothing left to pay: all of it is over-payment


def test_an_unpaid_invoice_after_its_due_date_is_overdue(app):
    customer = make_customer()
    invoice = _invoice(customer, "1000.00", due_in=-1)
    _pay(customer, "400.00")
    assert invoice.state == InvoiceState.OVERDUE and invoice.amount_due == Decimal("600.00")


def test_the_back_office_records_and_matches_a_payment(client):
    customer = make_customer()
    invoice = _invoice(customer, "1234.50")
    make_staff("billing", email="billing@example.com")
    client.staff_sign_in("billing@example.com", PASSWORD)
    response = client.post_form("/admin/payments/new/", {
        "received_on": date.today().isoformat(), "amount": "1234.50",
        "variable_symbol": "2026000001", "reference": "Převod"})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).state == InvoiceState.PAID
    assert db.session.scalars(select(Payment)).one().allocations[0].amount == Decimal("1234.50")


def test_the_daily_job_marks_unpaid_invoices_past_due_as_overdue(app):
    customer = make_customer()
    late = _invoice(customer, "100.00", vs="1", due_in=-1)
    on_time = _invoice(customer, "100.00", vs="2", due_in=5)
    paid = _invoice(customer, "100.00", vs="3", due_in=-1)
    _pay(customer, "100.00", vs="3")
    result = app.test_cli_runner().invoke(args=["mark-overdue"])
    assert "1 invoices are now overdue" in result.output
    db.session.expire_all()
    assert [db.session.get(Invoice, i.id).state for i in (late, on_time, paid)] == ["overdue", "unpaid", "paid"]
