"""Supply points, their meters and registers, and meter readings."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import format_date, gettext as _
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, func, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, UTCDateTime, check_in
from models.customers import Segment
from models.scoping import CustomerRecord

DISTRIBUTORS = {
    "1": "EG.D (E.ON Distribuce)", "2": "EG.D (E.ON Distribuce)", "3": "PREdistribuce",
    "4": "ČEZ Distribuce", "5": "ČEZ Distribuce", "6": "ČEZ Distribuce", "7": "ČEZ Distribuce",
    "8": "ČEZ Distribuce", "9": "OTE",
}

# The distribution tariffs (distribuční sazby of the ERÚ price decision) and the registers a
# meter for each has: a single-tariff rate one register (T), a two-tariff rate VT and NT.
DISTRIBUTION_TARIFFS = {
    **dict.fromkeys(("D01d", "D02d", "C01d", "C02d", "C03d", "C62d"), ("T",)),
    **dict.fromkeys(("D25d", "D26d", "D27d", "D35d", "D45d", "D56d", "D57d", "D61d",
                     "C25d", "C26d", "C27d", "C35d", "C45d", "C46d", "C55d", "C56d"), ("VT", "NT")),
}


class Commodity(enum.StrEnum):
    ELECTRICITY = "electricity"
    GAS = "gas"


class SupplyPointState(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class SupplyPoint(CustomerRecord, TimestampMixin, db.Model):
    __tablename__ = "supply_points"
    __table_args__ = (
        CheckConstraint(check_in("commodity", Commodity), name="commodity"),
        CheckConstraint(check_in("state", SupplyPointState), name="state"),
        CheckConstraint("annual_consumption_kwh IS NULL OR annual_consumption_kwh >= 0", name="consumption"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(18), info={"check": "supply_point_identifier"}, unique=True)  # EAN or EIC
    commodity: Mapped[str] = mapped_column(String(16), info={"enum": Commodity})
    street: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(6), info={"check": "postcode"})
    distribution_tariff: Mapped[str | None] = mapped_column(String(10))  # e.g. D02d
    gas_band: Mapped[str | None] = mapped_column(String(40))
    circuit_breaker: Mapped[str | None] = mapped_column(String(20))  # e.g. 3x25 A
    annual_consumption_kwh: Mapped[int | None] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), info={"enum": SupplyPointState}, default=SupplyPointState.ACTIVE)
    self_readings_allowed: Mapped[bool] = mapped_column(Boolean, default=False)

    customer = relationship("Customer", backref="supply_points")
    product = relationship("Product")
    meters: Mapped[list[Meter]] = relationship(back_populates="supply_point", cascade="all, delete-orphan")

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"

    @staticmethod
    def self_readings_by_default(customer) -> bool:
        """A new supply point of a V.I.P. customer starts with self-readings allowed."""
        return customer is not None and customer.segment == Segment.VIP

    def __str__(self) -> str:
        return f"{self.identifier} ({self.city})"

    @classmethod
    def concerns_supply_points(cls, ids):
        return cls.id.in_(ids)


class Meter(TimestampMixin, db.Model):
    __tablename__ = "meters"

    id: Mapped[int] = mapped_column(primary_key=True)
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_points.id", ondelete="CASCADE"), index=True)
    serial_number: Mapped[str] = mapped_column(String(40))
    installed_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    # Set when staff record an exchange: the reading of the old meter at removal.
    final_value: Mapped[int | None] = mapped_column(Integer)

    supply_point: Mapped[SupplyPoint] = relationship(back_populates="meters")
    registers: Mapped[list[Register]] = relationship(back_populates="meter", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.serial_number

    def last_accepted_reading_on(self) -> date | None:
        """The day of the latest accepted reading of any of the meter's registers."""
        return db.session.scalar(select(func.max(MeterReading.read_on)).where(
            MeterReading.register_id.in_(select(Register.id).where(Register.meter_id == self.id)),
            MeterReading.state == ReadingState.ACCEPTED))

    def removal_refusal(self, removed_on: date) -> str | None:
        """Why the meter cannot have been removed on that day, or None: a meter is not removed
        before it was installed, nor before a reading of it that was accepted."""
        if self.installed_on is not None and removed_on < self.installed_on:
            return _("The meter was installed later (%(date)s).", date=format_date(self.installed_on))
        last = self.last_accepted_reading_on()
        if last is not None and removed_on < last:
            return _("The meter has an accepted reading after this date.")
        return None


class Register(db.Model):
    __tablename__ = "registers"
    __table_args__ = (CheckConstraint("code IN ('T', 'VT', 'NT')", name="code"),
                      CheckConstraint("unit IN ('kWh', 'm3')", name="unit"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(2), default="T")  # single, high or low tariff
    unit: Mapped[str] = mapped_column(String(4), default="kWh")

    meter: Mapped[Meter] = relationship(back_populates="registers")

    def __str__(self) -> str:
        return f"{self.meter.serial_number} {self.code}"


class ReadingKind(enum.StrEnum):
    ACTUAL = "actual"  # the distributor's reading
    SELF = "self"  # the customer's self-reading
    ESTIMATE = "estimate"


class ReadingReason(enum.StrEnum):
    PERIODIC = "periodic"
    PRICE_CHANGE = "price_change"
    SUPPLIER_CHANGE = "supplier_change"
    MOVING = "moving"
    EXTRAORDINARY = "extraordinary"


class ReadingState(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class MeterReading(TimestampMixin, db.Model):
    __tablename__ = "meter_readings"
    __table_args__ = (
        CheckConstraint(check_in("kind", ReadingKind), name="kind"),
        CheckConstraint(check_in("state", ReadingState), name="state"),
        CheckConstraint(f"reason IS NULL OR {check_in('reason', ReadingReason)}", name="reason"),
        CheckConstraint("value >= 0", name="value_non_negative"),
        # One reading per register and day, unless the earlier one was rejected.
        Index("uq_meter_readings_register_day", "register_id", "read_on", unique=True,
              sqlite_where=text("state != 'rejected'"), postgresql_where=text("state != 'rejected'")),
        Index("ix_meter_readings_supply_point_date", "supply_point_id", "read_on"),
        # The queue of readings to check (services.metering.readings.review_queue).
        Index("ix_meter_readings_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id", ondelete="CASCADE"))
    # Kept beside the register so that scoping by supply point needs no join.
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_points.id", ondelete="CASCADE"))
    read_on: Mapped[date] = mapped_column(Date)
    value: Mapped[int] = mapped_column(Integer)  # whole units
    kind: Mapped[str] = mapped_column(String(16), info={"enum": ReadingKind}, default=ReadingKind.SELF)
    reason: Mapped[str | None] = mapped_column(String(20), info={"enum": ReadingReason})
    state: Mapped[str] = mapped_column(String(16), info={"enum": ReadingState}, default=ReadingState.SUBMITTED)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    register: Mapped[Register] = relationship()
    supply_point: Mapped[SupplyPoint] = relationship()
    photo = relationship("StoredFile")
    submitted_by = relationship("PortalUser")

    def __str__(self) -> str:
        return f"{self.read_on} {self.value}"

    @classmethod
    def portal_scope(cls, query, scope):
        """A reading has no customer of its own: it is visible through its supply point."""
        return query.where(cls.supply_point_id.in_(SupplyPoint.portal_scope(select(SupplyPoint.id), scope)))
