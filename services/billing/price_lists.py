"""Which price list applies to a supply point on a day."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models.metering import SupplyPoint
from models.price_lists import PriceList


def current_price_lists(points: list[SupplyPoint], today: date) -> dict[int, PriceList]:
    """The price list valid today for each supply point (by its product and, where a product has
    several, its distribution tariff), with one query however many points there are."""
    product_ids = {p.product_id for p in points if p.product_id}
    if not product_ids:
        return {}
    candidates = db.session.scalars(
        select(PriceList).where(PriceList.product_id.in_(product_ids), PriceList.valid_on(today))
        .order_by(PriceList.valid_from.desc(), PriceList.id).options(selectinload(PriceList.items))
    ).all()
    chosen = {}
    for point in points:
        mine = [c for c in candidates if c.product_id == point.product_id]
        exact = [c for c in mine if c.distribution_tariff in (None, point.distribution_tariff)]
        if exact or mine:
            chosen[point.id] = (exact or mine)[0]
    return chosen


def current_price_list(point: SupplyPoint, today: date) -> PriceList | None:
    return current_price_lists([point], today).get(point.id)
