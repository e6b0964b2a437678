from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from forms.profile import NewPasswordMixin


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
