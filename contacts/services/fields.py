"""Changing one field of many people: stage and assignee (rule 3 holds: archived people get neither).

Each change keeps the value it replaced on the person's timeline entry (`previous_field`),
so Undo can put every person's own value back (contacts.services.undo.PutBack).
"""

from __future__ import annotations

from django.db.models import QuerySet

from contacts.exceptions import ContactError, NotAllowed
from contacts.models import EntryKind, Membership, Stage, Workspace, display_name
from contacts.rules import OPEN_STAGE_BLOCKERS, REMOVE_ASSIGNEE_BLOCKERS, change_stage_blockers
from contacts.services import Outcome, _run, membership_for


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
