"""Forms of the accounts area: signing in (customers and staff), the second factor, passwords,
activation with the first credentials, the account administrator's users and rights, and the
person's notices of new documents."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from models.users import DocumentNotices
from services import labels


class SignInForm(FlaskForm):
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


class NewPasswordMixin:
    """A new password typed twice; the rules of services.accounts.passwords are checked by the
    view, which knows the account the password must not be derived from."""

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a new password.")), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Type the new password again.")),
                    EqualTo("new_password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )

    def check_rules(self, user) -> bool:
        from services.accounts.passwords import password_problems

        problems = password_problems(self.new_password.data or "", email=user.email, name=user.name,
                                     customer_number=getattr(getattr(user, "customer", None), "number", ""))
        self.new_password.errors = list(self.new_password.errors) + problems
        return not problems


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ForgottenPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code from the app or a recovery code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text"},
    )


class EnableTwoFactorForm(FlaskForm):
    code = StringField(
        _l("Code shown in the app"),
        validators=[DataRequired(_l("Enter the six-digit code from the app.")), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    # Asked again: someone at an unattended signed-in computer must not lock the owner out.
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ActivationForm(NewPasswordMixin, FlaskForm):
    customer_number = StringField(
        _l("Customer number"),
        validators=[DataRequired(_l("Enter your customer number.")), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    part1 = StringField(
        _l("Part 1 of the code (from the letter)"),
        validators=[DataRequired(_l("Enter part 1 of the code from the letter.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    part2 = StringField(
        _l("Part 2 of the code (from the e-mail)"),
        validators=[DataRequired(_l("Enter part 2 of the code from the e-mail.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RightsForm(FlaskForm):
    modules = CheckboxesField(_l("May use"), choices=[(m.value, label) for m, label in labels.MODULES.items()])
    supply_points = CheckboxesField(_l("Only these supply points (none ticked: all)"), coerce=int, choices=[])
    is_account_admin = BooleanField(_l("Administrator of the account (may manage users)"))


class InviteForm(RightsForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("Enter the e-mail address.")), Email(_l("Enter a valid e-mail address.")), Length(max=254)])


class NoticePreferencesForm(FlaskForm):
    """E-mails about new documents (every one / none) and the invoice PDF attached to them; the
    field names are PortalUser's columns, so the form shows what is saved."""

    document_notices = RadioField(
        _l("New invoices, advance schedules, price lists and messages"),
        choices=[(value.value, label) for value, label in labels.DOCUMENT_NOTICES.items()],
        validate_choice=False,
        validators=[InputRequired(_l("Choose whether to get these e-mails.")),
                    AnyOf([value.value for value in labels.DOCUMENT_NOTICES],
                          _l("Choose whether to get these e-mails."))],
    )
    invoice_pdf_by_email = BooleanField(_l("Attach the invoice PDF to the e-mail (invoice by e-mail)"))

    def validate_invoice_pdf_by_email(self, field):
        if field.data and self.document_notices.data == DocumentNotices.NONE:
            raise ValidationError(_l("The invoice PDF comes with the e-mail about the invoice: choose an e-mail "
                                     "about every new document to get it."))
