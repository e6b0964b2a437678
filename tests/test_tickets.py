"""Requests and service tickets: routing and delegation, service levels, the state
machine, internal notes kept from the customer, re-opening and the e-mails."""
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff, make_supply_point
from helpers import assert_only_owner_sees
from models.audit import AuditEntry
from models.base import utcnow
from models.outbox import OutgoingEmail
from models.tickets import (
    Priority,
    RequestType,
    RoutingRule,
    ServiceCategory,
    Task,
    TaskState,
    Ticket,
    TicketAttachment,
    TicketState,
)
from models.users import Team
from services.tickets import service_levels, workflow as tickets

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def desk(app):
    """Two teams with people and rules: meter faults to the technicians (critical ones to
    Karel directly), invoice complaints to billing; support is the default team."""
    support = Team(name="Podpora", is_default=True)
    technicians, billing = Team(name="Technici"), Team(name="Fakturace")
    db.session.add_all([support, technicians, billing])
    people = {name: make_staff(role, email=f"{name}@example.com", name=name.capitalize())
              for name, role in (("karel", "technician"), ("tereza", "technician"), ("pavel", "technician"),
                                 ("bara", "billing"), ("sona", "clerk"))}
    technicians.members = [people["karel"], people["tereza"], people["pavel"]]
    billing.members, support.members = [people["bara"]], [people["sona"]]
    fault, check = ServiceCategory(name="Porucha elektroměru"), ServiceCategory(name="Kontrola")
    complaint, question = RequestType(name="Reklamace faktury"), RequestType(name="Dotaz")
    db.session.add_all([fault, check, complaint, question])
    db.session.flush()
    db.session.add_all([
        RoutingRule(ticket_kind="service", service_category=fault, team=technicians),
        RoutingRule(ticket_kind="service", service_category=fault, priority=Priority.CRITICAL, staff_user=people["karel"]),
        RoutingRule(ticket_kind="request", request_type=complaint, team=billing),
    ])
    customer = make_customer(name="Pekárna Testovací", segment="vip")
    user = make_portal_user(customer, email="vedouci@example.com")
    point = make_supply_point(customer)
    db.session.commit()
    return {"people": people, "teams": (support, technicians, billing), "user": user, "point": point,
            "fault": fault, "check": check, "complaint": complaint, "question": question}


def _file_service(client, desk, priority="normal", category=None, files=None, subject="Elektroměr nesvítí"):
    data = {"service_category": str((category or desk["fault"]).id), "supply_point": str(desk["point"].id),
            "priority": priority, "subject": subject, "text": "Displej je od rána zhasnutý."}
    if files:
        data["attachments"] = files
    response = client.post_form("/service/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return db.session.get(Ticket, int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1]))


def _task(ticket):
    return db.session.scalars(select(Task).where(Task.topic_id == ticket.id, Task.topic == "ticket")
                              .order_by(Task.id.desc())).first()


def test_routing_picks_the_rule_team_and_its_least_loaded_present_person(desk, client):
    karel, tereza, pavel = desk["people"]["karel"], desk["people"]["tereza"], desk["people"]["pavel"]
    technicians = desk["teams"][1]
    for person in (karel, karel, tereza):
        db.session.add(Task(title="x", topic="ticket", topic_id=0, team=technicians, assignee=person,
                            due_at=utcnow() + timedelta(days=1)))
    pavel.absent = True  # on holiday: skipped although he has no work
    db.session.commit()
    client.sign_in("vedouci@example.com", PASSWORD)
    ticket = _file_service(client, desk)
    task = _task(ticket)
    assert ticket.team == technicians and task.assignee == tereza and ticket.state == TicketState.ASSIGNED
    mail = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == "tereza@example.com")).one()
    assert mail.subject == f"Nový úkol {ticket.reference}: Elektroměr nesvítí"  # the back office reads Czech


