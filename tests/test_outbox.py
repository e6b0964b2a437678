"""The e-mail outbox: written with the change, sent after commit, retried, never lost."""
from datetime import timedelta
from email.header import decode_header, make_header

from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_staff
from helpers import free_port
from models.audit import AuditEntry
from models.base import utcnow
from models.outbox import EmailState, OutgoingEmail
from services.outbox import backoff, queue_email, send_due


def _queue(app, to="jana@example.com"):
    with app.test_request_context():
        email = queue_email(to, "Potvrzení", "notice", text="Vaše žádost byla přijata.", link=None)
        db.session.commit()
    return email


def test_an_email_rolled_back_with_its_change_is_never_sent(mail_app, smtp_server):
    with mail_app.test_request_context():
        db.session.add(AuditEntry(actor_kind="system", actor="system", action="change_requested"))
        queue_email("jana@example.com", "Zrušeno", "notice", text="Tato změna neproběhla.", link=None)
        db.session.rollback()
    assert db.session.scalars(select(OutgoingEmail)).all() == []  # gone with its change
    assert db.session.scalars(select(AuditEntry)).all() == []
    assert send_due() == (0, 0)
    assert smtp_server.messages == []
    # The same server does receive what was committed: the silence above is the rollback's.
    _queue(mail_app, to="petr@example.com")
    assert send_due() == (1, 0)
    assert [(m["To"], str(make_header(decode_header(m["Subject"])))) for m in smtp_server.messages] == [
        ("petr@example.com", "Potvrzení")]
    assert [(e.recipient, e.state) for e in db.session.scalars(select(OutgoingEmail))] == [
        ("petr@example.com", EmailState.SENT)]


def test_queued_email_reaches_a_real_smtp_server(mail_app, smtp_server):
    email = _queue(mail_app)
    assert send_due() == (1, 0)
    db.session.refresh(email)
    assert email.state == EmailState.SENT and email.sent_at is not None
    [message] = smtp_server.messages
    assert message["To"] == "jana@example.com"
    assert str(make_header(decode_header(message["Subject"]))) == "Potvrzení"
    part = message.get_payload(0) if message.is_multipart() else message
    assert "Vaše žádost byla přijata." in part.get_payload(decode=True).decode()


def test_a_failed_send_stays_queued_and_is_retried_with_backoff(make_app):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    port = free_port()  # nobody listens there yet
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        email = _queue(app)
        assert send_due() == (0, 1)
        db.session.refresh(email)
        assert email.state == EmailState.QUEUED and email.attempts == 1 and email.last_error
        assert email.next_attempt_at > utcnow() + timedelta(seconds=30)
        assert send_due() == (0, 0)  # not due yet
        # The server comes back; the retry goes out when due.
        received = []

        class Collect(Message):
            def handle_message(self, message):
                received.append(message)

        controller = Controller(Collect(), hostname="127.0.0.1", port=port)
        controller.start()
        try:
            email.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
            assert send_due() == (1, 0)
        finally:
            controller.stop()
        assert len(received) == 1


def test_backoff_grows_and_is_capped():
    assert backoff(1) < backoff(2) < backoff(3)
    assert backoff(50) == timedelta(hours=6)


def test_the_cron_command_sends_queued_email(mail_app, smtp_server):
    _queue(mail_app)
    result = mail_app.test_cli_runner().invoke(args=["send-mail"])
    assert "sent 1, failed 0" in result.output
    assert len(smtp_server.messages) == 1


def test_without_a_mail_server_email_waits_in_the_back_office(app, client):
    _queue(app, to="reader@example.com")
    assert send_due() == (0, 0)
    make_staff("administrator", email="admin@example.com")
    client.staff_sign_in("admin@example.com", PASSWORD)
    page = client.get("/admin/outbox/").get_data(as_text=True)
    assert "reader@example.com" in page
