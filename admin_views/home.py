"""The back office's home page and its own staff sign-in."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_babel import gettext as _

from admin_views.security import StaffAccessMixin
from extensions import db, limiter
from forms.staff import StaffSignInForm
from models.base import utcnow
from models.users import StaffUser
from services import audit
from services.access import is_staff_user
from services.safe_redirect import safe_next
from services.sessions import end_session, start_session
from services.sign_in import check_password


class BackOfficeHome(StaffAccessMixin, AdminIndexView):
    @expose("/")
    def index(self):
        if not self.is_accessible():
            return self.inaccessible_callback("index")
        from admin_views.overview import home_figures

        return self.render("admin/home.html", figures=home_figures())

    @expose("/sign-in", methods=["GET", "POST"])
    @limiter.limit("20 per minute", methods=["POST"])
    def sign_in(self):
        form = StaffSignInForm()
        if form.validate_on_submit():
            email = form.email.data.strip().lower()
            user, password_ok = check_password(StaffUser, email, form.password.data)
            if user and password_ok and user.active:
                user.last_sign_in_at = utcnow()
                audit.record("staff_sign_in", user, actor=user)
                db.session.commit()
                start_session(user)
                return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
            audit.record("staff_sign_in_failed", details={"email": email[:254]}, actor=email[:254])
            db.session.commit()
            flash(_("The e-mail or password is not right, or the account is not active."), "error")
        return self.render("admin/sign_in.html", form=form)

    @expose("/sign-out", methods=["POST"])
    def sign_out(self):
        if is_staff_user():
            end_session()
        return redirect(url_for("admin.sign_in"))

    def is_visible(self):
        return True

    def _handle_view(self, name, **kwargs):
        # Sign-in and sign-out must answer to people who are not signed in yet.
        if name in ("sign_in", "sign_out"):
            return None
        return super()._handle_view(name, **kwargs)
