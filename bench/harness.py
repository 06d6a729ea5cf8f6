"""Measuring: a fresh database, the settings, one request timed, and sides alternated over rounds.

Every figure is a whole request through django.test.Client: middleware, session, view, queries,
template rendering. `Runner.compare` first runs each side once under tracemalloc (peak Python
memory; untimed, as tracing slows Python down), then alternates the sides for the timed rounds
(ours first in even rounds, last in odd ones). Query counts come from a
`connection.execute_wrapper` around each request.
"""

from __future__ import annotations

import gc
import logging
import math
import os
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, connections
from django.test.utils import setup_databases, teardown_databases

FORM = "application/x-www-form-urlencoded"
HTMX = {"HX-Request": "true"}


def bench_settings() -> dict:
    """Production settings (DEBUG off, cached templates) except what the test client needs."""
    return {
        "ROOT_URLCONF": "bench.urls",
        # The test client speaks plain HTTP to "testserver".
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"],
        # No collectstatic needed; both sides render {% static %} the same way.
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "AXES_ENABLED": False,
    }


@contextmanager
def fresh_database():
    """The same machinery as the test runner: create, migrate, and drop at the end; never the real data."""
    default = connections["default"]
    test = default.settings_dict.setdefault("TEST", {})
    scratch_dir = None
    if default.vendor == "sqlite":
        # A file rather than :memory:, so SQLite does real I/O as it would in use.
        scratch_dir = tempfile.mkdtemp(prefix="bench-")
        test["NAME"] = os.path.join(scratch_dir, "bench.sqlite3")
    else:
        # Not test_<name>: a test run on the same server must not clash with a benchmark.
        test["NAME"] = f"bench_{default.settings_dict['NAME']}"
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
    try:
        yield test["NAME"]
    finally:
        teardown_databases(old_config, verbosity=0)
        if scratch_dir:
            shutil.rmtree(scratch_dir, ignore_errors=True)


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class SecurityLog(logging.Handler):
    """Catches why Django refused a request (e.g. TooManyFieldsSent) to report it as the failure."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(f"{record.name.rsplit('.', 1)[-1]}: {record.getMessage()}")


@dataclass
class Side:
    """One way of doing a task: a request, a check of its response (and of the data), a reset before."""

    label: str
    request: Callable[[], object]
    check: Callable[[object], str | None]
    prepare: Callable[[], None] = lambda: None


@dataclass
class Result:
    label: str
    ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    peak_kib: float | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.ms)

    @property
    def p50(self) -> float | None:
        return statistics.median(self.ms) if self.ok else None

    @property
    def p95(self) -> float | None:
        if not self.ok:
            return None
        ordered = sorted(self.ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def query_count(self) -> int | None:
        return max(self.queries) if self.queries else None


def expect(status: int, *texts: str) -> Callable[[object], str | None]:
    def check(response) -> str | None:
        if response.status_code != status:
            return f"HTTP {response.status_code} (expected {status})"
        body = response.content.decode(errors="replace")
        missing = [t for t in texts if t not in body]
        return f"response lacks {missing[0]!r}" if missing else None

    return check


def then(check, verify: Callable[[], str | None]):
    """A response check followed by a look at the database."""

    def both(response):
        return check(response) or verify()

    return both


class Runner:
    def __init__(self):
        self.security = SecurityLog()

    @contextmanager
    def catching_refusals(self):
        """Django's security warnings go to self.security (reported with the failure they explain);
        the admin's 400s are recorded as failures, not logged."""
        security = logging.getLogger("django.security")
        request_log = logging.getLogger("django.request")
        saved = security.handlers[:], security.propagate, request_log.level
        security.handlers, security.propagate = [self.security], False
        request_log.setLevel(logging.ERROR)
        try:
            yield
        finally:
            security.handlers, security.propagate = saved[0], saved[1]
            request_log.setLevel(saved[2])

    def once(self, side: Side, traced: bool = False) -> tuple[float, int, float | None, str]:
        side.prepare()
        counter = QueryCounter()
        self.security.messages.clear()
        gc.collect()
        if traced:
            tracemalloc.start()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
        crash = ""
        try:
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                response = side.request()
                elapsed = (time.perf_counter() - start) * 1000
        except Exception as error:  # a crash on either side is a failed result, not the end of the run
            crash, elapsed = f"{type(error).__name__}: {error}", 0.0
        peak = None
        if traced:
            peak = (tracemalloc.get_traced_memory()[1] - base) / 1024
            tracemalloc.stop()
        error = crash or side.check(response) or ""
        if error and self.security.messages:
            error += " — " + "; ".join(self.security.messages)
        return elapsed, counter.count, peak, error

    def compare(self, sides: list[Side], rounds: int) -> list[Result]:
        """A traced (untimed) run of each side for memory, then timed rounds in alternating order."""
        results = [Result(side.label) for side in sides]
        for side, result in zip(sides, results):
            _, _, result.peak_kib, result.error = self.once(side, traced=True)
        for round_ in range(rounds):
            pairs = list(zip(sides, results))
            for side, result in pairs if round_ % 2 == 0 else reversed(pairs):
                if result.error:
                    continue  # a failure is recorded as such, not timed again
                ms, queries, _, result.error = self.once(side)
                if not result.error:
                    result.ms.append(ms)
                    result.queries.append(queries)
        return results
