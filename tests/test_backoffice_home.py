"""The back office's home page ("what waits for me", per role) and the customer overview with the
balance, the open items and the timeline of everything about the customer, through the real
back office."""
from __future__ import annotations

import html
import itertools
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff, make_supply_point
from helpers import count_queries
from models.audit import AuditEntry
from models.banking import UnmatchedBankTransaction
from models.base import utcnow
from models.billing import Advance, AdvanceSchedule, Invoice, Payment
from models.changes import ChangeRequest
from models.messaging import Message, MessageRecipient
from models.metering import Meter, MeterReading, Register
from models.sessions import SignInSession
from models.tickets import Task, Ticket
from models.users import Team
from services.i18n import money

EN = {"Accept-Language": "en"}
TODAY = date.today()
_serial = itertools.count(1)


def _get(client, url):
    response = client.get(url, headers=EN)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _cards(page: str) -> dict[str, tuple[int | None, str]]:
    """The home page's cards: label -> (count, link)."""
    block = page.split('id="work-queues"', 1)[1].split('id="my-tasks"', 1)[0]
    cards = {}
    for value, url, label in re.findall(
            r'(?:<div class="h4 mb-0">(\d+)</div>\s*)?<a href="([^"]+)">([^<]+)</a>', block):
        cards[html.unescape(label)] = (int(value) if value else None, html.unescape(url))
    return cards


def _en_money(app, value: str) -> str:
    with app.test_request_context(headers=EN):
        return money(Decimal(value))


def _invoice(customer, number: str, total: str, *, issued_days_ago=30, due_days_ago=10, paid="0",
             state="unpaid") -> Invoice:
    issued = TODAY - timedelta(days=issued_days_ago)
    invoice = Invoice(number=number, kind="settlement", customer_id=customer.id, issued_on=issued,
                      taxable_supply_on=issued, due_on=TODAY - timedelta(days=due_days_ago),
                      variable_symbol=number[-10:], bank_account="2001234588/2010", iban="CZ6220100000002001234588",
                      total_without_vat=Decimal(total), total_vat=Decimal(0), total=Decimal(total),
                      amount_paid=Decimal(paid), state=state)
    db.session.add(invoice)
    return invoice


def _reading(point, state, days_ago):
    meter = Meter(supply_point=point, serial_number=f"EM{next(_serial)}", installed_on=TODAY - timedelta(days=900))
    register = Register(meter=meter, code="T", unit="kWh")
    db.session.add_all([meter, register])
    db.session.add(MeterReading(register=register, supply_point_id=point.id, read_on=TODAY - timedelta(days=days_ago),
                                value=1000 + days_ago, kind="self", state=state))


def _queue_item(reference, state="open", **fields):
    if state != "open":
        fields.update(resolved_at=utcnow(), return_reason="Neznámý plátce")
    return UnmatchedBankTransaction(reference=reference, received_on=TODAY, amount=Decimal("545.89"),
                                    variable_symbol="1234", state=state, **fields)


def _history(customer, user, n: int, tag: str) -> None:
    """n records of every kind of the timeline for the customer."""
    now = utcnow()
    for i in range(n):
        at = now - timedelta(hours=i + 1)
        db.session.add(ChangeRequest(customer_id=customer.id, kind="phone", state="approved", submitted_at=at))
        db.session.add(Ticket(kind="request", customer_id=customer.id, subject=f"{tag} požadavek {i}", text="Text",
                              state="closed", created_at=at))
        message = Message(subject=f"{tag} zpráva {i}", body="Text", sent_at=at)
        db.session.add(MessageRecipient(message=message, customer_id=customer.id, delivered_at=at))
        db.session.add(SignInSession(token_hash=f"{tag}{i:060d}"[:64], portal_user_id=user.id, started_at=at,
                                     last_seen_at=at, ip_address="192.0.2.10"))
        db.session.add(Payment(customer_id=customer.id, received_on=TODAY - timedelta(days=i), amount=Decimal("100"),
                               variable_symbol=f"{i:04d}", reference=f"{tag}-PAY-{i}"))
        _invoice(customer, f"FA{tag}{i:04d}", "100", issued_days_ago=i, due_days_ago=-14, paid="100", state="paid")
        db.session.add(AuditEntry(action="customer_changed", actor_kind="staff", actor="clerk@example.com",
                                  customer_id=customer.id, at=at))
    db.session.commit()


