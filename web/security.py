"""Security headers, request ids and error pages for every response."""
from __future__ import annotations

import logging
import re
import secrets

from flask import g, render_template, request
from flask_babel import get_locale, lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from web import problems
from web.problems import is_api_request

log = logging.getLogger("portal")

# Scripts and styles only from the app itself. The back office (Flask-Admin) marks its
# few inline scripts with the request's nonce; its inline styles are still allowed there.
PORTAL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)
ADMIN_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'self'; object-src 'none'"
)

ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You may not do this"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("The file is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
ERROR_HINTS = {
    400: _l("Please go back, reload the page and try again."),
    403: _l("If you think you should have access, contact us."),
    404: _l("The page does not exist or you do not have access to it."),
    405: _l("Please go back and use the buttons on the page."),
    413: _l("Please choose a smaller file and try again."),
    429: _l("Please wait a few minutes and try again."),
    500: _l("We have been told about it. Please try again later."),
}


def init_app(app) -> None:
    @app.before_request
    def assign_request_id():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or secrets.token_hex(8)

    @app.after_request
    def add_headers(response):
        admin = request.path.startswith("/admin")
        if admin and response.mimetype == "text/html" and not response.is_streamed:
            _fix_admin_html(response)
        response.headers.setdefault("Content-Security-Policy",
                                    ADMIN_CSP.format(nonce=csp_nonce()) if admin else PORTAL_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error):
        code = error.code or 500
        from services.access import record_denial

        record_denial()
        if is_api_request():
            return problems.from_exception(error)
        if code not in ERROR_TITLES:
            return error
        return render_error(code), code

    @app.errorhandler(Exception)
    def unexpected_error(error):
        log.exception("request %s failed: %s %s", g.get("request_id"), request.method, request.path)
        from extensions import db

        db.session.rollback()
        if is_api_request():
            return problems.problem_response(500)
        return render_error(500), 500


INLINE_HANDLER = re.compile(rb'(<[^>]*\s)onclick="')


def _fix_admin_html(response) -> None:
    """Flask-Admin's templates carry a few onclick attributes, which the CSP would block:
    they become data-onclick, and static/admin/admin.js attaches the same behaviour.
    The page also gets its language."""
    body = response.get_data()
    if b"onclick=" in body:
        body = INLINE_HANDLER.sub(rb'\1data-onclick="', body)
    # Flask-Admin's page has no language; screen readers need it.
    body = body.replace(b"<html>", f'<html lang="{get_locale() or "cs"}">'.encode(), 1)
    response.set_data(body)


def csp_nonce() -> str:
    """One random nonce per request, for the inline scripts the back office needs."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def render_error(code: int) -> str:
    return render_template(
        "errors/error.html",
        code=code,
        title=ERROR_TITLES[code],
        hint=ERROR_HINTS[code],
        request_id=g.get("request_id", ""),
    )
