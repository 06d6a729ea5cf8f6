"""The details pane (List and Details View) and single-person edits."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Contact, EntryKind, Stage
from sync.models import Suppression
from tests.factories import ContactFactory, TimelineEntryFactory, WorkspaceFactory
from tests.helpers import HTMX, HTMX_DETAILS, HTMX_REGION, undo_url


def test_deep_link_shows_the_person_and_their_timeline_newest_first(as_admin, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn")
    TimelineEntryFactory(contact=person, summary="Older email", at=timezone.now() - timezone.timedelta(days=3))
    TimelineEntryFactory(contact=person, summary="Newer call", kind="call")
    page = as_admin.get(f"/people/{person.pk}/?audience=my-people").content.decode()
    assert "Pat Quinn" in page
    assert page.index("Newer call") < page.index("Older email")
    assert 'aria-current="true"' in page  # the person is marked in the list


def test_details_partial_is_only_the_pane(as_admin, workspace):
    person = ContactFactory(workspace=workspace)
    response = as_admin.get(f"/people/{person.pk}/", headers=HTMX_DETAILS)
    assert b"<html" not in response.content and b'id="details"' in response.content


def test_timeline_is_paged(as_admin, workspace):
    person = ContactFactory(workspace=workspace)
    TimelineEntryFactory.create_batch(25, contact=person)
    first = as_admin.get(f"/people/{person.pk}/").content.decode()
    assert "1–20 of 25" in first and "Older" in first
    second = as_admin.get(f"/people/{person.pk}/?entries=2").content.decode()
    assert "21–25 of 25" in second and "Newer" in second


def timeline_link(page: str, label: str) -> str:
    """The href of the timeline's Newer/Older link (the &amp; of the address unescaped)."""
    found = re.search(
        rf'<nav class="pagination" aria-label="Timeline pages">.*?<a href="([^"]*)"[^>]*>{label}</a>', page, re.S
    )
    assert found, f"no {label} link"
    return html.unescape(found.group(1))


def entries_shown(page: str) -> list[str]:
    return re.findall(r"Entry (\d\d)", page)


def test_older_and_newer_go_to_the_next_and_previous_page_of_the_timeline(as_admin, workspace):
    """Issue 11.9: `|add:` of a string and a page number gave "", so the links were <a href="">."""
    person = ContactFactory(workspace=workspace, name="Pat Quinn")
    start = timezone.now() - timezone.timedelta(days=30)
    for n in range(24):  # Entry 23 is the newest
        TimelineEntryFactory(contact=person, summary=f"Entry {n:02}", at=start + timezone.timedelta(hours=n))
    first = as_admin.get(f"/people/{person.pk}/?audience=my-people&view=list").content.decode()
    assert entries_shown(first) == [f"{n:02}" for n in range(23, 3, -1)]
    assert "Newer</a>" not in first

    older = timeline_link(first, "Older")
    assert older == f"/people/{person.pk}/?audience=my-people&view=list&entries=2"
    second = as_admin.get(older).content.decode()
    assert "21–24 of 24" in second
    assert entries_shown(second) == ["03", "02", "01", "00"]
    assert "Older</a>" not in second
    assert "Pat Quinn" in second and "<html" in second  # a whole page without JavaScript

    newer = timeline_link(second, "Newer")
    assert newer == f"/people/{person.pk}/?audience=my-people&view=list&entries=1"
    assert entries_shown(as_admin.get(newer).content.decode())[0] == "23"


def test_timeline_links_keep_the_audience_and_swap_only_the_pane(as_admin, workspace):
    person = ContactFactory(workspace=workspace, archived=True)
    TimelineEntryFactory.create_batch(21, contact=person)
    page = as_admin.get(f"/people/{person.pk}/?audience=archived&view=list").content.decode()
    older = timeline_link(page, "Older")
    assert "audience=archived" in older
    assert f'hx-get="{older.replace("&", "&amp;")}" hx-target="#details"' in page
    pane = as_admin.get(older, headers=HTMX_DETAILS).content.decode()
    assert "<html" not in pane and "21–21 of 21" in pane


def test_details_query_count_does_not_depend_on_timeline_length(as_admin, workspace):
    as_admin.get("/people/?view=list")  # remembering the view is a write of its own
    counts = []
    for entries in (5, 60):
        person = ContactFactory(workspace=workspace)
        TimelineEntryFactory.create_batch(entries, contact=person)
        with CaptureQueriesContext(connection) as queries:
            as_admin.get(f"/people/{person.pk}/")
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12


