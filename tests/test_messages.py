"""Messages: recipients, notices through the outbox, delivered and read recorded once by
the right events, the tamper-evident records and the delivery note."""
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select, text

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff
from helpers import count_queries
from models.customers import Customer
from models.messaging import Message, MessageEvent, MessageRecipient
from models.outbox import EmailState, OutgoingEmail
from models.tickets import Task, Ticket
from models.users import Team
from services import outbox
from services.messaging import messages

PDF = b"%PDF-1.4\n% test attachment\n"


def _send(client, **fields):
    team_id = fields.pop("team_id", None) or db.session.scalar(select(Team.id).where(Team.is_default.is_(True)))
    data = {"subject": "Odstávka", "body": "V sobotu bude odstávka.", "audience": "customer", "customer_number": "",
            "segment": "household", "numbers": "", "team": str(team_id), **fields}
    response = client.post_form("/admin/message-desk/new", data)
    return response


@pytest.fixture
def clerk(client):
    team = Team(name="Podpora zpráv", is_default=True)
    db.session.add(team)
    staff = make_staff("clerk", email="clerk.msg@example.com")
    team.members = [staff]
    db.session.commit()
    client.staff_sign_in("clerk.msg@example.com", PASSWORD)
    return staff, team


def _recipient(customer):
    return db.session.scalars(select(MessageRecipient).where(MessageRecipient.customer_id == customer.id)).one()


def _events(recipient, kind):
    return db.session.scalars(select(MessageEvent).where(MessageEvent.recipient_id == recipient.id,
                                                         MessageEvent.kind == kind)).all()


def test_listing_marks_delivered_opening_marks_read_once_and_staff_views_do_not(clerk, client):
    _, team = clerk
    user = make_portal_user(email="prijemce@example.com")
    response = _send(client, customer_number=user.customer.number, team_id=team.id,
                     attachment=(io.BytesIO(PDF), "odstavka.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    message = db.session.scalars(select(Message)).one()
    recipient = _recipient(user.customer)
    assert recipient.delivered_at is None and recipient.read_at is None
    notice = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.topic_id == recipient.id)).one()
    # To the customer's user who reads messages (the contact e-mail only when there is none).
    assert notice.recipient == user.email and notice.state == EmailState.QUEUED
    assert "Odstávka" in notice.subject and "odstavka.pdf" not in notice.body_text  # a notice, not the document

    report = f"/admin/message-desk/{message.id}"
    assert user.customer.number in client.get(report).get_data(as_text=True)
    assert client.get(f"{report}/recipients/{recipient.id}/delivery-note.pdf").status_code == 200
    db.session.expire_all()
    assert _recipient(user.customer).delivered_at is None  # staff looking records nothing

    client.post_form("/admin/sign-out", page="/admin/")
    client.sign_in(user.email, PASSWORD)
    assert "Odstávka" in client.get("/messages/").get_data(as_text=True)
    db.session.expire_all()
    first = _recipient(user.customer).delivered_at
    assert first is not None and _recipient(user.customer).delivered_via == "portal"
    assert _recipient(user.customer).read_at is None
    client.get("/messages/")
    db.session.expire_all()
    assert _recipient(user.customer).delivered_at == first and len(_events(recipient, "delivered")) == 1

    page = client.get(f"/messages/{recipient.id}").get_data(as_text=True)
    assert "V sobotu bude odstávka." in page and "odstavka.pdf" in page
    client.get(f"/messages/{recipient.id}")
    db.session.expire_all()
    assert _recipient(user.customer).read_at is not None and len(_events(recipient, "read")) == 1
    download = client.get(f"/messages/{recipient.id}/attachment")
    assert download.data == PDF and download.headers["X-Content-Type-Options"] == "nosniff"
    assert messages.verify(_recipient(user.customer)).intact


def test_a_notice_accepted_by_the_mail_server_marks_delivered(mail_app, smtp_server):
    customer = make_customer(email="postou@example.com")
    message = Message(subject="Nový ceník", body="Platí od ledna.", audience="customer")
    with mail_app.test_request_context():
        messages.send(message, [customer.id])
        db.session.commit()
        assert outbox.send_due() == (1, 0)
    recipient = _recipient(customer)
    assert recipient.delivered_via == "email" and recipient.delivered_at is not None
    assert smtp_server.messages[0]["To"] == "postou@example.com"
    assert len(_events(recipient, "delivered")) == 1


def test_the_delivery_records_are_tamper_evident(clerk, client):
    user = make_portal_user(email="spor@example.com")
    _send(client, customer_number=user.customer.number, subject="Výpověď", body="Potvrzujeme výpověď.")
    recipient = _recipient(user.customer)
    messages.record_read(recipient)
    db.session.commit()
    assert messages.verify(recipient).intact
    url = f"/admin/message-desk/{recipient.message_id}/recipients/{recipient.id}/delivery-note.pdf"
    note = PdfReader(io.BytesIO(client.get(url).data)).pages[0].extract_text()
    assert "Výpověď" in note and user.customer.number in note and "neporušený" in note
    with pytest.raises(ValueError):
        event = _events(recipient, "read")[0]
        event.via = "email"
        db.session.flush()
    db.session.rollback()
    # Someone edits the table behind the application's back: the chain shows it.
    db.session.execute(text("UPDATE message_events SET at = :at WHERE kind = 'read'"), {"at": "2020-01-01 00:00:00.000000"})
    db.session.commit()
    assert not messages.verify(recipient).intact
    note = PdfReader(io.BytesIO(client.get(url).data)).pages[0].extract_text()
    assert "PORUŠENÝ" in note


