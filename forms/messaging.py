"""The back office's form to write a message to one customer, a segment or a list."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from models.messaging import MessageAudience
from services import labels
from web.uploads import stored_file_from_upload


class MessageForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Write a subject.")), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Write the text.")), Length(max=5000)])
    attachment = FileField(_l("Attached document (PDF, PNG or JPEG, optional)"))
    audience = SelectField(_l("Send to"), choices=list(labels.MESSAGE_AUDIENCES.items()), default=MessageAudience.CUSTOMER)
    customer_number = StringField(_l("Customer number"), validators=[Optional(), Length(max=20)])
    segment = SelectField(_l("Segment"), choices=list(labels.SEGMENTS.items()), validators=[Optional()])
    numbers = TextAreaField(_l("Customer numbers (one per line, or separated by commas)"), validators=[Optional()])
    team = SelectField(_l("Replies go to the team"), coerce=int, choices=[])

    stored_attachment = None

    def validate_attachment(self, field):
        if field.data and getattr(field.data, "filename", ""):
            self.stored_attachment = stored_file_from_upload(field.data)

    def validate_customer_number(self, field):
        if self.audience.data == MessageAudience.CUSTOMER and not (field.data or "").strip():
            raise ValidationError(_l("Enter the customer number."))

    def validate_numbers(self, field):
        if self.audience.data == MessageAudience.LIST and not (field.data or "").strip():
            raise ValidationError(_l("Paste the customer numbers."))
