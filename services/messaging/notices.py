"""Telling customers what arrived: a new invoice, advance schedule, price list or message sends
one e-mail to each portal user who would see it, in that person's language, with a link into the
portal (which asks for the person's sign-in: the e-mail carries no secret, and no amount), and the
invoice PDF attached for those who chose "faktura e-mailem" in their profile.

Who is told of a document is who sees it in the portal: an active access of the document's
customer with the module's right (invoices for invoices and advance schedules, messages for
messages, price lists for the price lists of the customer's segment); for an access limited to
some supply points only a document of one of them (the model's own `concerns_supply_points`);
and not once the customer's access has ended with its contracts. The person behind the access
(the row that signs in) chooses in the profile: every document or none, and the invoice PDF
attached; the e-mail goes to that person's address.

Each announcement writes its e-mails into the caller's transaction, in a few bulk statements
whatever the number of recipients; the caller commits (a rolled-back or dry-run import sends
nothing). The demo loader announces nothing: it would e-mail the people it invents."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from flask import current_app, render_template
from flask_babel import force_locale, format_date, gettext as _
from sqlalchemy import func, insert, literal, or_, select
from sqlalchemy.orm import aliased

from extensions import db
from models.base import UTCDateTime, utcnow
from models.billing import AdvanceSchedule, Invoice, InvoiceKind
from models.customers import Customer
from models.messaging import Message, MessageRecipient
from models.outbox import EmailState, OutgoingEmail
from models.price_lists import PriceList
from models.users import DocumentNotices, Module, PortalUser, PortalUserState, portal_user_supply_points
from services import audit
from services.accounts.contract_end import customers_without
from services.billing.invoice_pdf import pdf_file
from services.links import portal_url

# OutgoingEmail.topic of each kind of notice (a message's names its recipient row, so that the
# mail server's acceptance records the message delivered: services.messaging.messages).
MESSAGE_TOPIC = "message_recipient"
INVOICE_TOPIC = "invoice"
SCHEDULE_TOPIC = "advance_schedule"
PRICE_LIST_TOPIC = "price_list"
CHUNK = 1000
# Where each e-mail's own text and link go into the template rendered once per language.
_TEXT, _LINK = "\x00text\x00", "\x00link\x00"


class _Notice(NamedTuple):
    key: int | None  # what the text is rendered for (the invoice, …; None: the same for all)
    email: str
    locale: str | None
    attachment_id: int | None
    link: str
    topic_id: int


def announce_invoice(invoice: Invoice) -> int:
    """Tell the customer's users of a new invoice or credit note; the number of e-mails queued."""
    db.session.flush()
    return announce_invoices([invoice.id])


def announce_invoices(invoice_ids: Sequence[int]) -> int:
    """Tell the users of each new invoice (or credit note) of it: the invoice import calls this
    with the ids of the invoices a batch created (services/imports/invoices.py); issuing a credit
    note in the back office calls `announce_invoice`. Those who asked for it get the PDF attached,
    made now for an invoice imported without one."""
    today = date.today()
    invoices = {row.id: row for chunk in _chunks(invoice_ids) for row in db.session.execute(
        select(Invoice.id, Invoice.number, Invoice.kind, Invoice.issued_on, Invoice.due_on, Invoice.total,
               Invoice.pdf_id).where(Invoice.id.in_(chunk)))}
    rows = _recipients(Invoice, list(invoices), Module.INVOICES, today)
    pdfs = _invoice_pdfs({invoice_id for invoice_id, _email, _locale, attach in rows if attach}, invoices)

    memo: dict = {}

    def texts(invoice_id, language):
        # A batch has thousands of invoices and few languages and days: each phrase and day is
        # translated once per language (the format strings, filled in here).
        invoice = invoices[invoice_id]
        said = _once(memo, language, lambda: {
            InvoiceKind.SETTLEMENT: _("Invoice %(number)s"), InvoiceKind.ADVANCE: _("Advance invoice %(number)s"),
            InvoiceKind.CREDIT_NOTE: _("Credit note %(number)s"),
            "text": _("%(document)s of %(issued)s is in your customer portal."), "due": _("It is due on %(due)s."),
            "subject": _("New document: %(document)s")})
        document = said.get(invoice.kind, said[InvoiceKind.SETTLEMENT]) % {"number": invoice.number}
        text = said["text"] % {"document": document,
                               "issued": _once(memo, (language, invoice.issued_on), lambda: format_date(invoice.issued_on))}
        if invoice.kind != InvoiceKind.CREDIT_NOTE and invoice.total > 0:
            due = _once(memo, (language, invoice.due_on), lambda: format_date(invoice.due_on))
            text += " " + said["due"] % {"due": due}
        return said["subject"] % {"document": document}, text

    return _queue([_Notice(invoice_id, email, locale, pdfs.get(invoice_id) if attach else None,
                           portal_url("invoices.detail", invoice_id=invoice_id), invoice_id)
                   for invoice_id, email, locale, attach in rows], texts, INVOICE_TOPIC)


