"""The back office's queue of flagged self-readings: each with the register's history
beside it, accepted or rejected with a reason the customer sees."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from admin_views.security import StaffAccessMixin
from extensions import db
from forms.metering import ReadingDecisionForm
from models.metering import MeterReading, ReadingState
from models.users import StaffRole
from services import labels
from services.metering import readings
from web.downloads import send_stored_file

QUEUE_SIZE = 200
HISTORY_ROWS = 12


class ReadingReview(StaffAccessMixin, BaseView):
    roles = (StaffRole.TECHNICIAN, StaffRole.CLERK)

    @expose("/")
    def index(self):
        queue = db.session.scalars(readings.review_queue().limit(QUEUE_SIZE)).all()
        return self.render("admin/reading_queue.html", queue=queue)

    @expose("/<int:reading_id>", methods=["GET", "POST"])
    def review(self, reading_id):
        reading = db.session.get(MeterReading, reading_id) or abort(404)
        form = ReadingDecisionForm()
        accepting = "accept" in request.form
        if form.validate_on_submit():
            reason = (form.reason.data or "").strip()
            if reading.state != ReadingState.SUBMITTED:
                flash(_("This reading has already been decided."), "error")
            elif not accepting and not reason:
                form.reason.errors.append(_("Say why, so that the customer understands."))
            else:
                readings.decide(reading, current_user._get_current_object(), accepting, reason or None)
                db.session.commit()
                flash(_("The reading has been decided."), "success")
                return redirect(url_for(".index"))
        history = db.session.scalars(
            select(MeterReading).where(MeterReading.register_id == reading.register_id, MeterReading.id != reading.id)
            .order_by(MeterReading.read_on.desc()).limit(HISTORY_ROWS)
        ).all()
        accepted = [r for r in reversed(history) if r.state == ReadingState.ACCEPTED]
        per_day = readings.usual_per_day(reading.register, accepted)
        return self.render("admin/reading_review.html", reading=reading, form=form, history=history,
                           per_day=per_day, register_label=readings.register_label,
                           state_labels=labels.READING_STATES, kind_labels=labels.READING_KINDS)

    @expose("/<int:reading_id>/photo")
    def photo(self, reading_id):
        reading = db.session.get(MeterReading, reading_id)
        if reading is None or reading.photo is None:
            abort(404)
        return send_stored_file(reading.photo)


def register(admin, db_):
    admin.add_view(ReadingReview(name=_l("Readings to check"), endpoint="bo_reading_review", url="reading-review",
                                 category=_l("Work")))
