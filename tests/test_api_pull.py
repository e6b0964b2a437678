"""Pulling what customers submit with a cursor: each topic serves what the portal collected,
every change comes exactly once across pages and while new changes arrive, and a change that
commits later never hides behind a higher number that committed first."""
import threading
import time
from datetime import date

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff, make_supply_point
from helpers import ApiCaller, PortalClient, api_token
from models.api import ApiChange
from models.messaging import Message, MessageRecipient
from models.metering import Meter, Register
from models.tickets import Ticket
from services import changes
from services.accounts import invitations
from services.api import clients, feed
from services.messaging import messages
from services.metering import readings
from services.tickets import workflow


@pytest.fixture
def world(app):
    customer = make_customer(number="7200001", segment="vip")
    user = make_portal_user(customer, email="owner.pull@example.com")
    point = make_supply_point(customer, self_readings_allowed=True)
    meter = Meter(supply_point=point, serial_number="EM-7200001", installed_on=date(2025, 1, 1))
    meter.registers = [Register(code="T", unit="kWh")]
    db.session.add(meter)
    db.session.commit()
    return {"customer": customer, "user": user, "point": point, "meter": meter,
            "staff": make_staff("clerk", email="clerk.pull@example.com"),
            "token": api_token(*clients.known_scopes())}


def _ticket(world, subject="Elektroměr nesvítí") -> Ticket:
    ticket = Ticket(kind="service", customer_id=world["customer"].id, supply_point_id=world["point"].id,
                    priority="normal", subject=subject, text="Displej je zhasnutý.")
    workflow.submit(ticket, world["user"])
    db.session.commit()
    return ticket


def _pull(app, token, topic, after=0, limit=100):
    response = ApiCaller(app).get(f"/api/v1/{topic}?after={after}&limit={limit}", token)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _pull_all(app, token, topic, after=0, limit=100):
    """Follow next_cursor until has_more is false; every change of the walk."""
    seen = []
    while True:
        page = _pull(app, token, topic, after, limit)
        seen += page["changes"]
        after = page["next_cursor"]
        if not page["has_more"]:
            return seen, after


def test_each_topic_serves_what_the_portal_collected(app, world):
    token = world["token"]
    ticket = _ticket(world)
    workflow.staff_reply(ticket, world["staff"], "Technik přijede zítra.")
    db.session.commit()
    workflow.internal_note(ticket, world["staff"], "Interní: zkontrolovat plombu.")
    workflow.change_state(ticket, "resolved", staff=world["staff"])
    db.session.commit()
    register = world["meter"].registers[0]
    checks = readings.check(world["meter"], date.today(), {register.id: 1234})
    readings.record(world["point"], checks, date.today(), "periodic", None, world["user"])
    change = changes.submit(world["customer"], world["user"], "phone", {"phone": "+420 601 123 456"}, None)
    db.session.commit()
    rejected = changes.submit(world["customer"], world["user"], "address", {"city": "Brno"}, None)
    db.session.commit()
    changes.approve(change, world["staff"], change.version_id)
    changes.reject(rejected, world["staff"], rejected.version_id, "Nesouhlasí.")
    message = Message(subject="Odstávka", body="V sobotu nepoteče proud.", audience="customer")
    messages.send(message, [world["customer"].id])
    db.session.commit()
    recipient = db.session.scalars(select(MessageRecipient).where(MessageRecipient.message_id == message.id)).one()
    messages.record_read(recipient)
    invitations.add_access(world["customer"].id, "colleague.pull@example.com", "Kolega")
    db.session.commit()

    tickets = _pull(app, token, "tickets")["changes"]
    assert len(tickets) == 3  # filed, answered, resolved: one change per transaction, each the ticket as it is now
    served = tickets[-1]["record"]
    assert served["reference"] == ticket.reference and served["state"] == "resolved"
    assert served["customer_number"] == "7200001" and served["supply_point"] == world["point"].identifier
    bodies = [e["body"] for e in served["entries"] if e["kind"] == "reply"]
    assert bodies == ["Technik přijede zítra."]
    assert "Interní" not in str(served)  # internal notes stay inside
    assert [e["to_state"] for e in served["entries"] if e["kind"] == "event"][-1] == "resolved"

    reading = _pull(app, token, "self-readings")["changes"]
    assert [(c["record"]["value"], c["record"]["state"], c["record"]["submitted_by"], c["record"]["meter"])
            for c in reading] == [(1234, "accepted", "owner.pull@example.com", "EM-7200001")]

    approved = _pull(app, token, "change-requests")["changes"]
    assert [c["id"] for c in approved] == [change.id]  # the rejected one is not served
    assert approved[0]["record"]["fields"] == [{"field": "phone", "old_value": None, "new_value": "+420 601 123 456"}]

    receipts = _pull(app, token, "message-receipts")["changes"]
    assert [(c["record"]["kind"], c["record"]["via"], c["record"]["subject"]) for c in receipts] == [
        ("delivered", "portal", "Odstávka"), ("read", "portal", "Odstávka")]
    assert receipts[1]["record"]["previous_hash"] == receipts[0]["record"]["record_hash"]
    assert recipient.read_at is not None

    users = _pull(app, token, "portal-users")["changes"]
    assert [(c["record"]["email"], c["record"]["state"]) for c in users] == [("colleague.pull@example.com", "invited")]


