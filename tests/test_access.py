"""The central access rule: who reaches which page, and nobody sees another customer's records."""
from flask import render_template_string
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff, make_supply_point
from helpers import assert_only_owner_sees
from models.metering import SupplyPoint
from services.access import visible, visible_or_404
from web.portal_blueprint import PortalBlueprint

# Portal endpoints that answer without sign-in. A new public page must be added
# here deliberately; everything else must send an anonymous visitor to sign-in.
PUBLIC_ENDPOINTS = {
    "auth.sign_in", "auth.language", "auth.forgotten_password", "auth.reset_password", "activation.activate",
    "auth.second_factor", "changes.confirm_email", "documents.public_index", "documents.public_download",
    "static", "bootstrap.static",
}


def _probe_app(make_app):
    """An app with one extra scoped page, to prove the central rule itself."""
    app = make_app()
    probe = PortalBlueprint("probe", __name__, url_prefix="/probe", module="supply_points")

    @probe.route("/supply-points/<int:point_id>")
    def show(point_id):
        point = visible_or_404(SupplyPoint, point_id)
        return render_template_string("{{ p.identifier }}", p=point)

    @probe.route("/supply-points")
    def index():
        return ",".join(p.identifier for p in db.session.scalars(visible(SupplyPoint)))

    app.register_blueprint(probe)
    return app


def test_anonymous_visitors_are_sent_to_sign_in_from_every_portal_page(app):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        # The back office and the JSON API have doors of their own (tests/test_access_matrix.py, tests/test_api.py).
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.rule.startswith(("/admin", "/api/")) or "GET" not in rule.methods:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x").replace(f"<path:{arg}>", "x")
        response = client.get(url)
        assert response.status_code == 302, f"{url} answered {response.status_code} without sign-in"
        assert "/sign-in" in response.headers["Location"]


def test_public_endpoints_are_exactly_the_known_ones(app):
    """Every portal endpoint (outside /admin) that no PortalBlueprint guards — declared public
    there, or outside any PortalBlueprint — is in PUBLIC_ENDPOINTS, and every one listed exists."""
    unguarded = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/admin", "/api/")):
            continue  # the back office has its own sign-in (tests/test_access_matrix.py), the API its tokens (test_api.py)
        blueprint = app.blueprints.get(rule.endpoint.rpartition(".")[0])
        if not isinstance(blueprint, PortalBlueprint) or rule.endpoint in blueprint.public_endpoints:
            unguarded.add(rule.endpoint)
    assert unguarded == PUBLIC_ENDPOINTS


def test_another_customers_record_answers_404(make_app):
    app = _probe_app(make_app)
    from helpers import PortalClient

    with app.app_context():
        owner = make_portal_user()
        other = make_portal_user()
        mine = make_supply_point(owner.customer, "859182400102993847")
        make_supply_point(other.customer, "859182400102646743")
        client = PortalClient(app)
        assert_only_owner_sees(client, f"/probe/supply-points/{mine.id}", owner, other, PASSWORD)
        client.sign_in(other.email, PASSWORD)
        assert "859182400102993847" not in client.get("/probe/supply-points").get_data(as_text=True)


def test_a_user_limited_to_some_supply_points_sees_only_those(make_app):
    app = _probe_app(make_app)
    from helpers import PortalClient

    with app.app_context():
        customer = make_customer()
        first = make_supply_point(customer, "859182400102993847")
        second = make_supply_point(customer, "859182400102646743")
        user = make_portal_user(customer, modules=["supply_points"])
        user.supply_points.append(first)
        db.session.commit()
        client = PortalClient(app)
        client.sign_in(user.email, PASSWORD)
        assert client.get(f"/probe/supply-points/{first.id}").status_code == 200
        assert client.get(f"/probe/supply-points/{second.id}").status_code == 404
        assert client.get("/probe/supply-points").get_data(as_text=True) == first.identifier


def test_a_missing_module_right_answers_404(client):
    user = make_portal_user(modules=["invoices"])
    client.sign_in(user.email, PASSWORD)
    assert client.get("/invoices/").status_code == 200
    assert client.get("/supply-points/").status_code == 404


