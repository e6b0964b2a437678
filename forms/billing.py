"""Forms of the billing area: the invoice filter, a new advance amount, cancelling an invoice, an
unmatched bank transaction assigned to a customer or returned, a payment entered by billing staff
and reversed, and a payment's rest assigned to an invoice or advance."""
from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import TextInput

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


# A date as Czech staff type it: 7. 12. 2026, 7.12.2026, or 2026-12-07.
_CZECH_DATE = re.compile(r"(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# What a Money column (NUMERIC(12, 2)) holds.
MAX_AMOUNT = Decimal("9999999999.99")


def parse_date(text: str) -> date | None:
    """The day `text` names in the Czech (7. 12. 2026) or ISO (2026-12-07) form; None for anything else."""
    text = text.strip()
    if found := _CZECH_DATE.fullmatch(text):
        day, month, year = (int(part) for part in found.groups())
    elif found := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in found.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_amount(text: str) -> Decimal | None:
    """An amount as typed: 1 234,50 or 1234.50 (with or without Kč); None when it is not a number
    of whole hellers."""
    text = re.sub(r"(?i)\s|kč|czk", "", text.replace("\xa0", ""))
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


class CzechDateField(Field):
    """A day typed as 7. 12. 2026, 7.12.2026 or 2026-12-07; shown back as typed, or in the Czech form."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data.day}. {self.data.month}. {self.data.year}" if self.data else ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = parse_date(valuelist[0])
        if self.data is None:
            raise ValueError(_l("Enter the date as 7. 12. 2026 or 2026-12-07."))


class AmountField(Field):
    """An amount in CZK typed as 1 234,50 or 1234.50, more than zero and at most what the books hold."""

    widget = TextInput()

    def _value(self):
        return self.raw_data[0] if self.raw_data else (str(self.data) if self.data is not None else "")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = parse_amount(valuelist[0])
        if self.data is None:
            raise ValueError(_l("Enter the amount in CZK, e.g. 1 234,50."))
        if self.data <= 0:
            raise ValueError(_l("The amount must be more than zero."))
        if self.data > MAX_AMOUNT:
            raise ValueError(_l("Enter a smaller amount."))


_DIGITS = r"^\s*\d{1,10}\s*$"


class PaymentForm(FlaskForm):
    """A payment billing staff enter: whose (by customer number, or the variable symbol of the
    customer's invoice or advance), when, how much, and the bank's reference if there is one."""

    customer_number = StringField(_l("Customer number"), validators=[
        Optional(), Regexp(_DIGITS, message=_l("A customer number has digits only, at most 10."))])
    variable_symbol = StringField(_l("Variable symbol"), validators=[
        Optional(), Regexp(_DIGITS, message=_l("A variable symbol has digits only, at most 10."))])
    received_on = CzechDateField(_l("Received on (e.g. 7. 12. 2026)"), validators=[
        InputRequired(_l("Enter the day the payment was received."))])
    amount = AmountField(_l("Amount (CZK)"), validators=[InputRequired(_l("Enter the amount."))])
    reference = StringField(_l("Bank reference (optional)"), validators=[Optional(), Length(max=100)])
    customer = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        number = (self.customer_number.data or "").strip()
        symbol = (self.variable_symbol.data or "").strip()
        if self.customer_number.errors or self.variable_symbol.errors:
            return False
        if not number and not symbol:
            self.customer_number.errors.append(_l("Enter the customer number or the variable symbol."))
            return False
        if number:
            self.customer = bank_transactions.customer_by_number(number)
            if self.customer is None:
                self.customer_number.errors.append(_l("No customer has the number %(number)s.", number=number))
                return False
        else:
            customer_id = bank_transactions.customer_for_symbol(symbol)
            if customer_id is None:
                self.variable_symbol.errors.append(_l(
                    "No single customer has an invoice or advance with the variable symbol %(symbol)s: "
                    "enter the customer number.", symbol=symbol))
                return False
            self.customer = bank_transactions.customer_by_id(customer_id)
        return valid

    def validate_received_on(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(_l("A payment cannot be received in the future."))
        if field.data and field.data.year < 2000:
            raise ValidationError(_l("Enter a day of this century."))

    def validate_reference(self, field):
        field.data = (field.data or "").strip() or None
        if field.data and bank_transactions.known(field.data) is not None:
            raise ValidationError(_l("A payment or bank transaction with this reference is already recorded."))


class ReversePaymentForm(FlaskForm):
    reason = TextAreaField(_l("Why the payment is reversed"), validators=[
        DataRequired(_l("Say why the payment is reversed.")), Length(max=500)])


class AssignRestForm(FlaskForm):
    """The customer's invoice or advance a payment's rest pays (choices set by the view)."""

    target = SelectField(_l("Invoice or advance"), choices=[], validate_choice=False)

    def validate_target(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the customer's open invoices or advances."))
