"""Smart-meter interval data as the distributors and the electricity data centre deliver it:
one row per interval, `ean;from;value_kwh` (the local start of a 15-minute or hourly interval,
the consumption in kWh with a decimal comma), or one row per EAN and day with its values in
the columns `1` … `100` (`ean;day;1;2;…`).

`read` groups the rows of one EAN and day into one record, so that a day is checked and
written whole: the same file twice changes nothing, a corrected day replaces that day's
values, and a bad row is reported with its own line and field and nothing of its day is
written. Keyed by the supply point's EAN and the day."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import format_date, lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models.interval_data import MAX_WH, PRAGUE, IntervalDay, day_start, intervals_in_day, pack
from models.metering import SupplyPoint
from services.imports.cells import RecordError
from services.imports.reader import UnreadableFile, read_records

KEY = ("ean", "day")
FIELDS = ("ean", "from", "value_kwh")

ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::00)?\s*(Z|[+-]\d{2}:?\d{2})?)?")
CZECH = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::00)?)?")
DAY_PART = re.compile(r"\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4}))")
TIME_HINT = _l("use 2026-11-01 00:15 or 1. 11. 2026 0:15")


class RowError(RecordError):
    """A bad row of a day: the report names its own line, not the day's first."""

    def __init__(self, line: int, field: str, reason):
        super().__init__(field, reason)
        self.line = line


def _moment(text: str) -> tuple[date, int | None, int | None, str | None] | None:
    """(day, hour, minute, UTC offset) of a cell; hour and minute None when only a day is given."""
    text = text.strip()
    iso, czech = ISO.fullmatch(text), CZECH.fullmatch(text)
    try:
        if iso:
            moment = (date(int(iso[1]), int(iso[2]), int(iso[3])), iso[4], iso[5], iso[6])
        elif czech:
            moment = (date(int(czech[3]), int(czech[2]), int(czech[1])), czech[4], czech[5], None)
        else:
            return None
    except ValueError:
        return None
    day, hour, minute, offset = moment
    return day, None if hour is None else int(hour), None if minute is None else int(minute), offset


def _day_of(text: str) -> date | None:
    """The day a row belongs to, read from the start of its cell even when its time is wrong
    (so that such a row refuses its whole day)."""
    found = DAY_PART.match(text)
    if found is None:
        return None
    try:
        if found[1]:
            return date(int(found[1]), int(found[2]), int(found[3]))
        return date(int(found[6]), int(found[5]), int(found[4]))
    except ValueError:
        return None


def read(data: bytes, filename: str = "") -> Iterator[tuple[int, dict]]:
    """One record per EAN and day, at the line of the day's first row. The rows of a day must
    follow one another (files are sorted by EAN and time); a day that comes back later in the
    file is refused (`split`)."""
    rows = read_records(data, filename)
    group: dict | None = None
    done: set[tuple[str, date | None]] = set()
    for line, row in rows:
        if "from" not in row and "day" not in row:
            raise UnreadableFile(_l("The file needs the columns ean, from and value_kwh (or ean, day and 1, 2, …)."))
        if "from" not in row:
            if group is not None:
                done.add(group["key"])
                yield group["line"], group
                group = None
            wide = _wide(line, row, done)
            done.add(wide["key"])
            yield line, wide
            continue
        ean = (row.get("ean") or "").strip()
        cell = row.get("from") or ""
        key = (ean, _day_of(cell))
        if group is None or group["key"] != key or key[1] is None:
            if group is not None:
                done.add(group["key"])
                yield group["line"], group
            group = {"key": key, "ean": ean, "day": key[1], "line": line, "rows": [], "split": key in done,
                     "wide": False}
        group["rows"].append((line, cell, row.get("value_kwh")))
    if group is not None:
        yield group["line"], group


def _wide(line: int, row: dict, done: set) -> dict:
    ean, day_text = (row.get("ean") or "").strip(), row.get("day") or ""
    key = (ean, _day_of(day_text))
    numbered = sorted((int(name), value) for name, value in row.items() if name.strip().isdigit())
    return {"key": key, "ean": ean, "day": key[1], "day_text": day_text, "line": line,
            "rows": [(line, str(n), value) for n, value in numbered], "split": key[1] is not None and key in done,
            "wide": True}


