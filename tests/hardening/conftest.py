"""Shared fixtures for the hardening tests: a database that threads can share, and the checks.

On PostgreSQL every thread gets its own connection to the test database and the
races are real. On SQLite the test runner's database lives in memory with a shared
cache; there "database table is locked" (SQLITE_LOCKED) is raised at once instead of
waiting for the other writer, whatever the busy timeout, so it would test the test
harness rather than the app. `shared_db` therefore moves the test onto a file, as
the app runs in production (cloze/settings.py: WAL, BEGIN IMMEDIATE, 20 s timeout).
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps caches in .hypothesis/ under the working directory; keep the project clean.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "my-people-hypothesis")


@pytest.fixture
def shared_db(transactional_db, tmp_path):
    """A committed-transaction database that several threads can use at once, as in production."""
    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    if connection.vendor != "sqlite" or not connection.creation.is_in_memory_db(name):
        yield connection.vendor
        return
    connection.ensure_connection()
    # Keep the in-memory test database alive while the default connection points elsewhere.
    keeper = sqlite3.connect(name, uri=True)
    path = tmp_path / "shared.sqlite3"
    target = sqlite3.connect(path)
    keeper.backup(target)  # the migrated schema, no rows (transactional tests start empty)
    target.close()
    settings_dict["NAME"] = str(path)  # the same dict every thread's new connection is made from
    connection.close()  # now really closes the in-memory connection (the keeper holds the data)
    try:
        yield "sqlite-file"
    finally:
        connection.close()
        settings_dict["NAME"] = name
        connection.ensure_connection()
        keeper.close()
