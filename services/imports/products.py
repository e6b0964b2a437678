"""Products from the billing system, keyed by product code."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models.metering import Commodity, SupplyPoint
from models.price_lists import PriceList, Product
from services.imports.cells import RecordError, choice, required

KEY = "code"
FIELDS = ("code", "name", "commodity")


def parse(record: dict) -> dict:
    return {"code": required(record, "code", 20), "name": required(record, "name", 100),
            "commodity": choice(record, "commodity", Commodity)}


def apply(values: dict) -> str:
    product = db.session.scalars(select(Product).where(Product.code == values["code"])).one_or_none()
    if product is None:
        db.session.add(Product(**values))
        return "created"
    changed = {k: v for k, v in values.items() if getattr(product, k) != v}
    if "commodity" in changed and _in_use(product):
        raise RecordError("commodity", _l("Supply points or price lists use this product: its commodity "
                                          "does not change."))
    for name, value in changed.items():
        setattr(product, name, value)
    return "updated" if changed else "unchanged"


def _in_use(product: Product) -> bool:
    return db.session.scalar(select(
        select(SupplyPoint.id).where(SupplyPoint.product_id == product.id).exists()
        | select(PriceList.id).where(PriceList.product_id == product.id).exists())) is True
