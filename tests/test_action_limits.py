"""Per-user limits on what a customer sends (SECURITY.md #23): past the limit the portal
answers 429 with its page and stores nothing; only what was done counts, a form sent back
with errors does not; one user's limit does not touch another's."""
import pytest
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_supply_point
from helpers import PortalClient
from models.changes import ChangeRequest
from models.tickets import RequestType, ServiceCategory, Ticket

LIMITS = {"ticket": "2 per hour", "change": "2 per hour"}  # the others keep their defaults


@pytest.fixture
def limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, ACTION_LIMITS=LIMITS)
    with app.app_context():
        yield app
        db.session.remove()


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_tickets_past_the_limit_answer_429_and_store_nothing(limited):
    customer = make_customer(name="Pekárna Limitní", segment="vip")
    make_portal_user(customer, email="limit@example.com")
    point = make_supply_point(customer)
    category, kind = ServiceCategory(name="Porucha"), RequestType(name="Dotaz")
    db.session.add_all([category, kind])
    db.session.commit()
    service = {"service_category": str(category.id), "supply_point": str(point.id), "priority": "normal",
               "subject": "Nesvítí displej", "text": "Od rána."}
    client = PortalClient(limited)
    client.sign_in("limit@example.com", PASSWORD)

    mistyped = client.post_form("/service/new", {**service, "subject": ""})
    assert mistyped.status_code == 200 and "Write a short subject." in mistyped.get_data(as_text=True)
    assert client.post_form("/service/new", service).status_code == 302
    # The limit is one for tickets under /service and /requests alike.
    request = {"request_type": str(kind.id), "subject": "Dotaz", "text": "Kdy?"}
    assert client.post_form("/requests/new", request).status_code == 302
    refused = client.post_form("/requests/new", request, page="/requests/")
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    assert _count(Ticket) == 2
    # Reading the pages is not limited; signing out everywhere and back in does not reset it.
    assert client.get("/service/new").status_code == 200
    client.post_form("/profile/sign-out-everywhere", page="/profile/")
    client.sign_in("limit@example.com", PASSWORD)
    assert client.post_form("/requests/new", request, page="/requests/").status_code == 429

    # Another customer's user has a limit of its own.
    other = PortalClient(limited)
    make_portal_user(make_customer(name="Jiný"), email="jiny@example.com")
    other.sign_in("jiny@example.com", PASSWORD)
    assert other.post_form("/requests/new", request).status_code == 302


def test_change_requests_count_when_sent_not_when_previewed(limited):
    make_portal_user(make_customer(name="Jana Limitní"), email="jana.limit@example.com")
    client = PortalClient(limited)
    client.sign_in("jana.limit@example.com", PASSWORD)
    for phone in ("777 555 111", "777 555 112"):
        assert client.post_form("/changes/new/phone", {"phone": phone}).status_code == 200  # the preview
        sent = client.post_form("/changes/new/phone", {"phone": phone, "confirmed": "1"}, page="/changes/new/phone")
        assert sent.status_code == 302
    assert client.post_form("/changes/new/phone", {"phone": "777 555 113"}).status_code == 429
    assert _count(ChangeRequest) == 2
