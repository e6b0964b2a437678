"""Pushing records through the API: the import's own checks and messages, a refused record
writes nothing of itself (nor, with all_or_nothing, anything at all), and the answer names the
record by its index and the field; the batch's shape and size are checked before anything."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from extensions import db
from helpers import ApiCaller, api_token
from models.customers import Customer
from models.price_lists import PriceItem, PriceList, Product

PROBLEM = "application/problem+json"


def _customer(number: str, **fields) -> dict:
    return {"number": number, "name": f"Zákazník {number}", "email": f"c{number}@example.com", "street": "Dlouhá 1",
            "city": "Praha", "postcode": "110 00", **fields}


def _numbers() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Customer.number)))


@pytest.fixture
def api(app):
    return ApiCaller(app)


@pytest.fixture
def token(app):
    return api_token("customers:write", "products:write", "price-lists:write", "payments:write")


def test_a_bad_record_writes_nothing_of_itself_and_is_named_by_index_and_field(api, token):
    batch = [_customer("7100001"), _customer("7100002", email="not an address"), _customer("7100003")]
    response = api.post("/api/v1/customers", {"records": batch}, token)
    assert response.status_code == 200
    assert response.get_json() == {
        "kind": "customers", "dry_run": False, "written": True, "created": 2, "updated": 0, "unchanged": 0,
        "refused": 1, "errors": [{"record": 1, "field": "email", "reason": "Not a valid e-mail address."}]}
    assert _numbers() == ["7100001", "7100003"]


def test_the_reason_is_in_czech_when_asked(api, token):
    response = api.post("/api/v1/customers", {"records": [_customer("7100001"), _customer("7100002", postcode="1")]},
                        token, headers={"Accept-Language": "cs"})
    assert response.get_json()["errors"] == [
        {"record": 1, "field": "postcode", "reason": "PSČ má pět číslic, např. 110 00."}]


def test_the_same_batch_twice_changes_nothing_and_a_changed_record_updates(api, token):
    batch = [_customer("7100001"), _customer("7100002")]
    assert api.post("/api/v1/customers", {"records": batch}, token).get_json()["created"] == 2
    again = api.post("/api/v1/customers", {"records": batch}, token).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    batch[1]["city"] = "Brno"
    changed = api.post("/api/v1/customers", {"records": batch}, token).get_json()
    assert (changed["updated"], changed["unchanged"]) == (1, 1)
    assert db.session.scalar(select(Customer.city).where(Customer.number == "7100002")) == "Brno"


def test_all_or_nothing_with_one_bad_record_writes_nothing(api, token):
    batch = [_customer("7100001"), _customer("7100002", kind="business")]  # a business needs an IČO
    response = api.post("/api/v1/customers", {"records": batch, "all_or_nothing": True}, token)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["errors"] == [{"record": 1, "field": "company_id", "reason": "A business customer needs an IČO."}]
    assert problem["written"] is False and problem["created"] == 1 and problem["refused"] == 1
    assert _numbers() == []


def test_a_batch_whose_every_record_is_refused_is_422(api, token):
    response = api.post("/api/v1/customers", {"records": [{"number": "abc"}, {}]}, token)
    assert response.status_code == 422
    assert [(e["record"], e["field"]) for e in response.get_json()["errors"]] == [(0, "number"), (1, "number")]
    assert _numbers() == []


def test_a_dry_run_counts_and_writes_nothing(api, token):
    response = api.post("/api/v1/customers", {"records": [_customer("7100001")], "dry_run": True}, token)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["created"], body["dry_run"], body["written"]) == (1, True, False)
    assert _numbers() == []


def test_a_record_of_several_rows_is_refused_whole_naming_its_bad_row(api, token):
    """A price list and its items are rows of one record, as in a file: a bad item row refuses
    the whole list (none of its items is written) and the error names that row's index."""
    api.post("/api/v1/products", {"records": [{"code": "E-STD", "name": "Standard", "commodity": "electricity"}]}, token)
    head = {"name": "Standard 2026", "commodity": "electricity", "product_code": "E-STD", "valid_from": "2026-01-01"}
    batch = [{"code": "GOOD", **head, "component": "Silová elektřina", "unit": "Kč/MWh", "price_without_vat": "2 490,5"},
             {"code": "BAD", **head, "component": "Silová elektřina", "unit": "Kč/MWh", "price_without_vat": 2490},
             {"code": "GOOD", "component": "Stálý plat", "unit": "Kč/měsíc", "price_without_vat": 125.25},
             {"code": "BAD", "component": "Stálý plat", "unit": "Kč/měsíc", "price_without_vat": "lots"}]
    response = api.post("/api/v1/price-lists", {"records": batch}, token)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["created"], body["refused"]) == (1, 1)
    assert [(e["record"], e["field"]) for e in body["errors"]] == [(3, "price_without_vat")]
    lists = db.session.scalars(select(PriceList)).all()
    assert [p.code for p in lists] == ["GOOD"]
    assert sorted(i.price_without_vat for i in db.session.scalars(select(PriceItem))) == [Decimal("125.25"),
                                                                                            Decimal("2490.5")]
    assert db.session.scalar(select(Product.code)) == "E-STD"


