"""Test fixtures: an application with a fresh, real database for every test.

SQLite (default): the schema is built once into a template file that each test
copies. PostgreSQL (PORTAL_TEST_DATABASE_URL set): one database per test session,
emptied after each test."""
from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from extensions import db
from helpers import PG_URL, PortalClient, free_port, pg_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def base_config(tmp_path: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": None,
        # No sender thread: a test that counts or inspects e-mails calls send_due() itself
        # instead of racing a thread (tests/test_outbox_worker.py turns it on).
        "OUTBOX_WORKER": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "PORTAL_BASE_URL": "http://localhost",
    }


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Build the schema once; return a function that gives each test its database."""
    from portal import create_app

    if PG_URL:
        name = f"portal_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(pg_url(make_url(PG_URL).database or "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = pg_url(name)
        app = create_app(base_config(tmp_path_factory.mktemp("pg"), url))
        with app.app_context():
            db.create_all()
            tables = [t.name for t in db.metadata.sorted_tables]
            db.engine.dispose()

        def fresh(tmp_path):
            return url

        def clean(app):
            with app.app_context():
                db.session.remove()
                with db.engine.begin() as conn:
                    conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
                db.engine.dispose()

        yield fresh, clean
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        folder = tmp_path_factory.mktemp("template")
        template = folder / "template.sqlite3"
        app = create_app(base_config(folder, f"sqlite:///{template}"))
        with app.app_context():
            db.create_all()
            db.engine.dispose()

        def fresh(tmp_path):
            target = tmp_path / "test.sqlite3"
            shutil.copy(template, target)
            return f"sqlite:///{target}"

        def clean(app):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

        yield fresh, clean


@pytest.fixture
def make_app(database_template, tmp_path):
    fresh, clean = database_template
    apps = []

    def factory(**overrides):
        from portal import create_app

        config = base_config(tmp_path, fresh(tmp_path))
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        return app

    yield factory
    if apps:
        clean(apps[0])


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return PortalClient(app)


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback that collects what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Collect(Message):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

    handler = Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp_server):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        yield app
        db.session.remove()


# --- browser tests -------------------------------------------------------------

def pytest_collection_modifyitems(items):
    """Tests that rewrite the live server's shared demo data run last (a stable sort keeps
    the order of the rest), so no other browser test sees what they left behind —
    whatever their files are called."""
    items.sort(key=lambda item: item.get_closest_marker("changes_live_data") is not None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(live_app):
    return live_app.url


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, database_template):
    """The app with the demo data, served on a free loopback port for the session.
    Yields the app too (as `.app` beside `.url`) so that tests can read what it stored."""
    from werkzeug.serving import make_server

    from portal import create_app
    from services.demo_data import load_demo_data

    folder = tmp_path_factory.mktemp("live")
    if PG_URL:
        name = f"portal_live_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(pg_url(make_url(PG_URL).database or "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = pg_url(name)
    else:
        url = f"sqlite:///{folder / 'live.sqlite3'}"
    config = base_config(folder, url)
    config.update(TESTING=False, RATELIMIT_ENABLED=False)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        load_demo_data()
        db.session.remove()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.url = f"http://127.0.0.1:{port}"
    yield app
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    if PG_URL:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Czech, as the portal's users: the browser asks for Czech first.
    return {**browser_context_args, "locale": "cs-CZ"}
