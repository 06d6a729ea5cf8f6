"""List and Details View (issue 5): switching views keeps the selection, the details pane and its
timeline, archiving from the pane, the phone layout with Back, and arrow keys through the list."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Contact, Stage
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    PHONE,
    bulk_button,
    choose,
    confirm,
    console_errors,
    dialog,
    open_people,
    row,
    status,
    switch_audience,
    switch_view,
    tick,
)
from tests.factories import ContactFactory, TimelineEntryFactory


def person_link(page, name):
    """A person's link in the list; its name also carries the company and the stage chip."""
    return page.get_by_role("list").get_by_role("link", name=re.compile(rf"^{re.escape(name)}\b"))


def details(page):
    return page.get_by_role("region", name="Details")


def expect_details_of(page, name):
    expect(details(page).get_by_role("heading", name=name, level=2, exact=True)).to_be_visible()
    # htmx binds the pane's controls (the Stage and Assignee forms' change trigger) when the swap
    # settles, a moment after the heading shows: a change made before that would send nothing.
    expect(page.locator("#details")).not_to_have_class(re.compile(r"\bhtmx-(swapping|settling)\b"))


@pytest.fixture
def people(workspace):
    grace = ContactFactory(workspace=workspace, name="Grace Hopper", company="Navy", stage=Stage.PAST)
    TimelineEntryFactory(contact=grace, kind="email", summary="Lunch next week")
    TimelineEntryFactory(contact=grace, kind="call", summary="Talked about compilers")
    ContactFactory(workspace=workspace, name="Hal Hint", stage=Stage.LEAD)
    ContactFactory(workspace=workspace, name="Ida Ink", stage=Stage.LOST)
    ContactFactory(workspace=workspace, name="Jon Jot", stage=Stage.PAST)
    return ["Grace Hopper", "Hal Hint", "Ida Ink", "Jon Jot"]


def test_switching_views_keeps_the_selection(logged_in_page, live_server, workspace, people):
    page = open_people(logged_in_page, live_server, view="table")
    tick(page, "Grace Hopper", "Hal Hint")
    expect(bulk_button(page, 2)).to_be_visible()

    switch_view(page, "List and Details View")
    expect(page.get_by_role("table")).to_have_count(0)
    expect(row(page, "Grace Hopper")).to_be_checked()
    expect(row(page, "Hal Hint")).to_be_checked()
    expect(row(page, "Ida Ink")).not_to_be_checked()
    expect(bulk_button(page, 2)).to_be_visible()
    tick(page, "Ida Ink")
    expect(bulk_button(page, 3)).to_be_visible()

    switch_view(page, "Table View")
    expect(page.get_by_role("table")).to_be_visible()
    for name in ("Grace Hopper", "Hal Hint", "Ida Ink"):
        expect(row(page, name)).to_be_checked()
    expect(row(page, "Jon Jot")).not_to_be_checked()
    expect(bulk_button(page, 3)).to_be_visible()

    # The view is remembered: the plain address shows the last one chosen.
    switch_view(page, "List and Details View")
    page.goto(live_server.url + "/people/")
    expect(page.get_by_role("link", name="List and Details View")).to_have_attribute("aria-current", "true")


def test_open_a_person_and_see_their_timeline(logged_in_page, live_server, workspace, people):
    page = open_people(logged_in_page, live_server, view="list")
    expect(details(page)).to_contain_text("Pick a person")
    person_link(page, "Grace Hopper").click()
    expect_details_of(page, "Grace Hopper")
    expect(person_link(page, "Grace Hopper")).to_have_attribute("aria-current", "true")
    timeline = details(page).get_by_role("list", name="Timeline of Grace Hopper")
    expect(timeline.get_by_role("listitem")).to_have_count(2)
    expect(timeline).to_contain_text("Lunch next week")
    expect(timeline).to_contain_text("Talked about compilers")
    expect(page).to_have_url(re.compile(r"/people/\d+/"))

    # The address opens the same person (reload / shared link).
    page.reload()
    expect_details_of(page, "Grace Hopper")


