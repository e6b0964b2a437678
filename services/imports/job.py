"""An import as a background job (the back office's import page): a dry run of an uploaded
file, then, when an administrator has read its counts and errors, its apply."""
from __future__ import annotations

from flask_babel import get_locale, lazy_gettext as _l

from models.jobs import MAX_STORED_ERRORS, Job
from services import jobs
from services.imports.reader import UnreadableFile
from services.imports.runner import KINDS, ImportReport, records_of, run_import

KIND = "import"


class NotApplicable(ValueError):
    """Only a finished dry run, not applied yet, can be applied."""


def first_look(import_kind: str, data: bytes, filename: str) -> None:
    """Refuse at once (UnreadableFile) a file that cannot be of this kind: unreadable as a whole,
    without records, or without the column every record of the kind is keyed by. The records
    themselves are checked by the dry run."""
    first = next(iter(records_of(import_kind, data, filename)), None)
    if first is None:
        raise UnreadableFile(_l("The file has no records."))
    key = KINDS[import_kind].KEY
    column = key if isinstance(key, str) else key[0]
    if column not in first[1]:
        raise UnreadableFile(_l("The file has no column %(column)s, which every file of this kind has: "
                                "is it a file of another kind?", column=column))


def start_dry_run(import_kind: str, file, *, all_or_nothing: bool, staff) -> Job:
    """Queue the dry run of an uploaded file (a StoredFile) in the current transaction."""
    if import_kind not in KINDS:
        raise ValueError(f"no import of {import_kind!r}")
    return jobs.enqueue(KIND, file=file, created_by=staff, options={
        "import_kind": import_kind, "dry_run": True, "all_or_nothing": bool(all_or_nothing),
        "locale": str(get_locale())})


def start_apply(dry_run: Job, staff) -> Job:
    """Queue the apply of the same file with the same options, once per dry run (the unique
    index on `dry_run_id` refuses a second one committed at the same moment)."""
    if not dry_run.can_be_applied:
        raise NotApplicable(_l("This import cannot be applied (again)."))
    return jobs.enqueue(KIND, file=dry_run.file, created_by=staff, dry_run=dry_run,
                        options={**dry_run.options, "dry_run": False, "locale": str(get_locale())})


def run(job: Job, progress: jobs.Progress) -> dict:
    """The job's work: count the records, run the import with progress, return its report."""
    options, file = job.options, job.file
    kind, data = options["import_kind"], file.content
    try:
        progress.start(sum(1 for _ in records_of(kind, data, file.filename)))
        report = run_import(kind, records_of(kind, data, file.filename), dry_run=options["dry_run"],
                            all_or_nothing=options["all_or_nothing"], progress=progress, actor=job.created_by)
    except UnreadableFile as error:
        raise jobs.JobError(str(error)) from None
    return result_of(report)


def result_of(report: ImportReport) -> dict:
    """The report as the job keeps it: the counts and the first MAX_STORED_ERRORS refusals."""
    return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
            "refused": len(report.errors), "written": report.written,
            "errors": [[line, field, str(reason)] for line, field, reason in report.errors[:MAX_STORED_ERRORS]]}