@pytest.fixture
def office(app):
    """Work in every queue, some of it done; two customers' records."""
    clerk = make_staff("clerk", email="clerk@example.com", name="Klára Úřednice")
    billing = make_staff("billing", email="billing@example.com", name="Bohdan Účetní")
    other_clerk = make_staff("clerk", email="other@example.com", name="Ota Jiný")
    team = Team(name="Zákaznická linka", members=[clerk])
    other_team = Team(name="Technici", members=[other_clerk])
    db.session.add_all([team, other_team])
    ours, theirs = make_customer(name="Marie Naše"), make_customer(name="Petr Cizí")
    point = make_supply_point(ours)
    for state in ("submitted", "submitted", "in_review", "approved", "rejected"):
        db.session.add(ChangeRequest(customer_id=ours.id, kind="phone", state=state))
    db.session.add(ChangeRequest(customer_id=theirs.id, kind="email", state="submitted"))
    for state, days in (("submitted", 3), ("submitted", 2), ("accepted", 1)):
        _reading(point, state, days)
    now = utcnow()
    db.session.add_all([
        Task(title="Zavolat paní Naší", topic="ticket", topic_id=1, assignee=clerk, due_at=now - timedelta(hours=2)),
        Task(title="Odpovědět na dotaz", topic="ticket", topic_id=2, assignee=clerk, due_at=now + timedelta(hours=5)),
        Task(title="Hotový úkol", topic="ticket", topic_id=3, assignee=clerk, due_at=now - timedelta(days=2),
             state="done", done_at=now - timedelta(days=1)),
        Task(title="Úkol linky", topic="change_request", topic_id=1, team=team, due_at=now + timedelta(hours=1)),
        Task(title="Cizí úkol", topic="ticket", topic_id=4, assignee=other_clerk, team=other_team,
             due_at=now - timedelta(days=3)),
    ])
    db.session.add_all([_queue_item("BANK-1"), _queue_item("BANK-2"), _queue_item("BANK-3", state="returned")])
    db.session.commit()
    return {"clerk": clerk, "billing": billing, "ours": ours, "theirs": theirs, "team": team}


def test_a_clerk_sees_what_waits_for_them_with_counts_and_links(office, client):
    client.staff_sign_in("clerk@example.com", PASSWORD)
    page = _get(client, "/admin/")
    cards = _cards(page)
    assert cards["Change requests to review"] == (4, "/admin/change-queue/")
    assert cards["Readings to check"] == (2, "/admin/reading-review/")
    assert cards["My tasks"] == (2, "/admin/desk/")
    assert cards["My team's tasks"] == (1, "/admin/desk/team")
    assert cards["Find a customer"] == (None, "/admin/customers/")
    # Billing's queue, a supervisor's breaches and the administrator's figures are not a clerk's work.
    assert "Payments to decide" not in cards and "Service-level breaches" not in cards
    assert "E-mails waiting to be sent" not in cards and "Customers" not in cards
    assert "1 overdue" in page
    # My tasks and my team's, soonest due first, the overdue one marked; nobody else's, nothing done.
    tasks = page.split('id="my-tasks"', 1)[1]
    assert tasks.index("Zavolat paní Naší") < tasks.index("Úkol linky") < tasks.index("Odpovědět na dotaz")
    overdue_row = tasks.split("Zavolat paní Naší")[0].rsplit("<tr", 1)[1]
    assert "table-danger" in overdue_row and "overdue" in overdue_row
    assert "table-danger" not in tasks.split("Úkol linky")[0].rsplit("<tr", 1)[1]
    assert "Cizí úkol" not in page and "Hotový úkol" not in page
    # Each link opens its queue.
    assert _get(client, "/admin/change-queue/").count("/admin/change-queue/") >= 4
    assert "Zavolat paní Naší" in _get(client, "/admin/desk/")


def test_a_supervisor_also_sees_the_breaches(office, client):
    office["clerk"].is_supervisor = True
    db.session.commit()
    client.staff_sign_in("clerk@example.com", PASSWORD)
    cards = _cards(_get(client, "/admin/"))
    assert cards["Service-level breaches"] == (2, "/admin/desk/breaches")  # open and past due, anyone's


def test_billing_sees_the_payments_to_decide_and_the_link_opens_only_those(office, client):
    client.staff_sign_in("billing@example.com", PASSWORD)
    cards = _cards(_get(client, "/admin/"))
    value, url = cards["Payments to decide"]
    assert value == 2 and url.startswith("/admin/unmatched-bank-transactions/?flt0_")
    assert "Change requests to review" not in cards and "Readings to check" not in cards
    assert cards["My tasks"] == (0, "/admin/desk/")
    assert _get(client, url).count("545.89") == 2  # the returned one is not waiting
    assert _get(client, "/admin/unmatched-bank-transactions/").count("545.89") == 3


