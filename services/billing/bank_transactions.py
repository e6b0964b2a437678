"""The back office's "to decide" queue: incoming bank transactions (the customer a variable symbol
names, a credit received as a payment or queued, a queued one assigned to a customer or returned)
and the rests of customers' payments (assigned to an invoice or advance, refunded to the
customer's account, or kept as the customer's credit). Every decision is audited; the caller
commits it with its audit entry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, select, union, update

from extensions import db
from models.banking import BankTransactionState, RefundOrder, UnmatchedBankTransaction
from models.base import ZERO, utcnow
from models.billing import Advance, Invoice, InvoiceState, Payment
from models.customers import Customer
from models.users import StaffUser
from services import audit
from services.billing.payments import allocate, match, open_share, queue_rest


class AlreadyResolved(Exception):
    """The transaction is no longer in the open queue (someone assigned or returned it)."""


class NoAccount(Exception):
    """The customer has no bank account on file to refund to."""


class NothingToPay(Exception):
    """The invoice or advance is not the customer's, or nothing is left to pay on it."""


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


def customer_by_id(customer_id: int) -> Customer | None:
    return db.session.get(Customer, customer_id)


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
    if not transaction.is_open or transaction.is_rest:
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
    if transaction.is_rest:
        raise AlreadyResolved
    _close(transaction, staff, BankTransactionState.RETURNED, return_reason=reason)
    audit.record("bank_transaction_returned", transaction, actor=staff,
                 details={"reference": transaction.reference, "amount": str(transaction.amount),
                          "counter_account": transaction.counter_account, "reason": reason})


def payment_targets(item: UnmatchedBankTransaction) -> list[Invoice | Advance]:
    """The customer's invoices and advances a payment's rest can still pay, oldest due first."""
    invoices = db.session.scalars(select(Invoice).where(
        Invoice.customer_id == item.customer_id, Invoice.state.in_(
            (InvoiceState.UNPAID, InvoiceState.PARTLY_PAID, InvoiceState.OVERDUE)),
        Invoice.total > Invoice.amount_paid).order_by(Invoice.due_on, Invoice.id).limit(100)).all()
    advances = db.session.scalars(select(Advance).where(
        Advance.customer_id == item.customer_id, Advance.amount > Advance.amount_paid)
        .order_by(Advance.due_on, Advance.id).limit(100)).all()
    return [*invoices, *advances]


def _decided(item: UnmatchedBankTransaction, staff: StaffUser, action: str, **details) -> None:
    audit.record(action, item, customer_id=item.customer_id, actor=staff,
                 details={"payment_id": item.payment_id, "amount": str(item.amount), **details})


def assign_rest(item: UnmatchedBankTransaction, target: Invoice | Advance, staff: StaffUser) -> Decimal:
    """The rest pays the customer's invoice or advance, up to what is due on it; what is still
    left waits in the queue again. Returns that remainder."""
    if not item.is_open or not item.is_rest:
        raise AlreadyResolved
    share = min(item.amount, open_share(target))
    if target.customer_id != item.customer_id or share <= ZERO:
        raise NothingToPay
    _close(item, staff, BankTransactionState.ASSIGNED, amount=share)
    payment = db.session.get(Payment, item.payment_id)
    allocate(payment, target, share, date.today())
    remainder = queue_rest(payment)
    _decided(item, staff, "payment_rest_assigned",
             target=str(target) if isinstance(target, Invoice) else f"advance {target.id} {target.due_on}",
             left=str(remainder.amount if remainder else ZERO))
    return remainder.amount if remainder else ZERO


def refund(item: UnmatchedBankTransaction, staff: StaffUser) -> RefundOrder:
    """A refund order of the rest to the account in the customer's data (NoAccount without one)."""
    if not item.is_open or not item.is_rest:
        raise AlreadyResolved
    account = (item.customer.bank_account or "").strip()
    if not account:
        raise NoAccount
    _close(item, staff, BankTransactionState.REFUNDED)
    order = RefundOrder(customer_id=item.customer_id, payment_id=item.payment_id, queue_item_id=item.id,
                        amount=item.amount, bank_account=account, ordered_on=date.today(), ordered_by_id=staff.id)
    db.session.add(order)
    db.session.flush()
    _decided(item, staff, "payment_rest_refunded", refund_order_id=order.id, bank_account=account)
    return order


def keep_as_credit(item: UnmatchedBankTransaction, staff: StaffUser) -> None:
    """The rest stays the customer's credit (it keeps counting in the customer's favour)."""
    if not item.is_open or not item.is_rest:
        raise AlreadyResolved
    _close(item, staff, BankTransactionState.CREDIT)
    _decided(item, staff, "payment_rest_kept_as_credit")


def open_first():
    """The queue as the back office lists it: open ones first, the oldest waiting on top."""
    return (case((UnmatchedBankTransaction.state == BankTransactionState.OPEN, 0), else_=1),
            UnmatchedBankTransaction.received_on, UnmatchedBankTransaction.id)
