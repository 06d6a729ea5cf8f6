"""The load test's tools cannot rot: seed a few hundred people, run the locustfile headless against the
live test server for a few seconds (every kind of request `make loadtest` sends), read Locust's CSV
back and check the invariants.

The real load test (gunicorn + PostgreSQL + 100k people) is `make loadtest`; see loadtest/README.md.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from loadtest import check, report, seed

PASSWORD = "smoke-password-1"
ROOT = Path(__file__).resolve().parents[2]
# Between them the users start with one of every kind of task (the "tour"), so each write ran.
WRITES = {
    "write: restore ids",
    "write: change stage ids",
    "write: remove assignee ids",
    "write: delete ids",
    "write: undo",
    "write: assignee (details pane)",
    "write: stage (details pane)",
}


@pytest.mark.django_db(transaction=True)
def test_locust_runs_every_kind_of_request_without_server_errors(live_server, tmp_path):
    seed.seed(people=300, users=2, password=PASSWORD)
    # With in-memory SQLite the live server's threads share one connection: one request at a time.
    users = "1" if connection.vendor == "sqlite" and connection.is_in_memory_db() else "2"
    prefix = tmp_path / "results"

    locust = subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", "loadtest/locustfile.py", "--headless",
            "-u", users, "-r", users, "--run-time", "3s", "--stop-timeout", "120",
            "--host", live_server.url, "--csv", str(prefix), "--only-summary",
        ],
        cwd=ROOT,
        env={**os.environ, "LOADTEST_PASSWORD": PASSWORD, "LOADTEST_THINK_MS": "0", "LOADTEST_ACCOUNTS": "2"},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip

    print(locust.stdout, locust.stderr)  # shown when the test fails
    results = report.read(str(prefix))
    problems = results["unexpected"] + results["locustfile_errors"]
    assert not problems, problems
    overall = results["overall"]
    assert overall["count"] > 20
    assert overall["5xx"] == 0 and overall["network_errors"] == 0
    groups = set(results["groups"])
    assert {"login", "list", "search", "details", "dialog"} <= groups
    assert WRITES <= groups, WRITES - groups
    assert any(name.startswith("write: archive") for name in groups)
    for key in ("p50_ms", "p95_ms", "p99_ms", "rps"):
        assert results["groups"]["list"][key] > 0

    # The same check `make loadtest` ends with (latency target relaxed: this is SQLite in a test).
    out = tmp_path / "results.json"
    argv = ["--csv", str(prefix), "--results", str(out), "--people", "300", "--target-list-p95-ms", "100000"]
    assert check.main(argv) == 0
    judged = json.loads(out.read_text())
    assert judged["passed"] is True
    assert all(not v["violations"] for k, v in judged["invariants"].items() if not k.startswith("_"))