def test_values_that_are_not_text_numbers_or_null_refuse_the_batch_naming_each(api, token):
    batch = [_customer("7100001"), _customer("7100002", phone=True, city={"name": "Praha"}), "not an object"]
    response = api.post("/api/v1/customers", {"records": batch}, token)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert [(e["record"], e["field"]) for e in response.get_json()["errors"]] == [(1, "city"), (1, "phone"), (2, "")]
    assert _numbers() == []


@pytest.mark.parametrize("body, field", [
    ([], ""), ({"records": {"a": 1}}, "records"), ({}, "records"), ({"records": [], "dry_run": "yes"}, "dry_run"),
    ({"records": [], "everything": True}, "everything")])
def test_a_body_not_as_documented_is_422_naming_the_member(api, token, body, field):
    response = api.post("/api/v1/customers", body, token)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


@pytest.mark.parametrize("data", [b"{", b"\xff\xfe", b'{"records": [NaN]}', b"[" * 100_000])
def test_a_body_that_is_not_json_is_400(api, token, data):
    response = api.post("/api/v1/customers", token=token, data=data, content_type="application/json")
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_too_many_records_or_bytes_are_413_and_write_nothing(make_app):
    app = make_app(API_MAX_RECORDS=2, API_MAX_BODY_BYTES=2000)
    with app.app_context():
        token = api_token("customers:write")
        api = ApiCaller(app)
        many = api.post("/api/v1/customers", {"records": [_customer(f"710000{n}") for n in range(3)]}, token)
        assert many.status_code == 413 and many.mimetype == PROBLEM and "At most 2 records" in many.get_json()["detail"]
        large = api.post("/api/v1/customers", {"records": [_customer("7100001", name="x" * 3000)]}, token)
        assert large.status_code == 413 and large.mimetype == PROBLEM
        assert api.post("/api/v1/customers", {"records": [_customer("7100001")]}, token).status_code == 200
        assert _numbers() == ["7100001"]


def test_exact_decimals_stay_exact(api, token):
    api.post("/api/v1/customers", {"records": [_customer("7100001")]}, token)
    records = [{"reference": "BANK-1", "customer_number": "7100001", "received_on": "2026-03-01", "amount": 1234.10},
               {"reference": "BANK-2", "customer_number": "7100001", "received_on": "2026-03-01", "amount": 1e3}]
    body = api.post("/api/v1/payments", {"records": records}, token).get_json()
    assert body["created"] == 2, body
    from models.billing import Payment

    assert sorted(db.session.scalars(select(Payment.amount))) == [Decimal("1000.00"), Decimal("1234.10")]
    assert db.session.scalar(select(func.count(Payment.id))) == 2


def test_a_nul_character_anywhere_refuses_the_batch_naming_record_and_field(api, token):
    batch = [_customer("7100001"), _customer("7100002", city="Pra\x00ha"), {"num\x00ber": "1"}]
    response = api.post("/api/v1/customers", {"records": batch}, token)
    assert response.status_code == 422
    assert [(e["record"], e["field"], e["reason"]) for e in response.get_json()["errors"]] == [
        (1, "city", "The value contains a NUL character."), (2, "num\x00ber", "The value contains a NUL character.")]
    assert _numbers() == []


def test_a_key_written_meanwhile_by_another_request_is_a_409_and_nothing_is_written(api, token, monkeypatch):
    """The database refuses what the checks let through when another request wrote the same key
    at the same moment (here: the customer appears between the lookup and the insert)."""
    from services.imports import customers

    api.post("/api/v1/customers", {"records": [_customer("7100009")]}, token)
    apply = customers.apply

    def racing(values):
        if values["number"] == "7100002":
            written = {k: v for k, v in values.items() if k != "user"} | {"number": "7100009"}
            db.session.add(Customer(**written))  # what the other request wrote
            db.session.flush()
        return apply(values)

    monkeypatch.setattr(customers, "apply", racing)
    batch = [_customer("7100001"), _customer("7100002")]
    response = api.post("/api/v1/customers", {"records": batch}, token)
    assert response.status_code == 409 and response.mimetype == PROBLEM
    assert response.get_json()["written"] is False
    assert _numbers() == ["7100009"]
    monkeypatch.setattr(customers, "apply", apply)
    assert api.post("/api/v1/customers", {"records": batch}, token).status_code == 200
    assert _numbers() == ["7100001", "7100002", "7100009"]
