"""What came from the bank and matched nothing: the back office's queue of incoming
transactions, each assigned to a customer (it becomes a payment) or returned to its sender."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import Money, TimestampMixin, UTCDateTime, check_in


class BankTransactionState(enum.StrEnum):
    OPEN = "open"  # waiting in the queue
    ASSIGNED = "assigned"  # a payment of the customer staff named
    RETURNED = "returned"  # sent back to the payer


class UnmatchedBankTransaction(TimestampMixin, db.Model):
    """An incoming credit of a bank statement whose variable symbol named no customer's
    invoice or advance. Keyed by the bank's reference, like a payment: a statement imported
    twice queues it once."""

    __tablename__ = "unmatched_bank_transactions"
    __table_args__ = (
        CheckConstraint(check_in("state", BankTransactionState), name="state"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("state <> 'assigned' OR payment_id IS NOT NULL", name="assigned_has_payment"),
        CheckConstraint("state <> 'returned' OR return_reason IS NOT NULL", name="returned_has_reason"),
        CheckConstraint("(state = 'open') = (resolved_at IS NULL)", name="resolved_when_closed"),
        Index("uq_unmatched_bank_transactions_reference", "reference", unique=True),
        Index("ix_unmatched_bank_transactions_state_received", "state", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(100))
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    variable_symbol: Mapped[str | None] = mapped_column(String(10))
    counter_account: Mapped[str | None] = mapped_column(String(50))
    counter_name: Mapped[str | None] = mapped_column(String(140))
    message: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), default=BankTransactionState.OPEN)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    return_reason: Mapped[str | None] = mapped_column(String(500))

    resolved_by = relationship("StaffUser")
    payment = relationship("Payment")

    @property
    def is_open(self) -> bool:
        return self.state == BankTransactionState.OPEN

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount} {self.reference}"
