"""Which price list applies to a supply point on a day."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from extensions import db
from models.metering import SupplyPoint
from models.price_lists import PriceList


def current_price_list(point: SupplyPoint, today: date) -> PriceList | None:
    if point.product_id is None:
        return None
    candidates = db.session.scalars(
        select(PriceList).where(PriceList.product_id == point.product_id, PriceList.valid_on(today))
        .order_by(PriceList.valid_from.desc())
    ).all()
    # The one for the point's distribution tariff, if the product has several.
    for price_list in candidates:
        if price_list.distribution_tariff in (None, point.distribution_tariff):
            return price_list
    return candidates[0] if candidates else None
