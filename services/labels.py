"""Human labels for stored codes (states, modules), in the user's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

PORTAL_USER_STATES = {
    "invited": _l("invited"),
    "active": _l("active"),
    "locked": _l("locked"),
    "disabled": _l("disabled"),
}

COMMODITIES = {"electricity": _l("Electricity"), "gas": _l("Gas")}
SUPPLY_POINT_STATES = {"active": _l("supplied"), "inactive": _l("not supplied")}


def module_label(module: str) -> str:
    from forms.users import MODULE_LABELS

    return str(MODULE_LABELS.get(module, module))


def init_app(app) -> None:
    app.jinja_env.filters["module_label"] = module_label

    @app.context_processor
    def labels():
        return {"state_labels": PORTAL_USER_STATES, "commodity_labels": COMMODITIES,
                "point_state_labels": SUPPLY_POINT_STATES}
