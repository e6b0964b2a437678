"""Due times of back-office work: a service level per priority, counted in business
hours (Monday to Friday, 8:00–16:00 Prague time, without Czech public holidays)."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask import current_app

PRAGUE = ZoneInfo("Europe/Prague")


@lru_cache(maxsize=8)
def _czech_holidays(year: int):
    return holidays.country_holidays("CZ", years=year)


def is_business_day(day) -> bool:
    return day.weekday() < 5 and day not in _czech_holidays(day.year)


def add_business_hours(start: datetime, hours: float, opens: int = 8, closes: int = 16) -> datetime:
    """The moment `hours` business hours after `start` (a timezone-aware datetime), in UTC."""
    local = start.astimezone(PRAGUE)
    left = timedelta(hours=hours)
    while True:
        day = local.date()
        day_open = datetime.combine(day, time(opens), PRAGUE)
        day_close = datetime.combine(day, time(closes), PRAGUE)
        if is_business_day(day) and local < day_close:
            local = max(local, day_open)
            if local + left <= day_close:
                return (local + left).astimezone(UTC)
            left -= day_close - local
        local = datetime.combine(day + timedelta(days=1), time(opens), PRAGUE)


def due_at(priority: str, start: datetime) -> datetime:
    hours = current_app.config["SERVICE_LEVEL_HOURS"][priority]
    opens, closes = current_app.config["BUSINESS_HOURS"]
    return add_business_hours(start, hours, opens, closes)


def format_due(moment: datetime) -> str:
    """For staff e-mails: Prague time, Czech style."""
    return moment.astimezone(PRAGUE).strftime("%d. %m. %Y %H:%M")
