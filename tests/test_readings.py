"""Supply points and meter self-readings: the rules of a reading, the review of unusual
ones, meter exchanges, the consumption chart and who may see and send what."""
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from extensions import db
from factories import PASSWORD, make_portal_user, make_staff
from helpers import assert_only_owner_sees
from models.audit import AuditEntry
from models.contracts import Contract
from models.customers import Customer
from models.metering import Meter, MeterReading, ReadingState, SupplyPoint
from models.outbox import OutgoingEmail
from models.users import PortalUser
from services.demo_data import PORTAL_PASSWORD, load_demo_data

TODAY = date.today()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def bakery(app):
    """The V.I.P. bakery's electricity point (VT and NT registers, self-readings allowed)."""
    return _bakery()


@pytest.fixture
def bakery_read_until_yesterday(app, monkeypatch):
    """The bakery with the demo's monthly readings dated as if the demo had been loaded
    yesterday. Its last accepted reading (the 1st of the month) is then always before today,
    also on the 1st, when the demo loaded today reads the meters today."""
    import services.demo_data.dates

    class Yesterday(date):
        @classmethod
        def today(cls):
            return date.today() - timedelta(days=1)

    monkeypatch.setattr(services.demo_data.dates, "date", Yesterday)
    return _bakery()


def _bakery():
    _demo_in_english()
    point = db.session.scalars(select(SupplyPoint).where(SupplyPoint.identifier == "859182400102646743")).one()
    return point, point.meters[0]


def _demo_in_english():
    """The demo users read Czech; these tests check the English texts."""
    load_demo_data()
    db.session.execute(update(PortalUser).values(locale="en"))
    db.session.commit()


def _last(register):
    return db.session.scalars(select(MeterReading).where(
        MeterReading.register_id == register.id, MeterReading.state == ReadingState.ACCEPTED)
        .order_by(MeterReading.read_on.desc())).first()


def _values(meter, vt_more=60, nt_more=20):
    vt, nt = meter.registers
    return {f"register_{vt.id}": str(_last(vt).value + vt_more), f"register_{nt.id}": str(_last(nt).value + nt_more)}


def _send(client, point, meter, values, **extra):
    url = f"/readings/{point.id}/meters/{meter.id}/new"
    data = {"read_on": TODAY.isoformat(), "reason": "periodic", **values, **extra}
    return client.post_form(url, data, page=url)


def _count(**criteria):
    return db.session.scalar(select(db.func.count(MeterReading.id)).filter_by(**criteria))


def test_a_normal_reading_of_both_registers_is_accepted_and_shown(bakery, client):
    point, meter = bakery
    client.sign_in("lucie.mala@example.com", PORTAL_PASSWORD)
    before = _count(supply_point_id=point.id)
    response = _send(client, point, meter, _values(meter))
    assert response.status_code == 302
    stored = db.session.scalars(select(MeterReading).where(MeterReading.read_on == TODAY,
                                                           MeterReading.supply_point_id == point.id)).all()
    assert len(stored) == 2 == _count(supply_point_id=point.id) - before
    assert {r.state for r in stored} == {ReadingState.ACCEPTED} and {r.kind for r in stored} == {"self"}
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reading_submitted")).first()
    page = client.get(f"/readings/{point.id}").get_data(as_text=True)
    assert "<svg" in page and "<rect" in page and "<caption>" in page
    assert f"{stored[0].value:,} kWh" in page  # in the history, English style


def test_the_same_reading_sent_twice_is_stored_once(bakery, client):
    point, meter = bakery
    client.sign_in("lucie.mala@example.com", PORTAL_PASSWORD)
    values = _values(meter)
    _send(client, point, meter, values)
    again = _send(client, point, meter, values)
    assert again.status_code == 302 and _count(supply_point_id=point.id, read_on=TODAY) == 2
    different = _send(client, point, meter, _values(meter, vt_more=70)).get_data(as_text=True)
    assert "already a reading" in different and _count(supply_point_id=point.id, read_on=TODAY) == 2


@pytest.mark.parametrize("case", ["future", "lower", "negative", "too_large", "missing", "before_last"])
def test_a_reading_breaking_a_rule_gets_a_message_and_stores_nothing(bakery, client, case):
    point, meter = bakery
    client.sign_in("lucie.mala@example.com", PORTAL_PASSWORD)
    vt, nt = meter.registers
    values, extra, message = _values(meter), {}, ""
    if case == "future":
        extra, message = {"read_on": (TODAY + timedelta(days=1)).isoformat()}, "cannot be in the future"
    elif case == "lower":
        values[f"register_{vt.id}"], message = str(_last(vt).value - 1), "lower than the last accepted reading"
    elif case == "negative":
        values[f"register_{nt.id}"], message = "-5", "cannot be negative"
    elif case == "too_large":
        values[f"register_{nt.id}"], message = "99999999999", "at most 999 999 999"
    elif case == "missing":
        del values[f"register_{nt.id}"]
        message = "Enter the value shown by the meter"
    elif case == "before_last":
        extra, message = {"read_on": (_last(vt).read_on - timedelta(days=3)).isoformat()}, "before the last accepted"
    before = _count()
    page = _send(client, point, meter, values, **extra).get_data(as_text=True)
    assert message in page and "-error" in page
    assert _count() == before


