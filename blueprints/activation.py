"""Activating the first access: customer number + part 1 (letter) + part 2 (e-mail),
then the person chooses a password and is signed in."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from extensions import db, limiter
from forms.accounts import ActivationForm
from models.base import utcnow
from models.users import PortalUserState
from services import audit
from services.accounts import credentials
from web.portal_blueprint import PortalBlueprint
from web.sessions import start_session

bp = PortalBlueprint("activation", __name__)


@bp.public_route("/activate", methods=["GET", "POST"])
# Per address, beside the per-customer rest of the codes (services.accounts.credentials.verify).
@limiter.limit("10 per minute;60 per hour", methods=["POST"])
def activate():
    form = ActivationForm()
    if form.validate_on_submit():
        issue = credentials.verify(form.customer_number.data, form.part1.data, form.part2.data)
        if issue is None:
            audit.record("activation_failed", details={"customer_number": form.customer_number.data[:20]},
                         actor="anonymous")
            db.session.commit()
            # One message for every failure: it tells nothing about which part was wrong.
            flash(_("The activation did not succeed. Check the customer number and both parts of the code. "
                    "After several wrong tries the codes rest for %(minutes)s minutes; if it keeps failing after "
                    "that, ask us for new ones.", minutes=current_app.config["CREDENTIALS_REST_MINUTES"]), "danger")
        elif form.check_rules(issue.portal_user):
            user = issue.portal_user
            issue.used_at = utcnow()
            user.set_password(form.new_password.data)
            user.state = PortalUserState.ACTIVE
            user.last_sign_in_at = utcnow()
            audit.record("activated", user, actor=user)
            start_session(user)
            db.session.commit()
            flash(_("Your access is active. Welcome to the customer portal."), "success")
            return redirect(url_for("dashboard.index"))
        else:
            db.session.rollback()
    return render_template("auth/activate.html", form=form)
