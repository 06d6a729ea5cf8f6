"""Shared steps for the browser tests: find things by role and accessible name, as PRODUCT.md's
"Interface contract" table names them, and watch the console for JavaScript errors.

Import the `console_errors` fixture into a test module to make it autouse there:

    from tests.browser.flows import console_errors  # noqa: F401
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Locator, Page, expect

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"375": PHONE, "1280": DESKTOP}
TABLET = {"width": 768, "height": 1024}

# Console errors a test may cause on purpose: htmx reporting a 4xx answer it shows as a message.
EXPECTED_CONSOLE = (re.compile(r"Failed to load resource: the server responded with a status of 4\d\d"),)


@pytest.fixture(autouse=True)
def console_errors(request):
    """Collect console errors and uncaught exceptions of `page`; fail the test on any of them.

    A test that expects some (none do today) can clear the list it gets from this fixture.
    Only attaches when the test uses `page`, so non-browser tests are left alone.
    """
    if "page" not in request.fixturenames:
        yield []
        return
    page: Page = request.getfixturevalue("page")
    errors: list[str] = []

    def on_console(message):
        if message.type != "error":
            return
        text = message.text
        if any(p.search(text) for p in EXPECTED_CONSOLE):
            return
        where = message.location.get("url", "") if message.location else ""
        errors.append(f"console.error at {page.url} ({where}): {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror at {page.url}: {exc}"))
    yield errors
    if errors:
        pytest.fail("JavaScript errors in the browser:\n" + "\n".join(errors), pytrace=False)


# ---- navigation ----------------------------------------------------------------------------------


def people_url(live_server, audience: str = "my-people", view: str = "table", **params) -> str:
    return f"{live_server.url}/people/?{urlencode({'audience': audience, 'view': view, **params})}"


def open_people(page: Page, live_server, audience: str = "my-people", view: str = "table", **params) -> Page:
    page.goto(people_url(live_server, audience, view, **params))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def audience_button(page: Page, name: str) -> Locator:
    """The audience switcher: a button named after the current audience."""
    return page.get_by_role("button", name=name, exact=True)


def switch_audience(page: Page, to: str, current: str = "My People") -> None:
    """Through the audience switcher: the button named after the current audience, then the link."""
    button = audience_button(page, current)
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    page.get_by_role("navigation", name="Audiences").get_by_role("link", name=to, exact=True).click()
    expect(audience_button(page, to)).to_be_visible()
    expect(page.get_by_role("heading", name=to, level=1)).to_be_visible()


def switch_view(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Views").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "true")


# ---- selection and the bulk menu ----------------------------------------------------------------


def row(page: Page, name: str) -> Locator:
    """A row's checkmark: checkbox "Select <full name>"."""
    return page.get_by_role("checkbox", name=f"Select {name}", exact=True)


def page_checkbox(page: Page) -> Locator:
    return page.get_by_role("checkbox", name="Select all on this page", exact=True)


def tick(page: Page, *names: str) -> None:
    for name in names:
        row(page, name).check()


def bulk_button(page: Page, selected: int | None = None) -> Locator:
    if selected is None:
        return page.get_by_role("button", name=re.compile(r"^Bulk actions"))
    return page.get_by_role("button", name=f"Bulk actions, {selected} selected", exact=True)


def bulk_menu(page: Page) -> Locator:
    return page.get_by_role("menu", name="Bulk Actions")


def open_menu(page: Page, selected: int | None = None) -> Locator:
    bulk_button(page, selected).click()
    menu = bulk_menu(page)
    expect(menu).to_be_visible()
    return menu


def dialog(page: Page, question: str | re.Pattern | None = None) -> Locator:
    if question is None:
        return page.get_by_role("alertdialog")
    return page.get_by_role("alertdialog", name=question)


def choose(page: Page, action: str, question: str | re.Pattern | None = None, selected: int | None = None) -> Locator:
    """Open the bulk menu, pick `action`, and return the confirmation dialog (once htmx settled it)."""
    open_menu(page, selected).get_by_role("menuitem", name=action, exact=True).click()
    box = dialog(page, question)
    expect(box).to_be_visible()
    return box


def pick_new_stage(page: Page, box: Locator, label: str) -> Locator:
    """In the Change stage dialog: pick the stage; the server re-renders the dialog with the numbers."""
    box.get_by_role("combobox", name="New stage").select_option(label=label)
    box = dialog(page)
    expect(box.get_by_role("combobox", name="New stage")).to_have_value(re.compile(r".+"))
    expect(box.get_by_role("button", name=re.compile(r"^Change stage of"))).to_be_visible()
    return box


def status(page: Page) -> Locator:
    """The outcome live region (the last role=status: a flash message may come before it)."""
    return page.get_by_role("status").last


def confirm(box: Locator, label: str) -> None:
    box.get_by_role("button", name=label, exact=True).click()


def expect_names(page: Page, present=(), absent=()) -> None:
    for name in present:
        expect(row(page, name)).to_be_visible()
    for name in absent:
        expect(row(page, name)).to_have_count(0)


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page: Page, locator: Locator, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab until `locator` has the focus (keyboard only), failing after `limit` presses."""
    for _ in range(limit):
        if locator.count() and is_focused(locator):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{locator} never got the focus after {limit} presses of {key}")


# ---- the header: user menu, workspace switcher ---------------------------------------------------


def user_menu_button(page: Page, display_name: str) -> Locator:
    return page.get_by_role("banner").get_by_role("button", name=display_name, exact=True)


def open_user_menu(page: Page, display_name: str = "Ada Admin") -> Locator:
    """The header's user menu (settings and Log out), opened by its button."""
    user_menu_button(page, display_name).click()
    menu = page.get_by_role("menu", name="Account")
    expect(menu).to_be_visible()
    return menu


def go_to_suppressions(page: Page, display_name: str = "Ada Admin") -> None:
    open_user_menu(page, display_name).get_by_role("menuitem", name="Sync suppressions").click()
    expect(page.get_by_role("heading", name="Don't re-create from sync", level=1)).to_be_visible()