def test_an_unusual_reading_asks_for_confirmation_then_waits_for_review(bakery, client):
    point, meter = bakery
    client.sign_in("lucie.mala@example.com", PORTAL_PASSWORD)
    values = _values(meter, vt_more=20000)
    before = _count()
    first = _send(client, point, meter, values).get_data(as_text=True)
    assert "far above your usual consumption" in first and _count() == before
    confirmed = _send(client, point, meter, values, confirm_unusual="y")
    assert confirmed.status_code == 302
    stored = db.session.scalars(select(MeterReading).where(MeterReading.read_on == TODAY,
                                                           MeterReading.supply_point_id == point.id)).all()
    assert {r.state for r in stored} == {ReadingState.SUBMITTED}
    vt_reading = next(r for r in stored if r.register.code == "VT")

    make_staff("technician", email="tech.read@example.com")
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("tech.read@example.com", PASSWORD)
    assert f"/admin/reading-review/{vt_reading.id}" in client.get("/admin/reading-review/").get_data(as_text=True)
    review = client.get(f"/admin/reading-review/{vt_reading.id}").get_data(as_text=True)
    assert "Usual consumption" in review and "History of the register" in review
    url = f"/admin/reading-review/{vt_reading.id}"
    no_reason = client.post_form(url, {"reason": "", "reject": "1"}).get_data(as_text=True)
    assert "Say why" in no_reason and db.session.get(MeterReading, vt_reading.id).state == ReadingState.SUBMITTED
    assert client.post_form(url, {"reason": "Na fotografii je jiný stav.", "reject": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(MeterReading, vt_reading.id).state == ReadingState.REJECTED
    mail = db.session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id.desc())).first()
    assert mail.recipient == "lucie.mala@example.com" and "Na fotografii je jiný stav." in mail.body_text

    client.post_form("/admin/sign-out", page="/admin/")
    client.sign_in("lucie.mala@example.com", PORTAL_PASSWORD)
    assert "Na fotografii je jiný stav." in client.get(f"/readings/{point.id}").get_data(as_text=True)
    # A rejected reading frees the day for a corrected one.
    assert _send(client, point, meter, {f"register_{meter.registers[0].id}": values[f"register_{meter.registers[0].id}"],
                                        f"register_{meter.registers[1].id}": values[f"register_{meter.registers[1].id}"]},
                 confirm_unusual="y").status_code == 302


def test_a_photo_must_be_an_image_and_is_shown_only_to_its_customer(bakery, client):
    point, meter = bakery
    client.sign_in("lucie.mala@example.com", PORTAL_PASSWORD)
    before = _count()
    fake = _send(client, point, meter, _values(meter), photo=(io.BytesIO(b"%PDF-1.4 not a photo"), "stav.jpg"))
    assert "Only a PNG or JPEG photo" in fake.get_data(as_text=True) and _count() == before
    assert _send(client, point, meter, _values(meter), photo=(io.BytesIO(PNG), "../../etc/stav.png")).status_code == 302
    reading = db.session.scalars(select(MeterReading).where(MeterReading.photo_id.is_not(None))).first()
    assert reading.photo.filename == "stav.png" and reading.photo.media_type == "image/png"
    download = client.get(f"/readings/photos/{reading.id}")
    assert download.status_code == 200 and download.headers["X-Content-Type-Options"] == "nosniff"
    client.post_form("/sign-out", page="/")
    stranger = make_portal_user(email="cizi.read@example.com")
    client.sign_in(stranger.email, PASSWORD)
    for url in (f"/readings/photos/{reading.id}", f"/readings/{point.id}", f"/supply-points/{point.id}",
                f"/readings/{point.id}/meters/{meter.id}/new"):
        assert client.get(url).status_code == 404, url
    assert _send(client, point, meter, _values(meter)).status_code == 404


