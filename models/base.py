"""Column types and mixins shared by every model."""
from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ColumnElement, Date, DateTime, Numeric, TypeDecorator, and_, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp on every backend.

    PostgreSQL keeps the zone (timestamptz); SQLite drops it, so values are stored
    as UTC and given their zone back when read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Money(TypeDecorator):
    """CZK amounts: exact decimals with two places, never floats.

    NUMERIC(12, 2) on both backends. SQLite keeps numerics as binary floats, which
    is exact enough for amounts of this size once quantized back to two places on
    the way out; sums in SQL stay numeric on both backends."""

    impl = Numeric(12, 2, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(Decimal("0.01"))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


ZERO = Decimal("0.00")
"""No money: the start of a sum of amounts, the bound of "nothing left to pay"."""


def enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_cls]


def check_in(column: str, enum_cls: type[enum.Enum]) -> str:
    """SQL for a CHECK constraint that keeps a string column within an enum."""
    values = ", ".join(f"'{v}'" for v in enum_values(enum_cls))
    return f"{column} IN ({values})"


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class ValidityMixin:
    """Valid from a day, until a day or indefinitely (`valid_to` None), both days included.

    The one rule of "valid on a day", in Python (`record.valid_on(day)`) and in SQL
    (`Model.valid_on(day)` in a query); `ended_before(day)` likewise. A model with it
    puts `validity_check()` in its `__table_args__`."""

    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    @hybrid_method
    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    @valid_on.inplace.expression
    @classmethod
    def _valid_on_expression(cls, day: date) -> ColumnElement[bool]:
        return and_(cls.valid_from <= day, or_(cls.valid_to.is_(None), cls.valid_to >= day))

    @hybrid_method
    def ended_before(self, day: date) -> bool:
        """Its last day is before `day` (never while it is indefinite); `~` of it: still running
        or not yet begun."""
        return self.valid_to is not None and self.valid_to < day

    @ended_before.inplace.expression
    @classmethod
    def _ended_before_expression(cls, day: date) -> ColumnElement[bool]:
        return and_(cls.valid_to.is_not(None), cls.valid_to < day)


def validity_check() -> CheckConstraint:
    """The CHECK constraint of a ValidityMixin model: it does not end before it begins."""
    return CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity")
