"""The e-mail outbox.

`queue_email` writes the e-mail into the caller's transaction, so it exists exactly
when the change that caused it was committed. After the request, the e-mails it
queued are sent; anything that fails stays queued and is retried with exponential
back-off by the next request's flush or by `flask --app portal send-mail` (cron)."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, g, render_template
from flask_mail import Message as MailMessage
from sqlalchemy import select

from extensions import db, mail
from models.base import utcnow
from models.outbox import EmailState, OutgoingEmail

log = logging.getLogger("portal.outbox")


def queue_email(recipient: str, subject: str, template: str, *, topic=None, topic_id=None, **context):
    """Render templates/emails/<template>.txt (and .html if present) and queue it."""
    body_text = render_template(f"emails/{template}.txt", **context)
    try:
        body_html = render_template(f"emails/{template}.html", **context)
    except Exception:  # noqa: BLE001 - the HTML part is optional
        body_html = None
    email = OutgoingEmail(
        recipient=recipient,
        subject=str(subject),
        body_text=body_text,
        body_html=body_html,
        topic=topic,
        topic_id=topic_id,
    )
    db.session.add(email)
    g.setdefault("outbox_queued", True)
    return email


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes, at most six hours between tries."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def send_due(limit: int = 100) -> tuple[int, int]:
    """Send queued e-mails whose time has come. Returns (sent, failed)."""
    if not current_app.config.get("MAIL_SERVER"):
        return 0, 0
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    due = db.session.scalars(
        select(OutgoingEmail)
        .where(OutgoingEmail.state == EmailState.QUEUED, OutgoingEmail.next_attempt_at <= utcnow())
        .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for email in due:
        try:
            _deliver(email)
        except Exception as error:  # noqa: BLE001 - any failure keeps the e-mail queued
            email.attempts += 1
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            email.next_attempt_at = utcnow() + backoff(email.attempts)
            if email.attempts >= max_attempts:
                email.state = EmailState.FAILED
            failed += 1
            log.warning("e-mail %s to %s not sent: %s", email.id, email.recipient, error)
        else:
            email.attempts += 1
            email.state = EmailState.SENT
            email.sent_at = utcnow()
            email.last_error = None
            sent += 1
            _notify_delivered(email)
        db.session.commit()
    return sent, failed


def _deliver(email: OutgoingEmail) -> None:
    message = MailMessage(
        subject=email.subject,
        recipients=[email.recipient],
        body=email.body_text,
        html=email.body_html,
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    mail.send(message)


# Modules that need to know when the mail server accepted an e-mail register here
# (e.g. messages record "delivered"): topic -> callable(email).
DELIVERY_LISTENERS: dict[str, callable] = {}


def _notify_delivered(email: OutgoingEmail) -> None:
    listener = DELIVERY_LISTENERS.get(email.topic or "")
    if listener:
        listener(email)


def init_app(app) -> None:
    @app.after_request
    def flush_after_request(response):
        if g.get("outbox_queued") and app.config.get("OUTBOX_SEND_AFTER_REQUEST"):
            # After the response has gone out, so the user never waits for SMTP.
            response.call_on_close(lambda: _flush(app))
        return response


def _flush(app) -> None:
    with app.app_context():
        try:
            send_due(limit=50)
        except Exception:  # noqa: BLE001 - the cron command retries later
            log.exception("outbox flush failed")
            db.session.rollback()
