"""Running one import: every record parsed and checked before anything of it is written, so a
bad record is reported (line, field, reason) and nothing of it stays."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.exc import DataError, IntegrityError

from extensions import db
from services import audit
from services.imports import (
    advance_schedules,
    bank_statements,
    contracts,
    customers,
    interval_data,
    invoices,
    meter_readings,
    payments,
    price_lists,
    products,
    supply_points,
)
from services.imports.cells import RecordError
from services.imports.reader import read_records

# Each kind is a module with KEY, FIELDS, parse(record) -> values and apply(values) -> outcome,
# and optionally read(data, filename) when its files are not plain CSV / JSON Lines.
KINDS = {"customers": customers, "payments": payments, "interval-data": interval_data,
         "products": products, "contracts": contracts, "price-lists": price_lists,
         "advance-schedules": advance_schedules, "invoices": invoices, "bank-statement": bank_statements,
         "supply-points": supply_points, "meter-readings": meter_readings}


def records_of(kind: str, data: bytes, filename: str = ""):
    """(line, record) of a file of this kind, read the way the kind's files are written."""
    reader = getattr(KINDS[kind], "read", read_records)
    return reader(data, filename)


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # line, field, reason
    written: bool = False

    @property
    def records(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.errors)


def run_import(kind: str, records: Iterable[tuple[int, dict]], *, dry_run: bool = False,
               all_or_nothing: bool = False, progress: Callable[[int], None] | None = None,
               actor=None) -> ImportReport:
    """Upsert the records of one kind and commit, unless it is a dry run or (with
    all_or_nothing) a record was bad: then nothing is written and the report says what would be.
    `actor`: who started it (the staff member of a back-office import), for the audit entry.

    A kind with `prepare(records) -> batch` is written in batches (BATCH_SIZE records): the
    batch looks every key of the batch up at once, parse(record, batch) / apply(values, batch)
    queue rows, batch.write() inserts them together. Other kinds go record by record."""
    module = KINDS[kind]
    report = ImportReport(kind)
    prepare = getattr(module, "prepare", None)
    chunks = _chunks(records, BATCH_SIZE) if prepare else ([item] for item in records)
    try:
        for chunk in chunks:
            line = chunk[0][0]  # what a refusal names if the batch's lookups themselves fail
            batch = prepare([record for _, record in chunk]) if prepare else None
            for line, record in chunk:
                try:
                    if batch is None:
                        outcome = module.apply(module.parse(record))
                        db.session.flush()
                    else:
                        outcome = module.apply(module.parse(record, batch), batch)
                except RecordError as error:
                    # A record of several rows (a day of interval data) names the bad row's own line.
                    report.errors.append((getattr(error, "line", None) or line, error.field, str(error.reason)))
                else:
                    setattr(report, outcome, getattr(report, outcome) + 1)
            if batch is not None:
                batch.write()
                db.session.flush()
            if progress:
                progress(len(chunk))
    except (IntegrityError, DataError):
        # A check passed that the database refuses: nothing of this file can be trusted.
        db.session.rollback()
        report.errors.append((line, "", _("The database refused this record; nothing was written.")))
        return report
    if dry_run or (all_or_nothing and report.errors):
        db.session.rollback()
    else:
        audit.record("import_applied", details={"kind": kind, "created": report.created, "updated": report.updated,
                                               "unchanged": report.unchanged, "refused": len(report.errors)},
                     actor=actor)
        db.session.commit()
        report.written = True
    return report


BATCH_SIZE = 1000


def _chunks(records: Iterable, size: int):
    chunk = []
    for item in records:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
