"""Invoices and credit notes from the billing system, keyed by invoice number, one row per
invoice line (the invoice's own fields repeated on each of its rows, or left empty after the
first). An issued invoice never changes: the same invoice again is unchanged, a different one
under a known number is refused; a correction comes as a credit note (kind `credit_note`,
`cancels` naming the invoice) and a new invoice.

Written in batches (runner.BATCH_SIZE invoices): the keys of a whole batch are looked up in a
few queries and its invoices and lines inserted together, which is what makes tens of thousands
of rows a second possible. The PDF is the one in the ZIP (`pdf`) or, without one, made on the
first download from what was imported (services.billing.invoice_pdf.stored_pdf); `flask --app
portal make-invoice-pdfs` makes the missing ones ahead."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from extensions import db
from models.billing import Invoice, InvoiceKind, InvoiceLine, InvoiceState, LineKind
from models.contracts import Contract
from models.customers import Customer
from models.files import StoredFile
from models.metering import SupplyPoint
from services.i18n import money
from services.imports import archive
from services.imports.bulk import insert_rows, recent
from services.imports.cells import RecordError, choice, day, digits, number, on_line, optional, optional_day, required
from services.imports.groups import same_fields
from services.messaging import notices

KEY = "number"
HEADER = ("number", "kind", "customer_number", "supply_point", "contract_number", "issued_on",
          "taxable_supply_on", "due_on", "period_from", "period_to", "variable_symbol", "cancels",
          "correction_reason", "total", "pdf")
LINE = ("line_kind", "description", "quantity", "unit", "unit_price", "vat_rate", "amount_without_vat", "vat")
FIELDS = HEADER + LINE
CENT = Decimal("0.01")
STANDARD_VAT = Decimal("21")


def read(data: bytes, filename: str = "") -> Iterator[tuple[int, dict]]:
    """One record per invoice: its rows (consecutive, the same number) under "rows", as
    groups.grouped gives them but streaming: a billing export of millions of lines is never
    held in memory whole."""
    current: tuple[int, dict] | None = None
    for line, row in archive.read(data, filename):
        number_cell = (row.get("number") or "").strip()
        if current is not None and number_cell and number_cell == (current[1].get("number") or "").strip():
            current[1]["rows"].append((line, row))
            continue
        if current is not None:
            yield current
        current = (line, {**row, "rows": [(line, row)]})
    if current is not None:
        yield current


class Batch:
    """The keys of one batch of invoices looked up at once, and the rows it will insert."""

    def __init__(self, records: list[dict]):
        def cells(field):
            return {(r.get(field) or "").strip() for r in records} - {""}

        self.customers = dict(db.session.execute(
            select(Customer.number, Customer.id).where(Customer.number.in_(cells("customer_number")))).all())
        self.points = {identifier: (point_id, customer_id) for identifier, point_id, customer_id in db.session.execute(
            select(SupplyPoint.identifier, SupplyPoint.id, SupplyPoint.customer_id)
            .where(SupplyPoint.identifier.in_(cells("supply_point"))))}
        self.contracts = {contract: (contract_id, customer_id) for contract, contract_id, customer_id in
                          db.session.execute(select(Contract.number, Contract.id, Contract.customer_id)
                                             .where(Contract.number.in_(cells("contract_number"))))}
        self.known = _issued(cells("number") | cells("cancels"))
        self.new: dict[str, dict] = {}  # number -> values, in file order
        self.cancelled: set[int] = set()  # ids of known invoices a new credit note reverses whole

    def write(self) -> None:
        if not self.new:
            return
        config = current_app.config
        values = list(self.new.values())
        for item in values:
            if item["pdf"] is not None:
                db.session.add(item["pdf"])
        db.session.flush()
        rows = [{**{k: v for k, v in item.items() if k not in ("lines", "cancels", "pdf", "cancels_invoice_id")},
                 "cancels_invoice_id": item.get("cancels_invoice_id"),
                 "pdf_id": item["pdf"].id if item["pdf"] is not None else None,
                 "bank_account": config["SUPPLIER_BANK_ACCOUNT"], "iban": config["SUPPLIER_IBAN"],
                 "amount_paid": Decimal(0)} for item in values]
        ids = insert_rows(Invoice, rows, with_ids=True)
        numbers = dict(zip(self.new, ids, strict=True))
        insert_rows(InvoiceLine, [{**line, "invoice_id": invoice_id}
                                  for item, invoice_id in zip(values, ids, strict=True) for line in item["lines"]])
        # A credit note for an invoice of the same batch learns its id only now.
        for item, invoice_id in zip(values, ids, strict=True):
            if item["cancels"] in numbers:
                db.session.execute(update(Invoice).where(Invoice.id == invoice_id)
                                   .values(cancels_invoice_id=numbers[item["cancels"]]))
        if self.cancelled:
            db.session.execute(update(Invoice).where(Invoice.id.in_(self.cancelled))
                               .values(state=InvoiceState.CANCELLED))
        # A new invoice is announced to its customer's users; a history loaded into the portal is not.
        notices.announce_invoices([invoice_id for item, invoice_id in zip(values, ids, strict=True)
                                   if recent(item["issued_on"])])


def prepare(records: list[dict]) -> Batch:
    return Batch(records)


def parse(record: dict, batch: Batch) -> dict:
    rows = record["rows"]
    same_fields(record, HEADER)
    invoice_number = required(record, "number", 20)
    kind = choice(record, "kind", InvoiceKind, default=InvoiceKind.SETTLEMENT.value)
    customer_number = required(record, "customer_number", 10)
    customer_id = batch.customers.get(customer_number)
    if customer_id is None:
        raise RecordError("customer_number", _l("No customer has the number %(number)s.", number=customer_number))
    supply_point_id = _owned(batch.points, record, "supply_point", customer_id)
    contract_id = _owned(batch.contracts, record, "contract_number", customer_id)
    issued_on = day(record, "issued_on")
    due_on = day(record, "due_on")
    if due_on < issued_on:
        raise RecordError("due_on", _l("The due date is before the day of issue."))
    period_from, period_to = optional_day(record, "period_from"), optional_day(record, "period_to")
    if (period_from is None) != (period_to is None):
        raise RecordError("period_to", _l("A billing period has both its first and its last day."))
    if period_from is not None and period_to < period_from:
        raise RecordError("period_to", _l("The period ends before it starts."))
    cancels = optional(record, "cancels", 20)
    reason = optional(record, "correction_reason", 500)
    if kind == InvoiceKind.CREDIT_NOTE:
        if cancels is None:
            raise RecordError("cancels", _l("A credit note names the invoice it corrects."))
        if reason is None:
            raise RecordError("correction_reason", _l("A credit note states the reason of the correction."))
    elif cancels is not None:
        raise RecordError("cancels", _l("Only a credit note corrects another invoice."))
    lines = []
    for position, (line, row) in enumerate(rows, start=1):
        with on_line(line):
            lines.append(_line(row, position))
    total_without_vat = sum((line["amount_without_vat"] for line in lines), Decimal(0))
    total_vat = sum((line["vat"] for line in lines), Decimal(0))
    total = total_without_vat + total_vat
    if (record.get("total") or "").strip() and number(record, "total", 2) != total:
        raise RecordError("total", _l("The total is not the sum of the lines (%(sum)s).", sum=money(total)))
    return {
        "number": invoice_number, "kind": kind, "customer_id": customer_id, "supply_point_id": supply_point_id,
        "contract_id": contract_id, "issued_on": issued_on,
        "taxable_supply_on": optional_day(record, "taxable_supply_on") or issued_on, "due_on": due_on,
        "period_from": period_from, "period_to": period_to,
        "variable_symbol": digits(record, "variable_symbol", 10), "cancels": cancels, "correction_reason": reason,
        "total_without_vat": total_without_vat, "total_vat": total_vat, "total": total,
        "state": InvoiceState.PAID if total <= 0 else
        (InvoiceState.OVERDUE if due_on < date.today() else InvoiceState.UNPAID),
        "lines": lines, "pdf": _pdf(record, invoice_number),
    }


def apply(values: dict, batch: Batch) -> str:
    number_ = values["number"]
    earlier = batch.known.get(number_)
    if earlier is not None or number_ in batch.new:
        same = (earlier.content if earlier is not None else _content(batch.new[number_])) == _content(values)
        if not same:
            raise RecordError("number", _l("Invoice %(number)s was issued with other values; an issued invoice "
                                           "does not change (a correction is a credit note and a new invoice).",
                                           number=number_))
        return "unchanged"
    if values["kind"] == InvoiceKind.CREDIT_NOTE:
        _check_correction(values, batch)
    batch.new[number_] = values
    return "created"


def _check_correction(values: dict, batch: Batch) -> None:
    cancels = values["cancels"]
    corrected = batch.known.get(cancels)
    pending = batch.new.get(cancels)
    if corrected is None and pending is None:
        raise RecordError("cancels", _l("No invoice has the number %(value)s.", value=cancels))
    customer_id = corrected.customer_id if corrected is not None else pending["customer_id"]
    kind = corrected.kind if corrected is not None else pending["kind"]
    state = corrected.state if corrected is not None else pending["state"]
    total = corrected.total if corrected is not None else pending["total"]
    if customer_id != values["customer_id"]:
        raise RecordError("cancels", _l("Invoice %(value)s belongs to another customer.", value=cancels))
    if kind == InvoiceKind.CREDIT_NOTE or state == InvoiceState.CANCELLED:
        raise RecordError("cancels", _l("Invoice %(value)s is a credit note or already cancelled.", value=cancels))
    if values["total"] == -total:  # reverses it whole: the invoice is cancelled
        if corrected is not None:
            values["cancels_invoice_id"] = corrected.id
            batch.cancelled.add(corrected.id)
            corrected.state = InvoiceState.CANCELLED  # a second credit note for it is refused
        else:
            pending["state"] = InvoiceState.CANCELLED
    elif corrected is not None:
        values["cancels_invoice_id"] = corrected.id


def _line(record: dict, position: int) -> dict:
    quantity = number(record, "quantity", 3)
    unit_price = number(record, "unit_price", 4)
    vat_rate = number(record, "vat_rate", 2, default=STANDARD_VAT, negative=False)
    amount = number(record, "amount_without_vat", 2, default=(quantity * unit_price).quantize(CENT))
    vat = number(record, "vat", 2, default=(amount * vat_rate / 100).quantize(CENT))
    return {"position": position, "kind": choice(record, "line_kind", LineKind, default=LineKind.OTHER.value),
            "description": required(record, "description", 200), "quantity": quantity,
            "unit": required(record, "unit", 20), "unit_price": unit_price, "vat_rate": vat_rate,
            "amount_without_vat": amount, "vat": vat}


def _owned(known: dict, record: dict, field: str, customer_id: int) -> int | None:
    """The id of the customer's supply point or contract the cell names."""
    key = optional(record, field, 20)
    if key is None:
        return None
    if key not in known:
        raise RecordError(field, _l("No supply point has the identifier %(value)s.", value=key)
                          if field == "supply_point" else _l("No contract has the number %(value)s.", value=key))
    record_id, owner_id = known[key]
    if owner_id != customer_id:
        raise RecordError(field, _l("This belongs to another customer."))
    return record_id


