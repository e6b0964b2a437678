"""Change requests: the list to search them (they are decided on the change review page)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from admin_views.base import StaffModelView
from models.changes import ChangeRequest
from models.users import StaffRole

CLERKS = (StaffRole.CLERK,)


class ChangeRequestView(StaffModelView):
    """The list to search all change requests; they are decided on the review page
    (Work → Change requests to decide), where conflicts, locking and e-mails apply."""

    roles = CLERKS
    can_create = False
    can_edit = False
    can_delete = False
    column_list = ("id", "customer", "kind", "state", "submitted_at", "reviewer", "decided_at")
    column_filters = ("kind", "state", "submitted_at")
    column_default_sort = ("submitted_at", True)
    column_details_list = ("id", "customer", "kind", "state", "reason", "submitted_at", "reviewer", "decided_at",
                           "rejection_reason", "fields")


def register(admin, db):
    admin.add_view(ChangeRequestView(ChangeRequest, name=_l("Change requests"), endpoint="bo_change_requests",
                                     url="change-requests", category=_l("Work")))