def test_the_home_page_counts_no_customers(office, client, app):
    client.staff_sign_in("clerk@example.com", PASSWORD)
    with count_queries(app) as statements:
        _get(client, "/admin/")
    assert not [s for s in statements if "count(" in s.lower() and "from customers" in s.lower()]


def test_the_overview_shows_the_balance_the_open_items_and_never_another_customers(office, client, app):
    ours, theirs = office["ours"], office["theirs"]
    user = make_portal_user(ours, email="marie@example.com")
    _invoice(ours, "FA2026000001", "1000.00")  # overdue, unpaid
    _invoice(ours, "FA2026000002", "500.00", paid="500.00", state="paid")
    db.session.add(Payment(customer_id=ours.id, received_on=TODAY - timedelta(days=5), amount=Decimal("500.00"),
                           variable_symbol="2026000002", reference="PAY-OURS"))
    schedule = AdvanceSchedule(customer_id=ours.id, valid_from=TODAY - timedelta(days=40), amount=Decimal("300"),
                               frequency_months=1, variable_symbol="5590000001")
    schedule.advances.append(Advance(customer_id=ours.id, due_on=TODAY - timedelta(days=1), amount=Decimal("300.00"),
                                     variable_symbol="5590000001"))
    db.session.add(schedule)
    _invoice(theirs, "FA2026000099", "777.00")
    db.session.add(Ticket(kind="request", customer_id=theirs.id, subject="Cizí požadavek", text="Text"))
    db.session.add(Payment(customer_id=theirs.id, received_on=TODAY, amount=Decimal("777.00"), reference="PAY-THEIRS"))
    db.session.add(MessageRecipient(message=Message(subject="Cizí zpráva", body="x", sent_at=utcnow()),
                                    customer_id=theirs.id))
    db.session.add(Ticket(kind="request", customer_id=ours.id, subject="Náš požadavek", text="Text"))
    db.session.commit()
    assert client.sign_in("marie@example.com", PASSWORD).status_code == 302  # a sign-in for the timeline
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    page = _get(client, f"/admin/customer-overview/{ours.id}")
    balance = re.search(r'<strong id="balance">([^<]+)</strong>', page).group(1)
    assert html.unescape(balance) == _en_money(app, "1300.00")  # 1000 + 500 + 300 invoiced, 500 paid
    items = page.split('id="open-items"', 1)[1].split("</table>", 1)[0]
    assert "FA2026000001" in items and "5590000001" in items and "FA2026000002" not in items
    assert html.unescape(items).count("overdue") == 2
    timeline = page.split('id="timeline"', 1)[1]
    for expected in ("FA2026000001", "FA2026000002", "Náš požadavek", "marie@example.com",
                     _en_money(app, "500.00")):
        assert expected in html.unescape(timeline), expected
    for foreign in ("FA2026000099", "Cizí požadavek", "Cizí zpráva", _en_money(app, "777.00")):
        assert foreign not in html.unescape(page), foreign
    assert user.id  # the customer's portal user is listed
    assert "marie@example.com" in page.split('id="account"', 1)[0]


def test_the_timeline_is_filtered_by_kind_and_paged_in_the_database(office, client):
    ours, theirs = office["ours"], office["theirs"]
    user = make_portal_user(ours, email="marie@example.com")
    _history(ours, user, 20, "N")
    _history(theirs, make_portal_user(theirs, email="petr@example.com"), 3, "C")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    url = f"/admin/customer-overview/{ours.id}"

    invoices = _get(client, f"{url}?kind=invoice")
    rows = re.findall(r'<tr class="timeline-(\w+)"', invoices)
    assert rows == ["invoice"] * 20
    assert "FAN0000" in invoices and "FAC0000" not in invoices
    assert 'value="invoice" id="kind-invoice" checked' in invoices
    assert 'value="ticket" id="kind-ticket">' in invoices

    two = _get(client, f"{url}?kind=ticket&kind=message")
    assert set(re.findall(r'<tr class="timeline-(\w+)"', two)) == {"ticket", "message"}
    assert "C požadavek" not in two and "C zpráva" not in two

    # Everything: 20 of each of the 7 kinds (and the changes of the fixture) over pages of 25.
    first = _get(client, url)
    assert len(re.findall(r'<tr class="timeline-', first)) == 25
    assert 'rel="next"' in first and 'rel="prev"' not in first
    seen = []
    page_no, page = 1, first
    while True:
        seen += re.findall(r'<tr class="timeline-(\w+)">(.*?)</tr>', page, re.S)
        if 'rel="next"' not in page:
            break
        page_no += 1
        page = _get(client, f"{url}?page={page_no}")
        assert 'rel="prev"' in page
    assert len(seen) == 20 * 7 + 5 and len(set(seen)) == len(seen)
    assert "C požadavek" not in str(seen) and "FAC0" not in str(seen)
    # Paging keeps the filter.
    paged = _get(client, f"{url}?kind=audit&kind=sign_in")
    assert re.search(r'href="[^"]*page=2[^"]*"', paged)
    next_url = html.unescape(re.search(r'rel="next" href="([^"]+)"', paged).group(1))
    assert "kind=audit" in next_url and "kind=sign_in" in next_url
    assert set(re.findall(r'<tr class="timeline-(\w+)"', _get(client, next_url))) <= {"audit", "sign_in"}


