"""Back-office roles: every Flask-Admin view declares who may use it, and answers only them.
Deny by default: a view that declares no roles answers administrators only, and a new view
without declared roles fails the first test with its name."""

from flask import url_for
from flask_admin import BaseView, expose
from sqlalchemy import select

from admin_views.security import StaffAccessMixin
from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff
from models.tickets import RequestType
from models.users import StaffRole

# Views whose index needs a record to show (the customer overview sends to the list): the page to open.
RECORD_PAGES = {"bo_customer_overview": "show"}


def _declared_roles(view) -> tuple:
    """The roles the view's class (or a class between it and StaffAccessMixin) declares.
    The mixin's own empty default does not count: it is what a view gets by forgetting."""
    for cls in type(view).__mro__:
        if cls is StaffAccessMixin:
            break
        if "roles" in cls.__dict__:
            return tuple(cls.__dict__["roles"])
    return ()


def _admin_views(app, customer_id: int):
    """(view, the URL that shows it) for every back-office view, from Flask-Admin's own registry."""
    admin = app.extensions["admin"][0]
    with app.test_request_context():
        for view in admin._views:
            if view.endpoint in RECORD_PAGES:
                yield view, url_for(f"{view.endpoint}.{RECORD_PAGES[view.endpoint]}", customer_id=customer_id)
            else:
                yield view, url_for(f"{view.endpoint}.index" if "index" in _methods(view) else f"{view.endpoint}.index_view")


def _methods(view):
    return {name for name in dir(type(view)) if name in ("index", "index_view")}


def test_every_back_office_view_declares_its_roles(app):
    views = app.extensions["admin"][0]._views
    assert len(views) > 25
    unprotected = [view.endpoint for view in views if not isinstance(view, StaffAccessMixin)]
    assert unprotected == [], f"views without StaffAccessMixin: {unprotected}"
    undeclared = [view.endpoint for view in views if not _declared_roles(view)]
    assert undeclared == [], f"views that declare no roles (so answer administrators only): {undeclared}"
    unknown = {view.endpoint: r for view in views for r in _declared_roles(view) if r not in set(StaffRole)}
    assert unknown == {}, f"roles that are not staff roles: {unknown}"


def test_every_back_office_view_answers_only_its_roles(app, client):
    """Each view declares its roles; a staff member with another role gets 403, with the
    role (or as an administrator) the page; customers and visitors never get it."""
    staff = {role: make_staff(role, email=f"{role}.matrix@example.com") for role in StaffRole}
    views = list(_admin_views(app, make_customer().id))
    assert len(views) > 25
    for role, person in staff.items():
        client.staff_sign_in(person.email, PASSWORD)
        for view, url in views:
            allowed = role == StaffRole.ADMINISTRATOR or role in view.roles
            status = client.get(url).status_code
            assert status == (200 if allowed else 403), f"{role} got {status} on {url}"
        client.post_form("/admin/sign-out", page="/admin/")
    # Every other route of the back office (create, edit, details, delete, actions, exports,
    # custom pages) belongs to a view and answers to the same roles.
    by_endpoint = {view.endpoint: view for view, _ in views}
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin") and r.endpoint.split(".")[0] in by_endpoint]
    assert len(rules) > 150
    for role in (StaffRole.CLERK, StaffRole.TECHNICIAN, StaffRole.BILLING):
        client.staff_sign_in(staff[role].email, PASSWORD)
        for rule in rules:
            view = by_endpoint[rule.endpoint.split(".")[0]]
            if role in view.roles or "GET" not in rule.methods:
                continue
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "csv")
            assert client.get(url).status_code == 403, f"{role} reached {url}"
        client.post_form("/admin/sign-out", page="/admin/")
    for _view, url in views:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/sign-in" in response.headers["Location"], url
    customer = make_portal_user(email="customer.matrix@example.com")
    client.sign_in(customer.email, PASSWORD)
    for _view, url in views:
        assert client.get(url).status_code == 404, f"a customer reached {url}"


def test_a_technician_reads_no_invoice_lines_and_billing_renames_no_request_type(client):
    """The two cases of the report (issue 14, item 6)."""
    kind = RequestType(name="Změna tarifu")
    db.session.add(kind)
    db.session.commit()
    make_staff("technician", email="tech.lines@example.com")
    make_staff("billing", email="billing.types@example.com")
    client.staff_sign_in("tech.lines@example.com", PASSWORD)
    assert client.get("/admin/invoice-lines/").status_code == 403
    assert client.get("/admin/registers/").status_code == 200  # the meters are theirs
    client.post_form("/admin/sign-out", page="/admin/")
    client.staff_sign_in("billing.types@example.com", PASSWORD)
    assert client.get("/admin/invoice-lines/").status_code == 200  # the invoices are theirs
    assert client.get(f"/admin/request-types/edit/?id={kind.id}").status_code == 403
    response = client.post_form(f"/admin/request-types/edit/?id={kind.id}", {"name": "Renamed", "active": "y"},
                                page="/admin/my-sessions/")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(RequestType.name).where(RequestType.id == kind.id)) == "Změna tarifu"


class _ViewWithoutRoles(StaffAccessMixin, BaseView):
    """A view someone added and forgot to give roles."""

    @expose("/")
    def index(self):
        return "the view without roles"


def test_a_view_without_roles_answers_administrators_only(app, client):
    # The app fixture is a fresh app per test that has served no request yet, so a view can
    # still be added to its back office.
    app.extensions["admin"][0].add_view(_ViewWithoutRoles(name="Forgotten view", endpoint="bo_forgotten",
                                                          url="forgotten"))
    for role in StaffRole:
        make_staff(role, email=f"{role}.forgotten@example.com")
    for role in StaffRole:
        client.staff_sign_in(f"{role}.forgotten@example.com", PASSWORD)
        response = client.get("/admin/forgotten/")
        home = client.get("/admin/").get_data(as_text=True)
        if role == StaffRole.ADMINISTRATOR:
            assert response.status_code == 200 and response.get_data(as_text=True) == "the view without roles"
            assert "/admin/forgotten/" in home
        else:
            assert response.status_code == 403, f"{role} got {response.status_code}"
            assert "/admin/forgotten/" not in home, f"{role} sees the view in the menu"
        client.post_form("/admin/sign-out", page="/admin/")
