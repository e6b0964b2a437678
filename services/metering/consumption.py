"""Monthly consumption per register from the accepted readings, and a bar chart of it
drawn as SVG on the server (no script needed; a table beside it for screen readers)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from models.metering import MeterReading

MONTHS = 24
CHART_WIDTH, CHART_HEIGHT, LEFT, BOTTOM, TOP = 720, 240, 48, 28, 10
COLOURS = {"T": "#0d6efd", "VT": "#0d6efd", "NT": "#198754"}


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first days of the last `months` months and of the current one, oldest first."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months, index + 1)]


def _value_at(readings: list[tuple[date, int]], day: date) -> float | None:
    """The meter's value on `day`, interpolated between the readings around it."""
    for (d1, v1), (d2, v2) in pairwise(readings):
        if d1 <= day <= d2:
            return v1 if d1 == d2 else v1 + (v2 - v1) * (day - d1).days / (d2 - d1).days
    return None


def monthly(readings: list[MeterReading], today: date | None = None) -> dict[str, list[tuple[date, int | None]]]:
    """{register code: [(month, consumption or None when unknown)]} for the last 24 whole months.
    Readings of several meters (after an exchange) are kept apart and their months added up."""
    starts = month_starts(today or date.today())
    series: dict[tuple[int, str], list[tuple[date, int]]] = {}
    for r in sorted(readings, key=lambda r: r.read_on):
        series.setdefault((r.register_id, r.register.code), []).append((r.read_on, r.value))
    result: dict[str, list[tuple[date, int | None]]] = {}
    for (_, code), points in series.items():
        values = [_value_at(points, day) for day in starts]
        row = result.setdefault(code, [(month, None) for month in starts[:-1]])
        for i, month in enumerate(starts[:-1]):
            if values[i] is not None and values[i + 1] is not None:
                used = round(values[i + 1] - values[i])
                row[i] = (month, (row[i][1] or 0) + used)
    return dict(sorted(result.items(), key=lambda item: ("T", "VT", "NT").index(item[0])
                       if item[0] in ("T", "VT", "NT") else 9))


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


def chart(data: dict[str, list[tuple[date, int | None]]], unit: str) -> dict:
    """Coordinates for the template's SVG: bars per month (one per register), axis ticks and labels."""
    top = max([v for row in data.values() for _, v in row if v] or [1])
    months = len(next(iter(data.values()), []))
    plot_width, plot_height = CHART_WIDTH - LEFT - 8, CHART_HEIGHT - BOTTOM - TOP
    slot = plot_width / max(months, 1)
    width = slot * 0.8 / max(len(data), 1)
    bars, labels = [], []
    for r, (code, row) in enumerate(data.items()):
        for i, (month, value) in enumerate(row):
            if value:
                height = plot_height * value / top
                bars.append(Bar(LEFT + i * slot + slot * 0.1 + r * width, TOP + plot_height - height, width, height,
                                COLOURS.get(code, "#6c757d"), f"{month:%m/%Y} {code}: {value} {unit}"))
    for i, (month, _) in enumerate(next(iter(data.values()), [])):
        # January and July, and the first month unless a label follows too closely to fit.
        if month.month in (1, 7) or (i == 0 and month.month not in (5, 6, 11, 12)):
            labels.append((LEFT + i * slot + slot / 2, f"{month:%m/%y}"))
    ticks = [(TOP + plot_height - plot_height * k / 4, round(top * k / 4)) for k in range(5)]
    return {"bars": bars, "labels": labels, "ticks": ticks, "width": CHART_WIDTH, "height": CHART_HEIGHT,
            "left": LEFT, "base": TOP + plot_height, "legend": [(code, COLOURS.get(code, "#6c757d")) for code in data]}
