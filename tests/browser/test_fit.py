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
    TABLET,
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


def first_row_top(page) -> float:
    return page.locator("[data-id]").first.evaluate("el => el.getBoundingClientRect().top")


@pytest.mark.parametrize("viewport", [PHONE, TABLET, DESKTOP], ids=["375", "768", "1280"])
@pytest.mark.parametrize("view", ["table", "list"])
def test_ticking_a_row_never_moves_the_list(logged_in_page, live_server, crowd, pytestconfig, viewport, view):
    """The selection line ("1 selected · Clear") sits in the heading: it used to push the list down 32 px."""
    page = logged_in_page
    page.set_viewport_size(viewport)
    open_people(page, live_server, view=view)
    before = first_row_top(page)
    tick(page, "Person 00")
    expect(page.locator("[data-selection-line]")).to_contain_text("1 selected")
    viewport_shot(pytestconfig, page, f"fit-selection-line-{view}-{viewport['width']}")
    assert first_row_top(page) == before
    tick(page, "Person 01")
    assert first_row_top(page) == before
    page.get_by_role("button", name="Clear", exact=True).click()
    expect(page.locator("[data-selection-line]")).not_to_contain_text("selected")
    assert first_row_top(page) == before
    # On a phone the line stands in for the title and the count; the heading is still there for a screen reader.
    expect(page.get_by_role("heading", name="My People", level=1)).to_have_count(1)


def test_ticking_a_discovered_person_never_moves_the_list(logged_in_page, live_server, crowd):
    page = logged_in_page
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(live_server.url + "/people/discovered/")
        before = first_row_top(page)
        page.locator("[data-select-row]").first.check()
        expect(page.locator("[data-selection-line]")).to_contain_text("1 selected")
        assert first_row_top(page) == before, viewport
        page.locator("[data-select-row]").first.uncheck()


@pytest.fixture
def team_of_typical_length(workspace, admin_user):
    """Names, companies and assignees of ordinary length: what a tablet must show whole."""
    from contacts.models import Membership, Role, Stage
    from tests.factories import ContactFactory, UserFactory

    morgan = UserFactory(username="morgan", first_name="Morgan", last_name="Reyes")
    Membership.objects.create(workspace=workspace, user=morgan, role=Role.MEMBER)
    for name, company in [
        ("Aaron Banerjee", "Tidewater Capital"),
        ("Avery Lindqvist", "Cedar & Pine Realty"),
        ("Bianca Brennan", "Northwind Traders"),
        ("Yusuf Demir", "Bluebird Logistics"),
    ]:
        email = f"{name.lower().replace(' ', '.')}@{company.split()[0].lower()}.example"
        ContactFactory(workspace=workspace, name=name, company=company, email=email, stage=Stage.LEAD, assignee=morgan)
        ContactFactory(
            workspace=workspace, name=f"{name} Jr", company=company, email=email, archived=True, archived_by=admin_user
        )


WHOLE = "els => els.filter(el => el.offsetParent && el.scrollWidth > el.clientWidth + 1).map(el => el.textContent)"


@pytest.mark.parametrize("audience", ["my-people", "archived"])
@pytest.mark.parametrize("view", ["table", "list"])
def test_a_tablet_shows_names_companies_and_dates_whole(
    logged_in_page, live_server, team_of_typical_length, pytestconfig, audience, view
):
    """At 768 px the Table View cut every name to "Aaron Ban…" and "Morgan Re…": six columns in 656 px."""
    page = logged_in_page
    page.set_viewport_size(TABLET)
    open_people(page, live_server, audience=audience, view=view)
    expect(page.locator("[data-id]")).to_have_count(4)
    viewport_shot(pytestconfig, page, f"fit-tablet-{audience}-{view}")
    cells = page.locator("#people-region :is(td, .person-link, .person-name, .sub, .when-who)")
    assert cells.count() >= 8
    assert cells.evaluate_all(WHOLE) == []
    # What moved rather than went: the company under the name in the Table View.
    expect(page.get_by_text("Tidewater Capital").first).to_be_visible()
