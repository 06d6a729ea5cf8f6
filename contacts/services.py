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

A destructive action (Delete, Delete forever) compares the fingerprint of the
people it has locked with the one the dialog showed (one more statement, see
Fingerprint): it acts on exactly the people the user confirmed, or on nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, Q, QuerySet, Sum
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
    EntryKind,
    Membership,
    Operation,
    Stage,
    TimelineEntry,
    Workspace,
    display_name,
    none_of,
)
from sync.addresses import remember_purged_addresses, suppress_addresses_of


@dataclass(frozen=True)
class Outcome:
    operation: Operation
    done: int
    skipped: int
    # Why the skipped were skipped: (the rule's short reason, how many), as found after the change.
    reasons: tuple[tuple[str, int], ...] = ()


# --- Which people the dialog listed: a fingerprint of the eligible set -----------------------------
#
# The dialog shows how many people an action will act on; a destructive action must then act on
# exactly those people, or on nobody. Comparing the count alone is not enough: one person leaving
# the set and another joining it keep the count. So the dialog also sends a fingerprint of the set,
# and the service compares it, inside its transaction, with the fingerprint of the people it has
# locked (_check_expected).
#
# The fingerprint is (count, sum of ids, sum of h(id)): three aggregates added to the query the
# dialog already runs, so the dialog costs no extra statement, and one aggregate over the locked
# rows in the confirm, whatever the number of people. Count and id sum are exact: any single
# addition, removal or one-for-one swap changes them. A change that keeps both needs at least two
# people in and two out (say ids 1 and 4 replaced by 2 and 3); it must also keep the sum of h, where
# h is a fixed cubic polynomial of the id modulo the prime p = 2**31 - 1, which for such a change
# happens about once in 2**31. That is sound for its purpose: it detects what other users changed
# meanwhile; it is not a defence against the user who sends it, who may act on these people anyway.
#
# Only integer +, * and % appear, and every intermediate value stays below 2**63 (each factor is
# below 2**31), so SQLite (whose integers would turn into floating point on overflow) and
# PostgreSQL compute the same numbers; tests/contacts/test_services.py pins a known value.

_PRIME = 2**31 - 1
_HASH_COEFFICIENTS = (1_952_213_323, 1_394_463_456, 1_077_327_815, 563_781_844)


def _id_hash_sql(column: str) -> str:
    """h(id) = a·x³ + b·x² + c·x + d (mod p), x = id mod p, by Horner's rule: every product < 2**62.

    SQL for a statement run with parameters (hence %% for the modulo).
    """
    x = f"({column} %% {_PRIME})"
    first, *rest = _HASH_COEFFICIENTS
    h = str(first)
    for coefficient in rest:
        h = f"(({h} * {x} + {coefficient}) %% {_PRIME})"
    return h


@dataclass(frozen=True)
class Fingerprint:
    """What the dialog showed: how many people, and which (see above)."""

    count: int
    id_sum: int
    hash_sum: int

    def __str__(self) -> str:
        return f"{self.count}-{self.id_sum}-{self.hash_sum}"

    @classmethod
    def parse(cls, text: str) -> Fingerprint | None:
        parts = text.strip().split("-")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 30 for p in parts):
            return None
        return cls(*map(int, parts))

    @classmethod
    def aggregates(cls, condition: Q | None = None) -> dict:
        """The aggregates to add to a query over people; `condition` picks the eligible among them."""
        return {
            "fingerprint_count": Count("pk", filter=condition),
            "fingerprint_id_sum": Sum("pk", filter=condition, output_field=BigIntegerField()),
            "fingerprint_hash_sum": Sum(
                RawSQL(_id_hash_sql(f"{_quote(Contact._meta.db_table)}.{_quote('id')}"), ()),
                filter=condition,
                output_field=BigIntegerField(),
            ),
        }

    @classmethod
    def from_aggregates(cls, row: dict) -> Fingerprint:
        # PostgreSQL sums bigints as numeric (a Decimal here); an empty set sums to NULL.
        return cls(
            int(row["fingerprint_count"]),
            int(row["fingerprint_id_sum"] or 0),
            int(row["fingerprint_hash_sum"] or 0),
        )


def fingerprint(people: QuerySet) -> Fingerprint:
    return Fingerprint.from_aggregates(people.aggregate(**Fingerprint.aggregates()))


