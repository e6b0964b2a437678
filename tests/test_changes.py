"""Change requests: asked in the portal, decided in the back office."""
import re

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff
from helpers import PortalClient, assert_only_owner_sees, decide_change
from models.audit import AuditEntry
from models.changes import ChangeRequest, ChangeState
from models.customers import Customer
from models.outbox import OutgoingEmail
from services import changes

NEW_ADDRESS = {"correspondence_name": "Jana Nováková", "correspondence_street": "Nová 5",
               "correspondence_city": "Brno", "correspondence_postcode": "602 00"}
VALID = {
    "address": NEW_ADDRESS,
    "phone": {"phone": "777 555 111"},
    "bank_account": {"bank_account": "CZ65 0800 0000 1920 0014 5399", "password": PASSWORD},
    "company": {"name": "Pekárna Nová s.r.o.", "company_id": "27074358", "vat_id": "CZ27074358"},
}
INVALID = [
    ("phone", {"phone": "12"}, "This is not a valid phone number."),
    ("bank_account", {"bank_account": "CZ65 0800 0000 1920 0014 5390", "password": PASSWORD}, "This IBAN is not valid"),
    ("bank_account", {"bank_account": "19-2000145398/0800", "password": PASSWORD}, "This account number is not valid"),
    ("company", {"name": "X", "company_id": "27074359"}, "This IČO is not valid"),
    ("email", {"email": "not-an-email", "password": PASSWORD}, "Enter a valid e-mail address."),
    ("address", {"correspondence_street": "", "correspondence_city": "Brno", "correspondence_postcode": "6020"},
     "Enter the street and number."),
]


def _ask(client, kind, values):
    """Fill the form, check the preview, send."""
    page = client.post_form(f"/changes/new/{kind}", values).get_data(as_text=True)
    assert "Send the request" in page, page[-3000:]
    response = client.post_form(f"/changes/new/{kind}", {**values, "confirmed": "1"}, page=f"/changes/new/{kind}")
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


@pytest.fixture
def business_user():
    customer = make_customer(kind="business", company_id="27074358", name="Pekárna s.r.o.")
    return make_portal_user(customer, email="jana@example.com")


@pytest.mark.parametrize("kind", list(VALID))
def test_a_request_is_approved_and_applied_with_audit_and_email(app, client, business_user, kind):
    make_staff("clerk", email="clerk@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    preview = client.post_form(f"/changes/new/{kind}", VALID[kind]).get_data(as_text=True)
    assert "Now" in preview and "New" in preview  # old and new side by side
    request_id = _ask(client, kind, VALID[kind])
    change = db.session.get(ChangeRequest, request_id)
    assert change.state == ChangeState.IN_REVIEW
    customer = db.session.get(Customer, business_user.customer_id)
    before = {f.field: getattr(customer, f.field) for f in change.fields}
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    assert f"#{request_id}" in client.get("/admin/change-queue/").get_data(as_text=True)
    assert decide_change(client, request_id, approve="1").status_code == 302
    db.session.expire_all()
    customer = db.session.get(Customer, business_user.customer_id)
    for f in db.session.get(ChangeRequest, request_id).fields:
        assert getattr(customer, f.field) == f.new_value != before[f.field]
    assert db.session.get(ChangeRequest, request_id).state == ChangeState.APPROVED
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "customer_changed")).first()
    mail = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.subject.contains("decided"))).one()
    assert "approved" in mail.body_text


