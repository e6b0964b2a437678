"""Administrators import files from the back office (issue 16): upload → a dry run job with
counts and refused records → Apply, each job run here by `flask --app portal jobs work --once`
as the worker would; other roles neither see nor apply it; a bad upload is a message next to
the field and no job."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_portal_user, make_staff
from helpers import PortalClient
from models.audit import AuditEntry
from models.customers import Customer
from models.jobs import Job, JobState

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "import"
HEADER = "number;kind;name;email;street;city;postcode\n"
IMPORT = "/admin/import/"


def _run_jobs(app) -> str:
    result = app.test_cli_runner().invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def _upload(client, data: bytes | None, filename="customers.csv", kind="customers", **fields):
    form = {"kind": kind, **fields}
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)
    return client.post_form(IMPORT, form, page=IMPORT, content_type="multipart/form-data")


def _jobs() -> int:
    return db.session.scalar(select(func.count(Job.id)))


def _customers() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Customer.number).order_by(Customer.number)))


def _text(response) -> str:
    """The page's text without tags and with single spaces, as the administrator reads it."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _error_next_to(response, field: str) -> str:
    found = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    assert found, f"no message next to {field}"
    return found.group(1).strip()


@pytest.fixture
def admin_client(app):
    admin = make_staff("administrator", email="admin.import@example.com", name="Alena Správcová")
    client = PortalClient(app)
    client.staff_sign_in(admin.email, PASSWORD)
    client.admin = admin
    return client


def test_a_dry_run_counts_and_writes_nothing_then_apply_writes(app, admin_client):
    client = admin_client
    page = client.get(IMPORT)
    assert page.status_code == 200
    assert '<option value="customers">Customers</option>' in page.get_data(as_text=True)

    response = _upload(client, (SAMPLES / "customers.csv").read_bytes())
    assert response.status_code == 302
    job_url = response.headers["Location"]
    waiting = client.get(job_url)
    assert "State: waiting" in _text(waiting)
    assert 'id="job-progress"' in waiting.get_data(as_text=True)
    assert "job-progress.js" in waiting.get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh"' in waiting.get_data(as_text=True)  # and without JavaScript

    assert "1 jobs run" in _run_jobs(app)
    dry_run = _text(client.get(job_url))
    assert "2 created · 0 updated · 0 unchanged · 0 refused" in dry_run
    assert "A dry run: nothing was written." in dry_run
    assert _customers() == []
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "import_applied")) == 0

    dry_run_id = int(job_url.rstrip("/").rsplit("/", 1)[1])
    applied = client.post_form(f"{job_url}/apply", page=job_url)
    assert applied.status_code == 302
    apply_url = applied.headers["Location"]
    assert apply_url != job_url
    _run_jobs(app)
    assert _customers() == ["2000001", "2000002"]
    shown = _text(client.get(apply_url))
    assert "2 created · 0 updated · 0 unchanged · 0 refused" in shown and "Written." in shown
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import_applied")).one()
    assert (entry.actor_kind, entry.actor, entry.staff_user_id) == ("staff", client.admin.email, client.admin.id)
    assert json.loads(entry.details)["created"] == 2

    # A dry run is applied once: the button is gone and another post changes nothing.
    assert "Apply</button>" not in client.get(job_url).get_data(as_text=True)
    again = client.post_form(f"{job_url}/apply", page=IMPORT)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/jobs/{dry_run_id}")
    assert "This import cannot be applied (again)." in _text(client.get(job_url))
    assert _jobs() == 2

    listing = _text(client.get(IMPORT))
    assert "Customers customers.csv apply done 2 created, 0 updated, 0 unchanged, 0 refused Alena Správcová" in listing
    assert "Customers customers.csv dry run done" in listing


