"""Supply points with their meters and the distributor's meter readings from the supplier's
systems: `flask --app portal import supply-points|meter-readings FILE` (services/imports)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from extensions import db
from factories import make_portal_user
from models.audit import AuditEntry
from models.customers import Customer
from models.metering import Meter, MeterReading, ReadingKind, ReadingState, Register, SupplyPoint
from services.imports import read_records, run_import
from services.outbox import send_due

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "import"
POINTS = (SAMPLES / "supply-points.csv").read_text("utf-8")
READINGS = (SAMPLES / "meter-readings.csv").read_text("utf-8")
POINTS_HEADER = POINTS.splitlines()[0] + "\n"
READINGS_HEADER = READINGS.splitlines()[0] + "\n"
ALENA = "859182400102993847"  # the sample's supply point of customer 2000001, meter 31245678 (T)
BAKERY = "859182400200000010"  # customer 2000002's, meter 41872210 (VT, NT)


def _import(kind: str, text: str, **options):
    return run_import(kind, read_records(text.encode("utf-8"), "file.csv"), **options)


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["import", *args])


def _rows(model) -> list[tuple]:
    table = model.__table__
    return [tuple(row) for row in db.session.execute(select(table).order_by(*table.primary_key.columns))]


def _database() -> dict:
    db.session.expire_all()
    return {model.__name__: _rows(model) for model in (SupplyPoint, Meter, Register, MeterReading)}


def _point(identifier: str) -> SupplyPoint:
    db.session.expire_all()
    return db.session.scalars(select(SupplyPoint).where(SupplyPoint.identifier == identifier)).one()


def _readings(identifier: str) -> list[tuple]:
    return db.session.execute(
        select(Meter.serial_number, Register.code, MeterReading.read_on, MeterReading.value, MeterReading.kind,
               MeterReading.state)
        .join(MeterReading.register).join(Register.meter).join(MeterReading.supply_point)
        .where(SupplyPoint.identifier == identifier).order_by(MeterReading.read_on, Register.code, MeterReading.id)).all()


def _line(of: str, **cells) -> str:
    """The sample's row of this supply point with some cells changed."""
    names = POINTS_HEADER.strip().split(";")
    row = next(line for line in POINTS.splitlines() if line.startswith(of + ";")).split(";")
    values = dict(zip(names, row, strict=True)) | cells
    return ";".join(values[name] for name in names) + "\n"


@pytest.fixture
def customers_and_products(app):
    _customers_and_products()


@pytest.fixture
def sample(customers_and_products):
    _sample()


def _customers_and_products():
    for kind in ("customers", "products"):
        report = _import(kind, (SAMPLES / f"{kind}.csv").read_text("utf-8"))
        assert report.errors == [] and report.written


def _sample():
    for kind, text in (("supply-points", POINTS), ("meter-readings", READINGS)):
        report = _import(kind, text)
        assert report.errors == [] and report.written


def test_the_samples_imported_twice_give_the_same_database(app, customers_and_products):
    first = _cli(app, "supply-points", str(SAMPLES / "supply-points.csv"))
    assert first.exit_code == 0, first.output
    assert "4 created, 0 updated, 0 unchanged, 0 refused; written" in first.output
    readings = _import("meter-readings", READINGS)
    assert (readings.created, readings.errors) == (6, [])
    after_first = _database()
    assert [len(rows) for rows in after_first.values()] == [4, 4, 5, 6]

    alena = _point(ALENA)
    assert (alena.customer.number, alena.commodity, alena.street, alena.city, alena.postcode, alena.distribution_tariff,
            alena.circuit_breaker, alena.annual_consumption_kwh, alena.product.code, alena.state,
            alena.self_readings_allowed) == ("2000001", "electricity", "Vinohradská 12", "Praha 2", "12000", "D02d",
                                             "3x25 A", 2800, "E-STANDARD", "active", True)
    [meter] = alena.meters
    assert (meter.serial_number, meter.installed_on, meter.removed_on, [(r.code, r.unit) for r in meter.registers]) \
        == ("31245678", date(2019, 5, 14), None, [("T", "kWh")])
    gas = _point("27ZG900Z0000041N")
    assert (gas.commodity, gas.gas_band, gas.distribution_tariff, [(r.code, r.unit) for r in gas.meters[0].registers]) \
        == ("gas", "nad 63 do 630 MWh", None, [("T", "m3")])
    assert _readings(ALENA) == [("31245678", "T", date(2025, 12, 31), 12450, "actual", "accepted"),
                                ("31245678", "T", date(2026, 6, 30), 13872, "estimate", "accepted")]
    assert [(r.code, r.unit) for r in _point(BAKERY).meters[0].registers] == [("VT", "kWh"), ("NT", "kWh")]

    second = _cli(app, "supply-points", str(SAMPLES / "supply-points.csv"))
    assert "0 created, 0 updated, 4 unchanged, 0 refused; written" in second.output
    again = _import("meter-readings", READINGS)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 6, [])
    assert _database() == after_first


