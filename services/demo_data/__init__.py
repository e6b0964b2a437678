"""The demo data set: a realistic Czech portal with 24 months of history.

`load_demo_data()` fills an empty database and does nothing when the demo data is
already there (running it twice changes nothing). For demo use only: the passwords
are in the README."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models.customers import Customer
from services.demo_data import activity, billing, people, supply

PORTAL_PASSWORD = "Demo-Portal-2026!"
STAFF_PASSWORD = "Demo-Back-Office-2026"


def load_demo_data() -> bool:
    if db.session.scalar(select(Customer.id).where(Customer.number == people.JANA_NUMBER)):
        return False
    staff = people.create_staff(STAFF_PASSWORD)
    customers = people.create_customers(PORTAL_PASSWORD)
    catalogue = supply.create_products_and_price_lists()
    points = supply.create_supply_points(customers, catalogue)
    billing.create_billing(customers, points)
    activity.create_activity(customers, points, staff)
    db.session.commit()
    return True
