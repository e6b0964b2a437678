"""The staff's desk: my tasks, my team's tasks (by due time, overdue marked), the
service-level breaches for supervisors, and the ticket page where staff answer, ask,
write internal notes, change the state and reassign."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from admin_views.security import StaffAccessMixin
from extensions import db
from forms.tickets import ReassignForm, StaffReplyForm, StateForm
from models.base import utcnow
from models.tickets import Task, TaskState, TaskTopic, Ticket, TicketAttachment, TicketState
from models.users import StaffRole, StaffUser, Team, team_members
from services import labels
from services.tickets import workflow as tickets
from web.downloads import send_stored_file

QUEUE_SIZE = 200
BREACH_DAYS = 30


class TicketDesk(StaffAccessMixin, BaseView):
    roles = (StaffRole.CLERK, StaffRole.TECHNICIAN, StaffRole.BILLING)

    def _queue(self, *criteria):
        return db.session.scalars(
            select(Task).where(Task.state == TaskState.OPEN, *criteria)
            .options(selectinload(Task.assignee), selectinload(Task.team))
            .order_by(Task.due_at).limit(QUEUE_SIZE)
        ).all()

    def _me(self) -> StaffUser:
        return current_user._get_current_object()

    @expose("/")
    def index(self):
        return self.render("admin/tasks.html", tasks=self._queue(Task.assignee_id == self._me().id), now=utcnow(),
                           heading=_("My tasks"), tab="mine")

    @expose("/team")
    def team(self):
        my_teams = select(team_members.c.team_id).where(team_members.c.staff_user_id == self._me().id)
        return self.render("admin/tasks.html", tasks=self._queue(Task.team_id.in_(my_teams)), now=utcnow(),
                           heading=_("My team's tasks"), tab="team")

    @expose("/breaches")
    def breaches(self):
        me = self._me()
        if not (me.is_supervisor or me.role == StaffRole.ADMINISTRATOR):
            abort(403)
        now = utcnow()
        late = db.session.scalars(
            select(Task).where(or_(
                (Task.state == TaskState.OPEN) & (Task.due_at < now),
                (Task.state == TaskState.DONE) & (Task.done_at > Task.due_at)
                & (Task.done_at >= now - timedelta(days=BREACH_DAYS)),
            )).options(selectinload(Task.assignee), selectinload(Task.team)).order_by(Task.due_at).limit(QUEUE_SIZE)
        ).all()
        return self.render("admin/tasks.html", tasks=late, now=now, heading=_("Service-level breaches"), tab="breaches",
                           breaches=True)

    @expose("/open/<int:task_id>")
    def open_task(self, task_id):
        task = db.session.get(Task, task_id) or abort(404)
        if task.topic == TaskTopic.TICKET:
            return redirect(url_for(".ticket", ticket_id=task.topic_id))
        if task.topic == TaskTopic.CHANGE_REQUEST:
            return redirect(url_for("bo_change_queue.review", request_id=task.topic_id))
        abort(404)

    @expose("/ticket/<int:ticket_id>", methods=["GET", "POST"])
    def ticket(self, ticket_id):
        ticket = db.session.get(Ticket, ticket_id) or abort(404)
        me = self._me()
        reply_form, state_form, reassign_form = StaffReplyForm(), StateForm(), ReassignForm()
        # The select starts at the state the ticket is in (one careless click changes nothing),
        # then where it may go, in the workflow's order.
        current = TicketState(ticket.state)
        state_form.state.choices = [(current.value, _("%(state)s (current state)",
                                                      state=labels.TICKET_STATES_FOR_STAFF[current]))] + [
            (s.value, labels.TICKET_STATES_FOR_STAFF[s]) for s in TicketState if s in tickets.TRANSITIONS[current]]
        if state_form.state.data is None:
            state_form.state.data = current.value
        reassign_form.team.choices = [(t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.name))]
        reassign_form.person.choices = [(0, "—")] + [(p.id, p.name) for p in db.session.scalars(
            select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name))]
        action = request.form.get("action")
        if action == "reply" and reply_form.validate_on_submit():
            body = reply_form.body.data.strip()
            if reply_form.internal.data:
                tickets.internal_note(ticket, me, body, reply_form.stored_files)
            elif not tickets.may_reply(ticket):
                flash(_("The ticket is closed."), "error")
                return redirect(url_for(".ticket", ticket_id=ticket.id))
            else:
                tickets.staff_reply(ticket, me, body, reply_form.stored_files, ask=reply_form.ask.data)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".ticket", ticket_id=ticket.id))
        if action == "state" and state_form.validate_on_submit():
            if state_form.state.data == ticket.state:
                flash(_("The ticket stays in its state."), "info")
                return redirect(url_for(".ticket", ticket_id=ticket.id))
            try:
                tickets.change_state(ticket, state_form.state.data, staff=me)
            except tickets.ImpossibleTransition:
                flash(_("The ticket cannot go to that state from its current one."), "error")
            else:
                db.session.commit()
                flash(_("Saved."), "success")
            return redirect(url_for(".ticket", ticket_id=ticket.id))
        if action == "reassign" and reassign_form.validate_on_submit():
            tickets.reassign(ticket, me, db.session.get(Team, reassign_form.team.data),
                             db.session.get(StaffUser, reassign_form.person.data) if reassign_form.person.data else None)
            db.session.commit()
            flash(_("Reassigned."), "success")
            return redirect(url_for(".ticket", ticket_id=ticket.id))
        attachments = db.session.scalars(select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id)).all()
        return self.render("admin/ticket.html", ticket=ticket, task=tickets.open_task(ticket), attachments=attachments,
                           reply_form=reply_form, state_form=state_form, reassign_form=reassign_form, now=utcnow(),
                           state_labels=labels.TICKET_STATES_FOR_STAFF, event_labels=labels.TICKET_EVENTS,
                           priority_labels=labels.TICKET_PRIORITIES)

    @expose("/ticket/<int:ticket_id>/attachments/<int:attachment_id>")
    def attachment(self, ticket_id, attachment_id):
        found = db.session.get(TicketAttachment, attachment_id)
        if found is None or found.ticket_id != ticket_id:
            abort(404)
        return send_stored_file(found.file)


def register(admin, db_):
    admin.add_view(TicketDesk(name=_l("My tasks"), endpoint="bo_ticket_desk", url="desk", category=_l("Work")))
