"""Pages and fragments. Views stay short: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import replace_url, trigger_client_event

from contacts import services
from contacts.bulk_actions import ACTIONS, Dialog
from contacts.exceptions import ContactError, NotFound, UnknownAction
from contacts.htmx import wants_fragment
from contacts.listing import build_listing, current_membership
from contacts.models import Contact, Operation
from contacts.selection import Selection
from contacts.timeline import details_context

PEOPLE_TEMPLATE = "contacts/people.html"
SOMEONE_ELSE = "Someone changed these people at the same moment, so nothing was changed."
BUSY = "The database was busy or unavailable, so nothing was changed."


@login_required
def home(request):
    return redirect("people")


@login_required
@require_GET
def people(request):
    context = build_listing(request)
    return render(request, _people_template(request), context)


@login_required
@require_GET
def person(request, pk: int):
    context = build_listing(request, view="list")
    person = (
        Contact.objects.in_workspace(context["workspace"])
        .not_deleted()
        .select_related("workspace", "assignee", "archived_by")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        if wants_fragment(request, "people-region"):
            # The list redrew itself after the open person was deleted: the list, at its own address.
            response = render(request, f"{PEOPLE_TEMPLATE}#people-region", context)
            return replace_url(response, f"{reverse('people')}?{request.GET.urlencode()}")
        raise Http404("No Contact matches the given query.")  # the plain 404 page, as for any missing person
    context |= details_context(request, context["membership"], person)
    if wants_fragment(request, "details"):
        return render(request, f"{PEOPLE_TEMPLATE}#details", context)
    return render(request, _people_template(request), context)


def _people_template(request) -> str:
    return f"{PEOPLE_TEMPLATE}#people-region" if wants_fragment(request, "people-region") else PEOPLE_TEMPLATE


@login_required
@require_GET
def bulk_start(request):
    """Without JavaScript, the table's form lands here with the chosen action."""
    action = request.GET.get("action", "")
    if action not in ACTIONS:
        raise NotFound("Unknown action.")
    params = request.GET.copy()
    params.pop("action")
    return redirect(f"{reverse('bulk', args=[action])}?{params.urlencode()}")


@login_required
@require_http_methods(["GET", "POST"])
def bulk(request, action: str):
    """GET shows the confirmation dialog; POST acts. Bad input changes nothing and says why."""
    confirming = request.method == "POST"
    try:
        dialog = _dialog(request, action, request.POST if confirming else request.GET, confirming)
    except ContactError as error:
        return _error(request, error.message, status=error.status)
    if not confirming:
        return _show(request, dialog)
    if not dialog.form_is_valid:
        return _show(request, dialog, status=400)
    try:
        outcome = dialog.confirm(request.POST)
    except ContactError as error:  # a stale confirmation too (409)
        return _show(request, dialog, error=error.message, status=error.status)
    except IntegrityError:
        return _show(request, dialog, error=f"{SOMEONE_ELSE} Please try again.", status=409)
    except DatabaseError:
        return _show(request, dialog, error=f"{BUSY} Please try again.", status=503)
    return _outcome(
        request, dialog.outcome_text(outcome), outcome.operation, dialog.selection.audience.slug, dialog.membership
    )


@login_required
@require_POST
def bulk_dialog(request, action: str):
    """The confirmation dialog, asked for with the selection in the body: thousands of ticked ids
    do not fit in an address (gunicorn refuses a request line over 4,094 bytes). Never acts."""
    try:
        dialog = _dialog(request, action, request.POST, confirming=False)
    except ContactError as error:
        return _error(request, error.message, status=error.status)
    return _show(request, dialog)


def _dialog(request, action: str, params, confirming: bool) -> Dialog:
    """Parse the request (which action, which people) and hand it to the action's dialog."""
    bulk_action = ACTIONS.get(action)
    if bulk_action is None:
        raise UnknownAction("Unknown action.")
    selection = Selection.from_params(params)
    return Dialog.open(bulk_action, selection, current_membership(request), request.user, params, confirming=confirming)


def _show(request, dialog: Dialog, error: str = "", status: int = 200):
    dialog.error = error
    template = "contacts/dialog.html" if request.htmx else "contacts/bulk_page.html"
    return render(request, template, {"dialog": dialog}, status=status)


def _outcome(request, text: str, operation: Operation | None, audience_slug: str, membership=None):
    can_undo = operation is not None and services.can_undo(operation, membership)
    if not request.htmx:
        messages.success(request, text)
        return redirect(f"{reverse('people')}?{urlencode({'audience': audience_slug})}")
    response = render(request, "contacts/outcome.html", {"text": text, "operation": operation if can_undo else None})
    return trigger_client_event(response, "contactsChanged", {"message": text})


def _error(request, message: str, status: int):
    template = "contacts/dialog_error.html" if request.htmx else "contacts/error_page.html"
    return render(request, template, {"error": message}, status=status)


@login_required
@require_POST
def undo(request, operation_id: int):
    membership = current_membership(request)
    operation = get_object_or_404(Operation, pk=operation_id, workspace=membership.workspace)
    try:
        outcome = services.undo(actor=request.user, operation=operation)
    except ContactError as error:
        if request.htmx:
            return render(request, "contacts/outcome.html", {"text": error.message}, status=200)
        messages.error(request, error.message)
        return redirect("people")
    text = f"Undone: {services.people(outcome.done)} put back"
    if outcome.skipped:
        text += f" · {outcome.skipped} changed since and left as they are"
    return _outcome(request, text, None, "my-people")