def test_a_critical_fault_goes_to_the_person_the_rule_names(desk, client):
    client.sign_in("vedouci@example.com", PASSWORD)
    ticket = _file_service(client, desk, priority="critical")
    assert _task(ticket).assignee == desk["people"]["karel"]


def test_without_a_rule_the_default_team_gets_it(desk, client):
    client.sign_in("vedouci@example.com", PASSWORD)
    response = client.post_form("/requests/new", {"request_type": str(desk["question"].id), "subject": "Dotaz",
                                                  "text": "Jak dlouho trvá změna tarifu?"})
    ticket = db.session.scalars(select(Ticket)).one()
    assert response.status_code == 302 and ticket.team.name == "Podpora"
    assert _task(ticket).assignee == desk["people"]["sona"]


@pytest.mark.parametrize("priority", ["low", "normal", "high", "critical"])
def test_due_times_follow_the_priority_in_business_hours(desk, client, app, priority):
    client.sign_in("vedouci@example.com", PASSWORD)
    before = utcnow()
    ticket = _file_service(client, desk, priority=priority, category=desk["check"])
    hours = app.config["SERVICE_LEVEL_HOURS"][priority]
    expected = service_levels.add_business_hours(before, hours)
    assert abs(_task(ticket).due_at - expected) < timedelta(minutes=1)


def test_business_hours_skip_nights_weekends_and_czech_holidays():
    friday_afternoon = datetime(2026, 12, 18, 14, 0, tzinfo=UTC)  # 15:00 in Prague
    assert service_levels.add_business_hours(friday_afternoon, 4) == datetime(2026, 12, 21, 10, 0, tzinfo=UTC)
    before_christmas = datetime(2026, 12, 23, 14, 0, tzinfo=UTC)  # 24–26 Dec are holidays, 27th Sunday
    assert service_levels.add_business_hours(before_christmas, 2) == datetime(2026, 12, 28, 8, 0, tzinfo=UTC)
    saturday_night = datetime(2026, 5, 2, 22, 0, tzinfo=UTC)
    assert service_levels.add_business_hours(saturday_night, 8) == datetime(2026, 5, 4, 14, 0, tzinfo=UTC)


def test_the_customer_never_sees_internal_notes_or_their_files(desk, client):
    client.sign_in("vedouci@example.com", PASSWORD)
    ticket = _file_service(client, desk, files=[(io.BytesIO(PNG), "displej.png")])
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("tereza@example.com", PASSWORD)
    url = f"/admin/desk/ticket/{ticket.id}"
    assert client.post_form(url, {"action": "reply", "body": "Tajná poznámka: zákazník dluží.", "internal": "y",
                                  "attachments": [(io.BytesIO(PNG), "interni.png")]}).status_code == 302
    assert client.post_form(url, {"action": "reply", "body": "Přijedeme zítra."}).status_code == 302
    staff_page = client.get(url).get_data(as_text=True)
    assert "Tajná poznámka" in staff_page and "interni.png" in staff_page
    client.post_form("/admin/sign-out", page="/admin/")
    client.sign_in("vedouci@example.com", PASSWORD)
    page = client.get(f"/service/{ticket.id}").get_data(as_text=True)
    assert "Přijedeme zítra." in page and "displej.png" in page
    assert "Tajná poznámka" not in page and "interni.png" not in page and "Tereza" not in page
    internal = db.session.scalars(select(TicketAttachment).where(TicketAttachment.entry_id.is_not(None))).one()
    public = db.session.scalars(select(TicketAttachment).where(TicketAttachment.entry_id.is_(None))).one()
    assert client.get(f"/service/{ticket.id}/attachments/{internal.id}").status_code == 404
    download = client.get(f"/service/{ticket.id}/attachments/{public.id}")
    assert download.status_code == 200 and download.data == PNG and "attachment" in download.headers["Content-Disposition"]
    mails = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == "vedouci@example.com")).all()
    assert not any("Tajná" in m.body_text for m in mails)


