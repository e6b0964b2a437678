"""Registers the portal's blueprints: one per module."""
from __future__ import annotations

from flask_login import current_user

from blueprints import (
    account,
    activation,
    auth,
    changes,
    dashboard,
    documents,
    invoices,
    messages,
    price_lists,
    profile,
    readings,
    supply_points,
    tickets,
    users,
)
from blueprints.navigation import NAVIGATION, items_for
from models.users import Module
from services.messaging import messages as messages_service

# Each module of the navigation and its blueprint.
MODULE_BLUEPRINTS: dict = {Module.ACCOUNT: account.bp, Module.CHANGES: changes.bp, Module.INVOICES: invoices.bp,
                           Module.SUPPLY_POINTS: supply_points.bp, Module.READINGS: readings.bp,
                           Module.REQUESTS: tickets.requests_bp, Module.SERVICE: tickets.service_bp,
                           Module.MESSAGES: messages.bp, Module.DOCUMENTS: documents.bp,
                           Module.PRICE_LISTS: price_lists.bp}


# Counts shown beside navigation items (e.g. unread messages): module -> callable(scope).
NAV_BADGES: dict = {Module.MESSAGES: messages_service.unread_count}


def register_blueprints(app) -> None:
    from services.access import accounts_of, acting_user, current_scope, is_portal_user

    @app.context_processor
    def portal_navigation():
        if not is_portal_user():
            return {"portal_user": False, "navigation": [], "nav_badges": {}, "read_only": True}
        scope = current_scope()
        badges = {m: count(scope) for m, count in NAV_BADGES.items() if scope.may(m)}
        person = current_user._get_current_object()
        return {"portal_user": True, "navigation": items_for(scope.modules), "nav_badges": badges,
                "read_only": scope.read_only,
                "acting": acting_user(), "accounts": accounts_of(person) if person.linked_accesses else [person]}

    app.register_blueprint(auth.bp)
    app.register_blueprint(activation.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(profile.bp)
    app.register_blueprint(users.bp)
    for item in NAVIGATION:
        app.register_blueprint(MODULE_BLUEPRINTS[item.module])
