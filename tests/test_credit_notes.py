"""An issued invoice is never edited: billing staff cancel it by a credit note."""
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_staff
from models.audit import AuditEntry
from models.billing import Invoice, InvoiceKind, InvoiceState, Payment
from models.customers import Customer
from services.billing import invoicing, payments
from services.demo_data import PORTAL_PASSWORD, load_demo_data


@pytest.fixture
def petrs_overdue_invoice(app):
    load_demo_data()
    petr = db.session.scalars(select(Customer).where(Customer.number == "1000003")).one()
    return db.session.scalars(select(Invoice).where(Invoice.customer_id == petr.id, Invoice.state == InvoiceState.OVERDUE)).one()


def test_demo_invoices_have_their_pdf_from_the_day_of_issue(petrs_overdue_invoice):
    assert db.session.scalar(select(db.func.count()).where(Invoice.pdf_id.is_(None))) == 0


def test_billing_cancels_an_invoice_by_a_credit_note(petrs_overdue_invoice, client):
    invoice = petrs_overdue_invoice
    make_staff("billing", email="billing.cn@example.com")
    client.staff_sign_in("billing.cn@example.com", PASSWORD)
    assert "Cancel by a credit note" in client.get("/admin/invoices/").get_data(as_text=True)
    url = f"/admin/invoices/cancel/?id={invoice.id}"
    empty = client.post_form(url, {"reason": " "}).get_data(as_text=True)
    assert "Say why the invoice is cancelled" in empty
    assert db.session.get(Invoice, invoice.id).state == InvoiceState.OVERDUE
    response = client.post_form(url, {"reason": "Chybný odečet distributora"})
    assert response.status_code == 302
    db.session.expire_all()
    note = db.session.scalars(select(Invoice).where(Invoice.cancels_invoice_id == invoice.id)).one()
    original = db.session.get(Invoice, invoice.id)
    assert original.state == InvoiceState.CANCELLED and original.amount_due == 0
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.total == -original.total and note.issued_on == date.today()
    assert sum(line.amount_without_vat + line.vat for line in note.lines) == note.total
    assert note.total_without_vat + note.total_vat == note.total
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "invoice_cancelled")).one()
    again = client.post_form(url, {"reason": "Znovu"}, page="/admin/").get_data(as_text=True)
    assert "already cancelled" in again
    assert db.session.scalar(select(db.func.count()).where(Invoice.cancels_invoice_id == invoice.id)) == 1

    client.post_form("/admin/sign-out", page="/admin/")
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    overview = client.get("/invoices/").get_data(as_text=True)
    assert "z toho po splatnosti" not in overview and note.number in overview
    pdf = client.get(f"/invoices/{note.id}/pdf")
    assert f"dobropis-{note.number}.pdf" in pdf.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Opravný daňový doklad" in text and original.number in text and "Chybný odečet distributora" in text
    assert "QR Platba" not in text  # nothing to pay on a credit note


def test_a_clerk_cannot_cancel_invoices(petrs_overdue_invoice, client):
    make_staff("clerk", email="clerk.cn@example.com")
    client.staff_sign_in("clerk.cn@example.com", PASSWORD)
    response = client.post_form(f"/admin/invoices/cancel/?id={petrs_overdue_invoice.id}", {"reason": "x"},
                                page="/admin/")
    assert response.status_code == 403
    assert db.session.get(Invoice, petrs_overdue_invoice.id).state == InvoiceState.OVERDUE


def test_what_was_paid_on_a_cancelled_invoice_becomes_a_credit(petrs_overdue_invoice, client):
    """Money is Decimal end to end: 0.10 + 0.20 paid is 0.30 of credit, not 0.30000000000000004."""
    invoice = petrs_overdue_invoice
    credit_before = _credit_shown(client)
    for amount in ("0.10", "0.20"):
        payment = Payment(customer_id=invoice.customer_id, received_on=date.today(), amount=Decimal(amount),
                          variable_symbol=invoice.variable_symbol)
        db.session.add(payment)
        payments.match(payment)
    assert invoice.amount_paid == Decimal("0.30")
    invoicing.cancel_by_credit_note(invoice, make_staff("billing"), "Oprava")
    db.session.commit()
    assert _credit_shown(client) == credit_before + Decimal("0.30")


def _credit_shown(client) -> Decimal:
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    page = client.get("/invoices/").get_data(as_text=True)
    client.post_form("/sign-out", page="/")
    shown = re.search(r'id="credit-amount">([^<]+)<', page).group(1)
    # Petr reads the portal in Czech: "1 234,50 Kč".
    return Decimal(shown.replace("\xa0", "").replace(" ", "").replace("Kč", "").replace(",", "."))
