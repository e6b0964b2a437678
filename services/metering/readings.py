"""Meter self-readings: the rules a reading must keep, the check against what the
history predicts, and the back office's decision on a flagged reading."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale, format_date, gettext as _
from sqlalchemy import select

from extensions import db
from models.base import utcnow
from models.metering import Commodity, Meter, MeterReading, ReadingKind, ReadingState, Register, SupplyPoint, SupplyPointState
from services import audit
from services.api import feed
from services.outbox import queue_email

# A reading whose consumption since the last one exceeds this many times the usual
# consumption for the period goes to the back office instead of being accepted.
UNUSUAL_FACTOR = 3
# Consumption over a few days varies a lot: compare against at least a week of usual use.
MIN_COMPARED_DAYS = 7
HISTORY_DAYS = 400


@dataclass
class RegisterCheck:
    register: Register
    value: int
    last: MeterReading | None  # the last accepted reading before or on the date
    usual_per_day: float | None
    same_day: MeterReading | None = None  # a reading of that day already stored

    @property
    def unusual(self) -> bool:
        if self.last is None or self.usual_per_day is None:
            return False
        days = max((self.reading_date - self.last.read_on).days, MIN_COMPARED_DAYS)
        return self.value - self.last.value > UNUSUAL_FACTOR * self.usual_per_day * days

    reading_date: date = field(default_factory=date.today)


class ReadingRefused(Exception):
    """The reading breaks a rule; `errors` maps form field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def may_self_read(point: SupplyPoint) -> bool:
    return point.self_readings_allowed and point.state == SupplyPointState.ACTIVE


def active_meters(point: SupplyPoint) -> list[Meter]:
    return [m for m in point.meters if m.removed_on is None]


def _accepted(register: Register, until: date):
    return db.session.scalars(
        select(MeterReading).where(MeterReading.register_id == register.id, MeterReading.state == ReadingState.ACCEPTED,
                                   MeterReading.read_on <= until, MeterReading.read_on >= until - timedelta(days=HISTORY_DAYS))
        .order_by(MeterReading.read_on)
    ).all()


def usual_per_day(register: Register, history: list[MeterReading]) -> float | None:
    """Units a day from the register's accepted history, else from the contracted annual consumption."""
    if len(history) >= 2 and (history[-1].read_on - history[0].read_on).days >= 30:
        return (history[-1].value - history[0].value) / (history[-1].read_on - history[0].read_on).days
    point = register.meter.supply_point
    if point.annual_consumption_kwh:
        per_day = point.annual_consumption_kwh / 365
        if register.unit == "m3":
            per_day /= current_app.config["GAS_KWH_PER_M3"]
        registers = len(register.meter.registers)
        return per_day / registers
    return None


def check(meter: Meter, read_on: date, values: dict[int, int], today: date | None = None) -> list[RegisterCheck]:
    """Apply the rules to one reading of every register of the meter; raise ReadingRefused."""
    today = today or date.today()
    errors: dict[str, str] = {}
    if read_on > today:
        errors["read_on"] = _("The reading date cannot be in the future.")
    if read_on < meter.installed_on:
        # Nothing to compare with (and no history window to reach back from a date like 0001-01-01).
        raise ReadingRefused({"read_on": _("The date is before the meter was installed (%(date)s).",
                                           date=format_date(meter.installed_on))})
    checks = []
    for register in meter.registers:
        history = _accepted(register, read_on)
        later = db.session.scalar(select(MeterReading.read_on).where(
            MeterReading.register_id == register.id, MeterReading.state == ReadingState.ACCEPTED,
            MeterReading.read_on > read_on).order_by(MeterReading.read_on.desc()).limit(1))
        if later is not None:
            errors["read_on"] = _("The date is before the last accepted reading (%(date)s).", date=format_date(later))
        last = history[-1] if history else None
        item = RegisterCheck(register, values[register.id], last, usual_per_day(register, history), reading_date=read_on)
        item.same_day = db.session.scalars(select(MeterReading).where(
            MeterReading.register_id == register.id, MeterReading.read_on == read_on,
            MeterReading.state != ReadingState.REJECTED)).first()
        name = f"register_{register.id}"
        if item.same_day is not None and item.same_day.value != item.value:
            errors[name] = _("There is already a reading of %(value)s for this day.", value=item.same_day.value)
        elif last is not None and item.value < last.value and item.same_day is None:
            errors[name] = _("The value is lower than the last accepted reading, %(value)s of %(date)s.",
                             value=last.value, date=format_date(last.read_on))
        checks.append(item)
    if errors:
        raise ReadingRefused(errors)
    return checks


