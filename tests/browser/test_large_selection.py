"""Large selections in Chromium (#11.7, #11.8): hundreds of people ticked page by page, a request
that fails on its way, and "Select all" with a few people unticked."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Contact, Stage
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    bulk_button,
    choose,
    confirm,
    console_errors,
    dialog,
    open_menu,
    open_people,
    page_checkbox,
    row,
    status,
    switch_view,
    tick,
)

# gunicorn, the README's production server, refuses a longer request line (its --limit-request-line).
GUNICORN_REQUEST_LINE = 4094


def make_people(workspace, n, prefix="Person", **fields):
    Contact.objects.bulk_create(
        [Contact(workspace=workspace, name=f"{prefix} {i:03}", stage=Stage.LOST, **fields) for i in range(n)]
    )


def pages(page):
    return page.get_by_role("navigation", name="Pages")


def archived_count(workspace):
    return Contact.objects.filter(workspace=workspace, archived_at__isnull=False).count()


def test_ticking_800_people_page_by_page_opens_the_dialog_for_all_800(logged_in_page, live_server, workspace):
    make_people(workspace, 800)
    request_lines = []
    page = logged_in_page
    page.on("request", lambda request: request_lines.append(f"{request.method} {request.url} HTTP/1.1"))
    open_people(page, live_server)
    for number in range(1, 17):
        expect(page.get_by_text(f"Page {number} of 16")).to_be_visible()
        page_checkbox(page).check()
        expect(bulk_button(page, 50 * number)).to_be_visible()
        if number < 16:
            pages(page).get_by_role("link", name="Next").click()

    box = choose(page, "Archive", "Archive 800 people?", selected=800)
    expect(box).to_contain_text("800 people will be archived.")
    confirm(box, "Archive 800 people")
    expect(status(page)).to_contain_text("800 people archived")
    assert archived_count(workspace) == 800
    longest = max(request_lines, key=len)
    assert len(longest) <= GUNICORN_REQUEST_LINE, f"gunicorn would refuse {longest[:120]}… ({len(longest)} bytes)"


GUNICORN_414 = (
    "<html><head><title>URI Too Long</title></head><body><h1><p>URI Too Long</p></h1>"
    "Request Line is too large (8192 &gt; 4094)</body></html>"
)


@pytest.mark.parametrize(
    "status_code, body, message",
    [
        (414, GUNICORN_414, "too large to send"),
        (413, "<h1>413 Request Entity Too Large</h1><hr><center>nginx</center>", "too large to send"),
        (500, "<h1>Internal Server Error</h1><p>Traceback: KeyError 'x'</p>", "Something went wrong on the server"),
        (502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "Something went wrong on the server"),
        (403, "<!doctype html><html><body><h1>Forbidden</h1>CSRF verification failed</body></html>", "refused"),
    ],
    ids=["414", "413", "500", "502", "403"],
)
def test_a_failed_dialog_request_says_so_in_a_dialog_never_with_the_raw_answer(
    logged_in_page, live_server, workspace, console_errors, status_code, body, message
):
    make_people(workspace, 3)
    page = open_people(logged_in_page, live_server)
    page.route(
        re.compile(r"/bulk/archive/"),
        lambda route: route.fulfill(status=status_code, body=body, content_type="text/html"),
    )
    tick(page, "Person 000", "Person 001")
    box = choose(page, "Archive", "That did not work", selected=2)
    expect(box).to_contain_text(message)
    expect(box).to_contain_text("Nothing was changed.")
    for raw in ("Request Line", "nginx", "Traceback", "Bad Gateway", "CSRF verification"):
        expect(page.get_by_text(raw)).to_have_count(0)
    expect(box.get_by_role("button", name="Close")).to_be_focused()
    box.get_by_role("button", name="Close").click()
    expect(dialog(page)).to_have_count(0)
    expect(bulk_button(page, 2)).to_be_focused()  # the selection is kept, to try again
    assert archived_count(workspace) == 0
    # The browser and htmx report the failed answer on the console; that is expected here.
    console_errors.clear()


def test_a_dialog_request_that_never_reaches_the_server_says_so(logged_in_page, live_server, workspace, console_errors):
    make_people(workspace, 2)
    page = open_people(logged_in_page, live_server)
    page.route(re.compile(r"/bulk/archive/"), lambda route: route.abort("connectionrefused"))
    tick(page, "Person 000")
    box = choose(page, "Archive", "That did not work", selected=1)
    expect(box).to_contain_text("could not be reached")
    expect(box).to_contain_text("Nothing was changed.")
    console_errors.clear()


def banner(page):
    return page.get_by_text(re.compile(r"^All \d+ people are selected"))


def test_unticking_one_after_select_all_keeps_everyone_else_selected(logged_in_page, live_server, workspace):
    """The flow of #11.8: "Select all 262", untick one: 261 stay selected, everywhere, and are archived."""
    make_people(workspace, 262)
    page = open_people(logged_in_page, live_server)
    page_checkbox(page).check()
    page.get_by_role("button", name="Select all 262 people", exact=True).click()
    expect(bulk_button(page, 262)).to_be_visible()
    expect(banner(page)).to_have_text("All 262 people are selected.")

    row(page, "Person 001").uncheck()
    expect(bulk_button(page, 261)).to_be_visible()
    expect(banner(page)).to_have_text("All 262 people are selected except 1.")
    expect(page.get_by_role("button", name="Clear selection")).to_be_visible()
    expect(page_checkbox(page)).to_have_attribute("aria-checked", "mixed")
    expect(row(page, "Person 000")).to_be_checked()

    # Paging, sorting and the other view keep "all except Person 001".
    pages(page).get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 6")).to_be_visible()
    expect(row(page, "Person 050")).to_be_checked()
    expect(page_checkbox(page)).to_have_attribute("aria-checked", "true")
    expect(bulk_button(page, 261)).to_be_visible()
    page.get_by_role("link", name="Name", exact=True).click()  # page 1 again, Z to A
    expect(page.get_by_role("columnheader", name="Name")).to_have_attribute("aria-sort", "descending")
    expect(row(page, "Person 261")).to_be_checked()
    expect(bulk_button(page, 261)).to_be_visible()
    switch_view(page, "List and Details View")
    expect(row(page, "Person 001")).not_to_be_checked()
    expect(row(page, "Person 002")).to_be_checked()
    expect(bulk_button(page, 261)).to_be_visible()
    expect(banner(page)).to_have_text("All 262 people are selected except 1.")

    # Ticking them again selects everyone; unticking two is "except 2".
    row(page, "Person 001").check()
    expect(bulk_button(page, 262)).to_be_visible()
    expect(banner(page)).to_have_text("All 262 people are selected.")
    row(page, "Person 001").uncheck()
    row(page, "Person 003").uncheck()
    expect(bulk_button(page, 260)).to_be_visible()
    expect(banner(page)).to_have_text("All 262 people are selected except 2.")
    row(page, "Person 003").check()

    box = choose(page, "Archive", "Archive 261 people?", selected=261)
    expect(box).to_contain_text("261 people will be archived.")
    confirm(box, "Archive 261 people")
    expect(status(page)).to_contain_text("261 people archived")
    assert archived_count(workspace) == 261
    assert list(
        Contact.objects.filter(workspace=workspace, archived_at__isnull=True).values_list("name", flat=True)
    ) == ["Person 001"]
    expect(row(page, "Person 001")).to_be_visible()
    expect(bulk_button(page)).to_be_hidden()


