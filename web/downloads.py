"""Serving stored files: always as an attachment, with the stored media type,
nosniff and a safe file name."""
from __future__ import annotations

import io

from flask import send_file


def send_stored_file(stored):
    return send_bytes(stored.content, stored.media_type, stored.filename)


def send_bytes(content: bytes | str, media_type: str, filename: str):
    """Content made for this request (a PDF, a CSV, a calendar) as a download."""
    data = content.encode() if isinstance(content, str) else content
    response = send_file(io.BytesIO(data), mimetype=media_type, as_attachment=True, download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
