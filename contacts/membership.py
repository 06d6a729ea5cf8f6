"""Which workspace the user is working in: `request.membership`, set by a middleware.

A user may belong to several workspaces. The one they switch to is remembered twice: in the
session (SESSION_KEY), so two browsers can work in two workspaces at once, and on the membership
(`last_chosen_at`), so logging out and in again lands where they last chose. The session's choice
wins; without one (a new login) the most recently chosen membership is used, and a user who never
chose works in the first workspace they joined. A membership removed since simply is not found.

One query reads all of the user's memberships, current first: `request.membership` is the first,
`request.memberships` all of them (the header's workspace switcher). Anonymous users and users
without a membership get a falsy `request.membership`; views that need one call
`require_membership(request)`, which refuses them in one sentence.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.models import Membership
from contacts.text import as_number

SESSION_KEY = "workspace_id"


class CurrentMembershipMiddleware:
    """Sets request.membership and request.memberships, looked up (one query) only when read."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        memberships = SimpleLazyObject(lambda: _memberships(request))
        request.memberships = memberships
        request.membership = SimpleLazyObject(lambda: memberships[0] if memberships else None)
        return self.get_response(request)


def _memberships(request) -> list[Membership]:
    """The user's memberships, the one they work in first (see the module docstring for which)."""
    if not request.user.is_authenticated:
        return []
    order = [F("last_chosen_at").desc(nulls_last=True), "pk"]
    if (chosen := request.session.get(SESSION_KEY)) is not None:
        order.insert(0, Case(When(workspace_id=chosen, then=Value(0)), default=Value(1), output_field=IntegerField()))
    return list(Membership.objects.select_related("workspace", "user").filter(user=request.user).order_by(*order))


def require_membership(request) -> Membership:
    """The user's membership in the workspace they are working in; without one, 403."""
    if not request.membership:
        raise PermissionDenied(_("You are not a member of any workspace yet. Ask an admin to add you."))
    return request.membership


def workspace_choices(request) -> list[Membership]:
    """All the user's memberships by workspace name: what the header's workspace switcher lists."""
    return sorted(request.memberships, key=lambda m: (m.workspace.name.casefold(), m.pk))


@login_required
@require_POST
def switch_workspace(request):
    """Work in another of the user's workspaces (form field `workspace`: its id) from now on,
    in this session and after the next login."""
    require_membership(request)  # someone in no workspace has nothing to switch between
    workspace_id = as_number(request.POST.get("workspace", ""))
    chosen = request.user.memberships.filter(workspace_id=workspace_id) if workspace_id is not None else None
    if chosen is None or not chosen.update(last_chosen_at=timezone.now()):
        message = _("You are not a member of that workspace, so you are still working where you were.")
        return render(request, "contacts/error_page.html", {"error": message}, status=400)
    request.session[SESSION_KEY] = workspace_id
    return redirect("people")
