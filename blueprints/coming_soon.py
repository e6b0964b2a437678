"""Placeholder pages for modules whose issue has not landed yet: an honest page
that says what will be here, behind the same access rules as the real module."""
from __future__ import annotations

from flask import render_template

from blueprints.navigation import NavItem
from services.access import PortalBlueprint


def coming_soon_blueprint(item: NavItem) -> PortalBlueprint:
    bp = PortalBlueprint(item.module, __name__, url_prefix=item.url_prefix, module=item.module)

    @bp.route("/")
    def index():
        return render_template("coming_soon.html", item=item)

    return bp
