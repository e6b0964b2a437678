"""Signing in and out of the customer portal, and the language switch."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db, limiter
from forms.auth import SignInForm
from models.base import utcnow
from models.users import PortalUser, PortalUserState
from services import audit
from services.access import PortalBlueprint
from services.safe_redirect import safe_next
from services.sessions import end_session, start_session

bp = PortalBlueprint("auth", __name__)

# A hash to check against when the e-mail is unknown, so that the answer takes the
# same time whether or not an account exists (no user enumeration by timing).
_DUMMY = PortalUser()
_DUMMY.set_password("not a real password, only for constant timing")


@bp.public_route("/sign-in", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(select(PortalUser).where(func.lower(PortalUser.email) == email)).first()
        password_ok = (user or _DUMMY).check_password(form.password.data)
        if user and password_ok and user.state == PortalUserState.ACTIVE:
            user.last_sign_in_at = utcnow()
            audit.record("sign_in", user, actor=user)
            db.session.commit()
            start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
        audit.record("sign_in_failed", details={"email": email[:254]}, actor=email[:254],
                     customer_id=user.customer_id if user else None)
        db.session.commit()
        flash(_("The e-mail or password is not right, or the account is not active."), "danger")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    end_session()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.public_route("/language/<code>", methods=["POST"])
def language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("dashboard.index"))
