"""Changing one field of many people: stage and assignee (rule 3 holds: archived people get neither).

Each change keeps the value it replaced on the person's timeline entry (`previous_field`),
so Undo can put every person's own value back (`put_back_previous`, for an action whose
declared undo is contacts.bulk_actions.base.PutBack).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from contacts.exceptions import ContactError, NotAllowed
from contacts.models import Contact, EntryKind, Membership, Operation, Stage, TimelineEntry, Workspace, display_name
from contacts.rules import OPEN_STAGE_BLOCKERS, REMOVE_ASSIGNEE_BLOCKERS, change_stage_blockers
from contacts.services import Outcome, _change, _run, membership_for


def change_stage(*, actor, workspace: Workspace, selected: QuerySet, stage: str) -> Outcome:
    membership_for(actor, workspace)
    if stage not in Stage.values:
        raise ContactError(_("Unknown stage %(stage)s.") % {"stage": repr(stage)})
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
        raise NotAllowed(_("The assignee must be a member of this workspace."))
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


def put_back_previous(actor, operation: Operation, field: str, kind: str | None = None) -> Outcome:
    """Undo of a stage or assignee change: one operation per distinct previous value.

    `kind`: only the entries of that kind (an operation that changed several fields, as Fix and archive).

    Each value gets its own operation because an operation marks exactly the rows it
    changes (see _change); the number of passes is bounded by stages or members, not people.
    """
    workspace = operation.workspace
    entries = TimelineEntry.objects.filter(operation=operation)
    if kind is not None:
        entries = entries.filter(kind=kind)
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
