"""Meter readings: the history and monthly consumption of each supply point, and the
self-reading form where the supply point and the user's rights allow it."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from extensions import db
from forms.metering import reading_form_for
from models.metering import Meter, MeterReading, ReadingState, SupplyPoint
from models.users import Module
from services import labels
from services.access import acting_user, visible, visible_or_404
from services.metering import consumption, readings
from web.downloads import send_stored_file
from web.limits import action_limit
from web.portal_blueprint import PortalBlueprint

bp = PortalBlueprint("readings", __name__, url_prefix="/readings", module=Module.READINGS)
HISTORY_ROWS = 60
# Months before the chart's first month, to find the meter's value on its first day
# (the distributor reads every six months).
CHART_LEAD_DAYS = 200


@bp.route("/")
def index():
    points = db.session.scalars(visible(SupplyPoint).order_by(SupplyPoint.state, SupplyPoint.identifier)).all()
    if len(points) == 1:
        return redirect(url_for(".history", point_id=points[0].id))
    return render_template("readings/index.html", points=points, may_self_read=readings.may_self_read)


@bp.route("/<int:point_id>")
def history(point_id):
    point = visible_or_404(SupplyPoint, point_id)
    rows = db.session.scalars(
        visible(MeterReading, MeterReading.supply_point_id == point.id)
        .options(selectinload(MeterReading.register))
        .order_by(MeterReading.read_on.desc(), MeterReading.id.desc()).limit(HISTORY_ROWS)
    ).all()
    since = consumption.month_starts(date.today())[0] - timedelta(days=CHART_LEAD_DAYS)
    accepted = db.session.scalars(
        visible(MeterReading, MeterReading.supply_point_id == point.id, MeterReading.state == ReadingState.ACCEPTED,
                MeterReading.read_on >= since).options(selectinload(MeterReading.register))
    ).all()
    monthly = consumption.monthly(accepted)
    unit = readings.unit_of(point)
    return render_template("readings/history.html", point=point, rows=rows, monthly=monthly, unit=unit,
                           chart=consumption.chart(monthly, unit) if monthly else None,
                           meters=readings.active_meters(point), may_self_read=readings.may_self_read(point),
                           state_labels=labels.READING_STATES, kind_labels=labels.READING_KINDS,
                           reason_labels=labels.READING_REASONS,
                           register_label=readings.register_label)


def _meter_for_self_reading(point_id: int, meter_id: int) -> tuple[SupplyPoint, Meter]:
    """The supply point (scoped) and its active meter, or 404 when self-reading is not allowed."""
    point = visible_or_404(SupplyPoint, point_id)
    meter = next((m for m in readings.active_meters(point) if m.id == meter_id), None)
    if meter is None or not readings.may_self_read(point):
        abort(404)
    return point, meter


@bp.route("/<int:point_id>/meters/<int:meter_id>/new", methods=["GET", "POST"])
@action_limit("reading")
def new(point_id, meter_id):
    point, meter = _meter_for_self_reading(point_id, meter_id)
    unit = readings.unit_of(point)
    labels = {r.id: _("Reading %(register)s (%(unit)s)", register=readings.register_label(r), unit=unit)
              for r in meter.registers}
    form = reading_form_for(meter, labels)
    unusual = []
    if form.validate_on_submit():
        try:
            checks = readings.check(meter, form.read_on.data, form.values())
        except readings.ReadingRefused as refused:
            for name, message in refused.errors.items():
                form[name].errors.append(message)
        else:
            unusual = [c for c in checks if c.unusual and c.same_day is None]
            if unusual and not form.confirm_unusual.data:
                form.confirm_unusual.errors.append(_("The value is far above your usual consumption. Check it; if it "
                                                     "is right, tick the box and send it again. We will check it."))
            else:
                return _store(point, meter, checks, form, flagged=bool(unusual))
    return render_template("readings/new.html", point=point, meter=meter, form=form, unusual=unusual, unit=unit)


def _store(point, meter, checks, form, flagged: bool):
    try:
        stored = readings.record(point, checks, form.read_on.data, form.reason.data, form.stored_photo, acting_user())
        db.session.commit()
    except IntegrityError:
        # The same reading sent twice at the same moment: the first one is stored.
        db.session.rollback()
        stored = []
    if not stored:
        flash(_("This reading is already stored."), "info")
    elif flagged:
        flash(_("Thank you. The reading is unusually high, so we will check it and let you know."), "warning")
    else:
        flash(_("Thank you, the reading is accepted."), "success")
    return redirect(url_for(".history", point_id=point.id))


@bp.route("/photos/<int:reading_id>")
def photo(reading_id):
    reading = visible_or_404(MeterReading, reading_id)
    if reading.photo is None:
        abort(404)
    return send_stored_file(reading.photo)
