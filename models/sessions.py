"""Sign-in sessions: one row per signed-in browser of a portal user or a staff member.

The session cookie carries only a random token whose hash is stored here. Ending the row
(sign-out, a timeout, a password change, "sign out this one") ends that session on the
server, so a copy of the cookie taken before is worth nothing afterwards."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import UTCDateTime, check_in, utcnow


class SessionEnd(enum.StrEnum):
    """Why a session ended (shown to nobody, kept for the audit trail and support)."""

    SIGNED_OUT = "signed_out"
    IDLE = "idle"
    EXPIRED = "expired"
    PASSWORD_CHANGED = "password_changed"
    ENDED_ELSEWHERE = "ended_elsewhere"  # "sign out this one" from another device
    SIGNED_OUT_EVERYWHERE = "everywhere"
    ACCOUNT_CHANGED = "account_changed"  # disabled, two-factor reset, access closed


class SignInSession(db.Model):
    __tablename__ = "sign_in_sessions"
    __table_args__ = (
        # Exactly one kind of account owns a session.
        CheckConstraint("(portal_user_id IS NULL) <> (staff_user_id IS NULL)", name="one_owner"),
        CheckConstraint(f"end_reason IS NULL OR {check_in('end_reason', SessionEnd)}", name="end_reason"),
        # The lists of a person's open sessions.
        Index("ix_sign_in_sessions_portal_open", "portal_user_id", "ended_at"),
        Index("ix_sign_in_sessions_staff_open", "staff_user_id", "ended_at"),
        # The sign-ins on the customer overview's timeline, newest first.
        Index("ix_sign_in_sessions_portal_started", "portal_user_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    portal_user_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id", ondelete="CASCADE"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The address it was last used from and the browser that holds it.
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def __str__(self) -> str:
        return f"session {self.id} since {self.started_at:%Y-%m-%d %H:%M}"
