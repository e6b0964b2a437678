"""Advance payments: the amount we recommend from the last 12 months' consumption and
today's prices, the floor of the fixed monthly charges, and the request to change it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from flask import current_app
from sqlalchemy import select

from extensions import db
from models.billing import AdvanceSchedule
from models.changes import ChangeKind, ChangeRequest, ChangeState
from models.metering import MeterReading, ReadingState, SupplyPoint
from services.billing.price_lists import current_price_list

# Days the back office and the customer's bank need before a new amount can apply.
NOTICE_DAYS = 10
# A window shorter than this says too little about a year's consumption.
MIN_HISTORY_DAYS = 90
VARIABLE_UNIT = "Kč/MWh"
FIXED_UNIT = "Kč/měsíc"


@dataclass
class Recommendation:
    consumption_mwh: Decimal  # a year's consumption in MWh
    from_readings: bool  # False: the contracted annual estimate was used
    yearly_cost: Decimal  # with VAT
    recommended: Decimal  # per payment, rounded up to tens of crowns
    minimum: Decimal  # per payment: the fixed charges, which are due whatever the consumption
    effective_from: date | None  # the first due date the new amount applies to


def _with_vat(price, rate) -> Decimal:
    return Decimal(str(price)) * (1 + Decimal(str(rate)) / 100)


def supply_points_of(schedule: AdvanceSchedule) -> list[SupplyPoint]:
    if schedule.supply_point is not None:
        return [schedule.supply_point]
    return list(schedule.contract.supply_points) if schedule.contract else []


def yearly_consumption_kwh(point: SupplyPoint, today: date) -> tuple[Decimal, bool]:
    """From the accepted readings of the point's meter over the last year, scaled to 365 days;
    without enough history, the annual consumption in the contract."""
    total, known = Decimal(0), False
    for meter in point.meters:
        if meter.removed_on is not None:
            continue
        for register in meter.registers:
            readings = db.session.execute(
                select(MeterReading.read_on, MeterReading.value).where(
                    MeterReading.register_id == register.id, MeterReading.state == ReadingState.ACCEPTED,
                    MeterReading.read_on >= max(meter.installed_on, today - timedelta(days=400)),
                ).order_by(MeterReading.read_on)
            ).all()
            if len(readings) < 2:
                continue
            last = readings[-1]
            first = min(readings, key=lambda r: abs((last.read_on - r.read_on).days - 365))
            days = (last.read_on - first.read_on).days
            if days < MIN_HISTORY_DAYS:
                continue
            units = Decimal(last.value - first.value) * 365 / days
            if register.unit == "m3":
                units *= Decimal(str(current_app.config["GAS_KWH_PER_M3"]))
            total += units
            known = True
    if known:
        return total, True
    return Decimal(point.annual_consumption_kwh or 0), False


def effective_from(schedule: AdvanceSchedule, today: date) -> date | None:
    """The first unpaid due date far enough ahead; after the schedule's last one, the next in its rhythm."""
    earliest = today + timedelta(days=NOTICE_DAYS)
    for advance in schedule.advances:
        if advance.due_on >= earliest and advance.amount_paid == 0:
            return advance.due_on
    if not schedule.advances:
        return None
    due = schedule.advances[-1].due_on
    while due < earliest:
        month = due.month - 1 + schedule.frequency_months
        due = date(due.year + month // 12, month % 12 + 1, min(due.day, 28))
    return due


def recommend(schedule: AdvanceSchedule, today: date | None = None) -> Recommendation:
    today = today or date.today()
    mwh, fixed_per_month, variable_cost, from_readings = Decimal(0), Decimal(0), Decimal(0), True
    for point in supply_points_of(schedule):
        kwh, measured = yearly_consumption_kwh(point, today)
        from_readings &= measured
        point_mwh = kwh / 1000
        mwh += point_mwh
        price_list = current_price_list(point, today)
        for item in price_list.items if price_list else ():
            if item.unit == VARIABLE_UNIT:
                variable_cost += _with_vat(item.price_without_vat, item.vat_rate) * point_mwh
            elif item.unit == FIXED_UNIT:
                fixed_per_month += _with_vat(item.price_without_vat, item.vat_rate)
    yearly = variable_cost + fixed_per_month * 12
    per_payment = yearly / 12 * schedule.frequency_months
    return Recommendation(
        consumption_mwh=mwh.quantize(Decimal("0.001")),
        from_readings=from_readings,
        yearly_cost=yearly.quantize(Decimal("0.01")),
        recommended=(per_payment / 10).to_integral_value(ROUND_CEILING) * 10,
        minimum=(fixed_per_month * schedule.frequency_months).to_integral_value(ROUND_CEILING),
        effective_from=effective_from(schedule, today),
    )


def open_request(schedule: AdvanceSchedule) -> ChangeRequest | None:
    return db.session.scalars(select(ChangeRequest).where(
        ChangeRequest.advance_schedule_id == schedule.id, ChangeRequest.kind == ChangeKind.ADVANCE_AMOUNT,
        ChangeRequest.state.in_(ChangeState.open_states()))).first()


def apply(schedule: AdvanceSchedule, amount: Decimal, starting: date, today: date | None = None) -> int:
    """Set the new amount on the schedule and on its unpaid advances due from `starting`
    (or from today, if review took longer). Returns how many advances changed."""
    first = max(starting, today or date.today())
    schedule.amount = amount
    changed = 0
    for advance in schedule.advances:
        if advance.due_on >= first and advance.amount_paid == 0:
            advance.amount = amount
            changed += 1
    return changed
