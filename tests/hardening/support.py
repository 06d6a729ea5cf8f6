"""Helpers for the hardening tests: run things at once, snapshot people, check the promises."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from audiences.registry import get_audience
from contacts.models import Contact, EntryKind, Operation, TimelineEntry
from contacts.rules import OPEN_STAGES
from contacts.selection import PeopleFilter, Selection
from tests.helpers import status_message

# Every bulk action with an audience that offers it (and, with state, the fixture's person it
# can act on there): the tests that try each action once.
WHERE_OFFERED_WITH_STATE = (
    ("archive", "my-people", "active"),
    ("delete", "archived", "archived"),
    ("purge", "deleted", "deleted"),
    ("restore", "archived", "archived"),
    ("undelete", "deleted", "deleted"),
    ("remove_assignee", "my-people", "active"),
    ("change_stage", "my-people", "active"),
)
WHERE_OFFERED = [(action, audience) for action, audience, _ in WHERE_OFFERED_WITH_STATE]


@dataclass
class Result:
    value: object = None
    error: BaseException | None = None
    seconds: float = 0.0


@dataclass
class Together:
    results: list[Result] = field(default_factory=list)

    @property
    def errors(self) -> list[BaseException]:
        return [r.error for r in self.results if r.error is not None]


def run_together(*functions, timeout: float = 60.0) -> Together:
    """Run each function in its own thread (own DB connection), all released at the same moment."""
    barrier = threading.Barrier(len(functions))
    together = Together([Result() for _ in functions])

    def runner(i, function):
        result = together.results[i]
        try:
            barrier.wait(timeout)
            start = time.monotonic()
            try:
                result.value = function()
            finally:
                result.seconds = time.monotonic() - start
        except BaseException as error:  # noqa: BLE001 - reported to the test
            result.error = error
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, f), daemon=True) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), f"a side still runs after {timeout} s: a hang or a deadlock"
    return together


# Errors a race may meet while a known bug is open (each pinned by its own strict xfail test);
# a race test that meets one checks that the failed side rolled back whole. None are open now:
# deadlocks and negative skipped counts were fixed (services._locked_in_id_order, skipped
# counted after the change).
KNOWN_BUGS: dict[str, str] = {}


def known_bug(error: BaseException) -> str | None:
    for text, test in KNOWN_BUGS.items():
        if text in str(error):
            return test
    return None


def settle(together: Together, operations_before: int, refusals=()) -> list:
    """Each side's outcome, or None where it failed. A failure must be a refusal the caller expects or
    a known bug; either way that side left nothing behind (no operation), and every promise holds."""
    values = []
    for result in together.results:
        if result.error is None:
            values.append(result.value)
            continue
        if not isinstance(result.error, refusals):
            assert known_bug(result.error), f"unexpected failure: {result.error!r}"
            print(f"known bug met ({known_bug(result.error)}): {result.error!r}"[:300])
        values.append(None)
    succeeded = sum(v is not None for v in values)
    assert Operation.objects.count() == operations_before + succeeded, "a failed side left an operation behind"
    assert broken_promises() == []
    return values


def select_all(audience_slug: str, workspace, user, **filter_params):
    """What "Select all N people" sends: the audience and filter, no ids."""
    return Selection(get_audience(audience_slug), PeopleFilter(**filter_params), None).people(workspace, user)


def select_ids(workspace, ids):
    return Selection(get_audience("my-people"), PeopleFilter(), tuple(ids)).people(workspace, None)


def snapshot(**filters) -> dict:
    """Every field an action may change, per person (and the rows that exist)."""
    return {
        row[0]: row[1:]
        for row in Contact.objects.filter(**filters).values_list(
            "pk", "stage", "assignee_id", "archived_at", "archived_by_id", "deleted_at", "deleted_by_id", "updated_at"
        )
    }


def history_counts(**filters) -> tuple[int, int, int]:
    """(people, timeline entries, operations): any change leaves a trace in one of them."""
    return (
        Contact.objects.filter(**filters).count(),
        TimelineEntry.objects.filter(**{f"contact__{k}": v for k, v in filters.items()}).count(),
        Operation.objects.filter(**filters).count(),
    )


def broken_promises() -> list[str]:
    """The promises that must hold whatever happened; each broken one is named."""
    problems = []
    archived_open = Contact.objects.filter(archived_at__isnull=False).filter(
        Q(assignee__isnull=False) | Q(stage__in=OPEN_STAGES)
    )
    if archived_open.exists():
        problems.append(
            f"archived with an open stage or an assignee: {list(archived_open.values_list('pk', flat=True))}"
        )
    deleted_not_archived = Contact.objects.filter(deleted_at__isnull=False, archived_at__isnull=True)
    if deleted_not_archived.exists():
        problems.append(f"deleted but not archived: {list(deleted_not_archived.values_list('pk', flat=True))}")
    # A person's operation is the bulk change that last touched them: it must have recorded them.
    unrecorded = Contact.objects.filter(operation__isnull=False).exclude(
        Exists(TimelineEntry.objects.filter(contact=OuterRef("pk"), operation=OuterRef("operation")))
    )
    if unrecorded.exists():
        problems.append(
            f"changed by an operation that left no timeline entry: {list(unrecorded.values_list('pk', flat=True))}"
        )
    for op in Operation.objects.exclude(action="purge"):
        entries = TimelineEntry.objects.filter(operation=op).count()
        if entries != op.count:
            problems.append(f"operation {op.pk} ({op.action}) says {op.count} changed but wrote {entries} entries")
    return problems


def replay_lifecycle(contact_ids, *, start_archived: bool, start_deleted: bool = False) -> list[str]:
    """Walk each person's timeline in order: every delete must find them archived and not deleted."""
    problems = []
    for pk in contact_ids:
        archived, deleted = start_archived, start_deleted
        for kind in TimelineEntry.objects.filter(contact_id=pk).order_by("pk").values_list("kind", flat=True):
            if kind == EntryKind.ARCHIVED:
                if archived or deleted:
                    problems.append(f"{pk}: archived twice")
                archived = True
            elif kind == EntryKind.RESTORED:
                if not archived or deleted:
                    problems.append(f"{pk}: restored while not archived")
                archived = False
            elif kind == EntryKind.DELETED:
                if not archived or deleted:
                    problems.append(f"{pk}: deleted while not archived (or already deleted)")
                deleted = True
            elif kind == EntryKind.UNDELETED:
                if not deleted:
                    problems.append(f"{pk}: undeleted while not deleted")
                deleted = False
        row = Contact.objects.filter(pk=pk).values_list("archived_at", "deleted_at").first()
        if row is not None and ((row[0] is not None) != archived or (row[1] is not None) != deleted):
            problems.append(f"{pk}: the timeline does not match the row")
    return problems


OUTCOME = re.compile(r"^(\d+) (?:person|people) (.+?)(?: · (\d+) skipped(?:: .+)?)?$")


def told(response) -> tuple[int, int]:
    """(done, skipped) from an HTMX outcome: the message the user reads in the status region."""
    message = status_message(response)
    match = OUTCOME.match(message)
    assert match, message
    return int(match.group(1)), int(match.group(3) or 0)
