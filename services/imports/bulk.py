"""Inserting many rows at once, the fastest way each database offers: COPY on PostgreSQL
(a multi-row INSERT costs psycopg more time building the statement than the server takes to
run it), executemany elsewhere. Rows are plain dicts of column values, in the caller's
transaction; Python-side defaults (created_at, …) are filled in here as the ORM would."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select, text

from extensions import db
from models.base import utcnow

ANNOUNCED_DAYS = 14


def recent(day: date) -> bool:
    """An imported document issued in the last two weeks is news to tell the customer of
    (services.messaging.notices); an older one is history being loaded, and tells nobody."""
    return day >= date.today() - timedelta(days=ANNOUNCED_DAYS)


def insert_rows(model, rows: list[dict], *, with_ids: bool = False) -> list[int]:
    """Insert the rows into the model's table; with_ids: return the new ids in row order."""
    if not rows:
        return []
    table = model.__table__
    now = utcnow()
    for name in ("created_at", "updated_at"):
        if name in table.c:
            for row in rows:
                row.setdefault(name, now)
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        # Core, not the ORM's bulk insert: nothing here needs identity or events, and it is faster.
        if with_ids:
            return list(db.session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))
        db.session.execute(insert(table), rows)
        return []
    ids: list[int] = []
    if with_ids:
        ids = list(db.session.scalars(select(text("nextval(pg_get_serial_sequence(:table, 'id'))"))
                                      .select_from(text("generate_series(1, :n)")),
                                      {"table": table.name, "n": len(rows)}))
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
    columns = list(rows[0])
    types = [table.c[name].type for name in columns]
    processors = [t.bind_processor(connection.dialect) for t in types]
    quoted = ", ".join(f'"{name}"' for name in columns)
    statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([value if process is None or value is None else process(value)
                            for value, process in zip((row[name] for name in columns), processors, strict=True)])
    return ids
