"""The application factory: one WSGI app serves the customer portal and the back office."""
from __future__ import annotations

import os

from flask import Flask

from config import load_config


def create_app(config: dict | None = None) -> Flask:
    # The instance folder holds the SQLite database and the generated secret key.
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or None)
    load_config(app, config)

    from extensions import babel, bootstrap, csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)

    import models  # noqa: F401  (registers every table with the metadata)
    from services import i18n, labels
    from web import bad_input, database, security, sessions

    database.configure_sqlite(app)
    i18n.init_app(app, babel)
    labels.init_app(app)
    sessions.init_app(app, login_manager)
    security.init_app(app)
    bad_input.init_app(app)

    from blueprints import register_blueprints

    register_blueprints(app)

    from blueprints.api import init_api

    init_api(app)  # the JSON API for the supplier's systems, /api/v1

    from admin_views import init_admin

    init_admin(app)

    from services import jobs, outbox
    from web.cli import register_commands

    outbox.init_app(app)
    jobs.init_app(app)
    register_commands(app)
    return app
