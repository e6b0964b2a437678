"""The e-mail outbox.

`queue_email` writes the e-mail into the caller's transaction, so it exists exactly
when the change that caused it was committed. However the row was written (the unit of
work or a bulk `insert(OutgoingEmail)`), the session's after-commit hook wakes this
process's sender thread, which sends it at once, off the request. The same thread wakes
every OUTBOX_POLL_SECONDS and sends what is due again after a failure (exponential
back-off), so nothing needs cron; `flask --app portal send-mail` still works beside it.
Each e-mail is claimed by one conditional UPDATE before it is sent, so several processes
(gunicorn workers, the cron command) never send it twice.

An e-mail that carries a secret (part 2 of the first credentials, a link with a token)
names it in `secret_values`: the back office shows •••• in its place, and once the mail
server has accepted the e-mail its body is rewritten that way and the values forgotten.

An e-mail may carry one stored file (`attachment`, e.g. the invoice PDF a customer asked to get
by e-mail); the row references it and the sender attaches its bytes."""
from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app, has_app_context, render_template
from flask_mail import Connection, Message as MailMessage
from markupsafe import escape
from sqlalchemy import event, select, update

from extensions import db
from models.base import utcnow
from models.outbox import EmailState, OutgoingEmail
from models.users import StaffRole
from services import background

log = logging.getLogger("portal.outbox")

MASK = "••••"
# A claimed e-mail whose sender died (process killed mid-send) is taken again after this;
# far longer than a send can last with MAIL_TIMEOUT, so a live sender is never overtaken.
SENDING_LEASE = timedelta(minutes=10)
BATCH = 50
_PENDING = "outbox_pending"  # session.info key: this transaction wrote e-mails


def queue_email(recipient: str, subject: str, template: str, *, topic=None, topic_id=None,
                secret_values: Iterable[str] = (), attachment=None, **context):
    """Render templates/emails/<template>.txt and queue it. E-mails are plain text only: no
    markup for a customer's text to be injected into (`body_html` stays empty).

    `secret_values`: what in the e-mail lets its reader act as the recipient (a code, a
    token): masked in the back office and erased once sent. `attachment`: a StoredFile sent
    with it."""
    body_text = render_template(f"emails/{template}.txt", **context)
    secrets = [value for value in dict.fromkeys(secret_values) if value]
    if any(value not in body_text for value in secrets):
        # Masking replaces the value as written: one the template reformats would show.
        raise ValueError(f"a secret of the e-mail {template!r} is not in its text as given")
    email = OutgoingEmail(
        recipient=recipient,
        subject=" ".join(str(subject).split()),  # a header: a line break in it fails every send
        body_text=body_text,
        topic=topic,
        topic_id=topic_id,
        secret_values=secrets or None,
        attachment=attachment,
    )
    db.session.add(email)
    return email


def mask(text: str | None, secrets: Iterable[str] | None) -> str | None:
    """The text with every secret (also in its HTML-escaped form) replaced by MASK."""
    if not text or not secrets:
        return text
    for value in sorted(secrets, key=len, reverse=True):
        text = text.replace(value, MASK).replace(str(escape(value)), MASK)
    return text


def secrets_readable_by(staff) -> bool:
    """Only where no e-mail can leave: in development without MAIL_SERVER the e-mails stay
    here and the administrator plays the customer to try activation or a password reset.
    Clerks never, and nobody in production or once a mail server is configured."""
    config = current_app.config
    return (config["ENV_NAME"] != "production" and not config.get("MAIL_SERVER")
            and getattr(staff, "role", None) == StaffRole.ADMINISTRATOR)


def shown_body(email: OutgoingEmail, field: str, staff) -> str | None:
    """`body_text` or `body_html` as the back office may show it to `staff`."""
    text = getattr(email, field)
    return text if secrets_readable_by(staff) else mask(text, email.secret_values)