def test_the_refused_records_are_listed_by_line_field_and_reason(app, admin_client):
    data = (HEADER + "3000001;household;Jana;jana@example.com;Dlouhá 1;Praha;11000\n"
                     "3000002;household;Petr;petr@example.com;Dlouhá 2;Praha;1100\n"
                     "3000003;household;Eva;eva@;Dlouhá 3;Praha;11000\n").encode()
    job_url = _upload(admin_client, data).headers["Location"]
    _run_jobs(app)
    page = admin_client.get(job_url).get_data(as_text=True)
    assert "1 created · 0 updated · 0 unchanged · 2 refused" in _text(admin_client.get(job_url))
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert rows == [("3", "postcode", "A Czech postcode has five digits, e.g. 110 00."),
                    ("4", "email", "Not a valid e-mail address.")]
    assert "Apply</button>" in page  # the good record can still be written
    assert _customers() == []


def test_the_reasons_are_in_the_language_of_the_administrator(app):
    admin = make_staff("administrator", email="spravce@example.com")
    client = PortalClient(app)
    client.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cs"
    client.staff_sign_in(admin.email, PASSWORD)
    data = (HEADER + "3000002;household;Petr;petr@example.com;Dlouhá 2;Praha;1100\n").encode()
    job_url = _upload(client, data).headers["Location"]
    _run_jobs(app)
    page = client.get(job_url).get_data(as_text=True)
    assert "<tr><td>2</td><td>postcode</td><td>PSČ má pět číslic, např. 110 00.</td></tr>" in page


def test_all_or_nothing_with_a_refused_record_offers_no_apply(app, admin_client):
    data = (HEADER + "3000001;household;Jana;jana@example.com;Dlouhá 1;Praha;11000\n"
                     "3000002;household;Petr;petr@example.com;Dlouhá 2;Praha;1100\n").encode()
    job_url = _upload(admin_client, data, all_or_nothing="y").headers["Location"]
    _run_jobs(app)
    page = admin_client.get(job_url)
    assert "Apply</button>" not in page.get_data(as_text=True)
    assert "applying would write nothing" in _text(page)
    assert admin_client.post_form(f"{job_url}/apply", page=IMPORT).status_code == 302
    assert _jobs() == 1


def test_a_thousand_refused_records_are_kept_and_the_rest_counted(app, admin_client):
    rows = "".join(f"{3000001 + i};household;Jana;jana@example.com;Dlouhá 1;Praha;1\n" for i in range(1005))
    job_url = _upload(admin_client, (HEADER + rows).encode()).headers["Location"]
    _run_jobs(app)
    job = db.session.scalars(select(Job)).one()
    assert job.result["refused"] == 1005 and len(job.result["errors"]) == 1000
    assert "The first 1000 of 1005 refused records:" in _text(admin_client.get(job_url))


