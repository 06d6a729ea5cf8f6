"""The screens of the app, each as a function that takes the page and the live server and leaves
the page showing that screen (with the people of tests/browser/evidence.py).

The axe audit (test_accessibility.py) and the screenshots (test_screenshots.py) go over the same
screens, so a new page or dialog is added once, here: to SCREENS (logged in as the admin) or
ANONYMOUS_SCREENS (logged out).
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from playwright.sync_api import expect

from contacts.models import Contact, Membership, Role, Workspace
from tests.browser.flows import (
    audience_button,
    choose,
    confirm,
    open_menu,
    open_people,
    open_user_menu,
    page_checkbox,
    pick_new_stage,
    status,
    tick,
)

# ---- screens (each leaves the page showing it) ---------------------------------------------------

AUDIENCES = (
    "my-people",
    *(f"stage-{stage}" for stage in ("lead", "potential", "active", "past", "lost", "none")),
    "assigned-to-me",
    "unassigned",
    "archived",
    "deleted",
)


def audience_screen(audience: str, view: str):
    return lambda page, live_server: open_people(page, live_server, audience=audience, view=view)


def details(audience: str, name: str):
    def show(page, live_server):
        open_people(page, live_server, audience=audience, view="list")
        page.get_by_role("list").get_by_role("link", name=re.compile(rf"^{name}")).click()
        pane = page.get_by_role("region", name="Details")
        expect(pane.get_by_role("heading", name=name)).to_be_visible()

    return show


def menu(audience: str, *names: str):
    def show(page, live_server):
        open_people(page, live_server, audience=audience)
        tick(page, *names)
        open_menu(page, len(names))

    return show


def bulk_dialog(audience: str, names: tuple[str, ...], action: str, question: str, button: str | None):
    def show(page, live_server):
        open_people(page, live_server, audience=audience)
        tick(page, *names)
        box = choose(page, action, question)
        if button:
            expect(box.get_by_role("button", name=button, exact=True)).to_be_visible()
        else:
            expect(box.get_by_role("button", name="Close", exact=True)).to_be_visible()

    return show


def change_stage_dialog(page, live_server):
    open_people(page, live_server)
    tick(page, "Grace Hopper", "Ada Lovelace")
    box = choose(page, "Change stage", "Change the stage of 2 people?")
    box = pick_new_stage(page, box, "Potential")
    expect(box.get_by_role("button", name="Change stage of 2 people")).to_be_visible()


def delete_forever_dialog(page, live_server):
    open_people(page, live_server, audience="deleted")
    page_checkbox(page).check()
    box = choose(page, "Delete forever", "Delete forever 2 people?")
    expect(box.get_by_role("button", name="Delete forever 2 people")).to_be_visible()


def restore_deleted_dialog(page, live_server):
    open_people(page, live_server, audience="deleted")
    page_checkbox(page).check()
    box = choose(page, "Restore", "Restore 2 people?")
    expect(box.get_by_role("button", name="Restore 2 people")).to_be_visible()


def audience_switcher_open(page, live_server):
    open_people(page, live_server)
    button = audience_button(page, "My People")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")


def whole_page_ticked(page, live_server):
    open_people(page, live_server)
    page_checkbox(page).check()
    expect(page.get_by_role("button", name="Bulk actions, 12 selected", exact=True)).to_be_visible()


def outcome_with_undo(page, live_server):
    open_people(page, live_server)
    tick(page, "Grace Hopper")
    box = choose(page, "Archive", "Archive 1 person?")
    box.get_by_role("button", name="Archive 1 person", exact=True).click()
    expect(status(page)).to_contain_text("archived")
    expect(page.get_by_role("button", name="Undo")).to_be_visible()


def no_js_bulk_page(page, live_server):
    grace = Contact.objects.get(name="Grace Hopper")
    page.goto(f"{live_server.url}/bulk/archive/?audience=my-people&selection=ids&ids={grace.pk}")
    expect(page.get_by_role("heading", name="Archive 1 person?")).to_be_visible()


def add_person_form(page, live_server):
    open_people(page, live_server, view="list")
    page.get_by_role("link", name="Add person", exact=True).click()
    expect(page.get_by_role("region", name="Details").get_by_role("heading", name="Add person")).to_be_visible()


def edit_refused(page, live_server):
    """Edit of an archived person whose new stage a rule refuses: the reason by the field, Restore."""
    archie = Contact.objects.get(name="Archie Archived")
    page.goto(f"{live_server.url}/people/{archie.pk}/?audience=archived&view=list")
    pane = page.get_by_role("region", name="Details")
    pane.get_by_role("link", name="Edit", exact=True).click()
    pane.get_by_role("combobox", name="Stage").select_option(label="Lead")
    pane.get_by_role("button", name="Save", exact=True).click()
    expect(pane.get_by_role("alert").first).to_contain_text("Nothing was saved")


# htmx logs the 4xx it swaps in: the form's refusal (400, the reasons by the fields) is one on purpose.
edit_refused.expected_console = re.compile(r"Response Status Error Code 400 from /people/\d+/edit/")


def forgive(screen, errors: list[str]) -> None:
    """Drop from the console errors those the screen causes on purpose (its `expected_console`)."""
    expected = getattr(screen, "expected_console", None)
    if expected:
        errors[:] = [error for error in errors if not expected.search(error)]


def workspace_switcher_open(page, live_server):
    """The admin in a second workspace too: the header's workspace button opens the switcher."""
    ada = Membership.objects.get(user__username="ada").user
    Membership.objects.create(
        workspace=Workspace.objects.create(name="Rivals", slug="rivals"), user=ada, role=Role.MEMBER
    )
    open_people(page, live_server)
    page.get_by_role("banner").get_by_role("button", name="Acme", exact=True).click()
    expect(page.get_by_role("menu", name="Workspaces")).to_be_visible()


