"""The outbox's sender thread (issue 14, item 13): every queued e-mail leaves right after the
commit that wrote it, however it was written, without cron, off the request; what failed is
retried by the same thread; two senders never send one e-mail twice; MAIL_TIMEOUT holds."""
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as CollectingHandler
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff
from helpers import PortalClient, free_port
from models.messaging import MessageRecipient
from models.outbox import EmailState, OutgoingEmail
from models.users import PortalUserState, Team
from services import outbox


def _wait_for(condition, seconds=15.0):
    """Poll until condition() is true; a bounded loop, never a bare sleep."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _body(message):
    part = message.get_payload(0) if message.is_multipart() else message
    return part.get_payload(decode=True).decode()


def _email_row(recipient):
    db.session.expire_all()  # what the sender thread committed meanwhile
    return db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == recipient)).one()


@pytest.fixture
def sender_app(make_app):
    """The real thing: OUTBOX_WORKER on (the other tests keep it off), the sender stopped after."""
    apps = []

    def factory(port, **config):
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=2,
                       OUTBOX_WORKER=True, **config)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        outbox.stop_sender(app)


def _issue_by_back_office(client, customer):
    make_staff("clerk", email="clerk@example.com")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    token = client.csrf_token("/admin/customers/")
    response = client.post("/admin/customers/action/", data={
        "action": "issue_credentials", "rowid": [str(customer.id)], "csrf_token": token})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response


def test_part2_of_first_credentials_arrives_with_no_command_run(sender_app, smtp_server):
    app = sender_app(smtp_server.port)
    with app.app_context():
        customer = make_customer()
        make_portal_user(customer, email="novy@example.com", state=PortalUserState.INVITED, password=None)
        _issue_by_back_office(PortalClient(app), customer)
        assert _wait_for(lambda: smtp_server.messages), "part 2 never reached the mail server"
        [message] = smtp_server.messages
        assert message["To"] == "novy@example.com"
        assert f"Customer number: {customer.number}" in _body(message)
        assert _wait_for(lambda: _email_row("novy@example.com").state == EmailState.SENT)
        assert outbox.MASK in _email_row("novy@example.com").body_text  # and its secret erased


def test_a_message_to_a_segment_reaches_every_customer_with_no_command_run(sender_app, smtp_server):
    """The notices are bulk-inserted, past the unit of work: the commit still sends them."""
    app = sender_app(smtp_server.port)
    with app.app_context():
        vip = [make_customer(segment="vip", email=f"vip{i}@example.com") for i in range(3)]
        make_customer(email="domacnost@example.com")
        team = Team(name="Podpora", is_default=True, members=[make_staff("clerk", email="clerk@example.com")])
        db.session.add(team)
        db.session.commit()
        client = PortalClient(app)
        client.staff_sign_in("clerk@example.com", PASSWORD)
        response = client.post_form("/admin/message-desk/new", {
            "subject": "Odstávka", "body": "V sobotu bude odstávka.", "audience": "segment", "segment": "vip",
            "customer_number": "", "numbers": "", "team": str(team.id)})
        assert response.status_code == 302
        assert _wait_for(lambda: len(smtp_server.messages) == 3), f"{len(smtp_server.messages)} of 3 notices sent"
        assert {m["To"] for m in smtp_server.messages} == {c.email for c in vip}

        def delivered():
            db.session.expire_all()
            return {r.delivered_via for r in db.session.scalars(select(MessageRecipient))} == {"email"}
        assert _wait_for(delivered)


class _HeldHandler(CollectingHandler):
    """A mail server that holds every DATA until the test lets it go."""

    def __init__(self):
        super().__init__()
        self.messages, self.release = [], threading.Event()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 20)
        return await super().handle_DATA(server, session, envelope)

    def handle_message(self, message):
        self.messages.append(message)


def test_the_answer_does_not_wait_for_the_mail_server(sender_app):
    handler, port = _HeldHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = sender_app(port)
        with app.app_context():
            customer = make_customer()
            make_portal_user(customer, email="ceka@example.com", state=PortalUserState.INVITED, password=None)
            letters = _issue_by_back_office(PortalClient(app), customer)
            # The letters are here while the mail server still holds part 2.
            assert letters.data.startswith(b"%PDF") and handler.messages == []
            assert _wait_for(lambda: _email_row("ceka@example.com").state == EmailState.SENDING)
            handler.release.set()
            assert _wait_for(lambda: handler.messages)
    finally:
        handler.release.set()
        controller.stop()


def test_a_failed_send_is_retried_by_the_sender_without_any_request_or_command(sender_app):
    port = free_port()  # nobody listens there yet
    app = sender_app(port, OUTBOX_POLL_SECONDS=0.2, OUTBOX_RETRY_SECONDS=0.5)
    with app.app_context():
        customer = make_customer()
        make_portal_user(customer, email="pozdeji@example.com", state=PortalUserState.INVITED, password=None)
        _issue_by_back_office(PortalClient(app), customer)
        assert _wait_for(lambda: _email_row("pozdeji@example.com").attempts >= 1)
        first = _email_row("pozdeji@example.com")
        assert first.state == EmailState.QUEUED and "Connection" in first.last_error
        # The server comes up; nobody makes a request or runs a command.
        received = []

        class Collect(CollectingHandler):
            def handle_message(self, message):
                received.append(message)

        controller = Controller(Collect(), hostname="127.0.0.1", port=port)
        controller.start()
        try:
            assert _wait_for(lambda: received), "the failed e-mail was never retried"
            assert _wait_for(lambda: _email_row("pozdeji@example.com").state == EmailState.SENT)
        finally:
            controller.stop()
        assert len(received) == 1 and received[0]["To"] == "pozdeji@example.com"
        assert _email_row("pozdeji@example.com").attempts >= 2


def test_senders_in_several_processes_send_each_email_once(make_app, smtp_server):
    """Four senders at once (as gunicorn workers and cron would be): each e-mail is claimed
    by exactly one of them."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_SUPPRESS_SEND=False)
    with app.app_context(), app.test_request_context():
        for i in range(20):
            outbox.queue_email(f"kazdy{i}@example.com", "Jednou", "notice", text="Jen jednou.", link=None)
        db.session.commit()
    start, totals = threading.Barrier(4), []

    def sender():
        with app.app_context():
            start.wait()
            totals.append(outbox.send_due())

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == sorted(f"kazdy{i}@example.com" for i in range(20))
    assert sum(sent for sent, _ in totals) == 20


