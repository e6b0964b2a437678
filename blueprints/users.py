"""The account administrator manages the portal users of its customer: invites
colleagues (the same two-part delivery as the first credentials) and sets rights."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from forms.profile import ConfirmForm
from forms.users import InviteForm, RightsForm
from models.metering import SupplyPoint
from models.users import PortalUser, PortalUserRight, PortalUserState
from services import audit
from services.access import PortalBlueprint, acting_user, visible, visible_or_404
from services.limits import action_limit

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
        email = form.email.data.strip().lower()
        if db.session.scalar(select(func.count(PortalUser.id)).where(func.lower(PortalUser.email) == email)):
            form.email.errors.append(_("This e-mail already belongs to a portal user."))
        else:
            user = PortalUser(customer_id=acting_user().customer_id, email=email, name=form.name.data.strip(),
                              state=PortalUserState.INVITED)
            db.session.add(user)
            _apply_rights(user, form, points)
            db.session.flush()
            audit.record("user_invited", user, details={"modules": sorted(user.modules)})
            db.session.commit()
            flash(_("%(name)s has been invited. We will send the letter with part 1 to your correspondence "
                    "address and part 2 by e-mail to %(email)s.", name=user.name, email=user.email), "success")
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
            before = _apply_rights(user, form, points)
            user.session_version += 1  # new rights apply at the next sign-in, everywhere
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
        user.session_version += 1
        audit.record("user_disabled", user)
        db.session.commit()
        flash(_("%(name)s can no longer sign in.", name=user.name), "info")
    return redirect(url_for("users.index"))
