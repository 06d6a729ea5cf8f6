"""`python manage.py bench`: My People against the stock Django admin on the same data (see bench/README.md)."""

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import override_settings, setup_databases, teardown_databases

from contacts.benchmarking import SCENARIOS, Benchmark, bench_settings, write_json


class Command(BaseCommand):
    help = (
        "Seed N people and time our pages and bulk actions against the stock Django admin, side by side. "
        "Runs in a fresh database of its own (bench_<name>, or a temporary SQLite file) that it drops at the end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=100_000, help="People in the main workspace (100,000).")
        parser.add_argument("--rounds", type=int, default=5, help="Timed rounds per scenario (5).")
        parser.add_argument(
            "--heavy-rounds",
            type=int,
            default=None,
            help="Rounds for the destructive 10k/100k scenarios (default: --rounds, at most 3).",
        )
        parser.add_argument(
            "--database-url",
            help="Run against this database (re-runs the command with DATABASE_URL set, before settings load).",
        )
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "bench" / "results.json"),
            help="Where the figures go as JSON (bench/results.json).",
        )
        parser.add_argument(
            "--in-place",
            action="store_true",
            help="Use the configured database itself, in throwaway bench-* workspaces deleted at the end "
            "(the test suite's smoke run does this inside its test database).",
        )
        parser.add_argument("--only", default="", help=f"Comma-separated scenarios, of: {', '.join(SCENARIOS)}.")
        parser.add_argument("--seed", type=int, default=2024, help="Random seed for the generated people.")

    def handle(self, *args, contacts, rounds, heavy_rounds, database_url, output, in_place, only, seed, **options):
        if database_url and database_url != os.environ.get("DATABASE_URL"):
            self.reexec_with(database_url)
        if contacts < 100:
            raise CommandError("--contacts must be at least 100.")
        if rounds < 1:
            raise CommandError("--rounds must be at least 1.")
        scenarios = [s.strip() for s in only.split(",") if s.strip()]
        unknown = set(scenarios) - set(SCENARIOS)
        if unknown:
            raise CommandError(f"Unknown scenario(s): {', '.join(sorted(unknown))}. Known: {', '.join(SCENARIOS)}.")
        benchmark = Benchmark(
            contacts=contacts,
            rounds=rounds,
            heavy_rounds=heavy_rounds or min(rounds, 3),
            seed=seed,
            only=scenarios,
            stdout=self.stdout,
            cleanup=in_place,
        )
        with override_settings(**bench_settings()):
            if in_place:
                data = benchmark.run()
            else:
                with self.fresh_database() as name:
                    self.stdout.write(f"Fresh {connections['default'].vendor} database {name}\n")
                    data = benchmark.run()
        write_json(data, Path(output))
        self.stdout.write(f"\nWrote {output}\n")

    def reexec_with(self, database_url: str) -> None:
        """Settings are read once at startup, so a new DATABASE_URL needs a new process."""
        if len(sys.argv) < 2 or sys.argv[1] != "bench":
            raise CommandError("--database-url works from the command line; from code, set DATABASE_URL first.")
        os.environ["DATABASE_URL"] = database_url
        connections.close_all()
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, *sys.argv])

    @contextmanager
    def fresh_database(self):
        """The same machinery as the test runner: create, migrate, and drop at the end; never the real data."""
        connection = connections["default"]
        test = connection.settings_dict.setdefault("TEST", {})
        scratch_dir = None
        if connection.vendor == "sqlite":
            # A file rather than :memory:, so SQLite does real I/O as it would in use.
            scratch_dir = tempfile.mkdtemp(prefix="bench-")
            test["NAME"] = os.path.join(scratch_dir, "bench.sqlite3")
        else:
            # Not test_<name>: a test run on the same server must not clash with a benchmark.
            test["NAME"] = f"bench_{connection.settings_dict['NAME']}"
        old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
        try:
            yield test["NAME"]
        finally:
            teardown_databases(old_config, verbosity=0)
            if scratch_dir:
                shutil.rmtree(scratch_dir, ignore_errors=True)
