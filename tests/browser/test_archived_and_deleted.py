"""Archived People and Recently Deleted (issue 4): delete only from the archive, the sync warning and
"Don't re-create from sync", restore, delete forever, roles, and typing the count, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Contact, Stage
from sync.models import Suppression
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    bulk_menu,
    choose,
    confirm,
    console_errors,
    expect_names,
    go_to_suppressions,
    open_menu,
    open_people,
    page_checkbox,
    row,
    status,
    switch_audience,
    tick,
)
from tests.factories import ContactFactory, TimelineEntryFactory

# "2 people moved to Recently Deleted" (earlier wording: "2 people deleted · in Recently Deleted").
DELETED = r"^{n} people (moved to|deleted · in) Recently Deleted"


def where(name):
    """Which audience a person is in, from the database."""
    person = Contact.objects.filter(name=name).first()
    if person is None:
        return "purged"
    if person.deleted_at:
        return "deleted"
    return "archived" if person.archived_at else "my-people"


def search(page, text):
    page.get_by_role("searchbox", name="Search people").fill(text)
    expect(page).to_have_url(re.compile(r"q=" + re.escape(text.split()[0])))


def test_archive_then_delete_with_the_sync_warning(logged_in_page, live_server, workspace):
    ann = ContactFactory(workspace=workspace, name="Ann Email", email="ann@example.com", stage=Stage.PAST)
    TimelineEntryFactory(contact=ann, kind="email", summary="Re: the quote")
    ContactFactory(workspace=workspace, name="Bob Quiet", email="bob@example.com", stage=Stage.LOST)
    ContactFactory(workspace=workspace, name="Cid Stays", stage=Stage.PAST)
    page = open_people(logged_in_page, live_server)

    tick(page, "Ann Email", "Bob Quiet")
    menu = open_menu(page, 2)
    expect(menu.get_by_role("menuitem", name="Delete")).to_have_count(0)  # only from the archive
    menu.get_by_role("menuitem", name="Archive").click()
    expect(page.get_by_role("alertdialog", name="Archive 2 people?")).to_be_visible()
    confirm(page.get_by_role("alertdialog", name="Archive 2 people?"), "Archive 2 people")
    expect(status(page)).to_contain_text("2 people archived")

    switch_audience(page, "Archived People")
    expect(page.get_by_role("columnheader", name="Archived")).to_be_visible()
    tick(page, "Ann Email", "Bob Quiet")
    menu = open_menu(page, 2)
    expect(menu.get_by_role("menuitem")).to_have_text(["Restore", "Delete"])
    menu.get_by_role("menuitem", name="Delete", exact=True).click()
    box = page.get_by_role("alertdialog", name="Delete 2 people?")
    expect(box).to_be_visible()
    expect(box).to_contain_text("Recently Deleted for 30 days")
    expect(box).to_contain_text(
        "1 of them has email or phone activity and may be re-created by sync if you keep interacting with them."
    )
    expect(box.get_by_role("textbox")).to_have_count(0)  # 2 is not more than 20: no typing
    box.get_by_role("checkbox", name="Don't re-create from sync").check()
    confirm(box, "Delete 2 people")
    expect(status(page)).to_contain_text(re.compile(DELETED.format(n=2)))
    expect_names(page, absent=["Ann Email", "Bob Quiet"])
    expect(page.get_by_text("No one is archived.")).to_be_visible()

    assert where("Ann Email") == where("Bob Quiet") == "deleted"
    assert set(Suppression.objects.filter(workspace=workspace).values_list("value", flat=True)) == {
        "ann@example.com",
        "bob@example.com",
    }

    # Nowhere else: not in search in Archived People, nor in My People, but in Recently Deleted.
    search(page, "Ann Email")
    expect(page.get_by_text("No one matches “Ann Email”")).to_be_visible()
    switch_audience(page, "My People", current="Archived People")
    expect_names(page, present=["Cid Stays"], absent=["Ann Email", "Bob Quiet"])
    search(page, "Ann Email")
    expect(page.get_by_text("No one matches “Ann Email”")).to_be_visible()
    switch_audience(page, "Recently Deleted")
    expect(page.get_by_role("columnheader", name="Deleted")).to_be_visible()
    expect_names(page, present=["Ann Email", "Bob Quiet"], absent=["Cid Stays"])
    expect(page.get_by_role("row", name=re.compile("Ann Email"))).to_contain_text("by Ada Admin")

    # The suppressions page lists the addresses (a suppression keeps nothing else), and whose they
    # were while that person is still here, in Recently Deleted (issue 13).
    go_to_suppressions(page)
    expect(page.get_by_role("cell", name="ann@example.com", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("ann@example.com"))).to_contain_text("Ann Email (Recently Deleted)")


def test_restore_from_recently_deleted(logged_in_page, live_server, workspace):
    ContactFactory(workspace=workspace, name="Rita Restore", deleted=True)
    ContactFactory(workspace=workspace, name="Dan Deleted", deleted=True)
    page = open_people(logged_in_page, live_server, audience="deleted")
    tick(page, "Rita Restore")
    menu = open_menu(page, 1)
    expect(menu.get_by_role("menuitem")).to_have_text(["Restore", "Delete forever"])
    menu.get_by_role("menuitem", name="Restore").click()
    box = page.get_by_role("alertdialog", name="Restore 1 person?")
    expect(box).to_be_visible()
    expect(box).to_contain_text("They go back to Archived People")
    confirm(box, "Restore 1 person")
    expect(status(page)).to_contain_text("1 person restored to Archived People")
    expect_names(page, present=["Dan Deleted"], absent=["Rita Restore"])
    assert where("Rita Restore") == "archived"

    switch_audience(page, "Archived People", current="Recently Deleted")
    expect_names(page, present=["Rita Restore"], absent=["Dan Deleted"])


def test_delete_forever(logged_in_page, live_server, workspace):
    ContactFactory(workspace=workspace, name="Fay Forever", deleted=True)
    ContactFactory(workspace=workspace, name="Kim Kept", deleted=True)
    page = open_people(logged_in_page, live_server, audience="deleted")
    tick(page, "Fay Forever")
    box = choose(page, "Delete forever", "Delete forever 1 person?", selected=1)
    expect(box).to_contain_text("This cannot be undone.")
    confirm(box, "Delete forever 1 person")
    expect(status(page)).to_contain_text("1 person deleted forever")
    expect(status(page).get_by_role("button", name="Undo")).to_have_count(0)  # erasure cannot be undone
    expect_names(page, present=["Kim Kept"], absent=["Fay Forever"])
    assert where("Fay Forever") == "purged"
    assert where("Kim Kept") == "deleted"
    switch_audience(page, "Archived People", current="Recently Deleted")
    expect_names(page, absent=["Fay Forever"])
    switch_audience(page, "My People", current="Archived People")
    expect_names(page, absent=["Fay Forever"])


ONLY_ADMINS = "Only admins and managers can delete"


@pytest.mark.parametrize(
    "audience, name, delete", [("archived", "Mo Archived", "Delete"), ("deleted", "Mo Deleted", "Delete forever")]
)
def test_a_member_sees_delete_disabled_and_why(page, live_server, workspace, member, login, audience, name, delete):
    ContactFactory(workspace=workspace, name="Mo Archived", archived=True)
    ContactFactory(workspace=workspace, name="Mo Deleted", deleted=True)
    login(page, member.username)
    open_people(page, live_server, audience=audience)
    tick(page, name)
    menu = open_menu(page, 1)
    item = menu.get_by_role("menuitem", name=delete, exact=True)
    expect(item).to_be_visible()
    expect(item).to_be_disabled()  # aria-disabled: still in the menu, still reachable with the keyboard
    expect(item).to_have_accessible_description(ONLY_ADMINS)
    expect(menu).to_contain_text(ONLY_ADMINS)
    expect(menu.get_by_role("menuitem", name="Restore", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(item).to_be_focused()
    page.keyboard.press("Enter")
    item.click(force=True)  # a disabled item does nothing, whichever way it is chosen
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(menu).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    assert where(name) == audience


def test_deleting_more_than_20_asks_to_type_the_count(logged_in_page, live_server, workspace):
    for i in range(21):
        ContactFactory(workspace=workspace, name=f"Many {i:02}", archived=True)
    page = open_people(logged_in_page, live_server, audience="archived")
    page_checkbox(page).check()
    box = choose(page, "Delete", "Delete 21 people?", selected=21)
    typed = box.get_by_role("textbox", name="Type 21 to confirm")
    button = box.get_by_role("button", name="Delete 21 people")
    expect(typed).to_be_focused()
    expect(button).to_be_disabled()
    typed.fill("20")
    expect(button).to_be_disabled()
    typed.fill("211")
    expect(button).to_be_disabled()
    typed.fill("21")
    expect(button).to_be_enabled()
    typed.fill("2")
    expect(button).to_be_disabled()
    typed.press_sequentially("1")
    expect(button).to_be_enabled()
    button.click()
    expect(status(page)).to_contain_text(re.compile(DELETED.format(n=21)))
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=False).count() == 21


@pytest.mark.parametrize(
    "audience,items", [("archived", ["Restore", "Delete"]), ("deleted", ["Restore", "Delete forever"])]
)
def test_menu_of_each_archive_audience_for_a_manager(page, live_server, workspace, manager, login, audience, items):
    ContactFactory(workspace=workspace, name="Pat Person", deleted=audience == "deleted", archived=True)
    login(page, manager.username)
    open_people(page, live_server, audience=audience)
    tick(page, "Pat Person")
    expect(open_menu(page, 1).get_by_role("menuitem")).to_have_text(items)
    page.keyboard.press("Escape")
    expect(bulk_menu(page)).to_be_hidden()
    expect(row(page, "Pat Person")).to_be_checked()