def test_a_meter_exchange_lets_the_new_meter_start_lower(bakery_read_until_yesterday, client):
    point, meter = bakery_read_until_yesterday
    vt, nt = meter.registers
    make_staff("technician", email="tech.exchange@example.com")
    client.staff_sign_in("tech.exchange@example.com", PASSWORD)
    exchanged_on = _last(vt).read_on
    assert exchanged_on == _last(nt).read_on < TODAY  # so the new meter can be read today, a later day
    url = f"/admin/meters/exchange/?id={meter.id}"
    response = client.post_form(url, {"removed_on": exchanged_on.isoformat(), "serial_number": "EM-NEW-1",
                                      f"final_{vt.id}": str(_last(vt).value), f"final_{nt.id}": str(_last(nt).value),
                                      "initial_VT": "0", "initial_NT": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    new = db.session.scalars(select(Meter).where(Meter.serial_number == "EM-NEW-1")).one()
    assert db.session.get(Meter, meter.id).removed_on == exchanged_on
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "meter_exchanged")).one()
    client.post_form("/admin/sign-out", page="/admin/")
    client.sign_in("lucie.mala@example.com", PORTAL_PASSWORD)
    # The old meter takes no more readings; the new one's are far below the old one's and accepted.
    assert client.get(f"/readings/{point.id}/meters/{meter.id}/new").status_code == 404
    new_vt, new_nt = new.registers
    response = _send(client, point, new, {f"register_{new_vt.id}": "15", f"register_{new_nt.id}": "5"})
    assert response.status_code == 302
    assert db.session.scalars(select(MeterReading).where(MeterReading.register_id == new_vt.id,
                                                         MeterReading.read_on == TODAY)).one().state == ReadingState.ACCEPTED


@pytest.mark.parametrize("when", ["before_installation", "before_the_last_accepted_reading"])
def test_a_removal_date_before_an_accepted_reading_is_refused_next_to_the_field(bakery, app, client, when):
    point, meter = bakery
    vt, nt = meter.registers
    removed_on = (meter.installed_on if when == "before_installation" else _last(vt).read_on) - timedelta(days=1)
    with app.test_request_context():
        assert meter.removal_refusal(removed_on) and meter.removal_refusal(_last(vt).read_on) is None
    make_staff("clerk", email="clerk.exchange@example.com")
    client.staff_sign_in("clerk.exchange@example.com", PASSWORD)
    meters, readings = db.session.scalar(select(db.func.count(Meter.id))), _count()
    response = client.post_form(f"/admin/meters/exchange/?id={meter.id}", {
        "removed_on": removed_on.isoformat(), "serial_number": "EM-TOO-EARLY",
        f"final_{vt.id}": str(_last(vt).value), f"final_{nt.id}": str(_last(nt).value),
        "initial_VT": "0", "initial_NT": "0"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    message = ("The meter was installed later" if when == "before_installation"
               else "The meter has an accepted reading after this date.</div>")
    assert '<div id="removed_on-error" class="invalid-feedback d-block">' + message in page
    db.session.expire_all()
    assert db.session.get(Meter, meter.id).removed_on is None
    assert db.session.scalar(select(db.func.count(Meter.id))) == meters and _count() == readings
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "meter_exchanged")).all()


