"""Contracts from the CRM, keyed by contract number, with the customer's supply points they
cover and the signed contract (a PDF in the ZIP, see archive).

A contract stays its customer's: a known number with another customer is refused. The signed
PDF is compared by its SHA-256: the same bytes change nothing, other bytes replace the stored
file (the old one is deleted; the CRM keeps the history); an empty cell keeps what is stored."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models.contracts import Contract
from models.customers import Customer
from models.metering import SupplyPoint
from models.price_lists import Product
from services.imports import archive
from services.imports.cells import RecordError, day, optional_day, required

KEY = "number"
FIELDS = ("number", "customer_number", "product_code", "valid_from", "valid_to", "supply_points", "signed_pdf")
read = archive.read  # a ZIP with the signed PDFs, or a plain file


def parse(record: dict) -> dict:
    number = required(record, "number", 20)
    customer_number = required(record, "customer_number", 10)
    customer_id = db.session.scalar(select(Customer.id).where(Customer.number == customer_number))
    if customer_id is None:
        raise RecordError("customer_number", _l("No customer has the number %(number)s.", number=customer_number))
    code = required(record, "product_code", 20)
    product = db.session.execute(select(Product.id, Product.commodity).where(Product.code == code)).one_or_none()
    if product is None:
        raise RecordError("product_code", _l("No product has the code %(code)s.", code=code))
    valid_from, valid_to = day(record, "valid_from"), optional_day(record, "valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise RecordError("valid_to", _l("The contract ends before it starts."))
    return {"number": number, "customer_id": customer_id, "product_id": product.id, "valid_from": valid_from,
            "valid_to": valid_to, "supply_point_ids": _supply_points(record, customer_id, product.commodity),
            "signed_pdf": archive.attachment(record, "signed_pdf")}


def apply(values: dict) -> str:
    point_ids, content = values.pop("supply_point_ids"), values.pop("signed_pdf")
    contract = db.session.scalars(select(Contract).where(Contract.number == values["number"])).one_or_none()
    if contract is None:
        contract = Contract(**values)
        contract.supply_points = db.session.scalars(select(SupplyPoint).where(SupplyPoint.id.in_(point_ids))).all()
        archive.store_pdf(contract, "signed_document", content, f"{contract.number}.pdf")
        db.session.add(contract)
        return "created"
    if contract.customer_id != values["customer_id"]:
        raise RecordError("number", _l("Contract %(number)s belongs to another customer.", number=contract.number))
    changed = {k: v for k, v in values.items() if getattr(contract, k) != v}
    for name, value in changed.items():
        setattr(contract, name, value)
    if {point.id for point in contract.supply_points} != set(point_ids):
        contract.supply_points = db.session.scalars(select(SupplyPoint).where(SupplyPoint.id.in_(point_ids))).all()
        changed["supply_points"] = point_ids
    if archive.store_pdf(contract, "signed_document", content, f"{contract.number}.pdf"):
        changed["signed_document"] = True
    return "updated" if changed else "unchanged"


def _supply_points(record: dict, customer_id: int, commodity: str) -> list[int]:
    """The ids of the customer's supply points the cell names (`,` or spaces between them)."""
    cell = required(record, "supply_points", 2000)
    identifiers = list(dict.fromkeys(part for part in re.split(r"[,;\s]+", cell) if part))
    found = {row.identifier: row for row in db.session.execute(
        select(SupplyPoint.identifier, SupplyPoint.id, SupplyPoint.customer_id, SupplyPoint.commodity)
        .where(SupplyPoint.identifier.in_(identifiers)))}
    for identifier in identifiers:
        point = found.get(identifier)
        if point is None:
            raise RecordError("supply_points", _l("No supply point has the identifier %(value)s.", value=identifier))
        if point.customer_id != customer_id:
            raise RecordError("supply_points", _l("Supply point %(value)s belongs to another customer.",
                                                  value=identifier))
        if point.commodity != commodity:
            raise RecordError("supply_points", _l("Supply point %(value)s is for another commodity than the product.",
                                                  value=identifier))
    return [found[identifier].id for identifier in identifiers]
