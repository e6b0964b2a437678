"""Back-office forms check what the portal checks and never show an exception: every form given
bad values saves nothing and says why next to the field; junk in every form and list filter is
a page with a message, never a 500 or the database's text; enumerations are selects of words;
customers, supply points and portal users are searched as one types; what has history is
deactivated instead of deleted."""
import re

import pytest
from flask_admin.contrib.sqla import ModelView
from sqlalchemy import func, inspect, select

from admin_views import db_errors
from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff, make_supply_point
from models.audit import AuditEntry
from models.customers import Customer
from models.metering import SupplyPoint, SupplyPointState
from models.users import PortalUser, PortalUserState
from services import audit
from services.demo_data import load_demo_data

# What must never reach a staff member's screen.
LEAKS = ("Traceback", "IntegrityError", "sqlalchemy", "psycopg", "sqlite3", "constraint failed", "INSERT INTO",
         "UPDATE ", "[parameters:")
JUNK = ("x" * 1000, "-99999999999999999999999", "__None", "domácnost", "0", "1.5e308", "31. 2. 2026", "<b>é</b>",
        "' OR 1=1 --")
CUSTOMER = {"number": "9100001", "kind": "household", "segment": "household", "name": "Marie Nová",
            "email": "marie@example.com", "phone": "+420 601 123 456", "street": "Dlouhá 1", "city": "Praha",
            "postcode": "110 00", "active": "y"}


def _views(app, *, editable: str):
    admin = app.extensions["admin"][0]
    return [view for view in admin._views
            if isinstance(view, ModelView) and getattr(view, f"can_{editable}") and view.endpoint.startswith("bo_")]


def _url(view, what: str) -> str:
    return f"/admin/{view.url.strip('/').removeprefix('admin/')}/{what}/"


def _fields(app, view, create: bool) -> list[str]:
    with app.test_request_context():
        form = view.get_create_form()() if create else view.get_edit_form()()
        return [field.name for field in form if field.name != "csrf_token"]


def _rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _assert_no_leak(page: str, where: str, typed: str = "") -> None:
    # Flask-Admin's empty choice, labelled by its value.
    assert not re.search(r'value="__None"[^>]*>__None<', page), f"{where}: an empty choice shown as __None"
    page = re.sub(r'value="[^"]*"', "", page)  # what was typed comes back in its field, as typed
    found = [leak for leak in LEAKS if leak in page and leak not in typed]
    assert not found, f"{where}: {found}"


@pytest.fixture
def admin_client(app, client):
    load_demo_data()
    client.staff_sign_in("admin@example.com", "Demo-Back-Office-2026")
    return client


def test_junk_in_every_create_form_saves_nothing_and_shows_no_exception(app, admin_client):
    views = _views(app, editable="create")
    assert len(views) >= 15
    for view in views:
        url = _url(view, "new")
        fields = _fields(app, view, create=True)
        for junk in JUNK:
            before = _rows(view.model)
            response = admin_client.post_form(url, dict.fromkeys(fields, junk))
            page = response.get_data(as_text=True)
            _assert_no_leak(page, f"{url} {junk[:20]}", junk)
            db.session.rollback()
            if junk == JUNK[0] or response.status_code != 302:
                # Refused (beyond every length and number, the first always is): the form again,
                # a message next to a field, nothing written.
                assert response.status_code == 200 and "invalid-feedback" in page, (url, junk[:20])
                assert _rows(view.model) == before, (url, junk[:20])
            else:  # a value that is valid for every field of this form (a name "0"): saved once
                assert _rows(view.model) == before + 1, (url, junk[:20])


