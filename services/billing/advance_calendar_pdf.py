"""The advance calendar (zálohový kalendář) as a PDF: every advance still to pay, each with
its own QR Platba code for the exact amount, due date and variable symbol. It reflects
today's payments, so it is made on each download rather than stored."""
from __future__ import annotations

import io
from datetime import date

from flask import current_app
from flask_babel import force_locale, format_date
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from models.billing import Advance, AdvanceSchedule
from services.billing.qr_platba import spd
from services.i18n import money
from services.pdf import QrCode, document_styles, grid_table, text

MAX_ROWS = 24


def payments_to_show(schedule: AdvanceSchedule) -> list[Advance]:
    """Unpaid advances in due order: overdue ones first, then the next ones."""
    return [a for a in schedule.advances if not a.is_paid][:MAX_ROWS]


def payment_code(schedule: AdvanceSchedule, advance: Advance) -> str:
    config = current_app.config
    return spd(config["SUPPLIER_IBAN"], advance.amount - advance.amount_paid, variable_symbol=advance.variable_symbol,
               due=advance.due_on, message=f"Zaloha {advance.due_on:%m/%Y}", payee=config["SUPPLIER_NAME"])


def render(schedule: AdvanceSchedule, customer, today: date | None = None) -> bytes:
    today = today or date.today()
    config = current_app.config
    normal, bold, title = document_styles()
    out = io.BytesIO()
    with force_locale("cs"):
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm,
                                title=f"Zálohový kalendář {schedule.variable_symbol}", author=config["SUPPLIER_NAME"])
        head = [
            ["Zákazník", f"{customer.name}, zákaznické číslo {customer.number}"],
            ["Odběrné místo", schedule.supply_point.identifier if schedule.supply_point else "—"],
            ["Výše zálohy", money(schedule.amount)],
            ["Variabilní symbol", schedule.variable_symbol],
            ["Účet pro platby", f"{config['SUPPLIER_BANK_ACCOUNT']} (IBAN {config['SUPPLIER_IBAN']})"],
            ["Vystaveno", format_date(today, "medium")],
        ]
        rows = [[text("Splatnost", bold), text("Částka", bold), text("Stav", bold), text("QR Platba", bold)]]
        for advance in payments_to_show(schedule):
            state = "po splatnosti" if advance.due_on < today else "k úhradě"
            if advance.amount_paid:
                state += f", uhrazeno {money(advance.amount_paid)}"
            rows.append([text(format_date(advance.due_on, "medium"), normal),
                         text(money(advance.amount - advance.amount_paid), normal), text(state, normal),
                         QrCode(payment_code(schedule, advance), size_mm=30)])
        story = [text(f"Zálohový kalendář – {config['SUPPLIER_NAME']}", title), Spacer(1, 8),
                 grid_table([[text(a, bold), text(b, normal)] for a, b in head], [45 * mm, 129 * mm],
                            valign="MIDDLE"), Spacer(1, 10)]
        if len(rows) > 1:
            story += [grid_table(rows, [40 * mm, 40 * mm, 58 * mm, 36 * mm], header=True, valign="MIDDLE")]
        else:
            story.append(text("Všechny zálohy jsou uhrazeny.", normal))
        story += [Spacer(1, 8), text("Každý QR kód obsahuje částku, datum splatnosti a variabilní symbol jedné "
                                     "platby; naskenujte jej v aplikaci své banky.", normal)]
        doc.build(story)
    return out.getvalue()

