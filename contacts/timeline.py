"""What the details pane shows of one person: fields, edit choices, a page of timeline."""

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.http import urlencode

from audiences.registry import ARCHIVED, MY_PEOPLE, get_audience
from contacts.bulk_actions import ACTIONS
from contacts.models import Contact, Membership

ENTRIES_PER_PAGE = 20


def home_audience(person: Contact):
    return ARCHIVED if person.archived_at else MY_PEOPLE


def details_context(request, membership: Membership, person: Contact) -> dict:
    entries = Paginator(person.timeline.select_related("actor"), ENTRIES_PER_PAGE)
    timeline = entries.get_page(request.GET.get("entries"))
    home = home_audience(person)
    audience = get_audience(request.GET.get("audience")) or MY_PEOPLE

    def person_url(**extra) -> str:
        return (
            f"{reverse('person', args=[person.pk])}?{urlencode({'audience': audience.slug, 'view': 'list', **extra})}"
        )

    return {
        "audience": audience,
        "person": person,
        "timeline": timeline,
        "newer_entries_url": person_url(entries=timeline.previous_page_number()) if timeline.has_previous() else "",
        "older_entries_url": person_url(entries=timeline.next_page_number()) if timeline.has_next() else "",
        "person_audience": home,
        # Stage and assignee are edited in place; the pane offers the lifecycle actions.
        "person_actions": [
            ACTIONS[name]
            for name in home.actions
            if name not in ("change_stage", "remove_assignee") and ACTIONS[name].allowed_for(membership)
        ],
        "members": Membership.objects.filter(workspace=membership.workspace)
        .select_related("user")
        .order_by("user__first_name", "user__username"),
        "stage_choices": [(v or "none", label) for v, label in membership.workspace.stage_choices()],
    }
