"""Credential issues: first credentials in two parts, stored only as hashes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import UTCDateTime, utcnow


class CredentialIssue(db.Model):
    __tablename__ = "credential_issues"
    __table_args__ = (CheckConstraint("attempts >= 0", name="attempts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id", ondelete="CASCADE"), index=True)
    part1_hash: Mapped[str] = mapped_column(String(255))  # printed in the letter
    part2_hash: Mapped[str] = mapped_column(String(255))  # sent by e-mail
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Wrong tries against the customer number; every `max_attempts` of them the issue rests
    # for a while instead of being voided, so a stranger can slow a customer down but never
    # spoil the letter that is on its way.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    resting_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    letter_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    portal_user = relationship("PortalUser")

    def is_usable(self, now: datetime) -> bool:
        return (self.used_at is None and self.voided_at is None and self.expires_at > now
                and not self.is_resting(now))

    def is_resting(self, now: datetime) -> bool:
        return self.resting_until is not None and self.resting_until > now

    def __str__(self) -> str:
        return f"{self.portal_user} {self.created_at:%Y-%m-%d}"
