"""Forms of the change requests: each validates its values and says what is wrong."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms import validators as checks
from web.uploads import stored_file_from_upload


class ChangeForm(FlaskForm):
    # Set on the preview page: the second post sends the request.
    confirmed = HiddenField()
    reason = TextAreaField(_l("Note for us (optional)"), validators=[Optional(), Length(max=1000)])

    needs_password = False

    def new_values(self) -> dict:
        return {name: field.data for name, field in self._fields.items()
                if name not in {"confirmed", "reason", "password", "csrf_token"}}


class AddressChangeForm(ChangeForm):
    correspondence_name = StringField(_l("Name on the envelope"), validators=[Optional(), Length(max=200)])
    correspondence_street = StringField(_l("Street and number"), validators=[
        DataRequired(_l("Enter the street and number.")), Length(max=200)])
    correspondence_city = StringField(_l("City"), validators=[DataRequired(_l("Enter the city.")), Length(max=100)])
    correspondence_postcode = StringField(_l("Postcode"), validators=[
        DataRequired(_l("Enter the postcode.")), checks.postcode])


class PhoneChangeForm(ChangeForm):
    phone = StringField(_l("Phone"), validators=[DataRequired(_l("Enter the phone number.")), Length(max=30),
                                                 checks.phone],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})


class EmailChangeForm(ChangeForm):
    needs_password = True
    email = EmailField(_l("New contact e-mail"), validators=[
        DataRequired(_l("Enter the new e-mail address.")), Length(max=254), checks.email])
    password = PasswordField(_l("Your password, to confirm it is you"), validators=[
        DataRequired(_l("Enter your password."))], render_kw={"autocomplete": "current-password"})


class BankAccountChangeForm(ChangeForm):
    needs_password = True
    bank_account = StringField(_l("Bank account (Czech account number or IBAN)"), validators=[
        DataRequired(_l("Enter the account number.")), Length(max=40), checks.bank_account])
    password = PasswordField(_l("Your password, to confirm it is you"), validators=[
        DataRequired(_l("Enter your password."))], render_kw={"autocomplete": "current-password"})


class CompanyChangeForm(ChangeForm):
    name = StringField(_l("Company name"), validators=[DataRequired(_l("Enter the company name.")), Length(max=200)])
    company_id = StringField(_l("IČO"), validators=[DataRequired(_l("Enter the IČO.")), checks.ico])
    vat_id = StringField(_l("DIČ"), validators=[Optional(), checks.dic])


class OtherChangeForm(ChangeForm):
    reason = TextAreaField(_l("What should change?"), validators=[
        DataRequired(_l("Describe the change.")), Length(max=2000)])
    attachment = FileField(_l("Attachment (PDF, PNG or JPEG, optional)"))

    stored_attachment = None

    def validate_attachment(self, field):
        if field.data and getattr(field.data, "filename", ""):
            self.stored_attachment = stored_file_from_upload(field.data)

    def new_values(self) -> dict:
        return {}


class DecisionForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(_l("Reason the customer will see"), validators=[Optional(), Length(max=1000)])
