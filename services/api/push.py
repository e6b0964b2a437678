"""Pushing records of an import kind as JSON: the kind's own parse and apply, its messages, its
all-or-nothing, as for a file (services.imports). Each record is one JSON object with the kind's
FIELDS, as one line of a JSON Lines file; the rows of a record of several rows (an invoice's
lines, a day of interval data) are records of their own, as in a file. The errors name the
record by its index in the batch (from 0). A kind whose reader reads only its own file format
(bank statements: camt.053, GPC) takes the records as they are, one record per object.

The batch is held in memory whole (at most API_MAX_RECORDS records), read before anything is
applied, as the runner wants."""
from __future__ import annotations

import json
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from services.imports import KINDS, ImportReport, UnreadableFile, read_records, records_of, run_import

SCALARS = (str, int, Decimal)


class BatchRefused(ValueError):
    """The batch is not a list of records of scalar values: nothing is imported."""

    def __init__(self, errors: list[tuple[int | None, str, str]]):
        super().__init__(errors)
        self.errors = errors


def _cell(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal) and abs(value.as_tuple().exponent) <= 40:
        return format(value, "f")  # 1e3 as 1000, as a file would have it
    return str(value)


def check_batch(records) -> list[dict]:
    """The records as the import reads them (every value text); BatchRefused naming each record
    and field that is not a JSON object of texts, numbers and nulls."""
    errors = []
    if not isinstance(records, list):
        raise BatchRefused([(None, "records", str(_l("A list of records (JSON objects) is expected.")))])
    cleaned = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            errors.append((index, "", str(_l("A record is a JSON object."))))
            continue
        for field, value in record.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, SCALARS)):
                errors.append((index, field, str(_l("A value is a text, a number or null."))))
            elif "\x00" in field or (isinstance(value, str) and "\x00" in value):
                # No database stores it, and the import's lookups would send it there before its checks.
                errors.append((index, field, str(_l("The value contains a NUL character."))))
        cleaned.append({field: _cell(value) for field, value in record.items()})
    if errors:
        raise BatchRefused(errors)
    return cleaned


def push(kind: str, records: list[dict], *, dry_run: bool = False, all_or_nothing: bool = False) -> ImportReport:
    """Import the checked records (check_batch) of the kind; the report's error lines are the
    records' indexes plus one."""
    if kind not in KINDS:
        raise KeyError(kind)
    data = "\n".join(json.dumps(record, ensure_ascii=True) for record in records).encode()
    try:
        rows = list(records_of(kind, data, "api.jsonl") if _reads_json_lines(kind) else read_records(data, "api.jsonl"))
    except UnreadableFile as error:  # the kind's reader refuses the batch as a whole (e.g. missing columns)
        raise BatchRefused([(None, "records", str(error))]) from None
    return run_import(kind, rows, dry_run=dry_run, all_or_nothing=all_or_nothing)


_READS_JSON_LINES: dict[object, bool] = {}


def _reads_json_lines(kind: str) -> bool:
    """Whether the kind's reader reads JSON Lines (as every kind's files may be, but bank
    statements, which are camt.053 or GPC files): tried once with a record of its own FIELDS."""
    module = KINDS[kind]
    if module not in _READS_JSON_LINES:
        probe = json.dumps(dict.fromkeys(module.FIELDS, "")).encode()
        try:
            list(records_of(kind, probe, "probe.jsonl"))
        except UnreadableFile:
            _READS_JSON_LINES[module] = False
        else:
            _READS_JSON_LINES[module] = True
    return _READS_JSON_LINES[module]


def indexed_errors(report: ImportReport) -> list[tuple[int, str, str]]:
    """(record index, field, reason) of the report's errors."""
    return [(line - 1, field, reason) for line, field, reason in report.errors]