def record(point: SupplyPoint, checks: list[RegisterCheck], read_on: date, reason: str, photo, author) -> list[MeterReading]:
    """Store the reading of each register (once: a reading already stored for the day is
    kept, so a double click or a reload stores nothing twice). Unusual ones wait for review."""
    flagged = any(c.unusual for c in checks)
    stored = []
    for item in checks:
        if item.same_day is not None:
            continue
        reading = MeterReading(register=item.register, supply_point_id=point.id, read_on=read_on, value=item.value,
                               kind=ReadingKind.SELF, reason=reason, photo=photo, submitted_by_id=author.id,
                               state=ReadingState.SUBMITTED if flagged else ReadingState.ACCEPTED)
        db.session.add(reading)
        stored.append(reading)
        feed.changed(feed.SELF_READINGS, reading)
    if stored:
        db.session.flush()
        audit.record("reading_submitted", point, customer_id=point.customer_id, details={
            "read_on": read_on.isoformat(), "values": {c.register.code: c.value for c in checks},
            "state": ReadingState.SUBMITTED if flagged else ReadingState.ACCEPTED})
    return stored


def review_queue():
    return select(MeterReading).where(MeterReading.state == ReadingState.SUBMITTED).order_by(MeterReading.created_at)


def decide(reading: MeterReading, staff, accept: bool, reason: str | None = None) -> None:
    """Accept or reject a flagged reading; the customer sees the reason and gets an e-mail."""
    reading.state = ReadingState.ACCEPTED if accept else ReadingState.REJECTED
    reading.rejection_reason = None if accept else reason
    reading.reviewed_by_id = staff.id
    reading.reviewed_at = utcnow()
    feed.changed(feed.SELF_READINGS, reading)
    audit.record("reading_accepted" if accept else "reading_rejected", reading, actor=staff,
                 customer_id=reading.supply_point.customer_id, details={"reason": reason} if reason else None)
    _tell_author(reading, accept, reason)


def _tell_author(reading: MeterReading, accept: bool, reason: str | None) -> None:
    """E-mail the decision to who sent the reading (else the customer), in their language."""
    author = reading.submitted_by
    with force_locale(_author_locale(reading)):
        day = format_date(reading.read_on)
        text = (_("Your meter reading of %(date)s (%(value)s) has been accepted.", date=day, value=reading.value)
                if accept else
                _("Your meter reading of %(date)s (%(value)s) has been rejected: %(reason)s", date=day,
                  value=reading.value, reason=reason))
        queue_email(author.email if author else reading.supply_point.customer.email,
                    _("Your meter reading has been checked"), "notice", text=text)


def _author_locale(reading: MeterReading) -> str:
    return getattr(reading.submitted_by, "locale", None) or "cs"