def expect_archived_in_timeline(page, name):
    """Open `name` in Archived People (List and Details View) and check the Archived entry."""
    switch_audience(page, "Archived People")
    expect(page.get_by_role("link", name="List and Details View")).to_have_attribute("aria-current", "true")
    person_link(page, name).click()
    expect_details_of(page, name)
    expect(details(page)).to_contain_text("archived by Ada Admin")
    timeline = details(page).get_by_role("list", name=f"Timeline of {name}")
    archived = timeline.get_by_role("listitem").filter(has_text=re.compile(r"^Archived"))
    expect(archived).to_have_count(1)
    expect(archived).to_contain_text("Ada Admin")
    # In the archive the pane offers Restore and Delete, not Archive.
    expect(details(page).get_by_role("button", name="Restore")).to_be_visible()
    expect(details(page).get_by_role("button", name="Archive", exact=True)).to_have_count(0)
    return timeline


def test_archive_from_the_details_pane(logged_in_page, live_server, workspace, people):
    page = open_people(logged_in_page, live_server, view="list")
    person_link(page, "Grace Hopper").click()
    expect_details_of(page, "Grace Hopper")
    details(page).get_by_role("button", name="Archive", exact=True).click()
    box = dialog(page, "Archive 1 person?")
    expect(box).to_be_visible()
    confirm(box, "Archive 1 person")
    expect(status(page)).to_contain_text("1 person archived")
    expect(person_link(page, "Grace Hopper")).to_have_count(0)
    assert Contact.objects.get(name="Grace Hopper").archived_at is not None
    timeline = expect_archived_in_timeline(page, "Grace Hopper")
    expect(timeline).to_contain_text("Lunch next week")


def test_archive_in_list_view_then_open_them_in_archived_people(logged_in_page, live_server, workspace, people):
    """The same as archiving from the pane, through the list's checkmark and the bulk menu."""
    page = open_people(logged_in_page, live_server, view="list")
    person_link(page, "Grace Hopper").click()
    expect_details_of(page, "Grace Hopper")
    tick(page, "Grace Hopper")
    box = choose(page, "Archive", "Archive 1 person?", selected=1)
    confirm(box, "Archive 1 person")
    expect(status(page)).to_contain_text("1 person archived")
    expect(person_link(page, "Grace Hopper")).to_have_count(0)
    assert Contact.objects.get(name="Grace Hopper").archived_at is not None
    timeline = expect_archived_in_timeline(page, "Grace Hopper")
    expect(timeline).to_contain_text("Lunch next week")  # archiving kept the history


def test_phone_details_full_screen_with_back(logged_in_page, live_server, workspace, people, screenshot):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    open_people(page, live_server, view="list")
    screenshot(page, "list-375")
    back = details(page).get_by_role("link", name="Back")
    expect(back).to_have_count(0)  # no one open yet
    expect(details(page)).to_be_hidden()

    person_link(page, "Grace Hopper").click()
    expect_details_of(page, "Grace Hopper")
    expect(back).to_be_visible()
    # Full screen: the list is out of the way.
    expect(person_link(page, "Hal Hint")).to_be_hidden()
    # The audience heading stays as the page's one h1 (axe: page-has-heading-one); the list goes.
    expect(page.get_by_role("heading", name="My People", level=1)).to_be_visible()
    box = details(page).bounding_box()
    assert box is not None and box["width"] >= PHONE["width"] - 40
    no_sideways_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways_scroll
    screenshot(page, "list-details-375")

    back.click()
    expect(person_link(page, "Hal Hint")).to_be_visible()
    expect(page.get_by_role("heading", name="My People", level=1)).to_be_visible()
    expect(details(page)).to_be_hidden()


def test_arrow_down_opens_the_next_person(logged_in_page, live_server, workspace, people):
    page = open_people(logged_in_page, live_server, view="list")
    first = person_link(page, "Grace Hopper")
    first.focus()
    page.keyboard.press("Enter")
    expect_details_of(page, "Grace Hopper")
    first.focus()  # keep the focus in the list (the link keeps it after Enter in most browsers)
    page.keyboard.press("ArrowDown")
    expect_details_of(page, "Hal Hint")
    expect(person_link(page, "Hal Hint")).to_be_focused()
    expect(person_link(page, "Hal Hint")).to_have_attribute("aria-current", "true")
    page.keyboard.press("ArrowDown")
    expect_details_of(page, "Ida Ink")
    page.keyboard.press("ArrowUp")
    expect_details_of(page, "Hal Hint")
    expect(page).to_have_url(re.compile(r"/people/\d+/"))


