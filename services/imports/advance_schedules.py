"""Advance schedules (zálohové kalendáře) from the billing system, keyed by the schedule's
number, one row per advance (the schedule's fields repeated on each of its rows, or left empty
after the first; the rows of one number need not follow one another).

Advances are matched to the file's rows by their due date. A changed schedule updates its
unpaid advances (amount, variable symbol), adds the new ones and drops the ones no longer in
the file; an advance already paid, even in part, never changes: a row that would change or
drop it refuses the whole schedule, naming it. A payment that came before its schedule (its
variable symbol matched nothing, so it waits with money left over) is matched to the new
advances as soon as they arrive, as services.billing.payments.match would have on arrival."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from flask_babel import format_date, lazy_gettext as _l
from sqlalchemy import func, select

from extensions import db
from models.billing import Advance, AdvanceSchedule, Payment, PaymentAllocation
from models.contracts import Contract, contract_supply_points
from models.customers import Customer
from models.metering import SupplyPoint
from services.billing.payments import match
from services.imports.bulk import recent
from services.imports.cells import RecordError, day, digits, money, on_line, optional, required
from services.imports.groups import grouped, same_fields
from services.imports.reader import read_records
from services.messaging import notices

KEY = "number"
HEADER = ("number", "customer_number", "supply_point", "contract_number", "valid_from", "frequency_months",
          "variable_symbol", "amount")
ADVANCE = ("due_on", "advance_amount")
FIELDS = HEADER + ADVANCE
FREQUENCIES = ("1", "3", "6", "12")


def read(data: bytes, filename: str = "") -> Iterator[tuple[int, dict]]:
    """One record per schedule, its rows (one per advance) under "rows"."""
    return grouped(read_records(data, filename), KEY)


def parse(record: dict) -> dict:
    number = required(record, "number", 20)
    same_fields(record, HEADER)
    customer_number = required(record, "customer_number", 10)
    customer_id = db.session.scalar(select(Customer.id).where(Customer.number == customer_number))
    if customer_id is None:
        raise RecordError("customer_number", _l("No customer has the number %(number)s.", number=customer_number))
    point_id = _owned(record, "supply_point", SupplyPoint, SupplyPoint.identifier, customer_id)
    contract_id = _owned(record, "contract_number", Contract, Contract.number, customer_id)
    if point_id is not None and contract_id is not None and db.session.scalar(select(func.count()).where(
            contract_supply_points.c.contract_id == contract_id,
            contract_supply_points.c.supply_point_id == point_id)) == 0:
        raise RecordError("supply_point", _l("The contract does not cover this supply point."))
    frequency = (record.get("frequency_months") or "").strip() or "1"
    if frequency not in FREQUENCIES:
        raise RecordError("frequency_months", _l("One of: %(values)s.", values=", ".join(FREQUENCIES)))
    valid_from, amount = day(record, "valid_from"), money(record, "amount")
    advances: dict[date, tuple[int, Decimal]] = {}
    for line, row in record["rows"]:
        with on_line(line):
            due_on = day(row, "due_on")
            if due_on < valid_from:
                raise RecordError("due_on", _l("The advance is due before the schedule is valid."))
            if due_on in advances:
                raise RecordError("due_on", _l("The schedule has another advance due on this day."))
            advance_amount = money(row, "advance_amount") if (row.get("advance_amount") or "").strip() else amount
            advances[due_on] = (line, advance_amount)
    return {"number": number, "customer_id": customer_id, "supply_point_id": point_id, "contract_id": contract_id,
            "valid_from": valid_from, "frequency_months": int(frequency),
            "variable_symbol": digits(record, "variable_symbol", 10), "amount": amount, "advances": advances}


def apply(values: dict) -> str:
    advances = values.pop("advances")
    schedule = db.session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.number == values["number"])).one_or_none()
    if schedule is None:
        schedule = AdvanceSchedule(**values)
        schedule.advances = [_advance(schedule, due_on, amount) for due_on, (_, amount) in sorted(advances.items())]
        db.session.add(schedule)
        _match_waiting_payments(schedule)
        db.session.flush()
        if recent(schedule.valid_from):
            notices.announce_advance_schedule(schedule)
        return "created"
    if schedule.customer_id != values["customer_id"]:
        raise RecordError("customer_number", _l("Advance schedule %(number)s belongs to another customer.",
                                                number=schedule.number))
    _refuse_changes_to_paid(schedule, values["variable_symbol"], advances)
    changed = {k: v for k, v in values.items() if getattr(schedule, k) != v}
    for name, value in changed.items():
        setattr(schedule, name, value)
    known = {advance.due_on: advance for advance in schedule.advances}
    for due_on, advance in known.items():
        if due_on not in advances:
            schedule.advances.remove(advance)
            changed[f"advance {due_on}"] = True
        elif (advance.amount, advance.variable_symbol) != (advances[due_on][1], schedule.variable_symbol):
            advance.amount, advance.variable_symbol = advances[due_on][1], schedule.variable_symbol
            changed[f"advance {due_on}"] = True
    for due_on, (_, amount) in sorted(advances.items()):
        if due_on not in known:
            schedule.advances.append(_advance(schedule, due_on, amount))
            changed[f"advance {due_on}"] = True
    if not changed:
        return "unchanged"
    _match_waiting_payments(schedule)
    return "updated"


def _refuse_changes_to_paid(schedule: AdvanceSchedule, variable_symbol: str, advances: dict) -> None:
    """A RecordError naming the first paid advance the record would change or drop."""
    for advance in schedule.advances:
        if advance.amount_paid <= 0:
            continue
        when = format_date(advance.due_on)
        if advance.due_on not in advances:
            raise RecordError("due_on", _l("The advance due on %(date)s is paid (in part); it stays in the schedule.",
                                           date=when))
        line, amount = advances[advance.due_on]
        with on_line(line):
            if amount != advance.amount:
                raise RecordError("advance_amount", _l("The advance due on %(date)s is paid (in part); its amount "
                                                       "does not change.", date=when))
            if variable_symbol != advance.variable_symbol:
                raise RecordError("variable_symbol", _l("The advance due on %(date)s is paid (in part); its variable "
                                                        "symbol does not change.", date=when))


def _advance(schedule: AdvanceSchedule, due_on: date, amount: Decimal) -> Advance:
    return Advance(customer_id=schedule.customer_id, due_on=due_on, amount=amount,
                   variable_symbol=schedule.variable_symbol)


def _match_waiting_payments(schedule: AdvanceSchedule) -> None:
    """Match the customer's payments with the schedule's variable symbol that still hold money
    nothing took (they came first), oldest first."""
    db.session.flush()
    allocated = (select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
                 .where(PaymentAllocation.payment_id == Payment.id).scalar_subquery())
    waiting = db.session.scalars(select(Payment).where(
        Payment.customer_id == schedule.customer_id, Payment.variable_symbol == schedule.variable_symbol,
        Payment.amount > allocated, Payment.reversed_at.is_(None)).order_by(Payment.received_on, Payment.id)).all()
    for payment in waiting:
        match(payment)


def _owned(record: dict, field: str, model, key_column, customer_id: int) -> int | None:
    """The id of the customer's supply point or contract the cell names."""
    key = optional(record, field, 20)
    if key is None:
        return None
    found = db.session.execute(select(model.id, model.customer_id).where(key_column == key)).one_or_none()
    if found is None:
        raise RecordError(field, _l("No supply point has the identifier %(value)s.", value=key)
                          if model is SupplyPoint else _l("No contract has the number %(value)s.", value=key))
    if found.customer_id != customer_id:
        raise RecordError(field, _l("This belongs to another customer."))
    return found.id
