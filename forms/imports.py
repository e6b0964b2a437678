"""The back office's import form: what the file brings, the file, all or nothing."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField
from wtforms.validators import ValidationError

from models.files import StoredFile
from services import labels
from services.imports import KINDS, UnreadableFile
from services.imports.archive import is_zip
from services.imports.job import first_look
from web.uploads import safe_filename

# The endings the readers go by (JSON Lines by name, a ZIP's name is checked); others are read by content.
KEPT_ENDINGS = (".csv", ".jsonl", ".ndjson", ".zip", ".txt")


class ImportForm(FlaskForm):
    kind = SelectField(_l("What the file brings"))
    file = FileField(_l("The file: CSV (UTF-8, ; or ,), JSON Lines, or a ZIP with the PDFs it names"))
    all_or_nothing = BooleanField(_l("All or nothing: write nothing if any record is refused"))

    stored_file: StoredFile | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whatever kinds the import knows, by their names in the staff member's language.
        self.kind.choices = sorted(((kind, labels.import_kind_label(kind)) for kind in KINDS), key=lambda c: c[1])

    def validate_file(self, field):
        upload = field.data
        if not (upload and getattr(upload, "filename", "")):
            raise ValidationError(_l("Choose the file."))
        limit = current_app.config["MAX_UPLOAD_BYTES"]
        content = upload.read(limit + 1)
        if len(content) > limit:
            raise ValidationError(_l("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)))
        if not content:
            raise ValidationError(_l("The file is empty."))
        if self.kind.data not in KINDS:
            return  # the kind's own message says so
        try:
            first_look(self.kind.data, content, upload.filename)
        except UnreadableFile as error:
            raise ValidationError(str(error)) from None
        ending = next((e for e in KEPT_ENDINGS if upload.filename.lower().endswith(e)), "")
        self.stored_file = StoredFile.from_bytes(safe_filename(upload.filename, ending),
                                                 "application/zip" if is_zip(content) else "text/plain", content)
