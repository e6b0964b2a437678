"""The back-office action that issues first credentials to a selection of customers
and answers with one PDF of letters (one per page) for the mailing house."""
from __future__ import annotations

import tempfile

from flask import flash, send_file
from flask_admin.actions import action
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models.base import utcnow
from models.customers import Customer
from services.accounts.credentials import issue_for_customers
from services.accounts.letters import write_letters

MAX_SELECTION = 2000


class CredentialLettersMixin:
    @action("issue_credentials", _l("Issue first credentials (letter + e-mail)"),
            _l("Issue new first credentials to the portal users of the selected customers who are not active? "
               "Earlier codes stop working."))
    def action_issue_credentials(self, ids):
        if len(ids) > MAX_SELECTION:
            flash(_("Select at most %(n)s customers at once.", n=MAX_SELECTION), "error")
            return None  # back to the list's own return URL, checked like every back-office redirect
        customers = db.session.scalars(
            select(Customer).where(Customer.id.in_([int(i) for i in ids])).order_by(Customer.postcode, Customer.number)
            .options(selectinload(Customer.portal_users))
        ).all()
        issued = issue_for_customers(customers, staff=current_user._get_current_object())
        if not issued:
            db.session.rollback()
            flash(_("None of the selected customers has a portal user waiting for first credentials."), "warning")
            return None
        # Not a with-block: send_file streams it after this function returns and closes it then.
        out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        try:
            write_letters(issued, out)
            now = utcnow()
            for item in issued:
                item.issue.letter_printed_at = now
            db.session.commit()  # the codes exist only once the letters are written
        except Exception:
            db.session.rollback()
            out.close()
            raise
        out.seek(0)
        return send_file(out, mimetype="application/pdf", as_attachment=True,
                         download_name=f"credential-letters-{now:%Y%m%d-%H%M}.pdf")
