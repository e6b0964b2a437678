"""Demo advances, yearly settlement invoices and payments for 24 months."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import current_app

from extensions import db
from models.billing import (
    Advance,
    AdvanceSchedule,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceState,
    LineKind,
    Payment,
    PaymentAllocation,
)
from models.metering import Commodity
from services.billing import invoicing
from services.demo_data.dates import month_start
from services.demo_data.supply import MONTHLY

CENT = Decimal("0.01")
VAT = Decimal("21")
ADVANCE = {"jana": Decimal("1800"), "bakery_e": Decimal("21000"), "bakery_g": Decimal("4200"), "petr": Decimal("2100")}
PRICES = {  # per MWh of consumption and per month (without VAT)
    Commodity.ELECTRICITY: (Decimal("2890"), Decimal("2347.69"), Decimal("438")),
    Commodity.GAS: (Decimal("1590"), Decimal("641.20"), Decimal("129")),
}


def _vat(amount: Decimal) -> Decimal:
    return (amount * VAT / 100).quantize(CENT)


def create_billing(customers: dict, points: dict) -> None:
    sequence = iter(range(1, 10000))
    for key, point in points.items():
        schedule = AdvanceSchedule(
            customer_id=point.customer_id, supply_point=point, contract=point.contracts[0],
            valid_from=month_start(24), amount=ADVANCE[key], frequency_months=1,
            variable_symbol=f"55{point.customer.number}{point.id:01d}"[:10],
        )
        db.session.add(schedule)
        for months_back in range(24, -4, -1):
            due = month_start(months_back) + timedelta(days=14)
            advance = Advance(customer_id=point.customer_id, due_on=due, amount=ADVANCE[key],
                              variable_symbol=schedule.variable_symbol)
            schedule.advances.append(advance)
            if due < date.today() - timedelta(days=3):
                _pay(point.customer_id, due - timedelta(days=2), ADVANCE[key], schedule.variable_symbol, advance=advance)
        year = date.today().year
        for settled_year in (year - 2, year - 1):
            _settlement(point, key, settled_year, next(sequence))


def _settlement(point, key: str, settled_year: int, seq: int) -> None:
    config = current_app.config
    energy_price, distribution_price, monthly_fee = PRICES[point.commodity]
    per_month = sum(MONTHLY[key].values())
    mwh = Decimal(per_month * 12 * (10.55 if point.commodity == Commodity.GAS else 1)) / 1000
    mwh = mwh.quantize(Decimal("0.001"))
    lines = [
        (LineKind.CONSUMPTION, "Dodávka – spotřeba", mwh, "MWh", energy_price),
        (LineKind.DISTRIBUTION, "Distribuce – pohyblivá složka", mwh, "MWh", distribution_price),
        (LineKind.FEE, "Stálé platy", Decimal(12), "měsíc", monthly_fee),
    ]
    advances_paid = ADVANCE[key] * 12
    issued = date(settled_year + 1, 1, 20)
    if issued > date.today():
        issued = date.today() - timedelta(days=5)
    invoice = Invoice(
        number=f"FA{settled_year}{seq:06d}", kind=InvoiceKind.SETTLEMENT, customer_id=point.customer_id,
        supply_point=point, contract=point.contracts[0], issued_on=issued, taxable_supply_on=date(settled_year, 12, 31),
        due_on=issued + timedelta(days=14), period_from=date(settled_year, 1, 1), period_to=date(settled_year, 12, 31),
        variable_symbol=f"{settled_year}{seq:06d}", bank_account=config["SUPPLIER_BANK_ACCOUNT"],
        iban=config["SUPPLIER_IBAN"], total_without_vat=Decimal(0), total_vat=Decimal(0), total=Decimal(0),
    )
    for position, (kind, text, quantity, unit, price) in enumerate(lines, start=1):
        amount = (quantity * price).quantize(CENT)
        invoice.lines.append(InvoiceLine(position=position, kind=kind, description=text, quantity=quantity, unit=unit,
                                         unit_price=price, vat_rate=VAT, amount_without_vat=amount, vat=_vat(amount)))
    deducted = -(advances_paid / Decimal("1.21")).quantize(CENT)
    invoice.lines.append(InvoiceLine(
        position=len(lines) + 1, kind=LineKind.ADVANCE_DEDUCTED, description="Zaplacené zálohy", quantity=Decimal(1),
        unit="ks", unit_price=deducted, vat_rate=VAT, amount_without_vat=deducted, vat=-advances_paid - deducted,
    ))
    invoice.total_without_vat = sum((line.amount_without_vat for line in invoice.lines), Decimal(0))
    invoice.total_vat = sum((line.vat for line in invoice.lines), Decimal(0))
    invoice.total = invoice.total_without_vat + invoice.total_vat
    db.session.add(invoice)
    latest_of_petr = key == "petr" and settled_year == date.today().year - 1
    if latest_of_petr:
        invoice.due_on = min(invoice.due_on, date.today() - timedelta(days=10))
    invoicing.issue(invoice)  # the PDF as on the day of issue: unpaid, with its QR code
    if invoice.total <= 0:
        invoice.state = InvoiceState.PAID
    elif latest_of_petr:
        invoice.state = InvoiceState.OVERDUE
    else:
        _pay(point.customer_id, invoice.due_on - timedelta(days=3), invoice.total, invoice.variable_symbol,
             invoice=invoice)
        invoice.amount_paid = invoice.total
        invoice.state = InvoiceState.PAID


def _pay(customer_id, on: date, amount: Decimal, symbol: str, *, invoice=None, advance=None) -> None:
    payment = Payment(customer_id=customer_id, received_on=on, amount=amount, variable_symbol=symbol,
                      reference=f"DEMO-{customer_id}-{on:%Y%m%d}-{symbol}-{amount}")
    payment.allocations = [PaymentAllocation(invoice=invoice, advance=advance, amount=amount)]
    if advance is not None:
        advance.amount_paid = amount
        advance.paid_on = on
    db.session.add(payment)
