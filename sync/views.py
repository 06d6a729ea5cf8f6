"""Sync's pages: Discovered People (add, restore, dismiss) and the "Don't re-create from sync" list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from contacts.exceptions import ContactError, NotFound
from contacts.htmx import database_refusal, fragment_or_redirect, render_page_or_fragment
from contacts.membership import require_membership
from contacts.selection import parse_ids
from contacts.text import as_number
from sync.discovered import (
    BulkKind,
    DiscoveredSelection,
    add_discovered,
    bulk_discovered,
    bulk_preview,
    discovered_offers,
    discovered_people,
    dismiss_discovered,
    restore_discovered,
)
from sync.models import Suppression
from sync.suppressions import suppression_rows

DISCOVERED_TEMPLATE = "sync/discovered.html"
DISCOVERED_PAGE_SIZE = 50


# --- Discovered People: who sync met but nobody added yet ----------------------------------------


@login_required
@require_GET
def discovered(request):
    """The page; to htmx (paging, or the redraw after a bulk change: js/list.js) the list region alone."""
    return render_page_or_fragment(
        request,
        DISCOVERED_TEMPLATE,
        _discovered_context(request, request.GET.get("page")),
        fragments={"discovered-region": f"{DISCOVERED_TEMPLATE}#discovered-region"},
    )


@login_required
@require_POST
def discovered_add(request, pk: int):
    def add(workspace) -> str:
        added = add_discovered(actor=request.user, workspace=workspace, discovered_id=pk)
        if added.created:
            return _("%(name)s added to My People") % {"name": added.person.name}
        joined = ngettext(
            "%(name)s already has this address: %(count)s interaction added to their timeline",
            "%(name)s already has this address: %(count)s interactions added to their timeline",
            added.interactions,
        )
        return joined % {"name": added.person.name, "count": added.interactions}

    return _discovered_outcome(request, add)


@login_required
@require_POST
def discovered_restore(request, pk: int):
    def restore(workspace) -> str:
        restored = restore_discovered(
            actor=request.user,
            workspace=workspace,
            discovered_id=pk,
            person_id=as_number(request.POST.get("person", "")),
        )
        back = ngettext(
            "%(name)s is back in My People (from %(place)s): %(count)s interaction added to their timeline",
            "%(name)s is back in My People (from %(place)s): %(count)s interactions added to their timeline",
            restored.interactions,
        )
        return back % {"name": restored.person.name, "place": restored.came_from, "count": restored.interactions}

    return _discovered_outcome(request, restore)


@login_required
@require_POST
def discovered_dismiss(request, pk: int):
    def dismiss(workspace) -> str:
        name = dismiss_discovered(actor=request.user, workspace=workspace, discovered_id=pk)
        return _("%(name)s dismissed; sync will not list them again") % {"name": name}

    return _discovered_outcome(request, dismiss)


def _discovered_context(request, page_number) -> dict:
    workspace = require_membership(request).workspace
    page = Paginator(discovered_people(workspace), DISCOVERED_PAGE_SIZE).get_page(page_number)
    found = list(page)
    return {
        "workspace": workspace,
        "page_obj": page,
        "rows": list(zip(found, discovered_offers(workspace, found))),
    }


def _discovered_outcome(request, act):
    """Run the action on the user's workspace; the status says what it did, or why it did nothing.

    Without JavaScript: a message and back to the list. With htmx: the refreshed list and the status.
    """
    workspace = require_membership(request).workspace
    try:
        text, error = act(workspace), False
    except ContactError as refusal:
        text, error = refusal.message, True
    page_number = request.POST.get("page")

    def fragment():
        context = _discovered_context(request, page_number) | {"status_text": text, "status_error": error}
        return render(request, f"{DISCOVERED_TEMPLATE}#discovered-update", context)

    url = reverse("discovered")
    back = f"{url}?{urlencode({'page': page_number})}" if page_number else url
    return fragment_or_redirect(request, fragment, message=text, to=back, error=error)


# --- Many at once: the dialog (how many and who), then the confirm, which acts on exactly those --------------


def _bulk_kind(kind: str) -> BulkKind:
    try:
        return BulkKind(kind)
    except ValueError:
        raise NotFound(_("Unknown action.")) from None


@login_required
@require_POST
def discovered_bulk_dialog(request, kind: str):
    """The confirmation dialog for the ticked rows (or all), asked for with the selection in the body. Never acts."""
    bulk_kind = _bulk_kind(kind)
    workspace = require_membership(request).workspace
    try:
        selection = DiscoveredSelection.from_params(request.POST)
        summary = bulk_preview(actor=request.user, workspace=workspace, kind=bulk_kind, selection=selection)
    except ContactError as error:
        return _dialog_error(request, error.message, error.status)
    return render(request, "sync/discovered_dialog.html", {"summary": summary})


@login_required
@require_POST
def discovered_bulk(request, kind: str):
    bulk_kind = _bulk_kind(kind)
    workspace = require_membership(request).workspace
    try:
        outcome = bulk_discovered(
            actor=request.user,
            workspace=workspace,
            kind=bulk_kind,
            ids=parse_ids(request.POST.getlist("ids")),
            fingerprint=request.POST.get("fingerprint", ""),
        )
    except ContactError as error:
        return _dialog_error(request, error.message, error.status)
    except DatabaseError as error:
        return _dialog_error(request, *database_refusal(error))
    text = outcome.text

    def fragment():
        response = render(request, "contacts/outcome.html", {"text": text})
        return trigger_client_event(response, "contactsChanged", {"message": text})

    return fragment_or_redirect(request, fragment, message=text, to="discovered")


def _dialog_error(request, message: str, status: int):
    def fragment():
        return render(request, "contacts/dialog_error.html", {"error": message}, status=status)

    return fragment_or_redirect(request, fragment, message=message, to="discovered", error=True)


# --- "Don't re-create from sync": see the list, and lift an entry --------------------------------


@login_required
@require_GET
def suppressions(request):
    membership = require_membership(request)
    return render(
        request,
        "sync/suppressions.html",
        {"membership": membership, "workspace": membership.workspace, "rows": suppression_rows(membership.workspace)},
    )


@login_required
@require_POST
def lift_suppression(request, pk: int):
    membership = require_membership(request)
    if not membership.can_delete:
        raise PermissionDenied(_("Only admins and managers can lift a suppression."))
    suppression = get_object_or_404(Suppression, pk=pk, workspace=membership.workspace)
    suppression.delete()
    messages.success(
        request, _("Lifted: sync may create people from %(address)s again.") % {"address": suppression.value}
    )
    return redirect("suppressions")
