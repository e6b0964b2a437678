"""Requests and service tickets: routing on submission, the state machine, the
conversation and internal notes, and the e-mails each visible change sends."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models.base import utcnow
from models.tickets import (
    EntryKind,
    RoutingRule,
    Task,
    TaskState,
    TaskTopic,
    Ticket,
    TicketAttachment,
    TicketEntry,
    TicketKind,
    TicketState,
)
from models.users import StaffUser, Team
from services import audit, labels
from services.api import feed
from services.links import portal_url
from services.outbox import queue_email
from services.tickets import routing, service_levels

S = TicketState
# Which state may follow which; anything else is refused.
TRANSITIONS = {
    S.NEW: {S.ASSIGNED},
    S.ASSIGNED: {S.IN_PROGRESS, S.WAITING_FOR_CUSTOMER, S.RESOLVED, S.CLOSED},
    S.IN_PROGRESS: {S.WAITING_FOR_CUSTOMER, S.RESOLVED, S.CLOSED},
    S.WAITING_FOR_CUSTOMER: {S.IN_PROGRESS, S.RESOLVED, S.CLOSED},
    S.RESOLVED: {S.CLOSED, S.IN_PROGRESS},
    S.CLOSED: set(),
}
OPEN_STATES = (S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.WAITING_FOR_CUSTOMER)


class ImpossibleTransition(Exception):
    """The ticket cannot go from its state to the one asked for."""


class ClosedTicket(Exception):
    """A closed ticket takes no reply (see may_reply)."""


def route(ticket: Ticket) -> tuple[Team | None, StaffUser | None]:
    """The responsible team or person: a rule for the type (or category) and priority,
    else one for the type in any priority, else the default team."""
    kind_match = (RoutingRule.request_type_id == ticket.request_type_id if ticket.kind == TicketKind.REQUEST
                  else RoutingRule.service_category_id == ticket.service_category_id)
    rules = db.session.scalars(select(RoutingRule).where(
        RoutingRule.ticket_kind == ticket.kind, kind_match,
        (RoutingRule.priority == ticket.priority) | RoutingRule.priority.is_(None),
    )).all()
    rule = next((r for r in rules if r.priority == ticket.priority), None) or next(iter(rules), None)
    if rule is None:
        return routing.default_team(), None
    person = rule.staff_user if rule.staff_user and rule.staff_user.active and not rule.staff_user.absent else None
    team = rule.team or (rule.staff_user.teams[0] if rule.staff_user and rule.staff_user.teams else None)
    return team or routing.default_team(), person


def _event(ticket: Ticket, event: str, to_state: str | None = None, body: str | None = None, **authors) -> TicketEntry:
    entry = TicketEntry(kind=EntryKind.EVENT, event=event, from_state=ticket.state, to_state=to_state or ticket.state,
                        body=body, **authors)
    ticket.entries.append(entry)
    if to_state:
        ticket.state = to_state
    return entry


def _attach(ticket: Ticket, entry: TicketEntry | None, files) -> None:
    for stored in files or ():
        db.session.add(TicketAttachment(ticket=ticket, entry=entry, file=stored))


def submit(ticket: Ticket, author, files=(), *, team: Team | None = None) -> Task | None:
    """File the ticket and delegate it: a task for the responsible person or team (`team`
    overrides the routing rules) with a due time from the priority, an e-mail to the
    assignee, and a confirmation to the customer."""
    ticket.created_by_id = author.id
    ticket.state = S.NEW
    db.session.add(ticket)
    _event(ticket, "submitted", S.NEW, author_portal_user_id=author.id)
    db.session.flush()
    _attach(ticket, None, files)
    team, person = (team, None) if team is not None else route(ticket)
    task = _delegate(ticket, team, person)
    feed.changed(feed.TICKETS, ticket)
    audit.record("ticket_submitted", ticket, customer_id=ticket.customer_id,
                 details={"kind": ticket.kind, "priority": ticket.priority, "team": team.name if team else None})
    _notify_customer(ticket, _l("We have received your %(what)s %(reference)s and passed it to %(team)s."),
                     team=team.name if team else "")
    return task


def _delegate(ticket: Ticket, team: Team | None, person: StaffUser | None) -> Task | None:
    task = _create_task(ticket, team, person)
    _event(ticket, "assigned", S.ASSIGNED, body=team.name if team else None)
    return task


def _create_task(ticket: Ticket, team: Team | None, person: StaffUser | None) -> Task | None:
    """The task for the person (or the least loaded of the team), due by the priority's service level."""
    ticket.team = team
    due = service_levels.due_at(ticket.priority, utcnow())
    title = f"{ticket.reference} {ticket.subject}"[:200]
    if person is not None:
        task = Task(title=title, topic=TaskTopic.TICKET, topic_id=ticket.id, team=team, assignee=person, due_at=due)
        db.session.add(task)
    else:
        task = routing.delegate(title, TaskTopic.TICKET, ticket.id, due, team=team)
    ticket.assignee = task.assignee if task else None
    if task is not None:
        _notify_staff(task.assignee, ticket, _l("New task %(reference)s: %(subject)s"),
                      _l("You have a new task, %(reference)s: %(subject)s, due %(due)s."), due=service_levels.format_due(due))
    return task


