"""Engine set-up that the factory applies once per application."""
from __future__ import annotations

from sqlalchemy import event

from extensions import db

SQLITE_BUSY_TIMEOUT_MS = 5000


def configure_sqlite(app) -> None:
    """WAL journal and a busy timeout on every SQLite connection, so that several
    gunicorn workers can read while one writes and wait for each other's locks."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if app.config["SQLALCHEMY_DATABASE_URI"] not in ("sqlite://", "sqlite:///:memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
