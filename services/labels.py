"""Human labels for stored codes (states, kinds, modules …), in the user's language: the one
home of every label, for the portal, the back office, forms and e-mails alike."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint

from models.api import TokenState
from models.audit import ActorKind
from models.banking import BankTransactionState
from models.base import check_in
from models.billing import InvoiceKind, InvoiceState, LineKind
from models.changes import ChangeKind, ChangeState
from models.customers import CustomerKind, Segment
from models.documents import DocumentVisibility
from models.jobs import JobState
from models.messaging import MessageAudience
from models.metering import Commodity, ReadingKind, ReadingReason, ReadingState, SupplyPointState
from models.outbox import EmailState
from models.sessions import SessionEnd
from models.tickets import EntryKind, Priority, TaskState, TaskTopic, TicketKind, TicketState, TicketState as S
from models.users import DocumentNotices, Module, PortalUserState, StaffRole

PORTAL_USER_STATES = {
    PortalUserState.INVITED: _l("invited"),
    PortalUserState.ACTIVE: _l("active"),
    PortalUserState.LOCKED: _l("locked"),
    PortalUserState.DISABLED: _l("disabled"),
}

COMMODITIES = {Commodity.ELECTRICITY: _l("Electricity"), Commodity.GAS: _l("Gas")}
SUPPLY_POINT_STATES = {SupplyPointState.ACTIVE: _l("supplied"), SupplyPointState.INACTIVE: _l("not supplied")}

TICKET_STATES = {
    S.NEW: _l("submitted"), S.ASSIGNED: _l("assigned to a team"), S.IN_PROGRESS: _l("in progress"),
    S.WAITING_FOR_CUSTOMER: _l("waiting for you"), S.RESOLVED: _l("resolved"), S.CLOSED: _l("closed"),
}

TICKET_STATES_FOR_STAFF = TICKET_STATES | {S.WAITING_FOR_CUSTOMER: _l("waiting for the customer")}

# The ticket timeline's events as the back office reads them.
TICKET_EVENTS = {"submitted": _l("submitted"), "assigned": _l("assigned"), "in_progress": _l("in progress"),
                 "waiting": _l("waiting for the customer"), "resolved": _l("resolved"), "closed": _l("closed"),
                 "reopened": _l("re-opened by the customer")}

CHANGE_FIELDS = {
    "correspondence_name": _l("Name on the envelope"),
    "correspondence_street": _l("Street and number"),
    "correspondence_city": _l("City"),
    "correspondence_postcode": _l("Postcode"),
    "phone": _l("Phone"),
    "email": _l("Contact e-mail"),
    "bank_account": _l("Bank account for refunds"),
    "name": _l("Company name"),
    "company_id": _l("IČO"),
    "vat_id": _l("DIČ"),
    "amount": _l("Advance amount"),
}

CHANGE_KINDS = {
    ChangeKind.ADDRESS: _l("Correspondence address"),
    ChangeKind.PHONE: _l("Phone"),
    ChangeKind.EMAIL: _l("Contact e-mail"),
    ChangeKind.BANK_ACCOUNT: _l("Bank account for refunds"),
    ChangeKind.COMPANY: _l("Company data"),
    ChangeKind.ADVANCE_AMOUNT: _l("Advance amount"),
    ChangeKind.OTHER: _l("Other change"),
}

CHANGE_STATES = {
    ChangeState.CONFIRMING_EMAIL: _l("waiting for the e-mail confirmation"),
    ChangeState.SUBMITTED: _l("submitted"),
    ChangeState.IN_REVIEW: _l("in review"),
    ChangeState.APPROVED: _l("approved and applied"),
    ChangeState.REJECTED: _l("rejected"),
    ChangeState.WITHDRAWN: _l("withdrawn"),
}

READING_STATES = {ReadingState.SUBMITTED: _l("waiting for our check"), ReadingState.ACCEPTED: _l("accepted"),
                  ReadingState.REJECTED: _l("rejected")}

READING_KINDS = {ReadingKind.SELF: _l("self-reading"), ReadingKind.ACTUAL: _l("distributor"),
                 ReadingKind.ESTIMATE: _l("estimate")}

READING_REASONS = {
    ReadingReason.PERIODIC: _l("Regular reading"),
    ReadingReason.PRICE_CHANGE: _l("Price change"),
    ReadingReason.SUPPLIER_CHANGE: _l("Change of supplier"),
    ReadingReason.MOVING: _l("Moving in or out"),
    ReadingReason.EXTRAORDINARY: _l("Extraordinary reading"),
}

MODULES = {
    Module.ACCOUNT: _l("Account information"),
    Module.INVOICES: _l("Invoices and advances"),
    Module.SUPPLY_POINTS: _l("Supply points"),
    Module.READINGS: _l("Meter readings"),
    Module.REQUESTS: _l("Requests"),
    Module.SERVICE: _l("Service"),
    Module.MESSAGES: _l("Messages"),
    Module.CHANGES: _l("Change requests"),
    Module.DOCUMENTS: _l("Documents"),
    Module.PRICE_LISTS: _l("Price lists"),
}

DOCUMENT_NOTICES = {DocumentNotices.EVERY: _l("An e-mail about every new document"),
                    DocumentNotices.NONE: _l("No e-mails about new documents")}

MESSAGE_AUDIENCES = {MessageAudience.CUSTOMER: _l("One customer"), MessageAudience.SEGMENT: _l("A segment"),
                     MessageAudience.LIST: _l("A list of customer numbers")}

SEGMENTS = {Segment.HOUSEHOLD: _l("Households"), Segment.SMALL_BUSINESS: _l("Small businesses"),
            Segment.VIP: _l("V.I.P.")}

TICKET_PRIORITIES = {Priority.LOW: _l("low"), Priority.NORMAL: _l("normal"), Priority.HIGH: _l("high"),
                     Priority.CRITICAL: _l("critical – supply is down or there is danger")}

INVOICE_KINDS = {InvoiceKind.SETTLEMENT: _l("Settlement"), InvoiceKind.ADVANCE: _l("Advance invoice"),
                 InvoiceKind.CREDIT_NOTE: _l("Credit note")}

INVOICE_STATES = {InvoiceState.UNPAID: _l("unpaid"), InvoiceState.PARTLY_PAID: _l("partly paid"),
                  InvoiceState.PAID: _l("paid"), InvoiceState.OVERDUE: _l("overdue"),
                  InvoiceState.CANCELLED: _l("cancelled")}

BANK_TRANSACTION_STATES = {BankTransactionState.OPEN: _l("waiting"),
                           BankTransactionState.ASSIGNED: _l("assigned to a customer"),
                           BankTransactionState.RETURNED: _l("returned to the sender"),
                           BankTransactionState.REFUNDED: _l("refunded to the customer"),
                           BankTransactionState.CREDIT: _l("kept as the customer's credit"),
                           BankTransactionState.WITHDRAWN: _l("its payment was reversed")}

# The kinds of import (services/imports KINDS) by what they bring; a kind added without a label shows its code.
IMPORT_KINDS = {"customers": _l("Customers"), "payments": _l("Payments"), "invoices": _l("Invoices"),
                "interval-data": _l("Interval data of smart meters"), "products": _l("Products"),
                "contracts": _l("Contracts"), "price-lists": _l("Price lists"),
                "advance-schedules": _l("Advance schedules"), "supply-points": _l("Supply points"),
                "meter-readings": _l("Distributor meter readings"),
                "bank-statement": _l("Bank statements (camt.053, ABO/GPC)")}

JOB_STATES = {JobState.QUEUED: _l("waiting"), JobState.RUNNING: _l("running"), JobState.DONE: _l("done"),
              JobState.FAILED: _l("failed")}

CUSTOMER_KINDS = {CustomerKind.HOUSEHOLD: _l("household"), CustomerKind.BUSINESS: _l("business")}

STAFF_ROLES = {StaffRole.ADMINISTRATOR: _l("administrator"), StaffRole.CLERK: _l("customer service clerk"),
               StaffRole.BILLING: _l("billing"), StaffRole.TECHNICIAN: _l("technician")}

TASK_STATES = {TaskState.OPEN: _l("open"), TaskState.DONE: _l("done"), TaskState.CANCELLED: _l("cancelled")}

TASK_TOPICS = {TaskTopic.TICKET: _l("Request or service ticket"), TaskTopic.CHANGE_REQUEST: _l("Change request"),
               TaskTopic.READING: _l("Meter reading"), TaskTopic.MESSAGE_REPLY: _l("Reply to a message")}

TICKET_KINDS = {TicketKind.REQUEST: _l("request"), TicketKind.SERVICE: _l("service ticket")}

DOCUMENT_VISIBILITIES = {DocumentVisibility.PUBLIC: _l("everyone, also without signing in"),
                         DocumentVisibility.CUSTOMERS: _l("every signed-in customer"),
                         DocumentVisibility.SEGMENT: _l("customers of one segment"),
                         DocumentVisibility.CUSTOMER: _l("one customer")}

LANGUAGES = {"cs": _l("Czech"), "en": _l("English")}

# The labels of each enumeration a column stores (the column says which in its
# `info={"enum": …}`): back-office select fields offer these words, never the codes.
ENUM_LABELS = {
    CustomerKind: CUSTOMER_KINDS, Segment: SEGMENTS, StaffRole: STAFF_ROLES, PortalUserState: PORTAL_USER_STATES,
    DocumentNotices: DOCUMENT_NOTICES, Commodity: COMMODITIES, SupplyPointState: SUPPLY_POINT_STATES,
    ReadingKind: READING_KINDS, ReadingReason: READING_REASONS, ReadingState: READING_STATES,
    TaskState: TASK_STATES, TaskTopic: TASK_TOPICS, TicketKind: TICKET_KINDS, Priority: TICKET_PRIORITIES,
    TicketState: TICKET_STATES_FOR_STAFF, DocumentVisibility: DOCUMENT_VISIBILITIES, InvoiceKind: INVOICE_KINDS,
    InvoiceState: INVOICE_STATES, ChangeKind: CHANGE_KINDS, ChangeState: CHANGE_STATES,
    BankTransactionState: BANK_TRANSACTION_STATES, JobState: JOB_STATES, MessageAudience: MESSAGE_AUDIENCES,
}

# What the back office only shows (lists and details, admin_views/display.py), never offers in a form.
LINE_KINDS = {LineKind.CONSUMPTION: _l("consumption"), LineKind.DISTRIBUTION: _l("distribution"),
              LineKind.FEE: _l("fee"), LineKind.ADVANCE_DEDUCTED: _l("advances deducted"), LineKind.OTHER: _l("other")}
ENTRY_KINDS = {EntryKind.REPLY: _l("reply"), EntryKind.NOTE: _l("internal note"), EntryKind.EVENT: _l("event")}
EMAIL_STATES = {EmailState.QUEUED: _l("waiting to be sent"), EmailState.SENDING: _l("being sent"),
                EmailState.SENT: _l("sent"), EmailState.FAILED: _l("failed")}
ACTOR_KINDS = {ActorKind.CUSTOMER: _l("customer"), ActorKind.STAFF: _l("staff"), ActorKind.SYSTEM: _l("system"),
               ActorKind.ANONYMOUS: _l("not signed in"), ActorKind.API: _l("API client")}
SESSION_ENDS = {SessionEnd.SIGNED_OUT: _l("signed out"), SessionEnd.IDLE: _l("idle too long"),
                SessionEnd.EXPIRED: _l("expired"), SessionEnd.PASSWORD_CHANGED: _l("password changed"),
                SessionEnd.ENDED_ELSEWHERE: _l("signed out from another device"),
                SessionEnd.SIGNED_OUT_EVERYWHERE: _l("signed out everywhere"),
                SessionEnd.ACCOUNT_CHANGED: _l("account changed")}
TOKEN_STATES = {TokenState.ACTIVE: _l("valid"), TokenState.EXPIRED: _l("expired"), TokenState.REVOKED: _l("revoked")}
ENUM_LABELS.update({LineKind: LINE_KINDS, EntryKind: ENTRY_KINDS, EmailState: EMAIL_STATES, ActorKind: ACTOR_KINDS,
                    SessionEnd: SESSION_ENDS, TokenState: TOKEN_STATES})

# Codes stored without an enumeration, by "table.column".
MESSAGE_EVENT_KINDS = {"delivered": _l("delivered"), "read": _l("read")}
DELIVERY_CHANNELS = {"email": _l("by e-mail"), "portal": _l("in the portal")}
CODE_LABELS = {"message_events.kind": MESSAGE_EVENT_KINDS, "message_events.via": DELIVERY_CHANNELS,
               "message_recipients.delivered_via": DELIVERY_CHANNELS, "ticket_entries.event": TICKET_EVENTS,
               "ticket_entries.from_state": TICKET_STATES_FOR_STAFF, "ticket_entries.to_state": TICKET_STATES_FOR_STAFF}


def column_labels(column) -> dict | None:
    """The labels of the codes a table column stores: its enumeration (`info={"enum": …}`, else the
    CHECK constraint that keeps it within one), or CODE_LABELS; None for a column of free values."""
    enum_class = column.info.get("enum")
    if enum_class is None and column.table is not None:
        checks = [str(c.sqltext) for c in column.table.constraints if isinstance(c, CheckConstraint)]
        enum_class = next((e for e in ENUM_LABELS if any(re.search(rf"(^|OR ){re.escape(check_in(column.name, e))}$", text)
                                                       for text in checks)), None)
    if enum_class is not None:
        return ENUM_LABELS.get(enum_class)
    return CODE_LABELS.get(f"{column.table.name}.{column.name}") if column.table is not None else None


def enum_choices(enum_class) -> list[tuple[str, str]]:
    """(code, label) of every value of the enumeration, in its order; a value without a label
    shows its code (a test keeps every one labelled)."""
    labels = ENUM_LABELS.get(enum_class, {})
    return [(member.value, labels.get(member, member.value)) for member in enum_class]


def import_kind_label(kind: str) -> str:
    return str(IMPORT_KINDS.get(kind, kind))


def module_label(module: str) -> str:
    return str(MODULES.get(module, module))


def init_app(app) -> None:
    app.jinja_env.filters["module_label"] = module_label

    @app.context_processor
    def labels():
        return {"state_labels": PORTAL_USER_STATES, "commodity_labels": COMMODITIES,
                "point_state_labels": SUPPLY_POINT_STATES}