def test_a_changed_row_updates_the_supply_point_and_its_registers(app, customers_and_products):
    _import("supply-points", POINTS)
    changed = POINTS_HEADER + _line(ALENA, street="Dlouhá 7", city="Praha 1", postcode="110 00",
                                    distribution_tariff="d25d", registers="", self_readings_allowed="ne")
    report = _import("supply-points", changed)
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 1, 0, [])
    alena = _point(ALENA)
    assert (alena.street, alena.city, alena.postcode, alena.distribution_tariff, alena.self_readings_allowed) \
        == ("Dlouhá 7", "Praha 1", "11000", "D25d", False)
    # A two-tariff rate: the meter's registers follow (T had no readings, so it goes).
    assert [r.code for r in alena.meters[0].registers] == ["VT", "NT"]
    assert _import("supply-points", changed).unchanged == 1


def test_a_register_with_readings_is_not_removed_and_nothing_of_its_row_is_written(app, sample):
    before = _database()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("supply-points", POINTS_HEADER + _line(ALENA, city="Praha 1", distribution_tariff="D25d",
                                                                registers="VT,NT"))
    assert report.errors == [(2, "registers", "Register T of meter 31245678 has readings: a register with readings "
                                              "is not removed.")]
    assert report.written and _database() == before


def test_a_new_meter_serial_is_a_meter_exchange(app, sample):
    exchange = POINTS_HEADER + _line(ALENA, meter_serial="39000111", meter_installed_on="15. 7. 2026")
    report = _import("supply-points", exchange)
    assert (report.updated, report.errors) == (1, [])
    old, new = sorted(_point(ALENA).meters, key=lambda m: m.installed_on)
    assert (old.serial_number, old.removed_on) == ("31245678", date(2026, 7, 15))
    assert (new.serial_number, new.installed_on, new.removed_on, [(r.code, r.unit) for r in new.registers]) \
        == ("39000111", date(2026, 7, 15), None, [("T", "kWh")])
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "meter_exchanged")).one()
    assert entry.customer_id == _point(ALENA).customer_id and "39000111" in entry.details
    # The distributor's readings at the exchange: the old meter's last, the new one starting low.
    readings = _import("meter-readings", READINGS_HEADER + f"{ALENA};31245678;T;15. 7. 2026;13 990;;\n"
                                                           f"{ALENA};39000111;T;15. 7. 2026;3;;\n"
                                                           f"{ALENA};39000111;T;31. 10. 2026;712;;\n")
    assert (readings.created, readings.errors) == (3, [])
    assert _readings(ALENA)[-3:] == [("31245678", "T", date(2026, 7, 15), 13990, "actual", "accepted"),
                                     ("39000111", "T", date(2026, 7, 15), 3, "actual", "accepted"),
                                     ("39000111", "T", date(2026, 10, 31), 712, "actual", "accepted")]
    # The same file again changes nothing; the old meter is not put back by the old file.
    after = _database()
    assert _import("supply-points", exchange).unchanged == 1
    with app.test_request_context(headers={"Accept-Language": "en"}):
        back = _import("supply-points", POINTS_HEADER + _line(ALENA))
        late = _import("meter-readings", READINGS_HEADER + f"{ALENA};31245678;T;1. 8. 2026;14 100;;\n")
    assert back.errors == [(2, "meter_serial", "Meter 31245678 was removed from this supply point on Jul 15, 2026.")]
    assert late.errors == [(2, "read_on", "The meter was removed on Jul 15, 2026.")]
    assert _database() == after


def test_an_exchange_before_an_accepted_reading_of_the_meter_is_refused(app, sample):
    before = _database()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("supply-points", POINTS_HEADER + _line(ALENA, meter_serial="39000111",
                                                                meter_installed_on="2026-06-01", city="Praha 1"))
    # Meter.removal_refusal, the rule of the back office's exchange desk.
    assert report.errors == [(2, "meter_installed_on", "The meter has an accepted reading after this date.")]
    assert _database() == before


