"""Parsing one cell of an import: text as the supplier's systems write it (decimal comma,
Czech or ISO dates). Each parser raises RecordError naming the field."""
from __future__ import annotations

import functools
import re
from contextlib import contextmanager
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
    allowed = _values(choices)
    if text not in allowed:
        raise RecordError(field, _l("One of: %(values)s.", values=", ".join(sorted(allowed))))
    return text


@functools.cache
def _values(choices: type) -> frozenset[str]:
    return frozenset(member.value for member in choices)


_NOT_IN_NUMBERS = str.maketrans({"\u00a0": None, " ": None, "\u2212": "-"})


def number(record: dict, field: str, places: int, *, default: str | Decimal | None = None,
           negative: bool = True) -> Decimal:
    """A quantity, price or amount that may be below zero (credit notes, deducted advances):
    -12,5 / 1 234,567 / 0.5; at most `places` decimals. An empty cell is `default`."""
    text = (record.get(field) or "").strip()
    if not text:
        if isinstance(default, Decimal):
            return default
        text = default
    if text is None:
        raise RecordError(field, _l("This value is required."))
    cleaned = text.translate(_NOT_IN_NUMBERS)
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


@contextmanager
def on_line(line: int):
    """Errors raised inside name this row's own line, not its record's first (a record of
    several rows: a price list's items, a schedule's advances)."""
    try:
        yield
    except RecordError as error:
        if getattr(error, "line", None) is None:
            error.line = line
        raise


def postcode(record: dict, field: str) -> str:
    """A Czech postcode, `110 00` or `11000`, stored as five digits."""
    value = required(record, field, 6).replace(" ", "")
    if not re.fullmatch(r"\d{5}", value):
        raise RecordError(field, _l("A Czech postcode has five digits, e.g. 110 00."))
    return value


def whole(record: dict, field: str, maximum: int, *, needed: bool = True) -> int | None:
    """A count in whole units, zero or above (a meter's reading, kWh a year): 12345 or 12 345."""
    text = (record.get(field) or "").replace("\u00a0", "").replace(" ", "")
    if not text:
        if needed:
            raise RecordError(field, _l("This value is required."))
        return None
    if re.fullmatch(r"[-\u2212]\d+(?:[.,]\d*)?", text, re.ASCII):
        raise RecordError(field, _l("The value cannot be below zero."))
    if not re.fullmatch(r"\d{1,12}", text, re.ASCII):
        raise RecordError(field, _l("A whole number, e.g. 12345: %(value)s is not.", value=record.get(field)))
    value = int(text)
    if value > maximum:
        raise RecordError(field, _l("At most %(value)s.", value=f"{maximum:,}".replace(",", " ")))
    return value


YES = ("yes", "ano", "true", "1", "y", "a")
NO = ("no", "ne", "false", "0", "n")


def flag(record: dict, field: str) -> bool | None:
    """yes / no (ano / ne, true / false, 1 / 0); None when the cell is empty."""
    text = (record.get(field) or "").strip().lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise RecordError(field, _l("yes or no (ano / ne)."))
