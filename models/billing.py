"""Invoices with their lines, advance schedules and advances, and payments."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import ZERO, Money, TimestampMixin, UTCDateTime, check_in
from models.scoping import CustomerRecord


class InvoiceKind(enum.StrEnum):
    SETTLEMENT = "settlement"  # vyúčtování
    ADVANCE = "advance"  # zálohová faktura
    CREDIT_NOTE = "credit_note"  # dobropis


class InvoiceState(enum.StrEnum):
    UNPAID = "unpaid"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


class LineKind(enum.StrEnum):
    CONSUMPTION = "consumption"
    DISTRIBUTION = "distribution"
    FEE = "fee"
    ADVANCE_DEDUCTED = "advance_deducted"
    OTHER = "other"


class Invoice(CustomerRecord, TimestampMixin, db.Model):
    """Once issued, an invoice does not change; a settlement whose advances exceed
    the cost has a negative total (the amount refunded to the customer)."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint(check_in("kind", InvoiceKind), name="kind"),
        CheckConstraint(check_in("state", InvoiceState), name="state"),
        CheckConstraint("amount_paid >= 0", name="amount_paid_non_negative"),
        CheckConstraint("due_on >= issued_on", name="due_after_issue"),
        CheckConstraint("period_to IS NULL OR period_to >= period_from", name="period"),
        Index("ix_invoices_customer_issued", "customer_id", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    supply_point_id: Mapped[int | None] = mapped_column(ForeignKey("supply_points.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    issued_on: Mapped[date] = mapped_column(Date)
    taxable_supply_on: Mapped[date] = mapped_column(Date)  # DUZP
    due_on: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    variable_symbol: Mapped[str] = mapped_column(String(10), index=True)
    bank_account: Mapped[str] = mapped_column(String(30))
    iban: Mapped[str] = mapped_column(String(34))
    total_without_vat: Mapped[Decimal] = mapped_column(Money)
    total_vat: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)
    amount_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    state: Mapped[str] = mapped_column(String(16), default=InvoiceState.UNPAID)
    pdf_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    # A credit note names the invoice it cancels.
    cancels_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    correction_reason: Mapped[str | None] = mapped_column(String(500))  # required on a credit note by VAT law

    customer = relationship("Customer")
    cancels = relationship("Invoice", remote_side=[id], backref="credit_notes")
    supply_point = relationship("SupplyPoint")
    contract = relationship("Contract")
    pdf = relationship("StoredFile")
    lines: Mapped[list[InvoiceLine]] = relationship(back_populates="invoice", cascade="all, delete-orphan",
                                                      order_by="InvoiceLine.position")

    @property
    def amount_due(self) -> Decimal:
        if self.state == InvoiceState.CANCELLED:
            return ZERO
        return max(self.total - self.amount_paid, ZERO)

    def is_overdue(self, today: date) -> bool:
        return self.amount_due > 0 and self.due_on < today

    def __str__(self) -> str:
        return self.number

    @classmethod
    def concerns_supply_points(cls, ids):
        return cls.supply_point_id.in_(ids)


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"
    __table_args__ = (CheckConstraint(check_in("kind", LineKind), name="kind"),
                      CheckConstraint("vat_rate >= 0", name="vat_rate"))

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3, asdecimal=True))
    unit: Mapped[str] = mapped_column(String(20))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 4, asdecimal=True))
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2, asdecimal=True))
    amount_without_vat: Mapped[Decimal] = mapped_column(Money)
    vat: Mapped[Decimal] = mapped_column(Money)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    def __str__(self) -> str:
        return self.description


