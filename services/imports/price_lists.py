"""Price lists from the billing system, keyed by the price list's code, one row per price item
(the list's own fields repeated on each of its rows, or left empty after the first; the rows
of one code need not follow one another). A changed set of items replaces the list's items;
the PDF (`pdf`, a file in the ZIP, see archive) is kept, replaced or left as contracts' is."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models.customers import Segment
from models.metering import Commodity
from models.price_lists import PriceItem, PriceList, Product
from services.imports import archive
from services.imports.cells import RecordError, choice, day, number, on_line, optional, optional_day, required
from services.imports.groups import grouped, same_fields
from services.messaging import notices

KEY = "code"
HEADER = ("code", "name", "commodity", "product_code", "distribution_tariff", "segment", "valid_from", "valid_to",
          "pdf")
ITEM = ("component", "unit", "price_without_vat", "vat_rate")
FIELDS = HEADER + ITEM
MAX_PRICE = Decimal("1e8")  # NUMERIC(12, 4)


def read(data: bytes, filename: str = "") -> Iterator[tuple[int, dict]]:
    """One record per price list, its rows under "rows"."""
    return grouped(archive.read(data, filename), KEY)


def parse(record: dict) -> dict:
    code = required(record, "code", 40)
    same_fields(record, HEADER)
    commodity = choice(record, "commodity", Commodity)
    product_id = None
    product_code = optional(record, "product_code", 20)
    if product_code is not None:
        product = db.session.execute(select(Product.id, Product.commodity)
                                     .where(Product.code == product_code)).one_or_none()
        if product is None:
            raise RecordError("product_code", _l("No product has the code %(code)s.", code=product_code))
        if product.commodity != commodity:
            raise RecordError("product_code", _l("The product is for another commodity."))
        product_id = product.id
    valid_from, valid_to = day(record, "valid_from"), optional_day(record, "valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise RecordError("valid_to", _l("The price list ends before it starts."))
    items = []
    for line, row in record["rows"]:
        with on_line(line):
            items.append(_item(row))
    return {"code": code, "name": required(record, "name", 200), "commodity": commodity, "product_id": product_id,
            "distribution_tariff": optional(record, "distribution_tariff", 10),
            "segment": choice(record, "segment", Segment, default=Segment.HOUSEHOLD.value),
            "valid_from": valid_from, "valid_to": valid_to, "items": items, "pdf": archive.attachment(record, "pdf")}


def apply(values: dict) -> str:
    items, content = values.pop("items"), values.pop("pdf")
    price_list = db.session.scalars(select(PriceList).where(PriceList.code == values["code"])).one_or_none()
    if price_list is None:
        price_list = PriceList(**values, items=[PriceItem(**item) for item in items])
        archive.store_pdf(price_list, "pdf", content, f"{price_list.code}.pdf")
        db.session.add(price_list)
        db.session.flush()
        notices.announce_price_list(price_list)  # once, when it has its PDF and is valid
        return "created"
    changed = {k: v for k, v in values.items() if getattr(price_list, k) != v}
    for name, value in changed.items():
        setattr(price_list, name, value)
    if [_item_key(**item) for item in items] != [_item_key(i.component, i.unit, i.price_without_vat, i.vat_rate)
                                                 for i in price_list.items]:
        price_list.items = [PriceItem(**item) for item in items]
        changed["items"] = True
    if archive.store_pdf(price_list, "pdf", content, f"{price_list.code}.pdf"):
        changed["pdf"] = True
        db.session.flush()
        notices.announce_price_list(price_list)
    return "updated" if changed else "unchanged"


def _item(row: dict) -> dict:
    price = number(row, "price_without_vat", 4, negative=False)
    if price >= MAX_PRICE:
        raise RecordError("price_without_vat", _l("A price below 100 000 000."))
    vat_rate = number(row, "vat_rate", 2, default="21", negative=False)
    if vat_rate > 100:
        raise RecordError("vat_rate", _l("A VAT rate is a percentage from 0 to 100."))
    return {"component": required(row, "component", 200), "unit": required(row, "unit", 20),
            "price_without_vat": price, "vat_rate": vat_rate}


def _item_key(component, unit, price_without_vat, vat_rate) -> tuple:
    """An item as it compares: the stored numerics read back exactly (SQLite returns floats' digits)."""
    return (component, unit, Decimal(str(price_without_vat)).quantize(Decimal("0.0001")),
            Decimal(str(vat_rate)).quantize(Decimal("0.01")))
