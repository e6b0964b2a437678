"""Requests and service tickets: the list to search them, their timeline, tasks, and the types,
categories and routing rules they are sorted by."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup
from wtforms.validators import ValidationError

from admin_views.base import ReadOnlyModelView, StaffModelView
from models.tickets import RequestType, RoutingRule, ServiceCategory, Task, Ticket, TicketEntry, TicketKind
from models.users import StaffRole

SERVICE = (StaffRole.CLERK, StaffRole.TECHNICIAN)


def _desk_link(view, context, model, name):
    return Markup('<a href="{}">{}</a>').format(url_for("bo_ticket_desk.ticket", ticket_id=model.id), model.reference)


class TicketView(StaffModelView):
    """The list to search all tickets; they are answered and moved on the desk's ticket
    page, where the state machine, the audit and the customer's e-mails apply."""

    roles = SERVICE + (StaffRole.BILLING,)
    can_create = False
    can_edit = False
    can_delete = False
    column_formatters = {"id": _desk_link}
    column_list = ("id", "kind", "customer", "subject", "priority", "state", "team", "assignee", "created_at")
    column_searchable_list = ("subject",)
    column_filters = ("kind", "priority", "state", "created_at")
    column_default_sort = ("created_at", True)
    form_excluded_columns = StaffModelView.form_excluded_columns + ("entries",)


class TicketEntryView(ReadOnlyModelView):
    # The timeline is part of the ticket: whoever works tickets reads it.
    roles = TicketView.roles


class ConfigurationView(StaffModelView):
    # Request types and service categories are what customers choose from in the portal and
    # what the routing rules (administrators only) route by: configuration, so administrators
    # only. Clerks, billing and technicians work the tickets, they do not rename their types.
    roles = (StaffRole.ADMINISTRATOR,)


class TaskView(StaffModelView):
    roles = SERVICE + (StaffRole.BILLING,)
    column_list = ("title", "assignee", "team", "due_at", "state", "topic", "topic_id")
    column_filters = ("state", "topic", "due_at")
    column_default_sort = "due_at"


class RoutingRuleView(StaffModelView):
    roles = (StaffRole.ADMINISTRATOR,)
    column_list = ("ticket_kind", "request_type", "service_category", "priority", "team", "staff_user")

    def on_model_change(self, form, model, is_created):
        """A rule names what it routes (a request type or a service category, as its kind says) and where to."""
        model.priority = model.priority or None
        if model.ticket_kind == TicketKind.REQUEST and (model.request_type is None or model.service_category is not None):
            raise ValidationError(_("A rule for requests names a request type (and no service category)."))
        if model.ticket_kind == TicketKind.SERVICE and (model.service_category is None or model.request_type is not None):
            raise ValidationError(_("A rule for service names a service category (and no request type)."))
        if model.team is None and model.staff_user is None:
            raise ValidationError(_("Choose the team or the person the rule sends the work to."))
        super().on_model_change(form, model, is_created)


def register(admin, db):
    admin.add_view(TicketView(Ticket, name=_l("Requests and service"), endpoint="bo_tickets", url="tickets", category=_l("Work")))
    admin.add_view(TicketEntryView(TicketEntry, name=_l("Ticket timeline"), endpoint="bo_ticket_entries",
                                   url="ticket-entries", category=_l("Work")))
    admin.add_view(TaskView(Task, name=_l("Tasks"), endpoint="bo_tasks", url="tasks", category=_l("Work")))
    admin.add_view(ConfigurationView(RequestType, name=_l("Request types"), endpoint="bo_request_types",
                                     url="request-types", category=_l("Administration")))
    admin.add_view(ConfigurationView(ServiceCategory, name=_l("Service categories"), endpoint="bo_service_categories",
                                     url="service-categories", category=_l("Administration")))
    admin.add_view(RoutingRuleView(RoutingRule, name=_l("Routing rules"), endpoint="bo_routing_rules", url="routing-rules",
                                   category=_l("Administration")))