def test_a_mail_server_that_never_answers_does_not_hold_the_sender(make_app):
    """Flask-Mail sets no socket timeout; MAIL_TIMEOUT does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=listener.getsockname()[1], MAIL_SUPPRESS_SEND=False,
                   MAIL_TIMEOUT=1)
    result = []
    try:
        with app.app_context():
            with app.test_request_context():
                outbox.queue_email("ticho@example.com", "x", "notice", text="x", link=None)
                db.session.commit()

            def send():
                with app.app_context():
                    result.append(outbox.send_due())
            thread = threading.Thread(target=send, daemon=True)
            thread.start()
            thread.join(10)
            assert result == [(0, 1)], "the sender still waits for a silent mail server"
            assert "timed out" in _email_row("ticho@example.com").last_error
    finally:
        for conn, _ in accepted:
            conn.close()
        listener.close()


def test_the_sender_starts_in_each_process_at_its_first_request(sender_app, smtp_server):
    """Not at import nor in create_app (gunicorn's master would fork without it), but in the
    process that serves; a forked child, which inherits the object but not the thread, starts its own."""
    app = sender_app(smtp_server.port)
    assert "outbox_sender" not in app.extensions
    with app.app_context():
        client = PortalClient(app)
        client.get("/sign-in")
        first = app.extensions["outbox_sender"]
        assert first.alive()
        client.get("/sign-in")
        assert app.extensions["outbox_sender"] is first
        first.stop()
        first.pid = -1  # as seen from a forked child
        client.get("/sign-in")
        assert app.extensions["outbox_sender"] is not first and app.extensions["outbox_sender"].alive()
