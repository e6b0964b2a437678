"""Background jobs (services/jobs.py): each job runs once however many runners try, its progress
is stored while it runs, a failing job is marked failed and writes nothing, and with REDIS_URL
the job goes through a real Redis list to `flask --app portal jobs work`."""
from __future__ import annotations

import threading
import time
import types
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from extensions import db
from factories import PASSWORD, make_staff
from helpers import PortalClient
from models.audit import AuditEntry
from models.customers import Customer
from models.files import StoredFile
from models.jobs import Job, JobState
from services import jobs
from services.imports import KINDS, customers

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "import"
HEADER = "number;kind;name;email;street;city;postcode\n"


def _customers_csv(count: int, first: int = 3000001) -> bytes:
    rows = "".join(f"{first + i};household;Zákazník {i};z{first + i}@example.com;Dlouhá {i};Praha;11000\n"
                   for i in range(count))
    return (HEADER + rows).encode()


def _queue_apply(data: bytes, staff=None, kind: str = "customers") -> int:
    """An import job that writes (as the back office's Apply queues it)."""
    job = jobs.enqueue("import", file=StoredFile.from_bytes("file.csv", "text/plain", data), created_by=staff,
                       options={"import_kind": kind, "dry_run": False, "all_or_nothing": False, "locale": "en"})
    db.session.commit()
    return job.id


