"""Issuing invoices and cancelling them: an issued invoice never changes; it is
cancelled by a credit note (opravný daňový doklad) that reverses every line."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from extensions import db
from models.billing import Invoice, InvoiceKind, InvoiceLine, InvoiceState
from services import audit
from services.billing.invoice_pdf import pdf_file
from services.messaging import notices


class CannotCancel(Exception):
    """The invoice is a credit note or is already cancelled."""


def issue(invoice: Invoice) -> Invoice:
    """Store the invoice's PDF now, so that the document the customer downloads is the one
    issued today, whatever changes later (address, prices, templates)."""
    db.session.add(invoice)
    db.session.flush()
    invoice.pdf = pdf_file(invoice)
    return invoice


def make_missing_pdfs(progress: Callable[[int], None] | None = None, batch: int = 100) -> int:
    """Issue the PDF of every invoice imported without one (else made on its first download),
    committing every `batch` invoices so that a long run keeps what it made."""
    made = 0
    while True:
        invoices = db.session.scalars(select(Invoice).where(Invoice.pdf_id.is_(None))
                                      .order_by(Invoice.id).limit(batch)).all()
        if not invoices:
            return made
        for invoice in invoices:
            invoice.pdf = pdf_file(invoice)
        db.session.commit()
        made += len(invoices)
        if progress:
            progress(len(invoices))


def missing_pdfs() -> int:
    return db.session.scalar(select(db.func.count()).select_from(Invoice).where(Invoice.pdf_id.is_(None)))


def credit_note_number(invoice: Invoice) -> str:
    return f"DB{invoice.number}"[:20]


def cancel_by_credit_note(invoice: Invoice, staff, reason: str, today: date | None = None) -> Invoice:
    """Issue a credit note for the whole invoice and mark the invoice cancelled. What the
    customer had paid on it stays on the customer's account as a credit to refund; the
    customer's users are told of the credit note. The caller commits."""
    if invoice.kind == InvoiceKind.CREDIT_NOTE or invoice.state == InvoiceState.CANCELLED:
        raise CannotCancel()
    today = today or date.today()
    lines = [InvoiceLine(position=line.position, kind=line.kind, description=line.description,
                         quantity=-line.quantity, unit=line.unit, unit_price=line.unit_price,
                         vat_rate=line.vat_rate, amount_without_vat=-line.amount_without_vat, vat=-line.vat)
             for line in invoice.lines]
    note = Invoice(
        number=credit_note_number(invoice), kind=InvoiceKind.CREDIT_NOTE, customer_id=invoice.customer_id,
        supply_point_id=invoice.supply_point_id, contract_id=invoice.contract_id, cancels=invoice,
        correction_reason=reason, issued_on=today, taxable_supply_on=today, due_on=today,
        period_from=invoice.period_from, period_to=invoice.period_to, variable_symbol=invoice.variable_symbol,
        bank_account=invoice.bank_account, iban=invoice.iban, total_without_vat=-invoice.total_without_vat,
        total_vat=-invoice.total_vat, total=-invoice.total, state=InvoiceState.PAID, lines=lines,
    )
    invoice.state = InvoiceState.CANCELLED
    issue(note)
    notices.announce_invoice(note)
    audit.record("invoice_cancelled", invoice, actor=staff, customer_id=invoice.customer_id,
                 details={"credit_note": note.number, "reason": reason, "paid_before": str(invoice.amount_paid)})
    return note
