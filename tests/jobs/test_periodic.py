"""Periodic tasks (jobs.periodic): slots, one claim per slot, the run's record, the settings check,
`run_periodic` for cron. Two real schedulers at once: tests/jobs/test_periodic_workers.py."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from contacts.models import Contact
from jobs import periodic
from jobs.checks import periodic_tasks_are_valid
from jobs.models import PeriodicRun
from tests.factories import ContactFactory

DAILY = periodic.Periodic("purge_deleted", "purge_deleted", timedelta(days=1), timedelta(hours=3, minutes=15))
MORNING = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


def test_a_slot_is_the_start_of_the_period_it_falls_in():
    assert DAILY.slot(MORNING) == datetime(2026, 12, 2, 3, 15, tzinfo=UTC)
    assert DAILY.slot(datetime(2026, 12, 2, 3, 14, 59, tzinfo=UTC)) == datetime(2026, 12, 1, 3, 15, tzinfo=UTC)
    assert DAILY.slot(datetime(2026, 12, 2, 3, 15, tzinfo=UTC)) == datetime(2026, 12, 2, 3, 15, tzinfo=UTC)
    five = periodic.Periodic("x", "check", timedelta(minutes=5))
    assert five.slot(datetime(2026, 12, 2, 4, 7, 30, tzinfo=UTC)) == datetime(2026, 12, 2, 4, 5, tzinfo=UTC)


def test_the_default_schedule_purges_daily_and_invents_no_sync():
    # Live sources (issue 16) have no command yet: the schedule names only commands that exist.
    assert [(p.name, p.command, p.every) for p in periodic.schedule()] == [
        ("purge_deleted", "purge_deleted", timedelta(days=1))
    ]


def test_a_due_slot_is_enqueued_once_and_the_next_slot_again(db):
    first = periodic.enqueue_due(MORNING)
    assert [(run.task, run.slot) for run in first] == [("purge_deleted", datetime(2026, 12, 2, 3, 15, tzinfo=UTC))]
    task = DBTaskResult.objects.get()
    assert task.task_path == "jobs.periodic.run_periodic" and task.args_kwargs["args"] == [first[0].pk]
    assert first[0].task_result_id == str(task.id)
    # Later the same day, or from a second scheduler: nothing more.
    assert periodic.enqueue_due(MORNING + timedelta(hours=20)) == []
    assert DBTaskResult.objects.count() == 1
    # The next day's slot is due once 03:15 has passed.
    assert len(periodic.enqueue_due(MORNING + timedelta(days=1))) == 1
    assert PeriodicRun.objects.count() == DBTaskResult.objects.count() == 2


def test_a_second_claim_of_a_slot_does_nothing_and_the_constraint_refuses_a_duplicate(db):
    slot = DAILY.slot(MORNING)
    with transaction.atomic():
        assert periodic.claim(DAILY, slot) is not None
    # A scheduler that saw the slot due before the first one committed: its insert does nothing.
    with transaction.atomic():
        assert periodic.claim(DAILY, slot) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodicRun.objects.create(task="purge_deleted", slot=slot)
    assert PeriodicRun.objects.count() == 1


def test_the_task_runs_the_command_and_records_what_it_said(workspace):
    long_ago = timezone.now() - timedelta(days=31)
    ContactFactory(workspace=workspace, deleted=True, deleted_at=long_ago, archived_at=long_ago)
    kept = ContactFactory(workspace=workspace)
    (run,) = periodic.enqueue_due()
    assert periodic.run_periodic.call(run.pk) == "done"
    run.refresh_from_db()
    assert run.outcome == "done" and run.started_at <= run.finished_at
    assert run.output == "Erased 1 person from Recently Deleted.\n"
    assert list(Contact.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_failing_command_is_recorded_and_does_not_stop_the_schedule(db, settings):
    settings.PERIODIC_TASKS = {"import": {"command": "import_contacts", "every": timedelta(hours=1), "args": ["no"]}}
    (run,) = periodic.enqueue_due(MORNING)
    assert periodic.run_periodic.call(run.pk) == "failed"
    run.refresh_from_db()
    assert run.outcome == "failed" and "CommandError" in run.output
    assert len(periodic.enqueue_due(MORNING + timedelta(hours=1))) == 1


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"sync_sources": {"every": timedelta(minutes=5)}}, "no management command 'sync_sources'"),
        ({"purge_deleted": {"every": timedelta(0)}}, "'every' must be a positive timedelta"),
        ({"purge_deleted": {"every": timedelta(days=1), "at": timedelta(days=1)}}, "'at' must be"),
        ({"purge_deleted": {"every": timedelta(days=1), "when": "3am"}}, "unknown keys ['when']"),
        ({"purge_deleted": {}}, "'every'"),
    ],
)
def test_a_schedule_that_cannot_run_fails_the_system_check(settings, entry, problem):
    settings.PERIODIC_TASKS = entry
    (error,) = periodic_tasks_are_valid()
    assert error.id == "jobs.E001" and problem in error.msg


def test_run_periodic_runs_what_is_due_here_once(workspace):
    long_ago = timezone.now() - timedelta(days=31)
    ContactFactory(workspace=workspace, deleted=True, deleted_at=long_ago, archived_at=long_ago)
    out = StringIO()
    call_command("run_periodic", stdout=out)
    assert out.getvalue().startswith("purge_deleted (") and out.getvalue().endswith("UTC): done\n")
    assert Contact.objects.count() == 0 and DBTaskResult.objects.count() == 0  # ran here, not enqueued
    again = StringIO()
    call_command("run_periodic", "-v", "2", stdout=again)
    assert again.getvalue() == "Nothing due.\n" and PeriodicRun.objects.count() == 1


def test_run_periodic_exits_non_zero_when_a_task_fails(db, settings):
    settings.PERIODIC_TASKS = {"import": {"command": "import_contacts", "every": timedelta(hours=1), "args": ["no"]}}
    errors = StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("run_periodic", stdout=StringIO(), stderr=errors)
    assert exit.value.code == 1 and "CommandError" in errors.getvalue()
