"""First credentials in two parts: the letter, the e-mail, and activation."""
import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff
from models.audit import AuditEntry
from models.credentials import CredentialIssue
from models.outbox import OutgoingEmail
from models.users import PortalUser, PortalUserState
from services.accounts.credentials import ALPHABET, issue_credentials, new_code

NEW = "Zelena-Louka-Za-Domem-7"
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def _issue_by_back_office(client, customers):
    make_staff("clerk", email="clerk@example.com")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    token = client.csrf_token("/admin/customers/")
    return client.post("/admin/customers/action/", data={
        "action": "issue_credentials", "rowid": [str(c.id) for c in customers], "csrf_token": token,
    })


def _part2(email):
    mail = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == email)
                              .order_by(OutgoingEmail.id.desc())).first()
    return CODE.search(mail.body_text).group(0), mail


def _activate(client, number, part1, part2, password=NEW):
    return client.post_form("/activate", {"customer_number": number, "part1": part1, "part2": part2,
                                          "new_password": password, "confirm_password": password})


def test_codes_avoid_look_alike_characters():
    for _ in range(50):
        code = new_code()
        assert CODE.fullmatch(code)
        assert not set(code.replace("-", "")) - set(ALPHABET)
        assert not set("IO01") & set(code)


def test_letters_and_emails_for_a_selection_then_activation(client):
    customers = [make_customer(name=f"Zákazník Šťastný {i}", correspondence_street="Poštovní 5",
                               correspondence_city="Brno", correspondence_postcode="60200") for i in range(3)]
    users = [make_portal_user(c, email=f"novy{i}@example.com", state=PortalUserState.INVITED, password=None)
             for i, c in enumerate(customers)]
    response = _issue_by_back_office(client, customers)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 3
    first_page = reader.pages[0].extract_text()
    assert "Poštovní 5" in first_page and "602 00" in first_page or "60200 Brno" in first_page
    assert "Šťastný" in first_page
    part1 = CODE.search(first_page).group(0)
    number = re.search(r"Zákaznické číslo:\s*(\d+)", first_page).group(1)
    owner = next(u for u in users if u.customer.number == number)
    part2, mail = _part2(owner.email)
    # Neither part reveals the other.
    assert part1 not in mail.body_text and part2 not in first_page
    # Only hashes are stored.
    issue = db.session.scalars(select(CredentialIssue).where(CredentialIssue.portal_user_id == owner.id)).one()
    assert part1 not in issue.part1_hash and part2 not in issue.part2_hash
    # Any case, spaces and dashes are accepted.
    messy = part1.lower().replace("-", " ")
    response = _activate(client, number, messy, part2.replace("-", ""))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    user = db.session.get(PortalUser, owner.id)
    db.session.refresh(user)
    assert user.state == PortalUserState.ACTIVE and user.check_password(NEW)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"credentials_issued", "activated"} <= actions


def test_every_failure_gets_the_same_message_and_tries_are_bounded(app, client):
    user = make_portal_user(email="novy@example.com", state=PortalUserState.INVITED, password=None)
    with app.test_request_context():
        issued = issue_credentials(user)
        db.session.commit()
    part2, _ = _part2(user.email)
    message = "The activation did not succeed."
    assert message in _activate(client, user.customer.number, "AAAA-BBBB-CCCC", part2).get_data(as_text=True)
    assert message in _activate(client, "9999999", issued.part1, part2).get_data(as_text=True)
    for _ in range(4):
        _activate(client, user.customer.number, issued.part1, "WRONG-WRONG")
    # The fifth wrong try used the last attempt: now even the right parts fail.
    assert message in _activate(client, user.customer.number, issued.part1, part2).get_data(as_text=True)
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "activation_failed")).all()) == 7


def test_a_new_issue_voids_the_old_one_and_a_code_works_once(app, client):
    user = make_portal_user(email="novy@example.com", state=PortalUserState.INVITED, password=None)
    with app.test_request_context():
        old = issue_credentials(user)
        db.session.commit()
    old_part2, _ = _part2(user.email)
    with app.test_request_context():
        new = issue_credentials(user)
        db.session.commit()
    new_part2, _ = _part2(user.email)
    assert "did not succeed" in _activate(client, user.customer.number, old.part1, old_part2).get_data(as_text=True)
    assert _activate(client, user.customer.number, new.part1, new_part2).status_code == 302
    client.post_form("/sign-out", page="/")
    assert "did not succeed" in _activate(client, user.customer.number, new.part1, new_part2).get_data(as_text=True)


def test_an_expired_code_fails(app, client):
    user = make_portal_user(email="novy@example.com", state=PortalUserState.INVITED, password=None)
    with app.test_request_context():
        issued = issue_credentials(user)
        issued.issue.expires_at = issued.issue.created_at - timedelta(seconds=1)
        db.session.commit()
    part2, _ = _part2(user.email)
    assert "did not succeed" in _activate(client, user.customer.number, issued.part1, part2).get_data(as_text=True)


def test_a_weak_password_is_refused_with_the_reason_and_the_code_still_works(app, client):
    user = make_portal_user(email="novy@example.com", state=PortalUserState.INVITED, password=None)
    with app.test_request_context():
        issued = issue_credentials(user)
        db.session.commit()
    part2, _ = _part2(user.email)
    page = _activate(client, user.customer.number, issued.part1, part2, password="password1234").get_data(as_text=True)
    assert "too common" in page
    assert _activate(client, user.customer.number, issued.part1, part2).status_code == 302


def test_missing_fields_get_messages_next_to_them(client):
    page = client.post_form("/activate", {}).get_data(as_text=True)
    assert 'id="customer_number-error"' in page and "Enter your customer number." in page
    assert "Enter part 1 of the code from the letter." in page


def test_the_whole_activation_through_a_real_smtp_server(mail_app, smtp_server):
    """Staff issue credentials; part 2 arrives at a real SMTP server, part 1 is read
    from the letter PDF; the person activates, chooses a password and signs in."""
    from helpers import PortalClient
    from services.outbox import send_due

    customer = make_customer(name="Jiří Šebestová-Žáčková")
    make_portal_user(customer, email="jiri@example.com", state=PortalUserState.INVITED, password=None)
    client = PortalClient(mail_app)
    letters = _issue_by_back_office(client, [customer])
    send_due()
    [message] = smtp_server.messages
    assert message["To"] == "jiri@example.com"
    body = (message.get_payload(0) if message.is_multipart() else message).get_payload(decode=True).decode()
    part2 = CODE.search(body).group(0)
    text = PdfReader(io.BytesIO(letters.data)).pages[0].extract_text()
    assert "Jiří Šebestová-Žáčková" in text
    part1 = CODE.search(text).group(0)
    client.post_form("/admin/sign-out", page="/admin/")
    assert _activate(client, customer.number, part1, part2).headers["Location"] == "/"
    client.post_form("/sign-out", page="/")
    assert client.sign_in("jiri@example.com", NEW).headers["Location"] == "/"


def test_sign_in_is_throttled_per_client_address(make_app):
    from helpers import PortalClient

    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        client = PortalClient(app)
        token = client.csrf_token()
        codes = [client.post("/sign-in", data={"email": f"x{i}@example.com", "password": "wrong",
                                               "csrf_token": token}).status_code for i in range(25)]
    assert codes[:20] == [200] * 20
    assert codes[20:] == [429] * 5
