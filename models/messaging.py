"""Messages from the supplier to customers, with delivered/read records that form
an append-only hash chain per recipient (tamper-evident for disputes)."""
from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, UTCDateTime, check_in, utcnow
from models.customers import Segment
from models.scoping import CustomerRecord


class MessageAudience(enum.StrEnum):
    CUSTOMER = "customer"
    SEGMENT = "segment"
    LIST = "list"


class Message(TimestampMixin, db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(check_in("audience", MessageAudience), name="audience"),
        CheckConstraint(f"segment IS NULL OR {check_in('segment', Segment)}", name="segment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))  # replies go here
    audience: Mapped[str] = mapped_column(String(16), default=MessageAudience.CUSTOMER)
    segment: Mapped[str | None] = mapped_column(String(16))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="RESTRICT"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author = relationship("StaffUser")
    team = relationship("Team")
    attachment = relationship("StoredFile")

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for part in (self.subject, self.body, self.attachment.sha256 if self.attachment else ""):
            digest.update(part.encode())
            digest.update(b"\x00")
        return digest.hexdigest()

    def __str__(self) -> str:
        return self.subject


class MessageRecipient(CustomerRecord, db.Model):
    whole_customer = True  # a message to the customer reaches all its users with the right
    __tablename__ = "message_recipients"
    __table_args__ = (
        UniqueConstraint("message_id", "customer_id", name="uq_message_recipients_message_customer"),
        Index("ix_message_recipients_customer_read", "customer_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_via: Mapped[str | None] = mapped_column(String(8))  # email | portal
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[Message] = relationship()
    customer = relationship("Customer")

    def __str__(self) -> str:
        return f"{self.message} → {self.customer}"



class MessageEvent(db.Model):
    """Delivered/read records, append-only; each carries the message content hash and
    the previous record's hash, so a changed or removed record breaks the chain."""

    __tablename__ = "message_events"
    __table_args__ = (CheckConstraint("kind IN ('delivered', 'read')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("message_recipients.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    via: Mapped[str | None] = mapped_column(String(8))
    message_hash: Mapped[str] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    record_hash: Mapped[str] = mapped_column(String(64))

    def compute_hash(self) -> str:
        payload = "|".join([self.previous_hash, self.kind, self.at.isoformat(), self.via or "", self.message_hash])
        return hashlib.sha256(payload.encode()).hexdigest()

    def __str__(self) -> str:
        return f"{self.kind} {self.at}"


@event.listens_for(MessageEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise ValueError("message delivery records are never edited")


@event.listens_for(MessageEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise ValueError("message delivery records are never deleted")