def test_other_workspace_person_is_not_found(as_admin):
    stranger = ContactFactory(workspace=WorkspaceFactory())
    assert as_admin.get(f"/people/{stranger.pk}/").status_code == 404


def test_deleted_person_is_not_found(as_admin, workspace):
    gone = ContactFactory(workspace=workspace, deleted=True)
    assert as_admin.get(f"/people/{gone.pk}/").status_code == 404


def test_stage_can_be_changed_in_place_with_a_timeline_entry(as_admin, workspace):
    person = ContactFactory(workspace=workspace, stage=Stage.PAST)
    response = as_admin.post(f"/people/{person.pk}/stage/", {"stage": "lead"}, headers=HTMX)
    assert response.status_code == 200
    assert "contactsChanged" in response.headers["HX-Trigger"]
    person.refresh_from_db()
    assert person.stage == Stage.LEAD
    assert person.timeline.filter(kind=EntryKind.STAGE_CHANGED, previous="past").exists()


def test_archived_person_cannot_get_an_open_stage_and_the_pane_says_why(as_admin, workspace):
    person = ContactFactory(workspace=workspace, archived=True)
    response = as_admin.post(f"/people/{person.pk}/stage/", {"stage": "active"}, headers=HTMX)
    assert response.status_code == 409
    assert "Archived — restore it first" in response.content.decode()
    assert Contact.objects.get(pk=person.pk).stage == Stage.LOST


def test_archived_person_cannot_get_an_assignee(as_admin, workspace, member):
    person = ContactFactory(workspace=workspace, archived=True)
    response = as_admin.post(f"/people/{person.pk}/assignee/", {"assignee": member.pk}, headers=HTMX)
    assert response.status_code == 409
    assert Contact.objects.get(pk=person.pk).assignee is None


def test_assignee_must_be_a_member(as_admin, workspace, other_workspace):
    from tests.factories import MembershipFactory

    outsider = MembershipFactory(workspace=other_workspace).user
    person = ContactFactory(workspace=workspace)
    response = as_admin.post(f"/people/{person.pk}/assignee/", {"assignee": outsider.pk}, headers=HTMX)
    assert response.status_code == 400
    assert "member of this workspace" in response.content.decode()
    assert Contact.objects.get(pk=person.pk).assignee is None


@pytest.mark.parametrize("bad", ["bogus", "1;drop", "LEAD"])
def test_bad_stage_value_changes_nothing(as_admin, workspace, bad):
    person = ContactFactory(workspace=workspace, stage=Stage.PAST)
    response = as_admin.post(f"/people/{person.pk}/stage/", {"stage": bad}, headers=HTMX)
    assert response.status_code == 400
    assert Contact.objects.get(pk=person.pk).stage == Stage.PAST


def test_assign_and_unassign_in_place(as_admin, workspace, member):
    person = ContactFactory(workspace=workspace)
    as_admin.post(f"/people/{person.pk}/assignee/", {"assignee": member.pk}, headers=HTMX)
    assert Contact.objects.get(pk=person.pk).assignee == member
    as_admin.post(f"/people/{person.pk}/assignee/", {"assignee": ""}, headers=HTMX)
    assert Contact.objects.get(pk=person.pk).assignee is None


def status_of(response) -> str:
    """The status message the response puts in the live region (out of band)."""
    found = re.search(
        r'<div hx-swap-oob="innerHTML:#status"><p class="status-text">(.*?)</p>', response.content.decode()
    )
    return html.unescape(found.group(1)) if found else ""


def test_a_stage_change_in_the_pane_says_so_with_undo_and_keeps_the_pane(as_admin, workspace):
    """Issue 11.5: the same outcome as a bulk action; the pane is left in place (the list redraws it)."""
    person = ContactFactory(workspace=workspace, name="Pat Quinn", stage=Stage.PAST)
    response = as_admin.post(
        f"/people/{person.pk}/stage/?audience=my-people", {"stage": "active"}, headers=HTMX_DETAILS
    )
    assert status_of(response) == "Pat Quinn moved to Active"
    assert response.headers["HX-Reswap"] == "none"  # not "Pick a person", not an empty pane
    assert "contactsChanged" in response.headers["HX-Trigger"]
    assert Contact.objects.get(pk=person.pk).stage == Stage.ACTIVE

    undone = as_admin.post(undo_url(response), headers=HTMX)
    assert "Undone: 1 person put back" in status_of(undone)
    assert Contact.objects.get(pk=person.pk).stage == Stage.PAST