def test_junk_in_every_edit_form_changes_nothing_and_shows_no_exception(app, admin_client):
    for view in _views(app, editable="edit"):
        record = db.session.scalars(select(view.model).limit(1)).first()
        if record is None:
            continue
        ident = inspect(record).identity[0]
        values = {c.key: getattr(record, c.key) for c in inspect(view.model).column_attrs}
        url = f"{_url(view, 'edit')}?id={ident}"
        fields = _fields(app, view, create=False)
        response = admin_client.post_form(url, dict.fromkeys(fields, JUNK[0]), page=url)
        assert response.status_code == 200 and "invalid-feedback" in response.get_data(as_text=True), url
        db.session.expire_all()
        after = db.session.get(view.model, ident)
        assert {c.key: getattr(after, c.key) for c in inspect(view.model).column_attrs} == values, url
        for junk in JUNK[1:]:
            response = admin_client.post_form(url, dict.fromkeys(fields, junk), page=url)
            page = response.get_data(as_text=True)
            _assert_no_leak(page, f"{url} {junk[:20]}", junk)
            db.session.expire_all()
            now = {c.key: getattr(db.session.get(view.model, ident), c.key) for c in inspect(view.model).column_attrs}
            if response.status_code == 302:  # valid for every field (a name "0"): saved
                assert now != values, (url, junk[:20])
            else:  # refused next to a field, nothing written
                assert response.status_code == 200 and "invalid-feedback" in page, (url, junk[:20])
                assert now == values, (url, junk[:20])
            values = now
        db.session.rollback()


def test_junk_in_every_list_filter_and_search_is_a_page_not_an_error(app, admin_client):
    checked = 0
    for view in [v for v in app.extensions["admin"][0]._views if isinstance(v, ModelView)]:
        if not view.endpoint.startswith("bo_"):
            continue
        base = _url(view, "").rstrip("/").rsplit("/", 1)[0] + "/"
        for index, _flt in enumerate(view._filters or ()):
            for junk in ("x" * 300, "-1e999", "2026-13-45", "__None", "%", "9" * 40):
                response = admin_client.get(base, query_string={f"flt0_{index}": junk})
                assert response.status_code == 200, (base, index, junk, response.status_code)
                _assert_no_leak(response.get_data(as_text=True), f"{base} filter {index} {junk[:10]}", junk)
                checked += 1
        for junk in ("%_\\", "x" * 500, "'"):
            response = admin_client.get(base, query_string={"search": junk, "sort": "99", "page": "x"})
            assert response.status_code == 200, (base, junk)
    assert checked > 300


@pytest.mark.parametrize(("field", "value", "message"), [
    ("company_id", "12345678", "This IČO is not valid"),
    ("vat_id", "12345678", "A DIČ is CZ and 8 to 10 digits."),
    ("bank_account", "1234/0100", "This account number is not valid"),
    ("bank_account", "CZ6508000000192000145398", "This IBAN is not valid"),
    ("email", "marie@", "Enter a valid e-mail address."),
    ("phone", "12", "This is not a"),
    ("postcode", "1100", "A Czech postcode has five digits"),
    ("kind", "domácnost", "Not a valid choice"),
    ("segment", "gold", "Not a valid choice"),
])
def test_the_customer_form_refuses_what_the_portal_refuses_next_to_the_field(admin_client, field, value, message):
    page = admin_client.post_form("/admin/customers/new/", CUSTOMER | {field: value}).get_data(as_text=True)
    # The message is in the field's own feedback, below its input.
    feedback = re.search(rf'name="{field}".*?invalid-feedback[^>]*>(.*?)</div>', page, re.S)
    assert feedback and message in feedback.group(1), page[page.find(f'name="{field}"'):][:1500]
    assert db.session.scalar(select(Customer).where(Customer.number == "9100001")) is None


