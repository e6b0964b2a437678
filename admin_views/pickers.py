"""Pickers that scale: a form field for a customer, a supply point, a portal user (and what
hangs on them: a contract, a register, an advance schedule) is searched as one types
(Flask-Admin's form_ajax_refs), never a dropdown of every row. The search matches the start of
the number, identifier, name or e-mail and returns a short page. (On PostgreSQL, ILIKE 'term%'
still scans without a trigram or text_pattern_ops index: see issue 18's note.)"""
from __future__ import annotations

from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from extensions import db
from models.billing import AdvanceSchedule
from models.contracts import Contract
from models.customers import Customer
from models.metering import Meter, Register, SupplyPoint
from models.users import PortalUser
from web.bad_input import is_record_id

PAGE = 10
MAX_TERM = 100
PLACEHOLDERS = {
    Customer: _l("Type the customer's number, name or e-mail"),
    SupplyPoint: _l("Type the EAN / EIC or the address"),
    PortalUser: _l("Type the e-mail or name"),
    Contract: _l("Type the contract number"),
    AdvanceSchedule: _l("Type the schedule number or variable symbol"),
    Meter: _l("Type the meter's serial number"),
    Register: _l("Type the meter's serial number or the EAN / EIC"),
}
# What each kind of record is searched by, first the identifying number (its order too).
SEARCHED_BY = {
    Customer: (Customer.number, Customer.name, Customer.email),
    SupplyPoint: (SupplyPoint.identifier, SupplyPoint.street, SupplyPoint.city),
    PortalUser: (PortalUser.email, PortalUser.name),
    Contract: (Contract.number,),
    AdvanceSchedule: (AdvanceSchedule.number, AdvanceSchedule.variable_symbol),
    Meter: (Meter.serial_number,),
}


class StartsWithSearch(QueryAjaxModelLoader):
    """Flask-Admin's loader, matching the start of each field (`LIKE 'term%'`) instead of any part
    (`'%term%'`, a scan of the table), case-insensitively."""

    def get_one(self, pk):
        # A posted id that no id column holds is simply not there (PostgreSQL would refuse the
        # comparison of "x…" with an integer).
        return super().get_one(pk) if is_record_id(pk) else None

    def get_list(self, term, offset=0, limit=PAGE):
        term = (term or "").strip()[:MAX_TERM].replace("\\", "").replace("%", "").replace("_", "")
        if not term:
            return []
        query = self.get_query().filter(or_(*(field.ilike(f"{term}%") for field in self._cached_fields)))
        return query.order_by(self._cached_fields[0]).offset(offset).limit(min(limit, PAGE)).all()


class RegisterSearch(StartsWithSearch):
    """A register by its meter's serial number or its supply point's identifier."""

    def get_query(self):
        return super().get_query().join(Register.meter).join(Meter.supply_point)


def pickers(model, *relations: str) -> dict:
    """form_ajax_refs for these relations of `model`: each one searched by what its target is
    searched by (SEARCHED_BY)."""
    refs = {}
    for name in relations:
        target = getattr(model, name).property.mapper.class_
        if target is Register:
            refs[name] = RegisterSearch(name, db, Register, fields=(Meter.serial_number, SupplyPoint.identifier),
                                        page_size=PAGE, placeholder=PLACEHOLDERS[Register])
        else:
            refs[name] = StartsWithSearch(name, db, target, fields=SEARCHED_BY[target], page_size=PAGE,
                                          placeholder=PLACEHOLDERS[target])
    return refs
