"""The back office: every view works for the roles it is meant for, changes are audited."""
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff
from models.audit import AuditEntry
from models.customers import Customer
from models.metering import SupplyPoint
from services.demo_data import load_demo_data


def _list_views(app):
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith("bo_") and rule.endpoint.endswith(".index_view"))


def test_an_administrator_opens_every_list_and_detail_view_with_demo_data(app, client):
    load_demo_data()
    client.staff_sign_in("admin@example.com", "Demo-Back-Office-2026")
    views = _list_views(app)
    assert len(views) >= 25
    for url in views:
        response = client.get(url)
        assert response.status_code == 200, url
    for endpoint in ("bo_invoices", "bo_tickets", "bo_supply_points", "bo_customers"):
        page = client.get(f"/admin/{endpoint[3:].replace('_', '-')}/details/?id=1")
        assert page.status_code == 200, endpoint


def test_roles_decide_which_views_a_staff_member_sees(client):
    make_staff("technician", email="tech@example.com")
    client.staff_sign_in("tech@example.com", PASSWORD)
    assert client.get("/admin/supply-points/").status_code == 200
    assert client.get("/admin/staff/").status_code == 403
    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/admin/invoices/").status_code == 403
    home = client.get("/admin/").get_data(as_text=True)
    assert "/admin/supply-points/" in home and "/admin/staff/" not in home


def test_creating_and_editing_a_customer_is_audited(client):
    make_staff("clerk", email="clerk@example.com")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    response = client.post_form("/admin/customers/new/", {
        "number": "7000001", "kind": "household", "name": "Věra Černá", "email": "vera@example.com",
        "street": "Polní 3", "city": "Olomouc", "postcode": "77900", "segment": "household", "active": "y",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    customer = db.session.scalars(select(Customer).where(Customer.number == "7000001")).one()
    response = client.post_form(f"/admin/customers/edit/?id={customer.id}", {
        "number": "7000001", "kind": "household", "name": "Věra Černá", "email": "vera@example.com",
        "street": "Polní 4", "city": "Olomouc", "postcode": "77900", "segment": "household", "active": "y",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.record_type == "Customer")).all()
    assert "backoffice_created" in actions and "backoffice_updated" in actions
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "backoffice_updated")).one()
    assert "Polní 4" in entry.details and entry.actor == "clerk@example.com"


def test_a_post_without_csrf_token_changes_nothing(client):
    make_staff("clerk", email="clerk@example.com")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    response = client.post("/admin/customers/new/", data={"number": "7000002", "name": "X", "email": "x@example.com"})
    assert response.status_code == 400
    assert db.session.scalars(select(Customer)).all() == []


def test_a_bad_ean_is_refused_with_a_message(client):
    customer = make_customer()
    make_staff("technician", email="tech@example.com")
    client.staff_sign_in("tech@example.com", PASSWORD)
    page = client.post_form("/admin/supply-points/new/", {
        "customer": str(customer.id), "identifier": "859182400102993848", "commodity": "electricity",
        "street": "Dlouhá 1", "city": "Praha", "postcode": "11000", "state": "active",
    }).get_data(as_text=True)
    assert "This is not a valid EAN" in page
    assert db.session.scalars(select(SupplyPoint)).all() == []


def test_the_customer_overview_shows_the_customers_records(client):
    load_demo_data()
    jana = db.session.scalars(select(Customer).where(Customer.number == "1000001")).one()
    client.staff_sign_in("clerk@example.com", "Demo-Back-Office-2026")
    page = client.get(f"/admin/customer-overview/{jana.id}").get_data(as_text=True)
    assert "Jana Nováková" in page and "859182400102993847" in page and "FA" in page
    assert client.get("/admin/customer-overview/999999").status_code == 404
    assert f"/admin/customer-overview/{jana.id}" in client.get("/admin/customers/").get_data(as_text=True)


def test_customers_get_404_in_the_back_office(client):
    make_portal_user(email="jana@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    assert client.get("/admin/customer-overview/1").status_code == 404
    assert client.get("/admin/invoices/").status_code == 404


def test_delete_needs_the_token_and_is_audited(client):
    customer_id = make_customer().id
    make_staff("administrator", email="boss@example.com")
    client.staff_sign_in("boss@example.com", PASSWORD)
    assert client.post("/admin/customers/delete/", data={"id": str(customer_id)}).status_code == 400
    response = client.post_form("/admin/customers/delete/", {"id": str(customer_id), "url": "/admin/customers/"},
                                page="/admin/customers/")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Customer, customer_id) is None
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "backoffice_deleted")).one()


def test_staff_set_a_portal_users_module_rights(client):
    from models.users import PortalUser

    user = make_portal_user(email="lucie@example.com", modules=["invoices"])
    make_staff("clerk", email="clerk@example.com")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    page = client.get(f"/admin/portal-users/edit/?id={user.id}").get_data(as_text=True)
    assert 'value="invoices" selected' in page or 'selected value="invoices"' in page
    response = client.post_form(f"/admin/portal-users/edit/?id={user.id}", {
        "customer": str(user.customer_id), "email": "lucie@example.com", "name": user.name, "state": "active",
        "module_rights": ["invoices", "documents"],
    })
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    assert db.session.get(PortalUser, user.id).modules == {"invoices", "documents"}
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "rights_changed")).one()


def test_a_page_size_in_the_url_is_capped_by_the_offered_sizes(client):
    """Flask-Admin honours ?page_size= only from its own options, so a URL cannot ask the
    database for a million rows at once."""
    make_staff("administrator", email="pages@example.com")
    db.session.add_all([AuditEntry(action=f"probe_{n}", actor="system", actor_kind="system") for n in range(130)])
    db.session.commit()
    client.staff_sign_in("pages@example.com", PASSWORD)
    page = client.get("/admin/audit/?page_size=100000").get_data(as_text=True)
    assert page.count('<td class="col-action">') == 20
    assert 'href="/admin/audit/?page=1&amp;page_size=20"' in page  # next page, without counting the log
    page = client.get("/admin/audit/?page_size=100").get_data(as_text=True)
    assert page.count('<td class="col-action">') == 100
