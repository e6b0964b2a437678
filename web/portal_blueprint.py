"""The customer portal's blueprints deny by default: every route needs a signed-in customer
with the module's right, unless declared public. The records themselves are scoped by
services.access (visible / visible_or_404)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from services.access import acting_user, current_scope, deny, is_portal_user
from web.sessions import end_session

# POSTs that stay allowed in read-only access: they change only the person's own session, or
# which e-mails the person gets (the final invoices still come, and may be turned off).
READ_ONLY_POSTS = {"auth.sign_out", "auth.language", "profile.sign_out_everywhere", "profile.switch_account",
                   "profile.notices"}


class PortalBlueprint(Blueprint):
    """A blueprint of the customer portal. Every route of it requires a signed-in
    portal user (staff are refused) and, when `module` is given, the user's right
    to that module; a missing right answers 404 as if the page did not exist.
    Routes declared with `public_route` answer without sign-in."""

    def __init__(self, *args, module: str | None = None, account_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.module = module
        # Pages only the customer's account administrator may use (managing users).
        self.account_admin = account_admin
        self.public_endpoints: set[str] = set()
        self.before_request(self._guard)

    def public_route(self, rule: str, **options):
        def decorator(view):
            self.public_endpoints.add(f"{self.name}.{options.get('endpoint', view.__name__)}")
            return self.route(rule, **options)(view)

        return decorator

    def _guard(self):
        if request.endpoint in self.public_endpoints:
            return None
        if not current_user.is_authenticated:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        if not is_portal_user():
            deny("not_a_customer")
        if current_scope().closed:
            end_session()
            flash(_("Access to the portal ended with your contract. Contact us if you need anything."), "info")
            return redirect(url_for("auth.sign_in"))
        if self.module and not current_scope().may(self.module):
            deny("no_module_right", module=self.module)
        if self.account_admin and (not acting_user().is_account_admin or current_scope().read_only):
            deny("not_account_admin")
        if current_scope().read_only and request.method == "POST" and request.endpoint not in READ_ONLY_POSTS:
            deny("read_only")
        return None
