"""The people list (Table View, or List and Details View) and one person's page beside it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import replace_url

from contacts.htmx import render_page_or_fragment, wants_fragment
from contacts.listing import build_listing
from contacts.timeline import details_context, shown_people

PEOPLE_TEMPLATE = "contacts/people.html"
PEOPLE_FRAGMENTS = {"people-region": f"{PEOPLE_TEMPLATE}#people-region"}  # the list redraws itself


@login_required
def home(request):
    return redirect("people")


@login_required
@require_GET
def people(request):
    context = build_listing(request)
    _remember_view(request, context)
    return render_page_or_fragment(request, PEOPLE_TEMPLATE, context, fragments=PEOPLE_FRAGMENTS)


@login_required
@require_GET
def person(request, pk: int):
    context = build_listing(request, view="list")
    _remember_view(request, context)
    person = (
        shown_people(context["workspace"], context["audience"])
        .select_related("workspace", "assignee", "archived_by", "deleted_by")
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
    fragments = {"details": f"{PEOPLE_TEMPLATE}#details"} | PEOPLE_FRAGMENTS
    return render_page_or_fragment(request, PEOPLE_TEMPLATE, context, fragments=fragments)


def _remember_view(request, context: dict) -> None:
    """A view the address names (the view switch, a person's link) is the user's choice: it is
    remembered for next time. The one write on these pages, and only on that choice."""
    membership = context["membership"]
    if "view" in request.GET and context["view"] != membership.people_view:
        membership.people_view = context["view"]
        membership.save(update_fields=["people_view"])
