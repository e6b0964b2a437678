"""Administrators import the supplier's files from the back office: upload → a dry run with
counts and errors → apply, each a background job whose page shows its progress."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, url_for
from flask_admin import BaseView, expose
from flask_babel import format_decimal, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from admin_views.security import StaffAccessMixin
from extensions import db
from forms.common import ConfirmForm
from forms.imports import ImportForm
from models.jobs import Job
from models.users import StaffRole
from services import jobs, labels
from services.imports import job as import_job

RECENT = 30


def _import_job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.kind != import_job.KIND:
        abort(404)
    return job


def _progress_text(done: int, total: int | None) -> str:
    if total is None:
        return _("Counting the records …")
    return _("%(done)s of %(total)s records", done=format_decimal(done), total=format_decimal(total))


class ImportDesk(StaffAccessMixin, BaseView):
    roles = (StaffRole.ADMINISTRATOR,)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        form = ImportForm()
        if form.validate_on_submit():
            job = import_job.start_dry_run(form.kind.data, form.stored_file, all_or_nothing=form.all_or_nothing.data,
                                           staff=current_user._get_current_object())
            db.session.commit()
            return redirect(url_for(".job", job_id=job.id))
        recent = db.session.scalars(
            select(Job).where(Job.kind == import_job.KIND).order_by(Job.id.desc()).limit(RECENT)
            .options(joinedload(Job.created_by), joinedload(Job.file))
        ).all()
        return self.render("admin/imports.html", form=form, jobs=recent, kind_label=labels.import_kind_label,
                           state_labels=labels.JOB_STATES)

    @expose("/jobs/<int:job_id>")
    def job(self, job_id):
        job = _import_job_or_404(job_id)
        done, total = jobs.progress_of(job)
        return self.render("admin/import_job.html", job=job, done=done, total=total,
                           progress_text=_progress_text(done, total), kind_label=labels.import_kind_label,
                           state_labels=labels.JOB_STATES, form=ConfirmForm())

    @expose("/jobs/<int:job_id>/progress")
    def progress(self, job_id):
        """What the job page's script polls while the job waits or runs."""
        job = _import_job_or_404(job_id)
        done, total = jobs.progress_of(job)
        return jsonify(state=job.state, state_label=str(labels.JOB_STATES[job.state]), done=done, total=total,
                       text=_progress_text(done, total), finished=job.finished)

    @expose("/jobs/<int:job_id>/apply", methods=["POST"])
    def apply(self, job_id):
        dry_run = _import_job_or_404(job_id)
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            job = import_job.start_apply(dry_run, current_user._get_current_object())
            db.session.commit()
        except import_job.NotApplicable as refused:
            db.session.rollback()
            flash(str(refused), "error")
            return redirect(url_for(".job", job_id=dry_run.id))
        except IntegrityError:  # applied at the same moment from another tab
            db.session.rollback()
            flash(_("This import cannot be applied (again)."), "error")
            return redirect(url_for(".job", job_id=dry_run.id))
        flash(_("The import is being applied."), "success")
        return redirect(url_for(".job", job_id=job.id))


def register(admin, db_):
    admin.add_view(ImportDesk(name=_l("Import data"), endpoint="bo_import", url="import",
                              category=_l("Administration")))
