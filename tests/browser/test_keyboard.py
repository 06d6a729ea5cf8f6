"""Keyboard shortcuts (issue 13), the selection line above the list, and the live search.

Shortcuts: "/" search, j/k and the arrow keys between rows, x ticks, Shift+x a range, Escape
clears the selection, "?" the shortcuts dialog; none while typing in a field. They go through
the same selection code as clicks, so the round button and the page checkmark follow them.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from contacts.models import Contact
from tests.browser.conftest import TEST_PASSWORD
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    DESKTOP,
    WIDTHS,
    bulk_button,
    console_errors,
    dialog,
    open_menu,
    open_people,
    page_checkbox,
    people_url,
    row,
    tick,
)
from tests.factories import ContactFactory

NAMES = [f"Kit Key {i}" for i in range(1, 7)]  # sorted by name: the table's order


@pytest.fixture
def six(workspace):
    for name in NAMES:
        ContactFactory(workspace=workspace, name=name, company="Keys Inc")
    return NAMES


def at_desktop(page):
    page.set_viewport_size(DESKTOP)
    return page


def selection_line(page):
    return page.locator("[data-selection-line]")


def search_box(page):
    return page.get_by_role("searchbox", name="Search people")


def shortcuts(page):
    return page.get_by_role("dialog", name="Keyboard shortcuts")


def table_row(page, name):
    return page.get_by_role("row").filter(has=row(page, name))


def expect_checked(page, ticked=(), unticked=()):
    for name in ticked:
        expect(row(page, name)).to_be_checked()
    for name in unticked:
        expect(row(page, name)).not_to_be_checked()


def test_slash_goes_to_the_search(logged_in_page, live_server, six):
    page = open_people(at_desktop(logged_in_page), live_server)
    page.keyboard.press("/")
    expect(search_box(page)).to_be_focused()
    expect(search_box(page)).to_have_value("")  # the slash is not typed into it


def test_no_shortcut_fires_while_typing_in_the_search(logged_in_page, live_server, six):
    page = open_people(at_desktop(logged_in_page), live_server)
    tick(page, NAMES[0])
    search_box(page).focus()
    page.keyboard.type("kit x?/j")
    expect(search_box(page)).to_have_value("kit x?/j")
    expect(shortcuts(page)).to_have_count(0)
    expect(search_box(page)).to_be_focused()
    page.keyboard.press("Escape")  # the field's own Escape (it empties the field), not the selection's
    expect(bulk_button(page, 1)).to_be_visible()
    # Ctrl, Meta or Alt with a shortcut's key is never a shortcut.
    page.get_by_role("heading", level=1).click()
    page.keyboard.press("Control+x")
    page.keyboard.press("Alt+j")
    expect_checked(page, ticked=[NAMES[0]], unticked=NAMES[1:])
    expect(row(page, NAMES[0])).not_to_be_focused()


def test_j_k_and_the_arrow_keys_move_between_rows_with_a_focus_ring(logged_in_page, live_server, six, screenshot):
    page = open_people(at_desktop(logged_in_page), live_server)
    page.keyboard.press("j")
    expect(row(page, NAMES[0])).to_be_focused()
    page.keyboard.press("j")
    expect(row(page, NAMES[1])).to_be_focused()
    outline = table_row(page, NAMES[1]).evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid", "the row the keyboard is on shows a focus ring"
    screenshot(page, "keys-focus-ring-table-1280")
    assert table_row(page, NAMES[0]).evaluate("el => getComputedStyle(el).outlineStyle") == "none"
    page.keyboard.press("k")
    expect(row(page, NAMES[0])).to_be_focused()
    page.keyboard.press("k")  # stays on the first
    expect(row(page, NAMES[0])).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(row(page, NAMES[2])).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(row(page, NAMES[1])).to_be_focused()
    for _ in range(8):
        page.keyboard.press("j")
    expect(row(page, NAMES[-1])).to_be_focused()  # stays on the last
    # Moving ticked no one.
    expect(bulk_button(page)).to_be_hidden()


def test_x_ticks_the_focused_row_and_shift_x_a_range(logged_in_page, live_server, six):
    page = open_people(at_desktop(logged_in_page), live_server)
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect_checked(page, ticked=NAMES[:1], unticked=NAMES[1:])
    expect(bulk_button(page, 1)).to_be_visible()
    expect(page_checkbox(page)).to_have_attribute("aria-checked", "mixed")

    for _ in range(3):
        page.keyboard.press("j")
    page.keyboard.press("Shift+X")
    expect_checked(page, ticked=NAMES[:4], unticked=NAMES[4:])
    expect(bulk_button(page, 4)).to_be_visible()
    expect(selection_line(page)).to_contain_text("4 selected")

    page.keyboard.press("x")  # again: unticks just this one
    expect_checked(page, ticked=NAMES[:3], unticked=NAMES[3:])
    expect(bulk_button(page, 3)).to_be_visible()

    # A Shift+x range starts from the last row ticked by a click, too.
    row(page, NAMES[5]).click()
    expect(bulk_button(page, 4)).to_be_visible()
    page.keyboard.press("k")
    page.keyboard.press("k")
    page.keyboard.press("Shift+X")
    expect_checked(page, ticked=NAMES)
    expect(bulk_button(page, 6)).to_be_visible()
    expect(page_checkbox(page)).to_have_attribute("aria-checked", "true")


def test_escape_clears_the_selection_once_the_menu_is_closed(logged_in_page, live_server, six):
    page = open_people(at_desktop(logged_in_page), live_server)
    tick(page, NAMES[0], NAMES[1])
    menu = open_menu(page, 2)
    page.keyboard.press("Escape")  # closes the menu only
    expect(menu).to_be_hidden()
    expect(bulk_button(page, 2)).to_be_visible()

    menu = open_menu(page, 2)
    menu.get_by_role("menuitem", name="Archive").click()
    box = dialog(page, "Archive 2 people?")
    expect(box).to_be_visible()
    page.keyboard.press("Escape")  # closes the dialog only
    expect(box).to_have_count(0)
    expect(bulk_button(page, 2)).to_be_visible()

    page.keyboard.press("Escape")
    expect(bulk_button(page)).to_be_hidden()
    expect_checked(page, unticked=NAMES)
    expect(page_checkbox(page)).to_have_attribute("aria-checked", "false")


def test_question_mark_shows_the_shortcuts_and_escape_closes_them(logged_in_page, live_server, six):
    page = open_people(at_desktop(logged_in_page), live_server)
    tick(page, NAMES[2])
    page.keyboard.press("?")
    help_dialog = shortcuts(page)
    expect(help_dialog).to_be_visible()
    for words in ("Search", "Next person", "Tick everyone from the last one ticked to this one", "Clear the selection"):
        expect(help_dialog).to_contain_text(words)
    page.keyboard.press("x")  # shortcuts sleep while it is open
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    expect(bulk_button(page, 1)).to_be_visible()  # its Escape closed it, and did not clear the selection
    expect(row(page, NAMES[2])).to_be_focused()  # the focus is back where it was

    page.keyboard.press("?")
    expect(help_dialog).to_be_visible()
    help_dialog.get_by_role("button", name="Close", exact=True).click()
    expect(help_dialog).to_be_hidden()


@pytest.mark.parametrize("viewport", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_selection_line_says_how_many_and_clear_clears(logged_in_page, live_server, workspace, viewport):
    for i in range(55):
        ContactFactory(workspace=workspace, name=f"Line Person {i:02}")
    page = logged_in_page
    page.set_viewport_size(viewport)
    open_people(page, live_server)
    line = selection_line(page)
    clear = line.get_by_role("button", name="Clear", exact=True)
    expect(clear).to_be_hidden()

    tick(page, "Line Person 00", "Line Person 01", "Line Person 02", "Line Person 03")
    expect(line).to_have_text(re.compile(r"^\s*4 selected\s*·\s*Clear\s*$"))
    expect(bulk_button(page, 4)).to_be_visible()
    clear.click()
    expect(bulk_button(page)).to_be_hidden()
    expect(row(page, "Line Person 00")).not_to_be_checked()
    expect(clear).to_be_hidden()

    tick(page, "Line Person 07")
    expect(line).to_contain_text("1 selected")

    page_checkbox(page).check()
    page.get_by_role("button", name=re.compile(r"^Select all 55")).click()
    expect(line).to_contain_text("All 55 selected")
    expect(bulk_button(page, 55)).to_be_visible()
    row(page, "Line Person 00").uncheck()
    row(page, "Line Person 01").uncheck()
    row(page, "Line Person 02").uncheck()
    expect(line).to_contain_text("All 55 selected except 3")
    expect(bulk_button(page, 52)).to_be_visible()
    # The page checkmark's banner stays, beside the line.
    expect(page.locator("[data-select-banner]")).to_contain_text("All 55 people are selected except 3.")

    clear.click()
    expect(bulk_button(page)).to_be_hidden()
    expect(clear).to_be_hidden()
    expect(page.locator("[data-select-banner]")).to_be_hidden()
    expect(row(page, "Line Person 10")).not_to_be_checked()


def test_list_view_keys_open_the_person_and_tick_them(logged_in_page, live_server, six, screenshot):
    page = open_people(at_desktop(logged_in_page), live_server, view="list")
    details = page.get_by_role("region", name="Details")

    def link(name):
        return page.get_by_role("list").get_by_role("link", name=re.compile(rf"^{re.escape(name)}\b"))

    page.keyboard.press("j")
    expect(details.get_by_role("heading", name=NAMES[0], level=2)).to_be_visible()
    expect(link(NAMES[0])).to_be_focused()
    page.keyboard.press("j")
    expect(details.get_by_role("heading", name=NAMES[1], level=2)).to_be_visible()
    expect(link(NAMES[1])).to_have_attribute("aria-current", "true")
    assert page.locator("li[data-id]").nth(1).evaluate("el => getComputedStyle(el).outlineStyle") == "solid"

    page.keyboard.press("x")
    expect(row(page, NAMES[1])).to_be_checked()
    page.keyboard.press("j")
    page.keyboard.press("j")  # before the first has answered: the pane and the address follow the last
    expect(details.get_by_role("heading", name=NAMES[3], level=2)).to_be_visible()
    fourth = Contact.objects.get(name=NAMES[3]).pk
    expect(page).to_have_url(re.compile(rf"/people/{fourth}/"))
    page.wait_for_timeout(300)  # an answer for the third, had it been kept, would have landed by now
    expect(details.get_by_role("heading", name=NAMES[3], level=2)).to_be_visible()
    page.keyboard.press("Shift+X")
    expect_checked(page, ticked=NAMES[1:4], unticked=[NAMES[0], *NAMES[4:]])
    expect(selection_line(page)).to_contain_text("3 selected")
    screenshot(page, "keys-list-view-1280")
    page.keyboard.press("k")
    expect(details.get_by_role("heading", name=NAMES[2], level=2)).to_be_visible()

    page.keyboard.press("Escape")
    expect(bulk_button(page)).to_be_hidden()
    expect_checked(page, unticked=NAMES)
    page.keyboard.press("/")
    expect(search_box(page)).to_be_focused()


@pytest.mark.parametrize("viewport", WIDTHS.values(), ids=WIDTHS.keys())
def test_search_is_live_and_its_button_is_gone_with_javascript(logged_in_page, live_server, workspace, viewport):
    ContactFactory(workspace=workspace, name="Zoe Zeal")
    ContactFactory(workspace=workspace, name="Abe Able")
    page = logged_in_page
    page.set_viewport_size(viewport)
    open_people(page, live_server)
    expect(page.get_by_role("button", name="Search", exact=True)).to_be_hidden()
    search_box(page).press_sequentially("zea", delay=30)  # no Enter
    expect(row(page, "Abe Able")).to_have_count(0)
    expect(row(page, "Zoe Zeal")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=zea"))
    expect(search_box(page)).to_be_focused()  # still typing
    expect(search_box(page)).to_have_value("zea")


def test_without_javascript_the_search_button_is_there_and_searches(browser, live_server, workspace, admin_user):
    ContactFactory(workspace=workspace, name="Zoe Zeal")
    ContactFactory(workspace=workspace, name="Abe Able")
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label(re.compile("username", re.I)).fill(admin_user.username)
        page.get_by_label(re.compile("password", re.I)).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(people_url(live_server))
        button = page.get_by_role("button", name="Search", exact=True)
        expect(button).to_be_visible()
        search_box(page).fill("zeal")
        button.click()
        expect(page).to_have_url(re.compile(r"q=zeal"))
        expect(row(page, "Zoe Zeal")).to_be_visible()
        expect(row(page, "Abe Able")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_selection_line_and_the_shortcuts_pass_axe(logged_in_page, live_server, six, viewport, screenshot):
    """No violation of any impact: with the selection line showing, then with the shortcuts open."""
    page = logged_in_page
    page.set_viewport_size(viewport)
    open_people(page, live_server)
    tick(page, NAMES[0], NAMES[1])
    expect(selection_line(page)).to_contain_text("2 selected")
    screenshot(page, f"keys-selection-line-{viewport['width']}")
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations] == []
    page.keyboard.press("?")
    expect(shortcuts(page)).to_be_visible()
    screenshot(page, f"keys-shortcuts-{viewport['width']}")
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], [n["html"][:80] for n in v["nodes"]]) for v in violations] == []


def test_typing_on_while_a_search_is_on_its_way_keeps_every_letter(logged_in_page, live_server, workspace):
    """The live search swaps the whole list with its toolbar: letters typed while an answer is on
    its way must not be replaced by the search box of that answer."""
    ContactFactory(workspace=workspace, name="Zoe Zeal")
    ContactFactory(workspace=workspace, name="Zed Zero")
    page = open_people(at_desktop(logged_in_page), live_server)

    def slow(route):
        page.wait_for_timeout(700)
        route.continue_()

    page.route(re.compile(r"/people/\?.*q=ze(&|$)"), slow)
    search_box(page).press_sequentially("ze")
    page.wait_for_timeout(450)  # the search for "ze" has left
    search_box(page).press_sequentially("a")
    expect(page).to_have_url(re.compile(r"q=zea"))
    expect(search_box(page)).to_have_value("zea")
    expect(row(page, "Zed Zero")).to_have_count(0)
    expect(row(page, "Zoe Zeal")).to_be_visible()
    expect(search_box(page)).to_be_focused()


def test_the_shortcuts_button_tells_that_they_exist(logged_in_page, live_server, six):
    """Nothing else on the page says "?" works: a button beside Add person opens the same help (desktop only)."""
    page = open_people(at_desktop(logged_in_page), live_server)
    button = page.get_by_role("button", name="Keyboard shortcuts", exact=True)
    expect(button).to_have_attribute("aria-keyshortcuts", "?")
    button.click()
    expect(shortcuts(page)).to_be_visible()
    page.keyboard.press("Escape")
    expect(shortcuts(page)).to_be_hidden()
    expect(button).to_be_focused()
