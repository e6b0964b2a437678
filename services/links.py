"""Absolute links to the portal for e-mails, built from PORTAL_BASE_URL so that they
also work outside a request (cron jobs, CLI commands, tests)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def portal_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["PORTAL_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
