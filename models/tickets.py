"""Requests and service tickets, their conversation and timeline, routing rules and tasks."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, UTCDateTime, check_in, utcnow
from models.scoping import CustomerRecord


class TicketKind(enum.StrEnum):
    REQUEST = "request"
    SERVICE = "service"


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class TicketState(enum.StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_CUSTOMER = "waiting_for_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


class RequestType(TimestampMixin, db.Model):
    __tablename__ = "request_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name


class ServiceCategory(TimestampMixin, db.Model):
    __tablename__ = "service_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name


class RoutingRule(TimestampMixin, db.Model):
    """Request type or service category (and optionally priority) -> team or person."""

    __tablename__ = "routing_rules"
    __table_args__ = (
        CheckConstraint(check_in("ticket_kind", TicketKind), name="ticket_kind"),
        CheckConstraint(f"priority IS NULL OR {check_in('priority', Priority)}", name="priority"),
        CheckConstraint("team_id IS NOT NULL OR staff_user_id IS NOT NULL", name="has_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_kind: Mapped[str] = mapped_column(String(16), info={"enum": TicketKind})
    request_type_id: Mapped[int | None] = mapped_column(ForeignKey("request_types.id", ondelete="CASCADE"))
    service_category_id: Mapped[int | None] = mapped_column(ForeignKey("service_categories.id", ondelete="CASCADE"))
    priority: Mapped[str | None] = mapped_column(String(16), info={"enum": Priority})
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))

    request_type = relationship("RequestType")
    service_category = relationship("ServiceCategory")
    team = relationship("Team")
    staff_user = relationship("StaffUser")

    def __str__(self) -> str:
        target = self.staff_user or self.team
        return f"{self.request_type or self.service_category or self.ticket_kind} → {target}"


class Ticket(CustomerRecord, TimestampMixin, db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(check_in("kind", TicketKind), name="kind"),
        CheckConstraint(check_in("priority", Priority), name="priority"),
        CheckConstraint(check_in("state", TicketState), name="state"),
        Index("ix_tickets_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), info={"enum": TicketKind})
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    supply_point_id: Mapped[int | None] = mapped_column(ForeignKey("supply_points.id"))
    request_type_id: Mapped[int | None] = mapped_column(ForeignKey("request_types.id"))
    service_category_id: Mapped[int | None] = mapped_column(ForeignKey("service_categories.id"))
    priority: Mapped[str] = mapped_column(String(16), info={"enum": Priority}, default=Priority.NORMAL)
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(24), info={"enum": TicketState}, default=TicketState.NEW)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer = relationship("Customer")
    supply_point = relationship("SupplyPoint")
    request_type = relationship("RequestType")
    service_category = relationship("ServiceCategory")
    team = relationship("Team")
    assignee = relationship("StaffUser")
    created_by = relationship("PortalUser")
    entries: Mapped[list[TicketEntry]] = relationship(back_populates="ticket", cascade="all, delete-orphan",
                                                       order_by="TicketEntry.id")

    @property
    def reference(self) -> str:
        prefix = "S" if self.kind == TicketKind.SERVICE else "Z"
        return f"{prefix}-{self.id:06d}"

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @classmethod
    def concerns_supply_points(cls, ids):
        # A request about the whole account (no supply point) is every user's.
        return cls.supply_point_id.is_(None) | cls.supply_point_id.in_(ids)


class EntryKind(enum.StrEnum):
    REPLY = "reply"  # customer-visible conversation
    NOTE = "note"  # internal note, never shown to the customer
    EVENT = "event"  # a state change or assignment on the timeline


class TicketEntry(db.Model):
    __tablename__ = "ticket_entries"
    __table_args__ = (CheckConstraint(check_in("kind", EntryKind), name="kind"),
                      CheckConstraint("kind != 'note' OR visible_to_customer = false", name="notes_internal"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    visible_to_customer: Mapped[bool] = mapped_column(Boolean, default=True)
    author_portal_user_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id", ondelete="SET NULL"))
    author_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    body: Mapped[str | None] = mapped_column(Text)
    event: Mapped[str | None] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="entries")
    attachments: Mapped[list[TicketAttachment]] = relationship(back_populates="entry")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class TicketAttachment(db.Model):
    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_entries.id", ondelete="CASCADE"))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))

    ticket = relationship("Ticket")
    entry = relationship("TicketEntry", back_populates="attachments")
    file = relationship("StoredFile")

    def __str__(self) -> str:
        return str(self.file)


class TaskState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskTopic(enum.StrEnum):
    TICKET = "ticket"
    CHANGE_REQUEST = "change_request"
    READING = "reading"
    MESSAGE_REPLY = "message_reply"


class Task(TimestampMixin, db.Model):
    """A piece of back-office work, delegated to a person or a team, with a due time."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(check_in("state", TaskState), name="state"),
        CheckConstraint(check_in("topic", TaskTopic), name="topic"),
        CheckConstraint("team_id IS NOT NULL OR assignee_id IS NOT NULL", name="has_owner"),
        Index("ix_tasks_assignee_queue", "assignee_id", "state", "due_at"),
        Index("ix_tasks_team_queue", "team_id", "state", "due_at"),
        # The service-level breaches: open tasks past their due time.
        Index("ix_tasks_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(20), info={"enum": TaskTopic})
    topic_id: Mapped[int] = mapped_column(Integer)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), info={"enum": TaskState}, default=TaskState.OPEN)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignee = relationship("StaffUser")
    team = relationship("Team")

    def is_overdue(self, now: datetime) -> bool:
        return self.state == TaskState.OPEN and self.due_at < now

    def __str__(self) -> str:
        return self.title
