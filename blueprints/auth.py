"""Signing in and out of the customer portal, and the language switch."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from extensions import db, limiter
from forms.accounts import ForgottenPasswordForm, ResetPasswordForm, SecondFactorForm, SignInForm
from models.sessions import SessionEnd
from models.users import PortalUser, PortalUserState
from services import audit
from services.accounts import account_notices, password_reset, sign_in as sign_in_rules, two_factor
from services.accounts.sessions import end_sessions_of
from web.portal_blueprint import PortalBlueprint
from web.safe_redirect import safe_next
from web.sessions import complete_sign_in, end_session

bp = PortalBlueprint("auth", __name__)

@bp.public_route("/sign-in", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user, password_ok = sign_in_rules.check_password(PortalUser, email, form.password.data,
                                                         PortalUser.login_id.is_(None))
        if user and password_ok and sign_in_rules.may_sign_in(user):
            sign_in_rules.password_right(user)
            target = safe_next(request.args.get("next")) or url_for("dashboard.index")
            if user.has_two_factor:
                db.session.commit()
                two_factor.start_pending_sign_in(PENDING, user, target)
                return redirect(url_for("auth.second_factor"))
            complete_sign_in(user)
            return redirect(target)
        if user:
            sign_in_rules.password_failed(user)
        sign_in_rules.failed_sign_in(PortalUser, email, user)
        # One message for every failure: it must not tell whether the account exists.
        flash(_("The e-mail or password is not right, or the account is not active."), "danger")
    return render_template("auth/sign_in.html", form=form)


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
            complete_sign_in(user)
            return redirect(target)
        if not two_factor.count_wrong_code(PENDING, user):
            flash(_("Too many wrong codes. Sign in again."), "danger")
            return redirect(url_for("auth.sign_in"))
        form.code.errors.append(_("The code is not right. Check the time on your phone and try again."))
    return render_template("auth/second_factor.html", form=form)


@bp.public_route("/forgotten-password", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        # Not the rights (selectin by default): loading them would be work only an account causes.
        user = db.session.scalars(select(PortalUser).where(func.lower(PortalUser.email) == email,
                                                           PortalUser.login_id.is_(None))
                                  .options(lazyload(PortalUser.rights))).first()
        # The same answer and the same work (an e-mail queued, an audit entry, a commit) whether or
        # not the address has an account: neither the page nor the time it takes tells.
        if user and user.state == PortalUserState.ACTIVE:
            password_reset.send_reset_link(user)
            audit.record("password_reset_requested", user, actor=user)
        else:
            password_reset.send_no_account_notice(email)
            audit.record("password_reset_without_account", actor=email)
        db.session.commit()
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
        end_sessions_of(user, SessionEnd.PASSWORD_CHANGED)
        user.failed_sign_ins = 0
        user.failed_codes = 0
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