def test_bad_supply_points_are_named_by_line_and_field_and_the_rest_is_written(app, customers_and_products):
    text = POINTS_HEADER + "".join([
        _line(ALENA),
        _line(BAKERY, identifier="859182400200000011"),  # a wrong check digit
        _line("859182400200000027", customer_number="2999999"),
        _line("27ZG900Z0000041N", product_code="P-NEZNAMY"),
        _line("27ZG900Z0000041N", identifier="27ZG900Z00000586", distribution_tariff="D02d"),
        _line(BAKERY, identifier="859182400200000034", distribution_tariff="D99d"),
        _line(BAKERY, identifier="859182400200000041", registers="T"),
        _line(BAKERY, identifier="859182400200000058", meter_serial="31245678"),
    ])
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("supply-points", text)
    assert [(line, field) for line, field, _ in report.errors] == [
        (3, "identifier"), (4, "customer_number"), (5, "product_code"), (6, "distribution_tariff"),
        (7, "distribution_tariff"), (8, "registers"), (9, "meter_serial")]
    reasons = [reason for _, _, reason in report.errors]
    assert reasons[0] == "This is not a valid EAN: 18 digits with a correct check digit."
    assert reasons[1] == "No customer has the number 2999999."
    assert reasons[5] == "A meter for the tariff C25d has the registers VT,NT."
    assert reasons[6] == "Meter 31245678 is installed at supply point 859182400102993847."
    assert (report.created, report.written) == (1, True)
    assert db.session.scalars(select(SupplyPoint.identifier)).all() == [ALENA]
    assert len(_rows(Meter)) == len(_rows(Register)) == 1


def test_all_or_nothing_writes_no_supply_point_when_one_is_bad(app, customers_and_products):
    text = POINTS + _line("27ZG900Z0000041N", identifier="27ZG900Z00000586", customer_number="2999999")
    report = _import("supply-points", text, all_or_nothing=True)
    assert (report.created, len(report.errors), report.written) == (4, 1, False)
    assert _database() == {"SupplyPoint": [], "Meter": [], "Register": [], "MeterReading": []}


def test_the_commodity_follows_from_the_identifier(app, customers_and_products):
    header = POINTS_HEADER.rstrip("\n") + ";commodity\n"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("supply-points", header + _line(ALENA).rstrip("\n") + ";gas\n"
                         + _line("27ZG900Z0000041N").rstrip("\n") + ";gas\n")
    assert report.errors == [(2, "commodity", "859182400102993847 is an EAN: an electricity supply point "
                                              "(a gas one has an EIC).")]
    assert [(p.identifier, p.commodity) for p in db.session.scalars(select(SupplyPoint))] \
        == [("27ZG900Z0000041N", "gas")]


def test_a_change_of_customer_needs_the_previous_customer_in_the_row(app, sample):
    moved = _line(ALENA, customer_number="2000002")
    before = _database()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refused = _import("supply-points", POINTS_HEADER + moved)
    assert refused.errors == [(2, "customer_number", "Supply point 859182400102993847 belongs to customer 2000001. "
                                                     "A change of customer needs previous_customer_number 2000001 "
                                                     "in the row.")]
    assert _database() == before
    header = POINTS_HEADER.rstrip("\n") + ";previous_customer_number\n"
    report = _import("supply-points", header + moved.rstrip("\n") + ";2000001\n")
    assert (report.updated, report.errors) == (1, [])
    assert _point(ALENA).customer.number == "2000002"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "supply_point_customer_changed")).one()
    owners = {c.number: c.id for c in db.session.scalars(select(Customer))}
    assert entry.customer_id == owners["2000002"] and str(owners["2000001"]) in entry.details


def test_bad_readings_are_named_by_line_and_field_and_the_rest_is_written(app, sample):
    before = _readings(ALENA)
    text = READINGS_HEADER + "".join([
        f"{ALENA};31245678;T;31. 10. 2026;14 502;actual;periodic\n",
        f"{ALENA};31245678;T;30. 11. 2026;-5;actual;periodic\n",
        f"{ALENA};31245678;T;30. 11. 2026;13 000;actual;periodic\n",  # below 14 502 of 31. 10.
        f"{ALENA};31245678;T;31. 3. 2026;14 000;actual;\n",  # above 13 872 of 30. 6.
        f"{ALENA};99999999;T;30. 11. 2026;14 600;actual;\n",
        f"{ALENA};31245678;NT;30. 11. 2026;14 600;actual;\n",
        "859182400199999999;31245678;T;30. 11. 2026;14 600;actual;\n",
        f"{ALENA};31245678;T;30. 11. 2099;14 600;actual;\n",
        f"{ALENA};31245678;T;30. 11. 2026;14 600;self;\n",
    ])
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = _import("meter-readings", text)
    assert report.errors == [
        (3, "value", "The value cannot be below zero."),
        (4, "value", "The value is lower than the last accepted reading, 14502 of Oct 31, 2026."),
        (5, "value", "The value is higher than a later accepted reading, 13872 of Jun 30, 2026."),
        (6, "meter_serial", "Supply point 859182400102993847 has no meter 99999999."),
        (7, "register", "Meter 31245678 has the registers T."),
        (8, "identifier", "No supply point has the identifier 859182400199999999."),
        (9, "read_on", "The reading date cannot be in the future."),
        (10, "kind", "One of: actual, estimate."),
    ]
    assert (report.created, report.written) == (1, True)
    assert _readings(ALENA) == before + [("31245678", "T", date(2026, 10, 31), 14502, "actual", "accepted")]