def test_the_state_machine_refuses_impossible_transitions(desk, client):
    client.sign_in("vedouci@example.com", PASSWORD)
    ticket = _file_service(client, desk)
    staff = desk["people"]["tereza"]
    with pytest.raises(tickets.ImpossibleTransition):
        tickets.change_state(ticket, TicketState.NEW, staff=staff)
    tickets.change_state(ticket, TicketState.CLOSED, staff=staff)
    for state in (TicketState.IN_PROGRESS, TicketState.RESOLVED, TicketState.ASSIGNED):
        with pytest.raises(tickets.ImpossibleTransition):
            tickets.change_state(ticket, state, staff=staff)
    db.session.commit()
    assert _task(ticket).state == TaskState.DONE


def test_a_question_waits_for_the_customer_whose_answer_resumes_the_work(desk, client):
    client.sign_in("vedouci@example.com", PASSWORD)
    ticket = _file_service(client, desk)
    tickets.staff_reply(ticket, desk["people"]["tereza"], "Jaké je výrobní číslo?", ask=True)
    db.session.commit()
    assert ticket.state == TicketState.WAITING_FOR_CUSTOMER
    page = client.get(f"/service/{ticket.id}").get_data(as_text=True)
    assert "waiting for your answer" in page.lower()
    assert client.post_form(f"/service/{ticket.id}/reply", {"body": "EM123456"}, page=f"/service/{ticket.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == TicketState.IN_PROGRESS
    empty = client.post_form(f"/service/{ticket.id}/reply", {"body": " "}, page=f"/service/{ticket.id}")
    assert empty.status_code == 400 and "Write a message" in empty.get_data(as_text=True)


def test_a_closed_ticket_takes_no_reply_in_the_portal_nor_in_the_back_office(desk, client):
    client.sign_in("vedouci@example.com", PASSWORD)
    ticket = _file_service(client, desk)
    staff = desk["people"]["tereza"]
    tickets.change_state(ticket, TicketState.CLOSED, staff=staff)
    db.session.commit()

    def unchanged():
        found = db.session.get(Ticket, ticket.id)
        return (len(found.entries), found.state, db.session.scalar(select(db.func.count(OutgoingEmail.id))),
                db.session.scalar(select(db.func.count(AuditEntry.id)).where(AuditEntry.action.startswith("ticket_"))))

    before = unchanged()
    url = f"/service/{ticket.id}"
    assert client.post_form(f"{url}/reply", {"body": "Ještě jedna věc"}, page=url).status_code == 302
    assert "This is closed. Please send a new one." in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert unchanged() == before
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("tereza@example.com", PASSWORD)
    desk_url = f"/admin/desk/ticket/{ticket.id}"
    for data in ({"body": "Dobrý den"}, {"body": "Jaké je výrobní číslo?", "ask": "y"}):
        assert client.post_form(desk_url, {"action": "reply", **data}).status_code == 302
        assert "The ticket is closed." in client.get(desk_url).get_data(as_text=True)
        db.session.expire_all()
        assert unchanged() == before
    # The rule is the workflow's: no caller gets a reply past it.
    closed = db.session.get(Ticket, ticket.id)
    assert not tickets.may_reply(closed)
    with pytest.raises(tickets.ClosedTicket):
        tickets.customer_reply(closed, desk["user"], "x")
    with pytest.raises(tickets.ClosedTicket):
        tickets.staff_reply(closed, staff, "x")
    db.session.rollback()
    # An internal note is not a reply: staff may still write one.
    assert client.post_form(desk_url, {"action": "reply", "body": "Uzavřeno po telefonu.", "internal": "y"}).status_code == 302
    db.session.expire_all()
    assert len(db.session.get(Ticket, ticket.id).entries) == before[0] + 1


@pytest.mark.parametrize("days_ago, reopened", [(1, True), (15, False)])
def test_re_opening_within_the_window_only(desk, client, days_ago, reopened):
    client.sign_in("vedouci@example.com", PASSWORD)
    ticket = _file_service(client, desk)
    tickets.change_state(ticket, TicketState.RESOLVED, staff=desk["people"]["tereza"])
    ticket.resolved_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    client.post_form(f"/service/{ticket.id}/reopen", page=f"/service/{ticket.id}")
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.state == TicketState.IN_PROGRESS) is reopened
    assert (_task(ticket).state == TaskState.OPEN) is reopened


