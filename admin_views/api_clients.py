"""The JSON API's clients for administrators: list them, create one (its token is shown once,
on the page the creation answers with, and never stored), revoke tokens."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from admin_views.base import ReadOnlyModelView, StaffModelView
from extensions import db
from forms.api import ApiClientForm
from models.api import ApiClient, ApiToken
from models.users import StaffRole
from services import labels
from services.api import clients
from web.bad_input import is_record_id


class ApiClientView(StaffModelView):
    roles = (StaffRole.ADMINISTRATOR,)
    can_delete = False  # its audit trail names it; switch it off instead (active)
    column_list = ("name", "active", "created_at")
    column_searchable_list = ("name",)
    column_default_sort = "name"
    form_columns = ("active",)
    column_details_list = ("name", "active", "created_at", "updated_at")

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        form = ApiClientForm()
        if form.validate_on_submit():
            try:
                client, secret = clients.create_client(form.name.data, form.scopes.data, form.days.data,
                                                       actor=current_user._get_current_object())
            except clients.ClientRefused as refused:
                form.name.errors.append(str(refused))
            else:
                db.session.commit()
                # Answered here, not after a redirect: the secret goes nowhere but this page.
                return self.render("admin/api_token_shown.html", client=client, secret=secret,
                                   token=client.tokens[0])
        return self.render("admin/api_client_new.html", form=form)


def _state(view, context, model, name):
    return labels.TOKEN_STATES[model.state()]


class ApiTokenView(ReadOnlyModelView):
    roles = (StaffRole.ADMINISTRATOR,)
    can_export = False
    column_list = ("id", "client", "scopes", "state", "created_at", "expires_at", "revoked_at", "last_used_at")
    column_details_list = column_list
    column_formatters = {"state": _state}
    column_exclude_list = ("token_hash",)
    column_details_exclude_list = ("token_hash",)
    column_filters = ("client.name", "revoked_at", "expires_at")
    column_default_sort = ("id", True)

    @action("revoke", _l("Revoke"), _l("Revoke the selected tokens? The systems using them are refused at once."))
    def action_revoke(self, ids):
        tokens = db.session.scalars(select(ApiToken).where(ApiToken.id.in_([int(i) for i in ids if is_record_id(i)])))
        revoked = sum(clients.revoke(token, actor=current_user._get_current_object()) for token in tokens)
        db.session.commit()
        flash(_("%(count)s tokens revoked.", count=revoked), "success")
        return redirect(url_for(".index_view"))


def register(admin, db):
    admin.add_view(ApiClientView(ApiClient, name=_l("API clients"), endpoint="bo_api_clients", url="api-clients",
                                 category=_l("Administration")))
    admin.add_view(ApiTokenView(ApiToken, name=_l("API tokens"), endpoint="bo_api_tokens", url="api-tokens",
                                category=_l("Administration")))