def test_all_or_nothing_writes_no_reading_when_one_is_bad(app, sample):
    before = _database()
    report = _import("meter-readings", READINGS_HEADER + f"{ALENA};31245678;T;31. 10. 2026;14 502;;\n"
                                                         f"{ALENA};31245678;T;30. 11. 2026;100;;\n",
                     all_or_nothing=True)
    assert (report.created, [(line, field) for line, field, _ in report.errors], report.written) \
        == (1, [(3, "value")], False)
    assert _database() == before


def test_a_different_value_for_the_same_day_is_a_correction_with_an_audit_entry(app, sample):
    corrected = READINGS.replace("30. 6. 2026;13 872;estimate", "30. 6. 2026;13 815;actual")
    report = _import("meter-readings", corrected)
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 1, 5, [])
    assert _readings(ALENA)[-1] == ("31245678", "T", date(2026, 6, 30), 13815, "actual", "accepted")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reading_corrected")).one()
    assert entry.customer_id == _point(ALENA).customer_id
    assert '"value": [13872, 13815]' in entry.details and '"kind": ["estimate", "actual"]' in entry.details
    assert _import("meter-readings", corrected).unchanged == 6


def test_the_distributors_reading_replaces_a_self_reading_of_the_day_and_the_customer_is_told(mail_app, smtp_server):
    _customers_and_products()
    _sample()
    point = _point(ALENA)
    # The operator's language is Czech (the default); the customer reads English.
    author = make_portal_user(point.customer, email="alena@example.com", locale="en")
    register = point.meters[0].registers[0]
    for read_on, value, state in ((date(2026, 9, 30), 14250, ReadingState.ACCEPTED),
                                  (date(2026, 10, 31), 14600, ReadingState.SUBMITTED)):
        db.session.add(MeterReading(register=register, supply_point_id=point.id, read_on=read_on, value=value,
                                    kind=ReadingKind.SELF, state=state, submitted_by_id=author.id))
    db.session.commit()
    send_due()
    smtp_server.messages.clear()
    report = _import("meter-readings", READINGS_HEADER + f"{ALENA};31245678;T;30. 9. 2026;14 231;actual;periodic\n"
                                                         f"{ALENA};31245678;T;31. 10. 2026;14 502;actual;periodic\n")
    assert (report.created, report.updated, report.errors) == (0, 2, [])
    selves = db.session.scalars(select(MeterReading).where(MeterReading.kind == ReadingKind.SELF)
                                .order_by(MeterReading.read_on)).all()
    assert [(r.state, r.rejection_reason) for r in selves] == [
        ("rejected", "The distributor read the meter on the same day (14231); their reading is the one billed."),
        ("rejected", "The distributor read the meter on the same day (14502); their reading is the one billed.")]
    assert _readings(ALENA)[-4:] == [("31245678", "T", date(2026, 9, 30), 14250, "self", "rejected"),
                                     ("31245678", "T", date(2026, 9, 30), 14231, "actual", "accepted"),
                                     ("31245678", "T", date(2026, 10, 31), 14600, "self", "rejected"),
                                     ("31245678", "T", date(2026, 10, 31), 14502, "actual", "accepted")]
    assert send_due() == (2, 0)
    assert [m["To"] for m in smtp_server.messages] == ["alena@example.com", "alena@example.com"]
    body = smtp_server.messages[0].get_payload(decode=True).decode()
    assert "Your meter reading of Sep 30, 2026 (14250) has been rejected: The distributor read the meter on the " \
           "same day (14231)" in body
    assert _import("meter-readings", READINGS_HEADER + f"{ALENA};31245678;T;30. 9. 2026;14 231;actual;periodic\n"
                   ).unchanged == 1


def test_reasons_are_in_czech_by_default_through_the_cli(app, customers_and_products):
    path = Path(app.instance_path) / "points.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(POINTS_HEADER + _line(ALENA, identifier="859182400102993848"), "utf-8")
    result = _cli(app, "supply-points", str(path))
    assert result.exit_code == 1
    assert "line 2: identifier: Toto není platný EAN: 18 číslic se správnou kontrolní číslicí." in result.output
    assert "0 created, 0 updated, 0 unchanged, 1 refused; written" in result.output
