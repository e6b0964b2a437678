"""Engine set-up that the factory applies once per application."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from extensions import db
from web.private_files import create_private_file, make_private

SQLITE_BUSY_TIMEOUT_MS = 5000


def configure_sqlite(app) -> None:
    """WAL journal and a busy timeout on every SQLite connection, so that several
    gunicorn workers can read while one writes and wait for each other's locks."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine
    _keep_private(engine.url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if app.config["SQLALCHEMY_DATABASE_URI"] not in ("sqlite://", "sqlite:///:memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _keep_private(url) -> None:
    """The database file is created 0600 before SQLite opens it: SQLite gives its -wal and -shm
    (and a rollback journal) the database file's own mode, whatever the umask. Files left wider
    by an earlier start are tightened."""
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:") or url.query.get("uri"):
        return  # in memory, or an SQLite URI whose options decide
    path = Path(name)
    create_private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        make_private(path.with_name(path.name + suffix))