def user_menu_open(page, live_server):
    open_people(page, live_server)
    open_user_menu(page)


def shortcuts_help(page, live_server):
    open_people(page, live_server)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()


def discovered_bulk_add(page, live_server):
    page.goto(live_server.url + "/people/discovered/")
    tick(page, "Erin Example", "Finn Other")
    box = choose(page, "Add", "Add 2 people to My People?", selected=2)
    expect(box.get_by_role("button", name="Add 2 people", exact=True)).to_be_visible()


# Everyone in My People who can be archived as they are (closed or no stage, nobody assigned).
ARCHIVABLE = ("Grace Hopper", "Lin Lost", "Edsger Dijkstra", "Barbara Liskov", "Dennis Ritchie", "Frances Allen")


def job_progress_dialog(page, live_server):
    """Archiving six with the job threshold lowered: the confirm hands them to a job, whose progress
    dialog shows (no worker runs here, so it stays queued at 0 of 6)."""
    from django.test import override_settings

    open_people(page, live_server)
    tick(page, *ARCHIVABLE)
    box = choose(page, "Archive", "Archive 6 people?", selected=6)
    with override_settings(BULK_JOB_THRESHOLD=3):
        confirm(box, "Archive 6 people")
        expect(page.get_by_role("progressbar", name="Archiving 6 people")).to_be_visible()


def jobs_page(page, live_server):
    job_progress_dialog(page, live_server)
    page.goto(live_server.url + "/jobs/")
    expect(page.get_by_role("heading", name="Jobs in Acme", level=1)).to_be_visible()


def goto(path: str, heading: str | re.Pattern):
    def show(page, live_server):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()

    return show


def rendered(template: str, heading: str):
    """A server error page the live server cannot be made to raise: the template rendered here,
    served at an address of the live server (so its styles load as in production)."""

    def show(page, live_server):
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        body = render_to_string(template, request=request)
        url = f"{live_server.url}/__evidence__/{template}"
        page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=body))
        page.goto(url)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()

    return show


SCREENS = {
    **{f"{a}-{v}": audience_screen(a, v) for a in AUDIENCES for v in ("table", "list")},
    "details-my-people": details("my-people", "Grace Hopper"),
    "details-archived": details("archived", "Archie Archived"),
    "details-deleted": details("deleted", "Dora Deleted"),
    "add-person": add_person_form,
    "edit-refused": edit_refused,
    "workspace-switcher-open": workspace_switcher_open,
    "user-menu-open": user_menu_open,
    "shortcuts-help": shortcuts_help,
    "audience-switcher-open": audience_switcher_open,
    "bulk-menu-my-people": menu("my-people", "Grace Hopper", "Alan Turing"),
    "bulk-menu-archived": menu("archived", "Archie Archived"),
    "bulk-menu-deleted": menu("deleted", "Dora Deleted"),
    "whole-page-ticked": whole_page_ticked,
    "archive-dialog": bulk_dialog(
        "my-people", ("Grace Hopper", "Alan Turing"), "Archive", "Archive 2 people?", "Archive 1 person"
    ),
    "archive-dialog-none-can-be": bulk_dialog("my-people", ("Alan Turing",), "Archive", re.compile("Archive"), None),
    "change-stage-dialog": change_stage_dialog,
    "remove-assignee-dialog": bulk_dialog(
        "my-people",
        ("Alan Turing", "Ken Thompson"),
        "Remove assignee",
        "Remove the assignee of 2 people?",
        "Remove assignee of 2 people",
    ),
    "restore-dialog": bulk_dialog("archived", ("Archie Archived",), "Restore", "Restore 1 person?", "Restore 1 person"),
    "delete-dialog": bulk_dialog(
        "archived", ("Archie Archived", "Arlo Archived"), "Delete", "Delete 2 people?", "Delete 2 people"
    ),
    "delete-forever-dialog": delete_forever_dialog,
    "restore-deleted-dialog": restore_deleted_dialog,
    "outcome-with-undo": outcome_with_undo,
    "bulk-page-without-js": no_js_bulk_page,
    "suppressions": goto("/settings/suppressions/", "Don't re-create from sync"),
    "discovered": goto("/people/discovered/", "Discovered People"),
    "discovered-bulk-add": discovered_bulk_add,
    "job-progress-dialog": job_progress_dialog,
    "jobs": jobs_page,
    "logout-confirm": goto("/accounts/logout/", "Log out?"),
    "not-found": goto("/no-such-page/", "Not found"),
    "that-cannot-be-done": goto("/bulk/archive/?audience=my-people&selection=ids&ids=abc", re.compile(".")),
    "server-error": rendered("500.html", "Something went wrong"),
    "bad-request": rendered("400.html", "Bad request"),
}


def login_error(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label(re.compile("username", re.I)).fill("ada")
    page.get_by_label(re.compile("password", re.I)).fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in to My People")).to_be_visible()


def password_reset_done(page, live_server):
    page.goto(live_server.url + "/accounts/password_reset/")
    page.get_by_label(re.compile("email", re.I)).fill("nobody@example.com")
    page.get_by_role("button").last.click()
    expect(page).to_have_url(re.compile(r"/password_reset/done/"))


ANONYMOUS_SCREENS = {
    "login": goto("/accounts/login/", "Log in to My People"),
    "login-error": login_error,
    "password-reset": goto("/accounts/password_reset/", re.compile(".")),
    "password-reset-done": password_reset_done,
    "password-reset-bad-link": goto("/accounts/reset/MQ/not-a-token/", re.compile(".")),
    "password-reset-complete": goto("/accounts/reset/done/", re.compile(".")),
}
