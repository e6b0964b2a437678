"""Requests (module "requests") and service tickets (module "service"): the same story
for both — file one with attachments, follow its timeline, answer our questions, close
it or re-open it soon after it was resolved. Two blueprints, one set of views: each view
is registered on both, and the blueprint that answers names the kind of ticket."""
from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from extensions import db
from forms.common import ConfirmForm
from forms.tickets import ReplyForm, RequestForm, ServiceForm, TicketFilterForm
from models.metering import SupplyPoint
from models.tickets import Priority, RequestType, ServiceCategory, Ticket, TicketAttachment, TicketKind, TicketState
from services import labels
from services.access import acting_user, visible, visible_or_404
from services.tickets import workflow as tickets
from web.bad_input import page_number
from web.downloads import send_stored_file
from web.limits import action_limit
from web.paging import other_args, paginate
from web.portal_blueprint import PortalBlueprint

requests_bp = PortalBlueprint("requests", __name__, url_prefix="/requests", module="requests")
service_bp = PortalBlueprint("service", __name__, url_prefix="/service", module="service")
# The kind of ticket each blueprint (module) serves.
KINDS = {"requests": TicketKind.REQUEST, "service": TicketKind.SERVICE}
PAGE_SIZE = 20
FILTERS = {"open": tickets.OPEN_STATES, "done": (TicketState.RESOLVED, TicketState.CLOSED)}


def ticket_route(rule: str, **options):
    """Register the view on both blueprints: /requests/… and /service/…."""
    def register(view):
        for bp in (requests_bp, service_bp):
            bp.add_url_rule(rule, view_func=view, **options)
        return view

    return register


def _kind() -> TicketKind:
    return KINDS[request.blueprint]


def _render(template: str, **context):
    return render_template(template, kind=_kind(), module=request.blueprint, state_labels=labels.TICKET_STATES,
                           priority_labels=labels.TICKET_PRIORITIES, **context)


def _ticket(ticket_id: int) -> Ticket:
    return visible_or_404(Ticket, ticket_id, Ticket.kind == _kind())


@ticket_route("/")
def index():
    topics = _topics()
    form, query = _filtered(topics)
    listing = paginate(query.order_by(Ticket.created_at.desc(), Ticket.id.desc()), page_number(), PAGE_SIZE)
    return _render("tickets/index.html", tickets=listing.items, form=form, topics=topics, total=listing.total,
                   args=other_args(), page=listing.page, pages=listing.pages)


@ticket_route("/new", methods=["GET", "POST"])
@action_limit("ticket")
def new():
    kind, customer = _kind(), acting_user().customer
    form = _new_form(kind)
    if form.validate_on_submit():
        ticket = Ticket(kind=kind, customer_id=customer.id, subject=form.subject.data.strip(),
                        text=form.text.data.strip(), priority=Priority.NORMAL)
        if kind == TicketKind.REQUEST:
            ticket.request_type_id = form.request_type.data
        else:
            ticket.service_category_id = form.service_category.data
            ticket.supply_point_id = form.supply_point.data or None
            ticket.priority = form.priority.data
        tickets.submit(ticket, acting_user(), form.stored_files)
        db.session.commit()
        flash(_("Thank you. %(reference)s has been sent and passed to the responsible team.",
                reference=ticket.reference), "success")
        return redirect(url_for(".detail", ticket_id=ticket.id))
    return _render("tickets/new.html", form=form)


@ticket_route("/<int:ticket_id>")
def detail(ticket_id):
    return _detail_page(_ticket(ticket_id), ReplyForm())


@ticket_route("/<int:ticket_id>/reply", methods=["POST"])
@action_limit("reply")
def reply(ticket_id):
    ticket = _ticket(ticket_id)
    form = ReplyForm()
    if not tickets.may_reply(ticket):
        flash(_("This is closed. Please send a new one."), "warning")
    elif form.validate_on_submit():
        tickets.customer_reply(ticket, acting_user(), form.body.data.strip(), form.stored_files)
        db.session.commit()
        flash(_("Your message has been sent."), "success")
    else:
        return _detail_page(ticket, form), 400
    return redirect(url_for(".detail", ticket_id=ticket.id))


@ticket_route("/<int:ticket_id>/close", methods=["POST"])
def close(ticket_id):
    return _customer_state_change(_ticket(ticket_id), TicketState.CLOSED, _("Closed. Thank you."))


