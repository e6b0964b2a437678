"""The first page after sign-in: what needs the customer's attention, per module."""
from __future__ import annotations

from flask import render_template

from blueprints.navigation import items_for
from services.access import acting_user, current_scope
from web.portal_blueprint import PortalBlueprint

bp = PortalBlueprint("dashboard", __name__)


@bp.route("/")
def index():
    scope = current_scope()
    return render_template(
        "dashboard.html",
        customer=acting_user().customer,
        modules=items_for(scope.modules),
    )
