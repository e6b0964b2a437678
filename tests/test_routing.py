"""Delegation picks the least loaded present member of the team."""
from datetime import timedelta

from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_portal_user, make_staff
from models.audit import AuditEntry
from models.base import utcnow
from models.outbox import OutgoingEmail
from models.tickets import RequestType, Task, TaskTopic, Ticket
from models.users import Team
from services.tickets import routing


def test_least_loaded_present_member_gets_the_work(app):
    busy, free, away = make_staff("clerk"), make_staff("clerk"), make_staff("clerk", absent=True)
    team = Team(name="Podpora", is_default=True, members=[busy, free, away])
    db.session.add(team)
    db.session.commit()
    due = utcnow() + timedelta(days=2)
    first = routing.delegate("a", TaskTopic.CHANGE_REQUEST, 1, due)
    assert first.assignee in (busy, free)
    second = routing.delegate("b", TaskTopic.CHANGE_REQUEST, 2, due)
    assert {first.assignee, second.assignee} == {busy, free}  # fair: one each
    assert away not in (first.assignee, second.assignee)


def test_without_a_team_nothing_is_lost(app, client):
    """With no team at all there is nobody to give a task to (a task needs an owner): delegation
    makes none, and what was filed is still committed whole with its audit entry and its
    e-mail, unassigned, and the back office can open it."""
    assert db.session.scalar(select(func.count(Team.id))) == 0
    assert routing.delegate("a", TaskTopic.CHANGE_REQUEST, 1, utcnow()) is None
    db.session.rollback()
    question = RequestType(name="Dotaz")
    db.session.add(question)
    user = make_portal_user(email="bez.tymu@example.com")
    make_staff("clerk", email="clerk.bez.tymu@example.com")
    db.session.commit()
    client.sign_in(user.email, PASSWORD)
    response = client.post_form("/requests/new", {"request_type": str(question.id), "subject": "Změna tarifu",
                                                  "text": "Jak dlouho trvá změna tarifu?"})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    ticket = db.session.scalars(select(Ticket)).one()
    assert response.headers["Location"].endswith(f"/requests/{ticket.id}")
    assert ticket.team is None and ticket.assignee is None and ticket.subject == "Změna tarifu"
    assert [entry.event for entry in ticket.entries] == ["submitted", "assigned"]
    assert db.session.scalars(select(Task)).all() == []
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ticket_submitted")).one()
    assert (audit.record_type, audit.record_id, audit.customer_id) == ("Ticket", str(ticket.id), ticket.customer_id)
    assert audit.data["team"] is None
    [email] = db.session.scalars(select(OutgoingEmail)).all()  # the customer's confirmation; no staff e-mail
    assert email.recipient == user.email and email.subject == f"{ticket.reference}: Změna tarifu"
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("clerk.bez.tymu@example.com", PASSWORD)
    page = client.get(f"/admin/desk/ticket/{ticket.id}")
    assert page.status_code == 200 and "Změna tarifu" in page.get_data(as_text=True)
