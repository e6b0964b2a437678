"""Change requests: what the customer asked to change, field by field, and the review."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, UTCDateTime, check_in, utcnow
from models.scoping import CustomerRecord


class ChangeKind(enum.StrEnum):
    ADDRESS = "address"
    EMAIL = "email"
    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"
    COMPANY = "company"
    ADVANCE_AMOUNT = "advance_amount"
    OTHER = "other"


class ChangeState(enum.StrEnum):
    CONFIRMING_EMAIL = "confirming_email"  # waiting for the new address to be confirmed
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @classmethod
    def open_states(cls) -> tuple[str, ...]:
        return (cls.CONFIRMING_EMAIL, cls.SUBMITTED, cls.IN_REVIEW)


class ChangeRequest(CustomerRecord, TimestampMixin, db.Model):
    __tablename__ = "change_requests"
    __table_args__ = (
        CheckConstraint(check_in("kind", ChangeKind), name="kind"),
        CheckConstraint(check_in("state", ChangeState), name="state"),
        Index("ix_change_requests_customer_submitted", "customer_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=ChangeState.SUBMITTED, index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    # A change of the advance amount names its schedule and the first due date it applies to.
    advance_schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("advance_schedules.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date | None] = mapped_column(Date)
    # Optimistic locking: two reviewers deciding at once cannot both succeed.
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    customer = relationship("Customer")
    author = relationship("PortalUser")
    reviewer = relationship("StaffUser")
    attachment = relationship("StoredFile")
    advance_schedule = relationship("AdvanceSchedule")
    fields: Mapped[list[ChangeRequestField]] = relationship(back_populates="change_request",
                                                             cascade="all, delete-orphan")

    @property
    def target(self):
        """The record whose fields the request changes."""
        return self.advance_schedule if self.kind == ChangeKind.ADVANCE_AMOUNT else self.customer

    @property
    def is_open(self) -> bool:
        return self.state in ChangeState.open_states()

    def __str__(self) -> str:
        return f"#{self.id} {self.kind}"

    @classmethod
    def concerns_supply_points(cls, ids):
        # A change of the customer's own data (address, e-mail, bank account) is every user's;
        # a change of an advance is of that advance's supply point.
        from models.billing import AdvanceSchedule

        return cls.advance_schedule_id.is_(None) | cls.advance_schedule_id.in_(
            select(AdvanceSchedule.id).where(AdvanceSchedule.concerns_supply_points(ids)))


class ChangeRequestField(db.Model):
    __tablename__ = "change_request_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_request_id: Mapped[int] = mapped_column(ForeignKey("change_requests.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(Text)  # as it was when the customer asked
    new_value: Mapped[str | None] = mapped_column(Text)

    change_request: Mapped[ChangeRequest] = relationship(back_populates="fields")

    def __str__(self) -> str:
        return self.field
