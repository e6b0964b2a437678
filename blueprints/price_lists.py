"""Price lists: the customer's current ones first (the products on its supply points,
valid today) with their items without and with VAT, then the segment's other valid
ones and an archive of past ones, each with its PDF."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template

from extensions import db
from models.metering import SupplyPoint
from models.price_lists import PriceList
from models.users import Module
from services.access import visible, visible_or_404
from services.billing.price_lists import current_price_lists
from web.downloads import send_stored_file
from web.portal_blueprint import PortalBlueprint

bp = PortalBlueprint("price_lists", __name__, url_prefix="/price-lists", module=Module.PRICE_LISTS)
ARCHIVE_LIMIT = 50


@bp.route("/")
def index():
    today = date.today()
    points = db.session.scalars(visible(SupplyPoint).order_by(SupplyPoint.identifier)).all()
    current: dict[int, tuple[PriceList, list[SupplyPoint]]] = {}
    chosen = current_price_lists(points, today)
    for point in points:
        if point.id in chosen:
            current.setdefault(chosen[point.id].id, (chosen[point.id], []))[1].append(point)
    others = db.session.scalars(visible(PriceList, PriceList.valid_on(today), PriceList.id.not_in(list(current) or [0]))
                                .order_by(PriceList.name)).all()
    product_ids = {p.product_id for p in points if p.product_id}
    archive = db.session.scalars(visible(PriceList, PriceList.ended_before(today),
                                         PriceList.product_id.in_(product_ids or {0}))
                                 .order_by(PriceList.valid_from.desc()).limit(ARCHIVE_LIMIT)).all()
    return render_template("price_lists/index.html", current=list(current.values()), others=others, archive=archive)


@bp.route("/<int:price_list_id>/pdf")
def pdf(price_list_id):
    price_list = visible_or_404(PriceList, price_list_id)
    if price_list.pdf is None:
        abort(404)
    return send_stored_file(price_list.pdf)