class AdvanceSchedule(CustomerRecord, TimestampMixin, db.Model):
    """Zálohový kalendář: the advances a customer pays for a contract or supply point."""

    __tablename__ = "advance_schedules"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_non_negative"),
                      CheckConstraint("frequency_months IN (1, 3, 6, 12)", name="frequency"),
                      Index("uq_advance_schedules_number", "number", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    # The billing system's key of the schedule (imports upsert by it); None when made here.
    number: Mapped[str | None] = mapped_column(String(20))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    supply_point_id: Mapped[int | None] = mapped_column(ForeignKey("supply_points.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    frequency_months: Mapped[int] = mapped_column(Integer, default=1)
    variable_symbol: Mapped[str] = mapped_column(String(10))

    supply_point = relationship("SupplyPoint")
    contract = relationship("Contract")
    advances: Mapped[list[Advance]] = relationship(back_populates="schedule", cascade="all, delete-orphan",
                                                     order_by="Advance.due_on")

    def __str__(self) -> str:
        return f"{self.variable_symbol} od {self.valid_from}"

    @classmethod
    def concerns_supply_points(cls, ids):
        return cls.supply_point_id.in_(ids)


class Advance(CustomerRecord, db.Model):
    __tablename__ = "advances"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_non_negative"),
                      CheckConstraint("amount_paid >= 0", name="paid_non_negative"),
                      Index("ix_advances_customer_due", "customer_id", "due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("advance_schedules.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    variable_symbol: Mapped[str] = mapped_column(String(10))
    amount_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    paid_on: Mapped[date | None] = mapped_column(Date)

    schedule: Mapped[AdvanceSchedule] = relationship(back_populates="advances")

    @property
    def is_paid(self) -> bool:
        return self.amount_paid >= self.amount

    def __str__(self) -> str:
        return f"{self.due_on} {self.amount}"

    @classmethod
    def concerns_supply_points(cls, ids):
        return cls.schedule_id.in_(select(AdvanceSchedule.id).where(AdvanceSchedule.concerns_supply_points(ids)))


class Payment(CustomerRecord, TimestampMixin, db.Model):
    """Money the customer paid. Never edited nor deleted: a wrong one is reversed (with the
    reason), stays listed as reversed and counts no more in the customer's balance."""

    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),
                      CheckConstraint("reversed_at IS NULL OR reversal_reason IS NOT NULL", name="reversed_has_reason"),
                      Index("ix_payments_customer_received", "customer_id", "received_on"),
                      # The bank's transaction reference: the same statement twice adds nothing.
                      Index("uq_payments_reference", "reference", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    variable_symbol: Mapped[str | None] = mapped_column(String(10))
    reference: Mapped[str | None] = mapped_column(String(100))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    reversal_reason: Mapped[str | None] = mapped_column(String(500))

    customer = relationship("Customer")
    reversed_by = relationship("StaffUser")
    allocations: Mapped[list[PaymentAllocation]] = relationship(back_populates="payment", cascade="all, delete-orphan")

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None

    @property
    def allocated(self) -> Decimal:
        return sum((a.amount for a in self.allocations), ZERO)

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount}"

    @classmethod
    def concerns_supply_points(cls, ids):
        """A payment that paid something of these supply points (a limited user sees only the
        part that did: PaymentAllocation.concerns_supply_points)."""
        return select(PaymentAllocation.id).where(PaymentAllocation.payment_id == cls.id,
                                                  PaymentAllocation.concerns_supply_points(ids)).exists()


class PaymentAllocation(db.Model):
    """What a payment paid: one invoice or one advance."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("(invoice_id IS NULL) <> (advance_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    advance_id: Mapped[int | None] = mapped_column(ForeignKey("advances.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)

    payment: Mapped[Payment] = relationship(back_populates="allocations")
    invoice = relationship("Invoice", backref="allocations")
    advance = relationship("Advance", backref="allocations")

    def __str__(self) -> str:
        return f"{self.amount}"

    @classmethod
    def concerns_supply_points(cls, ids):
        """The part of a payment that paid an invoice or an advance of these supply points."""
        return or_(cls.invoice_id.in_(select(Invoice.id).where(Invoice.concerns_supply_points(ids))),
                   cls.advance_id.in_(select(Advance.id).where(Advance.concerns_supply_points(ids))))
