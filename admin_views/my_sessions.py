"""Staff see where they are signed in to the back office and sign out a device they left."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from admin_views.security import StaffAccessMixin
from extensions import db
from models.base import utcnow
from models.sessions import SessionEnd
from models.users import StaffRole
from services import audit
from services.accounts.sessions import open_sessions, own_open_session_or_none
from web.sessions import current_session, end_session


class MySessions(StaffAccessMixin, BaseView):
    # Every member of staff manages their own sessions.
    roles = tuple(StaffRole)

    @expose("/")
    def index(self):
        me = current_user._get_current_object()
        return self.render("admin/my_sessions.html", sessions=open_sessions(me), this_session=current_session(),
                           form=FlaskForm())

    @expose("/<int:session_id>/end", methods=["POST"])
    def end(self, session_id):
        me = current_user._get_current_object()
        record = own_open_session_or_none(me, session_id)
        if record is None or not FlaskForm().validate_on_submit():
            abort(404)
        if record is current_session():
            end_session()
            return redirect(url_for("admin.sign_in"))
        record.ended_at, record.end_reason = utcnow(), SessionEnd.ENDED_ELSEWHERE
        audit.record("staff_session_ended", me, details={"session": record.id})
        db.session.commit()
        flash(_("That device has been signed out."), "success")
        return redirect(url_for(".index"))


def register(admin, db):
    admin.add_view(MySessions(name=_l("My sessions"), endpoint="bo_my_sessions", url="my-sessions",
                              category=_l("Administration")))
