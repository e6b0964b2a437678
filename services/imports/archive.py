"""Import files that bring their PDFs along: a ZIP holding one CSV or JSON Lines file and the
PDFs its cells name (`pdf/FA2026000101.pdf`), or a plain CSV / JSON Lines file.

`read` gives the records as reader.read_records does, every value a str. The records of a ZIP
carry the archive under the extra column ARCHIVE (its value a str, the ZIP's file name, that
also holds the opened archive), so that it survives a kind copying records (`{**row, …}`) and
needs no state beside them; `attachment(record, field)` reads the member the cell names from it.
A plain file's records have no such column, and a cell naming a file in them is refused.

Against zip bombs: a member's uncompressed size is checked in its header and again while it is
read, the records file against MAX_RECORDS_FILE, an attachment against MAX_ATTACHMENT."""
from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from extensions import db
from models.files import StoredFile
from services.imports.cells import RecordError, optional
from services.imports.reader import UnreadableFile, read_records

ARCHIVE = "@archive"
MAX_ATTACHMENT = 20 * 1024 * 1024
MAX_RECORDS_FILE = 512 * 1024 * 1024
RECORD_FILES = (".csv", ".jsonl", ".ndjson")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a ZIP with members, an empty ZIP
PDF_MAGIC = b"%PDF-"
_CHUNK = 1024 * 1024


class _Archive(str):
    """The ZIP's file name, holding the opened ZIP (`.zip`): a str among the record's values."""

    zip: zipfile.ZipFile

    def __new__(cls, name: str, archive: zipfile.ZipFile):
        value = super().__new__(cls, name)
        value.zip = archive
        return value


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def read(data: bytes, filename: str = "") -> Iterator[tuple[int, dict]]:
    """(line, record) of the one CSV / JSON Lines file in a ZIP, or of the plain file."""
    if not is_zip(data):
        if filename.lower().endswith(".zip"):
            raise UnreadableFile(_l("The file is not a ZIP archive."))
        yield from read_records(data, filename)
        return
    try:
        opened = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableFile(_l("The ZIP archive is damaged.")) from error
    members = [info for info in opened.infolist() if not info.is_dir() and not _is_clutter(info.filename)]
    names = [info.filename for info in members]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise UnreadableFile(_l("The ZIP holds %(name)s more than once.", name=doubled[0]))
    tables = [info for info in members if info.filename.lower().endswith(RECORD_FILES)]
    if not tables:
        raise UnreadableFile(_l("The ZIP holds no CSV or JSON Lines file."))
    if len(tables) > 1:
        raise UnreadableFile(_l("The ZIP holds several CSV or JSON Lines files (%(names)s); it must hold one.",
                                names=", ".join(info.filename for info in tables)))
    table = tables[0]
    try:
        content = _member(opened, table, MAX_RECORDS_FILE)
    except _TooLarge:
        raise UnreadableFile(_l("%(name)s in the ZIP is larger than %(size)s MB.", name=table.filename,
                                size=MAX_RECORDS_FILE // 2**20)) from None
    except (zipfile.BadZipFile, _Unreadable, OSError, EOFError) as error:
        raise UnreadableFile(_l("%(name)s in the ZIP cannot be read (damaged or encrypted).",
                                name=table.filename)) from error
    carried = _Archive(filename or "upload.zip", opened)
    for line, record in read_records(content, table.filename):
        record[ARCHIVE] = carried
        yield line, record


def attachment(record: dict, field: str) -> bytes | None:
    """The PDF in the record's ZIP that the cell names (a path inside the ZIP), None for an
    empty cell; a RecordError naming the field when it is not there or not a PDF."""
    cell = optional(record, field, 255)
    if cell is None:
        return None
    name = cell.replace("\\", "/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in name.split("/"):
        raise RecordError(field, _l("Name a file by its path inside the ZIP, without “..” or a leading “/”."))
    name = posixpath.normpath(name).removeprefix("./")
    opened = getattr(record.get(ARCHIVE), "zip", None)
    if opened is None:
        raise RecordError(field, _l("A file named here comes in a ZIP together with the CSV file; "
                                    "this upload is not a ZIP."))
    try:
        info = opened.getinfo(name)
    except KeyError:
        info = None
    if info is None or info.is_dir():
        raise RecordError(field, _l("The ZIP holds no file %(name)s.", name=cell))
    try:
        content = _member(opened, info, MAX_ATTACHMENT)
    except _TooLarge:
        raise RecordError(field, _l("%(name)s is larger than %(size)s MB.", name=cell,
                                    size=MAX_ATTACHMENT // 2**20)) from None
    except (zipfile.BadZipFile, _Unreadable, OSError, EOFError):
        raise RecordError(field, _l("%(name)s in the ZIP cannot be read (damaged or encrypted).", name=cell)) from None
    if not content.startswith(PDF_MAGIC):
        raise RecordError(field, _l("%(name)s is not a PDF.", name=cell))
    return content


def store_pdf(record, attribute: str, content: bytes | None, filename: str) -> bool:
    """Keep `content` as the record's PDF (`attribute`: its StoredFile relationship) unless it
    holds these very bytes already (same SHA-256) or `content` is None (an empty cell keeps what
    is stored). A replaced file is deleted: the source system keeps the history. True when the
    file changed."""
    stored = getattr(record, attribute)
    if content is None or (stored is not None and stored.sha256 == hashlib.sha256(content).hexdigest()):
        return False
    setattr(record, attribute, StoredFile.from_bytes(filename, "application/pdf", content))
    if stored is not None:
        db.session.delete(stored)
    return True


class _TooLarge(Exception):
    pass


class _Unreadable(Exception):
    pass


def _member(opened: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, never more than `limit` of them whatever its header claims."""
    if info.file_size > limit:
        raise _TooLarge
    if info.flag_bits & 0x1:
        raise _Unreadable  # encrypted
    out = bytearray()
    try:
        with opened.open(info) as member:
            while chunk := member.read(_CHUNK):
                out += chunk
                if len(out) > limit:
                    raise _TooLarge
    except (NotImplementedError, RuntimeError) as error:  # an unsupported compression or encryption
        raise _Unreadable from error
    return bytes(out)


def _is_clutter(name: str) -> bool:
    """What archivers add beside the files: macOS resource forks."""
    return name.startswith("__MACOSX/") or posixpath.basename(name).startswith("._")