def test_a_rejection_changes_nothing_and_the_reason_is_shown(client, business_user):
    make_staff("clerk", email="clerk@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    request_id = _ask(client, "phone", VALID["phone"])
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    page = decide_change(client, request_id, reject="1", reason="").get_data(as_text=True)
    assert "Say why, so that the customer understands." in page
    decide_change(client, request_id, reject="1", reason="Číslo nepatří zákazníkovi.")
    client.post_form("/admin/sign-out", page="/admin/")
    db.session.expire_all()
    assert db.session.get(Customer, business_user.customer_id).phone is None
    client.sign_in("jana@example.com", PASSWORD)
    page = client.get(f"/changes/{request_id}").get_data(as_text=True)
    assert "Číslo nepatří zákazníkovi." in page and "rejected" in page


@pytest.mark.parametrize("kind, values, message", INVALID)
def test_invalid_values_get_a_message_and_create_nothing(client, business_user, kind, values, message):
    client.sign_in("jana@example.com", PASSWORD)
    page = client.post_form(f"/changes/new/{kind}", values).get_data(as_text=True)
    assert message in page
    assert db.session.scalars(select(ChangeRequest)).all() == []


def test_email_and_bank_changes_need_the_password(client, business_user):
    client.sign_in("jana@example.com", PASSWORD)
    page = client.post_form("/changes/new/bank_account", {**VALID["bank_account"], "password": "wrong"}).get_data(as_text=True)
    assert "The password is not right." in page
    assert db.session.scalars(select(ChangeRequest)).all() == []


def test_a_new_email_is_confirmed_by_a_link_before_review(client, business_user):
    client.sign_in("jana@example.com", PASSWORD)
    request_id = _ask(client, "email", {"email": "nova@example.com", "password": PASSWORD})
    assert db.session.get(ChangeRequest, request_id).state == ChangeState.CONFIRMING_EMAIL
    mail = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == "nova@example.com")).one()
    link = re.search(r"http://localhost(/changes/confirm-email/\S+)", mail.body_text).group(1)
    old_email = db.session.get(Customer, business_user.customer_id).email
    client.get(link)
    db.session.expire_all()
    assert db.session.get(ChangeRequest, request_id).state == ChangeState.IN_REVIEW
    make_staff("clerk", email="clerk@example.com")
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    assert decide_change(client, request_id, approve="1").status_code == 302
    db.session.expire_all()
    assert db.session.get(Customer, business_user.customer_id).email == "nova@example.com"
    # The old address hears where the contact e-mail went: the new one may be an intruder's.
    notice = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == old_email)).one()
    assert "has just been changed from this address to nova@example.com" in notice.body_text


