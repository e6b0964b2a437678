"""The signed-in person's own settings: password, sessions, and e-mails about new documents."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from forms.accounts import ChangePasswordForm, DisableTwoFactorForm, EnableTwoFactorForm, NoticePreferencesForm
from forms.common import ConfirmForm
from models.base import utcnow
from models.sessions import SessionEnd
from models.users import PortalUserState
from services import audit
from services.access import accounts_of
from services.accounts import account_notices, two_factor
from services.accounts.sessions import end_sessions_of, open_sessions, own_open_session_or_none
from services.messaging import notices as document_notices
from web.portal_blueprint import PortalBlueprint
from web.sessions import current_session, end_session, start_session

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
            # Every session ends, this one too; this device goes on in a new one.
            end_sessions_of(user, SessionEnd.PASSWORD_CHANGED)
            audit.record("password_changed", user)
            account_notices.notify(user, "password_changed")
            start_session(user)
            db.session.commit()
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("profile.index"))
    return _page(user, form=form)


@bp.route("/notices", methods=["POST"])
def notices():
    """E-mails about new documents: every one or none, and the invoice PDF attached."""
    user = current_user._get_current_object()
    form = NoticePreferencesForm()
    if form.validate_on_submit():
        document_notices.set_preferences(user, form.document_notices.data, form.invoice_pdf_by_email.data)
        db.session.commit()
        flash(_("Your choice of e-mails about new documents is saved."), "success")
        return redirect(url_for("profile.index"))
    return _page(user, notices_form=form)


def _page(user, *, form=None, notices_form=None):
    """The profile page; the form not being submitted shows what is saved."""
    return render_template("profile/index.html", form=form or ChangePasswordForm(formdata=None),
                           notices_form=notices_form or NoticePreferencesForm(formdata=None, obj=user),
                           sign_out_form=ConfirmForm(), sessions=open_sessions(user), this_session=current_session())


@bp.route("/switch-account", methods=["POST"])
def switch_account():
    """Act for another customer of the same person, without signing in again; the
    scope (and so every right) is recomputed from that access on the next request."""
    form = ConfirmForm()
    person = current_user._get_current_object()
    wanted = request.form.get("account", type=int)
    access = next((a for a in accounts_of(person) if a.id == wanted), None)
    if not form.validate_on_submit() or access is None:
        abort(404)
    if access.state == PortalUserState.INVITED:
        access.state = PortalUserState.ACTIVE  # an access given to an existing login: taken up by using it
        audit.record("invitation_accepted", access, customer_id=access.customer_id)
    session["acting_user_id"] = access.id
    audit.record("switched_account", access, customer_id=access.customer_id)
    db.session.commit()
    flash(_("You are now acting for %(customer)s.", customer=access.customer.name), "info")
    return redirect(url_for("dashboard.index"))


@bp.route("/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere():
    form = ConfirmForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        end_sessions_of(user, SessionEnd.SIGNED_OUT_EVERYWHERE)
        audit.record("signed_out_everywhere", user)
        db.session.commit()
        end_session()
        flash(_("You have been signed out on every device."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
def end_one_session(session_id):
    """Sign out one of the person's other devices (a phone left somewhere, a shared computer)."""
    user = current_user._get_current_object()
    record = own_open_session_or_none(user, session_id)
    if record is None or not ConfirmForm().validate_on_submit():
        abort(404)
    if record is current_session():
        end_session()
        flash(_("You have been signed out."), "info")
        return redirect(url_for("auth.sign_in"))
    record.ended_at, record.end_reason = utcnow(), SessionEnd.ENDED_ELSEWHERE
    audit.record("session_ended", user, details={"session": record.id})
    db.session.commit()
    flash(_("That device has been signed out."), "info")
    return redirect(url_for("profile.index"))


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor_setup():
    """Enrolment: a new secret is kept in the session until the person proves, with
    a code from the app, that the app has it; only then is it saved."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        return render_template("profile/two_factor_on.html", form=DisableTwoFactorForm())
    secret = session.get("totp_enrolment") or two_factor.new_secret()
    session["totp_enrolment"] = secret
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        if not user.check_password(form.password.data):
            form.password.errors.append(_("The password is not right."))
        elif two_factor.code_is_valid(secret, form.code.data):
            user.totp_secret = secret
            user.totp_enabled_at = utcnow()
            codes = two_factor.new_recovery_codes(user)
            audit.record("two_factor_enabled", user)
            account_notices.notify(user, "two_factor_enabled")
            db.session.commit()
            session.pop("totp_enrolment", None)
            return render_template("profile/recovery_codes.html", codes=codes)
        else:
            form.code.errors.append(_("The code is not right. Check the time on your phone and try again."))
    uri = two_factor.provisioning_uri(secret, user.email)
    return render_template("profile/two_factor_setup.html", form=form, secret=secret,
                           qr=two_factor.qr_data_uri(uri))


@bp.route("/two-factor/off", methods=["POST"])
def two_factor_off():
    user = current_user._get_current_object()
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        if user.check_password(form.password.data):
            user.totp_secret = None
            user.totp_enabled_at = None
            user.recovery_codes.clear()
            audit.record("two_factor_disabled", user)
            account_notices.notify(user, "two_factor_disabled")
            db.session.commit()
            flash(_("Two-factor sign-in is off."), "info")
            return redirect(url_for("profile.index"))
        form.password.errors.append(_("The password is not right."))
    return render_template("profile/two_factor_on.html", form=form)
