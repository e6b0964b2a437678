"""Change requests, requests and service tickets, routing rules and tasks."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from admin_views.base import ReadOnlyModelView, StaffModelView
from models.changes import ChangeRequest, ChangeRequestField
from models.tickets import RequestType, RoutingRule, ServiceCategory, Task, Ticket, TicketEntry
from models.users import StaffRole

CLERKS = (StaffRole.CLERK,)
SERVICE = (StaffRole.CLERK, StaffRole.TECHNICIAN)


class ChangeRequestView(StaffModelView):
    roles = CLERKS
    can_create = False
    can_delete = False
    column_list = ("id", "customer", "kind", "state", "submitted_at", "reviewer", "decided_at")
    column_filters = ("kind", "state", "submitted_at")
    column_default_sort = ("submitted_at", True)
    form_columns = ("state", "rejection_reason")
    inline_models = ((ChangeRequestField, {"form_columns": ("id", "field", "old_value", "new_value")}),)


class TicketView(StaffModelView):
    roles = SERVICE + (StaffRole.BILLING,)
    can_delete = False
    column_list = ("id", "kind", "customer", "subject", "priority", "state", "team", "assignee", "created_at")
    column_searchable_list = ("subject",)
    column_filters = ("kind", "priority", "state", "created_at")
    column_default_sort = ("created_at", True)
    form_excluded_columns = StaffModelView.form_excluded_columns + ("entries",)


class TaskView(StaffModelView):
    roles = SERVICE + (StaffRole.BILLING,)
    column_list = ("title", "assignee", "team", "due_at", "state", "topic", "topic_id")
    column_filters = ("state", "topic", "due_at")
    column_default_sort = "due_at"


class RoutingRuleView(StaffModelView):
    roles = (StaffRole.ADMINISTRATOR,)
    column_list = ("ticket_kind", "request_type", "service_category", "priority", "team", "staff_user")


def register(admin, db):
    admin.add_view(ChangeRequestView(ChangeRequest, name=_l("Change requests"), endpoint="bo_change_requests", url="change-requests", category=_l("Work")))
    admin.add_view(TicketView(Ticket, name=_l("Requests and service"), endpoint="bo_tickets", url="tickets", category=_l("Work")))
    admin.add_view(ReadOnlyModelView(TicketEntry, name=_l("Ticket timeline"), endpoint="bo_ticket_entries", url="ticket-entries", category=_l("Work")))
    admin.add_view(TaskView(Task, name=_l("Tasks"), endpoint="bo_tasks", url="tasks", category=_l("Work")))
    admin.add_view(StaffModelView(RequestType, name=_l("Request types"), endpoint="bo_request_types", url="request-types", category=_l("Administration")))
    admin.add_view(StaffModelView(ServiceCategory, name=_l("Service categories"), endpoint="bo_service_categories", url="service-categories", category=_l("Administration")))
    admin.add_view(RoutingRuleView(RoutingRule, name=_l("Routing rules"), endpoint="bo_routing_rules", url="routing-rules", category=_l("Administration")))
