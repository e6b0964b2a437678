"""Errors of the JSON API as RFC 9457 problem details (application/problem+json): type, title,
status, detail, and for refused records `errors: [{record, field, reason}]`. Only under /api:
the portal and the back office keep their HTML error pages (web/security.py)."""
from __future__ import annotations

from flask import json, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("A valid API token is needed"),
    403: _l("The token does not allow this"),
    404: _l("There is nothing here"),
    405: _l("This method is not allowed here"),
    409: _l("The request conflicts with another change"),
    413: _l("The request is too large"),
    415: _l("The request must be JSON"),
    422: _l("The records were refused"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
}
STATUSES = tuple(TITLES)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


class Problem(HTTPException):
    """Raised by an API view: answered as a problem document with these members."""

    def __init__(self, status: int, detail: str | None = None, *, type_: str = "about:blank",
                 errors: list[tuple[int | None, str, str]] | None = None, headers: dict | None = None, **members):
        super().__init__(description=detail)
        self.code = status
        self.type = type_
        self.errors = errors
        self.extra_headers = headers or {}
        self.members = members


def problem_response(status: int, detail: str | None = None, *, type_: str = "about:blank",
                     errors: list[tuple[int | None, str, str]] | None = None, headers: dict | None = None,
                     **members):
    """The Flask response of a problem document."""
    from flask import current_app

    status = status if status in TITLES else (500 if status >= 500 else 400)
    body = {"type": type_, "title": str(TITLES[status]), "status": status}
    if detail:
        body["detail"] = str(detail)
    if errors is not None:
        body["errors"] = [{"record": record, "field": field, "reason": str(reason)} for record, field, reason in errors]
    body.update(members)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_exception(error: HTTPException):
    """Any HTTP error raised under /api (a routing 404 or 405, a 413 from the body size, Flask-
    Limiter's 429, a Problem) as a problem document."""
    if isinstance(error, Problem):
        return problem_response(error.code, error.description, type_=error.type, errors=error.errors,
                                headers=error.extra_headers, **error.members)
    code = error.code or 500
    headers = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if code == 429:
        headers["Retry-After"] = str(_retry_after())
    return problem_response(code, _detail(error), headers=headers)


def _detail(error: HTTPException) -> str | None:
    return {404: _l("No API operation has this address."), 405: _l("This address takes other methods."),
            413: _l("The request body is larger than the API takes."),
            429: _l("This client has made too many requests; wait and try again.")}.get(error.code)


def _retry_after() -> int:
    """Seconds until the client's limit window resets (Flask-Limiter's current limit), at least 1."""
    import time

    from extensions import limiter

    try:
        reset = limiter.current_limit.reset_at if limiter.current_limit else None
    except (AttributeError, RuntimeError):
        reset = None
    return max(1, int(reset - time.time())) if reset else 60
