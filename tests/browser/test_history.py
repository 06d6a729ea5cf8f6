"""Back and Forward (issue 11.4): after sort, page, search, opening a person, an action and Undo, and
after leaving for a full page (another audience, the suppressions page), every history step lands on a
whole, styled page, never the bare `#people-region` fragment the browser cached from an htmx request."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Contact, Stage
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    audience_button,
    bulk_button,
    choose,
    confirm,
    console_errors,
    go_to_suppressions,
    open_people,
    row,
    status,
    switch_audience,
    tick,
)
from tests.factories import ContactFactory


@pytest.fixture
def crowd(workspace):
    """Sixty people, so there is a second page; Abe sorts first by name and last by name descending."""
    ContactFactory(workspace=workspace, name="Abe Able", company="Aardvark", stage=Stage.PAST)
    ContactFactory(workspace=workspace, name="Zoe Zeal", company="Zenith", stage=Stage.PAST)
    for n in range(58):
        ContactFactory(workspace=workspace, name=f"Mid Person {n:02}", company="Middling", stage=Stage.PAST)


def expect_whole_page(page, audience="My People"):
    """The full document: the header landmark, the stylesheet applied, the audience switcher."""
    expect(page.get_by_role("banner")).to_be_visible()
    expect(audience_button(page, audience)).to_be_visible()
    expect(page.get_by_role("heading", name=audience, level=1)).to_be_visible()
    expect(page.locator("head link[rel=stylesheet][href*='css/app']")).to_have_count(1)  # others may follow it
    # app.css makes the header sticky; an unstyled fragment has no header at all.
    expect(page.locator("header.app-header")).to_have_css("position", "sticky")
    expect(page.locator("#people-region")).to_have_count(1)


def leave_and_come_back(page, away: str):
    """Leave with a full page load, then Back and Forward."""
    here = page.url
    if away == "audience":
        switch_audience(page, "Archived People")
        expect_whole_page(page, "Archived People")
    else:
        go_to_suppressions(page)
    there = page.url
    page.go_back()
    expect(page).to_have_url(here)
    expect_whole_page(page)
    page.go_forward()
    expect(page).to_have_url(there)
    expect(page.get_by_role("banner")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(here)
    expect_whole_page(page)


def sort_by_name_descending(page):
    # The table starts sorted by name; its header link toggles to descending.
    page.get_by_role("table").get_by_role("link", name=re.compile(r"^Name")).click()
    expect(page).to_have_url(re.compile(r"sort=-name"))
    expect(page.get_by_role("row").nth(1)).to_contain_text("Zoe Zeal")


@pytest.mark.parametrize("away", ["audience", "suppressions"])
def test_back_after_sorting_shows_the_whole_sorted_page(logged_in_page, live_server, crowd, away):
    page = open_people(logged_in_page, live_server)
    sort_by_name_descending(page)
    leave_and_come_back(page, away)
    expect(page.get_by_role("row").nth(1)).to_contain_text("Zoe Zeal")


def test_back_and_forward_through_htmx_steps_show_whole_pages(logged_in_page, live_server, crowd):
    page = open_people(logged_in_page, live_server)
    first = page.url
    sort_by_name_descending(page)
    sorted_url = page.url
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()

    # Within one document htmx restores each step from the server: check the step, then the page.
    page.go_back()
    expect(page).to_have_url(sorted_url)
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    expect(page.get_by_role("row").nth(1)).to_contain_text("Zoe Zeal")
    expect_whole_page(page)
    page.go_back()
    expect(page).to_have_url(first)
    expect(page.get_by_role("row").nth(1)).to_contain_text("Abe Able")
    expect_whole_page(page)
    page.go_forward()
    expect(page).to_have_url(sorted_url)
    expect(page.get_by_role("row").nth(1)).to_contain_text("Zoe Zeal")
    expect_whole_page(page)
    page.go_forward()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect_whole_page(page)


@pytest.mark.parametrize("away", ["audience", "suppressions"])
def test_back_after_paging_shows_the_whole_second_page(logged_in_page, live_server, crowd, away):
    page = open_people(logged_in_page, live_server)
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    leave_and_come_back(page, away)
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()


@pytest.mark.parametrize("away", ["audience", "suppressions"])
def test_back_after_searching_shows_the_whole_search(logged_in_page, live_server, crowd, away):
    page = open_people(logged_in_page, live_server)
    page.get_by_role("searchbox", name="Search people").fill("Zeal")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=Zeal"))
    expect(row(page, "Abe Able")).to_have_count(0)
    leave_and_come_back(page, away)
    expect(row(page, "Zoe Zeal")).to_be_visible()
    expect(row(page, "Abe Able")).to_have_count(0)
    expect(page.get_by_role("searchbox", name="Search people")).to_have_value("Zeal")


@pytest.mark.parametrize("away", ["audience", "suppressions"])
def test_back_after_opening_a_person_shows_the_whole_page_with_them(logged_in_page, live_server, crowd, away):
    page = open_people(logged_in_page, live_server, view="list")
    page.get_by_role("list").get_by_role("link", name=re.compile(r"^Abe Able\b")).click()
    details = page.get_by_role("region", name="Details")
    expect(details.get_by_role("heading", name="Abe Able", level=2)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/people/\d+/"))
    leave_and_come_back(page, away)
    expect(details.get_by_role("heading", name="Abe Able", level=2)).to_be_visible()


def archive_abe(page):
    tick(page, "Abe Able")
    confirm(choose(page, "Archive", "Archive 1 person?", selected=1), "Archive 1 person")
    expect(status(page)).to_contain_text("1 person archived")
    expect(row(page, "Abe Able")).to_have_count(0)


@pytest.mark.parametrize("away", ["audience", "suppressions"])
def test_back_after_an_action_shows_the_whole_page(logged_in_page, live_server, crowd, away):
    page = open_people(logged_in_page, live_server)
    archive_abe(page)
    leave_and_come_back(page, away)
    expect(row(page, "Abe Able")).to_have_count(0)
    expect(row(page, "Mid Person 00")).to_be_visible()


@pytest.mark.parametrize("away", ["audience", "suppressions"])
def test_back_after_an_action_and_undo_shows_the_whole_page(logged_in_page, live_server, crowd, away):
    page = open_people(logged_in_page, live_server)
    archive_abe(page)
    status(page).get_by_role("button", name="Undo").click()
    expect(status(page)).to_contain_text("Undone")
    expect(row(page, "Abe Able")).to_be_visible()
    assert Contact.objects.get(name="Abe Able").archived_at is None
    expect(bulk_button(page)).to_be_hidden()
    leave_and_come_back(page, away)
    expect(row(page, "Abe Able")).to_be_visible()


def test_back_and_forward_between_people_in_list_view_show_whole_pages(logged_in_page, live_server, crowd):
    page = open_people(logged_in_page, live_server, view="list")
    details = page.get_by_role("region", name="Details")
    people = page.get_by_role("list").first
    people.get_by_role("link", name=re.compile(r"^Abe Able\b")).click()
    expect(details.get_by_role("heading", name="Abe Able", level=2)).to_be_visible()
    people.get_by_role("link", name=re.compile(r"^Mid Person 00\b")).click()
    expect(details.get_by_role("heading", name="Mid Person 00", level=2)).to_be_visible()

    page.go_back()
    expect(details.get_by_role("heading", name="Abe Able", level=2)).to_be_visible()
    expect_whole_page(page)
    page.go_back()
    expect(details).to_contain_text("Pick a person")
    expect_whole_page(page)
    page.go_forward()
    expect(details.get_by_role("heading", name="Abe Able", level=2)).to_be_visible()
    expect_whole_page(page)
