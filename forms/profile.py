from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length


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


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


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
