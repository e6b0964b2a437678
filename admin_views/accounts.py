"""Customers, their portal users, staff and teams."""
from __future__ import annotations

from flask import flash, url_for
from flask_admin.actions import action
from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from wtforms import SelectMultipleField

from admin_views.base import ReadOnlyModelView, StaffModelView, changed_fields
from admin_views.credential_letters import CredentialLettersMixin
from admin_views.pickers import pickers
from extensions import db
from models.credentials import CredentialIssue
from models.customers import Customer, CustomerKind
from models.sessions import SessionEnd
from models.users import PortalUser, PortalUserRight, PortalUserState, StaffRole, StaffUser, Team
from services import audit, labels
from services.accounts.sessions import end_sessions_of
from services.api import feed


class CustomerView(CredentialLettersMixin, StaffModelView):
    roles = (StaffRole.CLERK, StaffRole.BILLING, StaffRole.TECHNICIAN)
    column_list = ("number", "name", "kind", "segment", "email", "city", "active")
    column_searchable_list = ("number", "name", "email", "company_id")
    column_filters = ("kind", "segment", "active", "city")
    column_default_sort = "number"
    form_excluded_columns = StaffModelView.form_excluded_columns + (
        "portal_users", "supply_points", "contracts")
    def validate_form(self, form):
        valid = super().validate_form(form)
        kind, company_id = getattr(form, "kind", None), getattr(form, "company_id", None)
        if valid and kind is not None and company_id is not None:
            # The same rule and words as the customers import (services/imports/customers.py).
            if Customer.missing_for_kind(kind.data, {"company_id": company_id.data}):
                company_id.errors = [*company_id.errors, _("A business customer needs an IČO.")]
                return False
            if company_id.data and kind.data != CustomerKind.BUSINESS:
                company_id.errors = [*company_id.errors, _("Only a business customer has an IČO.")]
                return False
        return valid

    # The number opens the overview of everything the customer has.
    column_formatters = {"number": lambda view, context, model, name: Markup(
        '<a href="{}">{}</a>').format(url_for("bo_customer_overview.show", customer_id=model.id), model.number)}


class PortalUserView(StaffModelView):
    """Staff can do what the account administrator does: set module rights and
    limit a user to some supply points."""

    roles = (StaffRole.CLERK,)
    form_extra_fields = {
        "module_rights": SelectMultipleField(
            _l("Module rights"), choices=[(m.value, label) for m, label in labels.MODULES.items()]),
    }
    column_list = ("email", "name", "customer", "state", "is_account_admin", "last_sign_in_at")
    column_searchable_list = ("email", "name")
    column_filters = ("state", "is_account_admin")
    form_excluded_columns = StaffModelView.form_excluded_columns + (
        "failed_sign_ins", "failed_codes", "locked_until", "last_sign_in_at", "rights", "recovery_codes",
        "totp_enabled_at",
    )
    form_ajax_refs = pickers(PortalUser, "customer", "login", "linked_accesses", "supply_points")
    # The language of the person's e-mails and letters (the notice preference, the person's own
    # choice in the profile, is a select from its column; staff set it when asked on the phone).
    form_choices = {"locale": list(labels.LANGUAGES.items())}

    def on_form_prefill(self, form, id):
        form.module_rights.data = sorted(r.module for r in self.get_one(id).rights)

    def on_model_change(self, form, model, is_created):
        wanted = sorted(set(form.module_rights.data or []))
        if sorted(r.module for r in model.rights) != wanted:
            model.rights[:] = [PortalUserRight(module=m) for m in wanted]  # read afresh on every request
            audit.record("rights_changed", model, details={"modules": wanted})
        if is_created or "state" in changed_fields(model):  # a new or a disabled user, for the API's pull
            feed.changed(feed.PORTAL_USERS, model)
        super().on_model_change(form, model, is_created)

    def deactivate(self, model) -> bool:
        """A portal user with history is disabled: signed out, never signs in again."""
        model.state = PortalUserState.DISABLED
        feed.changed(feed.PORTAL_USERS, model)
        end_sessions_of(model, SessionEnd.ACCOUNT_CHANGED)
        return True


class StaffUserView(StaffModelView):
    roles = (StaffRole.ADMINISTRATOR,)
    column_list = ("email", "name", "role", "teams", "active", "absent", "is_supervisor", "has_two_factor",
                   "last_sign_in_at")
    column_labels = {"has_two_factor": _l("Two-factor sign-in")}
    column_searchable_list = ("email", "name")
    column_filters = ("role", "active", "absent")
    form_excluded_columns = StaffModelView.form_excluded_columns + (
        "last_sign_in_at", "failed_sign_ins", "failed_codes", "locked_until")

    @action("reset_two_factor", _l("Reset two-factor sign-in (lost phone)"),
            _l("The selected people are signed out and set up two-factor sign-in again at their next sign-in. "
               "Continue?"))
    def action_reset_two_factor(self, ids):
        people = db.session.scalars(select(StaffUser).where(StaffUser.id.in_([int(i) for i in ids]))).all()
        for person in people:
            person.totp_secret = None
            # Whoever holds the lost phone and a session is out.
            end_sessions_of(person, SessionEnd.ACCOUNT_CHANGED)
            audit.record("staff_two_factor_reset", person)
        db.session.commit()
        flash(_("Two-factor sign-in was reset for %(count)s people.", count=len(people)), "success")


class TeamView(StaffModelView):
    roles = (StaffRole.ADMINISTRATOR,)
    column_list = ("name", "email", "is_default")


class CredentialIssueView(ReadOnlyModelView):
    """Never shows the hashes: only who got credentials, when, and what became of them."""

    roles = (StaffRole.CLERK,)
    column_list = ("portal_user", "created_at", "expires_at", "attempts", "used_at", "voided_at", "letter_printed_at")
    column_details_list = column_list
    column_default_sort = ("created_at", True)


def register(admin, db):
    admin.add_view(CustomerView(Customer, name=_l("Customers"), endpoint="bo_customers", url="customers",
                                category=_l("Customers")))
    admin.add_view(PortalUserView(PortalUser, name=_l("Portal users"), endpoint="bo_portal_users", url="portal-users",
                                  category=_l("Customers")))
    admin.add_view(StaffUserView(StaffUser, name=_l("Staff"), endpoint="bo_staff", url="staff", category=_l("Administration")))
    admin.add_view(TeamView(Team, name=_l("Teams"), endpoint="bo_teams", url="teams", category=_l("Administration")))
    admin.add_view(CredentialIssueView(CredentialIssue, name=_l("Credential issues"), endpoint="bo_credential_issues",
                                       url="credential-issues", category=_l("Customers")))