def test_arrow_down_from_a_focused_link_before_anyone_is_open(logged_in_page, live_server, workspace, people):
    page = open_people(logged_in_page, live_server, view="list")
    person_link(page, "Hal Hint").focus()
    page.keyboard.press("ArrowDown")
    expect_details_of(page, "Ida Ink")


def test_switching_audience_keeps_the_list_view(logged_in_page, live_server, workspace, people):
    """Issue 11.6: the switcher went to Table View whatever view you were in."""
    ContactFactory(workspace=workspace, name="Kim Kept", archived=True)
    page = open_people(logged_in_page, live_server, view="list")
    switch_audience(page, "Archived People")
    expect(page).to_have_url(re.compile(r"/people/\?audience=archived&view=list$"))
    expect(page.get_by_role("link", name="List and Details View")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("table")).to_have_count(0)
    expect(person_link(page, "Kim Kept")).to_be_visible()


def test_older_and_newer_page_through_the_timeline(logged_in_page, live_server, workspace):
    """Issue 11.9: the timeline's Older and Newer links were empty (href="")."""
    from django.utils import timezone

    pat = ContactFactory(workspace=workspace, name="Pat Paged")
    start = timezone.now() - timezone.timedelta(days=30)
    for n in range(24):  # Entry 23 is the newest
        TimelineEntryFactory(contact=pat, summary=f"Entry {n:02}", at=start + timezone.timedelta(hours=n))
    page = open_people(logged_in_page, live_server, view="list")
    person_link(page, "Pat Paged").click()
    timeline = details(page).get_by_role("list", name="Timeline of Pat Paged")
    pages = details(page).get_by_role("navigation", name="Timeline pages")
    expect(timeline.get_by_role("listitem")).to_have_count(20)
    expect(timeline.get_by_role("listitem").first).to_contain_text("Entry 23")
    expect(pages.get_by_role("link", name="Newer")).to_have_count(0)

    pages.get_by_role("link", name="Older").click()
    expect(pages).to_contain_text("21–24 of 24")
    expect(timeline.get_by_role("listitem")).to_have_count(4)
    expect(timeline.get_by_role("listitem").first).to_contain_text("Entry 03")
    expect(timeline.get_by_role("listitem").last).to_contain_text("Entry 00")
    expect_details_of(page, "Pat Paged")
    expect(page.get_by_role("banner")).to_be_visible()  # the pane was swapped, not the page replaced

    pages.get_by_role("link", name="Newer").click()
    expect(pages).to_contain_text("1–20 of 24")
    expect(timeline.get_by_role("listitem").first).to_contain_text("Entry 23")


@pytest.mark.parametrize("width", ["1280", "375"])
def test_editing_stage_and_assignee_in_the_pane_keeps_the_person_open(
    logged_in_page, live_server, workspace, people, width
):
    """Issue 11.5: a change in the pane went back to "Pick a person", with no message."""
    from tests.browser.flows import WIDTHS

    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    open_people(page, live_server, view="list")
    person_link(page, "Grace Hopper").click()
    expect_details_of(page, "Grace Hopper")
    address = page.url
    stage = details(page).get_by_role("combobox", name="Stage")
    assignee = details(page).get_by_role("combobox", name="Assignee")

    def expect_row(text):
        """The row in the list (on a phone, after the pane's Back) shows the change too."""
        if width == "375":
            details(page).get_by_role("link", name="Back").click()
        expect(person_link(page, "Grace Hopper")).to_contain_text(text)
        if width == "375":
            person_link(page, "Grace Hopper").click()
        expect_details_of(page, "Grace Hopper")

    stage.select_option(label="Active")
    expect(status(page)).to_contain_text("Grace Hopper moved to Active")
    expect_details_of(page, "Grace Hopper")
    expect(stage).to_have_value("active")
    expect(details(page).get_by_role("list", name="Timeline of Grace Hopper")).to_contain_text("Stage set to Active")
    expect(details(page)).not_to_contain_text("Pick a person")
    assert page.url == address
    assert Contact.objects.get(name="Grace Hopper").stage == Stage.ACTIVE
    expect_row("Active")

    status(page).get_by_role("button", name="Undo").click()
    expect(status(page)).to_contain_text("Undone")
    expect(stage).to_have_value("past")
    expect_details_of(page, "Grace Hopper")
    assert Contact.objects.get(name="Grace Hopper").stage == Stage.PAST
    expect_row("Past")

    assignee.select_option(label="Ada Admin")
    expect(status(page)).to_contain_text("Grace Hopper assigned to Ada Admin")
    expect(assignee).to_have_value(str(Contact.objects.get(name="Grace Hopper").assignee_id))
    expect_details_of(page, "Grace Hopper")
    assert Contact.objects.get(name="Grace Hopper").assignee.username == "ada"

    status(page).get_by_role("button", name="Undo").click()
    expect(status(page)).to_contain_text("Undone")
    expect(assignee).to_have_value("")
    expect_details_of(page, "Grace Hopper")
    assert Contact.objects.get(name="Grace Hopper").assignee is None


