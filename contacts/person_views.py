"""Editing one person in the details pane: the same services as bulk changes, with a selection of one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, IntegrityError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from contacts import services
from contacts.exceptions import ContactError
from contacts.listing import current_membership
from contacts.models import OPEN_STAGE_BLOCKERS, Contact, Membership, Stage, reasons
from contacts.selection import as_number
from contacts.timeline import details_context
from contacts.views import BUSY, SOMEONE_ELSE

DETAILS = "contacts/people.html#details"


@login_required
@require_POST
def change_person(request, pk: int, field: str):
    membership = current_membership(request)
    workspace = membership.workspace
    person = get_object_or_404(Contact.objects.in_workspace(workspace).not_deleted(), pk=pk)
    one = Contact.objects.filter(pk=person.pk)
    try:
        outcome = _apply(field, request, workspace, one)
    except ContactError as error:
        return _details(request, person, error=error.message, status=error.status)
    except IntegrityError:
        return _details(request, person, error=f"{SOMEONE_ELSE} Please try again.", status=409)
    except DatabaseError:
        return _details(request, person, error=f"{BUSY} Please try again.", status=503)
    person.refresh_from_db()
    if outcome is not None and not outcome.done:
        blocked = reasons(person, OPEN_STAGE_BLOCKERS)
        message = blocked[0].message if blocked else "Nothing to change."
        return _details(request, person, error=message, status=409 if blocked else 200)
    response = _details(request, person)
    return trigger_client_event(response, "contactsChanged", {"person": person.pk})


def _apply(field: str, request, workspace, one):
    value = request.POST.get(field, "")
    actor = request.user
    if field == "stage":
        stage = "" if value == "none" else value
        if stage not in Stage.values:
            raise ContactError("Pick a stage from the list.")
        return services.change_stage(actor=actor, workspace=workspace, selected=one, stage=stage)
    if not value:
        return services.remove_assignee(actor=actor, workspace=workspace, selected=one)
    user_id = as_number(value)
    if user_id is None:
        raise ContactError("Pick a member from the list.")
    member = Membership.objects.filter(workspace=workspace, user_id=user_id).select_related("user").first()
    if member is None:
        raise ContactError("The assignee must be a member of this workspace.")
    return services.assign(actor=actor, workspace=workspace, selected=one, assignee=member.user)


def _details(request, person, error: str = "", status: int = 200):
    context = details_context(request, current_membership(request), person) | {"edit_error": error}
    return render(request, DETAILS, context, status=status)