def _pdf(record: dict, invoice_number: str) -> StoredFile | None:
    content = archive.attachment(record, "pdf")
    if content is None:
        return None
    return StoredFile.from_bytes(f"{invoice_number}.pdf", "application/pdf", content)


def _content(values: dict) -> tuple:
    header = tuple(values[k] for k in ("kind", "customer_id", "supply_point_id", "contract_id", "issued_on",
                                       "taxable_supply_on", "due_on", "period_from", "period_to",
                                       "variable_symbol", "correction_reason", "total"))
    lines = tuple(_line_key(line["kind"], line["description"], line["quantity"], line["unit"], line["unit_price"],
                            line["vat_rate"], line["amount_without_vat"], line["vat"]) for line in values["lines"])
    return header, lines


@dataclass
class Issued:
    """What the batch needs of an invoice already in the portal."""
    id: int
    customer_id: int
    kind: str
    state: str
    total: Decimal
    content: tuple


CONTENT = (Invoice.kind, Invoice.customer_id, Invoice.supply_point_id, Invoice.contract_id, Invoice.issued_on,
           Invoice.taxable_supply_on, Invoice.due_on, Invoice.period_from, Invoice.period_to,
           Invoice.variable_symbol, Invoice.correction_reason, Invoice.total)
LINE_CONTENT = (InvoiceLine.kind, InvoiceLine.description, InvoiceLine.quantity, InvoiceLine.unit,
                InvoiceLine.unit_price, InvoiceLine.vat_rate, InvoiceLine.amount_without_vat, InvoiceLine.vat)


def _issued(numbers: set[str]) -> dict[str, Issued]:
    """The invoices with these numbers, read as plain rows (two queries, no ORM objects)."""
    if not numbers:
        return {}
    heads = db.session.execute(select(Invoice.id, Invoice.number, Invoice.state, *CONTENT)
                               .where(Invoice.number.in_(numbers))).all()
    lines: dict[int, list[tuple]] = {head.id: [] for head in heads}
    if heads:
        for row in db.session.execute(select(InvoiceLine.invoice_id, *LINE_CONTENT)
                                      .where(InvoiceLine.invoice_id.in_(lines))
                                      .order_by(InvoiceLine.invoice_id, InvoiceLine.position)):
            lines[row[0]].append(_line_key(*row[1:]))
    return {head.number: Issued(head.id, head.customer_id, head.kind, head.state, head.total,
                                (tuple(head[3:]), tuple(lines[head.id]))) for head in heads}


def _line_key(kind, description, quantity, unit, unit_price, vat_rate, amount, vat) -> tuple:
    def exact(value, places):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))

    return (kind, description, exact(quantity, 3), unit, exact(unit_price, 4), exact(vat_rate, 2),
            exact(amount, 2), exact(vat, 2))
