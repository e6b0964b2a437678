"""What a refused database write means to a clerk: the column it is about (so that the message
stands next to that field) and a sentence, instead of the driver's text with its SQL and
parameters. SQLite names the columns in its message; PostgreSQL names the constraint or the
column in the error's diagnostics, and the constraint's columns are read off the table."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

UNIQUE = _l("Another record has this value already.")
NOT_NULL = _l("This value is required.")
FOREIGN_KEY = _l("This refers to a record that does not exist, or other records still refer to this one.")
CHECK = _l("This value is not one of those allowed.")
TOO_LONG = _l("This value is too long or out of range.")
OTHER = _l("The record could not be saved. Check the values and try again.")


def explain(error: SQLAlchemyError, table) -> tuple[str | None, str]:
    """(the column the refusal is about or None, the message)."""
    text = str(getattr(error, "orig", error))
    diag = getattr(getattr(error, "orig", None), "diag", None)
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None) or ""
    if isinstance(error, IntegrityError):
        if sqlstate == "23505" or "UNIQUE constraint failed" in text:
            return _columns_of(text, diag, table), UNIQUE
        if sqlstate == "23502" or "NOT NULL constraint failed" in text:
            return _columns_of(text, diag, table), NOT_NULL
        if sqlstate == "23503" or "FOREIGN KEY constraint failed" in text:
            return _columns_of(text, diag, table), FOREIGN_KEY
        if sqlstate == "23514" or "CHECK constraint failed" in text:
            return _columns_of(text, diag, table), CHECK
        return None, OTHER
    if isinstance(error, DataError):
        return getattr(diag, "column_name", None), TOO_LONG
    return None, OTHER


def _columns_of(text: str, diag, table) -> str | None:
    if diag is not None and getattr(diag, "column_name", None):
        return diag.column_name
    constraint = getattr(diag, "constraint_name", None) if diag is not None else None
    if constraint is None:
        # SQLite: "UNIQUE constraint failed: customers.number" or "CHECK constraint failed: kind"
        named = re.search(r"constraint failed: (?:\w+\.)?(\w+)", text)
        if not named:
            return None
        constraint = named.group(1)
        if constraint in table.c:
            return constraint
    for item in list(table.constraints) + list(table.indexes):
        if item.name and constraint in (item.name, str(item.name)):
            columns = [c.name for c in item.columns]
            if columns:
                return columns[-1] if len(columns) > 1 and columns[0].endswith("_id") else columns[0]
    # A check constraint named after its column ("kind", or ck_<table>_kind by the convention).
    for column in table.c:
        if constraint.endswith(column.name):
            return column.name
    return None