def test_deleting_the_open_person_from_the_pane_shows_the_list_at_its_own_address(
    logged_in_page, live_server, workspace
):
    """The list redraws at the address, which named the person who is now in Recently Deleted."""
    ContactFactory(workspace=workspace, name="Kim Kept", archived=True)
    ContactFactory(workspace=workspace, name="Lou Left", archived=True)
    page = open_people(logged_in_page, live_server, audience="archived", view="list")
    person_link(page, "Lou Left").click()
    expect_details_of(page, "Lou Left")
    details(page).get_by_role("button", name="Delete", exact=True).click()
    confirm(dialog(page, "Delete 1 person?"), "Delete 1 person")
    expect(status(page)).to_contain_text("1 person moved to Recently Deleted")
    expect(person_link(page, "Lou Left")).to_have_count(0)
    expect(person_link(page, "Kim Kept")).to_be_visible()
    expect(details(page)).to_contain_text("Pick a person")
    expect(page).to_have_url(re.compile(r"/people/\?audience=archived&view=list$"))
    assert Contact.objects.get(name="Lou Left").deleted_at is not None


def test_a_person_opened_from_a_filtered_list_keeps_the_filter_after_reload_and_back(
    logged_in_page, live_server, workspace, people
):
    """QA walk-through: opening a person dropped q and stage from the address, the Back link and Up/Down."""
    ContactFactory(workspace=workspace, name="Kim Willow", stage=Stage.PAST)
    ContactFactory(workspace=workspace, name="Lee Willow", stage=Stage.PAST)
    ContactFactory(workspace=workspace, name="Max Willow", stage=Stage.LEAD)
    page = open_people(logged_in_page, live_server, view="table")
    page.get_by_role("searchbox", name="Search people").fill("willow")
    page.get_by_label("Stage", exact=True).select_option(label="Past")
    page.get_by_role("searchbox", name="Search people").press("Enter")  # live anyway; Enter too
    expect(row(page, "Max Willow")).to_have_count(0)
    expect(row(page, "Grace Hopper")).to_have_count(0)

    page.get_by_role("table").get_by_role("link", name="Kim Willow").click()
    expect_details_of(page, "Kim Willow")
    expect(page).to_have_url(re.compile(r"q=willow.*stage=past|stage=past.*q=willow"))
    page.reload()
    expect_details_of(page, "Kim Willow")
    expect(row(page, "Lee Willow")).to_be_visible()
    for hidden in ("Max Willow", "Grace Hopper", "Jon Jot"):
        expect(row(page, hidden)).to_have_count(0)

    # Down moves to the next person of the filtered list, and the address still carries the filter.
    person_link(page, "Kim Willow").focus()
    page.keyboard.press("ArrowDown")
    expect_details_of(page, "Lee Willow")
    page.reload()
    expect(row(page, "Max Willow")).to_have_count(0)

    # The pane's Back (shown on phones) goes back to the filtered list.
    back = page.locator("#details a.back-link")
    expect(back).to_have_attribute("href", re.compile(r"q=willow.*stage=past|stage=past.*q=willow"))
    page.goto(live_server.url + back.get_attribute("href"))
    expect(row(page, "Kim Willow")).to_be_visible()
    for hidden in ("Max Willow", "Grace Hopper", "Jon Jot"):
        expect(row(page, hidden)).to_have_count(0)
