"""The supplier's systems as clients of the JSON API: their tokens (only a SHA-256 of each is
stored; scoped, expiring, revocable) and the change feed they pull what customers submit from."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, UTCDateTime, utcnow


class TokenState(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ApiClient(TimestampMixin, db.Model):
    """One of the supplier's systems (CRM, billing, meter data) that calls the API."""

    __tablename__ = "api_clients"
    __table_args__ = (Index("uq_api_clients_name", "name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # An inactive client's tokens open nothing, whatever their own state.
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="client", cascade="all, delete-orphan",
                                                  order_by="ApiToken.id")

    def __str__(self) -> str:
        return self.name


class ApiToken(db.Model):
    """A bearer token of a client. The secret itself is shown once and never stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("uq_api_tokens_token_hash", "token_hash", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the secret, hex
    # Space-separated, as OAuth writes them: `invoices:write self-readings:read`.
    scopes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[ApiClient] = relationship(back_populates="tokens")

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def allows(self, scope: str) -> bool:
        return scope in self.scope_list

    def state(self, now: datetime | None = None) -> TokenState:
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at <= (now or utcnow()):
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    def __str__(self) -> str:
        return f"#{self.id} {self.client}"


class ApiChange(db.Model):
    """One entry of the change feed: record `record_id` of `topic` changed. The number is given
    when the change's transaction commits (services.api.feed), so numbers become visible in
    their own order and a client that pulls after a number misses nothing."""

    __tablename__ = "api_changes"
    __table_args__ = (Index("ix_api_changes_topic_number", "topic", "number"),)

    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    topic: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __str__(self) -> str:
        return f"{self.number} {self.topic} {self.record_id}"


class ApiChangeCounter(db.Model):
    """The last change number given (one row, id 1). Its row lock, held from the numbering to
    the commit, puts the numbering of concurrent transactions in commit order."""

    __tablename__ = "api_change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(BigInteger, default=0)
