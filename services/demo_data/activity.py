"""Demo documents, messages, requests and service tickets with tasks, and change requests."""
from __future__ import annotations

from datetime import date, timedelta

from extensions import db
from models.base import utcnow
from models.changes import ChangeKind, ChangeRequest, ChangeRequestField, ChangeState
from models.customers import Segment
from models.documents import Document, DocumentCategory, DocumentVisibility
from models.files import StoredFile
from models.messaging import Message, MessageAudience, MessageRecipient
from models.tickets import (
    EntryKind,
    Priority,
    RequestType,
    RoutingRule,
    ServiceCategory,
    Task,
    TaskState,
    TaskTopic,
    Ticket,
    TicketEntry,
    TicketKind,
    TicketState,
)
from services.messaging import messages
from services.pdf import simple_document
from services.tickets import routing


def _file(name: str, title: str, text: str) -> StoredFile:
    return StoredFile.from_bytes(name, "application/pdf", simple_document(title, [text]))


def create_activity(customers: dict, points: dict, staff: dict) -> None:
    _documents()
    _messages(customers, staff)
    _tickets(customers, points, staff)
    _change_requests(customers, staff)


def _documents() -> None:
    forms = DocumentCategory(name="Formuláře", position=1)
    terms = DocumentCategory(name="Obchodní podmínky", position=2)
    info = DocumentCategory(name="Ceníky a informace", position=3)
    today = date.today()
    documents = [
        (terms, "Všeobecné obchodní podmínky", "Podmínky dodávky elektřiny a plynu.", DocumentVisibility.PUBLIC, None),
        (forms, "Plná moc", "Vzor plné moci pro zastoupení zákazníka.", DocumentVisibility.CUSTOMERS, None),
        (forms, "Žádost o změnu zálohy", "Formulář pro změnu výše záloh.", DocumentVisibility.CUSTOMERS, None),
        (info, "Informace o složení ceny", "Co tvoří cenu elektřiny a plynu.", DocumentVisibility.CUSTOMERS, None),
        (info, "Podmínky V.I.P. péče", "Zvláštní podmínky pro V.I.P. zákazníky.", DocumentVisibility.SEGMENT, Segment.VIP),
    ]
    for index, (category, title, description, visibility, segment) in enumerate(documents):
        db.session.add(Document(
            category=category, title=title, description=description, visibility=visibility, segment=segment,
            valid_from=today - timedelta(days=400 - index * 30),
            file=_file(f"dokument-{index + 1}.pdf", title, description),
        ))


def _messages(customers: dict, staff: dict) -> None:
    now = utcnow()
    jana, bakery, petr = customers["jana"], customers["bakery"], customers["petr"]
    items = [
        ("Vyúčtování je připraveno", "Dobrý den, vaše roční vyúčtování je k dispozici v portálu.",
         MessageAudience.CUSTOMER, None, [(jana, True)]),
        ("Nové podmínky V.I.P. péče", "Od příštího měsíce platí nové podmínky V.I.P. péče, najdete je v dokumentech.",
         MessageAudience.SEGMENT, Segment.VIP, [(bakery, False)]),
        ("Plánovaná odstávka portálu", "V sobotu od 22:00 do 23:00 bude portál nedostupný kvůli údržbě.",
         MessageAudience.LIST, None, [(jana, False), (petr, True)]),
    ]
    for days_ago, (subject, body, audience, segment, recipients) in zip((40, 12, 2), items, strict=True):
        message = Message(subject=subject, body=body, author=staff["clerk"], audience=audience,
                          segment=segment, sent_at=now - timedelta(days=days_ago))
        db.session.add(message)
        for customer, read in recipients:
            recipient = MessageRecipient(message=message, customer=customer)
            db.session.add(recipient)
            db.session.flush()
            # Through the service, so the delivery records form their hash chain.
            messages.record_delivered(recipient, "email", at=now - timedelta(days=days_ago))
            if read and days_ago > 1:
                messages.record_read(recipient, at=now - timedelta(days=days_ago - 1))


