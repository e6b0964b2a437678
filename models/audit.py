"""The audit trail: who did what to which record, from where. Append-only."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, event, or_
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import UTCDateTime, check_in, utcnow

# Entries about the customer's own details, which every user of the account may read.
CUSTOMER_HISTORY = ("customer_changed",)


class ActorKind(enum.StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    SYSTEM = "system"
    ANONYMOUS = "anonymous"
    API = "api"  # one of the supplier's systems, through the JSON API (models.api.ApiClient)


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        CheckConstraint(check_in("actor_kind", ActorKind), name="actor_kind"),
        Index("ix_audit_entries_record", "record_type", "record_id"),
        # The customer overview's timeline, newest first.
        Index("ix_audit_entries_customer_at", "customer_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))
    # Kept as plain text too, so the entry still says who it was after a user is deleted.
    actor: Mapped[str] = mapped_column(String(254))
    portal_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("portal_users.id", ondelete="SET NULL"), index=True
    )
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64), index=True)
    record_type: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str | None] = mapped_column(Text)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    @classmethod
    def portal_scope(cls, query, scope):
        """The account's administrator sees the account's whole trail; any other user only what
        they did and what was done to their own access, and the history of the customer's
        details (shown on the account page): not a colleague's sign-ins and addresses."""
        query = query.where(cls.customer_id == scope.customer_id)
        if scope.whole_account:
            return query
        return query.where(or_(cls.portal_user_id == scope.person_id, cls.action.in_(CUSTOMER_HISTORY),
                               (cls.record_type == "PortalUser") & (cls.record_id == str(scope.user_id))))

    @property
    def data(self) -> dict:
        """The details as a dict (they are stored as JSON text)."""
        import json

        try:
            value = json.loads(self.details or "{}")
        except ValueError:
            return {"text": self.details}
        return value if isinstance(value, dict) else {"value": value}

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise ValueError("audit entries are never edited")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise ValueError("audit entries are never deleted")
