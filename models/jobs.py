"""Background jobs: long work (an import of a file) that runs off the request, with its
progress and its result stored so that every process and host sees them.

A job is queued in the transaction that asks for it, claimed by exactly one runner
(services/jobs.py), and ends done (with its result) or failed (with its error)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, UTCDateTime, check_in

# How many refused records a result keeps (the count says how many there were in all).
MAX_STORED_ERRORS = 1000


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(TimestampMixin, db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(check_in("state", JobState), name="state"),
        CheckConstraint("progress_done >= 0", name="progress_non_negative"),
        Index("ix_jobs_state", "state", "id"),
        # A dry run is applied at most once: a second "Apply" (another tab, a double click) is refused.
        Index("uq_jobs_dry_run_id", "dry_run_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # what runs it: "import"
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="RESTRICT"))
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    # The dry run this job applies (an import's "Apply"), if it is one.
    dry_run_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    file = relationship("StoredFile")
    created_by = relationship("StaffUser")
    dry_run = relationship("Job", remote_side="Job.id", back_populates="applied_by")
    applied_by = relationship("Job", back_populates="dry_run", uselist=False)

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def is_dry_run(self) -> bool:
        return bool((self.options or {}).get("dry_run"))

    @property
    def can_be_applied(self) -> bool:
        """A finished dry run, not applied yet, whose apply would write something: with
        "all or nothing" a refused record means nothing would be."""
        if self.kind != "import" or not self.is_dry_run or self.state != JobState.DONE or self.applied_by is not None:
            return False
        return not ((self.options or {}).get("all_or_nothing") and (self.result or {}).get("refused"))

    def __str__(self) -> str:
        return f"{self.kind} #{self.id}"
