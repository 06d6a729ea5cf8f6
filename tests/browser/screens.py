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

from contacts.models import Contact
from tests.browser.flows import (
    audience_button,
    choose,
    open_menu,
    open_people,
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
    # Add "details-deleted": details("deleted", "Dora Deleted") once Recently Deleted's rows open a pane.
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
