"""Undo: put back exactly the people an operation changed, where the rules still allow it.

What undoes what is declared by each bulk action (`BulkAction.undo`): either the name of the
action that reverses it (Archive is undone by Restore), whose service then runs on exactly the
people the operation changed, or `PutBack`, for a field change whose timeline entries kept every
person's old value (contacts.services.fields.put_back_previous). The details pane's Assign is no
bulk action (it has no menu item and no dialog), so its reversal is declared here.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.bulk_actions.base import BulkAction, PutBack
from contacts.bulk_actions.registry import ACTIONS
from contacts.exceptions import ContactError, NotAllowed
from contacts.models import Contact, Membership, Operation
from contacts.services import Outcome, membership_for
from contacts.services.fields import put_back_previous

DETAILS_PANE_REVERSALS = {"assign": PutBack("assignee")}


def reversal_of(action: str) -> tuple[str | PutBack, ...]:
    """How an operation of this action is undone, step by step (empty when it cannot be):
    reversing actions' names and PutBacks, as the actions declare (`undo`, `variants`)."""
    if action in ACTIONS:
        found = ACTIONS[action].undo
    else:
        variants = (a.variants[action] for a in ACTIONS.values() if action in a.variants)
        found = next(variants, DETAILS_PANE_REVERSALS.get(action))
    if found is None:
        return ()
    return found if isinstance(found, tuple) else (found,)


def can_undo(operation: Operation, membership: Membership) -> bool:
    """Offer Undo only where it can work: something changed, and the user may run the reverse."""
    steps = reversal_of(operation.action)
    if not operation.count or not steps or operation.actor_id != membership.user_id:
        return False
    return all(ACTIONS[step].allowed_for(membership) for step in steps if isinstance(step, str))


def undo(*, actor, operation: Operation) -> Outcome:
    """Put back exactly the people the operation changed, where the rules still allow it."""
    steps = reversal_of(operation.action)
    if not steps:
        raise ContactError(_("This action cannot be undone."))
    if operation.actor_id != actor.pk:
        raise NotAllowed(_("Only the person who did this can undo it."))
    membership_for(actor, operation.workspace)
    with transaction.atomic():
        operation = Operation.objects.select_for_update().get(pk=operation.pk)
        if operation.undone_at:
            raise ContactError(_("This was already undone."))
        # The first step says how many were put back (with several, it is the one that moves them).
        outcomes = [
            put_back_previous(actor, operation, step.field, step.kind)
            if isinstance(step, PutBack)
            else _run_reverse(actor, operation, ACTIONS[step])
            for step in steps
        ]
        outcome = outcomes[0]
        operation.undone_at = timezone.now()
        operation.save(update_fields=["undone_at"])
    return outcome


def _run_reverse(actor, operation: Operation, reverse: BulkAction) -> Outcome:
    workspace = operation.workspace
    people = Contact.objects.filter(workspace=workspace, timeline__operation=operation).distinct()
    # Rows may be matched once per entry; a subquery of ids keeps the UPDATE on one table.
    selected = Contact.objects.filter(pk__in=people.values("pk"))
    return reverse.execute(actor=actor, workspace=workspace, selected=selected, options={}, expected=None)
