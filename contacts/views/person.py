"""Editing one person in the details pane: the same services as bulk changes, with a selection of one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap

from contacts import services
from contacts.exceptions import ContactError
from contacts.htmx import database_refusal, fragment_or_redirect
from contacts.membership import require_membership
from contacts.models import Contact, Membership, Stage, display_name
from contacts.rules import OPEN_STAGE_BLOCKERS, reasons, stage_from_param
from contacts.text import as_number
from contacts.timeline import details_context, pane_audience, person_address
from contacts.views.bulk import _outcome

DETAILS = "contacts/people.html#details"


@login_required
@require_POST
def change_person(request, pk: int, field: str):
    membership = require_membership(request)
    workspace = membership.workspace
    person = get_object_or_404(Contact.objects.in_workspace(workspace).not_deleted(), pk=pk)
    one = Contact.objects.filter(pk=person.pk)
    try:
        outcome = _apply(field, request, workspace, one)
    except ContactError as error:
        return _details(request, person, error=error.message, status=error.status)
    except DatabaseError as error:
        return _details(request, person, *database_refusal(error))
    person.refresh_from_db()
    if not outcome.done:
        blocked = reasons(person, OPEN_STAGE_BLOCKERS)
        message = blocked[0].message if blocked else _("Nothing to change.")
        return _details(request, person, error=message, status=409 if blocked else 200)
    text = _said(field, person)

    def fragment():
        # As after a bulk action: the status with Undo, and contactsChanged redraws the list and this
        # pane (still open: the list refreshes at the address, which names the person).
        response = _outcome(request, text, outcome.operation, pane_audience(request).slug, membership)
        return reswap(response, "none")

    return fragment_or_redirect(request, fragment, message=text, to=person_address(request, person))


def _said(field: str, person: Contact) -> str:
    if field == "stage":
        if not person.stage:
            return _("Stage removed from %(name)s") % {"name": person.name}
        return _("%(name)s moved to %(stage)s") % {"name": person.name, "stage": person.stage_label}
    if person.assignee_id is None:
        return _("Assignee removed from %(name)s") % {"name": person.name}
    return _("%(name)s assigned to %(assignee)s") % {"name": person.name, "assignee": display_name(person.assignee)}


def _apply(field: str, request, workspace, one):
    value = request.POST.get(field, "")
    actor = request.user
    if field == "stage":
        stage = stage_from_param(value)
        if stage not in Stage.values:
            raise ContactError(_("Pick a stage from the list."))
        return services.change_stage(actor=actor, workspace=workspace, selected=one, stage=stage)
    if not value:
        return services.remove_assignee(actor=actor, workspace=workspace, selected=one)
    user_id = as_number(value)
    if user_id is None:
        raise ContactError(_("Pick a member from the list."))
    member = Membership.objects.filter(workspace=workspace, user_id=user_id).select_related("user").first()
    if member is None:
        raise ContactError(_("The assignee must be a member of this workspace."))
    return services.assign(actor=actor, workspace=workspace, selected=one, assignee=member.user)


def _details(request, person, error: str, status: int = 200):
    """The pane again, saying why nothing changed (without JavaScript: the person's page says it)."""

    def fragment():
        context = details_context(request, require_membership(request), person) | {"edit_error": error}
        return render(request, DETAILS, context, status=status)

    return fragment_or_redirect(request, fragment, message=error, to=person_address(request, person), error=True)