def _tickets(customers: dict, points: dict, staff: dict) -> None:
    types = {name: RequestType(name=name) for name in ("Změna zálohy", "Reklamace faktury", "Obecný dotaz")}
    categories = {name: ServiceCategory(name=name)
                  for name in ("Porucha elektroměru", "Kontrola plynoměru", "Výpadek dodávky")}
    db.session.add_all([*types.values(), *categories.values()])
    db.session.add_all([
        RoutingRule(ticket_kind=TicketKind.REQUEST, request_type=types["Reklamace faktury"], team=staff["billing_team"]),
        RoutingRule(ticket_kind=TicketKind.REQUEST, request_type=types["Změna zálohy"], team=staff["billing_team"]),
        RoutingRule(ticket_kind=TicketKind.REQUEST, request_type=types["Obecný dotaz"], team=staff["support"]),
        *[RoutingRule(ticket_kind=TicketKind.SERVICE, service_category=c, team=staff["technicians"])
          for c in categories.values()],
        RoutingRule(ticket_kind=TicketKind.SERVICE, service_category=categories["Výpadek dodávky"],
                    priority=Priority.CRITICAL, staff_user=staff["technician"]),
    ])
    now = utcnow()
    tickets = [
        (TicketKind.REQUEST, customers["petr"], None, types["Reklamace faktury"], None, Priority.NORMAL,
         "Nesouhlasím s vyúčtováním", "Vyúčtování za loňský rok je vyšší, než odpovídá mé spotřebě.",
         TicketState.IN_PROGRESS, staff["billing_team"], staff["billing"], 5, 2),
        (TicketKind.REQUEST, customers["jana"], None, types["Obecný dotaz"], None, Priority.NORMAL,
         "Dotaz na fixaci ceny", "Dobrý den, nabízíte fixaci ceny na dva roky?", TicketState.RESOLVED,
         staff["support"], staff["clerk"], 20, None),
        (TicketKind.SERVICE, customers["bakery"], points["bakery_e"], None, categories["Porucha elektroměru"],
         Priority.HIGH, "Elektroměr nesvítí", "Displej elektroměru v provozovně od rána nic neukazuje.",
         TicketState.ASSIGNED, staff["technicians"], staff["technician"], 3, -1),
        (TicketKind.SERVICE, customers["bakery"], points["bakery_g"], None, categories["Kontrola plynoměru"],
         Priority.LOW, "Kontrola plynoměru", "Prosíme o kontrolu plynoměru, je hlučný.",
         TicketState.WAITING_FOR_CUSTOMER, staff["technicians"], staff["technician"], 8, 4),
    ]
    for (kind, customer, point, rtype, category, priority, subject, text, state, team, assignee, days_ago,
         due_in_days) in tickets:
        created = now - timedelta(days=days_ago)
        ticket = Ticket(kind=kind, customer=customer, supply_point=point, request_type=rtype, service_category=category,
                        priority=priority, subject=subject, text=text, state=state, team=team, assignee=assignee,
                        created_by_id=None, created_at=created,
                        resolved_at=created + timedelta(days=2) if state == TicketState.RESOLVED else None)
        ticket.entries = [
            TicketEntry(kind=EntryKind.EVENT, event="submitted", to_state=TicketState.NEW, created_at=created),
            TicketEntry(kind=EntryKind.EVENT, event="assigned", from_state=TicketState.NEW,
                        to_state=TicketState.ASSIGNED, body=team.name, created_at=created + timedelta(minutes=1)),
            TicketEntry(kind=EntryKind.NOTE, visible_to_customer=False, author_staff_id=None,
                        body="Interní poznámka: ověřit v systému distributora.", created_at=created + timedelta(hours=2)),
            TicketEntry(kind=EntryKind.REPLY, body="Dobrý den, vaší žádostí se zabýváme a brzy se ozveme.",
                        created_at=created + timedelta(hours=3)),
        ]
        db.session.add(ticket)
        if due_in_days is not None:
            db.session.flush()
            db.session.add(Task(title=f"{ticket.reference} {subject}", topic=TaskTopic.TICKET, topic_id=ticket.id,
                                assignee=assignee, team=team, due_at=now + timedelta(days=due_in_days),
                                state=TaskState.OPEN))


def _change_requests(customers: dict, staff: dict) -> None:
    jana = customers["jana"]
    now = utcnow()
    approved = ChangeRequest(customer=jana, kind=ChangeKind.ADDRESS, reason="Stěhování korespondence",
                             state=ChangeState.APPROVED, submitted_at=now - timedelta(days=60),
                             decided_at=now - timedelta(days=58), reviewer=staff["clerk"])
    approved.fields = [ChangeRequestField(field="correspondence_street", old_value=None, new_value="Korunní 1208/74")]
    pending = ChangeRequest(customer=jana, kind=ChangeKind.PHONE, reason="Nové číslo",
                            state=ChangeState.IN_REVIEW, submitted_at=now - timedelta(days=1))
    pending.fields = [ChangeRequestField(field="phone", old_value=jana.phone, new_value="+420 777 555 111")]
    db.session.add_all([approved, pending])
    db.session.flush()
    # The review waiting for the clerks, as a submitted request would have made it.
    routing.delegate(f"Žádost o změnu #{pending.id}: telefon", TaskTopic.CHANGE_REQUEST, pending.id,
                     due_at=now + timedelta(days=1), team=staff["support"])
