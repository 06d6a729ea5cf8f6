"""Every write to people goes through here: one transaction, the rule in the WHERE.

Each bulk change is a fixed number of statements whatever the number of people:

1. UPDATE the selected rows that pass the rule (the rule is in this
   statement's WHERE), setting the new values and this operation's id. On
   PostgreSQL this also locks them until commit; on SQLite the transaction
   holds the write lock.
2. INSERT one timeline entry per row the operation now marks, with
   INSERT ... SELECT.

A change whose old value Undo needs (stage, assignee) marks first, records the
old values, then applies the new ones to the marked rows: three statements.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from contacts.exceptions import ContactError, NotAllowed, StaleConfirmation
from contacts.models import (
    ARCHIVE_BLOCKERS,
    DELETE_BLOCKERS,
    IS_DELETED,
    OPEN_STAGE_BLOCKERS,
    OPEN_STAGES,
    PURGE_BLOCKERS,
    REMOVE_ASSIGNEE_BLOCKERS,
    RESTORE_FROM_ARCHIVE_BLOCKERS,
    RESTORE_FROM_DELETED_BLOCKERS,
    Blocker,
    Contact,
    DeletedAddress,
    EntryKind,
    Membership,
    Operation,
    Stage,
    Suppression,
    TimelineEntry,
    Workspace,
    display_name,
    none_of,
)


@dataclass(frozen=True)
class Outcome:
    operation: Operation
    done: int
    skipped: int


def membership_for(user, workspace: Workspace) -> Membership:
    membership = Membership.objects.filter(user=user, workspace=workspace).first()
    if membership is None:
        raise NotAllowed("You are not a member of this workspace.")
    return membership


def require_delete_permission(user, workspace: Workspace) -> None:
    if not membership_for(user, workspace).can_delete:
        raise NotAllowed("Only admins and managers can delete people.")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _record_entries(operation: Operation, kind: str, summary: str, previous_column: str | None) -> None:
    """One timeline entry for every person the operation marked, in one statement."""
    contact_table = _quote(Contact._meta.db_table)
    previous = f"COALESCE(CAST({_quote(previous_column)} AS VARCHAR(40)), '')" if previous_column else "''"
    at = connection.ops.adapt_datetimefield_value(operation.at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_quote(TimelineEntry._meta.db_table)} "
            "(contact_id, kind, at, actor_id, operation_id, summary, direction, source_key, previous) "
            f"SELECT id, %s, %s, %s, %s, %s, '', '', {previous} FROM {contact_table} WHERE operation_id = %s",
            [kind, at, operation.actor_id, operation.pk, summary, operation.pk],
        )


def _change(
    *,
    operation: Operation,
    selected: QuerySet,
    blockers: tuple[Blocker, ...],
    changes: dict,
    entry_kind: str,
    summary: str = "",
    previous_field: str | None = None,
) -> int:
    """Change the people the rule allows and record it (see the module docstring). Returns how many."""
    eligible = _locked_in_id_order(selected.filter(none_of(blockers)))
    if previous_field is None:
        changed = eligible.update(**changes, updated_at=operation.at, operation=operation)
        if changed:
            _record_entries(operation, entry_kind, summary, None)
        return changed
    marked = eligible.update(operation=operation)
    if marked:
        _record_entries(operation, entry_kind, summary, Contact._meta.get_field(previous_field).column)
        Contact.objects.filter(operation=operation).update(**changes, updated_at=operation.at)
    return marked


def _locked_in_id_order(people: QuerySet) -> QuerySet:
    """The same people, locked in id order first (PostgreSQL).

    An UPDATE locks rows in whatever order its plan visits them; two bulk actions over the
    same people could each hold rows the other waits for, and one would be aborted as a
    deadlock. Locking in id order makes the second one queue instead. The rule is checked
    again on the locked rows. SQLite needs none of this: a transaction there holds the
    database's write lock from its first statement.
    """
    if not connection.features.has_select_for_update:
        return people
    # Compiled by hand: a subquery given to pk__in would lose its ORDER BY.
    sql, params = people.order_by("pk").select_for_update().values("pk").query.sql_with_params()
    return people.filter(pk__in=RawSQL(sql, params))


def _run(
    *,
    action: str,
    actor,
    workspace: Workspace,
    selected: QuerySet,
    blockers: tuple[Blocker, ...],
    changes: dict,
    entry_kind: str,
    summary: str = "",
    previous_field: str | None = None,
    expected: int | None = None,
) -> Outcome:
    selected = selected.filter(workspace=workspace)
    with transaction.atomic():
        operation = Operation.objects.create(workspace=workspace, actor=actor, action=action)
        done = _change(
            operation=operation,
            selected=selected,
            blockers=blockers,
            changes=changes,
            entry_kind=entry_kind,
            summary=summary,
            previous_field=previous_field,
        )
        _check_expected(done, expected)
        # Counted after the change, so people who joined a select-all meanwhile cannot make it negative.
        skipped = selected.exclude(operation=operation).count()
        operation.count, operation.skipped = done, skipped
        operation.save(update_fields=["count", "skipped"])
    return Outcome(operation, done, skipped)


def _check_expected(done: int, expected: int | None) -> None:
    """Destructive actions act on exactly what the user confirmed, or not at all (rolls back)."""
    if expected is not None and done != expected:
        raise StaleConfirmation(
            f"Nothing was changed: {people(expected)} were confirmed, but {done} qualify now. "
            "Someone changed them since the dialog opened; review the new numbers."
        )


def people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


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
    *, actor, workspace: Workspace, selected: QuerySet, suppress_sync: bool = False, expected: int | None = None
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


def purge(*, actor, workspace: Workspace, selected: QuerySet, expected: int | None = None) -> Outcome:
    """Erase people in Recently Deleted at once, with their timeline ("Delete forever")."""
    require_delete_permission(actor, workspace)
    selected = selected.filter(workspace=workspace)
    with transaction.atomic():
        operation = Operation.objects.create(workspace=workspace, actor=actor, action="purge")
        done = _erase(_locked_in_id_order(selected.filter(none_of(PURGE_BLOCKERS))))
        _check_expected(done, expected)
        skipped = selected.count()  # whoever is left was not erased
        operation.count, operation.skipped = done, skipped
        operation.save(update_fields=["count", "skipped"])
    return Outcome(operation, done, skipped)


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
            erased += _erase(Contact.objects.filter(workspace=workspace, deleted_at__lt=now - workspace.retention))
    return erased


def change_stage_blockers(stage: str, workspace: Workspace) -> tuple[Blocker, ...]:
    already = Blocker(
        code="same_stage",
        q=Q(stage=stage),
        applies=lambda c: c.stage == stage,
        explain=lambda c: f"Already {workspace.stage_label(stage)}",
        group=f"are already {workspace.stage_label(stage)}",
        group_one=f"is already {workspace.stage_label(stage)}",
    )
    rule = OPEN_STAGE_BLOCKERS if stage in OPEN_STAGES else (IS_DELETED,)
    return (*rule, already)


def change_stage(*, actor, workspace: Workspace, selected: QuerySet, stage: str) -> Outcome:
    membership_for(actor, workspace)
    if stage not in Stage.values:
        raise ContactError(f"Unknown stage {stage!r}.")
    return _run(
        action="change_stage",
        actor=actor,
        workspace=workspace,
        selected=selected,
        blockers=change_stage_blockers(stage, workspace),
        changes={"stage": stage},
        entry_kind=EntryKind.STAGE_CHANGED,
        summary=f"Stage set to {workspace.stage_label(stage)}",
        previous_field="stage",
    )


def remove_assignee(*, actor, workspace: Workspace, selected: QuerySet) -> Outcome:
    membership_for(actor, workspace)
    return _run(
        action="remove_assignee",
        actor=actor,
        workspace=workspace,
        selected=selected,
        blockers=REMOVE_ASSIGNEE_BLOCKERS,
        changes={"assignee": None},
        entry_kind=EntryKind.UNASSIGNED,
        summary="Assignee removed",
        previous_field="assignee",
    )


def assign(*, actor, workspace: Workspace, selected: QuerySet, assignee) -> Outcome:
    """Give people an assignee; archived people are refused (rule 3)."""
    membership_for(actor, workspace)
    membership_for(assignee, workspace)
    return _run(
        action="assign",
        actor=actor,
        workspace=workspace,
        selected=selected,
        blockers=OPEN_STAGE_BLOCKERS,
        changes={"assignee": assignee},
        entry_kind=EntryKind.ASSIGNED,
        summary=f"Assigned to {display_name(assignee)}",
        previous_field="assignee",
    )


# What undoes what: the action to run on the operation's people.
UNDO_ACTIONS = {
    "archive": "restore",
    "restore": "archive",
    "delete": "undelete",
    "undelete": "delete",
    "change_stage": "change_stage",
    "remove_assignee": "assign",
    "assign": "assign",  # back to the previous assignee, or to none
}


def can_undo(operation: Operation, membership: Membership) -> bool:
    """Offer Undo only where it can work: something changed, and the user may run the reverse."""
    reverse = UNDO_ACTIONS.get(operation.action)
    if not operation.count or reverse is None or operation.actor_id != membership.user_id:
        return False
    return reverse != "delete" or membership.can_delete


def undo(*, actor, operation: Operation) -> Outcome:
    """Put back exactly the people the operation changed, where the rules still allow it."""
    if operation.action not in UNDO_ACTIONS:
        raise ContactError("This action cannot be undone.")
    if operation.actor_id != actor.pk:
        raise NotAllowed("Only the person who did this can undo it.")
    membership_for(actor, operation.workspace)
    with transaction.atomic():
        operation = Operation.objects.select_for_update().get(pk=operation.pk)
        if operation.undone_at:
            raise ContactError("This was already undone.")
        outcome = _undo(actor, operation)
        operation.undone_at = timezone.now()
        operation.save(update_fields=["undone_at"])
    return outcome


def _undo(actor, operation: Operation) -> Outcome:
    workspace = operation.workspace
    people = Contact.objects.filter(workspace=workspace, timeline__operation=operation).distinct()
    # Rows may be matched once per entry; a subquery of ids keeps the UPDATE on one table.
    selected = Contact.objects.filter(pk__in=people.values("pk"))
    simple = {
        "archive": restore_from_archive,
        "restore": archive,
        "delete": restore_from_deleted,
        "undelete": delete,
    }
    if operation.action in simple:
        return simple[operation.action](actor=actor, workspace=workspace, selected=selected)
    return _put_back_previous(actor, operation, workspace)


def _put_back_previous(actor, operation: Operation, workspace: Workspace) -> Outcome:
    """Undo of a stage or assignee change: one operation per distinct previous value.

    Each value gets its own operation because an operation marks exactly the rows it
    changes (see _change); the number of passes is bounded by stages or members, not people.
    """
    entries = TimelineEntry.objects.filter(operation=operation)
    field = "stage" if operation.action == "change_stage" else "assignee"
    undo_op, done = None, 0
    for previous in entries.values_list("previous", flat=True).distinct().order_by():
        group = Contact.objects.filter(
            workspace=workspace, pk__in=entries.filter(previous=previous).values("contact_id")
        )
        if field == "stage":
            value, blockers, kind = previous, change_stage_blockers(previous, workspace), EntryKind.STAGE_CHANGED
            summary = f"Stage set back to {workspace.stage_label(previous)}"
        elif not previous:  # they had no assignee before
            value, blockers, kind, summary = None, (), EntryKind.UNASSIGNED, "Assignee removed again"
        else:
            membership = Membership.objects.filter(workspace=workspace, user_id=int(previous)).first()
            if membership is None:
                continue  # they left the workspace: those people stay unassigned (counted as skipped)
            value = membership.user
            blockers, kind = OPEN_STAGE_BLOCKERS, EntryKind.ASSIGNED
            summary = f"Assigned back to {display_name(value)}"
        undo_op = Operation.objects.create(workspace=workspace, actor=actor, action=f"undo_{operation.action}")
        undo_op.count = _change(
            operation=undo_op,
            selected=group,
            blockers=blockers,
            changes={field: value},
            entry_kind=kind,
            summary=summary,
            previous_field=field,
        )
        undo_op.save(update_fields=["count"])
        done += undo_op.count
    if undo_op is None:
        undo_op = Operation.objects.create(workspace=workspace, actor=actor, action=f"undo_{operation.action}")
    return Outcome(undo_op, done, entries.count() - done)


def suppress_addresses_of(people: QuerySet, *, actor) -> int:
    """Record "Don't re-create from sync" for these people's email and phone; keeps nothing else."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    added = 0
    for kind, column in (("email", "email"), ("phone", "phone_e164")):
        added += _insert_addresses(
            Suppression,
            people,
            columns="workspace_id, kind, value, created_at, created_by_id",
            select=f"DISTINCT workspace_id, %s, {column}, %s, %s",
            params=[kind, now, actor.pk if actor else None],
            column=column,
        )
    return added


