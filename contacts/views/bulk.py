"""Bulk actions over a selection: the confirmation dialog, the confirm, and Undo.

Views stay short: parse, call a service or selector, render.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from contacts import services
from contacts.bulk_actions import ACTIONS, BulkAction, preview
from contacts.exceptions import BadSelection, ContactError, NotAllowed, NotFound, StaleConfirmation, UnknownAction
from contacts.htmx import database_refusal, fragment_or_redirect, render_page_or_fragment
from contacts.membership import require_membership
from contacts.models import WHO_MAY_DELETE, Operation, none_of
from contacts.selection import Selection, as_number


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
    return dialog.confirm() if confirming else dialog.show()


@login_required
@require_POST
def bulk_dialog(request, action: str):
    """The confirmation dialog, asked for with the selection in the body: thousands of ticked ids
    do not fit in an address (gunicorn refuses a request line over 4,094 bytes). Never acts."""
    try:
        dialog = _dialog(request, action, request.POST, confirming=False)
    except ContactError as error:
        return _error(request, error.message, status=error.status)
    return dialog.show()


def _dialog(request, action: str, params, confirming: bool) -> _Dialog:
    bulk_action = ACTIONS.get(action)
    if bulk_action is None:
        raise UnknownAction("Unknown action.")
    membership = require_membership(request)
    selection = Selection.from_params(params)
    if bulk_action.name not in selection.audience.actions:
        raise BadSelection(
            f"{bulk_action.label} is not available in {selection.audience.name_for(membership.workspace)}."
        )
    if not bulk_action.allowed_for(membership):
        raise NotAllowed(f"{WHO_MAY_DELETE} people.")
    selection.check_ids_exist(membership.workspace)
    return _Dialog(request, bulk_action, membership, selection, params, confirming)


class _Dialog:
    """The confirmation dialog of one bulk action over one selection."""

    def __init__(self, request, action: BulkAction, membership, selection: Selection, params, confirming: bool):
        self.request, self.action, self.selection = request, action, selection
        self.membership, self.workspace = membership, membership.workspace
        chosen = confirming or "new_stage" in params
        self.form = action.make_form(params if chosen else None, self.workspace)
        self.options = self._options()
        self.people = selection.people(self.workspace, request.user)

    def _options(self) -> dict:
        if self.form is None or not self.form.is_bound or not self.form.is_valid():
            return {}
        options = dict(self.form.cleaned_data)
        if "new_stage" in options:
            options["stage"] = options.pop("new_stage")
            options["stage_label"] = self.workspace.stage_label(options["stage"])
        return options

    def show(self, error: str = "", status: int = 200):
        summary = preview(self.action, self.people, self.workspace, self.options)
        context = {
            "action": self.action,
            "summary": summary,
            "form": self.form,
            "selection": self.selection,
            "selection_params": self.selection.as_params(),
            "ready": not self.action.needs_choice or bool(self.options),
            "description": self.action.describe(self.options),
            "typed_count_needed": self.action.typed_count and summary.eligible > 20,
            "question": self.action.question(summary.total),
            "eligible_people": services.people(summary.eligible),
            "will": self.action.will(self.options),
            "confirm_label": self.action.confirm_label(summary.eligible),
            "narrow_ids": self._blocked_ids(summary),
            "narrow_except": self._narrow_except(summary),
            "can_narrow": bool(self.selection.ids) or self.action.narrowable,
            "error": error,
            "retention_days": self.workspace.retention.days,
            "audience_name": self.selection.audience.name_for(self.workspace),
            "stage_label": self.options.get("stage_label", ""),
        }
        fragments = {None: "contacts/dialog.html"}
        return render_page_or_fragment(
            self.request, "contacts/bulk_page.html", context, fragments=fragments, status=status
        )

    def _blocked_ids(self, summary) -> str:
        if not self.selection.ids or not summary.blocked:
            return ""
        blockers = self.action.blockers(self.workspace, self.options)
        return ",".join(str(pk) for pk in self.people.exclude(none_of(blockers)).values_list("pk", flat=True))

    def _narrow_except(self, summary) -> str:
        """Who stays unticked after narrowing a select-all to those who cannot be …"""
        if not self.selection.is_all or not summary.blocked or not self.action.narrowable:
            return ""
        narrowed = self.selection.narrowed_to_blocked(self.action.name, self.workspace, self.request.user)
        return ",".join(map(str, narrowed.excluded))

    def confirm(self):
        if self.form is not None and not self.form.is_valid():
            return self.show(status=400)
        try:
            expected = self._expected()
            outcome = self.action.execute(
                actor=self.request.user,
                workspace=self.workspace,
                selected=self.people,
                options=self.options,
                expected=expected,
            )
        except StaleConfirmation as error:
            return self.show(error=error.message, status=409)
        except ContactError as error:
            return self.show(error=error.message, status=error.status)
        except DatabaseError as error:
            return self.show(*database_refusal(error))
        text = self.action.outcome_text(outcome, self.options)
        return _outcome(self.request, text, outcome.operation, self.selection.audience.slug, self.membership)

    def _expected(self) -> services.Fingerprint | None:
        """The people the user confirmed (their count and fingerprint, from the dialog's form):
        destructive actions act on exactly those, or on nobody."""
        if not self.action.exact_count:
            return None
        raw = self.request.POST.get("expected", "")
        expected = as_number(raw)
        if expected is None:
            raise BadSelection("The confirmation is missing its count; open the dialog again.")
        if (
            self.action.typed_count
            and expected > 20
            and self.request.POST.get("typed_count", "").strip() != str(expected)
        ):
            raise BadSelection(
                f"Type {expected} to confirm that you want to {self.action.label.lower()} {expected} people."
            )
        confirmed = services.Fingerprint.parse(self.request.POST.get("fingerprint", ""))
        if confirmed is None or confirmed.count != expected:
            raise BadSelection("The confirmation does not say which people it is for; open the dialog again.")
        return confirmed


def _outcome(request, text: str, operation: Operation | None, audience_slug: str, membership=None):
    can_undo = operation is not None and services.can_undo(operation, membership)

    def fragment():
        response = render(
            request, "contacts/outcome.html", {"text": text, "operation": operation if can_undo else None}
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
        outcome = services.undo(actor=request.user, operation=operation)
    except ContactError as error:
        fragment = partial(render, request, "contacts/outcome.html", {"text": error.message})
        return fragment_or_redirect(request, fragment, message=error.message, to="people", error=True)
    text = f"Undone: {services.people(outcome.done)} put back"
    if outcome.skipped:
        text += f" · {outcome.skipped} changed since and left as they are"
    return _outcome(request, text, None, "my-people")


# --- Discovered People: who sync met but nobody added yet ----------------------------------------

DISCOVERED_TEMPLATE = "contacts/discovered.html"
DISCOVERED_PAGE_SIZE = 50


@login_required
@require_GET
def discovered(request):
    return render(request, DISCOVERED_TEMPLATE, _discovered_context(request, request.GET.get("page")))


@login_required
@require_POST
def discovered_add(request, pk: int):
    from contacts import sync

    membership = require_membership(request)
    try:
        added = sync.add_discovered(actor=request.user, workspace=membership.workspace, discovered_id=pk)
    except ContactError as error:
        return _discovered_outcome(request, error.message, error=True)
    if added.created:
        text = f"{added.person.name} added to My People"
    else:
        n = added.interactions
        moved = f"{n} interaction{'' if n == 1 else 's'}"
        text = f"{added.person.name} already has this address: {moved} added to their timeline"
    return _discovered_outcome(request, text)


@login_required
@require_POST
def discovered_restore(request, pk: int):
    from contacts import sync

    membership = require_membership(request)
    try:
        restored = sync.restore_discovered(
            actor=request.user,
            workspace=membership.workspace,
            discovered_id=pk,
            person_id=as_number(request.POST.get("person", "")),
        )
    except ContactError as error:
        return _discovered_outcome(request, error.message, error=True)
    n = restored.interactions
    moved = f"{n} interaction{'' if n == 1 else 's'}"
    text = f"{restored.person.name} is back in My People (from {restored.came_from}): {moved} added to their timeline"
    return _discovered_outcome(request, text)


@login_required
@require_POST
def discovered_dismiss(request, pk: int):
    from contacts import sync

    membership = require_membership(request)
    try:
        name = sync.dismiss_discovered(actor=request.user, workspace=membership.workspace, discovered_id=pk)
    except ContactError as error:
        return _discovered_outcome(request, error.message, error=True)
    return _discovered_outcome(request, f"{name} dismissed; sync will not list them again")


def _discovered_context(request, page_number) -> dict:
    from django.core.paginator import Paginator

    from audiences.registry import AUDIENCES
    from contacts import sync

    workspace = require_membership(request).workspace
    page = Paginator(sync.discovered_people(workspace), DISCOVERED_PAGE_SIZE).get_page(page_number)
    found = list(page)
    return {
        "workspace": workspace,
        "page_obj": page,
        "rows": list(zip(found, sync.discovered_offers(workspace, found))),
        "audiences": [(a, a.name_for(workspace)) for a in AUDIENCES.values()],
    }


def _discovered_outcome(request, text: str, error: bool = False):
    """Without JavaScript: a message and back to the list. With htmx: the refreshed list and the status."""
    page_number = request.POST.get("page")
    if not request.htmx:
        (messages.error if error else messages.success)(request, text)
        url = reverse("discovered")
        return redirect(f"{url}?{urlencode({'page': page_number})}" if page_number else url)
    context = _discovered_context(request, page_number) | {"status_text": text, "status_error": error}
    return render(request, f"{DISCOVERED_TEMPLATE}#discovered-update", context)