def announce_advance_schedule(schedule: AdvanceSchedule) -> int:
    """Tell the customer's users of a new advance schedule; the number of e-mails queued."""
    db.session.flush()
    return announce_advance_schedules([schedule.id])


def announce_advance_schedules(schedule_ids: Sequence[int]) -> int:
    """Tell the users of each new advance schedule of it: the advance-schedule import calls this
    with the ids of the schedules a batch created (services/imports/advance_schedules.py)."""
    today = date.today()
    schedules = {row.id: row for chunk in _chunks(schedule_ids) for row in db.session.execute(
        select(AdvanceSchedule.id, AdvanceSchedule.valid_from).where(AdvanceSchedule.id.in_(chunk)))}
    rows = _recipients(AdvanceSchedule, list(schedules), Module.INVOICES, today)
    link = portal_url("invoices.advances")

    def texts(schedule_id, _language):
        document = _("Advance schedule from %(date)s", date=format_date(schedules[schedule_id].valid_from))
        text = _("%(document)s is in your customer portal, with the advances to pay, their due dates and a "
                 "QR code for each.", document=document)
        return _("New document: %(document)s", document=document), text

    return _queue([_Notice(schedule_id, email, locale, None, link, schedule_id)
                   for schedule_id, email, locale, _attach in rows], texts, SCHEDULE_TOPIC)


def announce_price_list(price_list: PriceList, today: date | None = None) -> int:
    """Tell the users of the customers of its segment who see price lists of a price list once
    it is published — it has its PDF and has not ended (the back office's price list form, the
    price-list import) — and never again. The e-mail is the same for all who read one language:
    one INSERT … SELECT per language, however many customers the segment has."""
    today = today or date.today()
    published = price_list.pdf is not None or price_list.pdf_id is not None
    if price_list.announced_at is not None or not published or price_list.ended_before(today):
        return 0
    db.session.flush()
    price_list.announced_at = utcnow()
    link = portal_url("price_lists.pdf", price_list_id=price_list.id)

    def texts(_key, _language):
        text = _("A new price list is published in your customer portal: %(name)s, valid from %(date)s.",
                 name=price_list.name, date=format_date(price_list.valid_from))
        return _("New price list: %(name)s", name=price_list.name), text

    login = aliased(PortalUser)
    now = literal(utcnow(), UTCDateTime())
    queued = 0
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            subject, text = texts(None, language)
            body = _body(attached=False).replace(_LINK, link).replace(_TEXT, text)
        users = (select(login.email, literal(subject[:255]), literal(body), literal(EmailState.QUEUED),
                        literal(0), now, now, now, literal(PRICE_LIST_TOPIC), literal(price_list.id))
                 .select_from(PortalUser).join(Customer, Customer.id == PortalUser.customer_id)
                 .join(login, login.id == func.coalesce(PortalUser.login_id, PortalUser.id))
                 .where(Customer.segment == price_list.segment, _in_language(login.locale, language),
                        *_takes_notices(login, Module.PRICE_LISTS, today))
                 .distinct())
        # (Counted by RETURNING: an ORM INSERT … SELECT has no rowcount on PostgreSQL.)
        queued += len(db.session.execute(insert(OutgoingEmail).from_select(
            ["recipient", "subject", "body_text", "state", "attempts", "next_attempt_at", "created_at", "updated_at",
             "topic", "topic_id"], users, include_defaults=False).returning(OutgoingEmail.id)).all())
    audit.record("price_list_announced", price_list, details={"emails": queued})
    return queued


