"""The people page: who sees what, paging, sorting, searching, empty states, names, cost."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audiences.registry import AUDIENCES
from contacts.models import Contact, Stage
from tests.factories import ContactFactory, MembershipFactory, TimelineEntryFactory, UserFactory
from tests.helpers import HTMX, HTMX_DETAILS, HTMX_REGION, visible_text


def row_ids(response) -> list[int]:
    """The people listed on the page, in order (each row's checkmark carries the id)."""
    return [
        int(pk) for pk in re.findall(r'class="select-row" data-select-row value="(\d+)"', response.content.decode())
    ]


def menu_items(response) -> list[str]:
    """The Bulk Actions menu's items (the header's menus come before it)."""
    body = response.content.decode()
    found = re.findall(r'<button[^>]*role="menuitem"[^>]*>(.*?)</button>', body[body.index('id="bulk-menu"') :], re.S)
    return [html.unescape(item).strip() for item in found]


# --- who may look ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/people/", "/bulk/archive/", "/undo/1/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url):
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(f"/accounts/login/?next={url}")


def test_the_home_page_leads_to_my_people(as_member):
    response = as_member.get("/")
    assert response.status_code == 302 and response["Location"] == "/people/"


def test_a_user_without_a_workspace_is_told_to_ask_an_admin(client, db):
    client.force_login(UserFactory(username="loner"))
    response = client.get("/people/")
    assert response.status_code == 403
    assert "Ask an admin to add you" in visible_text(response)


# --- full page and partial -----------------------------------------------------------------


def test_a_plain_request_gets_the_whole_page(as_member, workspace):
    ContactFactory(workspace=workspace, name="Pat Quinn")
    response = as_member.get("/people/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body and 'id="people-region"' in body
    assert "Pat Quinn" in body


def test_an_htmx_request_for_the_region_gets_only_the_region(as_member, workspace):
    ContactFactory(workspace=workspace, name="Pat Quinn")
    response = as_member.get("/people/?audience=my-people", headers=HTMX_REGION)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<body" not in body
    assert body.lstrip().startswith('<div id="people-region"')
    assert "Pat Quinn" in body


def test_an_htmx_request_for_another_target_gets_the_whole_page(as_member, workspace):
    response = as_member.get("/people/", headers=HTMX | {"HX-Target": "somewhere-else"})
    assert "<html" in response.content.decode()


# --- paging and sorting --------------------------------------------------------------------


def test_a_page_shows_fifty_people_and_the_rest_are_on_page_two(as_member, workspace):
    ContactFactory.create_batch(55, workspace=workspace)
    first = as_member.get("/people/?view=table")
    second = as_member.get("/people/?view=table&page=2")
    assert len(row_ids(first)) == 50
    assert len(row_ids(second)) == 5
    assert set(row_ids(first)).isdisjoint(row_ids(second))
    assert "Page 1 of 2" in visible_text(first)
    assert "55 people" in visible_text(first)


def test_a_page_number_out_of_range_or_not_a_number_still_shows_people(as_member, workspace):
    ContactFactory.create_batch(3, workspace=workspace)
    for page in ("999", "abc", "-1"):
        response = as_member.get(f"/people/?page={page}")
        assert response.status_code == 200
        assert len(row_ids(response)) == 3


def make_sortable_people(workspace, n=53):
    """People whose every column differs, so each sort has one right order."""
    assignees = [
        MembershipFactory(workspace=workspace, user=UserFactory(first_name=f"Assignee{i:02}", last_name="X")).user
        for i in range(n)
    ]
    stages = [Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE, Stage.PAST, Stage.LOST]
    now = timezone.now()
    people = []
    for i in range(n):
        people.append(
            ContactFactory(
                workspace=workspace,
                name=f"Person {(i * 7) % n:03}",
                company=f"Company {(i * 11) % n:03}",
                stage=stages[i % 5],
                assignee=assignees[(i * 13) % n],
                last_touch_at=now - timedelta(hours=(i * 17) % n),
            )
        )
    return people


SORT_KEYS = {
    "name": lambda c: c.name,
    "company": lambda c: c.company,
    # By phase, Lead to Lost, then no stage; not alphabetically by key.
    "stage": lambda c: [Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE, Stage.PAST, Stage.LOST, Stage.NONE].index(c.stage),
    "assignee": lambda c: (c.assignee.first_name, c.assignee.last_name),
    "last_touch_at": lambda c: c.last_touch_at,
}


@pytest.mark.parametrize("column", SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_each_column_orders_both_pages(as_member, workspace, column, descending):
    people = {c.pk: c for c in make_sortable_people(workspace)}
    sort = f"-{column}" if descending else column
    first = as_member.get(f"/people/?view=table&sort={sort}")
    second = as_member.get(f"/people/?view=table&sort={sort}&page=2")
    assert first.status_code == second.status_code == 200
    shown = row_ids(first) + row_ids(second)
    assert len(row_ids(first)) == 50 and len(row_ids(second)) == 3
    assert sorted(shown) == sorted(people)
    keys = [SORT_KEYS[column](people[pk]) for pk in shown]
    assert keys == sorted(keys, reverse=descending)
    header = "descending" if descending else "ascending"
    assert f'aria-sort="{header}"' in first.content.decode()


def test_sort_links_keep_the_audience_and_the_search(as_member, workspace):
    ContactFactory(workspace=workspace, name="Pat Quinn", stage=Stage.LOST)
    body = as_member.get("/people/?audience=stage-lost&q=pat&view=table").content.decode()
    sort_links = re.findall(r'href="([^"]*sort=company[^"]*)"', body)
    assert sort_links
    assert all("audience=stage-lost" in link and "q=pat" in link for link in sort_links)


def test_an_unknown_sort_column_is_ignored_not_an_error(as_member, workspace):
    ContactFactory.create_batch(2, workspace=workspace)
    response = as_member.get("/people/?sort=password")
    assert response.status_code == 200 and len(row_ids(response)) == 2


def order_by_of_the_page_query(client, url) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    page_query = next(q["sql"] for q in queries if "LIMIT" in q["sql"] and 'FROM "contacts_contact"' in q["sql"])
    order_by = page_query.rsplit("ORDER BY", 1)[1].split("LIMIT")[0]
    # The page's ids are fetched first (IdsFirstPaginator); SQL then names the id by its position.
    if page_query.startswith('SELECT "contacts_contact"."id" AS "pk" FROM'):
        order_by = re.sub(r"(?<=[ ,])1 (ASC|DESC)", r'"contacts_contact"."id" \1', order_by)
    return order_by


@pytest.mark.parametrize("sort", ["", "name", "-company", "stage", "-stage", "assignee", "last_touch_at"])
def test_every_sort_ends_with_the_id_so_paging_never_repeats_or_skips_people(as_member, workspace, sort):
    ContactFactory.create_batch(3, workspace=workspace)
    assert '"contacts_contact"."id"' in order_by_of_the_page_query(as_member, f"/people/?view=table&sort={sort}")


def test_stage_sort_puts_no_stage_last_in_both_label_sets(as_member, workspace):
    workspace.label_set = "real_estate"
    workspace.save()
    for stage in (Stage.NONE, Stage.LOST, Stage.LEAD, Stage.ACTIVE):
        ContactFactory(workspace=workspace, stage=stage)
    order = [Contact.objects.get(pk=pk).stage for pk in row_ids(as_member.get("/people/?sort=stage"))]
    assert order == [Stage.LEAD, Stage.ACTIVE, Stage.LOST, Stage.NONE]


@pytest.mark.parametrize("audience, sort", [("archived", "since"), ("deleted", "-since")])
def test_the_archived_and_deleted_date_sorts_end_with_the_id(as_member, workspace, audience, sort):
    ContactFactory.create_batch(3, workspace=workspace, deleted=(audience == "deleted"), archived=True)
    url = f"/people/?audience={audience}&view=table&sort={sort}"
    order_by = order_by_of_the_page_query(as_member, url)
    assert "_at" in order_by
    assert '"contacts_contact"."id"' in order_by


# --- search and stage filter -------------------------------------------------------------------


@pytest.mark.parametrize("q", ["quinn", "PAT@EXAMPLE", "umbrella"])
def test_search_finds_people_by_name_email_or_company(as_member, workspace, q):
    pat = ContactFactory(workspace=workspace, name="Pat Quinn", email="pat@example.org", company="Umbrella Corp")
    ContactFactory(workspace=workspace, name="Sam Other", email="sam@other.org", company="Initech")
    response = as_member.get("/people/", {"q": q})
    assert row_ids(response) == [pat.pk]
    assert "1 person" in visible_text(response)


def test_search_treats_percent_and_underscore_as_plain_characters(as_member, workspace):
    ContactFactory(workspace=workspace, name="Pat Quinn")
    assert row_ids(as_member.get("/people/", {"q": "%"})) == []
    assert row_ids(as_member.get("/people/", {"q": "_"})) == []


def test_stage_filter_shows_only_that_stage(as_member, workspace):
    lost = ContactFactory(workspace=workspace, stage=Stage.LOST)
    ContactFactory(workspace=workspace, stage=Stage.LEAD)
    assert row_ids(as_member.get("/people/?stage=lost")) == [lost.pk]


def test_stage_filter_none_shows_people_without_a_stage(as_member, workspace):
    no_stage = ContactFactory(workspace=workspace, stage=Stage.NONE)
    ContactFactory(workspace=workspace, stage=Stage.PAST)
    assert row_ids(as_member.get("/people/?stage=none")) == [no_stage.pk]


def test_an_empty_stage_filter_means_all_stages(as_member, workspace):
    ContactFactory(workspace=workspace, stage=Stage.NONE)
    ContactFactory(workspace=workspace, stage=Stage.PAST)
    assert len(row_ids(as_member.get("/people/?stage="))) == 2


@pytest.mark.parametrize("query", ["stage=bogus", "stage=Lead", "audience=nobody", "blocked=bogus", "q=" + "x" * 201])
def test_a_bad_filter_or_audience_is_not_found_not_a_server_error(as_member, workspace, query):
    response = as_member.get(f"/people/?{query}")
    assert response.status_code == 404
    assert "Not found" in visible_text(response)


def test_the_who_cannot_be_moved_filter_does_not_list_people_who_can_be_moved(as_member, workspace):
    ContactFactory.create_batch(2, workspace=workspace, stage=Stage.PAST)
    response = as_member.get("/people/?blocked=change_stage")
    if response.status_code == 200:
        assert "who cannot be moved" not in visible_text(response) or row_ids(response) == []
    else:
        assert response.status_code == 404


def test_the_who_cannot_be_archived_filter_lists_only_those(as_member, workspace):
    ContactFactory(workspace=workspace, stage=Stage.PAST)
    active = ContactFactory(workspace=workspace, stage=Stage.ACTIVE)
    response = as_member.get("/people/?blocked=archive")
    assert row_ids(response) == [active.pk]
    assert "Showing only the people who cannot be archived." in visible_text(response)


# --- empty states --------------------------------------------------------------------------


@pytest.mark.parametrize("slug", list(AUDIENCES))
def test_an_empty_audience_says_so_in_its_own_words(as_member, workspace, slug):
    response = as_member.get(f"/people/?audience={slug}")
    assert response.status_code == 200
    assert AUDIENCES[slug].empty in visible_text(response)
    assert "0 people" in visible_text(response)


def test_my_people_when_empty_says_no_one_here_yet(as_member, workspace):
    assert "No one here yet." in visible_text(as_member.get("/people/"))


def test_a_search_that_finds_no_one_says_no_one_matches_it(as_member, workspace):
    ContactFactory(workspace=workspace, name="Pat Quinn")
    text = visible_text(as_member.get("/people/", {"q": "zebra"}))
    assert "No one matches “zebra”." in text
    assert "Clear the search and filter" in text
    assert "No one here yet" not in text


def test_a_stage_filter_that_finds_no_one_names_the_audience(as_member, workspace):
    ContactFactory(workspace=workspace, stage=Stage.PAST)
    text = visible_text(as_member.get("/people/?stage=lead"))
    assert "No one matches this filter in My People." in text


@pytest.mark.parametrize("view", ["table", "list"])
def test_empty_states_are_the_same_in_both_views(as_member, workspace, view):
    ContactFactory(workspace=workspace, name="Pat Quinn")
    assert "No one matches “zebra”." in visible_text(as_member.get(f"/people/?view={view}&q=zebra"))


# --- who is in each audience -----------------------------------------------------------------


@pytest.fixture
def cast(workspace, member):
    """One person in every situation, plus a stranger in another workspace."""
    other = MembershipFactory(workspace=workspace, user=UserFactory(first_name="Dana", last_name="Lee")).user
    return {
        "lead": ContactFactory(workspace=workspace, name="Lena Lead", stage=Stage.LEAD),
        "mine": ContactFactory(workspace=workspace, name="Mona Mine", stage=Stage.ACTIVE, assignee=member),
        "theirs": ContactFactory(workspace=workspace, name="Theo Theirs", stage=Stage.PAST, assignee=other),
        "no_stage": ContactFactory(workspace=workspace, name="Nora None", stage=Stage.NONE),
        "archived": ContactFactory(workspace=workspace, name="Arlo Archived", archived=True),
        "deleted": ContactFactory(workspace=workspace, name="Dora Deleted", deleted=True),
        "foreign": ContactFactory(name="Fred Foreign"),
    }


AUDIENCE_MEMBERS = {
    "my-people": {"lead", "mine", "theirs", "no_stage"},
    "archived": {"archived"},
    "deleted": {"deleted"},
    "stage-lead": {"lead"},
    "stage-potential": set(),
    "stage-active": {"mine"},
    "stage-past": {"theirs"},
    "stage-lost": set(),
    "stage-none": {"no_stage"},
    "assigned-to-me": {"mine"},
    "unassigned": {"lead", "no_stage"},
}


@pytest.mark.parametrize("slug, expected", AUDIENCE_MEMBERS.items())
@pytest.mark.parametrize("view", ["table", "list"])
def test_each_audience_shows_exactly_its_people_and_counts_them(as_member, cast, slug, expected, view):
    response = as_member.get(f"/people/?audience={slug}&view={view}")
    assert set(row_ids(response)) == {cast[key].pk for key in expected}
    n = len(expected)
    assert f"{n} {'person' if n == 1 else 'people'}" in visible_text(response)
    assert f'data-total="{n}"' in response.content.decode()


def test_archived_people_are_not_in_my_people(as_member, cast):
    text = visible_text(as_member.get("/people/"))
    assert "Arlo Archived" not in text and "Dora Deleted" not in text


@pytest.mark.parametrize("slug", [s for s in AUDIENCES if s != "deleted"])
def test_deleted_people_are_not_found_by_search_outside_recently_deleted(as_member, cast, slug):
    response = as_member.get("/people/", {"audience": slug, "q": "Dora"})
    assert row_ids(response) == []
    assert "Dora Deleted" not in visible_text(response)
    assert "0 people" in visible_text(response)


def test_recently_deleted_search_finds_deleted_people(as_member, cast):
    assert row_ids(as_member.get("/people/", {"audience": "deleted", "q": "dora"})) == [cast["deleted"].pk]


def test_people_deleted_longer_ago_than_the_retention_are_not_listed(as_member, workspace):
    kept = ContactFactory(workspace=workspace, deleted=True)
    old = ContactFactory(workspace=workspace, deleted=True)
    Contact.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    assert row_ids(as_member.get("/people/?audience=deleted")) == [kept.pk]


def test_other_workspaces_people_are_never_shown(as_member, workspace, other_workspace):
    ContactFactory(workspace=other_workspace, name="Fred Foreign")
    for slug in AUDIENCES:
        assert "Fred Foreign" not in visible_text(as_member.get(f"/people/?audience={slug}&q=Fred"))


def test_stage_audiences_use_the_workspace_labels(as_member, workspace):
    workspace.label_set = "real_estate"
    workspace.save()
    ContactFactory(workspace=workspace, name="Pat Quinn", stage=Stage.ACTIVE)
    text = visible_text(as_member.get("/people/?audience=stage-active"))
    assert "In Contract" in text and "Pat Quinn" in text


def test_the_audience_switcher_lists_every_audience(as_member, workspace):
    response = as_member.get("/people/?audience=archived")
    body = response.content.decode()
    assert re.search(
        r'class="audience-button"[^>]*><span class="audience-button-name">Archived People</span> <span class="caret" aria-hidden="true">▾</span></button>',
        body,
    )
    for slug in AUDIENCES:
        assert f'href="/people/?audience={slug}&view=table"' in body
    assert "Other Audiences" in visible_text(response)


def switcher_links(body: str) -> list[str]:
    nav = re.search(r'<nav id="audience-list".*?</nav>', body, re.S).group(0)
    return re.findall(r'href="(/people/\?audience=[^"]*)"', nav)


@pytest.mark.parametrize("view", ["table", "list"])
def test_switching_audience_keeps_the_current_view(as_member, workspace, view):
    """Issue 11.6: the switcher's links name the view the page is in (they said view=table)."""
    links = switcher_links(as_member.get(f"/people/?audience=archived&view={view}").content.decode())
    assert sorted(links) == sorted(f"/people/?audience={slug}&view={view}" for slug in AUDIENCES)


def test_switching_audience_from_an_open_person_goes_to_that_audiences_list(as_member, workspace):
    """From /people/<id>/ a relative "?audience=" link stayed on that person, whatever the audience."""
    pat = ContactFactory(workspace=workspace, name="Pat Quinn")
    links = switcher_links(as_member.get(f"/people/{pat.pk}/?audience=my-people&view=list").content.decode())
    assert "/people/?audience=archived&view=list" in links
    archived = as_member.get("/people/?audience=archived&view=list").content.decode()
    assert "<h1>Archived People</h1>" in archived and "people-region view-list" in archived
    assert 'id="person-name"' not in archived  # the list of that audience, not the person's page


def test_the_discovered_page_switches_to_the_remembered_view(as_member, workspace, member):
    as_member.get("/people/?view=list")
    links = switcher_links(as_member.get("/people/discovered/").content.decode())
    assert sorted(links) == sorted(f"/people/?audience={slug}" for slug in AUDIENCES)
    assert "people-region view-list" in as_member.get(links[0]).content.decode()


# --- the view switch ----------------------------------------------------------------------


def test_the_chosen_view_is_remembered(as_member, workspace, member):
    ContactFactory(workspace=workspace, name="Pat Quinn")
    as_member.get("/people/?view=list")
    response = as_member.get("/people/")
    assert 'class="people-list"' in response.content.decode()
    assert member.memberships.get().people_view == "list"
    as_member.get("/people/?view=table")
    assert 'class="people-table"' in as_member.get("/people/").content.decode()


def test_both_view_switch_links_are_offered(as_member, workspace):
    text = visible_text(as_member.get("/people/"))
    assert "Table View" in text and "List and Details View" in text


def test_the_list_view_shows_the_picked_persons_details_and_timeline(as_member, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", title="CTO", email="pat@example.org")
    TimelineEntryFactory(contact=person, kind="call", summary="Talked about the roof")
    response = as_member.get(f"/people/{person.pk}/?audience=my-people&view=list")
    text = visible_text(response)
    assert response.status_code == 200
    assert "pat@example.org" in text and "Talked about the roof" in text and "Back" in text


def test_the_details_fragment_is_returned_alone_for_htmx(as_member, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn")
    response = as_member.get(f"/people/{person.pk}/?audience=my-people&view=list", headers=HTMX_DETAILS)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="details"') and "<html" not in body
    assert "Pat Quinn" in body


def test_another_workspaces_person_is_not_found(as_member, workspace):
    foreign = ContactFactory(name="Fred Foreign")
    assert as_member.get(f"/people/{foreign.pk}/").status_code == 404


def test_in_recently_deleted_rows_open_a_read_only_pane(as_member, workspace):
    """Issue 13 (it used to say deleted people have no page): the row opens their pane, with Restore."""
    person = ContactFactory(workspace=workspace, name="Dora Deleted", deleted=True)
    for view in ("table", "list"):
        listing = as_member.get(f"/people/?audience=deleted&view={view}")
        assert "Dora Deleted" in visible_text(listing)
        assert f'href="/people/{person.pk}/?audience=deleted' in listing.content.decode()
    pane = as_member.get(f"/people/{person.pk}/?audience=deleted&view=list")
    assert pane.status_code == 200 and "/bulk/undelete/" in pane.content.decode()
    assert "/edit/" not in pane.content.decode()


# --- accessible names --------------------------------------------------------------------


@pytest.mark.parametrize("view", ["table", "list"])
def test_every_row_and_the_page_have_named_checkmarks(as_member, workspace, view):
    ContactFactory(workspace=workspace, name="Pat Quinn")
    ContactFactory(workspace=workspace, name="Sam Other")
    body = as_member.get(f"/people/?view={view}").content.decode()
    assert 'aria-label="Select Pat Quinn"' in body
    assert 'aria-label="Select Sam Other"' in body
    assert body.count('aria-label="Select all on this page"') == 1


def test_the_bulk_button_starts_with_nothing_selected(as_member, workspace):
    ContactFactory(workspace=workspace)
    body = as_member.get("/people/").content.decode()
    assert 'aria-label="Bulk actions, 0 selected"' in body
    assert 'role="menu" aria-label="Bulk Actions"' in body


def test_the_select_all_banner_offers_the_total(as_member, workspace):
    ContactFactory.create_batch(60, workspace=workspace)
    assert "Select all 60 people" in visible_text(as_member.get("/people/"))


def test_the_status_region_is_a_polite_live_region(as_member, workspace):
    body = as_member.get("/people/").content.decode()
    assert '<div id="status" class="status" role="status" aria-live="polite">' in body


MENUS = {
    "my-people": ["Archive", "Change stage", "Remove assignee"],
    "stage-lead": ["Archive", "Change stage", "Remove assignee"],
    "stage-none": ["Archive", "Change stage", "Remove assignee"],
    "assigned-to-me": ["Archive", "Change stage", "Remove assignee"],
    "unassigned": ["Archive", "Change stage", "Remove assignee"],
    "archived": ["Restore", "Delete"],
    "deleted": ["Restore", "Delete forever"],
}


@pytest.mark.parametrize("user_fixture", ["admin_user", "manager"])
@pytest.mark.parametrize("slug, items", MENUS.items())
def test_the_bulk_menu_offers_each_audiences_actions(client, request, user_fixture, slug, items):
    client.force_login(request.getfixturevalue(user_fixture))
    assert menu_items(client.get(f"/people/?audience={slug}")) == items


def menu_buttons(response) -> dict[str, str]:
    """Each Bulk Actions menu item's accessible name (its aria-labelledby text, else its text) and its opening tag."""
    body = response.content.decode()
    bulk_menu = body[body.index('id="bulk-menu"') :]  # not the header's menus, which come before it
    found = {}
    for tag, inner in re.findall(r'(<button[^>]*role="menuitem"[^>]*>)(.*?)</button>', bulk_menu, re.S):
        label = re.search(r'aria-labelledby="([^"]+)"', tag)
        if label:
            inner = re.search(rf'id="{label.group(1)}"[^>]*>(.*?)<', body, re.S).group(1)
        found[html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()] = tag
    return found


@pytest.mark.parametrize(
    "slug, enabled, disabled",
    [
        ("my-people", ["Archive", "Change stage", "Remove assignee"], []),
        ("archived", ["Restore"], ["Delete"]),
        ("deleted", ["Restore"], ["Delete forever"]),
    ],
)
def test_members_see_delete_and_delete_forever_disabled_with_the_reason(as_member, slug, enabled, disabled):
    response = as_member.get(f"/people/?audience={slug}")
    buttons = menu_buttons(response)
    assert list(buttons) == enabled + disabled
    for name in enabled:
        assert 'hx-post="/bulk/' in buttons[name] and "aria-disabled" not in buttons[name]
    for name in disabled:
        tag = buttons[name]
        assert 'aria-disabled="true"' in tag and "hx-post" not in tag and "hx-get" not in tag
        note = re.search(r'aria-describedby="([^"]+)"', tag).group(1)
        assert re.search(rf'id="{note}"[^>]*>Only admins and managers can delete<', response.content.decode())


def test_menu_items_open_their_dialog(as_admin):
    body = as_admin.get("/people/?audience=deleted").content.decode()
    assert 'hx-post="/bulk/undelete/dialog/"' in body and 'hx-post="/bulk/purge/dialog/"' in body
    assert "aria-disabled" not in body


# --- escaping --------------------------------------------------------------------------------

NASTY_NAME = '<img src=x onerror="alert(1)">Eve'
NASTY_COMPANY = "<script>alert('co')</script>"


def assert_escaped(response):
    body = response.content.decode()
    assert "<img src=x" not in body
    assert "<script>alert(" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Eve" in body


@pytest.mark.parametrize("view", ["table", "list"])
def test_html_in_a_name_or_company_is_shown_as_text_in_both_views(as_member, workspace, view):
    ContactFactory(workspace=workspace, name=NASTY_NAME, company=NASTY_COMPANY)
    response = as_member.get(f"/people/?view={view}")
    assert_escaped(response)
    assert "&lt;script&gt;alert(&#x27;co&#x27;)&lt;/script&gt;" in response.content.decode()
    assert 'aria-label="Select &lt;img src=x onerror=&quot;alert(1)&quot;&gt;Eve"' in response.content.decode()


def test_html_in_a_name_or_company_is_shown_as_text_in_the_details(as_member, workspace):
    person = ContactFactory(workspace=workspace, name=NASTY_NAME, company=NASTY_COMPANY, title="<b>Boss</b>")
    TimelineEntryFactory(contact=person, summary="<iframe src=evil>")
    response = as_member.get(f"/people/{person.pk}/?view=list")
    assert_escaped(response)
    assert "<b>Boss</b>" not in response.content.decode()
    assert "<iframe" not in response.content.decode()


def test_html_in_a_search_is_shown_as_text(as_member, workspace):
    body = as_member.get("/people/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "No one matches “&lt;script&gt;alert(1)&lt;/script&gt;”." in body


def test_html_in_a_name_is_shown_as_text_in_the_dialog(as_member, workspace):
    person = ContactFactory(workspace=workspace, name=NASTY_NAME, stage=Stage.ACTIVE)
    for headers in (HTMX, {}):
        response = as_member.get(
            "/bulk/archive/", {"audience": "my-people", "selection": "ids", "ids": str(person.pk)}, headers=headers
        )
        assert response.status_code == 200
        assert_escaped(response)


# --- cost ----------------------------------------------------------------------------------


def queries_for_page(client, url, headers=None) -> int:
    client.get(url, headers=headers or {})  # warm up: session, remembered view
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return len(queries)


def add_people(workspace, n):
    """In every audience, each with their own assignee or archiver, so a missing select_related shows per row."""
    for _ in range(n):
        ContactFactory(workspace=workspace, assigned=True, stage=Stage.LEAD, last_touch_at=timezone.now())
        ContactFactory(workspace=workspace, archived=True, archived_by=UserFactory())
        ContactFactory(workspace=workspace, deleted=True, archived_by=UserFactory(), deleted_by=UserFactory())


@pytest.mark.parametrize(
    "url",
    [
        "/people/?view=table",
        "/people/?view=list",
        "/people/?view=table&sort=assignee",
        "/people/?view=table&sort=-last_touch_at&q=e",
        "/people/?audience=stage-lead&view=table",
        "/people/?audience=archived&view=table",
        "/people/?audience=archived&view=list",
        "/people/?audience=deleted&view=table",
        "/people/?audience=deleted&view=list",
    ],
)
@pytest.mark.parametrize("headers", [None, HTMX_REGION])
def test_the_people_page_costs_the_same_queries_for_ten_or_a_hundred_and_twenty_people(
    as_member, workspace, url, headers
):
    add_people(workspace, 10)
    few = queries_for_page(as_member, url, headers)
    add_people(workspace, 110)
    many = queries_for_page(as_member, url, headers)
    assert few == many


def test_the_details_cost_the_same_queries_whatever_the_timeline_length(as_member, workspace):
    short = ContactFactory(workspace=workspace, assigned=True, archived_by=None)
    long = ContactFactory(workspace=workspace, assigned=True)
    for person, n in ((short, 5), (long, 60)):
        for _ in range(n):
            TimelineEntryFactory(contact=person, actor=MembershipFactory(workspace=workspace).user)
    add_people(workspace, 20)
    url = "/people/{}/?audience=my-people&view=list"
    assert queries_for_page(as_member, url.format(short.pk)) == queries_for_page(as_member, url.format(long.pk))
    # The timeline is paged: the latest 20 entries, then "Older".
    text = visible_text(as_member.get(url.format(long.pk)))
    assert text.count("Email ·") == 20
    assert "1–20 of 60" in text and "Older" in text