def test_a_business_needs_its_ico_and_valid_values_are_stored_in_their_form(admin_client):
    page = admin_client.post_form("/admin/customers/new/", CUSTOMER | {"kind": "business"}).get_data(as_text=True)
    assert "A business customer needs an IČO." in page
    page = admin_client.post_form("/admin/customers/new/", CUSTOMER | {"company_id": "27082440"}).get_data(as_text=True)
    assert "Only a business customer has an IČO." in page
    assert db.session.scalar(select(Customer).where(Customer.number == "9100001")) is None
    response = admin_client.post_form("/admin/customers/new/", CUSTOMER | {
        "kind": "business", "company_id": "27082440", "vat_id": "cz27082440", "bank_account": "19-2000145399/0800",
        "phone": "601123456", "postcode": "11000"})
    assert response.status_code == 302
    customer = db.session.scalar(select(Customer).where(Customer.number == "9100001"))
    assert (customer.company_id, customer.vat_id, customer.bank_account, customer.phone, customer.postcode) == (
        "27082440", "CZ27082440", "19-2000145399/0800", "+420 601 123 456", "11000")


def test_a_number_taken_already_is_said_next_to_the_field(admin_client):
    taken = db.session.scalars(select(Customer.number).limit(1)).first()
    page = admin_client.post_form("/admin/customers/new/", CUSTOMER | {"number": taken}).get_data(as_text=True)
    feedback = re.search(r'name="number".*?invalid-feedback[^>]*>(.*?)</div>', page, re.S)
    assert feedback and "Already exists." in feedback.group(1)


@pytest.mark.parametrize(("values", "column", "message"), [
    ({"number": "1000001"}, "number", db_errors.UNIQUE),
    ({"name": None}, "name", db_errors.NOT_NULL),
    ({"kind": "domácnost"}, "kind", db_errors.CHECK),
])
def test_what_the_database_refuses_is_explained_by_column(app, values, column, message):
    """The refusals a form cannot foresee (a race for a number, a rule only the database has)
    are read off the real database's error: its column and a sentence."""
    from sqlalchemy.exc import IntegrityError

    make_customer(number="1000001")
    fields = {"number": "1000002", "kind": "household", "segment": "household", "name": "X", "email": "x@example.com",
              "street": "Dlouhá 1", "city": "Praha", "postcode": "11000"}
    db.session.add(Customer(**(fields | values)))
    with pytest.raises(IntegrityError) as refused:
        db.session.flush()
    db.session.rollback()
    assert db_errors.explain(refused.value, Customer.__table__) == (column, message)


def test_enumerations_are_selects_of_words_not_codes(admin_client):
    page = admin_client.get("/admin/customers/new/").get_data(as_text=True)
    kind = re.search(r'<select[^>]*name="kind".*?</select>', page, re.S).group(0)
    assert '<option selected value="household">household</option>' in kind or ">household<" in kind
    assert 'value="business">business<' in kind
    segment = re.search(r'<select[^>]*name="segment".*?</select>', page, re.S).group(0)
    assert ">V.I.P.<" in segment and ">Small businesses<" in segment
    staff = admin_client.get("/admin/staff/new/").get_data(as_text=True)
    assert ">customer service clerk<" in re.search(r'<select[^>]*name="role".*?</select>', staff, re.S).group(0)
    reading = admin_client.get("/admin/readings/new/").get_data(as_text=True)
    assert ">waiting for our check<" in re.search(r'<select[^>]*name="state".*?</select>', reading, re.S).group(0)


