"""Smart-meter interval data of 10,000 supply points × 365 days of quarter-hours.

    .venv/bin/python bench/interval_data.py [N_POINTS] [--days DAYS] [--database-url URL]

Default: 10,000 supply points, a year (2025-12-01 … 2026-11-30, with both days the clocks
change) in a scratch SQLite database. With --database-url (e.g. an empty PostgreSQL database)
the tables are created there and dropped at the end.

The rows are bulk-inserted in batches of BATCH (memory stays bounded), from a few hundred
day profiles packed once. Prints the set-up time and rate, the bytes the table and its key
take per supply point-year, and the median over RUNS of: reading one supply point's year
(query and unpacking 35,040 values), and the whole consumption page of one month and day
(its queries, both charts and tables) as the customer gets it."""
from __future__ import annotations

import math
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arguments import command_line  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from extensions import db  # noqa: E402
from models.customers import Customer  # noqa: E402
from models.interval_data import IntervalDay, intervals_in_day, pack, unpack  # noqa: E402
from models.metering import SupplyPoint  # noqa: E402
from models.users import PortalUser, PortalUserState  # noqa: E402
from portal import create_app  # noqa: E402

FIRST_DAY = date(2025, 12, 1)
BATCH = 20_000
PROFILES = 64
PASSWORD = "Bench-Password-2026!"
RUNS = 50


def _profile(k: int, quarters: int) -> tuple[bytes, int]:
    """A household's day: a base load, a morning and an evening peak, varied by k."""
    values = [int(60 + 40 * math.sin((i + k) * 1.7) ** 2 + (300 + 5 * k) * math.exp(-((i / 4 - 19) ** 2) / 4)
                  + 180 * math.exp(-((i / 4 - 7.5) ** 2) / 2)) for i in range(quarters)]
    return pack(values), sum(values)


def _ean(n: int) -> str:
    from services.metering.identifiers import ean_check_digit

    first17 = f"85918240{n:09d}"
    return first17 + str(ean_check_digit(first17))


def populate(n_points: int, days: int) -> tuple[int, float]:
    start = time.perf_counter()
    db.session.execute(insert(Customer), [
        {"number": f"{4000000 + i}", "name": f"Zákazník Žluťoučký {i}", "email": f"c{i}@example.com",
         "street": f"Dlouhá {i}", "city": "Praha", "postcode": "11000"} for i in range(n_points)])
    customers = db.session.scalars(select(Customer.id).order_by(Customer.id)).all()
    db.session.execute(insert(SupplyPoint), [
        {"customer_id": c, "identifier": _ean(i), "commodity": "electricity", "street": f"Dlouhá {i}",
         "city": "Praha", "postcode": "11000", "state": "active", "self_readings_allowed": False}
        for i, c in enumerate(customers)])
    points = db.session.scalars(select(SupplyPoint.id).order_by(SupplyPoint.id)).all()
    calendar = [FIRST_DAY + timedelta(days=d) for d in range(days)]
    profiles = {n: [_profile(k, n) for k in range(PROFILES)] for n in {intervals_in_day(d, 15) for d in calendar}}
    lengths = [intervals_in_day(d, 15) for d in calendar]
    batch, written = [], 0
    for p, point_id in enumerate(points):
        for d, day in enumerate(calendar):
            packed, total = profiles[lengths[d]][(p * 7 + d) % PROFILES]
            batch.append({"supply_point_id": point_id, "day": day, "resolution_minutes": 15, "packed_wh": packed,
                          "total_wh": total})
        if len(batch) >= BATCH or p == len(points) - 1:
            db.session.execute(insert(IntervalDay), batch)
            db.session.commit()
            written += len(batch)
            batch = []
            if (p + 1) % 500 == 0 or p == len(points) - 1:
                print(f"  {p + 1:,} supply points, {written:,} days, {time.perf_counter() - start:.0f} s", flush=True)
    measured = points[len(points) // 2]
    customer_id = db.session.get(SupplyPoint, measured).customer_id
    user = PortalUser(customer_id=customer_id, email="bench@example.com", name="Bench", state=PortalUserState.ACTIVE,
                      locale="cs", is_account_admin=True)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return measured, time.perf_counter() - start


def stored_bytes() -> int:
    """The table and its key (index) on disk."""
    if db.engine.dialect.name == "postgresql":
        return db.session.scalar(text("SELECT pg_total_relation_size('interval_days')"))
    return db.session.scalar(text("SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                                  "(SELECT name FROM sqlite_master WHERE tbl_name = 'interval_days')"))


def _median_ms(work) -> float:
    work()  # warm-up: caches, the first statement's compilation
    times = []
    for _ in range(RUNS):
        begin = time.perf_counter()
        work()
        times.append(time.perf_counter() - begin)
    return statistics.median(times) * 1000


def main(n_points: int, days: int, database_url: str | None) -> None:
    url = database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b" * 40, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "OUTBOX_WORKER": False})
    with app.app_context():
        db.create_all()
        try:
            measured, seconds = populate(n_points, days)
            rows = n_points * days
            print(f"database: {db.engine.url.get_backend_name()}, {n_points:,} supply points × {days} days = "
                  f"{rows:,} rows, set-up {seconds:.0f} s ({rows / seconds:,.0f} rows/s)")
            size = stored_bytes()
            print(f"stored: {size / 2**20:,.0f} MiB, {size / n_points * 365 / days / 1000:,.1f} kB per supply point-year")
            last = FIRST_DAY + timedelta(days=days - 1)
            quarters = sum(intervals_in_day(FIRST_DAY + timedelta(days=d), 15) for d in range(days))

            def read_year():
                values = [v for packed in db.session.scalars(
                    select(IntervalDay.packed_wh).where(IntervalDay.supply_point_id == measured,
                                                        IntervalDay.day.between(FIRST_DAY, last)))
                          for v in unpack(packed)]
                assert len(values) == quarters
                db.session.rollback()

            print(f"{'read one supply point-year':34} median {_median_ms(read_year):6.1f} ms")
            client = app.test_client()
            response = client.post("/sign-in", data={"email": "bench@example.com", "password": PASSWORD})
            assert response.status_code == 302, "sign-in failed"
            page = f"/supply-points/{measured}/consumption?month={last:%Y-%m}"

            def consumption_page():
                response = client.get(page)
                assert response.status_code == 200 and b"<svg" in response.data

            print(f"{'consumption page (month + day)':34} median {_median_ms(consumption_page):6.1f} ms")
        finally:
            if database_url:
                db.session.rollback()
                db.drop_all()


if __name__ == "__main__":
    args = command_line("supply points", 10_000, days=365)
    main(args.count, args.days, args.database_url)
