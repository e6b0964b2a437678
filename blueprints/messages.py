"""Messages: the inbox (listing a message marks it delivered), the message page (opening
it marks it read), its attachment, and a reply that reaches the author's team as a request."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from extensions import db
from forms.tickets import ReplyForm
from models.messaging import Message, MessageRecipient
from models.tickets import Priority, Ticket, TicketKind
from services.access import acting_user, visible, visible_or_404
from services.messaging import messages
from services.tickets import routing, workflow as tickets
from web.bad_input import page_number
from web.downloads import send_stored_file
from web.limits import action_limit
from web.paging import paginate
from web.portal_blueprint import PortalBlueprint

bp = PortalBlueprint("messages", __name__, url_prefix="/messages", module="messages")
PAGE_SIZE = 20


@bp.route("/")
def index():
    query = (visible(MessageRecipient).join(Message, Message.id == MessageRecipient.message_id)
             .options(joinedload(MessageRecipient.message))
             .order_by(Message.sent_at.desc(), MessageRecipient.id.desc()))
    listing = paginate(query, page_number(), PAGE_SIZE)
    messages.mark_listed_delivered(listing.items)
    db.session.commit()
    return render_template("messages/index.html", rows=listing.items, page=listing.page, pages=listing.pages)


@bp.route("/<int:recipient_id>")
def detail(recipient_id):
    recipient = visible_or_404(MessageRecipient, recipient_id)
    messages.record_read(recipient)
    db.session.commit()
    return render_template("messages/detail.html", recipient=recipient, message=recipient.message, form=ReplyForm())


@bp.route("/<int:recipient_id>/attachment")
def attachment(recipient_id):
    recipient = visible_or_404(MessageRecipient, recipient_id)
    if recipient.message.attachment is None:
        abort(404)
    return send_stored_file(recipient.message.attachment)


@bp.route("/<int:recipient_id>/reply", methods=["POST"])
@action_limit("reply")
def reply(recipient_id):
    recipient = visible_or_404(MessageRecipient, recipient_id)
    message = recipient.message
    form = ReplyForm()
    if not form.validate_on_submit():
        return render_template("messages/detail.html", recipient=recipient, message=message, form=form), 400
    ticket = Ticket(kind=TicketKind.REQUEST, customer_id=recipient.customer_id, priority=Priority.NORMAL,
                    subject=f"Re: {message.subject}"[:200], text=form.body.data.strip())
    team = message.team if message.team_id else None
    tickets.submit(ticket, acting_user(), form.stored_files, team=team or routing.default_team())
    db.session.commit()
    flash(_("Your reply has been sent as request %(reference)s.", reference=ticket.reference), "success")
    return redirect(url_for(".detail", recipient_id=recipient.id))
