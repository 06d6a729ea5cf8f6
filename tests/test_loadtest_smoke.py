"""The load test's tools cannot rot: seed a few hundred people, drive the live test server with two
logged-in users for ~3 s (every kind of request `make loadtest` sends), check the invariants.

The real load test (gunicorn + PostgreSQL + 100k people) is `make loadtest`; see loadtest/README.md.
"""

import json

import pytest
from django.db import connection

from loadtest import check, drive, seed

PASSWORD = "smoke-password-1"


@pytest.mark.django_db(transaction=True)
def test_driver_runs_every_kind_of_request_without_server_errors(live_server, settings, tmp_path):
    seed.seed(people=300, users=2, password=PASSWORD)
    # With in-memory SQLite the live server's threads share one connection: one request at a time.
    shared_sqlite = connection.vendor == "sqlite" and connection.is_in_memory_db()
    out = tmp_path / "results.json"

    status = drive.main(
        [
            "--base-url", live_server.url,
            "--users", "2",
            "--seconds", "3",
            "--think-ms", "0",
            "--password", PASSWORD,
            "--max-in-flight", "1" if shared_sqlite else "0",
            "--out", str(out),
        ]
    )  # fmt: skip

    results = json.loads(out.read_text())
    assert status == 0, results["failures"] or results["driver_errors"] or results["unexpected"]
    overall = results["overall"]
    assert overall["count"] > 20
    assert overall["5xx"] == 0 and overall["network_errors"] == 0
    assert {"list", "search", "dialog", "write"} <= set(results["categories"])
    # The users start with one of every kind of task and write between them (the "tour"): all of them ran.
    confirmed = set(results["writes_confirmed"])
    assert {"archive", "restore", "change_stage", "remove_assignee", "delete", "undo"} <= confirmed
    assert {"assignee (details pane)", "stage (details pane)"} <= set(results["by_label"])
    for key in ("p50_ms", "p95_ms", "p99_ms", "rps"):
        assert results["categories"]["list"][key] > 0

    # The same check `make loadtest` ends with (latency target relaxed: this is SQLite in a test).
    assert check.main(["--results", str(out), "--people", "300", "--target-list-p95-ms", "100000"]) == 0
    judged = json.loads(out.read_text())
    assert judged["passed"] is True
    assert all(not v["violations"] for k, v in judged["invariants"].items() if not k.startswith("_"))
