"""Documents for customers and their categories."""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms.validators import ValidationError

from admin_views.base import StaffModelView, stored_upload
from models.documents import Document, DocumentCategory, DocumentVersion, DocumentVisibility
from models.users import StaffRole
from services import labels

CLERKS = (StaffRole.CLERK,)


class DocumentView(StaffModelView):
    roles = CLERKS
    column_list = ("title", "category", "visibility", "segment", "valid_from", "valid_to", "file")
    column_searchable_list = ("title",)
    column_filters = ("visibility", "segment", "valid_from")
    column_details_list = ("title", "category", "description", "visibility", "segment", "valid_from", "valid_to",
                           "file", "versions")
    form_excluded_columns = StaffModelView.form_excluded_columns + ("file", "versions")
    # A customer's own documents are made by the portal (the monthly billing information), not uploaded.
    form_choices = {"visibility": [c for c in labels.enum_choices(DocumentVisibility)
                                   if c[0] != DocumentVisibility.CUSTOMER]}
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


def register(admin, db):
    admin.add_view(DocumentView(Document, name=_l("Documents"), endpoint="bo_documents", url="documents",
                                category=_l("Communication")))
    admin.add_view(DocumentCategoryView(DocumentCategory, name=_l("Document categories"),
                                        endpoint="bo_document_categories", url="document-categories",
                                        category=_l("Communication")))
