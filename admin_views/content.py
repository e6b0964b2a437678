"""Messages, documents and credential issues."""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms.validators import ValidationError

from admin_views.base import ReadOnlyModelView, StaffModelView, stored_upload
from models.credentials import CredentialIssue
from models.customers import Segment
from models.documents import Document, DocumentCategory, DocumentVersion, DocumentVisibility
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


class DocumentView(StaffModelView):
    roles = CLERKS
    column_list = ("title", "category", "visibility", "segment", "valid_from", "valid_to", "file")
    column_searchable_list = ("title",)
    column_filters = ("visibility", "segment", "valid_from")
    column_details_list = ("title", "category", "description", "visibility", "segment", "valid_from", "valid_to",
                           "file", "versions")
    form_excluded_columns = StaffModelView.form_excluded_columns + ("file", "versions")
    form_choices = {"visibility": [(v.value, v.value) for v in DocumentVisibility],
                    "segment": [("", "—")] + [(s.value, s.value) for s in Segment]}
    form_extra_fields = {"upload": FileField(_l("File (PDF, PNG or JPEG); a new file keeps the old one as a version"))}

    def on_model_change(self, form, model, is_created):
        model.segment = model.segment or None
        if model.visibility == DocumentVisibility.SEGMENT and not model.segment:
            raise ValidationError(_("Choose the segment that sees the document."))
        stored = stored_upload(form.upload, required=is_created)
        if stored is not None:
            if model.file is not None:
                model.versions.append(DocumentVersion(file=model.file))
            model.file = stored
        super().on_model_change(form, model, is_created)


class DocumentCategoryView(StaffModelView):
    # The clerks publish the documents (DocumentView) and file each under a category, in the
    # same Communication menu: they keep the list of categories too. Administrators as always;
    # billing and technicians do not run the portal's content.
    roles = DocumentView.roles


class CredentialIssueView(ReadOnlyModelView):
    """Never shows the hashes: only who got credentials, when, and what became of them."""

    roles = CLERKS
    column_list = ("portal_user", "created_at", "expires_at", "attempts", "used_at", "voided_at", "letter_printed_at")
    column_details_list = column_list
    column_default_sort = ("created_at", True)


def register(admin, db):
    admin.add_view(MessageView(Message, name=_l("Messages"), endpoint="bo_messages", url="messages",
                               category=_l("Communication")))
    admin.add_view(RecipientView(MessageRecipient, name=_l("Message recipients"), endpoint="bo_message_recipients",
                                 url="message-recipients", category=_l("Communication")))
    admin.add_view(MessageEventView(MessageEvent, name=_l("Delivery records"), endpoint="bo_message_events",
                                    url="message-events", category=_l("Communication")))
    admin.add_view(DocumentView(Document, name=_l("Documents"), endpoint="bo_documents", url="documents",
                                category=_l("Communication")))
    admin.add_view(DocumentCategoryView(DocumentCategory, name=_l("Document categories"),
                                        endpoint="bo_document_categories", url="document-categories",
                                        category=_l("Communication")))
    admin.add_view(CredentialIssueView(CredentialIssue, name=_l("Credential issues"), endpoint="bo_credential_issues",
                                       url="credential-issues", category=_l("Customers")))
