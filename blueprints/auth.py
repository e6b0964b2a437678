"""Signing in and out of the customer portal, and the language switch."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db, limiter
from forms.auth import SignInForm
from forms.profile import ForgottenPasswordForm, ResetPasswordForm, SecondFactorForm
from models.base import utcnow
from models.users import PortalUser, PortalUserState
from services import account_notices, audit, password_reset, two_factor
from services.access import PortalBlueprint
from services.safe_redirect import safe_next
from services.sessions import end_session, start_session
from services.sign_in import check_password

bp = PortalBlueprint("auth", __name__)

@bp.public_route("/sign-in", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user, password_ok = check_password(PortalUser, email, form.password.data, PortalUser.login_id.is_(None))
        now = utcnow()
        locked = user is not None and user.locked_until is not None and user.locked_until > now
        if user and password_ok and user.state == PortalUserState.ACTIVE and not locked:
            user.failed_sign_ins = 0
            user.locked_until = None
            target = safe_next(request.args.get("next")) or url_for("dashboard.index")
            if user.has_two_factor:
                db.session.commit()
                two_factor.start_pending_sign_in(PENDING, user, target)
                return redirect(url_for("auth.second_factor"))
            _complete_sign_in(user)
            return redirect(target)
        if user and not locked:
            _count_failure(user, now)
        audit.record("sign_in_failed", details={"email": email[:254], "locked": locked}, actor=email[:254],
                     customer_id=user.customer_id if user else None)
        db.session.commit()
        # One message for every failure: it must not tell whether the account exists.
        flash(_("The e-mail or password is not right, or the account is not active."), "danger")
    return render_template("auth/sign_in.html", form=form)


def _complete_sign_in(user: PortalUser) -> None:
    user.last_sign_in_at = utcnow()
    audit.record("sign_in", user, actor=user)
    db.session.commit()
    start_session(user)


PENDING = "pending_sign_in"


@bp.public_route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def second_factor():
    """The second step for users with two-factor sign-in: a code from the app."""
    user = two_factor.pending_sign_in_user(PENDING, PortalUser)
    if user is None:
        return redirect(url_for("auth.sign_in"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if two_factor.check_second_factor(user, form.code.data):
            target = session[PENDING]["next"]
            _complete_sign_in(user)
            return redirect(target)
        if not two_factor.count_wrong_code(PENDING, user, "second_factor_failed"):
            flash(_("Too many wrong codes. Sign in again."), "danger")
            return redirect(url_for("auth.sign_in"))
        form.code.errors.append(_("The code is not right. Check the time on your phone and try again."))
    return render_template("auth/second_factor.html", form=form)


def _count_failure(user: PortalUser, now) -> None:
    """After several wrong passwords in a row the account rests for a while."""
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= current_app.config["SIGN_IN_MAX_FAILURES"]:
        user.locked_until = now + timedelta(minutes=current_app.config["SIGN_IN_LOCK_MINUTES"])
        user.failed_sign_ins = 0
        audit.record("account_locked", user, actor="system")


@bp.public_route("/forgotten-password", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(select(PortalUser).where(func.lower(PortalUser.email) == email,
                                                           PortalUser.login_id.is_(None))).first()
        if user and user.state == PortalUserState.ACTIVE:
            password_reset.send_reset_link(user)
            audit.record("password_reset_requested", user, actor=user)
            db.session.commit()
        # The same answer whether or not the address has an account.
        flash(_("If the address belongs to an account, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/forgotten_password.html", form=form)


@bp.public_route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = password_reset.user_for_token(token)
    if user is None:
        flash(_("The link is not valid any more. Ask for a new one."), "danger")
        return redirect(url_for("auth.forgotten_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit() and form.check_rules(user):
        user.set_password(form.new_password.data)
        user.session_version += 1  # ends every other session
        user.failed_sign_ins = 0
        user.locked_until = None
        audit.record("password_reset", user, actor=user)
        account_notices.notify(user, "password_reset")
        db.session.commit()
        flash(_("Your new password is set. Sign in with it."), "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


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
