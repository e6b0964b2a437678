"""Messages to customers: the list to search them, their recipients and delivery records."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from admin_views.base import ReadOnlyModelView, StaffModelView
from models.messaging import Message, MessageEvent, MessageRecipient
from models.users import StaffRole

CLERKS = (StaffRole.CLERK,)


class MessageView(StaffModelView):
    """Messages are written and followed under "Write and follow messages" (recipients,
    notices and delivery records are made there); this list is for searching."""

    roles = CLERKS
    can_create = False
    can_edit = False
    can_delete = False
    column_list = ("subject", "audience", "segment", "author", "sent_at")
    column_searchable_list = ("subject",)
    column_filters = ("audience", "segment", "sent_at")
    column_default_sort = ("sent_at", True)
    form_excluded_columns = StaffModelView.form_excluded_columns + ("attachment",)


class RecipientView(ReadOnlyModelView):
    roles = CLERKS
    column_list = ("message", "customer", "delivered_at", "delivered_via", "read_at")
    column_filters = ("delivered_at", "read_at")


class MessageEventView(ReadOnlyModelView):
    # Delivery records belong to the messages: the message views' roles.
    roles = MessageView.roles


def register(admin, db):
    admin.add_view(MessageView(Message, name=_l("Messages"), endpoint="bo_messages", url="messages",
                               category=_l("Communication")))
    admin.add_view(RecipientView(MessageRecipient, name=_l("Message recipients"), endpoint="bo_message_recipients",
                                 url="message-recipients", category=_l("Communication")))
    admin.add_view(MessageEventView(MessageEvent, name=_l("Delivery records"), endpoint="bo_message_events",
                                    url="message-events", category=_l("Communication")))
