"""Human labels for stored codes (states, kinds, modules …), in the user's language: the one
home of every label, for the portal, the back office, forms and e-mails alike."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from models.banking import BankTransactionState
from models.billing import InvoiceKind, InvoiceState
from models.changes import ChangeKind, ChangeState
from models.customers import Segment
from models.jobs import JobState
from models.messaging import MessageAudience
from models.metering import Commodity, ReadingKind, ReadingReason, ReadingState, SupplyPointState
from models.tickets import Priority, TicketState as S
from models.users import DocumentNotices, Module, PortalUserState

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

SEGMENTS = {Segment.HOUSEHOLD: _l("Households"), Segment.VIP: _l("V.I.P.")}

TICKET_PRIORITIES = {Priority.LOW: _l("low"), Priority.NORMAL: _l("normal"), Priority.HIGH: _l("high"),
                     Priority.CRITICAL: _l("critical – supply is down or there is danger")}

INVOICE_KINDS = {InvoiceKind.SETTLEMENT: _l("Settlement"), InvoiceKind.ADVANCE: _l("Advance invoice"),
                 InvoiceKind.CREDIT_NOTE: _l("Credit note")}

INVOICE_STATES = {InvoiceState.UNPAID: _l("unpaid"), InvoiceState.PARTLY_PAID: _l("partly paid"),
                  InvoiceState.PAID: _l("paid"), InvoiceState.OVERDUE: _l("overdue"),
                  InvoiceState.CANCELLED: _l("cancelled")}

BANK_TRANSACTION_STATES = {BankTransactionState.OPEN: _l("waiting"),
                           BankTransactionState.ASSIGNED: _l("assigned to a customer"),
                           BankTransactionState.RETURNED: _l("returned to the sender")}

# The kinds of import (services/imports KINDS) by what they bring; a kind added without a label shows its code.
IMPORT_KINDS = {"customers": _l("Customers"), "payments": _l("Payments"), "invoices": _l("Invoices"),
                "interval-data": _l("Interval data of smart meters"), "products": _l("Products"),
                "contracts": _l("Contracts"), "price-lists": _l("Price lists"),
                "advance-schedules": _l("Advance schedules"), "supply-points": _l("Supply points"),
                "meter-readings": _l("Distributor meter readings"),
                "bank-statement": _l("Bank statements (camt.053, ABO/GPC)")}

JOB_STATES = {JobState.QUEUED: _l("waiting"), JobState.RUNNING: _l("running"), JobState.DONE: _l("done"),
              JobState.FAILED: _l("failed")}


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
