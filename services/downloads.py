"""Serving stored files: always as an attachment, with the stored media type,
nosniff and a safe file name."""
from __future__ import annotations

import io

from flask import send_file


def send_stored_file(stored):
    response = send_file(io.BytesIO(stored.content), mimetype=stored.media_type, as_attachment=True,
                         download_name=stored.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