@pytest.mark.parametrize("data, filename, kind, message", [
    (None, "", "customers", "Choose the file."),
    (b"", "customers.csv", "customers", "The file is empty."),
    ("number;name\n3000001;Jiří Čech\n".encode("cp1250"), "customers.csv", "customers", "The file is not in UTF-8."),
    (b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n", "contract.pdf", "customers", "The file is not in UTF-8."),
    (b"number;name\n", "customers.csv", "customers", "The file has no records."),
    ((SAMPLES / "payments.csv").read_bytes(), "payments.csv", "customers",
     "The file has no column number, which every file of this kind has: is it a file of another kind?"),
])
def test_a_bad_upload_is_a_message_next_to_the_field_and_no_job(app, admin_client, data, filename, kind, message):
    response = _upload(admin_client, data, filename, kind)
    assert response.status_code == 200
    assert _error_next_to(response, "file") == message
    assert _jobs() == 0


def test_a_file_over_the_limit_is_a_message_next_to_the_field(make_app):
    app = make_app(MAX_UPLOAD_BYTES=1024 * 1024)
    with app.app_context():
        admin = make_staff("administrator", email="admin.big@example.com")
        client = PortalClient(app)
        client.staff_sign_in(admin.email, PASSWORD)
        response = _upload(client, (HEADER + "x" * (1024 * 1024)).encode())
        assert _error_next_to(response, "file") == "The file is larger than 1 MB."
        assert _jobs() == 0


def test_a_kind_the_import_does_not_know_is_refused(app, admin_client):
    response = _upload(admin_client, (SAMPLES / "customers.csv").read_bytes(), kind="passwords")
    assert _error_next_to(response, "kind") == "Not a valid choice."
    assert _jobs() == 0


def test_every_kind_of_the_import_is_offered(app, admin_client):
    from services.imports import KINDS

    page = admin_client.get(IMPORT).get_data(as_text=True)
    offered = re.findall(r'<option (?:selected )?value="([\w-]+)"', page)
    assert sorted(offered) == sorted(KINDS)
    # Each by its name, not its code.
    names = dict(re.findall(r'<option (?:selected )?value="([\w-]+)">([^<]+)</option>', page))
    assert [kind for kind, name in names.items() if name == kind] == []


def test_the_progress_endpoint_answers_the_job_page_script(app, admin_client):
    job_url = _upload(admin_client, (SAMPLES / "customers.csv").read_bytes()).headers["Location"]
    assert admin_client.get(f"{job_url}/progress").get_json() == {
        "state": "queued", "state_label": "waiting", "done": 0, "total": None, "text": "Counting the records …",
        "finished": False}
    _run_jobs(app)
    assert admin_client.get(f"{job_url}/progress").get_json()["finished"] is True
    assert admin_client.get("/admin/import/jobs/999").status_code == 404
    assert admin_client.get("/admin/import/jobs/999/progress").status_code == 404


@pytest.mark.parametrize("role", ["billing", "technician", "clerk"])
def test_other_roles_can_neither_see_nor_apply_an_import(app, role):
    admin = make_staff("administrator", email="admin.roles@example.com")
    client = PortalClient(app)
    client.staff_sign_in(admin.email, PASSWORD)
    job_url = _upload(client, (SAMPLES / "customers.csv").read_bytes()).headers["Location"]
    _run_jobs(app)
    client.post_form("/admin/sign-out", page="/admin/")

    other = make_staff(role, email=f"{role}.import@example.com")
    client.staff_sign_in(other.email, PASSWORD)
    for url in (IMPORT, job_url, f"{job_url}/progress"):
        assert client.get(url).status_code == 403, url
    assert "/admin/import/" not in client.get("/admin/").get_data(as_text=True)  # not in the menu
    token = client.csrf_token("/admin/my-sessions/")
    assert client.post(f"{job_url}/apply", data={"csrf_token": token}).status_code == 403
    assert client.post(IMPORT, data={"csrf_token": token, "kind": "customers", "file": (
        io.BytesIO((SAMPLES / "customers.csv").read_bytes()), "customers.csv")},
        content_type="multipart/form-data").status_code == 403
    assert _jobs() == 1
    _run_jobs(app)
    assert _customers() == []


def test_a_customer_does_not_find_the_import(app):
    user = make_portal_user(email="zakaznik.import@example.com")
    client = PortalClient(app)
    client.sign_in(user.email, PASSWORD)
    assert client.get(IMPORT).status_code == 404
    assert client.get("/admin/import/jobs/1").status_code == 404


def test_a_job_that_failed_says_why_on_its_page(app, admin_client):
    data = b'{"number": "3000001"}\nnot json\n'
    job_url = _upload(admin_client, data, "customers.jsonl").headers["Location"]
    _run_jobs(app)
    page = _text(admin_client.get(job_url))
    assert "State: failed" in page and "Line 2 is not valid JSON." in page
    assert "Nothing of this import was written." in page
    assert db.session.scalars(select(Job)).one().state == JobState.FAILED


def _samples():
    from services.imports import KINDS

    return [(kind, path.name) for kind in KINDS for path in sorted(SAMPLES.glob(f"{kind}.*"))]


@pytest.mark.parametrize("kind, filename", _samples())
def test_every_sample_file_is_taken_for_its_kind_and_its_dry_run_ends(app, admin_client, kind, filename):
    """Whatever kinds the import holds, the page takes their documented samples (docs/import/)."""
    response = _upload(admin_client, (SAMPLES / filename).read_bytes(), filename, kind)
    assert response.status_code == 302, _error_next_to(response, "file")
    _run_jobs(app)
    job = db.session.scalars(select(Job)).one()
    assert (job.state, job.error, job.result["written"]) == (JobState.DONE, None, False)
