"""Forms of the billing area: the invoice filter, a new advance amount, cancelling an invoice, and an
unmatched bank transaction assigned to a customer or returned."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from services import labels
from services.billing import bank_transactions

SORTS = {"newest": _l("Newest first"), "oldest": _l("Oldest first"), "amount": _l("Highest amount first")}


class InvoiceFilterForm(FlaskForm):
    """Filters in the URL (GET), so a filtered list can be bookmarked and exported."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(2000, 2100, _l("Enter a year like 2025."))])
    kind = SelectField(_l("Kind"), choices=[("", _l("All"))] + list(labels.INVOICE_KINDS.items()), validators=[Optional()])
    state = SelectField(_l("State"), choices=[("", _l("All"))] + list(labels.INVOICE_STATES.items()), validators=[Optional()])
    supply_point = SelectField(_l("Supply point"), choices=[], validators=[Optional()])
    sort = SelectField(_l("Sort"), choices=list(SORTS.items()), default="newest", validators=[Optional()])


class AdvanceAmountForm(FlaskForm):
    """A new advance amount in whole crowns, not below the fixed charges (`minimum`,
    set by the view from the recommendation)."""

    amount = DecimalField(_l("New advance amount (CZK)"), places=0, rounding=ROUND_HALF_UP, validators=[
        InputRequired(_l("Enter the amount.")),
        NumberRange(0, 1_000_000, _l("Enter an amount between 0 and 1 000 000 CZK.")),
    ])
    reason = TextAreaField(_l("Note for us (optional)"), validators=[Optional(), Length(max=1000)])
    minimum = Decimal(0)

    def validate_amount(self, field):
        if field.data is not None and field.data != field.data.to_integral_value():
            raise ValidationError(_l("Enter whole crowns."))
        if field.data is not None and field.data < self.minimum:
            raise ValidationError(_l("The advance cannot be lower than the fixed monthly charges, %(minimum)s CZK.",
                                     minimum=self.minimum))


class CancelInvoiceForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the correction (printed on the credit note)"), validators=[
        DataRequired(_l("Say why the invoice is cancelled.")), Length(max=500)])


class AssignBankTransactionForm(FlaskForm):
    """The customer an unmatched bank transaction belongs to, by customer number (as the payer
    or the customer says it), and the variable symbol it should have carried."""

    customer_number = StringField(_l("Customer number"), validators=[
        DataRequired(_l("Enter the customer number.")),
        Regexp(r"^\s*\d{1,10}\s*$", message=_l("A customer number has digits only, at most 10."))])
    variable_symbol = StringField(_l("Variable symbol of the invoice or advance it pays (optional)"), validators=[
        Optional(), Regexp(r"^\s*\d{1,10}\s*$", message=_l("A variable symbol has digits only, at most 10."))])
    customer = None

    def validate_customer_number(self, field):
        self.customer = bank_transactions.customer_by_number(field.data)
        if self.customer is None:
            raise ValidationError(_l("No customer has the number %(number)s.", number=field.data.strip()))


class ReturnBankTransactionForm(FlaskForm):
    reason = TextAreaField(_l("Why the payment goes back to its sender"), validators=[
        DataRequired(_l("Say why the payment is returned.")), Length(max=500)])
