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

from extensions import db
from models.base import ZERO
from services.billing import balance
from services.i18n import money
from services.pdf import document_styles, text


@dataclass
class Entry:
    day: date
    kind: str  # invoice | advance | payment | refund
    text: str
    debit: Decimal
    credit: Decimal
    balance: Decimal = ZERO


def entries(start: date, end: date) -> tuple[Decimal, list[Entry]]:
    """(balance brought forward, the period's entries with running balance). Both follow the one
    definition of the balance (services.billing.balance), as the invoices' overview does."""
    # Strictly before the start, not "until the day before": there is no day before 1 January of year 1.
    book = balance.ledger()
    opening = balance.total(balance.within(book, before=start))
    period = balance.within(book, since=start, until=end)
    rows = []
    # A cancelled invoice stays with its credit note beside it: together they net to zero.
    for i in db.session.scalars(period.invoices):
        rows.append(Entry(i.issued_on, "invoice", i.number, max(i.total, ZERO), max(-i.total, ZERO)))
    for a in db.session.scalars(period.advances):
        rows.append(Entry(a.due_on, "advance", a.variable_symbol, a.amount, ZERO))
    for p, credited in balance.credited(period):
        rows.append(Entry(p.received_on, "payment", p.variable_symbol or "", ZERO, credited))
    for r in db.session.scalars(period.refunds):
        rows.append(Entry(r.ordered_on, "refund", r.bank_account, r.amount, ZERO))
    rows.sort(key=lambda e: (e.day, e.kind != "payment"))
    running = opening
    for entry in rows:
        running += entry.debit - entry.credit
        entry.balance = running
    return opening, rows


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