def backoff(attempts: int, base_seconds: float = 60) -> timedelta:
    """1, 2, 4, … minutes (with the default base), at most six hours between tries."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), 6 * 3600))


def _due(now):
    # A 'sending' row past its lease was left by a sender that died: take it again.
    return OutgoingEmail.state.in_((EmailState.QUEUED, EmailState.SENDING)), OutgoingEmail.next_attempt_at <= now


def send_due(limit: int = 100) -> tuple[int, int]:
    """Send queued e-mails whose time has come. Returns (sent, failed)."""
    if not current_app.config.get("MAIL_SERVER"):
        return 0, 0
    ids = db.session.scalars(
        select(OutgoingEmail.id).where(*_due(utcnow()))
        .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id).limit(limit)
    ).all()
    sent = failed = 0
    for email_id in ids:
        email = _claim(email_id)
        if email is None:  # another process got there first
            continue
        if _send_one(email):
            sent += 1
        else:
            failed += 1
    return sent, failed


def _claim(email_id: int) -> OutgoingEmail | None:
    """Take the e-mail for this sender, or None if another one has it. One conditional
    UPDATE, committed before the slow SMTP conversation: on PostgreSQL a second sender's
    UPDATE waits for this one and then no longer matches; SQLite serialises writers."""
    now = utcnow()
    claimed = db.session.execute(
        update(OutgoingEmail).where(OutgoingEmail.id == email_id, *_due(now))
        .values(state=EmailState.SENDING, next_attempt_at=now + SENDING_LEASE, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(OutgoingEmail, email_id, populate_existing=True) if claimed else None


def _send_one(email: OutgoingEmail) -> bool:
    config = current_app.config
    email.attempts += 1
    try:
        _deliver(email)
    except Exception as error:  # noqa: BLE001 - any failure keeps the e-mail queued
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        email.next_attempt_at = utcnow() + backoff(email.attempts, config["OUTBOX_RETRY_SECONDS"])
        email.state = EmailState.QUEUED
        if email.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
            email.state = EmailState.FAILED
            _erase_secrets(email)  # it will not be sent: its secret is of use to nobody
        log.warning("e-mail %s to %s not sent: %s", email.id, email.recipient, error)
        db.session.commit()
        return False
    email.state = EmailState.SENT
    email.sent_at = utcnow()
    email.last_error = None
    _erase_secrets(email)
    _notify_delivered(email)
    db.session.commit()
    return True


def _erase_secrets(email: OutgoingEmail) -> None:
    if email.secret_values:
        email.body_text = mask(email.body_text, email.secret_values)
        email.body_html = mask(email.body_html, email.secret_values)
        email.secret_values = None


class _TimeoutConnection(Connection):
    """Flask-Mail's connection, with MAIL_TIMEOUT on the socket: Flask-Mail sets none, and a
    server that accepts the connection but never answers would hold the sender for ever."""

    def configure_host(self):
        timeout = current_app.config["MAIL_TIMEOUT"]
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _deliver(email: OutgoingEmail) -> None:
    message = MailMessage(
        subject=email.subject,
        recipients=[email.recipient],
        body=email.body_text,
        html=email.body_html,
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    if email.attachment is not None:
        message.attach(email.attachment.filename, email.attachment.media_type, email.attachment.content)
    with _TimeoutConnection(current_app.extensions["mail"]) as connection:
        message.send(connection)


# Modules that need to know when the mail server accepted an e-mail register here
# (e.g. messages record "delivered"): topic -> callable(email).
DELIVERY_LISTENERS: dict[str, callable] = {}


def _notify_delivered(email: OutgoingEmail) -> None:
    listener = DELIVERY_LISTENERS.get(email.topic or "")
    if listener:
        listener(email)


# --- sending right after commit ---------------------------------------------------------

def _after_flush(session, _flush_context):
    if any(isinstance(obj, OutgoingEmail) for obj in session.new):
        session.info[_PENDING] = True


def _on_execute(state):
    # Bulk inserts (services/messaging/messages.py) bypass the unit of work and so the flush.
    # (The statement's table is an annotated copy of the model's: compared by name.)
    if state.is_insert and getattr(getattr(state.statement, "table", None), "name", None) == OutgoingEmail.__tablename__:
        state.session.info[_PENDING] = True


def _after_commit(session):
    # A released savepoint is not the end: the rows become visible with the outer commit.
    if session.in_nested_transaction() or not session.info.pop(_PENDING, False):
        return
    if has_app_context():
        try:
            wake(current_app._get_current_object())
        except Exception:  # noqa: BLE001 - the change is committed: never fail it for this
            log.exception("could not wake the outbox sender; its next round sends the e-mails")


def _after_soft_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


_listening = threading.Lock()


def _listen_once() -> None:
    """On Flask-SQLAlchemy's session factory, once per process (every app shares `db`)."""
    with _listening:
        if event.contains(db.session, "after_commit", _after_commit):
            return
        event.listen(db.session, "after_flush", _after_flush)
        event.listen(db.session, "do_orm_execute", _on_execute)
        event.listen(db.session, "after_soft_rollback", _after_soft_rollback)
        event.listen(db.session, "after_commit", _after_commit)


class _Sender(background.PollingThread):
    """Sends when woken, and every OUTBOX_POLL_SECONDS."""

    name, extension, poll_setting = "outbox-sender", "outbox_sender", "OUTBOX_POLL_SECONDS"

    def round(self) -> None:
        while not self.stopping and sum(send_due(limit=BATCH)) == BATCH:
            pass


def ensure_sender(app) -> _Sender | None:
    """This process's sender for the app, started on first use (services/background.py)."""
    if not (app.config["OUTBOX_WORKER"] and app.config.get("MAIL_SERVER")):
        return None
    return background.ensure(app, _Sender)


def wake(app) -> None:
    """A commit wrote e-mails: the sender takes them now. Outside a request (a CLI command
    that is about to exit) no thread is started; the servers' next round or cron sends them."""
    background.wake(app, _Sender, ensure_sender)


def stop_sender(app) -> None:
    background.stop(app, _Sender)


def init_app(app) -> None:
    _listen_once()

    @app.before_request
    def start_sender():
        # The first request of each process starts its sender, which then also retries
        # what failed before, without waiting for an e-mail to be queued.
        ensure_sender(app)