def test_junk_in_the_timeline_url_never_breaks_the_page(office, client):
    client.staff_sign_in("clerk@example.com", PASSWORD)
    url = f"/admin/customer-overview/{office['ours'].id}"
    for query in ("?page=abc", "?page=-5", "?page=99999999999999999999", "?kind=bogus", "?kind=&page=0",
                  "?kind=invoice&kind=invoice&page=1.5"):
        assert client.get(url + query, headers=EN).status_code == 200, query
    assert client.get(url + "?kind=%00", headers=EN).status_code == 400  # the application's guard against NUL


def test_the_overview_asks_as_many_queries_for_5_as_for_50_entries_of_each_kind(office, client, app):
    small, large = office["ours"], office["theirs"]
    _history(small, make_portal_user(small, email="small@example.com"), 5, "S")
    _history(large, make_portal_user(large, email="large@example.com"), 50, "L")
    client.staff_sign_in("clerk@example.com", PASSWORD)

    def queries(url):
        _get(client, url)  # warm up
        with count_queries(app) as statements:
            _get(client, url)
        return len(statements)

    for query in ("", "?kind=invoice&kind=audit", "?kind=ticket"):
        assert queries(f"/admin/customer-overview/{small.id}{query}") == \
            queries(f"/admin/customer-overview/{large.id}{query}"), query
    # Deeper pages cost the same as the first.
    for kinds in ("kind=audit", "kind=sign_in&kind=message"):
        assert queries(f"/admin/customer-overview/{large.id}?{kinds}") == \
            queries(f"/admin/customer-overview/{large.id}?{kinds}&page=2"), kinds


def test_the_timelines_sign_ins_are_the_customers_users_only(office, client):
    ours, theirs = office["ours"], office["theirs"]
    make_portal_user(ours, email="marie@example.com")
    make_portal_user(theirs, email="petr@example.com")
    for email in ("marie@example.com", "petr@example.com"):
        client.sign_in(email, PASSWORD)
        client.post_form("/sign-out", page="/")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    page = _get(client, f"/admin/customer-overview/{ours.id}?kind=sign_in")
    rows = page.split('id="timeline"', 1)[1]
    assert "marie@example.com" in rows and "petr@example.com" not in rows
    sessions = db.session.scalars(select(SignInSession)).all()
    assert len(sessions) >= 2


def test_an_administrator_sees_every_queue_and_the_demo_customers_whole_timeline(app, client):
    from models.customers import Customer
    from services.demo_data import load_demo_data

    load_demo_data()
    client.staff_sign_in("admin@example.com", "Demo-Back-Office-2026")
    cards = _cards(_get(client, "/admin/"))
    for label in ("Change requests to review", "Readings to check", "My tasks", "Service-level breaches",
                  "Payments to decide", "Portal users waiting for first credentials", "E-mails waiting to be sent"):
        assert label in cards, label
    for _value, url in cards.values():
        assert client.get(url, headers=EN).status_code == 200, url
    jana = db.session.scalars(select(Customer).where(Customer.number == "1000001")).one()
    page = _get(client, f"/admin/customer-overview/{jana.id}")
    assert 'id="balance"' in page and "Jana Nováková" in page
    for kind in ("change", "ticket", "message", "sign_in", "payment", "invoice", "audit"):
        assert client.get(f"/admin/customer-overview/{jana.id}?kind={kind}", headers=EN).status_code == 200, kind
