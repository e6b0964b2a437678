from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Email, Length

from services import labels


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
