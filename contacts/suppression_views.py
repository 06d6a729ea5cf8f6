"""The "Don't re-create from sync" list: see it, and lift an entry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from contacts.membership import require_membership
from contacts.models import Suppression


@login_required
@require_GET
def suppressions(request):
    membership = require_membership(request)
    return render(
        request,
        "contacts/suppressions.html",
        {
            "membership": membership,
            "suppressions": Suppression.objects.filter(workspace=membership.workspace).select_related("created_by"),
        },
    )


@login_required
@require_POST
def lift_suppression(request, pk: int):
    membership = require_membership(request)
    if not membership.can_delete:
        raise PermissionDenied("Only admins and managers can lift a suppression.")
    suppression = get_object_or_404(Suppression, pk=pk, workspace=membership.workspace)
    suppression.delete()
    messages.success(request, f"Lifted: sync may create people from {suppression.value} again.")
    return redirect("suppressions")
