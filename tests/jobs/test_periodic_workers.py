"""Two real `jobs_worker` processes at once, both scheduling, over one database (SQLite file or the
PostgreSQL test database): every periodic slot is claimed, enqueued and run exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.jobs.test_workers import ROOT, database, manage, migrated_sqlite, wait_for  # noqa: F401

SETTINGS = """
from datetime import timedelta
from cloze.settings import *  # noqa
PERIODIC_TASKS = {
    "purge_deleted": {"every": timedelta(days=1), "at": timedelta(hours=3, minutes=15)},
    "often": {"command": "check", "every": timedelta(seconds=1)},
}
PERIODIC_TICK_SECONDS = 0.05
"""

SETUP = """
from datetime import timedelta
from django.utils import timezone
from contacts.models import Contact, Stage, Workspace
ws = Workspace.objects.create(name="Purge", slug="purge")
long_ago = timezone.now() - timedelta(days=40)
Contact.objects.bulk_create(
    Contact(workspace=ws, name=f"Gone {i}", stage=Stage.LOST, archived_at=long_ago, deleted_at=long_ago)
    for i in range(5)
)
Contact.objects.create(workspace=ws, name="Kept", stage=Stage.LOST)
"""


def scheduling_worker(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "jobs_worker", "--no-reload", "--interval", "0.05", "-v", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_schedulers_at_once_run_each_slot_once(database, tmp_path):  # noqa: F811 (the imported fixture)
    env, query = database
    (tmp_path / "periodic_settings.py").write_text(SETTINGS)
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "periodic_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
    }
    manage(env, "shell", "-c", SETUP)
    workers = [scheduling_worker(env) for _ in range(2)]
    try:
        # Both up and scheduling, then a few one-second slots of "often" with both ticking every 50 ms.
        wait_for(lambda: query("SELECT COUNT(*) FROM jobs_periodicrun WHERE task = 'often'")[0][0] >= 4, 60)
    finally:
        for process in workers:
            process.terminate()
        outputs = [process.communicate(timeout=30)[0] for process in workers]
    time.sleep(0.1)

    # The purge: one run, one task, five people erased once.
    assert query("SELECT COUNT(*) FROM jobs_periodicrun WHERE task = 'purge_deleted'") == [(1,)]
    (run_id, outcome, output) = query("SELECT id, outcome, output FROM jobs_periodicrun WHERE task = 'purge_deleted'")[
        0
    ]
    assert outcome == "done" and output == "Erased 5 people from Recently Deleted.\n", outputs
    assert query("SELECT name FROM contacts_contact") == [("Kept",)]
    tasks = query("SELECT args_kwargs FROM django_tasks_database_dbtaskresult")
    runs = query("SELECT COUNT(*) FROM jobs_periodicrun")[0][0]
    assert len(tasks) == runs  # one enqueue per claimed slot, never two
    assert sum(f'"args": [{run_id}]' in str(args) or f"[{run_id}]" in str(args) for (args,) in tasks) == 1
    slots = query("SELECT slot FROM jobs_periodicrun WHERE task = 'often'")
    assert len(slots) == len(set(slots)) >= 4
    # Both schedulers really competed: each found slots claimed (by the other, or by itself earlier).
    for shown in outputs:
        assert "often at " in shown and ": already claimed" in shown, shown[-2000:]
    assert sum(shown.count("enqueued (run ") for shown in outputs) == runs
