"""Several portal users per customer: the account administrator invites colleagues and sets their rights."""
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_supply_point
from models.audit import AuditEntry
from models.users import PortalUser, PortalUserState


def test_the_administrator_invites_a_colleague_limited_to_invoices_and_onemake_supply_point(client):
    customer = make_customer()
    first = make_supply_point(customer, "859182400102993847")
    make_supply_point(customer, "859182400102646743")
    make_portal_user(customer, email="boss@example.com")
    client.sign_in("boss@example.com", PASSWORD)
    response = client.post_form("/account/users/invite", {
        "name": "Lucie Malá", "email": "lucie@example.com", "modules": ["invoices"],
        "supply_points": [str(first.id)],
    })
    assert response.headers["Location"] == "/account/users/"
    lucie = db.session.scalars(select(PortalUser).where(PortalUser.email == "lucie@example.com")).one()
    assert lucie.state == PortalUserState.INVITED and lucie.customer_id == customer.id
    assert lucie.modules == {"invoices"} and [p.id for p in lucie.supply_points] == [first.id]
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user_invited")).one()
    # She becomes active (as after activation) and sees only invoices.
    lucie.state = PortalUserState.ACTIVE
    lucie.set_password(PASSWORD)
    db.session.commit()
    client.post_form("/sign-out", page="/")
    client.sign_in("lucie@example.com", PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "/invoices/" in page and "/supply-points/" not in page
    for url in ("/supply-points/", "/readings/", "/account/", "/messages/", "/account/users/", "/account/users/invite"):
        assert client.get(url).status_code == 404, url
    assert client.get("/invoices/").status_code == 200


def test_invite_refuses_an_existing_email_with_a_message(client):
    make_portal_user(email="boss@example.com")
    make_portal_user(email="taken@example.com")
    client.sign_in("boss@example.com", PASSWORD)
    page = client.post_form("/account/users/invite", {"name": "X", "email": "taken@example.com"}).get_data(as_text=True)
    assert "This e-mail already belongs to a portal user." in page
    page = client.post_form("/account/users/invite", {"name": "", "email": "bad"}).get_data(as_text=True)
    assert "Enter the person" in page and "Enter a valid e-mail address." in page


def test_rights_changes_are_audited_and_apply_at_once(client, app):
    customer = make_customer()
    make_portal_user(customer, email="boss@example.com")
    colleague = make_portal_user(customer, email="colleague@example.com", modules=["invoices", "documents"])
    client.sign_in("boss@example.com", PASSWORD)
    response = client.post_form(f"/account/users/{colleague.id}", {"modules": ["documents"]})
    assert response.status_code == 302
    user = db.session.get(PortalUser, colleague.id)
    db.session.refresh(user)
    assert user.modules == {"documents"}
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "rights_changed")).one()


def test_the_administrator_cannot_remove_own_admin_right(client):
    boss = make_portal_user(email="boss@example.com")
    client.sign_in("boss@example.com", PASSWORD)
    page = client.post_form(f"/account/users/{boss.id}", {"modules": []}).get_data(as_text=True)
    assert "You cannot take away your own administrator right." in page


def test_other_customers_users_answer_404_and_non_admins_cannot_manage(client):
    make_portal_user(email="boss@example.com")
    stranger = make_portal_user(email="stranger@example.com")
    make_portal_user(stranger.customer, email="plain@example.com", modules=["invoices"])
    client.sign_in("boss@example.com", PASSWORD)
    assert client.get(f"/account/users/{stranger.id}").status_code == 404
    assert client.post_form(f"/account/users/{stranger.id}/disable", page="/account/users/").status_code == 404
    client.post_form("/sign-out", page="/")
    client.sign_in("plain@example.com", PASSWORD)
    assert client.get("/account/users/").status_code == 404


def test_disabling_a_colleague_ends_their_access(app, client):
    from conftest import PortalClient

    customer = make_customer()
    make_portal_user(customer, email="boss@example.com")
    colleague = make_portal_user(customer, email="colleague@example.com", modules=["invoices"])
    theirs = PortalClient(app)
    theirs.sign_in("colleague@example.com", PASSWORD)
    client.sign_in("boss@example.com", PASSWORD)
    client.post_form(f"/account/users/{colleague.id}/disable", page=f"/account/users/{colleague.id}")
    assert theirs.get("/").status_code == 302
