"""After the last contract ends: read-only access for a while, then none."""
from datetime import date, timedelta

from extensions import db
from factories import PASSWORD, make_portal_user
from models.contracts import Contract
from models.price_lists import Product
from models.users import PortalUser, PortalUserState


def _contract(customer, ended_days_ago):
    product = db.session.query(Product).first() or Product(code="E1", name="Elektřina", commodity="electricity")
    db.session.add(Contract(number=f"SML-{customer.id}-{ended_days_ago}", customer=customer, product=product,
                            valid_from=date.today() - timedelta(days=900),
                            valid_to=date.today() - timedelta(days=ended_days_ago)))
    db.session.commit()


def test_read_only_access_in_the_months_after_the_contract(client):
    user = make_portal_user(email="jana@example.com")
    _contract(user.customer, ended_days_ago=30)
    client.sign_in("jana@example.com", PASSWORD)
    assert client.get("/invoices/").status_code == 200
    assert client.get("/documents/").status_code == 200
    assert client.get("/supply-points/").status_code == 404
    assert client.get("/account/users/").status_code == 404
    page = client.get("/").get_data(as_text=True)
    assert "/readings/" not in page


def test_after_the_grace_period_users_are_disabled(app, client):
    user = make_portal_user(email="jana@example.com")
    running = make_portal_user(email="petr@example.com")
    _contract(user.customer, ended_days_ago=200)
    _contract(running.customer, ended_days_ago=-100)  # still running
    client.sign_in("jana@example.com", PASSWORD)
    response = client.get("/", follow_redirects=True)
    assert "Access to the portal ended with your contract." in response.get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["close-ended-accounts"])
    assert "disabled 1 portal users" in result.output
    db.session.expire_all()
    assert db.session.get(PortalUser, user.id).state == PortalUserState.DISABLED
    assert db.session.get(PortalUser, running.id).state == PortalUserState.ACTIVE