def test_staff_credentials_do_not_work_on_the_portal(client):
    staff = make_staff("administrator", email="boss@example.com")
    response = client.sign_in(staff.email, PASSWORD)
    assert response.status_code == 200
    assert "not right" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_customer_credentials_do_not_work_in_the_back_office(client):
    user = make_portal_user(email="jana@example.com")
    response = client.staff_sign_in(user.email, PASSWORD)
    assert "not right" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_signed_in_customers_never_reach_the_back_office(client, app):
    user = make_portal_user()
    client.sign_in(user.email, PASSWORD)
    assert client.get("/admin/").status_code == 404
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin") and "GET" in rule.methods and not rule.arguments:
            if rule.endpoint in {"admin.sign_in", "admin.second_factor", "admin.enrol_two_factor", "admin.static"}:
                continue
            assert client.get(rule.rule).status_code in (403, 404), rule.rule


def test_anonymous_visitors_are_sent_to_staff_sign_in(client):
    response = client.get("/admin/customers/")
    assert response.status_code == 302
    assert "/admin/sign-in" in response.headers["Location"]


def test_staff_never_reach_portal_pages(client):
    staff = make_staff("clerk")
    client.staff_sign_in(staff.email, PASSWORD)
    assert client.get("/admin/").status_code == 200
    assert client.get("/").status_code == 404
    assert client.get("/invoices/").status_code == 404


def test_visible_is_scoped_to_the_customer(make_app):
    app = _probe_app(make_app)
    with app.app_context():
        user = make_portal_user()
        other = make_customer()
        make_supply_point(other, "859182400110224391")
        with app.test_request_context():
            from flask_login import login_user

            login_user(user)
            assert db.session.scalars(visible(SupplyPoint)).all() == []
            assert db.session.scalars(select(SupplyPoint)).all() != []


def test_a_limited_user_sees_only_the_advances_of_their_supply_points(make_app):
    from datetime import date
    from decimal import Decimal

    from models.billing import Advance, AdvanceSchedule

    app = make_app()
    with app.app_context():
        customer = make_customer()
        mine, other = make_supply_point(customer), make_supply_point(customer, "859182400102646743")
        for point in (mine, other):
            schedule = AdvanceSchedule(customer_id=customer.id, supply_point=point, valid_from=date(2026, 1, 1),
                                       amount=Decimal("1000"), variable_symbol=point.identifier[-10:])
            schedule.advances = [Advance(customer_id=customer.id, due_on=date(2026, 2, 15), amount=Decimal("1000"),
                                         variable_symbol=schedule.variable_symbol)]
            db.session.add(schedule)
        user = make_portal_user(customer, modules=["invoices"])
        user.supply_points.append(mine)
        db.session.commit()
        with app.test_request_context():
            from flask_login import login_user

            login_user(user)
            seen = db.session.scalars(visible(Advance)).all()
            assert [a.schedule.supply_point_id for a in seen] == [mine.id]


def test_denials_leave_a_trace_in_the_audit_log(client):
    """Who tried what, from where (SECURITY.md #22); a page that does not exist is not a denial."""
    import json

    from models.audit import AuditEntry

    owner, prober = make_portal_user(), make_portal_user(email="prober@example.com", modules=["invoices"])
    point = make_supply_point(owner.customer, "859182400102993847")
    client.sign_in(prober.email, PASSWORD)
    assert client.get(f"/supply-points/{point.id}").status_code == 404  # no right to the module
    assert client.get("/invoices/999999").status_code == 404  # nobody's
    client.post_form("/sign-out", page="/")
    clerk = make_staff("clerk", email="clerk.denied@example.com")
    client.staff_sign_in(clerk.email, PASSWORD)
    assert client.get("/admin/staff/").status_code == 403
    assert client.get("/").status_code == 404

    denials = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "access_denied")
                                 .order_by(AuditEntry.id)).all()
    seen = [(entry.actor, json.loads(entry.details)["reason"], json.loads(entry.details)["path"]) for entry in denials]
    assert seen == [("prober@example.com", "no_module_right", f"/supply-points/{point.id}"),
                    ("clerk.denied@example.com", "no_role", "/admin/staff/"),
                    ("clerk.denied@example.com", "not_a_customer", "/")]
    assert all(entry.ip_address == "127.0.0.1" for entry in denials)


def test_another_customers_record_is_a_denial_naming_the_record(client):
    import json

    from models.audit import AuditEntry

    owner, prober = make_portal_user(), make_portal_user(email="prober2@example.com")
    point = make_supply_point(owner.customer, "859182400102993847")
    client.sign_in(prober.email, PASSWORD)
    assert client.get(f"/supply-points/{point.id}").status_code == 404
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "access_denied")).one()
    details = json.loads(entry.details)
    assert details["record"] == f"SupplyPoint#{point.id}" and "owner" not in details
    assert entry.customer_id == prober.customer_id
