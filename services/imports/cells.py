"""Parsing one cell of an import: text as the supplier's systems write it (decimal comma,
Czech or ISO dates). Each parser raises RecordError naming the field."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l


class RecordError(ValueError):
    def __init__(self, field: str, reason):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def required(record: dict, field: str, max_length: int) -> str:
    value = optional(record, field, max_length)
    if value is None:
        raise RecordError(field, _l("This value is required."))
    return value


def optional(record: dict, field: str, max_length: int) -> str | None:
    value = (record.get(field) or "").strip()
    if "\x00" in value:
        raise RecordError(field, _l("The value contains a NUL character."))
    if len(value) > max_length:
        raise RecordError(field, _l("At most %(count)s characters.", count=max_length))
    return value or None


def money(record: dict, field: str) -> Decimal:
    """1234.50, 1234,50 or 1 234,50; positive, two decimals at most."""
    text = required(record, field, 30).replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".") if text.count(",") == 1 else "x"
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RecordError(field, _l("Not an amount: %(value)s.", value=record.get(field))) from None
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2 or value >= Decimal("1e12"):
        raise RecordError(field, _l("An amount above zero with at most two decimals."))
    return value


def day(record: dict, field: str) -> date:
    """2026-03-01 or 1. 3. 2026 / 1.3.2026."""
    text = required(record, field, 20)
    czech = re.fullmatch(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})", text)
    try:
        if czech:
            return date(int(czech[3]), int(czech[2]), int(czech[1]))
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise RecordError(field, _l("Not a date: %(value)s (use 2026-03-01 or 1. 3. 2026).", value=text)) from None


def choice(record: dict, field: str, choices: type, default=None) -> str:
    text = (record.get(field) or "").strip().lower()
    if not text and default is not None:
        return default
    allowed = {member.value for member in choices}
    if text not in allowed:
        raise RecordError(field, _l("One of: %(values)s.", values=", ".join(sorted(allowed))))
    return text


def number(record: dict, field: str, places: int, *, default: str | None = None, negative: bool = True) -> Decimal:
    """A quantity, price or amount that may be below zero (credit notes, deducted advances):
    -12,5 / 1 234,567 / 0.5; at most `places` decimals."""
    text = (record.get(field) or "").strip() or default
    if text is None:
        raise RecordError(field, _l("This value is required."))
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".") if cleaned.count(",") == 1 else "x"
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RecordError(field, _l("Not a number: %(value)s.", value=text)) from None
    if not value.is_finite() or value.as_tuple().exponent < -places or abs(value) >= Decimal("1e12"):
        raise RecordError(field, _l("A number with at most %(count)s decimals.", count=places))
    if value < 0 and not negative:
        raise RecordError(field, _l("The value cannot be below zero."))
    return value


def optional_day(record: dict, field: str) -> date | None:
    return day(record, field) if (record.get(field) or "").strip() else None


def digits(record: dict, field: str, max_length: int, *, needed: bool = True) -> str | None:
    value = required(record, field, max_length) if needed else optional(record, field, max_length)
    if value is not None and not value.isdigit():
        raise RecordError(field, _l("Digits only."))
    return value
