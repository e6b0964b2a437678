"""Several portal users per customer: the account administrator invites colleagues and sets their rights."""
import re

from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_supply_point
from helpers import count_queries
from models.audit import AuditEntry
from models.outbox import OutgoingEmail
from models.users import PortalUser, PortalUserState
from services.accounts.credentials import issue_for_customers


def test_the_administrator_invites_a_colleague_limited_to_invoices_and_one_supply_point(client):
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


def test_invite_refuses_only_a_user_of_the_own_account_with_a_message(client):
    boss = make_portal_user(email="boss@example.com")
    make_portal_user(boss.customer, email="colleague@example.com")
    client.sign_in("boss@example.com", PASSWORD)
    for email in ("colleague@example.com", "Colleague@Example.com", "boss@example.com"):
        page = client.post_form("/account/users/invite", {"name": "X", "email": email}).get_data(as_text=True)
        assert "This e-mail already belongs to a user of your account." in page, email
    page = client.post_form("/account/users/invite", {"name": "", "email": "bad"}).get_data(as_text=True)
    assert "Enter the person" in page and "Enter a valid e-mail address." in page
    assert db.session.scalar(select(func.count(PortalUser.id))) == 2


def _invite(client, app, name, email):
    token = client.csrf_token("/account/users/invite")
    with count_queries(app) as statements:
        response = client.post("/account/users/invite", data={"name": name, "email": email, "modules": ["invoices"],
                                                               "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/account/users/"
    flash = re.search(r'<div class="alert[^>]*>(.*?)</div>', client.get("/account/users/").get_data(as_text=True), re.S)
    return flash.group(1).strip().replace(name, "NAME").replace(email.strip().lower(), "EMAIL"), statements


def test_an_invitation_tells_nothing_about_other_customers_users(app, client):
    """Issue 14, item 8: inviting an address that signs in for another customer answers,
    lists and costs exactly as inviting a new one; the person gets no second login (which
    could never sign in) but the access, linked to the login they have."""
    boss = make_portal_user(email="boss@example.com")
    stranger = make_portal_user(email="stranger@example.com", name="Petr Cizí", locale="cs")
    client.sign_in("boss@example.com", PASSWORD)
    new_answer = _invite(client, app, "Nová Kolegyně", "new@example.com")
    known_answer = _invite(client, app, "Starý Známý", "Stranger@Example.com")
    assert new_answer == known_answer
    assert "already" not in new_answer[0]
    listing = client.get("/account/users/").get_data(as_text=True)
    assert listing.count("<td>invited</td>") == 2  # both wait to be taken up
    new = db.session.scalars(select(PortalUser).where(PortalUser.email == "new@example.com")).one()
    access = db.session.scalars(select(PortalUser).where(PortalUser.customer_id == boss.customer_id,
                                                         PortalUser.email == "stranger@example.com")).one()
    assert new.login_id is None and access.login_id == stranger.id
    assert access.state == PortalUserState.INVITED and access.modules == {"invoices"}
    # Each was told by e-mail, in their language, what comes next.
    mails = {m.recipient: m for m in db.session.scalars(select(OutgoingEmail))}
    assert set(mails) == {"new@example.com", "stranger@example.com"}
    assert "part 1" in mails["new@example.com"].body_text and boss.customer.number in mails["new@example.com"].body_text
    assert "přepínači" in mails["stranger@example.com"].body_text  # Czech: choose it in the switch
    # No letter for the linked access: it signs in through the login the person has.
    with app.test_request_context():
        assert [i.user.email for i in issue_for_customers([boss.customer])] == ["new@example.com"]


def test_the_invited_person_takes_up_the_access_by_switching_to_it(app, client):
    from helpers import PortalClient

    boss = make_portal_user(email="boss@example.com", name="Šéf Firmy")
    make_portal_user(email="stranger@example.com", name="Petr Cizí")
    client.sign_in("boss@example.com", PASSWORD)
    _invite(client, app, "Petr v firmě", "stranger@example.com")
    access = db.session.scalars(select(PortalUser).where(PortalUser.customer_id == boss.customer_id,
                                                         PortalUser.email == "stranger@example.com")).one()
    petr = PortalClient(app)
    petr.sign_in("stranger@example.com", PASSWORD)
    page = petr.get("/").get_data(as_text=True)
    assert f"{boss.customer.number} · {boss.customer.name} (new access)" in page
    assert petr.get("/invoices/").status_code == 200  # still his own account until he switches
    response = petr.post_form("/profile/switch-account", {"account": str(access.id)}, page="/")
    assert response.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(PortalUser, access.id).state == PortalUserState.ACTIVE
    assert boss.customer.number in petr.get("/").get_data(as_text=True)
    assert petr.get("/supply-points/").status_code == 404  # only the invoices he was given
    assert "<td>active</td>" in client.get("/account/users/").get_data(as_text=True).split("Petr v firmě")[1]
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "invitation_accepted")).one()


def test_a_disabled_invitation_is_not_offered_to_the_person(app, client):
    from helpers import PortalClient

    boss = make_portal_user(email="boss@example.com")
    make_portal_user(email="stranger@example.com")
    client.sign_in("boss@example.com", PASSWORD)
    _invite(client, app, "Petr", "stranger@example.com")
    access = db.session.scalars(select(PortalUser).where(PortalUser.customer_id == boss.customer_id,
                                                         PortalUser.email == "stranger@example.com")).one()
    client.post_form(f"/account/users/{access.id}/disable", page=f"/account/users/{access.id}")
    petr = PortalClient(app)
    petr.sign_in("stranger@example.com", PASSWORD)
    assert boss.customer.number not in petr.get("/").get_data(as_text=True)
    assert petr.post_form("/profile/switch-account", {"account": str(access.id)}, page="/").status_code == 404


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
    from helpers import PortalClient

    customer = make_customer()
    make_portal_user(customer, email="boss@example.com")
    colleague = make_portal_user(customer, email="colleague@example.com", modules=["invoices"])
    theirs = PortalClient(app)
    theirs.sign_in("colleague@example.com", PASSWORD)
    client.sign_in("boss@example.com", PASSWORD)
    client.post_form(f"/account/users/{colleague.id}/disable", page=f"/account/users/{colleague.id}")
    assert theirs.get("/").status_code == 302
