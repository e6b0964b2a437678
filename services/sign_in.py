"""Checking an e-mail and password the same way for portal users and staff."""
from __future__ import annotations

from functools import cache

from sqlalchemy import func, select

from extensions import db


@cache
def _dummy(model):
    """A hash to check against when the e-mail is unknown, so that the answer takes
    the same time whether or not an account exists (no user enumeration by timing)."""
    user = model()
    user.set_password("not a real password, only for constant timing")
    return user


def check_password(model, email: str, password: str, *criteria):
    """(the account with this e-mail or None, whether the password matches it)."""
    user = db.session.scalars(select(model).where(func.lower(model.email) == email, *criteria)).first()
    return user, (user or _dummy(model)).check_password(password)
