from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from models.billing import InvoiceKind, InvoiceState

KIND_LABELS = {InvoiceKind.SETTLEMENT: _l("Settlement"), InvoiceKind.ADVANCE: _l("Advance invoice"),
               InvoiceKind.CREDIT_NOTE: _l("Credit note")}
STATE_LABELS = {InvoiceState.UNPAID: _l("unpaid"), InvoiceState.PARTLY_PAID: _l("partly paid"),
                InvoiceState.PAID: _l("paid"), InvoiceState.OVERDUE: _l("overdue"),
                InvoiceState.CANCELLED: _l("cancelled")}
SORTS = {"newest": _l("Newest first"), "oldest": _l("Oldest first"), "amount": _l("Highest amount first")}


class InvoiceFilterForm(FlaskForm):
    """Filters in the URL (GET), so a filtered list can be bookmarked and exported."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(2000, 2100, _l("Enter a year like 2025."))])
    kind = SelectField(_l("Kind"), choices=[("", _l("All"))] + list(KIND_LABELS.items()), validators=[Optional()])
    state = SelectField(_l("State"), choices=[("", _l("All"))] + list(STATE_LABELS.items()), validators=[Optional()])
    supply_point = SelectField(_l("Supply point"), choices=[], validators=[Optional()])
    sort = SelectField(_l("Sort"), choices=list(SORTS.items()), default="newest", validators=[Optional()])