def announce_message(message: Message) -> int:
    """Tell the users of each recipient customer of the message (services.messaging.messages.send
    calls this once the recipients are stored). A customer without any active portal user gets
    the notice at its contact e-mail instead, as before there were portal users to tell."""
    today = date.today()
    rows = _recipients(MessageRecipient, [], Module.MESSAGES, today, message_id=message.id)

    def texts(_key, _language):
        subject = _("New message: %(subject)s", subject=message.subject)
        return subject, _("You have a new message from your supplier in the customer portal: %(subject)s. "
                          "Sign in to read it.", subject=message.subject)

    queued = _queue([_Notice(None, email, locale, None, portal_url("messages.detail", recipient_id=recipient_id),
                             recipient_id) for recipient_id, email, locale, _attach in rows], texts, MESSAGE_TOPIC)
    return queued + _tell_customers_without_users(message, texts)


def set_preferences(person: PortalUser, notices: str, invoice_pdf: bool) -> None:
    """The person's choice from the profile, with an audit entry when it changes."""
    before = (person.document_notices, person.invoice_pdf_by_email)
    person.document_notices = DocumentNotices(notices)
    person.invoice_pdf_by_email = bool(invoice_pdf)
    if before != (person.document_notices, person.invoice_pdf_by_email):
        audit.record("notice_preferences_changed", person,
                     details={"document_notices": person.document_notices, "invoice_pdf": person.invoice_pdf_by_email})


# --- who is told ----------------------------------------------------------------------------

def _takes_notices(login, module: str, today: date) -> list:
    """SQL on PortalUser (the access) and `login` (the person who signs in with it): the access
    may use the module now, and the person wants notices."""
    return [PortalUser.state == PortalUserState.ACTIVE, login.state == PortalUserState.ACTIVE,
            PortalUser.has_right(module), login.document_notices == DocumentNotices.EVERY,
            PortalUser.customer_id.not_in(customers_without(module, today))]


def _recipients(model, ids: list[int], module: str, today: date, message_id: int | None = None) -> list[tuple]:
    """(record id, e-mail, language, wants the PDF) of every person told of each record: the
    users of the record's customer who see it in the portal, once per address."""
    login = aliased(PortalUser)
    query = (select(model.id, login.email, login.locale, login.invoice_pdf_by_email)
             .join(PortalUser, PortalUser.customer_id == model.customer_id)
             .join(login, login.id == func.coalesce(PortalUser.login_id, PortalUser.id))
             .where(*_takes_notices(login, module, today)).order_by(model.id, login.id))
    if not model.whole_customer:
        # The scope's supply-point limit (models.scoping), for every access at once.
        limit = select(portal_user_supply_points.c.supply_point_id).where(
            portal_user_supply_points.c.user_id == PortalUser.id)
        query = query.where(or_(~limit.exists(), model.concerns_supply_points(limit)))
    if message_id is not None:
        found = db.session.execute(query.where(MessageRecipient.message_id == message_id)).all()
    else:
        found = [row for chunk in _chunks(ids) for row in db.session.execute(query.where(model.id.in_(chunk)))]
    seen, rows = set(), []
    for record_id, email, locale, attach in found:
        if (record_id, email.lower()) not in seen:
            seen.add((record_id, email.lower()))
            rows.append((record_id, email, locale, attach))
    return rows


