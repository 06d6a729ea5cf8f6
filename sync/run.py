"""Running a sync: a reader's items through the writer, counted in a SyncReport.

sync_mailbox and sync_calls are what the commands, the benchmark and the tests call.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from contacts.models import Workspace
from sync.calls import call_items
from sync.mailbox import mailbox_items
from sync.own_addresses import OwnAddresses
from sync.report import Progress, Skip, SyncReport
from sync.sightings import Item
from sync.writer import BATCH_SIZE, Writer


def _run(workspace: Workspace, total: int, items: Iterator[Item], report: SyncReport, *, actor, progress, batch_size):
    writer = Writer(workspace, actor, report, batch_size)
    for number, item in enumerate(items, 1):
        report.read += 1
        if isinstance(item, Skip):
            report.skipped.append(item)
        else:
            writer.add(item)
        if progress is not None:
            progress(number, total)
    writer.flush()
    return report


def sync_mailbox(
    workspace: Workspace,
    path: str | Path,
    *,
    actor=None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> SyncReport:
    """Sync an mbox file or a folder of .eml files into the workspace; raises SourceUnreadable."""
    total, items = mailbox_items(Path(path), OwnAddresses.of(workspace))
    return _run(workspace, total, items, SyncReport("messages"), actor=actor, progress=progress, batch_size=batch_size)


def sync_calls(
    workspace: Workspace,
    path: str | Path,
    *,
    actor=None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> SyncReport:
    """Sync a call log (CSV: number,direction,started_at,duration_seconds,name); raises SourceUnreadable."""
    total, items = call_items(Path(path), workspace.default_region)
    return _run(workspace, total, items, SyncReport("calls"), actor=actor, progress=progress, batch_size=batch_size)
