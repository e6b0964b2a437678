"""The signed-in person's own settings: password and sessions."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from forms.profile import ChangePasswordForm, ConfirmForm
from services import audit
from services.access import PortalBlueprint
from services.sessions import end_session, start_session

bp = PortalBlueprint("profile", __name__, url_prefix="/profile")


@bp.route("/", methods=["GET", "POST"])
def index():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is not right."))
        elif form.check_rules(user):
            user.set_password(form.new_password.data)
            user.session_version += 1  # other devices are signed out
            audit.record("password_changed", user)
            db.session.commit()
            start_session(user)
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("profile.index"))
    return render_template("profile/index.html", form=form, sign_out_form=ConfirmForm())


@bp.route("/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere():
    form = ConfirmForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.session_version += 1
        audit.record("signed_out_everywhere", user)
        db.session.commit()
        end_session()
        flash(_("You have been signed out on every device."), "info")
    return redirect(url_for("auth.sign_in"))
