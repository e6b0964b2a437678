"""One person, several customer accounts: switching without signing in again."""
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user
from models.audit import AuditEntry
from models.metering import Commodity, SupplyPoint
from models.users import PortalUser, PortalUserState


def _linked_access(person, customer, modules):
    access = PortalUser(customer=customer, email=person.email, name=person.name, state=PortalUserState.ACTIVE,
                        login=person, is_account_admin=False)
    access.grant(*modules)
    db.session.add(access)
    db.session.commit()
    return access


def test_a_person_switches_between_customers_and_rights_follow(client):
    jana = make_portal_user(email="jana@example.com", name="Jana Nováková")
    business = make_customer(name="Kavárna Nováková s.r.o.", kind="business", company_id="27074358")
    db.session.add(SupplyPoint(customer=business, identifier="859182400102646743", commodity=Commodity.ELECTRICITY,
                               street="Dlouhá 1", city="Praha", postcode="11000"))
    db.session.commit()
    access = _linked_access(jana, business, ["invoices"])
    client.sign_in("jana@example.com", PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert jana.customer.number in page and "Kavárna Nováková s.r.o." in page  # offered in the switch
    assert client.get("/supply-points/").status_code == 200  # her own account: administrator
    response = client.post_form("/profile/switch-account", {"account": str(access.id)}, page="/")
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert business.number in page
    assert client.get("/invoices/").status_code == 200
    assert client.get("/supply-points/").status_code == 404  # only invoices in the business
    assert client.get("/account/users/").status_code == 404
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "switched_account")).one()
    client.post_form("/profile/switch-account", {"account": str(jana.id)}, page="/")
    assert client.get("/supply-points/").status_code == 200


def test_nobody_switches_to_someone_elses_access(client):
    make_portal_user(email="jana@example.com")
    other = make_portal_user(email="petr@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    assert client.post_form("/profile/switch-account", {"account": str(other.id)}, page="/").status_code == 404


def test_a_linked_access_cannot_sign_in_by_itself_and_gets_no_credentials(app, client):
    from services.accounts.credentials import issue_for_customers

    jana = make_portal_user(email="jana@example.com")
    business = make_customer()
    access = _linked_access(jana, business, ["invoices"])
    access.set_password("Another-Password-123")
    db.session.commit()
    assert "not right" in client.sign_in("jana@example.com", "Another-Password-123").get_data(as_text=True)
    with app.test_request_context():
        assert issue_for_customers([business]) == []