def test_a_user_disabled_in_the_portal_is_pulled_again(app, world):
    colleague = make_portal_user(world["customer"], email="leaving.pull@example.com", admin=False)
    browser = PortalClient(app)
    browser.sign_in(world["user"].email, PASSWORD)
    response = browser.post_form(f"/account/users/{colleague.id}/disable", page=f"/account/users/{colleague.id}")
    assert response.status_code == 302
    users = _pull(app, world["token"], "portal-users")["changes"]
    assert [(c["id"], c["record"]["state"]) for c in users] == [(colleague.id, "disabled")]


def test_pages_give_each_change_once_while_new_changes_arrive(app, world):
    token = world["token"]
    first = [_ticket(world, f"Porucha {n}") for n in range(5)]
    page = _pull(app, token, "tickets", limit=2)
    assert [c["id"] for c in page["changes"]] == [first[0].id, first[1].id] and page["has_more"]
    collected = list(page["changes"])
    cursor = page["next_cursor"]
    # New changes arrive between the pages: two new tickets, and an answer in one already served.
    later = [_ticket(world, f"Nová porucha {n}") for n in range(2)]
    workflow.staff_reply(first[0], world["staff"], "Rozumíme.")
    db.session.commit()
    rest, cursor = _pull_all(app, token, "tickets", cursor, limit=2)
    collected += rest
    numbers = [c["change"] for c in collected]
    assert numbers == sorted(set(numbers))  # each change once, in order
    stored = list(db.session.scalars(select(ApiChange.number).where(ApiChange.topic == "tickets").order_by(ApiChange.number)))
    assert numbers == stored
    assert [c["id"] for c in collected] == [t.id for t in first] + [t.id for t in later] + [first[0].id]
    assert [e["body"] for e in collected[-1]["record"]["entries"] if e["kind"] == "reply"] == ["Rozumíme."]
    idle = _pull(app, token, "tickets", cursor)
    assert idle == {"topic": "tickets", "changes": [], "next_cursor": cursor, "has_more": False}


def test_a_rolled_back_change_leaves_no_entry_and_numbers_stay_contiguous(app, world):
    _ticket(world)
    feed.changed(feed.TICKETS, world["customer"].id)
    db.session.rollback()
    _ticket(world)
    assert list(db.session.scalars(select(ApiChange.number).order_by(ApiChange.number))) == [1, 2]


