"""Outgoing e-mail: written in the same transaction as the change that causes it,
sent after commit, retried with back-off until delivered.

An e-mail that carries a secret (part 2 of the first credentials, a link with a token)
lists the secret values in `secret_values`: the back office masks them, and they are
erased from the body once the mail server has accepted it (services/outbox.py).

An e-mail may carry one stored file as its attachment (the invoice PDF of "faktura e-mailem"):
referenced, not copied, and read when the e-mail is sent."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, UTCDateTime, check_in, utcnow


class EmailState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by one sender; next_attempt_at is when the claim lapses
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; staff can requeue


class OutgoingEmail(TimestampMixin, db.Model):
    __tablename__ = "outgoing_emails"
    __table_args__ = (
        CheckConstraint(check_in("state", EmailState), name="state"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_outgoing_emails_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=EmailState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Optional link back to what the e-mail is about (e.g. a message recipient),
    # so that delivery can be recorded when the server accepts it.
    topic: Mapped[str | None] = mapped_column(String(64))
    topic_id: Mapped[int | None] = mapped_column(Integer)
    # The secrets in the body, while it still has to be sent; None once erased.
    # Never shown in the back office (admin_views/system.py).
    secret_values: Mapped[list[str] | None] = mapped_column(JSON)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))

    attachment = relationship("StoredFile")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
