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
from models.messaging import Message, MessageRecipient
from models.metering import MeterReading, SupplyPoint
from models.tickets import Ticket, TicketEntry
from models.users import PortalUser
from services.downloads import csv_cell

# Columns never exported: secrets and internal bookkeeping.
HIDDEN = {"password_hash", "totp_secret", "session_version", "version_id"}


def _row(record) -> dict:
    return {c.key: getattr(record, c.key) for c in inspect(record).mapper.column_attrs if c.key not in HIDDEN}


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def collect(customer) -> dict[str, list[dict]]:
    cid = customer.id
    point_ids = select(SupplyPoint.id).where(SupplyPoint.customer_id == cid)
    tables = {
        "customer": [customer],
        "portal_users": db.session.scalars(select(PortalUser).where(PortalUser.customer_id == cid)).all(),
        "supply_points": db.session.scalars(select(SupplyPoint).where(SupplyPoint.customer_id == cid)).all(),
        "contracts": db.session.scalars(select(Contract).where(Contract.customer_id == cid)).all(),
        "meter_readings": db.session.scalars(select(MeterReading).where(MeterReading.supply_point_id.in_(point_ids))).all(),
        "invoices": db.session.scalars(select(Invoice).where(Invoice.customer_id == cid)).all(),
        "invoice_lines": db.session.scalars(select(InvoiceLine).join(Invoice).where(Invoice.customer_id == cid)).all(),
        "advances": db.session.scalars(select(Advance).where(Advance.customer_id == cid)).all(),
        "payments": db.session.scalars(select(Payment).where(Payment.customer_id == cid)).all(),
        "change_requests": db.session.scalars(select(ChangeRequest).where(ChangeRequest.customer_id == cid)).all(),
        "change_request_fields": db.session.scalars(
            select(ChangeRequestField).join(ChangeRequest).where(ChangeRequest.customer_id == cid)).all(),
        "tickets": db.session.scalars(select(Ticket).where(Ticket.customer_id == cid)).all(),
        "ticket_conversation": db.session.scalars(
            select(TicketEntry).join(Ticket).where(Ticket.customer_id == cid, TicketEntry.visible_to_customer)).all(),
        "message_recipients": db.session.scalars(select(MessageRecipient).where(MessageRecipient.customer_id == cid)).all(),
        "messages": db.session.scalars(
            select(Message).join(MessageRecipient).where(MessageRecipient.customer_id == cid)).all(),
        "audit_log": db.session.scalars(select(AuditEntry).where(AuditEntry.customer_id == cid)).all(),
    }
    return {name: [{k: _plain(v) for k, v in _row(r).items()} for r in rows] for name, rows in tables.items()}


def build_zip(customer) -> bytes:
    data = collect(customer)
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