def test_a_bad_cursor_is_400_naming_the_parameter(app, world):
    api = ApiCaller(app)
    for query, name in (("after=-1", "after"), ("after=x", "after"), ("after=99999999999999999999", "after"),
                        ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=1.5", "limit")):
        response = api.get(f"/api/v1/tickets?{query}", world["token"])
        assert response.status_code == 400 and response.mimetype == "application/problem+json", query
        assert [e["field"] for e in response.get_json()["errors"]] == [name]


def test_a_change_committing_later_never_hides_behind_a_higher_number(app, world, monkeypatch):
    """The classic gap: transaction A takes a number, B takes the next and commits first; a
    client that pulled B's change (its cursor past A's number) would never see A's. Here A's
    numbering holds the counter row until A commits, so B waits, and nothing is visible out of
    order. (SQLite serialises writers anyway; on PostgreSQL the counter row's lock does it.)"""
    token = world["token"]
    a_ticket, b_ticket = _ticket(world, "A"), _ticket(world, "B")
    before = _pull(app, token, "tickets")["next_cursor"]
    allocate = feed._allocate
    numbered, release = threading.Event(), threading.Event()

    def held(session, count):
        last = allocate(session, count)
        if threading.current_thread().name == "A":
            numbered.set()
            release.wait(10)
        return last

    monkeypatch.setattr(feed, "_allocate", held)
    finished = []

    def change(ticket_id):
        with app.app_context():
            feed.changed(feed.TICKETS, ticket_id)
            db.session.commit()
            finished.append(threading.current_thread().name)

    a = threading.Thread(target=change, args=(a_ticket.id,), name="A")
    b = threading.Thread(target=change, args=(b_ticket.id,), name="B")
    a.start()
    assert numbered.wait(10)
    b.start()
    time.sleep(0.5)
    # A client pulls now, and again once both committed, following its cursor. (The first pull
    # reads the feed in a session of its own: through the API it would also write its audit
    # entry, which on SQLite waits for A's lock as B does.)
    with app.app_context():
        now = feed.read(feed.TICKETS, before, 100)
    got = [entry.record_id for entry in now.entries]
    assert got == [], "a change became visible while a lower number was still uncommitted"
    assert b.is_alive() and finished == []  # B waits for A's commit
    release.set()
    a.join(10)
    b.join(10)
    assert finished == ["A", "B"]
    changes_after = _pull(app, token, "tickets", now.next_cursor)["changes"]
    assert got + [c["id"] for c in changes_after] == [a_ticket.id, b_ticket.id]
    assert [c["change"] for c in changes_after] == [before + 1, before + 2]


def test_concurrent_writers_and_a_reader_see_every_change_exactly_once(app, world):
    """Four threads each file tickets while a client pulls with its cursor the whole time."""
    token = world["token"]
    stop = threading.Event()
    seen: list[int] = []

    customer_id, user = world["customer"].id, world["user"]
    user_class, user_id = type(user), user.id

    def writer(n):
        with app.app_context():
            author = db.session.get(user_class, user_id)
            for i in range(5):
                ticket = Ticket(kind="request", customer_id=customer_id, priority="normal", subject=f"{n}-{i}", text="x")
                workflow.submit(ticket, author)
                db.session.commit()

    def reader():
        cursor = 0
        while not stop.is_set():
            page = _pull(app, token, "tickets", cursor, limit=3)
            seen.extend(c["change"] for c in page["changes"])
            cursor = page["next_cursor"]
        while True:
            page = _pull(app, token, "tickets", cursor, limit=3)
            seen.extend(c["change"] for c in page["changes"])
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    pulling = threading.Thread(target=reader)
    pulling.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(60)
    stop.set()
    pulling.join(60)
    stored = list(db.session.scalars(select(ApiChange.number).where(ApiChange.topic == "tickets").order_by(ApiChange.number)))
    assert len(stored) == 20
    assert seen == stored

