"""Real `jobs_worker` processes over a real database file (SQLite) or the test database (PostgreSQL):
a worker SIGKILLed mid-job loses nothing and the next one finishes it with every count and timeline
entry exact; two workers on one job never run the same batch."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PEOPLE, OPEN_STAGE, BATCH = 300, 10, 20

SETUP = f"""
from contacts.models import Contact, Membership, Role, Stage, Workspace
from django.contrib.auth import get_user_model
from jobs import runner
from jobs.models import BulkJob
ws = Workspace.objects.create(name="Kill", slug="kill")
user = get_user_model().objects.create_user("killer", password="x-x-x-x-x-1")
Membership.objects.create(workspace=ws, user=user, role=Role.MEMBER)
Contact.objects.bulk_create(
    Contact(workspace=ws, name=f"P {{i}}", stage=Stage.ACTIVE if i % 30 == 0 else Stage.LOST) for i in range({PEOPLE})
)
job = BulkJob.objects.create(workspace=ws, actor=user, action="archive", audience="my-people")
job.total = runner._fix_people(job, Contact.objects.filter(workspace=ws))
job.save()
for _ in range(int(__import__("os").environ.get("TASKS_PER_JOB", "1"))):
    runner.run_job.enqueue(job.pk)
print(job.pk)
"""


def base_env() -> dict:
    return {**os.environ, "TESTING": "1", "DJANGO_SETTINGS_MODULE": "cloze.settings", "BULK_JOB_BATCH_SIZE": str(BATCH)}


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """A migrated SQLite file, made once for the module (each test works on a copy)."""
    path = tmp_path_factory.mktemp("jobs") / "migrated.sqlite3"
    manage({**base_env(), "DATABASE_URL": f"sqlite:///{path}"}, "migrate", "--noinput", "-v", "0")
    return path


@pytest.fixture
def database(transactional_db, tmp_path, request):
    """(environment for the subprocesses, a function running one SQL query) over a database both see."""
    env = base_env()
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        path = tmp_path / "jobs.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_sqlite"), path)
        env["DATABASE_URL"] = f"sqlite:///{path}"

        def query(sql):
            with sqlite3.connect(path, timeout=20) as con:
                return con.execute(sql).fetchall()
    else:
        host = urllib.parse.quote(db["HOST"] or "", safe="")
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{host}:{db['PORT']}/{db['NAME']}"

        def query(sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

    return env, query


def manage(env, *args, **options):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True, **options
    )


def worker(env, *args, **extra_env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "jobs_worker", "--no-reload", "--interval", "0.05", "-v", "0", *args],
        cwd=ROOT,
        env={**env, **extra_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def check_exact(query, job_id):
    """Every eligible person archived once, with one timeline entry, counted once."""
    eligible = PEOPLE - OPEN_STAGE
    state, done, skipped, batches = query(
        f"SELECT state, done, skipped, batches FROM jobs_bulkjob WHERE id = {job_id}"
    )[0]
    assert (state, done, skipped) == ("finished", eligible, OPEN_STAGE)
    assert query("SELECT COUNT(*) FROM contacts_contact WHERE archived_at IS NOT NULL")[0][0] == eligible
    entries = query("SELECT COUNT(*), COUNT(DISTINCT contact_id) FROM contacts_timelineentry WHERE kind = 'archived'")
    assert entries[0] == (eligible, eligible)
    numbers = [n for (n,) in query(f"SELECT number FROM jobs_jobbatch WHERE job_id = {job_id} ORDER BY number")]
    assert numbers == list(range(1, batches + 1)) and batches == PEOPLE // BATCH
    assert query(f"SELECT SUM(done), SUM(skipped) FROM jobs_jobbatch WHERE job_id = {job_id}")[0] == (
        eligible,
        OPEN_STAGE,
    )
    assert query("SELECT SUM(count) FROM contacts_operation WHERE action = 'archive'")[0][0] == eligible


def test_a_worker_killed_mid_job_loses_nothing_and_the_next_one_finishes_it_exactly(database):
    env, query = database
    job_id = int(manage(env, "shell", "-c", SETUP).stdout.split()[-1])
    first = worker(env, BULK_JOB_PAUSE_MS="150")
    try:
        wait_for(lambda: query(f"SELECT done FROM jobs_bulkjob WHERE id = {job_id}")[0][0] >= 3 * BATCH)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    state, done = query(f"SELECT state, done FROM jobs_bulkjob WHERE id = {job_id}")[0]
    assert state == "running" and 0 < done < PEOPLE - OPEN_STAGE  # really killed in the middle
    # A new worker takes the abandoned job over (stale at once here) and ends when there is nothing left.
    second = worker(env, "--batch", BULK_JOB_STALE_SECONDS="0")
    _, errors = second.communicate(timeout=180)
    assert second.returncode == 0, errors.decode()
    check_exact(query, job_id)


def test_two_workers_on_one_job_never_run_the_same_batch(database):
    env, query = database
    env = {**env, "TASKS_PER_JOB": "2"}
    job_id = int(manage(env, "shell", "-c", SETUP).stdout.split()[-1])
    workers = [worker(env, "--batch", BULK_JOB_PAUSE_MS="20") for _ in range(2)]
    for process in workers:
        _, errors = process.communicate(timeout=180)
        assert process.returncode == 0, errors.decode()
    # Both tasks ran (one per worker, or both on one), and the job was still done exactly once.
    # (The workers' scheduler enqueued the daily purge too, once: PERIODIC_TASKS.)
    tasks = "SELECT task_path, COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
    assert dict(query(f"{tasks} GROUP BY task_path")) == {"jobs.runner.run_job": 2, "jobs.periodic.run_periodic": 1}
    check_exact(query, job_id)
