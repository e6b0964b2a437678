"""One definition per kind of field the portal and the back office both take (IČO, DIČ, bank
account, e-mail, phone, postcode, EAN / EIC): a WTForms validator that checks the value with the
domain's rule (services/metering/identifiers.py), puts it in its stored form and says what is
wrong next to the field in the user's language (a plain text: Flask-Admin's templates show
no lazy one). The portal's forms list them by hand; the back
office finds them through the model column's `info={"check": NAME}` (admin_views/base.py)."""
from __future__ import annotations

import re

import phonenumbers
from flask_babel import gettext as _
from stdnum import iban
from wtforms.validators import Email, ValidationError

from models.metering import Commodity
from services.metering.identifiers import (
    commodity_of,
    is_valid_czech_account,
    is_valid_dic,
    is_valid_ean,
    is_valid_eic,
    is_valid_ico,
)


def _text(field) -> str:
    return (field.data or "").strip()


def ico(form, field) -> None:
    field.data = _text(field).replace(" ", "") or None
    if field.data and not is_valid_ico(field.data):
        raise ValidationError(_("This IČO is not valid: 8 digits with a correct check digit."))


def dic(form, field) -> None:
    field.data = _text(field).replace(" ", "").upper() or None
    if field.data and not is_valid_dic(field.data):
        raise ValidationError(_("A DIČ is CZ and 8 to 10 digits."))


def bank_account(form, field) -> None:
    value = _text(field).upper().replace(" ", "")
    if not value:
        field.data = None
    elif value[:2].isalpha():
        if not iban.is_valid(value):
            raise ValidationError(_("This IBAN is not valid: check the letters, digits and check digits."))
        field.data = iban.format(value)
    elif is_valid_czech_account(value):
        field.data = value
    else:
        raise ValidationError(_("This account number is not valid: use [prefix-]number/bank code, "
                                 "e.g. 19-2000145399/0800."))


def email(form, field) -> None:
    field.data = _text(field) or None
    if field.data:
        Email(_("Enter a valid e-mail address."))(form, field)


def phone(form, field) -> None:
    if not _text(field):
        field.data = None
        return
    try:
        number = phonenumbers.parse(_text(field), "CZ")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("This is not a phone number.")) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This is not a valid phone number."))
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def postcode(form, field) -> None:
    """`110 00` or `11000`, stored as five digits."""
    field.data = _text(field).replace(" ", "") or None
    if field.data and not re.fullmatch(r"\d{5}", field.data):
        raise ValidationError(_("A Czech postcode has five digits, e.g. 110 00."))


def supply_point_identifier(form, field) -> None:
    """An EIC for gas, an EAN for electricity (the form's commodity field says which; without
    one, either), with its check digit or character."""
    field.data = _text(field).replace(" ", "").upper() or None
    if not field.data:
        return
    commodity = getattr(getattr(form, "commodity", None), "data", None)
    if commodity == Commodity.GAS or (commodity is None and commodity_of(field.data) == Commodity.GAS):
        if not is_valid_eic(field.data):
            raise ValidationError(_("This is not a valid EIC: 16 characters with a correct check character."))
    elif not is_valid_ean(field.data):
        raise ValidationError(_("This is not a valid EAN: 18 digits with a correct check digit."))


CHECKS = {"ico": ico, "dic": dic, "bank_account": bank_account, "email": email, "phone": phone,
          "postcode": postcode, "supply_point_identifier": supply_point_identifier}
