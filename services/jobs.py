"""Background jobs: long work (an import) off the request, run once, with its progress and
result in the database for every process to show.

`enqueue` writes the job into the caller's transaction, so it exists exactly when what asked
for it was committed. After that commit:
- with REDIS_URL, its id is pushed onto a Redis list (JOBS_REDIS_KEY) and `flask --app portal
  jobs work` pops and runs it (and, whenever the list is quiet, runs what the database still
  has queued: a push lost with Redis down is not a job lost);
- without Redis (`make run`, tests), a thread in each app process, started by its first request
  like the outbox's sender, is woken and runs it; it also looks every JOBS_POLL_SECONDS. It is
  off under TESTING unless JOBS_WORKER = True, and off altogether with JOBS_WORKER = False.
`flask --app portal jobs work --once` runs what is queued and exits.

A runner claims a job with one conditional UPDATE (… WHERE state = 'queued') and runs it only if
that changed the row, so two gunicorn processes or hosts never run one job twice. A failing job
is rolled back whole and marked failed with its message.

Progress is stored in its own short transactions, at most every JOBS_PROGRESS_SECONDS. SQLite
has one writer at a time and a running import's transaction is it, so there the progress of a
running job lives in the process that runs it (in `make run` the page is served by that process
too); the database gets it when the job ends."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
from flask import current_app, has_app_context
from flask_babel import force_locale, gettext as _
from sqlalchemy import event, select, update

from extensions import db
from models.base import utcnow
from models.jobs import Job, JobState
from services import background

log = logging.getLogger("portal.jobs")

_PENDING = "jobs_pending"  # session.info key: ids of the jobs this transaction queued


class JobError(Exception):
    """A job cannot go on, for a reason its starter should read (in their language)."""


def enqueue(kind: str, *, file=None, options: dict | None = None, created_by=None, dry_run=None) -> Job:
    """Queue a job in the current transaction; it starts once that is committed."""
    job = Job(kind=kind, state=JobState.QUEUED, file=file, options=options or {}, created_by=created_by,
              dry_run=dry_run)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(job.id)
    return job


def _handler(kind: str) -> Callable:
    # The kinds of job. Imported here: they enqueue through this module.
    from services.imports import job as import_job

    return {import_job.KIND: import_job.run}[kind]


# --- running -----------------------------------------------------------------------------

def run(job_id: int) -> bool:
    """Run the job if it is still queued. False when another runner has (or had) it."""
    if not _claim(job_id):
        return False
    job = db.session.get(Job, job_id, populate_existing=True)
    progress = Progress(job)
    try:
        with force_locale(job.options.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]):
            try:
                result = _handler(job.kind)(job, progress)
            except Exception as error:
                db.session.rollback()  # nothing of a failed job stays
                if not isinstance(error, JobError):
                    log.exception("job %s failed", job_id)
                message = str(error) if isinstance(error, JobError) else \
                    _("The job stopped on an unexpected error: %(error)s", error=f"{type(error).__name__}: {error}")
                _end(job_id, JobState.FAILED, error=message[:4000])
                return True
        _end(job_id, JobState.DONE, result=result, progress_done=progress.done, progress_total=progress.total)
    finally:
        progress.forget()
    return True


def _claim(job_id: int) -> bool:
    """One conditional UPDATE, committed at once: on PostgreSQL a second runner's UPDATE waits
    for this one and then no longer matches; SQLite serialises writers."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, started_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _end(job_id: int, state: str, **values) -> None:
    db.session.execute(update(Job).where(Job.id == job_id)
                       .values(state=state, finished_at=utcnow(), **values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def queued_ids(limit: int = 100) -> list[int]:
    return list(db.session.scalars(select(Job.id).where(Job.state == JobState.QUEUED).order_by(Job.id).limit(limit)))


def run_queued(should_stop: Callable[[], bool] = lambda: False) -> int:
    """Run every queued job, oldest first; how many this runner ran."""
    ran = 0
    while not should_stop():
        ids = queued_ids()
        db.session.rollback()  # no read transaction held open while the jobs run
        if not ids:
            return ran
        for job_id in ids:
            if should_stop():
                break
            ran += run(job_id)
    return ran


# --- progress ----------------------------------------------------------------------------

_live: dict[tuple[str, int], tuple[int, int | None]] = {}  # SQLite: (database, job id) -> (done, total)
_live_lock = threading.Lock()


class Progress:
    """Called with the number of records just done; stores done/total now and then."""

    def __init__(self, job: Job):
        self.job_id = job.id
        self.done, self.total = 0, job.progress_total
        self.interval = current_app.config["JOBS_PROGRESS_SECONDS"]
        self.engine = db.engine
        self.in_memory = self.engine.dialect.name == "sqlite"
        self._stored_at = float("-inf")  # the first records done are shown at once

    def start(self, total: int) -> None:
        """The number of records, known before the work begins (stored with the session, which
        holds nothing yet)."""
        self.total = total
        db.session.execute(update(Job).where(Job.id == self.job_id).values(progress_total=total, progress_done=0))
        db.session.commit()

    def __call__(self, count: int) -> None:
        self.done += count
        if time.monotonic() - self._stored_at >= self.interval:
            self._store()

    def _store(self) -> None:
        self._stored_at = time.monotonic()
        if self.in_memory:
            with _live_lock:
                _live[(str(self.engine.url), self.job_id)] = (self.done, self.total)
            return
        # Its own connection and transaction: the work's transaction stays as it is.
        with self.engine.begin() as connection:
            connection.execute(update(Job).where(Job.id == self.job_id).values(progress_done=self.done))

    def forget(self) -> None:
        with _live_lock:
            _live.pop((str(self.engine.url), self.job_id), None)


def progress_of(job: Job) -> tuple[int, int | None]:
    """(done, total) of the job as far as this process knows."""
    if job.state == JobState.RUNNING:
        with _live_lock:
            live = _live.get((str(db.engine.url), job.id))
        if live is not None:
            return live
    return job.progress_done, job.progress_total


# --- where jobs run ----------------------------------------------------------------------

def redis_client(app=None):
    """The Redis connection for REDIS_URL (one per app), or None without Redis."""
    app = app or current_app._get_current_object()
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    client = app.extensions.get("jobs_redis")
    if client is None:
        client = app.extensions["jobs_redis"] = redis.Redis.from_url(url, socket_timeout=10,
                                                                       socket_connect_timeout=5)
    return client


def work(*, once: bool = False, should_stop: Callable[[], bool] = lambda: False) -> int:
    """The worker (`flask --app portal jobs work`): run jobs as they are queued, until
    should_stop(); with once, what is queued now. From the Redis list with REDIS_URL, else (and
    for what a lost push left queued) from the database. Returns how many it ran."""
    config = current_app.config
    client, key = redis_client(), config["JOBS_REDIS_KEY"]
    ran = 0
    while True:
        if client is not None:
            while (item := client.lpop(key)) is not None:
                ran += _run_pushed(item)
        ran += run_queued(should_stop)
        if once or should_stop():
            return ran
        if client is None:
            time.sleep(config["JOBS_POLL_SECONDS"])
        elif (item := client.blpop([key], timeout=config["JOBS_POLL_SECONDS"])) is not None:
            ran += _run_pushed(item[1])


def _run_pushed(item: bytes) -> int:
    try:
        job_id = int(item)
    except ValueError:
        log.warning("not a job id on the Redis list: %r", item)
        return 0
    return int(run(job_id))


def _after_commit(session):
    # A released savepoint is not the end: the jobs become visible with the outer commit.
    if session.in_nested_transaction() or not (ids := session.info.pop(_PENDING, None)) or not has_app_context():
        return
    app = current_app._get_current_object()
    try:
        client = redis_client(app)
        if client is not None:
            client.rpush(app.config["JOBS_REDIS_KEY"], *ids)
        else:
            wake(app)
    except Exception:  # noqa: BLE001 - the jobs are committed: never fail the commit for this
        log.exception("could not hand jobs %s to a runner; the next round of the runners takes them", ids)


def _after_soft_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


_listening = threading.Lock()


def _listen_once() -> None:
    """On Flask-SQLAlchemy's session factory, once per process (every app shares `db`)."""
    with _listening:
        if not event.contains(db.session, "after_commit", _after_commit):
            event.listen(db.session, "after_soft_rollback", _after_soft_rollback)
            event.listen(db.session, "after_commit", _after_commit)


class _Runner(background.PollingThread):
    """Without Redis: runs queued jobs when woken, and every JOBS_POLL_SECONDS."""

    name, extension, poll_setting, stop_timeout = "job-runner", "job_runner", "JOBS_POLL_SECONDS", 30.0

    def round(self) -> None:
        run_queued(lambda: self.stopping)


def runs_in_process(app) -> bool:
    """Without Redis each process runs jobs itself: unless JOBS_WORKER says otherwise, not under TESTING."""
    if app.config.get("REDIS_URL"):
        return False
    flag = app.config["JOBS_WORKER"]
    return not app.testing if flag is None else bool(flag)


def ensure_runner(app) -> _Runner | None:
    """This process's runner, started on first use (services/background.py)."""
    return background.ensure(app, _Runner) if runs_in_process(app) else None


def wake(app) -> None:
    background.wake(app, _Runner, ensure_runner)


def stop_runner(app) -> None:
    background.stop(app, _Runner)


def init_app(app) -> None:
    _listen_once()

    @app.before_request
    def start_runner():
        ensure_runner(app)
