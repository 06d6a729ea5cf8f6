"""Writing many seeded people fast: the benchmark's and the load test's seeder.

People and their timeline entries go in as plain rows (dicts by attname), batch by batch, with
multi-row INSERTs: COPY on PostgreSQL, executemany elsewhere. Model instances and bulk_create
spent most of the time in Django's per-value preparation. Contacts get their ids from the caller
(`next_contact_pk()` onwards), so their timeline rows are written in the same pass; the id
sequence is moved past them afterwards. `save()` is not called: rows must already hold what
`Contact.normalize()` would store (`unique_phone()` gives both phone forms).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import batched

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import DateTimeField, Max

from contacts.models import Contact, Stage, TimelineEntry

from .names import AREA_CODES

BATCH = 5_000
# Open stages are the busy ones; the rest of the list is spread over the closed ones and "no stage".
STAGE_WEIGHTS = [
    (Stage.LEAD, 18),
    (Stage.POTENTIAL, 15),
    (Stage.ACTIVE, 14),
    (Stage.PAST, 20),
    (Stage.LOST, 13),
    (Stage.NONE, 20),
]


def next_contact_pk() -> int:
    """The first id after every existing person: where a seeder's own ids start."""
    return (Contact.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def unique_phone(pk: int) -> tuple[str, str]:
    """A phone number of its own for person `pk` (sync matches people by phone), as typed and as
    `normalize_phone()` stores it (E.164)."""
    rest = pk // len(AREA_CODES)
    area, exchange, line = AREA_CODES[pk % len(AREA_CODES)], 200 + (rest // 10_000) % 800, rest % 10_000
    return f"+1 {area} {exchange} {line:04d}", f"+1{area}{exchange}{line:04d}"


def load_people(
    people: Iterable[tuple[dict, list[dict]]],
    *,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert (contact row, its timeline rows) pairs in batches, in one transaction; return how many
    people. `progress(done)` is called after each batch."""
    done = 0
    with transaction.atomic():
        for chunk in batched(people, batch):
            insert_rows(Contact, [person for person, _ in chunk])
            insert_rows(TimelineEntry, [entry for _, entries in chunk for entry in entries])
            done += len(chunk)
            if progress:
                progress(done)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Contact]):
                cursor.execute(sql)
    return done


def insert_rows(model, rows: list[dict]) -> None:
    """INSERT rows given by attname, without building model instances. Columns not given take the
    field's default, so new fields need no change here. PostgreSQL gets COPY; others executemany."""
    if not rows:
        return
    given = set().union(*rows)
    columns, defaults = [], {}
    for f in model._meta.concrete_fields:
        if f.attname not in given and (f.primary_key or (f.has_db_default() and not f.has_default())):
            continue  # the database fills it in
        columns.append(f)
        defaults[f.attname] = f.get_db_prep_save(f.get_default(), connection)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    # Plain str/int/None go as they are; only datetimes need the backend's form (not for psycopg).
    adapt = connection.ops.adapt_datetimefield_value
    dated = {f.attname for f in columns if isinstance(f, DateTimeField)} if connection.vendor != "postgresql" else set()
    plan = [(f.attname, f.attname in dated) for f in columns]

    def values(row):
        out = []
        for attname, is_date in plan:
            if attname in row:
                value = row[attname]
                out.append(adapt(value) if is_date else value)
            else:
                out.append(defaults[attname])
        return tuple(out)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", [values(r) for r in rows])


def analyze() -> None:
    """Fresh statistics after bulk loads, as autovacuum would give a real PostgreSQL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def vacuum() -> None:
    """Clear the dead rows bulk changes left and refresh the statistics of people and timelines
    (only ANALYZE inside a transaction, where VACUUM cannot run)."""
    if connection.vendor != "postgresql":
        return
    tables = f"{Contact._meta.db_table}, {TimelineEntry._meta.db_table}"
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {tables}")
