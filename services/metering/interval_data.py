"""A supply point's smart-meter interval data for the customer: a month's daily totals and a
day's intervals, bar charts of them drawn as SVG on the server (no script; the same figures in
a table beside), and the CSV downloads (UTF-8 with BOM, `;`, decimal comma, as a Czech
spreadsheet opens them).

The queries take a SELECT of IntervalDay that the caller has scoped (in the portal
`services.access.visible(IntervalDay, …)`), so the figures come through the one door."""
from __future__ import annotations

import calendar
import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask_babel import format_date, gettext as _
from sqlalchemy import Select, func

from extensions import db
from models.interval_data import PRAGUE, IntervalDay, interval_starts

CHART_WIDTH, CHART_HEIGHT, LEFT, RIGHT, BOTTOM, TOP = 720, 240, 56, 8, 28, 10
COLOUR = "#0d6efd"
NICE_STEPS = (1, 2, 2.5, 5, 10)


@dataclass(frozen=True)
class Interval:
    start: datetime  # local, aware
    end: datetime
    wh: int
    # The local hour occurs twice that day (the end of summer time): the table names the zone.
    ambiguous: bool

    @property
    def zone(self) -> str:
        return _("CEST") if self.start.utcoffset() == timedelta(hours=2) else _("CET")


@dataclass(frozen=True)
class Day:
    day: date
    resolution_minutes: int
    intervals: list[Interval]

    @property
    def total_wh(self) -> int:
        return sum(i.wh for i in self.intervals)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_days(month: date) -> list[date]:
    return [month.replace(day=d) for d in range(1, calendar.monthrange(month.year, month.month)[1] + 1)]


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def latest_day(days: Select) -> date | None:
    """The last day with data, or None when the supply point has none."""
    return db.session.scalar(days.with_only_columns(func.max(IntervalDay.day)))


def period(days: Select, month: date | None, day: date | None) -> tuple[date | None, date | None]:
    """(month, day) to show: as asked; without a month, the day's or the latest data's month;
    without a day of that month, its last day with data (None when it has none). (None, None)
    when nothing is asked and there is no data at all."""
    if month is None and day is not None:
        month = first_of_month(day)
    if month is None:
        latest = latest_day(days)
        if latest is None:
            return None, None
        month = first_of_month(latest)
    if day is None or first_of_month(day) != month:
        day = latest_day(days.where(IntervalDay.day.between(month, next_month(month) - timedelta(days=1))))
    return month, day


def month_totals(days: Select, month: date) -> list[tuple[date, int | None]]:
    """(day, Wh or None when no data came) for every day of the month; reads no values."""
    every = month_days(month)
    known = dict(db.session.execute(days.with_only_columns(IntervalDay.day, IntervalDay.total_wh)
                                    .where(IntervalDay.day.between(every[0], every[-1]))).all())
    return [(day, known.get(day)) for day in every]


def day_values(days: Select, day: date) -> Day | None:
    """The day's intervals with their values, or None when no data came for it."""
    row = db.session.scalars(days.where(IntervalDay.day == day)).first()
    if row is None:
        return None
    starts = interval_starts(day, row.resolution_minutes)
    step = timedelta(minutes=row.resolution_minutes)
    repeated = {(s.hour, s.minute) for s in starts if s.fold}
    # The end is added in UTC, so that 02:45 summer time + 15 minutes is 02:00 winter time.
    return Day(day, row.resolution_minutes, [
        Interval(start, (start.astimezone(UTC) + step).astimezone(PRAGUE), wh, (start.hour, start.minute) in repeated)
        for start, wh in zip(starts, row.values_wh, strict=True)])


def kwh(wh: int) -> Decimal:
    return (Decimal(wh) / 1000).quantize(Decimal("0.001"))


def _nice_top(top_wh: int) -> tuple[int, int]:
    """(step, top) in Wh for four gridlines at round kWh figures above the highest bar."""
    quarter = max(top_wh, 1) / 4
    magnitude = 10 ** (len(str(int(quarter))) - 1)
    step = next(s * magnitude for s in NICE_STEPS if s * magnitude >= quarter)
    return int(step), int(step * 4)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


def bar_chart(values: list[tuple[int | None, str]], labels: list[tuple[int, str]]) -> dict:
    """Coordinates for the template's SVG: one bar per value (Wh, with its tooltip), the
    gridlines with their kWh figures, and the axis labels at the given bar positions."""
    step, top = _nice_top(max((v for v, _ in values if v), default=0))
    plot_width, plot_height = CHART_WIDTH - LEFT - RIGHT, CHART_HEIGHT - BOTTOM - TOP
    slot = plot_width / max(len(values), 1)
    bars = []
    for i, (value, title) in enumerate(values):
        if value:
            height = plot_height * value / top
            bars.append(Bar(LEFT + i * slot + slot * 0.1, TOP + plot_height - height, slot * 0.8, height, title))
    return {"bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT, "left": LEFT, "right": CHART_WIDTH - RIGHT,
            "base": TOP + plot_height, "colour": COLOUR,
            "ticks": [(TOP + plot_height - plot_height * k / 4, kwh(step * k)) for k in range(5)],
            "labels": [(LEFT + i * slot + slot / 2, text) for i, text in labels]}


def month_chart(totals: list[tuple[date, int | None]], kwh_text) -> dict:
    """The month's daily totals; `kwh_text(wh)` formats a figure for the tooltips."""
    last = len(totals)
    return bar_chart([(wh, f"{format_date(day)}: {kwh_text(wh)} kWh" if wh is not None else "")
                      for day, wh in totals],
                     [(i, str(day.day)) for i, (day, _) in enumerate(totals) if day.day in (1, 5, 10, 15, 20, 25, last)])


def day_chart(values: Day, kwh_text) -> dict:
    return bar_chart([(i.wh, f"{i.start:%H:%M}–{i.end:%H:%M}: {kwh_text(i.wh)} kWh") for i in values.intervals],
                     [(n, f"{i.start:%H}") for n, i in enumerate(values.intervals)
                      if i.start.minute == 0 and i.start.hour % 3 == 0 and not i.start.fold])


def _decimal_comma(wh: int | None) -> str:
    return "" if wh is None else format(kwh(wh), "f").replace(".", ",")


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()


def month_csv(identifier: str, totals: list[tuple[date, int | None]]) -> str:
    """The month's days: the day and its consumption in kWh (empty where no data came)."""
    return _csv([[_("Supply point"), _("Day"), _("Consumption (kWh)")]]
                + [[identifier, day.isoformat(), _decimal_comma(wh)] for day, wh in totals])


def day_csv(identifier: str, values: Day) -> str:
    """The day's intervals: local start and end, the zone where the hour occurs twice, kWh."""
    rows = [[_("Supply point"), _("From"), _("To"), _("Consumption (kWh)")]]
    for i in values.intervals:
        zone = f" {i.zone}" if i.ambiguous else ""
        rows.append([identifier, f"{i.start:%Y-%m-%d %H:%M}{zone}", f"{i.end:%Y-%m-%d %H:%M}", _decimal_comma(i.wh)])
    return _csv(rows)