def check_distributor_reading(register: Register, read_on: date, value: int,
                              today: date | None = None) -> MeterReading | None:
    """Check the distributor's reading of one register and day against the meter's dates and
    the register's accepted readings before and after the day (the same rules as a
    self-reading's where they apply; a reading may come late, between two others). Raise
    ReadingRefused (fields `read_on`, `value`); return the reading of that day already stored
    (not rejected), which the new one corrects or replaces."""
    meter, today = register.meter, today or date.today()
    if read_on > today:
        raise ReadingRefused({"read_on": _("The reading date cannot be in the future.")})
    if read_on < meter.installed_on:
        raise ReadingRefused({"read_on": _("The date is before the meter was installed (%(date)s).",
                                           date=format_date(meter.installed_on))})
    if meter.removed_on is not None and read_on > meter.removed_on:
        raise ReadingRefused({"read_on": _("The meter was removed on %(date)s.", date=format_date(meter.removed_on))})
    accepted = select(MeterReading).where(MeterReading.register_id == register.id,
                                          MeterReading.state == ReadingState.ACCEPTED)
    before = db.session.scalars(accepted.where(MeterReading.read_on < read_on)
                                .order_by(MeterReading.read_on.desc()).limit(1)).first()
    after = db.session.scalars(accepted.where(MeterReading.read_on > read_on)
                               .order_by(MeterReading.read_on).limit(1)).first()
    # Registers belong to one meter: the readings compared never span a meter exchange.
    if before is not None and value < before.value:
        raise ReadingRefused({"value": _("The value is lower than the last accepted reading, %(value)s of %(date)s.",
                                         value=before.value, date=format_date(before.read_on))})
    if after is not None and value > after.value:
        raise ReadingRefused({"value": _("The value is higher than a later accepted reading, %(value)s of %(date)s.",
                                         value=after.value, date=format_date(after.read_on))})
    return db.session.scalars(select(MeterReading).where(
        MeterReading.register_id == register.id, MeterReading.read_on == read_on,
        MeterReading.state != ReadingState.REJECTED)).first()


def supersede(reading: MeterReading, value: int) -> None:
    """The distributor's reading of the same register and day replaces a customer's
    self-reading (pending or accepted): it is rejected with the reason in the customer's
    language, and the customer is told as when staff reject one."""
    with force_locale(_author_locale(reading)):
        reason = _("The distributor read the meter on the same day (%(value)s); their reading is the one billed.",
                   value=value)
    reading.state = ReadingState.REJECTED
    reading.rejection_reason = reason
    reading.reviewed_at = utcnow()
    audit.record("reading_rejected", reading, customer_id=reading.supply_point.customer_id,
                 details={"reason": reason, "by": "distributor"})
    _tell_author(reading, False, reason)


def exchange_meter(old: Meter, removed_on: date, final_values: dict[int, int], serial_number: str,
                   initial_values: dict[str, int], staff) -> Meter:
    """Record a meter exchange: the old meter's final readings, the new meter with the same
    registers and its first readings. A later reading lower than the old meter's is then fine."""
    point = old.supply_point
    errors, same_day = {}, {}
    for register in old.registers:
        same_day[register.id] = db.session.scalars(select(MeterReading).where(
            MeterReading.register_id == register.id, MeterReading.read_on == removed_on,
            MeterReading.state != ReadingState.REJECTED)).first()
        if same_day[register.id] is not None and same_day[register.id].value != final_values[register.id]:
            errors[f"final_{register.id}"] = _("There is already a reading of %(value)s for this day.",
                                               value=same_day[register.id].value)
    if errors:
        raise ReadingRefused(errors)
    for register in old.registers:
        if same_day[register.id] is not None:
            continue  # the day's reading is the final one
        db.session.add(MeterReading(register=register, supply_point_id=point.id, read_on=removed_on,
                                    value=final_values[register.id], kind=ReadingKind.ACTUAL, state=ReadingState.ACCEPTED,
                                    reviewed_by_id=staff.id, reviewed_at=utcnow()))
    old.removed_on = removed_on
    old.final_value = final_values[old.registers[0].id]
    new = Meter(supply_point=point, serial_number=serial_number, installed_on=removed_on)
    new.registers = [Register(code=r.code, unit=r.unit) for r in old.registers]
    db.session.add(new)
    db.session.flush()
    for register in new.registers:
        db.session.add(MeterReading(register=register, supply_point_id=point.id, read_on=removed_on,
                                    value=initial_values[register.code], kind=ReadingKind.ACTUAL,
                                    state=ReadingState.ACCEPTED, reviewed_by_id=staff.id, reviewed_at=utcnow()))
    audit.record("meter_exchanged", point, actor=staff, customer_id=point.customer_id, details={
        "old": old.serial_number, "new": serial_number, "on": removed_on.isoformat()})
    return new


def register_label(register: Register) -> str:
    labels = {"T": _("single tariff"), "VT": _("high tariff (VT)"), "NT": _("low tariff (NT)")}
    return labels.get(register.code, register.code)


def unit_of(point: SupplyPoint) -> str:
    return "m³" if point.commodity == Commodity.GAS else "kWh"