def test_a_meter_without_readings_is_not_removed_before_it_was_installed(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        meter = Meter(serial_number="EM-NEW", installed_on=date(2026, 3, 1))
        assert "installed later" in meter.removal_refusal(date(2026, 2, 28))
        assert meter.removal_refusal(date(2026, 3, 1)) is None


def test_without_the_self_reading_right_there_is_no_form(app, client):
    _demo_in_english()
    client.sign_in("jana.novakova@example.com", PORTAL_PASSWORD)
    jana = db.session.scalars(select(Customer).where(Customer.number == "1000001")).one()
    point = db.session.scalars(select(SupplyPoint).where(SupplyPoint.customer_id == jana.id)).one()
    page = client.get(f"/readings/{point.id}").get_data(as_text=True)
    assert "Reading history" in page and "/meters/" not in page
    url = f"/readings/{point.id}/meters/{point.meters[0].id}/new"
    assert client.get(url).status_code == 404
    assert client.post_form(url, {"read_on": TODAY.isoformat(), f"register_{point.meters[0].registers[0].id}": "99999"},
                            page=f"/readings/{point.id}").status_code == 404


def test_a_user_without_the_readings_right_gets_404(bakery, client):
    point, meter = bakery
    user = make_portal_user(db.session.get(Customer, point.customer_id), email="jen.faktury@example.com",
                            modules=["invoices"])
    client.sign_in(user.email, PASSWORD)
    assert client.get(f"/readings/{point.id}").status_code == 404
    assert client.get(f"/supply-points/{point.id}").status_code == 404


def test_the_supply_point_page_and_the_contract_download(bakery, client):
    point, _ = bakery
    gas = db.session.scalars(select(SupplyPoint).where(SupplyPoint.identifier == "27ZG600Z0000001Y")).one()
    client.sign_in("tomas.dvorak@example.com", PORTAL_PASSWORD)
    page = client.get(f"/supply-points/{point.id}").get_data(as_text=True)
    assert "EG.D" in page or "ČEZ" in page or "PRE" in page
    assert "D25d" in page and "3x63 A" in page and "Signed contract" in page
    contract = db.session.scalars(select(Contract).where(Contract.supply_points.any(SupplyPoint.id == point.id))).one()
    gas_contract = db.session.scalars(select(Contract).where(Contract.supply_points.any(SupplyPoint.id == gas.id))).one()
    download = client.get(f"/supply-points/{point.id}/contracts/{contract.id}/document")
    assert download.mimetype == "application/pdf" and "attachment" in download.headers["Content-Disposition"]
    # A contract is reached only through its own supply point.
    assert client.get(f"/supply-points/{point.id}/contracts/{gas_contract.id}/document").status_code == 404
    client.post_form("/sign-out", page="/")
    # A colleague limited to the electricity point does not get the gas contract.
    limited = make_portal_user(db.session.get(Customer, point.customer_id), email="jen.elektrina@example.com",
                               modules=["supply_points"])
    limited.supply_points = [point]
    db.session.commit()
    client.sign_in(limited.email, PASSWORD)
    assert client.get(f"/supply-points/{point.id}/contracts/{contract.id}/document").status_code == 200
    assert client.get(f"/supply-points/{gas.id}/contracts/{gas_contract.id}/document").status_code == 404
    assert client.get(f"/supply-points/{gas.id}").status_code == 404
    listing = client.get("/supply-points/").get_data(as_text=True)
    assert point.identifier in listing and gas.identifier not in listing


def test_another_customers_supply_point_answers_404(bakery, client):
    point, _ = bakery
    owner = make_portal_user(db.session.get(Customer, point.customer_id), email="majitel.sp@example.com")
    other = make_portal_user(email="cizi.sp@example.com")
    for url in (f"/supply-points/{point.id}", f"/readings/{point.id}"):
        assert_only_owner_sees(client, url, owner, other, PASSWORD)


def test_the_back_office_supply_point_form_checks_identifiers_as_typed(app, client):
    make_staff("technician", email="tech.form@example.com")
    client.staff_sign_in("tech.form@example.com", PASSWORD)
    page = client.get("/admin/supply-points/new/").get_data(as_text=True)
    assert 'data-identifier="supply-point"' in page and "/static/admin/identifiers.js" in page


def test_a_new_supply_point_of_a_vip_customer_allows_self_readings(app, client):
    from factories import make_customer

    vip, household = make_customer(segment="vip"), make_customer()
    make_staff("technician", email="tech.vip@example.com")
    client.staff_sign_in("tech.vip@example.com", PASSWORD)
    for customer, ean in ((vip, "859182400102993847"), (household, "859182400110224391")):
        response = client.post_form("/admin/supply-points/new/", {
            "customer": str(customer.id), "identifier": ean, "commodity": "electricity",
            "street": "Dlouhá 1", "city": "Praha", "postcode": "11000", "state": "active"})
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    allowed = {p.customer_id: p.self_readings_allowed for p in db.session.scalars(select(SupplyPoint))}
    assert allowed == {vip.id: True, household.id: False}


def test_values_for_another_meters_register_are_refused(bakery, client):
    point, meter = bakery
    gas = db.session.scalars(select(SupplyPoint).where(SupplyPoint.identifier == "27ZG600Z0000001Y")).one()
    foreign = gas.meters[0].registers[0]
    client.sign_in("lucie.mala@example.com", PORTAL_PASSWORD)
    before = _count()
    page = _send(client, point, meter, {f"register_{foreign.id}": "99999"}).get_data(as_text=True)
    assert "Enter the value shown by the meter" in page and _count() == before
    # Nor can the gas meter be read through the electricity point's URL.
    url = f"/readings/{point.id}/meters/{gas.meters[0].id}/new"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("when", ["before_installation", "before_the_last_accepted_reading"])
def test_the_meter_form_refuses_the_same_removal_dates_as_the_exchange_desk(bakery, app, client, when):
    point, meter = bakery
    vt, _nt = meter.registers
    removed_on = (meter.installed_on if when == "before_installation" else _last(vt).read_on) - timedelta(days=1)
    make_staff("technician", email="tech.meter@example.com")
    client.staff_sign_in("tech.meter@example.com", PASSWORD)
    url = f"/admin/meters/edit/?id={meter.id}"
    response = client.post_form(url, {
        "serial_number": meter.serial_number, "supply_point": str(point.id),
        "installed_on": meter.installed_on.isoformat(), "removed_on": removed_on.isoformat(), "final_value": ""},
        headers={"Accept-Language": "en"})
    assert response.status_code == 200
    message = ("The meter was installed later" if when == "before_installation"
               else "The meter has an accepted reading after this date.")
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meter, meter.id).removed_on is None
