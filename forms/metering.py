"""Forms of the metering area: a self-reading, its review and a meter exchange."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, MonthField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from models.metering import ReadingReason
from services import labels
from web.uploads import IMAGE_TYPES, stored_file_from_upload


class ReadingForm(FlaskForm):
    read_on = DateField(_l("Reading date"), default=date.today,
                        validators=[InputRequired(_l("Enter the date of the reading."))])
    reason = SelectField(_l("Reason"), choices=list(labels.READING_REASONS.items()), default=ReadingReason.PERIODIC)
    photo = FileField(_l("Photo of the meter (PNG or JPEG, optional)"))
    # Shown only when a value is far above the usual consumption.
    confirm_unusual = BooleanField(_l("I have checked the value: it is right"))

    stored_photo = None

    def validate_photo(self, field):
        if field.data and getattr(field.data, "filename", ""):
            self.stored_photo = stored_file_from_upload(field.data, IMAGE_TYPES)

    def register_fields(self):
        return [f for name, f in self._fields.items() if name.startswith("register_")]

    def values(self) -> dict[int, int]:
        return {int(f.name.removeprefix("register_")): f.data for f in self.register_fields()}


def reading_form_for(meter, labels: dict[int, str]) -> ReadingForm:
    """A ReadingForm with a field `register_<id>` for each register of the meter."""
    class MeterReadingForm(ReadingForm):
        pass

    for register in meter.registers:
        setattr(MeterReadingForm, f"register_{register.id}", IntegerField(labels[register.id], validators=[
            InputRequired(_l("Enter the value shown by the meter, in whole units.")),
            NumberRange(min=0, message=_l("The value cannot be negative.")),
            NumberRange(max=999_999_999, message=_l("A meter shows at most 999 999 999.")),
        ]))
    return MeterReadingForm()


class ReadingDecisionForm(FlaskForm):
    reason = TextAreaField(_l("Reason the customer will see (needed to reject)"), validators=[Length(max=500)])


class MeterExchangeForm(FlaskForm):
    removed_on = DateField(_l("Exchanged on"), validators=[InputRequired(_l("Enter the date of the exchange."))])
    serial_number = StringField(_l("Serial number of the new meter"), validators=[
        DataRequired(_l("Enter the serial number.")), Length(max=40)])

    def values(self, prefix: str) -> dict:
        return {name.removeprefix(prefix): f.data for name, f in self._fields.items() if name.startswith(prefix)}


def meter_exchange_form_for(meter) -> MeterExchangeForm:
    """Final readings of the old meter's registers and first readings of the new meter's."""
    class Form(MeterExchangeForm):
        pass

    for register in meter.registers:
        for prefix, label in (("final_", _l("Final reading of the old meter")),
                              ("initial_", _l("First reading of the new meter"))):
            key = register.id if prefix == "final_" else register.code
            setattr(Form, f"{prefix}{key}", IntegerField(f"{label} – {register.code} ({register.unit})", validators=[
                InputRequired(_l("Enter the value, in whole units.")),
                NumberRange(min=0, message=_l("The value cannot be negative.")),
                NumberRange(max=999_999_999, message=_l("A meter shows at most 999 999 999."))]))
    return Form()


class ConsumptionPeriodForm(FlaskForm):
    """The month and the day of the interval-data charts, in the URL (GET) so that a chart can be
    bookmarked; a value the form refuses leaves the page on the latest data."""

    class Meta:
        csrf = False

    month = MonthField(_l("Month"), validators=[Optional()])
    day = DateField(_l("Day"), validators=[Optional()])

    def validate_month(self, field):
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Choose a month between 2000 and 2100."))

    def validate_day(self, field):
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Choose a day between 2000 and 2100."))
