"""Writing messages to customers and following them: counts and lists of delivered,
read and not yet, and a delivery note PDF per recipient."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from admin_views.security import StaffAccessMixin
from extensions import db
from forms.messaging import MessageForm
from models.messaging import Message, MessageAudience, MessageRecipient
from models.users import StaffRole, Team
from services.messaging import delivery_note, messages
from web.bad_input import page_number
from web.downloads import send_bytes

PAGE_SIZE = 50
FILTERS = {  # the report's tabs; it opens on all recipients
    "all": MessageRecipient.id.is_not(None),
    "delivered": MessageRecipient.delivered_at.is_not(None),
    "read": MessageRecipient.read_at.is_not(None),
    "not_delivered": MessageRecipient.delivered_at.is_(None),
    "unread": MessageRecipient.read_at.is_(None),
}


class MessageDesk(StaffAccessMixin, BaseView):
    roles = (StaffRole.CLERK,)

    @expose("/")
    def index(self):
        page = page_number()
        sent = db.session.execute(
            select(Message, func.count(MessageRecipient.id), func.count(MessageRecipient.delivered_at),
                   func.count(MessageRecipient.read_at))
            .outerjoin(MessageRecipient, MessageRecipient.message_id == Message.id)
            .group_by(Message.id).order_by(Message.sent_at.desc(), Message.id.desc())
            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        ).all()
        return self.render("admin/messages.html", sent=sent, page=page)

    @expose("/new", methods=["GET", "POST"])
    def new(self):
        me = current_user._get_current_object()
        form = MessageForm()
        form.team.choices = [(t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.name))]
        if request.method == "GET" and me.teams:
            form.team.data = me.teams[0].id
        if form.validate_on_submit():
            numbers, junk = messages.parse_numbers(form.numbers.data) if form.audience.data == MessageAudience.LIST else ([], [])
            if junk:
                form.numbers.errors.append(_("These are not customer numbers: %(items)s", items=", ".join(junk[:20])))
            else:
                try:
                    ids = messages.recipient_ids(form.audience.data, customer_number=(form.customer_number.data or "").strip(),
                                                 segment=form.segment.data, numbers=numbers)
                except messages.UnknownCustomers as unknown:
                    field = form.customer_number if form.audience.data == MessageAudience.CUSTOMER else form.numbers
                    field.errors.append(_("No customer has these numbers: %(items)s",
                                          items=", ".join(unknown.numbers[:20])))
                else:
                    message = Message(subject=form.subject.data.strip(), body=form.body.data.strip(), author=me,
                                      team_id=form.team.data, audience=form.audience.data,
                                      segment=form.segment.data if form.audience.data == MessageAudience.SEGMENT else None,
                                      attachment=form.stored_attachment)
                    count = messages.send(message, ids)
                    db.session.commit()
                    flash(_("The message is on its way to %(count)s customers.", count=count), "success")
                    return redirect(url_for(".report", message_id=message.id))
        return self.render("admin/message_new.html", form=form)

    @expose("/<int:message_id>")
    def report(self, message_id):
        message = db.session.get(Message, message_id) or abort(404)
        shown = request.args.get("show", "all")
        shown = shown if shown in FILTERS else "all"
        page = page_number()
        recipients = db.session.scalars(
            select(MessageRecipient).where(MessageRecipient.message_id == message.id, FILTERS[shown])
            .options(joinedload(MessageRecipient.customer)).order_by(MessageRecipient.id)
            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        ).all()
        return self.render("admin/message_report.html", message=message, counts=messages.counts(message),
                           recipients=recipients, shown=shown, page=page)

    @expose("/<int:message_id>/recipients/<int:recipient_id>/delivery-note.pdf")
    def delivery_note(self, message_id, recipient_id):
        recipient = db.session.get(MessageRecipient, recipient_id)
        if recipient is None or recipient.message_id != message_id:
            abort(404)
        return send_bytes(delivery_note.render(recipient), "application/pdf",
                          f"dorucenka-{message_id}-{recipient.customer.number}.pdf")


def register(admin, db_):
    admin.add_view(MessageDesk(name=_l("Write and follow messages"), endpoint="bo_message_desk", url="message-desk",
                               category=_l("Communication")))
