"""The distributor's meter readings, keyed by supply point, meter, register and day, stored as
accepted readings of their kind (actual or estimate).

The distributor's reading is the one billed: a different value for a register and day it sent
before is a correction (updated, with an audit entry), and a customer's self-reading of that
register and day, pending or accepted, is replaced (rejected with the reason in the customer's
language, and the customer told). A reading must fit between the register's accepted readings
before and after its day, and within the meter's installation (services.metering.readings)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models.metering import Meter, MeterReading, ReadingKind, ReadingReason, ReadingState, SupplyPoint
from services import audit
from services.imports.cells import RecordError, choice, day, required, whole
from services.metering import readings

KEY = ("identifier", "meter_serial", "register", "read_on")
FIELDS = ("identifier", "meter_serial", "register", "read_on", "value", "kind", "reason")
MAX_VALUE = 999_999_999  # as the back office's forms: what a meter shows
KINDS = (ReadingKind.ACTUAL, ReadingKind.ESTIMATE)


def parse(record: dict) -> dict:
    identifier = required(record, "identifier", 18).upper()
    point_id = db.session.scalar(select(SupplyPoint.id).where(SupplyPoint.identifier == identifier))
    if point_id is None:
        raise RecordError("identifier", _l("No supply point has the identifier %(value)s.", value=identifier))
    serial = required(record, "meter_serial", 40)
    read_on = day(record, "read_on")
    meters = db.session.scalars(select(Meter).where(Meter.supply_point_id == point_id, Meter.serial_number == serial)
                                .order_by(Meter.installed_on.desc())).all()
    if not meters:
        raise RecordError("meter_serial", _l("Supply point %(identifier)s has no meter %(serial)s.",
                                             identifier=identifier, serial=serial))
    meter = next((m for m in meters if m.installed_on <= read_on), meters[-1])
    code = required(record, "register", 2).upper()
    register = next((r for r in meter.registers if r.code == code), None)
    if register is None:
        raise RecordError("register", _l("Meter %(serial)s has the registers %(codes)s.", serial=serial,
                                         codes=", ".join(r.code for r in meter.registers) or "–"))
    return {"register": register, "supply_point_id": point_id, "read_on": read_on,
            "value": whole(record, "value", MAX_VALUE),
            "kind": choice(record, "kind", KINDS, default=ReadingKind.ACTUAL.value),
            "reason": choice(record, "reason", ReadingReason) if (record.get("reason") or "").strip() else None}


def apply(values: dict) -> str:
    register, read_on, value = values["register"], values["read_on"], values["value"]
    try:
        same_day = readings.check_distributor_reading(register, read_on, value)
    except readings.ReadingRefused as refused:
        field, reason = next(iter(refused.errors.items()))
        raise RecordError(field, reason) from None
    if same_day is not None and same_day.kind != ReadingKind.SELF:
        changed = {k: values[k] for k in ("value", "kind", "reason") if getattr(same_day, k) != values[k]}
        if not changed:
            return "unchanged"
        audit.record("reading_corrected", same_day, customer_id=register.meter.supply_point.customer_id, details={
            "read_on": read_on.isoformat(), "meter": register.meter.serial_number, "register": register.code,
            **{k: [getattr(same_day, k), v] for k, v in changed.items()}})
        for name, new in changed.items():
            setattr(same_day, name, new)
        return "updated"
    if same_day is not None:
        readings.supersede(same_day, value)
        db.session.flush()  # out of the register's one-reading-a-day index before the new one comes in
    db.session.add(MeterReading(**values, state=ReadingState.ACCEPTED))
    return "created" if same_day is None else "updated"
