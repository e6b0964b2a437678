"""Configuration, database engine settings and migrations."""
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import text

from config import ConfigError
from extensions import db
from helpers import PG_URL
from portal import create_app


def test_runs_with_no_configuration_and_keeps_its_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    app1 = create_app()
    app2 = create_app()
    assert app1.config["SECRET_KEY"] == app2.config["SECRET_KEY"]
    assert len(app1.config["SECRET_KEY"]) >= 32
    assert (tmp_path / "secret_key").exists()
    assert app1.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.sqlite3'}"


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")
    monkeypatch.setenv("MAIL_PORT", "2525")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")
    assert app.config["MAIL_SERVER"] == "smtp.example.com"
    assert app.config["MAIL_PORT"] == 2525


def test_production_refuses_a_missing_secret(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://x@127.0.0.1/x"})


def test_production_refuses_debug(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="debug"):
        create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://x@127.0.0.1/x"})


def test_production_sets_secure_cookies(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://x@127.0.0.1/x"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["STAFF_TWO_FACTOR_REQUIRED"] is True
    response = app.test_client().get("/sign-in")
    assert "Strict-Transport-Security" in response.headers


@pytest.mark.skipif(bool(PG_URL), reason="SQLite engine settings")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migration_head_matches_the_models(make_app, tmp_path):
    """The migrations build the same schema as the models (SQLite or PostgreSQL)."""
    if PG_URL:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        from helpers import pg_url

        name = f"portal_mig_{tmp_path.name[-12:]}".lower().replace("-", "_")
        admin = create_engine(pg_url(make_url(PG_URL).database or "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = pg_url(name)
    else:
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 40})
    migrations = str(Path(__file__).resolve().parent.parent / "migrations")
    with app.app_context():
        upgrade(directory=migrations)
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    if PG_URL:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    assert diff == []


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def open_umask():
    """The usual umask (022), under which the files used to come out readable by everyone."""
    import os

    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_fresh_instance_keeps_its_secret_and_database_private(tmp_path, monkeypatch, open_umask):
    """Issue 14, item 11: the instance folder, the secret key, the SQLite database and its
    -wal and -shm files are for the owner only from the moment they exist."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "fresh" / "instance"
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(instance))
    app = create_app()
    database = instance / "portal.sqlite3"
    with app.app_context():
        db.create_all()
        with db.engine.connect() as conn:  # a write, and the connection still open: -wal and -shm exist
            conn.execute(text("CREATE TABLE probe (x INTEGER)"))
            conn.execute(text("INSERT INTO probe VALUES (1)"))
            conn.commit()
            modes = {name: _mode(instance / name) for name in ("secret_key", "portal.sqlite3",
                                                                 "portal.sqlite3-wal", "portal.sqlite3-shm")}
        db.engine.dispose()
    assert _mode(instance) == 0o700
    assert modes == {"secret_key": 0o600, "portal.sqlite3": 0o600, "portal.sqlite3-wal": 0o600,
                     "portal.sqlite3-shm": 0o600}
    assert database.stat().st_size > 0 and len((instance / "secret_key").read_text()) == 64
    assert [p.name for p in instance.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_an_instance_left_readable_by_an_earlier_version_is_tightened(tmp_path, monkeypatch, open_umask):
    """`instance/` comes from the git checkout as 0755; files of earlier versions were 0644."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    (instance / "secret_key").write_text("k" * 64)
    sqlite3.connect(instance / "portal.sqlite3").close()
    for name in ("secret_key", "portal.sqlite3"):
        (instance / name).chmod(0o644)
    (instance / "portal.sqlite3-wal").write_bytes(b"")
    (instance / "portal.sqlite3-wal").chmod(0o644)
    instance.chmod(0o755)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(instance))
    app = create_app()
    assert app.config["SECRET_KEY"] == "k" * 64  # the secret is kept, only its rights change
    assert _mode(instance) == 0o700
    for name in ("secret_key", "portal.sqlite3", "portal.sqlite3-wal"):
        assert _mode(instance / name) == 0o600, name


def test_the_secret_and_the_database_are_private_from_the_start_not_by_a_later_chmod(
        tmp_path, monkeypatch, open_umask):
    """The secret key used to be written 0644 and chmod-ed afterwards: readable in between (and
    for ever if the chmod never came). With every chmod made a no-op, the files are still 0600."""
    import os

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    monkeypatch.setattr(os, "fchmod", lambda *args, **kwargs: None)
    monkeypatch.setattr(Path, "chmod", lambda *args, **kwargs: None)
    create_app()
    assert _mode(tmp_path / "instance" / "secret_key") == 0o600
    assert _mode(tmp_path / "instance" / "portal.sqlite3") == 0o600
    assert _mode(tmp_path / "instance") == 0o700


def test_processes_starting_together_share_one_complete_secret(tmp_path):
    """The secret appears whole or not at all: each start either makes it or reads the winner's."""
    from concurrent.futures import ThreadPoolExecutor

    from web.private_files import secret_in

    path = tmp_path / "secret_key"
    with ThreadPoolExecutor(8) as pool:
        values = set(pool.map(lambda _: secret_in(path), range(32)))
    assert len(values) == 1 and len(values.pop()) == 64
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]
