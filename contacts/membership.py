"""Which workspace the user is working in: `request.membership`, set by a middleware.

A user may belong to several workspaces. The one they chose is remembered in the session
(SESSION_KEY) and checked against their memberships on every request, so a membership removed
since falls back, like a user who never chose, to the first one they joined. Anonymous users
and users without a membership get a falsy `request.membership`; views that need one call
`require_membership(request)`, which refuses them in one sentence.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.models import Membership
from contacts.text import as_number

SESSION_KEY = "workspace_id"


class CurrentMembershipMiddleware:
    """Sets request.membership, looked up (one query) only when something reads it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: _require_membership(request))
        return self.get_response(request)


def _require_membership(request) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    order = ["pk"]  # the first workspace they joined
    if (chosen := request.session.get(SESSION_KEY)) is not None:
        # The chosen one, if they are still a member there: one query either way.
        order.insert(0, Case(When(workspace_id=chosen, then=Value(0)), default=Value(1), output_field=IntegerField()))
    return Membership.objects.select_related("workspace", "user").filter(user=request.user).order_by(*order).first()


def require_membership(request) -> Membership:
    """The user's membership in the workspace they are working in; without one, 403."""
    if not request.membership:
        raise PermissionDenied(_("You are not a member of any workspace yet. Ask an admin to add you."))
    return request.membership


@login_required
@require_POST
def switch_workspace(request):
    """Work in another of the user's workspaces (form field `workspace`: its id) from now on."""
    require_membership(request)  # someone in no workspace has nothing to switch between
    workspace_id = as_number(request.POST.get("workspace", ""))
    if workspace_id is None or not request.user.memberships.filter(workspace_id=workspace_id).exists():
        message = _("You are not a member of that workspace, so you are still working where you were.")
        return render(request, "contacts/error_page.html", {"error": message}, status=400)
    request.session[SESSION_KEY] = workspace_id
    return redirect("people")
