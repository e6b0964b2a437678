"""Account information: what the customer's documents are sent by, its change
requests and the history of its data."""
from __future__ import annotations

from flask import render_template

from extensions import db
from models.audit import AuditEntry
from models.changes import ChangeRequest
from models.users import Module, PortalUser
from services import audit, changes, labels
from services.access import acting_user, current_scope, visible
from services.accounts import my_data
from web.downloads import send_bytes
from web.portal_blueprint import PortalBlueprint

bp = PortalBlueprint("account", __name__, url_prefix="/account", module=Module.ACCOUNT)


@bp.route("/")
def index():
    customer = acting_user().customer
    open_requests = db.session.scalars(
        visible(ChangeRequest, ChangeRequest.state.in_(changes.ChangeState.open_states()))
        .order_by(ChangeRequest.submitted_at.desc()).limit(20)
    ).all()
    history = db.session.scalars(
        visible(AuditEntry, AuditEntry.action == "customer_changed")
        .order_by(AuditEntry.at.desc()).limit(50)
    ).all()
    users = (db.session.scalars(visible(PortalUser).order_by(PortalUser.name).limit(100)).all()
             if acting_user().is_account_admin else [])
    return render_template("account/index.html", customer=customer, open_requests=open_requests, history=history,
                           users=users,
                           can_change=current_scope().may(Module.CHANGES),
                           labels=labels.CHANGE_FIELDS, kind_labels=labels.CHANGE_KINDS,
                           state_labels=labels.CHANGE_STATES)


@bp.route("/my-data.zip")
def my_data_download():
    """All data the portal holds about the customer (GDPR access request)."""
    customer = acting_user().customer
    content = my_data.build_zip()
    audit.record("my_data_downloaded", customer)
    db.session.commit()
    return send_bytes(content, "application/zip", f"my-data-{customer.number}.zip")
