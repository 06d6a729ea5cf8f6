"""Periodic work without a crontab: `settings.PERIODIC_TASKS` run through the job queue.

Each entry names a management command and how often it runs (`every`, and `at`: how far into each
period, counted from midnight UTC, 1970-01-01). Time is cut into slots of `every`; a slot is due
once it has begun. Every `jobs_worker` checks the schedule each `PERIODIC_TICK_SECONDS`, and claims
a due slot by inserting its `PeriodicRun` row with the `enqueue` of the task that runs it, in one
transaction. The row is unique per (task, slot), so when two schedulers (two workers, here or on
other machines, or a worker and `run_periodic` from cron) see the same slot due, the second insert
does nothing and that scheduler skips the slot: the purge runs once.

A slot missed while nothing ran (the machine was off at 03:15) runs at the next check, once; older
missed slots are not made up: each of these commands catches up on its own.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import connection, connections, transaction
from django.tasks import task
from django.utils import timezone

from jobs.models import PeriodicRun

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Periodic:
    name: str
    command: str
    every: timedelta
    at: timedelta = timedelta(0)
    args: tuple[str, ...] = ()

    def slot(self, now: datetime) -> datetime:
        """When the period containing `now` began: the slot a run at `now` belongs to."""
        periods = (now - EPOCH - self.at) // self.every
        return EPOCH + self.at + periods * self.every


def schedule() -> list[Periodic]:
    """PERIODIC_TASKS as entries; a bad entry is a clear error (jobs.checks reports it at startup)."""
    entries = []
    for name, entry in getattr(settings, "PERIODIC_TASKS", {}).items():
        unknown = set(entry) - {"command", "every", "at", "args"}
        if unknown:
            raise ValueError(f"PERIODIC_TASKS[{name!r}]: unknown keys {sorted(unknown)}")
        periodic = Periodic(
            name=name,
            command=entry.get("command", name),
            every=entry["every"],
            at=entry.get("at", timedelta(0)),
            args=tuple(entry.get("args", ())),
        )
        if not timedelta(0) < periodic.every:
            raise ValueError(f"PERIODIC_TASKS[{name!r}]: 'every' must be a positive timedelta")
        if not timedelta(0) <= periodic.at < periodic.every:
            raise ValueError(f"PERIODIC_TASKS[{name!r}]: 'at' must be at least 0 and less than 'every'")
        if periodic.command not in get_commands():
            raise ValueError(f"PERIODIC_TASKS[{name!r}]: there is no management command {periodic.command!r}")
        entries.append(periodic)
    return entries


def claim(periodic: Periodic, slot: datetime) -> PeriodicRun | None:
    """Insert the slot's run, or None when a run for it exists (another scheduler claimed it)."""
    table = connection.ops.quote_name(PeriodicRun._meta.db_table)
    # One statement on both databases: the unique (task, slot) makes a second insert do nothing.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (task, slot, claimed_at, outcome, output, task_result_id) "
            "VALUES (%s, %s, %s, '', '', '') ON CONFLICT (task, slot) DO NOTHING RETURNING id",
            [periodic.name, *map(connection.ops.adapt_datetimefield_value, (slot, timezone.now()))],
        )
        row = cursor.fetchone()
    return None if row is None else PeriodicRun.objects.get(pk=row[0])


def due(now: datetime | None = None) -> list[tuple[Periodic, datetime]]:
    """The entries whose current slot has no run yet (a plain read: no lock taken for nothing)."""
    now = now or timezone.now()
    pending = []
    for periodic in schedule():
        slot = periodic.slot(now)
        if PeriodicRun.objects.filter(task=periodic.name, slot=slot).exists():
            logger.debug("%s at %s: already claimed", periodic.name, slot)
        else:
            pending.append((periodic, slot))
    return pending


def claim_each_due(now: datetime | None = None, *, with_claim=None) -> Iterator[PeriodicRun]:
    """Claim each due slot (and `with_claim(run)` in the same transaction), yielding the claimed runs."""
    for periodic, slot in due(now):
        with transaction.atomic():
            run = claim(periodic, slot)
            if run is None:
                logger.debug("%s at %s: already claimed, by another scheduler just now", periodic.name, slot)
                continue
            if with_claim is not None:
                with_claim(run)
        yield run


def enqueue_due(now: datetime | None = None) -> list[PeriodicRun]:
    """The worker's tick: claim each due slot and enqueue its run in the same transaction."""
    return list(claim_each_due(now, with_claim=_enqueue))


def _enqueue(run: PeriodicRun) -> None:
    run.task_result_id = str(run_periodic.enqueue(run.pk).id)
    run.save(update_fields=["task_result_id"])
    logger.info("%s at %s: enqueued (run %s)", run.task, run.slot, run.pk)


def run_due_here(now: datetime | None = None) -> list[PeriodicRun]:
    """For cron (`run_periodic`): claim each due slot and run it in this process, now."""
    return [execute(run) for run in claim_each_due(now)]


@task()
def run_periodic(run_id: int) -> str:
    """The worker's task for one claimed slot."""
    return execute(PeriodicRun.objects.get(pk=run_id)).outcome


def execute(run: PeriodicRun) -> PeriodicRun:
    """Run the slot's command, keeping what it printed and whether it worked."""
    entry = {periodic.name: periodic for periodic in schedule()}.get(run.task)
    run.started_at = timezone.now()
    run.save(update_fields=["started_at"])
    out = io.StringIO()
    try:
        if entry is None:
            raise LookupError(f"{run.task} is no longer in PERIODIC_TASKS")
        call_command(entry.command, *entry.args, stdout=out, stderr=out, no_color=True)
    except Exception as error:  # recorded, and the next slot runs as usual
        logger.exception("periodic %s failed", run.task)
        run.outcome = PeriodicRun.FAILED
        out.write(f"{type(error).__name__}: {error}\n")
    else:
        run.outcome = PeriodicRun.DONE
    run.output = out.getvalue()[-2000:]
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "output", "finished_at"])
    return run


class Scheduler(threading.Thread):
    """Beside the worker loop: enqueue due periodic tasks every PERIODIC_TICK_SECONDS, until the process ends."""

    def __init__(self, tick: float):
        super().__init__(name="periodic-scheduler", daemon=True)
        self.tick = tick
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                enqueue_due()
            except Exception:  # a database hiccup: try again at the next tick
                logger.exception("periodic scheduler tick failed")
            finally:
                connections.close_all()  # this thread's connections only
            self.stopped.wait(self.tick)
