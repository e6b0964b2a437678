"""Smart-meter interval data: one row per supply point and day with the day's 15-minute or
hourly values packed as bytes, and the monthly billing information made from them
(vyúčtovací informace, vyhláška 207/2021 Sb. §18a).

A day is a calendar day in Europe/Prague: 96 quarter-hours (24 hours), 92 on the day summer
time begins (23 hours) and 100 on the day it ends (25 hours). Its values are stored in the
order the intervals passed, each as an unsigned 32-bit count of watt-hours, little-endian:
384 bytes for an ordinary quarter-hour day, about 150 kB for a year of one supply point."""
from __future__ import annotations

import struct
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, LargeBinary, SmallInteger, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import Money, UTCDateTime, utcnow
from models.metering import SupplyPoint
from models.scoping import CustomerRecord

PRAGUE = ZoneInfo("Europe/Prague")
RESOLUTIONS = (15, 60)
MAX_WH = 2**32 - 1  # what one packed value holds


def day_start(day: date) -> datetime:
    """The first instant of the local day, in UTC."""
    return datetime.combine(day, time(0), PRAGUE).astimezone(UTC)


def intervals_in_day(day: date, resolution_minutes: int) -> int:
    """96 quarter-hours or 24 hours on an ordinary day; 92 / 23 and 100 / 25 on the days the
    clocks change."""
    length = day_start(day + timedelta(days=1)) - day_start(day)
    return int(length / timedelta(minutes=resolution_minutes))


def interval_starts(day: date, resolution_minutes: int) -> list[datetime]:
    """The local start of every interval of the day, in order (the hour repeated in October
    comes twice, first in summer time: `fold` tells them apart)."""
    first, step = day_start(day), timedelta(minutes=resolution_minutes)
    return [(first + i * step).astimezone(PRAGUE) for i in range(intervals_in_day(day, resolution_minutes))]


def pack(values: list[int]) -> bytes:
    return struct.pack(f"<{len(values)}I", *values)


def unpack(data: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(data) // 4}I", data))


class IntervalDay(db.Model):
    """One supply point's metered consumption of one day, as the distributor delivered it."""

    __tablename__ = "interval_days"
    __table_args__ = (
        CheckConstraint("resolution_minutes IN (15, 60)", name="resolution"),
        CheckConstraint("total_wh >= 0", name="total_non_negative"),
    )

    # The key is the rule "one row per supply point and day", and the only index a read needs.
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_points.id", ondelete="CASCADE"),
                                                 primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    resolution_minutes: Mapped[int] = mapped_column(SmallInteger)
    packed_wh: Mapped[bytes] = mapped_column(LargeBinary)
    # The sum of the values, so that a month's daily totals never read the values.
    total_wh: Mapped[int] = mapped_column(BigInteger)

    supply_point: Mapped[SupplyPoint] = relationship()

    @property
    def values_wh(self) -> list[int]:
        return unpack(self.packed_wh)

    def set_values(self, resolution_minutes: int, values_wh: list[int]) -> None:
        self.resolution_minutes = resolution_minutes
        self.packed_wh = pack(values_wh)
        self.total_wh = sum(values_wh)

    def __str__(self) -> str:
        return f"{self.day} {self.total_wh} Wh"

    @classmethod
    def portal_scope(cls, query, scope):
        """Interval data has no customer of its own: it is visible through its supply point."""
        return query.where(cls.supply_point_id.in_(SupplyPoint.portal_scope(select(SupplyPoint.id), scope)))


class BillingInformation(CustomerRecord, db.Model):
    """The monthly billing information of a remotely read supply point: made once per supply
    point and month (the unique key), its PDF a document of the customer."""

    __tablename__ = "billing_information"
    __table_args__ = (
        Index("uq_billing_information_supply_point_month", "supply_point_id", "month", unique=True),
        CheckConstraint("consumption_wh >= 0", name="consumption_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_points.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # its first day
    days_with_data: Mapped[int] = mapped_column(SmallInteger)
    consumption_wh: Mapped[int] = mapped_column(BigInteger)
    estimated_amount: Mapped[Decimal] = mapped_column(Money)  # with VAT
    advances_paid: Mapped[Decimal] = mapped_column(Money)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supply_point: Mapped[SupplyPoint] = relationship()
    customer = relationship("Customer")
    document = relationship("Document")

    def __str__(self) -> str:
        return f"{self.supply_point_id} {self.month:%m/%Y}"

    @classmethod
    def concerns_supply_points(cls, ids):
        return cls.supply_point_id.in_(ids)
