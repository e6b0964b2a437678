"""The PDF of the monthly billing information (vyúčtovací informace): in Czech, with the
month's consumption from the interval data, the estimated price with VAT and the advances
paid, and the consumption of each day."""
from __future__ import annotations

import io
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, format_date, format_decimal
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table

from services.billing.billing_information import Estimate
from services.i18n import kwh, money
from services.pdf import document_styles, grid_table, text

DAY_COLUMNS = 2  # the days of the month in two halves side by side


def _mwh(wh: int) -> str:
    return format_decimal(Decimal(wh) / 1_000_000, format="#,##0.000")


def _quantity(value: Decimal) -> str:
    return format_decimal(value.normalize(), format="#,##0.######")


def render(estimate: Estimate) -> bytes:
    config = current_app.config
    point, customer = estimate.point, estimate.point.customer
    normal, bold, title = document_styles()

    def p(value, style=normal):
        return text(value, style)

    out = io.BytesIO()
    with force_locale("cs"):
        month_name = format_date(estimate.month, "LLLL y")
        heading = f"Vyúčtovací informace za {month_name}"
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm,
                                title=f"{heading} – {point.identifier}", author=config["SUPPLIER_NAME"], invariant=1)
        supplier = [p("Dodavatel", bold), p(config["SUPPLIER_NAME"]), *[p(x) for x in config["SUPPLIER_ADDRESS"]],
                    p(f"IČO {config['SUPPLIER_COMPANY_ID']}, DIČ {config['SUPPLIER_VAT_ID']}")]
        buyer = [p("Zákazník", bold), *[p(x) for x in customer.mailing_address],
                 p(f"Zákaznické číslo {customer.number}")]
        period = f"{format_date(estimate.month, 'medium')} – {format_date(estimate.last_day, 'medium')}"
        days = len(estimate.daily_wh)
        consumption = f"{kwh(estimate.consumption_wh)} kWh ({_mwh(estimate.consumption_wh)} MWh)"
        facts = [
            ["Odběrné místo (EAN)", point.identifier], ["Adresa odběrného místa", point.address],
            ["Období", period],
            ["Měření", f"průběhové, dálkový odečet; naměřeno {estimate.days_with_data} z {days} dní"],
            ["Spotřeba za období", consumption],
        ]
        lines = [[p("Položka ceníku", bold), p("Množství", bold), p("Cena/jedn. bez DPH", bold), p("Základ", bold),
                  p("DPH %", bold), p("DPH", bold)]]
        for line in estimate.lines:
            lines.append([p(line.description), p(f"{_quantity(line.quantity)} {line.unit}"),
                          p(money(line.unit_price.quantize(Decimal("0.01")))), p(money(line.amount_without_vat)),
                          p(f"{line.vat_rate:.0f}"), p(money(line.vat))])
        totals = [["Odhad ceny bez DPH", money(estimate.total_without_vat)], ["DPH", money(estimate.total_vat)],
                  ["Odhad ceny s DPH", money(estimate.total)],
                  ["Zálohy zaplacené v období", money(estimate.advances_paid)],
                  ["Odhad ceny s DPH po odečtení záloh", money(estimate.total - estimate.advances_paid)]]
        story = [p(heading, title), Spacer(1, 2),
                 p("Informace o vyúčtování podle § 18a vyhlášky č. 207/2021 Sb., poskytovaná bezplatně zákazníkům "
                   "s dálkovým odečtem. Není daňovým dokladem ani výzvou k platbě; závazné je vyúčtování."),
                 Spacer(1, 6), Table([[supplier, buyer]], colWidths=[87 * mm, 87 * mm]), Spacer(1, 6),
                 grid_table([[p(a), p(b)] for a, b in facts], [60 * mm, 114 * mm]), Spacer(1, 8),
                 p("Odhad ceny podle ceníku platného v období", bold), Spacer(1, 3)]
        if estimate.lines:
            story.append(grid_table(lines, [58 * mm, 28 * mm, 26 * mm, 24 * mm, 13 * mm, 25 * mm], header=True))
        else:
            story.append(p("Pro toto období nemá odběrné místo ceník, cenu proto nelze odhadnout."))
        if estimate.days_unpriced and estimate.lines:
            story.append(p(f"Pro {estimate.days_unpriced} dní období nemá odběrné místo ceník; odhad je nedovrší."))
        if estimate.items_unpriced:
            story.append(p("Bez položek, jejichž jednotka se k měsíci nevztahuje: "
                           + ", ".join(estimate.items_unpriced) + "."))
        story += [Spacer(1, 6), grid_table([[p(a, bold), p(b)] for a, b in totals], [100 * mm, 74 * mm]),
                  Spacer(1, 8), p("Spotřeba po dnech (kWh)", bold), Spacer(1, 3), _days_table(estimate, p, bold)]
        doc.build(story)
    return out.getvalue()


def _days_table(estimate: Estimate, p, bold):
    half = (len(estimate.daily_wh) + DAY_COLUMNS - 1) // DAY_COLUMNS
    columns = [estimate.daily_wh[i * half:(i + 1) * half] for i in range(DAY_COLUMNS)]
    rows = [[p("Den", bold), p("kWh", bold)] * DAY_COLUMNS]
    for r in range(half):
        row = []
        for column in columns:
            if r < len(column):
                day, wh = column[r]
                row += [p(format_date(day, "medium")), p(kwh(wh) if wh is not None else "—")]
            else:
                row += ["", ""]
        rows.append(row)
    return grid_table(rows, [42 * mm, 45 * mm] * DAY_COLUMNS, header=True)
