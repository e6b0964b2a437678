"""Secrets in the outbox (issue 14, item 7): part 2 of the first credentials and the tokens of
reset and confirmation links are masked in the back office and erased once sent, while
the queued e-mail still carries them to the recipient."""
import re

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff
from helpers import PortalClient
from models.outbox import EmailState, OutgoingEmail
from models.users import PortalUserState
from services.outbox import MASK, queue_email, send_due

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
RESET = re.compile(r"http://localhost(/reset-password/[^\s<]+)")


def _issue_credentials(client, customer, staff_email):
    token = client.csrf_token("/admin/customers/")
    response = client.post("/admin/customers/action/", data={
        "action": "issue_credentials", "rowid": [str(customer.id)], "csrf_token": token})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return db.session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id.desc())).first()


def _assert_nothing_shows(client, email, secret):
    """No outbox page that staff can open shows the secret, and searching for it (or its
    beginning) finds nothing: a search would tell a guesser when it is right."""
    for url in ("/admin/outbox/", f"/admin/outbox/details/?id={email.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert secret not in response.get_data(as_text=True), url
    export = client.get("/admin/outbox/export/csv/")  # no export: back to the list, nothing in the answer
    assert export.status_code == 302 and export.location.endswith("/admin/outbox/")
    assert secret not in export.get_data(as_text=True)
    assert email.recipient in client.get("/admin/outbox/").get_data(as_text=True)
    for term in (secret, secret[:9]):
        found = client.get("/admin/outbox/", query_string={"search": term}).get_data(as_text=True)
        assert email.recipient not in found, term


def test_a_clerk_never_reads_part2_in_the_outbox(client):
    customer = make_customer(number="9500001")
    make_portal_user(customer, email="nova@example.com", state=PortalUserState.INVITED, password=None)
    make_staff("clerk", email="clerk@example.com")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    email = _issue_credentials(client, customer, "clerk@example.com")
    part2 = CODE.search(email.body_text).group(0)  # queued: still there to be sent
    _assert_nothing_shows(client, email, part2)
    details = client.get(f"/admin/outbox/details/?id={email.id}").get_data(as_text=True)
    assert f"Part 2 of the activation code: {MASK}" in details and "9500001" in details
    assert "secret_values" not in details and "Secret Values" not in details
    # The customer can still use what is on its way.
    assert email.state == EmailState.QUEUED and part2 in db.session.get(OutgoingEmail, email.id).body_text


def test_in_development_without_a_mail_server_the_administrator_reads_part2_to_try_the_flow(client):
    """Only there do the e-mails stay in the outbox for good: the demo's administrator plays
    the customer. A clerk, in the same place, still sees the mask."""
    customer = make_customer()
    make_portal_user(customer, email="zkouska@example.com", state=PortalUserState.INVITED, password=None)
    make_staff("administrator", email="admin@example.com")
    client.staff_sign_in("admin@example.com", PASSWORD)
    email = _issue_credentials(client, customer, "admin@example.com")
    part2 = CODE.search(email.body_text).group(0)
    assert part2 in client.get(f"/admin/outbox/details/?id={email.id}").get_data(as_text=True)
    client.post_form("/admin/sign-out", page="/admin/")
    make_staff("clerk", email="clerk@example.com")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    page = client.get(f"/admin/outbox/details/?id={email.id}").get_data(as_text=True)
    assert part2 not in page and f"Part 2 of the activation code: {MASK}" in page


def test_a_reset_link_is_masked_even_for_the_administrator_once_mail_can_leave_and_erased_once_sent(
        mail_app, smtp_server):
    make_portal_user(email="jana@example.com")
    make_staff("administrator", email="admin@example.com")
    client = PortalClient(mail_app)
    assert client.post_form("/forgotten-password", {"email": "jana@example.com"}).status_code == 302
    email = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == "jana@example.com")).one()
    link = RESET.search(email.body_text).group(1)
    token = link.rsplit("/", 1)[1]
    client.staff_sign_in("admin@example.com", PASSWORD)
    _assert_nothing_shows(client, email, token)
    assert f"/reset-password/{MASK}" in client.get(f"/admin/outbox/details/?id={email.id}").get_data(as_text=True)

    assert send_due() == (1, 0)
    [message] = smtp_server.messages
    body = (message.get_payload(0) if message.is_multipart() else message).get_payload(decode=True).decode()
    assert link in body  # the recipient got the real link …
    stored = db.session.get(OutgoingEmail, email.id)
    db.session.refresh(stored)
    # … and the database keeps only the mask: nobody can use it from there any more.
    assert stored.state == EmailState.SENT and token not in stored.body_text
    assert f"/reset-password/{MASK}" in stored.body_text and stored.secret_values is None
    client.post_form("/admin/sign-out", page="/admin/")
    page = client.get(link)
    assert page.status_code == 200 and "new_password" in page.get_data(as_text=True)


def test_the_link_that_confirms_a_new_contact_email_is_masked(client):
    user = make_portal_user(make_customer(), email="jana@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    response = client.post_form("/changes/new/email", {"email": "nova@example.com", "password": PASSWORD,
                                                       "confirmed": "1"})
    assert response.status_code == 302
    email = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == "nova@example.com")).one()
    token = re.search(r"/changes/confirm-email/(\S+)", email.body_text).group(1)
    client.post_form("/sign-out", page="/")
    make_staff("clerk", email="clerk@example.com")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    _assert_nothing_shows(client, email, token)
    assert f"/changes/confirm-email/{MASK}" in client.get(f"/admin/outbox/details/?id={email.id}").get_data(
        as_text=True)
    assert user.customer.number in client.get(f"/admin/outbox/details/?id={email.id}").get_data(as_text=True)


def test_a_secret_that_the_text_does_not_show_as_given_is_refused(app):
    """Masking replaces the value as written: a template that reformats it would show it."""
    with app.test_request_context(), pytest.raises(ValueError):
        queue_email("jana@example.com", "Kód", "notice", text="Váš kód: ABCD EFGH", link=None,
                    secret_values=["ABCD-EFGH"])
