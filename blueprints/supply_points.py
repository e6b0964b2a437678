"""Supply points: what the customer is supplied where, by which meters, under which
contract and price list, and the signed contract to download."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models.contracts import Contract, contract_supply_points
from models.metering import Commodity, Meter, SupplyPoint
from models.users import Module
from services.access import visible, visible_or_404
from services.billing.price_lists import current_price_list
from services.metering.identifiers import distributor_for_ean
from services.metering.readings import may_self_read
from web.downloads import send_stored_file
from web.portal_blueprint import PortalBlueprint

bp = PortalBlueprint("supply_points", __name__, url_prefix="/supply-points", module=Module.SUPPLY_POINTS)


@bp.route("/")
def index():
    points = db.session.scalars(visible(SupplyPoint).options(selectinload(SupplyPoint.product))
                                .order_by(SupplyPoint.state, SupplyPoint.identifier)).all()
    return render_template("supply_points/index.html", points=points)


@bp.route("/<int:point_id>")
def detail(point_id):
    point = visible_or_404(SupplyPoint, point_id)
    meters = db.session.scalars(select(Meter).where(Meter.supply_point_id == point.id)
                                .options(selectinload(Meter.registers)).order_by(Meter.installed_on.desc())).all()
    # The distributor named by the EAN's tenth digit, only for an EAN whose check digit is right.
    distributor = distributor_for_ean(point.identifier) if point.commodity == Commodity.ELECTRICITY else None
    return render_template("supply_points/detail.html", point=point, meters=meters, contracts=_contracts_of(point),
                           distributor=distributor,
                           price_list=current_price_list(point, date.today()), may_self_read=may_self_read(point))


def _contracts_of(point: SupplyPoint) -> list[Contract]:
    return db.session.scalars(
        visible(Contract).join(contract_supply_points, contract_supply_points.c.contract_id == Contract.id)
        .where(contract_supply_points.c.supply_point_id == point.id).order_by(Contract.valid_from.desc())
    ).all()


@bp.route("/<int:point_id>/contracts/<int:contract_id>/document")
def contract_document(point_id, contract_id):
    """The signed contract, only through a supply point the user may see."""
    point = visible_or_404(SupplyPoint, point_id)
    contract = visible_or_404(Contract, contract_id, Contract.concerns_supply_points(frozenset({point.id})))
    if contract.signed_document is None:
        abort(404)
    return send_stored_file(contract.signed_document)
