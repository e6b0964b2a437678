"""Forms of requests and service tickets, the conversation and the staff desk."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from models.tickets import Priority
from services import labels
from web.uploads import stored_file_from_upload


def one_line(value):
    """A text input holds one line, but a crafted POST can send line breaks, and the subject
    goes into e-mail subjects (a header): every run of white space becomes one space."""
    return " ".join(value.split()) if isinstance(value, str) else value


class AttachmentsMixin:
    """Up to TICKET_MAX_ATTACHMENTS files, each checked by content and size."""

    attachments = MultipleFileField(_l("Attachments (PDF, PNG or JPEG, optional)"))
    stored_files: list | tuple = ()

    def validate_attachments(self, field):
        uploads = [f for f in (field.data or []) if getattr(f, "filename", "")]
        limit = current_app.config["TICKET_MAX_ATTACHMENTS"]
        if len(uploads) > limit:
            raise ValidationError(_l("Attach at most %(count)s files.", count=limit))
        self.stored_files = [stored_file_from_upload(upload) for upload in uploads]


class TicketFilterForm(FlaskForm):
    """The list's filters, in the URL (GET) so that a filtered list can be bookmarked.
    The view fills the topics (request types or service categories) and supply points."""

    class Meta:
        csrf = False

    search = StringField(_l("Number or words of the subject"), validators=[Optional(), Length(max=100)])
    state = SelectField(_l("State"), default="all", choices=[
        ("all", _l("All")), ("open", _l("Open")), ("done", _l("Resolved and closed"))])
    topic = SelectField(_l("Type"), choices=[], validators=[Optional()])
    supply_point = SelectField(_l("Supply point"), choices=[], validators=[Optional()])


class RequestForm(AttachmentsMixin, FlaskForm):
    request_type = SelectField(_l("Type of request"), coerce=int, validate_choice=True)
    subject = StringField(_l("Subject"), filters=[one_line],
                          validators=[DataRequired(_l("Write a short subject.")), Length(max=200)])
    text = TextAreaField(_l("Your request"), validators=[DataRequired(_l("Describe what you need.")), Length(max=5000)])


class ServiceForm(AttachmentsMixin, FlaskForm):
    service_category = SelectField(_l("What is it about"), coerce=int, validate_choice=True)
    supply_point = SelectField(_l("Supply point"), coerce=int, validate_choice=True)
    priority = SelectField(_l("Priority"), choices=list(labels.TICKET_PRIORITIES.items()), default=Priority.NORMAL)
    subject = StringField(_l("Subject"), filters=[one_line],
                          validators=[DataRequired(_l("Write a short subject.")), Length(max=200)])
    text = TextAreaField(_l("Description"), validators=[DataRequired(_l("Describe the problem.")), Length(max=5000)])


class ReplyForm(AttachmentsMixin, FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[DataRequired(_l("Write a message.")), Length(max=5000)])


class StaffReplyForm(AttachmentsMixin, FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(_l("Write a message.")), Length(max=5000)])
    ask = BooleanField(_l("This is a question: wait for the customer's answer"))
    internal = BooleanField(_l("Internal note (the customer never sees it)"))


class StateForm(FlaskForm):
    state = SelectField(_l("New state"), choices=[])


class ReassignForm(FlaskForm):
    team = SelectField(_l("Team"), coerce=int, choices=[])
    person = SelectField(_l("Person (optional)"), coerce=int, choices=[])
