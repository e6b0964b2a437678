"""Supply points from the CRM with their meter and its registers, keyed by the supply point's
identifier (EAN for electricity, EIC for gas: the commodity follows from it).

A supply point stays its customer's: a row naming another customer is refused, unless it names
the customer the point is taken from in `previous_customer_number` (a change of customer). A
new meter serial at a known supply point is a meter exchange: the current meter is removed on
the new one's installation day (Meter.removal_refusal decides whether it may be), the new one
comes with its registers; the readings of both arrive with the distributor's readings. A
register with readings is never removed."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask_babel import format_date, lazy_gettext as _l
from sqlalchemy import func, select

from extensions import db
from models.customers import Customer
from models.metering import (
    DISTRIBUTION_TARIFFS,
    Commodity,
    Meter,
    MeterReading,
    ReadingState,
    Register,
    SupplyPoint,
    SupplyPointState,
)
from models.price_lists import Product
from services import audit
from services.imports import cells
from services.imports.cells import RecordError, choice, day, flag, optional, required, whole
from services.metering.identifiers import commodity_of

KEY = "identifier"
FIELDS = ("identifier", "commodity", "customer_number", "previous_customer_number", "street", "city", "postcode",
          "distribution_tariff", "gas_band", "circuit_breaker", "annual_consumption_kwh", "product_code", "state",
          "self_readings_allowed", "meter_serial", "meter_installed_on", "registers")
UNITS = {Commodity.ELECTRICITY: "kWh", Commodity.GAS: "m3"}
MAX_ANNUAL_KWH = 999_999_999


def parse(record: dict) -> dict:
    identifier = required(record, "identifier", 18).upper()
    commodity = _commodity(record, identifier)
    customer = _customer(record, "customer_number", required(record, "customer_number", 10))
    previous = cells.digits(record, "previous_customer_number", 10, needed=False)
    electricity = commodity == Commodity.ELECTRICITY
    tariff = _tariff(record) if electricity else _only(record, "distribution_tariff", electricity,
                                                        _l("Only an electricity supply point has a distribution tariff."))
    allowed = flag(record, "self_readings_allowed")
    return {"identifier": identifier, "commodity": commodity, "customer_id": customer.id,
            "previous_customer_id": None if previous is None else _customer(record, "previous_customer_number",
                                                                             previous).id,
            "street": required(record, "street", 200), "city": required(record, "city", 100),
            "postcode": cells.postcode(record, "postcode"), "distribution_tariff": tariff,
            "gas_band": optional(record, "gas_band", 40) if not electricity else _only(
                record, "gas_band", not electricity, _l("Only a gas supply point has a consumption band.")),
            "circuit_breaker": _circuit_breaker(record) if electricity else _only(
                record, "circuit_breaker", electricity, _l("Only an electricity supply point has a circuit breaker.")),
            "annual_consumption_kwh": whole(record, "annual_consumption_kwh", MAX_ANNUAL_KWH, needed=False),
            "product_id": _product(record, commodity),
            "state": choice(record, "state", SupplyPointState, default=SupplyPointState.ACTIVE.value),
            "self_readings_allowed": SupplyPoint.self_readings_by_default(customer) if allowed is None else allowed,
            "meter": _meter(record, commodity, tariff)}


def apply(values: dict) -> str:
    meter, previous_id = values.pop("meter"), values.pop("previous_customer_id")
    if meter is not None:
        _not_installed_elsewhere(meter[0], values["identifier"])
    point = db.session.scalars(select(SupplyPoint).where(SupplyPoint.identifier == values["identifier"])).one_or_none()
    if point is None:
        point = SupplyPoint(**values)
        if meter is not None:
            point.meters.append(_new_meter(*meter, UNITS[point.commodity]))
        db.session.add(point)
        return "created"
    changed = {k: v for k, v in values.items() if getattr(point, k) != v}
    if "customer_id" in changed and previous_id != point.customer_id:
        owner = db.session.get(Customer, point.customer_id)
        raise RecordError("customer_number", _l(
            "Supply point %(identifier)s belongs to customer %(number)s. A change of customer needs "
            "previous_customer_number %(number)s in the row.", identifier=point.identifier, number=owner.number))
    write_meter = _meter_change(point, meter)  # checked before anything of the record is written
    previous_owner = point.customer_id
    for name, value in changed.items():
        setattr(point, name, value)
    if "customer_id" in changed:
        audit.record("supply_point_customer_changed", point, customer_id=point.customer_id,
                     details={"from": previous_owner, "to": point.customer_id})
    if write_meter is not None:
        write_meter()
    return "updated" if changed or write_meter is not None else "unchanged"


def _commodity(record: dict, identifier: str) -> str:
    stated = choice(record, "commodity", Commodity) if (record.get("commodity") or "").strip() else None
    commodity = commodity_of(identifier)
    if commodity is None:
        if stated == Commodity.GAS or (stated is None and not identifier.isdigit() and len(identifier) == 16):
            raise RecordError("identifier", _l("This is not a valid EIC: 16 characters with a correct check character."))
        if stated == Commodity.ELECTRICITY or identifier.isdigit():
            raise RecordError("identifier", _l("This is not a valid EAN: 18 digits with a correct check digit."))
        raise RecordError("identifier", _l("Neither an EAN (18 digits) nor an EIC (16 characters) with a correct "
                                           "check digit."))
    if stated is not None and stated != commodity:
        raise RecordError("commodity", _l("%(value)s is an EAN: an electricity supply point (a gas one has an EIC).",
                                          value=identifier) if commodity == Commodity.ELECTRICITY else
                          _l("%(value)s is an EIC: a gas supply point (an electricity one has an EAN).",
                             value=identifier))
    return commodity.value


def _customer(record: dict, field: str, number: str) -> Customer:
    customer = db.session.scalars(select(Customer).where(Customer.number == number)).one_or_none()
    if customer is None:
        raise RecordError(field, _l("No customer has the number %(number)s.", number=number))
    return customer


def _only(record: dict, field: str, allowed: bool, reason) -> None:
    if not allowed and (record.get(field) or "").strip():
        raise RecordError(field, reason)
    return None


def _tariff(record: dict) -> str | None:
    text = optional(record, "distribution_tariff", 10)
    if text is None:
        return None
    known = {code.lower(): code for code in DISTRIBUTION_TARIFFS}
    if text.lower() not in known:
        raise RecordError("distribution_tariff", _l("Not a distribution tariff: %(value)s (e.g. D02d, D25d, D57d, "
                                                    "C01d).", value=text))
    return known[text.lower()]


def _circuit_breaker(record: dict) -> str | None:
    """`3x25 A`, `3x25A`, `3 × 25 A`, `1x16 A`: stored as 3x25 A."""
    text = optional(record, "circuit_breaker", 20)
    if text is None:
        return None
    match = re.fullmatch(r"([13])\s*[x×]\s*(\d{1,4})\s*A?", text, re.IGNORECASE)
    if not match or int(match[2]) == 0:
        raise RecordError("circuit_breaker", _l("A circuit breaker is phases × amperes, e.g. 3x25 A or 1x16 A."))
    return f"{match[1]}x{int(match[2])} A"


def _product(record: dict, commodity: str) -> int | None:
    code = optional(record, "product_code", 20)
    if code is None:
        return None
    product = db.session.execute(select(Product.id, Product.commodity).where(Product.code == code)).one_or_none()
    if product is None:
        raise RecordError("product_code", _l("No product has the code %(code)s.", code=code))
    if product.commodity != commodity:
        raise RecordError("product_code", _l("The product is for another commodity."))
    return product.id


def _meter(record: dict, commodity: str, tariff: str | None) -> tuple[str, date, tuple[str, ...]] | None:
    """(serial, installation day, register codes), or None when the row names no meter."""
    serial = optional(record, "meter_serial", 40)
    if serial is None:
        for field in ("meter_installed_on", "registers"):
            if (record.get(field) or "").strip():
                raise RecordError("meter_serial", _l("This value is required."))
        return None
    return serial, day(record, "meter_installed_on"), _registers(record, commodity, tariff)


def _registers(record: dict, commodity: str, tariff: str | None) -> tuple[str, ...]:
    expected = DISTRIBUTION_TARIFFS.get(tariff, ("T",)) if commodity == Commodity.ELECTRICITY else ("T",)
    text = optional(record, "registers", 20)
    if text is None:
        return expected
    codes = set(re.split(r"[\s,;/+]+", text.upper())) - {""}
    if commodity == Commodity.GAS and codes != {"T"}:
        raise RecordError("registers", _l("A gas meter has one register, T."))
    if codes not in ({"T"}, {"VT", "NT"}):
        raise RecordError("registers", _l("The registers are T (single tariff) or VT,NT (high and low tariff)."))
    found = ("T",) if codes == {"T"} else ("VT", "NT")
    if tariff is not None and found != expected:
        raise RecordError("registers", _l("A meter for the tariff %(tariff)s has the registers %(registers)s.",
                                          tariff=tariff, registers=",".join(expected)))
    return found


def _not_installed_elsewhere(serial: str, identifier: str) -> None:
    elsewhere = db.session.scalar(select(SupplyPoint.identifier).join(Meter).where(
        Meter.serial_number == serial, Meter.removed_on.is_(None), SupplyPoint.identifier != identifier).limit(1))
    if elsewhere is not None:
        raise RecordError("meter_serial", _l("Meter %(serial)s is installed at supply point %(identifier)s.",
                                             serial=serial, identifier=elsewhere))


def _new_meter(serial: str, installed_on: date, codes: tuple[str, ...], unit: str) -> Meter:
    return Meter(serial_number=serial, installed_on=installed_on,
                 registers=[Register(code=code, unit=unit) for code in codes])


def _meter_change(point: SupplyPoint, meter) -> Callable[[], None] | None:
    """What the row changes of the point's meters, checked now and written by the function
    returned (None: nothing to change)."""
    if meter is None:
        return None
    serial, installed_on, codes = meter
    unit = UNITS[point.commodity]
    current = max((m for m in point.meters if m.removed_on is None), key=lambda m: m.installed_on, default=None)
    if current is not None and current.serial_number == serial:
        return _register_change(point, current, installed_on, codes, unit)
    earlier = next((m for m in point.meters if m.serial_number == serial), None)
    if earlier is not None:
        raise RecordError("meter_serial", _l("Meter %(serial)s was removed from this supply point on %(date)s.",
                                             serial=serial, date=format_date(earlier.removed_on)))
    if current is not None:
        refusal = current.removal_refusal(installed_on)
        if refusal:
            raise RecordError("meter_installed_on", refusal)
    _after_the_last_removal(point, None, installed_on)

    def exchange() -> None:
        if current is not None:
            current.removed_on = installed_on
            audit.record("meter_exchanged", point, customer_id=point.customer_id, details={
                "old": current.serial_number, "new": serial, "on": installed_on.isoformat()})
        point.meters.append(_new_meter(serial, installed_on, codes, unit))
    return exchange


def _register_change(point: SupplyPoint, meter: Meter, installed_on: date, codes: tuple[str, ...],
                     unit: str) -> Callable[[], None] | None:
    """The current meter named again: its installation day and registers as the row says."""
    kept = {register.code: register for register in meter.registers}
    dropped = [register for code, register in kept.items() if code not in codes]
    for register in dropped:
        if db.session.scalar(select(MeterReading.id).where(MeterReading.register_id == register.id).limit(1)):
            raise RecordError("registers", _l("Register %(code)s of meter %(serial)s has readings: a register with "
                                              "readings is not removed.", code=register.code, serial=meter.serial_number))
    if installed_on != meter.installed_on:
        first = db.session.scalar(select(func.min(MeterReading.read_on)).where(
            MeterReading.register_id.in_([register.id for register in meter.registers]),
            MeterReading.state != ReadingState.REJECTED))
        if first is not None and first < installed_on:
            raise RecordError("meter_installed_on", _l("The meter has a reading of %(date)s, before this day.",
                                                       date=format_date(first)))
        _after_the_last_removal(point, meter, installed_on)
    added = [code for code in codes if code not in kept]
    wrong_unit = [register for register in meter.registers if register.code in codes and register.unit != unit]
    if installed_on == meter.installed_on and not dropped and not added and not wrong_unit:
        return None

    def change() -> None:
        meter.installed_on = installed_on
        for register in dropped:
            meter.registers.remove(register)
        for register in wrong_unit:
            register.unit = unit
        meter.registers.extend(Register(code=code, unit=unit) for code in added)
    return change


def _after_the_last_removal(point: SupplyPoint, meter: Meter | None, installed_on: date) -> None:
    """A meter is installed no earlier than the point's previous meter was removed."""
    removed = max((m.removed_on for m in point.meters if m is not meter and m.removed_on is not None), default=None)
    if removed is not None and installed_on < removed:
        raise RecordError("meter_installed_on", _l("The previous meter was removed only on %(date)s.",
                                                   date=format_date(removed)))
