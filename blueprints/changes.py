"""Change requests: the customer asks for a change of its data, sees old and new
values side by side before sending, and follows the decision."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from forms.changes import (
    AddressChangeForm,
    BankAccountChangeForm,
    CompanyChangeForm,
    EmailChangeForm,
    OtherChangeForm,
    PhoneChangeForm,
)
from forms.common import ConfirmForm
from models.changes import ChangeKind, ChangeRequest
from models.users import Module
from services import changes, labels
from services.access import acting_user, visible, visible_or_404
from web.downloads import send_stored_file
from web.limits import action_limit
from web.portal_blueprint import PortalBlueprint

bp = PortalBlueprint("changes", __name__, url_prefix="/changes", module=Module.CHANGES)

FORMS = {
    ChangeKind.ADDRESS: AddressChangeForm,
    ChangeKind.PHONE: PhoneChangeForm,
    ChangeKind.EMAIL: EmailChangeForm,
    ChangeKind.BANK_ACCOUNT: BankAccountChangeForm,
    ChangeKind.COMPANY: CompanyChangeForm,
    ChangeKind.OTHER: OtherChangeForm,
}


def _kinds_for(customer) -> list[str]:
    return [k for k in FORMS if k != ChangeKind.COMPANY or customer.is_business]


@bp.route("/")
def index():
    customer = acting_user().customer
    change_requests = db.session.scalars(
        visible(ChangeRequest).order_by(ChangeRequest.submitted_at.desc()).limit(100)).all()
    return render_template("changes/index.html", requests=change_requests, kinds=_kinds_for(customer),
                           kind_labels=labels.CHANGE_KINDS, state_labels=labels.CHANGE_STATES)


@bp.route("/new/<kind>", methods=["GET", "POST"])
@action_limit("change")
def new(kind):
    customer = acting_user().customer
    if kind not in _kinds_for(customer):
        abort(404)
    form_class = FORMS[ChangeKind(kind)]
    form = form_class(obj=customer) if not form_class.needs_password else form_class()
    if form.validate_on_submit():
        if form.needs_password and not current_user.check_password(form.password.data):
            form.password.errors.append(_("The password is not right."))
        else:
            rows = changes.differences(customer, kind, form.new_values())
            if kind != ChangeKind.OTHER and not rows:
                flash(_("The values are the same as those we have; there is nothing to change."), "warning")
            elif form.confirmed.data == "1" or kind == ChangeKind.OTHER:
                # An "other change" has no old and new values to compare: it is sent at once.
                change = changes.submit(customer, acting_user(), kind, form.new_values(), form.reason.data)
                change.attachment = getattr(form, "stored_attachment", None)
                db.session.commit()
                flash(_("Your request has been sent. We will let you know when it is decided."), "success")
                return redirect(url_for("changes.detail", request_id=change.id))
            else:
                # Old and new side by side; the form is sent again with confirmed=1.
                form.confirmed.data = "1"
                return render_template("changes/preview.html", form=form, kind=kind, rows=rows,
                                       labels=labels.CHANGE_FIELDS, kind_label=labels.CHANGE_KINDS[ChangeKind(kind)])
    return render_template("changes/form.html", form=form, kind=kind, kind_label=labels.CHANGE_KINDS[ChangeKind(kind)])


@bp.route("/<int:request_id>")
def detail(request_id):
    change = visible_or_404(ChangeRequest, request_id)
    return render_template("changes/detail.html", change=change, labels=labels.CHANGE_FIELDS,
                           kind_labels=labels.CHANGE_KINDS, state_labels=labels.CHANGE_STATES,
                           withdraw_form=ConfirmForm())


@bp.route("/<int:request_id>/attachment")
def attachment(request_id):
    change = visible_or_404(ChangeRequest, request_id)
    if change.attachment is None:
        abort(404)
    return send_stored_file(change.attachment)


@bp.route("/<int:request_id>/withdraw", methods=["POST"])
def withdraw(request_id):
    change = visible_or_404(ChangeRequest, request_id)
    if ConfirmForm().validate_on_submit() and change.is_open:
        changes.withdraw(change, acting_user())
        db.session.commit()
        flash(_("The request has been withdrawn."), "info")
    return redirect(url_for("changes.detail", request_id=change.id))


@bp.public_route("/confirm-email/<token>")
def confirm_email(token):
    change = changes.confirm_email(token)
    if change is None:
        flash(_("The confirmation link is not valid any more."), "danger")
    else:
        db.session.commit()
        flash(_("Thank you, the new e-mail address is confirmed. The request now goes to review."), "success")
    return redirect(url_for("dashboard.index"))
