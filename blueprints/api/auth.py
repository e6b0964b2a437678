"""Who calls the API: the bearer token of the Authorization header, and nothing else (no session
cookie is read under /api, see web/sessions.py). Each operation needs its scope; the rate limit
counts per client."""
from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_babel import lazy_gettext as _l

from extensions import limiter
from services.api import clients
from web.problems import Problem

MAX_SECRET = 200
REFUSALS = {
    "unknown": _l("The token is not known."),
    "revoked": _l("The token has been revoked."),
    "expired": _l("The token has expired."),
    "inactive": _l("The token's client has been switched off."),
}


def current_authentication() -> clients.Authentication | None:
    """The request's token (looked up once per request), or None without a bearer token."""
    if "api_authentication" not in g:
        g.api_authentication = _authenticate()
    return g.api_authentication


def _authenticate() -> clients.Authentication | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    if len(secret) > MAX_SECRET:
        return clients.Authentication(None, "unknown")
    return clients.authenticate(secret)


def current_client():
    """The client whose token the request carries (valid or not), for the audit log."""
    found = current_authentication()
    return found.client if found is not None else None


def problem_type(name: str) -> str:
    return url_for("api.reference", _external=True) + f"#{name}"


def require(scope: str):
    """The valid token of the request, which has `scope`; else 401 / 403 as problem details."""
    found = current_authentication()
    if found is None:
        raise Problem(401, _l("Send the token in the header Authorization: Bearer <token>."),
                      type_=problem_type("invalid-token"), headers={"WWW-Authenticate": 'Bearer realm="api"'})
    if found.refusal is not None:
        raise Problem(401, REFUSALS[found.refusal], type_=problem_type("invalid-token"),
                      headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})
    if not found.token.allows(scope):
        raise Problem(403, _l("This token does not have the scope %(scope)s.", scope=scope),
                      type_=problem_type("missing-scope"),
                      headers={"WWW-Authenticate": f'Bearer realm="api", error="insufficient_scope", scope="{scope}"'})
    return found.token


def limit_key() -> str:
    """Flask-Limiter's key: the client of a valid token, else the caller's address."""
    found = current_authentication()
    if found is not None and found.refusal is None:
        return f"api-client:{found.token.client_id}"
    return f"api-address:{request.remote_addr}"


# Created once: Flask-Limiter keeps the limits of a blueprint in a set, so every app the
# factory makes (the tests make many) shares this one instead of adding another.
API_LIMIT = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=limit_key)