def test_every_customer_visible_change_is_emailed_but_internal_notes_are_not(desk, client):
    client.sign_in("vedouci@example.com", PASSWORD)
    ticket = _file_service(client, desk)

    def mails():
        return db.session.scalar(select(db.func.count(OutgoingEmail.id)).where(OutgoingEmail.recipient == "vedouci@example.com"))

    after_submit = mails()
    assert after_submit == 1
    staff = desk["people"]["tereza"]
    tickets.internal_note(ticket, staff, "Jen pro nás")
    assert mails() == 1
    tickets.staff_reply(ticket, staff, "Dobrý den")
    assert mails() == 2
    tickets.change_state(ticket, TicketState.RESOLVED, staff=staff)
    assert mails() == 3
    tickets.reassign(ticket, staff, desk["teams"][0], None)
    assert mails() == 4
    db.session.commit()


def test_bad_attachments_are_refused_with_a_message(desk, client, app):
    client.sign_in("vedouci@example.com", PASSWORD)
    page = client.post_form("/service/new", {
        "service_category": str(desk["fault"].id), "supply_point": str(desk["point"].id), "priority": "normal",
        "subject": "Foto", "text": "x", "attachments": [(io.BytesIO(b"MZ\x90\x00 not a picture"), "foto.png")]})
    assert "Only PDF, PNG or JPEG" in page.get_data(as_text=True)
    too_many = [(io.BytesIO(PNG), f"f{i}.png") for i in range(app.config["TICKET_MAX_ATTACHMENTS"] + 1)]
    page = client.post_form("/service/new", {
        "service_category": str(desk["fault"].id), "supply_point": str(desk["point"].id), "priority": "normal",
        "subject": "Foto", "text": "x", "attachments": too_many})
    assert "Attach at most" in page.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 0


def test_another_customers_tickets_and_files_answer_404(desk, client):
    client.sign_in("vedouci@example.com", PASSWORD)
    ticket = _file_service(client, desk, files=[(io.BytesIO(PNG), "displej.png")])
    attachment = db.session.scalars(select(TicketAttachment)).one()
    client.post_form("/sign-out", page="/")
    other = make_portal_user(email="cizi.ticket@example.com")
    for url in (f"/service/{ticket.id}", f"/service/{ticket.id}/attachments/{attachment.id}"):
        assert_only_owner_sees(client, url, desk["user"], other, PASSWORD)
    # A service ticket is not reachable under /requests either.
    client.sign_in(desk["user"].email, PASSWORD)
    assert client.get(f"/requests/{ticket.id}").status_code == 404
    client.post_form("/sign-out", page="/")
    client.sign_in(other.email, PASSWORD)
    for url in (f"/service/{ticket.id}/reply", f"/service/{ticket.id}/close", f"/service/{ticket.id}/reopen"):
        assert client.post_form(url, {"body": "x"}, page="/service/").status_code == 404, url


def test_my_tasks_and_my_teams_tasks_by_due_time_with_overdue_marked(desk, client):
    client.sign_in("vedouci@example.com", PASSWORD)
    first = _file_service(client, desk, subject="První")
    second = _file_service(client, desk, subject="Druhá", priority="critical")
    _task(first).due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("karel@example.com", PASSWORD)
    mine = client.get("/admin/desk/").get_data(as_text=True)
    assert second.reference in mine
    team = client.get("/admin/desk/team").get_data(as_text=True)
    assert team.index(first.reference) < team.index(second.reference) and "overdue" in team
    assert client.get("/admin/desk/breaches").status_code == 403
    supervisor = make_staff("clerk", email="vedouci.smeny@example.com", is_supervisor=True)
    client.post_form("/admin/sign-out", page="/admin/")
    client.staff_sign_in(supervisor.email, PASSWORD)
    assert first.reference in client.get("/admin/desk/breaches").get_data(as_text=True)