@ticket_route("/<int:ticket_id>/reopen", methods=["POST"])
@action_limit("reply")
def reopen(ticket_id):
    ticket = _ticket(ticket_id)
    if not tickets.may_reopen(ticket):
        flash(_("It can no longer be re-opened. Please send a new one."), "warning")
        return redirect(url_for(".detail", ticket_id=ticket.id))
    return _customer_state_change(ticket, TicketState.IN_PROGRESS, _("Re-opened. We will get back to you."))


@ticket_route("/<int:ticket_id>/attachments/<int:attachment_id>")
def attachment(ticket_id, attachment_id):
    ticket = _ticket(ticket_id)
    found = db.session.get(TicketAttachment, attachment_id)
    if found is None or found.ticket_id != ticket.id or not tickets.customer_may_download(found):
        abort(404)
    return send_stored_file(found.file)


def _customer_state_change(ticket: Ticket, state: str, message: str):
    if ConfirmForm().validate_on_submit():
        try:
            tickets.change_state(ticket, state, customer=acting_user())
        except tickets.ImpossibleTransition:
            flash(_("This cannot be done now."), "warning")
        else:
            db.session.commit()
            flash(message, "success")
    return redirect(url_for(".detail", ticket_id=ticket.id))


def _detail_page(ticket: Ticket, reply_form: ReplyForm):
    attachments = db.session.scalars(select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id)).all()
    return _render("tickets/detail.html", ticket=ticket, entries=tickets.customer_entries(ticket),
                   attachments=[a for a in attachments if tickets.customer_may_download(a)],
                   reply_form=reply_form, confirm_form=ConfirmForm(), may_reply=tickets.may_reply(ticket),
                   may_reopen=tickets.may_reopen(ticket))


def _topics() -> dict[int, str]:
    """Request types or service categories by id: the filter's choices and the list's column."""
    model = RequestType if _kind() == TicketKind.REQUEST else ServiceCategory
    return dict(db.session.execute(select(model.id, model.name).order_by(model.name)).tuples().all())


def _filtered(topics: dict[int, str]):
    kind = _kind()
    form = TicketFilterForm(request.args)
    form.topic.label.text = _("Type of request") if kind == TicketKind.REQUEST else _("What is it about")
    form.topic.choices = [("", _("All"))] + [(str(id_), name) for id_, name in topics.items()]
    if kind == TicketKind.SERVICE:
        points = db.session.scalars(visible(SupplyPoint).order_by(SupplyPoint.identifier)).all()
        form.supply_point.choices = [("", _("All"))] + [(str(p.id), p.identifier) for p in points]
    else:
        del form.supply_point
    query = visible(Ticket, Ticket.kind == kind)
    if form.validate():
        if form.state.data in FILTERS:
            query = query.where(Ticket.state.in_(FILTERS[form.state.data]))
        if form.topic.data:
            column = Ticket.request_type_id if kind == TicketKind.REQUEST else Ticket.service_category_id
            query = query.where(column == int(form.topic.data))
        if kind == TicketKind.SERVICE and form.supply_point.data:
            query = query.where(Ticket.supply_point_id == int(form.supply_point.data))
        if form.search.data and form.search.data.strip():
            query = query.where(_matches(form.search.data.strip()))
    return form, query


def _matches(words: str):
    """A ticket whose subject contains the words, or whose number they are ("S-000042", "42")."""
    condition = Ticket.subject.icontains(words, autoescape=True)
    number = re.fullmatch(r"[SZsz]?-?0*(\d{1,9})", words)
    return or_(condition, Ticket.id == int(number.group(1))) if number else condition


def _new_form(kind: str):
    if kind == TicketKind.REQUEST:
        form = RequestForm()
        form.request_type.choices = [(t.id, t.name) for t in db.session.scalars(
            select(RequestType).where(RequestType.active.is_(True)).order_by(RequestType.name))]
        return form
    form = ServiceForm()
    form.service_category.choices = [(c.id, c.name) for c in db.session.scalars(
        select(ServiceCategory).where(ServiceCategory.active.is_(True)).order_by(ServiceCategory.name))]
    form.supply_point.choices = [(0, _("— not about one supply point —"))] + [
        (p.id, f"{p.identifier} – {p.address}")
        for p in db.session.scalars(visible(SupplyPoint).order_by(SupplyPoint.identifier))]
    return form