def _lock_and_fingerprint(people: QuerySet) -> Fingerprint:
    """Lock these people in id order (PostgreSQL; see _locked_in_id_order) and fingerprint them.

    The aggregate reads the locking query's own rows: joined back to the table (pk IN (...)), a
    plan misled by stale statistics ran the locking query once per row (minutes for 10,000).
    """
    sql, params = people.order_by("pk").select_for_update().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), SUM(locked.pk), SUM({_id_hash_sql('locked.pk')}) FROM ({sql}) AS locked", params
        )
        count, id_sum, hash_sum = cursor.fetchone()
    return Fingerprint(int(count), int(id_sum or 0), int(hash_sum or 0))


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
    expected: Fingerprint | None = None,
) -> int:
    """Change the people the rule allows and record it (see the module docstring). Returns how many."""
    eligible = _locked_in_id_order(selected.filter(none_of(blockers)))
    acted_on = Contact.objects.filter(operation=operation)  # locked by the UPDATE until commit
    if previous_field is None:
        changed = eligible.update(**changes, updated_at=operation.at, operation=operation)
        _check_expected(expected, acted_on)
        if changed:
            _record_entries(operation, entry_kind, summary, None)
        return changed
    marked = eligible.update(operation=operation)
    _check_expected(expected, acted_on)
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
    expected: Fingerprint | None = None,
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
            expected=expected,
        )
        # Counted after the change, so people who joined a select-all meanwhile cannot make it negative.
        skipped, reasons = _skipped(selected.exclude(operation=operation), blockers)
        operation.count, operation.skipped = done, skipped
        operation.save(update_fields=["count", "skipped"])
    return Outcome(operation, done, skipped, reasons)


def _skipped(left: QuerySet, blockers: tuple[Blocker, ...]) -> tuple[int, tuple[tuple[str, int], ...]]:
    """How many were left as they are, and why, in one query (the reasons may overlap, as in the dialog)."""
    if not blockers:
        return left.count(), ()
    counts = left.aggregate(
        total=Count("pk"),
        explained=Count("pk", filter=~none_of(blockers)),
        **{f"b{i}": Count("pk", filter=b.q) for i, b in enumerate(blockers)},
    )
    reasons = [(b.short, counts[f"b{i}"]) for i, b in enumerate(blockers) if counts[f"b{i}"]]
    # They are not locked: someone may have changed them between our UPDATE and this count.
    if counts["total"] > counts["explained"]:
        reasons.append(("changed meanwhile", counts["total"] - counts["explained"]))
    return counts["total"], tuple(reasons)


def _check_expected(expected: Fingerprint | None, people: QuerySet, *, lock: bool = False) -> None:
    """Destructive actions act on exactly the set the dialog listed, or on nobody (this rolls back).

    `people` are whom the action acts on, locked until commit (row locks on PostgreSQL, the write
    lock on SQLite): the rows this operation has just changed, or, with `lock`, the eligible people,
    locked here in id order (Delete forever, whose rows are about to go; it then checks the count
    it erased).
    """
    if expected is None:
        return
    found = _lock_and_fingerprint(people) if lock else fingerprint(people)
    if found != expected:
        raise StaleConfirmation(_stale(expected.count, found.count))


def _stale(confirmed: int, now: int) -> str:
    said = f"{people(confirmed)} {'was' if confirmed == 1 else 'were'} confirmed"
    qualify = "qualifies" if now == 1 else "qualify"
    if now != confirmed:
        found = f"but {now} {qualify} now"
    else:
        found = f"and {now} {qualify} now, but not the same {'person' if now == 1 else 'people'}"
    return (
        f"Nothing was changed: {said}, {found}. Someone changed them since the dialog opened; review the new numbers."
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
    selected = selected.filter(workspace=workspace)
    with transaction.atomic():
        operation = Operation.objects.create(workspace=workspace, actor=actor, action="purge")
        eligible = selected.filter(none_of(PURGE_BLOCKERS))
        _check_expected(expected, eligible, lock=True)
        done = _erase(_locked_in_id_order(eligible))
        # The locked people stayed eligible: erasing more means someone joined after the lock.
        if expected is not None and done != expected.count:
            raise StaleConfirmation(_stale(expected.count, done))
        skipped, reasons = _skipped(selected, PURGE_BLOCKERS)  # whoever is left was not erased
        operation.count, operation.skipped = done, skipped
        operation.save(update_fields=["count", "skipped"])
    return Outcome(operation, done, skipped, reasons)


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
        short=f"already {workspace.stage_label(stage)}",
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
    if not Membership.objects.filter(user=assignee, workspace=workspace).exists():
        raise NotAllowed("The assignee must be a member of this workspace.")
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
