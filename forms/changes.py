"""Forms of the change requests: each validates its values and says what is wrong."""
from __future__ import annotations

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from stdnum import iban
from wtforms import EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from services.metering.identifiers import is_valid_czech_account, is_valid_ico
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
        DataRequired(_l("Enter the postcode.")),
        Regexp(r"^\d{3} ?\d{2}$", message=_l("A Czech postcode has five digits, e.g. 110 00."))])

    def validate_correspondence_postcode(self, field):
        field.data = field.data.replace(" ", "")


class PhoneChangeForm(ChangeForm):
    phone = StringField(_l("Phone"), validators=[DataRequired(_l("Enter the phone number.")), Length(max=30)],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})

    def validate_phone(self, field):
        try:
            number = phonenumbers.parse(field.data, "CZ")
        except phonenumbers.NumberParseException as error:
            raise ValidationError(_l("This is not a phone number.")) from error
        if not phonenumbers.is_valid_number(number):
            raise ValidationError(_l("This is not a valid phone number."))
        field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class EmailChangeForm(ChangeForm):
    needs_password = True
    email = EmailField(_l("New contact e-mail"), validators=[
        DataRequired(_l("Enter the new e-mail address.")), Email(_l("Enter a valid e-mail address.")),
        Length(max=254)])
    password = PasswordField(_l("Your password, to confirm it is you"), validators=[
        DataRequired(_l("Enter your password."))], render_kw={"autocomplete": "current-password"})


class BankAccountChangeForm(ChangeForm):
    needs_password = True
    bank_account = StringField(_l("Bank account (Czech account number or IBAN)"), validators=[
        DataRequired(_l("Enter the account number.")), Length(max=40)])
    password = PasswordField(_l("Your password, to confirm it is you"), validators=[
        DataRequired(_l("Enter your password."))], render_kw={"autocomplete": "current-password"})

    def validate_bank_account(self, field):
        value = field.data.strip().upper().replace(" ", "")
        if value[:2].isalpha():
            if not iban.is_valid(value):
                raise ValidationError(_l("This IBAN is not valid: check the letters, digits and check digits."))
            field.data = iban.format(value)
        elif is_valid_czech_account(value):
            field.data = value
        else:
            raise ValidationError(_l("This account number is not valid: use [prefix-]number/bank code, "
                                     "e.g. 19-2000145399/0800."))


class CompanyChangeForm(ChangeForm):
    name = StringField(_l("Company name"), validators=[DataRequired(_l("Enter the company name.")), Length(max=200)])
    company_id = StringField(_l("IČO"), validators=[DataRequired(_l("Enter the IČO."))])
    vat_id = StringField(_l("DIČ"), validators=[Optional(), Regexp(r"^CZ\d{8,10}$",
                                                                   message=_l("A DIČ is CZ and 8 to 10 digits."))])

    def validate_company_id(self, field):
        field.data = field.data.strip()
        if not is_valid_ico(field.data):
            raise ValidationError(_l("This IČO is not valid: 8 digits with a correct check digit."))


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