def _tell_customers_without_users(message: Message, texts) -> int:
    anyone = select(PortalUser.id).where(PortalUser.customer_id == Customer.id,
                                         PortalUser.state == PortalUserState.ACTIVE)
    customers = db.session.execute(
        select(MessageRecipient.id, Customer.email).join(Customer, Customer.id == MessageRecipient.customer_id)
        .where(MessageRecipient.message_id == message.id, ~anyone.exists(), Customer.email != "")).all()
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        subject, text = texts(None, language)
        body = render_template("emails/notice.txt", text=text, link=portal_url("messages.index"))
    return _insert([_row(email, subject, body, MESSAGE_TOPIC, recipient_id, None)
                    for recipient_id, email in customers])


# --- the e-mails ----------------------------------------------------------------------------

def _queue(notices: Iterable[_Notice], texts, topic: str) -> int:
    """Queue one e-mail per notice. Per language the template is rendered once (per attachment
    or not) and each record's texts once, whatever the number of users."""
    by_language: dict[str, list[_Notice]] = defaultdict(list)
    for notice in notices:
        by_language[_language(notice.locale)].append(notice)
    rows = []
    for language, group in by_language.items():
        with force_locale(language):
            bodies: dict[bool, str] = {}
            said: dict = {}
            for notice in group:
                attached = notice.attachment_id is not None
                if attached not in bodies:
                    bodies[attached] = _body(attached)
                if notice.key not in said:
                    subject, text = texts(notice.key, language)
                    said[notice.key] = " ".join(subject.split())[:255], text
                subject, text = said[notice.key]
                # The link first: the text (a message's subject) is the customer-facing part put in last.
                body = bodies[attached].replace(_LINK, notice.link).replace(_TEXT, text)
                rows.append(_row(notice.email, subject, body, topic, notice.topic_id, notice.attachment_id))
    return _insert(rows)


def _body(attached: bool) -> str:
    """The notice e-mail in the current language, with places for its text and link."""
    return render_template("emails/document_notice.txt", text=_TEXT, link=_LINK, attached=attached,
                           profile_link=portal_url("profile.index"))


def _row(email: str, subject: str, body: str, topic: str, topic_id: int | None, attachment_id: int | None) -> dict:
    now = utcnow()
    return {"recipient": email, "subject": subject, "body_text": body, "state": EmailState.QUEUED, "attempts": 0,
            "next_attempt_at": now, "topic": topic, "topic_id": topic_id, "attachment_id": attachment_id,
            "created_at": now, "updated_at": now}


def _insert(rows: list[dict]) -> int:
    if rows:
        db.session.execute(insert(OutgoingEmail), rows)
    return len(rows)


def _invoice_pdfs(wanted: set[int], invoices: dict) -> dict[int, int]:
    """invoice id -> the id of its stored PDF, made now for those imported without one."""
    pdfs = {invoice_id: invoices[invoice_id].pdf_id for invoice_id in wanted}
    for chunk in _chunks([invoice_id for invoice_id, pdf_id in pdfs.items() if pdf_id is None]):
        made = db.session.scalars(select(Invoice).where(Invoice.id.in_(chunk))).all()
        for invoice in made:
            invoice.pdf = pdf_file(invoice)
        db.session.flush()
        pdfs.update((invoice.id, invoice.pdf_id) for invoice in made)
    return pdfs


def _once(memo: dict, key, make):
    if key not in memo:
        memo[key] = make()
    return memo[key]


def _language(locale: str | None) -> str:
    config = current_app.config
    return locale if locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]


def _in_language(locale_column, language: str):
    """SQL: the person reads `language` (the default language for any locale not offered)."""
    config = current_app.config
    if language != config["BABEL_DEFAULT_LOCALE"]:
        return locale_column == language
    others = [other for other in config["LANGUAGES"] if other != language]
    return or_(locale_column.is_(None), locale_column.not_in(others))


def _chunks(ids: Sequence[int]):
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]

