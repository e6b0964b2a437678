"""The demo data set loads into an empty database, is consistent, and loads only once."""
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models.billing import Invoice
from models.customers import Customer
from models.metering import Commodity, SupplyPoint
from models.users import PortalUser, StaffUser
from services.demo_data import PORTAL_PASSWORD, STAFF_PASSWORD, load_demo_data
from services.metering.identifiers import is_valid_ean, is_valid_eic


def _counts():
    return {table.name: db.session.execute(select(func.count()).select_from(table)).scalar()
            for table in db.metadata.sorted_tables}


def test_demo_data_loads_once(app):
    assert load_demo_data() is True
    before = _counts()
    assert load_demo_data() is False
    assert _counts() == before
    assert all(before[t] > 0 for t in ("invoices", "advances", "payments", "meter_readings", "contracts",
                                        "price_lists", "documents", "messages", "tickets", "tasks",
                                        "change_requests"))


def test_demo_accounts_and_supply_points(app):
    load_demo_data()
    for email in ("jana.novakova@example.com", "tomas.dvorak@example.com", "lucie.mala@example.com",
                  "petr.svoboda@example.com"):
        login = select(PortalUser).where(PortalUser.email == email, PortalUser.login_id.is_(None))
        assert db.session.scalars(login).one().check_password(PORTAL_PASSWORD)
    for email in ("admin@example.com", "clerk@example.com", "technician@example.com", "billing@example.com"):
        assert db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one().check_password(STAFF_PASSWORD)
    bakery = db.session.scalars(select(Customer).where(Customer.company_id == "27074358")).one()
    points = db.session.scalars(select(SupplyPoint).where(SupplyPoint.customer_id == bakery.id)).all()
    assert {p.commodity for p in points} == {Commodity.ELECTRICITY, Commodity.GAS}
    assert all(p.self_readings_allowed for p in points)
    for point in db.session.scalars(select(SupplyPoint)):
        assert is_valid_ean(point.identifier) if point.commodity == Commodity.ELECTRICITY else is_valid_eic(point.identifier)


def test_invoice_totals_add_up(app):
    load_demo_data()
    invoices = db.session.scalars(select(Invoice)).all()
    assert len(invoices) == 8
    for invoice in invoices:
        assert invoice.total_without_vat == sum((line.amount_without_vat for line in invoice.lines), Decimal(0))
        assert invoice.total_vat == sum((line.vat for line in invoice.lines), Decimal(0))
        assert invoice.total == invoice.total_without_vat + invoice.total_vat
        assert isinstance(invoice.total, Decimal)
    assert any(i.state == "overdue" for i in invoices)