def open_task(ticket: Ticket) -> Task | None:
    return db.session.scalars(select(Task).where(Task.topic == TaskTopic.TICKET, Task.topic_id == ticket.id,
                                                 Task.state == TaskState.OPEN).order_by(Task.id.desc())).first()


def change_state(ticket: Ticket, to_state: str, *, staff=None, customer=None, body: str | None = None) -> None:
    if to_state not in TRANSITIONS[TicketState(ticket.state)]:
        raise ImpossibleTransition(f"{ticket.state} -> {to_state}")
    authors = {"author_staff_id": staff.id} if staff else {"author_portal_user_id": customer.id} if customer else {}
    event = {S.RESOLVED: "resolved", S.CLOSED: "closed", S.WAITING_FOR_CUSTOMER: "waiting",
             S.IN_PROGRESS: "reopened" if ticket.state == S.RESOLVED else "in_progress"}.get(to_state, "state")
    _event(ticket, event, to_state, **authors)
    now = utcnow()
    if to_state == S.RESOLVED:
        ticket.resolved_at = now
    if to_state == S.CLOSED:
        ticket.closed_at = now
    if to_state in (S.RESOLVED, S.CLOSED):
        for task in db.session.scalars(select(Task).where(Task.topic == TaskTopic.TICKET, Task.topic_id == ticket.id,
                                                          Task.state == TaskState.OPEN)):
            task.state, task.done_at = TaskState.DONE, now
    if event == "reopened":
        ticket.resolved_at = None
        _create_task(ticket, ticket.team, ticket.assignee if ticket.assignee and not ticket.assignee.absent else None)
    feed.changed(feed.TICKETS, ticket)
    audit.record("ticket_state_changed", ticket, actor=staff or customer, customer_id=ticket.customer_id,
                 details={"to": to_state, "note": body})
    _notify_customer(ticket, _l("Your %(what)s %(reference)s is now: %(state)s."), state_key=to_state)


def may_reply(ticket: Ticket) -> bool:
    """A closed ticket takes no reply, from the customer or from staff: the customer files a
    new one. Staff may still write an internal note."""
    return ticket.state != S.CLOSED


def customer_reply(ticket: Ticket, author, body: str, files=()) -> TicketEntry:
    """The customer writes; an answer to our question puts the ticket back in progress."""
    if not may_reply(ticket):
        raise ClosedTicket(ticket.reference)
    entry = TicketEntry(kind=EntryKind.REPLY, body=body, author_portal_user_id=author.id)
    ticket.entries.append(entry)
    db.session.flush()
    _attach(ticket, entry, files)
    if ticket.state == S.WAITING_FOR_CUSTOMER:
        _event(ticket, "in_progress", S.IN_PROGRESS, author_portal_user_id=author.id)
    feed.changed(feed.TICKETS, ticket)
    audit.record("ticket_customer_reply", ticket, customer_id=ticket.customer_id)
    _notify_staff(ticket.assignee, ticket, _l("The customer answered in %(reference)s"),
                  _l("The customer answered in %(reference)s: %(subject)s."))
    return entry


