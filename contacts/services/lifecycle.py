"""Moving people through their life here: archive, restore, delete, undelete, purge (rules 1, 2, 5, 6)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.exceptions import ContactError, StaleConfirmation
from contacts.models import Contact, EntryKind, Operation, Workspace
from contacts.rules import (
    ARCHIVE_BLOCKERS,
    CLOSED_STAGES,
    DELETE_BLOCKERS,
    FIX_AND_ARCHIVE_BLOCKERS,
    HAS_OPEN_STAGE,
    IS_ASSIGNED,
    PURGE_BLOCKERS,
    RESTORE_FROM_ARCHIVE_BLOCKERS,
    RESTORE_FROM_DELETED_BLOCKERS,
    none_of,
)
from contacts.services import (
    Fingerprint,
    Outcome,
    _locked_in_id_order,
    _record_entries,
    _run,
    _run_erase,
    _skipped,
    check_expected,
    membership_for,
    require_delete_permission,
)
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


def fix_and_archive(
    *, actor, workspace: Workspace, selected: QuerySet, stage: str, expected: Fingerprint | None
) -> Outcome:
    """ "Fix and archive": give those in an open stage `stage` (Past, Lost or none), remove every
    assignee, and archive them all, in one transaction; exactly the people the dialog showed, or nobody.

    Each change is its own UPDATE over the people this operation marked, with its rule in the WHERE;
    the stage and assignee entries keep the old values, so Undo puts each person's own back
    (contacts.bulk_actions.archive declares how).
    """
    membership_for(actor, workspace)
    if stage not in CLOSED_STAGES:
        raise ContactError(_("Fix and archive sets the stage to Past, Lost or no stage."))
    selected = selected.filter(workspace=workspace)
    now = timezone.now()
    with transaction.atomic():
        operation = Operation.objects.create(workspace=workspace, actor=actor, action="fix_and_archive")
        marked = _locked_in_id_order(selected.filter(none_of(FIX_AND_ARCHIVE_BLOCKERS))).update(
            operation=operation, updated_at=now
        )
        acted_on = Contact.objects.filter(operation=operation)
        check_expected(expected, acted_on)
        label = workspace.stage_label(stage)
        fixes = (
            (HAS_OPEN_STAGE.q, EntryKind.STAGE_CHANGED, f"Stage set to {label}", "stage", {"stage": stage}),
            (IS_ASSIGNED.q, EntryKind.UNASSIGNED, "Assignee removed", "assignee", {"assignee": None}),
        )
        for blocked, kind, summary, field, change in fixes:
            _record_entries(operation, kind, summary, Contact._meta.get_field(field).column, among=blocked)
            acted_on.filter(blocked).update(**change)
        archived = acted_on.filter(none_of(ARCHIVE_BLOCKERS)).update(archived_at=now, archived_by=actor)
        if archived != marked:  # cannot happen while the rows are ours; if it does, change nothing
            raise StaleConfirmation(_("Someone changed these people at the same moment, so nothing was changed."))
        _record_entries(operation, EntryKind.ARCHIVED, "", None)
        skipped, reasons = _skipped(selected.exclude(operation=operation), FIX_AND_ARCHIVE_BLOCKERS)
        operation.count, operation.skipped = archived, skipped
        operation.save(update_fields=["count", "skipped"])
    return Outcome(operation, archived, skipped, reasons)


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
