"""Supply points: what the customer is supplied where, by which meters, under which
contract and price list, the signed contract to download, and the consumption measured by a
smart meter (a month by day, a day by interval, each with its table and CSV)."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from forms.metering import ConsumptionPeriodForm
from models.contracts import Contract, contract_supply_points
from models.interval_data import BillingInformation, IntervalDay
from models.metering import Commodity, Meter, SupplyPoint
from models.users import Module
from services.access import current_scope, visible, visible_or_404
from services.billing.price_lists import current_price_list
from services.i18n import kwh
from services.metering import interval_data
from services.metering.identifiers import distributor_for_ean
from services.metering.readings import may_self_read
from web.downloads import send_bytes, send_stored_file
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
                           price_list=current_price_list(point, date.today()), may_self_read=may_self_read(point),
                           has_interval_data=interval_data.latest_day(_interval_days(point)) is not None)


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


def _interval_days(point: SupplyPoint):
    return visible(IntervalDay, IntervalDay.supply_point_id == point.id)


def _period(point: SupplyPoint):
    """The form and the (month, day) it asks for, or the latest data where it asks for none
    or for something it refuses (its errors say what)."""
    form = ConsumptionPeriodForm(request.args)
    valid = form.validate()
    period = interval_data.period(_interval_days(point), form.month.data if valid else None,
                                  form.day.data if valid else None)
    return form, period


@bp.route("/<int:point_id>/consumption")
def consumption(point_id):
    point = visible_or_404(SupplyPoint, point_id)
    form, (month, day) = _period(point)
    if month is None:
        return render_template("supply_points/consumption.html", point=point, form=form, month=None)
    if not form.errors:  # the fields show what the page shows
        form.month.data, form.day.data = month, day
    days = _interval_days(point)
    totals = interval_data.month_totals(days, month)
    values = interval_data.day_values(days, day) if day else None
    information = db.session.scalars(visible(BillingInformation, BillingInformation.supply_point_id == point.id)
                                     .order_by(BillingInformation.month.desc()).limit(24)).all() \
        if current_scope().may(Module.DOCUMENTS) else []
    return render_template(
        "supply_points/consumption.html", point=point, form=form, month=month, day=day, totals=totals,
        month_total=sum(wh for _, wh in totals if wh), days_with_data=sum(1 for _, wh in totals if wh is not None),
        month_chart=interval_data.month_chart(totals, kwh), values=values,
        day_chart=interval_data.day_chart(values, kwh) if values else None, information=information,
        previous_month=interval_data.previous_month(month), next_month=interval_data.next_month(month))


@bp.route("/<int:point_id>/consumption/month.csv")
def consumption_month_csv(point_id):
    point = visible_or_404(SupplyPoint, point_id)
    form, (month, _day) = _period(point)
    if form.errors or month is None:
        return _back_to_consumption(point, _("There is no consumption to download for this choice."))
    totals = interval_data.month_totals(_interval_days(point), month)
    return send_bytes(interval_data.month_csv(point.identifier, totals), "text/csv",
                      f"spotreba-{point.identifier}-{month:%Y-%m}.csv")


@bp.route("/<int:point_id>/consumption/day.csv")
def consumption_day_csv(point_id):
    point = visible_or_404(SupplyPoint, point_id)
    form, (_month, day) = _period(point)
    values = interval_data.day_values(_interval_days(point), day) if day and not form.errors else None
    if values is None:
        return _back_to_consumption(point, _("There is no consumption to download for this choice."))
    return send_bytes(interval_data.day_csv(point.identifier, values), "text/csv",
                      f"spotreba-{point.identifier}-{day.isoformat()}.csv")


def _back_to_consumption(point: SupplyPoint, message: str):
    flash(message, "warning")
    return redirect(url_for(".consumption", point_id=point.id, **{k: v for k, v in request.args.items()
                                                                  if k in ("month", "day")}))

