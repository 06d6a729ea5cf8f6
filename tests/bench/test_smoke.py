"""`make bench` must not rot: a small run of every scenario completes and writes its JSON.

Timings are the benchmark's business, not the tests': nothing here asserts a number's size.
"""

import json
from io import StringIO

import pytest

from bench.command import main
from bench.scenarios import scenario_names

FIGURES = ("ours_ms_p50", "ours_ms_p95", "queries", "peak_kib")


@pytest.mark.django_db
def test_every_benchmark_scenario_completes_and_its_json_is_written(tmp_path, uninstrumented_templates):
    output = tmp_path / "results.json"
    printed = StringIO()

    status = main(["--contacts", "2000", "--rounds", "1", "--in-place", "--output", str(output)], stdout=printed)

    print(printed.getvalue())  # shown when the test fails
    assert status == 0
    results = json.loads(output.read_text())
    rows = results["scenarios"]
    assert {row["scenario"] for row in rows} == set(scenario_names())
    for row in rows:
        assert row["status"] == "ok", (row["name"], row["error"])
        for figure in FIGURES:
            assert isinstance(row[figure], (int, float)), (row["name"], figure, row[figure])
        assert isinstance(row["n"], int) and row["n"] > 0
        if row["admin_status"] == "ok":
            assert isinstance(row["admin_ms_p50"], (int, float)) and isinstance(row["ratio"], (int, float))
        elif row["admin_status"] == "failed":
            # The admin may fail (too many ids posted); that is recorded as a failure, not a number.
            assert row["admin_ms_p50"] is None and row["admin_error"]
    assert {"scenario", "text", "met", "detail"} <= set(results["targets"][0])
    assert "Targets:" in printed.getvalue()


@pytest.mark.django_db
def test_benchmark_leaves_no_bench_data_behind_in_place(tmp_path, uninstrumented_templates):
    from django.contrib.auth import get_user_model

    from contacts.models import Contact, Workspace

    main(
        [
            "--contacts",
            "100",
            "--rounds",
            "1",
            "--in-place",
            "--only",
            "page_first",
            "--output",
            str(tmp_path / "r.json"),
        ],
        stdout=StringIO(),
    )

    assert not Workspace.objects.filter(slug__startswith="bench-").exists()
    assert not get_user_model().objects.filter(username__startswith="bench-").exists()
    assert not Contact.objects.exists()