def test_a_conflict_needs_confirmation_and_concurrent_decisions_cannot_both_win(app, client, business_user):
    make_staff("clerk", email="clerk@example.com")
    make_staff("clerk", email="clerk2@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    request_id = _ask(client, "phone", VALID["phone"])
    customer = db.session.get(Customer, business_user.customer_id)
    customer.phone = "+420 601 000 000"  # changed meanwhile by someone else
    db.session.commit()
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    page = decide_change(client, request_id, approve="1").get_data(as_text=True)
    assert "changed since the request was made" in page
    assert db.session.get(ChangeRequest, request_id).state == ChangeState.IN_REVIEW
    # Two clerks open the page at the same version; the first decision wins, the second is refused.
    other = PortalClient(app)
    other.staff_sign_in("clerk2@example.com", PASSWORD)
    page = other.get(f"/admin/change-queue/{request_id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    token = PortalClient.TOKEN.search(page).group(1)
    assert decide_change(client, request_id, approve="1", confirm_conflicts="1").status_code == 302
    late = other.post(f"/admin/change-queue/{request_id}", follow_redirects=True,
                      data={"version": version, "reject": "1", "reason": "Ne", "csrf_token": token})
    assert "Someone else has already decided this request." in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ChangeRequest, request_id).state == ChangeState.APPROVED


def test_the_optimistic_lock_refuses_a_stale_commit(app, business_user):
    """Two sessions load the same request; the second commit fails at the database."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    with app.test_request_context():
        request = changes.submit(business_user.customer, business_user, "phone", {"phone": "+420 777 555 111"}, None)
        db.session.commit()
        request_id = request.id
    staff = make_staff("clerk")
    with Session(db.engine) as first, Session(db.engine) as second:
        a, b = first.get(ChangeRequest, request_id), second.get(ChangeRequest, request_id)
        a.state, b.state = ChangeState.APPROVED, ChangeState.REJECTED
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
    assert staff


def test_withdraw_while_open(client, business_user):
    client.sign_in("jana@example.com", PASSWORD)
    request_id = _ask(client, "phone", VALID["phone"])
    client.post_form(f"/changes/{request_id}/withdraw", page=f"/changes/{request_id}")
    db.session.expire_all()
    assert db.session.get(ChangeRequest, request_id).state == ChangeState.WITHDRAWN


def test_another_customers_request_answers_404(client, business_user):
    other = make_portal_user(email="petr@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    request_id = _ask(client, "phone", VALID["phone"])
    client.post_form("/sign-out", page="/")
    assert_only_owner_sees(client, f"/changes/{request_id}", business_user, other, PASSWORD)
    client.sign_in("petr@example.com", PASSWORD)
    assert client.post_form(f"/changes/{request_id}/withdraw", page="/").status_code == 404


def test_the_account_page_shows_data_requests_and_history(client, business_user):
    make_staff("clerk", email="clerk@example.com")
    client.sign_in("jana@example.com", PASSWORD)
    request_id = _ask(client, "address", NEW_ADDRESS)
    page = client.get("/account/").get_data(as_text=True)
    assert business_user.customer.number in page and f"#{request_id}" in page
    client.post_form("/sign-out", page="/")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    decide_change(client, request_id, approve="1")
    overview = client.get(f"/admin/customer-overview/{business_user.customer_id}").get_data(as_text=True)
    assert "Nová 5" in overview and "clerk@example.com" in overview
    client.post_form("/admin/sign-out", page="/admin/")
    client.sign_in("jana@example.com", PASSWORD)
    page = client.get("/account/").get_data(as_text=True)
    assert "Nová 5" in page and "History of your details" in page


def test_my_data_is_a_zip_of_json_and_csv_without_secrets_or_other_customers(client, business_user):
    import io
    import json
    import zipfile

    other = make_portal_user(email="petr@example.com", name="Petr Cizí")
    client.sign_in("jana@example.com", PASSWORD)
    _ask(client, "phone", VALID["phone"])
    response = client.get("/account/my-data.zip")
    assert response.mimetype == "application/zip" and "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("my-data.json"))
    assert data["customer"][0]["number"] == business_user.customer.number
    assert data["change_requests"][0]["kind"] == "phone"
    assert "csv/invoices.csv" in archive.namelist()
    text = archive.read("my-data.json").decode()
    assert "password_hash" not in text and "scrypt" not in text and other.email not in text


def test_my_data_csv_cells_never_run_as_spreadsheet_formulas(client, business_user):
    import csv
    import io
    import zipfile

    from services.csv_cells import csv_cell

    assert [csv_cell(v) for v in ("=1+1", "+420", "-cmd|' /C calc'!A0", "@SUM(A1)", "-12.50", "Nová 5", 7)] == [
        "'=1+1", "'+420", "'-cmd|' /C calc'!A0", "'@SUM(A1)", "-12.50", "Nová 5", 7]
    client.sign_in("jana@example.com", PASSWORD)
    response = client.post_form("/changes/new/other", {"reason": '=HYPERLINK("http://evil.example","klik")'})
    assert response.status_code == 302
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/my-data.zip").data))
    rows = list(csv.DictReader(io.StringIO(archive.read("csv/change_requests.csv").decode())))
    assert rows[0]["reason"] == "'=HYPERLINK(\"http://evil.example\",\"klik\")"


def test_the_account_page_lists_the_users_for_the_administrator(client, business_user):
    make_portal_user(business_user.customer, email="kolega@example.com", modules=["invoices"])
    client.sign_in("jana@example.com", PASSWORD)
    assert "kolega@example.com" in client.get("/account/").get_data(as_text=True)


def test_other_change_with_an_attachment_checked_by_content(client, business_user):
    import io

    client.sign_in("jana@example.com", PASSWORD)
    fake = {"reason": "Prosím o změnu", "attachment": (io.BytesIO(b"MZ not a pdf"), "../../evil.pdf")}
    page = client.post_form("/changes/new/other", fake, content_type="multipart/form-data").get_data(as_text=True)
    assert "Only PDF, PNG or JPEG files can be attached." in page
    assert db.session.scalars(select(ChangeRequest)).all() == []
    real = {"reason": "Prosím o změnu", "attachment": (io.BytesIO(b"%PDF-1.4 smlouva"), "../../Smlouva <b>.pdf")}
    response = client.post_form("/changes/new/other", real, content_type="multipart/form-data")
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])
    download = client.get(f"/changes/{request_id}/attachment")
    assert download.data == b"%PDF-1.4 smlouva" and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"] and ".." not in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    other = make_portal_user(email="petr@example.com")
    client.post_form("/sign-out", page="/")
    assert_only_owner_sees(client, f"/changes/{request_id}/attachment", business_user, other, PASSWORD)


def test_the_review_task_is_titled_in_the_back_offices_language(client, business_user):
    from models.tickets import Task
    from models.users import Team

    db.session.add(Team(name="Podpora", is_default=True, members=[make_staff("clerk", email="clerk@example.com")]))
    db.session.commit()
    client.sign_in("jana@example.com", PASSWORD)  # she reads the portal in English
    request_id = _ask(client, "phone", VALID["phone"])
    task = db.session.scalars(select(Task)).one()
    assert task.title == f"Požadavek na změnu č. {request_id}: Telefon"
    assert task.assignee.email == "clerk@example.com"