def test_a_segment_message_reaches_exactly_that_segment(clerk, client):
    vip = [make_customer(segment="vip") for _ in range(3)]
    households = [make_customer() for _ in range(2)]
    assert _send(client, audience="segment", segment="vip").status_code == 302
    reached = set(db.session.scalars(select(MessageRecipient.customer_id)))
    assert reached == {c.id for c in vip} and not reached & {c.id for c in households}


def test_unknown_customer_numbers_are_named_and_nothing_is_sent(clerk, client):
    known = make_customer()
    page = _send(client, audience="list", numbers=f"{known.number}\n7777777, abc").get_data(as_text=True)
    assert "abc" in page and "not customer numbers" in page
    page = _send(client, audience="list", numbers=f"{known.number}\n7777777").get_data(as_text=True)
    assert "7777777" in page and "No customer has these numbers" in page
    assert db.session.scalar(select(db.func.count(Message.id))) == 0
    assert db.session.scalar(select(db.func.count(OutgoingEmail.id))) == 0


def test_five_thousand_recipients_in_one_request_without_sending_inside_it(clerk, client, app):
    db.session.execute(insert(Customer), [
        {"number": f"{8000000 + i}", "name": f"Zákazník {i}", "email": f"z{i}@example.com", "street": "Dlouhá 1",
         "city": "Praha", "postcode": "11000"} for i in range(5000)])
    db.session.commit()
    numbers = "\n".join(f"{8000000 + i}" for i in range(5000))
    with count_queries(app) as statements:
        response = _send(client, audience="list", numbers=numbers, subject="Změna podmínek")
    assert response.status_code == 302
    assert db.session.scalar(select(db.func.count(MessageRecipient.id))) == 5000
    states = db.session.execute(select(OutgoingEmail.state, db.func.count()).group_by(OutgoingEmail.state)).all()
    assert dict(states) == {EmailState.QUEUED: 5000}  # MAIL_SERVER is not set in tests: queued, not sent
    assert len(statements) < 40, f"{len(statements)} statements for 5,000 recipients"


def test_the_unread_count_is_in_the_navigation(clerk, client):
    user = make_portal_user(email="badge@example.com")
    for subject in ("První", "Druhá"):
        _send(client, customer_number=user.customer.number, subject=subject)
    client.post_form("/admin/sign-out", page="/admin/")
    client.sign_in(user.email, PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert 'data-badge="messages">2<' in page
    client.get(f"/messages/{_recipients_of(user)[0].id}")
    assert 'data-badge="messages">1<' in client.get("/").get_data(as_text=True)


def _recipients_of(user):
    return db.session.scalars(select(MessageRecipient).where(MessageRecipient.customer_id == user.customer_id)
                              .order_by(MessageRecipient.id)).all()


def test_a_reply_reaches_the_authors_team_as_a_task(clerk, client):
    _, team = clerk
    other_team = Team(name="Obchod")
    db.session.add(other_team)
    db.session.commit()
    user = make_portal_user(email="odpoved@example.com")
    _send(client, customer_number=user.customer.number, team_id=other_team.id, subject="Nabídka fixace")
    client.post_form("/admin/sign-out", page="/admin/")
    client.sign_in(user.email, PASSWORD)
    recipient = _recipients_of(user)[0]
    response = client.post_form(f"/messages/{recipient.id}/reply", {"body": "Mám zájem."}, page=f"/messages/{recipient.id}")
    assert response.status_code == 302
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.subject == "Re: Nabídka fixace" and ticket.team_id == other_team.id
    assert db.session.scalars(select(Task).where(Task.topic_id == ticket.id)).one().team_id == other_team.id


def test_another_customers_message_answers_404(clerk, client):
    owner = make_portal_user(email="vlastnik.msg@example.com")
    other = make_portal_user(email="cizi.msg@example.com")
    _send(client, customer_number=owner.customer.number, attachment=(io.BytesIO(PDF), "a.pdf"))
    client.post_form("/admin/sign-out", page="/admin/")
    recipient = _recipients_of(owner)[0]
    from helpers import assert_only_owner_sees

    for url in (f"/messages/{recipient.id}", f"/messages/{recipient.id}/attachment"):
        assert_only_owner_sees(client, url, owner, other, PASSWORD)
    db.session.expire_all()
    client.sign_in(other.email, PASSWORD)
    assert client.post_form(f"/messages/{recipient.id}/reply", {"body": "x"}, page="/messages/").status_code == 404
