"""The customer: the party that documents are addressed to and that portal users act for."""
from __future__ import annotations

import enum

from sqlalchemy import Boolean, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import TimestampMixin, check_in


class CustomerKind(enum.StrEnum):
    HOUSEHOLD = "household"
    BUSINESS = "business"


class Segment(enum.StrEnum):
    HOUSEHOLD = "household"
    SMALL_BUSINESS = "small_business"
    VIP = "vip"


class Customer(TimestampMixin, db.Model):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(check_in("kind", CustomerKind), name="kind"),
        CheckConstraint(check_in("segment", Segment), name="segment"),
        # A business is identified by its IČO; a household never has one.
        CheckConstraint("kind = 'business' OR company_id IS NULL", name="company_id_business"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(10), unique=True)
    kind: Mapped[str] = mapped_column(String(16), info={"enum": CustomerKind}, default=CustomerKind.HOUSEHOLD)
    name: Mapped[str] = mapped_column(String(200))
    company_id: Mapped[str | None] = mapped_column(String(8), info={"check": "ico"})  # IČO
    vat_id: Mapped[str | None] = mapped_column(String(12), info={"check": "dic"})  # DIČ
    email: Mapped[str] = mapped_column(String(254), info={"check": "email"})
    phone: Mapped[str | None] = mapped_column(String(20), info={"check": "phone"})
    # Permanent address (trvalé bydliště / sídlo).
    street: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(6), info={"check": "postcode"})
    # Correspondence address; empty means "same as permanent".
    correspondence_name: Mapped[str | None] = mapped_column(String(200))
    correspondence_street: Mapped[str | None] = mapped_column(String(200))
    correspondence_city: Mapped[str | None] = mapped_column(String(100))
    correspondence_postcode: Mapped[str | None] = mapped_column(String(6), info={"check": "postcode"})
    # Refund bank account: an IBAN or a Czech "prefix-number/bank" account.
    bank_account: Mapped[str | None] = mapped_column(String(40), info={"check": "bank_account"})
    segment: Mapped[str] = mapped_column(String(16), info={"enum": Segment}, default=Segment.HOUSEHOLD, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    # What a customer of each kind must have besides what every customer has.
    REQUIRED_FOR_KIND = {CustomerKind.BUSINESS: ("company_id",)}

    @classmethod
    def missing_for_kind(cls, kind: str, values: dict) -> list[str]:
        """The fields a customer of this kind lacks among `values`."""
        return [name for name in cls.REQUIRED_FOR_KIND.get(kind, ()) if not (values.get(name) or "").strip()]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def is_business(self) -> bool:
        return self.kind == CustomerKind.BUSINESS

    @property
    def mailing_address(self) -> list[str]:
        """The lines printed in an envelope window: correspondence address if set."""
        if self.correspondence_street:
            return [
                self.correspondence_name or self.name,
                self.correspondence_street,
                f"{self.correspondence_postcode} {self.correspondence_city}",
            ]
        return [self.name, self.street, f"{self.postcode} {self.city}"]

    @classmethod
    def portal_scope(cls, query, scope):
        return query.where(cls.id == scope.customer_id)