def test_a_routing_rule_must_name_what_it_routes_and_where(desk, client):
    make_staff("administrator", email="admin.rules@example.com")
    client.staff_sign_in("admin.rules@example.com", PASSWORD)
    before = db.session.scalar(select(db.func.count(RoutingRule.id)))
    page = client.post_form("/admin/routing-rules/new/", {
        "ticket_kind": "request", "service_category": str(desk["fault"].id), "priority": "",
        "team": str(desk["teams"][1].id)}).get_data(as_text=True)
    assert "names a request type" in page
    response = client.post_form("/admin/routing-rules/new/", {
        "ticket_kind": "request", "request_type": str(desk["question"].id), "priority": "high",
        "team": str(desk["teams"][2].id)})
    assert response.status_code == 302
    assert db.session.scalar(select(db.func.count(RoutingRule.id))) == before + 1
    assert client.get("/admin/tickets/").status_code == 200


def test_the_lists_filter_by_state_topic_supply_point_and_words(desk, client):
    client.sign_in("vedouci@example.com", PASSWORD)
    second_point = make_supply_point(desk["user"].customer, identifier="859182400102646743")
    meter = _file_service(client, desk, subject="Elektroměr nesvítí")
    breaker = client.post_form("/service/new", {
        "service_category": str(desk["check"].id), "supply_point": str(second_point.id), "priority": "normal",
        "subject": "Kontrola jističe 100% výkonu", "text": "Prosíme o kontrolu."})
    breaker = db.session.get(Ticket, int(breaker.headers["Location"].rsplit("/", 1)[1]))
    done = _file_service(client, desk, subject="Vyřešená věc")
    done.state = TicketState.RESOLVED
    db.session.commit()

    def shown(query: str) -> set[str]:
        page = client.get(f"/service/?{query}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        return {t.reference for t in (meter, breaker, done) if t.reference in html}

    assert shown("") == {meter.reference, breaker.reference, done.reference}
    assert shown("state=open") == {meter.reference, breaker.reference}
    assert shown("state=done") == {done.reference}
    assert shown(f"topic={desk['check'].id}") == {breaker.reference}
    assert shown(f"supply_point={second_point.id}") == {breaker.reference}
    assert shown("search=nesvítí") == {meter.reference}
    assert shown(f"search={breaker.reference}") == {breaker.reference}
    assert shown(f"search={done.id}") == {done.reference}
    assert shown("search=100%25") == {breaker.reference}  # a % is a character, not a wildcard
    page = client.get(f"/service/?supply_point={second_point.id}&state=open").get_data(as_text=True)
    assert "Kontrola" in page and "Found: 1" in page

    # Another customer's supply point or a made-up state is refused next to its field and filters nothing.
    other_point = make_supply_point(make_customer(name="Cizí"), identifier="859182400110224391")
    for query in (f"supply_point={other_point.id}", "state=everything"):
        page = client.get(f"/service/?{query}").get_data(as_text=True)
        assert 'class="invalid-feedback d-block"' in page and "Not a valid choice" in page
        assert all(t.reference in page for t in (meter, breaker, done))

    # Requests are filtered by their type; they have no supply point filter.
    client.post_form("/requests/new", {"request_type": str(desk["question"].id), "subject": "Dotaz na smlouvu",
                                       "text": "Kdy končí?"})
    page = client.get(f"/requests/?topic={desk['complaint'].id}").get_data(as_text=True)
    assert "Dotaz na smlouvu" not in page and "Nothing matches the filter." in page
    page = client.get(f"/requests/?topic={desk['question'].id}").get_data(as_text=True)
    assert "Dotaz na smlouvu" in page and 'name="supply_point"' not in page