def test_unticking_a_whole_page_after_select_all_leaves_the_other_pages_selected(
    logged_in_page, live_server, workspace
):
    make_people(workspace, 120)
    page = open_people(logged_in_page, live_server)
    page_checkbox(page).check()
    page.get_by_role("button", name="Select all 120 people", exact=True).click()
    page_checkbox(page).uncheck()
    expect(bulk_button(page, 70)).to_be_visible()
    expect(banner(page)).to_have_text("All 120 people are selected except 50.")
    expect(row(page, "Person 000")).not_to_be_checked()
    page.get_by_role("button", name="Clear selection").click()
    expect(bulk_button(page)).to_be_hidden()
    expect(banner(page)).to_be_hidden()


def test_without_javascript_the_ticked_people_still_reach_the_dialog_and_are_archived(
    browser, live_server, workspace, admin_user, login
):
    make_people(workspace, 3)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, admin_user.username)
        open_people(page, live_server)
        tick(page, "Person 000", "Person 002")
        page.get_by_role("combobox", name="With the ticked people:").select_option(label="Archive")
        page.get_by_role("button", name="Continue").click()
        box = page.get_by_role("alertdialog", name="Archive 2 people?")
        expect(box).to_contain_text("2 people will be archived.")
        box.get_by_role("button", name="Archive 2 people").click()
        expect(page.get_by_text("2 people archived")).to_be_visible()
    finally:
        context.close()
    assert set(Contact.objects.filter(archived_at__isnull=False).values_list("name", flat=True)) == {
        "Person 000",
        "Person 002",
    }
