"""The back office's home figures and the customer overview page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from admin_views.security import StaffAccessMixin
from extensions import db
from models.banking import BankTransactionState, UnmatchedBankTransaction
from models.base import utcnow
from models.changes import ChangeRequest, ChangeState
from models.contracts import Contract
from models.customers import Customer
from models.metering import MeterReading, ReadingState, SupplyPoint
from models.outbox import EmailState, OutgoingEmail
from models.tickets import Task, TaskState
from models.users import PortalUser, PortalUserState, StaffRole, StaffUser, team_members
from services import labels
from services.accounts import timeline
from services.billing import open_items


@dataclass
class Figure:
    """One card of the home page: how much waits in a queue and the link that opens it."""

    label: str
    value: int | None  # None: a link without a count
    url: str
    late: int = 0  # how many of them are past their due time


TASKS_SHOWN = 10


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def _my_teams(me: StaffUser):
    return select(team_members.c.team_id).where(team_members.c.staff_user_id == me.id)


def my_tasks(me: StaffUser) -> list[Task]:
    """The open tasks of the staff member and of their teams, soonest due first."""
    return db.session.scalars(
        select(Task).where(Task.state == TaskState.OPEN,
                           or_(Task.assignee_id == me.id, Task.team_id.in_(_my_teams(me))))
        .options(selectinload(Task.assignee), selectinload(Task.team))
        .order_by(Task.due_at, Task.id).limit(TASKS_SHOWN)
    ).all()


def home_figures(me: StaffUser, may, list_url) -> list[Figure]:
    """What waits for the staff member, as far as their role works on it (`may(endpoint)`).
    Every count runs on an indexed state column of a work queue; nothing counts the customers.
    `list_url(endpoint, column, value)` opens a list filtered by a column."""
    now = utcnow()
    figures = []
    if may("bo_change_queue"):
        figures.append(Figure(_l("Change requests to review"), _count(select(func.count(ChangeRequest.id)).where(
            ChangeRequest.state.in_((ChangeState.SUBMITTED, ChangeState.IN_REVIEW)))),
            url_for("bo_change_queue.index")))
    if may("bo_reading_review"):
        figures.append(Figure(_l("Readings to check"), _count(select(func.count(MeterReading.id)).where(
            MeterReading.state == ReadingState.SUBMITTED)), url_for("bo_reading_review.index")))
    if may("bo_ticket_desk"):
        mine, mine_late = db.session.execute(select(func.count(Task.id), func.count(Task.id).filter(Task.due_at < now))
                                             .where(Task.state == TaskState.OPEN, Task.assignee_id == me.id)).one()
        figures.append(Figure(_l("My tasks"), mine, url_for("bo_ticket_desk.index"), mine_late or 0))
        team, team_late = db.session.execute(select(func.count(Task.id), func.count(Task.id).filter(Task.due_at < now))
                                             .where(Task.state == TaskState.OPEN,
                                                    Task.team_id.in_(_my_teams(me)))).one()
        figures.append(Figure(_l("My team's tasks"), team, url_for("bo_ticket_desk.team"), team_late or 0))
        if me.is_supervisor or me.role == StaffRole.ADMINISTRATOR:
            late = _count(select(func.count(Task.id)).where(Task.state == TaskState.OPEN, Task.due_at < now))
            figures.append(Figure(_l("Service-level breaches"), late, url_for("bo_ticket_desk.breaches"), late))
    if may("bo_unmatched_bank_transactions"):
        figures.append(Figure(_l("Payments to decide"), _count(select(func.count(UnmatchedBankTransaction.id)).where(
            UnmatchedBankTransaction.state == BankTransactionState.OPEN)),
            list_url("bo_unmatched_bank_transactions", "state", BankTransactionState.OPEN)))
    if may("bo_portal_users") and me.role == StaffRole.ADMINISTRATOR:
        figures.append(Figure(_l("Portal users waiting for first credentials"), _count(
            select(func.count(PortalUser.id)).where(PortalUser.state == PortalUserState.INVITED)),
            list_url("bo_portal_users", "state", PortalUserState.INVITED)))
    if may("bo_outbox") and me.role == StaffRole.ADMINISTRATOR:
        figures.append(Figure(_l("E-mails waiting to be sent"), _count(
            select(func.count(OutgoingEmail.id)).where(OutgoingEmail.state == EmailState.QUEUED)),
            list_url("bo_outbox", "state", EmailState.QUEUED)))
    if may("bo_customers"):
        figures.append(Figure(_l("Find a customer"), None, url_for("bo_customers.index_view")))
    return figures


TIMELINE_KINDS = {"change": _l("Change requests"), "ticket": _l("Requests and service"), "message": _l("Messages"),
                  "sign_in": _l("Sign-ins"), "payment": _l("Payments"), "invoice": _l("Invoices"),
                  "audit": _l("Audit entries")}


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
        kinds = [kind for kind in request.args.getlist("kind") if kind in timeline.KINDS]
        page = timeline.timeline(customer_id, kinds or timeline.KINDS, request.args.get("page", 1, type=int))
        return self.render(
            "admin/customer_overview.html",
            customer=customer,
            invoice_states=labels.INVOICE_STATES, ticket_states=labels.TICKET_STATES_FOR_STAFF,
            change_states=labels.CHANGE_STATES, change_kinds=labels.CHANGE_KINDS,
            users=db.session.scalars(select(PortalUser).where(PortalUser.customer_id == customer_id)
                                     .order_by(PortalUser.name).limit(50)).all(),
            supply_points=db.session.scalars(select(SupplyPoint).where(SupplyPoint.customer_id == customer_id)
                                             .order_by(SupplyPoint.identifier).limit(50)).all(),
            contracts=db.session.scalars(select(Contract).where(Contract.customer_id == customer_id)
                                         .order_by(Contract.valid_from.desc()).limit(10)).all(),
            account=open_items.account(customer_id, date.today()),
            timeline=page, kinds=kinds, kind_labels=TIMELINE_KINDS,
            sign_in_users=timeline.sign_in_users(page.items),
            session_ends=labels.SESSION_ENDS, user_states=labels.PORTAL_USER_STATES,
        )


def register(admin, db_):
    admin.add_view(CustomerOverview(name=_l("Customer overview"), endpoint="bo_customer_overview",
                                    url="customer-overview"))