def remember_purged_addresses(people: QuerySet) -> int:
    """Before people are erased, keep a one-way trace of their email and phone (DeletedAddress).

    Sync uses it to re-create a purged person who keeps writing or calling (rule 7) without
    the app keeping their address or anything else about them. The digest is computed in the
    database with the formula of DeletedAddress.digest_of: one statement per kind, whatever N.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    added = 0
    for kind, column in (("email", "email"), ("phone", "phone_e164")):
        material = f"%s || ':' || CAST(workspace_id AS VARCHAR(20)) || ':{kind}:' || {column}"
        digest = (
            f"encode(sha256(convert_to({material}, 'UTF8')), 'hex')"
            if connection.vendor == "postgresql"
            else f"SHA256_HEX({material})"
        )
        added += _insert_addresses(
            DeletedAddress,
            people,
            columns="workspace_id, kind, digest, purged_at",
            select=f"DISTINCT workspace_id, %s, {digest}, %s",
            params=[kind, DeletedAddress.key(), now],
            column=column,
        )
    return added


def _insert_addresses(model, people: QuerySet, *, columns: str, select: str, params: list, column: str) -> int:
    """INSERT INTO model (columns) SELECT ... FROM the people with a non-empty address; duplicates skipped."""
    ids_sql, ids_params = people.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_quote(model._meta.db_table)} ({columns}) "
            f"SELECT {select} FROM {_quote(Contact._meta.db_table)} "
            f"WHERE {column} <> '' AND id IN ({ids_sql}) ON CONFLICT DO NOTHING",
            [*params, *ids_params],
        )
        return cursor.rowcount
