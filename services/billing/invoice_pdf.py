"""The invoice PDF: a Czech tax document with a QR Platba code for the amount due.
Generated once when issued (services.billing.invoicing.issue) and stored, so every download is
byte-for-byte the same; invoices loaded without one get theirs on first download."""
from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, format_date
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table

from extensions import db
from models.billing import Invoice, InvoiceKind
from models.files import StoredFile
from services.billing.qr_platba import spd
from services.i18n import money
from services.pdf import QrCode, document_styles, grid_table, text

KIND_TITLES = {InvoiceKind.SETTLEMENT: "Faktura – vyúčtování", InvoiceKind.ADVANCE: "Zálohová faktura",
               InvoiceKind.CREDIT_NOTE: "Opravný daňový doklad (dobropis)"}


def vat_recap(invoice: Invoice) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, base, VAT) per VAT rate, from the invoice's own lines."""
    recap: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in invoice.lines:
        recap[Decimal(line.vat_rate)][0] += line.amount_without_vat
        recap[Decimal(line.vat_rate)][1] += line.vat
    return [(rate, base, vat) for rate, (base, vat) in sorted(recap.items())]


def payment_code(invoice: Invoice) -> str | None:
    if invoice.amount_due <= 0:
        return None
    return spd(invoice.iban, invoice.amount_due, variable_symbol=invoice.variable_symbol, due=invoice.due_on,
               message=f"Faktura {invoice.number}", payee=current_app.config["SUPPLIER_NAME"])


def render(invoice: Invoice) -> bytes:
    config = current_app.config
    customer = invoice.customer
    normal, bold, title = document_styles()

    def p(value, style=normal):
        return text(value, style)

    out = io.BytesIO()
    with force_locale("cs"):
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm,
                                title=f"{KIND_TITLES[invoice.kind]} {invoice.number}", author=config["SUPPLIER_NAME"],
                                invariant=1)
        supplier = [p("Dodavatel", bold), p(config["SUPPLIER_NAME"]), *[p(x) for x in config["SUPPLIER_ADDRESS"]],
                    p(f"IČO {config['SUPPLIER_COMPANY_ID']}, DIČ {config['SUPPLIER_VAT_ID']}")]
        buyer = [p("Odběratel", bold), *[p(x) for x in customer.mailing_address],
                 p(f"Zákaznické číslo {customer.number}")]
        if customer.company_id:
            buyer.append(p(f"IČO {customer.company_id}" + (f", DIČ {customer.vat_id}" if customer.vat_id else "")))
        d = lambda value: format_date(value, "medium") if value else "—"  # noqa: E731
        facts = [
            ["Číslo dokladu", invoice.number], ["Datum vystavení", d(invoice.issued_on)],
            ["Datum uskutečnění zdanitelného plnění", d(invoice.taxable_supply_on)], ["Datum splatnosti", d(invoice.due_on)],
            ["Zúčtovací období", f"{d(invoice.period_from)} – {d(invoice.period_to)}"],
            ["Odběrné místo", invoice.supply_point.identifier if invoice.supply_point else "—"],
            ["Variabilní symbol", invoice.variable_symbol], ["Bankovní účet", invoice.bank_account],
            ["IBAN", invoice.iban],
        ]
        if invoice.cancels is not None:
            facts += [["Opravuje doklad č.", invoice.cancels.number], ["Důvod opravy", invoice.correction_reason or "—"]]
        lines = [[p("Položka", bold), p("Množství", bold), p("Cena/jedn.", bold), p("DPH %", bold),
                  p("Základ", bold), p("DPH", bold)]]
        for line in invoice.lines:
            lines.append([p(line.description), p(f"{line.quantity.normalize():f} {line.unit}"),
                          p(f"{line.unit_price:.2f}"), p(f"{line.vat_rate:.0f}"),
                          p(money(line.amount_without_vat)), p(money(line.vat))])
        recap = [[p("Sazba DPH", bold), p("Základ", bold), p("DPH", bold)]]
        recap += [[p(f"{rate:.0f} %"), p(money(base)), p(money(vat))] for rate, base, vat in vat_recap(invoice)]
        story = [p(f"{KIND_TITLES[invoice.kind]} č. {invoice.number}", title), Spacer(1, 6),
                 Table([[supplier, buyer]], colWidths=[87 * mm, 87 * mm]), Spacer(1, 6),
                 grid_table([[p(a), p(b)] for a, b in facts], [70 * mm, 104 * mm]), Spacer(1, 8),
                 grid_table(lines, [62 * mm, 26 * mm, 22 * mm, 14 * mm, 25 * mm, 25 * mm], header=True), Spacer(1, 8),
                 grid_table(recap, [40 * mm, 40 * mm, 40 * mm], header=True), Spacer(1, 8),
                 p(f"{'Celkem k úhradě' if invoice.total >= 0 else 'Celkem ve prospěch odběratele'}: "
                   f"{money(invoice.total)}", title)]
        if invoice.amount_paid:
            story.append(p(f"Uhrazeno: {money(invoice.amount_paid)}, zbývá uhradit: {money(invoice.amount_due)}"))
        code = payment_code(invoice)
        if code:
            story += [Spacer(1, 6), p("QR Platba", bold), QrCode(code)]
        doc.build(story)
    return out.getvalue()



def pdf_file(invoice: Invoice) -> StoredFile:
    name = "dobropis" if invoice.kind == InvoiceKind.CREDIT_NOTE else "faktura"
    return StoredFile.from_bytes(f"{name}-{invoice.number}.pdf", "application/pdf", render(invoice))


def stored_pdf(invoice: Invoice) -> StoredFile:
    """The invoice's PDF as issued; made now (and never again) for an invoice loaded without one."""
    if invoice.pdf is None:
        invoice.pdf = pdf_file(invoice)
        db.session.commit()
    return invoice.pdf
