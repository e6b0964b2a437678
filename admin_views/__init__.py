"""The back office: Flask-Admin at /admin, for staff only."""
from __future__ import annotations

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from extensions import db


def init_admin(app) -> Admin:
    from admin_views import (
        accounts,
        api_clients,
        bank_queue,
        billing,
        change_review,
        changes,
        documents,
        import_desk,
        message_desk,
        messaging,
        metering,
        my_sessions,
        overview,
        reading_review,
        system,
        ticket_desk,
        tickets,
    )
    from admin_views.home import BackOfficeHome
    from web.security import csp_nonce

    admin = Admin(
        app,
        name=str(_l("Back office")),
        url="/admin",
        index_view=BackOfficeHome(name=_l("Home"), url="/admin", endpoint="admin"),
        theme=Bootstrap4Theme(swatch="default", fluid=True),  # the swatches fetch web fonts from a CDN
        csp_nonce_generator=csp_nonce,
    )
    # Each module adds its views; the order is the order of the back office's menu.
    for module in (accounts, my_sessions, overview, ticket_desk, message_desk, change_review, reading_review, metering,
                   billing, bank_queue, changes, tickets, messaging, documents, system, import_desk,
                   api_clients):
        module.register(admin, db)
    return admin
