"""Every write to people goes through here: one transaction, the rule in the WHERE.

This module is the write machinery every service shares (`_run`, `_change`, the timeline
INSERT, locking, the Fingerprint of a confirmed set); the services themselves live beside
it, one module per kind: lifecycle (archive, restore, delete, undelete, purge) and fields
(stage, assignee, and putting each person's old value back for Undo). Undo itself is driven
by the actions' declarations, so it lives with them (contacts.bulk_actions.undo).
The machinery is the package's own module so that the services and the race tests that
slow it down (tests/hardening/test_races_services.py) reach the very same functions.

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
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.exceptions import NotAllowed, StaleConfirmation
from contacts.models import Contact, Membership, Operation, TimelineEntry, Workspace
from contacts.rules import ONLY_DELETERS_MAY_DELETE, Blocker, none_of


@dataclass(frozen=True)
class Outcome:
    operation: Operation
    done: int
    skipped: int
    # Why the skipped were skipped: (the rule's short reason, how many), as found after the change.
    # The reasons are words a person reads (contacts.bulk_actions.base.skipped_text).
    reasons: tuple[tuple[str, int], ...] = ()


# --- Which people the dialog listed: a fingerprint of the eligible set -----------------------------
#
# The dialog shows how many people an action will act on; a destructive action must then act on
# exactly those people, or on nobody. Comparing the count alone is not enough: one person leaving
# the set and another joining it keep the count. So the dialog also sends a fingerprint of the set,
# and the service compares it, inside its transaction, with the fingerprint of the people it has
# locked (check_expected).
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
        raise NotAllowed(_("You are not a member of this workspace."))
    return membership


def require_delete_permission(user, workspace: Workspace) -> None:
    if not membership_for(user, workspace).can_delete:
        raise NotAllowed(str(ONLY_DELETERS_MAY_DELETE))


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _record_entries(
    operation: Operation, kind: str, summary: str, previous_column: str | None, among: Q | None = None
) -> None:
    """One timeline entry for every person the operation marked (`among` them: only those), in one statement."""
    contact_table = _quote(Contact._meta.db_table)
    previous = f"COALESCE(CAST({_quote(previous_column)} AS VARCHAR(40)), '')" if previous_column else "''"
    at = connection.ops.adapt_datetimefield_value(operation.at)
    where, where_params = "", []
    if among is not None:
        sql, where_params = Contact.objects.filter(among, operation=operation).values("pk").query.sql_with_params()
        where = f" AND id IN ({sql})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_quote(TimelineEntry._meta.db_table)} "
            "(contact_id, kind, at, actor_id, operation_id, summary, direction, source_key, previous) "
            f"SELECT id, %s, %s, %s, %s, %s, '', '', {previous} FROM {contact_table} WHERE operation_id = %s{where}",
            [kind, at, operation.actor_id, operation.pk, summary, operation.pk, *where_params],
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
        check_expected(expected, acted_on)
        if changed:
            _record_entries(operation, entry_kind, summary, None)
        return changed
    marked = eligible.update(operation=operation)
    check_expected(expected, acted_on)
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
        reasons.append((_("changed meanwhile"), counts["total"] - counts["explained"]))
    return counts["total"], tuple(reasons)


def check_expected(expected: Fingerprint | None, people: QuerySet, *, lock: bool = False) -> None:
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
    # Two numbers, each with its own plural: one message per clause, then the sentence around them.
    said = ngettext("%(count)s person was confirmed", "%(count)s people were confirmed", confirmed) % {
        "count": confirmed
    }
    if now != confirmed:
        found = ngettext("but %(count)s qualifies now", "but %(count)s qualify now", now) % {"count": now}
    else:
        found = ngettext(
            "and %(count)s qualifies now, but not the same person",
            "and %(count)s qualify now, but not the same people",
            now,
        ) % {"count": now}
    return _(
        "Nothing was changed: %(confirmed)s, %(found)s. "
        "Someone changed them since the dialog opened; review the new numbers."
    ) % {"confirmed": said, "found": found}


def people(n: int) -> str:
    """How many people, in words: "1 person", "3 people"."""
    return ngettext("%(count)s person", "%(count)s people", n) % {"count": n}


def _run_erase(
    *, action: str, actor, workspace: Workspace, selected: QuerySet, blockers, erase, expected: Fingerprint | None
) -> Outcome:
    """Erase the people the rule allows (see lifecycle.purge), exactly those confirmed, or nobody."""
    selected = selected.filter(workspace=workspace)
    with transaction.atomic():
        operation = Operation.objects.create(workspace=workspace, actor=actor, action=action)
        eligible = selected.filter(none_of(blockers))
        check_expected(expected, eligible, lock=True)
        done = erase(_locked_in_id_order(eligible))
        # The locked people stayed eligible: erasing more means someone joined after the lock.
        if expected is not None and done != expected.count:
            raise StaleConfirmation(_stale(expected.count, done))
        skipped, reasons = _skipped(selected, blockers)  # whoever is left was not erased
        operation.count, operation.skipped = done, skipped
        operation.save(update_fields=["count", "skipped"])
    return Outcome(operation, done, skipped, reasons)


# The services, one module per kind (imported last: each of them uses the machinery above).
from contacts.services.fields import assign, change_stage, remove_assignee  # noqa: E402
from contacts.services.lifecycle import (  # noqa: E402
    archive,
    delete,
    fix_and_archive,
    purge,
    purge_expired,
    restore_from_archive,
    restore_from_deleted,
)
from contacts.services.person import PersonRefused, create_person, field_refusals, update_person  # noqa: E402

__all__ = [
    "Fingerprint",
    "Outcome",
    "PersonRefused",
    "archive",
    "assign",
    "change_stage",
    "create_person",
    "delete",
    "field_refusals",
    "fingerprint",
    "fix_and_archive",
    "membership_for",
    "people",
    "purge",
    "purge_expired",
    "remove_assignee",
    "require_delete_permission",
    "restore_from_archive",
    "restore_from_deleted",
    "update_person",
]
