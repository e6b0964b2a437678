"""Small builders of real records for tests (committed to the real test database)."""
from __future__ import annotations

import itertools

from extensions import db
from models.customers import Customer
from models.users import Module, PortalUser, PortalUserState, StaffUser

PASSWORD = "Correct-Horse-Battery-9"
_numbers = itertools.count(1)


def make_customer(**fields) -> Customer:
    n = next(_numbers)
    values = dict(
        number=f"{9000000 + n}",  # away from the demo numbers (1000001…)
        name=f"Zákazník {n}",
        email=f"customer{n}@example.com",
        street="Dlouhá 1",
        city="Praha",
        postcode="11000",
    )
    values.update(fields)
    customer = Customer(**values)
    db.session.add(customer)
    db.session.commit()
    return customer


def make_portal_user(customer: Customer | None = None, *, email=None, modules=None, admin=True,
                     password=PASSWORD, state=PortalUserState.ACTIVE, **fields) -> PortalUser:
    customer = customer or make_customer()
    n = next(_numbers)
    user = PortalUser(
        customer=customer,
        email=email or f"user{n}@example.com",
        name=fields.pop("name", f"Uživatel {n}"),
        state=state,
        is_account_admin=admin and modules is None,
        locale=fields.pop("locale", "en"),
        **fields,
    )
    if password:
        user.set_password(password)
    db.session.add(user)
    if modules is not None:
        user.grant(*modules)
    elif not admin:
        user.grant(*[m.value for m in Module])
    db.session.commit()
    return user


def make_staff(role="clerk", *, email=None, password=PASSWORD, **fields) -> StaffUser:
    n = next(_numbers)
    user = StaffUser(email=email or f"staff{n}@example.com", name=fields.pop("name", f"Pracovník {n}"), role=role, **fields)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_supply_point(customer, identifier="859182400102993847", commodity="electricity", **fields):
    from models.metering import SupplyPoint

    point = SupplyPoint(customer=customer, identifier=identifier, commodity=commodity,
                        street=fields.pop("street", "Dlouhá 1"), city=fields.pop("city", "Praha"),
                        postcode=fields.pop("postcode", "11000"), **fields)
    db.session.add(point)
    db.session.commit()
    return point
