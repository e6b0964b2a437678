"""Records from a CSV file (UTF-8, with or without BOM, `;` or `,`) or JSON Lines, each with
the line it starts on, so that an error can name it."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (not UTF-8, no header, not JSON Lines)."""


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(_l("The file is not in UTF-8.")) from error


def read_records(data: bytes, filename: str = "") -> Iterator[tuple[int, dict]]:
    """(line number, {column: text}) for every record; JSON Lines when the name ends in
    .jsonl / .ndjson or the first character is `{`, CSV otherwise."""
    text = _text(data)
    if filename.lower().endswith((".jsonl", ".ndjson")) or text.lstrip().startswith("{"):
        yield from _json_lines(text)
    else:
        yield from _csv(text)


def _json_lines(text: str) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise UnreadableFile(_l("Line %(line)s is not valid JSON.", line=number)) from error
        if not isinstance(record, dict):
            raise UnreadableFile(_l("Line %(line)s is not a JSON object.", line=number))
        yield number, {str(k): ("" if v is None else str(v)) for k, v in record.items()}


def _csv(text: str) -> Iterator[tuple[int, dict]]:
    header_line = text.split("\n", 1)[0]
    if not header_line.strip():
        raise UnreadableFile(_l("The file has no header line."))
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(reader)]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        yield reader.line_num, {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
