"""Configuration, database engine settings and migrations."""
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import text

from config import ConfigError
from conftest import PG_URL
from extensions import db
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

        from conftest import _pg_url

        name = f"portal_mig_{tmp_path.name[-12:]}".lower().replace("-", "_")
        admin = create_engine(_pg_url(make_url(PG_URL).database or "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = _pg_url(name)
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
