"""Who may see which back-office view: signed-in staff with one of the view's roles.
Customers never reach the back office; anonymous visitors are sent to staff sign-in."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

from services.access import deny, is_staff_user


class StaffAccessMixin:
    # Roles that may use the view; administrators may use every view. Deny by default:
    # a view that declares no roles answers administrators only (has_role() with no roles
    # is true for them alone). An empty tuple used to mean "every staff role", so a view
    # that forgot its roles (invoice lines, registers, request types …) opened to a
    # technician or billing clerk who had no business there. A view for everyone says
    # so explicitly: roles = tuple(StaffRole).
    roles: tuple[str, ...] = ()

    def is_accessible(self) -> bool:
        if not is_staff_user():
            return False
        return current_user.has_role(*self.roles)

    def is_visible(self) -> bool:
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("admin.sign_in", next=request.full_path.rstrip("?")))
        if not is_staff_user():
            deny("not_staff")
        deny("no_role", 403, view=getattr(self, "endpoint", None))
