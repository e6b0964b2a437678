"""Uploaded files: size-limited, typed by their content (never by their name), and
stored in the database under a safe display name."""
from __future__ import annotations

import re
import unicodedata

from flask import current_app
from flask_babel import gettext as _
from wtforms.validators import ValidationError

from models.files import StoredFile

# Media types recognised by their first bytes.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


def safe_filename(name: str, extension: str) -> str:
    """A display name without paths or control characters, ending in the real type's extension."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    stem = re.sub(r"[^\w\-. ]+", "_", name.rsplit(".", 1)[0]).strip(" ._")[:80] or "file"
    return stem + extension


IMAGE_TYPES = ("image/png", "image/jpeg")
DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg")


def stored_file_from_upload(upload, allowed: tuple[str, ...] = DOCUMENT_TYPES):
    """A StoredFile for the upload, or a ValidationError saying what is wrong."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(_("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)))
    if not content:
        raise ValidationError(_("The file is empty."))
    for signature, media_type, extension in SIGNATURES:
        if content.startswith(signature) and media_type in allowed:
            return StoredFile.from_bytes(safe_filename(upload.filename, extension), media_type, content)
    if allowed == IMAGE_TYPES:
        raise ValidationError(_("Only a PNG or JPEG photo can be attached."))
    raise ValidationError(_("Only PDF, PNG or JPEG files can be attached."))
