"""The account administrator manages the portal users of its customer: invites
colleagues (the same two-part delivery as the first credentials) and sets rights."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from extensions import db
from forms.accounts import InviteForm, RightsForm
from forms.common import ConfirmForm
from models.metering import SupplyPoint
from models.sessions import SessionEnd
from models.users import PortalUser, PortalUserRight, PortalUserState
from services import audit
from services.access import acting_user, visible, visible_or_404
from services.accounts import invitations
from services.accounts.sessions import end_sessions_of
from services.api import feed
from web.limits import action_limit
from web.portal_blueprint import PortalBlueprint

bp = PortalBlueprint("users", __name__, url_prefix="/account/users", account_admin=True)


def _colleague_or_404(user_id: int) -> PortalUser:
    return visible_or_404(PortalUser, user_id)


def _prepare(form: RightsForm) -> list[SupplyPoint]:
    points = db.session.scalars(visible(SupplyPoint).order_by(SupplyPoint.identifier)).all()
    form.supply_points.choices = [(p.id, f"{p.identifier} – {p.address}") for p in points]
    return points


def _apply_rights(user: PortalUser, form: RightsForm, points: list[SupplyPoint]) -> dict:
    before = {"modules": sorted(user.modules), "supply_points": sorted(p.id for p in user.supply_points),
              "admin": user.is_account_admin}
    user.is_account_admin = bool(form.is_account_admin.data)
    user.rights[:] = [PortalUserRight(module=m) for m in sorted(set(form.modules.data or []))]
    chosen = set(form.supply_points.data or [])
    user.supply_points[:] = [p for p in points if p.id in chosen]
    return before


@bp.route("/")
def index():
    users = db.session.scalars(visible(PortalUser).order_by(PortalUser.name).limit(200)).all()
    return render_template("users/index.html", users=users)


@bp.route("/invite", methods=["GET", "POST"])
@action_limit("invite")
def invite():
    form = InviteForm()
    points = _prepare(form)
    if form.validate_on_submit():
        # The same answer whether or not the address signs in for another customer (services/invitations).
        user = invitations.invite(acting_user(), form.email.data, form.name.data.strip())
        if user is None:
            form.email.errors.append(_("This e-mail already belongs to a user of your account."))
        else:
            _apply_rights(user, form, points)
            db.session.flush()
            audit.record("user_invited", user, details={"modules": sorted(user.modules)})
            db.session.commit()
            flash(_("%(name)s has been invited; we have let them know by e-mail at %(email)s. Someone new to the "
                    "portal gets the letter with part 1 at your correspondence address and part 2 by e-mail.",
                    name=user.name, email=user.email), "success")
            return redirect(url_for("users.index"))
    return render_template("users/invite.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit(user_id):
    user = _colleague_or_404(user_id)
    form = RightsForm(obj=None)
    points = _prepare(form)
    if not form.is_submitted():
        form.modules.data = sorted(r.module for r in user.rights)
        form.supply_points.data = [p.id for p in user.supply_points]
        form.is_account_admin.data = user.is_account_admin
    if form.validate_on_submit():
        if user.id == acting_user().id and not form.is_account_admin.data:
            form.is_account_admin.errors.append(_("You cannot take away your own administrator right."))
        else:
            # The rights are read afresh on every request: they apply at once, everywhere.
            before = _apply_rights(user, form, points)
            audit.record("rights_changed", user, details={"before": before, "after": {
                "modules": sorted(user.modules), "supply_points": sorted(form.supply_points.data or []),
                "admin": user.is_account_admin}})
            db.session.commit()
            flash(_("The rights of %(name)s have been saved.", name=user.name), "success")
            return redirect(url_for("users.index"))
    return render_template("users/edit.html", form=form, user=user, disable_form=ConfirmForm())


@bp.route("/<int:user_id>/disable", methods=["POST"])
def disable(user_id):
    user = _colleague_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit() and user.id != acting_user().id:
        user.state = PortalUserState.DISABLED
        feed.changed(feed.PORTAL_USERS, user)
        end_sessions_of(user, SessionEnd.ACCOUNT_CHANGED)
        audit.record("user_disabled", user)
        db.session.commit()
        flash(_("%(name)s can no longer sign in.", name=user.name), "info")
    return redirect(url_for("users.index"))
