"""What the details pane shows of one person: fields, edit choices, a page of timeline."""

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.http import urlencode

from audiences.registry import ARCHIVED, MY_PEOPLE, RECENTLY_DELETED, get_audience
from contacts.bulk_actions import ACTIONS
from contacts.exceptions import BadSelection
from contacts.models import Contact, Membership, Workspace
from contacts.querysets import days_until_erased
from contacts.rules import ARCHIVE_BLOCKERS, ARCHIVED_OR_DELETED, IS_DELETED, reasons
from contacts.selection import PeopleFilter

ENTRIES_PER_PAGE = 20


def home_audience(person: Contact):
    if person.deleted_at:
        return RECENTLY_DELETED
    return ARCHIVED if person.archived_at else MY_PEOPLE


def shown_people(workspace: Workspace, audience):
    """Whose details a list can open: anyone not deleted; from Recently Deleted, its people (read-only).

    A person deleted while their pane was open in another audience is not found there: the list
    redraws at its own address (contacts.views.people.person).
    """
    people = Contact.objects.in_workspace(workspace)
    if audience is RECENTLY_DELETED:
        return people.recently_deleted(workspace.retention)
    return people.not_deleted()


def pane_audience(request):
    """The audience the pane was opened from (the address says; My People if not)."""
    return get_audience(request.GET.get("audience")) or MY_PEOPLE


def list_params(request) -> dict[str, str]:
    """The list the address shows: audience, search, stage filter and sort.

    Every link from the list to a person, between people and back carries these, so the list
    beside the person (and after a reload) stays the one the user filtered.
    """
    params = {"audience": pane_audience(request).slug}
    try:
        params |= PeopleFilter.from_params(request.GET).as_params()
    except BadSelection:
        pass  # the list itself refuses it; a link away from it need not repeat it
    if sort := request.GET.get("sort"):
        params["sort"] = sort
    return params


def list_query(request) -> str:
    return urlencode(list_params(request))


def person_address(request, person: Contact, **extra) -> str:
    """The person's page in List and Details View, in the list they were opened from."""
    query = urlencode({**list_params(request), "view": "list", **extra})
    return f"{reverse('person', args=[person.pk])}?{query}"


def details_context(request, membership: Membership, person: Contact) -> dict:
    entries = Paginator(person.timeline.select_related("actor"), ENTRIES_PER_PAGE)
    timeline = entries.get_page(request.GET.get("entries"))
    home = home_audience(person)
    person_actions = [
        ACTIONS[name]
        for name in home.actions
        if ACTIONS[name].in_details_pane and ACTIONS[name].allowed_for(membership)
    ]
    newer, older = timeline.has_previous(), timeline.has_next()
    return {
        "audience": pane_audience(request),
        "list_query": list_query(request),
        "person": person,
        "timeline": timeline,
        "newer_entries_url": person_address(request, person, entries=timeline.previous_page_number()) if newer else "",
        "older_entries_url": person_address(request, person, entries=timeline.next_page_number()) if older else "",
        "person_audience": home,
        # Stage and assignee are edited in place; the pane offers the lifecycle actions.
        "person_actions": person_actions,
        # Why Archive would refuse them, said in the pane before the dialog says it again.
        "archive_blockers": reasons(person, ARCHIVE_BLOCKERS) if ACTIONS["archive"] in person_actions else [],
        # Archived and deleted people's stage and assignee are read-only here (rule 3), with the reason.
        "locked_reason": next((r.message for r in reasons(person, (IS_DELETED, ARCHIVED_OR_DELETED))), ""),
        "erased_in": days_until_erased(person.deleted_at, membership.workspace.retention)
        if person.deleted_at
        else None,
        "members": Membership.objects.filter(workspace=membership.workspace)
        .select_related("user")
        .order_by("user__first_name", "user__username"),
        "stage_choices": membership.workspace.stage_param_choices(),
    }
