"""Configuration: sensible defaults that need nothing, overridden by an instance
config file (instance/portal.cfg) and then by environment variables."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from web.private_files import private_folder, secret_in


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to fix."""


class Defaults:
    ENV_NAME = "development"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "cs"
    BABEL_DEFAULT_TIMEZONE = "Europe/Prague"
    LANGUAGES = ("cs", "en")
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "portal_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)  # absolute session timeout
    SESSION_IDLE_MINUTES = 30
    SIGN_IN_MAX_FAILURES = 5  # wrong passwords in a row before the account rests
    SIGN_IN_LOCK_MINUTES = 15
    CREDENTIALS_VALID_DAYS = 30  # how long the two-part first credentials work
    CREDENTIALS_MAX_ATTEMPTS = 5  # wrong tries against one customer number before its codes rest
    CREDENTIALS_REST_MINUTES = 15
    READ_ONLY_MONTHS_AFTER_CONTRACT = 6
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    MAIL_DEFAULT_SENDER = ("Zákaznický portál", "portal@energie.example")
    MAIL_SERVER = None  # without a server, e-mails stay queued for the back office to read
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_TIMEOUT = 10
    OUTBOX_MAX_ATTEMPTS = 8
    # A sender thread per process (services/outbox.py) sends each e-mail right after the
    # commit that queued it, and wakes every OUTBOX_POLL_SECONDS to retry, with a back-off
    # from OUTBOX_RETRY_SECONDS doubling per attempt. Off: only `flask send-mail` sends.
    OUTBOX_WORKER = True
    OUTBOX_POLL_SECONDS = 60
    OUTBOX_RETRY_SECONDS = 60
    # Background jobs (services/jobs.py: the back office's imports). With REDIS_URL the commit
    # that queues a job pushes its id onto the list JOBS_REDIS_KEY for `flask jobs work`;
    # without it a thread in each process runs them (JOBS_WORKER: None = on except under
    # TESTING). Runners look for queued jobs every JOBS_POLL_SECONDS; a running job stores its
    # progress at most every JOBS_PROGRESS_SECONDS.
    REDIS_URL = None
    JOBS_REDIS_KEY = "portal:jobs"
    JOBS_WORKER = None
    JOBS_POLL_SECONDS = 5
    JOBS_PROGRESS_SECONDS = 0.5
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # Per-user limits on what a customer sends (web/limits.py): far above what a person
    # does, low enough that a script cannot flood the back office or the outbox.
    ACTION_LIMITS = {"reading": "100 per hour", "ticket": "20 per hour", "reply": "60 per hour",
                     "change": "20 per hour", "invite": "20 per hour"}
    # The JSON API (/api/v1): requests per client (its token's client; per address without a
    # token), shared by all its operations; the largest push, in records and in bytes; the most
    # changes one pull returns.
    API_RATE_LIMIT = "600 per minute"
    API_MAX_RECORDS = 5000
    API_MAX_BODY_BYTES = 10 * 1024 * 1024
    API_MAX_PULL = 1000
    PORTAL_BASE_URL = "http://127.0.0.1:5000"
    SUPPLIER_NAME = "Energie Praha a.s."
    SUPPLIER_ADDRESS = ("Vinohradská 2828/151", "130 00 Praha 3")
    SUPPLIER_COMPANY_ID = "27376516"
    SUPPLIER_VAT_ID = "CZ27376516"
    SUPPLIER_BANK_ACCOUNT = "2001234588/2010"
    SUPPLIER_IBAN = "CZ6220100000002001234588"
    # kWh per cubic metre of gas, to turn gas meter readings into energy (the distributor's
    # published calorific value; about 10.5 in the Czech network).
    GAS_KWH_PER_M3 = 10.55
    # Service levels of requests and service tickets: business hours to handle them, per priority,
    # counted within the business hours (Prague time) on Czech working days.
    SERVICE_LEVEL_HOURS = {"critical": 4, "high": 8, "normal": 24, "low": 40}
    BUSINESS_HOURS = (8, 16)
    # How long after a ticket is resolved the customer may re-open it.
    TICKET_REOPEN_DAYS = 14
    TICKET_MAX_ATTACHMENTS = 5
    # Staff sign in with a code from an authenticator app too (enrolled at the first sign-in).
    # None: required in production only, so that the demo and development accounts work as they are.
    STAFF_TWO_FACTOR_REQUIRED = None
    # The language of e-mails to staff (staff accounts have no language of their own).
    BACKOFFICE_LOCALE = "cs"
    PREFERRED_URL_SCHEME = "http"
    BOOTSTRAP_SERVE_LOCAL = True  # no CDN: Bootstrap 5 comes from the Bootstrap-Flask package


# Settings read from the environment, with the type they are converted to.
ENVIRONMENT_SETTINGS = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "RATELIMIT_STORAGE_URI": str,
    "REDIS_URL": str,
    "PORTAL_BASE_URL": str,
    "SESSION_IDLE_MINUTES": int,
    "ENV_NAME": str,
}


def _convert(kind, raw: str):
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


def load_config(app, overrides: dict | None = None) -> None:
    app.config.from_object(Defaults)
    instance = Path(app.instance_path)
    private_folder(instance)  # the secret key and the SQLite database live here (services/private_files)
    app.config.from_pyfile(str(instance / "portal.cfg"), silent=True)
    for name, kind in ENVIRONMENT_SETTINGS.items():
        env_name = "PORTAL_ENV" if name == "ENV_NAME" else name
        if os.environ.get(env_name):
            app.config[name] = _convert(kind, os.environ[env_name])
    if overrides:
        app.config.update(overrides)

    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{instance / 'portal.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app.config["SQLALCHEMY_DATABASE_URI"] = url

    production = app.config["ENV_NAME"] == "production"
    if app.config["STAFF_TWO_FACTOR_REQUIRED"] is None:
        app.config["STAFF_TWO_FACTOR_REQUIRED"] = production
    if production:
        _check_production(app)
        app.config.setdefault("SESSION_COOKIE_SECURE", True)
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)


def _check_production(app) -> None:
    problems = []
    if not app.config.get("SECRET_KEY") or len(app.config["SECRET_KEY"]) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if app.debug or os.environ.get("FLASK_DEBUG") in {"1", "true"}:
        problems.append("debug mode must be off")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not app.config.get(
        "ALLOW_SQLITE_IN_PRODUCTION"
    ):
        problems.append("DATABASE_URL should point at PostgreSQL")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems) + ".")


def _instance_secret(instance: Path) -> str:
    """A secret generated once into the instance folder (0600 from the start) and reused afterwards."""
    return secret_in(instance / "secret_key")
