"""Everything the portal holds about a customer, as JSON and CSV in a ZIP (GDPR access)."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect, select

from extensions import db
from models.audit import AuditEntry
from models.billing import Advance, Invoice, InvoiceLine, Payment
from models.changes import ChangeRequest, ChangeRequestField
from models.contracts import Contract
from models.customers import Customer
from models.messaging import Message, MessageRecipient
from models.metering import MeterReading, SupplyPoint
from models.tickets import Ticket, TicketEntry, TicketKind
from models.users import Module, PortalUser
from services.access import current_scope, visible
from services.csv_cells import csv_cell

TICKET_MODULES = {TicketKind.REQUEST: Module.REQUESTS, TicketKind.SERVICE: Module.SERVICE}

# Columns never exported: secrets and internal bookkeeping.
HIDDEN = {"password_hash", "totp_secret", "version_id"}


def _row(record) -> dict:
    return {c.key: getattr(record, c.key) for c in inspect(record).mapper.column_attrs if c.key not in HIDDEN}


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def collect() -> dict[str, list[dict]]:
    """What the signed-in user may see, table by table: through `visible()`, so a user limited
    to some supply points or modules gets only those, and only the account's administrator
    gets the other users and what they did."""
    scope = current_scope()

    def rows(model, module: str | None = None):
        if module is not None and not scope.may(module):
            return []
        return db.session.scalars(visible(model).order_by(model.id)).all()

    invoices = visible(Invoice).with_only_columns(Invoice.id)
    changes = visible(ChangeRequest).with_only_columns(ChangeRequest.id)
    tickets = visible(Ticket, Ticket.kind.in_([kind for kind, module in TICKET_MODULES.items() if scope.may(module)]))
    tables = {
        "customer": rows(Customer),
        "portal_users": rows(PortalUser),
        "supply_points": rows(SupplyPoint, module=Module.SUPPLY_POINTS),
        "contracts": rows(Contract, module=Module.SUPPLY_POINTS),
        "meter_readings": rows(MeterReading, module=Module.READINGS),
        "invoices": rows(Invoice, module=Module.INVOICES),
        "invoice_lines": _children(InvoiceLine, InvoiceLine.invoice_id.in_(invoices), scope.may(Module.INVOICES)),
        "advances": rows(Advance, module=Module.INVOICES),
        "payments": rows(Payment, module=Module.INVOICES),
        "change_requests": rows(ChangeRequest, module=Module.CHANGES),
        "change_request_fields": _children(ChangeRequestField, ChangeRequestField.change_request_id.in_(changes),
                                           scope.may(Module.CHANGES)),
        "tickets": db.session.scalars(tickets.order_by(Ticket.id)).all(),  # requests and service, as allowed
        "ticket_conversation": _children(TicketEntry, TicketEntry.ticket_id.in_(tickets.with_only_columns(Ticket.id)),
                                         True, TicketEntry.visible_to_customer),
        "message_recipients": rows(MessageRecipient, module=Module.MESSAGES),
        "messages": _children(Message, Message.id.in_(visible(MessageRecipient).with_only_columns(
            MessageRecipient.message_id)), scope.may(Module.MESSAGES)),
        "audit_log": rows(AuditEntry),
    }
    return {name: [{k: _plain(v) for k, v in _row(r).items()} for r in found] for name, found in tables.items()}


def _children(model, belongs, allowed: bool, *criteria) -> list:
    """Rows that belong to visible records (invoice lines, ticket entries), when the module is allowed."""
    if not allowed:
        return []
    return db.session.scalars(select(model).where(belongs, *criteria).order_by(model.id)).all()


def build_zip() -> bytes:
    data = collect()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for name, rows in data.items():
            text = io.StringIO()
            if rows:
                writer = csv.DictWriter(text, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
            archive.writestr(f"csv/{name}.csv", text.getvalue())
    return out.getvalue()
