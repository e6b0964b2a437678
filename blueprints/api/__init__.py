"""The JSON API for the supplier's systems, under /api/v1: push the records of every import kind
(services.imports.KINDS, read when the app is made: one operation per kind), pull what customers
submit from the change feed (services.api.feed.TOPICS), the OpenAPI 3.1 document and its
reference page.

Bearer tokens only (blueprints/api/auth.py): no CSRF (no cookie authorises anything here), no
session cookie read or set (web/sessions.py); errors as problem details (web/problems.py); a rate
limit per client; every call in the audit log, except those the rate limit refuses (logged)."""
from __future__ import annotations

import logging

from flask import Blueprint, g, render_template, request
from sqlalchemy.exc import SQLAlchemyError

from blueprints.api import auth, openapi, views
from blueprints.api.schemas import TOPIC_SCHEMAS
from extensions import csrf, db
from services import audit
from services.api import clients, feed
from services.imports import KINDS
from web.problems import is_api_request

log = logging.getLogger("portal")
# Endpoints anyone may read: the document and its page describe the API, they open nothing.
PUBLIC = {"api.openapi_document", "api.reference"}


def init_api(app) -> None:
    bp = Blueprint("api", __name__, url_prefix=openapi.PREFIX)
    scopes: dict[str, str] = {}
    for kind in KINDS:
        view = views.push_view(kind)
        bp.add_url_rule(f"/{kind}", view_func=view, methods=["POST"])
        scopes[f"api.{view.__name__}"] = clients.push_scope(kind)
    pages = {}
    for topic in feed.TOPICS:
        page = views.page_schema(topic, views.change_schema(topic))
        view = views.pull_view(topic, page)
        bp.add_url_rule(f"/{topic}", view_func=view, methods=["GET"])
        scopes[f"api.{view.__name__}"] = clients.pull_scope(topic)
        pages[topic] = (page, TOPIC_SCHEMAS[topic])
    document = openapi.build(dict(KINDS), pages, {k: app.config[k] for k in ("API_MAX_RECORDS", "API_MAX_PULL")})

    @bp.before_request
    def authorise():
        if request.endpoint not in PUBLIC:
            auth.require(scopes[request.endpoint])

    @bp.route("/openapi.json")
    def openapi_document():
        return document

    @bp.route("/docs")
    def reference():
        return render_template("api/reference.html", document=document)

    csrf.exempt(bp)
    auth.API_LIMIT(bp)
    app.register_blueprint(bp)
    app.after_request(_audit)


def _audit(response):
    """One audit entry per call (client, operation, outcome), and the token's last use."""
    if not is_api_request() or request.endpoint in PUBLIC:
        return response
    operation = (request.endpoint or "").removeprefix("api.") or f"{request.method} {request.path}"[:100]
    if response.status_code == 429:
        # Not a row per refused call: a flood would write the audit log full.
        log.warning("api: rate limit refused %s for %s", operation, auth.limit_key())
        return response
    found = auth.current_authentication()
    details = {"operation": operation, "status": response.status_code, **g.get("api_outcome", {})}
    if found is None or found.refusal is not None:
        details["refusal"] = found.refusal if found is not None else "no token"
    try:
        if found is not None and found.refusal is None:
            clients.touch(found.token)
        audit.record("api_request", details=details, actor=auth.current_client() or "api: no valid token")
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("api: could not audit %s", operation)
    return response