def _wh(line: int, field: str, text: str | None) -> int:
    """kWh with a decimal comma or point as whole Wh (more decimals are rounded)."""
    cleaned = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        raise RowError(line, field, _l("This value is required."))
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".") if cleaned.count(",") == 1 else "x"
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RowError(line, field, _l("Not a number: %(value)s.", value=text.strip())) from None
    if not value.is_finite():
        raise RowError(line, field, _l("Not a number: %(value)s.", value=text.strip()))
    if value < 0:
        raise RowError(line, field, _l("Consumption cannot be below zero."))
    wh = int((value * 1000).quantize(Decimal(1), ROUND_HALF_UP))
    if wh > MAX_WH:
        raise RowError(line, field, _l("More than %(limit)s kWh in one interval.", limit=MAX_WH // 1000))
    return wh


def _supply_point_id(record: dict) -> int:
    ean = record["ean"]
    if not ean:
        raise RowError(record["line"], "ean", _l("This value is required."))
    point_id = db.session.scalar(select(SupplyPoint.id).where(SupplyPoint.identifier == ean))
    if point_id is None:
        raise RowError(record["line"], "ean", _l("No supply point has the EAN %(ean)s.", ean=ean[:18]))
    return point_id


def _instant(line: int, day: date, hour: int, minute: int, offset: str | None, seen: set) -> datetime:
    """The UTC start of a row's interval. A local time that comes twice (the end of summer time)
    is summer time the first time and winter time the second, as the rows follow each other."""
    if hour > 23 or minute > 59:
        raise RowError(line, "from", _l("Not a time of day: %(time)s.", time=f"{hour}:{minute:02d}"))
    if offset is not None:
        try:
            zone = UTC if offset == "Z" else datetime.strptime(offset.replace(":", ""), "%z").tzinfo
        except ValueError:
            raise RowError(line, "from", _l("Not a UTC offset: %(value)s.", value=offset)) from None
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PRAGUE)
    twice = local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()
    if twice and (hour, minute) in seen:
        local = local.replace(fold=1)
    seen.add((hour, minute))
    instant = local.astimezone(UTC)
    if instant.astimezone(PRAGUE).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise RowError(line, "from", _l("%(time)s does not exist that day: the clocks go forward from 2:00 to 3:00.",
                                        time=f"{hour}:{minute:02d}"))
    return instant


def _long_day(record: dict) -> tuple[int, list[int]]:
    """(resolution, values in order) of a day given one row per interval."""
    day = record["day"]
    seen: set = set()
    timed = []
    for line, cell, value in record["rows"]:
        moment = _moment(cell)
        if moment is None or moment[1] is None or moment[0] != day:
            raise RowError(line, "from", _l("Not a date and time: %(value)s (%(hint)s).", value=cell.strip()[:40],
                                            hint=TIME_HINT))
        timed.append((line, _instant(line, day, moment[1], moment[2], moment[3], seen), _wh(line, "value_kwh", value)))
    start = day_start(day)
    hourly = all((at - start) % timedelta(hours=1) == timedelta(0) for _, at, _ in timed) \
        and len(timed) == intervals_in_day(day, 60)
    resolution = 60 if hourly else 15
    step, expected = timedelta(minutes=resolution), intervals_in_day(day, resolution)
    slots: dict[int, tuple[int, int]] = {}
    for line, at, wh in timed:
        if (at - start) % step:
            raise RowError(line, "from", _l("A quarter-hour starts at :00, :15, :30 or :45."))
        index = (at - start) // step
        if not 0 <= index < expected:
            raise RowError(line, "from", _l("This time is not of %(day)s.", day=format_date(day)))
        if index in slots:
            raise RowError(line, "from", _l("This interval is already on line %(line)s.", line=slots[index][0]))
        slots[index] = (line, wh)
    if len(slots) != expected:
        missing = next(i for i in range(expected) if i not in slots)
        first = (start + missing * step).astimezone(PRAGUE)
        raise RowError(record["line"], "from", _l(
            "%(day)s has %(count)s of its %(expected)s intervals; the first missing starts at %(time)s.",
            day=format_date(day), count=len(slots), expected=expected, time=f"{first:%H:%M}"))
    return resolution, [slots[i][1] for i in range(expected)]


def _wide_day(record: dict) -> tuple[date, int, list[int]]:
    """(day, resolution, values) of a day given in one row: 24 or 96 values (23 / 92 and
    25 / 100 on the days the clocks change), in the columns 1, 2, … without gaps."""
    line = record["line"]
    moment = _moment(record["day_text"])
    if moment is None or moment[1] is not None:
        raise RowError(line, "day", _l("Not a date: %(value)s (use 2026-03-01 or 1. 3. 2026).",
                                       value=record["day_text"].strip()[:40]))
    day = moment[0]
    values, gap = [], None
    for _, column, text in record["rows"]:
        if not (text or "").strip():
            gap = gap or column
            continue
        if gap is not None:
            raise RowError(line, gap, _l("A value is missing before column %(column)s.", column=column))
        values.append(_wh(line, column, text))
    for resolution in (60, 15):
        if len(values) == intervals_in_day(day, resolution):
            return day, resolution, values
    raise RowError(line, "day", _l("%(day)s has %(hours)s hours: give %(hourly)s hourly or %(quarters)s quarter-hour "
                                   "values, not %(count)s.", day=format_date(day), hours=intervals_in_day(day, 60),
                                   hourly=intervals_in_day(day, 60), quarters=intervals_in_day(day, 15),
                                   count=len(values)))


def parse(record: dict) -> dict:
    point_id = _supply_point_id(record)
    if record["split"]:
        raise RowError(record["line"], "day" if record["wide"] else "from", _l(
            "The rows of %(day)s of this EAN are not together in the file: keep each day's rows one after another.",
            day=format_date(record["day"])))
    if record["wide"]:
        day, resolution, values = _wide_day(record)
    else:
        if record["day"] is None:
            line, cell, _ = record["rows"][0]
            raise RowError(line, "from", _l("Not a date and time: %(value)s (%(hint)s).", value=cell.strip()[:40],
                                            hint=TIME_HINT))
        day = record["day"]
        resolution, values = _long_day(record)
    return {"supply_point_id": point_id, "day": day, "resolution_minutes": resolution, "values_wh": values}


def apply(values: dict) -> str:
    known = db.session.get(IntervalDay, (values["supply_point_id"], values["day"]))
    if known is None:
        row = IntervalDay(supply_point_id=values["supply_point_id"], day=values["day"])
        row.set_values(values["resolution_minutes"], values["values_wh"])
        db.session.add(row)
        return "created"
    if known.resolution_minutes == values["resolution_minutes"] and known.packed_wh == pack(values["values_wh"]):
        return "unchanged"
    known.set_values(values["resolution_minutes"], values["values_wh"])
    return "updated"
