from __future__ import annotations

from datetime import date


def month_start(months_back: int, today: date | None = None) -> date:
    """The first day of the month `months_back` months before this one."""
    today = today or date.today()
    index = today.year * 12 + today.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)
