"""The header (issue 13): the product name and the workspace, the workspace switcher (remembered
across logins, and Back after a switch shows nothing of the old workspace as current), the user
menu by keyboard, and the counts beside the audiences. At phone and desktop widths."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Role
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    WIDTHS,
    audience_button,
    console_errors,
    is_focused,
    open_people,
    open_user_menu,
    row,
    user_menu_button,
)
from tests.factories import ContactFactory, MembershipFactory, UserFactory

WIDTH_IDS = list(WIDTHS)


@pytest.fixture(params=WIDTH_IDS)
def sized_page(request, page):
    page.set_viewport_size(WIDTHS[request.param])
    return page


@pytest.fixture
def wes(workspace, other_workspace):
    """Wes Two: a member of Acme since the start, and an admin of Rivals; one person in each."""
    user = UserFactory(username="wes", first_name="Wes", last_name="Two")
    MembershipFactory(workspace=workspace, user=user, role=Role.MEMBER)
    MembershipFactory(workspace=other_workspace, user=user, role=Role.ADMIN)
    ContactFactory(workspace=workspace, name="Ann Acme")
    ContactFactory(workspace=other_workspace, name="Rex Rival")
    return user


def workspace_button(page, name):
    return page.get_by_role("banner").get_by_role("button", name=name, exact=True)


def expect_working_in(page, workspace, person, stranger):
    expect(workspace_button(page, workspace)).to_be_visible()
    expect(row(page, person)).to_be_visible()
    expect(row(page, stranger)).to_have_count(0)


def test_switching_workspace_is_remembered_after_logging_out_and_in(sized_page, live_server, login, wes):
    page = login(sized_page, "wes")
    expect(page.get_by_role("banner").get_by_role("link", name="My People home")).to_be_visible()
    expect_working_in(page, "Acme", "Ann Acme", "Rex Rival")

    workspace_button(page, "Acme").click()
    menu = page.get_by_role("menu", name="Workspaces")
    expect(menu.get_by_role("menuitemradio", name="Acme", exact=True)).to_have_attribute("aria-checked", "true")
    menu.get_by_role("menuitemradio", name="Rivals", exact=True).click()
    expect(page).to_have_url(re.compile(r"/people/$"))
    expect(audience_button(page, "My People")).to_be_visible()
    expect_working_in(page, "Rivals", "Rex Rival", "Ann Acme")

    # Back lands on the page drawn for Acme; it must not show Acme's people as if current.
    page.go_back()
    expect_working_in(page, "Rivals", "Rex Rival", "Ann Acme")
    page.go_forward()
    expect_working_in(page, "Rivals", "Rex Rival", "Ann Acme")

    open_user_menu(page, "Wes Two").get_by_role("menuitem", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    login(page, "wes")
    expect_working_in(page, "Rivals", "Rex Rival", "Ann Acme")


def test_a_page_of_the_old_workspace_brought_back_from_the_cache_is_drawn_again(sized_page, live_server, login, wes):
    """What Chrome's back/forward cache does (Playwright turns that cache off, so it is imitated):
    a page drawn for Acme comes back after Wes switched to Rivals elsewhere; it reloads as Rivals."""
    page = login(sized_page, "wes")
    expect_working_in(page, "Acme", "Ann Acme", "Rex Rival")
    other_tab = page.context.new_page()
    other_tab.goto(live_server.url + "/people/")
    workspace_button(other_tab, "Acme").click()
    other_tab.get_by_role("menuitemradio", name="Rivals").click()
    expect_working_in(other_tab, "Rivals", "Rex Rival", "Ann Acme")
    other_tab.close()
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect_working_in(page, "Rivals", "Rex Rival", "Ann Acme")


def test_a_user_in_one_workspace_sees_its_name_and_no_switcher(sized_page, live_server, workspace, admin_user, login):
    page = login(sized_page, admin_user.username)
    banner = page.get_by_role("banner")
    expect(banner.get_by_text("Workspace: Acme", exact=True)).to_be_visible()
    expect(banner.get_by_role("button", name="Acme")).to_have_count(0)


@pytest.mark.parametrize("staff", [False, True], ids=["member", "staff"])
def test_the_user_menu_works_by_keyboard(sized_page, live_server, workspace, admin_user, login, staff):
    admin_user.is_staff = staff
    admin_user.save()
    page = login(sized_page, admin_user.username)
    button = user_menu_button(page, "Ada Admin")
    expect(button).to_have_attribute("aria-haspopup", "menu")
    button.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu", name="Account")
    expect(menu).to_be_visible()
    expected = ["Sync suppressions", "Admin", "Jobs", "Log out"] if staff else ["Sync suppressions", "Jobs", "Log out"]
    expect(menu.get_by_role("menuitem")).to_have_text(expected)
    first, last = menu.get_by_role("menuitem").first, menu.get_by_role("menuitem").last
    expect(first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(last).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Space")  # the button again: open, and Enter on an item follows it
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Don't re-create from sync", level=1)).to_be_visible()


def test_the_audience_switcher_shows_a_count_beside_each_audience(
    sized_page, live_server, workspace, admin_user, login
):
    for n in range(3):
        ContactFactory(workspace=workspace, name=f"Kept {n}")
    ContactFactory(workspace=workspace, name="Old One", archived=True)
    page = open_people(login(sized_page, admin_user.username), live_server)
    audience_button(page, "My People").click()
    nav = page.get_by_role("navigation", name="Audiences")
    for name, count in [("My People", "3"), ("Archived People", "1"), ("Recently Deleted", "0")]:
        item = nav.get_by_role("listitem").filter(has=page.get_by_role("link", name=name, exact=True))
        expect(item.locator(".audience-count")).to_have_text(count)
    # Archived People stays under Other Audiences, after its heading.
    expect(nav.get_by_role("heading", name="Other Audiences")).to_be_visible()
    assert nav.locator("h2 + ul").get_by_role("link", name="Archived People", exact=True).count() == 1


@pytest.mark.parametrize("which", ["workspace", "user"])
def test_the_open_header_menus_pass_axe(sized_page, live_server, login, wes, which):
    from tests.browser.test_accessibility import audit

    page = login(sized_page, "wes")
    if which == "workspace":
        workspace_button(page, "Acme").click()
        expect(page.get_by_role("menu", name="Workspaces")).to_be_visible()
    else:
        open_user_menu(page, "Wes Two")
    audit(page, f"header-{which}-menu", str(page.viewport_size["width"]))
