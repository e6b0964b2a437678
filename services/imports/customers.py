"""Customers from the CRM, keyed by customer number."""
from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models.customers import Customer, CustomerKind, Segment
from services.accounts.invitations import add_access
from services.imports import cells
from services.imports.cells import RecordError, choice, optional, required
from services.metering.identifiers import is_valid_czech_account, is_valid_ico

KEY = "number"
FIELDS = ("number", "kind", "name", "company_id", "vat_id", "email", "phone", "street", "city", "postcode",
          "segment", "bank_account", "user_email", "user_name")


def parse(record: dict) -> dict:
    number = required(record, "number", 10)
    if not number.isdigit():
        raise RecordError("number", _l("A customer number has digits only."))
    kind = choice(record, "kind", CustomerKind, default=CustomerKind.HOUSEHOLD.value)
    company_id = optional(record, "company_id", 8)
    if Customer.missing_for_kind(kind, {"company_id": company_id}):
        raise RecordError("company_id", _l("A business customer needs an IČO."))
    if company_id is not None and kind != CustomerKind.BUSINESS:
        raise RecordError("company_id", _l("Only a business customer has an IČO."))
    if company_id is not None and not is_valid_ico(company_id):
        raise RecordError("company_id", _l("This IČO is not valid."))
    vat_id = optional(record, "vat_id", 12)
    if vat_id is not None and not re.fullmatch(r"CZ\d{8,10}", vat_id.upper()):
        raise RecordError("vat_id", _l("A Czech DIČ is CZ and 8 to 10 digits."))
    email = _email(required(record, "email", 254), "email")
    user_email = optional(record, "user_email", 254)
    postcode = cells.postcode(record, "postcode")
    bank_account = optional(record, "bank_account", 40)
    if bank_account is not None and not is_valid_czech_account(bank_account):
        raise RecordError("bank_account", _l("Not a valid Czech account number (e.g. 19-2000145399/0800)."))
    return {"number": number, "kind": kind, "name": required(record, "name", 200), "company_id": company_id,
            "vat_id": vat_id.upper() if vat_id else None, "email": email, "phone": optional(record, "phone", 20),
            "street": required(record, "street", 200), "city": required(record, "city", 100), "postcode": postcode,
            "segment": choice(record, "segment", Segment, default=Segment.HOUSEHOLD.value),
            "bank_account": bank_account,
            "user": None if user_email is None else
            (_email(user_email, "user_email"), optional(record, "user_name", 200) or required(record, "name", 200))}


def apply(values: dict) -> str:
    user = values.pop("user")
    customer = db.session.scalars(select(Customer).where(Customer.number == values["number"])).one_or_none()
    if customer is None:
        customer = Customer(**values)
        db.session.add(customer)
        outcome = "created"
    else:
        changed = {k: v for k, v in values.items() if getattr(customer, k) != v}
        for name, value in changed.items():
            setattr(customer, name, value)
        outcome = "updated" if changed else "unchanged"
    if user is not None:
        db.session.flush()
        # Invited, with no password: staff issue the credentials letter and e-mail from the back office.
        if add_access(customer.id, *user, account_admin=True) is not None and outcome == "unchanged":
            outcome = "updated"
    return outcome


def _email(text: str, field: str) -> str:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise RecordError(field, _l("Not a valid e-mail address.")) from None
