"""The password rules: long enough, not common, not made of the account's own data."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12

# The most common passwords of leaked lists (and Czech favourites) that are 12+ long
# or become so with digits; compared case-insensitively without spaces.
COMMON_PASSWORDS = {
    "123456789012", "1234567890123", "qwertyuiopas", "qwertyuiop123", "password1234", "password12345",
    "passwordpassword", "iloveyou1234", "111111111111", "000000000000", "123123123123", "abcdefghijkl",
    "abc123456789", "qwerty123456", "1q2w3e4r5t6y", "zaq12wsxcde3", "administrator", "welcome12345",
    "heslo1234567", "hesloheslo12", "heslo123456789", "mojeheslo123", "tajneheslo12", "letmein12345",
    "sunshine1234", "football1234", "princess1234", "monkey123456", "dragon123456", "changeme1234",
    "portal123456", "energie12345", "elektrina123", "zakaznik1234",
}


def password_problems(password: str, *, email: str = "", name: str = "", customer_number: str = "") -> list:
    """Reasons why a password is refused (empty when it is fine)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_l("Use at least %(n)s characters.", n=MIN_LENGTH))
    squashed = re.sub(r"\s+", "", password).lower()
    if squashed in COMMON_PASSWORDS or len(set(squashed)) <= 3:
        problems.append(_l("This password is too common; choose one that others would not guess."))
    parts = [email.split("@")[0], customer_number, *name.split()]
    if any(part and len(part) >= 4 and part.lower() in squashed for part in parts):
        problems.append(_l("Do not use your name, e-mail or customer number in the password."))
    return problems
