"""Bringing the supplier's data in: one module per kind of record (customers, payments, …),
one reader for CSV and JSON Lines, one runner that upserts by the source system's key and
reports every bad record by line and field without writing any of it.

The CLI (`flask --app portal import KIND FILE`) and later the back office and the API call
`run_import`; they differ only in where the records come from and how progress is shown."""
from services.imports.reader import UnreadableFile, read_records
from services.imports.runner import KINDS, ImportReport, RecordError, records_of, run_import

__all__ = ["KINDS", "ImportReport", "RecordError", "UnreadableFile", "read_records", "records_of", "run_import"]
