"""The audit log (read only) and the e-mail outbox."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from admin_views.base import ReadOnlyModelView
from models.audit import AuditEntry
from models.outbox import OutgoingEmail
from models.users import StaffRole
from services.outbox import shown_body


class AuditLogView(ReadOnlyModelView):
    roles = (StaffRole.ADMINISTRATOR,)
    column_list = ("at", "actor_kind", "actor", "action", "record_type", "record_id", "ip_address")
    column_searchable_list = ("actor", "action", "record_id")
    column_filters = ("actor_kind", "action", "record_type", "at")
    column_default_sort = ("at", True)
    # The log only grows (every action and denial): no COUNT(*) over all of it on every page.
    simple_list_pager = True


def _body(view, context, model, name):
    text = shown_body(model, name, current_user)
    return Markup('<pre class="mb-0 text-wrap">{}</pre>').format(text) if text else ""


class OutboxView(ReadOnlyModelView):
    """Without a mail server the e-mails stay here, so a developer can read them.

    What lets the reader act as the recipient (part 2 of the first credentials, the token of
    a password-reset or confirmation link) shows as •••• (services/outbox.secrets_readable_by);
    the stored list of those values is never shown, the bodies are neither searchable (a
    search would be an oracle for a secret) nor exported."""

    roles = (StaffRole.ADMINISTRATOR, StaffRole.CLERK)
    column_list = ("created_at", "recipient", "subject", "state", "attempts", "next_attempt_at", "sent_at")
    column_details_list = ("created_at", "recipient", "subject", "state", "attempts", "next_attempt_at", "sent_at",
                           "last_error", "topic", "topic_id", "body_text", "body_html")
    column_formatters = {"body_text": _body, "body_html": _body}
    can_export = False
    column_searchable_list = ("recipient", "subject")
    column_filters = ("state",)
    column_default_sort = ("created_at", True)
    simple_list_pager = True  # one row per e-mail ever sent: no COUNT(*) on every page


def register(admin, db):
    admin.add_view(AuditLogView(AuditEntry, name=_l("Audit log"), endpoint="bo_audit", url="audit",
                                category=_l("Administration")))
    admin.add_view(OutboxView(OutgoingEmail, name=_l("E-mail outbox"), endpoint="bo_outbox", url="outbox",
                              category=_l("Administration")))
