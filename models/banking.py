"""The back office's "to decide" queue of money nothing matched: incoming bank transactions of
no known customer (assigned to a customer, where they become a payment, or returned to the
sender) and the unallocated rest of a customer's payment (assigned to an invoice or advance,
refunded by a refund order, or kept as the customer's credit)."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import Money, TimestampMixin, UTCDateTime, check_in
from models.scoping import CustomerRecord


class BankTransactionState(enum.StrEnum):
    OPEN = "open"  # waiting in the queue
    ASSIGNED = "assigned"  # a payment of the customer staff named; a rest: paid an invoice or advance
    RETURNED = "returned"  # sent back to the payer
    REFUNDED = "refunded"  # a rest: a refund order to the customer's account
    CREDIT = "credit"  # a rest: kept as the customer's credit
    WITHDRAWN = "withdrawn"  # a rest: its payment was reversed


class UnmatchedBankTransaction(TimestampMixin, db.Model):
    """An amount waiting for a decision. Either an incoming credit of a bank statement whose
    variable symbol named no customer's invoice or advance (no `customer_id`; keyed by the
    bank's reference, like a payment: a statement imported twice queues it once), or the rest
    of a customer's payment that paid nothing or more than was due (`customer_id` and
    `payment_id` set from the start, no reference)."""

    __tablename__ = "unmatched_bank_transactions"
    __table_args__ = (
        CheckConstraint(check_in("state", BankTransactionState), name="state"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("state <> 'assigned' OR payment_id IS NOT NULL", name="assigned_has_payment"),
        CheckConstraint("state <> 'returned' OR return_reason IS NOT NULL", name="returned_has_reason"),
        CheckConstraint("(state = 'open') = (resolved_at IS NULL)", name="resolved_when_closed"),
        CheckConstraint("customer_id IS NULL OR payment_id IS NOT NULL", name="rest_has_payment"),
        CheckConstraint("customer_id IS NOT NULL OR reference IS NOT NULL", name="transaction_has_reference"),
        Index("uq_unmatched_bank_transactions_reference", "reference", unique=True),
        Index("ix_unmatched_bank_transactions_state_received", "state", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(100))
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
    # The customer whose payment's rest this is (None: a bank transaction of an unknown payer).
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)

    resolved_by = relationship("StaffUser")
    payment = relationship("Payment")
    customer = relationship("Customer")

    @property
    def is_open(self) -> bool:
        return self.state == BankTransactionState.OPEN

    @property
    def is_rest(self) -> bool:
        """The rest of a customer's payment (not a bank transaction of an unknown payer)."""
        return self.customer_id is not None

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount} {self.reference or ''}".strip()


class RefundOrder(CustomerRecord, TimestampMixin, db.Model):
    """Money sent back to the customer's account from the rest of a payment: the order the
    bank carries out. A debit on the customer's statement."""

    __tablename__ = "refund_orders"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("unmatched_bank_transactions.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    bank_account: Mapped[str] = mapped_column(String(40))
    ordered_on: Mapped[date] = mapped_column(Date)
    ordered_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))

    customer = relationship("Customer")
    payment = relationship("Payment")
    ordered_by = relationship("StaffUser")

    @classmethod
    def concerns_supply_points(cls, ids):
        """A refund returns money that paid nothing: it concerns no supply point (a user limited to
        some does not see the unallocated payment either)."""
        return false()

    def __str__(self) -> str:
        return f"{self.ordered_on} {self.amount} → {self.bank_account}"
