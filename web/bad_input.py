"""What a browser can send that the database cannot take, answered as a bad request or a
missing page instead of a 500: record ids beyond the id columns' range, page numbers beyond
what OFFSET takes, NUL characters (PostgreSQL refuses them in text), and — as the last net —
any value the database or its driver rejects for its type."""
from __future__ import annotations

import logging

from flask import abort, g, request
from sqlalchemy.exc import DataError
from werkzeug.routing import IntegerConverter

log = logging.getLogger("portal")

# Record ids are INTEGER columns (32 bits in PostgreSQL).
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000


class RecordIdConverter(IntegerConverter):
    """`<int:…>` in every URL: a number that cannot be an id does not match, so it is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def is_record_id(value) -> bool:
    try:
        return 0 < int(value) <= MAX_ID
    except (TypeError, ValueError):
        return False


def page_number() -> int:
    """The page asked for in the URL (?page=), within 1 … MAX_PAGE."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def init_app(app) -> None:
    """Before any blueprint: the converter must be in place when their routes are added."""
    app.url_map.converters["int"] = RecordIdConverter

    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL can neither store nor compare text with a NUL character. Nobody types one.
        if _has_nul(request.args) or (request.method != "GET" and _has_nul(request.form)):
            abort(400)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)  # SQLite's driver: an integer beyond 64 bits
    def value_the_database_cannot_take(error):
        from extensions import db
        from web.problems import is_api_request, problem_response
        from web.security import render_error

        db.session.rollback()
        log.warning("request %s: a value the database cannot take: %s %s (%s)", g.get("request_id"),
                    request.method, request.path, type(error).__name__)
        return problem_response(400) if is_api_request() else (render_error(400), 400)
