"""The README's command reference says what the commands do (it once had a pasted duplicate)."""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.utils import timezone

from contacts.models import Contact
from jobs.models import PeriodicRun
from tests.factories import ContactFactory
from tests.jobs.test_periodic_workers import SETUP as PURGEABLE
from tests.jobs.test_workers import database, manage, migrated_sqlite  # noqa: F401

README = Path(__file__).resolve().parent.parent / "README.md"
# Every app's commands: contacts, sync (and bench, described in its own README).
COMMANDS = sorted(Path(__file__).resolve().parent.parent.glob("*/management/commands/*.py"))


def command_reference() -> dict[str, str]:
    """Each `python manage.py NAME ...` entry of the Commands section, with the lines under it."""
    section = README.read_text().split("## Commands", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    entries = re.split(r"^(?=python manage\.py )", block.strip(), flags=re.M)
    entries = [entry for entry in entries if entry]
    names = [entry.split()[2] for entry in entries]
    assert len(names) == len(set(names)), f"commands described twice: {names}"
    return dict(zip(names, entries))


def test_each_command_is_described_once():
    # bench has its own section and bench/README.md.
    commands = {path.stem for path in COMMANDS} - {"__init__", "bench"}
    assert set(command_reference()) == commands


def test_purge_deleted_is_described_as_a_periodic_task_not_a_crontab_to_write():
    purge = command_reference()["purge_deleted"]
    assert "PERIODIC_TASKS" in purge and "daily" in purge
    assert not re.search(r"\* \* \*", purge)
    assert "sync_mailbox" not in purge and "mbox" not in purge


def production() -> str:
    return README.read_text().split("## Running several app servers", 1)[1].split("\n## ", 1)[0]


def documented_worker() -> list[str]:
    """The worker's command in the production section's systemd line: `manage.py jobs_worker ...`."""
    (line,) = [line for line in production().splitlines() if "ExecStart=" in line]
    command = line.split("ExecStart=", 1)[1].split("`", 1)[0].split()
    return command[command.index("manage.py") + 1 :]


def documented_cron() -> list[str]:
    """The production section's one cron line, as the manage.py arguments it runs."""
    (line,) = [line for line in production().splitlines() if re.match(r"[*/0-9]+ [*0-9]+ \* \* \* ", line)]
    assert line.startswith("*/5 * * * *  cd /srv/my-people && . ./env && .venv/bin/python manage.py ")
    return line.split("manage.py", 1)[1].split()


@pytest.fixture
def expired(workspace):
    long_ago = timezone.now() - timedelta(days=31)
    ContactFactory(workspace=workspace, deleted=True, deleted_at=long_ago, archived_at=long_ago)
    return ContactFactory(workspace=workspace)


def test_the_documented_cron_line_runs_the_due_purge_once(expired):
    arguments = documented_cron()
    assert arguments == ["run_periodic"] and "run_periodic" in get_commands()
    call_command(*arguments, stdout=StringIO())
    assert list(Contact.objects.values_list("pk", flat=True)) == [expired.pk]
    assert PeriodicRun.objects.get().outcome == "done"
    call_command(*arguments, stdout=StringIO())  # five minutes later: nothing more
    assert PeriodicRun.objects.count() == 1


def test_the_documented_worker_runs_the_schedule(database):  # noqa: F811 (the imported fixture)
    """The production section's worker, as a real process (with --batch, so it stops): it purges."""
    env, query = database
    arguments = documented_worker()
    assert arguments == ["jobs_worker", "--no-reload"] and "jobs_worker" in get_commands()
    manage(env, "shell", "-c", PURGEABLE)
    manage(env, *arguments, "--batch", "-v", "0")
    assert query("SELECT name FROM contacts_contact") == [("Kept",)]
    assert query("SELECT task, outcome FROM jobs_periodicrun") == [("purge_deleted", "done")]


def test_the_commands_with_a_progress_bar_say_so_and_take_no_progress():
    documented = {name for name, entry in command_reference().items() if "[--no-progress]" in entry.splitlines()[0]}
    commands = get_commands()
    takes = {
        name
        for name in command_reference()
        if "--no-progress" in load_command_class(commands[name], name).create_parser("manage.py", name).format_help()
    }
    assert documented == takes == {"import_contacts", "sync_mailbox", "sync_calls"}