def staff_reply(ticket: Ticket, staff, body: str, files=(), *, ask: bool = False) -> TicketEntry:
    """A reply the customer sees; `ask`: a question, and the ticket waits for the customer."""
    if not may_reply(ticket):
        raise ClosedTicket(ticket.reference)
    entry = TicketEntry(kind=EntryKind.REPLY, body=body, author_staff_id=staff.id)
    ticket.entries.append(entry)
    db.session.flush()
    _attach(ticket, entry, files)
    if ticket.state == S.ASSIGNED and not ask:
        _event(ticket, "in_progress", S.IN_PROGRESS, author_staff_id=staff.id)
    if ask and ticket.state != S.WAITING_FOR_CUSTOMER:
        _event(ticket, "waiting", S.WAITING_FOR_CUSTOMER, author_staff_id=staff.id)
    feed.changed(feed.TICKETS, ticket)
    audit.record("ticket_staff_reply", ticket, actor=staff, customer_id=ticket.customer_id, details={"ask": ask})
    _notify_customer(ticket, _l("There is a new answer in your %(what)s %(reference)s.") if not ask else
                     _l("We need your answer in your %(what)s %(reference)s."))
    return entry


def internal_note(ticket: Ticket, staff, body: str, files=()) -> TicketEntry:
    """Staff only: never shown to the customer, nor its attachments."""
    entry = TicketEntry(kind=EntryKind.NOTE, visible_to_customer=False, body=body, author_staff_id=staff.id)
    ticket.entries.append(entry)
    db.session.flush()
    _attach(ticket, entry, files)
    audit.record("ticket_note", ticket, actor=staff, customer_id=ticket.customer_id)
    return entry


def reassign(ticket: Ticket, staff, team: Team | None, person: StaffUser | None) -> None:
    """To another team or person: the open task moves with its due time; the customer sees the team only."""
    before = {"team": ticket.team.name if ticket.team else None, "assignee": ticket.assignee.email if ticket.assignee else None}
    team = team or (person.teams[0] if person and person.teams else ticket.team)
    task = open_task(ticket)
    if task is not None:
        task.team, task.assignee = team, person or routing.least_loaded_member(team)
        new_assignee = task.assignee
    else:
        new_assignee = person
    ticket.team, ticket.assignee = team, new_assignee
    _event(ticket, "assigned", body=team.name if team else None, author_staff_id=staff.id)
    audit.record("ticket_reassigned", ticket, actor=staff, customer_id=ticket.customer_id, details={
        "before": before, "team": team.name if team else None, "assignee": new_assignee.email if new_assignee else None})
    _notify_staff(new_assignee, ticket, _l("Task passed to you: %(reference)s %(subject)s"),
                  _l("The task %(reference)s (%(subject)s) has been passed to you."))
    _notify_customer(ticket, _l("Your %(what)s %(reference)s has been passed to %(team)s."),
                     team=team.name if team else "")


def may_reopen(ticket: Ticket) -> bool:
    if ticket.state != S.RESOLVED or ticket.resolved_at is None:
        return False
    return utcnow() - ticket.resolved_at <= timedelta(days=current_app.config["TICKET_REOPEN_DAYS"])


def customer_entries(ticket: Ticket) -> list[TicketEntry]:
    """The timeline the customer may see: no internal notes."""
    return [e for e in ticket.entries if e.visible_to_customer and e.kind != EntryKind.NOTE]


def customer_may_download(attachment: TicketAttachment) -> bool:
    return attachment.entry is None or (attachment.entry.visible_to_customer and attachment.entry.kind != EntryKind.NOTE)


def _notify_staff(person: StaffUser | None, ticket: Ticket, subject, text, **params) -> None:
    """An e-mail to the person who has the work, in the back office's language, with a link to the ticket."""
    if person is None:
        return
    values = {"reference": ticket.reference, "subject": ticket.subject, **params}
    with force_locale(current_app.config["BACKOFFICE_LOCALE"]):
        queue_email(person.email, str(subject) % values, "notice", text=str(text) % values,
                    link=portal_url("bo_ticket_desk.ticket", ticket_id=ticket.id))


def _notify_customer(ticket: Ticket, message, state_key: str | None = None, **params) -> None:
    """Every change the customer can see is e-mailed, in the customer's language."""
    author = ticket.created_by
    recipient = author.email if author else ticket.customer.email
    endpoint = "requests.detail" if ticket.kind == TicketKind.REQUEST else "service.detail"
    link = portal_url(endpoint, ticket_id=ticket.id)
    with force_locale(getattr(author, "locale", None) or "cs"):
        what = _("request") if ticket.kind == TicketKind.REQUEST else _("service ticket")
        state = str(labels.TICKET_STATES[TicketState(state_key)]) if state_key else ""
        text = str(message) % {"what": what, "reference": ticket.reference, "state": state, **params}
        queue_email(recipient, f"{ticket.reference}: {ticket.subject}", "notice", text=text, link=link)
