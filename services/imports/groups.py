"""Records of several rows: a price list with its items, an advance schedule with its advances.
The rows of one key need not follow one another; the record stands at its first row's line."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask_babel import lazy_gettext as _l

from services.imports.cells import RecordError, on_line


def grouped(rows: Iterable[tuple[int, dict]], key: str) -> Iterator[tuple[int, dict]]:
    """(line of the first row, {its cells…, "rows": [(line, row), …]}) per value of `key`; a row
    with an empty key is a record of its own (refused by the kind: the key is required)."""
    groups: dict[str, tuple[int, dict]] = {}
    alone = 0
    for line, row in rows:
        value = (row.get(key) or "").strip()
        if not value:
            alone += 1
            value = f"\x00{alone}"  # no cell holds a NUL (cells.optional refuses it)
        if value in groups:
            groups[value][1]["rows"].append((line, row))
        else:
            groups[value] = (line, {**row, "rows": [(line, row)]})
    yield from groups.values()


def same_fields(record: dict, fields: Iterable[str]) -> None:
    """Every row of the record repeats its first row's cells of these fields or leaves them empty."""
    fields = tuple(fields)
    first = record["rows"][0][1]
    for line, row in record["rows"][1:]:
        for field in fields:
            cell = (row.get(field) or "").strip()
            if cell and cell != (first.get(field) or "").strip():
                with on_line(line):
                    raise RecordError(field, _l("The rows of one record differ in this field."))
