"""The back office's home figures and the customer overview page."""
from __future__ import annotations

from flask import abort, redirect, url_for
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from admin_views.security import StaffAccessMixin
from extensions import db
from models.audit import AuditEntry
from models.billing import Invoice
from models.changes import ChangeRequest
from models.contracts import Contract
from models.customers import Customer
from models.messaging import Message, MessageRecipient
from models.metering import SupplyPoint
from models.outbox import EmailState, OutgoingEmail
from models.tickets import Ticket
from models.users import PortalUser, PortalUserState, StaffRole
from services import labels


def home_figures() -> list[tuple]:
    count = lambda stmt: db.session.scalar(stmt) or 0  # noqa: E731
    return [
        (_l("Customers"), count(select(func.count(Customer.id))), "bo_customers.index_view"),
        (_l("Portal users waiting for first credentials"),
         count(select(func.count(PortalUser.id)).where(PortalUser.state == PortalUserState.INVITED)),
         "bo_portal_users.index_view"),
        (_l("E-mails waiting to be sent"),
         count(select(func.count(OutgoingEmail.id)).where(OutgoingEmail.state == EmailState.QUEUED)),
         "bo_outbox.index_view"),
    ]


class CustomerOverview(StaffAccessMixin, BaseView):
    """One customer's records together: what a clerk on the phone needs to see."""

    roles = (StaffRole.CLERK, StaffRole.BILLING, StaffRole.TECHNICIAN)

    def is_visible(self):
        return False  # reached from the customer list, not the menu

    @expose("/")
    def index(self):
        return redirect(url_for("bo_customers.index_view"))

    @expose("/<int:customer_id>")
    def show(self, customer_id):
        customer = db.session.get(Customer, customer_id)
        if customer is None:
            abort(404)
        recent = 10

        def latest(model, order, *criteria):
            return db.session.scalars(
                select(model).where(model.customer_id == customer_id, *criteria).order_by(order.desc()).limit(recent)
            ).all()

        return self.render(
            "admin/customer_overview.html",
            customer=customer,
            invoice_states=labels.INVOICE_STATES, ticket_states=labels.TICKET_STATES_FOR_STAFF,
            change_states=labels.CHANGE_STATES, change_kinds=labels.CHANGE_KINDS,
            users=db.session.scalars(select(PortalUser).where(PortalUser.customer_id == customer_id)
                                     .order_by(PortalUser.name).limit(50)).all(),
            supply_points=db.session.scalars(select(SupplyPoint).where(SupplyPoint.customer_id == customer_id)
                                             .order_by(SupplyPoint.identifier).limit(50)).all(),
            contracts=latest(Contract, Contract.valid_from),
            invoices=latest(Invoice, Invoice.issued_on),
            tickets=latest(Ticket, Ticket.created_at),
            changes=latest(ChangeRequest, ChangeRequest.submitted_at),
            history=db.session.scalars(
                select(AuditEntry).where(AuditEntry.customer_id == customer_id, AuditEntry.action == "customer_changed")
                .order_by(AuditEntry.at.desc()).limit(20)
            ).all(),
            messages=db.session.execute(
                select(Message.subject, MessageRecipient.delivered_at, MessageRecipient.read_at)
                .join(Message, Message.id == MessageRecipient.message_id)
                .where(MessageRecipient.customer_id == customer_id)
                .order_by(MessageRecipient.id.desc()).limit(recent)
            ).all(),
        )


def register(admin, db_):
    admin.add_view(CustomerOverview(name=_l("Customer overview"), endpoint="bo_customer_overview",
                                    url="customer-overview"))