def test_customers_supply_points_and_portal_users_are_searched_as_one_types(app, admin_client):
    for number in range(30):
        make_customer(number=f"77{number:05d}", name=f"Hledaný {number}")
    form = admin_client.get("/admin/supply-points/new/").get_data(as_text=True)
    assert re.search(r'name="customer"[^>]*data-role="select2-ajax"|data-role="select2-ajax"[^>]*name="customer"', form)
    assert "Hledaný 1" not in form  # not a dropdown of every customer
    found = admin_client.get("/admin/supply-points/ajax/lookup/", query_string={"name": "customer", "query": "7700"})
    names = [label for _id, label in found.get_json()]
    assert len(names) == 10 and all("Hledaný" in n for n in names)
    by_name = admin_client.get("/admin/supply-points/ajax/lookup/", query_string={"name": "customer", "query": "hledaný 2"})
    assert {label.split(" ", 1)[1] for _id, label in by_name.get_json()} >= {"Hledaný 2", "Hledaný 20"}
    nothing = admin_client.get("/admin/supply-points/ajax/lookup/", query_string={"name": "customer", "query": "%"})
    assert nothing.get_json() == []
    point = db.session.scalars(select(SupplyPoint).limit(1)).first()
    by_ean = admin_client.get("/admin/meters/ajax/lookup/", query_string={"name": "supply_point",
                                                                        "query": point.identifier[:12]})
    assert point.id in [i for i, _label in by_ean.get_json()]
    users = admin_client.get("/admin/portal-users/new/").get_data(as_text=True)
    for name in ("customer", "login", "supply_points"):
        assert re.search(rf'data-role="select2-ajax"[^>]*name="{name}"|name="{name}"[^>]*data-role="select2-ajax"',
                         users), name


def test_what_has_history_is_deactivated_and_what_has_none_is_deleted(app, client):
    customer = make_customer()
    make_portal_user(customer)
    point = make_supply_point(make_customer(number="9200003")).id
    lonely = make_customer(number="9200002").id
    make_staff("clerk", email="clerk@example.com")
    client.staff_sign_in("clerk@example.com", PASSWORD)
    page = client.post_form("/admin/customers/delete/", {"id": str(customer.id)}, page="/admin/customers/",
                            follow_redirects=True).get_data(as_text=True)
    _assert_no_leak(page, "delete a customer with history")
    assert "has history, so it was deactivated instead of deleted." in page
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).active is False
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "backoffice_deactivated")) is not None
    client.post_form("/admin/customers/delete/", {"id": str(lonely)}, page="/admin/customers/")
    db.session.expire_all()
    assert db.session.get(Customer, lonely) is None
    make_staff("technician", email="tech@example.com")
    client.staff_sign_in("tech@example.com", PASSWORD)
    client.post_form("/admin/supply-points/delete/", {"id": str(point)}, page="/admin/supply-points/")
    db.session.expire_all()
    assert db.session.get(SupplyPoint, point) is None  # no readings, invoices or contracts


def test_a_portal_user_with_history_is_disabled_and_one_without_is_deleted(app, admin_client):
    author = make_portal_user(make_customer(number="9300002"), email="jana.kratka@example.com")
    audit.record("signed_in", actor=author)  # who signed in and did things: the audit log names them
    db.session.commit()
    assert db.session.scalar(select(AuditEntry.portal_user_id).where(AuditEntry.action == "signed_in")) == author.id
    fresh = make_portal_user(make_customer(number="9300003"), email="nova@example.com").id
    page = admin_client.post_form("/admin/portal-users/delete/", {"id": str(author.id)}, page="/admin/portal-users/",
                                  follow_redirects=True).get_data(as_text=True)
    _assert_no_leak(page, "delete a portal user with history")
    admin_client.post_form("/admin/portal-users/delete/", {"id": str(fresh)}, page="/admin/portal-users/")
    db.session.expire_all()
    assert db.session.get(PortalUser, author.id).state == PortalUserState.DISABLED
    assert db.session.get(PortalUser, fresh) is None


def test_a_supply_point_with_readings_is_no_longer_supplied_instead_of_deleted(app, admin_client):
    point = db.session.scalars(select(SupplyPoint).where(SupplyPoint.state == SupplyPointState.ACTIVE)
                               .join(SupplyPoint.meters)).first()
    page = admin_client.post_form("/admin/supply-points/delete/", {"id": str(point.id)}, page="/admin/supply-points/",
                                  follow_redirects=True).get_data(as_text=True)
    _assert_no_leak(page, "delete a supply point with history")
    db.session.expire_all()
    assert db.session.get(SupplyPoint, point.id).state == SupplyPointState.INACTIVE
