"""Undo: put back exactly the people an operation changed, where the rules still allow it.

What undoes what is declared by each bulk action (`BulkAction.undo` in contacts.bulk_actions):
either the name of the action that reverses it (Archive is undone by Restore), or `PutBack`,
for a field change whose timeline entries kept every person's old value. The details pane's
Assign is no bulk action (it has no menu item and no dialog), so its reversal is declared here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from contacts.exceptions import ContactError, NotAllowed
from contacts.models import Contact, EntryKind, Membership, Operation, TimelineEntry, Workspace, display_name
from contacts.rules import OPEN_STAGE_BLOCKERS, change_stage_blockers
from contacts.services import Outcome, _change, membership_for


@dataclass(frozen=True)
class PutBack:
    """Undo a field change by setting each person's `field` back to the value their entry kept."""

    field: str  # "stage" or "assignee"


DETAILS_PANE_REVERSALS = {"assign": PutBack("assignee")}


def reversal_of(action: str) -> str | PutBack | None:
    """How an operation of this action is undone: the reversing action's name, PutBack, or None."""
    # Imported here because of a real cycle: every bulk action module imports the services.
    from contacts.bulk_actions import ACTIONS

    if action in ACTIONS:
        return ACTIONS[action].undo
    return DETAILS_PANE_REVERSALS.get(action)


def can_undo(operation: Operation, membership: Membership) -> bool:
    """Offer Undo only where it can work: something changed, and the user may run the reverse."""
    reverse = reversal_of(operation.action)
    if not operation.count or reverse is None or operation.actor_id != membership.user_id:
        return False
    return _reversing_action(reverse).allowed_for(membership) if isinstance(reverse, str) else True


def _reversing_action(name: str):
    from contacts.bulk_actions import ACTIONS  # the same cycle as in reversal_of

    return ACTIONS[name]


def undo(*, actor, operation: Operation) -> Outcome:
    """Put back exactly the people the operation changed, where the rules still allow it."""
    reverse = reversal_of(operation.action)
    if reverse is None:
        raise ContactError("This action cannot be undone.")
    if operation.actor_id != actor.pk:
        raise NotAllowed("Only the person who did this can undo it.")
    membership_for(actor, operation.workspace)
    with transaction.atomic():
        operation = Operation.objects.select_for_update().get(pk=operation.pk)
        if operation.undone_at:
            raise ContactError("This was already undone.")
        if isinstance(reverse, PutBack):
            outcome = _put_back_previous(actor, operation, operation.workspace, reverse.field)
        else:
            outcome = _run_reverse(actor, operation, _reversing_action(reverse))
        operation.undone_at = timezone.now()
        operation.save(update_fields=["undone_at"])
    return outcome


def _run_reverse(actor, operation: Operation, reverse) -> Outcome:
    workspace = operation.workspace
    people = Contact.objects.filter(workspace=workspace, timeline__operation=operation).distinct()
    # Rows may be matched once per entry; a subquery of ids keeps the UPDATE on one table.
    selected = Contact.objects.filter(pk__in=people.values("pk"))
    return reverse.execute(actor=actor, workspace=workspace, selected=selected, options={}, expected=None)


def _put_back_previous(actor, operation: Operation, workspace: Workspace, field: str) -> Outcome:
    """Undo of a stage or assignee change: one operation per distinct previous value.

    Each value gets its own operation because an operation marks exactly the rows it
    changes (see _change); the number of passes is bounded by stages or members, not people.
    """
    entries = TimelineEntry.objects.filter(operation=operation)
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
