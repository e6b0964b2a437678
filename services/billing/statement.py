"""Statement of account: every invoice, advance and payment in a period with the
running balance (positive: the customer owes; negative: the customer has credit)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, format_date
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import func, select

from extensions import db
from models.base import ZERO
from models.billing import Advance, Invoice, Payment, PaymentAllocation
from services.access import current_scope, visible
from services.i18n import money
from services.pdf import document_styles, text


@dataclass
class Entry:
    day: date
    kind: str  # invoice | advance | payment
    text: str
    debit: Decimal
    credit: Decimal
    balance: Decimal = ZERO


def entries(start: date, end: date) -> tuple[Decimal, list[Entry]]:
    """(balance brought forward, the period's entries with running balance)."""
    def movements(until: date | None, since: date | None, before: date | None = None):
        rows = []
        # A cancelled invoice stays with its credit note beside it: together they net to zero.
        inv = visible(Invoice)
        adv = visible(Advance)
        pay = visible(Payment)
        if since:
            inv, adv, pay = inv.where(Invoice.issued_on >= since), adv.where(Advance.due_on >= since), \
                pay.where(Payment.received_on >= since)
        if until:
            inv, adv, pay = inv.where(Invoice.issued_on <= until), adv.where(Advance.due_on <= until), \
                pay.where(Payment.received_on <= until)
        if before:
            inv, adv, pay = inv.where(Invoice.issued_on < before), adv.where(Advance.due_on < before), \
                pay.where(Payment.received_on < before)
        for i in db.session.scalars(inv):
            rows.append(Entry(i.issued_on, "invoice", i.number, max(i.total, ZERO), max(-i.total, ZERO)))
        for a in db.session.scalars(adv):
            rows.append(Entry(a.due_on, "advance", a.variable_symbol, a.amount, ZERO))
        for p, credited in _credited(pay):
            rows.append(Entry(p.received_on, "payment", p.variable_symbol or "", ZERO, credited))
        return sorted(rows, key=lambda e: (e.day, e.kind != "payment"))

    # Strictly before the start, not "until the day before": there is no day before 1 January of year 1.
    before = movements(None, None, before=start)
    balance = sum((e.debit - e.credit for e in before), ZERO)
    opening = balance
    period = movements(end, start)
    for entry in period:
        balance += entry.debit - entry.credit
        entry.balance = balance
    return opening, period


def _credited(payments):
    """(payment, the amount the statement credits). A user limited to some supply points sees
    only the part of a payment that paid their invoices and advances: not what the customer
    paid for others, nor a payment not yet matched to anything."""
    limit = current_scope().supply_point_ids
    if limit is None:
        return [(payment, payment.amount) for payment in db.session.scalars(payments)]
    part = (select(PaymentAllocation.payment_id, func.sum(PaymentAllocation.amount).label("amount"))
            .where(PaymentAllocation.concerns_supply_points(limit)).group_by(PaymentAllocation.payment_id).subquery())
    return db.session.execute(payments.join(part, part.c.payment_id == Payment.id).add_columns(part.c.amount)).all()


def render_pdf(customer, start: date, end: date, opening: Decimal, rows: list[Entry], labels: dict) -> bytes:
    normal, bold, title = document_styles()

    def p(value, style=normal):
        return text(value, style)

    out = io.BytesIO()
    with force_locale("cs"):
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                title="Výpis z účtu", author=current_app.config["SUPPLIER_NAME"])
        table = [[p("Datum", bold), p("Doklad", bold), p("Předpis", bold), p("Platba", bold), p("Zůstatek", bold)],
                 [p(format_date(start)), p("Počáteční zůstatek"), p(""), p(""), p(money(opening))]]
        for e in rows:
            table.append([p(format_date(e.day)), p(f"{labels[e.kind]} {e.text}"), p(money(e.debit) if e.debit else ""),
                          p(money(e.credit) if e.credit else ""), p(money(e.balance))])
        grid = Table(table, colWidths=[25 * mm, 60 * mm, 30 * mm, 30 * mm, 30 * mm], repeatRows=1)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                                  ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
        story = [p("Výpis z účtu", title),
                 p(f"{customer.name}, zákaznické číslo {customer.number}"),
                 p(f"Období {format_date(start)} – {format_date(end)}"), Spacer(1, 8), grid]
        doc.build(story)
    return out.getvalue()
