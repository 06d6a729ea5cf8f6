"""Moving people through their life here: archive, restore, delete, undelete, purge (rules 1, 2, 5, 6)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from contacts.models import Contact, EntryKind, Workspace
from contacts.rules import (
    ARCHIVE_BLOCKERS,
    DELETE_BLOCKERS,
    PURGE_BLOCKERS,
    RESTORE_FROM_ARCHIVE_BLOCKERS,
    RESTORE_FROM_DELETED_BLOCKERS,
)
from contacts.services import Fingerprint, Outcome, _run, _run_erase, membership_for, require_delete_permission
from sync.addresses import remember_purged_addresses, suppress_addresses_of


def archive(*, actor, workspace: Workspace, selected: QuerySet) -> Outcome:
    membership_for(actor, workspace)
    now = timezone.now()
    return _run(
        action="archive",
        actor=actor,
        workspace=workspace,
        selected=selected,
        blockers=ARCHIVE_BLOCKERS,
        changes={"archived_at": now, "archived_by": actor},
        entry_kind=EntryKind.ARCHIVED,
    )


def restore_from_archive(*, actor, workspace: Workspace, selected: QuerySet) -> Outcome:
    membership_for(actor, workspace)
    return _run(
        action="restore",
        actor=actor,
        workspace=workspace,
        selected=selected,
        blockers=RESTORE_FROM_ARCHIVE_BLOCKERS,
        changes={"archived_at": None, "archived_by": None},
        entry_kind=EntryKind.RESTORED,
        summary="Back in My People",
    )


def delete(
    *,
    actor,
    workspace: Workspace,
    selected: QuerySet,
    suppress_sync: bool = False,
    expected: Fingerprint | None = None,
) -> Outcome:
    """Move archived people to Recently Deleted (rule 2), optionally suppressing sync re-creation."""
    require_delete_permission(actor, workspace)
    with transaction.atomic():
        outcome = _run(
            action="delete",
            actor=actor,
            workspace=workspace,
            selected=selected,
            blockers=DELETE_BLOCKERS,
            changes={"deleted_at": timezone.now(), "deleted_by": actor},
            entry_kind=EntryKind.DELETED,
            summary="Moved to Recently Deleted",
            expected=expected,
        )
        if suppress_sync and outcome.done:
            suppress_addresses_of(Contact.objects.filter(timeline__operation=outcome.operation), actor=actor)
    return outcome


def restore_from_deleted(*, actor, workspace: Workspace, selected: QuerySet) -> Outcome:
    membership_for(actor, workspace)
    return _run(
        action="undelete",
        actor=actor,
        workspace=workspace,
        selected=selected,
        blockers=RESTORE_FROM_DELETED_BLOCKERS,
        changes={"deleted_at": None, "deleted_by": None},
        entry_kind=EntryKind.UNDELETED,
        summary="Back in Archived People",
    )


def purge(*, actor, workspace: Workspace, selected: QuerySet, expected: Fingerprint | None = None) -> Outcome:
    """Erase people in Recently Deleted at once, with their timeline ("Delete forever")."""
    require_delete_permission(actor, workspace)
    return _run_erase(
        action="purge",
        actor=actor,
        workspace=workspace,
        selected=selected,
        blockers=PURGE_BLOCKERS,
        erase=_erase,
        expected=expected,
    )


def _erase(people: QuerySet) -> int:
    # Keep only a keyed hash of their addresses, so sync knows to say "re-created".
    remember_purged_addresses(people)
    # Timeline rows go by ON DELETE CASCADE in the database: one statement.
    _, per_model = people.delete()
    return per_model.get(Contact._meta.label, 0)


def purge_expired(*, now=None) -> int:
    """Erase everyone deleted longer ago than their workspace's retention."""
    now = now or timezone.now()
    erased = 0
    for workspace in Workspace.objects.all():
        with transaction.atomic():
            erased += _erase(Contact.objects.in_workspace(workspace).retention_over(workspace.retention, now=now))
    return erased
