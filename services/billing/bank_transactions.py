"""Incoming bank transactions: the customer a variable symbol names, a credit received as a
payment or queued for the back office, and a queued one assigned to a customer or returned."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, select, union, update

from extensions import db
from models.banking import BankTransactionState, UnmatchedBankTransaction
from models.base import utcnow
from models.billing import Advance, Invoice, InvoiceState, Payment
from models.customers import Customer
from models.users import StaffUser
from services import audit
from services.billing.payments import match


class AlreadyResolved(Exception):
    """The transaction is no longer in the open queue (someone assigned or returned it)."""


@dataclass(frozen=True)
class Transaction:
    """An incoming credit as the bank's statement gives it."""

    reference: str
    received_on: date
    amount: Decimal
    variable_symbol: str | None = None
    counter_account: str | None = None
    counter_name: str | None = None
    message: str | None = None


def customer_for_symbol(symbol: str | None) -> int | None:
    """The one customer whose invoice (not cancelled) or advance carries this variable symbol,
    as payments.match() pays them; None when no customer or more than one does."""
    if not symbol:
        return None
    owners = union(
        select(Invoice.customer_id).where(Invoice.variable_symbol == symbol, Invoice.state != InvoiceState.CANCELLED),
        select(Advance.customer_id).where(Advance.variable_symbol == symbol),
    ).subquery()
    found = db.session.scalars(select(owners.c.customer_id).limit(2)).all()
    return found[0] if len(found) == 1 else None


def customer_by_number(number: str) -> Customer | None:
    return db.session.scalars(select(Customer).where(Customer.number == number.strip())).one_or_none()


def assigned_customer(transaction: UnmatchedBankTransaction) -> Customer | None:
    payment = transaction.payment
    return db.session.get(Customer, payment.customer_id) if payment is not None else None


def known(reference: str) -> UnmatchedBankTransaction | Payment | None:
    """What the portal already made of this bank reference: the queued transaction (even once
    assigned or returned), else the payment."""
    queued = db.session.scalars(select(UnmatchedBankTransaction)
                                .where(UnmatchedBankTransaction.reference == reference)).one_or_none()
    if queued is not None:
        return queued
    return db.session.scalars(select(Payment).where(Payment.reference == reference)).one_or_none()


def same_transaction(record: UnmatchedBankTransaction | Payment, transaction: Transaction) -> bool:
    """The bank reports the same money: day, amount and variable symbol as received."""
    return (record.received_on, record.amount, record.variable_symbol) == (
        transaction.received_on, transaction.amount, transaction.variable_symbol)


def receive(transaction: Transaction) -> Payment | UnmatchedBankTransaction:
    """A new incoming credit: the payment of the customer its variable symbol names, matched
    to that customer's invoices and advances; else a transaction in the back office's queue."""
    customer_id = customer_for_symbol(transaction.variable_symbol)
    if customer_id is None:
        queued = UnmatchedBankTransaction(**vars(transaction))
        db.session.add(queued)
        return queued
    payment = Payment(customer_id=customer_id, received_on=transaction.received_on, amount=transaction.amount,
                      variable_symbol=transaction.variable_symbol, reference=transaction.reference)
    db.session.add(payment)
    db.session.flush()
    match(payment)
    return payment


def _close(transaction: UnmatchedBankTransaction, staff: StaffUser, state: BankTransactionState, **values) -> None:
    """Take the transaction out of the open queue, or raise AlreadyResolved when another
    clerk did first (the condition on the state makes the second of two at once find none)."""
    result = db.session.execute(
        update(UnmatchedBankTransaction)
        .where(UnmatchedBankTransaction.id == transaction.id,
               UnmatchedBankTransaction.state == BankTransactionState.OPEN)
        .values(state=state, resolved_by_id=staff.id, resolved_at=utcnow(), **values)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise AlreadyResolved
    db.session.refresh(transaction)


def assign(transaction: UnmatchedBankTransaction, customer: Customer, staff: StaffUser,
           variable_symbol: str | None = None) -> tuple[Payment, Decimal]:
    """The transaction becomes the customer's payment (under the bank's reference), matched by
    `variable_symbol` (the one the payer should have written; by default the one received).
    Returns the payment and what of it is left unallocated. The caller commits."""
    if not transaction.is_open:
        raise AlreadyResolved
    payment = Payment(customer_id=customer.id, received_on=transaction.received_on, amount=transaction.amount,
                      variable_symbol=variable_symbol or transaction.variable_symbol, reference=transaction.reference)
    db.session.add(payment)
    db.session.flush()
    _close(transaction, staff, BankTransactionState.ASSIGNED, payment_id=payment.id)
    left = match(payment)
    audit.record("bank_transaction_assigned", transaction, customer_id=customer.id, actor=staff,
                 details={"reference": transaction.reference, "customer_number": customer.number,
                          "payment_id": payment.id, "variable_symbol": payment.variable_symbol,
                          "allocated": str(payment.amount - left), "left": str(left)})
    return payment, left


def return_to_sender(transaction: UnmatchedBankTransaction, staff: StaffUser, reason: str) -> None:
    """Mark the transaction as sent back to the payer (the bank order itself is made in the
    bank). The caller commits."""
    _close(transaction, staff, BankTransactionState.RETURNED, return_reason=reason)
    audit.record("bank_transaction_returned", transaction, actor=staff,
                 details={"reference": transaction.reference, "amount": str(transaction.amount),
                          "counter_account": transaction.counter_account, "reason": reason})


def open_first():
    """The queue as the back office lists it: open ones first, the oldest waiting on top."""
    return (case((UnmatchedBankTransaction.state == BankTransactionState.OPEN, 0), else_=1),
            UnmatchedBankTransaction.received_on, UnmatchedBankTransaction.id)
