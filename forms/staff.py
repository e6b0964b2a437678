from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange


class StaffSignInForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


class StaffCodeForm(FlaskForm):
    code = StringField(
        _l("Code shown in the app"),
        validators=[DataRequired(_l("Enter the six-digit code from the app.")), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class CancelInvoiceForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the correction (printed on the credit note)"), validators=[
        DataRequired(_l("Say why the invoice is cancelled.")), Length(max=500)])


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
