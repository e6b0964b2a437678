"""Rounds of background work inside each process (the outbox's sender, the job runner without
Redis): one daemon thread per process and app, started on first use — so each forked gunicorn
worker has its own and the master none, and nothing starts at import — woken by a commit and
by a timer, and outliving a round that fails."""
from __future__ import annotations

import logging
import os
import threading

from flask import has_request_context

from extensions import db

log = logging.getLogger("portal")
_starting = threading.Lock()


class PollingThread:
    """Subclasses say their thread's `name`, the `extension` key they are kept under in
    app.extensions, the config key of the seconds between rounds, and do one `round()`."""

    name = "poller"
    extension = "poller"
    poll_setting = ""
    stop_timeout = 15.0

    def __init__(self, app):
        self.app = app
        self.pid = os.getpid()
        self._woken = threading.Event()
        self._stopping = False
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    @property
    def stopping(self) -> bool:
        return self._stopping

    def alive(self) -> bool:
        # After a fork the child has the object but not the thread.
        return self.pid == os.getpid() and self.thread.is_alive() and not self._stopping

    def wake(self) -> None:
        self._woken.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stopping = True
        self._woken.set()
        self.thread.join(self.stop_timeout if timeout is None else timeout)

    def round(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stopping:
            self._woken.clear()
            with self.app.app_context():
                try:
                    self.round()
                except Exception:  # noqa: BLE001 - the thread must outlive a broken round
                    db.session.rollback()
                    log.exception("%s: a round failed; the next one tries again", self.name)
            self._woken.wait(self.app.config[self.poll_setting])


def ensure(app, kind: type[PollingThread]) -> PollingThread:
    """This process's thread of `kind` for the app, started if it is not running."""
    thread = app.extensions.get(kind.extension)
    if thread is not None and thread.alive():
        return thread
    with _starting:
        thread = app.extensions.get(kind.extension)
        if thread is None or not thread.alive():
            thread = app.extensions[kind.extension] = kind(app)
            thread.thread.start()
    return thread


def wake(app, kind: type[PollingThread], ensure_started) -> None:
    """A commit left work: the thread takes it now. Outside a request (a CLI command about to
    exit) no thread is started (`ensure_started` decides whether one runs here at all)."""
    thread = app.extensions.get(kind.extension)
    if (thread is None or not thread.alive()) and has_request_context():
        thread = ensure_started(app)
    if thread is not None and thread.alive():
        thread.wake()


def stop(app, kind: type[PollingThread]) -> None:
    thread = app.extensions.pop(kind.extension, None)
    if thread is not None and thread.pid == os.getpid():
        thread.stop()
