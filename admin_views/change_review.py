"""The back office's queue of change requests and the page that decides one."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from admin_views.security import StaffAccessMixin
from extensions import db
from forms.changes import DecisionForm
from models.changes import ChangeKind, ChangeRequest, ChangeState
from models.users import StaffRole
from services import changes, labels
from services.billing import advances


class ChangeQueue(StaffAccessMixin, BaseView):
    roles = (StaffRole.CLERK,)

    @expose("/")
    def index(self):
        queue = db.session.scalars(
            select(ChangeRequest).where(ChangeRequest.state.in_([ChangeState.SUBMITTED, ChangeState.IN_REVIEW]))
            .order_by(ChangeRequest.submitted_at).limit(200)
        ).all()
        return self.render("admin/change_queue.html", queue=queue, kind_labels=labels.CHANGE_KINDS)

    @expose("/<int:request_id>", methods=["GET", "POST"])
    def review(self, request_id):
        change = db.session.get(ChangeRequest, request_id)
        if change is None:
            abort(404)
        form = DecisionForm()
        conflicts = changes.conflicts(change)
        rejecting = "reject" in request.form
        if rejecting and form.is_submitted() and not (form.reason.data or "").strip():
            form.reason.errors = [_("Say why, so that the customer understands.")]
        elif form.validate_on_submit():
            staff = current_user._get_current_object()
            version = int(form.version.data or 0)
            try:
                if rejecting:
                    changes.reject(change, staff, version, form.reason.data.strip())
                else:
                    changes.approve(change, staff, version, confirm_conflicts="confirm_conflicts" in request.form)
                db.session.commit()
            except changes.ChangeConflict:
                db.session.rollback()
                flash(_("The customer's data changed since the request was made. Check it and confirm."), "error")
            except (changes.AlreadyDecided, StaleDataError):
                db.session.rollback()
                flash(_("Someone else has already decided this request."), "error")
                return redirect(url_for(".review", request_id=request_id))
            else:
                flash(_("The request has been decided."), "success")
                return redirect(url_for(".index"))
            change = db.session.get(ChangeRequest, request_id)
        form.version.data = change.version_id
        current = {f.field: getattr(change.target, f.field) for f in change.fields}
        # For a new advance amount, what the consumption and prices suggest, beside the request.
        recommendation = (advances.recommend(change.advance_schedule)
                          if change.kind == ChangeKind.ADVANCE_AMOUNT and change.advance_schedule else None)
        return self.render("admin/change_review.html", change=change, form=form, current=current,
                           recommendation=recommendation,
                           conflicts=conflicts, labels=labels.CHANGE_FIELDS, kind_labels=labels.CHANGE_KINDS,
                           state_labels=labels.CHANGE_STATES)


def register(admin, db_):
    admin.add_view(ChangeQueue(name=_l("Change requests to decide"), endpoint="bo_change_queue",
                               url="change-queue", category=_l("Work")))