def _job(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _applied() -> int:
    return _count(AuditEntry, AuditEntry.action == "import_applied")


def _at_the_same_time(apps, work):
    """Call work() in an app context of each app, in threads released together; their answers."""
    start, answers = threading.Barrier(len(apps)), []

    def runner(app):
        with app.app_context():
            start.wait()
            answers.append(work())

    threads = [threading.Thread(target=runner, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    return answers


def test_a_job_runs_once_when_two_runners_claim_it(make_app):
    """Two app instances on one database (two gunicorn processes or hosts): both try the same
    job at the same moment, one runs it."""
    first, second = make_app(), make_app()
    with first.app_context():
        job_id = _queue_apply((SAMPLES / "customers.csv").read_bytes())
    answers = _at_the_same_time([first, second], lambda: jobs.run(job_id))
    assert sorted(answers) == [False, True]
    with first.app_context():
        assert _job(job_id).state == JobState.DONE
        assert _applied() == 1
        assert _count(Customer) == 2


def test_two_runners_share_the_queue_and_run_each_job_once(make_app):
    first, second = make_app(), make_app()
    with first.app_context():
        ids = [_queue_apply(_customers_csv(2, first=3000001 + 10 * n)) for n in range(4)]
    answers = _at_the_same_time([first, second], jobs.run_queued)
    assert sum(answers) == 4
    with first.app_context():
        assert {_job(job_id).state for job_id in ids} == {JobState.DONE}
        assert _applied() == 4  # not one import twice
        assert _count(Customer) == 8


def _watching(app, client, job_id: int, seen: list):
    """The customers kind, which at each record asks the job's page what it shows (as the
    administrator's browser does, in its own request)."""

    def apply(values):
        page = client.get(f"/admin/import/jobs/{job_id}/progress").get_json()
        seen.append((page["state"], page["done"], page["total"]))
        return customers.apply(values)

    return types.SimpleNamespace(KEY=customers.KEY, FIELDS=customers.FIELDS, parse=customers.parse, apply=apply)


@pytest.mark.parametrize("seconds, expected", [
    (0, [(r, d, 5) for r, d in [("running", 0), ("running", 1), ("running", 2), ("running", 3), ("running", 4)]]),
    (3600, [("running", 0, 5)] + [("running", 1, 5)] * 4),
])
def test_the_progress_is_stored_while_the_job_runs(make_app, monkeypatch, seconds, expected):
    """Every JOBS_PROGRESS_SECONDS at most (0: at every record; an hour: only the first)."""
    app = make_app(JOBS_PROGRESS_SECONDS=seconds)
    with app.app_context():
        admin = make_staff("administrator", email="admin.progress@example.com")
        client = PortalClient(app)
        client.staff_sign_in(admin.email, PASSWORD)
        job_id = _queue_apply(_customers_csv(5), admin, kind="watched")
        seen = []
        monkeypatch.setitem(KINDS, "watched", _watching(app, client, job_id, seen))
        assert jobs.run(job_id)
        assert seen == expected
        job = _job(job_id)
        assert (job.state, job.progress_done, job.progress_total) == (JobState.DONE, 5, 5)
        assert client.get(f"/admin/import/jobs/{job_id}/progress").get_json() == {
            "state": "done", "state_label": "done", "done": 5, "total": 5, "text": "5 of 5 records", "finished": True}


def test_a_failing_job_is_marked_failed_with_its_message_and_writes_nothing(app, monkeypatch):
    def apply(values):
        if values["number"] == "3000003":
            raise RuntimeError("the CRM export broke off")
        return customers.apply(values)

    monkeypatch.setitem(KINDS, "breaking", types.SimpleNamespace(
        KEY=customers.KEY, FIELDS=customers.FIELDS, parse=customers.parse, apply=apply))
    job_id = _queue_apply(_customers_csv(5), kind="breaking")
    assert jobs.run(job_id)
    job = _job(job_id)
    assert job.state == JobState.FAILED
    assert job.error == "The job stopped on an unexpected error: RuntimeError: the CRM export broke off"
    assert job.result is None and job.finished_at is not None
    assert _count(Customer) == 0  # the two customers before the failure are gone too
    assert _applied() == 0


def test_a_file_that_turns_out_unreadable_fails_the_job_with_the_reason(app):
    data = b'{"number": "3000001"}\n{"number": "3000002"}\nnot json\n'
    job_id = _queue_apply(data)
    assert jobs.run(job_id)
    job = _job(job_id)
    assert (job.state, job.error) == (JobState.FAILED, "Line 3 is not valid JSON.")
    assert _count(Customer) == 0


def test_a_finished_job_is_not_run_again(app):
    job_id = _queue_apply((SAMPLES / "customers.csv").read_bytes())
    assert jobs.run(job_id) and not jobs.run(job_id)
    assert jobs.run_queued() == 0
    assert _applied() == 1


@pytest.fixture
def redis_app(make_app):
    """The app with REDIS_URL (the Redis on this machine and in CI), on a list of its own."""
    key = f"portal:test:jobs:{uuid.uuid4().hex}"
    app = make_app(REDIS_URL="redis://127.0.0.1:6379/0", JOBS_REDIS_KEY=key)
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    client.ping()
    with app.app_context():
        yield app, client, key
        db.session.remove()
    client.delete(key)
    client.close()


def test_with_redis_the_commit_pushes_the_job_and_the_worker_pops_and_runs_it(redis_app):
    app, client, key = redis_app
    job_id = _queue_apply((SAMPLES / "customers.csv").read_bytes())
    assert client.lrange(key, 0, -1) == [str(job_id).encode()]  # pushed once committed
    assert not jobs.runs_in_process(app)  # the web processes leave it to the worker
    result = app.test_cli_runner().invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 jobs run" in result.output
    assert client.llen(key) == 0  # popped
    job = _job(job_id)
    assert (job.state, job.result["created"]) == (JobState.DONE, 2)
    assert _count(Customer) == 2


def test_with_redis_a_rolled_back_job_is_never_pushed(redis_app):
    app, client, key = redis_app
    jobs.enqueue("import", file=StoredFile.from_bytes("file.csv", "text/plain", b"x"),
                 options={"import_kind": "customers", "dry_run": True, "all_or_nothing": False})
    db.session.rollback()
    db.session.commit()
    assert client.llen(key) == 0


def test_the_worker_runs_what_a_lost_push_left_queued(redis_app):
    """Redis was down at the commit: the job waits in the database, and the worker takes it."""
    app, client, key = redis_app
    job_id = _queue_apply((SAMPLES / "customers.csv").read_bytes())
    client.delete(key)
    result = app.test_cli_runner().invoke(args=["jobs", "work", "--once"])
    assert "1 jobs run" in result.output
    assert _job(job_id).state == JobState.DONE


def test_without_redis_the_app_runs_jobs_itself(make_app):
    """`make run`: no worker, no Redis; the thread of the process that queued the job runs it."""
    app = make_app(JOBS_WORKER=True, JOBS_POLL_SECONDS=30)
    try:
        with app.app_context():
            admin = make_staff("administrator", email="admin.thread@example.com")
            client = PortalClient(app)
            client.staff_sign_in(admin.email, PASSWORD)  # the first request starts the runner
            job_id = _queue_apply((SAMPLES / "customers.csv").read_bytes(), admin)
            deadline = time.monotonic() + 20
            while _job(job_id).state != JobState.DONE and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _job(job_id).state == JobState.DONE
            assert _count(Customer) == 2
    finally:
        jobs.stop_runner(app)


def test_under_testing_no_thread_runs_jobs_unless_asked(make_app):
    assert not jobs.runs_in_process(make_app())
    assert jobs.runs_in_process(make_app(JOBS_WORKER=True))
    assert not jobs.runs_in_process(make_app(TESTING=False, JOBS_WORKER=False))
    assert jobs.runs_in_process(make_app(TESTING=False))
