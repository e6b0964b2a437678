from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Email, Length

from models.users import Module

MODULE_LABELS = {
    Module.ACCOUNT: _l("Account information"),
    Module.INVOICES: _l("Invoices and advances"),
    Module.SUPPLY_POINTS: _l("Supply points"),
    Module.READINGS: _l("Meter readings"),
    Module.REQUESTS: _l("Requests"),
    Module.SERVICE: _l("Service"),
    Module.MESSAGES: _l("Messages"),
    Module.CHANGES: _l("Change requests"),
    Module.DOCUMENTS: _l("Documents"),
    Module.PRICE_LISTS: _l("Price lists"),
}


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RightsForm(FlaskForm):
    modules = CheckboxesField(_l("May use"), choices=[(m.value, label) for m, label in MODULE_LABELS.items()])
    supply_points = CheckboxesField(_l("Only these supply points (none ticked: all)"), coerce=int, choices=[])
    is_account_admin = BooleanField(_l("Administrator of the account (may manage users)"))


class InviteForm(RightsForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("Enter the e-mail address.")), Email(_l("Enter a valid e-mail address.")), Length(max=254)])
