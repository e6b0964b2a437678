"""Demo staff, teams and customers with their portal users."""
from __future__ import annotations

from extensions import db
from models.customers import Customer, CustomerKind, Segment
from models.users import Module, PortalUser, PortalUserState, StaffRole, StaffUser, Team

JANA_NUMBER = "1000001"


def create_staff(password: str) -> dict:
    support = Team(name="Zákaznická podpora", email="podpora@energie.example", is_default=True)
    technicians = Team(name="Technici", email="technici@energie.example")
    billing = Team(name="Fakturace", email="fakturace@energie.example")
    people = {
        "admin": StaffUser(email="admin@example.com", name="Alena Správcová", role=StaffRole.ADMINISTRATOR,
                           is_supervisor=True),
        "clerk": StaffUser(email="clerk@example.com", name="Karel Úředník", role=StaffRole.CLERK),
        "technician": StaffUser(email="technician@example.com", name="Tomáš Technik", role=StaffRole.TECHNICIAN),
        "billing": StaffUser(email="billing@example.com", name="Běla Fakturantová", role=StaffRole.BILLING),
    }
    for user in people.values():
        user.set_password(password)
    support.members = [people["clerk"], people["admin"]]
    technicians.members = [people["technician"]]
    billing.members = [people["billing"]]
    db.session.add_all([support, technicians, billing, *people.values()])
    return {**people, "support": support, "technicians": technicians, "billing_team": billing}


def _user(customer, email, name, password, *, admin=False, modules=()):
    user = PortalUser(customer=customer, email=email, name=name, state=PortalUserState.ACTIVE,
                      is_account_admin=admin, locale="cs")
    user.set_password(password)
    user.grant(*modules)
    db.session.add(user)
    return user


def create_customers(password: str) -> dict:
    jana = Customer(
        number=JANA_NUMBER, kind=CustomerKind.HOUSEHOLD, name="Jana Nováková", email="jana.novakova@example.com",
        phone="+420 603 123 456", street="Korunní 1208/74", city="Praha 10", postcode="10100",
        bank_account="19-2000145399/0800", segment=Segment.HOUSEHOLD,
    )
    bakery = Customer(
        number="1000002", kind=CustomerKind.BUSINESS, name="Pekárna Dvořák s.r.o.", company_id="27074358",
        vat_id="CZ27074358", email="info@pekarna-dvorak.example", phone="+420 549 210 333",
        street="Náměstí Svobody 12", city="Brno", postcode="60200",
        correspondence_name="Pekárna Dvořák s.r.o., účtárna", correspondence_street="Údolní 567/33",
        correspondence_city="Brno", correspondence_postcode="60200",
        bank_account="CZ6508000000192000145399", segment=Segment.VIP,
    )
    petr = Customer(
        number="1000003", kind=CustomerKind.HOUSEHOLD, name="Petr Svoboda", email="petr.svoboda@example.com",
        phone="+420 721 987 654", street="Štefánikova 2641/41", city="Brno", postcode="61200",
        segment=Segment.HOUSEHOLD,
    )
    db.session.add_all([jana, bakery, petr])
    _user(jana, "jana.novakova@example.com", "Jana Nováková", password, admin=True)
    tomas = _user(bakery, "tomas.dvorak@example.com", "Tomáš Dvořák", password, admin=True)
    _user(bakery, "lucie.mala@example.com", "Lucie Malá", password,
          modules=(Module.INVOICES, Module.SUPPLY_POINTS, Module.READINGS))
    _user(petr, "petr.svoboda@example.com", "Petr Svoboda", password, admin=True)
    # Tomáš is also a household customer: one login, two customer numbers to switch between.
    home = Customer(
        number="1000004", kind=CustomerKind.HOUSEHOLD, name="Tomáš Dvořák", email="tomas.dvorak@example.com",
        street="Lidická 1880/14", city="Brno", postcode="60200", segment=Segment.HOUSEHOLD,
    )
    db.session.add(home)
    db.session.add(PortalUser(customer=home, email=tomas.email, name=tomas.name, state=PortalUserState.ACTIVE,
                              is_account_admin=True, login=tomas, locale="cs"))
    return {"jana": jana, "bakery": bakery, "petr": petr, "tomas_home": home}