def test_removing_the_stage_in_the_pane_says_so(as_admin, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", stage=Stage.PAST)
    response = as_admin.post(f"/people/{person.pk}/stage/", {"stage": "none"}, headers=HTMX_DETAILS)
    assert status_of(response) == "Stage removed from Pat Quinn"
    assert Contact.objects.get(pk=person.pk).stage == Stage.NONE


def test_assigning_in_the_pane_says_so_and_undo_leaves_them_unassigned_again(as_admin, workspace, member):
    person = ContactFactory(workspace=workspace, name="Pat Quinn")
    response = as_admin.post(f"/people/{person.pk}/assignee/", {"assignee": member.pk}, headers=HTMX_DETAILS)
    assert status_of(response) == "Pat Quinn assigned to Mia Member"
    assert Contact.objects.get(pk=person.pk).assignee == member

    as_admin.post(undo_url(response), headers=HTMX)
    person.refresh_from_db()
    assert person.assignee is None
    assert person.timeline.filter(kind=EntryKind.UNASSIGNED, summary="Assignee removed again").exists()


def test_reassigning_in_the_pane_and_undo_gives_them_back_to_the_previous_assignee(
    as_admin, workspace, member, manager
):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", assignee=member)
    response = as_admin.post(f"/people/{person.pk}/assignee/", {"assignee": manager.pk}, headers=HTMX_DETAILS)
    assert status_of(response) == "Pat Quinn assigned to Max Manager"
    as_admin.post(undo_url(response), headers=HTMX)
    assert Contact.objects.get(pk=person.pk).assignee == member


def test_removing_the_assignee_in_the_pane_says_so_with_undo(as_admin, workspace, member):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", assignee=member)
    response = as_admin.post(f"/people/{person.pk}/assignee/", {"assignee": ""}, headers=HTMX_DETAILS)
    assert status_of(response) == "Assignee removed from Pat Quinn"
    as_admin.post(undo_url(response), headers=HTMX)
    assert Contact.objects.get(pk=person.pk).assignee == member


def test_without_javascript_a_change_returns_to_the_persons_page_with_the_message(as_admin, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", stage=Stage.PAST, archived=True)
    response = as_admin.post(f"/people/{person.pk}/stage/?audience=archived", {"stage": "lost"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(f"/people/{person.pk}/?audience=archived&view=list", 302)]
    assert "<html" in page and 'id="person-name">Pat Quinn<' in page
    assert "Pat Quinn moved to Lost" in page
    refused = as_admin.post(f"/people/{person.pk}/stage/?audience=archived", {"stage": "active"}, follow=True)
    assert "<html" in refused.content.decode() and "restore it first" in refused.content.decode()
    assert Contact.objects.get(pk=person.pk).stage == Stage.LOST


def test_the_list_redrawn_at_a_deleted_persons_address_shows_the_list_at_its_own_address(as_admin, workspace):
    """After Delete from the pane the list redraws at /people/<id>/: no 404 in the page, the list."""
    gone = ContactFactory(workspace=workspace, name="Gone Person", deleted=True)
    ContactFactory(workspace=workspace, name="Still Here", archived=True)
    url = f"/people/{gone.pk}/?audience=archived&view=list"
    response = as_admin.get(url, headers=HTMX_REGION)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="people-region"') and "Still Here" in page
    assert "Pick a person" in page and "Gone Person" not in page
    assert response.headers["HX-Replace-Url"] == "/people/?audience=archived&view=list"
    assert as_admin.get(url).status_code == 404  # the address itself is still not found


def test_get_to_an_edit_url_changes_nothing(as_admin, workspace):
    person = ContactFactory(workspace=workspace, stage=Stage.PAST)
    assert as_admin.get(f"/people/{person.pk}/stage/?stage=lead").status_code == 405
    assert Contact.objects.get(pk=person.pk).stage == Stage.PAST


def test_pane_offers_the_lifecycle_actions_of_the_persons_audience(as_admin, workspace):
    active = ContactFactory(workspace=workspace)
    archived = ContactFactory(workspace=workspace, archived=True)
    active_page = as_admin.get(f"/people/{active.pk}/").content.decode()
    assert f"/bulk/archive/?audience=my-people&selection=ids&ids={active.pk}" in active_page
    archived_page = as_admin.get(f"/people/{archived.pk}/").content.decode()
    assert f"/bulk/delete/?audience=archived&selection=ids&ids={archived.pk}" in archived_page
    assert f"/bulk/restore/?audience=archived&selection=ids&ids={archived.pk}" in archived_page


def test_members_are_not_offered_delete_in_the_pane(client, workspace, member):
    client.force_login(member)
    archived = ContactFactory(workspace=workspace, archived=True)
    assert "/bulk/delete/" not in client.get(f"/people/{archived.pk}/").content.decode()


def test_view_choice_is_remembered_per_user(as_admin, workspace, admin_user):
    ContactFactory(workspace=workspace)
    as_admin.get("/people/?view=list")
    assert 'class="people-list"' in as_admin.get("/people/").content.decode()
    as_admin.get("/people/?view=table")
    assert 'class="people-table"' in as_admin.get("/people/").content.decode()


def test_suppressions_are_listed_and_lifted_by_managers(client, workspace, manager):
    client.force_login(manager)
    kept = Suppression.objects.create(workspace=workspace, kind="email", value="pat@example.com")
    assert "pat@example.com" in client.get("/settings/suppressions/").content.decode()
    client.post(f"/settings/suppressions/{kept.pk}/lift/")
    assert not Suppression.objects.exists()


def test_members_cannot_lift_suppressions(client, workspace, member):
    client.force_login(member)
    kept = Suppression.objects.create(workspace=workspace, kind="email", value="pat@example.com")
    assert client.post(f"/settings/suppressions/{kept.pk}/lift/").status_code == 403
    assert Suppression.objects.filter(pk=kept.pk).exists()


def test_another_workspaces_suppression_cannot_be_lifted(client, manager, other_workspace):
    client.force_login(manager)
    foreign = Suppression.objects.create(workspace=other_workspace, kind="email", value="x@example.com")
    assert client.post(f"/settings/suppressions/{foreign.pk}/lift/").status_code == 404
    assert Suppression.objects.filter(pk=foreign.pk).exists()


def test_recently_deleted_shows_when_and_by_whom(as_admin, workspace, admin_user):
    ContactFactory(workspace=workspace, deleted=True, deleted_by=admin_user, name="Gone Person")
    page = as_admin.get("/people/?audience=deleted&view=table").content.decode()
    assert "Gone Person" in page and "by Ada Admin" in page


def hrefs(page: str, css_class: str) -> list[str]:
    """The hrefs (unescaped) of the links with this class."""
    return [html.unescape(h) for h in re.findall(rf'<a class="{css_class}" href="([^"]*)"', page)]


def test_opening_a_person_keeps_the_search_stage_filter_and_sort_in_every_link(as_admin, workspace):
    """QA walk-through: the person links, Back and the timeline links dropped q and stage."""
    willow = ContactFactory(workspace=workspace, name="Ann Willow", stage=Stage.PAST)
    ContactFactory(workspace=workspace, name="Bo Willow", stage=Stage.PAST)
    ContactFactory(workspace=workspace, name="Cy Willow", stage=Stage.LEAD)
    TimelineEntryFactory.create_batch(21, contact=willow)
    kept = {"audience": ["my-people"], "q": ["willow"], "stage": ["past"], "sort": ["-name"]}
    listing = "audience=my-people&q=willow&stage=past&sort=-name"
    table = as_admin.get(f"/people/?{listing}&view=table").content.decode()
    listed = as_admin.get(f"/people/?{listing}&view=list").content.decode()
    opened = as_admin.get(f"/people/{willow.pk}/?{listing}&view=list").content.decode()
    people_links = hrefs(table, "person-link") + hrefs(listed, "person-row-link") + hrefs(opened, "person-row-link")
    assert len(people_links) == 6  # the two Past Willows, in each of the three lists
    assert len(hrefs(opened, "back-link")) == 1
    links = people_links + hrefs(opened, "back-link") + [timeline_link(opened, "Older")]
    for link in links:
        query = parse_qs(urlsplit(link).query)
        assert {k: query.get(k) for k in kept} == kept, link
