"""Things QA found cut off or running off the screen (issue 13's merge): the audience menu on a phone,
"Erased in N days", the suppressions cards, the gutter under the round button on Discovered People,
and the selection line that must not push the table down. Measured in Chromium.

Screenshots land in test-artifacts/screenshots/fit-*.png.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    DESKTOP,
    PHONE,
    WIDTHS,
    audience_button,
    open_people,
    tick,
)
from tests.browser.test_layout import crowd, viewport_shot  # noqa: F401  (crowd is a fixture)

NOT_CLIPPED = "el => el.scrollWidth <= el.clientWidth"


def test_the_audience_menu_stays_inside_a_phone_screen(logged_in_page, live_server, crowd, pytestconfig):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    open_people(page, live_server)
    button = audience_button(page, "My People")
    assert button.evaluate("b => b.getBoundingClientRect().height") < 60, "the audience button wraps"
    button.click()
    menu = page.get_by_role("navigation", name="Audiences")
    expect(menu).to_be_visible()
    viewport_shot(pytestconfig, page, "fit-audience-menu-375")
    links = menu.get_by_role("link")
    assert links.count() >= 4
    rights = links.evaluate_all("ls => ls.map(l => l.getBoundingClientRect().right)")
    assert max(rights) <= PHONE["width"], rights
    counts = menu.locator(".audience-count").evaluate_all("cs => cs.map(c => c.getBoundingClientRect().right)")
    assert counts and max(counts) <= PHONE["width"], counts


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", ["table", "list"])
def test_erased_in_n_days_is_whole_in_recently_deleted(logged_in_page, live_server, crowd, pytestconfig, width, view):
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    open_people(page, live_server, audience="deleted", view=view)
    erased = page.get_by_text(re.compile(r"^Erased in \d+ days?$"))
    expect(erased).to_have_count(3)
    viewport_shot(pytestconfig, page, f"fit-deleted-{view}-{width}")
    for i in range(3):
        expect(erased.nth(i)).to_be_visible()
        box = erased.nth(i).bounding_box()
        assert box["width"] > 40 and box["x"] + box["width"] <= WIDTHS[width]["width"], box
        assert erased.nth(i).evaluate(NOT_CLIPPED), "Erased in … is cut"
        # Nor is its cell (the Table View's td) cutting it.
        assert erased.nth(i).evaluate(
            "el => { const c = el.closest('td') || el.parentElement; return c.scrollWidth <= c.clientWidth; }"
        )


def test_a_suppression_card_shows_the_whole_address_on_a_phone(logged_in_page, live_server, crowd, pytestconfig):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/settings/suppressions/")
    whole = "a.really.long.address.for.testing.wrapping@subdomain.example-company.com"
    address = page.locator("td", has_text=whole)
    expect(address).to_be_visible()
    viewport_shot(pytestconfig, page, "fit-suppressions-375")
    box = address.bounding_box()
    assert box["width"] >= 250 and box["x"] + box["width"] <= PHONE["width"], box
    assert address.evaluate(NOT_CLIPPED), "the address is cut"
    assert address.inner_text() == whole
    lift = page.get_by_role("button", name=re.compile(r"^Lift "))
    assert lift.bounding_box()["y"] >= box["y"] + box["height"] - 1, "Lift sits beside the address, squeezing it"
