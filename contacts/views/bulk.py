"""Bulk actions over a selection: the confirmation dialog, the confirm, and Undo.

The view parses the request (which action, which people) and hands it to the action's Dialog
(contacts.bulk_actions.dialog), which counts, checks and acts; the view renders what it returns.
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from contacts.bulk_actions import ACTIONS, Dialog
from contacts.bulk_actions.undo import can_undo
from contacts.bulk_actions.undo import undo as undo_operation
from contacts.exceptions import ContactError, NotFound, UnknownAction
from contacts.htmx import database_refusal, fragment_or_redirect, render_page_or_fragment
from contacts.membership import require_membership
from contacts.models import Operation
from contacts.selection import Selection
from jobs.views import runs_as_job, start_job


@login_required
@require_GET
def bulk_start(request):
    """Without JavaScript, the table's form lands here with the chosen action."""
    action = request.GET.get("action", "")
    if action not in ACTIONS:
        raise NotFound(_("Unknown action."))
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
        if runs_as_job(dialog):  # too many people for one request: a background job with a progress view
            return start_job(request, dialog)
        outcome = dialog.confirm(request.POST)
    except ContactError as error:  # a stale confirmation too (409)
        return _show(request, dialog, error=error.message, status=error.status)
    except DatabaseError as error:
        return _show(request, dialog, *database_refusal(error))
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
        raise UnknownAction(_("Unknown action."))
    membership = require_membership(request)
    selection = Selection.from_params(params)
    return Dialog.open(bulk_action, selection, membership, request.user, params, confirming=confirming)


def _show(request, dialog: Dialog, error: str = "", status: int = 200):
    dialog.error = error
    fragments = {None: "contacts/dialog.html"}
    return render_page_or_fragment(
        request, "contacts/bulk_page.html", {"dialog": dialog}, fragments=fragments, status=status
    )


def _outcome(request, text: str, operation: Operation | None, audience_slug: str, membership=None):
    undoable = operation is not None and can_undo(operation, membership)

    def fragment():
        response = render(
            request, "contacts/outcome.html", {"text": text, "operation": operation if undoable else None}
        )
        return trigger_client_event(response, "contactsChanged", {"message": text})

    people = f"{reverse('people')}?{urlencode({'audience': audience_slug})}"
    return fragment_or_redirect(request, fragment, message=text, to=people)


def _error(request, message: str, status: int):
    fragments = {None: "contacts/dialog_error.html"}
    return render_page_or_fragment(
        request, "contacts/error_page.html", {"error": message}, fragments=fragments, status=status
    )


@login_required
@require_POST
def undo(request, operation_id: int):
    membership = require_membership(request)
    operation = get_object_or_404(Operation, pk=operation_id, workspace=membership.workspace)
    try:
        outcome = undo_operation(actor=request.user, operation=operation)
    except ContactError as error:
        fragment = partial(render, request, "contacts/outcome.html", {"text": error.message})
        return fragment_or_redirect(request, fragment, message=error.message, to="people", error=True)
    text = ngettext("Undone: %(count)s person put back", "Undone: %(count)s people put back", outcome.done) % {
        "count": outcome.done
    }
    if outcome.skipped:
        left = ngettext(
            "%(count)s changed since and left as they are",
            "%(count)s changed since and left as they are",
            outcome.skipped,
        )
        text += " · " + left % {"count": outcome.skipped}
    return _outcome(request, text, None, "my-people")
