"""The back office's home page and its own staff sign-in."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, session, url_for
from flask_admin import AdminIndexView, expose
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.security import StaffAccessMixin
from extensions import db, limiter
from forms.accounts import StaffCodeForm, StaffSignInForm
from models.base import utcnow
from models.users import StaffRole, StaffUser
from services import audit, labels
from services.access import is_staff_user
from services.accounts import sign_in as sign_in_rules, two_factor
from web.safe_redirect import safe_next
from web.sessions import complete_sign_in, end_session

PENDING = "pending_staff_sign_in"


def _pending_user() -> StaffUser | None:
    return two_factor.pending_sign_in_user(PENDING, StaffUser)


def _one_more_wrong_code(user: StaffUser) -> bool:
    """False after too many: the password is asked for again (after the account's rest)."""
    if two_factor.count_wrong_code(PENDING, user):
        return True
    flash(_("Too many wrong codes. Sign in again."), "error")
    return False


def _filtered_list_url(view, column: str, value: str) -> str:
    """The list view opened on the rows whose `column` equals `value` (its "equals" filter)."""
    for arg, (_index, flt) in (view._filter_args or {}).items():
        if getattr(flt.column, "key", None) == column and isinstance(flt, FilterEqual):
            return url_for(f"{view.endpoint}.index_view", **{f"flt0_{arg}": value})
    return url_for(f"{view.endpoint}.index_view")


class BackOfficeHome(StaffAccessMixin, AdminIndexView):
    # The home page is every staff member's way in (sign-in, second factor and sign-out
    # answer even before sign-in, see _handle_view); views without roles are for
    # administrators only, so this one says who it is for.
    roles = tuple(StaffRole)

    @expose("/")
    def index(self):
        if not self.is_accessible():
            return self.inaccessible_callback("index")
        from admin_views.overview import home_figures, my_tasks

        me = current_user._get_current_object()
        views = {view.endpoint: view for view in self.admin._views}

        def may(endpoint: str) -> bool:
            return endpoint in views and views[endpoint].is_accessible()

        def list_url(endpoint: str, column: str, value: str) -> str:
            return _filtered_list_url(views[endpoint], column, value)

        return self.render("admin/home.html", figures=home_figures(me, may, list_url), now=utcnow(),
                           tasks=my_tasks(me) if may("bo_ticket_desk") else None,
                           role_label=labels.STAFF_ROLES.get(me.role, me.role))

    @expose("/sign-in", methods=["GET", "POST"])
    @limiter.limit("20 per minute", methods=["POST"])
    def sign_in(self):
        form = StaffSignInForm()
        if form.validate_on_submit():
            email = form.email.data.strip().lower()
            user, password_ok = sign_in_rules.check_password(StaffUser, email, form.password.data)
            if user and password_ok and sign_in_rules.may_sign_in(user):
                sign_in_rules.password_right(user)
                db.session.commit()
                target = safe_next(request.args.get("next")) or url_for("admin.index")
                if user.has_two_factor or current_app.config["STAFF_TWO_FACTOR_REQUIRED"]:
                    two_factor.start_pending_sign_in(PENDING, user, target)
                    return redirect(url_for(".second_factor" if user.has_two_factor else ".enrol_two_factor"))
                return self._complete_sign_in(user, target)
            if user:
                sign_in_rules.password_failed(user)
            sign_in_rules.failed_sign_in(StaffUser, email, user)
            # One message for every failure, resting accounts included: it tells nothing.
            flash(_("The e-mail or password is not right, or the account is not active."), "error")
        return self.render("admin/sign_in.html", form=form)

    @expose("/sign-in/code", methods=["GET", "POST"])
    @limiter.limit("20 per minute", methods=["POST"])
    def second_factor(self):
        """The second step: a code from the authenticator app."""
        user = _pending_user()
        if user is None or not user.has_two_factor:
            return redirect(url_for(".sign_in"))
        form = StaffCodeForm()
        if form.validate_on_submit():
            if two_factor.code_is_valid(user.totp_secret, form.code.data):
                return self._complete_sign_in(user, session[PENDING]["next"])
            if not _one_more_wrong_code(user):
                return redirect(url_for(".sign_in"))
            form.code.errors.append(_("The code is not right. Check the time on your phone and try again."))
        return self.render("admin/second_factor.html", form=form)

    @expose("/sign-in/set-up-code", methods=["GET", "POST"])
    @limiter.limit("20 per minute", methods=["POST"])
    def enrol_two_factor(self):
        """First sign-in where codes are required: the app is set up before the back office opens.
        The new secret stays in the pending sign-in until a code proves the app has it."""
        user = _pending_user()
        if user is None or user.has_two_factor:
            return redirect(url_for(".sign_in"))
        pending = session[PENDING]
        secret = pending.setdefault("secret", two_factor.new_secret())
        session[PENDING] = pending
        form = StaffCodeForm()
        if form.validate_on_submit():
            if two_factor.code_is_valid(secret, form.code.data):
                user.totp_secret = secret
                audit.record("staff_two_factor_enabled", user, actor=user)
                return self._complete_sign_in(user, pending["next"])
            if not _one_more_wrong_code(user):
                return redirect(url_for(".sign_in"))
            form.code.errors.append(_("The code is not right. Check the time on your phone and try again."))
        uri = two_factor.provisioning_uri(secret, user.email)
        return self.render("admin/two_factor_enrol.html", form=form, secret=secret, qr=two_factor.qr_data_uri(uri))

    def _complete_sign_in(self, user: StaffUser, target: str):
        complete_sign_in(user)  # a new session: the pending sign-in goes with the old one
        return redirect(target)

    @expose("/sign-out", methods=["POST"])
    def sign_out(self):
        if is_staff_user():
            end_session()
        return redirect(url_for("admin.sign_in"))

    def is_visible(self):
        return True

    def _handle_view(self, name, **kwargs):
        # Sign-in and sign-out must answer to people who are not signed in yet.
        if name in ("sign_in", "second_factor", "enrol_two_factor", "sign_out"):
            return None
        return super()._handle_view(name, **kwargs)
