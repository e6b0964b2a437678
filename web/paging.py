"""One way to page a list in the database (invoices, requests and service tickets, messages):
the rows of one page with LIMIT/OFFSET and their number with one COUNT. The page number comes
from web.bad_input.page_number (1 … MAX_PAGE); a page past the last one is shown empty, and
the pager (templates/macros/pagination.html) still links the real ones."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, func, select

from extensions import db


@dataclass(frozen=True)
class Page:
    items: list
    page: int  # the page shown, from 1
    pages: int  # how many pages the list has: at least 1, also when it is empty
    total: int  # the rows on all pages


def paginate(query: Select, page: int, per_page: int) -> Page:
    """Page `page` of the query's rows in its order (an ordering is needed for stable pages)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, max((total + per_page - 1) // per_page, 1), total)


def other_args() -> dict[str, str]:
    """The list's filters from the URL without the page number: what the pager's links keep."""
    return {key: value for key, value in request.args.items() if key != "page"}
